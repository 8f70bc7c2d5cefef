"""Jensen–Shannon divergence of two discrete distributions, through the mixture M.

Catalog: seed_004 D3; seed_003 C3; seed_000_001 F2.

Parameters:
    P, Q: probability vectors on the same outcomes (entries ≥ 0 summing to 1).

Answer parts: ``m`` = (P + Q)/2, ``kl_pm`` = KL(P‖M), ``kl_qm`` = KL(Q‖M) (intermediate), and
``jsd`` = ½KL(P‖M) + ½KL(Q‖M).

Conventions stated in the prompt: the definition with M = (P + Q)/2, natural log (nats), 0·log 0 = 0.

Reference: ``kl_divergence(Categorical(P), Categorical(M))`` and the same for Q
(examprep.reference.divergence:jsd).

Common mistakes: the ½ dropped, M = P + Q (not halved), bits instead of nats, √JSD (what
``scipy.spatial.distance.jensenshannon`` returns), the KLs taken from M (KL(M‖P)).

Versions: v1 — first version.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.divergence.pmf import (
    check_pmf,
    check_same_length,
    draw_pmf,
    kl,
    kl_sum_expr,
    mixture,
    mixture_expr,
)
from examprep.solver.expr import Sym, paren
from examprep.solver.step import Derivation


def draw_pair(rng: np.random.Generator, difficulty: str) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Two distributions for the JSD family: 3 outcomes (easy), 3–4 (medium), 4–5 on a finer grid with zeros (hard)."""
    if difficulty == "easy":
        return draw_pmf(rng, 3, 10), draw_pmf(rng, 3, 10)
    if difficulty == "medium":
        n = int(rng.integers(3, 5))
        return draw_pmf(rng, n, 10), draw_pmf(rng, n, 10)
    n, denom = int(rng.integers(4, 6)), (10, 20)[int(rng.integers(2))]
    return draw_pmf(rng, n, denom, int(rng.integers(2))), draw_pmf(rng, n, denom, int(rng.integers(2)))


def check_pair(a_name: str, a: Any, b_name: str, b: Any) -> None:
    from examprep.errors import ParamError

    check_same_length(a_name, a, b_name, b)
    check_pmf(a_name, a)
    check_pmf(b_name, b)
    # Also when a = b: an outcome that both give 0 is not part of the problem, and for the GAN it makes
    # D* = 0/0 (found by verify on 20,000 draws). Generated instances never have a = b (degenerate), so no
    # seed changes.
    for i, (x, y) in enumerate(zip(a, b, strict=True), start=1):
        if x == 0 and y == 0:
            raise ParamError(f"outcome {i} has {a_name} = {b_name} = 0: leave it out of both distributions")


