"""Hand-sized numbers for the mlp and loss types: the grid of each difficulty, and numeric JSON parameters.

Numbers are integers at easy, one decimal at medium and two decimals at hard; they are drawn on the grid they are
shown on. Parameters that take "a vector, or one row per example" are JSON and are read here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError

DECIMALS = {"easy": 0, "medium": 1, "hard": 2}


def grid(rng: np.random.Generator, lo: float, hi: float, difficulty: str, size: Any = None,
         nonzero: bool = False) -> Any:
    """Numbers in [lo, hi] on the difficulty's grid (ints at easy); ``size`` as in numpy (None: one number)."""
    dp = DECIMALS[difficulty]
    scale = 10 ** dp
    a, b = int(round(lo * scale)), int(round(hi * scale))
    n = 1 if size is None else int(np.prod(size))
    vals = []
    while len(vals) < n:
        k = int(rng.integers(a, b + 1))
        if nonzero and k == 0:
            continue
        vals.append(k if dp == 0 else round(k / scale, dp))
    if size is None:
        return vals[0]
    return np.asarray(vals, dtype=object).reshape(size).tolist()


def number(name: str, x: Any) -> float:
    """A finite real number from a JSON value, or a ParamError naming the parameter."""
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not np.isfinite(x):
        raise ParamError(f"{name}: {x!r} is not a finite number")
    return float(x)


def rows(name: str, value: Any) -> tuple[np.ndarray, bool]:
    """A JSON vector or list of rows as a 2-D float array, and whether it was given as rows (a batch)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = (value,)
    if not isinstance(value, (list, tuple)) or not value:
        raise ParamError(f"{name}: give a vector like [1, 2] or one row per example like [[1, 2], [0, 1]]")
    batched = isinstance(value[0], (list, tuple))
    raw = value if batched else (value,)
    if any(not isinstance(r, (list, tuple)) or not r for r in raw):
        raise ParamError(f"{name}: every row must be a non-empty list of numbers")
    if len({len(r) for r in raw}) != 1:
        raise ParamError(f"{name}: every row must have the same length")
    arr = np.array([[number(name, x) for x in r] for r in raw], dtype=float)
    return arr, batched


def labels(name: str, value: Any, n: int, k: int) -> list[int]:
    """``n`` class indices in 0..k−1 from an integer or a list of integers (one per example)."""
    vals = [value] if isinstance(value, (int, float)) and not isinstance(value, bool) else value
    if not isinstance(vals, (list, tuple)) or len(vals) != n:
        raise ParamError(f"{name}: give {'one class index' if n == 1 else f'a list of {n} class indices'} "
                         f"(one per example), numbered from 0")
    out = []
    for v in vals:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or float(v) != int(v) or not 0 <= v < k:
            raise ParamError(f"{name}: {v!r} is not a class index; classes are numbered 0 to {k - 1}")
        out.append(int(v))
    return out


def shown(x: Any) -> Any:
    """Integers as ints and decimals as floats, for statements and expressions."""
    f = float(x)
    return int(f) if f.is_integer() else f
