"""GLUE score: the average of the nine task columns, or one missing column from the average and the other eight.

Catalog: seed_004 B12 (the Average column is the mean of all nine numbers, MNLI-m and MNLI-mm both included;
BERT-base 79.6, which becomes 79.1 with MNLI-mm left out).

Parameters:
    scores: the nine columns in the table's order MNLI-m, MNLI-mm, QQP, QNLI, SST-2, CoLA, STS-B, MRPC, RTE.
    missing: optional column (1..9) whose entry is unknown (ignored); then ``average`` gives the row's average.

Answer parts: ``average`` = the mean of the nine scores, or (with ``missing``) ``missing_score`` = 9·average − the
sum of the other eight.

Reference: ``numpy.mean`` (examprep.reference.llm:glue_average).

Common mistakes: MNLI-mm left out (a mean of eight columns: 79.1 for BERT-base's 79.6).

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType
from examprep.problems.gan.fair import grid, near_miss
from examprep.solver.expr import Num, Sym
from examprep.solver.step import Derivation

TASKS = ("MNLI-m", "MNLI-mm", "QQP", "QNLI", "SST-2", "CoLA", "STS-B", "MRPC", "RTE")
AVG = Sym("avg", "Average", latex=r"\text{Average}", typst='"Average"')


class GlueAverage(ProblemType):
    id = "llm/glue_average-v1"
    title = "GLUE average and a missing score"
    catalog = "seed_004 B12"
    reference_entry = "examprep.reference.llm:glue_average"
    params = (
        Param("scores", "vector", "the nine GLUE columns, MNLI-m to RTE", lo=0, hi=100),
        Param("missing", "int", "the unknown column (1..9), optional", lo=1, hi=9, optional=True),
        Param("average", "real", "the row's average (with missing)", lo=0, hi=100, optional=True),
    )
    parts = (
        Part("average", "GLUE average", "real", mode="decdig", digits=1),
        Part("missing_score", "The missing score", "real", mode="decdig", digits=1),
    )

    def active_parts(self, p: Params) -> tuple[Part, ...]:
        return self.parts[1:] if p.missing is not None else self.parts[:1]

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        scores = grid(rng, 50, 95, 0.1, 9)
        if difficulty == "easy" or rng.random() < 0.5:
            return {"scores": scores}
        k = int(rng.integers(1, 10))
        return {"scores": tuple(0.0 if i == k - 1 else v for i, v in enumerate(scores)), "missing": k,
                "average": round(float(np.mean(scores)), 1)}

    def check(self, p: Params) -> list[str]:
        if len(p.scores) != 9:
            raise ParamError(f"scores has {len(p.scores)} entries; give the nine columns {', '.join(TASKS)}")
        if (p.missing is None) != (p.average is None):
            raise ParamError("missing and average go together: give the unknown column and the row's average")
        return []

    def degenerate(self, p: Params) -> str | None:
        a = self.solve(p)
        if "missing_score" in a and not 0 <= a["missing_score"] <= 100:
            return "the missing score is outside 0..100"
        return near_miss(a, self.mistakes(p))

    def _others(self, p: Params, skip_mm: bool = False) -> list[float]:
        return [v for i, v in enumerate(p.scores) if i + 1 != p.missing and not (skip_mm and i == 1)]

    def statement(self, p: Params) -> list[Any]:
        cells = ", ".join(f"{t} {'?' if i + 1 == p.missing else f'{v:g}'}" for i, (t, v) in
                          enumerate(zip(TASKS, p.scores, strict=True)))
        s = [f"A GLUE results row has nine task columns: {cells}. The Average column is the mean of all nine "
             "(MNLI-m and MNLI-mm both count). "]
        if p.missing is None:
            s.append("Compute the average to 1 decimal place, as the table prints it.")
        else:
            s.append(f"The row's Average is {p.average:g}. What is the missing {TASKS[p.missing - 1]} score "
                     "(1 decimal place)?")
        return s

    def solve(self, p: Params) -> Answers:
        if p.missing is None:
            return {"average": sum(p.scores) / 9}
        return {"missing_score": 9 * p.average - sum(self._others(p))}

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        d = Derivation()
        vals = self._others(p)
        total = Num(float(vals[0]))
        for v in vals[1:]:
            total = total + Num(float(v))
        if p.missing is None:
            d.add("Average of the nine columns", a["average"], lhs=AVG, substituted=total / Num(9), part="average",
                  note="MNLI-m and MNLI-mm are both columns")
        else:
            d.add("Sum of the other eight", float(sum(vals)), lhs=Sym("Sigma8", "Σ₈", latex=r"\Sigma_8",
                                                                       typst="Sigma_8"), substituted=total)
            d.add(f"Missing {TASKS[p.missing - 1]}", a["missing_score"], lhs="x",
                  formula=9 * AVG - Sym("Sigma8", "Σ₈", latex=r"\Sigma_8", typst="Sigma_8"),
                  subs={"avg": p.average, "Sigma8": float(sum(vals))}, part="missing_score",
                  note="the nine columns sum to 9 × the average")
        d.answer = (f"average {a['average']:.1f}" if p.missing is None else f"missing {a['missing_score']:.1f}")
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        if p.missing == 2:
            return {}
        fb = "The average includes MNLI-mm: it is the mean of all nine columns."
        if p.missing is None:
            return {"mnli_mm_left_out": Mistake({"average": float(np.mean(self._others(p, skip_mm=True)))}, fb)}
        return {"mnli_mm_left_out": Mistake({"missing_score": 8 * p.average - sum(self._others(p, skip_mm=True))},
                                            fb)}
