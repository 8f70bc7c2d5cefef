"""Probabilistic PCA with one latent dimension: the marginal covariance, the posterior of z and ln p(x).

Catalog: seed_000_001 E6 (W = [2, 1]ᵀ, σ² = 0.5: C = [[4.5, 2], [2, 1.5]], M = 5.5; x = [2, 1]: E[z|x] = 0.909091,
Var = 0.090909, ln p(x) = −2.798223).

Parameters:
    W: the d × 1 loading matrix. sigma2: the noise variance σ². mu: the mean μ (default 0). x: the observation.

Answer parts: ``C`` = WWᵀ + σ²I (d × d), ``M`` = WᵀW + σ² (1 × 1, a number), ``post_mean`` = M⁻¹Wᵀ(x − μ),
``post_var`` = σ²M⁻¹, ``log_px`` = ln N(x; μ, C).

Conventions stated in the prompt: the model x = Wz + μ + ε, z ~ N(0, 1), ε ~ N(0, σ²I); natural log.

Reference: ``torch.distributions.MultivariateNormal(μ, C).log_prob``, the posterior by ``torch.linalg.solve``
(examprep.reference.latent:ppca); the tests check ln p(x) against ``scipy.stats.multivariate_normal``.

Common mistakes: σ²I left out of C and M, C⁻¹ used where M⁻¹ belongs (σ²WᵀC⁻¹W for the variance).

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
from examprep.problems.gan.fair import near_miss
from examprep.problems.latent.points import distinct
from examprep.seeding import picker
from examprep.solver.expr import Func, Mat, Num, Sym, paren
from examprep.solver.step import Derivation

C_SYM = Sym("C", tex=r"C = W W^\top + \sigma^2 I")
M_SYM = Sym("M", tex=r"M = W^\top W + \sigma^2")
PM = Sym("pm", tex=r"\mathrm{E}[z \mid \mathbf{x}] = M^{-1} W^\top (\mathbf{x} - \mu)")
PV = Sym("pv", tex=r"\mathrm{Var}[z \mid \mathbf{x}] = \sigma^2 M^{-1}")
LP = Sym("lp", tex=r"\ln p(\mathbf{x}) = -\frac{1}{2}[d \ln 2\pi + \ln \mathrm{det} C"
               r" + (\mathbf{x} - \mu)^\top C^{-1} (\mathbf{x} - \mu)]")


def ppca_parts(W: Any, sigma2: float, mu: Any, x: Any, *, no_noise: bool = False,  # noqa: N803
               given: Answers | None = None) -> Answers:
    """Every part (``no_noise``: the named mistake; ``given``: the student's C and M, carried forward)."""
    w = np.asarray(W, dtype=float).reshape(-1)
    d = len(w)
    s2 = 0.0 if no_noise else sigma2
    c = carry(given, "C", np.outer(w, w) + s2 * np.eye(d))
    m = carry(given, "M", float(w @ w + s2))
    r = np.asarray(x, dtype=float) - (np.zeros(d) if mu is None else np.asarray(mu, dtype=float))
    out: Answers = {"C": c.tolist(), "M": m, "post_mean": float(w @ r) / m, "post_var": sigma2 / m}
    if not no_noise:
        sign, logdet = np.linalg.slogdet(c)
        if sign <= 0:
            raise ValueError("C is not positive definite")
        out["log_px"] = float(-0.5 * (d * math.log(2 * math.pi) + logdet + r @ np.linalg.solve(c, r)))
    return out


class PPCA(ProblemType):
    id = "latent/ppca-v1"
    title = "Probabilistic PCA: marginal, posterior and likelihood"
    catalog = "seed_000_001 E6"
    reference_entry = "examprep.reference.latent:ppca"
    params = (
        Param("W", "matrix", "the d × 1 loading matrix W", lo=-100, hi=100),
        Param("sigma2", "real", "the noise variance σ²", lo=0, hi=100),
        Param("mu", "vector", "the mean μ (default 0)", lo=-100, hi=100, optional=True),
        Param("x", "vector", "the observation x", lo=-1000, hi=1000),
    )
    parts = (
        Part("C", "Marginal covariance C = WWᵀ + σ²I", "matrix", mode="decdig", digits=4),
        Part("M", "M = WᵀW + σ²", "real", mode="decdig", digits=4, final=False),
        Part("post_mean", "Posterior mean E[z|x]", "real", mode="sigfig", digits=4, uses=("M",)),
        Part("post_var", "Posterior variance Var[z|x]", "real", mode="sigfig", digits=4, uses=("M",)),
        Part("log_px", "Log-likelihood ln p(x)", "real", mode="decdig", digits=4, uses=("C",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = picker(rng)
        d = 3 if difficulty == "hard" and rng.random() < 0.4 else 2
        while True:
            w = [float(v) for v in rng.integers(-2, 3, size=d)]
            if sum(abs(v) for v in w) > 1:
                break
        mu = None if difficulty == "easy" else [float(v) for v in rng.integers(-1, 2, size=d)]
        return dict(W=[[v] for v in w], sigma2=float(pick([0.25, 0.5, 1.0])), mu=mu,
                    x=[float(v) for v in rng.integers(-3, 4, size=d)])

    def check(self, p: Params) -> list[str]:
        w = np.asarray(p.W, dtype=float)
        if w.ndim != 2 or w.shape[1] != 1:
            raise ParamError("W: give a d × 1 matrix (one latent dimension), e.g. [[2], [1]]")
        d = w.shape[0]
        if len(p.x) != d or (p.mu is not None and len(p.mu) != d):
            raise ParamError(f"x and mu must have {d} entries, one per row of W")
        if p.sigma2 <= 0:
            raise ParamError(f"sigma2 must be a positive variance, got {p.sigma2:g}")
        return []

    def degenerate(self, p: Params) -> str | None:
        if abs(self.solve(p)["post_mean"]) < 0.05:
            return "the posterior mean is (nearly) 0"
        return near_miss(self.solve(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        mu = "$\\mu = 0$" if p.mu is None else "$\\mu$ = "
        return [
            "Probabilistic PCA with one latent dimension: $\\mathbf{x} = W z + \\mu + \\epsilon$ with "
            "$z \\sim N(0, 1)$ and $\\epsilon \\sim N(0, \\sigma^2 I)$, where $W$ = ", [list(r) for r in p.W],
            f", $\\sigma^2 = {p.sigma2:g}$ and ", mu, *([] if p.mu is None else [list(p.mu)]),
            ". For $\\mathbf{x}$ = ", list(p.x), ", compute $C = W W^\\top + \\sigma^2 I$, "
            "$M = W^\\top W + \\sigma^2$, "
            "the posterior mean $M^{-1} W^\\top (\\mathbf{x} - \\mu)$ and variance $\\sigma^2 M^{-1}$ of $z$, and "
            "$\\ln p(\\mathbf{x}) = \\ln N(\\mathbf{x}; \\mu, C)$ (natural log). Give $C$ and $\\ln p(\\mathbf{x})$ to "
            "4 decimal places and the posterior to 4 significant figures."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return ppca_parts(p.W, p.sigma2, p.mu, p.x, given=given)

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        w = [float(r[0]) for r in p.W]
        d_ = len(w)
        s2 = Num(float(p.sigma2))
        mu = [0.0] * d_ if p.mu is None else [float(v) for v in p.mu]
        r = [float(a) - b for a, b in zip(p.x, mu, strict=True)]
        d = Derivation()
        d.add("Marginal covariance", ans["C"], lhs=C_SYM, part="C",
              substituted=Mat([[Num(a) * Num(b) + (s2 if i == j else Num(0)) for j, b in enumerate(w)]
                               for i, a in enumerate(w)]))
        total = Num(w[0]) ** 2
        for v in w[1:]:
            total = total + Num(v) ** 2
        d.add("M", ans["M"], lhs=M_SYM, substituted=total + s2, part="M")
        wr = Num(w[0]) * paren(Num(r[0]))
        for a, b in zip(w[1:], r[1:], strict=True):
            wr = wr + Num(a) * paren(Num(b))
        d.add("Posterior mean", ans["post_mean"], lhs=PM, substituted=paren(wr) / Num(ans["M"]), part="post_mean",
              note=f"$\\mathbf{{x}} - \\mu$ = {[round(v, 6) for v in r]}")
        d.add("Posterior variance", ans["post_var"], lhs=PV, substituted=s2 / Num(ans["M"]), part="post_var")
        c = np.asarray(ans["C"])
        det = float(np.linalg.det(c))
        quad = float(np.asarray(r) @ np.linalg.solve(c, r))
        d.add("Log-likelihood", ans["log_px"], lhs=LP, part="log_px",
              substituted=-Num(1) / 2 * paren(Num(d_) * Func("ln", 2 * Num(math.pi)) + Func("ln", Num(det))
                                              + Num(quad)),
              note=f"the determinant of $C$ is {det:.6g} and "
                   f"$(\\mathbf{{x}} - \\mu)^\\top C^{{-1}} (\\mathbf{{x}} - \\mu)$ = {quad:.6g}")
        d.answer = f"E[z|x] = {ans['post_mean']:.4g}, ln p(x) = {ans['log_px']:.4f}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        ans = self.solve(p)
        w = np.asarray(p.W, dtype=float).reshape(-1)
        c = np.asarray(ans["C"])
        m = {
            "sigma2_left_out": Mistake(
                ppca_parts(p.W, p.sigma2, p.mu, p.x, no_noise=True),
                "You left out the noise: $C = W W^\\top + \\sigma^2 I$ and $M = W^\\top W + \\sigma^2$."),
            "c_inv_for_m_inv": Mistake(
                {"post_var": float(p.sigma2 * (w @ np.linalg.solve(c, w)))},
                "The posterior variance is $\\sigma^2 M^{-1}$ with the $1 \\times 1$ matrix "
                "$M = W^\\top W + \\sigma^2$, not built from the $d \\times d$ inverse $C^{-1}$."),
        }
        return distinct(ans, m)
