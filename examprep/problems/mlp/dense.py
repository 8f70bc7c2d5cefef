"""Dense layers by hand: z = W a + b with W of shape (out × in), as `nn.Linear` stores it, and its derivation step
showing each row's dot product with the numbers in."""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.problems.mlp.activation_fns import n
from examprep.solver.expr import Add, Expr, Mat


def dense(W: Any, a: Any, b: Any = None, scale: float = 1.0) -> np.ndarray:  # noqa: N803
    """scale·W a + b for a vector a, or for each row of a matrix a (one example per row)."""
    Wa = np.asarray(W, dtype=float)  # noqa: N806
    x = np.asarray(a, dtype=float)
    out = scale * (x @ Wa.T)
    return out + (np.asarray(b, dtype=float) if b is not None else 0.0)


def dense_expr(W: Any, a: Any, b: Any = None, inv_n: int | None = None) -> Expr:  # noqa: N803
    """[Σ_j W_kj a_j + b_k]_k with the numbers in (1/n·(...) + b_k when ``inv_n`` is given)."""
    from examprep.solver.expr import Func, Num

    cells = []
    for k, row in enumerate(W):
        terms = [(-1 if w < 0 else 1, n(abs(w)) * n(x)) for w, x in zip(row, a, strict=True)]
        s: Expr = Add(terms) if len(terms) > 1 or terms[0][0] < 0 else terms[0][1]
        if inv_n is not None:
            s = Num(1) / Num(inv_n) * Func("paren", s)
        if b is not None:
            s = Add([(1, s), (-1 if b[k] < 0 else 1, n(abs(b[k])))])
        cells.append(s)
    return Mat([cells])
