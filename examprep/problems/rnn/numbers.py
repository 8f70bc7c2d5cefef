"""Shared helpers of the rnn types: matrices given as JSON (a number is 1×1, a plain list is a column), the
hand-sized grid numbers are drawn on, and the cells' activations."""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError


def matrix(name: str, value: Any) -> np.ndarray:
    """A JSON number (1×1), list of numbers (a column) or list of rows as a 2-D float array."""
    if isinstance(value, bool):
        raise ParamError(f"{name}: {value!r} is not a number or a matrix")
    if isinstance(value, (int, float)):
        value = [[value]]
    if not isinstance(value, (list, tuple)) or not value:
        raise ParamError(f"{name}: give a number, a list of numbers or a matrix like [[1, 2], [3, 4]]")
    if not isinstance(value[0], (list, tuple)):
        value = [[v] for v in value]
    if len({len(r) if isinstance(r, (list, tuple)) else -1 for r in value}) != 1 or not value[0]:
        raise ParamError(f"{name}: every row must be a non-empty list of numbers of the same length")
    try:
        a = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ParamError(f"{name}: entries must be numbers") from None
    if not np.all(np.isfinite(a)) or np.any(np.abs(a) > 1000):
        raise ParamError(f"{name}: entries must be finite numbers from -1000 to 1000")
    return a


def vector(name: str, value: Any, size: int) -> np.ndarray:
    """A JSON number or list of ``size`` numbers as a 1-D float array (None: zeros)."""
    if value is None:
        return np.zeros(size)
    a = matrix(name, value).ravel()
    if a.size != size:
        raise ParamError(f"{name} has {a.size} entries; it needs {size}")
    return a


def grid(rng: np.random.Generator, lo: float, hi: float, size: Any, nonzero: bool = False,
         decimals: int = 1) -> list:
    """Numbers in [lo, hi] with ``decimals`` decimals (nested lists shaped ``size``)."""
    scale = 10 ** decimals
    n = int(np.prod(size))
    vals: list[float] = []
    while len(vals) < n:
        k = int(rng.integers(round(lo * scale), round(hi * scale) + 1))
        if not (nonzero and k == 0):
            vals.append(k / scale if decimals else float(k))
    return np.asarray(vals).reshape(size).tolist()


def sigmoid(z: Any) -> Any:
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


def plain(a: Any) -> Any:
    """Nested lists of Python floats (ints where integral) from an array, for statements and JSON."""
    arr = np.asarray(a, dtype=float)
    if arr.ndim == 0:
        f = float(arr)
        return int(f) if f.is_integer() else f
    return [plain(v) for v in arr]


def row_matrix(name: str, value: Any) -> np.ndarray:
    """A JSON number (1×1), list of numbers (one row) or list of rows as a 2-D float array."""
    if isinstance(value, (list, tuple)) and value and not isinstance(value[0], (list, tuple)):
        value = [list(value)]
    return matrix(name, value)
