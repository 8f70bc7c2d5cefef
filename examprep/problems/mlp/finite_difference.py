"""Finite-difference gradients against the exact derivative, and what they cost in forward passes.

Catalog: seed_002 B3 (forward difference (L(w+h) − L(w))/h, O(h); central (L(w+h) − L(w−h))/(2h), O(h²); N + 1 or
2N forward passes for N weights; f = w³ at w = 2, h = 0.1: 12.61, 12.01, exact 12).

Parameters:
    coeffs: the polynomial f(w) = Σ_k c_k w^k, c_0 first (degree at most 4).
    w: the point; h: the step (> 0); n_weights: N, the number of weights for the cost question.

Answer parts: ``forward``, ``central``, ``exact`` (f′(w)), ``passes_forward`` (N + 1: f(w) once, then one
perturbed pass per weight) and ``passes_central`` (2N). Computed in exact fractions of the decimals given.

Conventions stated in the prompt: the two formulas; a forward pass evaluates the loss once.

Reference: torch: the derivatives f^(j)(w) by repeated autograd and the differences by their (finite) Taylor
series, no cancellation (examprep.reference.mlp:finite_difference).

Common mistakes: the central difference divided by h instead of 2h; N passes instead of N + 1 or 2N.

Versions: v1 — first version.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType
from examprep.problems.mlp.activation_fns import n
from examprep.problems.mlp.near_miss import add, near_miss
from examprep.problems.mlp.numbers import grid
from examprep.solver.expr import Add, Expr, Func, Num, Sym
from examprep.solver.step import Derivation

SF = 5


def frac(x: float) -> Fraction:
    return Fraction(repr(float(x)))


def poly(coeffs: Any, w: Fraction) -> Fraction:
    return sum((frac(c) * w ** k for k, c in enumerate(coeffs)), Fraction(0))


def poly_expr(coeffs: Any, arg: Expr) -> Expr:
    """Σ c_k·(arg)^k with the numbers in (zero terms left out)."""
    terms: list[tuple[int, Expr]] = []
    for k, c in enumerate(coeffs):
        if c == 0:
            continue
        base: Expr = Num(1) if k == 0 else (arg if k == 1 else Func("paren", arg) ** k
                                             if not isinstance(arg, (Num, Sym)) else arg ** k)
        mag = n(abs(c))
        term = mag if k == 0 else (base if abs(c) == 1 else mag * base)
        terms.append((-1 if c < 0 else 1, term))
    return Add(terms) if terms else Num(0)


class FiniteDifference(ProblemType):
    id = "mlp/finite_difference-v1"
    title = "Finite-difference gradients and their cost"
    catalog = "seed_002 B3"
    reference_entry = "examprep.reference.mlp:finite_difference"
    params = (
        Param("coeffs", "vector", "polynomial coefficients c_0, c_1, ... (degree ≤ 4)", lo=-1000, hi=1000),
        Param("w", "real", "the point", lo=-100, hi=100),
        Param("h", "real", "the step", lo=1e-6, hi=10, default=0.1),
        Param("n_weights", "int", "N, the number of weights", lo=1, hi=10 ** 12, default=1_000_000),
    )
    parts = (
        Part("forward", "Forward difference", "real", mode="sigfig", digits=SF),
        Part("central", "Central difference", "real", mode="sigfig", digits=SF),
        Part("exact", "Exact derivative f′(w)", "real", mode="sigfig", digits=SF),
        Part("passes_forward", "Forward passes for forward differences", "integer"),
        Part("passes_central", "Forward passes for central differences", "integer"),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        deg = {"easy": 2, "medium": 3, "hard": int(rng.integers(3, 5))}[difficulty]
        coeffs = grid(rng, -3, 3, difficulty, deg + 1)
        if coeffs[-1] == 0:
            coeffs[-1] = 1
        return dict(coeffs=coeffs, w=grid(rng, -2, 3, difficulty), h=(0.1, 0.01)[int(rng.integers(2))],
                    n_weights=int(rng.choice([10, 100, 1000, 10 ** 6])))

    def check(self, p: Params) -> list[str]:
        if not 1 <= len(p.coeffs) <= 5:
            raise ParamError(f"coeffs has {len(p.coeffs)} entries: give c_0 ... c_k with degree k ≤ 4 (1 to 5 "
                             "coefficients)")
        return []

    def degenerate(self, p: Params) -> str | None:
        a = self.solve(p)
        if abs(a["forward"] - a["exact"]) < 5e-4:
            return "the forward difference equals the exact derivative to 4 decimals"
        return near_miss(self, a, self.mistakes(p))

    def values(self, p: Params) -> tuple[Fraction, Fraction, Fraction, Fraction]:
        w, h = frac(p.w), frac(p.h)
        return w, h, poly(p.coeffs, w + h), poly(p.coeffs, w - h)

    def solve(self, p: Params) -> Answers:
        w, h, up, down = self.values(p)
        exact = sum((k * frac(c) * w ** (k - 1) for k, c in enumerate(p.coeffs) if k), Fraction(0))
        return {"forward": float((up - poly(p.coeffs, w)) / h), "central": float((up - down) / (2 * h)),
                "exact": float(exact), "passes_forward": p.n_weights + 1, "passes_central": 2 * p.n_weights}

    def statement(self, p: Params) -> list[Any]:
        return ["Take the polynomial f(w) = ", poly_expr(p.coeffs, Sym("w")), f" at w = {n(p.w)} with step "
                f"h = {p.h:g}. Give the forward difference "
                "$\\frac{f(w + h) - f(w)}{h}$, the central difference $\\frac{f(w + h) - f(w - h)}{2h}$ and the "
                f"exact derivative $f'(w)$, to {SF} significant figures. Then: a network has N = {p.n_weights:,} "
                "weights; estimating its gradient by perturbing one weight at a time, how many forward passes (one "
                "loss evaluation each) do forward differences and central differences need?"]

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        w, h, up, down = self.values(p)
        f0 = poly(p.coeffs, w)
        d = Derivation()
        W, H = n(p.w), n(p.h)  # noqa: N806
        d.add("$f(w + h)$", float(up), lhs=Sym("f_plus", "f(w + h)", "f(w + h)", "f(w + h)"),
              substituted=poly_expr(p.coeffs, W + H))
        d.add("$f(w)$", float(f0), lhs=Sym("f_0", "f(w)", "f(w)", "f(w)"), substituted=poly_expr(p.coeffs, W))
        d.add("$f(w - h)$", float(down), lhs=Sym("f_minus", "f(w − h)", "f(w - h)", "f(w - h)"),
              substituted=poly_expr(p.coeffs, W - H))
        d.add("Forward difference $\\frac{f(w + h) - f(w)}{h}$ (error of order h)", a["forward"], lhs="D_fwd",
              substituted=Func("paren", n(float(up)) - n(float(f0))) / H, part="forward")
        d.add("Central difference $\\frac{f(w + h) - f(w - h)}{2h}$ (error of order $h^2$)", a["central"],
              lhs="D_ctr", substituted=Func("paren", n(float(up)) - n(float(down))) / (Num(2) * H), part="central")
        deriv = [k * c for k, c in enumerate(p.coeffs)][1:]
        d.add("Exact derivative $f'(w) = \\sum_k k c_k w^{k-1}$", a["exact"], lhs=Sym("df", "f′(w)", "f'(w)", "f'(w)"),
              substituted=poly_expr(deriv, W) if deriv else Num(0), part="exact")
        N = Num(p.n_weights)  # noqa: N806
        d.add("Forward differences: f(w) once, then one pass per perturbed weight", a["passes_forward"],
              lhs="passes", substituted=N + 1, part="passes_forward")
        d.add("Central differences: two passes per weight ($w_i + h$ and $w_i - h$)", a["passes_central"],
              lhs="passes", substituted=Num(2) * N, part="passes_central",
              note="backpropagation needs about one forward and one backward pass for all N weights at once")
        d.answer = f"forward {a['forward']:.6g}, central {a['central']:.6g}, exact {a['exact']:.6g}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)
        m: dict[str, Mistake] = {}
        add(m, "central_over_h", {"central": 2 * truth["central"]}, truth,
            "The central difference spans $2h$, from $w - h$ to $w + h$: divide by $2h$, not h.")
        add(m, "n_passes", {"passes_forward": p.n_weights, "passes_central": p.n_weights}, truth,
            "Count the passes: forward differences need f(w) once plus one pass per weight (N + 1); central "
            "differences need two per weight (2N).")
        return m
