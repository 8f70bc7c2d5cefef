"""Bayes classification with 1-D Gaussian class-conditionals: likelihoods, posteriors, the MAP class, and (two
classes with equal standard deviations) the decision threshold.

Catalog: seed_003 C1 (Bayes decision, MAP vs ML); seed_004 E2 (Bayes' rule); seed_000/001 E3 (the Gaussian
densities and posterior responsibilities of EM).

Parameters:
    means, stds, priors: one entry per class (stds are standard deviations, not variances). x: the observation.
    classes: optional class names (default w1, w2, ...).

Answer parts: ``likelihood`` (N(x; μ_c, σ_c²) per class, intermediate), ``posterior``, ``class`` (MAP).
``bayes/gaussian_1d_threshold-v1`` (two classes, one shared standard deviation) adds ``threshold``: the x where
both posteriors are equal, x* = (μ₁+μ₂)/2 + σ² ln(P₂/P₁)/(μ₁−μ₂). The threshold is its own type so that every
declared part exists for every valid instance (with unequal σ the boundary is quadratic: zero or two points).

Conventions stated in the prompt: σ is the standard deviation; natural log; vectors in the class order.

Reference: ``torch.distributions.Normal(means, stds).log_prob(x)`` with ``Categorical`` logits; the threshold as the
root of the (linear, for equal σ) log-posterior ratio evaluated by ``Normal.log_prob`` at two points.

Common mistakes: σ² used as the standard deviation, the 1/√(2π) dropped, priors ignored (ML decision), posteriors not
normalised; for the threshold: priors ignored (the midpoint), the log ratio's sign flipped, σ in place of σ².

Versions: v1 — first version (both types).
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
    PI,
    argmax_clear,
    argmax_first,
    check_names,
    draw_simplex,
    pick_names,
    prior_warnings,
    refuse_tie,
)
from examprep.solver.expr import Func, Mat, Num, Sym, paren, sqrt, syms
from examprep.solver.prose import mtext
from examprep.solver.step import Derivation


def densities(x: float, means: Any, stds: Any, var_as_std: bool = False, with_norm: bool = True) -> np.ndarray:
    """N(x; μ, σ²) for every class (or the mistaken variants)."""
    mu, sd = np.asarray(means, dtype=float), np.asarray(stds, dtype=float)
    if var_as_std:
        sd = sd**2
    z = np.exp(-((x - mu) ** 2) / (2 * sd**2))
    return z / (sd * math.sqrt(2 * math.pi)) if with_norm else z


def normalise(v: Any) -> np.ndarray:
    a = np.asarray(v, dtype=float)
    return a / a.sum()


def threshold(means: Any, std: float, priors: Any) -> float:
    """The x where P(1|x) = P(2|x) for two classes with one shared standard deviation."""
    m1, m2 = means
    return (m1 + m2) / 2 + std**2 * math.log(priors[1] / priors[0]) / (m1 - m2)


class Gaussian1D(ProblemType):
    id = "bayes/gaussian_1d-v1"
    title = "Bayes classification, 1-D Gaussian classes"
    catalog = "seed_003 C1; seed_004 E2; seed_000 E3"
    reference_entry = "examprep.reference.bayes:gaussian_1d"
    params = (
        Param("classes", "str_list", "class names, in order", optional=True),
        Param("means", "vector", "class means μ_c", lo=-1000, hi=1000),
        Param("stds", "vector", "class standard deviations σ_c (not variances)", lo=0, hi=1000),
        Param("priors", "vector", "class priors P(c)", lo=0, hi=1),
        Param("x", "real", "the observation", lo=-1000, hi=1000),
    )
    parts = (
        Part("likelihood", "Likelihoods p(x|c)", "vector", final=False),
        Part("posterior", "Posteriors P(c|x)", "vector", share=True, uses=("likelihood",)),
        Part("class", "MAP class", "label", uses=("posterior",)),
    )

    # ---- sampling --------------------------------------------------------------------------------------------
    def _k_and_stds(self, rng: np.random.Generator, difficulty: str) -> tuple[int, list[float]]:
        if difficulty == "easy":
            s = float(rng.choice([1.0, 2.0]))
            return 2, [s, s]
        if difficulty == "medium":
            return 2, [float(v) for v in rng.choice([0.5, 1.0, 1.5, 2.0], size=2)]
        return 3, [float(v) for v in rng.choice([1.0, 1.5, 2.0], size=3)]

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        k, stds = self._k_and_stds(rng, difficulty)
        means = sorted(int(v) for v in rng.choice(np.arange(-2, 6), size=k, replace=False))
        priors = draw_simplex(rng, k, 10 if difficulty == "easy" else 20)
        x = float(rng.integers(2 * means[0] - 4, 2 * means[-1] + 5)) / 2
        return dict(classes=pick_names(rng, k), means=means, stds=stds, priors=priors, x=x)

    # ---- validation ------------------------------------------------------------------------------------------
    def check(self, p: Params) -> list[str]:
        k = len(p.means)
        if k < 2:
            raise ParamError("means: give at least two classes")
        for name in ("stds", "priors"):
            if len(p[name]) != k:
                raise ParamError(f"{name} has {len(p[name])} entries but means has {k}; give one per class")
        if any(s <= 0 for s in p.stds):
            raise ParamError(f"stds must be positive standard deviations, got {list(p.stds)}")
        check_names(p.classes, k)
        warn = prior_warnings(p.priors)
        if float(np.dot(densities(p.x, p.means, p.stds), p.priors)) <= 0:
            raise ParamError("x is so far from every class that p(x) underflows to 0; choose x nearer the means")
        refuse_tie(densities(p.x, p.means, p.stds) * np.asarray(p.priors, dtype=float), self.names(p), "MAP class",
                   "x, the means, stds or priors")
        return warn

    def names(self, p: Params) -> tuple[str, ...]:
        return check_names(p.classes, len(p.means))

    # ---- the problem -----------------------------------------------------------------------------------------
    def statement(self, p: Params) -> list[Any]:
        names = self.names(p)
        cls = "; ".join(rf"{c}: $\mu = {m:g}$, $\sigma = {s:g}$, $P({mtext(c)}) = {q:g}$"
                        for c, m, s, q in zip(names, p.means, p.stds, p.priors, strict=True))
        return [
            r"Each class $c$ has a Gaussian class-conditional density $p(x \mid c) = N(x; \mu_c, \sigma_c^2)$ "
            rf"($\sigma$ is the standard deviation). The classes are {cls}. An observation $x = {p.x:g}$ is made. "
            r"Compute the likelihoods $p(x \mid c)$, the posteriors $P(c \mid x)$ and the MAP class. "
            r"Conventions: $N(x; \mu, \sigma^2) = \frac{\exp(-(x - \mu)^2 / (2 \sigma^2))}{\sigma \sqrt{2 \pi}}$; "
            f"vectors list the classes in the order {', '.join(names)}; posteriors are normalised over the listed "
            f"classes.{self._extra_prompt(p)}"
        ]

    def _extra_prompt(self, p: Params) -> str:
        return ""

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        names = self.names(p)
        lik = carry(given, "likelihood", densities(p.x, p.means, p.stds))
        post = carry(given, "posterior", normalise(lik * np.asarray(p.priors, dtype=float)))
        return {"likelihood": lik.tolist(), "posterior": post.tolist(), "class": names[argmax_first(post)]}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        names = self.names(p)
        xs, mu, sg = syms("x mu sigma")
        dens = Func("exp", -(paren(xs - mu) ** 2) / (2 * sg**2)) / (sg * sqrt(2 * PI))
        d = Derivation()
        d.add("Likelihoods", ans["likelihood"], lhs=Sym("lik", text="p(x|c)", latex=r"p(x \mid c)", typst="p(x|c)"),
              formula=dens,
              substituted=Mat([[dens.subs({"x": p.x, "mu": m, "sigma": s})
                                for m, s in zip(p.means, p.stds, strict=True)]]),
              part="likelihood", note=f"one entry per class, in the order {', '.join(names)}")
        joint = (np.asarray(ans["likelihood"]) * np.asarray(p.priors, dtype=float)).tolist()
        d.add("Joints", joint, lhs=Sym("j", text="p(x|c)P(c)", latex=r"p(x \mid c)\,P(c)", typst="p(x|c) P(c)"),
              substituted=Mat([[Num(v) * Num(q) for v, q in zip(ans["likelihood"], p.priors, strict=True)]]))
        ev = float(sum(joint))
        d.add("Posteriors", ans["posterior"], lhs=Sym("post", text="P(c|x)", latex=r"P(c \mid x)", typst="P(c|x)"),
              formula=Sym("b", tex=r"\frac{p(x \mid c) P(c)}{\sum_{c'} p(x \mid c') P(c')}"),
              substituted=Mat([[Num(j) / Num(ev) for j in joint]]), part="posterior")
        d.add("MAP class", ans["class"], lhs="c_MAP", part="class", note="the class with the largest posterior")
        self._more_steps(p, d, ans)
        d.answer = f"x = {p.x:g} is classified as {ans['class']}"
        return d

    def _more_steps(self, p: Params, d: Derivation, ans: Answers) -> None:
        return None

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        names = self.names(p)
        pri = np.asarray(p.priors, dtype=float)
        m: dict[str, Mistake] = {}
        if any(s != 1 for s in p.stds):
            lik = densities(p.x, p.means, p.stds, var_as_std=True)
            m["variance_as_std"] = Mistake({"likelihood": lik.tolist(), "posterior": normalise(lik * pri).tolist()},
                                           "You used σ² where the density needs the standard deviation σ "
                                           "(σ is given, not the variance).")
        m["no_sqrt_2pi"] = Mistake({"likelihood": densities(p.x, p.means, p.stds, with_norm=False).tolist()},
                                   "You dropped the normalising factor 1/(σ√(2π)) of the Gaussian density.")
        lik = densities(p.x, p.means, p.stds)
        if len(set(p.priors)) > 1:
            ml = normalise(lik)
            ans = {"posterior": ml.tolist()}
            if names[argmax_first(ml)] != self.solve(p)["class"]:
                ans["class"] = names[argmax_first(ml)]
            m["priors_ignored"] = Mistake(ans, "You ignored the priors (the ML decision): weigh each likelihood "
                                               "by its class prior.")
        joint = lik * pri
        if abs(joint.sum() - 1) > 1e-3:
            m["not_normalised"] = Mistake({"posterior": joint.tolist()},
                                          "Those are the joints p(x|c)P(c): divide each by their sum p(x).")
        return m

    def degenerate(self, p: Params) -> str | None:
        ans = self.solve(p)
        if argmax_clear(ans["posterior"]) is None:
            return "near-tie between the two largest posteriors"
        ml = argmax_clear(ans["likelihood"])
        if ml is None:
            return "near-tie between the two largest likelihoods"
        if self.names(p)[ml] == ans["class"]:
            return "MAP = ML: the priors do not change the decision"
        if min(ans["posterior"]) < 0.01 or min(ans["likelihood"]) < 0.001:
            return "a posterior or likelihood rounds to 0"
        return None


class Gaussian1DThreshold(Gaussian1D):
    id = "bayes/gaussian_1d_threshold-v1"
    title = "Bayes decision threshold, two 1-D Gaussians with equal σ"
    reference_entry = "examprep.reference.bayes:gaussian_1d_threshold"
    parts = Gaussian1D.parts + (Part("threshold", "Decision threshold x*", "real"),)

    def _k_and_stds(self, rng: np.random.Generator, difficulty: str) -> tuple[int, list[float]]:
        grid = {"easy": [1.0, 2.0], "medium": [0.5, 1.0, 1.5, 2.0], "hard": [0.5, 1.0, 1.5, 2.0, 2.5]}
        s = float(rng.choice(grid[difficulty]))
        return 2, [s, s]

    def check(self, p: Params) -> list[str]:
        warn = super().check(p)
        if len(p.means) != 2:
            raise ParamError(f"this type has exactly two classes; means has {len(p.means)} entries "
                             "(use bayes/gaussian_1d for more)")
        if p.stds[0] != p.stds[1]:
            raise ParamError(f"stds must be equal for a single threshold, got {list(p.stds)} "
                             "(use bayes/gaussian_1d for unequal σ)")
        if p.means[0] == p.means[1]:
            raise ParamError("means must differ: with equal means and σ there is no threshold")
        if min(p.priors) <= 0:
            raise ParamError("priors must both be positive for a threshold to exist")
        return warn

    def _extra_prompt(self, p: Params) -> str:
        return " Also give the decision threshold $x^*$, the $x$ at which both posteriors are equal."

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        out = super().solve(p, given)
        out["threshold"] = threshold(p.means, p.stds[0], p.priors)
        return out

    def _more_steps(self, p: Params, d: Derivation, ans: Answers) -> None:
        m1, m2, sg, p1, p2 = syms("mu_1 mu_2 sigma P_1 P_2")
        formula = paren(m1 + m2) / 2 + sg**2 * Func("ln", p2 / p1) / paren(m1 - m2)
        c1, c2 = self.names(p)
        d.add("Decision threshold", ans["threshold"], lhs=Sym("x_star", tex="x^*"),
              formula=formula,
              subs={"mu_1": p.means[0], "mu_2": p.means[1], "sigma": p.stds[0], "P_1": p.priors[0],
                    "P_2": p.priors[1]}, part="threshold",
              note=rf"$\mu_1, P_1$ and $\mu_2, P_2$: the mean and prior of {c1} and of {c2}; set "
                   r"$\ln P_1 - (x - \mu_1)^2/(2 \sigma^2) = \ln P_2 - (x - \mu_2)^2/(2 \sigma^2)$; the $x^2$ terms "
                   r"cancel when $\sigma$ is shared")

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        m = super().mistakes(p)
        (m1, m2), s, (q1, q2) = p.means, p.stds[0], p.priors
        if q1 != q2:
            m["threshold_midpoint"] = Mistake({"threshold": (m1 + m2) / 2},
                                              "The midpoint of the means is the threshold only for equal priors.")
            m["threshold_sign"] = Mistake({"threshold": (m1 + m2) / 2 - s**2 * math.log(q2 / q1) / (m1 - m2)},
                                          "The log-prior term has the wrong sign: the threshold moves away from "
                                          "the more probable class.")
            if s != 1:
                m["threshold_std"] = Mistake({"threshold": (m1 + m2) / 2 + s * math.log(q2 / q1) / (m1 - m2)},
                                             "The log-prior term is multiplied by the variance σ², not by σ.")
        return m

    def degenerate(self, p: Params) -> str | None:
        t = threshold(p.means, p.stds[0], p.priors)
        if abs(t) < 0.1:
            return "threshold near 0"
        if not min(p.means) - 3 <= t <= max(p.means) + 3:
            return "threshold far outside the means"
        return super().degenerate(p)
