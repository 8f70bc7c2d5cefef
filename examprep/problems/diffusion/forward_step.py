"""One forward (noising) step: q(x_t | x_{t−1}) = N(√(1 − β_t)·x_{t−1}, β_t·I) and the sample x_t.

Catalog: seed_003 C10 and §1.4 (the notes' example: x_{T−1} = 1, β = ε = 0.5 gives 1.060660, not the notes' 0.911);
seed_002 K1; seed_004 F2 (line 2239).

Parameters:
    x_prev: x_{t−1} (a vector of 1–4 numbers). beta_t: β_t in (0, 1). eps: the given noise draw ε (same length).

Answer parts: ``x_t`` (final); ``mean`` (√(1−β_t)·x_{t−1}) and ``var`` (β_t), intermediate.

Conventions stated in the prompt: α_t = 1 − β_t; x_t = √(1−β_t)·x_{t−1} + √β_t·ε with the given ε.

Reference: torch.distributions.Normal(√α_t·x_{t−1}, √β_t) read off (mean, variance) and reparameterised with ε
(examprep.reference.diffusion:forward_step).

Common mistakes: β_t instead of √β_t as the noise scale; the square roots swapped; the notes' mean coefficient
√(1 − α_t) (line 716); no square roots at all; the std √β_t given as the variance.

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
from examprep.problems.diffusion.schedule import CONVENTIONS, sym
from examprep.solver.expr import Sym, sqrt
from examprep.solver.step import Derivation

X_PREV = sym("x_prev", "x_{t-1}")
EPS = Sym("epsilon")
BETA = Sym("beta_t")


class ForwardStep(ProblemType):
    id = "diffusion/forward_step-v1"
    title = "Diffusion forward step q(x_t | x_{t−1})"
    catalog = "seed_003 C10, §1.4; seed_002 K1; seed_004 F2"
    reference_entry = "examprep.reference.diffusion:forward_step"
    params = (
        Param("x_prev", "vector", "x_{t−1}, the previous (less noisy) sample", lo=-100, hi=100),
        Param("beta_t", "real", "β_t, the noise variance of step t, in (0, 1)", lo=0, hi=1),
        Param("eps", "vector", "ε, the given standard normal noise draw (same length as x_prev)", lo=-10, hi=10),
    )
    parts = (
        Part("mean", "mean of q(x_t | x_{t−1})", "vector", final=False),
        Part("var", "variance of q(x_t | x_{t−1}) (per coordinate)", "real", final=False),
        Part("x_t", "the sample x_t", "vector", uses=("mean", "var")),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n = draws.dim(rng, difficulty)
        beta = draws.pick(rng, {"easy": (0.1, 0.2, 0.5), "medium": (0.01, 0.02, 0.1, 0.2, 0.3, 0.5),
                                "hard": (0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4)}[difficulty])
        return dict(x_prev=draws.data(rng, difficulty, n), beta_t=beta, eps=draws.noise(rng, difficulty, n))

    def check(self, p: Params) -> list[str]:
        if not 0 < p.beta_t < 1:
            raise ParamError(f"beta_t={p.beta_t} is not allowed: β_t must lie strictly between 0 and 1")
        if len(p.eps) != len(p.x_prev):
            raise ParamError(f"eps has {len(p.eps)} entries but x_prev has {len(p.x_prev)}: give one noise value "
                             "per coordinate")
        return []

    def degenerate(self, p: Params) -> str | None:
        return draws.near_zero(self.solve(p), ("mean", "x_t"))

    def statement(self, p: Params) -> list[Any]:
        return [r"In the forward (noising) process of a diffusion model, $q(x_t \mid x_{t-1}) = "
                r"N(\sqrt{1 - \beta_t} \cdot x_{t-1}, \beta_t \cdot I)$. Given $x_{t-1}$ = ", p.x_prev,
                rf", $\beta_t = {p.beta_t}$ and the noise draw $\epsilon$ = ", p.eps,
                r", give the mean and the variance of $q(x_t \mid x_{t-1})$ and the sample "
                r"$x_t = \sqrt{1 - \beta_t} \cdot x_{t-1} + \sqrt{\beta_t} \cdot \epsilon$. ", CONVENTIONS]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        x, e = draws.vec(p.x_prev), draws.vec(p.eps)
        mean = carry(given, "mean", math.sqrt(1 - p.beta_t) * x)
        var = carry(given, "var", p.beta_t)
        return {"mean": mean.tolist(), "var": var, "x_t": (mean + math.sqrt(max(var, 0.0)) * e).tolist()}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        subs = {"beta_t": p.beta_t, "x_prev": p.x_prev, "epsilon": p.eps}
        d.add("Mean coefficient", math.sqrt(1 - p.beta_t), formula=sqrt(1 - BETA), subs=subs,
              note=r"$\sqrt{1 - \beta_t} = \sqrt{\alpha_t}$ shrinks the signal")
        d.add("Noise scale (standard deviation)", math.sqrt(p.beta_t), formula=sqrt(BETA), subs=subs)
        d.add("Mean", ans["mean"], lhs=r"\mu", formula=sqrt(1 - BETA) * X_PREV, subs=subs, part="mean")
        d.add("Variance", p.beta_t, lhs=r"\sigma^2", formula=BETA, subs=subs, part="var")
        d.add("Sample", ans["x_t"], lhs="x_t", formula=sqrt(1 - BETA) * X_PREV + sqrt(BETA) * EPS, subs=subs,
              part="x_t")
        d.answer = f"x_t = {draws.show(ans['x_t'])}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        x, e, b = draws.vec(p.x_prev), draws.vec(p.eps), p.beta_t
        rb, ra = math.sqrt(b), math.sqrt(1 - b)
        m = {
            "beta_not_sqrt": Mistake({"x_t": (ra * x + b * e).tolist()},
                                     r"The noise is scaled by the standard deviation $\sqrt{\beta_t}$, not by "
                                     r"$\beta_t$."),
            "roots_swapped": Mistake({"mean": (rb * x).tolist(), "x_t": (rb * x + ra * e).tolist()},
                                     r"The signal keeps $\sqrt{1 - \beta_t}$ and the noise gets $\sqrt{\beta_t}$; you "
                                     "swapped them."),
            "mean_coefficient_sqrt_beta": Mistake(
                {"mean": (rb * x).tolist(), "x_t": (rb * x + rb * e).tolist()},
                r"The mean coefficient is $\sqrt{1 - \beta_t} = \sqrt{\alpha_t}$; you wrote "
                r"$\sqrt{1 - \alpha_t}$, which is $\sqrt{\beta_t}$."),
            "no_square_roots": Mistake({"mean": ((1 - b) * x).tolist(), "x_t": ((1 - b) * x + b * e).tolist()},
                                       r"Both coefficients need square roots: $\sqrt{1 - \beta_t}$ and "
                                       r"$\sqrt{\beta_t}$."),
            "std_as_variance": Mistake({"var": rb},
                                       r"The variance is $\beta_t$; $\sqrt{\beta_t}$ is the standard deviation."),
        }
        return draws.applicable(self.solve(p), m)
