"""Ensembles: the error of an average of correlated models, bootstrap coverage, majority voting.

Catalog: seed_002 D5 (Goodfellow §7.11).

Parameters: k (models), v (each model's error variance), c (the covariance of two models' errors, 0 ≤ c ≤ v),
N (bootstrap sample size), p (each voter's accuracy; the k voters are independent).

Answer parts: ``ensemble_mse`` = v/k + (k − 1)c/k, ``p_missed`` = (1 − 1/N)^N (a given example is missing from a
bootstrap sample of N draws from N), ``majority`` = P(more than k/2 of the k voters are right); a tie (k even, k/2
right) is not a majority.

Reference: the mean of k errors with covariance matrix cJ + (v − c)I as 1ᵀΣ1/k² in torch; ``torch.pow``;
``torch.distributions.Binomial`` for the vote (examprep.reference.regularization:ensemble).

Common mistakes: the correlation ignored (v/k; D5: 0.2); ties counted as won (even k); the limit 1/e given for a
finite N.

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
from examprep.problems.optim.mistakes import lost, variant_mistakes
from examprep.problems.optim.objective import num
from examprep.solver.expr import Num, Sym, paren
from examprep.solver.step import Derivation


def majority(k: int, p: float, ties: bool = False) -> float:
    lo = math.ceil(k / 2) if ties else k // 2 + 1
    return math.fsum(math.comb(k, j) * p**j * (1 - p) ** (k - j) for j in range(lo, k + 1))


class Ensemble(ProblemType):
    id = "regularization/ensemble-v1"
    title = "Ensembles: averaged error, bootstrap coverage, majority vote"
    catalog = "seed_002 D5"
    reference_entry = "examprep.reference.regularization:ensemble"
    optional = frozenset({"limit_for_finite_n"})
    params = (
        Param("k", "int", "the number of models", lo=1, hi=1000),
        Param("v", "real", "each model's error variance", lo=0, hi=1e6),
        Param("c", "real", "the covariance of two models' errors (0 ≤ c ≤ v)", lo=0, hi=1e6),
        Param("N", "int", "the bootstrap sample size", lo=1, hi=10**6),
        Param("p", "real", "each independent voter's accuracy", lo=0, hi=1),
    )
    parts = (
        Part("ensemble_mse", "The expected squared error of the averaged prediction", "real"),
        Part("p_missed", "P(an example is missing from a bootstrap sample)", "real"),
        Part("majority", "P(the majority vote is right)", "real"),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        ks = (3, 5) if difficulty == "easy" else (3, 4, 5, 6, 10)
        k = int(ks[int(rng.integers(len(ks)))])
        v = float((1, 2, 4)[int(rng.integers(3))])
        c = float(rng.integers(1, int(v * 10))) / 10
        return dict(k=k, v=v, c=c, N=int((5, 10, 20, 100)[int(rng.integers(4))]),
                    p=float((0.6, 0.65, 0.7, 0.75, 0.8)[int(rng.integers(5))]))

    def check(self, p: Params) -> list[str]:
        if p.c > p.v:
            raise ParamError(f"c = {p.c:g} exceeds v = {p.v:g}: a covariance cannot exceed the variances")
        return []

    def run(self, p: Params, variant: str | None = None) -> Answers:
        c = 0.0 if variant == "correlation_ignored" else p.c
        missed = math.exp(-1) if variant == "limit_for_finite_n" else (1 - 1 / p.N) ** p.N
        return {"ensemble_mse": p.v / p.k + (p.k - 1) * c / p.k, "p_missed": missed,
                "majority": majority(p.k, p.p, ties=variant == "ties_won")}

    def solve(self, p: Params) -> Answers:
        return self.run(p)

    def candidates(self, p: Params) -> dict[str, str]:
        out = {"correlation_ignored": "You ignored the correlation: with covariance c the averaged error is "
                                      "$\\frac{v}{k} + \\frac{k-1}{k} c$, not $v/k$.",
               "limit_for_finite_n": f"You gave the limit $1/e$; for N = {p.N} the probability is "
                                     "$(1 - 1/N)^N$."}
        if p.k % 2 == 0:
            out["ties_won"] = (f"You counted a tie ({p.k // 2} of {p.k} right) as a won vote. A majority needs more "
                               "than half of the voters.")
        return out

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return variant_mistakes(self, p)

    def degenerate(self, p: Params) -> str | None:
        if p.c == 0 or p.k == 1:
            return "no correlation or a single model"
        return lost(self.candidates(p), self.mistakes(p), self.optional)

    def statement(self, p: Params) -> list[Any]:
        return [f"An ensemble averages the predictions of $k = {p.k}$ models whose errors each have variance "
                f"$v = {num(p.v)}$ and pairwise covariance $c = {num(p.c)}$ (mean 0). (a) What is the expected "
                "squared error of the averaged prediction? (b) A bootstrap sample draws $N = "
                f"{p.N}$ examples with replacement from $N$: what is the probability that a given example is not "
                f"drawn? (c) $k = {p.k}$ independent classifiers are each right with probability $p = {num(p.p)}$; "
                "what is the probability that more than half of them are right (a tie is not a majority)?"]

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        k, v, c = Sym("k"), Sym("v"), Sym("c")
        d.add("Averaged error", ans["ensemble_mse"], lhs=Sym("MSE"), formula=v / k + paren(k - Num(1)) * c / k,
              subs={"k": p.k, "v": p.v, "c": p.c}, part="ensemble_mse",
              note="$E[(\\frac{1}{k} \\sum_i \\epsilon_i)^2] = \\frac{1}{k^2} (k v + k(k-1) c)$.")
        N = Sym("N")
        d.add("Bootstrap: one example missed N times", ans["p_missed"], lhs=Sym("P_miss", tex="P_{miss}"),
              formula=paren(Num(1) - Num(1) / N) ** N, subs={"N": p.N}, part="p_missed",
              note=f"It tends to $1/e \\approx 0.367879$ as $N$ grows; here $N = {p.N}$.")
        lo = p.k // 2 + 1
        sub = None
        for j in range(lo, p.k + 1):
            t = Num(math.comb(p.k, j)) * Num(p.p) ** Num(j) * Num(1 - p.p) ** Num(p.k - j)
            sub = t if sub is None else sub + t
        d.add(f"Majority: {lo} to {p.k} of {p.k} right", ans["majority"], lhs=Sym("P_maj", tex="P_{maj}"),
              substituted=sub, part="majority",
              note="A binomial tail: the sum over $j > k/2$ of $C(k, j) p^j (1 - p)^{k-j}$, the binomial "
                   "coefficients written out.")
        d.answer = f"{ans['ensemble_mse']:.6g}, {ans['p_missed']:.6g}, {ans['majority']:.6g}"
        return d
