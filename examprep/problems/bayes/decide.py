"""Shared pieces of the Bayes problems: class names, priors on the displayed grid, clear-winner tests.

Kept apart from the problem modules so that every Bayes type validates names and priors the same way and
rejects the same near-ties.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.solver.expr import Sym

THEMES: tuple[tuple[str, ...], ...] = (
    ("Apple", "Orange", "Banana", "Pear"),
    ("cat", "dog", "fox", "owl"),
    ("spam", "ham", "promo", "social"),
    ("rain", "sun", "snow", "fog"),
)
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]{0,31}$")
PRIOR_TOL = 1e-9
CLEAR = 0.02  # the winner must beat the runner-up by 2 % (relative), so rounding cannot flip the decision


def pick_names(rng: np.random.Generator, k: int) -> list[str]:
    """K class names from one theme."""
    theme = THEMES[int(rng.integers(len(THEMES)))]
    return list(theme[:k])


def default_names(k: int) -> tuple[str, ...]:
    """Names used when the user gives none: w1, w2, ... (ω₁, ω₂ in the prose)."""
    return tuple(f"w{i + 1}" for i in range(k))


def check_names(names: Sequence[str] | None, k: int, param: str = "classes") -> tuple[str, ...]:
    """Validated names (or the defaults): one per class, distinct, each a word a student can type."""
    if names is None:
        return default_names(k)
    if len(names) != k:
        raise ParamError(f"{param} has {len(names)} names but there are {k} classes; give one name per class")
    for n in names:
        if not isinstance(n, str) or not _NAME.match(n):
            raise ParamError(f"{param}: {n!r} is not a usable name (a letter, then letters, digits, _ or -)")
    if len({n.lower() for n in names}) != k:
        raise ParamError(f"{param}: names must be distinct (ignoring case), got {list(names)}")
    return tuple(names)


def prior_warnings(priors: Sequence[float], param: str = "priors") -> list[str]:
    """Priors must be probabilities; a sum other than 1 is allowed with a warning (normalised over the classes)."""
    if any(q < 0 or q > 1 for q in priors):
        raise ParamError(f"{param} must each lie in [0, 1], got {list(priors)}")
    s = float(sum(priors))
    if s <= 0:
        raise ParamError(f"{param} are all zero; give at least one positive prior")
    return sum_warning(priors, param)


def as_distribution(values: Sequence[float]) -> tuple[float, ...]:
    """``values`` rescaled to sum to 1 when their sum is off by more than PRIOR_TOL (else exactly as given).

    The one rule of every Bayes type for priors or posteriors that do not sum to 1: warn (``sum_warning``) and
    normalise."""
    s = float(sum(values))
    return tuple(float(v) / s for v in values) if abs(s - 1) > PRIOR_TOL and s > 0 else tuple(values)


def sum_warning(values: Sequence[float], param: str) -> list[str]:
    """The warning for ``param`` not summing to 1 (empty when it does); the values are then normalised."""
    s = float(sum(values))
    if abs(s - 1) <= PRIOR_TOL:
        return []
    shown = ", ".join(f"{v:.4g}" for v in as_distribution(values))
    return [f"{param} sum to {s:g}, not 1: normalised to [{shown}]"]


def refuse_tie(values: Sequence[float], names: Sequence[str], what: str, param_hint: str) -> None:
    """The one rule of every type for a decision that ties exactly (within TIE): refuse the parameters with a
    one-line error naming the tied choices (a tie has no single right answer to grade)."""
    v = np.asarray(values, dtype=float)
    top = float(v.max())
    tied = [str(names[i]) for i in np.flatnonzero(v >= top - TIE * abs(top))]
    if len(tied) > 1:
        raise ParamError(f"{' and '.join(tied)} tie exactly for the {what}, so the answer is not unique; "
                         f"change {param_hint} so that one wins")


def draw_simplex(rng: np.random.Generator, k: int, units: int, lo: int = 1) -> list[float]:
    """K probabilities on the grid 1/units, each at least lo/units, summing to exactly 1 on that grid."""
    free = units - k * lo
    cuts = np.sort(rng.integers(0, free + 1, size=k - 1))
    parts = np.diff(np.concatenate([[0], cuts, [free]])) + lo
    return [round(int(c) / units, 6) for c in parts]


def argmax_clear(values: Sequence[float], rel: float = CLEAR) -> int | None:
    """Index of the largest value when it beats the runner-up by ``rel`` (relative), else None (a near-tie)."""
    v = np.asarray(values, dtype=float)
    order = np.argsort(-v, kind="stable")
    if len(v) > 1 and v[order[0]] - v[order[1]] <= rel * abs(v[order[0]]):
        return None
    return int(order[0])


TIE = 1e-9


def argmax_first(values: Sequence[float]) -> int:
    """Index of the largest value; on a tie (within 1e-9, relative), the first listed one. The tolerance makes
    the choice independent of rounding in the last bits, so solve and the reference pick the same label."""
    v = np.asarray(values, dtype=float)
    top = float(v.max())
    return int(np.argmax(v >= top - TIE * abs(top)))


def tiny(values: Any, lo: float = 0.01) -> bool:
    """True when some entry is nonzero but smaller than ``lo`` in size (it would round to 0 when written)."""
    a = np.abs(np.asarray(values, dtype=float)).ravel()
    return bool(np.any((a > 0) & (a < lo)))


def name_sym(text: str) -> Sym:
    """A symbol that shows a class name as it is (upright in LaTeX, quoted in Typst)."""
    safe = text.replace("_", r"\_")
    return Sym("c", text=text, latex=rf"\mathrm{{{safe}}}", typst=f'"{text}"')


def cond_sym(left: str, given: str) -> Sym:
    """``P(left | given)`` as a display symbol."""
    return Sym("P", text=f"P({left}|{given})", latex=rf"P(\mathrm{{{left}}} \mid \mathrm{{{given}}})",
               typst=f'P("{left}" | "{given}")')


def log_ok(x: float) -> float:
    """ln x, with -inf for 0 (zero priors are allowed and simply rule a class out)."""
    return math.log(x) if x > 0 else -math.inf


class _Pi(Sym):
    """The constant π: shown as π, evaluated exactly as sympy.pi (so density formulas check exactly)."""

    def __init__(self) -> None:
        super().__init__("pi")

    def _sympy(self) -> Any:
        import sympy

        return sympy.pi

    def _subs(self, table: dict[str, Any]) -> Any:
        return self


PI = _Pi()


def dot_terms(a: Sequence[float], b: Sequence[float]) -> Any:
    """a₁·b₁ + a₂·b₂ + … written with the sign of each aᵢ pulled out (shows "− 1·0.5", not "+ −1·0.5")."""
    from examprep.solver.expr import Add, Num

    return Add([(1 if x >= 0 else -1, Num(abs(x)) * Num(y)) for x, y in zip(a, b, strict=True)])
