"""Forward pass of a two-layer network: z1 = W1 x + b1, h = act(z1), z2 = W2 h + b2, then the output unit.

Catalog: seed_002 A4 (2-2-2 ReLU net, softmax output) and A6 (XOR feature map, one input per row), seed_004 A4
(dense layer z = W a + b, W of shape N_l × N_{l−1}), seed_000_001 A2 (mean-field net (1/n)·Σ u_k σ(...); the MLP
with a sigmoid output) and B5 (GELU feed-forward block: [1.187076, −0.9]).

Parameters:
    x: the input vector, or one input per row (a batch; every part then has a row per input).
    W1 (hidden × in), b1 (optional): the hidden layer; act: relu, sigmoid, tanh, gelu (exact, x·Φ(x)) or gelu_tanh.
    W2 (out × hidden), b2 (optional): the output layer; out: identity (default), sigmoid or softmax.
    mean_field: default false; true gives z2 = (1/n)·W2 h + b2 with n hidden units.

Answer parts: ``z1``, ``h``, ``z2``, ``output`` (only when out is not identity), ``class`` (softmax only: the
argmax, numbered from 0, one per input).

Conventions stated in the prompt: a dense layer is z = W a + b with W of shape (out × in) as in `nn.Linear`; the
activation's formula (GELU exact or its tanh form); classes numbered from 0; the 1/n of the mean-field form.

Reference: ``nn.Linear`` layers with the weights copied in, ``F.relu``, ``torch.sigmoid``, ``torch.tanh``,
``F.gelu`` (exact and approximate='tanh'), ``torch.softmax`` (examprep.reference.mlp:forward).

Common mistakes: the hidden activation left out; the activation also applied to the logits; Wᵀ for W; the biases
dropped; the 1/n forgotten; ReLU for GELU; GELU(x) = Φ(x).

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.loss.softmax import softmax
from examprep.problems.mlp import activation_fns as af
from examprep.problems.mlp.dense import dense, dense_expr
from examprep.problems.mlp.near_miss import add, near_miss
from examprep.problems.mlp.numbers import grid, rows
from examprep.solver.expr import Func, Mat, Sym
from examprep.solver.step import Derivation

DP = 4
ACTS = ("relu", "sigmoid", "tanh", "gelu", "gelu_tanh")
TIE_DECIMALS = 9


class Forward(ProblemType):
    id = "mlp/forward-v1"
    title = "Forward pass of a two-layer network"
    catalog = "seed_002 A4, A6; seed_004 A4; seed_000_001 A2, B5"
    reference_entry = "examprep.reference.mlp:forward"
    params = (
        Param("x", "json", "input vector, or one input per row"),
        Param("W1", "matrix", "hidden weight (hidden × in)", lo=-1000, hi=1000),
        Param("b1", "vector", "hidden bias (absent: none)", lo=-1000, hi=1000, optional=True),
        Param("act", "choice", "hidden activation", choices=ACTS, default="relu"),
        Param("W2", "matrix", "output weight (out × hidden)", lo=-1000, hi=1000),
        Param("b2", "vector", "output bias (absent: none)", lo=-1000, hi=1000, optional=True),
        Param("out", "choice", "output unit", choices=("identity", "sigmoid", "softmax"), default="identity"),
        Param("mean_field", "bool", "z2 = (1/n)·W2 h + b2 with n hidden units", default=False),
    )
    parts = (
        Part("z1", "Hidden pre-activation W1 x + b1", "vector", mode="decdig", digits=DP, final=False),
        Part("h", "Hidden activation act(z1)", "vector", mode="decdig", digits=DP, final=False, uses=("z1",)),
        Part("z2", "Output pre-activation (logits)", "vector", mode="decdig", digits=DP, uses=("h",)),
        Part("output", "Output unit's value", "vector", mode="decdig", digits=DP, uses=("z2",)),
        Part("class", "Predicted class (numbered from 0), one per input", "vector", integral=True, uses=("z2",)),
    )

    # ---- parameters -------------------------------------------------------------------------------------------
    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        d_in = 2
        hidden = 2 if difficulty == "easy" else int(rng.integers(2, 4))
        act = {"easy": ("relu", "sigmoid"), "medium": ("relu", "sigmoid", "tanh", "gelu"),
               "hard": ACTS}[difficulty][int(rng.integers(2 if difficulty == "easy" else 4 if difficulty == "medium"
                                                          else 5))]
        out = ("identity", "sigmoid", "softmax")[int(rng.integers(3))]
        n_out = 1 if out == "sigmoid" else 2
        lo, hi = (-2, 2) if difficulty == "easy" else (-1, 1)
        batch = difficulty == "hard" and int(rng.integers(3)) == 0
        x = grid(rng, -2, 2, difficulty, (2, d_in) if batch else d_in)
        mean_field = difficulty == "hard" and not batch and int(rng.integers(3)) == 0
        return dict(x=x, W1=grid(rng, lo, hi, difficulty, (hidden, d_in), nonzero=True),
                    b1=grid(rng, lo, hi, difficulty, hidden), act=act,
                    W2=grid(rng, lo, hi, difficulty, (n_out, hidden), nonzero=True),
                    b2=grid(rng, lo, hi, difficulty, n_out), out=out, mean_field=mean_field)

    def check(self, p: Params) -> list[str]:
        x, _ = rows("x", p.x)
        hidden, d_in = len(p.W1), len(p.W1[0])
        if x.shape[1] != d_in:
            raise ParamError(f"W1 is {hidden}×{d_in} (hidden × in), so x needs {d_in} entries, not {x.shape[1]}")
        if p.b1 is not None and len(p.b1) != hidden:
            raise ParamError(f"b1 has {len(p.b1)} entries; W1 has {hidden} rows (one per hidden unit)")
        if len(p.W2[0]) != hidden:
            raise ParamError(f"W2 has {len(p.W2[0])} columns; it needs {hidden} (out × hidden, one column per "
                             "hidden unit)")
        if p.b2 is not None and len(p.b2) != len(p.W2):
            raise ParamError(f"b2 has {len(p.b2)} entries; W2 has {len(p.W2)} rows (one per output)")
        if p.out == "softmax" and len(p.W2) < 2:
            raise ParamError("a softmax output needs at least 2 outputs (W2 with 2 or more rows)")
        return []

    def active_parts(self, p: Params) -> tuple[Part, ...]:
        skip = ({"output"} if p.out == "identity" else set()) | ({"class"} if p.out != "softmax" else set())
        return tuple(pt for pt in self.parts if pt.name not in skip)

    # ---- answers ----------------------------------------------------------------------------------------------
    def forward(self, p: Params, *, act: str | None = None, hidden_act: bool = True, logit_act: bool = False,
                transpose: bool = False, biases: bool = True, mean_field: bool | None = None,
                phi_only: bool = False, given: Answers | None = None) -> Answers:
        """The forward pass, or a mistaken one (every keyword is one way to get it wrong).

        ``given``: the student's earlier values (error carried forward).
        """
        x, batched = rows("x", p.x)
        W1, W2 = np.asarray(p.W1, dtype=float), np.asarray(p.W2, dtype=float)  # noqa: N806
        if transpose:
            W1 = W1.T if W1.shape[0] == W1.shape[1] else W1  # noqa: N806
            W2 = W2.T if W2.shape[0] == W2.shape[1] else W2  # noqa: N806
        b1 = p.b1 if biases else None
        b2 = p.b2 if biases else None
        one = (lambda v: v) if batched else (lambda v: v[0])

        def carried(name: str, v: np.ndarray) -> np.ndarray:  # the student's value, one row per input
            return np.reshape(carry(given, name, one(v)), v.shape)

        z1 = carried("z1", dense(W1, x, b1))
        a = act or p.act
        h = carried("h", (af.phi(z1) if phi_only else af.value(a, z1)) if hidden_act else z1)
        mf = p.mean_field if mean_field is None else mean_field
        z2 = dense(W2, h, b2, scale=1 / len(p.W1) if mf else 1.0)
        if logit_act:
            z2 = af.value(a, z2)
        z2 = carried("z2", z2)
        out: Answers = {"z1": one(z1), "h": one(h), "z2": one(z2)}
        if p.out == "sigmoid":
            out["output"] = one(af.sigmoid(z2))
        elif p.out == "softmax":
            out["output"] = one(softmax(z2))
            out["class"] = np.argmax(np.round(z2, TIE_DECIMALS), axis=1)
        return out

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return self.forward(p, given=given)

    def degenerate(self, p: Params) -> str | None:
        a = self.solve(p)
        if p.out == "softmax":
            z2 = np.atleast_2d(a["z2"])
            top = np.sort(z2, axis=1)
            if np.any(top[:, -1] - top[:, -2] < 1e-6):
                return "two classes tie for the largest logit"
        return near_miss(self, a, self.mistakes(p))

    # ---- text -------------------------------------------------------------------------------------------------
    def statement(self, p: Params) -> list[Any]:
        x, batched = rows("x", p.x)
        hidden = len(p.W1)
        b1 = " + b_1" if p.b1 is not None else ""
        b2 = " + b_2" if p.b2 is not None else ""
        scale = "\\frac{1}{n} " if p.mean_field else ""
        out: list[Any] = [f"A network has {len(p.W1[0])} inputs, {hidden} hidden units and {len(p.W2)} output"
                          f"{'s' if len(p.W2) > 1 else ''}: $z_1 = W_1 x{b1}$, $h = \\operatorname{{act}}(z_1)$, "
                          f"$z_2 = {scale}W_2 h{b2}$"]
        if p.mean_field:
            out.append(f" (the mean-field form: n = {hidden} hidden units)")
        out.append(". A dense layer computes $z = W a + b$ with W of shape (out $\\times$ in), as in PyTorch's "
                   "nn.Linear. "
                   f"The hidden activation is {af.FORMULAS[p.act]}")
        out.append(".\nx = " if not batched else ".\nInputs, one per row: x = ")
        out.append(Mat([[af.n(v) for v in r] for r in x]) if batched else Mat([[af.n(v) for v in x[0]]]))
        for name, v in (("W_1", p.W1), ("b_1", p.b1), ("W_2", p.W2), ("b_2", p.b2)):
            if v is not None:
                out += [f", ${name}$ = ", Mat([[af.n(c) for c in r] for r in v]) if isinstance(v[0], tuple)
                        else Mat([[af.n(c) for c in v]])]
        asked = "Give $z_1$, h and $z_2$"
        if p.out == "sigmoid":
            asked += " and the output $\\sigma(z_2)$ with " + af.FORMULAS["sigmoid"]
        elif p.out == "softmax":
            asked += (", the softmax output $p_k = \\frac{e^{z_{2,k}}}{\\sum_j e^{z_{2,j}}}$ and the predicted class "
                      "(the largest probability; classes are numbered from 0)")
        else:
            asked += " (the output is $z_2$ itself: no output activation)"
        per = ", each with a row per input" if batched else ""
        out.append(f".\n{asked}{per}, to {DP} decimal places.")
        return out

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        x, batched = rows("x", p.x)
        d = Derivation()
        z1s, hs, z2s = (np.atleast_2d(a[k]) for k in ("z1", "h", "z2"))
        for i, xi in enumerate(x):
            tag = f" for input {i + 1}" if batched else ""
            d.add(f"Hidden pre-activation $z_1 = W_1 x + b_1${tag} (row k of $W_1$ times x)", z1s[i],
                  lhs="z_1", substituted=dense_expr(p.W1, xi, p.b1), part=None if batched else "z1")
            d.add(f"Hidden activation $h = \\operatorname{{act}}(z_1)$, act = {p.act}{tag}", hs[i], lhs="h",
                  substituted=Mat([[af.substituted(p.act, float(v)) for v in z1s[i]]]),
                  part=None if batched else "h")
            d.add(f"Output pre-activation $z_2${tag}", z2s[i], lhs="z_2",
                  substituted=dense_expr(p.W2, hs[i], p.b2, inv_n=len(p.W1) if p.mean_field else None),
                  part=None if batched else "z2")
        if batched:
            d.add("Hidden pre-activations, one row per input", a["z1"], lhs="z_1", substituted=Mat(
                [[af.n(v) for v in r] for r in a["z1"]]), part="z1")
            d.add("Hidden activations", a["h"], lhs="h", substituted=Mat([[af.n(v) for v in r] for r in a["h"]]),
                  part="h")
            d.add("Output pre-activations", a["z2"], lhs="z_2",
                  substituted=Mat([[af.n(v) for v in r] for r in a["z2"]]), part="z2")
        if p.out == "sigmoid":
            d.add("Sigmoid output $\\sigma(z_2)$", a["output"], lhs=Sym("out", "σ(z_2)", r"\sigma(z_2)", "sigma(z_2)"),
                  substituted=Mat([[af.substituted("sigmoid", float(v)) for v in r] for r in z2s]), part="output")
        elif p.out == "softmax":
            d.add("Softmax output $p_k = \\frac{e^{z_{2,k}}}{\\sum_j e^{z_{2,j}}}$", a["output"], lhs="p",
                  substituted=Mat([[Func("exp", af.n(v)) / _sum_exp(r) for v in r] for r in z2s]), part="output")
            d.add("Predicted class: the largest probability", a["class"], lhs="class", part="class",
                  note="classes are numbered from 0")
        d.answer = "z_2 = " + str(np.round(a["z2"], DP).tolist())
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)
        m: dict[str, Mistake] = {}
        add(m, "no_hidden_activation", self.forward(p, hidden_act=False), truth,
            "You left out the hidden activation: h = act($z_1$) goes into the output layer, not $z_1$.")
        if p.out != "identity" or p.act in ("relu", "sigmoid", "tanh"):
            add(m, "activation_on_logits", self.forward(p, logit_act=True), truth,
                f"You applied the hidden activation ({p.act}) to the output logits too; $z_2 = W_2 h + b_2$ has no "
                "activation" + (" before the output unit." if p.out != "identity" else "."))
        if len(p.W1) == len(p.W1[0]) or len(p.W2) == len(p.W2[0]):
            add(m, "transposed", self.forward(p, transpose=True), truth,
                "You multiplied by $W^\\top$: a dense layer is $z = W a + b$ with W of shape (out $\\times$ in), so "
                "$z_k = \\sum_j W_{kj} a_j$ uses row k of W.")
        if p.b1 is not None or p.b2 is not None:
            add(m, "bias_dropped", self.forward(p, biases=False), truth, "You dropped the biases: add $b_1$ and $b_2$.")
        if p.mean_field:
            add(m, "mean_field_n_forgotten", self.forward(p, mean_field=False), truth,
                f"You forgot the $\\frac{{1}}{{n}}$ of the mean-field form: divide $W_2 h$ by n = {len(p.W1)}.")
        if p.act in ("gelu", "gelu_tanh"):
            add(m, "relu_for_gelu", self.forward(p, act="relu"), truth,
                "You used ReLU; the activation here is GELU, $z \\Phi(z)$, which is not 0 for negative z.")
        if p.act == "gelu":
            add(m, "gelu_as_phi", self.forward(p, phi_only=True), truth,
                "You took GELU(z) = $\\Phi(z)$; it is $z \\Phi(z)$ (times z).")
        return m


def _sum_exp(r: np.ndarray) -> Any:
    from examprep.solver.expr import Add

    return Func("paren", Add([(1, Func("exp", af.n(v))) for v in r]))
