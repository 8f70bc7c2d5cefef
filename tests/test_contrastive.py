"""Contrastive types: the catalog's worked examples (corrected values), the wrong values graded as named mistakes,
validation, and the batched references against solve on mixed batches."""

from __future__ import annotations

import numpy as np
import pytest
from family_helpers import family_checks, mistake_named, right, solved

from examprep import seeding
from examprep.errors import ParamError
from examprep.grader.score import grade_answers
from examprep.registry import make

IDS = ["contrastive/clip_zero_shot-v1", "contrastive/clip_loss-v1", "contrastive/nt_xent-v1",
       "contrastive/ema_teacher-v1", "contrastive/dino_loss-v1",
       "contrastive/coop_params-v1"]


test_reference_agrees, test_self_test_every_difficulty, test_reference_on_a_mixed_batch = family_checks(
    IDS, n=1200, batch=300)


@pytest.mark.parametrize("pid", IDS)
def test_statement_states_the_conventions(pid: str) -> None:
    pt = make(pid)
    text = " ".join(s for s in pt.statement(pt.generate(0, "hard").params) if isinstance(s, str))
    assert "natural log" in text and "L2-normalised before any dot product" in text and "numbered from 1" in text


# ---- clip_zero_shot: image [0.6, 0.8], prompts [1, 0], [0, 1], [0.6, −0.8] --------------------------------------

ZS = "contrastive/clip_zero_shot-v1"


def test_clip_zero_shot_catalog_example_2d() -> None:
    pt, inst, ans = solved(ZS, image=(0.6, 0.8), texts=((1, 0), (0, 1), (0.6, -0.8)), tau=0.1)
    assert ans["cosines"] == pytest.approx([0.6, 0.8, -0.28])
    assert ans["probs"] == pytest.approx([0.119201, 0.880781, 0.000018], abs=5e-7)
    assert ans["label"] == "class 2"
    assert right(pt, inst, cosines="[0.6, 0.8, -0.28]", probs="[0.119201, 0.880781, 0.000018]", label="class 2")
    # a logit scale of 1 (τ = 1)
    _, _, one = solved(ZS, image=(0.6, 0.8), texts=((1, 0), (0, 1), (0.6, -0.8)), tau=1.0)
    assert one["probs"] == pytest.approx([0.379336, 0.463322, 0.157342], abs=5e-7)
    # τ multiplied: logits 0.1·cos, almost uniform
    wrong = np.exp(0.1 * np.array([0.6, 0.8, -0.28]))
    assert mistake_named(pt, inst, "probs", (wrong / wrong.sum()).tolist()) == "tau_multiplied"


def test_clip_zero_shot_wrong_cosines_carried_into_probs_and_label_earn_the_ecf_credit() -> None:
    import math

    pt, inst, truth = solved(ZS, image=(0.6, 0.8), texts=((1, 0), (0, 1), (0.6, -0.8)), tau=0.1)
    # the first two cosines swapped: softmax([8, 6, −2.8]) and class 1 follow from them
    e = [math.exp(8), math.exp(6), math.exp(-2.8)]
    probs = [round(x / sum(e), 6) for x in e]
    assert probs == [0.880781, 0.119201, 0.000018]
    given = {"class_emb": "[[1, 0], [0, 1], [0.6, -0.8]]", "cosines": "[0.8, 0.6, -0.28]", "probs": str(probs),
             "label": "class 1"}
    r = {p.name: p for p in grade_answers(pt, truth, given, pt.mistakes(inst.params), params=inst.params).parts}
    assert r["class_emb"].verdict == "right" and r["cosines"].verdict == "partial"  # only -0.28 is right
    for part in ("probs", "label"):
        assert (r[part].verdict, r[part].score) == ("carried", 0.5), part
        assert r[part].feedback.startswith("follows from your cosines = [0.8, 0.6, -0.28]")
    # a label that follows from nothing the student wrote stays wrong
    r2 = grade_answers(pt, truth, {**given, "label": "class 3"}, params=inst.params)
    assert {p.name: p.verdict for p in r2.parts}["label"] == "wrong"


