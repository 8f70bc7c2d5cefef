"""The glue behind ``examprep quiz`` and ``examprep stats``: open the history, pick the input, run, report."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from examprep.errors import ExamprepError
from examprep.quiz.session import Quiz, QuizOptions
from examprep.quiz.store import HistoryStore
from examprep.words import plural

INTERRUPTED = 130  # the shell's code for a program stopped by Ctrl-C


def run_quiz(topics: list[str], types: list[str], count: int, difficulty: str, seed: int | None, db: str | None,
             resume: bool, answers: str | None, kind: str = "all", tolerance: str = "fair") -> int:
    """Run a quiz session; returns the exit code (0 done or quit, 130 interrupted)."""
    from rich.console import Console

    from examprep.quiz.inputs import ScriptInput, TerminalInput

    console = Console(highlight=False)
    options = QuizOptions(topics, types, count, difficulty, seed, kind, tolerance)
    if not resume:
        options.check()  # before the history is opened or created: a bad option saves nothing
    if answers is not None:
        inp = ScriptInput(iter(read_answers(answers)), console)
    elif not sys.stdin.isatty():
        inp = ScriptInput(iter(sys.stdin), console)
    else:
        inp = TerminalInput(console)
    store = HistoryStore.open(db)
    quiz: Quiz | None = None
    try:
        if resume:
            quiz, position, pending = Quiz.resume(store, console, inp)
        else:
            quiz = Quiz(store, options, console, inp)
            position, pending = 0, None
        quiz.run(position, pending)
    except KeyboardInterrupt:
        console.print(f"\nInterrupted. {_saved(store, quiz)} in {store.path}; continue with: examprep quiz --resume",
                      markup=False)
        return INTERRUPTED
    finally:
        store.close()
    return 0


def read_answers(path: str) -> list[str]:
    """The lines of an ``--answers`` file; a one-line error for a file that cannot be read or is not text."""
    hint = "give a text file, one answer a line"
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise ExamprepError(f"--answers {path}: {e.strerror or e}; {hint}") from e
    try:
        if b"\0" in data:
            raise UnicodeDecodeError("utf-8", data, data.index(b"\0"), data.index(b"\0") + 1, "NUL byte")
        return data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as e:
        raise ExamprepError(f"--answers {path} is not a UTF-8 text file (byte {e.start}); {hint}") from e


def _saved(store: HistoryStore, quiz: Quiz | None) -> str:
    """``2 answered questions are saved`` (and the parts of the question on screen)."""
    if quiz is None:
        return "Nothing was saved"
    n = len(store.attempts(quiz.session_id))
    s = store.session(quiz.session_id)
    parts = len(store.pending_parts(s.id, s.pending_position, s.pending_code)) if s and s.pending_code else 0
    text = f"{plural(n, 'answered question')} of this quiz {'is' if n == 1 else 'are'} saved"
    if parts:
        text += f", and {plural(parts, 'graded part')} of the question on screen"
    return text


def run_stats(db: str | None, as_json: bool) -> None:
    """Print the statistics of the history (JSON or tables with bars)."""
    from examprep.quiz.stats import compute, render

    with HistoryStore.open(db, readonly=True) as store:
        data = compute(store.attempts())
    data["db"] = str(store.path)
    if as_json:
        print(json.dumps(data, ensure_ascii=False))
        return
    from rich.console import Console

    render(data, Console(highlight=False))
