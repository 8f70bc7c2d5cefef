"""Binary cross-entropy of predicted probabilities against 0/1 labels, term by term, mean or sum.

Catalog: seed_002 A1 (BCE with p = 0.8), seed_004 A6 (the second check, corrected: the BCE sum for
f = (0.9, 0.2, 0.6), y = (1, 0, 1) is 0.839330, not 0.83929).

Parameters:
    p: predicted probabilities P(y = 1), each strictly between 0 and 1.
    y: the labels, 0 or 1, one per probability.
    reduction: ``mean`` (the default, as PyTorch) or ``sum``.

Answer parts: ``terms`` (−[y ln p + (1 − y) ln(1 − p)] per example, intermediate) and ``loss``.

Conventions stated in the prompt: ln is the natural log; the per-example formula; the reduction.

Reference: ``F.binary_cross_entropy(p, y, reduction=...)`` (examprep.reference.loss:bce).

Common mistakes: the label roles swapped (ln p paired with y = 0); 1 − p used for y = 1; the sign lost; log10.

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
from examprep.problems.loss.softmax import num
from examprep.problems.mlp.near_miss import add, near_miss
from examprep.solver.expr import Add, Func, Mat, Sym
from examprep.solver.step import Derivation

DP = 4


def bce_terms(p: Any, y: Any, log: Any = np.log) -> np.ndarray:
    """−[y log p + (1 − y) log(1 − p)] per example (y is 0 or 1, so one of the two logs is used)."""
    pa, ya = np.asarray(p, dtype=float), np.asarray(y, dtype=float)
    return -np.where(ya == 1, log(pa), log(1 - pa))


class BCE(ProblemType):
    id = "loss/bce-v1"
    title = "Binary cross-entropy"
    catalog = "seed_002 A1; seed_004 A6"
    reference_entry = "examprep.reference.loss:bce"
    params = (
        Param("p", "vector", "predicted probabilities P(y = 1), strictly between 0 and 1", lo=0, hi=1),
        Param("y", "int_vector", "labels, 0 or 1", lo=0, hi=1),
        Param("reduction", "choice", "mean or sum over the examples", choices=("mean", "sum"), default="mean"),
    )
    parts = (
        Part("terms", "Per-example losses −[y ln p + (1 − y) ln(1 − p)]", "vector", mode="decdig", digits=DP,
             final=False),
        Part("loss", "Binary cross-entropy", "real", mode="decdig", digits=DP, uses=("terms",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n = {"easy": 2, "medium": int(rng.integers(3, 5)), "hard": int(rng.integers(4, 6))}[difficulty]
        step = 0.01 if difficulty == "hard" else 0.1
        top = int(round(1 / step))
        p = [round(int(k) * step, 2) for k in rng.integers(1, top, size=n)]
        y = [int(v) for v in rng.integers(0, 2, size=n)]
        red = "mean" if difficulty == "easy" else ("mean", "sum")[int(rng.integers(2))]
        return dict(p=p, y=y, reduction=red)

    def check(self, p: Params) -> list[str]:
        if len(p.p) != len(p.y):
            raise ParamError(f"p has {len(p.p)} entries and y has {len(p.y)}: give one label per probability")
        for i, v in enumerate(p.p):
            if not 0 < v < 1:
                raise ParamError(f"p[{i}] = {v:g}: probabilities must be strictly between 0 and 1 "
                                 "(ln 0 is −∞)")
        return []

    def degenerate(self, p: Params) -> str | None:
        return near_miss(self, self.solve(p), self.mistakes(p))

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        terms = carry(given, "terms", bce_terms(p.p, p.y))
        total = math.fsum(terms)
        return {"terms": terms, "loss": total / len(terms) if p.reduction == "mean" else total}

    def statement(self, p: Params) -> list[Any]:
        red = ("the mean over the examples" if p.reduction == "mean" else "the sum over the examples")
        return ["A binary classifier predicts the probabilities p = ", Mat([[num(x) for x in p.p]]),
                " that each example is in class 1; the labels are y = ", Mat([[num(x) for x in p.y]]), ". "
                "The binary cross-entropy of one example is $-[y \\ln p + (1 - y) \\ln(1 - p)]$, with ln the natural "
                f"log, and the loss is {red} (reduction = {p.reduction}). Give each example's term and the loss, "
                f"to {DP} decimal places."]

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        d = Derivation()
        P, Y = Sym("p"), Sym("y")  # noqa: N806
        formula = -Func("paren", Y * Func("ln", P) + (1 - Y) * Func("ln", 1 - P))
        names = [Sym(f"l_{i + 1}") for i in range(len(p.p))]
        for i, (pi, yi) in enumerate(zip(p.p, p.y, strict=True)):
            which = "$-\\ln p$" if yi == 1 else "$-\\ln(1 - p)$"
            d.add(f"Example {i + 1} (y = {yi}): only {which} remains", float(a["terms"][i]), lhs=names[i],
                  formula=formula, subs={"p": num(pi), "y": num(yi)})
        d.add("The terms", a["terms"], lhs="l", substituted=Mat([[num(x) for x in a["terms"]]]), part="terms")
        total = Add([(1, num(x)) for x in a["terms"]])
        n = len(p.p)
        d.add("Mean of the terms" if p.reduction == "mean" else "Sum of the terms", a["loss"], lhs="L",
              substituted=total / n if p.reduction == "mean" else total, part="loss")
        d.answer = f"BCE ({p.reduction}) = {a['loss']:.4f}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)
        n = len(p.p)

        def reduced(t: np.ndarray) -> float:
            s = math.fsum(t)
            return s / n if p.reduction == "mean" else s

        m: dict[str, Mistake] = {}
        flipped = bce_terms(p.p, [1 - v for v in p.y])
        add(m, "labels_swapped", {"terms": flipped, "loss": reduced(flipped)}, truth,
            "You swapped the roles of p and $1 - p$: an example with y = 1 costs $-\\ln p$ and one with y = 0 costs "
            "$-\\ln(1 - p)$.")
        if 1 in p.y:
            both = -np.log(1 - np.asarray(p.p, dtype=float))
            add(m, "one_minus_p_for_y1", {"terms": both, "loss": reduced(both)}, truth,
                "You used $1 - p$ for an example with y = 1; p is already the probability of class 1, so that "
                "example costs $-\\ln p$.")
        add(m, "sign_lost", {"terms": -truth["terms"], "loss": -truth["loss"]}, truth,
            "You lost the minus sign: the binary cross-entropy $-[y \\ln p + (1 - y) \\ln(1 - p)]$ is positive.")
        t10 = bce_terms(p.p, p.y, np.log10)
        add(m, "log10", {"terms": t10, "loss": reduced(t10)}, truth,
            "You used log base 10; use the natural log ln.")
        other = math.fsum(truth["terms"]) * (1 / n if p.reduction == "sum" else 1)
        add(m, "wrong_reduction", {"loss": other}, truth,
            f"The loss is the {p.reduction} of the terms, not the {'sum' if p.reduction == 'mean' else 'mean'}.")
        return m
