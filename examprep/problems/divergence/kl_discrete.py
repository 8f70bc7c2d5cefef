"""KL divergence between two discrete distributions, term by term.

Catalog: seed_003 C8 (formula sheet, lines 1701–1703), seed_000_001 E1, seed_004 D5.

Parameters:
    P, Q: probability vectors on the same outcomes (entries ≥ 0 summing to 1; Q(i) > 0 wherever P(i) > 0).
    base: ``e`` (nats, the default) or ``2`` (bits).

Answer parts: ``terms`` (the vector of P(i)·log(P(i)/Q(i)), intermediate) and ``kl`` = KL(P‖Q).

Conventions stated in the prompt: the direction KL(P‖Q) = Σ P(i) log(P(i)/Q(i)), the log base, 0·log(0/q) = 0.

Reference: ``kl_divergence(Categorical(P), Categorical(Q))`` (divided by ln 2 for bits), terms by ``torch.xlogy``
(examprep.reference.divergence:kl_discrete).

Common mistakes: the direction swapped (KL(Q‖P)), the wrong log base, an outcome with P(i) = 0 mishandled
(dropped and Q renormalised over the rest).

Versions: v1 — first version (Q(i) > 0 wherever P(i) > 0). v2 — also poses the classic infinite case,
Q(i) = 0 < P(i) (seed_000_001 E1): that term and the KL are +∞, answered ``inf`` or ``∞``; the statement says so.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.divergence.pmf import check_pmf, check_same_length, draw_pmf, kl_terms
from examprep.solver.expr import Func, Mat, Sym
from examprep.solver.step import Derivation

BASES = {"e": math.e, "2": 2.0}


def log_of(base: str, x: Any) -> Any:
    return Func("ln", x) if base == "e" else Func("log2", x)


class KLDiscrete(ProblemType):
    id = "divergence/kl_discrete-v1"
    title = "KL divergence of two discrete distributions"
    catalog = "seed_003 C8; seed_000_001 E1"
    reference_entry = "examprep.reference.divergence:kl_discrete"
    params = (
        Param("P", "vector", "the first distribution (probabilities summing to 1)", lo=0, hi=1),
        Param("Q", "vector", "the second distribution, on the same outcomes", lo=0, hi=1),
        Param("base", "choice", "log base: e (nats) or 2 (bits)", choices=("e", "2"), default="e"),
    )
    parts = (
        Part("terms", "The terms P(i)·log(P(i)/Q(i)), one per outcome", "vector", final=False),
        Part("kl", "KL(P‖Q)", "real", uses=("terms",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        if difficulty == "easy":
            n, denom, base, zeros = 3, 10, "e", 0
        elif difficulty == "medium":
            n, denom, base, zeros = int(rng.integers(3, 5)), 10, ("e", "2")[int(rng.integers(2))], 0
        else:
            n, denom = int(rng.integers(4, 6)), (10, 20)[int(rng.integers(2))]
            base, zeros = ("e", "2")[int(rng.integers(2))], int(rng.integers(2))
        return dict(P=draw_pmf(rng, n, denom, zeros), Q=draw_pmf(rng, n, denom), base=base)

    def check(self, p: Params) -> list[str]:
        from examprep.errors import ParamError

        check_same_length("P", p.P, "Q", p.Q)
        check_pmf("P", p.P)
        check_pmf("Q", p.Q)
        for i, (a, b) in enumerate(zip(p.P, p.Q, strict=True), start=1):
            if a > 0 and b == 0:
                raise ParamError(f"KL(P‖Q) is infinite: Q({i}) = 0 where P({i}) = {a:g} > 0, so the term "
                                 f"P({i})·log(P({i})/0) is +∞. Give Q({i}) > 0 wherever P({i}) > 0")
        return []

    def degenerate(self, p: Params) -> str | None:
        if tuple(p.P) == tuple(p.Q):
            return "P = Q (the KL is 0)"
        if self.solve(p)["kl"] < 1e-3:
            return "KL too close to 0"
        return None

    def statement(self, p: Params) -> list[Any]:
        n = len(p.P)
        unit = r"nats: use the natural log $\ln$" if p.base == "e" else "bits: use log base 2"
        return [
            rf"Two distributions over the outcomes $1, \ldots, {n}$ are $P$ = ", list(p.P), " and $Q$ = ", list(p.Q),
            ". Compute the Kullback–Leibler divergence "
            rf"$\mathrm{{KL}}(P \lVert Q) = \sum_i P(i) \log \frac{{P(i)}}{{Q(i)}}$ in {unit}. "
            r"Give the term $P(i) \log \frac{P(i)}{Q(i)}$ of each outcome and their sum. "
            r"Convention: a term with $P(i) = 0$ is 0 ($0 \cdot \log 0 = 0$)."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        terms = carry(given, "terms", np.asarray(kl_terms(p.P, p.Q, BASES[p.base]))).tolist()
        return {"terms": terms, "kl": math.fsum(terms)}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        P, Q = Sym("P_i", tex="P(i)"), Sym("Q_i", tex="Q(i)")
        formula = P * log_of(p.base, P / Q)
        tsyms = [Sym(f"t_{i}") for i in range(1, len(p.P) + 1)]
        for i, (a, b, t) in enumerate(zip(p.P, p.Q, ans["terms"], strict=True), start=1):
            if a == 0:
                d.add(f"Term of outcome {i}", 0, lhs=tsyms[i - 1],
                      note=rf"$P({i}) = 0$, so this term is $0 \cdot \log(0/{b:g}) = 0$ "
                           r"($x \log x \to 0$ as $x \to 0$).")
            else:
                d.add(f"Term of outcome {i}", t, lhs=tsyms[i - 1], formula=formula, subs={"P_i": a, "Q_i": b})
        d.add("The terms", ans["terms"], lhs="t", formula=Mat([tsyms]),
              subs={s.name: v for s, v in zip(tsyms, ans["terms"], strict=True)}, part="terms")
        total = tsyms[0]
        for s in tsyms[1:]:
            total = total + s
        unit = "nats" if p.base == "e" else "bits"
        d.add("Sum of the terms", ans["kl"], lhs=Sym("KL", tex=r"\mathrm{KL}(P \lVert Q)"), formula=total,
              subs={s.name: v for s, v in zip(tsyms, ans["terms"], strict=True)}, part="kl", note=f"in {unit}")
        d.answer = rf"$\mathrm{{KL}}(P \lVert Q) = {ans['kl']:.6g}$ {unit}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        base = BASES[p.base]
        m: dict[str, Mistake] = {}
        if all(x > 0 for x in p.P):
            t = kl_terms(p.Q, p.P, base)
            m["direction_swapped"] = Mistake(
                {"terms": t, "kl": math.fsum(t)},
                "You computed KL(Q‖P). KL is not symmetric: KL(P‖Q) weights log(P(i)/Q(i)) by P(i).")
        other = 2.0 if p.base == "e" else math.e
        t = kl_terms(p.P, p.Q, other)
        m["wrong_base"] = Mistake(
            {"terms": t, "kl": math.fsum(t)},
            "You used the wrong log base: the problem asks for " + ("nats (ln)." if p.base == "e" else "bits (log₂)."))
        if any(x == 0 for x in p.P):
            mass = math.fsum(b for a, b in zip(p.P, p.Q, strict=True) if a > 0)
            t = [a * math.log(a / (b / mass)) / math.log(base) if a > 0 else 0.0 for a, b in zip(p.P, p.Q, strict=True)]
            m["zero_term_mishandled"] = Mistake(
                {"terms": t, "kl": math.fsum(t)},
                "You removed the outcome with P(i) = 0 and renormalised Q. That outcome only contributes "
                "0·log(0/Q(i)) = 0; Q keeps all its values.")
        return m


class KLDiscreteV2(KLDiscrete):
    """v2: a quarter of the draws (medium and hard) have Q(i) = 0 < P(i), so the answer is +∞."""

    id = "divergence/kl_discrete-v2"
    parts = (
        Part("terms", "The terms P(i)·log(P(i)/Q(i)), one per outcome", "vector", final=False, infinite=True),
        Part("kl", "KL(P‖Q)", "real", uses=("terms",), infinite=True),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        d = super().sample(rng, difficulty)
        if difficulty != "easy" and rng.random() < 0.25:
            n, denom = len(d["P"]), 10 if difficulty == "medium" else 20
            d["P"], d["Q"] = draw_pmf(rng, n, denom), draw_pmf(rng, n, denom, 1)
        return d

    def check(self, p: Params) -> list[str]:
        check_same_length("P", p.P, "Q", p.Q)
        check_pmf("P", p.P)
        check_pmf("Q", p.Q)
        return []

    def degenerate(self, p: Params) -> str | None:
        return None if self.solve(p)["kl"] == math.inf else super().degenerate(p)

    def statement(self, p: Params) -> list[Any]:
        return [*super().statement(p), " If $Q(i) = 0$ for an outcome with $P(i) > 0$, that term and the divergence "
                "are infinite: answer inf (or $\\infty$)."]

    def derivation(self, p: Params) -> Derivation:
        if self.solve(p)["kl"] != math.inf:
            return super().derivation(p)
        ans = self.solve(p)
        d = Derivation()
        P, Q = Sym("P_i", "P(i)"), Sym("Q_i", "Q(i)")
        formula = P * log_of(p.base, P / Q)
        for i, (a, b, t) in enumerate(zip(p.P, p.Q, ans["terms"], strict=True), start=1):
            if a == 0:
                d.add(f"Term of outcome {i}", 0, lhs=Sym(f"t_{i}"), note=f"P({i}) = 0, so this term is 0.")
            elif b == 0:
                d.add(f"Term of outcome {i}", math.inf, lhs=Sym(f"t_{i}"),
                      note=f"Q({i}) = 0 < P({i}) = {a:g}: log(P({i})/0) = +∞, so this term is +∞.")
            else:
                d.add(f"Term of outcome {i}", t, lhs=Sym(f"t_{i}"), formula=formula, subs={"P_i": a, "Q_i": b})
        d.add("The terms", ans["terms"], lhs="t", part="terms")
        d.add("Sum of the terms", math.inf, lhs=Sym("KL", "KL(P‖Q)"), part="kl",
              note="one term is +∞ and none is −∞, so the sum is +∞: Q gives probability 0 to an outcome P can "
                   "produce")
        d.answer = "KL(P‖Q) = ∞"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        m = super().mistakes(p)
        if self.solve(p)["kl"] != math.inf:
            return m
        base = BASES[p.base]
        t = [0.0 if (b == 0 or a == 0) else a * math.log(a / b) / math.log(base) for a, b in zip(p.P, p.Q, strict=True)]
        m["infinite_term_dropped"] = Mistake(
            {"terms": t, "kl": math.fsum(t)},
            "You dropped the outcome with Q(i) = 0: P(i) > 0 there, so P(i)·log(P(i)/0) = +∞ and KL(P‖Q) is "
            "infinite.")
        return m
