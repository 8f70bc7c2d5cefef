"""Gradient descent on a quadratic or on the squared error of a line ŷ = w·x + b, step by step.

Catalog: seed_002 B1; seed_000_001 A1 (summed squared error); seed_004 A3 (mean squared error).

Parameters:
    a, c: the quadratic L(w) = Σ a_i (w_i − c_i)² (1–2 coordinates, a_i > 0); or
    x, y, reduction: the points of a line fit ŷ = w·x + b with E(w, b) = Σ (w·x_i + b − y_i)² (``sum``, the
        default) or its mean (``mean``); w0 is then (w, b).
    w0, lr, steps: start, learning rate, 1–3 steps of w_t = w_{t−1} − lr·∇L(w_{t−1}).

Answer parts: ``grads`` (a row per step, ∇L at w_{t−1}), ``iterates`` (a row per step), ``losses`` (at w_0 and after
each step), ``lr_max`` = 2/λ_max of the Hessian (GD diverges above it), ``w_star`` (the minimiser).

Reference: ``torch.optim.SGD`` stepped on the autograd gradient, the Hessian by double backward and ``eigvalsh``,
the minimiser by least squares with ``pinv`` (examprep.reference.optim:gd).

Common mistakes: ascent (+lr·g), the factor 2 dropped, the mean taken where the sum is asked (or the reverse), and
a non-simultaneous update (b's gradient at the new w).

Versions: v1 — first version.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType
from examprep.problems.optim import objective as ob
from examprep.problems.optim.mistakes import distinct, lost
from examprep.problems.optim.stepper import row
from examprep.solver.expr import Func, Mat, Num, Pow, Sym, paren
from examprep.solver.render import value_text
from examprep.solver.step import Derivation


def _scale(p: Params) -> float:
    return 1 / len(p.x) if p.reduction == "mean" else 1.0


def regression_grad(p: Params, w: list[float], scale: float, two: float = 2.0) -> list[float]:
    """(∂E/∂w, ∂E/∂b) for the line fit at (w, b)."""
    r = [w[0] * xi + w[1] - yi for xi, yi in zip(p.x, p.y, strict=True)]
    return [two * scale * math.fsum(ri * xi for ri, xi in zip(r, p.x, strict=True)), two * scale * math.fsum(r)]


def regression_loss(p: Params, w: list[float], scale: float) -> float:
    return scale * math.fsum((w[0] * xi + w[1] - yi) ** 2 for xi, yi in zip(p.x, p.y, strict=True))


class GradientDescent(ProblemType):
    id = "optim/gd-v1"
    title = "Gradient descent steps, stable learning rate and minimiser"
    catalog = "seed_002 B1; seed_000_001 A1; seed_004 A3"
    reference_entry = "examprep.reference.optim:gd"
    params = (
        ob.OBJECTIVE_PARAMS[0], ob.OBJECTIVE_PARAMS[1],
        Param("x", "vector", "inputs x_i of the line fit ŷ = w·x + b", lo=-100, hi=100, optional=True),
        Param("y", "vector", "targets y_i of the line fit", lo=-100, hi=100, optional=True),
        Param("reduction", "choice", "squared errors summed (sum) or averaged (mean)", choices=("sum", "mean"),
              default="sum"),
        ob.OBJECTIVE_PARAMS[3], ob.OBJECTIVE_PARAMS[4],
        Param("steps", "int", "the number of steps (1–3)", lo=1, hi=3, default=2),
    )
    parts = (
        Part("grads", "The gradient ∇L(w_{t−1}) of each step, a row per step", "matrix", final=False,
             uses=("iterates",)),  # g_t at the student's w_{t−1}: a cycle, followed row by row
        Part("iterates", "w_t after each step, a row per step", "matrix", uses=("grads",)),
        Part("losses", "L(w_0), L(w_1), …", "vector", uses=("iterates",)),
        Part("lr_max", "The largest stable learning rate 2/λ_max", "real"),
        Part("w_star", "The minimiser w*", "vector"),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        if difficulty == "easy" or rng.integers(2):
            out = ob.sample_objective(rng, difficulty, grads_ok=False, lr_values=(0.05, 0.1, 0.2))
            return out
        n = 3 if difficulty != "hard" else int(rng.integers(3, 5))
        x = tuple(float(v) for v in np.sort(rng.choice(np.arange(0, 5), size=n, replace=False)))
        y = tuple(float(v) for v in rng.integers(-2, 7, size=n))
        red = "sum" if rng.integers(3) else "mean"
        w0 = (0.0, 0.0) if difficulty != "hard" else tuple(float(v) for v in rng.integers(-1, 2, size=2))
        steps = 2 if difficulty != "hard" else 3
        pp = Params(x=x, y=y, reduction=red)
        lr_cap = 0.95 * _lr_max_line(pp)
        lrs = [v for v in (0.01, 0.02, 0.05, 0.1, 0.2) if v < lr_cap]
        lr = lrs[int(rng.integers(len(lrs)))] if lrs else 0.01
        return dict(x=x, y=y, reduction=red, w0=w0, lr=float(lr), steps=steps)

    def check(self, p: Params) -> list[str]:
        if p.x is not None or p.y is not None:
            if p.a is not None or p.c is not None:
                raise ParamError("give either a and c (a quadratic) or x and y (a line fit), not both")
            if p.x is None or p.y is None or len(p.x) != len(p.y):
                raise ParamError("give x and y with one entry per point")
            if len(p.w0) != 2:
                raise ParamError(f"w0 has {len(p.w0)} entries; the line fit starts from w0 = (w, b)")
            if len(set(p.x)) < 2:
                raise ParamError("x needs at least two different values (else the minimiser is not unique)")
            return []
        ob.check_objective(p.replace(loss_grads=None), grads_allowed=False)
        return []

    def line(self, p: Params) -> bool:
        return p.x is not None

    def degenerate(self, p: Params) -> str | None:
        ans = self.solve(p)
        if np.abs(np.asarray(ans["grads"])).min() == 0:
            return "a gradient entry is 0"
        if not self.line(p) and any(2 * p.lr * a == 1 for a in p.a):
            return "a step lands exactly on the minimiser (2·lr·a = 1)"
        if max(abs(v) for v in ans["losses"]) > 1e4:
            return "the losses are not hand-sized"
        return lost(self.candidates(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        k = p.steps
        rule = r"$w_t = w_{t-1} - \eta \nabla L(w_{t-1})$"
        if self.line(p):
            pts = ", ".join(f"({ob.num(a)}, {ob.num(b)})" for a, b in zip(p.x, p.y, strict=True))
            n = len(p.x)
            loss = (r"L(w, b) = \sum_{i=1}^{" + str(n) + r"} (w x_i + b - y_i)^2" if p.reduction == "sum" else
                    r"L(w, b) = \frac{1}{" + str(n) + r"} \sum_{i=1}^{" + str(n) + r"} (w x_i + b - y_i)^2")
            head = [f"Fit the line $\\hat{{y}} = w x + b$ to the points $(x_i, y_i)$ = {pts} by minimising the "
                    f"{'summed' if p.reduction == 'sum' else 'mean'} squared error ${loss}$ over the parameter "
                    f"vector $(w, b)$. "]
            start = f"Start at $(w, b) = {ob.vec(p.w0)}$"
        else:
            head = ob.objective_text(p)
            start = f"Start at $w_0 = {ob.vec(p.w0)}$"
        return head + [
            f"{start} and take {k} gradient-descent step{'s' if k > 1 else ''} {rule} with $\\eta = {ob.num(p.lr)}$ "
            "($t$ counts from 1; all coordinates are updated at once from the same gradient). "
            "Give the gradient $g_t = \\nabla L(w_{t-1})$ of each step and the iterate $w_t$ (a row per step), the "
            f"losses $L(w_0), \\ldots, L(w_{k})$, the largest stable learning rate "
            "$\\eta_{\\max} = 2/\\lambda_{\\max}$ ($\\lambda_{\\max}$: the largest eigenvalue of the Hessian "
            "$\\nabla^2 L$) and the minimiser $w^*$."
        ]

    # ---- the answer, as a chain of parts --------------------------------------------------------------------------
    def grad(self, p: Params, t: int, w: list[float]) -> list[float]:
        return regression_grad(p, w, _scale(p)) if self.line(p) else ob.gradient(p, t, w)

    def loss(self, p: Params, w: list[float]) -> float:
        return regression_loss(p, w, _scale(p)) if self.line(p) else ob.loss(p, w)

    def run(self, p: Params, grad: Any = None, sign: float = -1.0,
            given: Answers | None = None) -> tuple[list[list[float]], list[list[float]]]:
        """(gradients, iterates) of ``p.steps`` steps w ← w + sign·lr·grad(t, w).

        ``given``: the student's gradients and iterates (error carried forward, step by step). Row t of each part
        is computed from the student's rows of the earlier steps (and their g_t for w_t); their own row t takes its
        place only for what follows it, so a part's recomputation never returns the student's own row.
        """
        grad = grad or (lambda t, w: self.grad(p, t, w))
        w, gs, ws = list(map(float, p.w0)), [], []
        for t in range(1, p.steps + 1):
            g = grad(t, w)
            gs.append(g)
            g = given_row(given, "grads", t, g)
            w_new = [x + sign * p.lr * gi for x, gi in zip(w, g, strict=True)]
            ws.append(w_new)
            w = given_row(given, "iterates", t, w_new)
        return gs, ws

    def hessian(self, p: Params) -> list[list[float]]:
        if not self.line(p):
            return [[2 * a if i == j else 0.0 for j in range(len(p.a))] for i, a in enumerate(p.a)]
        s = _scale(p)
        sx, sxx = math.fsum(p.x), math.fsum(v * v for v in p.x)
        return [[2 * s * sxx, 2 * s * sx], [2 * s * sx, 2 * s * len(p.x)]]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        gs, ws = self.run(p, given=given)
        at = [given_row(given, "iterates", t, w) for t, w in enumerate(ws, start=1)]  # L(w_t) at the student's w_t
        losses = [self.loss(p, list(p.w0))] + [self.loss(p, w) for w in at]
        h = self.hessian(p)
        lam = _largest_eig(h)
        if self.line(p):
            sx, sxx = math.fsum(p.x), math.fsum(v * v for v in p.x)
            sxy, sy, n = math.fsum(a * b for a, b in zip(p.x, p.y, strict=True)), math.fsum(p.y), len(p.x)
            det = sxx * n - sx * sx
            w_star = [(n * sxy - sx * sy) / det, (sxx * sy - sx * sxy) / det]
        else:
            w_star = [float(c) for c in p.c]
        return {"grads": gs, "iterates": ws, "losses": losses, "lr_max": 2 / lam, "w_star": w_star}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        line = self.line(p)
        w = list(map(float, p.w0))
        d.add("Loss at the start", ans["losses"][0], lhs=Sym("L_0", tex="L(w_{0})"),
              substituted=self._loss_expr(p, w))
        for t, (g, w_new) in enumerate(zip(ans["grads"], ans["iterates"], strict=True), start=1):
            if line:
                r = [w[0] * xi + w[1] - yi for xi, yi in zip(p.x, p.y, strict=True)]
                d.add(f"Step {t}: residuals $r_i = w x_i + b - y_i$ at $(w, b) = w_{{{t - 1}}}$", r,
                      lhs=ob.sym("r", t - 1),
                      substituted=Mat([[Num(w[0]) * Num(xi) + Num(w[1]) - Num(yi)
                                        for xi, yi in zip(p.x, p.y, strict=True)]]))
                s = Num(2) if p.reduction == "sum" else Num(2) / Num(len(p.x))
                gw = Num(0)
                for i, (ri, xi) in enumerate(zip(r, p.x, strict=True)):
                    gw = _n(ri) * Num(xi) if i == 0 else gw + _n(ri) * Num(xi)
                gb = Num(r[0])
                for ri in r[1:]:
                    gb = gb + Num(ri)
                two = "2" if p.reduction == "sum" else f"\\frac{{2}}{{{len(p.x)}}}"
                d.add(f"Step {t}: gradient $(\\partial L/\\partial w, \\partial L/\\partial b)$", g,
                      lhs=ob.sym("g", t), substituted=Mat([[s * paren(gw), s * paren(gb)]]),
                      note=f"$\\partial L/\\partial w = {two} \\sum_i r_i x_i$ and "
                           f"$\\partial L/\\partial b = {two} \\sum_i r_i$.")
            else:
                d.add(f"Step {t}: gradient at $w_{{{t - 1}}}$", ob.shown(g), lhs=ob.sym("g", t),
                      formula=ob.gradient_formula(p, t), substituted=ob.gradient_substituted(p, t, w))
            d.add(f"Step {t}: update", ob.shown(w_new), lhs=ob.sym("w", t),
                  formula=ob.sym("w", t - 1) - Sym("eta") * ob.sym("g", t),
                  substituted=ob.vector_expr([Num(a) - Num(p.lr) * Num(gi) for a, gi in zip(w, g, strict=True)]))
            d.add(f"Loss after step {t}", ans["losses"][t], lhs=Sym(f"L_{t}", tex=f"L(w_{{{t}}})"),
                  substituted=self._loss_expr(p, w_new))
            w = w_new
        d.add("The gradients, a row per step", ans["grads"], lhs="G", part="grads")
        d.add("The iterates, a row per step", ans["iterates"], lhs="W", part="iterates")
        d.add("The losses", ans["losses"], lhs="L", part="losses")
        h = self.hessian(p)
        d.add("Hessian of L (constant: L is quadratic)", h, lhs=Sym("H", tex=r"\nabla^2 L"),
              note=("$2 \\sum_i x_i^2$, $2 \\sum_i x_i$ and $2n$" + (" divided by n" if p.reduction == "mean" else "")
                    if line else "diagonal $2 a_i$"))
        lam = 2 / ans["lr_max"]
        if line:
            (a, b), (_, c) = h
            lam_e = (Num(a) + Num(c)) / 2 + Func("sqrt", (paren(Num(a) - Num(c)) / 2) ** 2 + Num(b) ** 2)
            d.add("Largest eigenvalue of the Hessian", lam, lhs=Sym("lambda_max", tex=r"\lambda_{\max}"),
                  substituted=lam_e,
                  note="For a symmetric 2×2 matrix: $\\frac{h_{11} + h_{22}}{2} + "
                       "\\sqrt{(\\frac{h_{11} - h_{22}}{2})^2 + h_{12}^2}$.")
        else:
            d.add("Largest eigenvalue of the Hessian", lam, lhs=Sym("lambda_max", tex=r"\lambda_{\max}"),
                  note="The largest diagonal entry $2 a_i$.")
        d.add("Largest stable learning rate", ans["lr_max"], lhs=Sym("eta_max", tex=r"\eta_{\max}"),
              formula=Num(2) / Sym("lambda_max", tex=r"\lambda_{\max}"), substituted=Num(2) / Num(lam),
              part="lr_max", note="GD on a quadratic diverges for $\\eta > 2/\\lambda_{\\max}$.")
        if line:
            d.add("Minimiser (normal equations, gradient 0)", ans["w_star"], lhs=Sym("w_star", tex="w^*"),
                  part="w_star",
                  note="Solve $\\sum_i x_i^2 w + \\sum_i x_i b = \\sum_i x_i y_i$ and "
                  "$\\sum_i x_i w + n b = \\sum_i y_i$.")
        else:
            d.add("Minimiser (gradient 0 at $w = c$)", ans["w_star"], lhs=Sym("w_star", tex="w^*"),
                  part="w_star")
        d.answer = f"w_{p.steps} = {value_text(ans['iterates'][-1])}, η_max = {ans['lr_max']:.6g}"
        return d

    def _loss_expr(self, p: Params, w: list[float]) -> Any:
        if self.line(p):
            terms = [Pow(paren(Num(w[0]) * Num(xi) + Num(w[1]) - Num(yi)), Num(2))
                     for xi, yi in zip(p.x, p.y, strict=True)]
        else:
            terms = [Num(a) * Pow(paren(Num(x) - Num(c)), Num(2)) for a, x, c in zip(p.a, w, p.c, strict=True)]
        total = terms[0]
        for e in terms[1:]:
            total = total + e
        return total / Num(len(p.x)) if self.line(p) and p.reduction == "mean" else total

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)
        out = {}
        for name, m in self.candidates(p).items():
            kept = distinct(self, truth, m.answers)
            if kept:
                out[name] = Mistake(kept, m.feedback)
        return out

    def candidates(self, p: Params) -> dict[str, Mistake]:
        """Every mistake that applies, with all the parts it computes."""
        m: dict[str, Mistake] = {}

        def add(name: str, gs: list[list[float]], ws: list[list[float]], fb: str, loss: Any = None) -> None:
            loss = loss or (lambda w: self.loss(p, w))
            m[name] = Mistake({"grads": gs, "iterates": ws, "losses": [loss(list(p.w0))] + [loss(w) for w in ws]},
                              fb)

        gs, ws = self.run(p, sign=1.0)
        add("ascent", gs, ws, "You moved along the gradient (w + η·g). Gradient descent steps against it: "
                              "$w_t = w_{t-1} - \\eta g_t$.")
        if self.line(p):
            half = lambda t, w: regression_grad(p, w, _scale(p), two=1.0)  # noqa: E731
        else:
            half = lambda t, w: [a * (x - c) for a, x, c in zip(p.a, w, p.c, strict=True)]  # noqa: E731
        gs, ws = self.run(p, half)
        add("two_dropped", gs, ws, "You dropped the factor 2 of the derivative of a square: "
                                   "$\\frac{d}{dz} z^2 = 2z$.")
        if self.line(p):
            other = 1.0 if p.reduction == "mean" else 1 / len(p.x)
            gs, ws = self.run(p, lambda t, w: regression_grad(p, w, other))
            name, fb = (("mean_for_sum", "You averaged the squared errors; the loss here is their sum (no 1/n).")
                        if p.reduction == "sum" else
                        ("sum_for_mean", "You summed the squared errors; the loss here is their mean (divide by n)."))
            add(name, gs, ws, fb, lambda w: regression_loss(p, w, other))
            gs, ws = self._sequential(p)
            add("non_simultaneous", gs, ws, "You updated w first and then computed b's gradient at the new w. "
                                            "Both partial derivatives are taken at the same $(w_{t-1}, b_{t-1})$ "
                                            "before either parameter moves.")
        return m

    def _sequential(self, p: Params) -> tuple[list[list[float]], list[list[float]]]:
        w, gs, ws = list(map(float, p.w0)), [], []
        for _ in range(p.steps):
            gw = regression_grad(p, w, _scale(p))[0]
            w = [w[0] - p.lr * gw, w[1]]
            gb = regression_grad(p, w, _scale(p))[1]
            w = [w[0], w[1] - p.lr * gb]
            gs.append([gw, gb])
            ws.append(w)
        return gs, ws


def given_row(given: Answers | None, name: str, t: int, value: list[float]) -> list[float]:
    """Row ``t`` of the student's part ``name`` as floats in place of ``value``, when they gave it."""
    if not given or name not in given:
        return value
    return [float(v) for v in row(given, name, t, value)]


def _n(x: float) -> Any:
    """A number as a factor: negative ones in parentheses."""
    return paren(Num(x)) if x < 0 else Num(x)


def _largest_eig(h: list[list[float]]) -> float:
    if len(h) == 1:
        return h[0][0]
    (a, b), (_, d) = h
    return (a + d) / 2 + math.sqrt(((a - d) / 2) ** 2 + b * b)


def _lr_max_line(p: Params) -> float:
    return 2 / _largest_eig(GradientDescent().hessian(p))


