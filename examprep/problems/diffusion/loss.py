"""The DDPM training loss: L_simple = ‖ε − ε̂‖² and the weight λ_t of the full bound's term L_{t−1}.

λ_t = β_t² / (2σ_t²·α_t·(1 − ᾱ_t)) (DDPM eq. 12; catalog seed_004 F7), so that
L_{t−1} = ‖μ̃_t − μ_θ‖²/(2σ_t²) = λ_t·‖ε − ε̂‖². With σ_t² = β_t this is β_t/(2α_t(1 − ᾱ_t)); with σ_t² = β̃_t it
is β_t/(2α_t(1 − ᾱ_{t−1})).

Catalog: seed_004 F7, F8 (hand schedule t = 3: λ = 0.432028 (σ² = β), 0.765306 (σ² = β̃); ε = −1, ε̂ = −0.8 give
L_simple = 0.04 and the weighted 0.030612); seed_003 C13 (ε = [0.5, −1], ε̂ = [0.3, −0.6]: 0.2 summed, 0.1 mean);
seed_002 K5.

Parameters:
    eps: the noise ε that was added. eps_hat: the network's prediction ε̂ (same length). t: the step (1..T).
    betas: β_1..β_T. sigma: ``beta`` (σ_t² = β_t) or ``beta_tilde`` (σ_t² = β̃_t; needs t ≥ 2).
    reduction: ``sum`` (the squared norm, as in the paper) or ``mean`` (as F.mse_loss) for L_simple.

Answer parts: ``l_simple`` and ``lambda_t``, final; ``residual`` (ε − ε̂), ``alpha_bar`` (ᾱ_t) and ``l_weighted``
(λ_t·‖ε − ε̂‖², the bound's term L_{t−1}), intermediate.

Reference: F.mse_loss for L_simple; λ_t and L_{t−1} from torch.distributions.kl_divergence between the posterior
q(x_{t−1} | x_t, x_0) and p_θ(x_{t−1} | x_t) = N(μ_θ, σ_t²), minus the KL at ε̂ = ε
(examprep.reference.diffusion:loss).

Common mistakes: sum and mean confused; the residual not squared; β_t not squared in λ_t; σ_t for σ_t²; the two
simplifications of λ_t mixed (ᾱ_{t−1} for ᾱ_t).

Versions: v1 — first version.
"""

from __future__ import annotations

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
from examprep.solver.expr import Add, Num, Pow, Sym, paren
from examprep.solver.step import Derivation

EPS, EPS_HAT = Sym("epsilon"), sym("eps_hat", r"\hat{\epsilon}")
A, AB, ABP, B, S2 = alpha("t"), abar("t"), abar("t-1"), beta("t"), sym("sigma2", r"\sigma_t^2")
NORM = sym("norm", r"\lVert \epsilon - \hat{\epsilon} \rVert^2")
LAM = sym("lambda_t", r"\lambda_t")


def lam(b: float, s2: float, a: float, ab: float) -> float:
    """λ_t = β_t²/(2σ_t²α_t(1 − ᾱ_t))."""
    return b * b / (2 * s2 * a * (1 - ab))


