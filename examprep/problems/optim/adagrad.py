"""AdaGrad, step by step: the accumulated squared gradients and the per-coordinate step.

Catalog: seed_002 C4 (the notes put the small constant inside the root; the prompt states PyTorch's form, ε outside).

Parameters: the objective (a and c, or loss_grads; see ``objective``), w0, lr, steps; ``eps`` (1e-10). Conventions
stated: r_0 = 0 (PyTorch's initial_accumulator_value), r_t = r_{t−1} + g_t², w_t = w_{t−1} − lr·g_t/(√r_t + ε), no
learning-rate decay.

Answer parts: ``grads``, ``r``, ``iterates``: a row per step.

Reference: ``torch.optim.Adagrad(lr, eps)``; r is its ``sum`` (examprep.reference.optim:adagrad).

Common mistakes: no accumulation (r_t = g_t²: sign steps, (0.7, 0.2) after 3 steps of the sample); the squared norm
‖g‖² accumulated for every coordinate; the root left out.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers
from examprep.problems.optim import objective as ob
from examprep.problems.optim.stepper import StepOptimizer, row, rows
from examprep.solver.expr import Num, Sym, sqrt
from examprep.solver.render import value_text
from examprep.solver.step import Derivation


class Adagrad(StepOptimizer):
    id = "optim/adagrad-v1"
    title = "AdaGrad steps"
    catalog = "seed_002 C4"
    reference_entry = "examprep.reference.optim:adagrad"
    hyper = (Param("eps", "real", "ε added to √r (outside the root)", lo=0, hi=1, default=1e-10),)
    parts = (
        Part("grads", "The gradient g_t of each step, a row per step", "matrix", final=False,
             uses=("iterates",)),  # g_t at the student's w_{t−1}: a cycle, followed row by row
        Part("r", "The accumulated squared gradients r_t, a row per step", "matrix", final=False, uses=("grads",)),
        Part("iterates", "w_t after each step, a row per step", "matrix", uses=("grads", "r")),
    )

    def run(self, p: Params, variant: str | None = None, given: Answers | None = None) -> Answers:
        eps, lr = p.eps, p.lr
        w = np.array(p.w0, dtype=float)
        r = np.zeros_like(w)
        out: dict[str, list[Any]] = {"grads": [], "r": [], "iterates": []}
        for t in range(1, self.steps(p) + 1):
            # each row appended is computed from the student's earlier rows; their own row then replaces it
            g = np.array(ob.gradient(p, t, w))
            out["grads"].append(g)
            g = row(given, "grads", t, g)
            if variant == "no_accumulation":
                r = g * g
            elif variant == "norm_squared":
                r = r + float(g @ g)
            else:
                r = r + g * g
            out["r"].append(r)
            r = row(given, "r", t, r)
            w = w - lr * g / ((r if variant == "no_root" else np.sqrt(r)) + eps)
            out["iterates"].append(w)
            w = row(given, "iterates", t, w)
        return {k: rows(x) for k, x in out.items()}

    def variants(self, p: Params) -> dict[str, str]:
        out = {"no_root": "You divided by $r_t$ instead of $\\sqrt{r_t}$: the step is "
                          "$\\eta g_t/(\\sqrt{r_t} + \\epsilon)$."}
        if self.steps(p) >= 2:
            out["no_accumulation"] = ("You used only the current $g_t^2$. AdaGrad accumulates every past square: "
                                      "$r_t = r_{t-1} + g_t^2$, so its steps shrink.")
        if len(p.w0) >= 2:
            out["norm_squared"] = ("You accumulated the squared norm $\\lVert g_t \\rVert^2$ for every coordinate. "
                                   "AdaGrad keeps one sum per coordinate: $r_{t,i} = r_{t-1,i} + g_{t,i}^2$.")
        return out

    def statement(self, p: Params) -> list[Any]:
        rule = (f"Use AdaGrad (as PyTorch, with $\\epsilon = {ob.num(p.eps)}$, no learning-rate decay): $r_0 = 0$, "
                "$r_t = r_{t-1} + g_t^2$ and $w_t = w_{t-1} - \\eta g_t/(\\sqrt{r_t} + \\epsilon)$, coordinate by "
                "coordinate. ")
        return ob.objective_text(p) + [ob.start_text(p), rule,
                                       "Give, for each step (a row per step), $g_t$, $r_t$ and $w_t$."]

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        eps, lr = p.eps, p.lr
        w = [float(x) for x in p.w0]
        r0 = [0.0] * len(w)
        for t in range(1, self.steps(p) + 1):
            g, r, wn = (ans[k][t - 1] for k in ("grads", "r", "iterates"))
            ob.gradient_step(d, p, t, w, g)
            ob.coordwise(d, f"Step {t}: accumulated squares", r, ob.sym("r", t),
                         ob.sym("r", t - 1) + ob.sym("g", t) ** 2, lambda a, b: a + b**2, r0, g)
            ob.coordwise(d, f"Step {t}: update", wn, ob.sym("w", t),
                         ob.sym("w", t - 1) - Sym("eta") * ob.sym("g", t) / (sqrt(ob.sym("r", t)) + Sym("epsilon")),
                         lambda a, b, c: a - Num(lr) * b / (sqrt(c) + Num(eps)), w, g, r)
            w, r0 = wn, r
        d.add("The gradients, a row per step", ans["grads"], lhs="G", part="grads")
        d.add("The sums r, a row per step", ans["r"], lhs="R", part="r")
        d.add("The iterates, a row per step", ans["iterates"], lhs="W", part="iterates")
        d.answer = f"w_{self.steps(p)} = {value_text(ans['iterates'][-1])}"
        return d
