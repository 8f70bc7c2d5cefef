"""Forward pass of multi-head self-attention: per-head scores and weights, concatenated heads, output projection;
optional causal mask and (gated) relative position bias; tokens as rows or as columns.

Catalog: seed_000_001 B3 (causal head, two heads with W_O, ΔE₂ = [4.358182, 3.193176]; relative position bias and
WavLM's gate), seed_004 B6, seed_002 H3.

Parameters:
    X: tokens (rows: n×d, one token per row; columns: d×n, one token per column). heads: M (divides d; d_h = d/M).
    W_q, W_k, W_v: d×d (rows: Q = X W_q and head m uses the m-th block of d_h columns; columns: Q = W_q X and head m
    uses the m-th block of d_h rows). W_O: d×d (rows: output = heads·W_O; columns: W_O·heads). causal: query i sees
    keys j ≤ i. rel_bias: optional b(i − j) for i − j = −(n−1)..n−1. gate: scales the bias (default 1).
    layout: ``rows`` or ``columns``.

Answer parts (rows layout): ``scores`` = the heads' n×n blocks q_i·k_j/√d_h + gate·b(i − j) (before the mask),
stacked with head 1 on top; ``weights`` (row softmax, masked), stacked likewise; ``heads`` = [A_1V_1 | … | A_MV_M]
(n×d); ``output`` = heads·W_O. With ``columns`` every part is the transpose of this.

Reference: batched projections, one ``F.scaled_dot_product_attention`` call per group with a float mask (gate·bias,
−∞ where causal), the weights from V = I (examprep.reference.transformer:multihead_forward); the tests also check
``nn.MultiheadAttention(bias=False)`` with a float ``attn_mask``.

Common mistakes: W_O dropped, the heads concatenated in the wrong order, √d for √d_h, b(j − i), the bias added after
the softmax.

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
from examprep.problems.attention.steps import arr, mat, softmax
from examprep.problems.gan.fair import close_to_truth, near_miss
from examprep.seeding import picker
from examprep.solver.expr import Num, Sym, sqrt
from examprep.solver.step import Derivation

DP = 4
LAYOUTS = ("rows", "columns")


def forward(p: Params, *, w_o: bool = True, reverse: bool = False, scale_d: bool = False, flip_bias: bool = False,
            bias_after: bool = False, given: Answers | None = None) -> dict[str, np.ndarray]:
    """Every part in the rows layout (columns: transposed by the caller); the keywords do the named mistakes.

    ``given``: the student's earlier parts (as laid out in the answer); each later part is computed from them.
    """
    cols = p.layout == "columns"

    def take(name: str, value: np.ndarray) -> np.ndarray:
        return carry(given, name, value.T).T if cols else carry(given, name, value)

    x = arr(p.X).T if cols else arr(p.X)
    wq, wk, wv, wo = (arr(p[w]).T if cols else arr(p[w]) for w in ("W_q", "W_k", "W_v", "W_O"))
    n, d = x.shape
    dh = d // p.heads
    Q, K, V = x @ wq, x @ wk, x @ wv
    bias = np.zeros((n, n))
    if p.rel_bias is not None:
        b = np.asarray(p.rel_bias, dtype=float)
        i, j = np.arange(n)[:, None], np.arange(n)[None, :]
        bias = p.gate * b[(j - i if flip_bias else i - j) + n - 1]
    mask = np.tril(np.ones((n, n), dtype=bool)) if p.causal else None
    blocks = [slice(m * dh, (m + 1) * dh) for m in range(p.heads)]
    raw = [Q[:, blk] @ K[:, blk].T / math.sqrt(d if scale_d else dh) for blk in blocks]
    if bias_after:
        scores = np.vstack(raw)
        weights = np.vstack([softmax(s, axis=1, mask=mask) + np.where(mask, bias, 0) if mask is not None
                             else softmax(s, axis=1) + bias for s in raw])
    else:
        scores = take("scores", np.vstack([s + bias for s in raw]))
        weights = take("weights", np.vstack([softmax(scores[m * n:(m + 1) * n], axis=1, mask=mask)
                                             for m in range(p.heads)]))
    outs = [weights[m * n:(m + 1) * n] @ V[:, blk] for m, blk in enumerate(blocks)]
    heads = take("heads", np.concatenate(outs[::-1] if reverse else outs, axis=1))
    return {"scores": scores, "weights": weights, "heads": heads, "output": heads @ wo if w_o else heads}


def laid_out(p: Params, parts: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {k: v.T for k, v in parts.items()} if p.layout == "columns" else parts


class MultiheadForward(ProblemType):
    id = "transformer/multihead_forward-v1"
    title = "Multi-head self-attention forward pass"
    catalog = "seed_000_001 B3; seed_004 B6; seed_002 H3"
    reference_entry = "examprep.reference.transformer:multihead_forward"
    params = (
        Param("X", "matrix", "tokens (rows: one per row; columns: one per column)", lo=-100, hi=100),
        Param("heads", "int", "number of heads M (divides d)", lo=1, hi=64, default=2),
        Param("W_q", "matrix", "query projection (d×d)", lo=-100, hi=100),
        Param("W_k", "matrix", "key projection (d×d)", lo=-100, hi=100),
        Param("W_v", "matrix", "value projection (d×d)", lo=-100, hi=100),
        Param("W_O", "matrix", "output projection (d×d)", lo=-100, hi=100),
        Param("causal", "bool", "query i attends to keys j ≤ i", default=False),
        Param("rel_bias", "vector", "relative position bias b(i−j), i−j = −(n−1)..n−1", lo=-100, hi=100,
              optional=True),
        Param("gate", "real", "scale of the relative bias", lo=-100, hi=100, default=1.0),
        Param("layout", "choice", "rows (Q = X W_q) or columns (Q = W_q X)", choices=LAYOUTS, default="rows"),
    )
    parts = (
        Part("scores", "Scaled scores of every head (stacked)", "matrix", mode="decdig", digits=DP, final=False),
        Part("weights", "Attention weights of every head (stacked)", "matrix", mode="decdig", digits=DP,
             final=False, uses=("scores",)),
        Part("heads", "Concatenated head outputs", "matrix", mode="decdig", digits=DP, uses=("weights",)),
        Part("output", "Output after W_O", "matrix", mode="decdig", digits=DP, uses=("heads",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = picker(rng)

        def draw(r: int, c: int, vals: list[float]) -> list[list[float]]:
            return [[float(pick(vals)) for _ in range(c)] for _ in range(r)]

        n = 2 if difficulty == "easy" else pick([2, 3])
        d = 2 if difficulty != "hard" else pick([2, 4])
        layout = "rows" if difficulty == "easy" else pick(list(LAYOUTS))
        xs = draw(n, d, [-1, 0, 1, 2])
        out = dict(X=[list(r) for r in zip(*xs, strict=True)] if layout == "columns" else xs, heads=2,
                   W_q=draw(d, d, [0, 1, 2] if difficulty == "easy" else [-1, 0, 1, 2]),
                   W_k=draw(d, d, [0, 1, 2] if difficulty == "easy" else [-1, 0, 1, 2]),
                   W_v=draw(d, d, [-1, 0, 1, 2]), W_O=draw(d, d, [0, 0.5, 1, 2]),
                   causal=bool(rng.integers(2)), layout=layout)
        if difficulty == "hard" and rng.random() < 0.6:
            out["rel_bias"] = tuple(float(pick([0, 0.5, 1])) for _ in range(2 * n - 1))
            out["gate"] = float(pick([0.5, 1.0]))
        return out

    def check(self, p: Params) -> list[str]:
        x = arr(p.X)
        n, d = (x.shape[1], x.shape[0]) if p.layout == "columns" else x.shape
        for w in ("W_q", "W_k", "W_v", "W_O"):
            if arr(p[w]).shape != (d, d):
                raise ParamError(f"{w} is {len(p[w])}×{len(p[w][0])}; it must be d×d = {d}×{d}")
        if d % p.heads:
            raise ParamError(f"heads={p.heads} must divide d={d} (each head takes d/heads dimensions)")
        if p.rel_bias is not None and len(p.rel_bias) != 2 * n - 1:
            raise ParamError(f"rel_bias has {len(p.rel_bias)} entries; give 2n − 1 = {2 * n - 1}, b(i−j) for "
                             f"i − j = −{n - 1}..{n - 1}")
        return ["more than 6 tokens or dimensions is a lot to compute by hand"] if max(n, d) > 6 else []

    def degenerate(self, p: Params) -> str | None:
        raw = forward(p)
        if np.abs(raw["scores"]).max() > 10:
            return "scores too large (the weights saturate)"
        heads = np.split(raw["weights"], p.heads, axis=0)
        if p.heads > 1 and all(np.allclose(h, heads[0]) for h in heads[1:]):
            return "every head has the same weights"
        return near_miss(self.solve(p), self.mistakes(p))

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return laid_out(p, forward(p, given=given))

    def statement(self, p: Params) -> list[Any]:
        cols = p.layout == "columns"
        x = arr(p.X)
        n, d = (x.shape[1], x.shape[0]) if cols else x.shape
        dh = d // p.heads
        conv = (f"Tokens are the columns of X (d×n); $Q = W_q X$, $K = W_k X$, $V = W_v X$; head $m$ uses the "
                f"$m$-th block of $d_h = {dh}$ rows of $W_q, W_k, W_v$. Each head's scores are $K_m^\\top Q_m / "
                "\\sqrt{d_h}$ (keys × queries), the softmax runs down each column (over the keys of a query), and "
                "the head output is $V_m A_m$. The heads are stacked (head 1 on top) and the output is "
                "$W_O \\cdot \\text{heads}$. Report scores and weights as one matrix, the heads' blocks side by "
                "side (head 1 on the left).") if cols else (
                f"Tokens are the rows of X (n×d); $Q = X W_q$, $K = X W_k$, $V = X W_v$; head $m$ uses the $m$-th "
                f"block of $d_h = {dh}$ columns of $W_q, W_k, W_v$. Each head's scores are $Q_m K_m^\\top / "
                "\\sqrt{d_h}$ (queries × keys), the softmax runs along each row (over the keys of a query), and "
                "the head output is $A_m V_m$. The heads are concatenated side by side (head 1 on the left) and "
                "the output is $\\text{heads} \\cdot W_O$. Report scores and weights as one matrix, the heads' "
                "blocks stacked (head 1 on top).")
        s: list[Any] = [f"Multi-head self-attention with $M = {p.heads}$ heads reads $n = {n}$ tokens of width "
                        f"$d = {d}$. " + conv]
        if p.rel_bias is not None:
            vals = ", ".join(f"$b({k}) = {v:g}$" for k, v in zip(range(-(n - 1), n), p.rel_bias, strict=True))
            s.append(f" A relative position bias $g \\cdot b(i - j)$ with gate $g = {p.gate:g}$ is added to every "
                     f"score of query $i$ and key $j$ (tokens counted from 1), in every head, before the softmax: "
                     f"{vals}.")
        if p.causal:
            s.append(" A causal mask lets query $i$ attend only to keys $j \\le i$ (masked scores become "
                     "$-\\infty$; the scores are reported before the mask).")
        s += [f" Give the scores, the weights, the concatenated heads and the output to {DP} decimal places.",
              "\n$X$ = ", mat(p.X), "\n$W_q$ = ", mat(p.W_q), "\n$W_k$ = ", mat(p.W_k), "\n$W_v$ = ", mat(p.W_v),
              "\n$W_O$ = ", mat(p.W_O)]
        return s

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        cols = p.layout == "columns"
        d = Derivation()
        X = Sym("X")
        x = arr(p.X)
        proj = {}
        for name, w in (("Q", "W_q"), ("K", "W_k"), ("V", "W_v")):
            val = arr(p[w]) @ x if cols else x @ arr(p[w])
            proj[name] = val
            d.add(f"{name} for all heads", val, lhs=name, formula=Sym(w) @ X if cols else X @ Sym(w),
                  substituted=mat(p[w]) @ mat(p.X) if cols else mat(p.X) @ mat(p[w]))
        dim = x.shape[0] if cols else x.shape[1]
        dh = dim // p.heads
        n = x.shape[1] if cols else x.shape[0]
        d.add("Head width", dh, lhs="d_h", formula=Sym("d") / Sym("M"), subs={"d": dim, "M": p.heads})
        if p.rel_bias is not None:
            b = np.asarray(p.rel_bias, dtype=float)
            i, j = np.arange(n)[:, None], np.arange(n)[None, :]
            bias = p.gate * b[i - j + n - 1]
            d.add("Relative bias g·b(i − j)", bias.T if cols else bias, lhs="B",
                  note="query i, key j: the entry b(i − j), times the gate" + (" (keys × queries)" if cols else ""))
        for m in range(p.heads):
            blk = slice(m * dh, (m + 1) * dh)
            rows = slice(m * n, (m + 1) * n)
            if cols:
                Qm, Km = proj["Q"][blk, :], proj["K"][blk, :]
                s_m = a["scores"][:, rows]
                w_m = a["weights"][:, rows]
                f = (Sym(f"K_{m + 1}").T @ Sym(f"Q_{m + 1}")) / sqrt(Sym("d_h"))
                sub = (mat(Km).T @ mat(Qm)) / sqrt(Num(dh))
            else:
                Qm, Km = proj["Q"][:, blk], proj["K"][:, blk]
                s_m = a["scores"][rows, :]
                w_m = a["weights"][rows, :]
                f = (Sym(f"Q_{m + 1}") @ Sym(f"K_{m + 1}").T) / sqrt(Sym("d_h"))
                sub = (mat(Qm) @ mat(Km).T) / sqrt(Num(dh))
            if p.rel_bias is not None:
                f = f + Sym("B")
                sub = None
            part_of = f"rows {m * dh + 1}–{(m + 1) * dh}" if cols else f"columns {m * dh + 1}–{(m + 1) * dh}"
            d.add(f"Head {m + 1}: its queries", Qm, lhs=f"Q_{m + 1}", note=f"{part_of} of Q")
            d.add(f"Head {m + 1}: its keys", Km, lhs=f"K_{m + 1}", note=f"{part_of} of K")
            d.add(f"Head {m + 1}: scores", s_m, lhs=f"S_{m + 1}", formula=f, substituted=sub,
                  note=f"head {m + 1} uses " + (f"rows {m * dh + 1}–{(m + 1) * dh}" if cols
                                                 else f"columns {m * dh + 1}–{(m + 1) * dh}") + " of Q and K")
            d.add(f"Head {m + 1}: weights", w_m, lhs=f"A_{m + 1}",
                  note=("softmax down each column" if cols else "softmax along each row")
                  + ("; masked (future) keys get weight 0" if p.causal else ""))
        d.add("Scores, all heads", a["scores"], lhs="S", part="scores")
        d.add("Weights, all heads", a["weights"], lhs="A", part="weights")
        d.add("Concatenated heads", a["heads"], lhs="H",
              note=("V_m A_m for each head, stacked with head 1 on top" if cols
                    else "A_m V_m for each head, side by side with head 1 on the left"), part="heads")
        d.add("Output", a["output"], lhs="Y", formula=Sym("W_O") @ Sym("H") if cols else Sym("H") @ Sym("W_O"),
              substituted=mat(p.W_O) @ mat(a["heads"]) if cols else mat(a["heads"]) @ mat(p.W_O), part="output")
        d.answer = "output = " + "[" + ", ".join("[" + ", ".join(f"{v:.4f}" for v in r) + "]"
                                                 for r in a["output"]) + "]"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)

        def add(name: str, kw: dict[str, Any], feedback: str) -> None:
            got = laid_out(p, forward(p, **kw))
            ans = {k: v for k, v in got.items() if not close_to_truth(v, truth[k], 1e-12)}
            if ans:
                m[name] = Mistake(ans, feedback)

        m: dict[str, Mistake] = {}
        add("w_o_dropped", {"w_o": False}, "The concatenated heads still go through the output projection W_O.")
        if p.heads > 1:
            add("heads_reversed", {"reverse": True},
                "Concatenate the heads in order, head 1 first.")
            add("sqrt_d", {"scale_d": True}, "Each head divides its scores by √d_h (its own width d/M), not √d.")
        if p.rel_bias is not None:
            add("bias_reversed", {"flip_bias": True},
                "The bias of query i and key j is b(i − j), not b(j − i).")
            add("bias_after_softmax", {"bias_after": True},
                "The relative bias is added to the scores before the softmax, not to the weights after it.")
        return m
