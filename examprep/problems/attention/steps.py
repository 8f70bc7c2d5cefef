"""Pieces shared by the attention types: a safe softmax, matrix expressions and the softmax steps of a derivation.

The softmax steps show what a student writes by hand: the exponentials, their row sums, and each exponential divided
by its row sum. When a row has large scores, the exponentials are taken of the scores minus the row maximum (the
weights are unchanged) so that the numbers shown stay finite.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.solver.expr import Add, Expr, Func, Mat, Num, to_expr
from examprep.solver.step import Derivation

SHIFT_ABOVE = 30.0  # exponentials of larger scores are shown shifted by the row maximum


def softmax(x: Any, axis: int = -1, mask: np.ndarray | None = None) -> np.ndarray:
    """Softmax along ``axis``; entries where ``mask`` is False get weight 0 (their score counts as −∞).

    A slice with every entry masked gets all-zero weights (nothing to attend to).
    """
    a = np.asarray(x, dtype=float)
    if mask is not None:
        a = np.where(mask, a, -np.inf)
    m = np.max(a, axis=axis, keepdims=True)
    e = np.exp(a - np.where(np.isfinite(m), m, 0.0))
    total = e.sum(axis=axis, keepdims=True)
    return e / np.where(total > 0, total, 1.0)


def arr(m: Any) -> np.ndarray:
    """A parameter (tuple of tuples or tuple) as a float array."""
    return np.asarray(m, dtype=float)


def col(v: Any) -> Mat:
    """A column vector expression."""
    return Mat([[to_expr(float(x) if not float(x).is_integer() else int(x))] for x in np.asarray(v).ravel()])


def mat(m: Any) -> Expr:
    """A matrix (or row vector) expression showing integers as integers."""
    a = np.asarray(m, dtype=float)
    if a.ndim == 1:
        a = a[None, :]
    return Mat([[Num(int(x)) if float(x).is_integer() and abs(x) < 1e15 else Num(float(x)) for x in r] for r in a])


def softmax_steps(d: Derivation, scores: np.ndarray, mask: np.ndarray | None, *, part: str | None, sym: str,
                  what: str, vector: bool = False, score: tuple[str, str] | None = None) -> np.ndarray:
    """Add the exponential, row-sum and normalisation steps of a row softmax; returns the weights.

    Args:
        scores: 2-D scores (one row per query); masked entries are ignored.
        mask: True where a score is used, or None for all.
        part: the answer part the weights are (or None).
        sym: the symbol of the weights, as markup ("A", r"\\alpha").
        what: how the rows are called in the note ("each query", "the encoder positions").
        vector: the weights are one vector (one row); its value is returned 1-D.
        score: the scores as markup, the whole and one entry (default ``("e", "e_j")`` for a vector,
            ``("S", "S_{ij}")`` for a matrix), so the steps name what the statement calls them.
    """
    whole, entry = score or (("e", "e_j") if vector else ("S", "S_{ij}"))
    s = np.asarray(scores, dtype=float)
    allowed = np.ones_like(s, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    big = np.abs(np.where(allowed, s, 0)).max() > SHIFT_ABOVE
    shift = np.where(allowed, s, -np.inf).max(axis=1, keepdims=True) if big else np.zeros((s.shape[0], 1))
    e = np.where(allowed, np.exp(np.where(allowed, s - shift, 0)), 0.0)
    sums = e.sum(axis=1)
    exp_expr = Mat([[Func("exp", Num(float(x - shift[i, 0]))) if allowed[i, j] else Num(0)
                     for j, x in enumerate(row)] for i, row in enumerate(s)])
    note = (r"masked entries (score $-\infty$) give $\exp(-\infty) = 0$" if mask is not None and not allowed.all()
            else None)
    if big:
        note = ("each row's maximum score is subtracted first (the weights do not change)"
                + ("; " + note if note else ""))
    d.add("Exponentials", e[0] if vector else e, lhs=rf"\exp({whole})", substituted=exp_expr,
          note=note)
    sum_expr = Mat([[Add([(1, Num(float(x))) for x, ok in zip(row, okr, strict=True) if ok]) if okr.any() else Num(0)
                     for row, okr in zip(e, allowed, strict=True)]])
    d.add("Sum of the exponentials" + ("" if vector else " in each row"), float(sums[0]) if vector else sums,
          lhs=rf"\sum_j \exp({entry})", substituted=sum_expr)
    w = e / sums[:, None]
    div_expr = Mat([[Num(float(x)) / Num(float(sums[i])) for x in row] for i, row in enumerate(e)])
    d.add(f"Softmax over {what}", w[0] if vector else w, lhs=sym, substituted=div_expr, part=part,
          note=None if vector else "each row sums to 1")
    return w[0] if vector else w
