"""FILIP/FLIP token similarity and STAIR sparse embeddings: the catalog's worked examples, the wrong values graded as
named mistakes, error carried forward, validation, fair draws, and the batched references against solve."""

from __future__ import annotations

import math

import numpy as np
import pytest
from family_helpers import family_checks, mistake_named, right, solved

from examprep import seeding
from examprep.errors import ParamError
from examprep.grader.score import grade_answers, grade_part
from examprep.problems.gan.fair import near_miss
from examprep.registry import make
from examprep.solver.render import statement

FI = "contrastive/filip_similarity-v1"
ST = "contrastive/stair_sparse-v1"
IDS = [FI, ST]


test_reference_agrees, test_self_test_every_difficulty, test_reference_on_a_mixed_batch = family_checks(
    IDS)


@pytest.mark.parametrize("pid", IDS)
def test_statement_states_the_conventions(pid: str) -> None:
    pt = make(pid)
    text = " ".join(s for s in pt.statement(pt.generate(0, "hard").params) if isinstance(s, str))
    assert "natural log" in text and "L2-normalised before any dot product" in text and "numbered from 1" in text


@pytest.mark.parametrize("pid", IDS)
def test_no_named_mistake_lands_near_the_truth_on_generated_instances(pid: str) -> None:
    pt = make(pid)
    for d in seeding.DIFFICULTIES:
        for s in range(60):
            p = pt.generate(s, d).params
            assert near_miss(pt.solve(p), pt.mistakes(p)) is None, (d, s)


# ---- filip_similarity: X = [[1, 0], [0.6, 0.8], [0, 1]], Y = [[0.8, 0.6], [0, 1]] -> 0.92 / 0.98 ----------------

CAT_X, CAT_Y = ((1, 0), (0.6, 0.8), (0, 1)), ((0.8, 0.6), (0, 1))


def test_filip_catalog_example() -> None:
    pt, inst, ans = solved(FI, X=CAT_X, Y=CAT_Y, n_patches=196, mask_ratio=0.5)
    assert np.allclose(ans["sim"], [[0.8, 0], [0.96, 0.8], [0.6, 1]])
    assert ans["s_i2t"] == pytest.approx(0.92, abs=1e-12)  # (0.8 + 0.96 + 1)/3
    assert ans["s_t2i"] == pytest.approx(0.98, abs=1e-12)  # (0.96 + 1)/2
    assert ans["visible"] == 98
    assert right(pt, inst, sim="[[0.8, 0], [0.96, 0.8], [0.6, 1]]", s_i2t="0.9200", s_t2i="0.9800", visible="98")
    # 50% masking: masked = visible, so the masked count is no mistake here
    assert "masked_count" not in pt.mistakes(inst.params)


def test_filip_catalog_wrong_values_are_named() -> None:
    pt, inst, ans = solved(FI, X=CAT_X, Y=CAT_Y, n_patches=196, mask_ratio=0.75)
    assert ans["visible"] == 49
    assert mistake_named(pt, inst, "visible", "147") == "masked_count"
    assert mistake_named(pt, inst, "s_i2t", "0.98") == "axes_swapped"
    assert mistake_named(pt, inst, "s_t2i", "0.92") == "axes_swapped"
    every = (0.8 + 0 + 0.96 + 0.8 + 0.6 + 1) / 6  # 0.693333: the mean of all six similarities
    assert mistake_named(pt, inst, "s_i2t", every) == "mean_of_all"
    assert mistake_named(pt, inst, "s_t2i", every) == "mean_of_all"
    assert "not_normalised" not in pt.mistakes(inst.params)  # unit tokens: raw dot products are the cosines


