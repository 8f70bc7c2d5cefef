"""Flow matching (rectified flow): the point on the straight path, the target velocity, the loss and an Euler step.

Catalog: seed_000_001 I4 (x_0 = [1, 1], x_1 = [3, −1], t = 0.25 give x_t = [1.5, 0.5] and u = [2, −2]).

Parameters:
    x0: the noise sample (the path's start, t = 0). x1: the data sample (t = 1). t: the time in [0, 1].
    v_hat: the network's velocity prediction (optional). dt: an Euler step size (optional, needs v_hat).

Answer parts: ``x_t`` = (1 − t)x_0 + t·x_1, ``u`` = x_1 − x_0; with v_hat ``loss`` = ‖v̂ − u‖² (a sum of squares);
with v_hat and dt ``x_next`` = x_t + dt·v̂.

Conventions stated in the prompt: noise at t = 0, data at t = 1; the loss sums the squares over the entries.

Reference: ``torch.lerp`` for x_t, its derivative in t by ``torch.autograd.functional.jvp`` for u, ``F.mse_loss``
with ``reduction='sum'`` for the loss (examprep.reference.diffusion_extra:flow_matching).

Common mistakes: the velocity's sign (x_0 − x_1), the endpoints swapped (noise at t = 1).

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.diffusion import draws
from examprep.problems.gan.fair import near_miss
from examprep.problems.latent.points import distinct
from examprep.solver.expr import Mat, Num, Sym, paren
from examprep.solver.step import Derivation

XT = Sym("x_t", "x_t = (1 − t)x_0 + t·x_1", latex=r"\mathbf{x}_t = (1 - t)\mathbf{x}_0 + t \mathbf{x}_1",
         typst="bold(x)_t = (1 - t) bold(x)_0 + t bold(x)_1")
U = Sym("u", "u = x_1 − x_0", latex=r"\mathbf{u} = \mathbf{x}_1 - \mathbf{x}_0",
        typst="bold(u) = bold(x)_1 - bold(x)_0")
LOSS = Sym("L", "L = ‖v̂ − u‖²", latex=r"L = \lVert \hat{\mathbf{v}} - \mathbf{u} \rVert^2",
           typst="L = norm(hat(bold(v)) - bold(u))^2")
XN = Sym("x_next", "x_{t+dt} = x_t + dt·v̂", latex=r"\mathbf{x}_{t + dt} = \mathbf{x}_t + dt \cdot \hat{\mathbf{v}}",
         typst="bold(x)_(t + d t) = bold(x)_t + d t dot hat(bold(v))")


def flow(x0: Any, x1: Any, t: float, v_hat: Any, dt: float | None, *, swap: bool = False,
         sign: float = 1.0, given: Answers | None = None) -> Answers:
    """Every active part; ``swap`` puts the noise at t = 1, ``sign`` −1 reverses the velocity; ``given`` the
    student's x_t and u (error carried forward into the loss and the Euler step)."""
    a, b = np.asarray(x0, dtype=float), np.asarray(x1, dtype=float)
    start, end = (b, a) if swap else (a, b)
    x_t = carry(given, "x_t", (1 - t) * start + t * end)
    u = carry(given, "u", sign * (b - a))
    out: Answers = {"x_t": x_t.tolist(), "u": u.tolist()}
    if v_hat is not None:
        v = np.asarray(v_hat, dtype=float)
        out["loss"] = float(((v - u) ** 2).sum())
        if dt is not None:
            out["x_next"] = (x_t + dt * v).tolist()
    return out


