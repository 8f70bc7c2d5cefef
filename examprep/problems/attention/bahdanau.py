"""Additive (Bahdanau) attention for one decoder step.

Catalog: seed_003 B5 and §1.9 (the worked example: the notes state W_h = [[1,1],[1,1]] but compute with
[[1,1],[1,−1]]), seed_002 G5.

Parameters:
    s: the previous decoder state s_{i−1} (vector, length d_s).
    H: the encoder states h_1..h_n, one per row (n×d_h).
    W_s: d_a×d_s, W_h: d_a×d_h (column convention: W_s s), v: length d_a, b: optional bias of length d_a.

Answer parts: ``query_proj`` (W_s s), ``key_proj`` (row j = (W_h h_j)ᵀ), ``pre`` (row j = W_s s + W_h h_j + b),
``tanh`` (its tanh), ``scores`` (e_j = vᵀ tanh(...)), ``weights`` (α = softmax(e) over j) and ``context``
(c = Σ_j α_j h_j). All to 4 decimal places; the last three are the asked-for answers.

Conventions stated in the prompt: column vectors (the matrix multiplies the vector from the left), the softmax runs
over the encoder positions j, the context weights the encoder states (not their projections), tanh is elementwise.

Reference: an ``nn.Module`` of three ``nn.Linear`` layers (W_s, W_h with bias b, v), run over the batch with
``torch.func.vmap`` + ``functional_call`` (examprep.reference.attention:bahdanau).

Common mistakes: tanh left out, no softmax (the scores used as weights), a dot-product score sᵀh_j, the context
built from the scores instead of the weights, the matrices applied from the wrong side (sᵀW_s = W_sᵀ s).

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.attention.steps import arr, col, mat, softmax, softmax_steps
from examprep.solver.expr import Func, Mat, Num, Sym
from examprep.solver.step import Derivation

DP = 4


def additive(Ws: np.ndarray, Wh: np.ndarray, v: np.ndarray, b: np.ndarray, s: np.ndarray, H: np.ndarray,
             tanh: bool = True, given: Answers | None = None) -> dict[str, np.ndarray]:
    """Projections, pre-activations, tanh and scores of additive attention (rows are encoder positions); each
    from the student's ``given`` earlier values where given (error carried forward)."""
    q = carry(given, "query_proj", Ws @ s)
    k = carry(given, "key_proj", H @ Wh.T)
    u = carry(given, "pre", q[None, :] + k + b[None, :])
    t = carry(given, "tanh", np.tanh(u) if tanh else u)
    return {"query_proj": q, "key_proj": k, "pre": u, "tanh": t, "scores": carry(given, "scores", t @ v)}


def finish(scores: np.ndarray, H: np.ndarray, given: Answers | None = None) -> dict[str, np.ndarray]:
    """Weights softmax(scores) and the context Σ_j α_j h_j (from the student's weights where given)."""
    w = carry(given, "weights", softmax(scores))
    return {"weights": w, "context": w @ H}


def _vec(name: str, label: str, final: bool = False, kind: str = "vector", uses: tuple[str, ...] = ()) -> Part:
    return Part(name, label, kind, mode="decdig", digits=DP, final=final, uses=uses,
                share=name == "weights")


