"""The glue behind ``examprep quiz`` and ``examprep stats``: open the history, pick the input, run, report."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from examprep.errors import ExamprepError
from examprep.quiz.store import HistoryStore

INTERRUPTED = 130  # the shell's code for a program stopped by Ctrl-C


def run_quiz(topics: list[str], types: list[str], count: int, difficulty: str, seed: int | None, db: str | None,
             resume: bool, answers: str | None, tolerance: str = "fair") -> int:
    """Run a quiz session; returns the exit code (0 done or quit, 130 interrupted)."""
    from rich.console import Console

    from examprep.quiz.inputs import ScriptInput, TerminalInput
    from examprep.quiz.session import Quiz, QuizOptions

    console = Console(highlight=False)
    if answers is not None:
        try:
            lines = Path(answers).read_text(encoding="utf-8").splitlines()
        except OSError as e:
            raise ExamprepError(f"--answers {answers}: {e.strerror or e}; give a text file, one answer a line") from e
        inp = ScriptInput(iter(lines), console)
    elif not sys.stdin.isatty():
        inp = ScriptInput(iter(sys.stdin), console)
    else:
        inp = TerminalInput(console)
    store = HistoryStore.open(db)
    try:
        if resume:
            quiz, position, pending = Quiz.resume(store, console, inp)
        else:
            quiz = Quiz(store, QuizOptions(topics, types, count, difficulty, seed, tolerance), console, inp)
            position, pending = 0, None
        quiz.run(position, pending)
    except KeyboardInterrupt:
        n = len(store.attempts(quiz.session_id)) if "quiz" in locals() else 0
        console.print(f"\nInterrupted. {n} answer(s) of this quiz are saved in {store.path}; "
                      "continue with: examprep quiz --resume", markup=False)
        return INTERRUPTED
    finally:
        store.close()
    return 0


def run_stats(db: str | None, as_json: bool) -> None:
    """Print the statistics of the history (JSON or tables with bars)."""
    from examprep.quiz.stats import compute, render

    with HistoryStore.open(db) as store:
        data = compute(store.attempts())
    data["db"] = str(store.path)
    if as_json:
        print(json.dumps(data, ensure_ascii=False))
        return
    from rich.console import Console

    render(data, Console(highlight=False))
