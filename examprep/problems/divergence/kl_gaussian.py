"""KL divergence between two univariate Gaussians given by their standard deviations.

Catalog: seed_003 1.3, C6, C7; seed_002 K4; seed_004 E4; seed_000_001 E1.

Parameters:
    mu1, sigma1: mean and standard deviation of N1. mu2, sigma2: mean and standard deviation of N2.

Answer parts: ``log_term`` = ln(σ2/σ1) and ``frac_term`` = (σ1² + (μ1 − μ2)²)/(2σ2²) (intermediate), and
``kl`` = KL(N1‖N2) = log_term + frac_term − ½.

Conventions stated in the prompt: N(μ, σ²) with σ the standard deviation (not the variance), the direction
KL(N1‖N2) = E_{N1}[ln N1(x)/N2(x)], natural log (nats).

Reference: ``kl_divergence(Normal(mu1, sigma1), Normal(mu2, sigma2))``; the log term from the entropies
(examprep.reference.divergence:kl_gaussian).

Common mistakes: the standard deviations used as variances, ln(σ2²/σ1²) without the ½, the direction swapped,
the −½ dropped, the sign flipped (the notes' displayed step ½(1 + 0 − 1 − 1) = −0.5).

Versions: v1 — first version.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.seeding import picker
from examprep.solver.expr import Func, Sym, paren
from examprep.solver.step import Derivation

MU1, MU2, S1, S2 = Sym("mu_1"), Sym("mu_2"), Sym("sigma_1"), Sym("sigma_2")


def gauss_kl(mu1: float, s1: float, mu2: float, s2: float) -> tuple[float, float, float]:
    """(ln(σ2/σ1), (σ1² + (μ1−μ2)²)/(2σ2²), KL(N1‖N2)) for standard deviations σ1, σ2."""
    log_term = math.log(s2 / s1)
    frac_term = (s1**2 + (mu1 - mu2) ** 2) / (2 * s2**2)
    return log_term, frac_term, log_term + frac_term - 0.5


class KLGaussian(ProblemType):
    id = "divergence/kl_gaussian-v1"
    title = "KL divergence of two univariate Gaussians"
    catalog = "seed_003 1.3, C6, C7; seed_002 K4"
    reference_entry = "examprep.reference.divergence:kl_gaussian"
    params = (
        Param("mu1", "real", "mean of N1", lo=-100, hi=100),
        Param("sigma1", "real", "standard deviation of N1", lo=1e-3, hi=1000),
        Param("mu2", "real", "mean of N2", lo=-100, hi=100),
        Param("sigma2", "real", "standard deviation of N2", lo=1e-3, hi=1000),
    )
    parts = (
        Part("log_term", "ln(σ2/σ1)", "real", final=False),
        Part("frac_term", "(σ1² + (μ1 − μ2)²)/(2σ2²)", "real", final=False),
        Part("kl", "KL(N_1 ‖ N_2)", "real", uses=("log_term", "frac_term")),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = picker(rng)
        if difficulty == "easy":  # against the standard normal, as in the VAE prior
            return dict(mu1=pick([-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2]), sigma1=pick([0.5, 0.8, 1, 1.5, 2]),
                        mu2=0, sigma2=1)
        if difficulty == "medium":
            mus = [x / 2 for x in range(-4, 5)]
            sig = [0.5, 1, 2]
            return dict(mu1=pick(mus), sigma1=pick(sig), mu2=pick(mus), sigma2=pick(sig))
        mu = lambda: round(float(rng.integers(-25, 26)) / 10, 1)  # noqa: E731
        sd = lambda: round(float(rng.integers(3, 31)) / 10, 1)  # noqa: E731
        return dict(mu1=mu(), sigma1=sd(), mu2=mu(), sigma2=sd())

    def check(self, p: Params) -> list[str]:
        from examprep.errors import ParamError

        for name in ("sigma1", "sigma2"):
            if p[name] <= 0:
                raise ParamError(f"{name} must be a positive standard deviation, got {p[name]}")
        return []

    def degenerate(self, p: Params) -> str | None:
        if (p.mu1, p.sigma1) == (p.mu2, p.sigma2):
            return "N1 = N2 (the KL is 0)"
        if self.solve(p)["kl"] < 1e-3:
            return "KL too close to 0"
        return None

    def statement(self, p: Params) -> list[Any]:
        return [
            rf"Let $N_1 = N(\mu_1 = {p.mu1:g}, \sigma_1 = {p.sigma1:g})$ and "
            rf"$N_2 = N(\mu_2 = {p.mu2:g}, \sigma_2 = {p.sigma2:g})$, "
            r"where $\sigma_1$ and $\sigma_2$ are standard deviations (the variances are $\sigma_1^2$ and "
            r"$\sigma_2^2$). Compute $\mathrm{KL}(N_1 \lVert N_2)$, the expectation under $N_1$ of "
            r"$\ln N_1(x) - \ln N_2(x)$, in nats (natural log), using "
            r"$\mathrm{KL} = \ln \frac{\sigma_2}{\sigma_1} + \frac{\sigma_1^2 + (\mu_1 - \mu_2)^2}{2 \sigma_2^2} - "
            r"\frac{1}{2}$. Give the two terms and the result."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        lt, ft, k = gauss_kl(p.mu1, p.sigma1, p.mu2, p.sigma2)
        if given and ("log_term" in given or "frac_term" in given):  # error carried forward
            lt, ft = carry(given, "log_term", lt), carry(given, "frac_term", ft)
            k = lt + ft - 0.5
        return {"log_term": lt, "frac_term": ft, "kl": k}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        subs = {MU1: p.mu1, MU2: p.mu2, S1: p.sigma1, S2: p.sigma2}
        d = Derivation()
        d.add("Log ratio of the standard deviations", ans["log_term"], lhs="a",
              formula=Func("ln", S2 / S1), subs=subs, part="log_term")
        d.add("Variance-and-mean term", ans["frac_term"], lhs="b",
              formula=(S1**2 + paren(MU1 - MU2) ** 2) / (2 * S2**2), subs=subs, part="frac_term")
        a, b = Sym("a"), Sym("b")
        d.add("Combine", ans["kl"], lhs=Sym("KL", tex=r"\mathrm{KL}(N_1 \lVert N_2)"), formula=a + b - Fraction(1, 2),
              subs={a: ans["log_term"], b: ans["frac_term"]}, part="kl")
        d.answer = rf"$\mathrm{{KL}}(N_1 \lVert N_2) = {ans['kl']:.6g}$ nats"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        lt, ft, k = gauss_kl(p.mu1, p.sigma1, p.mu2, p.sigma2)
        m: dict[str, Mistake] = {}
        if p.sigma1 != 1 or p.sigma2 != 1:
            vl, vf, vk = gauss_kl(p.mu1, math.sqrt(p.sigma1), p.mu2, math.sqrt(p.sigma2))
            m["std_as_variance"] = Mistake(
                {"log_term": vl, "frac_term": vf, "kl": vk},
                "You treated the standard deviations as variances: σ1 and σ2 are standard deviations, so the "
                "variances are σ1² and σ2².")
        if p.sigma1 != p.sigma2:
            m["log_variance_ratio"] = Mistake(
                {"log_term": 2 * lt, "kl": 2 * lt + ft - 0.5},
                "You used ln(σ2²/σ1²): the log term is ln(σ2/σ1) = ½·ln(σ2²/σ1²).")
        if p.sigma1 != p.sigma2:  # with equal variances the KL is symmetric
            sl, sf, sk = gauss_kl(p.mu2, p.sigma2, p.mu1, p.sigma1)
            m["direction_swapped"] = Mistake(
                {"log_term": sl, "frac_term": sf, "kl": sk},
                "You computed KL(N2‖N1). KL is not symmetric: the expectation is under N1, and σ2 is in the "
                "denominator.")
        m["minus_half_dropped"] = Mistake({"kl": k + 0.5}, "You dropped the −1/2 at the end of the formula.")
        m["sign_flipped"] = Mistake({"kl": -k}, "You flipped the sign: KL is never negative.")
        return m
