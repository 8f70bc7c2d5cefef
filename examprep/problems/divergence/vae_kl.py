"""The VAE's KL term and its reparameterised sample, from the encoder's mean and log-variance.

Catalog: seed_003 1.2, 1.3, C5, C6, C9; seed_004 E4, E5; seed_002 J2; seed_000_001 E5.

Parameters:
    mu: encoder means (one per latent dimension). log_var: encoder log-variances ln σ² (same length).
    eps: the standard-normal draw ε used for the sample (same length).

Answer parts: ``sigma`` = exp(log_var/2) (intermediate), ``kl_per_dim`` = ½(μ² + σ² − ln σ² − 1) per dimension
(intermediate), ``kl`` = KL(N(μ, diag σ²)‖N(0, I)) = Σ kl_per_dim, and ``z`` = μ + σ ⊙ ε.

Conventions stated in the prompt: log_var is the natural log of the variance σ², the prior is N(0, I), the KL is
summed over dimensions, natural log (nats).

Reference: ``kl_divergence(Normal(mu, exp(log_var/2)), Normal(0, 1))`` per dimension; z by an ``AffineTransform``
of ε (examprep.reference.divergence:vae_kl).

Common mistakes: σ = exp(log_var) (the ½ forgotten), the KL without its ½, σ in place of σ² in the KL,
the sign flipped (the notes' step ½(1 + 0 − 1 − 1) = −0.5), z = μ + ε (σ left out), z = μ + σ²ε.

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
from examprep.solver.expr import Func, Mat, Num
from examprep.solver.step import Derivation


def kl_dims(mu: Any, var: Any, log_var: Any) -> list[float]:
    """½(μ² + σ² − ln σ² − 1) per dimension (σ² and ln σ² passed separately, so mistakes can vary one)."""
    return [0.5 * (m * m + v - lv - 1) for m, v, lv in zip(mu, var, log_var, strict=True)]


class VAEKL(ProblemType):
    id = "divergence/vae_kl-v1"
    title = "VAE KL term and reparameterised sample"
    catalog = "seed_003 C5, C6; seed_004 E4, E5; seed_002 J2"
    reference_entry = "examprep.reference.divergence:vae_kl"
    params = (
        Param("mu", "vector", "encoder means μ, one per latent dimension", lo=-100, hi=100),
        Param("log_var", "vector", "encoder log-variances ln σ²", lo=-20, hi=20),
        Param("eps", "vector", "the standard-normal draw ε", lo=-10, hi=10),
    )
    parts = (
        Part("sigma", "σ = exp(log_var/2)", "vector", final=False),
        Part("kl_per_dim", "KL per dimension", "vector", final=False, uses=("sigma",)),
        Part("kl", "KL(q(z|x)‖N(0, I))", "real", uses=("kl_per_dim",)),
        Part("z", "z = μ + σ⊙ε", "vector", uses=("sigma",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        def grid(n: int, lo: int, hi: int, scale: int) -> tuple[float, ...]:
            return tuple(round(float(rng.integers(lo, hi + 1)) / scale, 2) for _ in range(n))

        if difficulty == "easy":
            n = 1
            return dict(mu=grid(n, -4, 4, 2), log_var=grid(n, -10, 5, 10), eps=grid(n, -20, 20, 10))
        if difficulty == "medium":
            n = 2
            return dict(mu=grid(n, -15, 15, 10), log_var=grid(n, -15, 10, 10), eps=grid(n, -20, 20, 10))
        n = int(rng.integers(2, 4))
        return dict(mu=grid(n, -20, 20, 10), log_var=grid(n, -20, 10, 10), eps=grid(n, -25, 25, 10))

    def check(self, p: Params) -> list[str]:
        from examprep.errors import ParamError

        n = len(p.mu)
        for name in ("log_var", "eps"):
            if len(p[name]) != n:
                raise ParamError(f"{name} has {len(p[name])} entries but mu has {n}: give one per latent dimension")
        return []

    def degenerate(self, p: Params) -> str | None:
        ans = self.solve(p)
        if ans["kl"] < 1e-3:
            return "KL too close to 0"
        if any(0 < abs(x) < 1e-3 for x in ans["kl_per_dim"]) or any(0 < abs(x) < 1e-3 for x in ans["z"]):
            return "an entry too close to 0"
        if any(e == 0 for e in p.eps):
            return "ε = 0 makes σ irrelevant to z"
        return None

    def statement(self, p: Params) -> list[Any]:
        return [
            r"A VAE encoder outputs, for one input $x$, the means $\mu$ = ", list(p.mu), " and the log-variances "
            r"$\log \sigma^2$ = ", list(p.log_var), r" (natural log of the variance) of "
            r"$q(z \mid x) = N(\mu, \operatorname{diag} \sigma^2)$; the prior is $p(z) = N(0, I)$. "
            r"(a) Compute $\sigma$ and $\mathrm{KL}(q(z \mid x) \lVert p(z)) = \frac{1}{2} \sum_j (\mu_j^2 + "
            r"\sigma_j^2 - \ln \sigma_j^2 - 1)$ in nats, per dimension and summed. "
            r"(b) With the standard-normal draw $\epsilon$ = ", list(p.eps), ", compute the reparameterised sample "
            r"$z = \mu + \sigma \odot \epsilon$."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        sigma = [math.exp(lv / 2) for lv in p.log_var]
        per = kl_dims(p.mu, [math.exp(lv) for lv in p.log_var], p.log_var)
        if given and "sigma" in given:  # error carried forward from the student's σ
            sigma = [float(x) for x in carry(given, "sigma", np.asarray(sigma))]
            per = kl_dims(p.mu, [s * s for s in sigma], [2 * math.log(s) if s > 0 else -math.inf for s in sigma])
        if given and "kl_per_dim" in given:
            per = [float(x) for x in carry(given, "kl_per_dim", np.asarray(per))]
        return {"sigma": sigma, "kl_per_dim": per, "kl": math.fsum(per),
                "z": [m + s * e for m, s, e in zip(p.mu, sigma, p.eps, strict=True)]}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        half = Fraction(1, 2)
        d = Derivation()
        d.add("Standard deviations", ans["sigma"], lhs="sigma",
              substituted=Mat([[Func("exp", Num(lv) / 2) for lv in p.log_var]]), part="sigma",
              note=r"$\sigma = \exp(\frac{1}{2} \log \sigma^2)$")
        d.add("KL per dimension", ans["kl_per_dim"], lhs="k",
              substituted=Mat([[half * (Num(m) ** 2 + Func("exp", Num(lv)) - Num(lv) - 1)
                                for m, lv in zip(p.mu, p.log_var, strict=True)]]),
              part="kl_per_dim", note=r"$\frac{1}{2} (\mu_j^2 + \sigma_j^2 - \ln \sigma_j^2 - 1)$ with "
                                    r"$\sigma_j^2 = \exp(\log \sigma_j^2)$")
        total = Num(ans["kl_per_dim"][0])
        for x in ans["kl_per_dim"][1:]:
            total = total + Num(x)
        d.add("Sum over dimensions", ans["kl"], lhs="KL", substituted=total, part="kl")
        d.add("Reparameterised sample", ans["z"], lhs="z",
              substituted=Mat([[Num(m) + Num(s) * Num(e) for m, s, e in zip(p.mu, ans["sigma"], p.eps, strict=True)]]),
              part="z", note=r"$z = \mu + \sigma \odot \epsilon$")
        d.answer = f"KL = {ans['kl']:.6g} nats; z = [" + ", ".join(f"{x:.6g}" for x in ans["z"]) + "]"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        ans = self.solve(p)
        var = [math.exp(lv) for lv in p.log_var]
        m: dict[str, Mistake] = {}
        if any(lv != 0 for lv in p.log_var):
            s_bad = var  # σ = exp(log σ²): the ½ forgotten; then σ² = exp(2 log σ²) and ln σ² = 2 log σ²
            per = kl_dims(p.mu, [s * s for s in s_bad], [2 * lv for lv in p.log_var])
            m["sigma_is_exp_log_var"] = Mistake(
                {"sigma": s_bad, "kl_per_dim": per, "kl": math.fsum(per),
                 "z": [mu + s * e for mu, s, e in zip(p.mu, s_bad, p.eps, strict=True)]},
                r"You took $\sigma = \exp(\log \sigma^2)$: the standard deviation is "
                r"$\sigma = \exp(\frac{1}{2} \log \sigma^2)$.")
            per = [0.5 * (mu * mu + s - lv - 1) for mu, s, lv in zip(p.mu, ans["sigma"], p.log_var, strict=True)]
            m["sigma_for_variance"] = Mistake(
                {"kl_per_dim": per, "kl": math.fsum(per)},
                r"You used $\sigma$ where $\sigma^2$ belongs in the KL: the term is "
                r"$\mu^2 + \sigma^2 - \ln \sigma^2 - 1$.")
            m["variance_in_sample"] = Mistake(
                {"z": [mu + v * e for mu, v, e in zip(p.mu, var, p.eps, strict=True)]},
                r"You multiplied $\epsilon$ by the variance $\sigma^2$: $z = \mu + \sigma \odot \epsilon$ uses the "
                "standard deviation.")
            m["sigma_left_out"] = Mistake({"z": [mu + e for mu, e in zip(p.mu, p.eps, strict=True)]},
                                          r"You added $\epsilon$ without scaling it: "
                                          r"$z = \mu + \sigma \odot \epsilon$.")
        m["half_dropped"] = Mistake({"kl_per_dim": [2 * x for x in ans["kl_per_dim"]], "kl": 2 * ans["kl"]},
                                    r"You dropped the $\frac{1}{2}$ in front of the KL sum.")
        m["sign_flipped"] = Mistake({"kl_per_dim": [-x for x in ans["kl_per_dim"]], "kl": -ans["kl"]},
                                    r"You flipped the sign: $\mathrm{KL} = -\frac{1}{2} \sum (1 + \ln \sigma^2 - \mu^2 "
                                    r"- \sigma^2)$ is never negative.")
        return m
