"""Hand-sized draws for the diffusion family, and the two instance filters every type uses.

Numbers are drawn on the grid that is shown (one or two decimals), so what the student reads is what is used.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.problem import Answers, Mistake

# difficulty -> (vector lengths, grid step, data range)
DATA = {"easy": ((1, 2), 0.5, 2.0), "medium": ((2, 3), 0.1, 2.0), "hard": ((3, 4), 0.05, 2.0)}
NOISE = {"easy": 0.5, "medium": 0.1, "hard": 0.05}
BETA_GRID = {"easy": (0.1, 0.2, 0.3, 0.4, 0.5),
             "medium": (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4),
             "hard": (0.02, 0.04, 0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3, 0.35)}
SCHEDULE_LEN = {"easy": (2, 3), "medium": (3, 4), "hard": (3, 5)}


def grid(rng: np.random.Generator, lo: float, hi: float, step: float, size: int | None = None) -> Any:
    """Values on the grid lo, lo+step, ..., hi (rounded so they print as drawn)."""
    n = int(round((hi - lo) / step))
    k = rng.integers(0, n + 1, size=size)
    vals = np.round(lo + k * step, 6)
    return tuple(float(v) for v in vals) if size is not None else float(vals)


def pick(rng: np.random.Generator, xs: Any) -> Any:
    return xs[int(rng.integers(len(xs)))]


def dim(rng: np.random.Generator, difficulty: str) -> int:
    lo, hi = DATA[difficulty][0]
    return int(rng.integers(lo, hi + 1))


def data(rng: np.random.Generator, difficulty: str, n: int) -> tuple[float, ...]:
    """A data vector x (entries in [−2, 2] on the difficulty's grid)."""
    _, step, r = DATA[difficulty]
    return grid(rng, -r, r, step, n)


def noise(rng: np.random.Generator, difficulty: str, n: int) -> tuple[float, ...]:
    """A given noise draw ε or z (entries in [−1.5, 1.5])."""
    return grid(rng, -1.5, 1.5, NOISE[difficulty], n)


def betas(rng: np.random.Generator, difficulty: str, length: int | None = None) -> tuple[float, ...]:
    """An increasing hand-sized schedule β_1 ≤ ... ≤ β_T."""
    lo, hi = SCHEDULE_LEN[difficulty]
    n = length or int(rng.integers(lo, hi + 1))
    gridv = BETA_GRID[difficulty]
    return tuple(sorted(float(pick(rng, gridv)) for _ in range(n)))


def applicable(truth: Answers, mistakes: dict[str, Mistake]) -> dict[str, Mistake]:
    """The mistakes that change at least one answer on this instance.

    A mistake that changes nothing (α_t for ᾱ_t at t = 1, √β for √(1−β) at β = 0.5) does not apply here. One that
    changes an answer by less than its tolerance is kept, so ``generate`` rejects that instance.
    """
    out = {}
    for name, m in mistakes.items():
        for k, v in m.answers.items():
            a, b = np.asarray(v, dtype=float), np.asarray(truth[k], dtype=float)
            if a.shape != b.shape or not np.allclose(a, b, rtol=1e-12, atol=1e-15):
                out[name] = m
                break
    return out


def near_zero(answers: Answers, names: tuple[str, ...], eps: float = 0.01) -> str | None:
    """A reason when an entry of one of ``names`` is nonzero but smaller than ``eps`` (a cancellation that
    significant figures would grade unfairly), else None."""
    for k in names:
        a = np.abs(np.asarray(answers[k], dtype=float))
        if np.any((a > 0) & (a < eps)):
            return f"part {k} has an entry near zero"
    return None


def vec(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=float)


def show(v: Any) -> str:
    """A value as the answer line shows it (6 significant figures)."""
    from examprep.solver.render import value_text

    return value_text(v)