def test_clip_zero_shot_catalog_example_3d_is_class_2() -> None:
    """seed_002 E11 says class 1 for cosines [0.6, 0.8, 0.48]; the largest is the second."""
    texts = ((1, 0, 0), (0, 1, 0), (0, 0.6, 0.8))
    _, _, ans = solved(ZS, image=(0.6, 0.8, 0), texts=texts, tau=1.0)
    assert ans["cosines"] == pytest.approx([0.6, 0.8, 0.48])
    assert ans["probs"] == pytest.approx([0.321717, 0.392946, 0.285337], abs=5e-7)
    assert ans["label"] == "class 2"
    _, _, ten = solved(ZS, image=(0.6, 0.8, 0), texts=texts, tau=0.1, classes=("cat", "dog", "car"))
    assert ten["probs"] == pytest.approx([0.115071, 0.850270, 0.034659], abs=5e-7)
    assert ten["label"] == "dog"


def test_clip_zero_shot_ensemble_and_renormalisation() -> None:
    # class 1: prompts [1, 0, 0] and [0.8, 0.6, 0]: mean [0.9, 0.3, 0], renormalised [0.948683, 0.316228, 0]
    texts = ((1, 0, 0), (0.8, 0.6, 0), (0, 0, 1), (0, 0.6, 0.8))
    pt, inst, ans = solved(ZS, image=(0.6, 0.8, 0), texts=texts, tau=0.5, ensemble=2)
    assert ans["class_emb"][0] == pytest.approx([0.948683, 0.316228, 0], abs=5e-7)
    c1 = 0.6 * 0.948683 + 0.8 * 0.316228
    mean2 = np.array([0, 0.3, 0.9])
    c2 = float(np.array([0.6, 0.8, 0]) @ (mean2 / np.linalg.norm(mean2)))
    assert ans["cosines"] == pytest.approx([c1, c2], abs=1e-6)
    assert ans["label"] == "class 1"
    # the means left unnormalised: cosines [0.78, 0.24]
    assert mistake_named(pt, inst, "cosines", "[0.78, 0.24]") == "mean_not_renormalised"


def test_clip_zero_shot_raw_dot_products_are_named() -> None:
    pt, inst, ans = solved(ZS, image=(3, 4), texts=((2, 0), (0, 1)), tau=1.0)
    assert ans["cosines"] == pytest.approx([0.6, 0.8])
    assert mistake_named(pt, inst, "cosines", "[6, 4]") == "raw_dot_products"
    assert mistake_named(pt, inst, "label", "class 1") == "raw_dot_products"


def test_clip_zero_shot_unit_vectors_hide_the_raw_dot_mistake() -> None:
    pt, inst, _ = solved(ZS, image=(0.6, 0.8), texts=((1, 0), (0, 1)), tau=1.0)
    assert "raw_dot_products" not in pt.mistakes(inst.params)
    assert "tau_multiplied" not in pt.mistakes(inst.params)  # τ = 1: multiplying changes nothing


@pytest.mark.parametrize("sets, match", [
    (dict(image=(0, 0), texts=((1, 0), (0, 1))), "zero vector"),
    (dict(image=(1, 0, 0), texts=((1, 0), (0, 1))), "length"),
    (dict(image=(1, 0), texts=((1, 0),)), "at least 2 classes"),
    (dict(image=(1, 0), texts=((1, 0), (0, 1), (1, 1)), ensemble=2), "cannot be split"),
    (dict(image=(1, 0), texts=((1, 0), (0, 1)), classes=("a",)), "2 different names"),
    (dict(image=(1, 0), texts=((1, 0), (-1, 0), (0, 1), (0, 1)), ensemble=2), "cancel"),
])
def test_clip_zero_shot_refuses_bad_input(sets: dict, match: str) -> None:
    with pytest.raises(ParamError, match=match):
        make(ZS).from_params(dict(tau=1.0, **sets))


