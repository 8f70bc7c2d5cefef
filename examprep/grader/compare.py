"""Comparison modes (PrairieLearn's, made shape-safe): exact, rel, sigfig, decdig, under a tolerance policy.

The policy (:mod:`examprep.grader.options`) is one rule for every part: ``strict`` accepts half a unit of the last
asked digit (0.51 units, so that a value typed from a rounded display is never refused for float noise); ``fair``
(the default) accepts that or a relative :data:`~examprep.grader.options.CARRIED_RTOL` of the exact value, whichever
is larger, the drift that carrying rounded intermediate values produces. Exact (integer) parts stay exact.
Infinite true values are matched exactly (an answer ``inf`` to a divergent KL).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from examprep.grader.options import CARRIED_RTOL, NEAR_MISS_RTOL
from examprep.parts import Part

HALF_UNIT = 0.51


def tolerance(t: float, mode: str, rtol: float, atol: float, digits: int, policy: str = "fair") -> float:
    """The largest |submitted − true| accepted for a true value ``t``."""
    if mode == "exact" or not math.isfinite(t):
        return 0.0
    if mode == "rel":
        base = atol + rtol * abs(t)
    elif mode == "decdig":
        base = HALF_UNIT * 10.0 ** (-digits)
    elif mode == "sigfig":
        base = HALF_UNIT * 10.0 ** ((math.floor(math.log10(abs(t))) if t else 0) - digits + 1)
    else:
        raise ValueError(f"unknown comparison mode {mode!r}")
    return max(base, CARRIED_RTOL * abs(t)) if policy == "fair" else base


def close(s: float, t: float, mode: str, rtol: float, atol: float, digits: int, policy: str = "fair") -> bool:
    """Scalar comparison; exact mode compares exactly (integers), otherwise within the tolerance."""
    s, t = float(s), float(t)
    if mode == "exact" or s == t or not (math.isfinite(s) and math.isfinite(t)):
        return s == t
    return abs(s - t) <= tolerance(t, mode, rtol, atol, digits, policy) * (1 + 1e-12)


def tolerances(ta: np.ndarray, mode: str, rtol: float, atol: float, digits: int, policy: str = "fair") -> np.ndarray:
    """:func:`tolerance` for every entry of ``ta`` (0 for infinite entries)."""
    if mode == "exact":
        return np.zeros(ta.shape)
    finite = np.isfinite(ta)
    at = np.abs(np.where(finite, ta, 0.0))
    if mode == "rel":
        tol = atol + rtol * at
    elif mode == "decdig":
        tol = np.full(ta.shape, HALF_UNIT * 10.0 ** (-digits))
    elif mode == "sigfig":
        mag = np.floor(np.log10(at, where=at != 0, out=np.zeros_like(at)))
        tol = HALF_UNIT * 10.0 ** (mag - digits + 1)
    else:
        raise ValueError(f"unknown comparison mode {mode!r}")
    if policy == "fair":
        tol = np.maximum(tol, CARRIED_RTOL * at)
    return np.where(finite, tol, 0.0)


def entries_close(part: Part, s: Any, t: Any, comparison: tuple[str, float, float, int] | None = None,
                  policy: str = "fair") -> np.ndarray:
    """Element-wise verdicts for numeric answers of the same shape (vectorised ``close``)."""
    mode, rtol, atol, digits = comparison or part.comparison
    sa = np.asarray(s, dtype=float).ravel()
    ta = np.asarray(t, dtype=float).ravel()
    if mode == "exact":
        return sa == ta
    with np.errstate(invalid="ignore"):
        return (sa == ta) | (np.abs(sa - ta) <= tolerances(ta, mode, rtol, atol, digits, policy) * (1 + 1e-12))


def scalar_close(part: Part, s: float, t: float, policy: str = "fair") -> bool:
    """``close`` for one number with the part's comparison (the fast path for scalar parts)."""
    mode, rtol, atol, digits = part.comparison
    return close(s, t, mode, rtol, atol, digits, policy)


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


def coarse_entries(part: Part, s: Any, t: Any) -> tuple[np.ndarray, int | None]:
    """Which entries of ``s`` are ``t`` rounded to fewer significant figures / decimals than asked (not to 0), and
    the most digits any of them kept (None when none is)."""
    mode, _, _, digits = part.comparison
    sa = np.asarray(s, dtype=float).ravel()
    ta = np.asarray(t, dtype=float).ravel()
    hit = np.zeros(sa.shape, dtype=bool)
    if mode not in ("sigfig", "decdig") or sa.shape != ta.shape:
        return hit, None
    kept: int | None = None
    for d in range(digits - 1, 0, -1):
        rounded = np.array([round_sig(x, d) if mode == "sigfig" or not math.isfinite(x) else round(x, d) for x in ta])
        with np.errstate(invalid="ignore"):
            ok = (rounded != 0) & np.isfinite(ta) & (np.abs(sa - rounded) <= 1e-9 * np.maximum(1.0, np.abs(rounded)))
        new = ok & ~hit
        if new.any() and kept is None:
            kept = d
        hit |= ok
    return hit, kept


def coarser_match(part: Part, s: Any, t: Any) -> int | None:
    """If every entry of ``s`` is ``t`` rounded to fewer significant figures / decimals than asked, how many."""
    hit, kept = coarse_entries(part, s, t)
    return kept if hit.size and hit.all() else None


def near_miss(s: Any, t: Any) -> bool:
    """Every entry within a relative 1% of the truth (a rounding slip rather than a wrong method)."""
    sa = np.asarray(s, dtype=float).ravel()
    ta = np.asarray(t, dtype=float).ravel()
    if sa.shape != ta.shape or not np.all(np.isfinite(ta)) or not np.all(np.isfinite(sa)):
        return False
    return bool(np.all(np.abs(sa - ta) <= NEAR_MISS_RTOL * np.abs(ta)))
