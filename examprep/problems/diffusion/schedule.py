"""Noise schedules for the diffusion family: α_t, ᾱ_t, the linear and cosine schedules, their notation, and the
derivation steps that show ᾱ_t as the product it is (every factor written out).

Conventions (stated in every prompt): t runs 1..T; α_t = 1 − β_t; ᾱ_t = ∏_{s≤t} α_s, with ᾱ_0 = 1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from examprep.errors import ParamError
from examprep.solver.expr import Expr, Mul, Num, Sym, paren
from examprep.solver.step import Derivation

CONVENTIONS = (r"Conventions: $t$ runs $1, \ldots, T$; $\alpha_t = 1 - \beta_t$; "
               r"$\bar{\alpha}_t = \alpha_1 \alpha_2 \cdots \alpha_t$ (the product of $\alpha_s$ for $s \le t$), "
               r"with $\bar{\alpha}_0 = 1$.")
COSINE_CAP = 0.999  # Nichol & Dhariwal clip β_t at 0.999 (diffusers "squaredcos_cap_v2")
MAX_SHOWN_FACTORS = 12  # longer products are stated, not written out


def _sub(s: Any) -> tuple[str, str, str]:
    """Subscript for text, LaTeX and Typst (``t-1`` -> ``(t−1)`` in text)."""
    s = str(s)
    if len(s) == 1 or s.isdigit():
        return s, s, s
    return f"({s.replace('-', '−')})", s, f"({s})"


def abar(s: Any) -> Sym:
    """The symbol ᾱ_s."""
    tx, lx, ty = _sub(s)
    return Sym(f"abar_{str(s).replace('-', 'm')}", text=f"ᾱ_{tx}", latex=rf"\bar{{\alpha}}_{{{lx}}}",
               typst=f"macron(alpha)_{ty}")


def sym(name: str, tex: str) -> Sym:
    """A symbol spelled in inline-math markup (``x_{t-1}``, ``\\hat{\\epsilon}``), the same in every format."""
    return Sym(name, tex=tex)


def beta(s: Any) -> Sym:
    tx, lx, ty = _sub(s)
    return Sym(f"beta_{str(s).replace('-', 'm')}", text=f"β_{tx}", latex=rf"\beta_{{{lx}}}", typst=f"beta_{ty}")


def alpha(s: Any) -> Sym:
    tx, lx, ty = _sub(s)
    return Sym(f"alpha_{str(s).replace('-', 'm')}", text=f"α_{tx}", latex=rf"\alpha_{{{lx}}}", typst=f"alpha_{ty}")


# ---- the numbers --------------------------------------------------------------------------------------------------
def alpha_bar(betas: Sequence[float], t: int) -> float:
    """ᾱ_t = ∏_{s≤t} (1 − β_s), multiplied left to right; ᾱ_0 = 1."""
    out = 1.0
    for b in betas[:t]:
        out *= 1.0 - b
    return out


def alpha_bar_table(betas: Sequence[float], t: int) -> list[float]:
    """[ᾱ_1, ..., ᾱ_t]."""
    return [alpha_bar(betas, s) for s in range(1, t + 1)]


def linear_betas(beta_1: float, beta_T: float, T: int) -> list[float]:  # noqa: N803 - the paper's names
    """β_s = β_1 + (s − 1)(β_T − β_1)/(T − 1), s = 1..T (DDPM's linear schedule)."""
    if T == 1:
        return [beta_1]
    return [beta_1 + (s - 1) * (beta_T - beta_1) / (T - 1) for s in range(1, T + 1)]


def cosine_f(u: int, T: int, s: float) -> float:  # noqa: N803
    """f(u) = cos²(((u/T + s)/(1 + s))·π/2) (Nichol & Dhariwal)."""
    return math.cos((u / T + s) / (1 + s) * math.pi / 2) ** 2


def cosine_betas(T: int, s: float) -> list[float]:  # noqa: N803
    """β_u = min(1 − f(u)/f(u − 1), 0.999), u = 1..T."""
    return [min(1 - cosine_f(u, T, s) / cosine_f(u - 1, T, s), COSINE_CAP) for u in range(1, T + 1)]


def check_betas(betas: Sequence[float] | None, t: int | None, name: str = "betas") -> None:
    """β_s in (0, 1) and 1 ≤ t ≤ T, or a ParamError naming the parameter."""
    if betas is None:
        raise ParamError(f"missing parameter {name} (the noise schedule β_1..β_T); give it with --set {name}=[...]")
    for s, b in enumerate(betas, 1):
        if not 0 < b < 1:
            raise ParamError(f"{name}: β_{s} = {b} is not allowed; every β_t must lie strictly between 0 and 1")
    if t is not None and not 1 <= t <= len(betas):
        raise ParamError(f"t={t} is not allowed: t runs from 1 to T = {len(betas)} (the length of {name})")


# ---- derivation steps ---------------------------------------------------------------------------------------------
def alpha_bar_step(d: Derivation, betas: Sequence[float], t: int, *, part: str | None = None,
                   title: str | None = None) -> float:
    """Add the step ᾱ_t = (1 − β_1)(1 − β_2)…(1 − β_t) = α_1·α_2·…·α_t = value, with every factor shown."""
    value = alpha_bar(betas, t)
    title = title or rf"Cumulative product $\bar{{\alpha}}_{{{t}}}$"
    if t == 0:
        d.add(title, 1, lhs=abar(0), part=part, note="ᾱ_0 = 1 by convention (the empty product)")
        return 1.0
    if t > MAX_SHOWN_FACTORS:
        d.add(title, value, lhs=abar(t), part=part,
              note=f"the product of the {t} factors (1 − β_s) for s = 1..{t}, e.g. with cumprod")
        return value
    factors: list[Expr] = [paren(1 - beta(s)) for s in range(1, t + 1)]
    formula = Mul(factors) if t > 1 else factors[0]
    subs = {beta(s).name: betas[s - 1] for s in range(1, t + 1)}
    chain = [Mul([Num(1 - b) for b in betas[:t]])] if t > 1 else []
    d.add(title, value, lhs=abar(t), formula=formula, subs=subs, part=part, chain=chain)
    return value


def alpha_step(d: Derivation, betas: Sequence[float], t: int, *, part: str | None = None) -> float:
    """Add α_t = 1 − β_t."""
    return d.add(rf"$\alpha_{{{t}}}$", 1 - betas[t - 1], lhs=alpha(t), formula=1 - beta(t),
                 subs={beta(t).name: betas[t - 1]},
                 part=part)
