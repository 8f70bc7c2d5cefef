"""One DDIM step (Song et al. 2021, eq. 12), deterministic at η = 0.

x̂_0 = (x_t − √(1 − ᾱ_t)·ε̂)/√ᾱ_t;
σ_t = η·√((1 − ᾱ_{t−1})/(1 − ᾱ_t))·√(1 − ᾱ_t/ᾱ_{t−1});
x_{t−1} = √ᾱ_{t−1}·x̂_0 + √(1 − ᾱ_{t−1} − σ_t²)·ε̂ + σ_t·z.
Here t−1 means the previous step of the sampling sequence (it may skip steps), so ᾱ_t and ᾱ_{t−1} are given.

Catalog: not in the course material's worked examples (an extension of seed_004 F9's sampler); formulas from the
DDIM paper (ᾱ is that paper's α).

Parameters:
    x_t: the current sample (1–4 numbers). eps_hat: the noise prediction ε̂. alpha_bar_t: ᾱ_t.
    alpha_bar_prev: ᾱ_{t−1} (larger than ᾱ_t, at most 1). eta: η in [0, 1] (0: deterministic DDIM; 1: DDPM-like).
    z: the noise draw, needed when η > 0.

Answer parts: ``x_prev`` (final); ``x0_hat``, ``sigma`` (σ_t) and ``dir_coef`` (√(1 − ᾱ_{t−1} − σ_t²)),
intermediate.

Reference: the DDIM posterior q_σ(x_{t−1} | x_t, x̂_0) of the paper's eq. 7 (mean √ᾱ_{t−1}x̂_0 +
√(1 − ᾱ_{t−1} − σ²)·(x_t − √ᾱ_t·x̂_0)/√(1 − ᾱ_t)), in torch (examprep.reference.diffusion:ddim_step).

Common mistakes: the square roots dropped in x̂_0; σ_t² not subtracted in the direction term (η > 0); the noise
omitted (η > 0); the direction term dropped; ᾱ_t and ᾱ_{t−1} swapped.

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
from examprep.problems.diffusion.schedule import abar, sym
from examprep.solver.expr import Sym, paren, sqrt
from examprep.solver.step import Derivation

XT, EPS_HAT, Z = Sym("x_t"), sym("eps_hat", r"\hat{\epsilon}"), Sym("z")
X0_HAT = sym("x0_hat", r"\hat{x}_0")
X_PREV = sym("x_prev", "x_{t-1}")
AB, ABP, ETA, SIG = abar("t"), abar("t-1"), Sym("eta"), Sym("sigma_t")
CONVENTIONS = (r"Conventions: $\bar{\alpha}_t$ is the cumulative product of the $\alpha$'s up to step $t$ and "
               r"$\bar{\alpha}_{t-1}$ that of the previous step of the sampling sequence "
               r"($\bar{\alpha}_{t-1} > \bar{\alpha}_t$); $\hat{\epsilon} = \epsilon_\theta(x_t, t)$; "
               r"$z \sim N(0, I)$ is given.")


def ddim(xt: np.ndarray, e: np.ndarray, z: np.ndarray, ab: float, abp: float, eta: float, *,
         roots: bool = True, subtract_sigma: bool = True, noise: bool = True, direction: bool = True,
         given: Answers | None = None) -> Answers:
    """The DDIM update; the keyword switches turn one piece off (a mistake is the same procedure with it off);
    ``given`` holds the student's earlier values (error carried forward)."""
    x0 = carry(given, "x0_hat", (xt - math.sqrt(1 - ab) * e) / math.sqrt(ab) if roots else (xt - (1 - ab) * e) / ab)
    sigma = carry(given, "sigma", eta * math.sqrt((1 - abp) / (1 - ab)) * math.sqrt(1 - ab / abp) if eta > 0 else 0.0)
    dc = carry(given, "dir_coef", math.sqrt(max(1 - abp - (sigma**2 if subtract_sigma else 0.0), 0.0)))
    x_prev = math.sqrt(abp) * x0 + (dc * e if direction else 0.0) + (sigma * z if noise else 0.0)
    return {"x0_hat": x0.tolist(), "sigma": sigma, "dir_coef": dc, "x_prev": x_prev.tolist()}


