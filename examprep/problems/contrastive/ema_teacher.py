"""Momentum (EMA) teacher of MoCo, BYOL and DINO: θ ← m·θ + (1 − m)·θ_s, repeated with the student held fixed.

Catalog: seed_000_001 J2 (θ = [1, 0], θ_s = [0, 1], m = 0.9: [0.9, 0.1], [0.81, 0.19], [0.729, 0.271]; m = 0.999
for 1000 steps leaves 0.367695 on the initialisation).

Parameters:
    teacher: the teacher's parameters θ before the first update. student: the student's parameters θ_s (fixed).
    m: the momentum. steps: the number of updates t.

Answer parts: ``theta`` (the teacher after t updates, m^t θ + (1 − m^t) θ_s) and ``init_weight`` (m^t, the weight
left on the initialisation).

Conventions stated in the prompt: natural log; embeddings are L2-normalised before any dot product; classes,
prompts, images and tokens are numbered from 1 (the common statement of the family; nothing here is normalised).

Reference: ``torch.lerp(θ, θ_s, 1 − m)`` applied t times, on the parameters and on a weight that starts at 1
(examprep.reference.contrastive:ema_teacher).

Common mistakes: m and 1 − m swapped, the student updated toward the teacher instead, no compounding (the weight
1 − t(1 − m) instead of m^t).

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.contrastive.embed import CONVENTIONS
from examprep.problems.gan.fair import near_miss, visible
from examprep.solver.expr import Mat, Num, Sym
from examprep.solver.step import Derivation

MAX_STEPS = 100_000
ROUND = ((1.0, 0.0), (0.0, 1.0), (2.0, 0.0), (1.0, 1.0), (0.0, 2.0), (1.0, -1.0), (-1.0, 2.0), (2.0, 1.0))


def ema(teacher: Any, student: Any, m: float, steps: int) -> tuple[np.ndarray, float]:
    """The teacher after ``steps`` updates toward a fixed student, and the weight m^steps left on it."""
    w = m ** steps
    return w * np.asarray(teacher, dtype=float) + (1 - w) * np.asarray(student, dtype=float), w


class EmaTeacher(ProblemType):
    id = "contrastive/ema_teacher-v1"
    title = "EMA (momentum) teacher update"
    catalog = "seed_000_001 J2"
    reference_entry = "examprep.reference.contrastive:ema_teacher"
    params = (
        Param("teacher", "vector", "the teacher's parameters θ before the first update", lo=-1000, hi=1000),
        Param("student", "vector", "the student's parameters θ_s (held fixed)", lo=-1000, hi=1000),
        Param("m", "real", "momentum m", lo=0, hi=1),
        Param("steps", "int", "number of updates t", lo=1, hi=MAX_STEPS),
    )
    parts = (
        Part("theta", "Teacher parameters after the updates", "vector", mode="decdig", digits=4,
             uses=("init_weight",)),
        Part("init_weight", "Weight left on the initial teacher, m^t", "real", mode="decdig", digits=6),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = lambda opts: opts[int(rng.integers(len(opts)))]  # noqa: E731
        if difficulty == "easy":
            t, s = (ROUND[int(i)] for i in rng.choice(len(ROUND), size=2, replace=False))
            return dict(teacher=t, student=s, m=pick((0.9, 0.8, 0.5)), steps=int(rng.integers(1, 4)))
        if difficulty == "medium":
            t, s = (ROUND[int(i)] for i in rng.choice(len(ROUND), size=2, replace=False))
            return dict(teacher=t, student=s, m=pick((0.9, 0.95, 0.99)), steps=int(rng.integers(2, 6)))
        t = tuple(float(x) for x in rng.integers(-3, 4, size=3))
        s = tuple(float(x) for x in rng.integers(-3, 4, size=3))
        return dict(teacher=t, student=s, m=pick((0.99, 0.996, 0.999)), steps=pick((10, 50, 100, 500, 1000)))

    def check(self, p: Params) -> list[str]:
        if len(p.teacher) != len(p.student) or not 1 <= len(p.teacher) <= 16:
            raise ParamError(f"teacher has {len(p.teacher)} entries and student {len(p.student)}: give the same "
                             "number (1 to 16)")
        return []

    def degenerate(self, p: Params) -> str | None:
        if tuple(p.teacher) == tuple(p.student):
            return "teacher and student are equal"
        if p.m in (0.0, 1.0):
            return "the momentum is 0 or 1"
        return near_miss(self.solve(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        return [
            "A momentum (EMA) teacher starts at $\\theta$ = ", list(p.teacher), " and the student's parameters "
            "are $\\theta_s$ = ", list(p.student), " (the student is held fixed). Each step updates the teacher as "
            r"$\theta_{\text{new}} = m \theta + (1 - m) \theta_s$" f" with $m = {p.m:g}$. "
            f"Give the teacher's parameters after {p.steps} step{'s' if p.steps > 1 else ''} to 4 decimal places and "
            "the weight $m^t$ left on the initial teacher to 6 decimal places. " + CONVENTIONS
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        theta, w = ema(p.teacher, p.student, p.m, p.steps)
        if given and "init_weight" in given:  # the closed form m^t θ + (1 − m^t) θ_s with the student's m^t
            u = carry(given, "init_weight", w)
            theta = u * np.asarray(p.teacher, dtype=float) + (1 - u) * np.asarray(p.student, dtype=float)
        return {"theta": theta.tolist(), "init_weight": w}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        m, s = Num(p.m), [Num(x) for x in p.student]
        theta = np.asarray(p.teacher, dtype=float)
        if p.steps <= 4:
            for k in range(1, p.steps + 1):
                new = p.m * theta + (1 - p.m) * np.asarray(p.student, dtype=float)
                d.add(f"Step {k}", new.tolist(), lhs=Sym(f"theta_{k}", tex=rf"\theta_{{{k}}}"),
                      substituted=Mat([[m * Num(a) + (1 - m) * b for a, b in zip(theta, s, strict=True)]]),
                      note=(r"$\theta_k = m \theta_{k-1} + (1 - m) \theta_s$, with $\theta_0 = \theta$"
                            if k == 1 else None))
                theta = new
        t = p.steps
        w = d.add("Weight left on the initial teacher", ans["init_weight"], lhs=Sym("w", tex="m^t"),
                  substituted=m ** t, part="init_weight",
                  note="each step multiplies the remaining weight of the initial teacher by $m$")
        d.add("Closed form", ans["theta"], lhs=Sym("theta_t", tex=r"\theta_t"), part="theta",
              substituted=Mat([[Num(w) * Num(a) + (1 - Num(w)) * b for a, b in zip(p.teacher, s, strict=True)]]),
              note=r"$\theta_t = m^t \theta_0 + (1 - m^t) \theta_s$ (the student is fixed)")
        d.answer = "θ = [" + ", ".join(f"{x:.4f}" for x in ans["theta"]) + "]"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return visible(self.solve(p), self.all_mistakes(p))

    def all_mistakes(self, p: Params) -> dict[str, Mistake]:
        """Every named mistake, whether or not it shows on these parameters."""
        swapped, ws = ema(p.teacher, p.student, 1 - p.m, p.steps)
        moved, _ = ema(p.student, p.teacher, p.m, p.steps)
        lin = 1 - p.steps * (1 - p.m)
        flat = lin * np.asarray(p.teacher, dtype=float) + (1 - lin) * np.asarray(p.student, dtype=float)
        return {
            "m_swapped": Mistake({"theta": swapped.tolist(), "init_weight": ws},
                                 "The teacher keeps the weight m on its own parameters and takes 1 − m from the "
                                 "student: θ ← m·θ + (1 − m)·θ_s."),
            "student_updated": Mistake({"theta": moved.tolist()},
                                       "It is the teacher that moves toward the student; you moved the student "
                                       "toward the teacher."),
            "no_compounding": Mistake({"theta": flat.tolist(), "init_weight": lin},
                                      "The weights compound: after t steps the initial teacher keeps m^t, not "
                                      "1 − t(1 − m)."),
        }
