"""Commands for a class: grade submissions, print sheets, export to Moodle."""

from __future__ import annotations

import sys

import typer

from examprep.cli.app import (
    DIFF,
    ECF,
    IMPRECISE,
    SHEET_COUNT,
    SHEET_SEED,
    SHEET_TARGETS,
    SHEET_TITLE,
    SHEET_TOPIC,
    TOLERANCE,
    _progress_run,
    app,
    fail,
    grade_options,
)


@app.command()
def grade(
    submissions: str = typer.Argument(..., help="CSV (student,code,part,answer) or JSON lines with those fields."),
    output: str = typer.Option(None, "--output", "-o", help="Write the full report here (atomically)."),
    fmt: str = typer.Option(None, "--format", "-f", help="csv, json or html (default: from -o's extension)."),
    policy: str = typer.Option("last", "--policy", help="Repeated (student, code, part): last, best or first."),
    tolerance: str = TOLERANCE,
    imprecise_credit: float = IMPRECISE,
    ecf_credit: float = ECF,
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
    options = grade_options(tolerance, imprecise_credit, ecf_credit)
    book = grade_file(submissions, policy=policy, options=options)
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
    tolerance: str = TOLERANCE,
) -> None:
    """Print a problem sheet and its solution sheet (PDF, HTML, Markdown, LaTeX, Typst).

    Example: examprep sheet cnn/conv_output_size:2 --topic attention --seed 5 -o week3.pdf
    """
    from examprep.sheets.commands import Request, total_work, write_sheets

    grade_options(tolerance)
    req = Request(targets or [], topic or [], count, seed, difficulty, title or "Problem sheet", tolerance)
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
    tolerance: str = TOLERANCE,
) -> None:
    """Moodle XML: one question per instance (numerical, or cloze for several parts), solution as feedback.

    Example: examprep export moodle cnn/conv_output_size:5 --seed 1 -o quiz.xml
    """
    from examprep.sheets.commands import Request, count_problems
    from examprep.sheets.moodle import write_moodle

    grade_options(tolerance)
    total = count_problems(Request(targets or [], topic or [], count))
    n = _progress_run(total, "exporting", lambda adv: write_moodle(targets or [], topic or [], count, seed,
                                                                difficulty, output, category, adv,
                                                                tolerance))
    typer.echo(f"wrote {output} ({n} questions)")