class DDIMStep(ProblemType):
    id = "diffusion/ddim_step-v1"
    title = "DDIM sampling step"
    catalog = "extension of seed_004 F9 (DDIM paper, eq. 12)"
    reference_entry = "examprep.reference.diffusion:ddim_step"
    params = (
        Param("x_t", "vector", "x_t, the current sample", lo=-100, hi=100),
        Param("eps_hat", "vector", "ε̂ = ε_θ(x_t, t), the noise prediction (same length as x_t)", lo=-100, hi=100),
        Param("alpha_bar_t", "real", "ᾱ_t, in (0, 1)", lo=0, hi=1),
        Param("alpha_bar_prev", "real", "ᾱ_{t−1} of the previous sampling step, in (ᾱ_t, 1]", lo=0, hi=1),
        Param("eta", "real", "η in [0, 1]: 0 is deterministic DDIM", lo=0, hi=1, default=0.0),
        Param("z", "vector", "z, the standard normal noise draw (needed when η > 0)", lo=-10, hi=10, optional=True),
    )
    parts = (
        Part("x0_hat", "the predicted x̂_0", "vector", final=False),
        Part("sigma", "σ_t", "real", final=False),
        Part("dir_coef", "the ε̂ coefficient √(1 − ᾱ_{t−1} − σ_t²)", "real", final=False, uses=("sigma",)),
        Part("x_prev", "the sample x_{t−1}", "vector", uses=("x0_hat", "sigma", "dir_coef")),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n = draws.dim(rng, difficulty)
        step = 0.1 if difficulty == "easy" else 0.01
        ab = draws.grid(rng, 0.1, 0.8, step)
        abp = draws.grid(rng, round(ab + 0.1, 6), 0.99 if difficulty != "easy" else 0.9, step)
        eta = 0.0 if difficulty == "easy" else draws.pick(rng, (0.0, 0.5, 1.0) if difficulty == "medium" else
                                                          (0.0, 0.2, 0.5, 0.8, 1.0))
        out = dict(x_t=draws.data(rng, difficulty, n), eps_hat=draws.noise(rng, difficulty, n), alpha_bar_t=ab,
                   alpha_bar_prev=abp, eta=eta)
        if eta > 0:
            out["z"] = draws.noise(rng, difficulty, n)
        return out

    def check(self, p: Params) -> list[str]:
        if not 0 < p.alpha_bar_t < 1:
            raise ParamError(f"alpha_bar_t={p.alpha_bar_t} is not allowed: ᾱ_t must lie strictly between 0 and 1")
        if not p.alpha_bar_t < p.alpha_bar_prev <= 1:
            raise ParamError(f"alpha_bar_prev={p.alpha_bar_prev} is not allowed: ᾱ_{{t−1}} must be larger than "
                             f"ᾱ_t = {p.alpha_bar_t} and at most 1 (less noise one step earlier)")
        if len(p.eps_hat) != len(p.x_t):
            raise ParamError(f"eps_hat has {len(p.eps_hat)} entries but x_t has {len(p.x_t)}: give one predicted "
                             "noise value per coordinate")
        if p.eta > 0 and p.z is None:
            raise ParamError(f"missing parameter z: with eta={p.eta} > 0 DDIM adds σ_t·z; give it with --set z=[...]")
        if p.z is not None and len(p.z) != len(p.x_t):
            raise ParamError(f"z has {len(p.z)} entries but x_t has {len(p.x_t)}: give one value per coordinate")
        return []

    def degenerate(self, p: Params) -> str | None:
        return draws.near_zero(self.solve(p), ("x0_hat", "x_prev"))

    def statement(self, p: Params) -> list[Any]:
        z = [" and the noise draw $z$ = ", p.z] if p.z is not None else []
        det = r" (deterministic: $\sigma_t = 0$)" if p.eta == 0 else ""
        return ["A DDIM sampler takes one step from $x_t$ = ", p.x_t, r" with the noise prediction $\hat{\epsilon}$ = ",
                p.eps_hat, rf", $\bar{{\alpha}}_t = {p.alpha_bar_t}$, $\bar{{\alpha}}_{{t-1}} = {p.alpha_bar_prev}$ "
                rf"and $\eta = {p.eta}${det}", *z, ". Compute "
                r"$\hat{x}_0 = (x_t - \sqrt{1 - \bar{\alpha}_t} \cdot \hat{\epsilon}) / \sqrt{\bar{\alpha}_t}$, "
                r"$\sigma_t = \eta \cdot \sqrt{(1 - \bar{\alpha}_{t-1}) / (1 - \bar{\alpha}_t)} \cdot "
                r"\sqrt{1 - \bar{\alpha}_t / \bar{\alpha}_{t-1}}$ and "
                r"$x_{t-1} = \sqrt{\bar{\alpha}_{t-1}} \cdot \hat{x}_0 + \sqrt{1 - \bar{\alpha}_{t-1} - \sigma_t^2} "
                r"\cdot \hat{\epsilon} + \sigma_t \cdot z$. ", CONVENTIONS]

    def _vecs(self, p: Params) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        z = draws.vec(p.z) if p.z is not None else np.zeros(len(p.x_t))
        return draws.vec(p.x_t), draws.vec(p.eps_hat), z

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        xt, e, z = self._vecs(p)
        return ddim(xt, e, z, p.alpha_bar_t, p.alpha_bar_prev, p.eta, given=given)

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        subs = {AB: p.alpha_bar_t, ABP: p.alpha_bar_prev, "eta": p.eta, "x_t": p.x_t, "eps_hat": p.eps_hat,
                "x0_hat": ans["x0_hat"], "sigma_t": ans["sigma"], **({"z": p.z} if p.z is not None else {})}
        d.add(r"Predicted $\hat{x}_0$", ans["x0_hat"], lhs=X0_HAT,
              formula=paren(XT - sqrt(1 - AB) * EPS_HAT) / sqrt(AB),
              subs=subs, part="x0_hat")
        d.add(r"$\sigma_t$", ans["sigma"], lhs=SIG,
              formula=ETA * sqrt(paren(1 - ABP) / paren(1 - AB)) * sqrt(1 - AB / ABP),
              subs=subs, part="sigma", note="η = 0 makes the step deterministic" if p.eta == 0 else None)
        d.add(r"Coefficient of $\hat{\epsilon}$", ans["dir_coef"], formula=sqrt(1 - ABP - SIG**2), subs=subs,
              part="dir_coef",
              note="the 'direction pointing to x_t'")
        f = sqrt(ABP) * X0_HAT + sqrt(1 - ABP - SIG**2) * EPS_HAT
        if p.eta > 0:
            f = f + SIG * Z
        d.add("Sample", ans["x_prev"], lhs=X_PREV, formula=f, subs=subs, part="x_prev")
        d.answer = f"x_(t−1) = {draws.show(ans['x_prev'])}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        xt, e, z = self._vecs(p)
        ab, abp, eta = p.alpha_bar_t, p.alpha_bar_prev, p.eta
        m = {
            "x0_hat_no_roots": Mistake(ddim(xt, e, z, ab, abp, eta, roots=False),
                                       r"$\hat{x}_0 = (x_t - \sqrt{1 - \bar{\alpha}_t} \cdot \hat{\epsilon}) / "
                                       r"\sqrt{\bar{\alpha}_t}$: keep both square roots."),
            "direction_dropped": Mistake(ddim(xt, e, z, ab, abp, eta, direction=False),
                                         r"DDIM keeps the term $\sqrt{1 - \bar{\alpha}_{t-1} - \sigma_t^2} \cdot "
                                         r"\hat{\epsilon}$ (the direction to $x_t$)."),
        }
        if eta > 0:
            m["sigma_not_subtracted"] = Mistake(ddim(xt, e, z, ab, abp, eta, subtract_sigma=False),
                                                r"The $\hat{\epsilon}$ coefficient is "
                                                r"$\sqrt{1 - \bar{\alpha}_{t-1} - \sigma_t^2}$: subtract $\sigma_t^2$.")
            m["noise_omitted"] = Mistake(ddim(xt, e, z, ab, abp, eta, noise=False),
                                         r"With $\eta > 0$ the step adds $\sigma_t \cdot z$.")
        else:
            swapped = ddim(xt, e, z, abp, ab, 0.0) if abp < 1 else {}
            if swapped:
                m["alpha_bars_swapped"] = Mistake(swapped, r"$\bar{\alpha}_t$ belongs to $x_t$ (to get $\hat{x}_0$) "
                                                           r"and $\bar{\alpha}_{t-1}$ to the new sample; you swapped "
                                                           "them.")
        return draws.applicable(self.solve(p), m)
