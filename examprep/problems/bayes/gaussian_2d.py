"""Bayes classification with 2-D Gaussian classes: discriminant functions, posteriors and the MAP class.

Catalog: seed_003 C1 (Bayes decision); seed_004 E2 (Bayes' rule); seed_000/001 E3 (Gaussian class densities in EM).

Parameters:
    means: K×2 matrix, one class mean per row. covariances: one 2×2 matrix shared by every class (linear
    discriminants), or a list of K 2×2 matrices, one per class (quadratic discriminants). priors: P(c).
    x: the observation (2 entries). classes: optional names.

Answer parts: ``discriminant`` (g_c(x), intermediate), ``posterior``, ``class``.

Conventions stated in the prompt (the discriminant is defined up to a class-independent constant, so the prompt
fixes it):
    shared Σ:   g_c(x) = w_cᵀx + w_c0 with w_c = Σ⁻¹μ_c and w_c0 = −½ μ_cᵀΣ⁻¹μ_c + ln P(c);
    per class:  g_c(x) = −½ (x−μ_c)ᵀΣ_c⁻¹(x−μ_c) − ½ ln|Σ_c| + ln P(c).
Both equal ln p(x|c)P(c) up to a term that is the same for every class, so P(c|x) = exp(g_c)/Σ_c' exp(g_c').

Reference: ``torch.distributions.MultivariateNormal(μ_c, Σ_c).log_prob(x)``; the linear discriminant as
log N(x; μ_c, Σ) − log N(x; 0, Σ) + ln P(c), the quadratic one as log N(x; μ_c, Σ_c) + ln 2π + ln P(c).

Common mistakes: priors ignored, Σ used where Σ⁻¹ is needed, the ½ dropped, the ln|Σ_c| term dropped.

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
from examprep.problems.bayes.decide import (
    argmax_clear,
    argmax_first,
    as_distribution,
    check_names,
    dot_terms,
    draw_simplex,
    pick_names,
    refuse_tie,
    sum_warning,
    tiny,
)
from examprep.solver.expr import Add, Func, Mat, Num, Sym, paren
from examprep.solver.prose import mtext
from examprep.solver.step import Derivation

MAHA = Sym("q", text="(x−μ)ᵀΣ⁻¹(x−μ)", latex=r"(x-\mu)^\top \Sigma^{-1} (x-\mu)",
           typst="(x-mu)^top Sigma^(-1) (x-mu)")

MAX_COV = 1e6  # variances from 1e-6 to 1e6: the discriminants stay finite and their digits meaningful


def is_shared(cov: Any) -> bool:
    """A single 2×2 matrix (shared) rather than a list of matrices (per class)."""
    return not isinstance(cov[0][0], (list, tuple))


def cov_list(p: Params) -> list[np.ndarray]:
    """The K covariance matrices (the shared one repeated)."""
    k = len(p.means)
    if is_shared(p.covariances):
        return [np.asarray(p.covariances, dtype=float)] * k
    return [np.asarray(c, dtype=float) for c in p.covariances]


def discriminants(p: Params, priors: bool = True, invert: bool = True, half: float = 0.5,
                  logdet: bool = True) -> np.ndarray:
    """g_c(x) as the prompt defines it; the keyword arguments make the common mistakes."""
    x = np.asarray(p.x, dtype=float)
    out = []
    for mu, s, q in zip(np.asarray(p.means, dtype=float), cov_list(p), as_distribution(p.priors), strict=True):
        a = np.linalg.inv(s) if invert else s
        lp = math.log(q) if priors else 0.0
        if is_shared(p.covariances):
            out.append(float(mu @ a @ x - half * (mu @ a @ mu) + lp))
        else:
            d = x - mu
            out.append(float(-half * (d @ a @ d) - (0.5 * math.log(np.linalg.det(s)) if logdet else 0.0) + lp))
    return np.asarray(out)


def softmax(g: np.ndarray) -> np.ndarray:
    e = np.exp(g - g.max())
    return e / e.sum()


class Gaussian2D(ProblemType):
    id = "bayes/gaussian_2d-v1"
    title = "Bayes classification, 2-D Gaussian classes (linear / quadratic discriminants)"
    catalog = "seed_003 C1; seed_004 E2; seed_000 E3"
    reference_entry = "examprep.reference.bayes:gaussian_2d"
    params = (
        Param("classes", "str_list", "class names, in order", optional=True),
        Param("means", "matrix", "class means, one row (μ₁, μ₂) per class", lo=-1000, hi=1000),
        Param("covariances", "json", "one shared 2×2 covariance [[a,b],[b,c]], or a list of one per class"),
        Param("priors", "vector", "class priors P(c)", lo=0, hi=1),
        Param("x", "vector", "the observation (x₁, x₂)", lo=-1000, hi=1000),
    )
    parts = (
        Part("discriminant", "Discriminants g_c(x)", "vector", final=False),
        Part("posterior", "Posteriors P(c|x)", "vector", share=True, uses=("discriminant",)),
        Part("class", "MAP class", "label", uses=("posterior",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        k = 2 if difficulty == "easy" else int(rng.integers(2, 4))
        cells = rng.choice(36, size=k, replace=False)
        means = [[int(c // 6) - 2, int(c % 6) - 2] for c in cells]

        def cov() -> list[list[float]]:
            a, c = (float(v) for v in rng.choice([0.5, 1.0, 2.0] if difficulty == "easy" else [1.0, 2.0, 3.0],
                                                 size=2))
            b = 0.0 if difficulty == "easy" else float(rng.choice([-1.0, -0.5, 0.5, 1.0]))
            return [[a, b], [b, c]]

        covs: Any = cov() if difficulty != "hard" else [cov() for _ in range(k)]
        lo = np.min(means, axis=0)
        hi = np.max(means, axis=0)
        x = [float(rng.integers(2 * lo[i] - 2, 2 * hi[i] + 3)) / 2 for i in range(2)]
        priors = draw_simplex(rng, k, 10 if difficulty == "easy" else 20)
        return dict(classes=pick_names(rng, k), means=means, covariances=covs, priors=priors, x=x)

    def check(self, p: Params) -> list[str]:
        k = len(p.means)
        if k < 2 or len(p.means[0]) != 2:
            raise ParamError("means must be a K×2 matrix (one row per class, K ≥ 2)")
        if len(p.x) != 2:
            raise ParamError(f"x must have 2 entries, got {len(p.x)}")
        if len(p.priors) != k:
            raise ParamError(f"priors has {len(p.priors)} entries but there are {k} classes")
        if any(q <= 0 for q in p.priors):
            raise ParamError("priors must be positive (ln P(c) appears in the discriminant)")
        check_names(p.classes, k)
        cov = p.covariances
        try:
            mats = [cov] if is_shared(cov) else list(cov)
            arrs = [np.asarray(m, dtype=float) for m in mats]
        except (TypeError, ValueError, IndexError):
            raise ParamError("covariances: give [[a,b],[b,c]] (shared) or a list of such matrices, one per class")\
                from None
        if not is_shared(cov) and len(arrs) != k:
            raise ParamError(f"covariances lists {len(arrs)} matrices but there are {k} classes")
        for a in arrs:
            if a.shape != (2, 2) or not np.all(np.isfinite(a)):
                raise ParamError("covariances: each covariance must be a 2×2 matrix of numbers")
            if np.abs(a).max() > MAX_COV or (a[0, 0] > 0 and a[1, 1] > 0 and min(a[0, 0], a[1, 1]) < 1 / MAX_COV):
                raise ParamError(f"covariances: {str(a.tolist())[:80]}: the variances must lie from {1 / MAX_COV:g} "
                                 f"to {MAX_COV:g} (and the covariance within them)")
            if a[0, 1] != a[1, 0] or a[0, 0] <= 0 or np.linalg.det(a) <= a[0, 0] * a[1, 1] * 1e-9:
                raise ParamError(f"covariances: {str(a.tolist())[:80]} is not symmetric positive definite (or "
                                 "too close to singular)")
        refuse_tie(discriminants(p), self.names(p), "MAP class", "x, the means, covariances or priors")
        return sum_warning(p.priors, "priors")

    def names(self, p: Params) -> tuple[str, ...]:
        return check_names(p.classes, len(p.means))

    def statement(self, p: Params) -> list[Any]:
        names = self.names(p)
        out: list[Any] = [f"Classes {', '.join(names)} have 2-D Gaussian class-conditional densities "
                          r"$p(x \mid c) = N(x; \mu_c, \Sigma_c)$. "
                          f"The observation is $x = ({p.x[0]:g}, {p.x[1]:g})$. "]
        for c, mu, q in zip(names, p.means, as_distribution(p.priors), strict=True):
            out.append(rf"{c}: $\mu = ({mu[0]:g}, {mu[1]:g})$, $P({mtext(c)}) = {q:g}$. ")
        mats: list[Any] = []
        if is_shared(p.covariances):
            out.append(r"All classes share the covariance $\Sigma$ (below). Use the linear discriminant "
                       r"$g_c(x) = w_c^\top x + w_{c0}$ with $w_c = \Sigma^{-1} \mu_c$ "
                       r"and $w_{c0} = -\frac{1}{2} \mu_c^\top \Sigma^{-1} \mu_c + \ln P(c)$. ")
            mats += ["\n$\\Sigma$ = ", Mat(p.covariances)]
        else:
            out.append(r"Each class has its own covariance $\Sigma_c$ (below). Use the quadratic discriminant "
                       r"$g_c(x) = -\frac{1}{2} (x - \mu_c)^\top \Sigma_c^{-1} (x - \mu_c) "
                       r"- \frac{1}{2} \ln |\Sigma_c| + \ln P(c)$. ")
            for c, s in zip(names, p.covariances, strict=True):
                mats += [f"\n$\\Sigma_{{{mtext(c)}}}$ = ", Mat(s)]
        out.append(r"Compute the discriminants $g_c(x)$, the posteriors "
                   r"$P(c \mid x) = \exp(g_c) / \sum_{c'} \exp(g_{c'})$ and the MAP "
                   f"class. Conventions: natural log; vectors list the classes in the order {', '.join(names)}.")
        out += mats
        return out

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        g = carry(given, "discriminant", discriminants(p))
        post = carry(given, "posterior", softmax(g))
        return {"discriminant": g.tolist(), "posterior": post.tolist(), "class": self.names(p)[argmax_first(post)]}

    def derivation(self, p: Params) -> Derivation:
        names = self.names(p)
        ans = self.solve(p)
        d = Derivation()
        shared = is_shared(p.covariances)
        x1, x2 = p.x
        inv_shared = np.linalg.inv(cov_list(p)[0])
        for i, (c, mu, s, q) in enumerate(zip(names, p.means, cov_list(p), as_distribution(p.priors), strict=True)):
            if shared and i > 0:
                inv = inv_shared
            else:
                det = float(s[0, 0] * s[1, 1] - s[0, 1] * s[1, 0])
                inv = np.linalg.inv(s) if not shared else inv_shared
                lab = "" if shared else f" for {c}"
                d.add(f"Inverse covariance{lab}", inv.tolist(), lhs=Sym("Sinv", text="Σ⁻¹", latex=r"\Sigma^{-1}",
                                                                         typst="Sigma^(-1)"),
                      substituted=Num(1) / Num(det) * Mat([[s[1, 1], -s[0, 1]], [-s[1, 0], s[0, 0]]]))
            g = ans["discriminant"][i]
            if shared:
                w = inv @ np.asarray(mu, dtype=float)
                d.add(f"w for {c}", w.tolist(), lhs=f"w_{c}", substituted=Mat(inv.tolist()) @ Mat([[mu[0]], [mu[1]]]))
                w0 = float(-0.5 * (np.asarray(mu) @ w) + math.log(q))
                d.add(f"$w_{{c0}}$ for {c}", w0, lhs=Sym("w0", tex=rf"w_{{{mtext(c)},0}}"),
                      substituted=-paren(dot_terms(mu, w)) / 2 + Func("ln", Num(q)))
                d.add(f"Discriminant for {c}", g, lhs=f"g_{c}",
                      substituted=Add([*dot_terms(w, [x1, x2]).terms, (1 if w0 >= 0 else -1, Num(abs(w0)))]))
            else:
                d1, d2 = x1 - mu[0], x2 - mu[1]
                det = float(s[0, 0] * s[1, 1] - s[0, 1] * s[1, 0])
                quad = Add([(1, Num(inv[0, 0]) * Num(d1) ** 2), (1, 2 * Num(inv[0, 1]) * Num(d1) * Num(d2)),
                            (1, Num(inv[1, 1]) * Num(d2) ** 2)])
                qv = float(np.array([d1, d2]) @ inv @ np.array([d1, d2]))
                d.add(f"Squared Mahalanobis distance for {c}", qv, lhs=MAHA, substituted=quad,
                      note=f"x − μ = ({d1:g}, {d2:g})")
                d.add(f"Discriminant for {c}", g, lhs=f"g_{c}",
                      substituted=-Num(qv) / 2 - Func("ln", Num(det)) / 2 + Func("ln", Num(q)))
        d.add("Discriminants", ans["discriminant"], lhs="g", part="discriminant",
              note=f"in the order {', '.join(names)}")
        gs = ans["discriminant"]
        den = Add([(1, Func("exp", Num(v))) for v in gs])
        d.add("Posteriors", ans["posterior"], lhs=Sym("post", text="P(c|x)", latex=r"P(c \mid x)", typst="P(c|x)"),
              substituted=Mat([[Func("exp", Num(v)) / den for v in gs]]), part="posterior")
        d.add("MAP class", ans["class"], lhs="c_MAP", part="class", note="the largest discriminant (and posterior)")
        d.answer = f"x is classified as {ans['class']}"
        return d

    def _mistake(self, p: Params, g: np.ndarray, feedback: str) -> Mistake:
        post = softmax(g)
        ans: dict[str, Any] = {"discriminant": g.tolist(), "posterior": post.tolist()}
        cls = self.names(p)[argmax_first(post)]
        if cls != self.solve(p)["class"]:
            ans["class"] = cls
        return Mistake(ans, feedback)

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        m: dict[str, Mistake] = {}
        if len(set(p.priors)) > 1:
            m["priors_ignored"] = self._mistake(p, discriminants(p, priors=False),
                                                "You left out ln P(c): the priors shift each discriminant.")
        if any(not np.allclose(s, np.eye(2)) for s in cov_list(p)):
            m["sigma_not_inverted"] = self._mistake(p, discriminants(p, invert=False),
                                                    "You used Σ where the formula needs its inverse Σ⁻¹.")
        m["half_dropped"] = self._mistake(p, discriminants(p, half=1.0), "You dropped the ½ in front of the "
                                          "quadratic term.")
        if not is_shared(p.covariances) and any(abs(np.linalg.det(s) - 1) > 1e-12 for s in cov_list(p)):
            m["logdet_dropped"] = self._mistake(p, discriminants(p, logdet=False),
                                                "You dropped −½ ln|Σ_c|: with a covariance per class it differs "
                                                "between classes.")
        return m

    def degenerate(self, p: Params) -> str | None:
        ans = self.solve(p)
        if argmax_clear(ans["posterior"]) is None:
            return "near-tie between the two largest posteriors"
        ml = argmax_clear(discriminants(p, priors=False))
        if ml is None or self.names(p)[ml] == ans["class"]:
            return "MAP = ML (or a near-tie without priors): the priors do not change the decision"
        if min(ans["posterior"]) < 0.01 or tiny(ans["discriminant"], 0.05):
            return "a posterior or discriminant rounds to 0"
        return None
