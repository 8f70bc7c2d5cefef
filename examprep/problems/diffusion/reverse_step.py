"""One DDPM sampling step (Algorithm 2): x_{t−1} = (1/√α_t)(x_t − β_t/√(1 − ᾱ_t)·ε̂) + σ_t·z, no noise at t = 1.

Catalog: seed_004 F9 (x_3 = 0.715586, ε̂ = −0.8: mean 1.262596, x̂_0 = 1.801594, z = 0.5 gives 1.468360 with
σ² = β̃ and 1.536457 with σ² = β); seed_003 C12 (x_3 = 0.8, ε̂ = 0.3: x̂_0 = 0.829263, mean 0.803443) and §1.5
(the notes' underdetermined example: no β given); seed_002 K3.

Parameters:
    x_t: the sample at step t (1–4 numbers). eps_hat: the network's noise prediction ε̂ = ε_θ(x_t, t).
    betas: β_1..β_T. t: the step (1..T). z: the noise draw (needed for t > 1; unused at t = 1).
    sigma: the variance choice, ``beta`` (σ_t² = β_t) or ``beta_tilde`` (σ_t² = β̃_t).

Answer parts: ``x_prev`` (x_{t−1}), final; ``alpha_bar`` (ᾱ_t), ``coef`` (β_t/√(1 − ᾱ_t)), ``x0_hat``
((x_t − √(1 − ᾱ_t)·ε̂)/√ᾱ_t), ``mean`` (μ_θ) and ``sigma`` (σ_t), intermediate.

Reference: x̂_0 from ε̂, then the posterior mean q(x_{t−1} | x_t, x̂_0) by Bayes' rule for Gaussians (precisions
add) in torch, σ from the posterior precision (examprep.reference.diffusion:reverse_step).

Common mistakes: 1/√ᾱ_t in front (notes line 770); β_t/(1 − ᾱ_t) without the square root; the notes'
β_t/√(1 − α_t) (line 774); noise added at t = 1 or omitted at t > 1; the sign of the ε̂ term; the other σ; σ² for σ;
σ·z subtracted.

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

XT, EPS_HAT, Z = Sym("x_t"), sym("eps_hat", r"\hat{\epsilon}"), Sym("z")
X0_HAT = sym("x0_hat", r"\hat{x}_0")
A, AB, ABP, B, C = alpha("t"), abar("t"), abar("t-1"), beta("t"), Sym("c")
MU = sym("mu_theta", r"\mu_\theta")


def step(xt: np.ndarray, e: np.ndarray, z: np.ndarray, t: int, a: float, ab: float, b: float, sigma: float, *,
         prefactor: float | None = None, coef: float | None = None, eps_sign: float = 1.0,
         noise: bool | None = None, z_scale: float | None = None, given: Answers | None = None) -> dict[str, Any]:
    """Algorithm 2 with optional wrong pieces (each mistake is this procedure with one piece changed); ``given``
    holds the student's earlier values (error carried forward)."""
    c = carry(given, "coef", b / math.sqrt(1 - ab) if coef is None else coef)
    mean = carry(given, "mean", (xt - eps_sign * c * e) / math.sqrt(a if prefactor is None else prefactor))
    sigma = carry(given, "sigma", sigma)
    add = (t > 1) if noise is None else noise
    x_prev = mean + (sigma if z_scale is None else z_scale) * z if add else mean
    return {"coef": c, "mean": mean.tolist(), "sigma": sigma, "x_prev": x_prev.tolist()}


