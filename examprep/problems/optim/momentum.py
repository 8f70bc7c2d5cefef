"""SGD with momentum (and Nesterov, and weight decay), in PyTorch's form or the textbook form.

Catalog: seed_002 C2 (momentum), C3 (Nesterov); seed_004 C17 (momentum with weight decay, given gradients).

Parameters: the objective (a and c, or loss_grads; see ``objective``), w0, lr, steps; ``momentum`` μ,
``weight_decay`` λ (0), ``nesterov`` (false), ``form``:
    ``pytorch`` (default): g_t = ∇L(w_{t−1}) + λw_{t−1}; buf_1 = g_1, buf_t = μ·buf_{t−1} + g_t;
        w_t = w_{t−1} − lr·buf_t, Nesterov w_t = w_{t−1} − lr·(g_t + μ·buf_t).
    ``notes`` (the textbook form): v_t = μv_{t−1} − lr·g_t, v_0 = 0, w_t = w_{t−1} + v_t; Nesterov takes g_t at the
        look-ahead w̃_t = w_{t−1} + μv_{t−1} (so it needs a and c).
    With a constant lr the two forms give the same iterates (v = −lr·buf) except under Nesterov, where PyTorch's
    parameter is the textbook look-ahead.

Answer parts: ``grads`` (λw included), ``buf`` (pytorch) or ``v`` (notes), ``lookahead`` (notes Nesterov), ``iterates``;
a row per step.

Reference: ``torch.optim.SGD(momentum, weight_decay, nesterov)``; the textbook quantities from its state
(v = −lr·buf; Nesterov w = p + μ·lr·buf, look-ahead = the previous p) (examprep.reference.optim:momentum).

Common mistakes: +lr·g (ascent); buf_1 = (1 − μ)g_1; weight decay left out, or added after the momentum step;
Nesterov's gradient at w instead of the look-ahead; PyTorch's parameter given as the textbook w (and the reverse).

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
from examprep.solver.expr import Num, Sym
from examprep.solver.render import value_text
from examprep.solver.step import Derivation


class Momentum(StepOptimizer):
    id = "optim/momentum-v1"
    title = "SGD with momentum, Nesterov and weight decay"
    catalog = "seed_002 C2, C3; seed_004 C17"
    reference_entry = "examprep.reference.optim:momentum"
    hyper = (
        Param("momentum", "real", "the momentum μ", lo=0.01, hi=0.999, default=0.9),
        Param("weight_decay", "real", "the weight decay λ (adds λw to the gradient)", lo=0, hi=10, default=0.0),
        Param("nesterov", "bool", "Nesterov momentum", default=False),
        Param("form", "choice", "pytorch (buf ← μ·buf + g, w ← w − lr·buf) or notes (v ← μv − lr·g, w ← w + v)",
              choices=("pytorch", "notes"), default="pytorch"),
    )
    parts = (
        Part("grads", "The gradient g_t of each step (λw included), a row per step", "matrix", final=False,
             uses=("iterates", "lookahead")),  # g_t at the student's w_{t−1} (or look-ahead): a cycle, row by row
        Part("buf", "PyTorch's momentum buffer after each step, a row per step", "matrix", final=False,
             uses=("grads",)),
        Part("v", "The velocity v_t after each step, a row per step", "matrix", final=False, uses=("grads",)),
        Part("lookahead", "The look-ahead point w_{t−1} + μv_{t−1} of each step, a row per step", "matrix",
             final=False, uses=("v", "iterates")),
        Part("iterates", "w_t after each step, a row per step", "matrix", uses=("grads", "buf", "v")),
    )

    def active_parts(self, p: Params) -> tuple[Part, ...]:
        names = {"grads", "iterates", "buf" if p.form == "pytorch" else "v"}
        if p.form == "notes" and p.nesterov:
            names.add("lookahead")
        return tuple(pt for pt in self.parts if pt.name in names)

    def needs_objective(self, p: Params) -> bool:
        return p.form == "notes" and bool(p.nesterov)

    def objective_why(self, p: Params) -> str:
        return " (the textbook Nesterov form takes the gradient at the look-ahead point, which the run computes)"

    def sample_hyper(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        nesterov = difficulty != "easy" and bool(rng.integers(3) == 0)
        decay = 0.0 if difficulty == "easy" or rng.integers(3) else float((0.01, 0.1)[int(rng.integers(2))])
        return dict(momentum=float((0.5, 0.9)[int(rng.integers(2))]), weight_decay=decay, nesterov=nesterov,
                    form=("pytorch", "notes")[int(rng.integers(2))])

    # ---- the chain of parts ---------------------------------------------------------------------------------------
    def run(self, p: Params, variant: str | None = None, given: Answers | None = None) -> Answers:
        mu, lam, lr = p.momentum, p.weight_decay, p.lr
        decay = 0.0 if variant in ("decay_left_out", "decay_added_late") else lam
        late = lam if variant == "decay_added_late" else 0.0
        w = np.array(p.w0, dtype=float)
        state = np.zeros_like(w)  # buf (pytorch) or v (notes)
        out: dict[str, list[Any]] = {"grads": [], "state": [], "lookahead": [], "iterates": []}
        for t in range(1, self.steps(p) + 1):
            # each row appended is computed from the student's earlier rows; their own row then replaces it
            if p.form == "notes":
                look = w + mu * state if p.nesterov else w
                out["lookahead"].append(look)
                look = row(given, "lookahead", t, look) if p.nesterov else look
                at = w if variant == "nesterov_gradient_at_w" else look
                g = np.array(ob.gradient(p, t, at)) + decay * at
                out["grads"].append(g)
                g = row(given, "grads", t, g)
                if variant == "dampened_first" and t == 1:
                    state = -lr * (1 - mu) * g
                else:
                    state = mu * state + (lr * g if variant == "ascent" else -lr * g)
                out["state"].append(state)
                state = row(given, "v", t, state)
                w_new = w + state - lr * late * w
                shown = w_new + mu * state if variant == "pytorch_parameter_as_w" else w_new
            else:
                g = np.array(ob.gradient(p, t, w)) + decay * w
                out["grads"].append(g)
                g = row(given, "grads", t, g)
                if t == 1:
                    state = (1 - mu) * g if variant == "dampened_first" else g
                else:
                    state = mu * state + g
                out["state"].append(state)
                state = row(given, "buf", t, state)
                step = g + mu * state if p.nesterov and variant != "plain_momentum_update" else state
                w_new = w + lr * step if variant == "ascent" else w - lr * step
                w_new = w_new - lr * late * w
                shown = w_new + mu * lr * state if variant == "textbook_w_as_parameter" else w_new
            out["iterates"].append(shown)
            w = row(given, "iterates", t, w_new)
        ans = {"grads": rows(out["grads"]), ("buf" if p.form == "pytorch" else "v"): rows(out["state"])}
        if p.form == "notes" and p.nesterov:
            ans["lookahead"] = rows(out["lookahead"])
        ans["iterates"] = rows(out["iterates"])
        return ans

    def variants(self, p: Params) -> dict[str, str]:
        notes = p.form == "notes"
        rule = ("the textbook form $v_t = \\mu v_{t-1} - \\eta g_t$" if notes else
                "PyTorch's form $w_t = w_{t-1} - \\eta b_t$")
        out = {"ascent": f"You added the step instead of subtracting it: in {rule} the step goes against the "
                         "gradient.",
               "dampened_first": ("You started the momentum as $(1 - \\mu) g_1$ (a dampened average). With "
                                  "dampening 0 the first step is the plain gradient: "
                                  + ("$v_1 = -\\eta g_1$." if notes else "$b_1 = g_1$."))}
        if p.weight_decay:
            out["decay_left_out"] = ("You left out the weight decay: the gradient of each step is "
                                     "$g_t = \\nabla L + \\lambda w$.")
            out["decay_added_late"] = ("You applied the weight decay after the momentum step. It is added to the "
                                       "gradient first ($g_t = \\nabla L + \\lambda w$), so it also enters the "
                                       "momentum.")
        if p.nesterov and notes:
            out["nesterov_gradient_at_w"] = ("You took the gradient at $w_{t-1}$: that is plain momentum. Nesterov "
                                             "evaluates it at the look-ahead point "
                                             "$\\tilde{w}_t = w_{t-1} + \\mu v_{t-1}$.")
            out["pytorch_parameter_as_w"] = ("You gave PyTorch's parameter, which is the look-ahead point "
                                             "$w_t + \\mu v_t$. In the textbook form asked here, "
                                             "$w_t = w_{t-1} + v_t$.")
        if p.nesterov and not notes:
            out["plain_momentum_update"] = ("You stepped by the buffer alone ($w_t = w_{t-1} - \\eta b_t$). With "
                                            "nesterov=True PyTorch steps by $g_t + \\mu b_t$.")
            out["textbook_w_as_parameter"] = ("You gave the textbook form's $w_t$ (that is $p_t + \\mu \\eta b_t$). "
                                              "PyTorch's parameter is $w_t = w_{t-1} - \\eta (g_t + \\mu b_t)$.")
        return out

    # ---- text ---------------------------------------------------------------------------------------------------
    def statement(self, p: Params) -> list[Any]:
        mu, lam = ob.num(p.momentum), ob.num(p.weight_decay)
        gdef = "g_t = \\nabla L(w_{t-1})" + (f" + {lam} w_{{t-1}}" if p.weight_decay else "")
        if p.form == "pytorch":
            rule = (f"PyTorch's SGD with momentum $\\mu = {mu}$ (dampening 0"
                    + (f", weight decay $\\lambda = {lam}$" if p.weight_decay else "") + "): "
                    f"${gdef}$; the momentum buffer is $b_1 = g_1$ and $b_t = \\mu b_{{t-1}} + g_t$ for $t \\ge 2$; "
                    + ("the update is $w_t = w_{t-1} - \\eta (g_t + \\mu b_t)$ (nesterov=True). " if p.nesterov else
                       "the update is $w_t = w_{t-1} - \\eta b_t$. "))
            ask = "the gradient $g_t$, the buffer $b_t$ (part buf) and $w_t$"
        elif p.nesterov:
            gdef = "g_t = \\nabla L(\\tilde{w}_t)" + (f" + {lam} \\tilde{{w}}_t" if p.weight_decay else "")
            rule = (f"the textbook Nesterov momentum with $\\mu = {mu}$: the look-ahead point "
                    "$\\tilde{w}_t = w_{t-1} + \\mu v_{t-1}$, the gradient there "
                    f"${gdef}$, then $v_t = \\mu v_{{t-1}} - \\eta g_t$ and $w_t = w_{{t-1}} + v_t$, with $v_0 = 0$. ")
            ask = "the look-ahead point $\\tilde{w}_t$, the gradient $g_t$, the velocity $v_t$ and $w_t$"
        else:
            rule = (f"the textbook momentum form with $\\mu = {mu}$: ${gdef}$, $v_t = \\mu v_{{t-1}} - \\eta g_t$ and "
                    "$w_t = w_{t-1} + v_t$, with $v_0 = 0$. ")
            ask = "the gradient $g_t$, the velocity $v_t$ and $w_t$"
        return ob.objective_text(p) + [ob.start_text(p), "Use " + rule,
                                       f"Give, for each step (a row per step), {ask}."]

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        mu, lam, lr = p.momentum, p.weight_decay, p.lr
        notes = p.form == "notes"
        key = "v" if notes else "buf"
        w = [float(x) for x in p.w0]
        prev = [0.0] * len(w)
        for t in range(1, self.steps(p) + 1):
            g, s, w_new = ans["grads"][t - 1], ans[key][t - 1], ans["iterates"][t - 1]
            at = w
            if notes and p.nesterov:
                at = ans["lookahead"][t - 1]
                d.add(f"Step {t}: look-ahead point", ob.shown(at), lhs=ob.sym("wt", t, r"\tilde{w}", "w̃"),
                      formula=ob.sym("w", t - 1) + Sym("mu") * ob.sym("v", t - 1),
                      substituted=ob.vector_expr([Num(a) + Num(mu) * Num(b) for a, b in zip(w, prev, strict=True)]))
            d.add(f"Step {t}: gradient", ob.shown(g), lhs=ob.sym("g", t),
                  formula=ob.gradient_formula(p, t, decay=bool(lam), at="wt" if notes and p.nesterov else "w"),
                  substituted=ob.gradient_substituted(p, t, at, decay=lam))
            if notes:
                d.add(f"Step {t}: velocity", ob.shown(s), lhs=ob.sym("v", t),
                      formula=Sym("mu") * ob.sym("v", t - 1) - Sym("eta") * ob.sym("g", t),
                      substituted=ob.vector_expr([Num(mu) * Num(a) - Num(lr) * Num(b)
                                                  for a, b in zip(prev, g, strict=True)]))
                d.add(f"Step {t}: update", ob.shown(w_new), lhs=ob.sym("w", t),
                      formula=ob.sym("w", t - 1) + ob.sym("v", t),
                      substituted=ob.vector_expr([Num(a) + Num(b) for a, b in zip(w, s, strict=True)]))
            else:
                if t == 1:
                    d.add("Step 1: momentum buffer (starts as the gradient)", ob.shown(s), lhs=ob.sym("b", 1),
                          formula=ob.sym("g", 1), substituted=ob.vector_expr([Num(b) for b in g]))
                else:
                    d.add(f"Step {t}: momentum buffer", ob.shown(s), lhs=ob.sym("b", t),
                          formula=Sym("mu") * ob.sym("b", t - 1) + ob.sym("g", t),
                          substituted=ob.vector_expr([Num(mu) * Num(a) + Num(b) for a, b in zip(prev, g, strict=True)]))
                if p.nesterov:
                    formula = ob.sym("w", t - 1) - Sym("eta") * (ob.sym("g", t) + Sym("mu") * ob.sym("b", t))
                    sub = [Num(a) - Num(lr) * (Num(b) + Num(mu) * Num(c)) for a, b, c in zip(w, g, s, strict=True)]
                else:
                    formula = ob.sym("w", t - 1) - Sym("eta") * ob.sym("b", t)
                    sub = [Num(a) - Num(lr) * Num(b) for a, b in zip(w, s, strict=True)]
                d.add(f"Step {t}: update", ob.shown(w_new), lhs=ob.sym("w", t), formula=formula,
                      substituted=ob.vector_expr(sub))
            prev, w = s, w_new
        d.add("The gradients, a row per step", ans["grads"], lhs="G", part="grads")
        d.add("The " + ("velocities" if notes else "momentum buffers") + ", a row per step", ans[key],
              lhs=Sym("V" if notes else "B"), part=key, note=None if notes else "(part buf)")
        if "lookahead" in ans:
            d.add("The look-ahead points, a row per step", ans["lookahead"], lhs=Sym("Wt", tex=r"\tilde{W}"),
                  part="lookahead")
        d.add("The iterates, a row per step", ans["iterates"], lhs="W", part="iterates")
        d.answer = f"w_{self.steps(p)} = {value_text(ans['iterates'][-1])}"
        return d
