"""L2 and L1 penalties: the penalty, the penalised loss, one gradient step, and the penalised optimum.

Catalog: seed_002 D1.

Parameters: w (the weights), lam (λ), norm (``l2``: Ω = ½Σw², ``l1``: Ω = Σ|w|), data_loss (L(w)), grad (∇L(w)),
lr; optional w_star and H (the diagonal of the Hessian at the unpenalised minimiser w*, for the quadratic
approximation L(w) ≈ L(w*) + ½Σ H_i (w_i − w*_i)²).

Answer parts: ``omega`` = Ω(w), ``penalized`` = L + λΩ, ``step`` = w − lr·(∇L + λ∇Ω) (∇Ω = w, or sign(w) with
sign(0) = 0), ``optimum`` (only with w_star and H): L2 H_i/(H_i + λ)·w*_i, L1 the soft threshold
sign(w*_i)·max(|w*_i| − λ/H_i, 0).

Reference: ``torch.optim.SGD(weight_decay=λ)`` for the L2 step, autograd of λ·‖w‖₁ for the L1 step, Ω by
``torch.linalg.vector_norm``, the optima by ``torch.linalg.solve`` (L2) and ``F.softshrink`` (L1)
(examprep.reference.regularization:penalty).

Common mistakes: the ½ dropped (Ω = Σw² and a 2λw gradient; D1: Ω 6.5); L1 squared (Σw_i² for Σ|w_i|); exact
zeros expected from L2 (the soft threshold used for the L2 optimum).

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
from examprep.problems.norm.stats import num as factor
from examprep.problems.norm.stats import total
from examprep.problems.optim.mistakes import lost, variant_mistakes
from examprep.problems.optim.objective import num, vec
from examprep.solver.expr import Func, Mat, Num, Sym
from examprep.solver.render import value_text
from examprep.solver.step import Derivation


def sign(x: float) -> float:
    return float((x > 0) - (x < 0))


def soft(ws: float, h: float, lam: float) -> float:
    return sign(ws) * max(abs(ws) - lam / h, 0.0)


class Penalty(ProblemType):
    id = "regularization/penalty-v1"
    title = "L2 and L1 penalties: penalised loss, gradient step, optimum"
    catalog = "seed_002 D1"
    reference_entry = "examprep.reference.regularization:penalty"
    params = (
        Param("w", "vector", "the weights w", lo=-100, hi=100),
        Param("lam", "real", "the penalty weight λ", lo=0, hi=100),
        Param("norm", "choice", "l2 (Ω = ½Σw²) or l1 (Ω = Σ|w|)", choices=("l2", "l1"), default="l2"),
        Param("data_loss", "real", "the data loss L(w)", lo=-1e6, hi=1e6),
        Param("grad", "vector", "the data-loss gradient ∇L(w)", lo=-1000, hi=1000),
        Param("lr", "real", "the learning rate η", lo=0, hi=10, default=0.1),
        Param("w_star", "vector", "the unpenalised minimiser w* (quadratic approximation)", lo=-100, hi=100,
              optional=True),
        Param("H", "vector", "the Hessian's diagonal at w* (positive)", lo=1e-6, hi=1e6, optional=True),
    )
    parts = (
        Part("omega", "The penalty Ω(w)", "real", final=False),
        Part("penalized", "The penalised loss L + λΩ", "real", uses=("omega",)),
        Part("step", "w after one gradient step on L + λΩ", "vector"),
        Part("optimum", "The minimiser of the penalised quadratic approximation", "vector"),
    )

    def active_parts(self, p: Params) -> tuple[Part, ...]:
        return self.parts if p.w_star is not None else self.parts[:3]

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n = 3
        out: dict[str, Any] = dict(
            w=tuple(float(v) / 2 for v in rng.choice([-4, -3, -2, -1, 1, 2, 3, 4], size=n)),
            lam=float((0.01, 0.1, 0.5)[int(rng.integers(3))]), norm=("l2", "l1")[int(rng.integers(2))],
            data_loss=float(rng.integers(2, 21)) / 10, grad=tuple(float(v) / 10 for v in rng.integers(-5, 6, size=n)),
            lr=0.1)
        if difficulty != "easy":
            out["w_star"] = tuple(float(v) / 10 for v in rng.integers(-25, 26, size=n))
            out["H"] = tuple(float(v) for v in rng.choice([1, 2, 4], size=n))
        return out

    def check(self, p: Params) -> list[str]:
        n = len(p.w)
        if len(p.grad) != n:
            raise ParamError(f"grad has {len(p.grad)} entries for {n} weights")
        if (p.w_star is None) != (p.H is None):
            raise ParamError("give w_star and H together (the quadratic approximation needs both)")
        if p.w_star is not None and (len(p.w_star) != n or len(p.H) != n):
            raise ParamError(f"w_star and H need one entry per weight ({n})")
        return []

    def run(self, p: Params, variant: str | None = None, given: Answers | None = None) -> Answers:
        """The answers, or those of a named mistake (``variant``); ``given``: the student's Ω (error carried
        forward)."""
        w, g, lam = list(map(float, p.w)), list(map(float, p.grad)), p.lam
        if p.norm == "l2":
            half = 1.0 if variant == "half_dropped" else 0.5
            omega = half * math.fsum(x * x for x in w)
            pen = [2 * half * x for x in w]
        elif variant == "l1_squared":
            omega, pen = math.fsum(x * x for x in w), [2 * x for x in w]
        else:
            omega, pen = math.fsum(abs(x) for x in w), [sign(x) for x in w]
        omega = carry(given, "omega", omega)
        ans: Answers = {"omega": omega, "penalized": p.data_loss + lam * omega,
                        "step": [x - p.lr * (gi + lam * q) for x, gi, q in zip(w, g, pen, strict=True)]}
        if p.w_star is not None:
            if p.norm == "l2" and variant != "exact_zeros_from_l2":
                ans["optimum"] = [h / (h + lam) * ws for ws, h in zip(p.w_star, p.H, strict=True)]
            else:
                ans["optimum"] = [soft(ws, h, lam) for ws, h in zip(p.w_star, p.H, strict=True)]
        return ans

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return self.run(p, given=given)

    def candidates(self, p: Params) -> dict[str, str]:
        if p.norm == "l2":
            out = {"half_dropped": "You dropped the ½: $\\Omega(w) = \\frac{1}{2} \\sum_i w_i^2$, whose gradient is "
                                   "$w$ (not $2w$)."}
            if p.w_star is not None:
                out["exact_zeros_from_l2"] = ("You soft-thresholded as for L1. L2 shrinks each weight by the factor "
                                              "$\\frac{H_i}{H_i + \\lambda}$ and never sets it exactly to 0.")
            return out
        return {"l1_squared": "You squared the weights. The L1 penalty is $\\Omega(w) = \\sum_i |w_i|$, with the "
                              "gradient $\\text{sign}(w_i)$."}

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return variant_mistakes(self, p)

    def degenerate(self, p: Params) -> str | None:
        if any(x == 0 for x in p.w):
            return "a weight is 0 (sign(0))"
        if p.w_star is not None and any(ws == 0 for ws in p.w_star):
            return "a coordinate of w* is 0"
        if p.w_star is not None and any(abs(abs(ws) - p.lam / h) < 1e-9 for ws, h in zip(p.w_star, p.H,
                                                                                          strict=True)):
            return "a weight sits exactly on the soft threshold"
        return lost(self.candidates(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        omega = "\\frac{1}{2} \\sum_i w_i^2" if p.norm == "l2" else "\\sum_i |w_i|"
        grad = ("$\\nabla \\Omega = w$" if p.norm == "l2" else
                "$\\nabla \\Omega = \\text{sign}(w)$ (with $\\text{sign}(0) = 0$)")
        seg: list[Any] = [
            f"Weights $w = {vec(p.w)}$ have the data loss $L(w) = {num(p.data_loss)}$ and the gradient "
            f"$\\nabla L(w) = {vec(p.grad)}$. The {p.norm.upper()} penalty is $\\Omega(w) = {omega}$ with "
            f"$\\lambda = {num(p.lam)}$. Give $\\Omega(w)$, the penalised loss $\\tilde{{L}} = L + \\lambda \\Omega$, "
            f"and the weights after one gradient step on $\\tilde{{L}}$ with $\\eta = {num(p.lr)}$: "
            f"$w - \\eta (\\nabla L + \\lambda \\nabla \\Omega)$, where {grad}."]
        if p.w_star is not None:
            seg += [f" Near the unpenalised minimiser $w^* = {vec(p.w_star)}$ the data loss is approximately "
                    "$L(w^*) + \\frac{1}{2} \\sum_i H_i (w_i - w^*_i)^2$ with the Hessian diagonal "
                    f"$H = {vec(p.H)}$: give the minimiser of $\\tilde{{L}}$ under this approximation."]
        return seg

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        w, lam = list(map(float, p.w)), p.lam
        if p.norm == "l2":
            d.add("Penalty", ans["omega"], lhs=Sym("Omega", tex="\\Omega"),
                  substituted=Num(0.5) * Func("paren", total([factor(x) ** 2 for x in w])), part="omega")
        else:
            d.add("Penalty", ans["omega"], lhs=Sym("Omega", tex="\\Omega"),
                  substituted=total([Func("abs", Num(x)) for x in w]), part="omega")
        d.add("Penalised loss", ans["penalized"], lhs=Sym("Lt", tex="\\tilde{L}"),
              formula=Sym("L") + Sym("lambda") * Sym("Omega", tex="\\Omega"),
              substituted=Num(p.data_loss) + Num(lam) * Num(ans["omega"]), part="penalized")
        pen = w if p.norm == "l2" else [sign(x) for x in w]
        d.add("Gradient step", ans["step"], lhs=Sym("w_new", tex="w'"),
              substituted=Mat([[Num(x) - Num(p.lr) * Func("paren", Num(gi) + Num(lam) * factor(q))
                                for x, gi, q in zip(w, p.grad, pen, strict=True)]]), part="step",
              note="$\\nabla \\Omega = w$ for L2 (weight decay)." if p.norm == "l2" else
              "$\\nabla \\Omega = \\text{sign}(w)$ for L1.")
        if p.w_star is not None:
            if p.norm == "l2":
                sub = Mat([[Num(h) / (Num(h) + Num(lam)) * factor(ws) for ws, h in zip(p.w_star, p.H, strict=True)]])
                note = "Each coordinate shrinks by $\\frac{H_i}{H_i + \\lambda}$; none becomes exactly 0."
            else:
                sub = Mat([[Num(sign(ws)) * Func("max", Func("abs", Num(ws)) - Num(lam) / Num(h), Num(0))
                            for ws, h in zip(p.w_star, p.H, strict=True)]])
                note = ("Soft threshold: a coordinate with $|w^*_i| \\le \\lambda/H_i$ becomes exactly 0.")
            d.add("Penalised optimum", ans["optimum"], lhs=Sym("wt", tex="\\tilde{w}"), substituted=sub,
                  part="optimum", note=note)
        d.answer = f"L̃ = {ans['penalized']:.6g}, step {value_text(ans['step'])}"
        return d
