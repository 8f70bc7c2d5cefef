"""Harris corner response from the window sums A = ΣI_x², B = ΣI_xI_y, C = ΣI_y².

Catalog: seed_003 A5 variant (a) and §2 item 4 (lines 1705–1734 of the notes). The notes write
det M = I_x²I_y² − (I_xI_y)², which is right only for window sums: per pixel it is identically 0.

Parameters:
    A, B, C: the entries of M = [[A, B], [B, C]] (A, C ≥ 0 and B² ≤ AC, as for any sum of outer products).
    k: the Harris constant (usually 0.04–0.06). tau: the threshold τ ≥ 0 of the label rule.

Answer parts: ``det``, ``trace``, ``R``, ``eigenvalues`` ([λ_min, λ_max], intermediate), ``label``.

Conventions stated in the prompt: R = det M − k·(trace M)²; corner if R > τ, edge if R < −τ, flat otherwise;
eigenvalues listed in increasing order.

Reference: torch.linalg.det / torch.linalg.eigvalsh on the batch of 2×2 matrices
(examprep.reference.vision:harris_from_sums).

Common mistakes: trace not squared, k term added, tr(M²) instead of (tr M)², a negative R called flat.

Versions: v1 — first version.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType
from examprep.problems.vision import harris as h
from examprep.solver.expr import Mat, Sym, paren, sqrt
from examprep.solver.step import Derivation

A, B, C, K, DET, TR = Sym("A"), Sym("B"), Sym("C"), Sym("k"), Sym("det_M", "det M", r"\det M", "det M"), \
    Sym("tr_M", "tr M", r"\operatorname{tr} M", 'op("tr") M')


def label_rule(tau: float) -> str:
    return rf"corner if $R > \tau$, edge if $R < -\tau$, flat otherwise ($\tau = {tau:g}$)"


class HarrisFromSums(ProblemType):
    id = "vision/harris_from_sums-v1"
    title = "Harris response from window sums"
    catalog = "seed_003 A5 (a), §2.4"
    reference_entry = "examprep.reference.vision:harris_from_sums"
    params = (
        Param("A", "real", "A = Σ w·I_x² (window sum)", lo=0, hi=1e9),
        Param("B", "real", "B = Σ w·I_x·I_y (window sum)", lo=-1e9, hi=1e9),
        Param("C", "real", "C = Σ w·I_y² (window sum)", lo=0, hi=1e9),
        Param("k", "real", "Harris constant k", lo=0.001, hi=0.25, default=0.04),
        Param("tau", "real", "threshold τ of the corner/edge/flat rule", lo=0, hi=1e12),
    )
    parts = (
        Part("det", "det M", "real", digits=4),
        Part("trace", "trace M", "real", digits=4),
        Part("R", "Harris response R", "real", digits=4, uses=("det", "trace")),
        Part("eigenvalues", "eigenvalues [λ_min, λ_max]", "vector", digits=4, final=False, partial=False),
        Part("label", "corner, edge or flat", "label", choices=h.LABELS, uses=("R",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        target = h.LABELS[int(rng.integers(3))]
        scale = 10.0 if difficulty == "hard" else 1.0  # hard: one decimal place
        for _ in range(100):
            if target == "corner":
                a, c = (int(x) for x in rng.integers(10, 101, size=2))
            elif target == "edge":
                a, c = int(rng.integers(20, 101)), int(rng.integers(0, 6))
                a, c = (a, c) if rng.integers(2) else (c, a)
            else:
                a, c = (int(x) for x in rng.integers(0, 11, size=2))
            if difficulty == "hard":
                a, c = a * 10 + int(rng.integers(10)), c * 10 + int(rng.integers(10))
            bmax = math.isqrt(a * c) // (1 if target == "edge" else 2)
            b = 0 if difficulty == "easy" and rng.integers(2) else int(rng.integers(-bmax, bmax + 1))
            if b * b <= a * c:
                break
        a, b, c = a / scale, b / scale, c / scale
        k = [0.04, 0.05, 0.06][int(rng.integers(3))]
        _, _, r = h.response(a, b, c, k)
        tau = h.nice_threshold(2 * abs(r), up=True) if target == "flat" else h.nice_threshold(abs(r) / 2, up=False)
        num = (lambda x: int(x)) if difficulty != "hard" else (lambda x: float(x))
        return dict(A=num(a), B=num(b), C=num(c), k=k, tau=float(tau))

    def check(self, p: Params) -> list[str]:
        from examprep.errors import ParamError

        if p.B * p.B > p.A * p.C:
            raise ParamError(f"B={p.B:g} is too large: a window sum of outer products has B² ≤ A·C "
                             f"(here A·C = {p.A * p.C:g}); use |B| ≤ √(AC)")
        return h.check_k(p.k)

    def degenerate(self, p: Params) -> str | None:
        _, _, r = h.response(p.A, p.B, p.C, p.k)
        if h.near_threshold(r, p.tau):
            return "R is too close to ±τ to classify by hand"
        return None

    def statement(self, p: Params) -> list[Any]:
        return [
            r"In a Harris corner detector the window sums at one pixel are $A = \sum I_x^2$ = ", p.A,
            r", $B = \sum I_x I_y$ = ", p.B, r" and $C = \sum I_y^2$ = ", p.C,
            rf", so the structure matrix is $M = [[A, B], [B, C]]$ (below). With $k = {p.k:g}$, compute $\det M$, "
            r"$\operatorname{trace} M$, the response $R = \det M - k \cdot (\operatorname{trace} M)^2$, the "
            f"eigenvalues of $M$ (in increasing order) and the label. Label rule: {label_rule(p.tau)}.",
            "\n$M$ = ", [[p.A, p.B], [p.B, p.C]],
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        lo, hi = h.eigen(p.A, p.B, p.C)
        out = h.carried_response(given, p.A, p.B, p.C, p.k, p.tau)
        return {"det": out["det"], "trace": out["trace"], "R": out["R"], "eigenvalues": [lo, hi],
                "label": out["label"]}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        add_response_steps(d, p.A, p.B, p.C, p.k, ans)
        half_tr, disc = TR / 2, (TR / 2) ** 2 - DET
        lam = Mat([[half_tr - sqrt(disc), half_tr + sqrt(disc)]])
        d.add(r"Eigenvalues (cross-check: $R = \lambda_1 \lambda_2 - k (\lambda_1 + \lambda_2)^2$)",
              ans["eigenvalues"], lhs=r"\lambda", formula=lam,
              subs={DET: ans["det"], TR: ans["trace"]}, part="eigenvalues")
        d.add("Label", ans["label"], part="label", note=label_rule(p.tau))
        d.answer = f"R = {ans['R']:.6g}: {ans['label']}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return response_mistakes(p.A, p.B, p.C, p.k, p.tau)


def add_response_steps(d: Derivation, a: float, b: float, c: float, k: float, ans: Answers) -> None:
    """The det, trace and R steps (parts det, trace, R) from the window sums."""
    s = {"A": a, "B": b, "C": c}
    d.add("Determinant", ans["det"], lhs=DET, formula=A * C - B ** 2, subs=s, part="det",
          note="det M uses the window sums: per pixel I_x²I_y² − (I_xI_y)² is always 0.")
    d.add("Trace", ans["trace"], lhs=TR, formula=A + C, subs=s, part="trace")
    d.add("Response", ans["R"], lhs="R", formula=DET - K * paren(TR) ** 2,
          subs={DET: ans["det"], TR: ans["trace"], "k": k}, part="R")


def response_mistakes(a: float, b: float, c: float, k: float, tau: float) -> dict[str, Mistake]:
    """The R-formula mistakes shared by the Harris types (each done, label included)."""
    det, tr, r = h.response(a, b, c, k)
    m: dict[str, Mistake] = {}

    def wrong_r(value: float) -> dict[str, Any]:
        return {"R": value, "label": h.label(value, tau)}

    m["trace_not_squared"] = Mistake(wrong_r(det - k * tr), "The trace is squared: R = det M − k·(trace M)².")
    m["k_added"] = Mistake(wrong_r(det + k * tr * tr), "The k term is subtracted: R = det M − k·(trace M)².")
    if abs(b * b - a * c) > 1e-12:
        m["trace_of_square"] = Mistake(wrong_r(det - k * (a * a + 2 * b * b + c * c)),
                                       "You used tr(M²) = A² + 2B² + C²; the formula squares the trace: (A + C)².")
    if h.label(r, tau) == "edge":
        m["negative_as_flat"] = Mistake({"label": "flat"},
                                        "A large negative R (R < −τ) is an edge; flat means |R| ≤ τ.")
    return m
