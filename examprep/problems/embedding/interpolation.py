"""Interpolating between two latent vectors: linear (lerp) and spherical (slerp).

Catalog: issue 18 (latent-space interpolation of generative models; slerp as in Shoemake and White's "Sampling
generative networks").

Parameters: ``z0``, ``z1`` (vectors of one size, neither 0 nor parallel), ``t`` in [0, 1].

Answer parts: ``lerp`` = (1 - t) z0 + t z1, ``omega`` (the angle between z0 and z1, in radians) and ``slerp`` =
(sin((1 - t)Ω) z0 + sin(tΩ) z1) / sin Ω.

Reference: ``torch.lerp``; Ω from ``torch.arccos`` of the cosine; slerp from its formula in torch
(examprep.reference.embedding:interpolation).

Common mistakes: t and 1 - t swapped; sin Ω not divided out; Ω in degrees.

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
from examprep.problems.mlp.near_miss import add, near_miss
from examprep.solver.expr import Func, Mat, Num, Sym, sqrt
from examprep.solver.step import Derivation

DP = 4
OMEGA = Sym("Omega", tex="\\Omega")


class Interpolation(ProblemType):
    id = "embedding/interpolation-v1"
    title = "Linear and spherical interpolation of latent vectors"
    catalog = "issue 18"
    reference_entry = "examprep.reference.embedding:interpolation"
    params = (
        Param("z0", "vector", "the start vector", lo=-1000, hi=1000),
        Param("z1", "vector", "the end vector", lo=-1000, hi=1000),
        Param("t", "real", "the interpolation weight", lo=0, hi=1),
    )
    parts = (
        Part("lerp", "Linear interpolation (1 - t) z0 + t z1", "vector", mode="decdig", digits=DP),
        Part("omega", "Angle between z0 and z1, in radians", "real", mode="decdig", digits=DP, final=False),
        Part("slerp", "Spherical interpolation", "vector", mode="decdig", digits=DP, uses=("omega",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        dim = 2 if difficulty != "hard" else 3
        ts = (0.25, 0.5, 0.75) if difficulty == "easy" else (0.2, 0.25, 0.3, 0.4, 0.6, 0.7, 0.75, 0.8)
        while True:
            z0, z1 = (rng.integers(-3, 4, size=dim).astype(float) for _ in range(2))
            if np.any(z0) and np.any(z1):
                cos = z0 @ z1 / (np.linalg.norm(z0) * np.linalg.norm(z1))
                if abs(cos) < 0.95:
                    break
        return dict(z0=[int(v) for v in z0], z1=[int(v) for v in z1], t=float(ts[int(rng.integers(len(ts)))]))

    def check(self, p: Params) -> list[str]:
        z0, z1 = np.asarray(p.z0, float), np.asarray(p.z1, float)
        if z0.shape != z1.shape:
            raise ParamError(f"z0 has {z0.size} entries and z1 {z1.size}; give vectors of one size")
        if not np.any(z0) or not np.any(z1):
            raise ParamError("z0 and z1 must not be 0 (the angle is undefined)")
        cos = z0 @ z1 / (np.linalg.norm(z0) * np.linalg.norm(z1))
        if abs(cos) > 1 - 1e-9:
            raise ParamError("z0 and z1 are parallel: sin Ω = 0 and slerp is undefined")
        return []

    # ---- answers ----------------------------------------------------------------------------------------------
    def chain(self, p: Params, swap: bool = False, no_sin: bool = False, degrees: bool = False,
              given: Answers | None = None) -> Answers:
        """The parts, or a mistaken version (every keyword is one mistake); ``given``: the student's angle, carried
        forward."""
        z0, z1 = np.asarray(p.z0, float), np.asarray(p.z1, float)
        t = 1 - p.t if swap else p.t
        cos = float(np.clip(z0 @ z1 / (np.linalg.norm(z0) * np.linalg.norm(z1)), -1, 1))
        omega = math.acos(cos)
        if degrees:
            omega = math.degrees(omega)
        omega = carry(given, "omega", omega)
        if math.sin(omega) == 0:
            raise ZeroDivisionError("sin Ω = 0: slerp is undefined")
        slerp = math.sin((1 - t) * omega) * z0 + math.sin(t * omega) * z1
        return {"lerp": (1 - t) * z0 + t * z1, "omega": omega,
                "slerp": slerp if no_sin else slerp / math.sin(omega)}

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return self.chain(p, given=given)

    def degenerate(self, p: Params) -> str | None:
        return near_miss(self, self.solve(p), self.mistakes(p))

    # ---- text -------------------------------------------------------------------------------------------------
    def statement(self, p: Params) -> list[Any]:
        return ["Two latent vectors $z_0$ = ", Mat([[Num(v) for v in p.z0]]), " and $z_1$ = ",
                Mat([[Num(v) for v in p.z1]]), f" are interpolated at t = {p.t}. Compute the linear interpolation "
                "$(1 - t) z_0 + t z_1$, the angle $\\Omega$ between $z_0$ and $z_1$ in radians "
                "($\\cos \\Omega = \\frac{z_0 \\cdot z_1}{\\lVert z_0 \\rVert \\lVert z_1 \\rVert}$) and the spherical "
                "interpolation $\\frac{\\sin((1 - t) \\Omega) z_0 + \\sin(t \\Omega) z_1}{\\sin \\Omega}$, to "
                f"{DP} decimal places."]

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        z0, z1, t = np.asarray(p.z0, float), np.asarray(p.z1, float), p.t
        d = Derivation()
        d.add("Linear interpolation $(1 - t) z_0 + t z_1$", a["lerp"], lhs="lerp", part="lerp",
              substituted=Mat([[Num(1 - t) * Num(_n(x)) + Num(t) * Num(_n(y)) for x, y in zip(z0, z1, strict=True)]]))
        dot, n0, n1 = float(z0 @ z1), float(z0 @ z0), float(z1 @ z1)
        d.add("Angle $\\Omega$ from $\\cos \\Omega = \\frac{z_0 \\cdot z_1}{\\lVert z_0 \\rVert \\lVert z_1 \\rVert}$ "
              "(radians)",
              a["omega"], lhs=OMEGA, part="omega",
              substituted=Func("arccos", Num(_n(dot)) / (sqrt(Num(_n(n0))) * sqrt(Num(_n(n1))))))
        w0 = d.add("Weight of $z_0$: $\\frac{\\sin((1 - t) \\Omega)}{\\sin \\Omega}$",
                   math.sin((1 - t) * a["omega"]) / math.sin(a["omega"]), lhs="w_0",
                   substituted=Func("sin", Num(1 - t) * Num(a["omega"])) / Func("sin", Num(a["omega"])))
        w1 = d.add("Weight of $z_1$: $\\frac{\\sin(t \\Omega)}{\\sin \\Omega}$",
                   math.sin(t * a["omega"]) / math.sin(a["omega"]), lhs="w_1",
                   substituted=Func("sin", Num(t) * Num(a["omega"])) / Func("sin", Num(a["omega"])))
        d.add("Spherical interpolation $w_0 z_0 + w_1 z_1$", a["slerp"], lhs="slerp", part="slerp",
              substituted=Mat([[Num(w0) * Num(_n(x)) + Num(w1) * Num(_n(y)) for x, y in zip(z0, z1, strict=True)]]))
        d.answer = f"slerp = {np.round(a['slerp'], DP).tolist()}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)
        m: dict[str, Mistake] = {}
        add(m, "t_swapped", self.chain(p, swap=True), truth,
            "At t = 0 the interpolation is $z_0$: $z_0$ takes the weight $1 - t$ and $z_1$ the weight t; you "
            "swapped them.")
        add(m, "sin_omega_not_divided", {"slerp": self.chain(p, no_sin=True)["slerp"]}, truth,
            "Divide by $\\sin \\Omega$: slerp is $\\frac{\\sin((1 - t) \\Omega) z_0 + \\sin(t \\Omega) z_1}"
            "{\\sin \\Omega}$.")
        add(m, "degrees", self.chain(p, degrees=True), truth,
            "The angle goes into sin in radians: give $\\Omega$ in radians, not degrees.")
        return m


def _n(x: float) -> float | int:
    f = round(float(x), 10)
    return int(f) if f.is_integer() else f
