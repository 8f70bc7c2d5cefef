"""Comparison modes (PrairieLearn's, made shape-safe): exact, rel, sigfig, decdig."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from examprep.parts import Part


def tolerance(t: float, mode: str, rtol: float, atol: float, digits: int) -> float:
    """The largest |submitted − true| accepted for a true value ``t``."""
    if mode == "exact":
        return 0.0
    if mode == "rel":
        return atol + rtol * abs(t)
    if mode == "decdig":
        return 0.51 * 10.0 ** (-digits)
    if mode == "sigfig":
        if t == 0:
            return 0.51 * 10.0 ** (-digits)
        return 0.51 * 10.0 ** (math.floor(math.log10(abs(t))) - digits + 1)
    raise ValueError(f"unknown comparison mode {mode!r}")


def close(s: float, t: float, mode: str, rtol: float, atol: float, digits: int) -> bool:
    """Scalar comparison; exact mode compares exactly (integers), otherwise within the tolerance."""
    if mode == "exact":
        return float(s) == float(t)
    return abs(float(s) - float(t)) <= tolerance(float(t), mode, rtol, atol, digits) * (1 + 1e-12)


def entries_close(part: Part, s: Any, t: Any, comparison: tuple[str, float, float, int] | None = None) -> np.ndarray:
    """Element-wise verdicts for numeric answers of the same shape (vectorised ``close``)."""
    mode, rtol, atol, digits = comparison or part.comparison
    sa = np.asarray(s, dtype=float).ravel()
    ta = np.asarray(t, dtype=float).ravel()
    if mode == "exact":
        return sa == ta
    if mode == "rel":
        tol = atol + rtol * np.abs(ta)
    elif mode == "decdig":
        tol = np.full(ta.shape, 0.51 * 10.0 ** (-digits))
    elif mode == "sigfig":
        with np.errstate(divide="ignore"):
            mag = np.floor(np.log10(np.abs(ta), where=ta != 0, out=np.zeros_like(ta)))
        tol = np.where(ta == 0, 0.51 * 10.0 ** (-digits), 0.51 * 10.0 ** (mag - digits + 1))
    else:
        raise ValueError(f"unknown comparison mode {mode!r}")
    return np.abs(sa - ta) <= tol * (1 + 1e-12)


def scalar_close(part: Part, s: float, t: float) -> bool:
    """``close`` for one number with the part's comparison (the fast path for scalar parts)."""
    mode, rtol, atol, digits = part.comparison
    return close(s, t, mode, rtol, atol, digits)


def shape_of(v: Any) -> tuple[int, ...]:
    if isinstance(v, (list, tuple, np.ndarray)):
        return tuple(np.shape(np.asarray(v, dtype=object)))
    return ()


def labels_equal(s: str, t: str) -> bool:
    return " ".join(str(s).split()).lower() == " ".join(str(t).split()).lower()


def round_sig(x: float, d: int) -> float:
    """``x`` rounded to ``d`` significant figures."""
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, d - 1 - math.floor(math.log10(abs(x))))


def coarser_match(part: Part, s: Any, t: Any) -> int | None:
    """If ``s`` is ``t`` rounded to fewer significant figures / decimals than required, how many; else None."""
    mode, rtol, atol, digits = part.comparison
    if mode not in ("sigfig", "decdig"):
        return None
    sa = np.asarray(s, dtype=float).ravel()
    ta = np.asarray(t, dtype=float).ravel()
    if sa.shape != ta.shape:
        return None
    for d in range(digits - 1, 0 if mode == "sigfig" else -1, -1):
        rounded = [round_sig(x, d) if mode == "sigfig" else round(x, d) for x in ta]
        if all(abs(a - b) <= 1e-9 * max(1.0, abs(b)) for a, b in zip(sa, rounded, strict=True)):
            return d
    return None