def test_filip_normalises_non_unit_tokens() -> None:
    # unit rows [0.6, 0.8], [1, 0], [0, −1] and [0.8, 0.6], [0, 1]: S = [[0.96, 0.8], [0.8, 0], [−0.6, −1]]
    pt, inst, ans = solved(FI, X=((3, 4), (2, 0), (0, -5)), Y=((4, 3), (0, 1)), n_patches=100, mask_ratio=0.6)
    assert np.allclose(ans["sim"], [[0.96, 0.8], [0.8, 0.0], [-0.6, -1]])
    assert ans["s_i2t"] == pytest.approx((0.96 + 0.8 - 0.6) / 3)
    assert ans["s_t2i"] == pytest.approx((0.96 + 0.8) / 2)
    assert ans["visible"] == 40
    # raw dot products [[24, 4], [8, 0], [−15, −5]]
    assert mistake_named(pt, inst, "sim", "[[24, 4], [8, 0], [-15, -5]]") == "not_normalised"
    assert mistake_named(pt, inst, "s_i2t", (24 + 8 - 5) / 3) == "not_normalised"
    assert mistake_named(pt, inst, "s_t2i", (24 + 4) / 2) == "not_normalised"
    assert mistake_named(pt, inst, "visible", "60") == "masked_count"


def test_filip_scores_carry_the_students_similarities_forward() -> None:
    pt, inst, ans = solved(FI, X=CAT_X, Y=CAT_Y, n_patches=196, mask_ratio=0.75)
    # S_21 miscomputed as 0.86 instead of 0.96: row maxima [0.8, 0.86, 1], column maxima [0.86, 1]
    given = {"sim": "[[0.8, 0], [0.86, 0.8], [0.6, 1]]", "s_i2t": "0.8867", "s_t2i": "0.93", "visible": "49"}
    r = {p.name: p for p in grade_answers(pt, ans, given, pt.mistakes(inst.params), params=inst.params).parts}
    assert r["sim"].verdict != "right"
    for k in ("s_i2t", "s_t2i"):  # credit for following the student's own (wrong) S
        assert r[k].verdict == "carried" and r[k].score > 0 and r[k].feedback.startswith("follows from your sim")
    # without the carried similarities, 0.8867 is simply wrong
    assert grade_answers(pt, ans, {"s_i2t": "0.8867"}, params=inst.params).parts[0].score == 0


def test_filip_statement_names_filip_and_flip_each_for_its_own_method() -> None:
    pt, inst, _ = solved(FI, X=CAT_X, Y=CAT_Y, n_patches=196, mask_ratio=0.75)
    text = statement(pt.statement(inst.params), "text")
    maxima, masking = text.split("A different method")
    assert "FILIP" in maxima and "FLIP" not in maxima.replace("FILIP", "")
    assert "FLIP" in masking and "FILIP" not in masking and "masking" in masking
    assert "max_r S_kr" in maxima and "max_k S_kr" in maxima
    assert "notes" not in text.lower()


@pytest.mark.parametrize("sets, match", [
    (dict(X=((1, 0), (0, 1)), Y=((1, 0),), n_patches=196, mask_ratio=0.3), "whole number"),
    (dict(X=((0, 0), (0, 1)), Y=((1, 0),), n_patches=196, mask_ratio=0.5), "zero vector"),
    (dict(X=((1, 0), (0, 1)), Y=((1, 0, 0),), n_patches=196, mask_ratio=0.5), "length"),
])
def test_filip_refuses_bad_input(sets: dict, match: str) -> None:
    with pytest.raises(ParamError, match=match):
        make(FI).from_params(sets)


def test_filip_draws_are_hand_sized_and_free_of_ties() -> None:
    pt = make(FI)
    for d in seeding.DIFFICULTIES:
        for s in range(30):
            p = pt.generate(s, d).params
            sim = np.asarray(pt.solve(p)["sim"])
            for a in (np.sort(sim, axis=1)[:, -2:], np.sort(sim, axis=0)[-2:].T):
                assert np.all(a[:, 1] - a[:, 0] > 1e-9)
            assert float(p.n_patches * p.mask_ratio).is_integer() and p.mask_ratio != 0.5
            norms = np.linalg.norm(np.vstack([p.X, p.Y]), axis=1)
            if d == "hard":
                assert not np.allclose(norms, 1) and all(float(v).is_integer() for r in p.X for v in r)
            else:
                assert np.allclose(norms, 1) and all(round(v, 2) == v for r in p.X for v in r)


