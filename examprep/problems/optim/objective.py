"""The objective the optimiser-step types minimise: L(w) = Σ a_i (w_i − c_i)², or gradients given step by step.

Shared by ``optim/gd`` (quadratic mode), ``optim/momentum``, ``optim/adagrad``, ``optim/rmsprop`` and ``optim/adam``:
the parameters (a, c, loss_grads, w0, lr, steps), their checks, hand-sized sampling, the statement sentence and the
gradient step of a derivation. Catalog: seed_002 B1, C2–C6; seed_004 C17.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.solver.expr import Expr, Mat, Num, Sym, fmt_number, paren

A_VALUES = (0.5, 1, 2, 5, 10)
LR_VALUES = (0.01, 0.05, 0.1, 0.2)

OBJECTIVE_PARAMS = (
    Param("a", "vector", "curvatures a_i > 0 of L(w) = Σ a_i (w_i − c_i)² (1–2 coordinates)", lo=0.001, hi=1000,
          optional=True),
    Param("c", "vector", "the minimiser c of L(w) = Σ a_i (w_i − c_i)²", lo=-1000, hi=1000, optional=True),
    Param("loss_grads", "matrix", "the gradients ∇L given instead of a and c: a row per step", lo=-1000, hi=1000,
          optional=True),
    Param("w0", "vector", "the starting point w_0 (1–2 coordinates)", lo=-1000, hi=1000),
    Param("lr", "real", "the learning rate", lo=1e-6, hi=10),
    Param("steps", "int", "the number of steps (1–3; default: the rows of loss_grads, else 2)", lo=1, hi=3,
          optional=True),
)


def n_steps(p: Params) -> int:
    """The number of steps asked for."""
    if p.steps is not None:
        return int(p.steps)
    return len(p.loss_grads) if p.get("loss_grads") is not None else 2


def has_quadratic(p: Params) -> bool:
    return p.a is not None


def check_objective(p: Params, grads_allowed: bool = True, why: str = "") -> None:
    """Either a and c or loss_grads, each of w0's length (1–2 coordinates), a_i > 0, steps matching the rows."""
    d = len(p.w0)
    if d > 2:
        raise ParamError(f"w0 has {d} coordinates; give 1 or 2")
    if p.get("loss_grads") is not None:
        if not grads_allowed:
            raise ParamError(f"loss_grads cannot be used here{why}: give the objective as a and c")
        if p.a is not None or p.c is not None:
            raise ParamError("give either a and c or loss_grads, not both")
        if len(p.loss_grads[0]) != d:
            raise ParamError(f"loss_grads has {len(p.loss_grads[0])} columns but w0 has {d} coordinates")
        if p.steps is not None and len(p.loss_grads) != p.steps:
            raise ParamError(f"loss_grads has {len(p.loss_grads)} rows (one per step) but steps={p.steps}")
        if len(p.loss_grads) > 3:
            raise ParamError(f"loss_grads has {len(p.loss_grads)} rows; give 1–3 steps")
        return
    if p.a is None or p.c is None:
        raise ParamError("give the objective as a and c (L(w) = Σ a_i (w_i − c_i)²)"
                         + ("" if not grads_allowed else ", or the gradients as loss_grads"))
    if len(p.a) != d or len(p.c) != d:
        raise ParamError(f"a has {len(p.a)} entries, c {len(p.c)} and w0 {d}: give one per coordinate")


def gradient(p: Params, t: int, w: Sequence[float]) -> list[float]:
    """∇L at ``w`` for step ``t`` (from 1): 2a_i(w_i − c_i), or row t of loss_grads."""
    if p.get("loss_grads") is not None:
        return [float(x) for x in p.loss_grads[t - 1]]
    return [2 * a * (x - c) for a, x, c in zip(p.a, w, p.c, strict=True)]


def loss(p: Params, w: Sequence[float]) -> float:
    return sum(a * (x - c) ** 2 for a, x, c in zip(p.a, w, p.c, strict=True))


def num(x: float) -> str:
    """A number for $...$ math (ASCII minus; 1e-08 as 10^{-8}, 2.5e-05 as 2.5 \\times 10^{-5})."""
    s = fmt_number(x)
    if "e" not in s:
        return s
    mant, exp = s.split("e")
    return f"10^{{{int(exp)}}}" if mant == "1" else f"{mant} \\times 10^{{{int(exp)}}}"


def vec(v: Sequence[float]) -> str:
    """A vector for $...$ math: (1, -2)."""
    return "(" + ", ".join(num(x) for x in v) + ")" if len(v) > 1 else num(v[0])


def objective_text(p: Params) -> list[Any]:
    """Statement segments: the loss written out with its numbers, or the given gradients."""
    if p.get("loss_grads") is not None:
        return ["The loss gradients are given as the rows $G_1, G_2, \\ldots$ of $G = $ ",
                [list(r) for r in p.loss_grads], ": at step $t$, $\\nabla L(w_{t-1}) = G_t$ (do not recompute "
                "them). "]
    d = len(p.w0)
    terms = []
    for i, (a, c) in enumerate(zip(p.a, p.c, strict=True), start=1):
        w = "w" if d == 1 else f"w_{i}"
        inner = w if c == 0 else f"({w} {'-' if c > 0 else '+'} {num(abs(c))})"
        coef = "" if a == 1 else num(a)
        terms.append(f"{coef}{inner}^2")
    if d == 1:
        return [f"Minimise $L(w) = a (w - c)^2$ with $a = {num(p.a[0])}$ and $c = {num(p.c[0])}$, that is "
                f"$L(w) = {terms[0]}$; its gradient is $g = L'(w) = 2a(w - c)$. "]
    return [f"Minimise $L(w) = \\sum_i a_i (w_i - c_i)^2$ with $a = {vec(p.a)}$ and $c = {vec(p.c)}$, that is "
            f"$L(w) = {' + '.join(terms)}$; its gradient $g = \\nabla L(w)$ has the entries "
            "$\\frac{\\partial L}{\\partial w_i} = 2 a_i (w_i - c_i)$. "]