def test_clip_zero_shot_sampled_instances_have_a_clear_winner() -> None:
    pt = make(ZS)
    for d in seeding.DIFFICULTIES:
        for s in range(15):
            p = pt.generate(s, d).params
            cos = np.sort(pt.solve(p)["cosines"])
            assert cos[-1] - cos[-2] >= 0.05
            if d == "easy":
                assert np.allclose(np.linalg.norm(p.texts, axis=1), 1)
            if d == "hard":
                assert p.ensemble == 2 and p.classes is not None


# ---- clip_loss: I = [[1, 0], [0.6, 0.8]], T = [[0.8, 0.6], [0.28, 0.96]], τ = 0.2 -> 0.508657 ------------------

CL = "contrastive/clip_loss-v1"


def test_clip_loss_catalog_example_and_mistakes() -> None:
    pt, inst, ans = solved(CL, images=((1, 0), (0.6, 0.8)), texts=((0.8, 0.6), (0.28, 0.96)), tau=0.2)
    assert np.allclose(ans["S"], [[0.8, 0.28], [0.96, 0.936]])
    assert ans["loss_i2t"] == pytest.approx(0.413295, abs=5e-7)
    assert ans["loss_t2i"] == pytest.approx(0.604019, abs=5e-7)
    assert ans["loss"] == pytest.approx(0.508657, abs=5e-7)
    assert ans["negatives"] == 2
    assert right(pt, inst, loss_i2t="0.4133", loss_t2i="0.6040", loss="0.5087", negatives="2")
    assert mistake_named(pt, inst, "loss", "0.413295") == "image_to_text_only"
    assert mistake_named(pt, inst, "loss", "0.604019") == "text_to_image_only"
    assert mistake_named(pt, inst, "loss", "1.017314") == "half_dropped"
    assert mistake_named(pt, inst, "negatives", "1") == "negatives_n_minus_1"
    assert mistake_named(pt, inst, "negatives", "0") == "negatives_n_minus_n"
    # τ multiplied: logits 0.2·S
    lg = 0.2 * np.array([[0.8, 0.28], [0.96, 0.936]])
    i2t = np.mean(np.log(np.exp(lg).sum(1)) - np.diag(lg))
    t2i = np.mean(np.log(np.exp(lg).sum(0)) - np.diag(lg))
    assert mistake_named(pt, inst, "loss", (i2t + t2i) / 2) == "tau_multiplied"


@pytest.mark.parametrize("tau, i2t, t2i, loss", [(1.0, 0.831980, 0.835564, 0.833772),
                                                 (0.1, 0.637952, 0.640771, 0.639361)])
def test_clip_loss_seed_002_e12(tau: float, i2t: float, t2i: float, loss: float) -> None:
    pt, inst, ans = solved(CL, images=((1, 0, 0), (0, 1, 0), (0, 0.6, 0.8)),
                           texts=((0.8, 0.6, 0), (0, 0.8, 0.6), (0, 0, 1)), tau=tau)
    assert np.allclose(ans["S"], [[0.8, 0, 0], [0.6, 0.8, 0], [0.36, 0.96, 0.8]])
    assert (ans["loss_i2t"], ans["loss_t2i"], ans["loss"]) == pytest.approx((i2t, t2i, loss), abs=5e-7)
    assert ans["negatives"] == 6
    assert mistake_named(pt, inst, "negatives", "2") == "negatives_n_minus_1"


def test_clip_loss_seed_003_d2_normalises_the_texts() -> None:
    pt, inst, ans = solved(CL, images=((1, 0), (0.6, 0.8), (0, 1)), texts=((0.8, 0.6), (0.5, 0.5), (-0.2, 1)),
                           tau=0.07)
    assert ans["loss"] == pytest.approx(0.533501, abs=5e-7)
    raw = np.array([[1, 0], [0.6, 0.8], [0, 1]]) @ np.array([[0.8, 0.6], [0.5, 0.5], [-0.2, 1]]).T
    assert mistake_named(pt, inst, "S", raw.tolist()) == "not_normalised"


