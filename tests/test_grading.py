"""Comparison modes, shapes, partial credit, mistakes and precision feedback."""

from __future__ import annotations

import pytest

from examprep.grader.compare import close, tolerance
from examprep.grader.score import grade_part
from examprep.parts import Part
from examprep.problem import Mistake


def test_sigfig_tolerance_is_half_a_unit_in_the_last_digit() -> None:
    assert tolerance(0.346154, "sigfig", 0, 0, 3) == pytest.approx(0.51e-3)
    assert tolerance(123.4, "sigfig", 0, 0, 3) == pytest.approx(0.51)
    assert tolerance(5.0, "decdig", 0, 0, 2) == pytest.approx(0.0051)
    assert tolerance(10.0, "rel", 0.01, 0.5, 0) == pytest.approx(0.6)


@pytest.mark.parametrize(("given", "ok"), [(0.346, True), (0.3465, True), (0.3467, False), (0.347, False)])
def test_sigfig_close(given: float, ok: bool) -> None:
    assert close(given, 0.346154, "sigfig", 0, 0, 3) is ok


def test_exact_integers() -> None:
    p = Part("n", "n", "integer")
    assert grade_part(p, 15, "15").score == 1
    assert grade_part(p, 15, "15.0").score == 1
    assert grade_part(p, 15, "16").verdict == "wrong"
    assert grade_part(p, 15, "[15]").verdict == "invalid"


def test_shape_is_checked_before_values() -> None:
    p = Part("m", "m", "matrix")
    r = grade_part(p, [[1.0, 2.0], [3.0, 4.0]], "[[1]]")
    assert r.verdict == "wrong" and "2×2" in r.feedback and "1×1" in r.feedback
    r = grade_part(p, [[1.0, 2.0], [3.0, 4.0]], "[1, 2, 3, 4]")
    assert r.verdict == "wrong"


def test_partial_credit_per_entry() -> None:
    p = Part("m", "m", "matrix")
    r = grade_part(p, [[1.0, 2.0], [3.0, 4.0]], "[[1, 2], [3, 5]]")
    assert r.verdict == "partial" and r.score == pytest.approx(0.75) and "3 of 4" in r.feedback
    no_partial = Part("m", "m", "matrix", partial=False)
    assert grade_part(no_partial, [[1.0, 2.0], [3.0, 4.0]], "[[1, 2], [3, 5]]").score == 0


def test_named_mistake_feedback() -> None:
    p = Part("h", "h", "integer")
    mistakes = {"no_plus_one": Mistake({"h": 14}, "You forgot the +1.")}
    r = grade_part(p, 15, "14", mistakes)
    assert r.mistake == "no_plus_one" and r.feedback == "You forgot the +1." and r.score == 0
    assert grade_part(p, 15, "13", mistakes).mistake is None


def test_insufficient_precision() -> None:
    p = Part("x", "x", "real")
    r = grade_part(p, 0.346154, "0.35")
    assert r.verdict == "wrong" and "insufficient precision" in r.feedback
    assert grade_part(p, 0.346154, "0.36").feedback == ""


def test_labels_ignore_case_and_spaces() -> None:
    p = Part("c", "c", "label", choices=("Banana", "Apple"))
    assert grade_part(p, "Banana", " banana ").score == 1
    assert grade_part(p, "Banana", "Apple").verdict == "wrong"
