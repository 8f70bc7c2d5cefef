"""The forward process in closed form: q(x_t | x_0) = N(√ᾱ_t·x_0, (1 − ᾱ_t)·I) and the sample x_t.

Catalog: seed_003 C11; seed_002 K2 (the notes' typo √α_t for √ᾱ_t); seed_004 F2 (x_0 = 2, ε = −1, t = 3 gives
0.715586 on the hand schedule).

Parameters:
    x0: the clean data x_0 (1–4 numbers). betas: the schedule β_1..β_T. t: the step (1..T). eps: the noise ε.

Answer parts: ``x_t`` (final); ``alpha_bar`` (ᾱ_t), ``mean`` (√ᾱ_t·x_0) and ``std`` (√(1 − ᾱ_t)), intermediate.

Conventions stated in the prompt: t runs 1..T; α_t = 1 − β_t; ᾱ_t = ∏_{s≤t} α_s, ᾱ_0 = 1;
x_t = √ᾱ_t·x_0 + √(1 − ᾱ_t)·ε with the given ε.

Reference: torch.cumprod for ᾱ, then torch.distributions.Normal(√ᾱ·x_0, √(1−ᾱ)) reparameterised with ε
(examprep.reference.diffusion:forward_closed_form).

Common mistakes: α_t used for ᾱ_t; β_t used for 1 − ᾱ_t; the square roots dropped (variance used as the std);
ᾱ = 1 − Σβ; ᾱ_{t−1} for ᾱ_t (off by one).

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
from examprep.problems.diffusion.schedule import CONVENTIONS, abar, alpha_bar, alpha_bar_step, check_betas, sym
from examprep.solver.expr import Sym, sqrt
from examprep.solver.step import Derivation

X0, EPS = sym("x0", "x_0"), Sym("epsilon")


def closed_form(x0: np.ndarray, eps: np.ndarray, ab: float, given: Answers | None = None) -> dict[str, Any]:
    """All parts for a given value of ᾱ (so each mistake is the same procedure with the wrong ᾱ); ``given`` holds
    the student's earlier values (error carried forward)."""
    ab = carry(given, "alpha_bar", ab)
    mean = carry(given, "mean", math.sqrt(ab) * x0)
    std = carry(given, "std", math.sqrt(1 - ab))
    return {"alpha_bar": ab, "mean": mean.tolist(), "std": std, "x_t": (mean + std * eps).tolist()}


