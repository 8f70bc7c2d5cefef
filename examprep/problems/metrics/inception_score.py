"""The Inception Score of a few generated images from their class probabilities p(y|x).

Catalog: seed_000_001 G1 (the notes lost the formula); seed_002 I5.

Parameters:
    p_yx: a matrix with one row p(y|x_i) per generated image (probabilities over the classes, each row summing
    to 1).

Answer parts: ``p_y`` = the marginal p(y) = mean of the rows, ``kl`` = KL(p(y|x_i)‖p(y)) per image in nats, and
``inception_score`` = exp(mean_i KL).

Conventions stated in the prompt: natural log, the KL direction, the mean over images inside the exp,
0·ln 0 = 0.

Reference: ``kl_divergence(Categorical(p_yx), Categorical(p_y))`` with p(y) broadcast to every row
(examprep.reference.metrics:inception_score).

Common mistakes: the KL reversed (KL(p(y)‖p(y|x)): 1.238249 on G1's P₃), the KL in bits then exp (1.275555),
the mean of the exps (1.193053), the exp of the sum (1.658806), no exp (0.168699).

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
from examprep.problems.divergence.pmf import check_pmf, draw_pmf, kl, kl_sum_expr
from examprep.problems.gan.fair import near_miss, visible
from examprep.solver.expr import Expr, Func, Mat, Num, Sym, paren
from examprep.solver.step import Derivation


def marginal(P: Any) -> list[float]:
    """p(y) = the mean of the rows p(y|x_i)."""
    return [math.fsum(col) / len(P) for col in zip(*P, strict=True)]


def score(kls: list[float]) -> float:
    return math.exp(math.fsum(kls) / len(kls))


class InceptionScore(ProblemType):
    id = "metrics/inception_score-v1"
    title = "Inception Score"
    catalog = "seed_000_001 G1; seed_002 I5"
    reference_entry = "examprep.reference.metrics:inception_score"
    params = (
        Param("p_yx", "matrix", "one row p(y|x_i) per generated image, each summing to 1", lo=0, hi=1),
    )
    parts = (
        Part("p_y", "The marginal p(y)", "vector", final=False),
        Part("kl", "KL(p(y|x_i)‖p(y)) per image, in nats", "vector", final=False, uses=("p_y",)),
        Part("inception_score", "The Inception Score", "real", uses=("kl",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        rows, k, denom, zeros = {"easy": (3, 3, 10, 0), "medium": (4, 3, 10, 0), "hard": (4, 4, 20, 1)}[difficulty]
        return dict(p_yx=[draw_pmf(rng, k, denom, int(rng.integers(zeros + 1))) for _ in range(rows)])

    def check(self, p: Params) -> list[str]:
        if len(p.p_yx) < 2 or len(p.p_yx[0]) < 2:
            raise ParamError("p_yx needs at least 2 images (rows) and 2 classes (columns)")
        for i, row in enumerate(p.p_yx, start=1):
            check_pmf(f"row {i} of p_yx", row)
        return []

    def degenerate(self, p: Params) -> str | None:
        ans = self.solve(p)
        if min(ans["kl"]) < 1e-3:
            return "an image's class distribution is (almost) the marginal"
        return near_miss(ans, self.all_mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        n, k = len(p.p_yx), len(p.p_yx[0])
        return [
            f"A classifier gives these class probabilities for {n} generated images over {k} classes, one row "
            r"$p(y \mid x_i)$ per image: ", [list(r) for r in p.p_yx],
            r". Compute the marginal $p(y) = \frac{1}{n} \sum_i p(y \mid x_i)$, each image's "
            r"$\mathrm{KL}(p(y \mid x_i) \lVert p(y)) = \sum_y p(y \mid x_i) \ln \frac{p(y \mid x_i)}{p(y)}$ in nats "
            r"(a term with $p(y \mid x_i) = 0$ is 0), and the Inception Score "
            r"$\text{IS} = \exp(\frac{1}{n} \sum_i \mathrm{KL}(p(y \mid x_i) \lVert p(y)))$."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        p_y = carry(given, "p_y", marginal(p.p_yx))
        kls = carry(given, "kl", [kl(row, p_y) for row in p.p_yx])
        return {"p_y": [float(v) for v in p_y], "kl": [float(v) for v in kls], "inception_score": score(kls)}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        n = len(p.p_yx)
        d = Derivation()
        d.add("Marginal class distribution", ans["p_y"], lhs=Sym("p_y", tex="p(y)"), part="p_y",
              substituted=Mat([[paren(_sum([Num(x) for x in col])) / n for col in zip(*p.p_yx, strict=True)]]),
              note=r"the mean of the rows $p(y \mid x_i)$")
        syms = [Sym(f"K_{i}") for i in range(1, n + 1)]
        for i, (row, s) in enumerate(zip(p.p_yx, syms, strict=True), start=1):
            d.add(f"KL of image {i}", ans["kl"][i - 1], lhs=s, substituted=kl_sum_expr(row, ans["p_y"]),
                  note=rf"$K_{i} = \mathrm{{KL}}(p(y \mid x_{i}) \lVert p(y))$; terms with $p(y \mid x_{i}) = 0$ are 0")
        d.add("The KLs", ans["kl"], lhs=Sym("K"), formula=Mat([syms]),
              subs={s.name: v for s, v in zip(syms, ans["kl"], strict=True)}, part="kl")
        mean = math.fsum(ans["kl"]) / n
        d.add("Mean KL", mean, lhs=Sym("Kbar", tex=r"\bar{K}"), formula=paren(_sum(syms)) / n,
              subs={s.name: v for s, v in zip(syms, ans["kl"], strict=True)})
        d.add("Inception Score", ans["inception_score"], lhs=Sym("IS"), substituted=Func("exp", Num(mean)),
              part="inception_score", note="IS lies between 1 (every image has the same class distribution) and the "
                                           "number of classes")
        d.answer = f"IS = {ans['inception_score']:.6g}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return visible(self.solve(p), self.all_mistakes(p))

    def all_mistakes(self, p: Params) -> dict[str, Mistake]:
        """Every named mistake that applies to these parameters."""
        ans = self.solve(p)
        kls, p_y = ans["kl"], ans["p_y"]
        out: dict[str, Mistake] = {}
        if all(x > 0 for row in p.p_yx for x in row):
            rev = [kl(p_y, row) for row in p.p_yx]
            out["kl_reversed"] = Mistake({"kl": rev, "inception_score": score(rev)},
                                         r"The KL goes from each image's distribution to the marginal: "
                                         r"$\mathrm{KL}(p(y \mid x_i) \lVert p(y))$, weighted by $p(y \mid x_i)$.")
        bits = [k / math.log(2) for k in kls]
        out["bits"] = Mistake({"kl": bits, "inception_score": score(bits)},
                              "You used log base 2; the KL here is in nats (natural log), matching the exp.")
        out["mean_of_exps"] = Mistake({"inception_score": math.fsum(math.exp(k) for k in kls) / len(kls)},
                                      "Average the KLs first, then take one exp.")
        out["exp_of_sum"] = Mistake({"inception_score": math.exp(math.fsum(kls))},
                                    "Average the KLs over the images (divide the sum by their number) before the exp.")
        out["no_exp"] = Mistake({"inception_score": math.fsum(kls) / len(kls)},
                                "The Inception Score is the exp of the mean KL; you gave the mean KL itself.")
        return out


def _sum(terms: list[Expr]) -> Expr:
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total
