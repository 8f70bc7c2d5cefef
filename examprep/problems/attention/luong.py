"""Luong (multiplicative) global attention for one decoder step: dot, general or concat score.

Catalog: seed_002 G5–G6 (Luong 2015; the dot score is allowed for hand computation), seed_003 B5.

Parameters:
    s: the current decoder state h_t (length d_s). H: the encoder states h̄_j, one per row (n×d_h).
    score: ``dot`` (h_tᵀ h̄_j), ``general`` (h_tᵀ W_a h̄_j, W_a d_s×d_h) or ``concat``
        (vᵀ tanh(W_a [h_t; h̄_j]), W_a d_a×(d_s+d_h), v of length d_a).
    W_a, v: the score's weights (given only for the scores that use them).

Answer parts: ``scores``, ``weights`` (softmax over j) and ``context`` (Σ_j α_j h̄_j), to 4 decimal places.

Conventions stated in the prompt: the score formula, column vectors ([h_t; h̄_j] stacks h_t above h̄_j), the softmax
over the encoder positions j.

Reference: dot and general run ``F.scaled_dot_product_attention`` with ``scale=1`` (query W_aᵀ h_t for general;
the weights come from V = I); concat runs the additive ``nn.Module`` with W_a split into its two column blocks
(examprep.reference.attention:luong).

Common mistakes: no softmax, the context built from the scores, a dot score scaled by √d (the Transformer's score),
W_a transposed, W_a left out of the general score, tanh left out of concat, [h̄_j; h_t] stacked the wrong way.

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
from examprep.problems.attention.bahdanau import finish
from examprep.problems.attention.steps import arr, col, mat, softmax_steps
from examprep.solver.expr import Func, Mat, Num, Sym
from examprep.solver.step import Derivation

DP = 4
SCORES = ("dot", "general", "concat")


def luong_scores(kind: str, s: np.ndarray, H: np.ndarray, Wa: np.ndarray | None, v: np.ndarray | None,
                 tanh: bool = True, swap: bool = False) -> np.ndarray:
    if kind == "dot":
        return H @ s
    if kind == "general":
        return H @ (Wa.T @ s)  # h_tᵀ W_a h̄_j for every j
    stacked = np.hstack([H, np.tile(s, (len(H), 1))]) if swap else np.hstack([np.tile(s, (len(H), 1)), H])
    u = stacked @ Wa.T
    return (np.tanh(u) if tanh else u) @ v


def _part(name: str, label: str) -> Part:
    uses = {"weights": ("scores",), "context": ("weights",)}.get(name, ())
    return Part(name, label, "vector", mode="decdig", digits=DP, share=name == "weights", uses=uses)



def score_weights(p: Params) -> list[Any]:
    """The statement segments that give the score's weights: W_a (general, concat) and v (concat)."""
    out: list[Any] = []
    if p.score != "dot":
        out += ["\n$W_a$ = ", mat(p.W_a)]
    if p.score == "concat":
        out += ["\n$v$ = ", mat(p.v)]
    return out