def start_text(p: Params) -> str:
    return f"Start at $w_0 = {vec(p.w0)}$ with learning rate $\\eta = {num(p.lr)}$ and take {n_steps(p)} step" + (
        "s" if n_steps(p) > 1 else "") + " ($t = 1, 2, \\ldots$). "


def sample_objective(rng: np.random.Generator, difficulty: str, grads_ok: bool = True,
                     lr_values: Sequence[float] = LR_VALUES) -> dict[str, Any]:
    """Hand-sized a, c, w0 (or given gradients), lr and steps; GD on the quadratic stays stable (lr·a < 1)."""
    d = 1 if difficulty == "easy" else int(rng.integers(1, 3))
    steps = {"easy": 2, "medium": 2, "hard": 3}[difficulty]
    if difficulty == "easy" and rng.integers(2):
        steps = 1 + int(rng.integers(2))
    lr = float(lr_values[int(rng.integers(len(lr_values)))])
    w0 = tuple(float(x) / 2 for x in rng.integers(-4, 5, size=d))
    if grads_ok and difficulty != "easy" and rng.integers(3) == 0:
        g = tuple(tuple(float(x) / 2 for x in rng.integers(-6, 7, size=d)) for _ in range(steps))
        return dict(loss_grads=g, w0=w0, lr=lr, steps=steps)
    a_ok = [a for a in A_VALUES if lr * a < 1]
    a = tuple(float(a_ok[int(i)]) for i in rng.integers(len(a_ok), size=d))
    c = tuple(float(x) for x in rng.integers(-3, 4, size=d))
    return dict(a=a, c=c, w0=w0, lr=lr, steps=steps)


# ---- derivation pieces -------------------------------------------------------------------------------------------

def sym(name: str, t: int | str, latex: str | None = None, text: str | None = None) -> Sym:
    """A per-step symbol such as g_2, buf_1, m̂_3: the step is its subscript."""
    return Sym(f"{name}_{t}", tex=f"{latex or name}_{{{t}}}")


def vector_expr(entries: Sequence[Expr]) -> Expr:
    """One expression for a scalar, a row for a vector."""
    return entries[0] if len(entries) == 1 else Mat([list(entries)])


def shown(v: Sequence[float]) -> Any:
    """A step's value: a number for one coordinate, a list otherwise."""
    return float(v[0]) if len(v) == 1 else [float(x) for x in v]


def gradient_substituted(p: Params, t: int, w: Sequence[float], decay: float = 0.0) -> Expr | None:
    """2·a_i·(w_i − c_i) (+ λ·w_i) with the numbers in, per coordinate; None for given gradients."""
    out = []
    for i, x in enumerate(w):
        if p.get("loss_grads") is not None:
            e: Expr = Num(float(p.loss_grads[t - 1][i]))
        else:
            e = Num(2) * Num(float(p.a[i])) * paren(Num(float(x)) - Num(float(p.c[i])))
        if decay:
            e = e + Num(decay) * Num(float(x))
        out.append(e)
    return vector_expr(out)


def gradient_formula(p: Params, t: int, decay: bool = False, at: str = "w") -> Expr:
    """The symbolic gradient at w_{t−1} (or at the look-ahead point), coordinate by coordinate."""
    k = t if at == "wt" else t - 1  # the look-ahead point of step t is w̃_t
    w = Sym(f"{at}_{k}", tex=(r"\tilde{w}" if at == "wt" else "w") + f"_{{{k}}}")
    if p.get("loss_grads") is not None:
        g: Expr = Sym("G_t", tex=f"G_{{{t}}}")
    else:
        g = Num(2) * Sym("a") * paren(w - Sym("c"))
    return g + Sym("lambda") * w if decay else g


def coordwise(d: Any, title: str, value: Sequence[float], lhs: Expr, formula: Expr, fn: Any,
              *vectors: Sequence[float], part: str | None = None, note: str | None = None) -> None:
    """A derivation step computed coordinate by coordinate: ``fn`` builds one coordinate's expression from the
    numbers of ``vectors`` at that coordinate (as Num)."""
    subs = [fn(*(Num(float(v[i])) for v in vectors)) for i in range(len(value))]
    d.add(title, shown(value), lhs=lhs, formula=formula, substituted=vector_expr(subs), part=part, note=note)


def gradient_step(d: Any, p: Params, t: int, w: Sequence[float], g: Sequence[float]) -> None:
    """The derivation step g_t = ∇L(w_{t−1}) with the numbers in (or the given row)."""
    d.add(f"Step {t}: gradient", shown(g), lhs=sym("g", t), formula=gradient_formula(p, t),
          substituted=gradient_substituted(p, t, w))
