"""Practice in the terminal: ``examprep quiz`` and ``examprep stats``."""

from __future__ import annotations

import typer

from examprep.cli.app import DB, JSON, TOLERANCE, app, grade_options


@app.command()
def quiz(
    topic: list[str] = typer.Option(None, "--topic", "-t", help="Only these topics (repeatable)."),
    types: list[str] = typer.Option(None, "--type", help="Only these problem types (repeatable)."),
    count: int = typer.Option(5, "--count", "-n", min=1, help="Number of questions."),
    difficulty: str = typer.Option("adaptive", "--difficulty", "-d", help="easy, medium, hard or adaptive."),
    seed: int = typer.Option(None, "--seed", "-s", help="Seed of the first question (default: random).",
                              show_default=False),
    db: str = DB,
    resume: bool = typer.Option(False, "--resume", help="Continue the last interrupted quiz."),
    answers: str = typer.Option(None, "--answers", help="Scripted mode: read answers from this file."),
    kind: str = typer.Option("all", "--kind", "-k",
                             help="numeric (problem types), concept (questions answered by letter) or all."),
    tolerance: str = TOLERANCE,
) -> None:
    """Practise in the terminal: graded, saved, adaptive (weak topics come back sooner).

    Example: examprep quiz --topic cnn --count 3
    """
    from examprep.quiz.commands import run_quiz

    grade_options(tolerance)
    raise typer.Exit(run_quiz(topic or [], types or [], count, difficulty, seed, db, resume, answers, kind,
                              tolerance))


@app.command()
def stats(db: str = DB, as_json: bool = JSON) -> None:
    """Your quiz history: accuracy, trend and attempts per topic, and what is due.

    Example: examprep stats --json
    """
    from examprep.quiz.commands import run_stats

    run_stats(db, as_json)
