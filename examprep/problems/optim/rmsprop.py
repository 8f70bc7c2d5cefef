"""RMSprop, step by step: the running average of squared gradients and the per-coordinate step.

Catalog: seed_002 C5 (the notes leave Δw undefined; the prompt states PyTorch's form, ε outside the root).

Parameters: the objective (a and c, or loss_grads; see ``objective``), w0, lr, steps; ``rho`` (PyTorch's ``alpha``,
0.99) and ``eps`` (1e-8). Conventions stated: r_0 = 0, r_t = ρr_{t−1} + (1 − ρ)g_t², w_t = w_{t−1} − lr·g_t/(√r_t + ε),
no bias correction, no momentum.

Answer parts: ``grads``, ``r``, ``iterates``: a row per step.

Reference: ``torch.optim.RMSprop(alpha=ρ, eps)``; r is its ``square_avg`` (examprep.reference.optim:rmsprop).

Common mistakes: ρ and 1 − ρ swapped (sample step 1: (0.894591, 0.394591)); g averaged instead of g²; Adam's bias
correction added (r/(1 − ρᵗ)).

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


class RMSprop(StepOptimizer):
    id = "optim/rmsprop-v1"
    title = "RMSprop steps"
    catalog = "seed_002 C5"
    reference_entry = "examprep.reference.optim:rmsprop"
    optional = frozenset({"g_for_g_squared"})  # named only while the average of g stays ≥ 0 (else √r fails)
    hyper = (
        Param("rho", "real", "decay ρ of the squared-gradient average (PyTorch's alpha)", lo=0, hi=0.9999,
              default=0.99),
        Param("eps", "real", "ε added to √r (outside the root)", lo=0, hi=1, default=1e-8),
    )
    parts = (
        Part("grads", "The gradient g_t of each step, a row per step", "matrix", final=False,
             uses=("iterates",)),  # g_t at the student's w_{t−1}: a cycle, followed row by row
        Part("r", "The squared-gradient average r_t, a row per step", "matrix", final=False, uses=("grads",)),
        Part("iterates", "w_t after each step, a row per step", "matrix", uses=("grads", "r")),
    )

    def sample_hyper(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        return dict(rho=float((0.9, 0.99)[int(rng.integers(2))]))

    def run(self, p: Params, variant: str | None = None, given: Answers | None = None) -> Answers:
        rho, eps, lr = p.rho, p.eps, p.lr
        w = np.array(p.w0, dtype=float)
        r = np.zeros_like(w)
        out: dict[str, list[Any]] = {"grads": [], "r": [], "iterates": []}
        for t in range(1, self.steps(p) + 1):
            # each row appended is computed from the student's earlier rows; their own row then replaces it
            g = np.array(ob.gradient(p, t, w))
            out["grads"].append(g)
            g = row(given, "grads", t, g)
            sq = g if variant == "g_for_g_squared" else g * g
            r = (1 - rho) * r + rho * sq if variant == "rho_swapped" else rho * r + (1 - rho) * sq
            out["r"].append(r)
            r = row(given, "r", t, r)
            scale = r / (1 - rho**t) if variant == "bias_correction" else r
            w = w - lr * g / (np.sqrt(scale) + eps)
            out["iterates"].append(w)
            w = row(given, "iterates", t, w)
        return {k: rows(x) for k, x in out.items()}

    def variants(self, p: Params) -> dict[str, str]:
        return {
            "rho_swapped": "You swapped $\\rho$ and $1 - \\rho$: the old average keeps the weight $\\rho$, "
                           "$r_t = \\rho r_{t-1} + (1 - \\rho) g_t^2$.",
            "g_for_g_squared": "You averaged the gradients instead of their squares: RMSprop keeps a running "
                               "average of $g_t^2$, coordinate by coordinate.",
            "bias_correction": "You divided r by $1 - \\rho^t$ as Adam does. RMSprop has no bias correction; "
                               "its first step is larger because $r_0 = 0$.",
        }

    def statement(self, p: Params) -> list[Any]:
        rule = (f"Use RMSprop (as PyTorch, with alpha $= \\rho = {ob.num(p.rho)}$, $\\epsilon = {ob.num(p.eps)}$, "
                "no momentum): $r_0 = 0$, $r_t = \\rho r_{t-1} + (1 - \\rho) g_t^2$ and "
                "$w_t = w_{t-1} - \\eta g_t/(\\sqrt{r_t} + \\epsilon)$, coordinate by coordinate, with no bias "
                "correction. ")
        return ob.objective_text(p) + [ob.start_text(p), rule,
                                       "Give, for each step (a row per step), $g_t$, $r_t$ and $w_t$."]

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        rho, eps, lr = p.rho, p.eps, p.lr
        w = [float(x) for x in p.w0]
        r0 = [0.0] * len(w)
        for t in range(1, self.steps(p) + 1):
            g, r, wn = (ans[k][t - 1] for k in ("grads", "r", "iterates"))
            ob.gradient_step(d, p, t, w, g)
            ob.coordwise(d, f"Step {t}: squared-gradient average", r, ob.sym("r", t),
                         Sym("rho") * ob.sym("r", t - 1) + (1 - Sym("rho")) * ob.sym("g", t) ** 2,
                         lambda a, b: Num(rho) * a + Num(1 - rho) * b**2, r0, g)
            ob.coordwise(d, f"Step {t}: update", wn, ob.sym("w", t),
                         ob.sym("w", t - 1) - Sym("eta") * ob.sym("g", t) / (sqrt(ob.sym("r", t)) + Sym("epsilon")),
                         lambda a, b, c: a - Num(lr) * b / (sqrt(c) + Num(eps)), w, g, r)
            w, r0 = wn, r
        d.add("The gradients, a row per step", ans["grads"], lhs="G", part="grads")
        d.add("The averages r, a row per step", ans["r"], lhs="R", part="r")
        d.add("The iterates, a row per step", ans["iterates"], lhs="W", part="iterates")
        d.answer = f"w_{self.steps(p)} = {value_text(ans['iterates'][-1])}"
        return d
