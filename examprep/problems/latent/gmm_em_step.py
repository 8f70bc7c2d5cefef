"""One EM step for a 1-D Gaussian mixture: responsibilities (E-step), then π, μ and σ² (M-step), log-likelihoods.

Catalog: seed_000_001 E3 (GMM and EM; q(z) = p(z|x), so the KL term vanishes). bayes/gaussian_1d gives one point's
posterior only.

Parameters:
    x: the 1-D data (4–6 points).
    pi, mu, var: the mixing weights, means and variances (not standard deviations) of the K = 2 or 3 components.

Answer parts: ``resp`` (n×K, γ_ik = π_k N(x_i; μ_k, σ_k²) / Σ_j π_j N(x_i; μ_j, σ_j²)), ``n_k`` = Σ_i γ_ik,
``pi_new`` = N_k/n, ``mu_new`` = Σ_i γ_ik x_i / N_k, ``var_new`` = Σ_i γ_ik (x_i − μ_k^new)² / N_k (about the new
means), ``loglik_before`` and ``loglik_after`` = Σ_i ln Σ_k π_k N(x_i; μ_k, σ_k²) with the old and the new parameters.

Conventions stated in the prompt: natural log; N(x; μ, σ²) with the factor 1/√(2πσ²); rows are the points in the
given order, columns the components.

Reference: batched torch, ``Normal.log_prob`` and ``logsumexp``/``softmax`` over the components
(examprep.reference.latent:gmm_em_step); the tests check one step against scipy.stats.norm by hand.

Common mistakes: the responsibilities normalised over the points (columns) instead of the components, the old mean in
the variance update, π left out of the E-step, σ² used where the density needs σ (the variance taken for the standard
deviation), 1/√(2π) dropped (it cancels in γ but not in the log-likelihood).

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
from examprep.problems.bayes.decide import PI
from examprep.problems.gan.fair import near_miss
from examprep.problems.latent.points import distinct
from examprep.seeding import picker
from examprep.solver.expr import Func, Mat, Num, Sym, paren, sqrt
from examprep.solver.step import Derivation

PARTS = ("resp", "n_k", "pi_new", "mu_new", "var_new", "loglik_before", "loglik_after")


def weighted(x: Any, pi: Any, mu: Any, var: Any, *, use_pi: bool = True, var_as_std: bool = False,
             norm: bool = True) -> np.ndarray:
    """(n, K) table π_k N(x_i; μ_k, σ_k²) (or a mistaken variant)."""
    xs, m, v = (np.asarray(a, dtype=float) for a in (x, mu, var))
    if var_as_std:
        v = v**2
    dens = np.exp(-((xs[:, None] - m[None, :]) ** 2) / (2 * v[None, :]))
    if norm:
        dens = dens / np.sqrt(2 * math.pi * v[None, :])
    return dens * (np.asarray(pi, dtype=float)[None, :] if use_pi else 1.0)


def em(x: Any, pi: Any, mu: Any, var: Any, *, over_points: bool = False, old_mean: bool = False,
       use_pi: bool = True, var_as_std: bool = False, norm: bool = True, given: Answers | None = None) -> Answers:
    """Every part of one EM step, each part from the earlier ones (flags: the named mistakes; ``given``: the
    student's earlier values, carried forward)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _em(x, pi, mu, var, over_points=over_points, old_mean=old_mean, use_pi=use_pi,
                   var_as_std=var_as_std, norm=norm, given=given)


def _em(x: Any, pi: Any, mu: Any, var: Any, *, over_points: bool, old_mean: bool, use_pi: bool, var_as_std: bool,
        norm: bool, given: Answers | None) -> Answers:
    xs = np.asarray(x, dtype=float)
    w = weighted(x, pi, mu, var, use_pi=use_pi, var_as_std=var_as_std)
    resp = carry(given, "resp", w / w.sum(axis=0 if over_points else 1, keepdims=True))
    n_k = carry(given, "n_k", resp.sum(axis=0))
    pi_new = carry(given, "pi_new", n_k / len(xs))
    mu_new = carry(given, "mu_new", (resp * xs[:, None]).sum(axis=0) / n_k)
    centre = np.asarray(mu, dtype=float) if old_mean else mu_new
    var_new = carry(given, "var_new", (resp * (xs[:, None] - centre[None, :]) ** 2).sum(axis=0) / n_k)

    def loglik(p: Any, m: Any, v: Any) -> float:
        return float(np.log(weighted(x, p, m, v, var_as_std=var_as_std, norm=norm).sum(axis=1)).sum())

    return {"resp": resp.tolist(), "n_k": n_k.tolist(), "pi_new": pi_new.tolist(), "mu_new": mu_new.tolist(),
            "var_new": var_new.tolist(), "loglik_before": loglik(pi, mu, var),
            "loglik_after": loglik(pi_new, mu_new, var_new)}


