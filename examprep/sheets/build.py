"""The sheet model: what a problem sheet and its solution sheet hold, independent of the output format."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from examprep.parts import Part
from examprep.problem import Instance, ProblemType


@dataclass(frozen=True)
class SheetProblem:
    """One numbered problem: its instance, statement, asked-for parts, answers, derivation and watch-outs."""

    number: int
    problem: ProblemType
    instance: Instance
    statement: list[Any]
    parts: tuple[Part, ...]
    answers: dict[str, Any]
    derivation: Any
    watch_out: tuple[str, ...]
    tolerance: str = "fair"  # the grading policy the answer-form lines and Moodle tolerances state

    @property
    def code(self) -> str:
        return self.instance.code or "custom"

    @property
    def final_parts(self) -> tuple[Part, ...]:
        return tuple(p for p in self.parts if p.final)


@dataclass(frozen=True)
class Sheet:
    """A whole sheet (one variant): title, seed, the student it is for (if any) and its problems."""

    title: str
    seed: int
    difficulty: str
    problems: list[SheetProblem] = field(default_factory=list)
    student: str | None = None
    solutions: bool = True
    student_name: str | None = None

    def but(self, **changes: Any) -> Sheet:
        """A copy with some fields changed (the same variant with or without solutions)."""
        from dataclasses import replace

        return replace(self, **changes)


def build_problem(number: int, pt: ProblemType, inst: Instance, tolerance: str = "fair") -> SheetProblem:
    """Everything a sheet shows about one instance (the derivation and answers come from the problem type)."""
    p = inst.params
    answers = pt.solve(p)
    watch: list[str] = []
    for m in pt.mistakes(p).values():
        if m.feedback and m.feedback not in watch:
            watch.append(m.feedback)
    note = [" " + pt.carry_note()] if pt.carry_note() else []
    return SheetProblem(number, pt, inst, list(pt.statement(p)) + note, tuple(pt.active_parts(p)), answers,
                        pt.derivation(p), tuple(watch), tolerance)


def build_sheet(pairs: list[tuple[ProblemType, Instance]], *, title: str, seed: int, difficulty: str,
                student: str | None = None, solutions: bool = True,
                progress: Callable[[int], None] | None = None, student_name: str | None = None,
                tolerance: str = "fair") -> Sheet:
    """A sheet from generated instances; ``progress(1)`` is called after each problem."""
    problems = []
    for i, (pt, inst) in enumerate(pairs, 1):
        problems.append(build_problem(i, pt, inst, tolerance))
        if progress:
            progress(1)
    return Sheet(title, seed, difficulty, problems, student, solutions, student_name)


def plain(v: Any) -> Any:
    """numpy scalars and arrays as Python numbers and nested lists."""
    if isinstance(v, np.ndarray):
        return plain(v.tolist())
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, (np.bool_, bool)):
        return int(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v


def key_text(v: Any) -> str:
    """An answer written for a key file: full precision (repr), labels as text, vectors/matrices as ``[..]``."""
    v = plain(v)
    if isinstance(v, str):
        return v
    if isinstance(v, list):
        return "[" + ", ".join(key_text(x) for x in v) + "]"
    if isinstance(v, float):
        return repr(v) if v == v else "nan"
    if hasattr(v, "numerator") and hasattr(v, "denominator") and not isinstance(v, int):
        return repr(float(v))
    return str(v)


def entries(v: Any) -> list[Any]:
    """The scalar entries of an answer value, row by row."""
    v = plain(v)
    if isinstance(v, list):
        return [x for item in v for x in entries(item)]
    return [v]
