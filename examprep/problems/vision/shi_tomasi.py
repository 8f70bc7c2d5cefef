"""Shi–Tomasi corner score λ_min of the structure matrix, from window sums or from a patch.

Catalog: seed_003 A5 (the eigenvalue cross-check) and §2 item 4.

Parameters:
    Either A, B, C (M = [[A, B], [B, C]]), or a patch I with gradient, window, size, sigma, row, col (as in
    vision/harris_patch). tau: the threshold τ.

Answer parts: ``lambda_min``, ``lambda_max`` (intermediate), ``label``.

Conventions stated in the prompt: λ = (A + C)/2 ∓ √(((A − C)/2)² + B²); corner if λ_min > τ, edge if
λ_min ≤ τ < λ_max, flat if λ_max ≤ τ; for a patch, the harris_patch conventions (0-based, x along columns, the
gradient operator, the window, no padding).

Reference: torch.linalg.eigvalsh of M, with M from conv2d gradients and windows for a patch
(examprep.reference.vision:shi_tomasi).

Common mistakes: λ_max given, B ignored (min(A, C)), the ½ missing in front of the square root.

Versions: v1 — first version.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.vision import harris as h
from examprep.problems.vision import patches
from examprep.problems.vision.harris_patch import SETTINGS, check_patch, draw_settings, sums_steps, window_sums
from examprep.solver.expr import Sym, paren, sqrt
from examprep.solver.step import Derivation

A, B, C = Sym("A"), Sym("B"), Sym("C")
RULE = (r"corner if $\lambda_{\min} > \tau$, edge if $\lambda_{\min} \le \tau < \lambda_{\max}$, flat if "
        r"$\lambda_{\max} \le \tau$")


def st_label(lo: float, hi: float, tau: float) -> str:
    lo, hi = h.snap(lo), h.snap(hi)
    return "corner" if lo > tau else ("edge" if hi > tau else "flat")


class ShiTomasi(ProblemType):
    id = "vision/shi_tomasi-v1"
    title = "Shi–Tomasi corner score"
    catalog = "seed_003 A5, §2.4"
    reference_entry = "examprep.reference.vision:shi_tomasi"
    params = (
        Param("A", "real", "A = Σ w·I_x² (give A, B, C, or a patch I)", lo=0, hi=1e9, optional=True),
        Param("B", "real", "B = Σ w·I_x·I_y", lo=-1e9, hi=1e9, optional=True),
        Param("C", "real", "C = Σ w·I_y²", lo=0, hi=1e9, optional=True),
        Param("I", "matrix", "an intensity patch (integers) instead of A, B, C", lo=0, hi=255, optional=True),
        *(s for s in SETTINGS if s.name not in ("k",)),
        Param("row", "int", "pixel row (0-based), with a patch", lo=0, hi=6, optional=True),
        Param("col", "int", "pixel column (0-based), with a patch", lo=0, hi=6, optional=True),
    )
    parts = (
        Part("lambda_min", "λ_min", "real", digits=4),
        Part("lambda_max", "λ_max", "real", digits=4, final=False),
        Part("label", "corner, edge or flat", "label", choices=h.LABELS, uses=("lambda_min", "lambda_max")),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        target = str(patches.pick(rng, patches.PATTERNS))
        if difficulty == "easy" or (difficulty == "medium" and rng.integers(2)):
            if target == "corner":
                a, c = (int(x) for x in rng.integers(10, 101, size=2))
            elif target == "edge":
                a, c = int(rng.integers(20, 101)), int(rng.integers(0, 6))
                a, c = (a, c) if rng.integers(2) else (c, a)
            else:
                a, c = (int(x) for x in rng.integers(0, 11, size=2))
            bmax = math.isqrt(a * c) // 2
            out: dict[str, Any] = dict(A=a, B=int(rng.integers(-bmax, bmax + 1)), C=c)
        else:
            s = draw_settings(rng, difficulty, 5 if difficulty == "medium" else 7)
            s.pop("k")
            side = 5 if difficulty == "medium" else 7
            r0, r1, c0, c1 = h.region((side, side), s["gradient"], s["size"])
            row, col = int(rng.integers(r0, r1 + 1)), int(rng.integers(c0, c1 + 1))
            anchor = (row + int(rng.integers(2)), col + int(rng.integers(2)))
            img = patches.patch(rng, (side, side), anchor, target, difficulty)
            out = dict(I=img.tolist(), row=row, col=col, **s)
        lo, hi = h.eigen(*self._sums(out))
        tau = {"corner": lo / 2, "edge": (lo + hi) / 2, "flat": 2 * hi}[target]
        out["tau"] = h.nice_threshold(tau, target == "flat")
        return out

    def _sums(self, p: Mapping[str, Any]) -> tuple[float, float, float]:
        """A, B, C: given, or from the patch (``p`` may be a plain dict of either set of parameters)."""
        if p.get("I") is None:
            return p["A"], p["B"], p["C"]
        return window_sums(p["I"], p["gradient"], p["window"], p["size"], p["sigma"], p["row"], p["col"])[2:]

    def _eig(self, p: Params) -> tuple[float, float]:
        return h.eigen(*self._sums(p))

    def check(self, p: Params) -> list[str]:
        from examprep.errors import ParamError

        given = [x for x in ("A", "B", "C") if p[x] is not None]
        if p.I is None:
            if len(given) < 3:
                raise ParamError("give the window sums A, B and C (--set A=.. B=.. C=..), or a patch I with row, col")
            if p.B * p.B > p.A * p.C:
                raise ParamError(f"B={p.B:g} is too large: a window sum of outer products has B² ≤ A·C")
            return []
        if given:
            raise ParamError("give either A, B, C or a patch I, not both")
        if p.row is None or p.col is None:
            raise ParamError("with a patch I, give the pixel: --set row=2 col=2 (0-based)")
        return check_patch(p, 7)

    def degenerate(self, p: Params) -> str | None:
        lo, hi = self._eig(p)
        if h.near_threshold(lo, p.tau) or h.near_threshold(hi, p.tau):
            return "an eigenvalue is too close to τ"
        if hi == 0:
            return "M is zero"
        return None

    def statement(self, p: Params) -> list[Any]:
        ask = (r"Compute the Shi–Tomasi score $\lambda_{\min}$ (the smaller eigenvalue of $M$), $\lambda_{\max}$, and "
               f"the label ({RULE}; $\\tau = {p.tau:g}$).")
        if p.I is None:
            return [r"The structure matrix of a window is $M = [[A, B], [B, C]]$ below ($A = \sum I_x^2$, "
                    r"$B = \sum I_x I_y$, $C = \sum I_y^2$). " + ask, "\n$M$ = ", [[p.A, p.B], [p.B, p.C]]]
        return ["The intensity patch $I$ is", [list(r) for r in p.I],
                f"Form $M = [[A, B], [B, C]]$ at pixel (row {p.row}, col {p.col}). " + ask,
                *h.conventions(p.gradient, p.window, p.size, p.sigma)]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        lo, hi = self._eig(p)
        lo, hi = carry(given, "lambda_min", lo), carry(given, "lambda_max", hi)
        return {"lambda_min": lo, "lambda_max": hi, "label": st_label(lo, hi, p.tau)}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        if p.I is not None:
            sums_steps(d, np.asarray(p.I), p, p.row, p.col, parts=False)
        a, b, c = self._sums(p)
        mean, root = (A + C) / 2, sqrt(paren((A - C) / 2) ** 2 + B ** 2)
        s = {"A": a, "B": b, "C": c}
        d.add("Smaller eigenvalue", ans["lambda_min"], lhs="lambda_min", formula=mean - root, subs=s,
              part="lambda_min")
        d.add("Larger eigenvalue", ans["lambda_max"], lhs="lambda_max", formula=mean + root, subs=s,
              part="lambda_max")
        d.add("Label", ans["label"], part="label", note=f"{RULE} (τ = {p.tau:g})")
        d.answer = f"λ_min = {ans['lambda_min']:.6g}: {ans['label']}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        a, b, c = self._sums(p)
        lo, hi = h.eigen(a, b, c)
        m: dict[str, Mistake] = {}
        if hi - lo > 1e-9:
            m["lambda_max"] = Mistake({"lambda_min": hi}, "The Shi–Tomasi score is the smaller eigenvalue.")
        if b != 0:
            m["b_ignored"] = Mistake({"lambda_min": min(a, c), "lambda_max": max(a, c)},
                                     "M is not diagonal: the eigenvalues need B, λ = (A+C)/2 ∓ √(((A−C)/2)² + B²).")
        disc = math.sqrt((a - c) ** 2 + 4 * b * b)
        if disc > 1e-9:
            m["root_not_halved"] = Mistake({"lambda_min": (a + c) / 2 - disc, "lambda_max": (a + c) / 2 + disc},
                                           "λ = (A+C)/2 ∓ ½√((A−C)² + 4B²): you left out the ½ on the root.")
        return m
