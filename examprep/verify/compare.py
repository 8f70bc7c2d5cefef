"""How a reference's answer is compared with ``solve``'s: one value, a column of a batch, or a list.

The rule is one: |truth − reference| ≤ atol + rtol·|truth| for every entry, after checking shapes; labels compare
exactly; an infinite entry (a KL divergence where Q misses P's support) agrees only with the same infinity, as the
grader's comparison does. :func:`compare_column` applies it to a whole column of a batch in one array operation.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from examprep.reference.batching import Ragged

RTOL = 1e-8
ATOL = 1e-10
TOLERANCES = {"float64": (RTOL, ATOL), "float32": (1e-4, 1e-5)}  # (rtol, atol) by reference dtype


def compare(truth: Any, ref: Any, rtol: float = RTOL, atol: float = ATOL) -> tuple[bool, float]:
    """(agree, max absolute error) of two answers; a shape or label mismatch disagrees."""
    if isinstance(truth, str) or isinstance(ref, str):
        return str(truth) == str(ref), 0.0
    if isinstance(truth, (int, float)) and isinstance(ref, (int, float)):
        if math.isinf(ref) and truth == ref:
            return True, 0.0
        err = abs(truth - ref)
        return (err <= atol + rtol * abs(ref) and math.isfinite(ref)), float(err)
    a = np.asarray(truth, dtype=float)
    b = np.asarray(ref.detach().cpu().numpy() if hasattr(ref, "detach") else ref, dtype=float)
    if a.shape != b.shape:
        return False, float("inf")
    if not a.size:
        return True, 0.0
    ok, err = _agree(a.reshape(1, -1), b.reshape(1, -1), rtol, atol)
    return bool(ok[0]), float(err[0])


def compare_column(truths: list[Any], col: Any, rtol: float = RTOL, atol: float = ATOL
                   ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`compare_many` against one column of an :class:`~examprep.reference.batching.Answers` block."""
    if isinstance(col, Ragged):
        return _compare_ragged(truths, col, rtol, atol)
    if isinstance(col, np.ndarray) and col.dtype.kind in "biuf":
        n = len(truths)
        if not any(isinstance(v, str) or v is None for v in truths):
            try:
                a = np.asarray(truths, dtype=float)
            except (ValueError, TypeError):
                pass
            else:
                if a.shape == col.shape:
                    return _agree(a.reshape(n, -1), col.astype(float).reshape(n, -1), rtol, atol)
        return compare_many(truths, [col[j] for j in range(n)], rtol, atol)
    return compare_many(truths, [v.item() if isinstance(v, np.generic) else v for v in col], rtol, atol)


def _compare_ragged(truths: list[Any], col: Ragged, rtol: float, atol: float) -> tuple[np.ndarray, np.ndarray]:
    """Each truth must have its row's true sizes; the rows are compared inside those sizes only."""
    n = len(truths)
    fit = np.zeros(n, dtype=bool)
    full = np.zeros(col.data.shape, dtype=float)
    for i, t in enumerate(truths):
        if t is None or isinstance(t, str):
            continue
        try:
            ta = np.asarray(t, dtype=float)
        except (ValueError, TypeError):
            continue
        if ta.shape == tuple(col.sizes[i]):
            full[(i, *(slice(0, s) for s in ta.shape))] = ta
            fit[i] = True
    inside = np.ones(col.data.shape, dtype=bool)
    for axis in range(col.sizes.shape[1]):
        shape = [1] * col.data.ndim
        shape[0], shape[axis + 1] = n, col.data.shape[axis + 1]
        inside &= (np.arange(col.data.shape[axis + 1])[None, :] < col.sizes[:, axis, None]).reshape(shape)
    b = np.where(inside, col.data.astype(float), 0.0)
    a = np.where(inside, full, 0.0)
    ok, err = _agree(a.reshape(n, -1), b.reshape(n, -1), rtol, atol)
    return ok & fit, np.where(fit, err, math.inf)


def compare_many(truths: list[Any], refs: list[Any], rtol: float = RTOL, atol: float = ATOL
                 ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`compare` over a batch of one part's answers: (agree per instance, max absolute error per instance).

    Labels are compared as text; numbers and arrays are compared shape by shape as one array each (the same rule
    as :func:`compare`, without a Python loop per entry); anything else goes through :func:`compare` one by one.
    """
    n = len(truths)
    if n and all(isinstance(v, str) for v in (*truths, *refs)):
        return np.array([t == r for t, r in zip(truths, refs, strict=True)], dtype=bool), np.zeros(n)
    if n and not any(isinstance(v, str) or v is None or hasattr(v, "detach") for v in (*truths, *refs)):
        try:
            a = np.asarray(truths, dtype=float)
            b = np.asarray(refs, dtype=float)
        except (ValueError, TypeError):  # ragged: shapes differ between instances
            pass
        else:
            if a.shape == b.shape:
                return _agree(a.reshape(n, -1), b.reshape(n, -1), rtol, atol)
    return _compare_by_shape(truths, refs, rtol, atol)


def _agree(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> tuple[np.ndarray, np.ndarray]:
    """Rows of (N, k) arrays: all |a − b| ≤ atol + rtol·|b| with b finite (or a and b the same infinity), and the
    largest |a − b| per row."""
    with np.errstate(invalid="ignore"):
        same_inf = np.isinf(b) & (a == b)
        err = np.where(same_inf, 0.0, np.abs(a - b))
        within = ((err <= atol + rtol * np.abs(b)) & np.isfinite(b)) | same_inf
    return within.all(axis=1), err.max(axis=1, initial=0.0)


def _compare_by_shape(truths: list[Any], refs: list[Any], rtol: float, atol: float) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of numeric answers of one shape are compared together, shape by shape; the rest (labels, tensors,
    shape mismatches, missing answers) one by one with :func:`compare`."""
    ok, err = np.zeros(len(truths), dtype=bool), np.full(len(truths), math.inf)
    groups: dict[tuple[int, ...], tuple[list[int], list[np.ndarray], list[np.ndarray]]] = {}
    for i, (t, r) in enumerate(zip(truths, refs, strict=True)):
        if t is None or r is None:
            continue
        if not (isinstance(t, str) or isinstance(r, str) or hasattr(r, "detach")):
            try:
                ta, ra = np.asarray(t, dtype=float), np.asarray(r, dtype=float)
            except (ValueError, TypeError):
                pass
            else:
                if ta.shape == ra.shape and ta.size:
                    g = groups.setdefault(ta.shape, ([], [], []))
                    g[0].append(i)
                    g[1].append(ta.ravel())
                    g[2].append(ra.ravel())
                    continue
        ok[i], err[i] = compare(t, r, rtol, atol)
    for idx, ta, ra in groups.values():
        ok[idx], err[idx] = _agree(np.stack(ta), np.stack(ra), rtol, atol)
    return ok, err