class JSD(ProblemType):
    id = "divergence/jsd-v1"
    title = "Jensen–Shannon divergence"
    catalog = "seed_004 D3; seed_003 C3"
    reference_entry = "examprep.reference.divergence:jsd"
    params = (
        Param("P", "vector", "the first distribution (probabilities summing to 1)", lo=0, hi=1),
        Param("Q", "vector", "the second distribution, on the same outcomes", lo=0, hi=1),
    )
    parts = (
        Part("m", "The mixture M = (P + Q)/2", "vector", final=False, share=True),
        Part("kl_pm", "KL(P‖M)", "real", final=False, uses=("m",)),
        Part("kl_qm", "KL(Q‖M)", "real", final=False, uses=("m",)),
        Part("jsd", "JSD(P‖Q)", "real", uses=("kl_pm", "kl_qm")),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        p, q = draw_pair(rng, difficulty)
        return dict(P=p, Q=q)

    def check(self, p: Params) -> list[str]:
        check_pair("P", p.P, "Q", p.Q)
        return []

    def degenerate(self, p: Params) -> str | None:
        if tuple(p.P) == tuple(p.Q):
            return "P = Q (the JSD is 0)"
        ans = self.solve(p)
        if min(ans["kl_pm"], ans["kl_qm"]) < 1e-3:
            return "a KL too close to 0"
        return None

    def statement(self, p: Params) -> list[Any]:
        n = len(p.P)
        return [
            rf"Two distributions over the outcomes $1, \ldots, {n}$ are $P$ = ", list(p.P), " and $Q$ = ", list(p.Q),
            r". Compute the Jensen–Shannon divergence $\mathrm{JSD}(P \lVert Q) = "
            r"\frac{1}{2} \mathrm{KL}(P \lVert M) + \frac{1}{2} \mathrm{KL}(Q \lVert M)$, where $M = (P + Q)/2$ and "
            r"$\mathrm{KL}(A \lVert B) = \sum_i A(i) \ln \frac{A(i)}{B(i)}$, in nats (natural log; "
            r"$0 \cdot \ln 0 = 0$). Give $M$, $\mathrm{KL}(P \lVert M)$, $\mathrm{KL}(Q \lVert M)$ and the JSD."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        m = mixture(p.P, p.Q)
        if given and "m" in given:  # error carried forward from the student's mixture
            m = [float(x) for x in carry(given, "m", np.asarray(m))]
        a, b = carry(given, "kl_pm", kl(p.P, m)), carry(given, "kl_qm", kl(p.Q, m))
        return {"m": m, "kl_pm": a, "kl_qm": b, "jsd": (a + b) / 2}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        d.add("The mixture", ans["m"], lhs="M", substituted=mixture_expr(p.P, p.Q), part="m",
              note="$M(i) = (P(i) + Q(i))/2$")
        A, B = Sym("KL_PM", tex=r"\mathrm{KL}(P \lVert M)"), Sym("KL_QM", tex=r"\mathrm{KL}(Q \lVert M)")
        d.add(r"$\mathrm{KL}(P \lVert M)$", ans["kl_pm"], lhs=A, substituted=kl_sum_expr(p.P, ans["m"]),
              part="kl_pm", note=r"$\sum_i P(i) \ln \frac{P(i)}{M(i)}$; terms with $P(i) = 0$ are 0")
        d.add(r"$\mathrm{KL}(Q \lVert M)$", ans["kl_qm"], lhs=B, substituted=kl_sum_expr(p.Q, ans["m"]),
              part="kl_qm", note=r"$\sum_i Q(i) \ln \frac{Q(i)}{M(i)}$; terms with $Q(i) = 0$ are 0")
        d.add("Average", ans["jsd"], lhs=Sym("JSD", tex=r"\mathrm{JSD}(P \lVert Q)"),
              formula=Fraction(1, 2) * paren(A + B), subs={A: ans["kl_pm"], B: ans["kl_qm"]}, part="jsd")
        d.answer = rf"$\mathrm{{JSD}}(P \lVert Q) = {ans['jsd']:.6g}$ nats"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        ans = self.solve(p)
        m: dict[str, Mistake] = {}
        m["half_dropped"] = Mistake({"jsd": ans["kl_pm"] + ans["kl_qm"]},
                                    "You added the two KLs without the ½: JSD = ½KL(P‖M) + ½KL(Q‖M).")
        s = [a + b for a, b in zip(p.P, p.Q, strict=True)]
        a, b = kl(p.P, s), kl(p.Q, s)
        m["m_not_halved"] = Mistake({"m": s, "kl_pm": a, "kl_qm": b, "jsd": (a + b) / 2},
                                    "You forgot to halve the mixture: M = (P + Q)/2 is a distribution.")
        m["bits"] = Mistake({"kl_pm": ans["kl_pm"] / math.log(2), "kl_qm": ans["kl_qm"] / math.log(2),
                             "jsd": ans["jsd"] / math.log(2)},
                            "You used log base 2 (bits); the problem asks for nats (natural log).")
        m["sqrt_jsd"] = Mistake({"jsd": math.sqrt(ans["jsd"])},
                                "You took the square root: that is the Jensen–Shannon distance (what scipy's "
                                "jensenshannon returns), not the divergence.")
        if all(x > 0 for x in p.P) and all(x > 0 for x in p.Q):
            a, b = kl(ans["m"], p.P), kl(ans["m"], p.Q)
            m["direction_reversed"] = Mistake({"kl_pm": a, "kl_qm": b, "jsd": (a + b) / 2},
                                              "You computed KL(M‖P) and KL(M‖Q): the JSD uses KL(P‖M) and KL(Q‖M).")
        return m