class ReverseStep(ProblemType):
    id = "diffusion/reverse_step-v1"
    title = "DDPM sampling step (Algorithm 2)"
    catalog = "seed_004 F9; seed_003 C12, §1.5; seed_002 K3"
    reference_entry = "examprep.reference.diffusion:reverse_step"
    params = (
        Param("x_t", "vector", "x_t, the current sample", lo=-100, hi=100),
        Param("eps_hat", "vector", "ε̂ = ε_θ(x_t, t), the network's noise prediction (same length as x_t)",
              lo=-100, hi=100),
        Param("betas", "vector", "the noise schedule β_1..β_T, each in (0, 1)", lo=0, hi=1),
        Param("t", "int", "the step t (1..T)", lo=1, hi=10000),
        Param("z", "vector", "z, the standard normal noise draw (needed for t > 1)", lo=-10, hi=10, optional=True),
        Param("sigma", "choice", "σ_t² = β_t (beta) or σ_t² = β̃_t (beta_tilde)", choices=("beta", "beta_tilde"),
              default="beta"),
    )
    parts = (
        Part("alpha_bar", "ᾱ_t", "real", final=False),
        Part("coef", "the ε̂ coefficient β_t/√(1 − ᾱ_t)", "real", final=False, uses=("alpha_bar",)),
        Part("x0_hat", "the predicted x̂_0", "vector", final=False, uses=("alpha_bar",)),
        Part("mean", "the mean μ_θ(x_t, t)", "vector", final=False, uses=("coef",)),
        Part("sigma", "σ_t", "real", final=False),
        Part("x_prev", "the sample x_{t−1}", "vector", uses=("mean", "sigma")),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n = draws.dim(rng, difficulty)
        b = draws.betas(rng, difficulty)
        t = int(rng.integers(1 if difficulty == "hard" else 2, len(b) + 1))
        sig = "beta" if difficulty == "easy" else draws.pick(rng, ("beta", "beta_tilde"))
        return dict(x_t=draws.data(rng, difficulty, n), eps_hat=draws.noise(rng, difficulty, n), betas=b, t=t,
                    z=draws.noise(rng, difficulty, n), sigma=sig)

    def check(self, p: Params) -> list[str]:
        check_betas(p.betas, p.t)
        if len(p.eps_hat) != len(p.x_t):
            raise ParamError(f"eps_hat has {len(p.eps_hat)} entries but x_t has {len(p.x_t)}: give one predicted "
                             "noise value per coordinate")
        if p.z is None and p.t > 1:
            raise ParamError("missing parameter z (the noise draw added at t > 1); give it with --set z=[...]")
        if p.z is not None and len(p.z) != len(p.x_t):
            raise ParamError(f"z has {len(p.z)} entries but x_t has {len(p.x_t)}: give one value per coordinate")
        return []

    def degenerate(self, p: Params) -> str | None:
        return draws.near_zero(self.solve(p), ("x0_hat", "mean", "x_prev"))

    def statement(self, p: Params) -> list[Any]:
        sig = (r"$\sigma_t^2 = \beta_t$" if p.sigma == "beta" else
               r"$\sigma_t^2 = \tilde{\beta}_t = \frac{1 - \bar{\alpha}_{t-1}}{1 - \bar{\alpha}_t} \cdot \beta_t$")
        z = [", and the noise draw $z$ = ", p.z] if p.z is not None else []
        return [r"A DDPM with noise schedule $\beta = (\beta_1, \ldots, \beta_T)$ = ",
                p.betas, f" ($T = {len(p.betas)}$) is sampled with "
                r"Algorithm 2: $x_{t-1} = \frac{1}{\sqrt{\alpha_t}} (x_t - \frac{\beta_t}{\sqrt{1 - \bar{\alpha}_t}} "
                r"\cdot \hat{\epsilon}) + \sigma_t \cdot z$, where $z$ is added only for $t > 1$ ($z = 0$ at "
                f"$t = 1$), and {sig}. At $t = {p.t}$ the sample is $x_{{{p.t}}}$ = ", p.x_t,
                r", the network predicts the noise $\hat{\epsilon}$ = ", p.eps_hat, *z, ". Compute $x_{t-1}$, with "
                r"the mean, $\sigma_t$ and the predicted $\hat{x}_0 = (x_t - \sqrt{1 - \bar{\alpha}_t} \cdot "
                r"\hat{\epsilon}) / \sqrt{\bar{\alpha}_t}$ on the way. ", CONVENTIONS]

    def _schedule(self, p: Params) -> tuple[float, float, float, float, float]:
        b = p.betas[p.t - 1]
        ab, abp = alpha_bar(p.betas, p.t), alpha_bar(p.betas, p.t - 1)
        bt = (1 - abp) / (1 - ab) * b
        return 1 - b, ab, abp, b, math.sqrt(b if p.sigma == "beta" else bt)

    def _vecs(self, p: Params) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        z = draws.vec(p.z) if p.z is not None else np.zeros(len(p.x_t))
        return draws.vec(p.x_t), draws.vec(p.eps_hat), z

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        xt, e, z = self._vecs(p)
        a, ab, _, b, s = self._schedule(p)
        ab = carry(given, "alpha_bar", ab)
        x0 = carry(given, "x0_hat", (xt - math.sqrt(1 - ab) * e) / math.sqrt(ab))
        return {"alpha_bar": ab, "x0_hat": x0.tolist(), **step(xt, e, z, p.t, a, ab, b, s, given=given)}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        a, ab, abp, b, s = self._schedule(p)
        d = Derivation()
        alpha_step(d, p.betas, p.t)
        if p.sigma == "beta_tilde":
            alpha_bar_step(d, p.betas, p.t - 1)
        alpha_bar_step(d, p.betas, p.t, part="alpha_bar")
        subs = {A: a, AB: ab, ABP: abp, B: b, "x_t": p.x_t, "eps_hat": p.eps_hat, "c": ans["coef"],
                "x0_hat": ans["x0_hat"], **({"z": p.z} if p.z is not None else {})}
        d.add(r"Coefficient of $\hat{\epsilon}$", ans["coef"], lhs=C, formula=B / sqrt(1 - AB), subs=subs, part="coef")
        d.add("Mean", ans["mean"], lhs=MU, formula=(1 / sqrt(A)) * paren(XT - C * EPS_HAT), subs=subs,
              part="mean")
        d.add(r"Predicted $\hat{x}_0$", ans["x0_hat"], lhs=X0_HAT,
              formula=paren(XT - sqrt(1 - AB) * EPS_HAT) / sqrt(AB),
              subs=subs, part="x0_hat",
              note=r"$\mu_\theta$ is also the posterior mean $\tilde{\mu}_t(x_t, \hat{x}_0) = "
                   r"\frac{\sqrt{\bar{\alpha}_{t-1}} \beta_t}{1 - \bar{\alpha}_t} \cdot \hat{x}_0 + "
                   r"\frac{\sqrt{\alpha_t} (1 - \bar{\alpha}_{t-1})}{1 - \bar{\alpha}_t} \cdot x_t$")
        if p.sigma == "beta":
            d.add(r"$\sigma_t$", s, lhs=r"\sigma_t", formula=sqrt(B), subs=subs, part="sigma",
                  note=r"$\sigma_t^2 = \beta_t$")
        else:
            d.add(r"$\sigma_t$", s, lhs=r"\sigma_t", formula=sqrt(paren(1 - ABP) / paren(1 - AB) * B), subs=subs,
                  part="sigma",
                  note=r"$\sigma_t^2 = \tilde{\beta}_t$")
        if p.t > 1:
            d.add("Sample", ans["x_prev"], lhs=f"x_{p.t - 1}", formula=MU + Sym("sigma_t") * Z,
                  subs={**subs, "mu_theta": ans["mean"], "sigma_t": s}, part="x_prev")
        else:
            d.add("Sample", ans["x_prev"], lhs="x_0", formula=MU, subs={"mu_theta": ans["mean"]},
                  part="x_prev", note="t = 1 is the last step: no noise is added (z = 0)")
        d.answer = f"$x_{{{p.t - 1}}} = {draws.show(ans['x_prev'])}$"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        xt, e, z = self._vecs(p)
        a, ab, abp, b, s = self._schedule(p)
        t = p.t
        bt, btt = r"\beta_t", r"\tilde{\beta}_t"  # markup for the feedback
        other = math.sqrt(b) if p.sigma == "beta_tilde" else math.sqrt((1 - abp) / (1 - ab) * b)
        m = {
            "prefactor_alpha_bar": Mistake(step(xt, e, z, t, a, ab, b, s, prefactor=ab),
                                           r"The prefactor is $1/\sqrt{\alpha_t}$ (this step's $\alpha$), not "
                                           r"$1/\sqrt{\bar{\alpha}_t}$."),
            "coef_no_sqrt": Mistake(step(xt, e, z, t, a, ab, b, s, coef=b / (1 - ab)),
                                    r"The $\hat{\epsilon}$ coefficient is $\beta_t / \sqrt{1 - \bar{\alpha}_t}$: keep "
                                    "the square root."),
            "coef_alpha_not_alpha_bar": Mistake(step(xt, e, z, t, a, ab, b, s, coef=b / math.sqrt(1 - a)),
                                                r"The $\hat{\epsilon}$ coefficient has $\sqrt{1 - \bar{\alpha}_t}$ in "
                                                r"the denominator, not $\sqrt{1 - \alpha_t}$: you used this step's "
                                                r"$\alpha$ where the cumulative $\bar{\alpha}$ belongs."),
            "eps_sign": Mistake(step(xt, e, z, t, a, ab, b, s, eps_sign=-1.0),
                                "The predicted noise is subtracted from x_t, not added."),
            "noise_at_t1" if t == 1 else "noise_omitted": Mistake(
                step(xt, e, z, t, a, ab, b, s, noise=t == 1),
                "No noise is added at the last step (t = 1)." if t == 1 else
                r"For $t > 1$ Algorithm 2 adds $\sigma_t \cdot z$ to the mean."),
            "other_sigma": Mistake(step(xt, e, z, t, a, ab, b, other),
                                   rf"This problem uses $\sigma_t^2 = {bt if p.sigma == 'beta' else btt}$; you used "
                                   rf"${btt if p.sigma == 'beta' else bt}$."),
        }
        if t > 1:
            m["variance_for_std"] = Mistake(step(xt, e, z, t, a, ab, b, s, z_scale=s * s),
                                            r"$z$ is scaled by the standard deviation $\sigma_t$, not by the variance "
                                            r"$\sigma_t^2$.")
            m["noise_subtracted"] = Mistake(step(xt, e, z, t, a, ab, b, s, z_scale=-s),
                                            r"$x_{t-1} = \mu_\theta + \sigma_t \cdot z$: the noise is added.")
        return draws.applicable(self.solve(p), m)
