"""Probability vectors on a decimal grid: drawing them, checking them, and the KL terms they give.

Shared by the discrete divergences (``kl_discrete``, ``jsd``) and the GAN optimal discriminator.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from examprep.errors import ParamError

SUM_TOL = 1e-9


def draw_pmf(rng: np.random.Generator, n: int, denom: int, zeros: int = 0) -> tuple[float, ...]:
    """A probability vector of ``n`` multiples of ``1/denom``; exactly ``zeros`` entries are 0, the rest ≥ 1/denom."""
    k = n - zeros
    cuts = np.sort(rng.choice(np.arange(1, denom), size=k - 1, replace=False))
    counts = list(np.diff(np.concatenate(([0], cuts, [denom]))).astype(int))
    for _ in range(zeros):
        counts.insert(int(rng.integers(len(counts) + 1)), 0)
    return tuple(round(c / denom, 6) for c in counts)


def check_pmf(name: str, v: Sequence[float]) -> None:
    """Entries ≥ 0 summing to 1 (within 1e-9); raises ParamError naming the parameter otherwise."""
    if any(x < 0 for x in v):
        raise ParamError(f"{name} has a negative entry; probabilities must be ≥ 0")
    s = math.fsum(v)
    if abs(s - 1) > SUM_TOL:
        raise ParamError(f"{name} sums to {s:.10g}, not 1: give a probability vector whose entries sum to 1 "
                         f"(e.g. --set {name}=[0.5,0.3,0.2])")


def check_same_length(a_name: str, a: Sequence[float], b_name: str, b: Sequence[float]) -> None:
    if len(a) != len(b):
        raise ParamError(f"{a_name} has {len(a)} outcomes and {b_name} has {len(b)}: give both on the same outcomes")
    if len(a) < 2:
        raise ParamError(f"{a_name} needs at least 2 outcomes")


def kl_terms(p: Sequence[float], q: Sequence[float], base: float = math.e) -> list[float]:
    """p_i log(p_i / q_i) per outcome, with 0·log(0/q) = 0; ``inf`` where q_i = 0 < p_i."""
    out = []
    for pi, qi in zip(p, q, strict=True):
        if pi == 0:
            out.append(0.0)
        elif qi == 0:
            out.append(math.inf)
        else:
            out.append(pi * math.log(pi / qi) / math.log(base))
    return out


def kl(p: Sequence[float], q: Sequence[float], base: float = math.e) -> float:
    """KL(p‖q) = Σ p_i log(p_i/q_i) (``inf`` when q misses p's support)."""
    return math.fsum(kl_terms(p, q, base))


def mixture(p: Sequence[float], q: Sequence[float]) -> list[float]:
    """m = (p + q)/2, entry by entry."""
    return [(a + b) / 2 for a, b in zip(p, q, strict=True)]


def jsd(p: Sequence[float], q: Sequence[float], base: float = math.e) -> float:
    """JSD(p‖q) = ½KL(p‖m) + ½KL(q‖m), m = (p+q)/2."""
    m = mixture(p, q)
    return (kl(p, m, base) + kl(q, m, base)) / 2


def kl_sum_expr(p: Sequence[float], q: Sequence[float], log: str = "ln") -> Any:
    """The expression Σ p_i·log(p_i/q_i) with the numbers in, terms with p_i = 0 left out (they are 0)."""
    from examprep.solver.expr import Func, Num

    out = None
    for a, b in zip(p, q, strict=True):
        if a == 0:
            continue
        t = Num(a) * Func(log, Num(a) / Num(b))
        out = t if out is None else out + t
    return out if out is not None else Num(0)


def mixture_expr(p: Sequence[float], q: Sequence[float]) -> Any:
    """The vector expression [(p_1 + q_1)/2, …] with the numbers in."""
    from examprep.solver.expr import Mat, Num

    return Mat([[(Num(a) + Num(b)) / 2 for a, b in zip(p, q, strict=True)]])
