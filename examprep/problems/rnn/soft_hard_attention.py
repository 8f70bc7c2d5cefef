"""Soft and hard attention over image-region features (Show, Attend and Tell): softmax weights, the expected
context vector, and the one region hard attention picks (the largest weight, or a draw u through the cumulative
weights).

Catalog: seed_002 G4 (a = [1,0], [0,1], [1,1], e = [1, 2, 0.5]: α = [0.231224, 0.628532, 0.140244],
z = [0.371468, 0.768776], hard z = [0, 1]).

Parameters: ``features`` (a_i as rows), ``scores`` (e_i), optional ``u`` (a uniform draw in [0, 1)).

Answer parts: ``weights`` (α = softmax(e)), ``soft`` (Σ α_i a_i), ``hard_index`` (1-based: the argmax, or with u the
first i whose cumulative weight exceeds u) and ``hard`` (a_{hard_index}).

Reference: ``torch.softmax``, a matrix product, ``torch.argmax`` and ``torch.searchsorted`` on the cumulative sum
(examprep.reference.rnn:soft_hard_attention).

Common mistakes: the scores used as weights (no softmax); the scores weighted instead of the features (α_i e_i,
named when it has the context's length).

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.loss.softmax import softmax
from examprep.problems.mlp.near_miss import add, near_miss
from examprep.problems.rnn.numbers import grid
from examprep.solver.expr import Func, Mat, Num
from examprep.solver.step import Derivation

DP = 4


class SoftHardAttention(ProblemType):
    id = "rnn/soft_hard_attention-v1"
    title = "Soft and hard attention over region features"
    catalog = "seed_002 G4"
    reference_entry = "examprep.reference.rnn:soft_hard_attention"
    params = (
        Param("features", "matrix", "region features a_i, one per row", lo=-1000, hi=1000),
        Param("scores", "vector", "attention scores e_i, one per region", lo=-1000, hi=1000),
        Param("u", "real", "a uniform draw in [0, 1) for sampled hard attention (absent: argmax)", lo=0, hi=1,
              optional=True),
    )
    parts = (
        Part("weights", "Attention weights α = softmax(e)", "vector", mode="decdig", digits=DP, final=False),
        Part("soft", "Soft-attention context Σ α_i a_i", "vector", mode="decdig", digits=DP, uses=("weights",)),
        Part("hard_index", "Region chosen by hard attention (numbered from 1)", "integer", final=False,
             uses=("weights",)),
        Part("hard", "Hard-attention context", "vector", mode="decdig", digits=DP, uses=("hard_index",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n = 3 if difficulty == "easy" else int(rng.integers(3, 5))
        d = 2 if difficulty != "hard" else 3
        return dict(features=grid(rng, -1, 1, (n, d), decimals=0 if difficulty == "easy" else 1),
                    scores=grid(rng, -2, 2, n, decimals=0 if difficulty == "easy" else 1),
                    u=round(float(rng.integers(1, 100)) / 100, 2) if difficulty != "easy" and rng.random() < 0.5
                    else None)

    def check(self, p: Params) -> list[str]:
        if len(p.scores) != len(p.features):
            raise ParamError(f"scores has {len(p.scores)} entries; give one per feature row ({len(p.features)})")
        if p.u is not None and p.u >= 1:
            raise ParamError("u must be below 1 (a uniform draw in [0, 1))")
        return []

    def chain(self, p: Params, raw: bool = False, weigh_scores: bool = False, given: Answers | None = None
              ) -> Answers:
        """The parts, or a mistaken version (every keyword is one mistake); ``given``: the student's weights and
        region, used downstream."""
        a = np.asarray(p.features, dtype=float)
        e = np.asarray(p.scores, dtype=float)
        w = carry(given, "weights", e if raw else softmax(e))
        if p.u is None:
            idx = int(np.argmax(w))
        else:
            idx = int(np.searchsorted(np.cumsum(w), p.u, side="right"))
            idx = min(idx, len(w) - 1)
        idx = int(round(carry(given, "hard_index", idx + 1))) - 1
        if not 0 <= idx < len(a):
            raise ValueError(f"there is no region {idx + 1}")
        soft = w * e if weigh_scores else w @ a
        return {"weights": w, "soft": soft, "hard_index": idx + 1, "hard": a[idx]}

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return self.chain(p, given=given)

    def degenerate(self, p: Params) -> str | None:
        w = softmax(np.asarray(p.scores, dtype=float))
        if p.u is None:
            top = np.sort(w)
            if top[-1] - top[-2] < 1e-3:
                return "two regions tie for the largest weight"
        elif np.min(np.abs(np.cumsum(w) - p.u)) < 5e-3:
            return "u lies at a boundary of the cumulative weights"
        return near_miss(self, self.solve(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        hard = ("hard attention picks the region with the largest weight" if p.u is None else
                f"hard attention samples a region with the draw u = {p.u}: it picks the first i whose cumulative "
                "weight $\\alpha_1 + \\ldots + \\alpha_i$ exceeds u")
        return ["Region features (one per row) $a_i$ = ", Mat([[Num(v) for v in r] for r in p.features]),
                " have attention scores $e_i$ = ", Mat([[Num(v) for v in p.scores]]),
                ". The weights are $\\alpha_i = \\frac{e^{e_i}}{\\sum_j e^{e_j}}$, soft attention's context is "
                f"$z = \\sum_i \\alpha_i a_i$, and {hard}; its context is that region's feature. Give $\\alpha$, the "
                f"soft context, the chosen region (numbered from 1) and the hard context, to {DP} decimal places."]

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        a = np.asarray(p.features, dtype=float)
        e = np.exp(np.asarray(p.scores, dtype=float))
        d = Derivation()
        d.add("Weights $\\alpha_i = \\frac{e^{e_i}}{\\sum_j e^{e_j}}$", ans["weights"], lhs="\\alpha", part="weights",
              substituted=Mat([[Func("exp", Num(v)) / Num(float(e.sum())) for v in p.scores]]),
              note=f"$\\sum_j e^{{e_j}}$ = {float(e.sum()):.6g}")
        d.add("Soft context $z = \\sum_i \\alpha_i a_i$", ans["soft"], lhs="z", part="soft",
              substituted=Mat([[_sum([Num(float(w)) * Num(float(x)) for w, x in zip(ans["weights"], a[:, k],
                                                                                  strict=True)])
                                for k in range(a.shape[1])]]))
        if p.u is None:
            title = "Hard attention: the largest weight"
        else:
            cum = ", ".join(f"{v:.4f}" for v in np.cumsum(ans["weights"]))
            title = f"Hard attention: cumulative weights {cum}; the first above u = {p.u}"
        d.add(title, ans["hard_index"], lhs="i", part="hard_index")
        d.add(f"Hard context: feature $a_{{{ans['hard_index']}}}$", ans["hard"], lhs="z_{hard}", part="hard")
        d.answer = f"soft = {np.round(ans['soft'], DP).tolist()}, hard = {ans['hard'].tolist()}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)
        m: dict[str, Mistake] = {}
        raw = self.chain(p, raw=True)
        add(m, "scores_as_weights", {k: raw[k] for k in ("weights", "soft")}, truth,
            "The scores are normalised first: $\\alpha = \\operatorname{softmax}(e)$, which is positive and sums "
            "to 1.")
        if len(p.features) == len(p.features[0]):  # the weighted scores have the context's length
            add(m, "scores_weighted", {"soft": self.chain(p, weigh_scores=True)["soft"]}, truth,
                "The context weights the features: $z = \\sum_i \\alpha_i a_i$, not the scores $\\alpha_i e_i$.")
        return m


def _sum(terms: list[Any]) -> Any:
    out = terms[0]
    for t in terms[1:]:
        out = out + t
    return out
