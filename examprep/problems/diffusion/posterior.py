"""The forward-process posterior q(x_{t−1} | x_t, x_0) = N(μ̃_t, β̃_t·I), in the x_0 form and the ε form.

Catalog: seed_004 F4 (hand schedule, t = 3, x_0 = 2, x_3 = 0.715586: coefficients 0.513223 and 0.472308,
μ̃ = 1.364423, β̃_3 = 0.169355) and F5 (the ε form agrees); seed_003 §2.11–12 (the notes' index slips).

Parameters:
    x0: x_0 (1–4 numbers). x_t: the noisy sample at step t (same length). betas: β_1..β_T. t: the step (2..T).

Answer parts: ``mu_tilde`` and ``beta_tilde``, final; ``alpha_bar_prev`` (ᾱ_{t−1}), ``alpha_bar`` (ᾱ_t),
``coef_x0``, ``coef_xt`` and ``eps`` (the noise that takes x_0 to x_t), intermediate.

Formulas (DDPM eqs. 6–7): μ̃_t = √ᾱ_{t−1}β_t/(1 − ᾱ_t)·x_0 + √α_t(1 − ᾱ_{t−1})/(1 − ᾱ_t)·x_t
= (1/√α_t)(x_t − β_t/√(1 − ᾱ_t)·ε) with ε = (x_t − √ᾱ_t·x_0)/√(1 − ᾱ_t); β̃_t = (1 − ᾱ_{t−1})/(1 − ᾱ_t)·β_t.

Reference: Bayes' rule for the two Gaussians q(x_{t−1} | x_0) and q(x_t | x_{t−1}) (precisions add), in torch
(examprep.reference.diffusion:posterior).

Common mistakes: ᾱ_t and ᾱ_{t−1} swapped; √ᾱ_t in the x_0 coefficient; α_t without its square root; the notes'
β̃ with (1 − α_t) in the denominator; the notes' ε form with 1/√ᾱ_t in front.

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
    abar,
    alpha,
    alpha_bar,
    alpha_bar_step,
    alpha_step,
    beta,
    check_betas,
    sym,
)
from examprep.solver.expr import Sym, paren, sqrt
from examprep.solver.step import Derivation

X0, XT, EPS = sym("x0", "x_0"), Sym("x_t"), Sym("epsilon")
A, AB, ABP, B = alpha("t"), abar("t"), abar("t-1"), beta("t")


def posterior(x0: np.ndarray, xt: np.ndarray, a: float, ab: float, abp: float, b: float,
              x0_coef_abar: float | None = None, xt_coef_alpha: float | None = None,
              given: Answers | None = None) -> dict[str, Any]:
    """Coefficients, μ̃ and β̃ (x_0 form); the optional overrides let a mistake use a wrong factor; ``given`` holds
    the student's earlier values (error carried forward)."""
    c0 = carry(given, "coef_x0", math.sqrt(abp if x0_coef_abar is None else x0_coef_abar) * b / (1 - ab))
    ct = carry(given, "coef_xt", (math.sqrt(a) if xt_coef_alpha is None else xt_coef_alpha) * (1 - abp) / (1 - ab))
    return {"coef_x0": c0, "coef_xt": ct, "mu_tilde": (c0 * x0 + ct * xt).tolist(),
            "beta_tilde": (1 - abp) / (1 - ab) * b}


