"""Comparison modes, shapes, partial credit, mistakes and precision feedback."""

from __future__ import annotations

import pytest

from examprep.grader.compare import close, tolerance
from examprep.grader.options import STRICT, GradeOptions, OptionError
from examprep.grader.score import grade_part
from examprep.parts import Part
from examprep.problem import Mistake


def test_strict_tolerance_is_half_a_unit_in_the_last_digit() -> None:
    assert tolerance(0.346154, "sigfig", 0, 0, 3, "strict") == pytest.approx(0.51e-3)
    assert tolerance(123.4, "sigfig", 0, 0, 3, "strict") == pytest.approx(0.51)
    assert tolerance(5.0, "decdig", 0, 0, 2, "strict") == pytest.approx(0.0051)
    assert tolerance(10.0, "rel", 0.01, 0.5, 0, "strict") == pytest.approx(0.6)


def test_fair_tolerance_is_the_larger_of_half_a_unit_and_0_2_percent() -> None:
    assert tolerance(0.346154, "sigfig", 0, 0, 3) == pytest.approx(2e-3 * 0.346154)  # 6.9e-4 > 5.1e-4
    assert tolerance(0.0766245, "sigfig", 0, 0, 3) == pytest.approx(2e-3 * 0.0766245)
    assert tolerance(0.0021, "decdig", 0, 0, 4) == pytest.approx(0.51e-4)  # half a unit is larger here
    assert tolerance(123.4, "sigfig", 0, 0, 3) == pytest.approx(0.51)
    assert tolerance(7, "exact", 0, 0, 0) == 0


@pytest.mark.parametrize(("given", "strict", "fair"),
                         [(0.346, True, True), (0.3465, True, True), (0.3467, False, True), (0.347, False, False)])
def test_sigfig_close(given: float, strict: bool, fair: bool) -> None:
    assert close(given, 0.346154, "sigfig", 0, 0, 3, "strict") is strict
    assert close(given, 0.346154, "sigfig", 0, 0, 3) is fair


def test_issue_examples_are_right_under_the_fair_policy_only() -> None:
    """0.0767 for 0.0766245 at 3 s.f. (carried rounding), and softmax([4, 2, 0, -2]) to 4 decimals."""
    p = Part("x", "x", "real")
    assert grade_part(p, 0.0766245, "0.0767").verdict == "right"
    assert grade_part(p, 0.0766245, "0.0767", options=STRICT).verdict == "wrong"
    import numpy as np

    z = np.array([4.0, 2.0, 0.0, -2.0])
    probs = np.exp(z) / np.exp(z).sum()
    v = Part("probs", "p", "vector", mode="decdig", digits=4)
    fair = grade_part(v, probs.tolist(), "[0.865,0.117,0.016,0.002]")
    strict = grade_part(v, probs.tolist(), "[0.865,0.117,0.016,0.002]", options=STRICT)
    # 0.865 is right either way; 0.117 for 0.11708 only within 0.2%; 0.016 and 0.002 are 3-decimal roundings
    assert strict.score == pytest.approx((1 + 0.5 * 3) / 4)
    assert fair.score == pytest.approx((2 + 0.5 * 2) / 4) and fair.verdict == "imprecise"


def test_form_states_the_policy() -> None:
    p = Part("x", "x", "real", digits=4)
    assert p.form() == ("a number, 4 significant figures (right within half a unit of the last digit or 0.2%, "
                        "whichever is larger)")
    assert p.form("strict") == "a number, 4 significant figures (right within half a unit of the last digit)"
    assert Part("n", "n", "integer").form() == "an integer"


def test_bad_grading_options_are_refused() -> None:
    with pytest.raises(OptionError, match="--tolerance 'loose'"):
        GradeOptions(tolerance="loose")
    with pytest.raises(OptionError, match="--imprecise-credit 2"):
        GradeOptions(imprecise_credit=2)


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


def test_imprecise_verdict_earns_the_imprecise_credit() -> None:
    p = Part("x", "x", "real")
    r = grade_part(p, 0.504073, "0.50")
    assert r.verdict == "imprecise" and r.score == 0.5
    assert r.feedback == "right, but rounded to 2 significant figures; give 3 significant figures"
    assert grade_part(p, 0.504073, "0.5", options=GradeOptions(imprecise_credit=0.25)).score == 0.25
    assert grade_part(p, 0.504073, "0.49").verdict == "wrong"  # not a rounding of the truth
    d = Part("p", "p", "real", mode="decdig", digits=4)
    assert grade_part(d, 0.0021, "0").verdict == "wrong"  # rounded to nothing is not an answer
    assert grade_part(p, 0.346154, "0.36").feedback == ""


def test_labels_ignore_case_and_spaces() -> None:
    p = Part("c", "c", "label", choices=("Banana", "Apple"))
    assert grade_part(p, "Banana", " banana ").score == 1
    assert grade_part(p, "Banana", "Apple").verdict == "wrong"


def test_near_miss_says_close_but_earns_nothing() -> None:
    p = Part("x", "x", "real")
    r = grade_part(p, 0.504073, "0.507")  # 0.6% off: outside the tolerance, within 1%
    assert (r.verdict, r.score, r.feedback) == ("wrong", 0.0, "close — check your rounding")
    assert grade_part(p, 0.504073, "0.52").feedback == ""  # 3% off: a plain wrong


def test_class_summary_has_an_imprecise_column(tmp_path) -> None:
    from examprep.grader.batch import Gradebook, Row
    from examprep.grader.compare import round_sig
    from examprep.registry import make

    pt = make("divergence/kl_gaussian-v1")
    for seed in range(20):  # an instance whose KL rounded to 2 s.f. is off by more than 0.2%
        inst = pt.generate(seed)
        kl = pt.solve(inst.params)["kl"]
        if abs(round_sig(kl, 2) - kl) > 3e-3 * abs(kl):
            break

    g = Gradebook()
    g.add(Row(2, "ann", inst.code, "kl", repr(round_sig(kl, 2))))
    g.add(Row(3, "bob", inst.code, "kl", repr(kl)))
    rep = g.report()
    (s,) = rep["summary"]
    assert (s["right"], s["imprecise"], s["wrong"]) == (1, 1, 0)
    ann = rep["students"][0]
    assert ann["student"] == "ann" and ann["points"] == 0.5
    g2 = Gradebook(options=GradeOptions(imprecise_credit=0.0))
    g2.add(Row(2, "ann", inst.code, "kl", repr(round_sig(kl, 2))))
    assert g2.report()["students"][0]["points"] == 0