class Loss(ProblemType):
    id = "diffusion/loss-v1"
    title = "DDPM loss: L_simple and the weight λ_t"
    catalog = "seed_004 F7, F8; seed_003 C13; seed_002 K5"
    reference_entry = "examprep.reference.diffusion:loss"
    params = (
        Param("eps", "vector", "ε, the noise that was added", lo=-10, hi=10),
        Param("eps_hat", "vector", "ε̂ = ε_θ(x_t, t), the network's prediction (same length as eps)", lo=-10, hi=10),
        Param("t", "int", "the step t (1..T)", lo=1, hi=10000),
        Param("betas", "vector", "the noise schedule β_1..β_T, each in (0, 1)", lo=0, hi=1),
        Param("sigma", "choice", "σ_t² = β_t (beta) or σ_t² = β̃_t (beta_tilde)", choices=("beta", "beta_tilde"),
              default="beta"),
        Param("reduction", "choice", "L_simple as the squared norm (sum) or the mean over coordinates",
              choices=("sum", "mean"), default="sum"),
    )
    parts = (
        Part("residual", "ε − ε̂", "vector", final=False),
        Part("l_simple", "L_simple", "real", uses=("residual",)),
        Part("alpha_bar", "ᾱ_t", "real", final=False),
        Part("lambda_t", "λ_t", "real", uses=("alpha_bar",)),
        Part("l_weighted", "λ_t·‖ε − ε̂‖²", "real", final=False, uses=("lambda_t", "residual")),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n = draws.dim(rng, difficulty)
        b = draws.betas(rng, difficulty)
        sig = "beta" if difficulty == "easy" else draws.pick(rng, ("beta", "beta_tilde"))
        t = int(rng.integers(2 if sig == "beta_tilde" else 1, len(b) + 1))
        red = "sum" if difficulty != "hard" else draws.pick(rng, ("sum", "mean"))
        return dict(eps=draws.noise(rng, difficulty, n), eps_hat=draws.noise(rng, difficulty, n), t=t, betas=b,
                    sigma=sig, reduction=red)

    def check(self, p: Params) -> list[str]:
        check_betas(p.betas, p.t)
        if len(p.eps_hat) != len(p.eps):
            raise ParamError(f"eps_hat has {len(p.eps_hat)} entries but eps has {len(p.eps)}: they must match")
        if p.sigma == "beta_tilde" and p.t < 2:
            raise ParamError("t=1 with sigma=beta_tilde is not allowed: β̃_1 = 0, so λ_1 is undefined; use t ≥ 2 "
                             "or sigma=beta")
        return []

    def degenerate(self, p: Params) -> str | None:
        ans = self.solve(p)
        if ans["l_simple"] == 0:
            return "ε̂ = ε: the loss is zero"
        return draws.near_zero(ans, ("residual", "l_simple", "l_weighted"))

    def statement(self, p: Params) -> list[Any]:
        norm = r"\lVert \epsilon - \hat{\epsilon} \rVert^2"
        red = (rf"$L_{{\text{{simple}}}} = {norm}$ (the sum of squares over coordinates)" if p.reduction == "sum" else
               rf"$L_{{\text{{simple}}}} = \frac{{1}}{{d}} \cdot {norm}$ (the mean over the $d$ coordinates, as "
               "F.mse_loss)")
        sig = (r"$\sigma_t^2 = \beta_t$" if p.sigma == "beta" else
               r"$\sigma_t^2 = \tilde{\beta}_t = \frac{1 - \bar{\alpha}_{t-1}}{1 - \bar{\alpha}_t} \cdot \beta_t$")
        return [r"A DDPM with noise schedule $\beta = (\beta_1, \ldots, \beta_T)$ = ",
                p.betas, f" ($T = {len(p.betas)}$) is trained at "
                rf"$t = {p.t}$ with the noise $\epsilon$ = ", p.eps, r"; the network predicts $\hat{\epsilon}$ = ",
                p.eps_hat, f". Compute {red}. Then compute the weight "
                r"$\lambda_t = \frac{\beta_t^2}{2 \sigma_t^2 \cdot \alpha_t \cdot (1 - \bar{\alpha}_t)}$ that the "
                rf"full variational bound puts on ${norm}$ ($L_{{t-1}} = \lambda_t \cdot {norm}$), with {sig}, and the "
                "weighted term $L_{t-1}$. ", CONVENTIONS]

    def _schedule(self, p: Params) -> tuple[float, float, float, float, float]:
        b = p.betas[p.t - 1]
        ab, abp = alpha_bar(p.betas, p.t), alpha_bar(p.betas, p.t - 1)
        s2 = b if p.sigma == "beta" else (1 - abp) / (1 - ab) * b
        return 1 - b, ab, abp, b, s2

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        r = carry(given, "residual", draws.vec(p.eps) - draws.vec(p.eps_hat))
        sq = float(np.sum(r * r))
        a, ab, _, b, s2 = self._schedule(p)
        ab = carry(given, "alpha_bar", ab)
        la = carry(given, "lambda_t", lam(b, s2, a, ab))
        return {"residual": r.tolist(), "l_simple": sq if p.reduction == "sum" else sq / len(r), "alpha_bar": ab,
                "lambda_t": la, "l_weighted": la * sq}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        a, ab, abp, b, s2 = self._schedule(p)
        d = Derivation()
        d.add("Residual", ans["residual"], formula=EPS - EPS_HAT,
              subs={"epsilon": p.eps, "eps_hat": p.eps_hat}, part="residual")
        sq = Add([(1, Pow(paren(Num(x)), Num(2))) for x in ans["residual"]])
        n = len(p.eps)
        if p.reduction == "sum":
            d.add(r"$L_{\text{simple}}$", ans["l_simple"], lhs="L_simple", formula=NORM, substituted=sq,
                  part="l_simple")
        else:
            d.add(r"$L_{\text{simple}}$", ans["l_simple"], lhs="L_simple", formula=NORM / n, substituted=paren(sq) / n,
                  part="l_simple", note="the mean over the coordinates")
        alpha_step(d, p.betas, p.t)
        if p.sigma == "beta_tilde":
            alpha_bar_step(d, p.betas, p.t - 1)
        alpha_bar_step(d, p.betas, p.t, part="alpha_bar")
        subs = {A: a, AB: ab, ABP: abp, B: b, "sigma2": s2}
        if p.sigma == "beta":
            d.add(r"$\sigma_t^2$", s2, lhs=S2, formula=B, subs=subs)
        else:
            d.add(r"$\sigma_t^2 = \tilde{\beta}_t$", s2, lhs=S2, formula=paren(1 - ABP) / paren(1 - AB) * B, subs=subs)
        d.add("Weight of the bound", ans["lambda_t"], lhs=LAM, formula=B**2 / paren(2 * S2 * A * paren(1 - AB)),
              subs=subs, part="lambda_t",
              note="β_t/(2α_t(1 − ᾱ_t)) when σ_t² = β_t; β_t/(2α_t(1 − ᾱ_(t−1))) when σ_t² = β̃_t")
        d.add("Weighted term $L_{t-1}$", ans["l_weighted"], lhs="L_{t-1}", formula=LAM * NORM,
              substituted=Num(ans["lambda_t"]) * paren(sq), part="l_weighted",
              note="L_simple drops this t-dependent weight")
        d.answer = f"L_simple = {draws.show(ans['l_simple'])}, λ_{p.t} = {draws.show(ans['lambda_t'])}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        r = draws.vec(p.eps) - draws.vec(p.eps_hat)
        sq, n = float(np.sum(r * r)), len(r)
        a, ab, abp, b, s2 = self._schedule(p)
        red = 1 if p.reduction == "sum" else n
        m = {
            "other_reduction": Mistake({"l_simple": sq / n if p.reduction == "sum" else sq},
                                       f"This problem asks for the {p.reduction} over coordinates."),
            "not_squared": Mistake({"l_simple": float(np.sum(np.abs(r))) / red},
                                   "L_simple squares each coordinate of ε − ε̂."),
            "beta_not_squared": Mistake({"lambda_t": b / (2 * s2 * a * (1 - ab)),
                                         "l_weighted": b / (2 * s2 * a * (1 - ab)) * sq},
                                        "λ_t has β_t² in the numerator."),
            "sigma_not_squared": Mistake({"lambda_t": b * b / (2 * s2**0.5 * a * (1 - ab)),
                                          "l_weighted": b * b / (2 * s2**0.5 * a * (1 - ab)) * sq},
                                         "λ_t has the variance σ_t² in the denominator, not σ_t."),
        }
        if p.t > 1:
            mixed = b / (2 * a * (1 - (abp if p.sigma == "beta" else ab)))
            m["simplifications_mixed"] = Mistake({"lambda_t": mixed, "l_weighted": mixed * sq},
                                                 "With σ_t² = β_t, λ_t = β_t/(2α_t(1 − ᾱ_t)); with σ_t² = β̃_t it "
                                                 "is β_t/(2α_t(1 − ᾱ_(t−1))). You mixed the two.")
        return draws.applicable(self.solve(p), m)
