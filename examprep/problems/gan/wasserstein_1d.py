"""The earth mover's (Wasserstein-1) distance between two distributions on the line, and their JSD.

Catalog: seed_000_001 F3; seed_002 I4; seed_004 D4 (and the notes' F1:46, which drops the marginal constraint).

Parameters:
    u, v: the points of the two distributions (samples, or support points of histograms).
    u_weights, v_weights: optional weights of the points (≥ 0, normalised to sum 1); without them every point of
    a sample weighs the same.

Answer parts: ``w1`` = ∫|F_u(x) − F_v(x)| dx, and ``jsd`` = JSD(P_u‖P_v) in nats of the two distributions on
the union of their points.

Conventions stated in the prompt: the CDF form of W₁, equal weights for samples, the weights' normalisation,
natural log, the JSD with M = (P_u + P_v)/2.

Reference: W₁ as ∫₀¹|F_u⁻¹(t) − F_v⁻¹(t)| dt from the quantile functions (``torch.searchsorted`` on cumulative
weights), the JSD by equality matrices over all points with repeated points counted once
(examprep.reference.gan:wasserstein_1d); the tests check ``scipy.stats.wasserstein_distance`` and
``jensenshannon(…)**2``.

Common mistakes: the difference of the means (equal to W₁ only when the CDFs do not cross), Σ|p − q| over the
points, pairing unsorted samples, the JSD in bits.

Versions: v1 — first version.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType
from examprep.problems.divergence.pmf import jsd, kl_sum_expr, mixture, mixture_expr
from examprep.problems.gan.fair import near_miss, visible
from examprep.solver.expr import Expr, Func, Mat, Num, Sym, paren
from examprep.solver.step import Derivation


def weights(points: Any, w: Any) -> list[float]:
    """The normalised weights (equal ones when none are given)."""
    if w is None:
        return [1 / len(points)] * len(points)
    s = math.fsum(w)
    return [x / s for x in w]


def on_union(p: Params) -> tuple[list[float], list[float], list[float]]:
    """(the sorted union of the points, P_u and P_v on it): repeated points add up their weights."""
    xs = sorted(set(p.u) | set(p.v))
    pu = [math.fsum(w for x, w in zip(p.u, weights(p.u, p.u_weights), strict=True) if x == t) for t in xs]
    pv = [math.fsum(w for x, w in zip(p.v, weights(p.v, p.v_weights), strict=True) if x == t) for t in xs]
    return xs, pu, pv


def cdf_gaps(xs: list[float], pu: list[float], pv: list[float]) -> tuple[list[float], list[float]]:
    """(|F_u − F_v| on each interval [x_i, x_{i+1}), the interval lengths)."""
    fu = np.cumsum(pu)[:-1]
    fv = np.cumsum(pv)[:-1]
    gaps = [abs(float(a - b)) for a, b in zip(fu, fv, strict=True)]
    return gaps, [b - a for a, b in zip(xs[:-1], xs[1:], strict=True)]


class Wasserstein1D(ProblemType):
    id = "gan/wasserstein_1d-v1"
    title = "Earth mover's distance in 1-D and the JSD"
    catalog = "seed_000_001 F3; seed_002 I4; seed_004 D4"
    reference_entry = "examprep.reference.gan:wasserstein_1d"
    params = (
        Param("u", "vector", "points of the first distribution", lo=-1000, hi=1000),
        Param("v", "vector", "points of the second distribution", lo=-1000, hi=1000),
        Param("u_weights", "vector", "weights of u's points (optional; normalised)", lo=0, hi=1000, optional=True),
        Param("v_weights", "vector", "weights of v's points (optional; normalised)", lo=0, hi=1000, optional=True),
    )
    parts = (
        Part("w1", "The Wasserstein-1 distance", "real"),
        Part("jsd", "JSD(P_u‖P_v) in nats", "real"),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        from examprep.problems.divergence.pmf import draw_pmf

        if difficulty == "easy":
            return dict(u=rng.choice(9, 3, replace=False).tolist(), v=rng.choice(9, 3, replace=False).tolist())
        if difficulty == "medium":
            k = int(rng.integers(3, 5))
            pts = list(range(k))
            return dict(u=pts, v=pts, u_weights=draw_pmf(rng, k, 10, int(rng.integers(2))),
                        v_weights=draw_pmf(rng, k, 10, int(rng.integers(2))))
        n, m = int(rng.integers(2, 5)), int(rng.integers(2, 5))
        return dict(u=rng.choice(np.arange(0, 6.5, 0.5), n, replace=False).tolist(),
                    v=rng.choice(np.arange(0, 6.5, 0.5), m, replace=False).tolist())

    def check(self, p: Params) -> list[str]:
        for pts, w, name in ((p.u, p.u_weights, "u"), (p.v, p.v_weights, "v")):
            if w is not None:
                if len(w) != len(pts):
                    raise ParamError(f"{name}_weights has {len(w)} entries for {len(pts)} points of {name}")
                if math.fsum(w) <= 0:
                    raise ParamError(f"{name}_weights must have a positive sum")
        return []

    def degenerate(self, p: Params) -> str | None:
        ans = self.solve(p)
        if ans["w1"] < 1e-9:
            return "the two distributions are equal"
        return near_miss(ans, self.all_mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        def one(name: str, pts: Any, w: Any) -> list[Any]:
            if w is None:
                return [f"the sample ${name} = $ ", list(pts), " (every point weighs the same)"]
            return [f"the points ${name} = $ ", list(pts), " with weights ", list(w)]

        return ["Two distributions on the real line: ", *one("u", p.u, p.u_weights), "; and ",
                *one("v", p.v, p.v_weights), ". Weights are normalised to sum to 1, and a point given twice "
                r"carries both weights. Give the earth mover's distance $W_1 = \int |F_u(x) - F_v(x)| dx$, with "
                r"$F_u$, $F_v$ the cumulative distribution functions, and the Jensen–Shannon divergence "
                r"$\text{JSD} = \frac{1}{2} \mathrm{KL}(P_u \lVert M) + \frac{1}{2} \mathrm{KL}(P_v \lVert M)$, "
                r"$M = \frac{1}{2}(P_u + P_v)$, of the two distributions on the union of their points, in nats."]

    def solve(self, p: Params) -> Answers:
        xs, pu, pv = on_union(p)
        gaps, dx = cdf_gaps(xs, pu, pv)
        return {"w1": math.fsum(g * h for g, h in zip(gaps, dx, strict=True)), "jsd": jsd(pu, pv)}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        xs, pu, pv = on_union(p)
        gaps, dx = cdf_gaps(xs, pu, pv)
        d = Derivation()
        d.add("The union of the points, sorted", xs, lhs=Sym("x"))
        d.add("Weights of u on them", pu, lhs=Sym("P_u"))
        d.add("Weights of v on them", pv, lhs=Sym("P_v"))
        fu, fv = np.cumsum(pu).tolist(), np.cumsum(pv).tolist()
        d.add("CDF of u", fu, lhs=Sym("F_u"), note="running sums of $P_u$")
        d.add("CDF of v", fv, lhs=Sym("F_v"), note="running sums of $P_v$")
        if len(xs) == 1:
            d.add("Earth mover's distance", ans["w1"], lhs=Sym("W_1"), part="w1",
                  note="both distributions put all their weight on the same point: nothing moves")
        else:
            self._w1_steps(d, xs, fu, fv, gaps, ans["w1"])
        m = mixture(pu, pv)
        d.add("The mixture", m, lhs=Sym("M"), substituted=mixture_expr(pu, pv))
        a, b = Sym("A", tex=r"\mathrm{KL}(P_u \lVert M)"), Sym("B", tex=r"\mathrm{KL}(P_v \lVert M)")
        ka = d.add(r"$\mathrm{KL}(P_u \lVert M)$", _kl(pu, m), lhs=a, substituted=kl_sum_expr(pu, m),
                   note="points with zero weight add 0")
        kb = d.add(r"$\mathrm{KL}(P_v \lVert M)$", _kl(pv, m), lhs=b, substituted=kl_sum_expr(pv, m),
                   note="points with zero weight add 0")
        d.add("Jensen–Shannon divergence", ans["jsd"], lhs=Sym("JSD"), formula=paren(a + b) / 2, subs={a: ka, b: kb},
              part="jsd")
        d.answer = f"W₁ = {ans['w1']:.6g}; JSD = {ans['jsd']:.6g} nats"
        return d

    @staticmethod
    def _w1_steps(d: Derivation, xs: list[float], fu: list[float], fv: list[float], gaps: list[float],
                  w1: float) -> None:
        """The CDF differences between consecutive points and W₁ as their sum weighted by the spacings."""
        d.add(r"$|F_u - F_v|$ between consecutive points", gaps, lhs=Sym("g"),
              substituted=Mat([[Func("abs", Num(a) - _n(b)) for a, b in zip(fu[:-1], fv[:-1], strict=True)]]),
              note=r"on $[x_i, x_{i+1})$ both CDFs are constant; beyond the last point both are 1")
        terms = [Num(g) * paren(Num(b) - _n(a)) for g, a, b in zip(gaps, xs[:-1], xs[1:], strict=True)]
        d.add("Earth mover's distance", w1, lhs=Sym("W_1"), substituted=_sum(terms), part="w1",
              note=r"$W_1 = \sum_i |F_u(x_i) - F_v(x_i)| (x_{i+1} - x_i)$")

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return visible(self.solve(p), self.all_mistakes(p))

    def all_mistakes(self, p: Params) -> dict[str, Mistake]:
        """Every named mistake that applies to these parameters."""
        xs, pu, pv = on_union(p)
        mean_u = math.fsum(x * w for x, w in zip(xs, pu, strict=True))
        mean_v = math.fsum(x * w for x, w in zip(xs, pv, strict=True))
        out = {
            "mean_difference": Mistake({"w1": abs(mean_u - mean_v)},
                                       r"The difference of the means equals $W_1$ only when the CDFs do not cross; "
                                       r"here they do: integrate $|F_u - F_v|$."),
            "pmf_l1": Mistake({"w1": math.fsum(abs(a - b) for a, b in zip(pu, pv, strict=True))},
                              r"You added the differences of the probabilities; $W_1$ weighs the CDF differences by "
                              "the distances they are moved."),
            "jsd_bits": Mistake({"jsd": self.solve(p)["jsd"] / math.log(2)},
                                "You gave the JSD in bits; the problem asks for nats (natural log)."),
        }
        if p.u_weights is None and p.v_weights is None and len(p.u) == len(p.v):
            out["unsorted_pairs"] = Mistake({"w1": math.fsum(abs(a - b) for a, b in zip(p.u, p.v, strict=True))
                                             / len(p.u)},
                                            "Pair the samples in sorted order (smallest with smallest); you paired "
                                            "them as listed.")
        return out


def _kl(p: list[float], q: list[float]) -> float:
    return math.fsum(a * math.log(a / b) for a, b in zip(p, q, strict=True) if a > 0)


def _n(x: float) -> Expr:
    return paren(Num(x)) if x < 0 else Num(x)


def _sum(terms: list[Expr]) -> Expr:
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total
