"""Named mistakes that a fair grader could not tell from the right answer, and the filter that builds them.

The grader accepts an answer within half a unit of the last asked digit or within a relative 2e-3 of the exact value.
A mistake whose answer for some part lands inside that window (but is not the right value itself) would be graded
right, so a sampled instance where this happens is degenerate. Parts where a mistake gives exactly the right value
are left out of the mistake (the student did nothing wrong there) by :func:`mistake`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from examprep.problem import Mistake

if TYPE_CHECKING:
    from examprep.problem import Answers, ProblemType

FAIR_RTOL = 2e-3
SAME = 1e-12


def _numeric(v: Any) -> np.ndarray | None:
    if isinstance(v, str):
        return None
    try:
        return np.asarray(v, dtype=float)
    except (TypeError, ValueError):
        return None


def same(a: Any, b: Any) -> bool:
    """Equal shapes and values equal to 1e-12 (relative) or equal labels."""
    x, y = _numeric(a), _numeric(b)
    if x is None or y is None:
        return str(a) == str(b)
    return x.shape == y.shape and bool(np.all(np.abs(x - y) <= SAME * np.maximum(1.0, np.abs(y))))


def mistake(answers: Answers, truth: Answers, feedback: str) -> Mistake | None:
    """The mistake with the parts where it differs from ``truth`` (None when it changes nothing)."""
    kept = {k: v for k, v in answers.items() if k in truth and not same(v, truth[k])}
    return Mistake(kept, feedback) if kept else None


def add(out: dict[str, Mistake], name: str, answers: Answers, truth: Answers, feedback: str) -> None:
    """Put ``mistake(answers, truth, feedback)`` into ``out`` under ``name`` when it changes something."""
    m = mistake(answers, truth, feedback)
    if m is not None:
        out[name] = m


def near_miss(pt: ProblemType, truth: Answers, mistakes: dict[str, Mistake]) -> str | None:
    """Why a mistake would be graded right (some part within the fair tolerance of the truth), or None."""
    from examprep.grader.compare import entries_close

    for name, m in mistakes.items():
        for part, v in m.answers.items():
            x, y = _numeric(v), _numeric(truth.get(part))
            if x is None or y is None or x.shape != y.shape:
                continue
            close = (np.abs(x - y) <= FAIR_RTOL * np.abs(y)) | entries_close(pt.part(part), x, y).reshape(y.shape)
            if bool(np.all(close)):
                return f"mistake {name} gives {part} within the grading tolerance of the right value"
    return None
