"""The Typer application, the options shared by several commands, and small output helpers.

Heavy imports (numpy, sympy, torch) happen inside the commands that need them, so ``examprep list`` and
``examprep --help`` start fast.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

import typer

app = typer.Typer(
    name="examprep",
    help="Numeric exam problems in deep learning and generative AI: generate, solve step by step, grade, verify.\n\n"
    "Example: examprep solve cnn/conv_output_size --seed 7",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

def _print_version(value: bool) -> None:
    """``--version``: the installed package's version (read from its metadata; nothing else is imported)."""
    if not value:
        return
    from importlib.metadata import PackageNotFoundError, version

    try:
        typer.echo(f"examprep {version('examprep')}")
    except PackageNotFoundError:
        typer.echo("examprep (not installed: run pip install -e . for the version)")
    raise typer.Exit(0)


@app.callback()
def _root(
    show_version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                      help="Print the examprep version and exit."),
    secret_file: str = typer.Option(None, "--secret-file", help="Read the secret for secret instance codes from "
                                                                "this file (else EXAMPREP_SECRET)."),
) -> None:
    if secret_file:
        from examprep import secret

        secret.use_file(secret_file)


SEED = typer.Option(None, "--seed", "-s", help="Seed of the instance (default 0; an instance code fixes it).")
DIFF = typer.Option("medium", "--difficulty", "-d", help="easy, medium or hard.")
TARGET_DIFF = typer.Option(None, "--difficulty", "-d",
                           help="easy, medium or hard (default medium; an instance code fixes it).")
SETS = typer.Option(None, "--set", help="Your own parameter value NAME=VALUE (repeatable).")
JSON = typer.Option(False, "--json", help="Machine-readable JSON output.")
TOLERANCE = typer.Option("fair", "--tolerance",
                         help="fair: right within half a unit of the last asked digit or 0.2% of the exact value, "
                              "whichever is larger; strict: half a unit only.")
IMPRECISE = typer.Option(0.5, "--imprecise-credit",
                         help="Share of a part's credit for a right answer rounded more coarsely than asked.")
ECF = typer.Option(0.5, "--ecf-credit",
                   help="Share of a part's credit for an answer that follows from the student's own wrong earlier "
                        "answers (error carried forward).")


def hide_empty_defaults(t: typer.Typer) -> None:
    """No ``[default: None]`` in help: options and arguments without a real default show none (their help text
    says what happens when they are left out)."""
    import inspect

    for cmd in t.registered_commands:
        if cmd.callback is None:
            continue
        for p in inspect.signature(cmd.callback).parameters.values():
            info = p.default
            if isinstance(info, typer.models.ParameterInfo) and info.default in (None, ...):
                info.show_default = False
    for group in t.registered_groups:
        if group.typer_instance is not None:
            hide_empty_defaults(group.typer_instance)


def fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def emit_json(obj: Any) -> None:
    from examprep.golden import jsonable

    typer.echo(json.dumps(jsonable(obj), ensure_ascii=False))


def grade_options(tolerance: str = "fair", imprecise_credit: float = 0.5, ecf_credit: float = 0.5) -> Any:
    """The :class:`~examprep.grader.options.GradeOptions` of the command line, or a one-line error."""
    from examprep.grader.options import GradeOptions, OptionError

    try:
        return GradeOptions(tolerance, imprecise_credit, ecf_credit)
    except OptionError as e:
        fail(str(e))


def _target(target: str, seed: int | None, difficulty: str | None, sets: list[str] | None) -> tuple[Any, Any]:
    """The problem type and instance; each parameter warning is printed once, as one line on stderr (the JSON
    outputs carry them too, as ``warnings``), never as a Python warning with a file path."""
    import warnings

    from examprep.instances import resolve_target
    from examprep.problem import ParamWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ParamWarning)
        pt, inst = resolve_target(target, seed=seed, difficulty=difficulty, sets=sets)
    for w in inst.warnings:
        typer.echo(f"warning: {w}", err=True)
    return pt, inst


def _header(pt: Any, inst: Any) -> str:
    return f"{pt.id} · code {inst.code}" if inst.code else f"{pt.id} · custom parameters (no instance code)"


DB = typer.Option(None, "--db", help="History database (default: $EXAMPREP_HOME or the user data directory).",
                  show_default=False)

SHEET_TARGETS = typer.Argument(None, help="ID[:COUNT] or instance codes (default: every type, or --topic).",
                               show_default=False)
SHEET_TOPIC = typer.Option(None, "--topic", "-t", help="Every type of this topic (repeatable).")
SHEET_COUNT = typer.Option(1, "--count", "-n", min=1, help="Instances per type without its own :COUNT.")
SHEET_SEED = typer.Option(0, "--seed", "-s", min=0, help="Sheet seed; the i-th instance of a type uses seed+i.")
SHEET_TITLE = typer.Option(None, "--title", help="Title printed on the sheet.")


def _progress_run(total: int, label: str, work: Any) -> Any:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    err = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err, transient=True, disable=not err.is_terminal or total < 20) as prog:
        task = prog.add_task(label, total=total)
        return work(lambda k: prog.advance(task, k))
