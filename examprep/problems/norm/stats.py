"""Mean, variance and standard deviation with their derivation steps: shared by the normalisation types.

Every normalisation step shows the same chain first: the mean, the (biased) variance, the standard deviation
√(σ² + ε); then the normalised values (x − μ)/√(σ² + ε).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from examprep.solver.expr import Expr, Mat, Num, paren, sqrt


def mean(v: Sequence[float]) -> float:
    return math.fsum(v) / len(v)


def var(v: Sequence[float], unbiased: bool = False) -> float:
    m = mean(v)
    return math.fsum((x - m) ** 2 for x in v) / (len(v) - (1 if unbiased else 0))


def total(terms: Sequence[Expr]) -> Expr:
    out = terms[0]
    for t in terms[1:]:
        out = out + t
    return out


def num(x: float) -> Expr:
    """A number as a term or factor: negative ones in parentheses."""
    return paren(Num(x)) if x < 0 else Num(x)


def mean_step(d: Any, title: str, v: Sequence[float], lhs: Expr, part: str | None = None) -> float:
    m = mean(v)
    d.add(title, m, lhs=lhs, substituted=paren(total([Num(x) for x in v])) / Num(len(v)), part=part)
    return m


def var_step(d: Any, title: str, v: Sequence[float], m: float, lhs: Expr, unbiased: bool = False,
             part: str | None = None, note: str | None = None) -> float:
    s = var(v, unbiased)
    d.add(title, s, lhs=lhs, substituted=paren(total([paren(Num(x) - num(m)) ** 2 for x in v]))
          / Num(len(v) - (1 if unbiased else 0)), part=part, note=note)
    return s


def std_step(d: Any, title: str, s2: float, eps: float, lhs: Expr) -> float:
    sd = math.sqrt(s2 + eps)
    d.add(title, sd, lhs=lhs, substituted=sqrt(Num(s2) + Num(eps)) if eps else sqrt(Num(s2)))
    return sd


def normalized_expr(v: Sequence[float], m: float, sd: float) -> Expr:
    """[(x_1 − μ)/σ, …] with the numbers in."""
    return Mat([[paren(Num(x) - num(m)) / Num(sd) for x in v]])


def affine_expr(xh: Sequence[float], gamma: Sequence[float] | float, beta: Sequence[float] | float) -> Expr:
    """[γ·x̂_1 + β, …] with the numbers in (γ, β per entry or shared)."""
    n = len(xh)
    g = list(gamma) if isinstance(gamma, Sequence) else [gamma] * n
    b = list(beta) if isinstance(beta, Sequence) else [beta] * n
    return Mat([[Num(gi) * num(x) + num(bi) for x, gi, bi in zip(xh, g, b, strict=True)]])