class Luong(ProblemType):
    id = "attention/luong-v1"
    title = "Luong attention (dot, general, concat)"
    catalog = "seed_002 G5-G6; seed_003 B5"
    reference_entry = "examprep.reference.attention:luong"
    params = (
        Param("s", "vector", "current decoder state h_t", lo=-100, hi=100),
        Param("H", "matrix", "encoder states h̄_j, one per row", lo=-100, hi=100),
        Param("score", "choice", "score function", choices=SCORES, default="dot"),
        Param("W_a", "matrix", "score weights: d_s×d_h (general) or d_a×(d_s+d_h) (concat)", lo=-100, hi=100,
              optional=True),
        Param("v", "vector", "concat score vector (length d_a)", lo=-100, hi=100, optional=True),
    )
    parts = (_part("scores", "Scores"), _part("weights", "Attention weights α_j"), _part("context", "Context c"))

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        def draw(shape: tuple[int, ...], values: list[float]) -> Any:
            return np.asarray(values)[rng.integers(len(values), size=shape)].tolist()

        kind = {"easy": "dot", "medium": str(rng.choice(["dot", "general"])),
                "hard": str(rng.choice(["general", "concat"]))}[difficulty]
        n = 3 if difficulty != "hard" else int(rng.integers(3, 5))
        vals = [-1, 0, 1, 2]
        s, H = draw((2,), vals), draw((n, 2), vals)
        wv = [-1, -0.5, 0, 0.5, 1]
        Wa = draw((2, 2), wv) if kind == "general" else draw((2, 4), wv) if kind == "concat" else None
        return dict(s=s, H=H, score=kind, W_a=Wa, v=draw((2,), [-1, 1]) if kind == "concat" else None)

    def check(self, p: Params) -> list[str]:
        ds, dh = len(p.s), len(p.H[0])
        warn = []
        if p.score == "dot":
            if ds != dh:
                raise ParamError(f"the dot score needs h_t and h̄_j of the same length; s has {ds}, H rows {dh}")
            if p.W_a is not None or p.v is not None:
                warn.append("the dot score uses neither W_a nor v; they are ignored")
        elif p.W_a is None:
            raise ParamError(f"the {p.score} score needs W_a: give --set W_a=[[...]]")
        elif p.score == "general":
            if (len(p.W_a), len(p.W_a[0])) != (ds, dh):
                raise ParamError(f"for the general score W_a must be d_s×d_h = {ds}×{dh}")
            if p.v is not None:
                warn.append("the general score does not use v; it is ignored")
        else:
            if p.v is None:
                raise ParamError("the concat score needs v: give --set v=[...]")
            if (len(p.W_a), len(p.W_a[0])) != (len(p.v), ds + dh):
                raise ParamError(f"for the concat score W_a must be d_a×(d_s+d_h) = {len(p.v)}×{ds + dh} "
                                 "(d_a = length of v)")
        return warn

    def _weights(self, p: Params) -> tuple[np.ndarray | None, np.ndarray | None]:
        return (arr(p.W_a) if p.score != "dot" else None, arr(p.v) if p.score == "concat" else None)

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        H = arr(p.H)
        e = carry(given, "scores", luong_scores(p.score, arr(p.s), H, *self._weights(p)))
        return {"scores": e, **finish(e, H, given)}

    def degenerate(self, p: Params) -> str | None:
        return "all scores (nearly) equal" if np.ptp(self.solve(p)["scores"]) < 0.05 else None

    def statement(self, p: Params) -> list[Any]:
        rule = {"dot": r"$\operatorname{score}(h_t, \bar{h}_j) = h_t^\top \bar{h}_j$ (dot)",
                "general": r"$\operatorname{score}(h_t, \bar{h}_j) = h_t^\top W_a \bar{h}_j$ (general)",
                "concat": r"$\operatorname{score}(h_t, \bar{h}_j) = v^\top \tanh(W_a [h_t; \bar{h}_j])$ (concat; "
                          r"$[h_t; \bar{h}_j]$ stacks $h_t$ above $\bar{h}_j$)"}
        out: list[Any] = [
            r"Luong global attention. The current decoder state is $h_t = s$ and the encoder states "
            rf"$\bar{{h}}_1, \ldots, \bar{{h}}_{{{len(p.H)}}}$ are the rows of $H$. The score is {rule[p.score]}, "
            r"with column vectors; the weights are $\alpha = \operatorname{softmax}(\text{scores})$ over the "
            r"encoder positions $j$ and the context is $c = \sum_j \alpha_j \bar{h}_j$. Find the "
            f"scores, the weights and the context to {DP} decimal places.", "\n$s$ = ", mat(p.s), "\n$H$ = ",
            mat(p.H)]
        return out + score_weights(p)

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        H = arr(p.H)
        d = Derivation()
        score_steps(d, p, H, a["scores"])
        softmax_steps(d, a["scores"][None, :], None, part="weights", sym=r"\alpha", what="the encoder positions $j$",
                      vector=True)
        d.add(r"Context $c = \sum_j \alpha_j \bar{h}_j$", a["context"], lhs="c", formula=Sym("α") @ Sym("H"),
              substituted=mat(a["weights"]) @ mat(H), part="context")
        d.answer = "c = [" + ", ".join(f"{x:.4f}" for x in a["context"]) + "]"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        H, s = arr(p.H), arr(p.s)
        Wa, v = self._weights(p)
        right = self.solve(p)
        m: dict[str, Mistake] = {
            "no_softmax": Mistake({"weights": right["scores"]},
                                  "You used the scores as weights: the weights are their softmax (they sum to 1)."),
            "context_from_scores": Mistake({"context": right["scores"] @ H},
                                           "You weighted the encoder states by the scores; use the softmax "
                                           "weights α_j."),
        }

        def full(e: np.ndarray) -> dict[str, Any]:
            return {"scores": e, **finish(e, H)}

        if p.score == "dot":
            m["scaled"] = Mistake(full(H @ s / math.sqrt(len(s))),
                                  "Luong's dot score is not scaled: no division by √d (that is the Transformer's "
                                  "scaled dot product).")
        elif p.score == "general":
            if Wa.shape[0] == Wa.shape[1] and not np.array_equal(Wa, Wa.T):
                m["w_transposed"] = Mistake(full(H @ (Wa @ s)), "You used W_aᵀ: the score is h_tᵀ W_a h̄_j.")
            if len(s) == H.shape[1]:
                m["w_left_out"] = Mistake(full(H @ s), "You left out W_a: the general score is h_tᵀ W_a h̄_j.")
        else:
            m["no_tanh"] = Mistake(full(luong_scores("concat", s, H, Wa, v, tanh=False)),
                                   "You left out the tanh: e_j = vᵀ tanh(W_a [h_t; h̄_j]).")
            if len(s) == H.shape[1]:
                m["concat_swapped"] = Mistake(full(luong_scores("concat", s, H, Wa, v, swap=True)),
                                              "You stacked [h̄_j; h_t]; the decoder state h_t comes first.")
        return m