def density(x: float, pi: float, mu: float, var: float) -> Any:
    """π N(x; μ, σ²) with the numbers in."""
    return Num(pi) * Func("exp", -(paren(Num(x) - Num(mu)) ** 2) / (2 * Num(var))) / sqrt(2 * PI * Num(var))


def _sum(terms: list[Any]) -> Any:
    out = terms[0]
    for t in terms[1:]:
        out = out + t
    return out


GAMMA = Sym("gamma_ik", tex=r"\gamma_{ik} = \frac{\pi_k N(x_i; \mu_k, \sigma_k^2)}{p(x_i)}")
JOINT = Sym("w_ik", tex=r"\pi_k N(x_i; \mu_k, \sigma_k^2) = \pi_k \frac{\exp(-(x_i - \mu_k)^2 / (2\sigma_k^2))}"
                  r"{\sqrt{2\pi\sigma_k^2}}")
PX = Sym("p_xi", tex=r"p(x_i) = \sum_k \pi_k N(x_i; \mu_k, \sigma_k^2)")
NK = Sym("N_k", tex=r"N_k = \sum_i \gamma_{ik}")
PI_NEW = Sym("pi_new", tex=r"\pi_k' = \frac{N_k}{n}")
MU_NEW = Sym("mu_new", tex=r"\mu_k' = \frac{\sum_i \gamma_{ik} x_i}{N_k}")
VAR_NEW = Sym("var_new", tex=r"\sigma_k'^2 = \frac{\sum_i \gamma_{ik} (x_i - \mu_k')^2}{N_k}")
LL0 = Sym("ll0", tex=r"L = \sum_i \ln p(x_i)")
LL1 = Sym("ll1", tex=r"L' = \sum_i \ln p'(x_i)")
PX_NEW = Sym("p_new", tex=r"p'(x_i) = \sum_k \pi_k' N(x_i; \mu_k', \sigma_k'^2)")