def test_clip_loss_torch_cross_entropy_on_a_drawn_batch() -> None:
    import torch
    import torch.nn.functional as F

    pt = make(CL)
    for s in range(10):
        p = pt.generate(s, "hard").params
        i = F.normalize(torch.tensor(p.images, dtype=torch.float64), dim=1)
        t = F.normalize(torch.tensor(p.texts, dtype=torch.float64), dim=1)
        lg = i @ t.T / p.tau
        y = torch.arange(len(lg))
        want = (F.cross_entropy(lg, y) + F.cross_entropy(lg.T, y)) / 2
        assert pt.solve(p)["loss"] == pytest.approx(float(want), rel=1e-12)


def test_clip_loss_refuses_unpaired_batches() -> None:
    with pytest.raises(ParamError, match="one text per image"):
        make(CL).from_params(dict(images=((1, 0), (0, 1)), texts=((1, 0),), tau=1.0))
    with pytest.raises(ParamError, match="at least 2 pairs"):
        make(CL).from_params(dict(images=((1, 0),), texts=((1, 0),), tau=1.0))


# ---- nt_xent: A1 = [1, 0], A2 = [0.8, 0.6], B1 = [0, 1], B2 = [−0.6, 0.8], τ = 0.5 -> 0.430190 ------------------

NT = "contrastive/nt_xent-v1"
ZJ1 = ((1, 0), (0.8, 0.6), (0, 1), (-0.6, 0.8))


def test_nt_xent_catalog_example() -> None:
    pt, inst, ans = solved(NT, Z=ZJ1, tau=0.5)
    assert ans["cos"][0] == pytest.approx([1, 0.8, 0, -0.6])
    assert ans["losses"] == pytest.approx([0.233257, 0.627123, 0.627123, 0.233257], abs=5e-7)
    assert ans["losses"][0] == pytest.approx(np.log(1 + np.exp(-1.6) + np.exp(-2.8)))
    assert ans["loss"] == pytest.approx(0.430190, abs=5e-7)
    assert ans["negatives"] == 2
    assert right(pt, inst, losses="[0.2333, 0.6271, 0.6271, 0.2333]", loss="0.4302", negatives="2")


def test_nt_xent_catalog_wrong_values_are_named() -> None:
    pt, inst, ans = solved(NT, Z=ZJ1, tau=0.5)
    wrong = pt.all_mistakes(inst.params)
    # the catalog's 1.013247 and 0.528229 are anchor 1's loss with its self-similarity kept and without τ
    assert wrong["self_similarity_kept"].answers["losses"][0] == pytest.approx(1.013247, abs=5e-7)
    assert wrong["tau_forgotten"].answers["losses"][0] == pytest.approx(0.528229, abs=5e-7)
    kept = wrong["self_similarity_kept"].answers["losses"]
    assert mistake_named(pt, inst, "losses", kept) == "self_similarity_kept"
    assert mistake_named(pt, inst, "losses", "[0.528229, 0.818925, 0.818925, 0.528229]") == "tau_forgotten"
    assert mistake_named(pt, inst, "loss", "0.673577") == "tau_forgotten"
    assert mistake_named(pt, inst, "negatives", "3") == "positive_counted_as_negative"
    # rows i and i + N paired: anchor 1's positive is B1 (cosine 0)
    assert wrong["wrong_positive"].answers["losses"][0] == pytest.approx(
        np.log(np.exp(1.6) + 1 + np.exp(-1.2)))


def test_nt_xent_dot_products_without_normalising() -> None:
    # A1 = [2, 0]: the catalog's 0.043500 is anchor 1's loss from raw dot products
    pt, inst, ans = solved(NT, Z=((2, 0), (0.8, 0.6), (0, 1), (-0.6, 0.8)), tau=0.5)
    assert ans["losses"][0] == pytest.approx(0.233257, abs=5e-7)
    raw = pt.all_mistakes(inst.params)["not_normalised"].answers
    assert raw["losses"][0] == pytest.approx(0.043500, abs=5e-7)
    assert mistake_named(pt, inst, "losses", raw["losses"]) == "not_normalised"


