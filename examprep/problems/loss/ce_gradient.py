"""Gradient of softmax cross-entropy: ∂L/∂z = P − Q, ∂L/∂W = (P − Q) hᵀ for logits W h, and one SGD step.

Catalog: seed_000_001 B7 (next-token NLL and its gradient: z = [2, 1, 0.1], target 1 gives L = 1.417030 and
∂L/∂z = [0.659001, −0.757567, 0.098566]; W_U = [[1, 0.5], [0, −1], [0.5, 0.5]], E = [1, −1], target 1, η = 0.5 gives
the new loss 0.377573).

Parameters:
    z: the logits; or W (|V| × d, out × in as `nn.Linear`) and h (d entries): logits W h (no bias).
    target: the target class, numbered from 0.
    eta: the learning rate of one SGD step on W (W only; optional).

Answer parts: ``probs``, ``loss`` (−ln P_target), ``grad_z`` (P − Q), ``grad_W`` ((P − Q) hᵀ, W only),
``W_new`` (W − η ∂L/∂W) and ``loss_new`` (the loss with W_new and the same h), the last two with eta.

Conventions stated in the prompt: ln is the natural log; classes numbered from 0; logits W h with W (out × in);
Q is one-hot on the target; the update is gradient descent W ← W − η ∂L/∂W.

Reference: autograd through ``F.linear`` and ``F.cross_entropy``, one ``torch.optim.SGD`` step
(examprep.reference.loss:ce_gradient).

Common mistakes: Q − P for the gradient; the outer product with h missing (P − Q used for ∂L/∂W); a step up the
gradient (ascent); log base 2.

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
from examprep.problems.loss.softmax import num, one_hot, softmax, softmax_steps
from examprep.problems.mlp.near_miss import add, near_miss
from examprep.problems.mlp.numbers import grid
from examprep.solver.expr import Add, Func, Mat, Sym
from examprep.solver.step import Derivation

DP = 4


class CEGradient(ProblemType):
    id = "loss/ce_gradient-v1"
    title = "Gradient of softmax cross-entropy and one SGD step"
    catalog = "seed_000_001 B7"
    reference_entry = "examprep.reference.loss:ce_gradient"
    params = (
        Param("z", "vector", "logits", lo=-100, hi=100, optional=True),
        Param("W", "matrix", "output weight |V|×d (out × in, as nn.Linear)", lo=-100, hi=100, optional=True),
        Param("h", "vector", "hidden vector (d entries)", lo=-100, hi=100, optional=True),
        Param("target", "int", "target class, numbered from 0", lo=0),
        Param("eta", "real", "learning rate of one SGD step on W", lo=0.0001, hi=100, optional=True),
    )
    parts = (
        Part("probs", "Probabilities P = softmax(z)", "vector", mode="decdig", digits=DP, final=False),
        Part("loss", "Loss −ln P_target", "real", mode="decdig", digits=DP, uses=("probs",)),
        Part("grad_z", "Gradient ∂L/∂z = P − Q", "vector", mode="decdig", digits=DP, uses=("probs",)),
        Part("grad_W", "Gradient ∂L/∂W = (P − Q) hᵀ", "matrix", mode="decdig", digits=DP, uses=("grad_z",)),
        Part("W_new", "W after one step W − η ∂L/∂W", "matrix", mode="decdig", digits=DP, uses=("grad_W",)),
        Part("loss_new", "Loss after the step", "real", mode="decdig", digits=DP, uses=("W_new",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        k = 3 if difficulty != "hard" else int(rng.integers(3, 5))
        if difficulty == "easy" or (difficulty == "medium" and rng.integers(2)):
            return dict(z=grid(rng, -2, 3, difficulty, k), target=int(rng.integers(k)))
        d = 2 if difficulty == "medium" else int(rng.integers(2, 4))
        return dict(W=grid(rng, -1.5, 1.5, difficulty, (k, d)), h=grid(rng, -1.5, 1.5, difficulty, d, nonzero=True),
                    target=int(rng.integers(k)), eta=(0.1, 0.5, 1.0)[int(rng.integers(3))])

    def check(self, p: Params) -> list[str]:
        if (p.z is None) == (p.W is None):
            raise ParamError("give the logits z, or W and h (logits W h), not both")
        if p.W is not None:
            if p.h is None or len(p.h) != len(p.W[0]):
                raise ParamError(f"W is {len(p.W)}×{len(p.W[0])} (out × in), so h needs {len(p.W[0])} entries")
        elif p.h is not None or p.eta is not None:
            raise ParamError("h and eta go with W; with logits z given, leave them out")
        k = len(p.z) if p.z is not None else len(p.W)
        if k < 2:
            raise ParamError("give at least 2 classes")
        if p.target >= k:
            raise ParamError(f"target={p.target}: classes are numbered 0 to {k - 1}")
        return []

    def active_parts(self, p: Params) -> tuple[Part, ...]:
        names = ["probs", "loss", "grad_z"]
        if p.W is not None:
            names.append("grad_W")
            if p.eta is not None:
                names += ["W_new", "loss_new"]
        return tuple(pt for pt in self.parts if pt.name in names)

    def degenerate(self, p: Params) -> str | None:
        if softmax(self.logits(p)).min() < 5e-4:
            return "a probability rounds to 0"
        return near_miss(self, self.solve(p), self.mistakes(p))

    def logits(self, p: Params, W: Any = None) -> np.ndarray:  # noqa: N803
        if p.W is None:
            return np.asarray(p.z, dtype=float)
        return np.asarray(p.W if W is None else W, dtype=float) @ np.asarray(p.h, dtype=float)

    def answers(self, p: Params, sign: float = 1.0, outer: bool = True, step: float = -1.0,
                log: Any = np.log, given: Answers | None = None) -> Answers:
        """The chain of parts; ``sign`` −1 gives Q − P, ``step`` +1 gives ascent (each a named mistake).

        ``given``: the student's earlier values (error carried forward).
        """
        z = self.logits(p)
        P = carry(given, "probs", softmax(z))  # noqa: N806
        Q = one_hot([p.target], len(z))[0]  # noqa: N806
        g = carry(given, "grad_z", sign * (P - Q))
        out: Answers = {"probs": P, "loss": float(-log(P[p.target])), "grad_z": g}
        if p.W is not None:
            gW = carry(given, "grad_W", np.outer(g, np.asarray(p.h, dtype=float)) if outer else g)  # noqa: N806
            out["grad_W"] = gW
            if p.eta is not None and outer:
                W_new = carry(given, "W_new", np.asarray(p.W, dtype=float) + step * p.eta * gW)  # noqa: N806
                out["W_new"] = W_new
                out["loss_new"] = float(-log(softmax(self.logits(p, W_new))[p.target]))
        return out

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return self.answers(p, given=given)

    def statement(self, p: Params) -> list[Any]:
        if p.W is None:
            out: list[Any] = ["A classifier gives the logits z = ", Mat([[num(v) for v in p.z]]),
                              f" for {len(p.z)} classes; the target is class {p.target}"]
        else:
            out = [f"An output layer maps the hidden vector h to {len(p.W)} logits $z = W h$ (no bias; W has shape "
                   f"${len(p.W)} \\times {len(p.h)}$, out $\\times$ in, as in PyTorch's nn.Linear).\nW = ",
                   Mat([[num(v) for v in r] for r in p.W]), ", h = ", Mat([[num(v) for v in p.h]]),
                   f". The target is class {p.target}"]
        out.append(" (classes are numbered from 0). With $P = \\operatorname{softmax}(z)$ and Q one-hot on the target, "
                   "the loss is $L = -\\sum_i Q_i \\ln P_i = -\\ln P_{\\text{target}}$, ln the natural log. Give P, "
                   "L and $\\frac{\\partial L}{\\partial z}$")
        if p.W is not None:
            out.append(", and $\\frac{\\partial L}{\\partial W}$ (same shape as W)")
            if p.eta is not None:
                out.append(f"; then take one gradient-descent step $W' = W - \\eta "
                           f"\\frac{{\\partial L}}{{\\partial W}}$ with $\\eta$ = {p.eta:g} and give the new W and "
                           "the new loss for the same h")
        out.append(f", to {DP} decimal places.")
        return out

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        z = self.logits(p)
        d = Derivation()
        if p.W is not None:
            d.add("Logits $z = W h$ (row k of W times h)", z, lhs="z", substituted=_rows_times(p.W, p.h))
        softmax_steps(d, z[None, :], False, sym="P")
        d.add("Loss $L = -\\ln P_{\\text{target}}$", a["loss"], lhs="L",
              substituted=-Func("ln", num(a["probs"][p.target])), part="loss")
        Q = one_hot([p.target], len(z))[0]  # noqa: N806
        d.add("Gradient $\\frac{\\partial L}{\\partial z} = P - Q$", a["grad_z"],
              lhs=Sym("g", tex=r"\frac{\partial L}{\partial z}"),
              substituted=Mat([[num(pk) - num(qk) for pk, qk in zip(a["probs"], Q, strict=True)]]), part="grad_z",
              note="Q is 1 at the target and 0 elsewhere")
        if p.W is not None:
            d.add("Gradient $\\frac{\\partial L}{\\partial W} = (P - Q) h^\\top$: entry (k, j) is $(P_k - Q_k) h_j$",
                  a["grad_W"], lhs=Sym("G", tex=r"\frac{\partial L}{\partial W}"),
                  substituted=Mat([[num(g) * num(x) for x in p.h] for g in a["grad_z"]]), part="grad_W")
            if p.eta is not None:
                d.add(f"Gradient step $W' = W - \\eta \\frac{{\\partial L}}{{\\partial W}}$ with $\\eta$ = {p.eta:g}",
                      a["W_new"], lhs=Sym("W_new", tex="W'"),
                      substituted=Mat([[num(w) - num(p.eta) * num(g) for w, g in zip(rw, rg, strict=True)]
                                       for rw, rg in zip(p.W, a["grad_W"], strict=True)]), part="W_new")
                z2 = self.logits(p, a["W_new"])
                d.add("New logits $W' h$", z2, lhs=Sym("z_new", tex="z'"), substituted=_rows_times(a["W_new"], p.h))
                p2 = softmax(z2)
                d.add("New probabilities", p2, lhs=Sym("P_new", tex="P'"),
                      substituted=Mat([[Func("exp", num(v)) / Func("paren", Add([(1, Func("exp", num(u))) for u in z2]))
                                        for v in z2]]))
                d.add("New loss", a["loss_new"], lhs=Sym("L_new", tex="L'"), substituted=-Func("ln", num(p2[p.target])),
                      part="loss_new", note="lower than before: the step went down the gradient"
                      if a["loss_new"] < a["loss"] else "higher than before: this step overshot")
        d.answer = f"L = {a['loss']:.4f}" + (f", new loss {a['loss_new']:.4f}" if "loss_new" in a else "")
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)
        m: dict[str, Mistake] = {}
        flip = self.answers(p, sign=-1.0)
        flip.pop("loss_new", None)
        flip.pop("W_new", None)  # W + η(P − Q)hᵀ: the same W' as an ascent step, named there
        add(m, "q_minus_p", flip, truth,
            "The gradient is $P - Q$, not $Q - P$: it is positive for the wrong classes (raising their logits raises "
            "the loss).")
        if p.W is not None:
            add(m, "outer_product_missing", {"grad_W": truth["grad_z"]}, truth,
                "$\\frac{\\partial L}{\\partial W}$ is the outer product $(P - Q) h^\\top$, a matrix shaped like W: "
                "entry (k, j) is $(P_k - Q_k) h_j$.")
            if p.eta is not None:
                up = self.answers(p, step=1.0)
                add(m, "ascent", {"W_new": up["W_new"], "loss_new": up["loss_new"]}, truth,
                    "You moved W up the gradient (a step added, or the gradient taken as $Q - P$): gradient "
                    "descent subtracts, $W' = W - \\eta (P - Q) h^\\top$.")
        add(m, "log2", {"loss": truth["loss"] / math.log(2)}, truth, "You used log base 2; use the natural log ln.")
        return m


def _rows_times(W: Any, h: Any) -> Mat:  # noqa: N803
    cells = []
    for row in W:
        terms = [(-1 if w < 0 else 1, num(abs(w)) * num(x)) for w, x in zip(row, h, strict=True)]
        cells.append(Add(terms))
    return Mat([cells])
