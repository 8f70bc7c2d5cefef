"""The optimal discriminator of a GAN on a finite set, and the value of the game at it.

Catalog: seed_003 C3 (lines 155–177, with the notes' errors in §2.20–21); seed_004 D3; seed_000_001 F2.

Parameters:
    p_data: the data distribution on the points x_1..x_n. p_g: the generator's distribution on the same points
    (p_data(x) + p_g(x) > 0 at every point).

Answer parts: ``d_star`` = p_data/(p_data + p_g) per point, ``jsd`` = JSD(p_data‖p_g) in nats, and
``value`` = V(D*, G) = −ln 4 + 2·JSD.

Conventions stated in the prompt: V(D, G) = E_{p_data}[ln D(x)] + E_{p_g}[ln(1 − D(x))], natural log, the JSD
with M = (p_data + p_g)/2.

Reference: D* pointwise, V(D*, G) evaluated directly from its definition with ``torch.xlogy``, and the JSD from
``kl_divergence(Categorical, Categorical)`` (examprep.reference.gan:optimal_discriminator).

Common mistakes: D* = p_g/(p_data + p_g), the JSD without its ½, the factor 2 dropped (−ln 4 + JSD), −ln 4 dropped
("C(G) ≥ 0"), −ln 4 subtracted while keeping the (p_data + p_g) denominators (the notes, giving −2 ln 4 + 2 JSD),
the JSD in bits, √JSD.

Versions: v1 — first version.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.divergence.jsd import check_pair, draw_pair
from examprep.problems.divergence.pmf import jsd, kl, kl_sum_expr, mixture, mixture_expr
from examprep.solver.expr import Func, Mat, Num, Sym, paren
from examprep.solver.step import Derivation

LN4 = math.log(4)


def value_at(p: Any, q: Any, d: Any) -> float:
    """V(D, G) = Σ p ln D + Σ q ln(1 − D) (terms with zero weight are 0)."""
    return math.fsum([a * math.log(x) for a, x in zip(p, d, strict=True) if a > 0]
                     + [b * math.log(1 - x) for b, x in zip(q, d, strict=True) if b > 0])


class OptimalDiscriminator(ProblemType):
    id = "gan/optimal_discriminator-v1"
    title = "Optimal GAN discriminator and the JSD"
    catalog = "seed_003 C3; seed_004 D3"
    reference_entry = "examprep.reference.gan:optimal_discriminator"
    params = (
        Param("p_data", "vector", "the data distribution on the points (probabilities summing to 1)", lo=0, hi=1),
        Param("p_g", "vector", "the generator's distribution on the same points", lo=0, hi=1),
    )
    parts = (
        Part("d_star", "D*(x) at each point", "vector", share=True),
        Part("jsd", "JSD(p_data‖p_g) in nats", "real"),
        Part("value", "V(D*, G)", "real", uses=("jsd",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        p, q = draw_pair(rng, difficulty)
        return dict(p_data=p, p_g=q)

    def check(self, p: Params) -> list[str]:
        check_pair("p_data", p.p_data, "p_g", p.p_g)
        return []

    def degenerate(self, p: Params) -> str | None:
        if tuple(p.p_data) == tuple(p.p_g):
            return "p_g = p_data (D* = ½ everywhere)"
        if self.solve(p)["jsd"] < 1e-3:
            return "JSD too close to 0"
        return None

    def statement(self, p: Params) -> list[Any]:
        n = len(p.p_data)
        return [
            rf"On the points $x_1, \ldots, x_{{{n}}}$ the data distribution is $p_{{\text{{data}}}}$ = ",
            list(p.p_data), " and the generator's distribution is $p_g$ = ", list(p.p_g), ". "
            r"For the GAN value $V(D, G) = \sum_x p_{\text{data}}(x) \ln D(x) + \sum_x p_g(x) \ln(1 - D(x))$ "
            r"(natural log): (a) give the optimal discriminator $D^*(x)$ at each point; (b) give "
            r"$\mathrm{JSD}(p_{\text{data}} \lVert p_g) = \frac{1}{2} \mathrm{KL}(p_{\text{data}} \lVert M) + "
            r"\frac{1}{2} \mathrm{KL}(p_g \lVert M)$ with $M = (p_{\text{data}} + p_g)/2$, in nats; (c) give "
            r"$V(D^*, G)$."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        j = carry(given, "jsd", jsd(p.p_data, p.p_g))
        return {"d_star": [a / (a + b) for a, b in zip(p.p_data, p.p_g, strict=True)], "jsd": j, "value": -LN4 + 2 * j}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        pd, pg = p.p_data, p.p_g
        d = Derivation()
        d.add("Optimal discriminator", ans["d_star"], lhs=Sym("D_star", tex="D^*"),
              substituted=Mat([[Num(a) / (Num(a) + Num(b)) for a, b in zip(pd, pg, strict=True)]]), part="d_star",
              note=r"$D^*(x) = p_{\text{data}}(x) / (p_{\text{data}}(x) + p_g(x))$ maximises "
                   r"$p_{\text{data}} \ln D + p_g \ln(1 - D)$ at each $x$")
        m = mixture(pd, pg)
        d.add("The mixture", m, lhs="M", substituted=mixture_expr(pd, pg), note=r"$M = (p_{\text{data}} + p_g)/2$")
        a, b = kl(pd, m), kl(pg, m)
        A = Sym("KL_data", tex=r"\mathrm{KL}(p_{\text{data}} \lVert M)")
        B = Sym("KL_g", tex=r"\mathrm{KL}(p_g \lVert M)")
        d.add(r"$\mathrm{KL}(p_{\text{data}} \lVert M)$", a, lhs=A, substituted=kl_sum_expr(pd, m),
              note=r"terms with $p_{\text{data}}(x) = 0$ are 0")
        d.add(r"$\mathrm{KL}(p_g \lVert M)$", b, lhs=B, substituted=kl_sum_expr(pg, m),
              note="terms with $p_g(x) = 0$ are 0")
        JSD = Sym("JSD", tex=r"\mathrm{JSD}(p_{\text{data}} \lVert p_g)")
        d.add("Jensen–Shannon divergence", ans["jsd"], lhs=JSD, formula=paren(A + B) / 2,
              subs={A: a, B: b}, part="jsd")
        V = Sym("V", tex="V(D^*, G)")
        d.add("Value at $D^*$", ans["value"], lhs=V, formula=-Func("ln", 4) + 2 * JSD,
              subs={JSD: ans["jsd"]}, part="value",
              note=r"$V(D^*, G) = -\ln 4 + \mathrm{KL}(p_{\text{data}} \lVert M) + \mathrm{KL}(p_g \lVert M)$")
        terms = [Num(x) * Func("ln", Num(x) / (Num(x) + Num(y))) for x, y in zip(pd, pg, strict=True) if x > 0]
        terms += [Num(y) * Func("ln", Num(y) / (Num(x) + Num(y))) for x, y in zip(pd, pg, strict=True) if y > 0]
        total = terms[0]
        for t in terms[1:]:
            total = total + t
        d.add("Check: $V(D^*, G)$ from its definition", value_at(pd, pg, ans["d_star"]), lhs=V,
              substituted=total, note=r"$\sum_x p_{\text{data}}(x) \ln D^*(x) + \sum_x p_g(x) \ln(1 - D^*(x))$, "
                                      r"with $1 - D^* = p_g / (p_{\text{data}} + p_g)$")
        d.answer = ("$D^* = [" + ", ".join(f"{x:.6g}" for x in ans["d_star"]) + "]$; "
                    rf"$\mathrm{{JSD}} = {ans['jsd']:.6g}$ nats; $V(D^*, G) = {ans['value']:.6g}$")
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        ans = self.solve(p)
        j = ans["jsd"]
        inv = [b / (a + b) for a, b in zip(p.p_data, p.p_g, strict=True)]
        swapped: dict[str, Any] = {"d_star": inv}
        if all((a > 0) == (b > 0) for a, b in zip(p.p_data, p.p_g, strict=True)):
            swapped["value"] = value_at(p.p_data, p.p_g, inv)
        m: dict[str, Mistake] = {
            "d_star_inverted": Mistake(swapped, r"$D^* = p_{\text{data}} / (p_{\text{data}} + p_g)$: the "
                                                "discriminator is high where the data is more likely than the "
                                                "generator."),
            "jsd_half_dropped": Mistake({"jsd": 2 * j}, r"You added the two KLs without the $\frac{1}{2}$."),
            "factor_2_dropped": Mistake({"value": -LN4 + j},
                                        r"$V(D^*, G) = -\ln 4 + 2 \cdot \mathrm{JSD}$: you dropped the factor 2."),
            "ln4_dropped": Mistake({"value": 2 * j}, r"You left out $-\ln 4$: $V(D^*, G) = -\ln 4 + 2 \cdot "
                                                      r"\mathrm{JSD}$ lies between $-\ln 4$ ($p_g = p_{\text{data}}$) "
                                                      "and 0."),
            "ln4_twice": Mistake({"value": -2 * LN4 + 2 * j},
                                 r"You subtracted $\ln 4$ on top of the $(p_{\text{data}} + p_g)$ denominators: "
                                 r"with $M = (p_{\text{data}} + p_g)/2$, $V(D^*, G) = -\ln 4 + "
                                 r"\mathrm{KL}(p_{\text{data}} \lVert M) + \mathrm{KL}(p_g \lVert M)$, and the "
                                 r"$-\ln 4$ comes from the halves."),
            "bits": Mistake({"jsd": j / math.log(2)}, "You gave the JSD in bits; the problem asks for nats (ln)."),
            "sqrt_jsd": Mistake({"jsd": math.sqrt(j)}, "You took the square root (the Jensen–Shannon distance, "
                                                       "what scipy's jensenshannon returns)."),
        }
        return m
