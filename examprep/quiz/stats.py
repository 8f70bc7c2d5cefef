"""``examprep stats``: accuracy, trend, attempts and what is due, per topic and per problem type.

Per type it also shows the FSRS card (:mod:`examprep.quiz.scheduler`): the retrievability (predicted chance of a
right answer now; "learning" while the card is in its short (re)learning step after a miss or a hard answer) and
when the type is next due.

Accuracy is the mean score of the attempts (a skipped question scores 0; a hint costs its share). The trend is
the mean score of the most recent ``k = min(5, n // 2)`` attempts minus that of the ``k`` before them (None below
two attempts): positive means improving.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from examprep.quiz import scheduler
from examprep.quiz.store import Attempt

TREND_WINDOW = 5
BAR_WIDTH = 20


def trend(scores: Sequence[float]) -> float | None:
    """Recent mean score minus the mean of the window before it; None with fewer than two scores."""
    k = min(TREND_WINDOW, len(scores) // 2)
    if k == 0:
        return None
    recent, before = scores[-k:], scores[-2 * k : -k]
    return sum(recent) / k - sum(before) / k


def _group(attempts: Sequence[Attempt], key: str, memories: dict[str, scheduler.Memory], now: float
           ) -> list[dict[str, Any]]:
    groups: dict[str, list[Attempt]] = {}
    for a in attempts:
        groups.setdefault(a.topic if key == "topic" else scheduler.unit_of(a.problem_id), []).append(a)
    rows = []
    for name, items in sorted(groups.items()):
        scores = [a.score for a in items]
        units = sorted({scheduler.unit_of(a.problem_id) for a in items})
        due = [u for u in units if scheduler.is_due(memories[u], now)]
        row: dict[str, Any] = {
            key: name,
            "attempts": len(items),
            "right": sum(1 for a in items if a.score >= scheduler.PASS),
            "skipped": sum(1 for a in items if a.status == "skipped"),
            "accuracy": sum(scores) / len(scores),
            "trend": trend(scores),
            "last": max(a.created for a in items),
            "seconds": sum(a.seconds for a in items) / len(items),
            "due": due,
        }
        if key == "type":
            row.update(scheduler.summary(memories[name], now))
        rows.append(row)
    return rows


def compute(attempts: Sequence[Attempt], now: float | None = None) -> dict[str, Any]:
    """The statistics of a history, as plain data (what ``stats --json`` prints)."""
    now = time.time() if now is None else now
    memories = scheduler.memories(attempts)
    types = _group(attempts, "type", memories, now)
    due = sorted((t for t in types if t["due"]), key=lambda t: t["due_at"])
    upcoming = sorted((t for t in types if not t["due"]), key=lambda t: t["due_at"])
    return {
        "attempts": len(attempts),
        "accuracy": sum(a.score for a in attempts) / len(attempts) if attempts else None,
        "topics": _group(attempts, "topic", memories, now),
        "types": types,
        "due_now": [t["type"] for t in due],
        "next_due": [{"type": t["type"], "at": t["due_at"]} for t in upcoming],
        "now": now,
    }


def bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar of ``width`` cells, filled in eighths."""
    cells = max(0.0, min(1.0, fraction)) * width
    full = int(cells)
    eighths = int(round((cells - full) * 8))
    if eighths == 8:
        full, eighths = full + 1, 0
    partial = " ▏▎▍▌▋▊▉"[eighths] if eighths else ""
    return ("█" * full + partial).ljust(width, "·")


def _trend_text(t: float | None) -> str:
    if t is None:
        return "–"
    arrow = "↑" if t > 0.05 else ("↓" if t < -0.05 else "→")
    return f"{arrow} {t:+.0%}"


def _when(seconds: float) -> str:
    if seconds < 3600:
        return f"in {max(1, round(seconds / 60))} min"
    if seconds < 2 * 86400:
        return f"in {seconds / 3600:.0f} h"
    return f"in {seconds / 86400:.0f} days"


def _date(t: float) -> str:
    """A local date and time, to the minute."""
    return datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M")


def render(data: dict[str, Any], console: Any) -> None:
    """Print the statistics as a table with accuracy bars, then what is due."""
    from rich.table import Table

    if not data["attempts"]:
        console.print("No attempts yet. Start with: examprep quiz")
        return
    for key, title in (("topic", "By topic"), ("type", "By problem type")):
        table = Table(title=title, title_justify="left")
        table.add_column(key)
        table.add_column("attempts", justify="right")
        table.add_column("accuracy", justify="left")
        table.add_column("trend", justify="right")
        if key == "type":
            table.add_column("recall", justify="right")
        table.add_column("due", justify="right")
        for row in data["topics" if key == "topic" else "types"]:
            acc = row["accuracy"]
            cells = [row[key], str(row["attempts"]), f"{bar(acc)} {acc:4.0%}", _trend_text(row["trend"])]
            if key == "type":
                recall = "learning" if row["learning"] else f"{row['retrievability']:.0%}"  # FSRS R is ~1 there
                cells += [recall, "now" if row["due"] else _date(row["due_at"])]
            else:
                cells.append(str(len(row["due"])))
            table.add_row(*cells)
        console.print(table)
    console.print(f"Overall: {data['attempts']} attempts, accuracy {data['accuracy']:.0%}")
    if data["due_now"]:
        console.print("Due now: " + ", ".join(data["due_now"]), markup=False)
    for item in data["next_due"][:5]:
        console.print(f"Next: {item['type']} {_when(item['at'] - data['now'])}", markup=False)
