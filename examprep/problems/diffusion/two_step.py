"""Two forward steps composed: x_1 and x_2 step by step, and the equivalent single step q(x_2 | x_0).

Catalog: seed_004 F3 (x_0 = 2, β = (0.1, 0.2), ε_1 = 0.5, ε_2 = −1 give x_1 = 2.055480, x_2 = 1.391264, mean
1.697056, variance 0.28); seed_002 K2 (variance 1 − α_1α_2 = 0.28 = 1 − ᾱ_2).

Parameters:
    x0: x_0 (1–4 numbers). beta_1, beta_2: the first two β's. eps_1, eps_2: the noise draws of steps 1 and 2.

Answer parts: ``x_2``, ``mean`` (√(α_1α_2)·x_0) and ``var`` (α_2β_1 + β_2 = 1 − α_1α_2), final; ``x_1``,
intermediate.

Conventions stated in the prompt: α_t = 1 − β_t; x_t = √α_t·x_{t−1} + √β_t·ε_t.

Reference: the chain run step by step in torch, and the marginal's moments propagated through the two linear
Gaussian steps (mean ← √α·mean, var ← α·var + β) (examprep.reference.diffusion:two_step).

Common mistakes: adding the standard deviations; forgetting the α_2 factor on β_1; skipping step 1 (x_2 from x_0).

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
from examprep.problems.diffusion.schedule import CONVENTIONS, alpha, beta, sym
from examprep.solver.expr import Num, Sym, sqrt
from examprep.solver.step import Derivation

X0, X1 = sym("x0", "x_0"), sym("x1", "x_1")
E1, E2 = Sym("epsilon_1"), Sym("epsilon_2")
A1, A2, B1, B2 = alpha(1), alpha(2), beta(1), beta(2)


class TwoStep(ProblemType):
    id = "diffusion/two_step-v1"
    title = "Two forward diffusion steps and their single-step equivalent"
    catalog = "seed_004 F3; seed_002 K2"
    reference_entry = "examprep.reference.diffusion:two_step"
    params = (
        Param("x0", "vector", "x_0, the clean data", lo=-100, hi=100),
        Param("beta_1", "real", "β_1, the noise variance of step 1, in (0, 1)", lo=0, hi=1),
        Param("beta_2", "real", "β_2, the noise variance of step 2, in (0, 1)", lo=0, hi=1),
        Param("eps_1", "vector", "ε_1, the noise draw of step 1 (same length as x0)", lo=-10, hi=10),
        Param("eps_2", "vector", "ε_2, the noise draw of step 2 (same length as x0)", lo=-10, hi=10),
    )
    parts = (
        Part("x_1", "x_1", "vector", final=False),
        Part("x_2", "x_2", "vector", uses=("x_1",)),
        Part("mean", "mean of q(x_2 | x_0)", "vector"),
        Part("var", "variance of q(x_2 | x_0) (per coordinate)", "real"),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n = draws.dim(rng, difficulty)
        b1, b2 = draws.betas(rng, difficulty, 2)
        return dict(x0=draws.data(rng, difficulty, n), beta_1=b1, beta_2=b2, eps_1=draws.noise(rng, difficulty, n),
                    eps_2=draws.noise(rng, difficulty, n))

    def check(self, p: Params) -> list[str]:
        for name in ("beta_1", "beta_2"):
            if not 0 < p[name] < 1:
                raise ParamError(f"{name}={p[name]} is not allowed: β must lie strictly between 0 and 1")
        for name in ("eps_1", "eps_2"):
            if len(p[name]) != len(p.x0):
                raise ParamError(f"{name} has {len(p[name])} entries but x0 has {len(p.x0)}: give one noise value "
                                 "per coordinate")
        return []

    def degenerate(self, p: Params) -> str | None:
        return draws.near_zero(self.solve(p), ("x_1", "x_2", "mean"))

    def statement(self, p: Params) -> list[Any]:
        return [r"Two forward diffusion steps $x_t = \sqrt{\alpha_t} \cdot x_{t-1} + \sqrt{\beta_t} \cdot "
                r"\epsilon_t$ are applied to $x_0$ = ", p.x0,
                rf" with $\beta_1 = {p.beta_1}$, $\beta_2 = {p.beta_2}$ and the noise draws $\epsilon_1$ = ", p.eps_1,
                r", $\epsilon_2$ = ", p.eps_2, ". Compute $x_1$ and $x_2$. Then give the mean and the variance of the "
                r"single Gaussian $q(x_2 \mid x_0)$ that the two steps compose to. ", CONVENTIONS]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        x0, e1, e2 = draws.vec(p.x0), draws.vec(p.eps_1), draws.vec(p.eps_2)
        a1, a2 = 1 - p.beta_1, 1 - p.beta_2
        x1 = carry(given, "x_1", math.sqrt(a1) * x0 + math.sqrt(p.beta_1) * e1)
        x2 = math.sqrt(a2) * x1 + math.sqrt(p.beta_2) * e2
        return {"x_1": x1.tolist(), "x_2": x2.tolist(), "mean": (math.sqrt(a1 * a2) * x0).tolist(),
                "var": a2 * p.beta_1 + p.beta_2}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        a1, a2 = 1 - p.beta_1, 1 - p.beta_2
        d = Derivation()
        subs = {"beta_1": p.beta_1, "beta_2": p.beta_2, "x0": p.x0, "epsilon_1": p.eps_1, "epsilon_2": p.eps_2,
                "alpha_1": a1, "alpha_2": a2, "x1": ans["x_1"]}
        d.add(r"$\alpha_1$", a1, lhs=A1, formula=1 - B1, subs=subs)
        d.add(r"$\alpha_2$", a2, lhs=A2, formula=1 - B2, subs=subs)
        d.add("Step 1", ans["x_1"], lhs=X1, formula=sqrt(A1) * X0 + sqrt(B1) * E1, subs=subs, part="x_1")
        d.add("Step 2", ans["x_2"], lhs="x_2", formula=sqrt(A2) * X1 + sqrt(B2) * E2, subs=subs, part="x_2",
              note="x_2 = √(α_1α_2)·x_0 + √α_2·√β_1·ε_1 + √β_2·ε_2: a Gaussian in x_0 plus independent noise")
        d.add(r"Mean of $q(x_2 \mid x_0)$", ans["mean"], lhs=r"\mu", formula=sqrt(A1 * A2) * X0, subs=subs, part="mean",
              note="ᾱ_2 = α_1α_2")
        d.add(r"Variance of $q(x_2 \mid x_0)$", ans["var"], lhs=r"\sigma^2", formula=A2 * B1 + B2, subs=subs,
              part="var",
              chain=[1 - Num(a1) * Num(a2)],
              note="independent noises add their variances (not their standard deviations): α_2β_1 + β_2 = "
                   "1 − α_1α_2 = 1 − ᾱ_2")
        d.answer = (f"x_2 = {draws.show(ans['x_2'])}; q(x_2 | x_0) = N({draws.show(ans['mean'])}, "
                    f"{draws.show(ans['var'])})")
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        x0, e2 = draws.vec(p.x0), draws.vec(p.eps_2)
        a2 = 1 - p.beta_2
        m = {
            "stds_added": Mistake({"var": (math.sqrt(a2 * p.beta_1) + math.sqrt(p.beta_2)) ** 2},
                                  "Independent noises add their variances, not their standard deviations."),
            "alpha_2_forgotten": Mistake({"var": p.beta_1 + p.beta_2},
                                         "Step 2 scales the step-1 noise by √α_2, so its variance becomes α_2β_1."),
            "step_1_skipped": Mistake({"x_2": (math.sqrt(a2) * x0 + math.sqrt(p.beta_2) * e2).tolist()},
                                      "Step 2 starts from x_1, not from x_0."),
        }
        return draws.applicable(self.solve(p), m)
