"""Error carried forward: derived parts marked against the values that follow from the student's earlier answers."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from examprep.grader.compare import round_sig
from examprep.grader.options import GradeOptions
from examprep.grader.score import grade_answers
from examprep.instances import from_code
from examprep.parts import Part
from examprep.registry import all_specs, make

CARRYING = sorted(s.id for s in all_specs() if make(s.id).carries_forward)
N = 60


def rounded(part: Part, v: Any) -> Any:
    """``v`` rounded to the precision the part asks for, as a student writes it down."""
    mode, _, _, digits = part.comparison
    if isinstance(v, str) or mode not in ("sigfig", "decdig"):
        return v
    f = (lambda x: round_sig(float(x), digits)) if mode == "sigfig" else (lambda x: round(float(x), digits))
    a = np.asarray(v, dtype=float)
    return np.vectorize(f, otypes=[float])(a).tolist() if a.ndim else f(a)


def student_answers(pt: Any, params: Any) -> dict[str, Any]:
    """Every part, each computed from the student's own rounded earlier answers and rounded in turn."""
    given: dict[str, Any] = {}
    for part in pt.active_parts(params):
        given[part.name] = rounded(part, pt.solve(params, given)[part.name])
    return given


def test_the_types_of_the_issue_declare_derived_parts() -> None:
    for t in ("vision/harris_patch-v1", "attention/bahdanau-v1", "attention/scaled_dot_product-v1",
              "attention/softmax_temperature-v1"):
        assert t in CARRYING


@pytest.mark.parametrize("problem_id", CARRYING)
def test_rounded_intermediate_answers_carried_forward_are_right(problem_id: str) -> None:
    pt = make(problem_id)
    bad = []
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(N):
            inst = pt.generate(seed, difficulty)
            truth = pt.solve(inst.params)
            given = student_answers(pt, inst.params)
            r = grade_answers(pt, truth, given, pt.mistakes(inst.params), params=inst.params)
            wrong = [f"{p.name}={p.given} ({p.verdict})" for p in r.parts if p.verdict != "right"]
            if wrong:
                bad.append(f"{inst.code}: {wrong}")
    assert not bad, f"{len(bad)} instances: {bad[:3]}"


def test_solve_without_given_values_is_the_exact_solution() -> None:
    for problem_id in CARRYING:
        pt = make(problem_id)
        inst = pt.generate(5)
        a, b = pt.solve(inst.params), pt.solve(inst.params, {})
        for k in a:
            assert np.array_equal(np.asarray(a[k]), np.asarray(b[k])), (problem_id, k)


def test_harris_patch_r_from_rounded_sums_is_right() -> None:
    """The issue's case: R = 8.934 from A, B, C to 4 s.f. (det − k·tr² cancels; the exact R is 11.5954)."""
    inst = from_code("6429-4ENC-GN")
    pt = make(inst.problem_id)
    truth = pt.solve(inst.params)
    assert truth["R"] == pytest.approx(11.5954, abs=1e-4)
    given = {"A": "112.9", "B": "86.12", "C": "87.01", "R": "8.934"}
    r = {p.name: p for p in grade_answers(pt, truth, given, params=inst.params).parts}
    assert r["R"].verdict == "right" and r["R"].score == 1
    assert r["R"].feedback == "follows from your A = 112.9, B = 86.12, C = 87.01"
    # without the earlier answers there is nothing to follow: R alone is wrong
    alone = grade_answers(pt, truth, {"R": "8.934"}, params=inst.params).parts[0]
    assert alone.verdict == "wrong"


def test_wrong_earlier_answer_carried_forward_earns_the_ecf_credit() -> None:
    pt = make("attention/softmax_temperature-v1")
    inst = pt.from_params(pt.parse_sets(["z=[2,1,0,-1]", "temperature=0.5", "k=2"]))
    truth = pt.solve(inst.params)
    wrong_probs = [0.5, 0.3, 0.15, 0.05]  # not the softmax; top-2 of it renormalised is [0.625, 0.375, 0, 0]
    given = {"probs": str(wrong_probs), "topk": "[0.625, 0.375, 0, 0]"}
    r = {p.name: p for p in grade_answers(pt, truth, given, params=inst.params).parts}
    assert r["probs"].verdict == "wrong"
    assert (r["topk"].verdict, r["topk"].score) == ("carried", 0.5)
    assert r["topk"].feedback.startswith("follows from your probs = [0.5, 0.3, 0.15, 0.05]")
    r2 = grade_answers(pt, truth, given, options=GradeOptions(ecf_credit=0.25), params=inst.params)
    assert r2.parts[1].score == 0.25
    # a top-k that follows from nothing the student wrote stays wrong
    r3 = grade_answers(pt, truth, {**given, "topk": "[0.6, 0.4, 0, 0]"}, params=inst.params)
    assert r3.parts[1].verdict == "partial" and r3.parts[1].score == 0.5  # the two zeros only


def test_batch_grading_carries_forward(tmp_path: Any) -> None:
    from examprep.grader.batch import Gradebook, Row

    g = Gradebook()
    for i, (part, ans) in enumerate((("A", "112.9"), ("B", "86.12"), ("C", "87.01"), ("R", "8.934"))):
        g.add(Row(i + 2, "ann", "6429-4ENC-GN", part, ans))
    q = g.report()["students"][0]["questions"][0]
    r = {p["part"]: p for p in q["parts"]}
    assert r["R"]["verdict"] == "right" and r["R"]["feedback"].startswith("follows from your A = 112.9")


def test_earlier_values_that_name_nothing_follow_nothing(monkeypatch: Any) -> None:
    """A recomputation the student's values make impossible (an index past the end) leaves the part as graded."""
    pt = make("attention/softmax_temperature-v1")
    inst = pt.from_params(pt.parse_sets(["z=[2,1,0,-1]", "temperature=0.5", "k=2"]))
    truth = pt.solve(inst.params)
    exact = pt.solve

    def solve(p: Any, given: Any = None) -> Any:
        if given:
            raise IndexError("index 7 is out of bounds")
        return exact(p)

    monkeypatch.setattr(pt, "solve", solve)
    r = grade_answers(pt, truth, {"probs": "[0.5, 0.3, 0.15, 0.05]", "topk": "[0.625, 0.375, 0, 0]"},
                      params=inst.params)
    assert [p.verdict for p in r.parts] == ["wrong", "partial"]
