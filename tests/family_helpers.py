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


def family_checks(ids: list[str], n: int = 600, batch: int = 200, seeds: int = 12, mixed: int = 20) -> tuple[Any, ...]:
    """The three checks every family test file runs on its types, as test functions to bind at module level:
    ``test_reference_agrees, test_self_test_every_difficulty, test_reference_on_a_mixed_batch = family_checks(IDS)``.

    - the batched torch reference agrees with ``solve`` on ``n`` generated instances (``batch`` at a time);
    - the self-test passes on ``seeds`` instances of each difficulty;
    - the reference agrees on one batch mixing ``mixed`` instances of every difficulty (ragged shapes together).
    """
    import pytest

    from examprep import seeding
    from examprep.checker import self_test
    from examprep.verify import reference_disagreements, resolve_device, verify_type

    @pytest.mark.parametrize("pid", ids)
    def test_reference_agrees(pid: str) -> None:
        r = verify_type(make(pid), n, resolve_device("cpu")[0], batch=batch, self_test=False)
        assert r.disagreements == 0, r.examples

    @pytest.mark.parametrize("pid", ids)
    def test_self_test_every_difficulty(pid: str) -> None:
        pt = make(pid)
        assert self_test(pt, [pt.generate(s, d) for s in range(seeds) for d in seeding.DIFFICULTIES]) == []

    @pytest.mark.parametrize("pid", ids)
    def test_reference_on_a_mixed_batch(pid: str) -> None:
        pt = make(pid)
        params = [pt.generate(s, d).params for s in range(mixed) for d in seeding.DIFFICULTIES]
        assert reference_disagreements(pt, params) == []

    return test_reference_agrees, test_self_test_every_difficulty, test_reference_on_a_mixed_batch