def test_nt_xent_refuses_an_odd_batch() -> None:
    with pytest.raises(ParamError, match="even number"):
        make(NT).from_params(dict(Z=((1, 0), (0, 1), (1, 1), (1, 2), (2, 1)), tau=0.5))


# ---- ema_teacher: θ = [1, 0], θ_s = [0, 1], m = 0.9 -> [0.9, 0.1], [0.81, 0.19], [0.729, 0.271] -----------------

EMA = "contrastive/ema_teacher-v1"


@pytest.mark.parametrize("steps, theta", [(1, [0.9, 0.1]), (2, [0.81, 0.19]), (3, [0.729, 0.271])])
def test_ema_teacher_catalog_example(steps: int, theta: list[float]) -> None:
    _, _, ans = solved(EMA, teacher=(1, 0), student=(0, 1), m=0.9, steps=steps)
    assert ans["theta"] == pytest.approx(theta)
    assert ans["init_weight"] == pytest.approx(0.9 ** steps)


def test_ema_teacher_mistakes_and_the_long_run() -> None:
    pt, inst, ans = solved(EMA, teacher=(1, 0), student=(0, 1), m=0.9, steps=3)
    assert right(pt, inst, theta="[0.729, 0.271]", init_weight="0.729")
    assert mistake_named(pt, inst, "theta", "[0.001, 0.999]") == "m_swapped"  # 0.1³ left on the teacher
    assert mistake_named(pt, inst, "theta", "[0.271, 0.729]") == "student_updated"
    assert mistake_named(pt, inst, "init_weight", "0.7") == "no_compounding"  # 1 − 3·0.1
    _, _, one = solved(EMA, teacher=(1, 0), student=(0, 1), m=0.9, steps=1)
    assert pt.mistakes(make(EMA).from_params(dict(teacher=(1, 0), student=(0, 1), m=0.9, steps=1)).params
                       )["m_swapped"].answers["theta"] == pytest.approx([0.1, 0.9])
    _, _, long = solved(EMA, teacher=(1, 0), student=(0, 1), m=0.999, steps=1000)
    assert long["init_weight"] == pytest.approx(0.367695, abs=5e-7)


def test_ema_teacher_agrees_with_a_torch_lerp_loop() -> None:
    import torch

    pt = make(EMA)
    for s in range(10):
        p = pt.generate(s, "medium").params
        t, st = torch.tensor(p.teacher, dtype=torch.float64), torch.tensor(p.student, dtype=torch.float64)
        for _ in range(p.steps):
            t = torch.lerp(t, st, 1 - p.m)
        assert pt.solve(p)["theta"] == pytest.approx(t.tolist(), rel=1e-12, abs=1e-12)


def test_ema_teacher_refuses_unequal_lengths() -> None:
    with pytest.raises(ParamError, match="same"):
        make(EMA).from_params(dict(teacher=(1, 0), student=(0, 1, 2), m=0.9, steps=2))


# ---- dino_loss: g_t = [2, 1, 0], c = [0.5, 0.3, 0.1], g_s = [1.5, 1.2, 0.3], τ_t = 0.5, τ_s = 1 -> 0.802040 ---------

DINO = "contrastive/dino_loss-v1"


