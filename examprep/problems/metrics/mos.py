"""Mean opinion score of generated samples with a 95 % confidence interval (normal or Student t).

Catalog: seed_000_001 G3 (MOS on a 1–5 scale; the interval ±1.96·s/√N or with a t-quantile).

Parameters:
    ratings: the listeners' ratings, integers 1–5 (2 to 61 of them).
    interval: ``normal`` (the quantile 1.96) or ``t`` (Student t with N − 1 degrees of freedom, the quantile
    stated to 6 decimals in the prompt, as a table gives it).

Answer parts: ``mos`` = the mean rating, ``s`` = the sample standard deviation (divisor N − 1) and
``half_width`` = q·s/√N of the 95 % interval.

Conventions stated in the prompt: the divisor N − 1, the quantile used (its value given), the interval
MOS ± half_width.

Reference: mean and ``torch.std`` (correction 1); the t-quantile recomputed by Newton's method on the Student t
CDF (Gauss–Legendre quadrature of ``StudentT.log_prob``) and rounded to the 6 decimals stated
(examprep.reference.metrics:mos); the tests check the table against ``scipy.stats.t.ppf``.

Common mistakes: the population standard deviation (divisor N), the normal 1.96 where the t-quantile is asked,
the √N left out.

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
from examprep.problems.gan.fair import near_miss, visible
from examprep.solver.expr import Expr, Func, Num, Sym, paren
from examprep.solver.step import Derivation

Z975 = 1.96
# t_{0.975, df} for df = 1..60, to 6 decimals (as a table prints them; checked against scipy.stats.t.ppf in tests)
T975 = (12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157, 2.228139,
        2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905, 2.109816, 2.100922, 2.093024, 2.085963,
        2.079614, 2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831, 2.048407, 2.045230, 2.042272,
        2.039513, 2.036933, 2.034515, 2.032245, 2.030108, 2.028094, 2.026192, 2.024394, 2.022691, 2.021075,
        2.019541, 2.018082, 2.016692, 2.015368, 2.014103, 2.012896, 2.011741, 2.010635, 2.009575, 2.008559,
        2.007584, 2.006647, 2.005746, 2.004879, 2.004045, 2.003241, 2.002465, 2.001717, 2.000995, 2.000298)


def quantile(interval: str, n: int) -> float:
    return Z975 if interval == "normal" else T975[n - 2]


def std(xs: Any, ddof: int = 1, mean: float | None = None) -> float:
    """The standard deviation about ``mean`` (by default the mean of ``xs``), divisor N − ddof."""
    m = math.fsum(xs) / len(xs) if mean is None else mean
    return math.sqrt(math.fsum((x - m) ** 2 for x in xs) / (len(xs) - ddof))


class MOS(ProblemType):
    id = "metrics/mos-v1"
    title = "Mean opinion score and its 95 % interval"
    catalog = "seed_000_001 G3"
    reference_entry = "examprep.reference.metrics:mos"
    params = (
        Param("ratings", "int_vector", "ratings on the 1–5 scale", lo=1, hi=5),
        Param("interval", "choice", "normal (1.96) or t (N − 1 degrees of freedom)", choices=("normal", "t"),
              default="t"),
    )
    parts = (
        Part("mos", "The mean opinion score", "real"),
        Part("s", "The sample standard deviation (divisor N − 1)", "real", final=False, uses=("mos",)),
        Part("half_width", "The half-width of the 95 % interval", "real", uses=("s",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n = {"easy": 6, "medium": int(rng.integers(6, 9)), "hard": int(rng.integers(8, 11))}[difficulty]
        centre = int(rng.integers(2, 5))
        ratings = np.clip(centre + rng.integers(-1, 2, n) + (rng.random(n) < 0.2) * rng.integers(-1, 2, n), 1, 5)
        interval = "normal" if difficulty == "easy" else ("normal", "t")[int(rng.integers(2))]
        return dict(ratings=[int(x) for x in ratings], interval=interval)

    def check(self, p: Params) -> list[str]:
        if not 2 <= len(p.ratings) <= len(T975) + 1:
            raise ParamError(f"give 2 to {len(T975) + 1} ratings (got {len(p.ratings)})")
        return []

    def degenerate(self, p: Params) -> str | None:
        if len(set(p.ratings)) == 1:
            return "all ratings are equal (s = 0)"
        return near_miss(self.solve(p), self.all_mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        n = len(p.ratings)
        q = quantile(p.interval, n)
        how = (r"the normal quantile $z_{0.975} = 1.96$" if p.interval == "normal" else
               rf"the Student $t$ quantile with $N - 1 = {n - 1}$ degrees of freedom, $t_{{0.975, {n - 1}}} = {q:.6f}$")
        return [
            f"{n} listeners rate a generated audio clip on a 1–5 scale: ", list(p.ratings), ". Give the mean "
            r"opinion score (MOS, the mean rating), the sample standard deviation $s$ (divisor $N - 1$), and the "
            r"half-width $q \cdot \frac{s}{\sqrt{N}}$ of the 95 % confidence interval $\text{MOS} \pm q \frac{s}"
            r"{\sqrt{N}}$, using " + how + "."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        n = len(p.ratings)
        mos = carry(given, "mos", math.fsum(p.ratings) / n)
        s = carry(given, "s", std(p.ratings, mean=mos))
        return {"mos": mos, "s": s, "half_width": quantile(p.interval, n) * s / math.sqrt(n)}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        n = len(p.ratings)
        d = Derivation()
        d.add("Mean opinion score", ans["mos"], lhs=Sym("MOS"), substituted=paren(_sum([Num(x) for x in p.ratings]))
              / n, part="mos")
        dev = [paren(Num(x) - Num(ans["mos"])) ** 2 for x in p.ratings]
        d.add("Sample standard deviation", ans["s"], lhs=Sym("s"), substituted=Func("sqrt", paren(_sum(dev)) / (n - 1)),
              part="s", note=r"$s = \sqrt{\frac{1}{N - 1} \sum_i (x_i - \text{MOS})^2}$, " + f"N = {n}")
        q = quantile(p.interval, n)
        d.add("Half-width of the 95 % interval", ans["half_width"], lhs=Sym("h"),
              substituted=Num(q, digits=7) * Num(ans["s"]) / Func("sqrt", n), part="half_width",
              note=("the normal quantile 1.96" if p.interval == "normal" else
                    f"the t quantile with {n - 1} degrees of freedom, {q:.6f}"))
        d.answer = f"MOS = {ans['mos']:.6g} ± {ans['half_width']:.6g}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return visible(self.solve(p), self.all_mistakes(p))

    def all_mistakes(self, p: Params) -> dict[str, Mistake]:
        """Every named mistake that applies to these parameters."""
        n = len(p.ratings)
        q, s = quantile(p.interval, n), std(p.ratings)
        pop = std(p.ratings, ddof=0)
        out = {"population_std": Mistake({"s": pop, "half_width": q * pop / math.sqrt(n)},
                                         r"You divided by $N$; the sample standard deviation divides by $N - 1$."),
               "no_sqrt_n": Mistake({"half_width": q * s},
                                    r"The interval uses the standard error $\frac{s}{\sqrt{N}}$, not $s$.")}
        if p.interval == "t":
            out["z_for_t"] = Mistake({"half_width": Z975 * s / math.sqrt(n)},
                                     f"With {n} ratings use the t quantile with {n - 1} degrees of freedom, not 1.96.")
        return out


def _sum(terms: list[Expr]) -> Expr:
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total
