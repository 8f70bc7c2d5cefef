"""The ``examprep`` command line. Each command is thin: it parses options and calls the library.

Heavy imports (numpy, sympy, torch) happen inside the commands that need them, so ``examprep list`` and
``examprep --help`` start fast.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any, NoReturn

import typer

from examprep.errors import ExamprepError

app = typer.Typer(
    name="examprep",
    help="Numeric exam problems in deep learning and generative AI: generate, solve step by step, grade, verify.\n\n"
    "Example: examprep solve cnn/conv_output_size --seed 7",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

SEED = typer.Option(None, "--seed", "-s", help="Seed of the instance (default 0).")
DIFF = typer.Option("medium", "--difficulty", "-d", help="easy, medium or hard.")
SETS = typer.Option(None, "--set", help="Your own parameter value NAME=VALUE (repeatable).")
JSON = typer.Option(False, "--json", help="Machine-readable JSON output.")


def fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def emit_json(obj: Any) -> None:
    from examprep.golden import jsonable

    typer.echo(json.dumps(jsonable(obj), ensure_ascii=False))


def _target(target: str, seed: int | None, difficulty: str, sets: list[str] | None) -> tuple[Any, Any]:
    from examprep.instances import resolve_target

    return resolve_target(target, seed=seed, difficulty=difficulty, sets=sets)


def _header(pt: Any, inst: Any) -> str:
    return f"{pt.id} · code {inst.code}" if inst.code else f"{pt.id} · custom parameters (no instance code)"


@app.command("list")
def list_cmd(
    topic: list[str] = typer.Option(None, "--topic", "-t", help="Only these topics (repeatable)."),
    as_json: bool = JSON,
) -> None:
    """List the problem types (newest version of each).

    Example: examprep list --topic cnn
    """
    from examprep.registry import list_specs

    specs = list_specs(topic or None)
    if as_json:
        emit_json([{"id": s.id, "title": s.title, "topic": s.topic, "parts": list(s.parts)} for s in specs])
        return
    width = max((len(s.id) for s in specs), default=10)
    for s in specs:
        typer.echo(f"{s.id:<{width}}  {s.title}  [{', '.join(s.parts)}]")


@app.command()
def show(
    target: str = typer.Argument(..., help="A problem id (cnn/conv_output_size) or an instance code."),
    seed: int = SEED,
    difficulty: str = DIFF,
    sets: list[str] = SETS,
    as_json: bool = JSON,
) -> None:
    """Show a problem statement and its instance code (no answers).

    Example: examprep show cnn/conv_output_size --seed 7 --difficulty hard
    """
    from examprep.solver.render import statement

    pt, inst = _target(target, seed, difficulty, sets)
    if as_json:
        emit_json({**inst.to_json(), "parts": [{"name": p.name, "label": p.label, "kind": p.kind,
                                                "form": p.form(), "final": p.final}
                                               for p in pt.active_parts(inst.params)]})
        return
    typer.echo(_header(pt, inst))
    typer.echo(statement(pt.statement(inst.params), "text"))
    typer.echo("Parts: " + "; ".join(f"{p.name} ({p.label}: {p.form()})" for p in pt.active_parts(inst.params)
                                   if p.final))


@app.command()
def solve(
    target: str = typer.Argument(..., help="A problem id or an instance code."),
    seed: int = SEED,
    difficulty: str = DIFF,
    sets: list[str] = SETS,
    fmt: str = typer.Option("text", "--format", "-f", help="text, md, latex, typst or json."),
) -> None:
    """Print the worked solution, step by step.

    Example: examprep solve cnn/conv_output_size --set H=5 --set W=5 --set K=3 --set C_in=1 --set C_out=1
    """
    from examprep.solver.render import OUTPUT_FORMATS, derivation, statement

    if fmt not in (*OUTPUT_FORMATS, "json"):
        fail(f"--format {fmt!r}: use one of text, md, latex, typst, json")
    pt, inst = _target(target, seed, difficulty, sets)
    for w in inst.warnings:
        typer.echo(f"warning: {w}", err=True)
    answers = pt.solve(inst.params)
    d = pt.derivation(inst.params)
    if fmt == "json":
        steps = [{"title": s.title, "part": s.part,
                  "formula": s.formula.render("text") if s.formula is not None else None,
                  "substituted": s.substituted.render("text") if s.substituted is not None else None,
                  "latex": (s.formula.render("latex") if s.formula is not None else None),
                  "value": s.value, "note": s.note} for s in d]
        emit_json({**inst.to_json(), "answers": answers, "steps": steps, "answer": d.answer})
        return
    if fmt == "text":
        typer.echo(_header(pt, inst))
    elif fmt == "md":
        typer.echo(f"**{pt.id}** · code `{inst.code}`\n" if inst.code else f"**{pt.id}**\n")
    typer.echo(statement(pt.statement(inst.params), fmt))
    typer.echo(derivation(d, fmt))


@app.command()
def check(
    target: str = typer.Argument(..., help="A problem id or an instance code."),
    answer: list[str] = typer.Option(..., "--answer", "-a", help="PART=VALUE (repeatable)."),
    seed: int = SEED,
    difficulty: str = DIFF,
    sets: list[str] = SETS,
    as_json: bool = JSON,
) -> None:
    """Grade your answers to some or all parts, intermediate ones included.

    Exit code 0 on full marks, 1 otherwise, 2 on usage errors.

    Example: examprep check cnn/conv_output_size --seed 7 --answer h_out=111 --answer w_out=111
    """
    from examprep.grader.score import grade_answers

    pt, inst = _target(target, seed, difficulty, sets)
    given: dict[str, str] = {}
    for a in answer:
        name, eq, value = a.partition("=")
        if not eq:
            fail(f"--answer {a!r}: write PART=VALUE, e.g. --answer {pt.parts[0].name}=3")
        pt.part(name.strip())
        given[name.strip()] = value
    truth = pt.solve(inst.params)
    result = grade_answers(pt, truth, given, pt.mistakes(inst.params))
    if as_json:
        emit_json({"code": inst.code, "id": pt.id, **result.to_json()})
    else:
        typer.echo(_header(pt, inst))
        marks = {"right": "✓", "wrong": "✗", "partial": "◐", "invalid": "?"}
        for r in result.parts:
            line = f"{marks[r.verdict]} {r.name} = {r.given}: {r.verdict}"
            if r.mistake:
                line += f" [{r.mistake}]"
            typer.echo(line + (f" — {r.feedback}" if r.feedback else ""))
        typer.echo(f"Score: {result.score:.0%}")
    raise typer.Exit(0 if result.score >= 1 else 1)


@app.command()
def gen(
    target: str = typer.Argument(..., help="A problem id."),
    count: int = typer.Option(1, "--count", "-n", min=1, help="How many instances."),
    seed: int = typer.Option(0, "--seed", "-s", help="First seed; instances use seed, seed+1, ..."),
    difficulty: str = DIFF,
    as_json: bool = typer.Option(True, "--json/--text", help="JSON lines (default) or text."),
) -> None:
    """Generate N instances with their answers, one JSON object per line.

    Example: examprep gen cnn/conv_output_size --count 3 --seed 10
    """
    from examprep.registry import make
    from examprep.solver.render import value_text

    pt = make(target)
    for i in range(count):
        inst = pt.generate(seed + i, difficulty)
        answers = pt.solve(inst.params)
        if as_json:
            emit_json({**inst.to_json(), "answers": answers})
        else:
            typer.echo(f"{inst.code}  " + "  ".join(f"{k}={value_text(v)}" for k, v in answers.items()))


@app.command()
def verify(
    targets: list[str] = typer.Argument(None, help="Ids or topics (default: everything registered)."),
    n: int = typer.Option(200, "--n", "-n", min=1, help="Instances per type."),
    device: str = typer.Option("auto", "--device", help="auto, cpu or cuda."),
    batch: int = typer.Option(4096, "--batch", min=1, help="Instances per reference batch."),
    self_test: bool = typer.Option(True, "--self-test/--no-self-test", help="Also run each type's self-test."),
    jobs: int = typer.Option(0, "--jobs", "-j", min=0, help="Parallel worker processes on the CPU (0: one per core)."),
    dtype: str = typer.Option("float64", "--dtype", help="Reference precision: float64, or float32 (tolerance 1e-4)."),
    as_json: bool = JSON,
) -> None:
    """Check solve() against the torch reference on N instances per type, plus each type's self-test.

    Exit code 1 if any answer disagrees or a self-test fails.

    Example: examprep verify cnn --n 2000 --device cpu
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
    from rich.table import Table

    from examprep.verify import resolve_device, select, verify_many, workers

    if dtype not in ("float64", "float32"):
        fail(f"--dtype {dtype!r}: use float64 or float32")
    types = select(targets or [])
    dev, note = resolve_device(device)
    err = Console(stderr=True)
    if note:
        err.print(note)
    started = time.perf_counter()
    n_workers = workers(jobs or os.cpu_count() or 1, n, batch, len(types), dev)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err, transient=True, disable=as_json or not err.is_terminal) as prog:
        task = prog.add_task(f"verifying {len(types)} types", total=n * len(types))
        results = verify_many(types, n, dev, batch=batch, self_test=self_test, jobs=n_workers, dtype=dtype,
                              progress=lambda k: prog.advance(task, k))
    bad = any(not r.ok for r in results)
    if as_json:
        emit_json({"device": str(dev), "dtype": dtype, "results": [r.to_json() for r in results], "ok": not bad})
    else:
        table = Table(title=f"examprep verify · device {dev} · {dtype}")
        low = dtype != "float64"  # float32: disagreements are rechecked in float64 (see verify._check_batch)
        cols = ("type", "n", "max error", "disagree", *(("float64 ok",) if low else ()), "self-test", "worker s",
                "inst/s")
        for col in cols:
            table.add_column(col, justify="left" if col == "type" else "right", no_wrap=True)
        for r in results:
            st = "ok" if not r.self_test_failures else f"{len(r.self_test_failures)} failed"
            table.add_row(r.id, str(r.n), f"{r.max_error:.1e}", str(r.disagreements),
                          *((str(r.rechecked),) if low else ()), st, f"{r.seconds:.2f}s", f"{r.per_second:,.0f}")
        out = Console() if sys.stdout.isatty() else Console(width=120)
        out.print(table)
        typer.echo(f"{sum(r.n for r in results):,} instances in {time.perf_counter() - started:.1f} s "
                   f"({n_workers} worker{'s' if n_workers > 1 else ''}); worker s = time in the workers, per type")
        if low:
            typer.echo(f"float64 ok: {dtype} disagreements that the float64 reference resolved (near-ties, "
                       "cancellation); only the rest count as disagreements")
        for r in results:
            for line in (r.examples + r.self_test_failures)[:10]:
                typer.echo(f"  {line}")
    raise typer.Exit(1 if bad else 0)


