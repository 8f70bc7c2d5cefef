"""Residual networks and attention as forward-Euler steps of an ODE.

Catalog: seed_000_001 A3 (x_{l+1} = x_l + (1/L)·Uᵀσ(V x_l + b); the attention ODE ẋ_i = Σ_j softmax_j(β⟨Qx_i, Kx_j⟩)
V x_j; the notes drop the 1/L: 1.707337 instead of 1.042915).

Parameters:
    kind: ``resnet`` or ``attention``.
    resnet: x0 (d), U and V (n×d), b (n), L (layers, step 1/L), activation (relu, tanh or sigmoid).
    attention: X (tokens as rows, n×d), W_Q, W_K, W_V (d×d, acting on column vectors: W_Q x_i), beta, dt.

Answer parts: resnet: ``trajectory`` (row l = x_l, l = 1..L) and ``x_final`` = x_L; attention: ``weights``
a_ij = softmax_j(β⟨W_Q x_i, W_K x_j⟩) (rows sum to 1), ``velocity`` (row i = ẋ_i = Σ_j a_ij W_V x_j) and
``x_next`` = X + dt·velocity.

Reference: a torch loop over the layers (resnet); ``F.scaled_dot_product_attention(scale=β)`` on the projected
tokens, the weights from V = I (attention) (examprep.reference.transformer:euler_ode).

Common mistakes: the 1/L dropped (as in the source notes), σ applied after the addition, one Z for all rows, a 1/√d
added that the ODE does not have.

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
from examprep.problems.attention.steps import arr, mat, softmax
from examprep.problems.gan.fair import close_to_truth, near_miss
from examprep.seeding import picker
from examprep.solver.step import Derivation

DP = 4
ACTS = {"relu": lambda z: np.maximum(z, 0.0), "tanh": np.tanh, "sigmoid": lambda z: 1 / (1 + np.exp(-z))}
RESNET, ATTENTION = ("trajectory", "x_final"), ("weights", "velocity", "x_next")


def resnet(p: Params, *, step: float | None = None, outside: bool = False,
           given: Answers | None = None) -> dict[str, Any]:
    """x_{l+1} = x_l + h·Uᵀσ(V x_l + b), h = 1/L; ``outside``: σ(x_l + h·Uᵀ(V x_l + b)).

    ``given``: the student's trajectory, whose last row is x_L.
    """
    u, v, b = arr(p.U), arr(p.V), arr(p.b)
    h = 1 / p.L if step is None else step
    sig = ACTS[p.activation]
    x = arr(p.x0)
    rows = []
    for _ in range(p.L):
        x = sig(x + h * u.T @ (v @ x + b)) if outside else x + h * u.T @ sig(v @ x + b)
        rows.append(x)
    if given and "trajectory" in given:
        traj = carry(given, "trajectory", np.array(rows))
        return {"trajectory": traj, "x_final": traj[-1]}
    return {"trajectory": np.array(rows), "x_final": x}


def attention(p: Params, *, global_z: bool = False, sqrt_d: bool = False,
              given: Answers | None = None) -> dict[str, Any]:
    """Weights, velocities and one Euler step; ``given``: the student's earlier parts, used downstream."""
    x = arr(p.X)
    q, k, v = x @ arr(p.W_Q).T, x @ arr(p.W_K).T, x @ arr(p.W_V).T
    s = p.beta * q @ k.T / (math.sqrt(x.shape[1]) if sqrt_d else 1.0)
    if global_z:
        e = np.exp(s - s.max())
        w = e / e.sum()
    else:
        w = softmax(s, axis=1)
    w = carry(given, "weights", w)
    vel = carry(given, "velocity", w @ v)
    return {"weights": w, "velocity": vel, "x_next": x + p.dt * vel}


