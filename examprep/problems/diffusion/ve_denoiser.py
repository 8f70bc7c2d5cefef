"""The variance-exploding (VE) view of denoising: x_σ = x_0 + σε, the noise-prediction loss and the x_0 estimate.

Catalog: seed_000_001 I4 (x_0 = [1, −1], σ = 0.5, ε = [0.2, −0.6], ε̂ = [0.1, −0.4]: x_σ = [1.1, −1.3], loss 0.05
summed or 0.025 averaged, x̂_0 = [1.05, −1.1]; the schedule 0.01 … 100 in 5 points). diffusion/loss has the DDPM
L_simple only.

Parameters:
    x0, eps, eps_hat: the clean data, the noise drawn, the network's noise prediction.
    reduction: ``sum`` or ``mean`` of the squared errors (as ``F.mse_loss``).
    sigma: the noise level; or the geometric schedule sigma_min, sigma_max, N and the index i (0..N − 1) with
        σ_i = σ_min (σ_max/σ_min)^(i/(N − 1)).

Answer parts: ``sigmas`` (the whole schedule, only when it is given), ``x_sigma`` = x_0 + σε, ``loss`` = ‖ε̂ − ε‖²
(summed or averaged), ``x0_hat`` = x_σ − σε̂.

Conventions stated in the prompt: σ is a standard deviation (the noise added is σε); the reduction; the schedule's
formula with 0-based i.

Reference: ``torch.logspace`` for the schedule (numpy.geomspace in the tests), ``torch.addcmul`` for x_σ and x̂_0,
``F.mse_loss`` with the given reduction (examprep.reference.diffusion_extra:ve_denoiser).

Common mistakes: + σε̂ in x̂_0, a linear spacing of the schedule, σ² used for σ, the sum and the mean confused.

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
from examprep.problems.gan.fair import near_miss
from examprep.problems.latent.points import distinct
from examprep.solver.expr import Mat, Num, Sym, paren
from examprep.solver.step import Derivation

SCHEDULES = ((0.01, 100.0, 5), (0.1, 10.0, 3), (0.5, 8.0, 5), (0.25, 4.0, 3), (0.1, 100.0, 4))
SIG_I = Sym("sigma_i", "σ_i = σ_min·(σ_max/σ_min)^(i/(N − 1))",
            latex=r"\sigma_i = \sigma_{\min} (\sigma_{\max} / \sigma_{\min})^{i/(N - 1)}",
            typst="sigma_i = sigma_min (sigma_max / sigma_min)^(i/(N - 1))")
XS = Sym("x_sigma", "x_σ = x_0 + σε", latex=r"\mathbf{x}_\sigma = \mathbf{x}_0 + \sigma \epsilon",
         typst="bold(x)_sigma = bold(x)_0 + sigma epsilon")
X0H = Sym("x0_hat", "x̂_0 = x_σ − σε̂", latex=r"\hat{\mathbf{x}}_0 = \mathbf{x}_\sigma - \sigma \hat{\epsilon}",
          typst="hat(bold(x))_0 = bold(x)_sigma - sigma hat(epsilon)")
LOSS = {"sum": Sym("L", "L = Σ_d (ε̂_d − ε_d)²", latex=r"L = \sum_d (\hat{\epsilon}_d - \epsilon_d)^2",
                   typst="L = sum_d (hat(epsilon)_d - epsilon_d)^2"),
        "mean": Sym("L", "L = (1/D) Σ_d (ε̂_d − ε_d)²",
                    latex=r"L = \frac{1}{D} \sum_d (\hat{\epsilon}_d - \epsilon_d)^2",
                    typst="L = 1/D sum_d (hat(epsilon)_d - epsilon_d)^2")}


def schedule(lo: float, hi: float, n: int, linear: bool = False) -> list[float]:
    """σ_0..σ_{N−1}, geometric (or the linear-spacing mistake)."""
    i = np.arange(n)
    if linear:
        return (lo + (hi - lo) * i / (n - 1)).tolist()
    return (lo * (hi / lo) ** (i / (n - 1))).tolist()


def ve_parts(p: Params, *, linear: bool = False, plus: bool = False, squared: bool = False,
             other_reduction: bool = False, given: Answers | None = None) -> Answers:
    """Every active part, each from the earlier ones (flags: the named mistakes; ``given`` the student's earlier
    values, error carried forward)."""
    out: Answers = {}
    if p.sigma is None:
        out["sigmas"] = carry(given, "sigmas", schedule(p.sigma_min, p.sigma_max, p.N, linear))
        sigma = out["sigmas"][p.i]
    else:
        sigma = float(p.sigma)
    s = sigma**2 if squared else sigma
    x0, e, eh = (np.asarray(p[k], dtype=float) for k in ("x0", "eps", "eps_hat"))
    x_s = carry(given, "x_sigma", x0 + s * e)
    sq = (eh - e) ** 2
    red = {"sum": "mean", "mean": "sum"}[p.reduction] if other_reduction else p.reduction
    out["x_sigma"] = x_s.tolist()
    out["loss"] = float(sq.sum() if red == "sum" else sq.mean())
    out["x0_hat"] = (x_s + s * eh if plus else x_s - s * eh).tolist()
    return out


class VEDenoiser(ProblemType):
    id = "diffusion/ve_denoiser-v1"
    title = "Variance-exploding denoiser: x_σ, loss and x̂_0"
    catalog = "seed_000_001 I4"
    reference_entry = "examprep.reference.diffusion_extra:ve_denoiser"
    params = (
        Param("x0", "vector", "x_0, the clean data", lo=-100, hi=100),
        Param("eps", "vector", "ε, the noise drawn", lo=-10, hi=10),
        Param("eps_hat", "vector", "ε̂, the network's noise prediction", lo=-10, hi=10),
        Param("reduction", "choice", "sum or mean of the squared errors", choices=("sum", "mean"), default="sum"),
        Param("sigma", "real", "the noise level σ (or give the schedule)", lo=0, hi=1000, optional=True),
        Param("sigma_min", "real", "the schedule's smallest σ", lo=0, hi=1000, optional=True),
        Param("sigma_max", "real", "the schedule's largest σ", lo=0, hi=1000, optional=True),
        Param("N", "int", "the number of schedule points", lo=2, hi=1000, optional=True),
        Param("i", "int", "the schedule index used (0..N − 1)", lo=0, hi=999, optional=True),
    )
    parts = (
        Part("sigmas", "The σ schedule", "vector", mode="sigfig", digits=4, final=False),
        Part("x_sigma", "Noisy input x_σ", "vector", mode="decdig", digits=4, uses=("sigmas",)),
        Part("loss", "Noise-prediction loss", "real", mode="sigfig", digits=4),
        Part("x0_hat", "Estimate x̂_0", "vector", mode="decdig", digits=4, uses=("sigmas", "x_sigma")),
    )

    def active_parts(self, p: Params) -> tuple[Part, ...]:
        return self.parts if p.sigma is None else self.parts[1:]

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n = 2 if difficulty != "hard" else int(rng.integers(2, 4))
        out: dict[str, Any] = dict(x0=list(draws.data(rng, difficulty, n)), eps=list(draws.grid(rng, -1, 1, 0.1, n)),
                                   reduction=str(draws.pick(rng, ("sum", "mean"))))
        out["eps_hat"] = [round(e + d, 1) for e, d in zip(out["eps"], draws.grid(rng, -0.5, 0.5, 0.1, n), strict=True)]
        if difficulty == "easy" or (difficulty == "medium" and rng.random() < 0.5):
            out["sigma"] = float(draws.pick(rng, (0.5, 2.0) if difficulty == "easy" else (0.5, 1.5, 2.0, 3.0)))
            return out
        lo, hi, big_n = SCHEDULES[int(rng.integers(len(SCHEDULES)))]
        return {**out, "sigma_min": lo, "sigma_max": hi, "N": big_n, "i": int(rng.integers(big_n))}

    def check(self, p: Params) -> list[str]:
        if not len(p.x0) == len(p.eps) == len(p.eps_hat):
            raise ParamError("x0, eps and eps_hat must have the same length")
        sched = ("sigma_min", "sigma_max", "N", "i")
        given = [k for k in sched if p[k] is not None]
        if p.sigma is not None:
            if given:
                raise ParamError(f"give either sigma or the schedule ({', '.join(sched)}), not both")
            if p.sigma <= 0:
                raise ParamError(f"sigma must be positive, got {p.sigma:g}")
            return []
        if len(given) < len(sched):
            missing = [k for k in sched if p[k] is None]
            raise ParamError(f"give sigma, or the whole schedule: missing {', '.join(missing)}")
        if not 0 < p.sigma_min < p.sigma_max:
            raise ParamError(f"the schedule needs 0 < sigma_min < sigma_max, got {p.sigma_min:g} and {p.sigma_max:g}")
        if not 0 <= p.i < p.N:
            raise ParamError(f"i={p.i} is not allowed: i runs from 0 to N − 1 = {p.N - 1}")
        return []

    def degenerate(self, p: Params) -> str | None:
        return near_miss(self.solve(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        if p.sigma is None:
            sig = [f"The noise level is $\\sigma_{{{p.i}}}$ of the geometric schedule "
                   "$\\sigma_i = \\sigma_{\\min} (\\sigma_{\\max} / \\sigma_{\\min})^{i/(N - 1)}$, "
                   "$i = 0, \\ldots, N - 1$, "
                   f"with $\\sigma_{{\\min}} = {p.sigma_min:g}$, $\\sigma_{{\\max}} = {p.sigma_max:g}$ and $N = {p.N}$ "
                   "(give the whole schedule too). "]
        else:
            sig = [f"The noise level is $\\sigma = {p.sigma:g}$ (a standard deviation). "]
        red = ("the sum of the squared errors over the entries" if p.reduction == "sum" else
               "the mean of the squared errors over the entries")
        return [
            "A variance-exploding denoiser is trained on $\\mathbf{x}_\\sigma = \\mathbf{x}_0 + \\sigma \\epsilon$ "
            "with $\\mathbf{x}_0$ = ", list(p.x0), " and the noise $\\epsilon$ = ", list(p.eps), ". ", *sig,
            "The network predicts $\\hat{\\epsilon}$ = ", list(p.eps_hat), ". Compute $\\mathbf{x}_\\sigma$, the loss "
            f"$\\lVert \\hat{{\\epsilon}} - \\epsilon \\rVert^2$ as {red}, and the estimate "
            "$\\hat{\\mathbf{x}}_0 = \\mathbf{x}_\\sigma - \\sigma \\hat{\\epsilon}$, to 4 decimal places "
            "(the loss and the schedule to 4 significant figures)."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return ve_parts(p, given=given)

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        if p.sigma is None:
            ratio = Num(float(p.sigma_max)) / Num(float(p.sigma_min))
            rows = [Num(float(p.sigma_min)) * paren(ratio) ** (Num(k) / (p.N - 1)) for k in range(p.N)]
            d.add("Geometric schedule", ans["sigmas"], lhs=SIG_I, substituted=Mat([rows]), part="sigmas",
                  note=f"consecutive levels differ by the same factor; this problem uses $\\sigma_{{{p.i}}}$")
            sigma = ans["sigmas"][p.i]
        else:
            sigma = float(p.sigma)
        s = Num(sigma)
        d.add("Noisy input", ans["x_sigma"], lhs=XS, part="x_sigma",
              substituted=Mat([[Num(float(x)) + s * Num(float(e)) for x, e in zip(p.x0, p.eps, strict=True)]]))
        terms = [paren(Num(float(h)) - Num(float(e))) ** 2 for h, e in zip(p.eps_hat, p.eps, strict=True)]
        total = terms[0]
        for t in terms[1:]:
            total = total + t
        d.add("Loss", ans["loss"], lhs=LOSS[p.reduction], part="loss",
              substituted=total if p.reduction == "sum" else paren(total) / len(terms))
        d.add("Estimate of x_0", ans["x0_hat"], lhs=X0H, part="x0_hat",
              substituted=Mat([[Num(float(x)) - s * Num(float(h)) for x, h in zip(ans["x_sigma"], p.eps_hat,
                                                                                  strict=True)]]),
              note="remove the predicted noise, scaled by the same $\\sigma$")
        d.answer = f"x̂_0 = {[round(v, 4) for v in ans['x0_hat']]}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        ans = self.solve(p)
        m = {
            "x0_hat_plus": Mistake(
                {"x0_hat": ve_parts(p, plus=True)["x0_hat"]},
                "The predicted noise is removed: "
                "$\\hat{\\mathbf{x}}_0 = \\mathbf{x}_\\sigma - \\sigma \\hat{\\epsilon}$."),
            "sigma_squared": Mistake(
                {k: v for k, v in ve_parts(p, squared=True).items() if k in ("x_sigma", "x0_hat")},
                "You used the variance $\\sigma^2$: $\\sigma$ is the standard deviation, and the noise added is "
                "$\\sigma \\epsilon$."),
            "reduction_confused": Mistake(
                {"loss": ve_parts(p, other_reduction=True)["loss"]},
                f"This loss is the {p.reduction} of the squared errors"
                + (" (the sum divided by the number of entries)." if p.reduction == "mean" else
                   " (not divided by the number of entries).")),
        }
        if p.sigma is None:
            m["linear_spacing"] = Mistake(
                {k: v for k, v in ve_parts(p, linear=True).items() if k != "loss"},
                "The schedule is geometric: each $\\sigma_i$ is the previous one times "
                "$(\\sigma_{\\max} / \\sigma_{\\min})^{1/(N - 1)}$, not plus a constant.")
        return distinct(ans, m)
