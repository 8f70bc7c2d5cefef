"""The Bayes-optimal (ideal) denoiser for a finite data set: posterior weights, E[x₀ | x_σ] and ε*.

Catalog: seed_000_001 I3 ``ideal_denoiser_finite_dataset`` (F0:343–356, the derivation is correct in the notes).
The diffusion family reuses this type (it is Bayes' rule, so it lives here).

Parameters:
    x0: the data set 𝒦, one point per row (N×d; d = 1 for points on a line). x_sigma: the noisy point (d entries).
    sigma: the noise level σ > 0.

Model stated in the prompt: x_σ = x₀ + σε with ε ∼ N(0, I) and a uniform prior p(x₀) = 1/|𝒦| over the data set.
Bayes' rule gives p(x₀ | x_σ) = exp(−‖x_σ − x₀‖²/(2σ²)) / Σ_{x₀'∈𝒦} exp(−‖x_σ − x₀'‖²/(2σ²)).

Answer parts: ``sq_dists`` (‖x_σ − x₀‖², intermediate), ``weights`` (the posterior over the data points),
``denoised`` (E[x₀ | x_σ] = Σ w x₀), ``eps_star`` (ε* = (x_σ − E[x₀ | x_σ])/σ).

Reference: ``MultivariateNormal(x₀, σ²I).log_prob(x_σ)`` for every data point and ``Categorical(logits=...)`` for
the posterior, batched (examprep.reference.bayes).

Common mistakes (catalog I3): σ² instead of 2σ² in the exponent, forgetting to normalise, σ instead of σ² in the
exponent, forgetting the 1/σ in ε*, the sign of ε* ((x₀ − x_σ) instead of (x_σ − x₀)).

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.bayes.decide import tiny
from examprep.solver.expr import Add, Func, Mat, Num, Sym
from examprep.solver.step import Derivation


def denoise(p: Params, scale: float = 2.0, power: int = 2, normalise: bool = True) -> dict[str, np.ndarray]:
    """Weights, E[x₀|x_σ] and ε*; ``scale``·σ^``power`` is the exponent's denominator (2σ² when right)."""
    pts = np.asarray(p.x0, dtype=float)
    xs = np.asarray(p.x_sigma, dtype=float)
    d2 = ((xs - pts) ** 2).sum(axis=1)
    logits = -d2 / (scale * p.sigma**power)
    w = np.exp(logits - (logits.max() if normalise else 0.0))
    if normalise:
        w = w / w.sum()
    e = w @ pts
    return {"sq_dists": d2, "weights": w, "denoised": e, "eps_star": (xs - e) / p.sigma}


