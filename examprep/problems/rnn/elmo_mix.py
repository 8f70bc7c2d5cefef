"""ELMo's task-specific mix of the biLM layers: softmax-normalised layer weights, scaled by γ.

Catalog: seed_002 G section (contextual embeddings: ELMo_k = γ Σ_j s_j h_{k,j}, Peters et al. 2018).

Parameters: ``reps`` ((L+1)×d: the token layer, then the L biLSTM layers), ``w`` (raw layer weights, L+1),
``gamma`` (γ).

Answer parts: ``s`` (softmax(w)) and ``elmo`` (γ Σ_j s_j·reps_j).

Reference: ``torch.softmax`` and a weighted sum by ``torch.einsum`` (examprep.reference.rnn:elmo_mix).

Common mistakes: the raw w used as weights; γ dropped; the plain mean of the layers.

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


class ElmoMix(ProblemType):
    id = "rnn/elmo_mix-v1"
    title = "ELMo: mixing the biLM layers"
    catalog = "seed_002 G"
    reference_entry = "examprep.reference.rnn:elmo_mix"
    params = (
        Param("reps", "matrix", "one row per layer: the token layer, then the L biLSTM layers", lo=-1000, hi=1000),
        Param("w", "vector", "raw layer weights (one per row of reps)", lo=-1000, hi=1000),
        Param("gamma", "real", "task scale γ", lo=-1000, hi=1000, default=1.0),
    )
    parts = (
        Part("s", "Normalised layer weights softmax(w)", "vector", mode="decdig", digits=DP, final=False),
        Part("elmo", "ELMo vector", "vector", mode="decdig", digits=DP, uses=("s",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        layers = 3 if difficulty != "easy" else 2
        d = 2 if difficulty != "hard" else 3
        return dict(reps=grid(rng, -1, 1, (layers, d)), w=grid(rng, -1, 1, layers),
                    gamma=float(grid(rng, 0.5, 2, 1)[0]) if difficulty != "easy" else 1.0 if rng.random() < 0.5
                    else 2.0)

    def check(self, p: Params) -> list[str]:
        if len(p.w) != len(p.reps):
            raise ParamError(f"w has {len(p.w)} entries; give one per row of reps ({len(p.reps)})")
        if len(p.reps) < 2:
            raise ParamError("reps needs the token layer and at least one biLSTM layer (2 rows or more)")
        return []

    def chain(self, p: Params, raw: bool = False, gamma: bool = True, mean: bool = False,
              given: Answers | None = None) -> Answers:
        """The parts, or a mistaken version (every keyword is one mistake); ``given``: the student's s."""
        reps = np.asarray(p.reps, dtype=float)
        s = np.full(len(reps), 1 / len(reps)) if mean else np.asarray(p.w, float) if raw else softmax(p.w)
        s = carry(given, "s", s)
        out: Answers = {"s": s, "elmo": (p.gamma if gamma else 1.0) * (s @ reps)}
        return out

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return self.chain(p, given=given)

    def degenerate(self, p: Params) -> str | None:
        return near_miss(self, self.solve(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        return ["A biLM gives a word one representation per layer (rows: the token layer, then the "
                f"{len(p.reps) - 1} biLSTM layers): ", Mat([[Num(v) for v in r] for r in p.reps]),
                ". ELMo mixes them with task weights: $s = \\operatorname{softmax}(w)$ with w = ",
                Mat([[Num(v) for v in p.w]]), f" and $\\mathrm{{ELMo}} = \\gamma \\sum_j s_j h_j$ with "
                f"$\\gamma$ = {p.gamma}, where $h_j$ is row j. Give s and the ELMo vector to {DP} decimal places."]

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        d = Derivation()
        e = d.add("Exponentials $e^{w_j}$", np.exp(np.asarray(p.w, float)), lhs="e^{w_j}",
                  substituted=Mat([[Func("exp", Num(v)) for v in p.w]]))
        total = d.add("Their sum $\\sum_j e^{w_j}$", float(e.sum()), lhs="\\sum_j e^{w_j}",
                      substituted=_sum([Num(float(v)) for v in e], bare=True))
        d.add("Layer weights $s_j = \\frac{e^{w_j}}{\\sum_k e^{w_k}}$", a["s"], lhs="s", part="s",
              substituted=Mat([[Num(float(v)) / Num(total) for v in e]]))
        reps = np.asarray(p.reps, dtype=float)
        d.add("$\\mathrm{ELMo} = \\gamma \\sum_j s_j h_j$, entry by entry", a["elmo"], lhs="ELMo", part="elmo",
              substituted=Mat([[Num(p.gamma) * _sum([Num(float(sj)) * Num(float(h)) for sj, h in
                                                     zip(a["s"], reps[:, k], strict=True)])
                                for k in range(reps.shape[1])]]))
        d.answer = f"ELMo = {np.round(a['elmo'], DP).tolist()}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)
        m: dict[str, Mistake] = {}
        add(m, "raw_weights", self.chain(p, raw=True), truth,
            "The layer weights are normalised first: $s = \\operatorname{softmax}(w)$, not w itself.")
        if p.gamma != 1:
            add(m, "gamma_dropped", self.chain(p, gamma=False), truth,
                f"Scale the mix by $\\gamma$ = {p.gamma}.")
        add(m, "plain_mean", self.chain(p, mean=True), truth,
            "ELMo weights the layers by $s = \\operatorname{softmax}(w)$, not equally.")
        return m


def _sum(terms: list[Any], bare: bool = False) -> Any:
    from examprep.solver.expr import paren

    out = terms[0]
    for t in terms[1:]:
        out = out + t
    return out if bare else paren(out)
