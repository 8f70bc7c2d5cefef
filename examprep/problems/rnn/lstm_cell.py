"""One step of an LSTM cell: the gates i, f, g, o from [x_t; h_{t-1}], then c_t and h_t.

Catalog: seed_002 F5 (x = 1, h = 0.5, c = 0.8: c_t = 1.037394, h_t = 0.527625; the notes' gates from x_t alone give
h_t = 0.461227; h = o⊙c gives 0.704576).

Parameters:
    x (D), h_prev (H), c_prev (H): numbers or lists. W_i, W_f, W_g, W_o: H×(D+H), acting on [x_t; h_{t-1}] (a plain
    list is one row). b_i, b_f, b_g, b_o (H; default 0).

Answer parts: ``i``, ``f``, ``g``, ``o`` (the gates), ``c`` (c_t) and ``h`` (h_t), each a vector of H entries.

Conventions stated in the prompt: i, f, o = σ(W [x_t; h_{t-1}] + b), g = tanh(W_g [x_t; h_{t-1}] + b_g),
c_t = f⊙c_{t-1} + i⊙g, h_t = o⊙tanh(c_t); the weights also shown stacked as PyTorch stores them, rows in gate
order (i, f, g, o).

Reference: ``nn.LSTMCell`` with weight_ih and weight_hh the stacked blocks' x and h columns, bias_ih the stacked
biases and bias_hh = 0; the gates from the cell's stacked weights chunked in PyTorch's order
(examprep.reference.rnn:lstm_cell).

Common mistakes: i, f, o computed from x_t alone (g still from [x_t; h_{t-1}]); h_t = o⊙c_t (tanh forgotten);
σ and tanh swapped; the stacked rows read as (g, i, f, o).

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
from examprep.problems.rnn.numbers import grid, plain, row_matrix, sigmoid, vector
from examprep.solver.expr import Func, Mat, Num
from examprep.solver.step import Derivation

DP = 4
GATES = ("i", "f", "g", "o")
NAMES = {"i": "input gate", "f": "forget gate", "g": "candidate", "o": "output gate"}


def sizes(p: Params) -> tuple[int, int]:
    """(H, D) from h_prev and x."""
    return vector("h_prev", p.h_prev, _len(p.h_prev)).size, vector("x", p.x, _len(p.x)).size


def _len(v: Any) -> int:
    return len(v) if isinstance(v, (list, tuple)) else 1


def weights(p: Params, gate: str) -> tuple[np.ndarray, np.ndarray]:
    H, D = sizes(p)  # noqa: N806
    return row_matrix(f"W_{gate}", p[f"W_{gate}"]), vector(f"b_{gate}", p[f"b_{gate}"], H)


class LSTMCell(ProblemType):
    id = "rnn/lstm_cell-v1"
    title = "One step of an LSTM cell"
    catalog = "seed_002 F5"
    reference_entry = "examprep.reference.rnn:lstm_cell"
    params = (
        Param("x", "json", "input x_t (D)"),
        Param("h_prev", "json", "previous state h_{t-1} (H)"),
        Param("c_prev", "json", "previous cell state c_{t-1} (H)"),
        *(Param(f"W_{k}", "json", f"{NAMES[k]} weights, H×(D+H) on [x_t; h_(t-1)]") for k in GATES),
        *(Param(f"b_{k}", "json", f"{NAMES[k]} bias (H) (absent: 0)", optional=True) for k in GATES),
    )
    parts = (
        *(Part(k, f"The {NAMES[k]} {k}", "vector", mode="decdig", digits=DP, final=False) for k in GATES),
        Part("c", "Cell state c_t", "vector", mode="decdig", digits=DP, uses=("i", "f", "g")),
        Part("h", "Hidden state h_t", "vector", mode="decdig", digits=DP, uses=("o", "c")),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        H = 1 if difficulty != "hard" else 2  # noqa: N806
        D = 1 if difficulty == "easy" else int(rng.integers(1, 3))  # noqa: N806
        out: dict[str, Any] = dict(x=grid(rng, -1, 1, D, nonzero=True), h_prev=grid(rng, -1, 1, H, nonzero=True),
                                   c_prev=grid(rng, -1, 1, H, nonzero=True))
        for k in GATES:
            out[f"W_{k}"] = grid(rng, -1, 1, (H, D + H), nonzero=True)
            out[f"b_{k}"] = grid(rng, -0.5, 0.5, H)
        return out

    def check(self, p: Params) -> list[str]:
        H, D = sizes(p)  # noqa: N806
        vector("c_prev", p.c_prev, H)
        for k in GATES:
            W, _ = weights(p, k)  # noqa: N806
            if W.shape != (H, D + H):
                raise ParamError(f"W_{k} is {W.shape[0]}×{W.shape[1]}; with H = {H} and D = {D} it must be "
                                 f"{H}×{D + H} (it acts on [x_t; h_(t-1)])")
        return []

    # ---- answers ----------------------------------------------------------------------------------------------
    def step(self, p: Params, x_only: bool = False, no_tanh_c: bool = False, swapped: bool = False,
             order: tuple[str, ...] = GATES, given: Answers | None = None) -> Answers:
        """The cell step, or a mistaken one; ``order`` names whose weights each of (i, f, g, o) uses; ``given``: the
        student's gates and c_t, used downstream."""
        H, D = sizes(p)  # noqa: N806
        x, h = vector("x", p.x, D), vector("h_prev", p.h_prev, H)
        v = np.concatenate([x, h])
        out: Answers = {}
        for gate, src in zip(GATES, order, strict=True):
            W, b = weights(p, src)  # noqa: N806
            z = (W[:, :D] @ x + b) if x_only and gate != "g" else W @ v + b
            squash = np.tanh if (gate == "g") != swapped else sigmoid
            out[gate] = carry(given, gate, squash(z))
        c = carry(given, "c", out["f"] * vector("c_prev", p.c_prev, H) + out["i"] * out["g"])
        out.update(c=c, h=out["o"] * (c if no_tanh_c else np.tanh(c)))
        return out

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return self.step(p, given=given)

    def degenerate(self, p: Params) -> str | None:
        return near_miss(self, self.solve(p), self.mistakes(p))

    # ---- text -------------------------------------------------------------------------------------------------
    def statement(self, p: Params) -> list[Any]:
        H, D = sizes(p)  # noqa: N806
        stacked = np.concatenate([weights(p, k)[0] for k in GATES])
        bias = np.concatenate([weights(p, k)[1] for k in GATES])
        return [
            f"An LSTM cell with input size D = {D} and hidden size H = {H} takes one step. Every gate reads "
            "$[x_t; h_{t-1}]$ (x first): $i = \\sigma(W_i [x_t; h_{t-1}] + b_i)$, "
            "$f = \\sigma(W_f [x_t; h_{t-1}] + b_f)$, $g = \\tanh(W_g [x_t; h_{t-1}] + b_g)$, "
            "$o = \\sigma(W_o [x_t; h_{t-1}] + b_o)$, then $c_t = f \\odot c_{t-1} + i \\odot g$ and "
            "$h_t = o \\odot \\tanh(c_t)$, with $\\sigma(z) = \\frac{1}{1 + e^{-z}}$. "
            "The weights are stacked as PyTorch stores them, one block of H rows per gate in the order "
            f"(i, f, g, o), columns $[x_t; h_{{t-1}}]$: W = ", Mat([[Num(c) for c in r] for r in plain(stacked)]),
            ", b = ", Mat([[Num(c) for c in plain(bias)]]), ". $x_t$ = ", _row(vector("x", p.x, D)),
            ", $h_{t-1}$ = ", _row(vector("h_prev", p.h_prev, H)), ", $c_{t-1}$ = ",
            _row(vector("c_prev", p.c_prev, H)),
            f". Give the gates i, f, g, o, then $c_t$ and $h_t$, to {DP} decimal places."]

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        H, D = sizes(p)  # noqa: N806
        v = np.concatenate([vector("x", p.x, D), vector("h_prev", p.h_prev, H)])
        d = Derivation()
        for k in GATES:
            W, b = weights(p, k)  # noqa: N806
            z = d.add(f"Pre-activation of the {NAMES[k]}: $z_{k} = W_{k} [x_t; h_{{t-1}}] + b_{k}$", W @ v + b,
                      lhs=f"z_{k}", substituted=dense_expr(W.tolist(), v.tolist(), b.tolist()))
            act = "tanh" if k == "g" else "sigmoid"
            fn = "\\tanh" if k == "g" else "\\sigma"
            d.add(f"${k} = {fn}(z_{k})$", a[k], lhs=k, part=k,
                  substituted=Mat([[af.substituted(act, float(t)) for t in z]]))
        c_prev = vector("c_prev", p.c_prev, H)
        d.add("Cell state $c_t = f \\odot c_{t-1} + i \\odot g$", a["c"], lhs="c_t", part="c",
              substituted=Mat([[Num(float(f)) * Num(float(cp)) + Num(float(i)) * Num(float(g))
                                for f, cp, i, g in zip(a["f"], c_prev, a["i"], a["g"], strict=True)]]))
        d.add("Hidden state $h_t = o \\odot \\tanh(c_t)$", a["h"], lhs="h_t", part="h",
              substituted=Mat([[Num(float(o)) * Func("tanh", Num(float(c))) for o, c in zip(a["o"], a["c"],
                                                                                          strict=True)]]))
        d.answer = f"c_t = {np.round(a['c'], DP).tolist()}, h_t = {np.round(a['h'], DP).tolist()}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)
        m: dict[str, Mistake] = {}
        add(m, "gates_from_x_only", self.step(p, x_only=True), truth,
            "The gates read the previous state too: $i = \\sigma(W_i [x_t; h_{t-1}] + b_i)$, and likewise f and o. "
            "You computed i, f and o from $x_t$ alone.")
        add(m, "h_without_tanh", self.step(p, no_tanh_c=True), truth,
            "The output squashes the cell state: $h_t = o \\odot \\tanh(c_t)$, not $o \\odot c_t$.")
        add(m, "sigma_tanh_swapped", self.step(p, swapped=True), truth,
            "The gates i, f, o use $\\sigma$ (values in (0, 1)) and the candidate g uses $\\tanh$; you swapped them.")
        add(m, "gate_order_gifo", self.step(p, order=("f", "g", "i", "o")), truth,
            "The stacked rows are in PyTorch's gate order (i, f, g, o); you read them as (g, i, f, o), so each of "
            "g, i, f took another gate's weights.")
        return m


def _row(v: np.ndarray) -> Mat:
    return Mat([[Num(c) for c in plain(v)]])
