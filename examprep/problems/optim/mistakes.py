"""Mistake bookkeeping shared by the optim, regularization and norm types.

A mistake keeps only the parts that grading can tell from the right answer (the fair-grading rule accepts answers
within a relative 2e-3, or half a unit of the last asked digit); an instance on which a mistake that applies keeps
no part is degenerate, unless the mistake is optional (ε inside the root shows only for a large ε).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.problem import Answers, Mistake, ProblemType

FAIR_RTOL = 2e-3


def distinct(pt: ProblemType, truth: Answers, answers: Answers) -> Answers:
    """The mistaken answers of the parts that grading can tell from the truth (a different shape, or some entry
    outside both the part's tolerance and a relative 2e-3); the other parts are no evidence of the mistake."""
    out = {}
    for k, v in answers.items():
        if k in truth and not too_close(pt.part(k), v, truth[k]):
            out[k] = v
    return out


def variant_mistakes(pt: Any, p: Any) -> dict[str, Mistake]:
    """Each mistake of ``pt.candidates(p)`` (name -> feedback), made by running ``pt.run(p, name)``, kept with the
    parts that grading can tell from the truth; a mistake that changes no such part is left out."""
    truth = pt.solve(p)
    out = {}
    for name, fb in pt.candidates(p).items():
        kept = distinct(pt, truth, pt.run(p, name))
        if kept:
            out[name] = Mistake(kept, fb)
    return out


def too_close(part: Any, given: Any, truth: Any) -> bool:
    """Same shape, and every entry of ``given`` within the part's tolerance or a relative 2e-3 of ``truth``.
    Integer parts (counts, epochs) stay exact: 781 batches is not 782."""
    from examprep.grader.compare import entries_close

    a, b = np.asarray(given, dtype=float), np.asarray(truth, dtype=float)
    if a.shape != b.shape:
        return False
    if part.kind == "integer" or part.integral:
        return bool(np.array_equal(a, b))
    near = np.abs(a - b) <= FAIR_RTOL * np.abs(b) + 1e-12
    return bool((near.ravel() | entries_close(part, a, b)).all())


def lost(expected: Any, named: Any, optional: Any = ()) -> str | None:
    """Why an instance is degenerate: a mistake that applies (``expected``) but lands within tolerance of the
    right answer on every part it changes (missing from ``named``), unless it is ``optional``."""
    for name in expected:
        if name not in named and name not in optional:
            return f"mistake {name} cannot be told from the right answer"
    return None
