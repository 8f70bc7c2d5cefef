"""One step of a GRU cell in either of two conventions: the one of Chung et al. (z weights the candidate, the reset
inside the product) or PyTorch's (z keeps the old state, the reset after the product).

Catalog: seed_002 F6 (x = 1, h = 0.5: r = 0.634136, z = 0.574443, n = 0.896413, h_t = 0.727717; the blend swapped
gives 0.668697).

Parameters:
    x (D), h_prev (H): numbers or lists. W_r, W_z, W_n: H×(D+H) on [x_t; h_{t-1}] (a plain list is one row);
    b_r, b_z, b_n (H; default 0). convention: ``notes`` or ``pytorch``.

Answer parts: ``r``, ``z``, ``n`` (the candidate) and ``h`` (h_t), each a vector of H entries.

Conventions stated in the prompt: r = σ(W_r [x_t; h_{t-1}] + b_r), z = σ(W_z [x_t; h_{t-1}] + b_z); ``notes``:
n = tanh(W_n [x_t; r⊙h_{t-1}] + b_n), h_t = (1 - z)⊙h_{t-1} + z⊙n; ``pytorch``: W_n = [W_n,x W_n,h],
n = tanh(W_n,x x_t + b_n + r⊙(W_n,h h_{t-1})), h_t = z⊙h_{t-1} + (1 - z)⊙n.

Reference: ``nn.GRUCell`` with the stacked (r, z, n) blocks' x and h columns, bias_hh = 0 (``pytorch``; ``notes``
with H = 1 by negating W_z and b_z, since σ(-a) = 1 - σ(a)); the formula in torch for ``notes`` with H = 2
(examprep.reference.rnn:gru_cell).

Common mistakes: the other convention's blend and reset; the reset applied to x_t or to the final blend instead of
inside the candidate; the candidate without tanh.

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
from examprep.problems.rnn.lstm_cell import _len, _row
from examprep.problems.rnn.numbers import grid, row_matrix, sigmoid, vector
from examprep.solver.expr import Func, Mat, Num
from examprep.solver.step import Derivation

DP = 4
GATES = ("r", "z", "n")
NAMES = {"r": "reset gate", "z": "update gate", "n": "candidate"}
BLEND = {"notes": "h_t = (1 - z) \\odot h_{t-1} + z \\odot n",
         "pytorch": "h_t = z \\odot h_{t-1} + (1 - z) \\odot n"}
CANDIDATE = {"notes": "n = \\tanh(W_n [x_t; r \\odot h_{t-1}] + b_n)",
             "pytorch": "n = \\tanh(W_{n,x} x_t + b_n + r \\odot (W_{n,h} h_{t-1}))"}


def sizes(p: Params) -> tuple[int, int]:
    """(H, D) from h_prev and x."""
    return _len(p.h_prev), _len(p.x)


class GRUCell(ProblemType):
    id = "rnn/gru_cell-v1"
    title = "One step of a GRU cell"
    catalog = "seed_002 F6"
    reference_entry = "examprep.reference.rnn:gru_cell"
    params = (
        Param("x", "json", "input x_t (D)"),
        Param("h_prev", "json", "previous state h_{t-1} (H)"),
        *(Param(f"W_{k}", "json", f"{NAMES[k]} weights, H×(D+H) on [x_t; h_(t-1)]") for k in GATES),
        *(Param(f"b_{k}", "json", f"{NAMES[k]} bias (H) (absent: 0)", optional=True) for k in GATES),
        Param("convention", "choice", "notes: z weights the candidate; pytorch: z keeps the old state",
              choices=("notes", "pytorch"), default="notes"),
    )
    parts = (
        Part("r", "Reset gate r", "vector", mode="decdig", digits=DP, final=False),
        Part("z", "Update gate z", "vector", mode="decdig", digits=DP, final=False),
        Part("n", "Candidate state n", "vector", mode="decdig", digits=DP, final=False, uses=("r",)),
        Part("h", "Hidden state h_t", "vector", mode="decdig", digits=DP, uses=("z", "n")),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        H = 1 if difficulty != "hard" else 2  # noqa: N806
        D = 1 if difficulty == "easy" else int(rng.integers(1, 3))  # noqa: N806
        out: dict[str, Any] = dict(x=grid(rng, -1, 1, D, nonzero=True), h_prev=grid(rng, -1, 1, H, nonzero=True))
        for k in GATES:
            out[f"W_{k}"] = grid(rng, -1.2, 1.2, (H, D + H), nonzero=True)
            out[f"b_{k}"] = grid(rng, -0.5, 0.5, H)
        out["convention"] = ("notes", "pytorch")[int(rng.integers(2))]
        return out

    def check(self, p: Params) -> list[str]:
        H, D = sizes(p)  # noqa: N806
        vector("x", p.x, D)
        vector("h_prev", p.h_prev, H)
        for k in GATES:
            W = row_matrix(f"W_{k}", p[f"W_{k}"])  # noqa: N806
            if W.shape != (H, D + H):
                raise ParamError(f"W_{k} is {W.shape[0]}×{W.shape[1]}; with H = {H} and D = {D} it must be "
                                 f"{H}×{D + H} (it acts on [x_t; h_(t-1)])")
            vector(f"b_{k}", p[f"b_{k}"], H)
        return []

    # ---- answers ----------------------------------------------------------------------------------------------
    def step(self, p: Params, convention: str | None = None, reset: str = "candidate", tanh: bool = True,
             given: Answers | None = None) -> Answers:
        """The cell step; ``reset`` is where r acts (candidate, x or blend) and ``tanh`` False leaves the candidate
        linear (mistakes); ``given``: the student's r, z and n, used downstream."""
        conv = convention or p.convention
        H, D = sizes(p)  # noqa: N806
        x, h = vector("x", p.x, D), vector("h_prev", p.h_prev, H)
        W = {k: row_matrix(f"W_{k}", p[f"W_{k}"]) for k in GATES}  # noqa: N806
        b = {k: vector(f"b_{k}", p[f"b_{k}"], H) for k in GATES}
        v = np.concatenate([x, h])
        r, z = carry(given, "r", sigmoid(W["r"] @ v + b["r"])), carry(given, "z", sigmoid(W["z"] @ v + b["z"]))
        rx = r * x if reset == "x" else x
        rh = r if reset == "candidate" else np.ones(H)
        if conv == "notes":
            a = W["n"][:, :D] @ rx + W["n"][:, D:] @ (rh * h) + b["n"]
        else:
            a = W["n"][:, :D] @ rx + b["n"] + rh * (W["n"][:, D:] @ h)
        n = carry(given, "n", np.tanh(a) if tanh else a)
        old = r * h if reset == "blend" else h
        new = (1 - z) * old + z * n if conv == "notes" else z * old + (1 - z) * n
        return {"r": r, "z": z, "n": n, "h": new}

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return self.step(p, given=given)

    def degenerate(self, p: Params) -> str | None:
        return near_miss(self, self.solve(p), self.mistakes(p))

    # ---- text -------------------------------------------------------------------------------------------------
    def statement(self, p: Params) -> list[Any]:
        H, D = sizes(p)  # noqa: N806
        conv = p.convention
        out: list[Any] = [
            f"A GRU cell with input size D = {D} and hidden size H = {H} takes one step. The gates read "
            "$[x_t; h_{t-1}]$ (x first): $r = \\sigma(W_r [x_t; h_{t-1}] + b_r)$, "
            "$z = \\sigma(W_z [x_t; h_{t-1}] + b_z)$ with $\\sigma(z) = \\frac{1}{1 + e^{-z}}$. "
            f"The candidate is ${CANDIDATE[conv]}$"]
        if conv == "pytorch":
            out.append(f" (PyTorch's form: $W_{{n,x}}$ is the first {D} column{'s' if D > 1 else ''} of $W_n$, "
                       "$W_{n,h}$ the rest, and the reset acts after the product)")
        out.append(f" and the new state is ${BLEND[conv]}$. ")
        for k in GATES:
            out += [f"$W_{k}$ = ", Mat([[Num(c) for c in r] for r in row_matrix(f"W_{k}", p[f"W_{k}"]).tolist()]),
                    f", $b_{k}$ = ", _row(vector(f"b_{k}", p[f"b_{k}"], H)), ", "]
        out += ["$x_t$ = ", _row(vector("x", p.x, D)), ", $h_{t-1}$ = ", _row(vector("h_prev", p.h_prev, H)),
                f". Give r, z, the candidate n and $h_t$ to {DP} decimal places."]
        return out

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        H, D = sizes(p)  # noqa: N806
        x, h = vector("x", p.x, D), vector("h_prev", p.h_prev, H)
        v = np.concatenate([x, h])
        d = Derivation()
        for k in ("r", "z"):
            W, b = row_matrix(f"W_{k}", p[f"W_{k}"]), vector(f"b_{k}", p[f"b_{k}"], H)  # noqa: N806
            z = d.add(f"Pre-activation of the {NAMES[k]}: $a_{k} = W_{k} [x_t; h_{{t-1}}] + b_{k}$", W @ v + b,
                      lhs=f"a_{k}", substituted=dense_expr(W.tolist(), v.tolist(), b.tolist()))
            d.add(f"${k} = \\sigma(a_{k})$", a[k], lhs=k, part=k,
                  substituted=Mat([[af.substituted("sigmoid", float(t)) for t in z]]))
        W, b = row_matrix("W_n", p.W_n), vector("b_n", p.b_n, H)  # noqa: N806
        if p.convention == "notes":
            rh = a["r"] * h
            d.add("Reset previous state $r \\odot h_{t-1}$", rh, lhs=r"r \odot h_{t-1}",
                  substituted=Mat([[Num(float(r)) * Num(float(q)) for r, q in zip(a["r"], h, strict=True)]]))
            pre = d.add("Candidate pre-activation $a_n = W_n [x_t; r \\odot h_{t-1}] + b_n$",
                        W @ np.concatenate([x, rh]) + b, lhs="a_n",
                        substituted=dense_expr(W.tolist(), [*x, *rh], b.tolist()))
        else:
            wh = d.add("Recurrent product $u = W_{n,h} h_{t-1}$", W[:, D:] @ h, lhs="u",
                       substituted=dense_expr(W[:, D:].tolist(), h.tolist()))
            pre = d.add("Candidate pre-activation $a_n = W_{n,x} x_t + b_n + r \\odot u$",
                        W[:, :D] @ x + b + a["r"] * wh, lhs="a_n",
                        substituted=Mat([[dense_expr([row], x.tolist(), [bb]).rows[0][0] + Num(float(r)) * Num(
                            float(u)) for row, bb, r, u in zip(W[:, :D].tolist(), b, a["r"], wh, strict=True)]]))
        d.add("Candidate $n = \\tanh(a_n)$", a["n"], lhs="n", part="n",
              substituted=Mat([[Func("tanh", Num(float(t))) for t in pre]]))
        if p.convention == "notes":
            sub = [(1 - Num(float(z))) * Num(float(q)) + Num(float(z)) * Num(float(n))
                   for z, q, n in zip(a["z"], h, a["n"], strict=True)]
        else:
            sub = [Num(float(z)) * Num(float(q)) + (1 - Num(float(z))) * Num(float(n))
                   for z, q, n in zip(a["z"], h, a["n"], strict=True)]
        d.add(f"New state ${BLEND[p.convention]}$", a["h"], lhs="h_t", part="h", substituted=Mat([sub]))
        d.answer = f"h_t = {np.round(a['h'], DP).tolist()}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)
        other = "pytorch" if p.convention == "notes" else "notes"
        m: dict[str, Mistake] = {}
        add(m, "other_convention", self.step(p, convention=other), truth,
            f"You used the other GRU form (${BLEND[other]}$); here ${BLEND[p.convention]}$.")
        H, D = sizes(p)  # noqa: N806
        if H == D:
            add(m, "reset_on_x", self.step(p, reset="x"), truth,
                "The reset gate scales the previous state inside the candidate, not the input $x_t$.")
        add(m, "reset_on_blend", self.step(p, reset="blend"), truth,
            "The reset gate acts inside the candidate; you applied it to $h_{t-1}$ in the final blend instead.")
        add(m, "candidate_without_tanh", self.step(p, tanh=False), truth,
            "The candidate is squashed: $n = \\tanh(\\ldots)$, not the pre-activation itself.")
        return m
