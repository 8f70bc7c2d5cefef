"""Shared pieces of the contrastive types: L2 normalisation, softmax, round unit vectors to draw from, and the
conventions every prompt states."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.problem import Mistake
from examprep.problems.gan.fair import close_to_truth

CONVENTIONS = ("Conventions: natural log ($\\ln$); embeddings are L2-normalised before any dot product; classes, "
               "prompts, images and tokens are numbered from 1.")

# unit vectors with short decimal coordinates (Pythagorean triples), by dimension
UNIT = {
    2: ((1.0, 0.0), (0.0, 1.0), (0.6, 0.8), (0.8, 0.6), (0.28, 0.96), (0.96, 0.28), (0.6, -0.8), (0.8, -0.6)),
    3: ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0), (0.6, 0.8, 0.0), (0.0, 0.6, 0.8), (0.8, 0.0, 0.6),
        (0.48, 0.6, 0.64), (0.36, 0.48, 0.8), (0.64, 0.48, 0.6), (0.6, 0.0, -0.8), (0.0, 0.8, -0.6)),
}

MAX_DIM = 16
MAX_ROWS = 40


def normalise(rows: Any) -> np.ndarray:
    """Each row divided by its Euclidean norm."""
    a = np.asarray(rows, dtype=float)
    return a / np.linalg.norm(a, axis=-1, keepdims=True)


def cosines(a: Any, b: Any) -> np.ndarray:
    """Cosines of the rows of ``a`` with the rows of ``b``; rounding noise below 1e-12 (orthogonal vectors) is 0."""
    s = normalise(a) @ normalise(b).T
    s[np.abs(s) < 1e-12] = 0.0
    return s


def softmax(z: Any) -> np.ndarray:
    """Softmax of a vector (shifted by its maximum)."""
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max())
    return e / e.sum()


def check_vectors(name: str, rows: Any, dim: int | None = None) -> int:
    """Refuse an empty or zero row, or rows of unequal length; returns the dimension."""
    rows = [rows] if rows and not isinstance(rows[0], (tuple, list)) else rows
    if not rows or len(rows) > MAX_ROWS:
        raise ParamError(f"{name}: give between 1 and {MAX_ROWS} vectors")
    d = len(rows[0])
    if not 1 <= d <= MAX_DIM or any(len(r) != d for r in rows):
        raise ParamError(f"{name}: every vector needs the same length, between 1 and {MAX_DIM}")
    if dim is not None and d != dim:
        raise ParamError(f"{name}: vectors of length {d}, but the other embeddings have length {dim}")
    if any(not any(abs(x) > 0 for x in r) for r in rows):
        raise ParamError(f"{name}: a zero vector has no direction, so it cannot be L2-normalised")
    return d


def draw_unit(rng: np.random.Generator, dim: int, n: int) -> list[tuple[float, ...]]:
    """``n`` distinct round unit vectors of dimension ``dim`` (signs and coordinate order shuffled)."""
    pool = UNIT[dim]
    out: list[tuple[float, ...]] = []
    while len(out) < n:
        v = np.array(pool[int(rng.integers(len(pool)))])
        v = v[rng.permutation(dim)] * (1 if rng.random() < 0.7 else -1)
        t = tuple(float(x) + 0.0 for x in v)
        if t not in out:
            out.append(t)
    return out


def draw_int(rng: np.random.Generator, dim: int, n: int, lo: int = -3, hi: int = 4) -> list[tuple[float, ...]]:
    """``n`` distinct non-zero integer vectors (not unit: the normalisation matters)."""
    out: list[tuple[float, ...]] = []
    while len(out) < n:
        v = tuple(float(x) for x in rng.integers(lo, hi + 1, size=dim))
        if any(v) and abs(sum(x * x for x in v) - 1) > 0.5 and v not in out:
            out.append(v)
    return out


def changed_parts(truth: Mapping[str, Any], mistakes: Mapping[str, Mistake]) -> dict[str, Mistake]:
    """Each mistake with only the parts it actually changes (a part equal to the truth to 1e-12 is no evidence of
    the mistake: τ_s = 1 multiplied changes P_t but not P_s); mistakes that change nothing are dropped. What is
    left may still land near the truth, which ``near_miss`` then refuses."""
    out = {}
    for name, m in mistakes.items():
        kept = {k: v for k, v in m.answers.items() if not (k in truth and close_to_truth(v, truth[k], 1e-12))}
        if kept:
            out[name] = Mistake(kept, m.feedback)
    return out
