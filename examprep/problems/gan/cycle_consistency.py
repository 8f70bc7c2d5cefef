"""The CycleGAN cycle-consistency loss for two linear translators G: X → Y and F: Y → X.

Catalog: seed_000_001 F4 (the notes describe the idea without a formula; Zhu et al. 2017 give
L_cyc = E‖F(G(x)) − x‖₁ + E‖G(F(y)) − y‖₁ and the total weight λ = 10).

Parameters:
    G, F: the translators as square matrices (y = G·x, x = F·y). x: samples of X, one per row. y: samples of Y,
    one per row. lam: the weight λ (default 10). reduction: ``sum`` (the L1 norm of each sample's difference,
    averaged over the samples) or ``mean`` (the mean absolute difference over all elements, as ``F.l1_loss``).

Answer parts: ``x_cycle`` = F(G(x)) and ``y_cycle`` = G(F(y)) (one row per sample), ``l_cyc`` (both directions)
and ``total`` = λ·l_cyc.

Conventions stated in the prompt: y = G·x for column vectors, the reduction, both directions, λ.

Reference: the round trips as batched matrix products and ``F.l1_loss`` with the matching reduction
(examprep.reference.gan:cycle_consistency).

Common mistakes: the squared L2 distance instead of L1, one direction only, λ left out.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.gan.fair import near_miss, visible
from examprep.solver.expr import Expr, Func, Mat, Num, Sym, paren
from examprep.solver.step import Derivation


def apply(M: Any, rows: Any) -> list[list[float]]:
    """M·r for every row r (rows as column vectors)."""
    return (np.asarray(rows, dtype=float) @ np.asarray(M, dtype=float).T).tolist()


def distance(a: Any, b: Any, reduction: str, power: int = 1) -> float:
    """Mean over samples of Σ|a − b|^power (``sum``), or the mean over all elements (``mean``)."""
    diff = np.abs(np.asarray(a, dtype=float) - np.asarray(b, dtype=float)) ** power
    per = diff.sum(1) if reduction == "sum" else diff.mean(1)
    return float(per.mean())


class CycleConsistency(ProblemType):
    id = "gan/cycle_consistency-v1"
    title = "CycleGAN cycle-consistency loss"
    catalog = "seed_000_001 F4"
    reference_entry = "examprep.reference.gan:cycle_consistency"
    params = (
        Param("G", "matrix", "the translator X → Y (y = G·x)", lo=-100, hi=100),
        Param("F", "matrix", "the translator Y → X (x = F·y)", lo=-100, hi=100),
        Param("x", "matrix", "samples of X, one per row", lo=-100, hi=100),
        Param("y", "matrix", "samples of Y, one per row", lo=-100, hi=100),
        Param("lam", "real", "the weight λ of the cycle loss", lo=0, hi=1000, default=10.0),
        Param("reduction", "choice", "sum: L1 norm per sample, mean over samples; mean: over all elements",
              choices=("sum", "mean"), default="sum"),
    )
    parts = (
        Part("x_cycle", "F(G(x)), one row per sample", "matrix", final=False),
        Part("y_cycle", "G(F(y)), one row per sample", "matrix", final=False),
        Part("l_cyc", "The cycle-consistency loss", "real", uses=("x_cycle", "y_cycle")),
        Part("total", "λ times the cycle loss", "real", uses=("l_cyc",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        def pick(values: Any, n: int) -> list[float]:
            return [float(values[int(i)]) for i in rng.integers(len(values), size=n)]

        if difficulty == "hard":
            G, F = [pick([1, 2, -1, 0.5], 2) for _ in range(2)], [pick([0.5, 1, -0.5, 0], 2) for _ in range(2)]
        else:
            g, f = pick([0.5, 1, 2, 3], 2), pick([0.25, 0.5, 0.8, 1, 2], 2)
            G, F = [[g[0], 0.0], [0.0, g[1]]], [[f[0], 0.0], [0.0, f[1]]]
        nx, ny = (1, 1) if difficulty == "easy" else (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
        vals = np.arange(-2, 2.01, 1.0 if difficulty == "easy" else 0.5)
        red = "sum" if difficulty == "easy" else ("sum", "mean")[int(rng.integers(2))]
        return dict(G=G, F=F, x=[pick(vals, 2) for _ in range(nx)], y=[pick(vals, 2) for _ in range(ny)],
                    lam=10.0, reduction=red)

    def check(self, p: Params) -> list[str]:
        d = len(p.G)
        for name in ("G", "F"):
            if len(p[name]) != len(p[name][0]) or len(p[name]) != d:
                raise ParamError(f"{name} must be a square matrix of the same size as G ({d}×{d})")
        for name in ("x", "y"):
            if len(p[name][0]) != d:
                raise ParamError(f"each row of {name} needs {d} entries (the size of G)")
        return []

    def degenerate(self, p: Params) -> str | None:
        ans = self.solve(p)
        if distance(ans["x_cycle"], p.x, p.reduction) < 1e-9 or distance(ans["y_cycle"], p.y, p.reduction) < 1e-9:
            return "a round trip returns its samples exactly"
        return near_miss(ans, self.all_mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        how = (r"the L1 norm $\lVert v \rVert_1 = \sum_k |v_k|$ of each sample's difference, averaged over the "
               "samples" if p.reduction == "sum" else
               r"the mean absolute difference over all elements (every sample and coordinate)")
        return [
            r"A CycleGAN translates with $G(x) = G x$ and $F(y) = F y$ (column vectors), where $G = $ ",
            [list(r) for r in p.G], r" and $F = $ ", [list(r) for r in p.F], ". The samples of $X$ are (one per row) ",
            [list(r) for r in p.x], r" and of $Y$ ", [list(r) for r in p.y], r". Give the round trips $F(G(x))$ and "
            r"$G(F(y))$ of every sample, the cycle-consistency loss $L_{cyc} = d(F(G(x)), x) + d(G(F(y)), y)$ with "
            r"$d$ " + how + rf", and $\lambda L_{{cyc}}$ with $\lambda = {p.lam:g}$."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        xc = carry(given, "x_cycle", apply(p.F, apply(p.G, p.x)))
        yc = carry(given, "y_cycle", apply(p.G, apply(p.F, p.y)))
        l_cyc = carry(given, "l_cyc", distance(xc, p.x, p.reduction) + distance(yc, p.y, p.reduction))
        return {"x_cycle": xc, "y_cycle": yc, "l_cyc": l_cyc, "total": p.lam * l_cyc}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        a, b = Sym("a"), Sym("b")
        for name, first, second, rows, key in (("x", p.G, p.F, p.x, "x_cycle"), ("y", p.F, p.G, p.y, "y_cycle")):
            outer = "F(G(x))" if name == "x" else "G(F(y))"
            d.add(f"Round trip {outer}", ans[key], lhs=Sym(f"c_{name}", tex=outer),
                  substituted=Mat([[_row(second, _row(first, [Num(v) for v in r]), i) for i in range(len(r))]
                                   for r in rows]), part=key)
            per = [_sum([Func("abs", Num(c) - _n(v)) for c, v in zip(cr, r, strict=True)]) for cr, r in
                   zip(ans[key], rows, strict=True)]
            k = len(rows) * (1 if p.reduction == "sum" else len(rows[0]))
            value = distance(ans[key], rows, p.reduction)
            d.add(f"L1 term of {name}", value, lhs=a if name == "x" else b,
                  substituted=paren(_sum(per)) / k if k > 1 else _sum(per),
                  note=(f"${'a' if name == 'x' else 'b'} = d({outer}, {name})$: "
                        + ("the L1 norm per sample, averaged over the samples" if p.reduction == "sum"
                           else "the absolute differences averaged over all elements")))
        xa = distance(ans["x_cycle"], p.x, p.reduction)
        yb = distance(ans["y_cycle"], p.y, p.reduction)
        d.add("Cycle-consistency loss", ans["l_cyc"], lhs=Sym("L_cyc"), formula=a + b, subs={a: xa, b: yb},
              part="l_cyc")
        d.add("Weighted", ans["total"], lhs=Sym("T", tex=r"\lambda L_{cyc}"),
              substituted=Num(p.lam) * Num(ans["l_cyc"]), part="total")
        d.answer = f"L_cyc = {ans['l_cyc']:.6g}; λ·L_cyc = {ans['total']:.6g}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return visible(self.solve(p), self.all_mistakes(p))

    def all_mistakes(self, p: Params) -> dict[str, Mistake]:
        """Every named mistake that applies to these parameters."""
        ans = self.solve(p)
        sq = distance(ans["x_cycle"], p.x, p.reduction, 2) + distance(ans["y_cycle"], p.y, p.reduction, 2)
        one = distance(ans["x_cycle"], p.x, p.reduction)
        return {
            "squared_l2": Mistake({"l_cyc": sq, "total": p.lam * sq},
                                  "The cycle loss takes absolute differences (L1), not squared ones."),
            "one_direction": Mistake({"l_cyc": one, "total": p.lam * one},
                                     r"The cycle loss has both directions: $x \to G(x) \to F(G(x))$ and "
                                     r"$y \to F(y) \to G(F(y))$."),
            "lambda_dropped": Mistake({"total": ans["l_cyc"]}, r"Multiply the cycle loss by $\lambda$."),
        }


def _row(M: Any, v: list[Expr], i: int | None = None) -> Any:
    """(M·v) as expressions, or its entry i."""
    out = [_sum([_n(M[r][c]) * v[c] for c in range(len(v)) if M[r][c] != 0] or [Num(0)]) for r in range(len(M))]
    return out if i is None else out[i]


def _n(x: float) -> Expr:
    return paren(Num(x)) if x < 0 else Num(x)


def _sum(terms: list[Expr]) -> Expr:
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total
