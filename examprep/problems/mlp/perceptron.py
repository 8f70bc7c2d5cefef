"""Perceptron decisions: scores w·x − threshold, ±1 labels, and the augmented weight vector [−threshold, w].

Catalog: seed_004 A1 (approve if Σ w_i x_i > threshold; h(x) = sign(Σ w_i x_i − threshold); the bias trick
x_0 = 1, w_0 = −threshold, left implicit on the slides).

Parameters:
    w: the weights (d entries); threshold: the threshold; X: the points, one per row (d columns).

Answer parts: ``scores`` (w·x − threshold per point), ``labels`` (+1 for a score > 0, else −1) and ``w_aug``
([−threshold, w_1, …, w_d], so that the score is w_aug · [1, x]).

Conventions stated in the prompt: +1 only for a score > 0 (a score of 0 is −1); the augmented form with x_0 = 1.

Reference: ``F.linear`` with bias −threshold, ``torch.where``, ``torch.cat`` (examprep.reference.mlp:perceptron).

Common mistakes: the threshold added instead of subtracted; w_0 = +threshold; a score of 0 labelled +1.

Versions: v1 — first version.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.mlp.activation_fns import n
from examprep.problems.mlp.near_miss import add, near_miss
from examprep.problems.mlp.numbers import grid
from examprep.solver.expr import Add, Mat, Sym
from examprep.solver.step import Derivation


def exact(x: float) -> Fraction:
    return Fraction(repr(float(x)))


class Perceptron(ProblemType):
    id = "mlp/perceptron-v1"
    title = "Perceptron decisions and the augmented weight vector"
    catalog = "seed_004 A1"
    reference_entry = "examprep.reference.mlp:perceptron"
    params = (
        Param("w", "vector", "weights (d entries)", lo=-1000, hi=1000),
        Param("threshold", "real", "threshold", lo=-1000, hi=1000),
        Param("X", "matrix", "points, one per row (d columns)", lo=-1000, hi=1000),
    )
    parts = (
        Part("scores", "Scores w·x − threshold, one per point", "vector", mode="decdig", digits=4, final=False),
        Part("labels", "Labels (+1 or −1), one per point", "vector", integral=True, uses=("scores",)),
        Part("w_aug", "Augmented weights [w_0, w_1, ..., w_d] with x_0 = 1", "vector", mode="decdig", digits=4),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        d = 2 if difficulty == "easy" else int(rng.integers(2, 4))
        m = int(rng.integers(3, 5 if difficulty == "easy" else 7))
        w = grid(rng, -3, 3, difficulty, d, nonzero=True)
        thr = grid(rng, -5, 5, difficulty, nonzero=True)
        X = grid(rng, -5, 5, difficulty, (m, d))  # noqa: N806
        if rng.integers(2):  # half the time one point is moved onto the boundary, where its score is exactly 0
            self._onto_boundary(rng, w, thr, X, 10 ** {"easy": 0, "medium": 1, "hard": 2}[difficulty])
        return dict(w=w, threshold=thr, X=X)

    @staticmethod
    def _onto_boundary(rng: np.random.Generator, w: list[Any], thr: Any, X: list[list[Any]], scale: int) -> None:  # noqa: N803
        """Move one coordinate of one point (tried in random order) so that w·x = threshold, if a value on the
        grid within [−5, 5] does it."""
        for i in rng.permutation(len(X)):
            for k in rng.permutation(len(w)):
                rest = sum((exact(a) * exact(b) for j, (a, b) in enumerate(zip(w, X[int(i)], strict=True))
                            if j != int(k)), Fraction(0))
                v = (exact(thr) - rest) / exact(w[int(k)])
                if (v * scale).denominator == 1 and abs(v) <= 5:
                    X[int(i)][int(k)] = int(v) if scale == 1 else round(float(v), 2)
                    return

    def check(self, p: Params) -> list[str]:
        if len(p.X[0]) != len(p.w):
            raise ParamError(f"w has {len(p.w)} entries, so each point (row of X) needs {len(p.w)} coordinates, "
                             f"not {len(p.X[0])}")
        return []

    def degenerate(self, p: Params) -> str | None:
        labels = self.solve(p)["labels"]
        if len(set(labels.tolist())) < 2:
            return "every point gets the same label"
        return near_miss(self, self.solve(p), self.mistakes(p))

    def _scores(self, p: Params, sign: int = -1) -> list[Fraction]:
        thr = exact(p.threshold)
        return [sum((exact(a) * exact(b) for a, b in zip(p.w, x, strict=True)), Fraction(0)) + sign * thr
                for x in p.X]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        s = carry(given, "scores", np.array([float(v) for v in self._scores(p)]))  # a float keeps the sign
        return {"scores": s, "labels": np.array([1 if v > 0 else -1 for v in s]),
                "w_aug": np.array([-float(p.threshold), *map(float, p.w)])}

    def statement(self, p: Params) -> list[Any]:
        return ["A perceptron with weights w = ", Mat([[n(v) for v in p.w]]), f" and threshold {n(p.threshold)} "
                "gives each point x the score $\\sum_i w_i x_i - \\text{threshold}$ and the label +1 only when the "
                "score is > 0 (a score of 0 or less is labelled $-1$). The points, one per row:\nX = ",
                Mat([[n(v) for v in r] for r in p.X]),
                "\nGive the scores, the labels and the augmented weight vector $[w_0, w_1, \\ldots, w_d]$ of the "
                "same perceptron written as $\\operatorname{sign}(w \\cdot x)$ with $x_0 = 1$."]

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        d = Derivation()
        for i, x in enumerate(p.X):
            terms = [(-1 if w < 0 else 1, n(abs(w)) * n(v)) for w, v in zip(p.w, x, strict=True)]
            terms.append((1 if p.threshold < 0 else -1, n(abs(p.threshold))))
            d.add(f"Score of point {i + 1}: $w \\cdot x - \\text{{threshold}}$", float(a["scores"][i]),
                  lhs=Sym(f"s_{i + 1}"), substituted=Add(terms))
        d.add("The scores", a["scores"], lhs="s", substituted=Mat([[n(v) for v in a["scores"]]]), part="scores")
        d.add("Labels: $+1$ where the score is $> 0$, $-1$ otherwise", a["labels"], lhs="y", part="labels",
              note="a score of exactly 0 is labelled $-1$" if any(v == 0 for v in a["scores"]) else None)
        d.add("Augmented weights: $w_0 = -\\text{threshold}$", a["w_aug"], lhs=Sym("w_aug"),
              substituted=Mat([[-n(p.threshold) if p.threshold > 0 else n(-p.threshold), *[n(v) for v in p.w]]]),
              part="w_aug", note="with $x_0 = 1$ the score is $w_0 + \\sum_i w_i x_i$")
        d.answer = f"labels {a['labels'].tolist()}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)
        m: dict[str, Mistake] = {}
        s_plus = self._scores(p, sign=1)
        add(m, "threshold_added", {"scores": np.array([float(v) for v in s_plus]),
                                   "labels": np.array([1 if v > 0 else -1 for v in s_plus])}, truth,
            "You added the threshold; the score is $\\sum_i w_i x_i - \\text{threshold}$.")
        add(m, "w0_plus_threshold", {"w_aug": np.array([float(p.threshold), *map(float, p.w)])}, truth,
            "With $x_0 = 1$ the bias weight is $w_0 = -\\text{threshold}$, not +threshold.")
        add(m, "zero_labelled_plus", {"labels": np.array([1 if v >= 0 else -1 for v in self._scores(p)])}, truth,
            "A score of exactly 0 is labelled $-1$ here: $+1$ needs a score $> 0$.")
        return m
