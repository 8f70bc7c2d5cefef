"""Backpropagation through a 2-2-1 network with sigmoid units, by the chain rule, layer by layer.

Catalog: seed_004 A9 (sigmoid output with BCE: δ2 = f − y), seed_002 B2 (sigmoid output with ½(f − y)²; the notes'
middle factor ∂a_j^{(l)}/∂z_j^{(l−1)} is at the wrong layer: it is h′(z_j^{(l)})).

Parameters:
    x (2), W1 (2×2), b1 (2): the hidden layer, z1 = W1 x + b1, a1 = σ(z1).
    W2 (1×2), b2: the output unit, z2 = W2 a1 + b2, f = σ(z2).
    y: the target; objective: ``bce`` (−[y ln f + (1 − y) ln(1 − f)]) or ``half_se`` (½(f − y)²).

Answer parts: ``a1``, ``f``, ``loss``, ``delta2`` (∂L/∂z2), ``dW2`` (1×2), ``db2``, ``dL_da1`` (W2ᵀ δ2),
``delta1`` (∂L/∂z1 = ∂L/∂a1 ⊙ a1(1 − a1)), ``dW1`` (δ1 xᵀ, 2×2), ``db1``.

Conventions stated in the prompt: W of shape (out × in) as `nn.Linear`; ln is the natural log; the loss.

Reference: torch autograd through ``F.linear``, ``torch.sigmoid`` and ``F.binary_cross_entropy`` / the half squared
error, ``retain_grad`` for ∂L/∂z2, ∂L/∂a1 and ∂L/∂z1 (examprep.reference.mlp:backprop).

Common mistakes: σ′ computed as σ(a)(1 − σ(a)) from an activation a; the notes' middle factor at layer l−1 (σ′ of
the hidden unit in place of the output's); outer products transposed; an extra σ′ with BCE; the ½ dropped. (The
"no sum over paths" mistake cannot show here: each hidden unit has a single path to the one output.)

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.mlp import activation_fns as af
from examprep.problems.mlp.dense import dense_expr
from examprep.problems.mlp.near_miss import add, near_miss
from examprep.problems.mlp.numbers import grid
from examprep.solver.expr import Func, Mat, Num, Sym
from examprep.solver.step import Derivation

SF = 4
n = af.n


def _part(name: str, label: str, kind: str, final: bool = True, uses: tuple[str, ...] = ()) -> Part:
    return Part(name, label, kind, mode="sigfig", digits=SF, final=final, uses=uses)


class Backprop(ProblemType):
    id = "mlp/backprop-v1"
    title = "Backpropagation through a 2-2-1 sigmoid network"
    catalog = "seed_004 A9; seed_002 B2"
    reference_entry = "examprep.reference.mlp:backprop"
    params = (
        Param("x", "vector", "input (2 entries)", lo=-100, hi=100),
        Param("W1", "matrix", "hidden weight 2×2 (out × in)", lo=-100, hi=100),
        Param("b1", "vector", "hidden bias (2 entries)", lo=-100, hi=100),
        Param("W2", "matrix", "output weight 1×2", lo=-100, hi=100),
        Param("b2", "real", "output bias", lo=-100, hi=100),
        Param("y", "real", "target", lo=-100, hi=100),
        Param("objective", "choice", "bce: sigmoid output with BCE; half_se: sigmoid output with ½(f − y)²",
              choices=("bce", "half_se"), default="bce"),
    )
    parts = (
        _part("a1", "Hidden activations a1 = σ(z1)", "vector", final=False),
        _part("f", "Output f = σ(z2)", "real", final=False, uses=("a1",)),
        _part("loss", "Loss", "real", final=False, uses=("f",)),
        _part("delta2", "δ2 = ∂L/∂z2", "real", uses=("f",)),
        _part("dW2", "∂L/∂W2 (1×2)", "matrix", uses=("delta2", "a1")),
        _part("db2", "∂L/∂b2", "real", uses=("delta2",)),
        _part("dL_da1", "∂L/∂a1", "vector", final=False, uses=("delta2",)),
        _part("delta1", "δ1 = ∂L/∂z1", "vector", uses=("dL_da1", "a1")),
        _part("dW1", "∂L/∂W1 (2×2)", "matrix", uses=("delta1",)),
        _part("db1", "∂L/∂b1", "vector", uses=("delta1",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        lo, hi = (-2, 2) if difficulty == "easy" else (-1, 1)
        obj = "bce" if difficulty == "easy" else ("bce", "half_se")[int(rng.integers(2))]
        return dict(x=grid(rng, -2, 2, difficulty, 2, nonzero=True), W1=grid(rng, lo, hi, difficulty, (2, 2)),
                    b1=grid(rng, lo, hi, difficulty, 2), W2=grid(rng, lo, hi, difficulty, (1, 2), nonzero=True),
                    b2=grid(rng, lo, hi, difficulty), y=int(rng.integers(2)), objective=obj)

    def check(self, p: Params) -> list[str]:
        shapes = {"x": (len(p.x),), "W1": (len(p.W1), len(p.W1[0])), "b1": (len(p.b1),),
                  "W2": (len(p.W2), len(p.W2[0]))}
        want = {"x": (2,), "W1": (2, 2), "b1": (2,), "W2": (1, 2)}
        for k, v in want.items():
            if shapes[k] != v:
                raise ParamError(f"{k} must be {'×'.join(map(str, v))} for the 2-2-1 network, not "
                                 f"{'×'.join(map(str, shapes[k]))}")
        if p.objective == "bce" and not 0 <= p.y <= 1:
            raise ParamError(f"y={p.y:g}: with objective bce the target must be between 0 and 1")
        return []

    def degenerate(self, p: Params) -> str | None:
        a = self.solve(p)
        if abs(a["delta2"]) < 1e-3 or np.min(np.abs(a["delta1"])) < 1e-5:
            return "a gradient too close to 0"
        return near_miss(self, a, self.mistakes(p))

    def run(self, p: Params, given: Answers | None = None, *, sigma_of_a: bool = False, wrong_layer: bool = False,
            transposed: bool = False, extra_sigma: bool = False, half_dropped: bool = False) -> Answers:
        """Forward and backward pass; each keyword is one of the named mistakes.

        ``given``: the student's earlier values (error carried forward).
        """
        x, W1, b1 = np.asarray(p.x, float), np.asarray(p.W1, float), np.asarray(p.b1, float)  # noqa: N806
        w2 = np.asarray(p.W2, float)[0]
        a1 = carry(given, "a1", af.sigmoid(W1 @ x + b1))
        f = carry(given, "f", float(af.sigmoid(w2 @ a1 + p.b2)))

        def dsig(a: Any) -> Any:  # σ′ from the activation a = σ(z)
            s = af.sigmoid(a) if sigma_of_a else a
            return s * (1 - s)

        if p.objective == "bce":
            loss = float(-(p.y * np.log(f) + (1 - p.y) * np.log(1 - f)))
            dL_df = -p.y / f + (1 - p.y) / (1 - f)  # noqa: N806
            delta2 = (f - p.y) * (dsig(f) if extra_sigma else 1.0)
            if sigma_of_a and not extra_sigma:
                delta2 = dL_df * dsig(f)
        else:
            loss = float((1.0 if half_dropped else 0.5) * (f - p.y) ** 2)
            dL_df = (2 if half_dropped else 1) * (f - p.y)  # noqa: N806
            delta2 = dL_df * dsig(f)
        delta2 = carry(given, "delta2", float(delta2))
        dL_da1 = carry(given, "dL_da1", w2 * (dL_df * dsig(a1) if wrong_layer else delta2))  # noqa: N806
        delta1 = carry(given, "delta1", dL_da1 * dsig(a1))
        dW2 = np.outer(a1, delta2) if transposed else np.outer(delta2, a1)  # noqa: N806
        dW1 = np.outer(x, delta1) if transposed else np.outer(delta1, x)  # noqa: N806
        return {"a1": a1, "f": f, "loss": loss, "delta2": delta2, "dW2": dW2, "db2": delta2, "dL_da1": dL_da1,
                "delta1": delta1, "dW1": dW1, "db1": delta1}

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return self.run(p, given)

    def statement(self, p: Params) -> list[Any]:
        loss = ("the binary cross-entropy $L = -[y \\ln f + (1 - y) \\ln(1 - f)]$ (ln the natural log)"
                if p.objective == "bce" else "the squared error $L = \\frac{1}{2} (f - y)^2$")
        return ["A 2-2-1 network has sigmoid hidden units and a sigmoid output: $z_1 = W_1 x + b_1$, "
                "$a_1 = \\sigma(z_1)$, $z_2 = W_2 a_1 + b_2$, $f = \\sigma(z_2)$, with "
                "$\\sigma(z) = \\frac{1}{1 + e^{-z}}$ and each W of shape (out $\\times$ in), as in PyTorch's "
                "nn.Linear.\n"
                "x = ", Mat([[n(v) for v in p.x]]), ", $W_1$ = ", Mat([[n(v) for v in r] for r in p.W1]),
                ", $b_1$ = ", Mat([[n(v) for v in p.b1]]), ", $W_2$ = ", Mat([[n(v) for v in p.W2[0]]]),
                f", $b_2$ = {n(p.b2)}, target y = {n(p.y)}.\nThe loss is {loss}. Run the forward pass, then "
                "backpropagate: give $\\delta_2 = \\frac{\\partial L}{\\partial z_2}$, "
                "$\\frac{\\partial L}{\\partial W_2}$, $\\frac{\\partial L}{\\partial b_2}$, "
                "$\\frac{\\partial L}{\\partial a_1}$, $\\delta_1 = \\frac{\\partial L}{\\partial z_1}$, "
                "$\\frac{\\partial L}{\\partial W_1}$ (shaped like $W_1$) and $\\frac{\\partial L}{\\partial b_1}$, "
                f"to {SF} significant figures."]

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        x, a1, f, y = p.x, a["a1"], a["f"], p.y
        w2 = p.W2[0]
        d = Derivation()
        z1 = np.asarray(p.W1, float) @ np.asarray(x, float) + np.asarray(p.b1, float)
        d.add("Hidden pre-activation $z_1 = W_1 x + b_1$", z1, lhs="z_1", substituted=dense_expr(p.W1, x, p.b1))
        d.add("Hidden activation $a_1 = \\sigma(z_1)$", a1, lhs="a_1", part="a1",
              substituted=Mat([[af.substituted("sigmoid", float(v)) for v in z1]]))
        z2 = float(np.dot(w2, a1) + p.b2)
        d.add("Output pre-activation $z_2 = W_2 a_1 + b_2$", z2, lhs="z_2",
              substituted=dense_expr(p.W2, a1, (p.b2,)).rows[0][0])
        d.add("Output $f = \\sigma(z_2)$", f, lhs="f", substituted=af.substituted("sigmoid", z2), part="f")
        F, Y = n(f), n(y)  # noqa: N806
        if p.objective == "bce":
            d.add("Loss $-[y \\ln f + (1 - y) \\ln(1 - f)]$", a["loss"], lhs="L", part="loss",
                  substituted=-Func("paren", Y * Func("ln", F) + (1 - Y) * Func("ln", 1 - F)))
            d.add("Output error: with BCE the sigmoid's $f(1 - f)$ cancels, $\\delta_2 = f - y$", a["delta2"],
                  lhs=Sym("delta_2"), substituted=F - Y, part="delta2",
                  note="$\\frac{\\partial L}{\\partial f} = -\\frac{y}{f} + \\frac{1 - y}{1 - f}$ times "
                       "$\\sigma'(z_2) = f(1 - f)$ is $f - y$")
        else:
            d.add("Loss $\\frac{1}{2} (f - y)^2$", a["loss"], lhs="L", part="loss",
                  substituted=Num(0.5) * Func("paren", F - Y) ** 2)
            d.add("Output error $\\delta_2 = \\frac{\\partial L}{\\partial f} \\sigma'(z_2) = (f - y) f (1 - f)$",
                  a["delta2"], lhs=Sym("delta_2"), part="delta2",
                  substituted=Func("paren", F - Y) * F * Func("paren", 1 - F),
                  note="$\\sigma'(z_2) = f(1 - f)$ uses the output f itself, not $\\sigma(f)$")
        D2 = n(a["delta2"])  # noqa: N806
        d.add("$\\frac{\\partial L}{\\partial W_2} = \\delta_2 a_1^\\top$", a["dW2"],
              lhs=Sym("dW_2", tex=r"\frac{\partial L}{\partial W_2}"),
              substituted=Mat([[D2 * n(v) for v in a1]]), part="dW2")
        d.add("$\\frac{\\partial L}{\\partial b_2} = \\delta_2$", a["db2"],
              lhs=Sym("db_2", tex=r"\frac{\partial L}{\partial b_2}"),
              substituted=D2, part="db2")
        d.add("Back to the hidden layer: $\\frac{\\partial L}{\\partial a_1} = W_2^\\top \\delta_2$ "
              "(each hidden unit has one path, through $z_2$)", a["dL_da1"],
              lhs=Sym("dL_da1", tex=r"\frac{\partial L}{\partial a_1}"),
              substituted=Mat([[n(w) * D2 for w in w2]]), part="dL_da1")
        d.add("Hidden error $\\delta_1 = \\frac{\\partial L}{\\partial a_1} \\odot a_1 \\odot (1 - a_1)$",
              a["delta1"], lhs=Sym("delta_1"), part="delta1",
              substituted=Mat([[n(g) * n(v) * Func("paren", 1 - n(v)) for g, v in zip(a["dL_da1"], a1, strict=True)]]),
              note="$\\sigma'(z_1) = a_1 (1 - a_1)$ at the hidden layer's own pre-activation")
        d.add("$\\frac{\\partial L}{\\partial W_1} = \\delta_1 x^\\top$: entry (i, j) is $\\delta_{1,i} x_j$",
              a["dW1"], lhs=Sym("dW_1", tex=r"\frac{\partial L}{\partial W_1}"),
              substituted=Mat([[n(g) * n(v) for v in x] for g in a["delta1"]]), part="dW1")
        d.add("$\\frac{\\partial L}{\\partial b_1} = \\delta_1$", a["db1"],
              lhs=Sym("db_1", tex=r"\frac{\partial L}{\partial b_1}"),
              substituted=Mat([[n(v) for v in a["delta1"]]]), part="db1")
        d.answer = f"δ2 = {a['delta2']:.4g}, δ1 = {np.round(a['delta1'], 6).tolist()}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)
        m: dict[str, Mistake] = {}
        add(m, "sigma_prime_of_activation", self.run(p, sigma_of_a=True), truth,
            "You computed $\\sigma'$ as $\\sigma(a)(1 - \\sigma(a))$ from an activation a; a is already $\\sigma(z)$, "
            "so $\\sigma'(z) = a(1 - a)$.")
        add(m, "middle_factor_wrong_layer", self.run(p, wrong_layer=True), truth,
            "You used the hidden unit's $\\sigma'$ where the output's belongs: "
            "$\\frac{\\partial L}{\\partial a_{1,i}} = w_{2,i} \\sigma'(z_2) \\frac{\\partial L}{\\partial f}$; "
            "$\\sigma'(z_1)$ comes in one step later, in $\\delta_1$.")
        tr = self.run(p, transposed=True)
        add(m, "outer_transposed", {"dW1": tr["dW1"], "dW2": tr["dW2"]}, truth,
            "You transposed the outer product: $\\frac{\\partial L}{\\partial W} = \\delta a^\\top$, entry (i, j) "
            "is $\\delta_i a_j$, shaped like W (out $\\times$ in).")
        if p.objective == "bce":
            add(m, "extra_sigma_prime_bce", self.run(p, extra_sigma=True), truth,
                "With BCE on a sigmoid output, $\\delta_2 = f - y$: the $f(1 - f)$ is already cancelled; do not "
                "multiply by it again.")
        else:
            add(m, "half_dropped", self.run(p, half_dropped=True), truth,
                "The loss is $\\frac{1}{2} (f - y)^2$: keep the $\\frac{1}{2}$ (its derivative is $f - y$, "
                "not $2(f - y)$).")
        return m
