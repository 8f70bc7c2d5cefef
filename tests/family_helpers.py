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


def thorough_checks(ids: list[str], near_misses: bool = False) -> tuple[Any, ...]:
    """The deeper checks some family files run on their types, as test functions to bind at module level:

    - ``test_reference_agrees_on_thousands``: the torch reference agrees with ``solve`` on 1,500 instances, within
      1e-9;
    - ``test_self_test_30_seeds_each_difficulty``: the self-test passes on 30 instances of each difficulty;
    - with ``near_misses``, ``test_no_mistake_within_2e3_on_generated_instances``: no named mistake lands within a
      relative 2e-3 of the truth on 40 instances of each difficulty.
    """
    import pytest

    from examprep import seeding
    from examprep.checker import self_test
    from examprep.verify import resolve_device, verify_type

    @pytest.mark.parametrize("pid", ids)
    def test_reference_agrees_on_thousands(pid: str) -> None:
        dev, _ = resolve_device("cpu")
        r = verify_type(make(pid), 1500, dev, batch=512, self_test=False)
        assert r.disagreements == 0, r.examples
        assert r.max_error < 1e-9

    @pytest.mark.parametrize("pid", ids)
    def test_self_test_30_seeds_each_difficulty(pid: str) -> None:
        pt = make(pid)
        insts = [pt.generate(s, d) for s in range(30) for d in seeding.DIFFICULTIES]
        assert self_test(pt, insts) == []

    @pytest.mark.parametrize("pid", ids)
    def test_no_mistake_within_2e3_on_generated_instances(pid: str) -> None:
        from examprep.problems.gan.fair import near_miss

        pt = make(pid)
        for s in range(40):
            for d in seeding.DIFFICULTIES:
                p = pt.generate(s, d).params
                assert near_miss(pt.solve(p), getattr(pt, "all_mistakes", pt.mistakes)(p)) is None

    checks = (test_reference_agrees_on_thousands, test_self_test_30_seeds_each_difficulty)
    return (*checks, test_no_mistake_within_2e3_on_generated_instances) if near_misses else checks
