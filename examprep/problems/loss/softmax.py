"""Softmax and cross-entropy by hand: the numbers and the derivation steps shared by the loss types.

The steps show what a student writes: each exponential e^{z_k}, their sum, each probability e^{z_k}/Σ, then each
cross-entropy term −q_k ln p_k. Rows are examples (one row for a single example).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.solver.expr import Add, Expr, Func, Mat, Num, Sym
from examprep.solver.step import Derivation


def softmax(z: Any) -> np.ndarray:
    """Row softmax (the row maximum subtracted first; the result is the same)."""
    a = np.asarray(z, dtype=float)
    e = np.exp(a - a.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def one_hot(targets: list[int], k: int) -> np.ndarray:
    out = np.zeros((len(targets), k))
    out[np.arange(len(targets)), targets] = 1.0
    return out


def smoothed(targets: list[int], k: int, eps: float, spread: int | None = None) -> np.ndarray:
    """(1 − ε)·onehot + ε/K; with ``spread`` = K − 1 the notes' other convention: ε/(K−1) on the wrong classes."""
    oh = one_hot(targets, k)
    if spread is None:
        return (1 - eps) * oh + eps / k
    return (1 - eps) * oh + (1 - oh) * eps / spread


def cross_entropy(probs: np.ndarray, q: np.ndarray, log: Any = np.log) -> np.ndarray:
    """−Σ_k q_k log p_k per row (terms with q_k = 0 count 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(q > 0, -q * log(np.where(q > 0, probs, 1.0)), 0.0)
    return terms.sum(axis=-1)


def num(x: Any) -> Num:
    f = float(x)
    return Num(int(f)) if f.is_integer() and abs(f) < 1e15 else Num(f)


def row_sum(xs: Any) -> Expr:
    return Add([(1, num(x)) for x in xs]) if len(xs) > 1 else num(xs[0])


def softmax_steps(d: Derivation, z: np.ndarray, batched: bool, part: str | None = "probs", sym: str = "p"
                  ) -> np.ndarray:
    """Exponentials, their sums and each p_k = e^{z_k}/Σ_j e^{z_j} (named ``sym``); returns the probabilities."""
    shift = z.max(axis=1, keepdims=True) if np.abs(z).max() > 30 else np.zeros((len(z), 1))
    e = np.exp(z - shift)
    sums = e.sum(axis=1)
    p = e / sums[:, None]
    note = "each row is one example" if batched else None
    if shift.any():
        note = "the largest logit of each row is subtracted first (the probabilities do not change)"
    pick = (lambda a: a) if batched else (lambda a: a[0])
    d.add("Exponentials $e^{z_k}$", pick(e), lhs=Sym("e", "e^z", "e^{z}", "e^z"),
          substituted=Mat([[Func("exp", num(x - s[0])) for x in row] for row, s in zip(z, shift, strict=True)]),
          note=note)
    d.add("Sum of the exponentials", pick(sums), lhs=Sym("S", "Σ_j e^z_j", r"\sum_j e^{z_j}", "sum_j e^(z_j)"),
          substituted=Mat([[row_sum(row)] for row in e]) if batched else row_sum(e[0]))
    d.add(f"Softmax ${sym}_k = \\frac{{e^{{z_k}}}}{{\\sum_j e^{{z_j}}}}$", pick(p), lhs=sym,
          substituted=Mat([[num(x) / num(s) for x in row] for row, s in zip(e, sums, strict=True)]), part=part)
    return p


def ce_terms_expr(p_row: np.ndarray, q_row: np.ndarray, log: str = "ln") -> Expr:
    """−Σ_k q_k ln p_k with the numbers in (terms with q_k = 0 left out; q_k = 1 not written)."""
    out: Expr | None = None
    for pk, qk in zip(p_row, q_row, strict=True):
        if qk == 0:
            continue
        t = Func(log, num(pk)) if qk == 1 else num(qk) * Func(log, num(pk))
        out = t if out is None else out + t
    assert out is not None
    return -Func("paren", out) if isinstance(out, Add) else -out
