"""The prior term of the diffusion bound: L_T = KL(q(x_T | x_0) ‖ N(0, I)), summed over the entries.

Catalog: seed_004 F10 (the hand schedule β = (0.1, 0.2, 0.3) with x_0 = 2 gives 1.106590, not negligible; the DDPM
linear schedule with T = 1000 gives about 2.5e-5).

Parameters:
    x0: the clean data x_0 (1–3 numbers).
    the schedule as in diffusion/noise_schedule: ``betas`` (β_1..β_T), or ``schedule`` = linear (``beta_1``,
    ``beta_T``, ``T``) or cosine (``T``, ``s``); the step is t = T.

Answer parts: ``alpha_bar_T`` (ᾱ_T), ``mean`` = √ᾱ_T·x_0, ``var`` = 1 − ᾱ_T, ``kl`` = ½ Σ_d [m_d² + v − 1 − ln v]
with m = √ᾱ_T·x_0 and v = 1 − ᾱ_T.

Conventions stated in the prompt: the schedule's, ᾱ_T = ∏_{s≤T}(1 − β_s); natural log; the KL is summed over the
entries of x_0.

Reference: ``torch.cumprod`` of the schedule built in torch (``torch.linspace`` for the linear one) and
``kl_divergence(Normal(√ᾱ·x_0, √(1 − ᾱ)), Normal(0, 1))`` summed (examprep.reference.diffusion_extra:prior_kl).

Common mistakes: the standard deviation in the log (ln √v for ln v), the direction KL(N(0, I) ‖ q).

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
from examprep.problems.diffusion.noise_schedule import NoiseSchedule, betas_of, schedule_statement
from examprep.problems.diffusion.schedule import CONVENTIONS, alpha_bar, alpha_bar_step
from examprep.problems.gan.fair import near_miss
from examprep.problems.latent.points import distinct
from examprep.solver.expr import Func, Mat, Num, Sym, paren, sqrt
from examprep.solver.step import Derivation

M_SYM = Sym("m", tex=r"\mathbf{m} = \sqrt{\bar{\alpha}_T} \mathbf{x}_0")
V_SYM = Sym("v", tex=r"v = 1 - \bar{\alpha}_T")
KL_SYM = Sym("L_T", tex=r"L_T = \frac{1}{2} \sum_d (m_d^2 + v - 1 - \ln v)")


def prior_parts(x0: Any, ab: float, *, std_in_log: bool = False, reverse: bool = False,
                given: Answers | None = None) -> Answers:
    """Every part from ᾱ_T (flags: the named mistakes; ``given`` the student's earlier values, error carried
    forward)."""
    x = np.asarray(x0, dtype=float)
    ab = carry(given, "alpha_bar_T", ab)
    mean = carry(given, "mean", math.sqrt(ab) * x)
    var = carry(given, "var", 1 - ab)
    if reverse:  # KL(N(0, 1) ‖ N(m, v)) = ½[ln v + (1 + m²)/v − 1]
        kl = 0.5 * (math.log(var) + (1 + mean**2) / var - 1).sum()
    else:
        kl = 0.5 * (mean**2 + var - 1 - (0.5 if std_in_log else 1.0) * math.log(var)).sum()
    return {"alpha_bar_T": ab, "mean": mean.tolist(), "var": var, "kl": float(kl)}


class PriorKL(ProblemType):
    id = "diffusion/prior_kl-v1"
    title = "Diffusion prior term L_T = KL(q(x_T | x_0) ‖ N(0, I))"
    catalog = "seed_004 F10"
    reference_entry = "examprep.reference.diffusion_extra:prior_kl"
    params = (Param("x0", "vector", "x_0, the clean data", lo=-100, hi=100),
              *(pr for pr in NoiseSchedule.params if pr.name != "t"))
    parts = (
        Part("alpha_bar_T", "ᾱ_T", "real", mode="sigfig", digits=4, final=False),
        Part("mean", "Mean of q(x_T | x_0)", "vector", mode="sigfig", digits=4, final=False, uses=("alpha_bar_T",)),
        Part("var", "Variance of q(x_T | x_0)", "real", mode="sigfig", digits=4, final=False, uses=("alpha_bar_T",)),
        Part("kl", "L_T = KL(q(x_T | x_0) ‖ N(0, I))", "real", mode="sigfig", digits=4, uses=("mean", "var")),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n = {"easy": 1, "medium": int(rng.integers(1, 3)), "hard": int(rng.integers(2, 4))}[difficulty]
        x0 = list(draws.data(rng, difficulty, n))
        # the cosine schedule ends at ᾱ_T ≈ 0 by design (L_T ≈ 0, not hand-sized): given with --set only
        kind = "betas" if difficulty == "easy" else draws.pick(rng, ("betas", "linear"))
        if kind == "betas":
            return dict(x0=x0, betas=list(draws.betas(rng, difficulty)))
        return dict(x0=x0, schedule="linear", beta_1=float(draws.pick(rng, (0.01, 0.02, 0.05))),
                    beta_T=float(draws.pick(rng, (0.1, 0.2, 0.3))), T=int(draws.pick(rng, (4, 5, 8, 10))))

    def check(self, p: Params) -> list[str]:
        NoiseSchedule.check(self, _with_t(p))  # the schedule's own rules, at t = T
        if 1 - alpha_bar(betas_of(p), len(betas_of(p))) <= 0:
            raise ParamError("ᾱ_T rounds to 1: the schedule adds no noise")
        return []

    def degenerate(self, p: Params) -> str | None:
        if not np.any(np.asarray(p.x0, dtype=float)):
            return "x_0 = 0"
        return near_miss(self.solve(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        sched = schedule_statement(p)
        return [
            *sched, CONVENTIONS, " Take $\\mathbf{x}_0$ = ", list(p.x0), ". The forward process gives "
            "$q(\\mathbf{x}_T \\mid \\mathbf{x}_0) = N(\\sqrt{\\bar{\\alpha}_T} \\mathbf{x}_0, "
            "(1 - \\bar{\\alpha}_T) I)$. "
            "Compute $\\bar{\\alpha}_T$, the mean and the variance of $q(\\mathbf{x}_T \\mid \\mathbf{x}_0)$, and the "
            "prior term $L_T = \\mathrm{KL}(q(\\mathbf{x}_T \\mid \\mathbf{x}_0) \\lVert N(0, I))$ in nats, summed "
            "over the entries, each to 4 significant figures."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        b = betas_of(p)
        return prior_parts(p.x0, alpha_bar(b, len(b)), given=given)

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        b = betas_of(p)
        d = Derivation()
        alpha_bar_step(d, b, len(b), part="alpha_bar_T")
        ab = Num(ans["alpha_bar_T"])
        d.add("Mean of q(x_T | x_0)", ans["mean"], lhs=M_SYM,
              substituted=Mat([[sqrt(ab) * Num(float(x)) for x in p.x0]]), part="mean")
        d.add("Variance of q(x_T | x_0)", ans["var"], lhs=V_SYM, substituted=1 - ab, part="var")
        v = Num(ans["var"])
        terms = [paren(Num(m) ** 2 + v - 1 - Func("ln", v)) for m in ans["mean"]]
        total = terms[0]
        for t in terms[1:]:
            total = total + t
        d.add("Prior term", ans["kl"], lhs=KL_SYM, substituted=Num(1) / 2 * paren(total) if len(terms) > 1 else
              Num(1) / 2 * terms[0], part="kl",
              note="the Gaussian KL $\\mathrm{KL}(N(m, v) \\lVert N(0, 1)) = \\frac{1}{2}(m^2 + v - 1 - \\ln v)$ per "
                   "entry; it is near 0 only when $\\bar{\\alpha}_T$ is near 0")
        d.answer = f"L_T = {ans['kl']:.6g}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        ans = self.solve(p)
        ab = ans["alpha_bar_T"]
        m = {
            "std_in_log": Mistake(
                {"kl": prior_parts(p.x0, ab, std_in_log=True)["kl"]},
                "The log term is $\\ln v$ of the variance $v = 1 - \\bar{\\alpha}_T$, not of the standard deviation "
                "$\\sqrt{v}$."),
            "direction": Mistake(
                {"kl": prior_parts(p.x0, ab, reverse=True)["kl"]},
                "You computed $\\mathrm{KL}(N(0, I) \\lVert q)$: $L_T$ is $\\mathrm{KL}(q(\\mathbf{x}_T \\mid "
                "\\mathbf{x}_0) \\lVert N(0, I))$ = $\\frac{1}{2} \\sum_d (m_d^2 + v - 1 - \\ln v)$."),
        }
        return distinct(ans, m)


def _with_t(p: Params) -> Params:
    """The parameters as noise_schedule reads them, with t = T."""
    t = len(p.betas) if p.schedule is None and p.betas is not None else (p.T or 1)
    return Params({**dict(p), "t": t})
