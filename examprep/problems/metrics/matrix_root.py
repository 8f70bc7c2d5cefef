"""Small covariance helpers for the FID: sample covariances and the principal square root of a 1×1 or 2×2
matrix with positive eigenvalues (closed form, so a student can follow it by hand)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np


def sample_mean(X: Sequence[Sequence[float]]) -> list[float]:
    """The mean of the rows."""
    return [math.fsum(col) / len(X) for col in zip(*X, strict=True)]


def sample_cov(X: Sequence[Sequence[float]], ddof: int = 1) -> list[list[float]]:
    """Σ = Σ_i (x_i − x̄)(x_i − x̄)ᵀ / (N − ddof), rows as samples."""
    mu = sample_mean(X)
    d = len(mu)
    return [[math.fsum((x[a] - mu[a]) * (x[b] - mu[b]) for x in X) / (len(X) - ddof) for b in range(d)]
            for a in range(d)]


def matmul(A: Any, B: Any) -> list[list[float]]:
    return np.asarray(np.asarray(A, dtype=float) @ np.asarray(B, dtype=float)).tolist()


def trace(A: Any) -> float:
    return math.fsum(A[i][i] for i in range(len(A)))


def det(A: Any) -> float:
    return A[0][0] if len(A) == 1 else A[0][0] * A[1][1] - A[0][1] * A[1][0]


def root_parts(M: Any) -> tuple[float, float]:
    """(s, t) of the 2×2 root: s = √det M, t = √(tr M + 2s); then √M = (M + s·I)/t."""
    s = math.sqrt(det(M))
    return s, math.sqrt(trace(M) + 2 * s)


def sqrt_psd(M: Any) -> list[list[float]]:
    """The principal square root of a 1×1 or 2×2 matrix with positive eigenvalues (Σ_r·Σ_g is one, being similar
    to the positive definite Σ_r^½·Σ_g·Σ_r^½)."""
    if len(M) == 1:
        return [[math.sqrt(M[0][0])]]
    s, t = root_parts(M)
    return [[(M[i][j] + (s if i == j else 0.0)) / t for j in range(2)] for i in range(2)]
