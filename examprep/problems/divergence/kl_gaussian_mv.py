"""KL divergence between two 2-D Gaussians, term by term.

Catalog: seed_003 C7 (lines 760–766); seed_002 K4.

Parameters:
    mu1, Sigma1: mean (2 entries) and covariance (2×2, symmetric positive definite) of N1.
    mu2, Sigma2: mean and covariance of N2.

Answer parts (k = 2): ``Sigma2_inv`` (intermediate), ``trace_term`` = tr(Σ2⁻¹Σ1), ``quad_term`` =
(μ2 − μ1)ᵀΣ2⁻¹(μ2 − μ1), ``logdet_term`` = ln(det Σ2 / det Σ1) (intermediate), and
``kl`` = ½(trace_term + quad_term − k + logdet_term).

Conventions stated in the prompt: the direction KL(N1‖N2), the formula, Σ are covariance matrices, natural log.

Reference: ``kl_divergence(MultivariateNormal(mu1, Sigma1), MultivariateNormal(mu2, Sigma2))``; the terms by
Cholesky solves and ``torch.logdet`` (examprep.reference.divergence:kl_gaussian_mv).

Common mistakes: N1 and N2 swapped, the −k forgotten, the determinant ratio inverted, Σ2 used without inverting it.

Versions: v1 — first version (diagonal covariances at easy, full at medium and hard).
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
from examprep.solver.expr import Func, Mat, Num, Sym, paren, to_expr
from examprep.solver.step import Derivation

K = 2
# The symbols of the statement's formula, shared by the steps that compute each term and the step that combines them.
DET1, DET2 = Sym("det_1", tex=r"\det \Sigma_1"), Sym("det_2", tex=r"\det \Sigma_2")
TRACE = Sym("T", tex=r"\operatorname{tr}(\Sigma_2^{-1} \Sigma_1)")
QUAD = Sym("Q", tex=r"\delta^\top \Sigma_2^{-1} \delta")
LOGDET = Sym("L", tex=r"\ln \frac{\det \Sigma_2}{\det \Sigma_1}")


def terms(mu1: Any, s1: Any, mu2: Any, s2: Any, invert: bool = True) -> dict[str, Any]:
    """The four parts (and Σ2⁻¹) of KL(N(mu1, s1)‖N(mu2, s2)); ``invert=False`` does the not-inverted mistake."""
    s1, s2 = np.asarray(s1, dtype=float), np.asarray(s2, dtype=float)
    diff = np.asarray(mu2, dtype=float) - np.asarray(mu1, dtype=float)
    inv = inverse_2x2(s2) if invert else s2
    tr = float(np.trace(inv @ s1))
    quad = float(diff @ inv @ diff)
    logdet = math.log(det_2x2(s2) / det_2x2(s1))
    return {"Sigma2_inv": inverse_2x2(s2), "trace_term": tr, "quad_term": quad, "logdet_term": logdet,
            "kl": 0.5 * (tr + quad - K + logdet)}


def det_2x2(s: Any) -> float:
    return float(s[0][0] * s[1][1] - s[0][1] * s[1][0])


def inverse_2x2(s: Any) -> np.ndarray:
    """(1/det)·[[d, −b], [−c, a]], computed exactly from the decimals given."""
    a, b, c, d = (Fraction(repr(float(x))) for x in (s[0][0], s[0][1], s[1][0], s[1][1]))
    det = a * d - b * c
    return np.array([[float(d / det), float(-b / det)], [float(-c / det), float(a / det)]])


class KLGaussianMV(ProblemType):
    id = "divergence/kl_gaussian_mv-v1"
    title = "KL divergence of two 2-D Gaussians"
    catalog = "seed_003 C7; seed_002 K4"
    reference_entry = "examprep.reference.divergence:kl_gaussian_mv"
    params = (
        Param("mu1", "vector", "mean of N1 (2 entries)", lo=-100, hi=100),
        Param("Sigma1", "matrix", "covariance of N1 (2×2, symmetric positive definite)", lo=-1000, hi=1000),
        Param("mu2", "vector", "mean of N2 (2 entries)", lo=-100, hi=100),
        Param("Sigma2", "matrix", "covariance of N2 (2×2, symmetric positive definite)", lo=-1000, hi=1000),
    )
    parts = (
        Part("Sigma2_inv", "Σ2⁻¹", "matrix", final=False),
        Part("trace_term", "tr(Σ2⁻¹Σ1)", "real", final=False, uses=("Sigma2_inv",)),
        Part("quad_term", "(μ2 − μ1)ᵀΣ2⁻¹(μ2 − μ1)", "real", final=False, uses=("Sigma2_inv",)),
        Part("logdet_term", "ln(det Σ2 / det Σ1)", "real", final=False),
        Part("kl", "KL(N_1 ‖ N_2)", "real", uses=("trace_term", "quad_term", "logdet_term")),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = picker(rng)
        if difficulty == "easy":
            var = [0.5, 1, 2, 4]
            mus = [-1, -0.5, 0, 0.5, 1]
            return dict(mu1=(pick(mus), pick(mus)), Sigma1=((pick(var), 0), (0, pick(var))),
                        mu2=(pick(mus), pick(mus)), Sigma2=((pick(var), 0), (0, pick(var))))

        def full() -> tuple[tuple[float, float], tuple[float, float]]:
            while True:
                a, d = (round(float(rng.integers(5, 31)) / 10, 1) for _ in range(2))
                b = round(float(rng.integers(-9, 10)) / 10, 1)
                if b != 0 and a * d - b * b >= 0.2:
                    return ((a, b), (b, d))

        if difficulty == "medium":
            mus = [-1, -0.5, 0, 0.5, 1]
            return dict(mu1=(pick(mus), pick(mus)), Sigma1=full(), mu2=(0, 0),
                        Sigma2=((pick([0.5, 1, 2]), 0), (0, pick([0.5, 1, 2]))))
        mu = lambda: round(float(rng.integers(-20, 21)) / 10, 1)  # noqa: E731
        return dict(mu1=(mu(), mu()), Sigma1=full(), mu2=(mu(), mu()), Sigma2=full())

    def check(self, p: Params) -> list[str]:
        from examprep.errors import ParamError

        for name in ("mu1", "mu2"):
            if len(p[name]) != K:
                raise ParamError(f"{name} must have {K} entries (this problem is 2-D), got {len(p[name])}")
        for name in ("Sigma1", "Sigma2"):
            s = p[name]
            if len(s) != K or any(len(r) != K for r in s):
                raise ParamError(f"{name} must be a 2×2 matrix like [[1, 0.3], [0.3, 2]]")
            if s[0][1] != s[1][0]:
                raise ParamError(f"{name} must be symmetric: entries (1,2) = {s[0][1]} and (2,1) = {s[1][0]} differ")
            if not (s[0][0] > 0 and det_2x2(s) > 0):
                raise ParamError(f"{name} must be positive definite (a covariance matrix): it needs a positive "
                                 f"diagonal and det > 0, got det = {det_2x2(s):g}")
        return []

    def degenerate(self, p: Params) -> str | None:
        if p.mu1 == p.mu2 and p.Sigma1 == p.Sigma2:
            return "N1 = N2 (the KL is 0)"
        ans = self.solve(p)
        if ans["kl"] < 1e-3:
            return "KL too close to 0"
        if 0 < abs(ans["quad_term"]) < 1e-3 or 0 < abs(ans["logdet_term"]) < 1e-3:
            return "a term too close to 0"
        return None

    def statement(self, p: Params) -> list[Any]:
        return [
            r"Let $N_1 = N(\mu_1, \Sigma_1)$ and $N_2 = N(\mu_2, \Sigma_2)$ be 2-D Gaussians with the means "
            r"(column vectors) and covariance matrices below. Compute $\mathrm{KL}(N_1 \lVert N_2)$ in nats "
            r"(natural log) with $\mathrm{KL} = \frac{1}{2} [\operatorname{tr}(\Sigma_2^{-1} \Sigma_1) + "
            r"(\mu_2 - \mu_1)^\top \Sigma_2^{-1} (\mu_2 - \mu_1) - k + \ln \frac{\det \Sigma_2}{\det \Sigma_1}]$, "
            r"$k = 2$. Give $\Sigma_2^{-1}$, the trace term, the quadratic term, the log-determinant term and the KL.",
            "\n$\\mu_1$ = ", [[v] for v in p.mu1], "\n$\\mu_2$ = ", [[v] for v in p.mu2],
            "\n$\\Sigma_1$ = ", [list(r) for r in p.Sigma1], "\n$\\Sigma_2$ = ", [list(r) for r in p.Sigma2]
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        t = terms(p.mu1, p.Sigma1, p.mu2, p.Sigma2)
        if not given:
            return t
        inv = carry(given, "Sigma2_inv", np.asarray(t["Sigma2_inv"], dtype=float))  # error carried forward
        diff = np.asarray(p.mu2, dtype=float) - np.asarray(p.mu1, dtype=float)
        tr = carry(given, "trace_term", float(np.trace(inv @ np.asarray(p.Sigma1, dtype=float))))
        quad = carry(given, "quad_term", float(diff @ inv @ diff))
        logdet = carry(given, "logdet_term", t["logdet_term"])
        return {"Sigma2_inv": inv.tolist(), "trace_term": tr, "quad_term": quad, "logdet_term": logdet,
                "kl": 0.5 * (tr + quad - K + logdet)}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        s1, s2 = p.Sigma1, p.Sigma2
        inv = ans["Sigma2_inv"]
        d = Derivation()
        a, b, c, dd = (Sym(n) for n in ("a", "b", "c", "d"))
        det2 = d.add(r"Determinant of $\Sigma_2$", det_2x2(s2), lhs=DET2, formula=a * dd - b * c,
                     subs=dict(zip(("a", "b", "c", "d"), (s2[0][0], s2[0][1], s2[1][0], s2[1][1]), strict=True)),
                     note=r"$\Sigma_2 = [[a, b], [c, d]]$")
        d.add(r"Inverse of $\Sigma_2$", inv.tolist(), lhs=Sym("Sigma2inv", tex=r"\Sigma_2^{-1}"),
              formula=(1 / DET2) * Mat([[dd, -b], [-c, a]]),
              substituted=(Num(1) / Num(det2)) * Mat([[s2[1][1], -s2[0][1]], [-s2[1][0], s2[0][0]]]),
              part="Sigma2_inv")
        tr_sub = None
        for i in range(K):
            for j in range(K):
                t = Num(float(inv[i][j])) * Num(s1[j][i])
                tr_sub = t if tr_sub is None else tr_sub + t
        d.add("Trace term", ans["trace_term"], lhs=TRACE, substituted=tr_sub, part="trace_term",
              note=r"$\operatorname{tr}(A B) = \sum_{i,j} A_{ij} B_{ji}$")
        diff = [x2 - x1 for x1, x2 in zip(p.mu1, p.mu2, strict=True)]
        d.add("Mean difference", diff, lhs=Sym("delta"), formula=Sym("mu_2") - Sym("mu_1"),
              substituted=to_expr(list(p.mu2)) - to_expr(list(p.mu1)))
        d.add("Quadratic term", ans["quad_term"], lhs=QUAD,
              substituted=to_expr(diff) @ to_expr(inv.tolist()) @ to_expr([[x] for x in diff]), part="quad_term")
        det1 = det_2x2(s1)
        d.add(r"Determinant of $\Sigma_1$", det1, lhs=DET1, formula=a * dd - b * c,
              subs=dict(zip(("a", "b", "c", "d"), (s1[0][0], s1[0][1], s1[1][0], s1[1][1]), strict=True)),
              note=r"now $\Sigma_1 = [[a, b], [c, d]]$")
        d.add("Log-determinant term", ans["logdet_term"], lhs=LOGDET, substituted=Func("ln", Num(det2) / Num(det1)),
              part="logdet_term")
        k = Sym("k")
        d.add("Combine", ans["kl"], lhs=Sym("KL", tex=r"\mathrm{KL}(N_1 \lVert N_2)"),
              formula=Fraction(1, 2) * paren(TRACE + QUAD - k + LOGDET),
              subs={TRACE: ans["trace_term"], QUAD: ans["quad_term"], k: K, LOGDET: ans["logdet_term"]}, part="kl")
        d.answer = rf"$\mathrm{{KL}}(N_1 \lVert N_2) = {ans['kl']:.6g}$ nats"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        ans = self.solve(p)
        m: dict[str, Mistake] = {}
        if p.Sigma1 != p.Sigma2:  # with equal covariances the KL is symmetric
            sw = terms(p.mu2, p.Sigma2, p.mu1, p.Sigma1)
            sw.pop("Sigma2_inv")
            m["direction_swapped"] = Mistake(sw, r"You computed $\mathrm{KL}(N_2 \lVert N_1)$: the inverse and "
                                                 "the denominator of the determinant ratio belong to the second "
                                                 "argument, $N_2$.")
        m["k_forgotten"] = Mistake({"kl": ans["kl"] + K / 2}, "You forgot to subtract $k = 2$ (the dimension).")
        if det_2x2(p.Sigma1) != det_2x2(p.Sigma2):
            ld = -ans["logdet_term"]
            m["det_ratio_inverted"] = Mistake(
                {"logdet_term": ld, "kl": 0.5 * (ans["trace_term"] + ans["quad_term"] - K + ld)},
                r"You inverted the determinant ratio: the log term is $\ln \frac{\det \Sigma_2}{\det \Sigma_1}$.")
        if not np.allclose(ans["Sigma2_inv"], np.asarray(p.Sigma2, dtype=float), rtol=0, atol=1e-12):
            ni = terms(p.mu1, p.Sigma1, p.mu2, p.Sigma2, invert=False)
            ni.pop("Sigma2_inv")
            ni.pop("logdet_term")
            m["not_inverted"] = Mistake(ni, r"You used $\Sigma_2$ where $\Sigma_2^{-1}$ belongs in the trace and "
                                        "quadratic terms.")
        return m
