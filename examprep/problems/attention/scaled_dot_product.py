"""Scaled dot-product self-attention of a few tokens, with an optional causal mask and residual connection.

Catalog: seed_003 B2–B4 and §1.10–1.12 (two worked examples, the notes' K is wrong), seed_002 H1–H2, seed_004 B6,
seed_000 B3.

Parameters:
    X: the token embeddings, one token per row (n×d).
    W_q, W_k: d×d_k projections; W_v: d×d_v.
    causal: token i attends only to keys j ≤ i (itself included).
    residual: also ask for the residual output X + Z (needs d_v = d).

Answer parts: ``Q``, ``K``, ``V``, ``scores`` (QKᵀ/√d_k, before any mask), ``weights`` (A, row softmax),
``output`` (Z = AV) and, when ``residual`` is true, ``residual_output`` (X + Z). All to 4 decimal places.

Conventions stated in the prompt: tokens are rows, Q = XW_q (row convention), the softmax runs over the keys of each
query (rows of A sum to 1), d_k is the number of columns of W_k, a causal mask keeps the diagonal.

Reference: ``F.scaled_dot_product_attention`` (the weights come from running it with V = I), on the whole batch
zero-padded to its largest shape with padded keys masked (examprep.reference.attention:scaled_dot_product).

Common mistakes: no 1/√d_k, dividing by d_k, softmax over the wrong axis (queries), a causal mask that hides the
token itself, no mask, masking after the softmax, residual forgotten, weights multiplied with K, the notes' K = W_k
(X ignored) or W_k W_kᵀ, the column convention (X W_kᵀ).

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
from examprep.problems.attention.steps import arr, mat, softmax, softmax_steps
from examprep.solver.expr import Num, Sym, sqrt
from examprep.solver.step import Derivation

DP = 4


def _part(name: str, label: str, final: bool = False, uses: tuple[str, ...] = (), share: bool = False) -> Part:
    return Part(name, label, "matrix", mode="decdig", digits=DP, final=final, uses=uses, share=share)


def causal_mask(n: int, keep_self: bool = True) -> np.ndarray:
    return np.tril(np.ones((n, n), dtype=bool), 0 if keep_self else -1)


def attend(p: Params, Q: np.ndarray, K: np.ndarray, V: np.ndarray, *, scale: float | None = None, axis: int = 1,
           mask: np.ndarray | None = None, after: bool = False, use_k: bool = False,
           given: Answers | None = None) -> dict[str, np.ndarray]:
    """Scores, weights, output (and residual output) from Q, K, V; the keywords do a mistaken variant; ``given``
    holds the student's earlier values (error carried forward)."""
    n = Q.shape[0]
    Q, K, V = carry(given, "Q", Q), carry(given, "K", K), carry(given, "V", V)
    s = carry(given, "scores", Q @ K.T * (1 / math.sqrt(K.shape[1]) if scale is None else scale))
    if mask is None and p.causal:
        mask = causal_mask(n)
    if after:  # softmax first, then zero the masked weights without renormalising
        w = softmax(s, axis=axis) * mask
    else:
        w = softmax(s, axis=axis, mask=mask)
    w = carry(given, "weights", w)
    z = carry(given, "output", w @ (K if use_k else V))
    out = {"scores": s, "weights": w, "output": z}
    if p.residual:
        out["residual_output"] = arr(p.X) + z
    return out