class Bahdanau(ProblemType):
    id = "attention/bahdanau-v1"
    title = "Additive (Bahdanau) attention"
    catalog = "seed_003 B5, 1.9; seed_002 G5"
    reference_entry = "examprep.reference.attention:bahdanau"
    params = (
        Param("s", "vector", "previous decoder state s_{i−1}", lo=-100, hi=100),
        Param("H", "matrix", "encoder states h_j, one per row", lo=-100, hi=100),
        Param("W_s", "matrix", "decoder-state projection (d_a×d_s), applied as W_s s", lo=-100, hi=100),
        Param("W_h", "matrix", "encoder-state projection (d_a×d_h), applied as W_h h_j", lo=-100, hi=100),
        Param("v", "vector", "score vector (length d_a)", lo=-100, hi=100),
        Param("b", "vector", "bias inside the tanh (length d_a)", lo=-100, hi=100, optional=True),
    )
    parts = (
        _vec("query_proj", "W_s s"),
        _vec("key_proj", "W_h h_j (one row per j)", kind="matrix"),
        _vec("pre", "W_s s + W_h h_j + b (one row per j)", kind="matrix", uses=("query_proj", "key_proj")),
        _vec("tanh", "tanh of the pre-activations (one row per j)", kind="matrix", uses=("pre",)),
        _vec("scores", "Scores e_j", final=True, uses=("tanh",)),
        _vec("weights", "Attention weights α_j", final=True, uses=("scores",)),
        _vec("context", "Context vector c", final=True, uses=("weights",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        def draw(shape: tuple[int, ...], values: list[float]) -> Any:
            return np.asarray(values)[rng.integers(len(values), size=shape)].tolist()

        n, dh = (3, 2) if difficulty != "hard" else (int(rng.integers(3, 5)), int(rng.integers(2, 4)))
        wv = [-1, 0, 1, 2] if difficulty == "easy" else [-1, -0.5, 0, 0.5, 1, 2]
        return dict(s=draw((2,), [-1, 0, 1, 2]), H=draw((n, dh), [-1, 0, 1, 2]), W_s=draw((2, 2), wv),
                    W_h=draw((2, dh), wv), v=draw((2,), [-1, 1]),
                    b=draw((2,), [-0.5, 0, 0.5]) if difficulty == "hard" else None)

    def check(self, p: Params) -> list[str]:
        da, ds, dh = len(p.v), len(p.s), len(p.H[0])
        if len(p.W_s) != da or len(p.W_s[0]) != ds:
            raise ParamError(f"W_s must be d_a×d_s = {da}×{ds} (d_a = length of v, d_s = length of s); "
                             f"it is {len(p.W_s)}×{len(p.W_s[0])}")
        if len(p.W_h) != da or len(p.W_h[0]) != dh:
            raise ParamError(f"W_h must be d_a×d_h = {da}×{dh} (d_h = columns of H); it is "
                             f"{len(p.W_h)}×{len(p.W_h[0])}")
        if p.b is not None and len(p.b) != da:
            raise ParamError(f"b must have length d_a = {da} (the length of v); it has {len(p.b)}")
        return ["more than 8 encoder states is a lot to compute by hand"] if len(p.H) > 8 else []

    def degenerate(self, p: Params) -> str | None:
        if np.ptp(self.solve(p)["scores"]) < 0.05:
            return "all scores (nearly) equal"
        return None

    def _bias(self, p: Params) -> np.ndarray:
        return arr(p.b) if p.b is not None else np.zeros(len(p.v))

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        H = arr(p.H)
        out = additive(arr(p.W_s), arr(p.W_h), arr(p.v), self._bias(p), arr(p.s), H, given=given)
        return {**out, **finish(out["scores"], H, given)}

    def statement(self, p: Params) -> list[Any]:
        n = len(p.H)
        bias = " + b" if p.b is not None else ""
        out: list[Any] = [
            "Additive (Bahdanau) attention. The previous decoder state is $s = s_{i-1}$ and the encoder states "
            rf"$h_1, \ldots, h_{{{n}}}$ are the rows of $H$. The score of position $j$ is "
            rf"$e_j = v^\top \tanh(W_s s + W_h h_j{bias})$ "
            "(column vectors: each matrix multiplies the vector on its right; tanh is taken elementwise); the "
            rf"weights are $\alpha = \operatorname{{softmax}}(e)$ over $j = 1, \ldots, {n}$; the context is "
            r"$c = \sum_j \alpha_j h_j$. Find $W_s s$, each "
            f"$W_h h_j$, the pre-activations $W_s s + W_h h_j{bias}$ and their tanh, the scores $e$, the weights "
            rf"$\alpha$ and the context $c$, to {DP} decimal places.",
            "\n$s$ = ", mat(p.s), "\n$H$ = ", mat(p.H), "\n$W_s$ = ", mat(p.W_s), "\n$W_h$ = ", mat(p.W_h),
            "\n$v$ = ", mat(p.v)]
        if p.b is not None:
            out += ["\n$b$ = ", mat(p.b)]
        return out

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        d = Derivation()
        H = arr(p.H)
        d.add("Project the decoder state", a["query_proj"], lhs=Sym("W_s") @ Sym("s"),
              substituted=mat(p.W_s) @ col(p.s), part="query_proj")
        d.add("Project every encoder state (row $j$ is $W_h h_j$)", a["key_proj"], lhs=Sym("H") @ Sym("W_h").T,
              substituted=mat(p.H) @ mat(p.W_h).T, part="key_proj")
        b = self._bias(p)
        rows = []
        for j in range(len(H)):
            row = []
            for k in range(len(p.v)):
                e = Num(float(a["query_proj"][k])) + Num(float(a["key_proj"][j, k]))
                row.append(e + Num(float(b[k])) if p.b is not None else e)
            rows.append(row)
        d.add("Add them (row $j$ is $W_s s + W_h h_j" + (" + b" if p.b is not None else "") + "$)", a["pre"], lhs="U",
              substituted=Mat(rows), part="pre")
        d.add("Elementwise tanh", a["tanh"], lhs=Func("tanh", Sym("U")),
              substituted=Mat([[Func("tanh", Num(float(x))) for x in r] for r in a["pre"]]), part="tanh")
        d.add(r"Scores $e_j = v^\top \tanh(u_j)$", a["scores"], lhs="e", formula=Func("tanh", Sym("U")) @ Sym("v"),
              substituted=mat(a["tanh"]) @ col(p.v), part="scores")
        softmax_steps(d, a["scores"][None, :], None, part="weights", sym=r"\alpha", what="the encoder positions $j$",
                      vector=True)
        d.add(r"Context $c = \sum_j \alpha_j h_j$", a["context"], lhs="c", formula=Sym("α") @ Sym("H"),
              substituted=mat(a["weights"]) @ mat(H), part="context",
              note="the weights multiply the encoder states h_j (the rows of H)")
        d.answer = (f"e = {_v(a['scores'])}, α = {_v(a['weights'])}, c = {_v(a['context'])}")
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        H, s, v, b = arr(p.H), arr(p.s), arr(p.v), self._bias(p)
        Ws, Wh = arr(p.W_s), arr(p.W_h)
        right = self.solve(p)
        m: dict[str, Mistake] = {}
        no_tanh = additive(Ws, Wh, v, b, s, H, tanh=False)
        m["no_tanh"] = Mistake({"tanh": no_tanh["tanh"], "scores": no_tanh["scores"], **finish(no_tanh["scores"], H)},
                               "You left out the tanh: e_j = vᵀ tanh(W_s s + W_h h_j), tanh applied elementwise.")
        m["no_softmax"] = Mistake({"weights": right["scores"]},
                                  "You used the scores as weights: the weights are softmax(e), which sum to 1.")
        m["context_from_scores"] = Mistake({"context": right["scores"] @ H},
                                           "You weighted the encoder states by the scores; use the softmax "
                                           "weights α_j: c = Σ α_j h_j.")
        if len(s) == H.shape[1]:
            dot = H @ s
            m["dot_score"] = Mistake({"scores": dot, **finish(dot, H)},
                                     "You used a dot-product score sᵀh_j; this is additive attention: "
                                     "e_j = vᵀ tanh(W_s s + W_h h_j).")
        if Ws.shape[0] == Ws.shape[1] and Wh.shape[0] == Wh.shape[1] and not (
                np.array_equal(Ws, Ws.T) and np.array_equal(Wh, Wh.T)):
            wrong = additive(Ws.T, Wh.T, v, b, s, H)
            m["wrong_side"] = Mistake({**wrong, **finish(wrong["scores"], H)},
                                      "You multiplied from the wrong side (sᵀW_s = W_sᵀ s): with column vectors "
                                      "the projection is W_s s, row k of W_s times s.")
        return m


def _v(x: np.ndarray) -> str:
    return "[" + ", ".join(f"{float(t):.4f}" for t in x) + "]"