class ForwardClosedForm(ProblemType):
    id = "diffusion/forward_closed_form-v1"
    title = "Diffusion forward process in closed form q(x_t | x_0)"
    catalog = "seed_003 C11; seed_002 K2; seed_004 F2"
    reference_entry = "examprep.reference.diffusion:forward_closed_form"
    params = (
        Param("x0", "vector", "x_0, the clean data", lo=-100, hi=100),
        Param("betas", "vector", "the noise schedule β_1..β_T, each in (0, 1)", lo=0, hi=1),
        Param("t", "int", "the step t (1..T)", lo=1, hi=10000),
        Param("eps", "vector", "ε, the given standard normal noise draw (same length as x0)", lo=-10, hi=10),
    )
    parts = (
        Part("alpha_bar", "ᾱ_t", "real", final=False),
        Part("mean", "mean √ᾱ_t·x_0 of q(x_t | x_0)", "vector", final=False, uses=("alpha_bar",)),
        Part("std", "standard deviation √(1 − ᾱ_t) of q(x_t | x_0)", "real", final=False, uses=("alpha_bar",)),
        Part("x_t", "the sample x_t", "vector", uses=("mean", "std")),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n = draws.dim(rng, difficulty)
        b = draws.betas(rng, difficulty)
        lo = 1 if difficulty == "hard" else 2
        return dict(x0=draws.data(rng, difficulty, n), betas=b, t=int(rng.integers(lo, len(b) + 1)),
                    eps=draws.noise(rng, difficulty, n))

    def check(self, p: Params) -> list[str]:
        check_betas(p.betas, p.t)
        if len(p.eps) != len(p.x0):
            raise ParamError(f"eps has {len(p.eps)} entries but x0 has {len(p.x0)}: give one noise value per "
                             "coordinate")
        return []

    def degenerate(self, p: Params) -> str | None:
        return draws.near_zero(self.solve(p), ("mean", "x_t"))

    def statement(self, p: Params) -> list[Any]:
        return [r"A diffusion model has the noise schedule $\beta = (\beta_1, \ldots, \beta_T)$ = ",
                p.betas, f" ($T = {len(p.betas)}$). "
                "Given $x_0$ = ", p.x0, rf", $t = {p.t}$ and the noise draw $\epsilon$ = ", p.eps,
                r", sample $x_t$ directly from $q(x_t \mid x_0) = N(\sqrt{\bar{\alpha}_t} \cdot x_0, "
                r"(1 - \bar{\alpha}_t) \cdot I)$, i.e. $x_t = \sqrt{\bar{\alpha}_t} \cdot x_0 + "
                r"\sqrt{1 - \bar{\alpha}_t} \cdot \epsilon$. Also give $\bar{\alpha}_t$, the mean and the standard "
                r"deviation of $q(x_t \mid x_0)$. ", CONVENTIONS]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return closed_form(draws.vec(p.x0), draws.vec(p.eps), alpha_bar(p.betas, p.t), given)

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        ab = alpha_bar_step(d, p.betas, p.t, part="alpha_bar")
        A = abar("t")  # noqa: N806
        subs = {A: ab, "x0": p.x0, "epsilon": p.eps}
        d.add("Mean", ans["mean"], lhs=r"\mu", formula=sqrt(A) * X0, subs=subs, part="mean")
        d.add("Standard deviation", ans["std"], lhs=r"\sigma", formula=sqrt(1 - A), subs=subs, part="std",
              note=rf"the variance is $1 - \bar{{\alpha}}_t = {1 - ab:.6g}$; the noise is scaled by its square root")
        d.add("Sample", ans["x_t"], lhs="x_t", formula=sqrt(A) * X0 + sqrt(1 - A) * EPS, subs=subs, part="x_t")
        d.answer = f"x_{p.t} = {draws.show(ans['x_t'])}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        x0, e, t, b = draws.vec(p.x0), draws.vec(p.eps), p.t, p.betas
        ab = alpha_bar(b, t)
        no_roots = {"mean": (ab * x0).tolist(), "std": 1 - ab, "x_t": (ab * x0 + (1 - ab) * e).tolist()}
        beta_var = math.sqrt(ab) * x0 + math.sqrt(b[t - 1]) * e
        m = {
            "alpha_for_alpha_bar": Mistake(closed_form(x0, e, 1 - b[t - 1]),
                                           r"Use $\bar{\alpha}_t$ (the product of "
                                           r"$\alpha_1, \ldots, \alpha_t$), not $\alpha_t$ of the last step alone."),
            "beta_for_one_minus_alpha_bar": Mistake(
                {"std": math.sqrt(b[t - 1]), "x_t": beta_var.tolist()},
                r"The noise variance of $q(x_t \mid x_0)$ is $1 - \bar{\alpha}_t$ (all steps' noise), not $\beta_t$."),
            "square_roots_dropped": Mistake(
                no_roots, r"$x_t = \sqrt{\bar{\alpha}_t} \cdot x_0 + \sqrt{1 - \bar{\alpha}_t} \cdot \epsilon$: both "
                          r"coefficients are square roots ($1 - \bar{\alpha}_t$ is the variance, not the std)."),
            "one_minus_sum": Mistake(closed_form(x0, e, 1 - sum(b[:t])) if sum(b[:t]) < 1 else {},
                                     r"$\bar{\alpha}_t = \prod_s (1 - \beta_s)$ is a product, not "
                                     r"$1 - \sum_s \beta_s$."),
            "off_by_one": Mistake(closed_form(x0, e, alpha_bar(b, t - 1)) if t > 1 else {},
                                  rf"That uses $\bar{{\alpha}}_{{{t - 1}}}$: $\bar{{\alpha}}_t$ includes $\alpha_t$ of "
                                  "step $t$."),
        }
        return draws.applicable(self.solve(p), {k: v for k, v in m.items() if v.answers})