class ScaledDotProduct(ProblemType):
    id = "attention/scaled_dot_product-v1"
    title = "Scaled dot-product self-attention"
    catalog = "seed_003 B2-B4, 1.10-1.12; seed_002 H1-H2; seed_004 B6"
    reference_entry = "examprep.reference.attention:scaled_dot_product"
    params = (
        Param("X", "matrix", "token embeddings, one token per row (n×d)", lo=-100, hi=100),
        Param("W_q", "matrix", "query projection (d×d_k), Q = X W_q", lo=-100, hi=100),
        Param("W_k", "matrix", "key projection (d×d_k), K = X W_k", lo=-100, hi=100),
        Param("W_v", "matrix", "value projection (d×d_v), V = X W_v", lo=-100, hi=100),
        Param("causal", "bool", "causal mask: token i attends to keys j ≤ i", default=False),
        Param("residual", "bool", "also ask for the residual output X + Z", default=False),
    )
    parts = (
        _part("Q", "Queries Q = X W_q"),
        _part("K", "Keys K = X W_k"),
        _part("V", "Values V = X W_v"),
        _part("scores", "Scaled scores S = QKᵀ/√d_k", uses=("Q", "K")),
        _part("weights", "Attention weights A = softmax(S)", uses=("scores",), share=True),
        _part("output", "Output Z = AV", final=True, uses=("weights", "V")),
        _part("residual_output", "Residual output X + Z", final=True, uses=("output",)),
    )

    def active_parts(self, p: Params) -> tuple[Part, ...]:
        return self.parts if p.residual else self.parts[:-1]

    # ---- sampling ---------------------------------------------------------------------------------------------
    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        def draw(shape: tuple[int, int], values: list[float]) -> list[list[float]]:
            return [[values[int(i)] for i in row] for row in rng.integers(len(values), size=shape)]

        if difficulty == "easy":
            n, d, dk, dv = 2, 2, 2, 2
            wvals: list[float] = [-1, 0, 1, 2]
            causal = False
        elif difficulty == "medium":
            n, d = int(rng.integers(2, 4)), int(rng.integers(2, 4))
            dk, dv = 2, d
            wvals = [-1, -0.5, 0, 0.5, 1, 1.5, 2]
            causal = bool(rng.integers(2))
        else:
            n, d = int(rng.integers(3, 5)), 3
            dk = int(rng.choice([2, 4]))
            dv = d
            wvals = [-1, -0.5, 0, 0.5, 1, 2]
            causal = bool(rng.integers(2))
        residual = bool(rng.integers(2)) if dv == d else False
        x = draw((n, d), [0, 1, 2, 3] if difficulty != "easy" else [0, 1, 2])
        return dict(X=x, W_q=draw((d, dk), wvals), W_k=draw((d, dk), wvals), W_v=draw((d, dv), [-1, 0, 0.5, 1, 2]),
                    causal=causal, residual=residual)

    def check(self, p: Params) -> list[str]:
        d = len(p.X[0])
        for name in ("W_q", "W_k", "W_v"):
            if len(p[name]) != d:
                raise ParamError(f"{name} has {len(p[name])} rows; it must have d = {d} rows (X has {d} columns, "
                                 f"and {name[-1].upper()} = X {name})")
        if len(p.W_q[0]) != len(p.W_k[0]):
            raise ParamError(f"W_q and W_k must have the same number of columns (d_k); they have "
                             f"{len(p.W_q[0])} and {len(p.W_k[0])}")
        if p.residual and len(p.W_v[0]) != d:
            raise ParamError(f"the residual X + Z needs d_v = d = {d}, but W_v has {len(p.W_v[0])} columns; "
                             "use --set residual=false or a square W_v")
        warn = []
        if len(p.X) > 8 or d > 8:
            warn.append("more than 8 tokens or dimensions is a lot to compute by hand")
        return warn

    def degenerate(self, p: Params) -> str | None:
        s = self._qkv(p)
        scores = s[0] @ s[1].T / math.sqrt(s[1].shape[1])
        if np.abs(scores).max() > 12:
            return "scores too large (the weights saturate to 0 and 1)"
        for name in ("W_q", "W_k", "W_v"):
            w = arr(p[name])
            if w.shape[0] == w.shape[1] and np.array_equal(w, w.T):
                return f"{name} is symmetric (the row and column conventions agree)"
        return None

    # ---- solving ----------------------------------------------------------------------------------------------
    @staticmethod
    def _qkv(p: Params) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        x = arr(p.X)
        return x @ arr(p.W_q), x @ arr(p.W_k), x @ arr(p.W_v)

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        Q, K, V = self._qkv(p)
        Q, K, V = carry(given, "Q", Q), carry(given, "K", K), carry(given, "V", V)
        return {"Q": Q, "K": K, "V": V, **attend(p, Q, K, V, given=given)}

    def statement(self, p: Params) -> list[Any]:
        n, d = len(p.X), len(p.X[0])
        dk = len(p.W_k[0])
        asks = ("the queries $Q$, keys $K$ and values $V$, the scaled scores $S$, the attention weights $A$ and the "
                "output $Z$")
        out: list[Any] = [
            f"A self-attention head reads {n} tokens of dimension $d = {d}$, one token per row of $X$. ",
            r"Conventions: row vectors, $Q = X W_q$, $K = X W_k$, $V = X W_v$; $S = Q K^\top / \sqrt{d_k}$ with "
            f"$d_k = {dk}$ (the number of columns of $W_k$); $A = \\operatorname{{softmax}}(S)$ taken over the keys "
            "of each query, so each row of $A$ sums to 1; $Z = A V$.",
        ]
        if p.causal:
            out.append(r" A causal mask is applied: token $i$ may attend only to tokens $j \le i$, itself included "
                       r"(masked scores become $-\infty$ before the softmax; $S$ itself is reported before masking).")
        if p.residual:
            asks += ", and the residual output $X + Z$"
        out += [f" Compute {asks}. Give every value to {DP} decimal places.", "\n$X$ = ", mat(p.X),
                "\n$W_q$ = ", mat(p.W_q), "\n$W_k$ = ", mat(p.W_k), "\n$W_v$ = ", mat(p.W_v)]
        return out

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        X = Sym("X")
        for part, w in (("Q", "W_q"), ("K", "W_k"), ("V", "W_v")):
            d.add(f"{'Queries' if part == 'Q' else 'Keys' if part == 'K' else 'Values'}", ans[part], lhs=part,
                  formula=X @ Sym(w), substituted=mat(p.X) @ mat(p[w]), part=part)
        Q, K = ans["Q"], ans["K"]
        raw = Q @ K.T
        d.add("Dot products of queries and keys", raw, lhs=Sym("Q") @ Sym("K").T,
              substituted=mat(Q) @ mat(K).T)
        dk = K.shape[1]
        d.add("Scaled scores", ans["scores"], lhs="S", formula=(Sym("Q") @ Sym("K").T) / sqrt(Sym("d_k")),
              substituted=mat(raw) / sqrt(Num(dk)), part="scores")
        mask = causal_mask(len(Q)) if p.causal else None
        if mask is not None:
            d.add("Causal mask", mask.astype(int), lhs="M",
                  note="1 = key j ≤ i may be attended to (the token itself included); "
                       "0 = a future key, whose score is replaced by −∞")
        softmax_steps(d, ans["scores"], mask, part="weights", sym="A", what="the keys of each query (rows)")
        d.add("Output", ans["output"], lhs="Z", formula=Sym("A") @ Sym("V"), substituted=mat(ans["weights"]) @ mat(
            ans["V"]), part="output")
        if p.residual:
            d.add("Residual connection", ans["residual_output"], lhs=X + Sym("Z"), formula=X + Sym("Z"),
                  substituted=mat(p.X) + mat(ans["output"]), part="residual_output")
            d.answer = "X + Z = " + _rows(ans["residual_output"])
        else:
            d.answer = "Z = " + _rows(ans["output"])
        return d

    # ---- mistakes ---------------------------------------------------------------------------------------------
    def mistakes(self, p: Params) -> dict[str, Mistake]:
        Q, K, V = self._qkv(p)
        x = arr(p.X)
        n, dim = x.shape
        dk = K.shape[1]
        m: dict[str, Mistake] = {}

        def add(name: str, answers: dict[str, Any], feedback: str) -> None:
            m[name] = Mistake(answers, feedback)

        add("no_scaling", attend(p, Q, K, V, scale=1.0),
            rf"You did not scale the scores: divide $Q K^\top$ by $\sqrt{{d_k}} = \sqrt{{{dk}}}$ before the softmax.")
        if dk != 1:
            add("divided_by_dk", attend(p, Q, K, V, scale=1 / dk),
                rf"You divided by $d_k = {dk}$; the scores are divided by $\sqrt{{d_k}} = \sqrt{{{dk}}}$.")
        wrong_axis = attend(p, Q, K, V, axis=0)
        add("softmax_wrong_axis", {k: v for k, v in wrong_axis.items() if k != "scores"},
            "You took the softmax down the columns (over the queries); each query's weights over the keys "
            "(each row of A) must sum to 1.")
        if p.causal:
            add("mask_hides_self", attend(p, Q, K, V, mask=causal_mask(n, keep_self=False)),
                r"Your causal mask hides the token itself: token $i$ attends to every $j \le i$, including $j = i$.")
            add("no_mask", attend(p, Q, K, V, mask=np.ones((n, n), dtype=bool)),
                "You left out the causal mask: token $i$ may not attend to later tokens $j > i$.")
            add("mask_after_softmax", attend(p, Q, K, V, after=True),
                "You zeroed the masked weights after the softmax without renormalising: mask the scores "
                r"($-\infty$) before the softmax.")
        if p.residual:
            add("no_residual", {"residual_output": attend(p, Q, K, V)["output"]},
                "You forgot the residual connection: add $X$ to the attention output $Z$.")
        if K.shape == V.shape:
            add("weights_times_k", attend(p, Q, K, V, use_k=True),
                "You multiplied the weights with $K$; the output is the weighted sum of the values, $Z = A V$.")
        if n == dim:
            for name, w, which in (("Q", "W_q", 0), ("K", "W_k", 1), ("V", "W_v", 2)):  # names as markup
                W = arr(p[w])
                qkv = [Q, K, V]
                qkv[which] = W
                if W.shape == (Q, K, V)[which].shape:
                    add(f"{name.lower()}_ignores_x", {name: W, **attend(p, *qkv)},
                        f"You took ${name} = {w}$ and left out $X$: ${name} = X {w}$ (each token's row times ${w}$).")
                wwt = W @ W.T
                if wwt.shape == (Q, K, V)[which].shape:
                    qkv[which] = wwt
                    add(f"{name.lower()}_wwt", {name: wwt, **attend(p, *qkv)},
                        rf"You computed ${w} {w}^\top$; the projection is ${name} = X {w}$.")
        if all(arr(p[w]).shape == (dim, dim) for w in ("W_q", "W_k", "W_v")):
            Qc, Kc, Vc = x @ arr(p.W_q).T, x @ arr(p.W_k).T, x @ arr(p.W_v).T
            add("column_convention", {"Q": Qc, "K": Kc, "V": Vc, **attend(p, Qc, Kc, Vc)},
                r"You mixed the conventions ($X W^\top$, i.e. $W x$ per token): with tokens as rows, $Q = X W_q$.")
        return m


def _rows(a: np.ndarray) -> str:
    return "[" + ", ".join("[" + ", ".join(f"{x:.4f}" for x in r) + "]" for r in np.asarray(a)) + "]"