class OptimalDenoiser(ProblemType):
    id = "bayes/optimal_denoiser-v1"
    title = "Ideal denoiser for a finite data set (posterior mean and ε*)"
    catalog = "seed_000_001 I3"
    reference_entry = "examprep.reference.bayes:optimal_denoiser"
    params = (
        Param("x0", "matrix", "the data set: one point x₀ per row", lo=-1000, hi=1000),
        Param("x_sigma", "vector", "the noisy point x_σ", lo=-1000, hi=1000),
        Param("sigma", "real", "noise level σ (standard deviation)", lo=0, hi=1000),
    )
    parts = (
        Part("sq_dists", "Squared distances ‖x_σ − x₀‖²", "vector", final=False),
        Part("weights", "Posterior weights p(x₀|x_σ)", "vector", share=True, uses=("sq_dists",)),
        Part("denoised", "Denoised point E[x₀|x_σ]", "vector", uses=("weights",)),
        Part("eps_star", "Ideal noise prediction ε*", "vector", uses=("denoised",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        if difficulty == "easy":
            return dict(x0=[[-1], [1]], x_sigma=[float(rng.integers(-4, 5)) / 2],
                        sigma=float(rng.choice([0.5, 1.0, 2.0])))
        n = 3 if difficulty == "medium" else 4
        cells = rng.choice(25, size=n, replace=False)
        pts = [[int(c // 5) - 1, int(c % 5) - 1] for c in cells]
        lo, hi = np.min(pts, axis=0), np.max(pts, axis=0)
        xs = [float(rng.integers(2 * lo[i], 2 * hi[i] + 1)) / 2 for i in range(2)]
        sig = [0.5, 1.0, 2.0] if difficulty == "medium" else [0.5, 1.0, 1.5, 2.0]
        return dict(x0=pts, x_sigma=xs, sigma=float(rng.choice(sig)))

    def check(self, p: Params) -> list[str]:
        if p.sigma <= 0:
            raise ParamError(f"sigma={p.sigma:g} is not allowed: the noise level must be positive")
        if len(p.x_sigma) != len(p.x0[0]):
            raise ParamError(f"x_sigma has {len(p.x_sigma)} entries but the data points have {len(p.x0[0])}")
        if len(p.x0) < 2:
            raise ParamError("x0: give at least two data points (one point is its own posterior mean)")
        if len(set(p.x0)) != len(p.x0):
            raise ParamError("x0: the data points must be distinct")
        return []

    def statement(self, p: Params) -> list[Any]:
        pts = ", ".join("(" + ", ".join(f"{v:g}" for v in row) + ")" for row in p.x0)
        xs = "(" + ", ".join(f"{v:g}" for v in p.x_sigma) + ")"
        return [
            rf"A data set $K = \{{{pts}\}}$ is noised as $x_\sigma = x_0 + \sigma \epsilon$ with "
            r"$\epsilon \sim N(0, I)$, $x_0$ drawn uniformly from $K$ "
            rf"(prior $1/|K|$). For $\sigma = {p.sigma:g}$ and the noisy point $x_\sigma = {xs}$, compute the "
            r"squared distances $\lVert x_\sigma - x_0 \rVert^2$, the posterior weights $p(x_0 \mid x_\sigma)$ "
            r"(Bayes' rule), the ideal denoiser's estimate $E[x_0 \mid x_\sigma]$ "
            r"and the ideal noise prediction "
            r"$\epsilon^*(x_\sigma, \sigma) = (x_\sigma - E[x_0 \mid x_\sigma]) / \sigma$. "
            "Conventions: the weights list the data points in the order given; natural exp."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        if not given:
            return {k: v.tolist() for k, v in denoise(p).items()}
        pts, xs = np.asarray(p.x0, dtype=float), np.asarray(p.x_sigma, dtype=float)  # error carried forward
        d2 = carry(given, "sq_dists", ((xs - pts) ** 2).sum(axis=1))
        logits = -d2 / (2.0 * p.sigma**2)
        w = np.exp(logits - logits.max())
        w = carry(given, "weights", w / w.sum())
        e = carry(given, "denoised", w @ pts)
        return {"sq_dists": d2.tolist(), "weights": w.tolist(), "denoised": e.tolist(),
                "eps_star": ((xs - e) / p.sigma).tolist()}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        xs = p.x_sigma
        d = Derivation()
        d.add("Squared distances", ans["sq_dists"],
              lhs=Sym("d2", tex=r"\lVert x_\sigma - x_0 \rVert^2"),
              substituted=Mat([[Add([(1, Num(a - b) ** 2) for a, b in zip(xs, row, strict=True)]) for row in p.x0]]),
              part="sq_dists", note="one entry per data point, in the order given")
        logits = [-v / (2 * p.sigma**2) for v in ans["sq_dists"]]
        d.add("Logits", logits, lhs=Sym("l", tex=r"-\lVert x_\sigma - x_0 \rVert^2 / (2 \sigma^2)"),
              substituted=Mat([[-Num(v) / (2 * Num(p.sigma) ** 2) for v in ans["sq_dists"]]]),
              note=r"the Gaussian likelihood $p(x_\sigma \mid x_0)$ up to a constant; the uniform prior cancels")
        z = float(np.exp(logits).sum())
        d.add("Normaliser", z, lhs="Z", formula=Sym("sumexp", tex=r"\sum \exp(\text{logit})"),
              substituted=Add([(1, Func("exp", Num(v))) for v in logits]))
        den = Num(z)
        d.add("Posterior weights", ans["weights"], lhs=Sym("w", tex=r"p(x_0 \mid x_\sigma)"),
              substituted=Mat([[Func("exp", Num(v)) / den for v in logits]]), part="weights",
              note="the softmax of the logits")
        cols = list(zip(*p.x0, strict=True))
        d.add("Posterior mean", ans["denoised"], lhs=Sym("E", tex=r"E[x_0 \mid x_\sigma]"),
              substituted=Mat([[Add([(1, Num(w) * Num(c)) for w, c in zip(ans["weights"], col, strict=True)])
                                for col in cols]]), part="denoised",
              note=r"$\sum p(x_0 \mid x_\sigma) x_0$ over the data set")
        d.add("Ideal noise prediction", ans["eps_star"], lhs=Sym("eps_star", tex=r"\epsilon^*"),
              substituted=Mat([[(Num(a) - Num(e)) / Num(p.sigma) for a, e in zip(xs, ans["denoised"], strict=True)]]),
              part="eps_star", note=r"$\hat{x}_0 = x_\sigma - \sigma \epsilon^*$ gives back $E[x_0 \mid x_\sigma]$")
        d.answer = rf"$E[x_0 \mid x_\sigma] = {_fmt(ans['denoised'])}$, $\epsilon^* = {_fmt(ans['eps_star'])}$"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        xs = np.asarray(p.x_sigma, dtype=float)

        def parts(r: dict[str, np.ndarray], names: tuple[str, ...] = ("weights", "denoised", "eps_star")) -> Answers:
            return {k: r[k].tolist() for k in names}

        true = denoise(p)
        m = {
            "sigma_sq_not_2": Mistake(parts(denoise(p, scale=1.0)),
                                      "The exponent is −‖x_σ − x₀‖²/(2σ²): you left out the 2."),
            "not_normalised": Mistake(parts(denoise(p, normalise=False)),
                                      "The weights must be normalised to sum to 1 (divide by Σ exp(·))."),
            "eps_sign": Mistake({"eps_star": ((true["denoised"] - xs) / p.sigma).tolist()},
                                "ε* = (x_σ − E[x₀|x_σ])/σ: the noise points from the clean point to the noisy one."),
        }
        if p.sigma != 1:
            m["sigma_not_squared"] = Mistake(parts(denoise(p, power=1)),
                                             "The exponent divides by 2σ² (the variance), not 2σ.")
            m["no_one_over_sigma"] = Mistake({"eps_star": (xs - true["denoised"]).tolist()},
                                             "You forgot to divide by σ: ε* = (x_σ − E[x₀|x_σ])/σ.")
        return m

    def degenerate(self, p: Params) -> str | None:
        ans = self.solve(p)
        if min(ans["weights"]) < 0.01:
            return "a posterior weight rounds to 0"
        if tiny(ans["denoised"]) or tiny(ans["eps_star"]):
            return "an entry of the answer rounds to 0"
        return None


def _fmt(v: list[float]) -> str:
    return "[" + ", ".join(f"{x:.6g}" for x in v) + "]"