DB = typer.Option(None, "--db", help="History database (default: $EXAMPREP_HOME or the user data directory).")


@app.command()
def quiz(
    topic: list[str] = typer.Option(None, "--topic", "-t", help="Only these topics (repeatable)."),
    types: list[str] = typer.Option(None, "--type", help="Only these problem types (repeatable)."),
    count: int = typer.Option(5, "--count", "-n", min=1, help="Number of questions."),
    difficulty: str = typer.Option("adaptive", "--difficulty", "-d", help="easy, medium, hard or adaptive."),
    seed: int = typer.Option(None, "--seed", "-s", help="Seed of the first question (default: random)."),
    db: str = DB,
    resume: bool = typer.Option(False, "--resume", help="Continue the last interrupted quiz."),
    answers: str = typer.Option(None, "--answers", help="Scripted mode: read answers from this file."),
) -> None:
    """Practise in the terminal: graded, saved, adaptive (weak topics come back sooner).

    Example: examprep quiz --topic cnn --count 3
    """
    from examprep.quiz.commands import run_quiz

    raise typer.Exit(run_quiz(topic or [], types or [], count, difficulty, seed, db, resume, answers))


@app.command()
def stats(db: str = DB, as_json: bool = JSON) -> None:
    """Your quiz history: accuracy, trend and attempts per topic, and what is due.

    Example: examprep stats --json
    """
    from examprep.quiz.commands import run_stats

    run_stats(db, as_json)


