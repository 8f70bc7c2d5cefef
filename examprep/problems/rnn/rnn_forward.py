"""Forward pass of a vanilla (Elman) RNN, its many-to-one softmax output, and the BPTT gradient dh_T/dh_0.

Catalog: seed_002 F1 (forward pass, probabilities [0.336798, 0.663202]) and F3 (dh_3/dh_0 = 0.183753), seed_004 B1
(2-D state: h_2 = (0.277540, -0.002625)), seed_000_001 D1 (dh_3/dh_0 = 0.017754).

Parameters:
    x: D×T (column t is x_t); a plain list is a scalar sequence.
    W_x (H×D), W_h (H×H), b (H; PyTorch's b_ih + b_hh as their sum; default 0), h0 (H; default 0).
    W_y (K×H) and b_y (K; default 0): optional output layer. grad: the gradient parts (H = D = 1 only).

Answer parts: ``h`` (H×T, column t is h_t); with W_y ``logits`` (W_y h_T + b_y), ``probs`` (their softmax) and
``class`` (1-based argmax); with grad ``factors`` (w_h(1 - h_t^2), t = 1..T) and ``grad_h0`` (their product).

Conventions stated in the prompt: h_t = tanh(W_x x_t + W_h h_{t-1} + b) with one bias; y = softmax(W_y h_T + b_y);
classes numbered from 1.

Reference: ``nn.RNN`` with weight_ih = W_x, weight_hh = W_h, bias_ih = b, bias_hh = 0; ``nn.Linear`` and
``torch.softmax`` for the output; autograd on h_0 (examprep.reference.rnn:rnn_forward).

Common mistakes: no tanh (a linear recurrence) or a sigmoid; the state not carried (h_0 fed at every step); the
gradient as w_h^T (tanh' forgotten), with 1 - h_{t-1}^2 or with 1 - h_t, or the factors summed.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.loss.softmax import softmax, softmax_steps
from examprep.problems.mlp.dense import dense_expr
from examprep.problems.mlp.near_miss import add, near_miss
from examprep.problems.rnn.numbers import grid, matrix, plain, sigmoid, vector
from examprep.solver.expr import Func, Mat, Mul, Num, Sym
from examprep.solver.step import Derivation

DP = 4
FACTOR = Sym("f_t", tex=r"\frac{\partial h_t}{\partial h_{t-1}}")
GRAD = Sym("g", tex=r"\frac{\partial h_T}{\partial h_0}")


def shapes(p: Params) -> tuple[int, int, int]:
    """(H, D, T) from the parameters."""
    x = inputs(p)
    return len(matrix("W_h", p.W_h)), x.shape[0], x.shape[1]


def inputs(p: Params) -> np.ndarray:
    """x as D×T (a plain list is one row: a scalar sequence)."""
    if isinstance(p.x, (list, tuple)) and p.x and not isinstance(p.x[0], (list, tuple)):
        return matrix("x", [list(p.x)])
    return matrix("x", p.x)


class RNNForward(ProblemType):
    id = "rnn/rnn_forward-v1"
    title = "Forward pass and BPTT gradient of a vanilla RNN"
    catalog = "seed_002 F1, F3; seed_004 B1; seed_000_001 D1"
    reference_entry = "examprep.reference.rnn:rnn_forward"
    params = (
        Param("x", "json", "inputs, D×T (column t is x_t); a plain list is a scalar sequence"),
        Param("W_x", "json", "input weights (H×D)"),
        Param("W_h", "json", "recurrent weights (H×H)"),
        Param("b", "json", "bias (H), PyTorch's b_ih + b_hh as their sum (absent: 0)", optional=True),
        Param("h0", "json", "initial state (H) (absent: 0)", optional=True),
        Param("W_y", "json", "output weights (K×H) (absent: no output layer)", optional=True),
        Param("b_y", "json", "output bias (K) (absent: 0)", optional=True),
        Param("grad", "bool", "ask for dh_T/dh_0 (H = D = 1 only)", default=False),
    )
    parts = (
        Part("h", "Hidden states, H×T (column t is h_t)", "matrix", mode="decdig", digits=DP,
             uses=("h",)),  # h_t from the student's h_{t−1}: followed column by column
        Part("logits", "Output logits W_y h_T + b_y", "vector", mode="decdig", digits=DP, final=False,
             uses=("h",)),
        Part("probs", "Softmax probabilities", "vector", mode="decdig", digits=DP, uses=("logits",)),
        Part("class", "Predicted class (numbered from 1)", "integer", uses=("probs",)),
        Part("factors", "Local derivatives w_h(1 - h_t^2), t = 1..T", "vector", mode="decdig", digits=DP,
             final=False, uses=("h",)),
        Part("grad_h0", "dh_T/dh_0", "real", mode="decdig", digits=DP, uses=("factors",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        if difficulty == "easy":
            H = D = 1  # noqa: N806
            T = 3
        elif difficulty == "medium":
            H, D, T = int(rng.integers(1, 3)), 1, int(rng.integers(2, 4))  # noqa: N806
        else:
            H, D, T = 2, int(rng.integers(1, 3)), int(rng.integers(2, 5)) if rng.random() < 0.5 else 2  # noqa: N806
        grad = H == 1 and D == 1 and rng.random() < 0.6
        out = not grad or rng.random() < 0.4
        K = 2 if difficulty != "hard" else int(rng.integers(2, 4))  # noqa: N806
        x = grid(rng, -1, 1, (D, T), nonzero=True)
        return dict(x=x[0] if D == 1 else x, W_x=grid(rng, -1, 1, (H, D), nonzero=True),
                    W_h=grid(rng, -1, 1, (H, H), nonzero=True),
                    b=grid(rng, -0.5, 0.5, H) if difficulty != "easy" else None,
                    h0=grid(rng, -0.5, 0.5, H) if rng.random() < 0.5 else None,
                    W_y=grid(rng, -2, 2, (K, H), nonzero=True) if out else None,
                    b_y=grid(rng, -1, 1, K) if out and difficulty != "easy" else None, grad=grad)

    def check(self, p: Params) -> list[str]:
        x = inputs(p)
        W_x, W_h = matrix("W_x", p.W_x), matrix("W_h", p.W_h)  # noqa: N806
        H = W_h.shape[0]  # noqa: N806
        if W_h.shape != (H, H):
            raise ParamError(f"W_h is {W_h.shape[0]}×{W_h.shape[1]}; it must be square (H×H)")
        if W_x.shape != (H, x.shape[0]):
            raise ParamError(f"W_x is {W_x.shape[0]}×{W_x.shape[1]}; with H = {H} and inputs of size "
                             f"D = {x.shape[0]} it must be {H}×{x.shape[0]}")
        vector("b", p.b, H)
        vector("h0", p.h0, H)
        if p.W_y is not None:
            W_y = matrix("W_y", p.W_y)  # noqa: N806
            if W_y.shape[1] != H:
                raise ParamError(f"W_y has {W_y.shape[1]} columns; it needs H = {H}")
            if W_y.shape[0] < 2:
                raise ParamError("W_y needs at least 2 rows (classes) for a softmax")
            vector("b_y", p.b_y, W_y.shape[0])
        elif p.b_y is not None:
            raise ParamError("b_y needs W_y (the output layer)")
        if p.grad and (H != 1 or x.shape[0] != 1):
            raise ParamError("grad needs a scalar RNN (H = D = 1)")
        if x.shape[1] > 20:
            raise ParamError(f"x has {x.shape[1]} steps; at most 20")
        return []

    def active_parts(self, p: Params) -> tuple[Part, ...]:
        skip = set() if p.W_y is not None else {"logits", "probs", "class"}
        skip |= set() if p.grad else {"factors", "grad_h0"}
        return tuple(pt for pt in self.parts if pt.name not in skip)

    # ---- answers ----------------------------------------------------------------------------------------------
    def run(self, p: Params, act: str = "tanh", carry: bool = True, given: Answers | None = None) -> np.ndarray:
        """H×T states; ``act`` tanh, sigmoid or none; ``carry`` False feeds h_0 at every step (mistakes).

        ``given``: the student's states (error carried forward, step by step): column t is computed from their
        h_{t−1}, so a student who rounds each h_t before the next step is followed.
        """
        x, W_x, W_h = inputs(p), matrix("W_x", p.W_x), matrix("W_h", p.W_h)  # noqa: N806
        H = W_h.shape[0]  # noqa: N806
        b, h0 = vector("b", p.b, H), vector("h0", p.h0, H)
        h, out = h0, []
        for t in range(x.shape[1]):
            z = W_x @ x[:, t] + W_h @ (h if carry else h0) + b
            h = np.tanh(z) if act == "tanh" else sigmoid(z) if act == "sigmoid" else z
            out.append(h)
            if given and "h" in given:
                h = np.asarray(given["h"], dtype=float).reshape(H, -1)[:, t]
        return np.stack(out, axis=1)

    def chain(self, p: Params, h: np.ndarray, deriv: str = "h_t", summed: bool = False,
              given: Answers | None = None) -> Answers:
        """The output and gradient parts from the states ``h``; ``deriv`` is how tanh' is taken (mistakes);
        ``given``: the student's earlier parts, used downstream."""
        out: Answers = {"h": h}
        h = carry(given, "h", h)
        if p.W_y is not None:
            W_y = matrix("W_y", p.W_y)  # noqa: N806
            logits = carry(given, "logits", W_y @ h[:, -1] + vector("b_y", p.b_y, W_y.shape[0]))
            probs = carry(given, "probs", softmax(logits[None, :])[0])
            out.update(logits=logits, probs=probs, **{"class": int(np.argmax(probs)) + 1})
        if p.grad:
            w = float(matrix("W_h", p.W_h)[0, 0])
            hs = h[0]
            prev = np.concatenate([[vector("h0", p.h0, 1)[0]], hs[:-1]])
            local = {"h_t": 1 - hs ** 2, "none": np.ones_like(hs), "h_prev": 1 - prev ** 2, "unsquared": 1 - hs}
            factors = carry(given, "factors", w * local[deriv])
            out.update(factors=factors, grad_h0=float(factors.sum() if summed else np.prod(factors)))
        return out

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return self.chain(p, self.run(p, given=given), given=given)

    def degenerate(self, p: Params) -> str | None:
        a = self.solve(p)
        if p.W_y is not None:
            top = np.sort(a["logits"])
            if top[-1] - top[-2] < 1e-3:
                return "two classes tie for the largest logit"
        if p.grad and abs(a["grad_h0"]) < 1e-3:
            return "the gradient rounds to 0 at 4 decimal places"
        return near_miss(self, a, self.mistakes(p))

    # ---- text -------------------------------------------------------------------------------------------------
    def statement(self, p: Params) -> list[Any]:
        H, D, T = shapes(p)  # noqa: N806
        out: list[Any] = [
            f"A vanilla RNN with hidden size H = {H} reads inputs of size D = {D} for T = {T} steps with "
            "$h_t = \\tanh(W_x x_t + W_h h_{t-1} + b)$ (one bias b, the sum of PyTorch's two). x = ",
            Mat([[Num(v) for v in r] for r in plain(inputs(p))]), " (column t is $x_t$), $W_x$ = ",
            Mat([[Num(v) for v in r] for r in plain(matrix("W_x", p.W_x))]), ", $W_h$ = ",
            Mat([[Num(v) for v in r] for r in plain(matrix("W_h", p.W_h))]), ", b = ",
            Mat([[Num(v) for v in plain(vector("b", p.b, H))]]), ", $h_0$ = ",
            Mat([[Num(v) for v in plain(vector("h0", p.h0, H))]]), ". Compute the states $h_1, \\ldots, h_T$ as an "
            "H $\\times$ T matrix h (column t is $h_t$)"]
        if p.W_y is not None:
            W_y = matrix("W_y", p.W_y)  # noqa: N806
            out += [". The output reads the last state: $y = \\operatorname{softmax}(W_y h_T + b_y)$ with $W_y$ = ",
                    Mat([[Num(v) for v in r] for r in plain(W_y)]), " and $b_y$ = ",
                    Mat([[Num(v) for v in plain(vector("b_y", p.b_y, len(W_y)))]]),
                    "; give the logits $W_y h_T + b_y$, the probabilities y and the predicted class (the largest "
                    "probability; classes are numbered from 1)"]
        if p.grad:
            out.append(". Through time, $\\frac{\\partial h_T}{\\partial h_0} = \\prod_{t=1}^{T} \\frac{\\partial h_t}"
                       "{\\partial h_{t-1}}$: give the factors $\\frac{\\partial h_t}{\\partial h_{t-1}}$ for "
                       "t = 1..T and their product $\\frac{\\partial h_T}{\\partial h_0}$")
        out.append(f". Give every value to {DP} decimal places.")
        return out

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        x, W_x, W_h = inputs(p), matrix("W_x", p.W_x), matrix("W_h", p.W_h)  # noqa: N806
        H, _, T = shapes(p)  # noqa: N806
        W = np.concatenate([W_x, W_h], axis=1).tolist()  # noqa: N806
        b, h = vector("b", p.b, H), vector("h0", p.h0, H)
        d = Derivation()
        for t in range(T):
            z = d.add(f"Pre-activation at t = {t + 1}: $a_{t + 1} = W_x x_{t + 1} + W_h h_{t} + b$ (the row of "
                      f"$[W_x W_h]$ times $[x_{t + 1}; h_{t}]$)", W_x @ x[:, t] + W_h @ h + b, lhs=f"a_{t + 1}",
                      substituted=dense_expr(W, [*x[:, t], *h], b.tolist()))
            h = d.add(f"State $h_{t + 1} = \\tanh(a_{t + 1})$", np.tanh(z), lhs=f"h_{t + 1}",
                      substituted=Mat([[Func("tanh", Num(float(v))) for v in z]]))
        d.add("The states as columns", a["h"], lhs="h", part="h")
        if p.W_y is not None:
            W_y = matrix("W_y", p.W_y)  # noqa: N806
            d.add(f"Logits $z = W_y h_{T} + b_y$", a["logits"], lhs="z", part="logits",
                  substituted=dense_expr(W_y.tolist(), h.tolist(), vector("b_y", p.b_y, len(W_y)).tolist()))
            softmax_steps(d, a["logits"][None, :], False, part="probs", sym="y")
            d.add("Predicted class: the largest probability, numbered from 1", a["class"], lhs="class",
                  part="class")
        if p.grad:
            w = float(W_h[0, 0])
            d.add("Local derivatives $\\frac{\\partial h_t}{\\partial h_{t-1}} = w_h (1 - h_t^2)$ with $w_h$ = "
                  f"{plain(w)}", a["factors"], lhs=FACTOR,
                  substituted=Mat([[Num(w) * Func("paren", 1 - Num(float(v)) ** 2) for v in a["h"][0]]]),
                  part="factors", note="the derivative of $\\tanh$ at $a_t$ is $1 - \\tanh(a_t)^2 = 1 - h_t^2$, "
                                       "taken at the new state $h_t$")
            d.add("Their product $\\frac{\\partial h_T}{\\partial h_0} = \\prod_t w_h (1 - h_t^2)$", a["grad_h0"],
                  lhs=GRAD, substituted=Mul([Num(float(v)) for v in a["factors"]]), part="grad_h0")
        d.answer = "h = " + str(np.round(a["h"], DP).tolist())
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)
        m: dict[str, Mistake] = {}
        add(m, "no_tanh", self.chain(p, self.run(p, act="none")), truth,
            "You left out the tanh: $h_t = \\tanh(W_x x_t + W_h h_{t-1} + b)$, not the pre-activation itself.")
        add(m, "sigmoid_for_tanh", self.chain(p, self.run(p, act="sigmoid")), truth,
            "You used a sigmoid; this RNN's state is $h_t = \\tanh(\\ldots)$, which lies in (-1, 1).")
        add(m, "state_not_carried", self.chain(p, self.run(p, carry=False)), truth,
            "Each step feeds the previous state $h_{t-1}$ into $W_h$; you used $h_0$ at every step.")
        if p.grad:
            h = self.run(p)
            for name, deriv, summed, fb in (
                    ("tanh_derivative_forgotten", "none", False,
                     "You left out tanh': each factor is $w_h (1 - h_t^2)$, not $w_h$ alone (that is $w_h^T$)."),
                    ("derivative_at_previous_state", "h_prev", False,
                     "tanh' is taken at the step's own output: the factor is $w_h (1 - h_t^2)$, not "
                     "$w_h (1 - h_{t-1}^2)$."),
                    ("tanh_derivative_unsquared", "unsquared", False,
                     "tanh'(z) = $1 - \\tanh(z)^2$: the factor is $w_h (1 - h_t^2)$, not $w_h (1 - h_t)$."),
                    ("factors_summed", "h_t", True,
                     "The chain rule multiplies the factors: $\\frac{\\partial h_T}{\\partial h_0}$ is their "
                     "product, not their sum.")):
                add(m, name, {k: v for k, v in self.chain(p, h, deriv, summed).items()
                              if k in ("factors", "grad_h0")}, truth, fb)
        return m
