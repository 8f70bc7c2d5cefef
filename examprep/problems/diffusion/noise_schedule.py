"""Noise schedule: α_t and ᾱ_t from a list of β's or from a named schedule (linear or cosine).

Catalog: seed_004 F1 (ᾱ table) and F11 (cosine schedule); seed_003 C11 (steps); seed_002 K2.

Parameters:
    betas: the schedule β_1..β_T as a list; or
    schedule: ``linear`` (with beta_1, beta_T, T) or ``cosine`` (with T, s) instead of betas.
    t: the step asked about (1..T).

Answer parts: ``alpha`` (α_t) and ``alpha_bar`` (ᾱ_t), final; ``beta`` (β_t) and ``alpha_bar_table``
([ᾱ_1..ᾱ_t]), intermediate.

Conventions stated in the prompt: t runs 1..T; α_t = 1 − β_t; ᾱ_t = ∏_{s≤t} α_s, ᾱ_0 = 1. Linear:
β_s = β_1 + (s−1)(β_T − β_1)/(T − 1). Cosine (Nichol & Dhariwal): f(u) = cos²(((u/T + s)/(1 + s))·π/2),
β_u = min(1 − f(u)/f(u−1), 0.999) (so β_T = 0.999 always).

Reference: torch.cumprod over the schedule built in torch (examprep.reference.diffusion:noise_schedule).

Common mistakes: ᾱ = 1 − Σβ; multiplying the β's; ᾱ_{t−1} for ᾱ_t (off by one); α confused with β.

Versions: v1 — first version.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.diffusion import draws
from examprep.problems.diffusion.schedule import (
    CONVENTIONS,
    alpha_bar_step,
    alpha_bar_table,
    alpha_step,
    beta,
    check_betas,
    cosine_betas,
    linear_betas,
    sym,
)
from examprep.solver.expr import Expr, Func, Num, Sym, paren
from examprep.solver.step import Derivation


def schedule_statement(p: Params) -> list[Any]:
    """The statement's sentence that gives the noise schedule: linear, cosine, or the βs themselves."""
    if p.schedule == "linear":
        return [rf"A diffusion model uses the linear schedule with $T = {p.T}$, $\beta_1 = {p.beta_1}$, "
                rf"$\beta_T = {p.beta_T}$: $\beta_s = \beta_1 + (s - 1) (\beta_T - \beta_1)/(T - 1)$. "]
    if p.schedule == "cosine":
        return [rf"A diffusion model uses the cosine schedule with $T = {p.T}$ and $s = {p.s}$: "
                r"$f(u) = \cos^2(\frac{u/T + s}{1 + s} \cdot \frac{\pi}{2})$ and "
                r"$\beta_u = \min(1 - f(u)/f(u - 1), 0.999)$. "]
    return [r"A diffusion model has the noise schedule $\beta = (\beta_1, \ldots, \beta_T)$ = ", list(p.betas),
            f" ($T = {len(p.betas)}$). "]


class Pi(Expr):
    """The constant π (evaluates exactly)."""

    def _render(self, fmt: str) -> str:
        return {"text": "π", "latex": r"\pi", "typst": "pi"}[fmt]

    def _sympy(self) -> Any:
        import sympy

        return sympy.pi

    def _subs(self, table: dict[str, Expr]) -> Expr:
        return self


def betas_of(p: Params) -> list[float]:
    """The schedule's β_1..β_T, whichever way it was given."""
    if p.schedule == "linear":
        return linear_betas(p.beta_1, p.beta_T, p.T)
    if p.schedule == "cosine":
        return cosine_betas(p.T, p.s)
    return list(p.betas)


TABLE = sym("abar_table", r"(\bar{\alpha}_1, \dots, \bar{\alpha}_t)")