class GMMEMStep(ProblemType):
    id = "latent/gmm_em_step-v1"
    title = "One EM step for a 1-D Gaussian mixture"
    catalog = "seed_000_001 E3"
    reference_entry = "examprep.reference.latent:gmm_em_step"
    params = (
        Param("x", "vector", "the 1-D data", lo=-1000, hi=1000),
        Param("pi", "vector", "mixing weights π_k", lo=0, hi=1),
        Param("mu", "vector", "component means μ_k", lo=-1000, hi=1000),
        Param("var", "vector", "component variances σ_k² (not standard deviations)", lo=0, hi=1000),
    )
    parts = (
        Part("resp", "Responsibilities γ_ik (points × components)", "matrix", mode="decdig", digits=4),
        Part("n_k", "Effective counts N_k", "vector", mode="decdig", digits=4, final=False, uses=("resp",)),
        Part("pi_new", "New mixing weights", "vector", mode="decdig", digits=4, uses=("n_k",)),
        Part("mu_new", "New means", "vector", mode="decdig", digits=4, uses=("resp", "n_k")),
        Part("var_new", "New variances (about the new means)", "vector", mode="decdig", digits=4,
             uses=("resp", "n_k", "mu_new")),
        Part("loglik_before", "Log-likelihood with the old parameters", "real", mode="decdig", digits=4),
        Part("loglik_after", "Log-likelihood with the new parameters", "real", mode="decdig", digits=4,
             uses=("pi_new", "mu_new", "var_new")),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = picker(rng)
        k = 3 if difficulty == "hard" and rng.random() < 0.5 else 2
        n = int(rng.integers(4, 6)) if difficulty == "easy" else int(rng.integers(4, 7))
        if k == 2:
            pi = pick([(0.5, 0.5), (0.6, 0.4), (0.4, 0.6)] if difficulty != "easy" else [(0.5, 0.5), (0.6, 0.4)])
        else:
            pi = pick([(0.4, 0.3, 0.3), (0.5, 0.25, 0.25), (0.2, 0.5, 0.3)])
        mu = sorted(int(v) for v in rng.choice(np.arange(0, 9), size=k, replace=False))
        var = [1.0] * k if difficulty == "easy" else [float(pick([0.5, 1.0, 2.0])) for _ in range(k)]
        x = sorted(float(v) for v in rng.integers(mu[0] - 1, mu[-1] + 2, size=n))
        return dict(x=x, pi=list(pi), mu=mu, var=var)

    def check(self, p: Params) -> list[str]:
        k = len(p.mu)
        if not 1 <= k <= 5:
            raise ParamError(f"mu: give 1 to 5 components, got {k}")
        for name in ("pi", "var"):
            if len(p[name]) != k:
                raise ParamError(f"{name} has {len(p[name])} entries but mu has {k}; give one per component")
        if not 2 <= len(p.x) <= 30:
            raise ParamError(f"x: give 2 to 30 points, got {len(p.x)}")
        if min(p.var) <= 0:
            raise ParamError(f"var: variances must be positive, got {list(p.var)}")
        if min(p.pi) <= 0 or abs(sum(p.pi) - 1) > 1e-9:
            raise ParamError(f"pi: mixing weights must be positive and sum to 1, got {list(p.pi)}")
        w = weighted(p.x, p.pi, p.mu, p.var)
        if np.any(w.sum(axis=1) < 1e-300) or np.any((w / w.sum(axis=1, keepdims=True)).sum(axis=0) < 1e-9):
            raise ParamError("a point is far from every component, or a component explains no point "
                             "(its N_k is 0); move the means nearer the data")
        if min(em(p.x, p.pi, p.mu, p.var)["var_new"]) < 1e-6:
            raise ParamError("a component collapses onto one data value (its new variance is 0); move its mean "
                             "or add points")
        return []

    def degenerate(self, p: Params) -> str | None:
        ans = self.solve(p)
        if min(ans["n_k"]) < 0.3 or min(ans["var_new"]) < 0.05:
            return "a component collapses (tiny N_k or variance)"
        return near_miss(ans, self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        k = len(p.mu)
        return [
            f"A Gaussian mixture with $K = {k}$ components (indexed from 0) has mixing weights $\\pi$ = ", list(p.pi),
            ", means $\\mu$ = ", list(p.mu), " and variances $\\sigma^2$ = ", list(p.var),
            " (variances, not standard deviations). The data are $x$ = ", list(p.x), ". Do one EM step. "
            "E-step: the responsibilities $\\gamma_{ik} = \\frac{\\pi_k N(x_i; \\mu_k, \\sigma_k^2)}"
            "{\\sum_j \\pi_j N(x_i; \\mu_j, \\sigma_j^2)}$ (one row per point, one column per component), "
            "with $N(x; \\mu, \\sigma^2) = \\frac{1}{\\sqrt{2\\pi\\sigma^2}} \\exp(-\\frac{(x - \\mu)^2}"
            "{2\\sigma^2})$. M-step: $N_k = \\sum_i \\gamma_{ik}$, the new weights $N_k / n$, the new means "
            "$\\sum_i \\gamma_{ik} x_i / N_k$ and the new variances $\\sum_i \\gamma_{ik} (x_i - \\mu_k')^2 / N_k$ "
            "about the new means $\\mu_k'$. Also give the log-likelihood $\\sum_i \\ln \\sum_k \\pi_k "
            "N(x_i; \\mu_k, \\sigma_k^2)$ (natural log) with the old and with the new parameters. "
            "Give the numbers to 4 decimal places."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return em(p.x, p.pi, p.mu, p.var, given=given)

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        xs = [float(v) for v in p.x]
        k = len(p.mu)
        d = Derivation()
        w = weighted(p.x, p.pi, p.mu, p.var)
        d.add("Weighted densities", w.tolist(), lhs=JOINT,
              substituted=Mat([[density(xi, p.pi[j], p.mu[j], p.var[j]) for j in range(k)] for xi in xs]),
              note="one row per point, one column per component")
        px = w.sum(axis=1)
        d.add("Normaliser of each point", px.tolist(), lhs=PX,
              substituted=Mat([[_sum([Num(float(v)) for v in row])] for row in w]), note="the row sums")
        d.add("Responsibilities (E-step)", ans["resp"], lhs=GAMMA,
              substituted=Mat([[Num(float(v)) / Num(float(s)) for v in row] for row, s in zip(w, px, strict=True)]),
              part="resp", note="each row is divided by its own sum, so every row sums to 1")
        resp = np.asarray(ans["resp"])
        d.add("Effective counts", ans["n_k"], lhs=NK,
              substituted=Mat([[_sum([Num(float(v)) for v in resp[:, j]]) for j in range(k)]]), part="n_k")
        d.add("New mixing weights", ans["pi_new"], lhs=PI_NEW,
              substituted=Mat([[Num(float(v)) / len(xs) for v in ans["n_k"]]]), part="pi_new")
        d.add("New means", ans["mu_new"], lhs=MU_NEW,
              substituted=Mat([[_sum([Num(float(g)) * Num(xi) for g, xi in zip(resp[:, j], xs, strict=True)])
                                / Num(float(ans["n_k"][j])) for j in range(k)]]), part="mu_new")
        d.add("New variances", ans["var_new"], lhs=VAR_NEW,
              substituted=Mat([[_sum([Num(float(g)) * paren(Num(xi) - Num(float(ans["mu_new"][j]))) ** 2
                                      for g, xi in zip(resp[:, j], xs, strict=True)])
                                / Num(float(ans["n_k"][j])) for j in range(k)]]), part="var_new",
              note="about the new means $\\mu_k'$")
        d.add("Log-likelihood before the step", ans["loglik_before"], lhs=LL0,
              substituted=_sum([Func("ln", Num(float(v))) for v in px]), part="loglik_before",
              note="the normalisers $p(x_i)$ above, logged and summed")
        w1 = weighted(p.x, ans["pi_new"], ans["mu_new"], ans["var_new"])
        d.add("Normaliser of each point with the new parameters", w1.sum(axis=1).tolist(), lhs=PX_NEW,
              substituted=Mat([[_sum([density(xi, ans["pi_new"][j], ans["mu_new"][j], ans["var_new"][j])
                                      for j in range(k)])] for xi in xs]))
        d.add("Log-likelihood after the step", ans["loglik_after"], lhs=LL1,
              substituted=_sum([Func("ln", Num(float(v))) for v in w1.sum(axis=1)]), part="loglik_after",
              note="EM never decreases the log-likelihood")
        d.answer = f"log-likelihood {ans['loglik_before']:.4f} → {ans['loglik_after']:.4f}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        a = (p.x, p.pi, p.mu, p.var)
        truth = self.solve(p)
        m: dict[str, Mistake] = {
            "normalised_over_points": Mistake(
                {k: v for k, v in em(*a, over_points=True).items() if k not in ("loglik_before",)},
                "You normalised each column (over the points): a responsibility is a posterior over the "
                "components, so each row (one point) must sum to 1."),
            "old_mean_in_variance": Mistake(
                {k: v for k, v in em(*a, old_mean=True).items() if k in ("var_new", "loglik_after")},
                "The new variance is measured about the new mean $\\mu_k'$, not the old $\\mu_k$."),
            "pi_left_out": Mistake(
                {k: v for k, v in em(*a, use_pi=False).items() if k not in ("loglik_before",)},
                "You left out the mixing weights in the E-step: $\\gamma_{ik}$ is proportional to "
                "$\\pi_k N(x_i; \\mu_k, \\sigma_k^2)$."),
            "sigma_for_variance": Mistake(
                em(*a, var_as_std=True),
                "You used the variance $\\sigma^2$ where the density needs the standard deviation $\\sigma$: "
                "the given numbers are variances."),
            "no_sqrt_2pi": Mistake(
                {k: v for k, v in em(*a, norm=False).items() if k.startswith("loglik")},
                "You dropped the factor $\\frac{1}{\\sqrt{2\\pi\\sigma^2}}$ of the density: it cancels in the "
                "responsibilities but not in the log-likelihood."),
        }
        return distinct(truth, m)
