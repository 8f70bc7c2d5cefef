"""Scaled dot-product self-attention (v1's parts) with a choice of layout: tokens as rows or as columns.

Catalog: seed_004 B6 and seed_000_001 B3 (the slides' column convention q = W_q x), seed_003 B2–B4, seed_002 H1–H2.

Parameters: v1's X, W_q, W_k, W_v, causal, residual, plus ``layout``:
    ``rows``: X is n×d (one token per row), W_q is d×d_k, Q = X W_q (v1).
    ``columns``: X is d×n (one token per column), W_q is d_k×d (likewise W_k, W_v), Q = W_q X; the scores are
    KᵀQ/√d_k (keys × queries), the softmax runs down each column (columns of A sum to 1), Z = V A, and every part is
    the transpose of its ``rows`` value for the transposed weights.

Answer parts: v1's ``Q``, ``K``, ``V``, ``scores``, ``weights``, ``output`` and ``residual_output`` in the
instance's layout.

Reference: v1's batched ``F.scaled_dot_product_attention`` on the row form (Xᵀ and each Wᵀ for ``columns``), its
parts transposed back (examprep.reference.transformer:scaled_dot_product_v2).

Common mistakes: v1's (in the instance's layout), and the other layout (every part transposed).

Versions: v2 — adds ``layout`` (columns drawn at medium and hard); v1 stays registered for its codes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.problem import Answers, Mistake
from examprep.problems.attention.scaled_dot_product import ScaledDotProduct, causal_mask
from examprep.problems.attention.steps import arr, mat, softmax_steps
from examprep.solver.expr import Num, Sym, sqrt
from examprep.solver.step import Derivation

DP = 4
LAYOUTS = ("rows", "columns")
WEIGHTS = ("X", "W_q", "W_k", "W_v")
# v1's mistakes whose wording holds in the column layout, reworded where it names a row convention
COLUMN_FEEDBACK = {
    "no_scaling": "You did not scale the scores: divide KᵀQ by √d_k before the softmax.",
    "divided_by_dk": "You divided by d_k; the scores are divided by √d_k.",
    "softmax_wrong_axis": "You took the softmax along the rows (over the queries); each query's weights over the "
                          "keys (each column of A) must sum to 1.",
    "mask_hides_self": "Your causal mask hides the token itself: query i attends to every key j ≤ i, including "
                       "j = i.",
    "no_mask": "You left out the causal mask: query i may not attend to later keys j > i.",
    "mask_after_softmax": "You zeroed the masked weights after the softmax without renormalising: mask the scores "
                          "(−∞) before the softmax.",
    "no_residual": "You forgot the residual connection: add X to the attention output Z.",
    "weights_times_k": "You multiplied K with the weights; the output is the weighted sum of the values, Z = VA.",
}


def transposed(m: Any) -> list[list[float]]:
    return [list(r) for r in np.asarray(m, dtype=float).T]


def as_rows(p: Params) -> Params:
    """The row-layout instance with the same numbers: Xᵀ and each Wᵀ (the identity for ``rows``)."""
    if p.layout == "rows":
        return p
    return Params({**p, **{k: tuple(tuple(r) for r in transposed(p[k])) for k in WEIGHTS}, "layout": "rows"})


def flip(answers: dict[str, Any]) -> dict[str, Any]:
    return {k: np.asarray(v).T for k, v in answers.items()}


class ScaledDotProductV2(ScaledDotProduct):
    id = "attention/scaled_dot_product-v2"
    title = "Scaled dot-product self-attention (tokens as rows or columns)"
    catalog = "seed_004 B6; seed_000_001 B3; seed_003 B2-B4; seed_002 H1-H2"
    reference_entry = "examprep.reference.transformer:scaled_dot_product_v2"
    params = (*ScaledDotProduct.params,
              Param("layout", "choice", "rows (X n×d, Q = X W_q) or columns (X d×n, Q = W_q X)", choices=LAYOUTS,
                    default="rows"))

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        base = super().sample(rng, difficulty)
        if difficulty == "easy" or rng.random() < 0.5:
            return {**base, "layout": "rows"}
        return {**base, **{k: transposed(base[k]) for k in WEIGHTS}, "layout": "columns"}

    def check(self, p: Params) -> list[str]:
        if p.layout == "rows":
            return super().check(p)
        d = len(p.X)
        for name in ("W_q", "W_k", "W_v"):
            if len(p[name][0]) != d:
                raise ParamError(f"{name} has {len(p[name][0])} columns; with layout=columns it must have d = {d} "
                                 f"columns (X has {d} rows, and {name[-1].upper()} = {name} X)")
        if len(p.W_q) != len(p.W_k):
            raise ParamError(f"W_q and W_k must have the same number of rows (d_k); they have {len(p.W_q)} and "
                             f"{len(p.W_k)}")
        if p.residual and len(p.W_v) != d:
            raise ParamError(f"the residual X + Z needs d_v = d = {d}, but W_v has {len(p.W_v)} rows; use --set "
                             "residual=false or a square W_v")
        return super().check(as_rows(p))

    def degenerate(self, p: Params) -> str | None:
        return super().degenerate(as_rows(p))

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        if p.layout == "rows":
            return super().solve(p, given)
        # columns: the row form of the transposed numbers, the student's earlier values transposed likewise
        return flip(super().solve(as_rows(p), None if given is None else flip(given)))

    def statement(self, p: Params) -> list[Any]:
        if p.layout == "rows":
            return super().statement(p)
        d, n = len(p.X), len(p.X[0])
        dk = len(p.W_k)
        asks = "the queries Q, keys K and values V, the scaled scores S, the attention weights A and the output Z"
        out: list[Any] = [
            f"A self-attention head reads {n} tokens of dimension $d = {d}$, one token per column of X. "
            "Conventions: column vectors, $Q = W_q X$, $K = W_k X$, $V = W_v X$; $S = K^\\top Q / \\sqrt{d_k}$ "
            f"(row $j$ = key, column $i$ = query) with $d_k = {dk}$ (the number of rows of $W_k$); "
            "$A = \\operatorname{softmax}(S)$ taken over the keys of each query, so each column of A sums to 1; "
            "$Z = V A$."]
        if p.causal:
            out.append(" A causal mask is applied: query $i$ may attend only to keys $j \\le i$, itself included "
                       "(masked scores become $-\\infty$ before the softmax; S itself is reported before masking).")
        if p.residual:
            asks += ", and the residual output X + Z"
        out += [f" Compute {asks}. Give every value to {DP} decimal places.", "\n$X$ = ", mat(p.X),
                "\n$W_q$ = ", mat(p.W_q), "\n$W_k$ = ", mat(p.W_k), "\n$W_v$ = ", mat(p.W_v)]
        return out

    def derivation(self, p: Params) -> Derivation:
        if p.layout == "rows":
            return super().derivation(p)
        ans = self.solve(p)
        d = Derivation()
        X = Sym("X")
        for part, w in (("Q", "W_q"), ("K", "W_k"), ("V", "W_v")):
            d.add({"Q": "Queries", "K": "Keys", "V": "Values"}[part], ans[part], lhs=part,
                  formula=Sym(w) @ X, substituted=mat(p[w]) @ mat(p.X), part=part)
        Q, K = ans["Q"], ans["K"]
        raw = K.T @ Q
        d.add("Dot products of keys and queries", raw, lhs=Sym("K").T @ Sym("Q"), substituted=mat(K).T @ mat(Q),
              note="row j = key, column i = query")
        dk = K.shape[0]
        d.add("Scaled scores", ans["scores"], lhs="S", formula=(Sym("K").T @ Sym("Q")) / sqrt(Sym("d_k")),
              substituted=mat(raw) / sqrt(Num(dk)), part="scores")
        n = Q.shape[1]
        mask = causal_mask(n) if p.causal else None
        if mask is not None:
            d.add("Causal mask", mask.T.astype(int), lhs="M",
                  note="row j = key, column i = query: 1 = key j ≤ i may be attended to; 0 = a future key (−∞)")
        softmax_steps(d, ans["scores"].T, mask, part=None, sym=r"A^\top",
                      what="the keys of each query (shown one query per row, on the transpose)",
                      score=(r"S^\top", "S_{ji}"))
        d.add("Attention weights", ans["weights"], lhs="A", part="weights", note="each column sums to 1")
        d.add("Output", ans["output"], lhs="Z", formula=Sym("V") @ Sym("A"),
              substituted=mat(ans["V"]) @ mat(ans["weights"]), part="output")
        if p.residual:
            d.add("Residual connection", ans["residual_output"], lhs=X + Sym("Z"), formula=X + Sym("Z"),
                  substituted=mat(p.X) + mat(ans["output"]), part="residual_output")
        last = ans["residual_output"] if p.residual else ans["output"]
        d.answer = ("X + Z = " if p.residual else "Z = ") + "[" + ", ".join(
            "[" + ", ".join(f"{x:.4f}" for x in r) + "]" for r in arr(last)) + "]"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)
        if p.layout == "rows":
            m = dict(super().mistakes(p))
        else:
            m = {k: Mistake(flip(v.answers), COLUMN_FEEDBACK[k]) for k, v in super().mistakes(as_rows(p)).items()
                 if k in COLUMN_FEEDBACK}
        other = {k: np.asarray(v).T for k, v in truth.items()
                 if np.asarray(v).T.shape == np.asarray(v).shape and not np.allclose(np.asarray(v).T, v)}
        if other:
            m["other_layout"] = Mistake(other, "You used the other layout: here tokens are "
                                        + ("rows (Q = X W_q, rows of A sum to 1)." if p.layout == "rows"
                                           else "columns (Q = W_q X, S = KᵀQ/√d_k, columns of A sum to 1)."))
        return m
