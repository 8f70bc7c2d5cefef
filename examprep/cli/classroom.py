"""Commands for a class: grade submissions, print sheets, export to Moodle."""

from __future__ import annotations

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
    grade_options,
)


@app.command()
def grade(
    submissions: str = typer.Argument(..., help="CSV (student,code,part,answer) or JSON lines with those fields; "
                                                "- reads standard input."),
    output: str = typer.Option(None, "--output", "-o", help="Write the full report here (atomically)."),
    fmt: str = typer.Option(None, "--format", "-f", help="csv, json or html (default: from -o's extension)."),
    policy: str = typer.Option("last", "--policy", help="Repeated (student, code, part): last, best or first."),
    assigned: str = typer.Option(None, "--assigned", help="Key CSV from `sheet --students`: grade only each "
                                                          "student's assigned codes."),
    max_attempts: int = typer.Option(None, "--max-attempts", help="Grade at most N rows per (student, code, "
                                                                  "part); later ones are reported."),
    tolerance: str = TOLERANCE,
    imprecise_credit: float = IMPRECISE,
    ecf_credit: float = ECF,
) -> None:
    """Grade a class's submissions; keys are regenerated from the instance codes.

    Exit code 0 when every row was graded, 3 when some rows were reported, 2 on usage errors.

    Example: examprep grade answers.csv -o report.html --assigned class/key.csv
    """
    from examprep.grader.command import run_grade

    options = grade_options(tolerance, imprecise_credit, ecf_credit)
    raise typer.Exit(run_grade(submissions, output, fmt, policy, assigned, max_attempts, options=options))


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
                                   help="Solutions in the sheet, or problems only (default: both, two files).",
                                   show_default=False),
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
