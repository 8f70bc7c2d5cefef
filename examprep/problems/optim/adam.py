"""Adam, step by step: both moments, their bias corrections and the update.

Catalog: seed_002 C6 (the notes describe Adam in words only; the formulas are Kingma & Ba's, as PyTorch runs them).

Parameters: the objective (a and c, or loss_grads; see ``objective``), w0, lr, steps; ``beta1``, ``beta2``, ``eps``
(0.9, 0.999, 1e-8). Conventions stated: m_0 = v_0 = 0, t counts from 1, m_t = β₁m_{t−1} + (1 − β₁)g_t,
v_t = β₂v_{t−1} + (1 − β₂)g_t², m̂_t = m_t/(1 − β₁ᵗ), v̂_t = v_t/(1 − β₂ᵗ), w_t = w_{t−1} − lr·m̂_t/(√v̂_t + ε) (ε outside
the root, as PyTorch).

Answer parts: ``grads``, ``m``, ``v``, ``m_hat``, ``v_hat``, ``iterates``: a row per step.

Reference: ``torch.optim.Adam`` stepped with the autograd (or given) gradients; m and v from its state, m̂ and v̂
by its step count (examprep.reference.optim:adam).

Common mistakes: no bias correction (step 1 then moves by lr·0.1/√0.001 ≈ 3.16·lr); β^(t−1) in the correction;
m̂² in place of v̂; ε inside the root (shows only when ε is not negligible next to v̂).

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


class Adam(StepOptimizer):
    id = "optim/adam-v1"
    title = "Adam steps with bias correction"
    catalog = "seed_002 C6; seed_004 C17"
    reference_entry = "examprep.reference.optim:adam"
    optional = frozenset({"eps_in_root"})
    hyper = (
        Param("beta1", "real", "decay β₁ of the first moment", lo=0, hi=0.9999, default=0.9),
        Param("beta2", "real", "decay β₂ of the second moment", lo=0, hi=0.99999, default=0.999),
        Param("eps", "real", "ε added to √v̂ (outside the root)", lo=0, hi=1, default=1e-8),
    )
    parts = (
        Part("grads", "The gradient g_t of each step, a row per step", "matrix", final=False,
             uses=("iterates",)),  # g_t at the student's w_{t−1}: a cycle, followed row by row
        Part("m", "The first moment m_t, a row per step", "matrix", final=False, uses=("grads",)),
        Part("v", "The second moment v_t, a row per step", "matrix", final=False, uses=("grads",)),
        Part("m_hat", "The bias-corrected first moment m̂_t, a row per step", "matrix", final=False, uses=("m",)),
        Part("v_hat", "The bias-corrected second moment v̂_t, a row per step", "matrix", final=False, uses=("v",)),
        Part("iterates", "w_t after each step, a row per step", "matrix", uses=("m_hat", "v_hat")),
    )

    def sample_hyper(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        if difficulty == "hard" and rng.integers(2):
            return dict(beta1=float((0.8, 0.9)[int(rng.integers(2))]), beta2=float((0.9, 0.99)[int(rng.integers(2))]))
        return {}

    def run(self, p: Params, variant: str | None = None, given: Answers | None = None) -> Answers:
        b1, b2, eps, lr = p.beta1, p.beta2, p.eps, p.lr
        w = np.array(p.w0, dtype=float)
        m, v = np.zeros_like(w), np.zeros_like(w)
        out: dict[str, list[Any]] = {k: [] for k in ("grads", "m", "v", "m_hat", "v_hat", "iterates")}
        for t in range(1, self.steps(p) + 1):
            # each row appended is computed from the student's earlier rows; their own row then replaces it
            g = np.array(ob.gradient(p, t, w))
            out["grads"].append(g)
            g = row(given, "grads", t, g)
            m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
            out["m"].append(m)
            out["v"].append(v)
            m, v = row(given, "m", t, m), row(given, "v", t, v)
            if variant == "no_bias_correction" or (variant == "power_t_minus_1" and t == 1):
                mh, vh = m, v
            elif variant == "power_t_minus_1":
                mh, vh = m / (1 - b1 ** (t - 1)), v / (1 - b2 ** (t - 1))
            else:
                mh, vh = m / (1 - b1**t), v / (1 - b2**t)
            if variant == "m_hat_squared":
                vh = mh * mh
            out["m_hat"].append(mh)
            out["v_hat"].append(vh)
            mh, vh = row(given, "m_hat", t, mh), row(given, "v_hat", t, vh)
            root = np.sqrt(vh + eps) if variant == "eps_in_root" else np.sqrt(vh) + eps
            w = w - lr * mh / root
            out["iterates"].append(w)
            w = row(given, "iterates", t, w)
        return {k: rows(x) for k, x in out.items()}

    def variants(self, p: Params) -> dict[str, str]:
        out = {"no_bias_correction": "You left out the bias correction. With $m_0 = v_0 = 0$ the moments start "
                                     "too small; divide by $1 - \\beta_1^t$ and $1 - \\beta_2^t$ ($t$ from 1)."}
        if self.steps(p) >= 2:
            out["power_t_minus_1"] = ("You corrected with $\\beta^{t-1}$. At step $t$ (counting from 1) the "
                                      "correction is $\\hat{m}_t = m_t/(1 - \\beta_1^t)$ and "
                                      "$\\hat{v}_t = v_t/(1 - \\beta_2^t)$.")
            out["m_hat_squared"] = ("You used $\\hat{m}_t^2$ in the denominator. Adam divides by the root of the "
                                    "second moment, $\\sqrt{\\hat{v}_t} + \\epsilon$, an average of past $g^2$.")
        if p.eps:
            out["eps_in_root"] = ("You put $\\epsilon$ inside the root. PyTorch's Adam adds it outside: "
                                  "$w_t = w_{t-1} - \\eta \\hat{m}_t/(\\sqrt{\\hat{v}_t} + \\epsilon)$.")
        return out

    def statement(self, p: Params) -> list[Any]:
        b1, b2, eps = ob.num(p.beta1), ob.num(p.beta2), ob.num(p.eps)
        rule = (f"Use Adam (as PyTorch) with $\\beta_1 = {b1}$, $\\beta_2 = {b2}$, $\\epsilon = {eps}$, "
                "$m_0 = v_0 = 0$ and $t$ counting from 1: $m_t = \\beta_1 m_{t-1} + (1 - \\beta_1) g_t$, "
                "$v_t = \\beta_2 v_{t-1} + (1 - \\beta_2) g_t^2$ (per coordinate), "
                "$\\hat{m}_t = m_t/(1 - \\beta_1^t)$, $\\hat{v}_t = v_t/(1 - \\beta_2^t)$ and "
                "$w_t = w_{t-1} - \\eta \\hat{m}_t/(\\sqrt{\\hat{v}_t} + \\epsilon)$. ")
        return ob.objective_text(p) + [ob.start_text(p), rule,
                                       "Give, for each step (a row per step), $g_t$, $m_t$, $v_t$, $\\hat{m}_t$ "
                                       "(part m_hat), $\\hat{v}_t$ (part v_hat) and $w_t$."]

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        b1, b2, eps, lr = p.beta1, p.beta2, p.eps, p.lr
        B1, B2, eta, ep = Sym("beta_1"), Sym("beta_2"), Sym("eta"), Sym("epsilon")
        w = [float(x) for x in p.w0]
        m0 = v0 = [0.0] * len(w)
        for t in range(1, self.steps(p) + 1):
            g, m, v, mh, vh, wn = (ans[k][t - 1] for k in ("grads", "m", "v", "m_hat", "v_hat", "iterates"))
            ob.gradient_step(d, p, t, w, g)
            ob.coordwise(d, f"Step {t}: first moment", m, ob.sym("m", t),
                         B1 * ob.sym("m", t - 1) + (1 - B1) * ob.sym("g", t),
                         lambda a, b: Num(b1) * a + Num(1 - b1) * b, m0, g)
            ob.coordwise(d, f"Step {t}: second moment", v, ob.sym("v", t),
                         B2 * ob.sym("v", t - 1) + (1 - B2) * ob.sym("g", t) ** 2,
                         lambda a, b: Num(b2) * a + Num(1 - b2) * b**2, v0, g)
            ob.coordwise(d, f"Step {t}: bias-corrected first moment", mh, ob.sym("mhat", t, r"\hat{m}", "m̂"),
                         ob.sym("m", t) / (1 - B1**t), lambda a, t=t: a / (Num(1) - Num(b1) ** Num(t)), m)
            ob.coordwise(d, f"Step {t}: bias-corrected second moment", vh, ob.sym("vhat", t, r"\hat{v}", "v̂"),
                         ob.sym("v", t) / (1 - B2**t), lambda a, t=t: a / (Num(1) - Num(b2) ** Num(t)), v)
            ob.coordwise(d, f"Step {t}: update", wn, ob.sym("w", t),
                         ob.sym("w", t - 1) - eta * ob.sym("mhat", t, r"\hat{m}", "m̂")
                         / (sqrt(ob.sym("vhat", t, r"\hat{v}", "v̂")) + ep),
                         lambda a, b, c: a - Num(lr) * b / (sqrt(c) + Num(eps)), w, mh, vh)
            w, m0, v0 = wn, m, v
        for k, title in (("grads", "gradients"), ("m", "first moments"), ("v", "second moments"),
                         ("m_hat", "bias-corrected first moments"), ("v_hat", "bias-corrected second moments"),
                         ("iterates", "iterates")):
            d.add(f"The {title}, a row per step", ans[k], lhs=Sym(k.upper().replace("_HAT", "hat"),
                                                                  tex=f"\\text{{{k}}}".replace("_", "\\_")),
                  part=k)
        d.answer = f"w_{self.steps(p)} = {value_text(ans['iterates'][-1])}"
        return d