class FlowMatching(ProblemType):
    id = "diffusion/flow_matching-v1"
    title = "Flow matching: path, velocity, loss and an Euler step"
    catalog = "seed_000_001 I4"
    reference_entry = "examprep.reference.diffusion_extra:flow_matching"
    params = (
        Param("x0", "vector", "the noise sample x_0 (t = 0)", lo=-100, hi=100),
        Param("x1", "vector", "the data sample x_1 (t = 1)", lo=-100, hi=100),
        Param("t", "real", "the time t in [0, 1]", lo=0, hi=1),
        Param("v_hat", "vector", "the predicted velocity v̂ (optional)", lo=-100, hi=100, optional=True),
        Param("dt", "real", "an Euler step size (optional, needs v_hat)", lo=0, hi=1, optional=True),
    )
    parts = (
        Part("x_t", "Point on the path x_t", "vector", mode="decdig", digits=4),
        Part("u", "Target velocity u", "vector", mode="decdig", digits=4),
        Part("loss", "Flow-matching loss ‖v̂ − u‖²", "real", mode="decdig", digits=4, uses=("u",)),
        Part("x_next", "Euler step x_t + dt·v̂", "vector", mode="decdig", digits=4, uses=("x_t",)),
    )

    def active_parts(self, p: Params) -> tuple[Part, ...]:
        n = 2 + (p.v_hat is not None) + (p.v_hat is not None and p.dt is not None)
        return self.parts[:n]

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n = {"easy": int(rng.integers(1, 3)), "medium": 2, "hard": int(rng.integers(2, 4))}[difficulty]
        step = 0.5 if difficulty == "easy" else 0.1
        x0 = draws.grid(rng, -1.5, 1.5, step, n)
        x1 = draws.grid(rng, -2, 2, step, n)
        t = float(draws.pick(rng, (0.25, 0.5, 0.75) if difficulty != "hard" else (0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8)))
        out: dict[str, Any] = dict(x0=list(x0), x1=list(x1), t=t)
        if difficulty != "easy" or rng.random() < 0.5:
            u = np.asarray(x1) - np.asarray(x0)
            out["v_hat"] = [round(float(v), 1) for v in u + draws.grid(rng, -0.5, 0.5, 0.1, n)]
            if difficulty == "hard" or rng.random() < 0.5:
                out["dt"] = float(draws.pick(rng, (0.1, 0.25, 0.5)))
        return out

    def check(self, p: Params) -> list[str]:
        if len(p.x1) != len(p.x0) or (p.v_hat is not None and len(p.v_hat) != len(p.x0)):
            raise ParamError("x0, x1 and v_hat must have the same length")
        if p.dt is not None and p.v_hat is None:
            raise ParamError("dt needs v_hat: the Euler step moves along the predicted velocity")
        return []

    def degenerate(self, p: Params) -> str | None:
        if np.allclose(p.x0, p.x1):
            return "x_0 = x_1"
        return near_miss(self.solve(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        out = ["Flow matching (rectified flow) joins the noise sample $\\mathbf{x}_0$ = ", list(p.x0),
               " (at $t = 0$) to the data sample $\\mathbf{x}_1$ = ", list(p.x1),
               f" (at $t = 1$) by the straight path $\\mathbf{{x}}_t = (1 - t)\\mathbf{{x}}_0 + t \\mathbf{{x}}_1$. "
               f"At $t = {p.t:g}$ compute $\\mathbf{{x}}_t$ and the target velocity "
               "$\\mathbf{u} = \\frac{d\\mathbf{x}_t}{dt}$"]
        if p.v_hat is not None:
            out += ["; the network predicts $\\hat{\\mathbf{v}}$ = ", list(p.v_hat),
                    ": compute the loss $\\lVert \\hat{\\mathbf{v}} - \\mathbf{u} \\rVert^2$ (the sum of the squares "
                    "over the entries)"]
            if p.dt is not None:
                out += [" and the Euler step $\\mathbf{x}_t + dt \\cdot \\hat{\\mathbf{v}}$ with "
                        f"$dt = {p.dt:g}$"]
        out += [". Give the numbers to 4 decimal places."]
        return out

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return flow(p.x0, p.x1, p.t, p.v_hat, p.dt, given=given)

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        t = Num(float(p.t))
        pairs = list(zip(p.x0, p.x1, strict=True))
        d.add("Point on the path", ans["x_t"], lhs=XT,
              substituted=Mat([[paren(1 - t) * Num(float(a)) + t * Num(float(b)) for a, b in pairs]]), part="x_t")
        d.add("Target velocity", ans["u"], lhs=U, substituted=Mat([[Num(float(b)) - Num(float(a)) for a, b in pairs]]),
              part="u", note="the derivative of $\\mathbf{x}_t$ in $t$: constant along the straight path")
        if p.v_hat is not None:
            sq = [paren(Num(float(v)) - Num(float(u))) ** 2 for v, u in zip(p.v_hat, ans["u"], strict=True)]
            total = sq[0]
            for s in sq[1:]:
                total = total + s
            d.add("Loss", ans["loss"], lhs=LOSS, substituted=total, part="loss")
            if p.dt is not None:
                d.add("Euler step", ans["x_next"], lhs=XN, part="x_next",
                      substituted=Mat([[Num(float(x)) + Num(float(p.dt)) * Num(float(v))
                                        for x, v in zip(ans["x_t"], p.v_hat, strict=True)]]))
        d.answer = f"x_t = {[round(v, 4) for v in ans['x_t']]}, u = {[round(v, 4) for v in ans['u']]}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        ans = self.solve(p)
        m = {
            "velocity_sign": Mistake(
                flow(p.x0, p.x1, p.t, p.v_hat, p.dt, sign=-1.0),
                "The velocity points from the noise to the data: $\\mathbf{u} = \\mathbf{x}_1 - \\mathbf{x}_0$."),
            "endpoints_swapped": Mistake(
                flow(p.x0, p.x1, p.t, p.v_hat, p.dt, swap=True),
                "You put the noise at $t = 1$: here the noise $\\mathbf{x}_0$ is at $t = 0$, so "
                "$\\mathbf{x}_t = (1 - t)\\mathbf{x}_0 + t \\mathbf{x}_1$."),
        }
        return distinct(ans, m)