@app.command()
def grade(
    submissions: str = typer.Argument(..., help="CSV (student,code,part,answer) or JSON lines with those fields."),
    output: str = typer.Option(None, "--output", "-o", help="Write the full report here (atomically)."),
    fmt: str = typer.Option(None, "--format", "-f", help="csv, json or html (default: from -o's extension)."),
    policy: str = typer.Option("last", "--policy", help="Repeated (student, code, part): last, best or first."),
) -> None:
    """Grade a class's submissions; keys are regenerated from the instance codes.

    Exit code 0 when every row was graded, 3 when some rows were reported, 2 on usage errors.

    Example: examprep grade answers.csv -o report.html
    """
    from rich.console import Console

    from examprep.grader.batch import POLICIES, grade_file
    from examprep.grader.report import FORMATS, format_for, print_summary, render, write_atomic

    if fmt is not None and fmt not in FORMATS:
        fail(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
    if policy not in POLICIES:
        fail(f"--policy {policy!r}: use one of {', '.join(POLICIES)}")
    book = grade_file(submissions, policy=policy)
    report = book.report()
    if output:
        try:
            write_atomic(output, render(report, format_for(output, fmt)))
        except OSError as e:
            fail(f"cannot write the report to {output}: {e.strerror or e}")
    elif fmt:
        sys.stdout.write(render(report, fmt))
    print_summary(report, Console(stderr=bool(fmt and not output)))
    if output:
        typer.echo(f"wrote {output}")
    raise typer.Exit(book.exit_code)


@app.command()
def key(
    codes: list[str] = typer.Argument(..., help="Instance codes."),
    as_json: bool = JSON,
) -> None:
    """Print the answer key of instance codes (final parts, and intermediate ones marked).

    Example: examprep key 3F8K-2QD7
    """
    from examprep.grader.batch import answer_key

    keys = [answer_key(c) for c in codes]
    if as_json:
        emit_json(keys)
        return
    for k in keys:
        typer.echo(f"{k['id']} · code {k['code']} · {k['difficulty']} · {k['title']}")
        for p in k["parts"]:
            mark = "" if p["final"] else "  (intermediate)"
            typer.echo(f"  {p['part']} = {p['text']}    {p['label']}; {p['form']}{mark}")


SHEET_TARGETS = typer.Argument(None, help="ID[:COUNT] or instance codes (default: every type, or --topic).")
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


@app.command()
def sheet(
    targets: list[str] = SHEET_TARGETS,
    topic: list[str] = SHEET_TOPIC,
    count: int = SHEET_COUNT,
    seed: int = SHEET_SEED,
    difficulty: str = DIFF,
    students: str = typer.Option(None, "--students", help="Roster CSV: one variant per student, plus a key CSV."),
    fmt: str = typer.Option(None, "--format", "-f", help="pdf, html, md, tex or typ (default: from -o)."),
    solutions: bool = typer.Option(None, "--solutions/--no-solutions",
                                   help="Solutions in the sheet, or problems only (default: both, two files)."),
    output: str = typer.Option(..., "--output", "-o", help="Output file (a folder with --students: one each)."),
    key: str = typer.Option(None, "--key", help="Where to write the answer key CSV (with --students)."),
    title: str = SHEET_TITLE,
) -> None:
    """Print a problem sheet and its solution sheet (PDF, HTML, Markdown, LaTeX, Typst).

    Example: examprep sheet cnn/conv_output_size:2 --topic attention --seed 5 -o week3.pdf
    """
    from examprep.sheets.commands import Request, total_work, write_sheets

    req = Request(targets or [], topic or [], count, seed, difficulty, title or "Problem sheet")
    files = _progress_run(total_work(req, students, solutions), "building sheets",
                          lambda adv: write_sheets(req, output, fmt, solutions, students, key, adv))
    for f in files:
        typer.echo(f"wrote {f}")


export_app = typer.Typer(help="Export problems to a learning management system.\n\n"
                         "Example: examprep export moodle --topic cnn --count 3 -o quiz.xml", no_args_is_help=True)
app.add_typer(export_app, name="export")


@export_app.command("moodle")
def export_moodle(
    targets: list[str] = SHEET_TARGETS,
    topic: list[str] = SHEET_TOPIC,
    count: int = SHEET_COUNT,
    seed: int = SHEET_SEED,
    difficulty: str = DIFF,
    output: str = typer.Option(..., "--output", "-o", help="The Moodle XML file to write."),
    category: str = typer.Option("examprep", "--category", help="Question bank category."),
) -> None:
    """Moodle XML: one question per instance (numerical, or cloze for several parts), solution as feedback.

    Example: examprep export moodle cnn/conv_output_size:5 --seed 1 -o quiz.xml
    """
    from examprep.sheets.commands import Request, count_problems
    from examprep.sheets.moodle import write_moodle

    total = count_problems(Request(targets or [], topic or [], count))
    n = _progress_run(total, "exporting", lambda adv: write_moodle(targets or [], topic or [], count, seed,
                                                                difficulty, output, category, adv))
    typer.echo(f"wrote {output} ({n} questions)")


def main() -> None:
    """Console-script entry point: typed errors become one-line messages with exit code 2."""
    try:
        app()
    except ExamprepError as e:
        typer.echo(f"error: {e}", err=True)
        sys.exit(e.exit_code)


if __name__ == "__main__":
    main()
