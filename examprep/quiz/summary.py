"""The end-of-session summary: score per topic, time, the mistakes made and what to review."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from examprep.quiz.store import Attempt


def render_summary(attempts: Sequence[Attempt], count: int, elapsed: float, console: Any, kept: str = "") -> None:
    """Print the summary of one session's attempts (``count`` questions planned, ``elapsed`` seconds; ``kept``:
    what the unfinished question on screen keeps for ``--resume``)."""
    from rich.rule import Rule
    from rich.table import Table

    console.print(Rule("Summary", style="cyan"))
    if not attempts:
        console.print("No question answered.")
    else:
        table = Table(show_header=True, box=None)
        for col in ("topic", "questions", "score"):
            table.add_column(col, justify="left" if col == "topic" else "right")
        topics: dict[str, list[float]] = {}
        for a in attempts:
            topics.setdefault(a.topic, []).append(a.score)
        for t, scores in sorted(topics.items()):
            table.add_row(t, str(len(scores)), f"{sum(scores) / len(scores):.0%}")
        console.print(table)
        total = sum(a.score for a in attempts)
        answered = sum(a.seconds for a in attempts)
        console.print(f"Total: {total:.2f} / {len(attempts)} · time {_mmss(elapsed)} "
                      f"(answering {_mmss(answered)})", highlight=False)
    mistakes: Counter[tuple[str, str]] = Counter()
    for a in attempts:
        for v in a.verdicts:
            if v.get("mistake"):
                mistakes[(v["mistake"], v.get("feedback", ""))] += 1
    if mistakes:
        console.print("Mistakes made:", style="bold")
        for (name, feedback), n in mistakes.most_common():
            times = f" ×{n}" if n > 1 else ""
            console.print(f"  {name}{times}: {feedback}", markup=False, highlight=False)
    review = [a for a in attempts if a.score < 1]
    if review:
        console.print("To review (worked solutions):", style="bold")
        for a in review:
            console.print(f"  examprep solve {a.code}    # {a.problem_id}, score {a.score:.0%}", markup=False,
                          highlight=False)
    if len(attempts) < count:
        console.print(f"{len(attempts)} of {count} questions done; continue with: examprep quiz --resume",
                      style="yellow")
        if kept:
            console.print(f"Saved for --resume: {kept}.", style="yellow")


def _mmss(seconds: float) -> str:
    m, s = divmod(int(round(seconds)), 60)
    return f"{m}:{s:02d}"