class EulerODE(ProblemType):
    id = "transformer/euler_ode-v1"
    title = "ResNets and attention as Euler steps of an ODE"
    catalog = "seed_000_001 A3"
    reference_entry = "examprep.reference.transformer:euler_ode"
    params = (
        Param("kind", "choice", "resnet or attention", choices=("resnet", "attention"), default="resnet"),
        Param("x0", "vector", "resnet: the input x_0", lo=-100, hi=100, optional=True),
        Param("U", "matrix", "resnet: U (n×d)", lo=-100, hi=100, optional=True),
        Param("V", "matrix", "resnet: V (n×d)", lo=-100, hi=100, optional=True),
        Param("b", "vector", "resnet: b (n)", lo=-100, hi=100, optional=True),
        Param("L", "int", "resnet: layers L (step 1/L)", lo=1, hi=1000, default=2),
        Param("activation", "choice", "resnet: σ", choices=tuple(ACTS), default="relu"),
        Param("X", "matrix", "attention: tokens as rows (n×d)", lo=-100, hi=100, optional=True),
        Param("W_Q", "matrix", "attention: W_Q (d×d, on columns)", lo=-100, hi=100, optional=True),
        Param("W_K", "matrix", "attention: W_K (d×d, on columns)", lo=-100, hi=100, optional=True),
        Param("W_V", "matrix", "attention: W_V (d×d, on columns)", lo=-100, hi=100, optional=True),
        Param("beta", "real", "attention: β", lo=0, hi=100, default=1.0),
        Param("dt", "real", "attention: Euler step Δt", lo=0, hi=10, default=0.1),
    )
    parts = (
        Part("trajectory", "x_l after each layer (row l)", "matrix", mode="decdig", digits=DP, final=False),
        Part("x_final", "x_L", "vector", mode="decdig", digits=DP, uses=("trajectory",)),
        Part("weights", "Weights a_ij (rows sum to 1)", "matrix", mode="decdig", digits=DP, final=False),
        Part("velocity", "Velocities (row i = dx_i/dt)", "matrix", mode="decdig", digits=DP, uses=("weights",)),
        Part("x_next", "Tokens after one Euler step", "matrix", mode="decdig", digits=DP, uses=("velocity",)),
    )

    def active_parts(self, p: Params) -> tuple[Part, ...]:
        keep = RESNET if p.kind == "resnet" else ATTENTION
        return tuple(pt for pt in self.parts if pt.name in keep)

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = picker(rng)
        kind = "resnet" if difficulty == "easy" else pick(["resnet", "attention"])
        if kind == "resnet":
            if difficulty == "easy":
                return dict(kind=kind, x0=(pick([0.2, 0.5, 0.8, 1.0]),), U=((1.0,),), V=((1.0,),), b=(0.0,),
                            L=pick([2, 4]), activation="tanh")
            vals = [-1.0, 0.0, 1.0]
            return dict(kind=kind, x0=tuple(pick(vals + [2.0]) for _ in range(2)),
                        U=tuple(tuple(pick(vals) for _ in range(2)) for _ in range(3)),
                        V=tuple(tuple(pick(vals) for _ in range(2)) for _ in range(3)),
                        b=tuple(pick([-0.5, 0.0, 0.5]) for _ in range(3)), L=2 if difficulty == "medium" else 3,
                        activation="relu")
        n = pick([2, 3])
        x = tuple(tuple(pick([-1.0, 0.0, 1.0, 2.0]) for _ in range(2)) for _ in range(n))
        eye = ((1.0, 0.0), (0.0, 1.0))
        w = (lambda: tuple(tuple(pick([0.0, 1.0]) for _ in range(2)) for _ in range(2))) if difficulty == "hard" \
            else (lambda: eye)
        return dict(kind=kind, X=x, W_Q=w(), W_K=w(), W_V=w(), beta=pick([0.5, 1.0, 2.0]), dt=pick([0.1, 0.5]))

    def check(self, p: Params) -> list[str]:
        if p.kind == "resnet":
            if p.x0 is None or p.U is None or p.V is None or p.b is None:
                raise ParamError("kind=resnet needs x0, U, V and b")
            d, n = len(p.x0), len(p.b)
            if arr(p.U).shape != (n, d) or arr(p.V).shape != (n, d):
                raise ParamError(f"U and V must be n×d = {n}×{d} (b has n = {n} entries, x0 has d = {d})")
        else:
            if p.X is None or p.W_Q is None or p.W_K is None or p.W_V is None:
                raise ParamError("kind=attention needs X, W_Q, W_K and W_V")
            d = len(p.X[0])
            for w in ("W_Q", "W_K", "W_V"):
                if arr(p[w]).shape != (d, d):
                    raise ParamError(f"{w} must be d×d = {d}×{d} (the tokens have d = {d} entries)")
        return []

    def degenerate(self, p: Params) -> str | None:
        a = self.solve(p)
        if p.kind == "resnet" and np.allclose(a["x_final"], arr(p.x0)):
            return "the input does not move"
        if p.kind == "attention" and np.allclose(a["velocity"], 0):
            return "every velocity is 0"
        return near_miss(a, self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        if p.kind == "resnet":
            return [f"A residual network of $L = {p.L}$ layers with shared weights updates "
                    "$x_{l+1} = x_l + \\frac{1}{L} U^\\top \\sigma(V x_l + b)$, the forward-Euler step of size "
                    f"$1/L$ of the ODE $\\frac{{dx}}{{dt}} = U^\\top \\sigma(V x + b)$, with $\\sigma$ = {p.activation}"
                    " applied entrywise. Starting from $x_0$ = ", list(p.x0), ", with U = ", mat(p.U), ", V = ",
                    mat(p.V), " and b = ", list(p.b), f", give $x_1, \\ldots, x_L$ (one row each) and $x_L$ to {DP} "
                    "decimal places."]
        return ["Attention as an ODE: token $x_i$ (a row of X, used as a column vector) moves with velocity "
                "$v_i = \\sum_j a_{ij} W_V x_j$, where $a_{ij} = \\frac{\\exp(\\beta (W_Q x_i) \\cdot "
                "(W_K x_j))}{Z_i}$ and $Z_i$ sums the numerators over j (each row of weights sums to 1; no "
                f"$1/\\sqrt{{d}}$). With $\\beta = {p.beta:g}$ and one Euler step of size $\\Delta t = {p.dt:g}$, "
                "give the weights, the velocities (row i = $v_i$) and the tokens after the step, "
                f"$X + \\Delta t \\cdot v$, to {DP} decimal places.", "\nX = ", mat(p.X), "\nW_Q = ",
                mat(p.W_Q), ", W_K = ", mat(p.W_K), ", W_V = ", mat(p.W_V)]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return resnet(p, given=given) if p.kind == "resnet" else attention(p, given=given)

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        d = Derivation()
        if p.kind == "resnet":
            u, v, b = arr(p.U), arr(p.V), arr(p.b)
            x = arr(p.x0)
            sig = ACTS[p.activation]
            for layer in range(p.L):
                pre = v @ x + b
                act = sig(pre)
                d.add(f"Layer {layer + 1}: pre-activation", pre, lhs=f"z_{{{layer}}}",
                  substituted=mat(p.V) @ mat([[c] for c in x]) + mat([[c] for c in b]), note=f"V x_{layer} + b")
                d.add(f"Layer {layer + 1}: {p.activation}", act, lhs=f"\\sigma(z_{{{layer}}})")
                x = x + u.T @ act / p.L
                d.add(f"Layer {layer + 1}: residual step", x, lhs=f"x_{{{layer + 1}}}",
                      substituted=mat([[c] for c in (x - u.T @ act / p.L)]) + mat(u).T @ mat([[c] for c in act])
                      * (1 / p.L), note=f"x_{layer} + (1/L)·Uᵀσ(z_{layer}) with 1/L = 1/{p.L}")
            d.add("Trajectory", a["trajectory"], lhs="X_{1..L}", part="trajectory")
            d.add("Output", a["x_final"], lhs="x_L", part="x_final")
            d.answer = "x_L = [" + ", ".join(f"{c:.4f}" for c in a["x_final"]) + "]"
            return d
        x = arr(p.X)
        q, k = x @ arr(p.W_Q).T, x @ arr(p.W_K).T
        d.add("Queries W_Q x_i (rows)", q, lhs="Q", substituted=mat(p.X) @ mat(p.W_Q).T)
        d.add("Keys W_K x_j (rows)", k, lhs="K", substituted=mat(p.X) @ mat(p.W_K).T)
        d.add("Scores β⟨W_Q x_i, W_K x_j⟩", p.beta * q @ k.T, lhs=r"\beta Q K^\top", note=f"β = {p.beta:g}; no 1/√d")
        d.add("Weights", a["weights"], lhs="A", part="weights", note="softmax of each row: Z_i is row i's sum")
        d.add("Values W_V x_j (rows)", x @ arr(p.W_V).T, lhs="V", substituted=mat(p.X) @ mat(p.W_V).T)
        d.add("Velocities", a["velocity"], lhs="v", part="velocity",
              note="row i: the velocity of token i, Σ_j a_ij W_V x_j")
        d.add("Euler step", a["x_next"], lhs="X'", substituted=mat(p.X) + mat(a["velocity"]) * p.dt,
              part="x_next", note=f"X + Δt·v with Δt = {p.dt:g}")
        d.answer = "X' = " + str(np.round(a["x_next"], 4).tolist())
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)

        def changed(m: dict[str, Any]) -> dict[str, Any]:
            return {k: v for k, v in m.items() if not close_to_truth(v, truth[k], 1e-12)}

        if p.kind == "resnet":
            m = {"no_1_over_L": Mistake(changed(resnet(p, step=1.0)),
                                        f"Each layer adds (1/L)·Uᵀσ(V x + b): the step is 1/L = 1/{p.L}, so the "
                                        "network approximates the ODE on [0, 1]."),
                 "sigma_after_addition": Mistake(changed(resnet(p, outside=True)),
                                                 "σ acts on V x_l + b inside the update; the residual x_l is added "
                                                 "afterwards, not passed through σ.")}
        else:
            m = {"global_z": Mistake(changed(attention(p, global_z=True)),
                                     "Each token has its own normaliser Z_i: the weights of every row sum to 1."),
                 "sqrt_d_added": Mistake(changed(attention(p, sqrt_d=True)),
                                         "The attention ODE scales the scores by β only; there is no 1/√d.")}
        return {k: v for k, v in m.items() if v.answers}