def score_steps(d: Derivation, p: Params, H: np.ndarray, scores: np.ndarray, rows: str = "H") -> None:
    """The steps of the score ``p.score`` of h_t = ``p.s`` against the rows of ``H`` (named ``rows``), ending with
    the scores (part ``scores``)."""
    s = arr(p.s)
    if p.score == "dot":
        d.add("Dot-product scores (one per encoder state)", scores, lhs="e", formula=Sym(rows) @ Sym("s"),
              substituted=mat(H) @ col(s), part="scores")
    elif p.score == "general":
        q = arr(p.W_a).T @ s
        d.add(r"$W_a^\top h_t$ (so that $h_t^\top W_a \bar{h}_j = (W_a^\top h_t) \cdot \bar{h}_j$)", q,
              lhs=Sym("W_a").T @ Sym("h_t"),
              substituted=mat(p.W_a).T @ col(s))
        d.add("General scores", scores, lhs="e", formula=Sym(rows) @ (Sym("W_a").T @ Sym("h_t")),
              substituted=mat(H) @ col(q), part="scores")
    else:
        Wa, v = arr(p.W_a), arr(p.v)
        stacked = np.hstack([np.tile(s, (len(H), 1)), H])
        d.add(r"Stack $[h_t; \bar{h}_j]$ (one row per $j$)", stacked, lhs="C", substituted=mat(stacked))
        u = stacked @ Wa.T
        d.add(r"$W_a [h_t; \bar{h}_j]$ (row $j$)", u, lhs=Sym("C") @ Sym("W_a").T,
              substituted=mat(stacked) @ mat(Wa).T)
        t = np.tanh(u)
        d.add("Elementwise tanh", t, lhs=Func("tanh", Sym("U")),
              substituted=Mat([[Func("tanh", Num(float(x))) for x in r] for r in u]))
        d.add(r"Concat scores $e_j = v^\top \tanh(W_a [h_t; \bar{h}_j])$", scores, lhs="e",
              substituted=mat(t) @ col(v),
              part="scores")
