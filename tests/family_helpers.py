"""Helpers shared by the problem-family test files: an instance from given parameters, and what the grader makes
of an answer (right, or the named mistake it recognises)."""

from __future__ import annotations

from typing import Any

from examprep.grader.score import grade_answers, grade_part
from examprep.registry import make


def solved(pid: str, **params: object) -> tuple[Any, Any, dict[str, Any]]:
    """(problem type, instance, answers) for the given parameters."""
    pt = make(pid)
    inst = pt.from_params(params)
    return pt, inst, pt.solve(inst.params)


def mistake_named(pt: Any, inst: Any, part: str, given: object) -> str | None:
    """The mistake the grader recognises in ``given`` for ``part`` (None if right or unrecognised); the answer
    must score 0."""
    truth = pt.solve(inst.params)
    r = grade_part(pt.part(part), truth[part], given, pt.mistakes(inst.params))
    assert r.score == 0, f"{given} for {part} was accepted"
    return r.mistake


def right(pt: Any, inst: Any, **answers: object) -> bool:
    """Whether these answers score full marks."""
    return grade_answers(pt, pt.solve(inst.params), answers).score == 1


def wrong(pt: Any, inst: Any, part: str, given: object) -> bool:
    """Whether ``given`` scores 0 for ``part``."""
    truth = pt.solve(inst.params)
    return grade_part(pt.part(part), truth[part], given, pt.mistakes(inst.params)).score == 0
