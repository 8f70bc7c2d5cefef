"""Shared helpers of the latent types: points as float arrays, squared-distance tables, grids of draws."""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.solver.expr import Expr, Num, paren


def as_rows(m: Any) -> np.ndarray:
    """A matrix parameter (one point per row) as a 2-D float array."""
    return np.asarray(m, dtype=float).reshape(len(m), -1)


def sq_dist_table(X: Any, C: Any) -> np.ndarray:  # noqa: N803
    """(n, K) squared Euclidean distances between the rows of X and the rows of C."""
    x, c = as_rows(X), as_rows(C)
    return ((x[:, None, :] - c[None, :, :]) ** 2).sum(-1)


def sq_dist_expr(x: Any, c: Any) -> Expr:
    """(x₁ − c₁)² + (x₂ − c₂)² with the numbers in, for a derivation's table."""
    terms = [paren(Num(float(a)) - Num(float(b))) ** 2 for a, b in zip(x, c, strict=True)]
    out = terms[0]
    for t in terms[1:]:
        out = out + t
    return out


def nearest(table: np.ndarray) -> tuple[np.ndarray, bool]:
    """Row-wise argmin, and whether some row has a tie for its minimum."""
    srt = np.sort(table, axis=1)
    tie = table.shape[1] > 1 and bool(np.any(np.isclose(srt[:, 0], srt[:, 1], rtol=0, atol=1e-12)))
    return table.argmin(axis=1), tie


def half_grid(rng: np.random.Generator, lo: float, hi: float, step: float, size: tuple[int, ...]) -> np.ndarray:
    """Values lo, lo + step, …, hi drawn uniformly (exact in binary for steps 1 and 0.5)."""
    k = int(round((hi - lo) / step))
    return lo + step * rng.integers(0, k + 1, size=size).astype(float)


def distinct(truth: dict[str, Any], mistakes: dict[str, Any]) -> dict[str, Any]:
    """Each mistake cut to the parts where it differs from the right answer (a part it leaves exactly right, such
    as the responsibilities when only the log-likelihood changes, is no evidence of it); mistakes that change
    nothing are dropped. What remains near the truth is then rejected by ``fair.near_miss``."""
    from examprep.problem import Mistake

    out = {}
    for name, m in mistakes.items():
        kept = {}
        for part, v in m.answers.items():
            a, b = np.asarray(v, dtype=float), np.asarray(truth[part], dtype=float)
            if a.shape != b.shape or not np.allclose(a, b, rtol=1e-12, atol=1e-12):
                kept[part] = v
        if kept:
            out[name] = Mistake(kept, m.feedback)
    return out


def carried_indices(given: Any, name: str, idx: np.ndarray, k: int) -> np.ndarray:
    """The student's 0-based indices ``given[name]`` where given (error carried forward), else ``idx``;
    ValueError (nothing follows from them) for an index that names none of the ``k`` rows."""
    from examprep.problem import carry

    out = carry(given, name, idx)
    if out is idx:
        return idx
    if not np.all(np.isin(out, np.arange(k))):
        raise ValueError(f"{name}: an index names no row")
    return out.astype(int)
