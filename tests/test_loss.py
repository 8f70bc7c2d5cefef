"""Loss types: catalog worked examples (corrected values), the wrong values graded as their named mistakes,
validation, sampling and the torch references."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from family_helpers import mistake_named, right, solved
from scipy.special import softmax as sp_softmax
from sklearn.metrics import log_loss, mean_absolute_error, mean_squared_error

from examprep import seeding
from examprep.checker import self_test
from examprep.errors import ParamError
from examprep.registry import make
from examprep.verify import resolve_device, verify_type

IDS = ["loss/softmax_ce-v1", "loss/bce-v1", "loss/regression-v1", "loss/ce_gradient-v1", "loss/ce_vs_se-v1",
       "loss/logistic_regression-v1"]


def statement_text(pt: Any, inst: Any) -> str:
    return " ".join(s for s in pt.statement(inst.params) if isinstance(s, str))


# ---- references and self-tests ----------------------------------------------------------------------------------

@pytest.mark.parametrize("pid", IDS)
def test_reference_agrees(pid: str) -> None:
    dev, _ = resolve_device("cpu")
    r = verify_type(make(pid), 600, dev, batch=256, self_test=False)
    assert r.disagreements == 0, r.examples
    assert r.max_error < 1e-9


@pytest.mark.parametrize("pid", IDS)
def test_self_test_each_difficulty(pid: str) -> None:
    pt = make(pid)
    insts = [pt.generate(s, d) for s in range(12) for d in seeding.DIFFICULTIES]
    assert self_test(pt, insts) == []


# the parameters drawn on the difficulty's grid (integers at easy, one decimal at medium, two at hard), and the
# fewest decimals allowed (a probability cannot be an integer)
GRIDDED = {"loss/softmax_ce-v1": (("z", "W", "h", "b"), 0), "loss/bce-v1": (("p",), 1),
           "loss/regression-v1": (("y", "y_hat"), 0), "loss/ce_gradient-v1": (("z", "W", "h"), 0),
           "loss/ce_vs_se-v1": (("z",), 0), "loss/logistic_regression-v1": (("X", "w", "b"), 0)}


@pytest.mark.parametrize("pid", sorted(GRIDDED))
def test_numbers_are_hand_sized(pid: str) -> None:
    keys, least = GRIDDED[pid]
    pt = make(pid)
    for s in range(10):
        for diff, dp in (("easy", 0), ("medium", 1), ("hard", 2)):
            params = pt.generate(s, diff).params.to_json()
            scale = 10 ** max(dp, least)
            nums = [float(x) for k in keys if params.get(k) is not None for x in np.ravel(params[k])]
            assert all(abs(x * scale - round(x * scale)) < 1e-9 for x in nums), (diff, params)


# ---- softmax_ce (seed_004 A10, seed_002 A1 and D4, seed_003 B7) -------------------------------------------------

def test_softmax_ce_catalog_example_and_mistakes() -> None:
    pt, inst, ans = solved("loss/softmax_ce-v1", z=(2, 1, 0.1), target=0)
    assert ans["probs"] == pytest.approx(sp_softmax([2, 1, 0.1]))
    assert ans["probs"] == pytest.approx([0.659001, 0.242433, 0.098566], abs=5e-7)
    assert ans["loss"] == pytest.approx(0.417030, abs=5e-7)
    assert list(ans["pred"]) == [0]
    assert right(pt, inst, probs="[0.6590, 0.2424, 0.0986]", loss="0.4170", pred="0")
    assert mistake_named(pt, inst, "loss", 0.601647) == "log2"
    assert mistake_named(pt, inst, "probs", [0.645161, 0.322581, 0.032258]) == "logits_normalised"
    assert mistake_named(pt, inst, "loss", -0.417030) == "minus_lost"
    twice = sp_softmax(sp_softmax([2, 1, 0.1]))
    assert mistake_named(pt, inst, "probs", twice.tolist()) == "softmax_twice"
    assert mistake_named(pt, inst, "loss", -math.log(twice[0])) == "softmax_twice"
    assert mistake_named(pt, inst, "pred", 1) == "classes_from_1"
    assert self_test(pt, [inst]) == []
    text = statement_text(pt, inst)
    for convention in ("numbered from 0", r"\ln", "natural log"):
        assert convention in text


def test_softmax_ce_wrong_class_mistakes() -> None:
    pt, inst, ans = solved("loss/softmax_ce-v1", z=(2, 1, 0.1), target=1)
    assert ans["loss"] == pytest.approx(1.417030, abs=5e-7)  # seed_000 B7
    assert mistake_named(pt, inst, "loss", 0.417030) == "predicted_class"
    pt, inst, ans = solved("loss/softmax_ce-v1", z=(2, 1, 0.1), target=2)
    # classes counted from 1: "class 2" read as the second logit
    assert mistake_named(pt, inst, "loss", 1.417030) == "classes_from_1"


def test_softmax_ce_lm_head_seed_003_b7() -> None:
    W = ((2, 0), (0, 1), (1, 1), (-1, 2))  # noqa: N806
    pt, inst, ans = solved("loss/softmax_ce-v1", W=W, h=(1, -0.5), target=2)
    assert ans["logits"] == pytest.approx([2, -0.5, 0.5, -2])
    assert ans["probs"] == pytest.approx([0.755555, 0.062020, 0.168587, 0.013838], abs=5e-7)
    assert ans["loss"] == pytest.approx(1.780303, abs=5e-7)
    assert list(ans["pred"]) == [0]
    assert mistake_named(pt, inst, "loss", -math.log(0.755555)) == "predicted_class"
    assert self_test(pt, [inst]) == []
    assert "nn.Linear" in statement_text(pt, inst)


def test_softmax_ce_label_smoothing_seed_002_d4() -> None:
    pt, inst, ans = solved("loss/softmax_ce-v1", z=(2, 1, 0.1), target=0, smoothing=0.1)
    assert ans["target_dist"] == pytest.approx([0.933333, 0.033333, 0.033333], abs=5e-7)
    assert ans["loss"] == pytest.approx(0.513697, abs=5e-7)
    assert mistake_named(pt, inst, "loss", 0.562030) == "smoothing_k_minus_1"
    assert mistake_named(pt, inst, "target_dist", [0.9, 0.05, 0.05]) == "smoothing_k_minus_1"
    assert self_test(pt, [inst]) == []


def test_softmax_ce_batch_is_the_mean() -> None:
    z = ((2, 1, 0.1), (0.5, -1, 2))
    pt, inst, ans = solved("loss/softmax_ce-v1", z=z, target=(0, 2))
    p = sp_softmax(np.array(z), axis=1)
    assert ans["probs"] == pytest.approx(p)
    assert ans["loss"] == pytest.approx(-(math.log(p[0, 0]) + math.log(p[1, 2])) / 2)
    assert list(ans["pred"]) == [0, 2]
    assert self_test(pt, [inst]) == []


@pytest.mark.parametrize("params, match", [
    ({"z": (1, 2), "W": ((1, 0), (0, 1)), "h": (1, 1), "target": 0}, "not both"),
    ({"z": (1, 2, 3), "target": 3}, "numbered 0 to 2"),
    ({"z": ((1, 2), (3, 4)), "target": 0}, "list of 2"),
    ({"W": ((1, 0), (0, 1)), "h": (1, 1, 1), "target": 0}, "h needs 2"),
    ({"z": ((1, 2), (3,)), "target": (0, 0)}, "same length"),
])
def test_softmax_ce_validation(params: dict, match: str) -> None:
    with pytest.raises(ParamError, match=match):
        make("loss/softmax_ce-v1").from_params(params)


def test_softmax_ce_set_from_the_command_line() -> None:
    pt = make("loss/softmax_ce-v1")
    inst = pt.instance(sets=["z=[[2,1,0.1],[0,1,0]]", "target=[0,1]"])
    assert pt.solve(inst.params)["probs"].shape == (2, 3)


# ---- bce (seed_002 A1, seed_004 A6) -----------------------------------------------------------------------------

@pytest.mark.parametrize("y, want", [(1, 0.223144), (0, 1.609438)])
def test_bce_single_example_seed_002_a1(y: int, want: float) -> None:
    pt, inst, ans = solved("loss/bce-v1", p=(0.8,), y=(y,))
    assert ans["loss"] == pytest.approx(want, abs=5e-7)
    assert self_test(pt, [inst]) == []


def test_bce_sum_corrected_catalog_value_and_mistakes() -> None:
    pt, inst, ans = solved("loss/bce-v1", p=(0.9, 0.2, 0.6), y=(1, 0, 1), reduction="sum")
    assert ans["loss"] == pytest.approx(0.839330, abs=5e-7)  # the catalog's 0.83929 is a slip
    assert ans["loss"] == pytest.approx(log_loss([1, 0, 1], [0.9, 0.2, 0.6], normalize=False))
    assert right(pt, inst, loss="0.8393", terms="[0.1054, 0.2231, 0.5108]")
    # labels swapped: -ln 0.1 - ln 0.2 - ln 0.4
    assert mistake_named(pt, inst, "loss", -(math.log(0.1) + math.log(0.2) + math.log(0.4))) == "labels_swapped"
    # 1 - p for the y = 1 examples: -ln 0.1 - ln 0.8 - ln 0.4
    assert mistake_named(pt, inst, "loss", -(math.log(0.1) + math.log(0.8) + math.log(0.4))) == "one_minus_p_for_y1"
    assert mistake_named(pt, inst, "loss", -0.839330) == "sign_lost"
    assert mistake_named(pt, inst, "loss", 0.839330 / math.log(10)) == "log10"
    assert mistake_named(pt, inst, "loss", 0.839330 / 3) == "wrong_reduction"
    assert self_test(pt, [inst]) == []
    assert "natural log" in statement_text(pt, inst)


def test_bce_mean_matches_sklearn() -> None:
    p, y = (0.35, 0.8, 0.05, 0.6), (0, 1, 0, 0)
    _, _, ans = solved("loss/bce-v1", p=p, y=y)
    assert ans["loss"] == pytest.approx(log_loss(y, p))


@pytest.mark.parametrize("params, match", [
    ({"p": (0.5, 1.0), "y": (1, 0)}, "strictly between"),
    ({"p": (0.5, 0.2), "y": (1,)}, "one label per probability"),
    ({"p": (0.5,), "y": (2,)}, "y="),
])
def test_bce_validation(params: dict, match: str) -> None:
    with pytest.raises(ParamError, match=match):
        make("loss/bce-v1").from_params(params)


# ---- regression (seed_002 A2) -----------------------------------------------------------------------------------

A2 = dict(y=(3, -0.5, 2, 7), y_hat=(2.5, 0, 2, 3))


def test_regression_seed_002_a2_and_mistakes() -> None:
    pt, inst, ans = solved("loss/regression-v1", **A2, delta=1.0)
    assert list(ans["residuals"]) == [0.5, -0.5, 0, 4]
    assert ans["mse"] == pytest.approx(4.125)
    assert ans["mse"] == pytest.approx(mean_squared_error(A2["y"], A2["y_hat"]))
    assert ans["mae"] == pytest.approx(1.25)
    assert ans["mae"] == pytest.approx(mean_absolute_error(A2["y"], A2["y_hat"]))
    assert ans["huber"] == pytest.approx(0.9375)
    assert right(pt, inst, mse="4.125", mae="1.25", huber="0.9375", residuals="[0.5, -0.5, 0, 4]")
    # the 1/2 dropped: (0.25 + 0.25 + 0 + 3.5)/4; the -δ²/2 dropped: (0.125 + 0.125 + 0 + 4)/4
    assert mistake_named(pt, inst, "huber", 1.0) == "huber_half_dropped"
    assert mistake_named(pt, inst, "huber", 1.0625) == "huber_offset_dropped"
    assert mistake_named(pt, inst, "mse", 16.5) == "sums_not_means"
    assert mistake_named(pt, inst, "huber", 3.75) == "sums_not_means"
    assert self_test(pt, [inst]) == []
    assert "mean" in statement_text(pt, inst)


def test_regression_wrong_residuals_carried_forward_earn_the_ecf_credit() -> None:
    from examprep.grader.score import grade_answers

    pt, inst, truth = solved("loss/regression-v1", **A2, delta=1.0)
    # r = [0.5, -0.5, 0, 3] (the last is 4): MSE (0.25 + 0.25 + 0 + 9)/4, MAE (0.5 + 0.5 + 0 + 3)/4, and Huber
    # with δ = 1: (0.125 + 0.125 + 0 + (3 − 0.5))/4
    given = {"residuals": "[0.5, -0.5, 0, 3]", "mse": "2.375", "mae": "1", "huber": "0.6875"}
    r = {p.name: p for p in grade_answers(pt, truth, given, params=inst.params).parts}
    assert r["residuals"].verdict != "right"
    for name in ("mse", "mae", "huber"):
        assert (r[name].verdict, r[name].score) == ("carried", 0.5), name
        assert r[name].feedback.startswith("follows from your residuals = [0.5, -0.5, 0, 3]")
    # a mean that follows from nothing the student wrote stays wrong
    r2 = grade_answers(pt, truth, {**given, "mse": "2.5"}, params=inst.params)
    assert {p.name: p.verdict for p in r2.parts}["mse"] == "wrong"


def test_regression_huber_delta_2_and_smooth_l1() -> None:
    pt, inst, ans = solved("loss/regression-v1", **A2, delta=2.0)
    assert ans["huber"] == pytest.approx(1.5625)
    assert mistake_named(pt, inst, "huber", 0.78125) == "smooth_l1_for_huber"  # smooth_l1_loss(beta=2)
    assert self_test(pt, [inst]) == []


def test_regression_validation() -> None:
    with pytest.raises(ParamError, match="one prediction per target"):
        make("loss/regression-v1").from_params({"y": (1, 2), "y_hat": (1,)})
    with pytest.raises(ParamError, match="delta"):
        make("loss/regression-v1").from_params({"y": (1, 2), "y_hat": (1, 0), "delta": 0})


# ---- ce_gradient (seed_000_001 B7) ------------------------------------------------------------------------------

def test_ce_gradient_logits_seed_000_b7() -> None:
    pt, inst, ans = solved("loss/ce_gradient-v1", z=(2, 1, 0.1), target=1)
    assert ans["loss"] == pytest.approx(1.417030, abs=5e-7)
    assert ans["grad_z"] == pytest.approx([0.659001, -0.757567, 0.098566], abs=5e-7)
    assert mistake_named(pt, inst, "grad_z", [-0.659001, 0.757567, -0.098566]) == "q_minus_p"
    assert mistake_named(pt, inst, "loss", 2.044342) == "log2"
    assert self_test(pt, [inst]) == []


W_U = ((1, 0.5), (0, -1), (0.5, 0.5))


def test_ce_gradient_lm_head_step_seed_000_b7() -> None:
    import torch

    pt, inst, ans = solved("loss/ce_gradient-v1", W=W_U, h=(1, -1), target=1, eta=0.5)
    assert ans["loss"] == pytest.approx(0.680270, abs=5e-7)
    want = np.array([[0.307196, -0.307196], [-0.493520, 0.493520], [0.186324, -0.186324]])
    assert ans["grad_W"] == pytest.approx(want, abs=5e-7)
    assert ans["loss_new"] == pytest.approx(0.377573, abs=5e-7)
    # an independent check of the step: torch autograd and SGD
    W = torch.tensor(W_U, dtype=torch.float64, requires_grad=True)  # noqa: N806
    h = torch.tensor([1.0, -1.0], dtype=torch.float64)
    torch.nn.functional.cross_entropy((W @ h)[None], torch.tensor([1])).backward()
    torch.optim.SGD([W], lr=0.5).step()
    assert ans["W_new"] == pytest.approx(W.detach().numpy())
    assert right(pt, inst, loss_new="0.3776", loss="0.6803")
    assert mistake_named(pt, inst, "grad_W", [0.307196, -0.493520, 0.186324]) == "outer_product_missing"
    up = np.array(W_U) + 0.5 * ans["grad_W"]
    assert mistake_named(pt, inst, "W_new", up.tolist()) == "ascent"
    assert mistake_named(pt, inst, "grad_W", (-want).tolist()) == "q_minus_p"
    assert self_test(pt, [inst]) == []
    text = statement_text(pt, inst)
    assert "numbered from 0" in text and r"out $\times$ in" in text and "natural log" in text


@pytest.mark.parametrize("params, match", [
    ({"z": (1, 2, 3), "target": 3}, "numbered 0 to 2"),
    ({"z": (1, 2, 3), "target": 0, "eta": 0.1}, "go with W"),
    ({"W": ((1, 0), (0, 1)), "h": (1,), "target": 0}, "h needs 2"),
])
def test_ce_gradient_validation(params: dict, match: str) -> None:
    with pytest.raises(ParamError, match=match):
        make("loss/ce_gradient-v1").from_params(params)


# ---- ce_vs_se (seed_004 A7) -------------------------------------------------------------------------------------

def test_ce_vs_se_seed_004_a7_and_mistakes() -> None:
    pt, inst, ans = solved("loss/ce_vs_se-v1", z=-4, y=1)
    assert ans["f"] == pytest.approx(0.017986, abs=5e-7)
    assert ans["grad_ce"] == pytest.approx(-0.982014, abs=5e-7)
    assert ans["grad_se"] == pytest.approx(-0.034690, abs=5e-7)
    assert ans["ratio"] == pytest.approx(0.982014 / 0.034690, rel=1e-4)
    assert mistake_named(pt, inst, "grad_se", -1.964028) == "sigma_prime_dropped"
    assert mistake_named(pt, inst, "grad_ce", 0.982014) == "sign"
    assert mistake_named(pt, inst, "grad_se", 0.034690) == "sign"
    assert mistake_named(pt, inst, "ratio", 0.034690 / 0.982014) == "ratio_inverted"
    assert self_test(pt, [inst]) == []
    assert "natural log" in statement_text(pt, inst)


# ---- logistic_regression (seed_004 A6) --------------------------------------------------------------------------

A6 = dict(X=((1, 2), (2, 0), (0, 1)), y=(1, 0, 1), w=(0.5, -0.5), b=0, eta=0.1)


def test_logistic_regression_seed_004_a6_and_mistakes() -> None:
    pt, inst, ans = solved("loss/logistic_regression-v1", **A6)
    assert ans["f"] == pytest.approx([0.37754, 0.73106, 0.37754], abs=5e-6)
    assert ans["nll"] == pytest.approx(3.26142, abs=5e-6)
    assert ans["nll"] == pytest.approx(log_loss(A6["y"], ans["f"], normalize=False))
    assert ans["likelihood"] == pytest.approx(math.exp(-ans["nll"]))
    assert ans["grad_w"] == pytest.approx([0.83966, -1.86738], abs=5e-6)
    assert ans["grad_b"] == pytest.approx(-0.51386, abs=5e-6)
    assert ans["w_new"] == pytest.approx([0.41603, -0.31326], abs=5e-6)
    assert ans["b_new"] == pytest.approx(0.05139, abs=5e-6)
    assert right(pt, inst, nll="3.261", grad_w="[0.8397, -1.867]", grad_b="-0.5139")
    assert mistake_named(pt, inst, "nll", -3.26142) == "signs_lost"  # the slide's line 360
    assert mistake_named(pt, inst, "grad_w", [-0.83966, 1.86738]) == "yhat_minus_f"
    assert mistake_named(pt, inst, "nll", 3.26142 / math.log(10)) == "log10"
    assert mistake_named(pt, inst, "nll", 3.26142 / 3) == "mean_for_sum"
    assert self_test(pt, [inst]) == []
    text = statement_text(pt, inst)
    assert "not a mean" in text and "1 = class 1" in text


def test_logistic_regression_validation() -> None:
    with pytest.raises(ParamError, match="one label per point"):
        make("loss/logistic_regression-v1").from_params({**A6, "y": (1, 0)})