# ---- stair_sparse: [[1, −0.5, 0.2, 0], [0.3, 0.8, −1, 0]] -> [0.693147, 0.587787, 0.182322, 0], 3 non-zeros ------

CAT_W = ((1, -0.5, 0.2, 0), (0.3, 0.8, -1, 0))


def test_stair_catalog_example() -> None:
    pt, inst, ans = solved(ST, logits=CAT_W)
    assert ans["h"] == pytest.approx([0.693147, 0.587787, 0.182322, 0], abs=5e-7)
    assert ans["h"] == pytest.approx([math.log(2), math.log(1.8), math.log(1.2), 0], abs=1e-15)
    assert ans["nnz"] == 3
    assert right(pt, inst, h="[0.6931, 0.5878, 0.1823, 0]", nnz="3")


def test_stair_catalog_mistakes_are_named() -> None:
    pt, inst, _ = solved(ST, logits=CAT_W)
    summed = [math.log(2) + math.log(1.3), math.log(1.8), math.log(1.2), 0]  # ln 2 + ln 1.3 = 0.955511
    assert mistake_named(pt, inst, "h", summed) == "sum_pooling"
    assert mistake_named(pt, inst, "h", "[1, 0.8, 0.2, 0]") == "log_skipped"
    e = np.exp(np.array(CAT_W, dtype=float))
    soft = (e / e.sum(axis=1, keepdims=True)).max(axis=0)
    assert mistake_named(pt, inst, "h", soft.tolist()) == "softmax"
    # no vocabulary entry has only negative logits here, so skipping the ReLU changes nothing
    assert "relu_skipped" not in pt.mistakes(inst.params)


def test_stair_relu_skipped_on_an_all_negative_entry() -> None:
    pt, inst, ans = solved(ST, logits=((1, -0.5, 0.2, -0.3), (0.3, 0.8, -0.4, -0.6)))
    assert ans["h"] == pytest.approx([math.log(2), math.log(1.8), math.log(1.2), 0])
    assert ans["nnz"] == 3
    no_relu = [math.log(2), math.log(1.8), math.log(1.2), math.log(0.7)]  # ln(1 − 0.3) = −0.356675
    assert mistake_named(pt, inst, "h", no_relu) == "relu_skipped"
    r = grade_part(pt.part("nnz"), ans["nnz"], "4", pt.mistakes(inst.params))
    assert r.score == 0 and "relu_skipped" in r.mistakes


def test_stair_relu_skipped_is_left_out_where_the_log_is_undefined() -> None:
    pt, inst, _ = solved(ST, logits=((1, -1.5), (0.3, -2)))
    assert "relu_skipped" not in pt.all_mistakes(inst.params)


def test_stair_nnz_carries_the_students_h_forward() -> None:
    pt, inst, ans = solved(ST, logits=CAT_W)
    given = {"h": "[0.6931, 0.5878, 0, 0]", "nnz": "2"}  # ln 1.2 dropped, then counted consistently
    r = {p.name: p for p in grade_answers(pt, ans, given, pt.mistakes(inst.params), params=inst.params).parts}
    assert r["h"].score < 1 and r["nnz"].verdict == "carried" and r["nnz"].score > 0
    assert grade_answers(pt, ans, {"nnz": "2"}, params=inst.params).parts[0].score == 0


def test_stair_refuses_ragged_logits() -> None:
    with pytest.raises(ParamError, match="same length"):
        make(ST).from_params(dict(logits=((1, 0, 2), (0.5, 1))))


def test_stair_draws_show_every_mistake_and_have_no_ties() -> None:
    pt = make(ST)
    for d in seeding.DIFFICULTIES:
        for s in range(30):
            p = pt.generate(s, d).params
            w = np.asarray(p.logits)
            assert set(pt.mistakes(p)) == {"sum_pooling", "log_skipped", "softmax", "relu_skipped"}
            top = np.sort(w, axis=0)
            assert np.all((top[-1] <= 0) | (top[-1] > top[-2]))
            assert np.all(w > -1) and all(round(v, 1) == v for v in w.ravel())
            assert 0 < pt.solve(p)["nnz"] < w.shape[1]