class Posterior(ProblemType):
    id = "diffusion/posterior-v1"
    title = "Diffusion posterior q(x_{t−1} | x_t, x_0)"
    catalog = "seed_004 F4, F5; seed_003 C12, §2.11–12"
    reference_entry = "examprep.reference.diffusion:posterior"
    params = (
        Param("x0", "vector", "x_0, the clean data", lo=-100, hi=100),
        Param("x_t", "vector", "x_t, the noisy sample at step t (same length as x0)", lo=-100, hi=100),
        Param("betas", "vector", "the noise schedule β_1..β_T, each in (0, 1)", lo=0, hi=1),
        Param("t", "int", "the step t (2..T)", lo=1, hi=10000),
    )
    parts = (
        Part("alpha_bar_prev", "ᾱ_{t−1}", "real", final=False),
        Part("alpha_bar", "ᾱ_t", "real", final=False),
        Part("coef_x0", "coefficient of x_0 in μ̃_t", "real", final=False, uses=("alpha_bar_prev", "alpha_bar")),
        Part("coef_xt", "coefficient of x_t in μ̃_t", "real", final=False, uses=("alpha_bar_prev", "alpha_bar")),
        Part("eps", "the noise ε with x_t = √ᾱ_t·x_0 + √(1 − ᾱ_t)·ε", "vector", final=False, uses=("alpha_bar",)),
        Part("mu_tilde", "posterior mean μ̃_t", "vector", uses=("coef_x0", "coef_xt")),
        Part("beta_tilde", "posterior variance β̃_t", "real", uses=("alpha_bar_prev", "alpha_bar")),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n = draws.dim(rng, difficulty)
        b = draws.betas(rng, difficulty)
        return dict(x0=draws.data(rng, difficulty, n), x_t=draws.data(rng, difficulty, n), betas=b,
                    t=int(rng.integers(2, len(b) + 1)))

    def check(self, p: Params) -> list[str]:
        check_betas(p.betas, p.t)
        if p.t < 2:
            raise ParamError("t=1 is not allowed: the posterior needs t ≥ 2 (at t = 1, ᾱ_0 = 1 gives β̃_1 = 0 and "
                             "μ̃_1 = x_0)")
        if len(p.x_t) != len(p.x0):
            raise ParamError(f"x_t has {len(p.x_t)} entries but x0 has {len(p.x0)}: they must have the same length")
        return []

    def degenerate(self, p: Params) -> str | None:
        return draws.near_zero(self.solve(p), ("mu_tilde", "eps"))

    def statement(self, p: Params) -> list[Any]:
        return [r"A diffusion model has the noise schedule $\beta = (\beta_1, \ldots, \beta_T)$ = ",
                p.betas, f" ($T = {len(p.betas)}$). For "
                f"$t = {p.t}$, $x_0$ = ", p.x0, f" and $x_{{{p.t}}}$ = ", p.x_t,
                r", compute the mean $\tilde{\mu}_t$ and the variance $\tilde{\beta}_t$ of the posterior "
                r"$q(x_{t-1} \mid x_t, x_0) = N(\tilde{\mu}_t, \tilde{\beta}_t \cdot I)$: "
                r"$\tilde{\mu}_t = \frac{\sqrt{\bar{\alpha}_{t-1}} \beta_t}{1 - \bar{\alpha}_t} \cdot x_0 + "
                r"\frac{\sqrt{\alpha_t} (1 - \bar{\alpha}_{t-1})}{1 - \bar{\alpha}_t} \cdot x_t$ and "
                r"$\tilde{\beta}_t = \frac{1 - \bar{\alpha}_{t-1}}{1 - \bar{\alpha}_t} \cdot \beta_t$. Check "
                r"$\tilde{\mu}_t$ with the $\epsilon$ form $\frac{1}{\sqrt{\alpha_t}} (x_t - \frac{\beta_t}"
                r"{\sqrt{1 - \bar{\alpha}_t}} \cdot \epsilon)$, where $\epsilon$ is the noise with "
                r"$x_t = \sqrt{\bar{\alpha}_t} \cdot x_0 + \sqrt{1 - \bar{\alpha}_t} \cdot \epsilon$. ",
                CONVENTIONS]

    def _schedule(self, p: Params) -> tuple[float, float, float, float]:
        b = p.betas[p.t - 1]
        return 1 - b, alpha_bar(p.betas, p.t), alpha_bar(p.betas, p.t - 1), b

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        x0, xt = draws.vec(p.x0), draws.vec(p.x_t)
        a, ab, abp, b = self._schedule(p)
        ab, abp = carry(given, "alpha_bar", ab), carry(given, "alpha_bar_prev", abp)
        out = posterior(x0, xt, a, ab, abp, b, given=given)
        eps = (xt - math.sqrt(ab) * x0) / math.sqrt(1 - ab)
        return {"alpha_bar_prev": abp, "alpha_bar": ab, **out, "eps": eps.tolist()}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        a, ab, abp, b = self._schedule(p)
        d = Derivation()
        alpha_step(d, p.betas, p.t)
        alpha_bar_step(d, p.betas, p.t - 1, part="alpha_bar_prev")
        alpha_bar_step(d, p.betas, p.t, part="alpha_bar")
        subs = {A: a, AB: ab, ABP: abp, B: b, "x0": p.x0, "x_t": p.x_t, "epsilon": ans["eps"]}
        c0, ct = sqrt(ABP) * B / paren(1 - AB), sqrt(A) * paren(1 - ABP) / paren(1 - AB)
        d.add("Coefficient of $x_0$", ans["coef_x0"], formula=c0, subs=subs, part="coef_x0")
        d.add("Coefficient of $x_t$", ans["coef_xt"], formula=ct, subs=subs, part="coef_xt")
        mu = r"\tilde{\mu}_t"
        d.add("Posterior mean ($x_0$ form)", ans["mu_tilde"], lhs=mu, formula=c0 * X0 + ct * XT, subs=subs,
              part="mu_tilde", chain=[ans["coef_x0"] * X0.subs(subs) + ans["coef_xt"] * XT.subs(subs)])
        d.add("The noise in $x_t$", ans["eps"], lhs=EPS, formula=paren(XT - sqrt(AB) * X0) / sqrt(1 - AB), subs=subs,
              part="eps")
        eps_form = (1 / sqrt(A)) * paren(XT - B / sqrt(1 - AB) * EPS)
        d.add(r"Posterior mean ($\epsilon$ form)", self._eps_form(p, ans), lhs=mu, formula=eps_form, subs=subs,
              part="mu_tilde", note=r"the same $\tilde{\mu}_t$ as the $x_0$ form")
        d.add("Posterior variance", ans["beta_tilde"], lhs=r"\tilde{\beta}_t",
              formula=paren(1 - ABP) / paren(1 - AB) * B, subs=subs, part="beta_tilde")
        d.answer = (rf"$\tilde{{\mu}}_{{{p.t}}} = {draws.show(ans['mu_tilde'])}$, "
                    rf"$\tilde{{\beta}}_{{{p.t}}} = {draws.show(ans['beta_tilde'])}$")
        return d

    def _eps_form(self, p: Params, ans: Answers) -> list[float]:
        a, ab, _, b = self._schedule(p)
        return ((draws.vec(p.x_t) - b / math.sqrt(1 - ab) * draws.vec(ans["eps"])) / math.sqrt(a)).tolist()

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        x0, xt = draws.vec(p.x0), draws.vec(p.x_t)
        a, ab, abp, b = self._schedule(p)
        truth = self.solve(p)
        eps = draws.vec(truth["eps"])
        m = {
            "alpha_bars_swapped": Mistake(posterior(x0, xt, a, abp, ab, b),
                                          "ᾱ_{t−1} goes in the numerators and ᾱ_t in the denominators; you swapped "
                                          "them."),
            "abar_t_in_x0_coef": Mistake(posterior(x0, xt, a, ab, abp, b, x0_coef_abar=ab),
                                         "The x_0 coefficient has √ᾱ_{t−1}, not √ᾱ_t."),
            "alpha_no_sqrt": Mistake(posterior(x0, xt, a, ab, abp, b, xt_coef_alpha=a),
                                     "The x_t coefficient has √α_t, not α_t."),
            "beta_tilde_one_minus_alpha": Mistake({"beta_tilde": (1 - abp) / (1 - a) * b},
                                                  r"$\tilde{\beta}_t = \frac{1 - \bar{\alpha}_{t-1}}"
                                                  r"{1 - \bar{\alpha}_t} \cdot \beta_t$: the denominator is "
                                                  r"$1 - \bar{\alpha}_t$, not $1 - \alpha_t$ (this step's $\alpha$, "
                                                  r"not the cumulative one)."),
            "eps_form_alpha_bar": Mistake({"mu_tilde": ((xt - b / math.sqrt(1 - ab) * eps) / math.sqrt(ab)).tolist()},
                                          r"The $\epsilon$ form starts with $1/\sqrt{\alpha_t}$, not "
                                          r"$1/\sqrt{\bar{\alpha}_t}$."),
        }
        return draws.applicable(truth, m)
