"""Metrics types: the catalog's verified samples with their corrected values, the notes' wrong values graded as
named mistakes, scipy/sklearn as independent checks, validation, sampling, and the references on mixed batches."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from family_helpers import mistake_named, right, solved, thorough_checks

from examprep import seeding
from examprep.checker import self_test
from examprep.errors import ParamError
from examprep.grader.score import grade_answers
from examprep.registry import make
from examprep.verify import reference_disagreements

IDS = ["metrics/fid-v1", "metrics/bleu-v1", "metrics/inception_score-v1", "metrics/segmentation-v1",
       "metrics/topk_error-v1", "metrics/mos-v1"]


# ---- every type: references, self-tests, fair draws ---------------------------------------------------------------

(test_reference_agrees_on_thousands, test_self_test_30_seeds_each_difficulty,
    test_no_mistake_within_2e3_on_generated_instances) = thorough_checks(IDS, near_misses=True)


# ---- metrics/fid (seed_000_001 G2; seed_002 I6) -------------------------------------------------------------------

def scipy_fid(mu_r: Any, S_r: Any, mu_g: Any, S_g: Any) -> tuple[np.ndarray, float]:
    from scipy.linalg import sqrtm

    root = np.real(sqrtm(np.asarray(S_r, float) @ np.asarray(S_g, float)))
    diff = np.asarray(mu_r, float) - np.asarray(mu_g, float)
    return root, float(diff @ diff + np.trace(np.asarray(S_r) + np.asarray(S_g) - 2 * root))


def test_fid_full_2x2_catalog_sample() -> None:
    pt, inst, ans = solved("metrics/fid-v1", mu_r=(1, 0), Sigma_r=((2, 1), (1, 2)), mu_g=(0, 0),
                           Sigma_g=((1, 0), (0, 1)))
    assert ans["fid"] == pytest.approx(1.535898, abs=5e-7)
    assert np.allclose(ans["sqrt_product"], [[1.366025, 0.366025], [0.366025, 1.366025]], atol=5e-7)
    root, f = scipy_fid((1, 0), ((2, 1), (1, 2)), (0, 0), ((1, 0), (0, 1)))
    assert np.allclose(ans["sqrt_product"], root, atol=1e-12) and ans["fid"] == pytest.approx(f, rel=1e-12)
    assert right(pt, inst, fid="1.535898", sqrt_product="[[1.366025, 0.366025], [0.366025, 1.366025]]")
    assert mistake_named(pt, inst, "fid", 1.343146) == "elementwise_root"
    assert mistake_named(pt, inst, "fid", 1 + 4 + 2 - 2 * 4) == "no_root"  # 1 + Tr(Σ_r + I − 2Σ_r) = −1
    assert "norm_unsquared" not in pt.mistakes(inst.params)  # ‖μ_r − μ_g‖ = 1: the mistake changes nothing here
    assert self_test(pt, [inst]) == []


def test_fid_trace_term_follows_from_the_rounded_or_wrong_root() -> None:
    # Tr(Σ_r + I) = 6. The root to 3 s.f., [[1.37, 0.366], [0.366, 1.37]], gives 6 − 2·2.74 = 0.52, 3% off the exact
    # 0.535898: right, as it follows from a right root. The elementwise root [[√2, 1], [1, √2]] gives
    # 6 − 4√2 = 0.343146 and FID 1.343146: carried from a wrong root.
    pt, inst, ans = solved("metrics/fid-v1", mu_r=(1, 0), Sigma_r=((2, 1), (1, 2)), mu_g=(0, 0),
                           Sigma_g=((1, 0), (0, 1)))
    given = {"mean_term": "1", "sqrt_product": "[[1.37, 0.366], [0.366, 1.37]]", "trace_term": "0.52",
             "fid": "1.52"}
    r = {p.name: p for p in grade_answers(pt, ans, given, params=inst.params).parts}
    assert all((x.verdict, x.score) == ("right", 1) for x in r.values()), r
    assert r["trace_term"].feedback == "follows from your sqrt_product = [[1.37, 0.366], [0.366, 1.37]]"
    given = {"mean_term": "1", "sqrt_product": "[[1.414, 1], [1, 1.414]]", "trace_term": "0.344", "fid": "1.344"}
    r = {p.name: p for p in grade_answers(pt, ans, given, pt.mistakes(inst.params), params=inst.params).parts}
    assert (r["sqrt_product"].verdict, r["sqrt_product"].mistake) == ("wrong", "elementwise_root")
    assert (r["trace_term"].verdict, r["trace_term"].score) == ("carried", 0.5)
    assert (r["fid"].verdict, r["fid"].score) == ("carried", 0.5)


def test_fid_1d_no_root_gives_minus_2() -> None:
    # N(0, 1) vs N(1, 4): FID = 1 + (1 − 2)² = 2; without the root 1 + 1 + 4 − 2·4 = −2
    pt, inst, ans = solved("metrics/fid-v1", mu_r=(0,), Sigma_r=((1,),), mu_g=(1,), Sigma_g=((4,),))
    assert ans["fid"] == pytest.approx(2.0)
    assert ans["sqrt_product"] == [[2.0]]
    assert mistake_named(pt, inst, "fid", -2) == "no_root"


def test_fid_1d_variances_in_shortcut_give_10() -> None:
    # (μ = 1, σ = 2) vs (μ = 2, σ = 1): 1 + 1 = 2; with variances 1 + (4 − 1)² = 10
    pt, inst, ans = solved("metrics/fid-v1", mu_r=(1,), Sigma_r=((4,),), mu_g=(2,), Sigma_g=((1,),))
    assert ans["fid"] == pytest.approx(2.0)
    assert mistake_named(pt, inst, "fid", 10) == "variances_in_shortcut"


def test_fid_diagonal_and_general_catalog_samples() -> None:
    _, _, ans = solved("metrics/fid-v1", mu_r=(0, 0), Sigma_r=((1, 0), (0, 4)), mu_g=(1, 1), Sigma_g=((4, 0), (0, 1)))
    assert ans["fid"] == pytest.approx(4.0)
    S3, S4 = ((2, 0.5), (0.5, 1)), ((1, 0.2), (0.2, 1.5))
    pt, inst, ans = solved("metrics/fid-v1", mu_r=(0.5, 0.5), Sigma_r=S3, mu_g=(0, 0), Sigma_g=S4)
    assert ans["fid"] == pytest.approx(0.747620, abs=5e-7)
    root, f = scipy_fid((0.5, 0.5), S3, (0, 0), S4)
    assert np.allclose(ans["sqrt_product"], root, atol=1e-12) and ans["fid"] == pytest.approx(f, rel=1e-12)
    assert np.allclose(np.asarray(ans["sqrt_product"]) @ np.asarray(ans["sqrt_product"]),
                       np.asarray(S3) @ np.asarray(S4))


def test_fid_from_samples_unbiased_and_biased() -> None:
    Xr, Xg = ((1, 2), (3, 4), (5, 3)), ((2, 1), (2, 3), (4, 2))
    pt, inst, ans = solved("metrics/fid-v1", X_r=Xr, X_g=Xg)
    assert ans["fid"] == pytest.approx(2.015344, abs=5e-7)
    assert np.allclose(ans["cov_r"], np.cov(np.asarray(Xr).T))  # numpy's default divisor is N − 1
    assert np.allclose(ans["cov_g"], np.cov(np.asarray(Xg).T))
    _, f = scipy_fid(np.mean(Xr, 0), np.cov(np.asarray(Xr).T), np.mean(Xg, 0), np.cov(np.asarray(Xg).T))
    assert ans["fid"] == pytest.approx(f, rel=1e-12)
    assert mistake_named(pt, inst, "fid", 1.713933) == "biased_covariance"
    assert mistake_named(pt, inst, "cov_r", np.cov(np.asarray(Xr).T, bias=True).tolist()) == "biased_covariance"
    assert {p.name for p in pt.active_parts(inst.params)} >= {"cov_r", "cov_g"}
    assert self_test(pt, [inst]) == []


def test_fid_reference_on_a_mixed_batch() -> None:
    pt = make("metrics/fid-v1")
    params = [pt.from_params(v).params for v in (
        {"X_r": ((1, 2), (3, 4), (5, 3)), "X_g": ((2, 1), (2, 3), (4, 2), (0, 0))},
        {"mu_r": (1,), "Sigma_r": ((2,),), "mu_g": (0,), "Sigma_g": ((0.5,),)},
        {"mu_r": (1, 0), "Sigma_r": ((2, 1), (1, 2)), "mu_g": (0, 0), "Sigma_g": ((1, 0), (0, 1))},
        {"X_r": ((1,), (2,), (4,)), "X_g": ((0,), (3,))},
    )]
    assert reference_disagreements(pt, params) == []


@pytest.mark.parametrize("params, match", [
    ({"mu_r": (0,), "Sigma_r": ((1,),), "mu_g": (1,)}, "either"),
    ({"mu_r": (0, 0), "Sigma_r": ((1, 0.5), (0.4, 1)), "mu_g": (1, 0), "Sigma_g": ((1, 0), (0, 1))}, "symmetric"),
    ({"mu_r": (0, 0), "Sigma_r": ((1, 2), (2, 1)), "mu_g": (1, 0), "Sigma_g": ((1, 0), (0, 1))}, "positive definite"),
    ({"X_r": ((1, 1), (2, 2), (3, 3)), "X_g": ((2, 1), (2, 3), (4, 2))}, "positive definite"),
    ({"X_r": ((1, 1), (2, 2)), "X_g": ((2, 1), (2, 3), (4, 2))}, "at least 3 rows"),
    ({"mu_r": (0, 0), "Sigma_r": ((1,),), "mu_g": (1, 0), "Sigma_g": ((1, 0), (0, 1))}, "2×2"),
])
def test_fid_validation(params: dict, match: str) -> None:
    with pytest.raises(ParamError, match=match):
        make("metrics/fid-v1").from_params(params)


def test_fid_difficulties_1d_then_diagonal_then_full_or_samples() -> None:
    pt = make("metrics/fid-v1")
    kinds = set()
    for s in range(30):
        assert len(pt.generate(s, "easy").params.mu_r) == 1
        m = pt.generate(s, "medium").params
        assert m.Sigma_r[0][1] == 0 and m.Sigma_g[0][1] == 0
        h = pt.generate(s, "hard").params
        kinds.add("samples" if h.X_r is not None else "full")
    assert kinds == {"samples", "full"}
    text = " ".join(x for x in pt.statement(pt.generate(0, "hard").params) if isinstance(x, str))
    assert "principal" in text and "notes" not in text
    for s in range(30):
        h = pt.generate(s, "hard").params
        if h.X_r is not None:
            assert "N - 1" in " ".join(x for x in pt.statement(h) if isinstance(x, str))
            break
    assert math.isfinite(pt.solve(pt.generate(0, "hard").params)["fid"])


# ---- metrics/bleu (seed_002 G3) -----------------------------------------------------------------------------------

REF = ("the cat is on the mat",)


def test_bleu_catalog_sample() -> None:
    pt, inst, ans = solved("metrics/bleu-v1", candidate="the cat sat on the mat", references=REF)
    assert ans["precisions"] == pytest.approx([5 / 6, 3 / 5])
    assert (ans["c"], ans["r"], ans["bp"]) == (6, 6, 1.0)
    assert ans["bleu"] == pytest.approx(0.707107, abs=5e-7)
    assert right(pt, inst, bleu="0.707107", precisions="[0.833333, 0.6]", c="6", r="6", bp="1")
    assert mistake_named(pt, inst, "bleu", 0.716667) == "arithmetic_mean"
    assert self_test(pt, [inst]) == []


def test_bleu_seven_the_is_not_1() -> None:
    pt, inst, ans = solved("metrics/bleu-v1", candidate=" ".join(["the"] * 7), references=REF, max_n=1)
    assert ans["precisions"][0] == pytest.approx(0.285714, abs=5e-7)  # clipped at the reference's 2
    assert ans["bleu"] == pytest.approx(2 / 7)
    assert mistake_named(pt, inst, "bleu", 1.0) == "unclipped"  # the notes' definition
    assert mistake_named(pt, inst, "precisions", [1.0]) == "unclipped"
    # with bigrams "the the" is in no reference: p_2 = 0 clipped or not, so BLEU-2 is 0
    pt, inst, ans = solved("metrics/bleu-v1", candidate=" ".join(["the"] * 7), references=REF, max_n=2)
    assert ans["bleu"] == 0 and ans["precisions"][1] == 0
    assert mistake_named(pt, inst, "precisions", [1.0, 0.0]) == "unclipped"


def test_bleu_short_candidate_brevity_penalty() -> None:
    pt, inst, ans = solved("metrics/bleu-v1", candidate="the cat", references=REF)
    assert ans["bp"] == pytest.approx(math.exp(-2)) and ans["bp"] == pytest.approx(0.135335, abs=5e-7)
    assert ans["bleu"] == pytest.approx(0.135335, abs=5e-7)
    assert mistake_named(pt, inst, "bp", math.exp(1 - 2 / 6)) == "bp_inverted"
    assert "bp_when_longer" not in pt.mistakes(inst.params)


def test_bleu_4_without_smoothing_is_0() -> None:
    _, _, ans = solved("metrics/bleu-v1", candidate="the cat sat on the mat", references=REF, max_n=4)
    assert ans["precisions"] == pytest.approx([5 / 6, 3 / 5, 1 / 4, 0])
    assert ans["bleu"] == 0


def test_bleu_longer_candidate_and_tie_rule() -> None:
    pt, inst, ans = solved("metrics/bleu-v1", candidate="the cat sat on the mat today", references=REF)
    assert ans["bp"] == 1 and ans["c"] == 7
    assert mistake_named(pt, inst, "bp", math.exp(1 - 6 / 7)) == "bp_when_longer"
    # lengths 5 and 7 are both 1 from c = 6: the shorter, 5
    _, _, ans = solved("metrics/bleu-v1", candidate="the cat sat on the mat",
                       references=("the cat sat on mat", "there is a cat on the mat"))
    assert ans["r"] == 5 and ans["bp"] == 1


def test_bleu_clips_at_one_reference_not_the_sum() -> None:
    _, _, ans = solved("metrics/bleu-v1", candidate="the the the", references=("the cat the", "the dog"), max_n=1)
    assert ans["precisions"] == pytest.approx([2 / 3])


def test_bleu_reference_on_a_mixed_batch() -> None:
    pt = make("metrics/bleu-v1")
    params = [pt.from_params(v).params for v in (
        {"candidate": "the cat sat on the mat", "references": REF, "max_n": 4},
        {"candidate": "the the the the the the the", "references": REF, "max_n": 1},
        {"candidate": "the cat", "references": REF + ("a cat", "the big cat sat there")},
        {"candidate": "a b c d e", "references": ("a b c d e f g h",), "max_n": 3},
    )]
    assert reference_disagreements(pt, params) == []


@pytest.mark.parametrize("params, match", [
    ({"candidate": " ", "references": REF}, "at least one word"),
    ({"candidate": "the cat", "references": REF, "max_n": 3}, "fewer than max_n"),
    ({"candidate": "the cat", "references": REF, "max_n": 5}, "max_n"),
    ({"candidate": "the cat", "references": ()}, "references"),
])
def test_bleu_validation(params: dict, match: str) -> None:
    with pytest.raises(ParamError, match=match):
        make("metrics/bleu-v1").from_params(params)


def test_bleu_draws_show_both_penalty_cases_and_state_conventions() -> None:
    pt = make("metrics/bleu-v1")
    seen = set()
    for s in range(40):
        for d in seeding.DIFFICULTIES:
            a = pt.solve(pt.generate(s, d).params)
            seen.add((a["c"] > a["r"]) - (a["c"] < a["r"]))
    assert seen == {-1, 0, 1}
    text = " ".join(x for x in pt.statement(pt.generate(0).params) if isinstance(x, str))
    for phrase in ("clipped", "shorter one on a tie", "no smoothing", "split on spaces"):
        assert phrase in text


# ---- metrics/inception_score (seed_000_001 G1; seed_002 I5) -------------------------------------------------------

CYCLIC = ((0.9, 0.05, 0.05), (0.05, 0.9, 0.05), (0.05, 0.05, 0.9))
P3 = ((0.7, 0.2, 0.1), (0.1, 0.8, 0.1), (0.6, 0.3, 0.1))


def test_inception_score_cyclic_rows() -> None:
    pt, inst, ans = solved("metrics/inception_score-v1", p_yx=CYCLIC)
    assert ans["p_y"] == pytest.approx([1 / 3] * 3)
    assert ans["kl"] == pytest.approx([0.704215] * 3, abs=5e-7)
    assert ans["inception_score"] == pytest.approx(2.022258, abs=5e-7)
    assert mistake_named(pt, inst, "inception_score", 2.543809) == "kl_reversed"
    assert mistake_named(pt, inst, "inception_score", 2.762033) == "bits"


def test_inception_score_p3_and_every_mistake() -> None:
    from scipy.stats import entropy

    pt, inst, ans = solved("metrics/inception_score-v1", p_yx=P3)
    assert ans["p_y"] == pytest.approx([0.466667, 0.433333, 0.1], abs=5e-7)
    assert ans["kl"] == pytest.approx([0.129188, 0.336439, 0.040471], abs=5e-7)
    assert ans["kl"] == pytest.approx([entropy(r, ans["p_y"]) for r in P3], rel=1e-12)  # scipy: KL in nats
    assert ans["inception_score"] == pytest.approx(1.183764, abs=5e-7)
    assert right(pt, inst, inception_score="1.183764", kl="[0.129188, 0.336439, 0.040471]")
    for given, name in ((1.238249, "kl_reversed"), (1.275555, "bits"), (1.658806, "exp_of_sum"),
                        (1.193053, "mean_of_exps"), (0.168699, "no_exp")):
        assert mistake_named(pt, inst, "inception_score", given) == name
    assert self_test(pt, [inst]) == []


def test_inception_score_mode_collapse() -> None:
    _, _, ans = solved("metrics/inception_score-v1", p_yx=(CYCLIC[0],) * 3)
    assert ans["inception_score"] == pytest.approx(1.0)
    _, _, ans = solved("metrics/inception_score-v1", p_yx=((0.9, 0.05, 0.05), (0.8, 0.1, 0.1), (0.7, 0.2, 0.1)))
    assert ans["inception_score"] == pytest.approx(1.024794, abs=5e-7)


def test_inception_score_zero_probability_and_mixed_batch() -> None:
    pt = make("metrics/inception_score-v1")
    params = [pt.from_params({"p_yx": v}).params for v in (
        P3, CYCLIC, ((1.0, 0.0), (0.0, 1.0)), ((0.5, 0.5, 0, 0), (0, 0, 0.5, 0.5), (0.25, 0.25, 0.25, 0.25)))]
    assert reference_disagreements(pt, params) == []
    assert pt.solve(params[2])["inception_score"] == pytest.approx(2.0)  # two certain, different classes
    assert "kl_reversed" not in pt.mistakes(params[2])  # KL(p(y)‖p(y|x)) is infinite there


@pytest.mark.parametrize("value, match", [
    (((0.5, 0.6), (0.5, 0.5)), "row 1 of p_yx sums to"),
    (((1.0,), (1.0,)), "at least 2"),
])
def test_inception_score_validation(value: Any, match: str) -> None:
    with pytest.raises(ParamError, match=match):
        make("metrics/inception_score-v1").from_params({"p_yx": value})


# ---- metrics/segmentation (seed_000_001 G3) -----------------------------------------------------------------------

GT = ((0, 0, 1, 1), (0, 0, 1, 1), (2, 2, 1, 1), (2, 2, 2, 1))
PRED = ((0, 0, 1, 1), (0, 1, 1, 1), (2, 2, 2, 1), (2, 0, 2, 1))


def test_segmentation_g3_sample_against_sklearn() -> None:
    from sklearn.metrics import accuracy_score, jaccard_score

    pt, inst, ans = solved("metrics/segmentation-v1", gt=GT, pred=PRED, n_classes=3)
    assert ans["iou"] == pytest.approx([0.6, 0.75, 0.666667], abs=5e-7)
    assert ans["miou"] == pytest.approx(0.672222, abs=5e-7)
    assert ans["pixel_acc"] == pytest.approx(0.8125)
    g, p = np.ravel(GT), np.ravel(PRED)
    assert ans["iou"] == pytest.approx(jaccard_score(g, p, average=None).tolist(), rel=1e-12)
    assert ans["miou"] == pytest.approx(jaccard_score(g, p, average="macro"), rel=1e-12)
    assert ans["pixel_acc"] == pytest.approx(accuracy_score(g, p), rel=1e-12)
    # recall I/G: 3/4, 6/7, 4/5; Dice 2I/(G + P); the pixel-weighted mean is sklearn's "weighted" average
    assert mistake_named(pt, inst, "iou", [0.75, 6 / 7, 0.8]) == "recall"
    # here every class has as many predicted as true pixels, so Dice 2I/(G + P) equals recall I/G
    assert mistake_named(pt, inst, "iou", [0.75, 12 / 14, 0.8]) in ("recall", "dice")
    assert mistake_named(pt, inst, "miou", jaccard_score(g, p, average="weighted")) == "pixel_weighted"
    assert self_test(pt, [inst]) == []


def test_segmentation_reference_mixed_batch_and_class_missing_from_pred() -> None:
    pt = make("metrics/segmentation-v1")
    params = [pt.from_params(v).params for v in (
        {"gt": GT, "pred": PRED, "n_classes": 3},
        {"gt": ((0, 1), (1, 1)), "pred": ((1, 1), (1, 1)), "n_classes": 2},
        {"gt": ((0, 1, 2, 3),), "pred": ((0, 0, 2, 2),), "n_classes": 4},
    )]
    assert reference_disagreements(pt, params) == []
    assert pt.solve(params[1])["iou"] == [0.0, 0.75]  # class 0 never predicted: IoU 0
    inst = pt.from_params(params[2])
    assert mistake_named(pt, inst, "iou", [2 / 3, 0, 2 / 3, 0]) == "dice"
    assert mistake_named(pt, inst, "iou", [1, 0, 1, 0]) == "recall"


@pytest.mark.parametrize("params, match", [
    ({"gt": ((0, 1),), "pred": ((0, 1, 1),), "n_classes": 2}, "same shape"),
    ({"gt": ((0, 1),), "pred": ((0, 2),), "n_classes": 2}, "labels must be integers 0..1"),
    ({"gt": ((0, 0),), "pred": ((0, 1),), "n_classes": 2}, "class 1 does not occur in gt"),
])
def test_segmentation_validation(params: dict, match: str) -> None:
    with pytest.raises(ParamError, match=match):
        make("metrics/segmentation-v1").from_params(params)


# ---- metrics/topk_error (seed_004 C18) ----------------------------------------------------------------------------

S1 = ((0.5, 0.3, 0.1, 0.06, 0.04), (0.1, 0.2, 0.3, 0.4, 0.0), (0.05, 0.15, 0.6, 0.12, 0.08),
      (0.3, 0.25, 0.2, 0.15, 0.1))
Y = (1, 0, 2, 4)


def test_topk_error_against_sklearn() -> None:
    from sklearn.metrics import top_k_accuracy_score

    for k in (1, 2, 3):
        pt, inst, ans = solved("metrics/topk_error-v1", scores=S1, labels=Y, k=k)
        want = 1 - top_k_accuracy_score(Y, np.asarray(S1), k=k, labels=range(5))
        assert ans["error"] == pytest.approx(want, abs=1e-12)
    assert ans["hits"] == [1, 0, 1, 0]  # k = 3: label 0 of sample 2 and label 4 of sample 4 are outside
    pt, inst, ans = solved("metrics/topk_error-v1", scores=S1, labels=Y, k=2)
    assert ans["error"] == 0.5
    assert mistake_named(pt, inst, "error", 0.5 + 0.25) == "top1"  # only sample 3 is a top-1 hit
    assert self_test(pt, [inst]) == []


def c18_instance() -> dict[str, Any]:
    """500 samples, 3 classes, top-1: the first model misses 91 (18.2 %), the ensemble 77 (15.4 %)."""
    right, saved, wrong = (0.7, 0.2, 0.1), ((0.3, 0.6, 0.1), (0.8, 0.1, 0.1)), (0.2, 0.7, 0.1)
    s1 = [right] * 409 + [saved[0]] * 14 + [wrong] * 77
    s2 = [right] * 409 + [saved[1]] * 14 + [wrong] * 77
    return {"scores": tuple(s1), "scores_2": tuple(s2), "labels": (0,) * 500, "k": 1}


def test_topk_error_c18_relative_gain() -> None:
    pt, inst, ans = solved("metrics/topk_error-v1", **c18_instance())
    assert (ans["error"], ans["error_ens"]) == pytest.approx((0.182, 0.154))
    assert ans["rel_gain"] == pytest.approx(0.153846, abs=5e-7)  # 15.38 %
    assert mistake_named(pt, inst, "rel_gain", 0.028 / 0.154) == "gain_over_ensemble"
    assert mistake_named(pt, inst, "error", 0.818) == "accuracy"


def test_topk_error_reference_mixed_batch() -> None:
    pt = make("metrics/topk_error-v1")
    S2 = ((0.1, 0.6, 0.1, 0.12, 0.08), (0.7, 0.12, 0.1, 0.05, 0.03), (0.2, 0.22, 0.3, 0.1, 0.18),
          (0.05, 0.06, 0.04, 0.05, 0.8))
    params = [pt.from_params(v).params for v in (
        {"scores": S1, "labels": Y, "k": 2}, {"scores": S1, "labels": Y, "k": 2, "scores_2": S2},
        {"scores": S1, "labels": Y, "k": 1, "scores_2": S2}, c18_instance())]
    assert reference_disagreements(pt, params) == []


@pytest.mark.parametrize("params, match", [
    ({"scores": ((0.4, 0.3, 0.3),), "labels": (0,), "k": 2}, "tie at place 2"),
    ({"scores": ((0.5, 0.3, 0.2),), "labels": (0, 1), "k": 1}, "one label per row"),
    ({"scores": ((0.5, 0.3, 0.2),), "labels": (3,), "k": 1}, "classes 0..2"),
    ({"scores": ((0.5, 0.3, 0.2),), "labels": (0,), "k": 3}, "k < 3"),
    ({"scores": ((0.5, 0.3, 0.2),), "labels": (0,), "k": 1, "scores_2": ((0.2, 0.3, 0.5),)}, "undefined"),
    ({"scores": ((0.5, 0.3, 0.2),), "labels": (1,), "k": 1, "scores_2": ((0.3, 0.5, 0.2),)}, "the ensemble has a tie"),
])
def test_topk_error_validation(params: dict, match: str) -> None:
    with pytest.raises(ParamError, match=match):
        make("metrics/topk_error-v1").from_params(params)


def test_topk_error_draws_have_a_second_model_that_helps() -> None:
    pt = make("metrics/topk_error-v1")
    for s in range(10):
        p = pt.generate(s, "hard").params
        assert p.scores_2 is not None and 0 < pt.solve(p)["rel_gain"] <= 1
        assert pt.generate(s, "easy").params.scores_2 is None


# ---- metrics/mos (seed_000_001 G3) --------------------------------------------------------------------------------

RATINGS = (4, 5, 3, 4, 4, 5, 3, 4)


def test_mos_g3_sample_normal_and_t() -> None:
    from scipy import stats

    pt, inst, ans = solved("metrics/mos-v1", ratings=RATINGS, interval="normal")
    assert ans["mos"] == 4.0 and ans["s"] == pytest.approx(0.755929, abs=5e-7)
    assert ans["s"] == pytest.approx(np.std(RATINGS, ddof=1), rel=1e-12)
    assert ans["half_width"] == pytest.approx(0.523832, abs=5e-7)
    pt, inst, ans = solved("metrics/mos-v1", ratings=RATINGS, interval="t")
    assert ans["half_width"] == pytest.approx(0.631972, abs=5e-7)
    exact = stats.t.ppf(0.975, 7) * np.std(RATINGS, ddof=1) / math.sqrt(8)
    assert ans["half_width"] == pytest.approx(exact, rel=1e-6)  # the 6-decimal quantile costs < 1e-6
    assert mistake_named(pt, inst, "half_width", 0.523832) == "z_for_t"
    pop = np.std(RATINGS) * 2.364624 / math.sqrt(8)
    assert mistake_named(pt, inst, "half_width", pop) == "population_std"
    assert mistake_named(pt, inst, "s", np.std(RATINGS)) == "population_std"
    assert mistake_named(pt, inst, "half_width", 2.364624 * 0.755929) == "no_sqrt_n"
    assert "2.364624" in " ".join(x for x in pt.statement(inst.params) if isinstance(x, str))
    assert self_test(pt, [inst]) == []


def test_mos_t_table_and_torch_quantile_match_scipy() -> None:
    import torch
    from scipy import stats

    from examprep.problems.metrics.mos import T975
    from examprep.reference.metrics import _t975

    want = stats.t.ppf(0.975, np.arange(1, len(T975) + 1))
    assert np.round(want, 6).tolist() == list(T975)
    got = _t975(torch.arange(1, len(T975) + 1, dtype=torch.float64)).numpy()
    assert np.abs(got - want).max() < 1e-9


def test_mos_reference_mixed_batch_and_validation() -> None:
    pt = make("metrics/mos-v1")
    params = [pt.from_params(v).params for v in (
        {"ratings": RATINGS, "interval": "t"}, {"ratings": RATINGS, "interval": "normal"},
        {"ratings": (1, 5)}, {"ratings": (2, 3, 3, 4, 5, 1)})]
    assert reference_disagreements(pt, params) == []
    with pytest.raises(ParamError, match="ratings"):
        pt.from_params({"ratings": (4, 6)})
    with pytest.raises(ParamError, match="2 to 61"):
        pt.from_params({"ratings": (4,)})
