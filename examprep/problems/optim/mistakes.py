"""Mistake bookkeeping shared by the optim, regularization and norm types.

A mistake keeps only the parts it changes (a part it leaves right is no evidence of it), and an instance on which
a mistake lands within grading tolerance of the right answer is degenerate: the fair-grading rule accepts answers
within a relative 2e-3 (or half a unit of the last asked digit), so such a mistake could not be told apart.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.params import Params
from examprep.problem import Answers, ProblemType

FAIR_RTOL = 2e-3


def kept_if_different(pt: ProblemType, truth: Answers, answers: Answers) -> Answers:
    """The mistaken answers of the parts whose values differ from the truth (by shape or by more than 1e-12)."""
    out = {}
    for k, v in answers.items():
        t = truth.get(k)
        if t is None:
            continue
        a, b = np.asarray(v, dtype=float), np.asarray(t, dtype=float)
        if a.shape != b.shape or not np.allclose(a, b, rtol=1e-12, atol=1e-12):
            out[k] = v
    return out


def too_close(part: Any, given: Any, truth: Any) -> bool:
    """Every entry of ``given`` within the part's tolerance or a relative 2e-3 of ``truth``."""
    from examprep.grader.compare import entries_close

    a, b = np.asarray(given, dtype=float), np.asarray(truth, dtype=float)
    if a.shape != b.shape:
        return False
    near = np.abs(a - b) <= FAIR_RTOL * np.abs(b) + 1e-12
    return bool((near.ravel() | entries_close(part, a, b)).all())


def collision(pt: ProblemType, p: Params, truth: Answers) -> str | None:
    """The first mistake with a changed part that grading could not tell from the right answer, or None."""
    for name, m in pt.mistakes(p).items():
        for k, v in m.answers.items():
            if too_close(pt.part(k), v, truth[k]):
                return f"mistake {name} lands within tolerance of {k}"
    return None