class NoiseSchedule(ProblemType):
    id = "diffusion/noise_schedule-v1"
    title = "Noise schedule: α_t and ᾱ_t"
    catalog = "seed_004 F1, F11; seed_003 C11; seed_002 K2"
    reference_entry = "examprep.reference.diffusion:noise_schedule"
    params = (
        Param("betas", "vector", "the noise schedule β_1..β_T (or give schedule=linear|cosine)", lo=0, hi=1,
              optional=True),
        Param("schedule", "choice", "a named schedule instead of betas", choices=("linear", "cosine"),
              optional=True),
        Param("beta_1", "real", "first β of the linear schedule", lo=0, hi=1, optional=True),
        Param("beta_T", "real", "last β of the linear schedule", lo=0, hi=1, optional=True),
        Param("T", "int", "number of steps of the named schedule", lo=1, hi=10000, optional=True),
        Param("s", "real", "offset of the cosine schedule (Nichol & Dhariwal: 0.008)", lo=0, hi=1, optional=True),
        Param("t", "int", "the step t (1..T)", lo=1, hi=10000),
    )
    parts = (
        Part("beta", "β_t", "real", final=False),
        Part("alpha", "α_t", "real", uses=("beta",)),
        Part("alpha_bar_table", "ᾱ_1, ..., ᾱ_t", "vector", final=False, uses=("alpha",)),
        Part("alpha_bar", "ᾱ_t", "real", uses=("alpha_bar_table",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        if difficulty == "easy" or (difficulty == "medium" and rng.random() < 0.5):
            b = draws.betas(rng, difficulty)
            return dict(betas=b, t=int(rng.integers(2, len(b) + 1)))
        if difficulty == "medium" or rng.random() < 0.5:
            T = int(rng.integers(3, 7))  # noqa: N806
            b1 = draws.pick(rng, (0.05, 0.1, 0.2))
            bT = draws.pick(rng, (0.3, 0.4, 0.5, 0.6))  # noqa: N806
            return dict(schedule="linear", beta_1=b1, beta_T=bT, T=T, t=int(rng.integers(2, T + 1)))
        T = int(rng.integers(3, 7))  # noqa: N806
        return dict(schedule="cosine", T=T, s=draws.pick(rng, (0.008, 0.01, 0.05, 0.1)),
                    t=int(rng.integers(1, T + 1)))

    def check(self, p: Params) -> list[str]:
        if p.schedule is None:
            if p.betas is None:
                raise ParamError("missing parameter betas (the noise schedule β_1..β_T): give --set betas=[...], "
                                 "or a named schedule with --set schedule=linear|cosine")
            check_betas(p.betas, p.t)
            return []
        if p.betas is not None:
            raise ParamError("give either betas or a named schedule (schedule=linear|cosine), not both")
        need = ("beta_1", "beta_T", "T") if p.schedule == "linear" else ("T", "s")
        for name in need:
            if p[name] is None:
                hint = " (Nichol & Dhariwal use s = 0.008)" if name == "s" else ""
                raise ParamError(f"missing parameter {name}: the {p.schedule} schedule needs "
                                 f"{', '.join(need)}{hint}; give it with --set {name}=...")
        if p.schedule == "linear":
            if p.T < 2:
                raise ParamError(f"T={p.T}: the linear schedule needs T ≥ 2")
            for name in ("beta_1", "beta_T"):
                if not 0 < p[name] < 1:
                    raise ParamError(f"{name}={p[name]} is not allowed: β must lie strictly between 0 and 1")
        if not 1 <= p.t <= p.T:
            raise ParamError(f"t={p.t} is not allowed: t runs from 1 to T = {p.T}")
        return []

    def statement(self, p: Params) -> list[Any]:
        return [*schedule_statement(p), rf"Compute $\alpha_{{{p.t}}}$ and $\bar{{\alpha}}_{{{p.t}}}$ (show "
                        rf"$\bar{{\alpha}}_1, \ldots, \bar{{\alpha}}_{{{p.t}}}$ on the way). ", CONVENTIONS]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        b = betas_of(p)
        beta_t = carry(given, "beta", b[p.t - 1])
        alpha_t = carry(given, "alpha", 1 - beta_t)
        table = alpha_bar_table(b, p.t)
        if given and "alpha" in given:  # error carried forward: ᾱ_t = ᾱ_{t−1}·α_t with the student's α_t
            table[-1] = (table[-2] if p.t > 1 else 1.0) * alpha_t
        table = carry(given, "alpha_bar_table", table)
        return {"beta": beta_t, "alpha": alpha_t, "alpha_bar_table": table,
                "alpha_bar": carry(given, "alpha_bar", table[-1])}

    def derivation(self, p: Params) -> Derivation:
        b = betas_of(p)
        d = Derivation()
        t = p.t
        if p.schedule == "linear":
            b1, bT, T = Sym("beta_1"), Sym("beta_T"), Sym("T")  # noqa: N806
            f = b1 + paren(Sym("t") - 1) * paren(bT - b1) / paren(T - 1)
            if t > 1:
                d.add(r"$\beta_s$ for $s = 1, \ldots, t$", b[:t], lhs=r"\beta",
                      note=r"$\beta_s = \beta_1 + (s - 1)(\beta_T - \beta_1)/(T - 1)$")
            d.add(rf"$\beta_{{{t}}}$", b[t - 1], lhs=beta(t), formula=f,
                  subs={"beta_1": p.beta_1, "beta_T": p.beta_T, "T": p.T, "t": t}, part="beta")
        elif p.schedule == "cosine":
            for u in range(1, t + 1):
                fu = Func("cos", paren((Num(u) / p.T + p.s) / paren(1 + Num(p.s))) * Pi() / 2) ** 2
                fp = Func("cos", paren((Num(u - 1) / p.T + p.s) / paren(1 + Num(p.s))) * Pi() / 2) ** 2
                expr = Func("min", 1 - fu / fp, Num(0.999))
                d.add(rf"$\beta_{{{u}}}$", b[u - 1], lhs=beta(u), substituted=expr, part="beta" if u == t else None,
                      note="capped at 0.999" if b[u - 1] == 0.999 else None)
        else:
            d.add(rf"$\beta_{{{t}}}$", b[t - 1], lhs=beta(t), note="read off the schedule", part="beta")
        alpha_step(d, b, t, part="alpha")
        for s in range(1, t):
            alpha_bar_step(d, b, s)
        alpha_bar_step(d, b, t, part="alpha_bar")
        d.add("Table", alpha_bar_table(b, t), lhs=TABLE, part="alpha_bar_table")  # after the step computing ᾱ_t
        d.answer = f"α_{t} = {draws.show(1 - b[t - 1])}, ᾱ_{t} = {draws.show(self.solve(p)['alpha_bar'])}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        b = betas_of(p)
        t = p.t
        truth = self.solve(p)
        m = {
            "alpha_is_beta": Mistake({"alpha": b[t - 1]}, "α_t = 1 − β_t: you gave β_t."),
            "product_of_betas": Mistake(
                {"alpha_bar_table": [math.prod(b[:s]) for s in range(1, t + 1)], "alpha_bar": math.prod(b[:t])},
                "ᾱ_t is the product of the α's (1 − β_s), not of the β's."),
            "one_minus_sum": Mistake(
                {"alpha_bar_table": [1 - sum(b[:s]) for s in range(1, t + 1)], "alpha_bar": 1 - sum(b[:t])},
                "ᾱ_t = ∏(1 − β_s) is a product; 1 − Σβ_s is only its first-order approximation."),
            "off_by_one": Mistake({"alpha_bar": truth["alpha_bar_table"][t - 2] if t > 1 else 1.0},
                                  f"That is ᾱ_{t - 1}: ᾱ_t includes the factor α_t = 1 − β_t of step t itself."),
        }
        return draws.applicable(truth, m)