def test_dino_loss_catalog_example_and_mistakes() -> None:
    pt, inst, ans = solved(DINO, g_t=((2, 1, 0),), g_s=((1.5, 1.2, 0.3),), c=(0.5, 0.3, 0.1), tau_t=0.5, tau_s=1.0)
    assert ans["P_t"][0] == pytest.approx([0.804726, 0.162471, 0.032802], abs=5e-7)
    assert ans["P_s"][0] == pytest.approx([0.489713, 0.362788, 0.147499], abs=5e-7)
    assert ans["loss"] == pytest.approx(0.802040, abs=5e-7)
    assert right(pt, inst, loss="0.8020", center="[0.65, 0.37, 0.09]")
    assert mistake_named(pt, inst, "loss", "0.768180") == "no_centering"
    pt_, ps_ = np.array(ans["P_t"][0]), np.array(ans["P_s"][0])
    assert mistake_named(pt, inst, "loss", float(-(ps_ * np.log(pt_)).sum())) == "arguments_swapped"
    # τ_s = 1: multiplying changes only the teacher's softmax
    assert "P_s" not in pt.mistakes(inst.params)["tau_multiplied"].answers


def test_dino_center_update_and_swapped_momentum() -> None:
    # batch mean [1.8, 0.9, 0.3] from [0.5, 0.5, 0.5] with m = 0.9
    pt, inst, ans = solved(DINO, g_t=((2, 1, 0), (1.6, 0.8, 0.6)), g_s=((1, 0, 0), (0, 1, 0)), c=(0.5, 0.5, 0.5),
                           tau_t=0.5, tau_s=1.0, m=0.9)
    assert ans["center"] == pytest.approx([0.63, 0.54, 0.48])
    assert mistake_named(pt, inst, "center", "[1.67, 0.86, 0.32]") == "momentum_swapped"


def test_dino_loss_agrees_with_torch_cross_entropy_on_soft_targets() -> None:
    import torch
    import torch.nn.functional as F

    pt = make(DINO)
    for s in range(10):
        p = pt.generate(s, "hard").params
        t = torch.softmax((torch.tensor(p.g_t) - torch.tensor(p.c)) / p.tau_t, dim=-1).double()
        want = F.cross_entropy(torch.tensor(p.g_s, dtype=torch.float64) / p.tau_s, t)
        assert pt.solve(p)["loss"] == pytest.approx(float(want), rel=1e-5)


def test_dino_loss_refuses_mismatched_logits() -> None:
    with pytest.raises(ParamError, match="one row per image"):
        make(DINO).from_params(dict(g_t=((1, 2, 3),), g_s=((1, 2, 3), (0, 1, 2)), c=(0, 0, 1), tau_t=0.5, tau_s=1.0))
    with pytest.raises(ParamError, match="3 logits"):
        make(DINO).from_params(dict(g_t=((1, 2),), g_s=((1, 2, 3),), c=(0, 0, 1), tau_t=0.5, tau_s=1.0))


# ---- coop_params: M = 16, d = 512 -> 8,192 (81,920 class-specific, K = 10); Meta-Net 33,312 ---------------------

COOP = "contrastive/coop_params-v1"


def test_coop_params_catalog_example() -> None:
    pt, inst, ans = solved(COOP, M=16, d=512, K=10)
    assert ans == {"coop": 8192, "meta_net": 33312, "cocoop": 8192 + 33312}
    _, _, cs = solved(COOP, M=16, d=512, K=10, class_specific=True)
    assert cs["coop"] == 81920 and cs["cocoop"] == 41504
    assert mistake_named(pt, inst, "meta_net", "32768") == "biases_forgotten"
    assert mistake_named(pt, inst, "cocoop", 81920 + 33312) == "cocoop_context_per_class"


def test_coop_meta_net_matches_torch_linear_layers() -> None:
    from torch import nn

    for d, r in ((768, 16), (1024, 32), (512, 8)):
        net = nn.Sequential(nn.Linear(d, d // r), nn.ReLU(), nn.Linear(d // r, d))
        _, _, ans = solved(COOP, M=4, d=d, K=3, r=r)
        assert ans["meta_net"] == sum(t.numel() for t in net.parameters())


def test_coop_params_refuses_a_fractional_hidden_width() -> None:
    with pytest.raises(ParamError, match="multiple"):
        make(COOP).from_params(dict(M=4, d=500, K=3))
