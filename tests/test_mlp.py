"""MLP types: catalog worked examples (corrected values), the wrong values graded as their named mistakes,
validation, sampling and the torch references."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from family_helpers import mistake_named, right, solved
from scipy.special import expit
from scipy.special import softmax as sp_softmax
from scipy.stats import norm

from examprep import seeding
from examprep.checker import self_test
from examprep.errors import ParamError
from examprep.registry import make
from examprep.verify import resolve_device, verify_type

IDS = ["mlp/forward-v1", "mlp/perceptron-v1", "mlp/activations-v1", "mlp/param_count-v1", "mlp/backprop-v1",
       "mlp/finite_difference-v1", "mlp/sigmoid_chain-v1", "mlp/pla_trace-v1"]


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


# the parameters drawn on the difficulty's grid (integers at easy, one decimal at medium, two at hard)
GRIDDED = {"mlp/forward-v1": ("x", "W1", "b1", "W2", "b2"), "mlp/perceptron-v1": ("w", "threshold", "X"),
           "mlp/activations-v1": ("z",), "mlp/backprop-v1": ("x", "W1", "b1", "W2", "b2"),
           "mlp/finite_difference-v1": ("coeffs", "w"), "mlp/sigmoid_chain-v1": ("a0", "w"),
           "mlp/pla_trace-v1": ("X",)}


@pytest.mark.parametrize("pid", sorted(GRIDDED))
def test_numbers_are_hand_sized(pid: str) -> None:
    pt = make(pid)
    for s in range(10):
        for diff, dp in (("easy", 0), ("medium", 1), ("hard", 2)):
            params = pt.generate(s, diff).params.to_json()
            nums = [float(x) for k in GRIDDED[pid] if params.get(k) is not None for x in np.ravel(params[k])]
            assert all(abs(x * 10 ** dp - round(x * 10 ** dp)) < 1e-9 for x in nums), (diff, params)


# ---- forward (seed_002 A4, A6; seed_004 A4; seed_000_001 A2, B5) ------------------------------------------------

A4 = dict(x=(1, -1), W1=((0.5, -0.2), (0.3, 0.8)), b1=(0.1, -0.1), W2=((1, -1), (0.5, 0.5)), b2=(0, 0.2),
          out="softmax")


def test_forward_seed_002_a4_and_mistakes() -> None:
    pt, inst, ans = solved("mlp/forward-v1", **A4)
    assert ans["z1"] == pytest.approx([0.8, -0.6])
    assert ans["h"] == pytest.approx([0.8, 0])
    assert ans["z2"] == pytest.approx([0.8, 0.6])
    assert ans["output"] == pytest.approx([0.549834, 0.450166], abs=5e-7)
    assert list(ans["class"]) == [0]
    assert right(pt, inst, z1="[0.8, -0.6]", h="[0.8, 0]", z2="[0.8, 0.6]", output="[0.5498, 0.4502]", **{"class": "0"})
    assert mistake_named(pt, inst, "output", [0.750260, 0.249740]) == "no_hidden_activation"
    assert mistake_named(pt, inst, "output", [0.598688, 0.401312]) == "transposed"
    # no biases: z1 = [0.7, -0.5], h = [0.7, 0], z2 = [0.7, 0.35]
    assert mistake_named(pt, inst, "output", sp_softmax([0.7, 0.35]).tolist()) == "bias_dropped"
    assert self_test(pt, [inst]) == []
    text = statement_text(pt, inst)
    for convention in (r"(out $\times$ in)", "nn.Linear", "numbered from 0"):
        assert convention in text


def test_forward_relu_on_the_logits() -> None:
    pt, inst, ans = solved("mlp/forward-v1", **{**A4, "b2": (0, -1)})
    assert ans["z2"] == pytest.approx([0.8, -0.6])
    assert mistake_named(pt, inst, "output", sp_softmax([0.8, 0]).tolist()) == "activation_on_logits"


def test_forward_mean_field_seed_000_a2() -> None:
    pt, inst, ans = solved("mlp/forward-v1", x=(2, 1), W1=((1, 0), (0, 1), (1, 1)), b1=(0, -1, -0.5),
                           W2=((2, -1, 3),), mean_field=True)
    assert ans["z1"] == pytest.approx([2, 0, 2.5])
    assert ans["z2"] == pytest.approx([3.833333], abs=5e-7)
    assert mistake_named(pt, inst, "z2", [11.5]) == "mean_field_n_forgotten"
    assert self_test(pt, [inst]) == []
    assert "1}{n}" in statement_text(pt, inst)


def test_forward_sigmoid_output_seed_000_a2() -> None:
    pt, inst, ans = solved("mlp/forward-v1", x=(1, 2), W1=((1, -1), (0.5, 0.5)), b1=(0, -1), W2=((2, 1),),
                           b2=(0.5,), out="sigmoid")
    assert ans["z1"] == pytest.approx([-1, 0.5])
    assert ans["z2"] == pytest.approx([1])
    assert ans["output"] == pytest.approx([0.731059], abs=5e-7)
    assert mistake_named(pt, inst, "output", [0.268941]) == "no_hidden_activation"
    assert mistake_named(pt, inst, "output", [0.989013]) == "transposed"


B5 = dict(x=(1, -1), W1=((1, 0), (0, 1), (1, 1), (1, -1)), b1=(0, 0, 0.5, -1), W2=((1, 0, 1, 0), (0, 1, 0, -1)),
          b2=(0, 0.1), act="gelu")


def test_forward_gelu_ffn_seed_000_b5() -> None:
    pt, inst, ans = solved("mlp/forward-v1", **B5)
    assert ans["z1"] == pytest.approx([1, -1, 0.5, 1])
    assert ans["h"] == pytest.approx([0.841345, -0.158655, 0.345731, 0.841345], abs=5e-7)
    assert ans["z2"] == pytest.approx([1.187076, -0.9], abs=5e-7)
    assert mistake_named(pt, inst, "z2", [1.5, -0.9]) == "relu_for_gelu"  # the F0:100 ReLU
    phi = norm.cdf([1, -1, 0.5, 1])
    assert mistake_named(pt, inst, "z2", [phi[0] + phi[2], phi[1] - phi[3] + 0.1]) == "gelu_as_phi"
    assert self_test(pt, [inst]) == []
    _, _, approx = solved("mlp/forward-v1", **{**B5, "act": "gelu_tanh"})
    assert approx["z2"] == pytest.approx([1.186906, -0.9], abs=5e-7)


def test_forward_xor_points_seed_002_a6() -> None:
    xs = ((0, 0), (0, 1), (1, 0), (1, 1))
    pt, inst, ans = solved("mlp/forward-v1", x=xs, W1=((1, 1), (1, 1)), b1=(0, -1), W2=((1, -2),), b2=(0,))
    assert ans["h"] == pytest.approx(np.array([[0, 0], [1, 0], [1, 0], [2, 1]]))
    assert ans["z2"] == pytest.approx(np.array([[0], [1], [1], [0]]))  # XOR
    assert self_test(pt, [inst]) == []


def test_forward_sigmoid_hidden_layer_seed_004_a4() -> None:
    W1, b1, x = np.array([[1, -2], [2, 1]]), np.array([0, -1]), np.array([1, 2])  # noqa: N806
    pt, inst, ans = solved("mlp/forward-v1", x=(1, 2), W1=((1, -2), (2, 1)), b1=(0, -1), act="sigmoid",
                           W2=((1, 1),), b2=(0,))
    assert ans["h"] == pytest.approx(expit(W1 @ x + b1))
    # Wᵀ reverses the w_ij index convention
    assert mistake_named(pt, inst, "z1", (W1.T @ x + b1).tolist()) == "transposed"


@pytest.mark.parametrize("params, match", [
    ({**A4, "x": (1, 2, 3)}, "x needs 2"),
    ({**A4, "b1": (1, 2, 3)}, "b1 has 3"),
    ({**A4, "W2": ((1, 2, 3),)}, "needs 2"),
    ({**A4, "W2": ((1, 2),), "b2": (0,)}, "at least 2 outputs"),
])
def test_forward_validation(params: dict, match: str) -> None:
    with pytest.raises(ParamError, match=match):
        make("mlp/forward-v1").from_params(params)


# ---- perceptron (seed_004 A1) -----------------------------------------------------------------------------------

def test_perceptron_scores_labels_and_mistakes() -> None:
    w, thr, X = (1, 1), 2, ((1, 1), (3, 0), (0, 0), (2, 2.5))  # noqa: N806
    pt, inst, ans = solved("mlp/perceptron-v1", w=w, threshold=thr, X=X)
    want = np.asarray(X) @ np.asarray(w) - thr  # the catalog's reference: np.sign(X @ w - thr)
    assert ans["scores"] == pytest.approx(want)
    assert list(ans["labels"]) == [-1, 1, -1, 1]  # the score 0 of point 1 is -1
    assert list(np.where(np.sign(want) > 0, 1, -1)) == list(ans["labels"])
    assert list(ans["w_aug"]) == [-2, 1, 1]
    assert right(pt, inst, scores="[0, 1, -2, 2.5]", labels="[-1, 1, -1, 1]", w_aug="[-2, 1, 1]")
    assert mistake_named(pt, inst, "scores", (want + 2 * thr).tolist()) == "threshold_added"
    assert mistake_named(pt, inst, "w_aug", [2, 1, 1]) == "w0_plus_threshold"
    assert mistake_named(pt, inst, "labels", [1, 1, -1, 1]) == "zero_labelled_plus"
    assert self_test(pt, [inst]) == []
    assert "> 0" in statement_text(pt, inst) and "x_0 = 1" in statement_text(pt, inst)


def test_perceptron_decimal_score_zero_is_exact() -> None:
    # 0.1·0.2 + 0.2·0.4 − 0.1 is 0 exactly on the shown decimals (float arithmetic gives 1.4e-17)
    pt, inst, ans = solved("mlp/perceptron-v1", w=(0.1, 0.2), threshold=0.1, X=((0.2, 0.4), (1, 1)))
    assert list(ans["labels"]) == [-1, 1]


def test_perceptron_validation() -> None:
    with pytest.raises(ParamError, match="needs 2 coordinates"):
        make("mlp/perceptron-v1").from_params({"w": (1, 2), "threshold": 0, "X": ((1, 2, 3),)})


# ---- activations (seed_002 A3, seed_004 B13) --------------------------------------------------------------------

Z = (-2, -0.5, 0, 1.5)


@pytest.mark.parametrize("act, alpha, value, derivative", [
    ("sigmoid", None, [0.119203, 0.377541, 0.5, 0.817574], [0.104994, 0.235004, 0.25, 0.149146]),
    ("tanh", None, [-0.964028, -0.462117, 0, 0.905148], [0.070651, 0.786448, 1, 0.180707]),
    ("relu", None, [0, 0, 0, 1.5], [0, 0, 0, 1]),  # ReLU'(0) = 0, as autograd
    ("leaky_relu", None, [-0.02, -0.005, 0, 1.5], [0.01, 0.01, 0.01, 1]),  # leaky'(0) = alpha
    ("leaky_relu", 0.25, [-0.5, -0.125, 0, 1.5], [0.25, 0.25, 0.25, 1]),  # PReLU(0.25)
    ("elu", None, [-0.864665, -0.393469, 0, 1.5], [0.135335, 0.606531, 1, 1]),  # ELU'(0) = alpha = 1
    ("swish", None, [-0.238406, -0.188770, 0, 1.226362], [-0.090784, 0.260039, 0.5, 1.041294]),
])
def test_activations_seed_002_a3(act: str, alpha: float | None, value: list, derivative: list) -> None:
    pt, inst, ans = solved("mlp/activations-v1", z=Z, act=act, alpha=alpha)
    assert ans["value"] == pytest.approx(value, abs=5e-7)
    assert ans["derivative"] == pytest.approx(derivative, abs=5e-7)
    assert self_test(pt, [inst]) == []
    assert "left-hand" in statement_text(pt, inst)


def test_activations_tanh_derivative_from_the_rounded_value_is_right() -> None:
    from examprep.grader.score import grade_answers

    pt, inst, truth = solved("mlp/activations-v1", z=(-3, 0, 2.1), act="tanh")
    assert truth["derivative"] == pytest.approx([0.0098660, 1, 0.0582230], abs=5e-7)  # 1 − tanh²(z)
    # tanh to 4 d.p. is [−0.9951, 0, 0.9705]; 1 − 0.9951² = 0.0098 and 1 − 0.9705² = 0.0581 (exact: 0.0099, 0.0582)
    given = {"value": "[-0.9951, 0, 0.9705]", "derivative": "[0.0098, 1, 0.0581]"}
    r = grade_answers(pt, truth, given, params=inst.params).parts
    assert [p.verdict for p in r] == ["right", "right"]
    assert r[1].feedback == "follows from your value = [-0.9951, 0, 0.9705]"
    assert grade_answers(pt, truth, {**given, "derivative": "[0.0099, 1, 0.0582]"}, params=inst.params).score == 1
    # without the values there is nothing to follow
    assert grade_answers(pt, truth, {"derivative": "[0.0098, 1, 0.0581]"}, params=inst.params).parts[0].verdict \
        != "right"


def test_activations_named_mistakes() -> None:
    pt, inst, _ = solved("mlp/activations-v1", z=Z, act="sigmoid")
    assert mistake_named(pt, inst, "derivative", [0.119203, 0.377541, 0.5, 0.817574]) == "sigmoid_derivative_as_sigma"
    s = expit(Z)
    assert mistake_named(pt, inst, "derivative", (expit(s) * (1 - expit(s))).tolist()) == "derivative_at_output"
    pt, inst, _ = solved("mlp/activations-v1", z=Z, act="tanh")
    t = np.tanh(Z)
    assert mistake_named(pt, inst, "derivative", (1 - t).tolist()) == "tanh_derivative_not_squared"
    assert mistake_named(pt, inst, "value", np.tan(Z).tolist()) == "tan_for_tanh"  # the notes' tan(wz)
    pt, inst, _ = solved("mlp/activations-v1", z=Z, act="leaky_relu", alpha=0.1)
    assert mistake_named(pt, inst, "value", [0.2, 0.05, 0, 1.5]) == "alpha_sign"


def test_activations_gelu_seed_004_b13() -> None:
    _, _, ans = solved("mlp/activations-v1", z=(-1, 0.5, 1), act="gelu")
    assert ans["value"] == pytest.approx([-0.158655, 0.345731, 0.841345], abs=5e-7)
    assert ans["value"] == pytest.approx(np.array([-1, 0.5, 1]) * norm.cdf([-1, 0.5, 1]))
    assert ans["derivative"] == pytest.approx(norm.cdf([-1, 0.5, 1]) + np.array([-1, 0.5, 1]) * norm.pdf([-1, 0.5, 1]))
    _, _, ans = solved("mlp/activations-v1", z=(-1, 0.5, 1), act="gelu_tanh")
    assert ans["value"] == pytest.approx([-0.158808, 0.345714, 0.841192], abs=5e-7)


def test_activations_swish_beta() -> None:
    _, _, ans = solved("mlp/activations-v1", z=(-1, 0.5, 2), act="swish", beta=2.0)
    z = np.array([-1, 0.5, 2])
    assert ans["value"] == pytest.approx(z * expit(2 * z))


@pytest.mark.parametrize("params, match", [
    ({"z": (1, 2, 3), "act": "sigmoid", "alpha": 0.1}, "alpha goes with"),
    ({"z": (1, 2, 3), "act": "relu", "beta": 2.0}, "beta goes with"),
    ({"z": (1, 2, 3), "act": "softplus"}, "act="),
])
def test_activations_validation(params: dict, match: str) -> None:
    with pytest.raises(ParamError, match=match):
        make("mlp/activations-v1").from_params(params)


# ---- param_count (seed_002 A5, seed_004 A5, seed_000_001 A2) ----------------------------------------------------

def _torch_count(widths: tuple[int, ...], bias: bool = True) -> int:
    import torch

    net = torch.nn.Sequential(*[torch.nn.Linear(a, b, bias=bias) for a, b in zip(widths[:-1], widths[1:], strict=True)])
    return sum(p.numel() for p in net.parameters())


def test_param_count_seed_002_a5_and_mistakes() -> None:
    pt, inst, ans = solved("mlp/param_count-v1", widths=(784, 128, 64, 10))
    assert ans["total"] == 109386 == _torch_count((784, 128, 64, 10))
    assert (ans["weights"], ans["biases"], ans["layers"]) == (109184, 202, 3)
    assert mistake_named(pt, inst, "total", 109184) == "biases_left_out"
    assert mistake_named(pt, inst, "layers", 4) == "input_layer_counted"
    assert mistake_named(pt, inst, "total", 109386 + 784) == "input_layer_counted"
    assert mistake_named(pt, inst, "biases", 784 + 128 + 64) == "biases_of_previous_layer"
    assert self_test(pt, [inst]) == []
    assert "not counted" in statement_text(pt, inst)


def test_param_count_seed_004_a5() -> None:
    _, _, ans = solved("mlp/param_count-v1", widths=(784, 500, 500, 10))
    assert ans["total"] == 648010 == _torch_count((784, 500, 500, 10))
    _, _, ans = solved("mlp/param_count-v1", widths=(784, 500, 500, 10), bias=False)
    assert ans["total"] == 392000 + 250000 + 5000 == _torch_count((784, 500, 500, 10), bias=False)


def test_param_count_barron_width_seed_000_a2() -> None:
    pt, inst, ans = solved("mlp/param_count-v1", widths=(2, 100, 1), err=0.05, target_err=0.01)
    assert ans["width_needed"] == 2500  # exact: 100·5² (floats give 2500.0000000000005)
    assert mistake_named(pt, inst, "width_needed", 500) == "ratio_not_squared"
    assert self_test(pt, [inst]) == []
    _, _, ans = solved("mlp/param_count-v1", widths=(2, 100, 1), err=0.05, target_err=0.025)
    assert ans["width_needed"] == 400  # halving the error needs 4 times the units
    _, _, ans = solved("mlp/param_count-v1", widths=(2, 10, 1), err=0.1, target_err=0.03)
    assert ans["width_needed"] == math.ceil(10 * (10 / 3) ** 2)  # 111.1 rounded up to 112


@pytest.mark.parametrize("params, match", [
    ({"widths": (5,)}, "at least 2"),
    ({"widths": (2, 3, 1), "err": 0.1}, "both"),
    ({"widths": (2, 3, 3, 1), "err": 0.1, "target_err": 0.05}, "one hidden layer"),
])
def test_param_count_validation(params: dict, match: str) -> None:
    with pytest.raises(ParamError, match=match):
        make("mlp/param_count-v1").from_params(params)


# ---- backprop (seed_004 A9, seed_002 B2) ------------------------------------------------------------------------

B2 = dict(x=(1, 0.5), W1=((0.2, -0.4), (0.7, 0.1)), b1=(0, 0), W2=((0.6, -0.3),), b2=0.1, y=1, objective="half_se")


def test_backprop_half_se_seed_002_b2_and_mistakes() -> None:
    pt, inst, ans = solved("mlp/backprop-v1", **B2)
    assert ans["a1"] == pytest.approx([0.5, 0.679179], abs=5e-7)
    assert ans["f"] == pytest.approx(0.548905, abs=5e-7)
    assert ans["loss"] == pytest.approx(0.101743, abs=5e-7)
    assert ans["delta2"] == pytest.approx(-0.111695, abs=5e-7)
    assert ans["dL_da1"] == pytest.approx([-0.067017, 0.033508], abs=5e-7)
    assert ans["delta1"] == pytest.approx([-0.016754, 0.007301], abs=5e-7)
    assert ans["dW1"] == pytest.approx(np.array([[-0.016754, -0.008377], [0.007301, 0.003651]]), abs=5e-7)
    assert ans["dW2"] == pytest.approx(np.array([[-0.055847, -0.075861]]), abs=5e-7)
    assert right(pt, inst, delta2="-0.1117", dW2="[[-0.05585, -0.07586]]", delta1="[-0.01675, 0.007301]")
    # sigma' as sigma(a)(1 - sigma(a)): 0.232076 for 0.247608
    assert mistake_named(pt, inst, "delta2", -0.104688) == "sigma_prime_of_activation"
    assert mistake_named(pt, inst, "delta2", 2 * -0.111695) == "half_dropped"
    f, a1 = 0.548905, np.array([0.5, 0.679179])
    wrong = np.array([0.6, -0.3]) * (f - 1) * a1 * (1 - a1)  # the hidden unit's sigma' in the middle factor
    assert mistake_named(pt, inst, "dL_da1", wrong.tolist()) == "middle_factor_wrong_layer"
    assert self_test(pt, [inst]) == []


A9 = dict(x=(1, -1), W1=((1, -2), (-1, 1)), b1=(1, 0), W2=((2, -1),), b2=0, y=1, objective="bce")


def test_backprop_bce_seed_004_a9_and_mistakes() -> None:
    import torch

    pt, inst, ans = solved("mlp/backprop-v1", **A9)
    assert ans["a1"] == pytest.approx([0.98201, 0.11920], abs=5e-6)
    assert ans["f"] == pytest.approx(0.86352, abs=5e-6)
    assert ans["loss"] == pytest.approx(0.146740, abs=5e-7)
    assert ans["delta2"] == pytest.approx(-0.13648, abs=5e-6)
    assert ans["dW2"] == pytest.approx(np.array([[-0.13403, -0.01627]]), abs=5e-6)
    assert ans["delta1"] == pytest.approx([-0.00482, 0.01433], abs=5e-6)
    assert ans["dW1"] == pytest.approx(np.array([[-0.00482, 0.00482], [0.01433, -0.01433]]), abs=5e-6)
    # an independent check: autograd on the same net
    W1 = torch.tensor(A9["W1"], dtype=torch.float64, requires_grad=True)  # noqa: N806
    x = torch.tensor(A9["x"], dtype=torch.float64)
    f = torch.sigmoid(torch.tensor([2.0, -1.0], dtype=torch.float64) @ torch.sigmoid(W1 @ x + torch.tensor([1.0, 0])))
    torch.nn.functional.binary_cross_entropy(f, torch.tensor(1.0, dtype=torch.float64)).backward()
    assert ans["dW1"] == pytest.approx(W1.grad.numpy())
    fv = ans["f"]
    assert mistake_named(pt, inst, "delta2", (fv - 1) * fv * (1 - fv)) == "extra_sigma_prime_bce"
    assert mistake_named(pt, inst, "dW1", ans["dW1"].T.tolist()) == "outer_transposed"
    assert self_test(pt, [inst]) == []
    assert "natural log" in statement_text(pt, inst)


def test_backprop_wrong_output_carried_forward_earns_the_ecf_credit() -> None:
    from examprep.grader.score import grade_answers

    pt, inst, truth = solved("mlp/backprop-v1", **A9)
    # f = 0.8 is wrong (0.8635); with y = 1: L = −ln 0.8 = 0.2231, δ2 = f − y = −0.2, ∂L/∂W2 = δ2·a1ᵀ
    given = {"a1": "[0.9820, 0.1192]", "f": "0.8000", "loss": "0.2231", "delta2": "-0.2000",
             "dW2": "[[-0.1964, -0.02384]]", "db2": "-0.2000"}
    r = {p.name: p for p in grade_answers(pt, truth, given, params=inst.params).parts}
    assert (r["a1"].verdict, r["f"].verdict) == ("right", "wrong")
    for name in ("loss", "delta2", "dW2", "db2"):
        assert (r[name].verdict, r[name].score) == ("carried", 0.5), name
    assert r["dW2"].feedback.startswith("follows from your delta2 = -0.2000")
    # a δ2 that follows from nothing the student wrote stays wrong
    r2 = grade_answers(pt, truth, {**given, "delta2": "-0.3000"}, params=inst.params)
    assert {p.name: p.verdict for p in r2.parts}["delta2"] == "wrong"


@pytest.mark.parametrize("params, match", [
    ({**A9, "W2": ((1, 2, 3),)}, "W2 must be 1×2"),
    ({**A9, "x": (1, 2, 3)}, "x must be 2"),
    ({**A9, "y": 2}, "between 0 and 1"),
])
def test_backprop_validation(params: dict, match: str) -> None:
    with pytest.raises(ParamError, match=match):
        make("mlp/backprop-v1").from_params(params)


# ---- finite_difference (seed_002 B3) ----------------------------------------------------------------------------

def test_finite_difference_seed_002_b3_and_mistakes() -> None:
    pt, inst, ans = solved("mlp/finite_difference-v1", coeffs=(0, 0, 0, 1), w=2, h=0.1, n_weights=10 ** 6)
    assert ans["forward"] == pytest.approx(12.61)
    assert ans["central"] == pytest.approx(12.01)
    assert ans["exact"] == 12
    assert (ans["passes_forward"], ans["passes_central"]) == (1_000_001, 2_000_000)
    assert mistake_named(pt, inst, "central", 24.02) == "central_over_h"
    assert mistake_named(pt, inst, "passes_central", 10 ** 6) == "n_passes"
    assert mistake_named(pt, inst, "passes_forward", 10 ** 6) == "n_passes"
    assert self_test(pt, [inst]) == []


def test_finite_difference_errors_shrink_as_h_and_h_squared() -> None:
    # f = e-free polynomial 1 - 2w + 0.5w^4 at w = 1: the forward error is O(h), the central error O(h^2)
    errs = {}
    for h in (0.1, 0.01):
        _, _, a = solved("mlp/finite_difference-v1", coeffs=(1, -2, 0, 0, 0.5), w=1, h=h)
        errs[h] = (abs(a["forward"] - a["exact"]), abs(a["central"] - a["exact"]))
    assert errs[0.1][0] / errs[0.01][0] == pytest.approx(10, rel=0.2)
    assert errs[0.1][1] / errs[0.01][1] == pytest.approx(100, rel=0.05)


def test_finite_difference_validation() -> None:
    with pytest.raises(ParamError, match="degree k ≤ 4"):
        make("mlp/finite_difference-v1").from_params({"coeffs": (1, 2, 3, 4, 5, 6), "w": 1})


# ---- sigmoid_chain (seed_002 B4) --------------------------------------------------------------------------------

def test_sigmoid_chain_seed_002_b4_and_mistakes() -> None:
    pt, inst, ans = solved("mlp/sigmoid_chain-v1", a0=0, w=(1, 1, 1, 1, 1))
    assert ans["grad"] == pytest.approx(6.763392e-4, abs=5e-11)
    assert ans["bound"] == pytest.approx(9.765625e-4)
    assert ans["derivs"][0] == 0.25
    assert right(pt, inst, grad="6.763e-4", bound="9.766e-4")
    a = [0.0]
    for _ in range(5):
        a.append(float(expit(a[-1])))
    assert mistake_named(pt, inst, "grad", float(np.prod(a[1:]))) == "activations_multiplied"
    # sigma'(0) taken as 0.5: the first factor doubles, and the bound becomes 0.5^5
    assert mistake_named(pt, inst, "grad", 2 * 6.763392e-4) == "sigma_prime_zero_half"
    assert mistake_named(pt, inst, "bound", 0.5 ** 5) == "sigma_prime_zero_half"
    assert self_test(pt, [inst]) == []


def test_sigmoid_chain_weights_and_tanh() -> None:
    import torch

    pt, inst, ans = solved("mlp/sigmoid_chain-v1", a0=0.5, w=(2, -1, 0.5), act="tanh")
    a0 = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    out = a0
    for w in (2, -1, 0.5):
        out = torch.tanh(w * out)
    out.backward()
    assert ans["grad"] == pytest.approx(a0.grad.item())
    assert ans["bound"] == pytest.approx(1.0)  # tanh' <= 1 and |2·(−1)·0.5| = 1
    assert mistake_named(pt, inst, "grad", float(np.prod(ans["derivs"]))) == "w_dropped"
    assert self_test(pt, [inst]) == []


def test_sigmoid_chain_validation() -> None:
    with pytest.raises(ParamError, match="nonzero"):
        make("mlp/sigmoid_chain-v1").from_params({"a0": 1, "w": (1, 0, 1)})


# ---- pla_trace (seed_004 A2) ------------------------------------------------------------------------------------

A2_X, A2_Y = ((2, 1), (0, -1), (-1, 1), (1, -2)), (1, -1, -1, 1)


def _sklearn_final(X: Any, y: Any, bias: bool = True) -> list[float]:  # noqa: N803
    from sklearn.linear_model import Perceptron

    clf = Perceptron(eta0=1.0, shuffle=False, tol=None, penalty=None, max_iter=100, fit_intercept=bias)
    clf.fit(np.asarray(X, dtype=float), np.asarray(y))
    coef = clf.coef_[0].tolist()
    return ([float(clf.intercept_[0])] if bias else []) + coef


def _hand_pla(X: Any, y: Any, with_y: bool) -> list[list[int]]:  # noqa: N803
    """PLA written out plainly (cyclic), for the x-without-y check."""
    pts = [[1, *x] for x in X]
    w, ups, clean, i = [0, 0, 0], [], 0, 0
    while clean < len(pts) and len(ups) < 50:
        if y[i] * sum(a * b for a, b in zip(w, pts[i], strict=True)) <= 0:
            w = [a + (y[i] if with_y else 1) * b for a, b in zip(w, pts[i], strict=True)]
            ups.append(w)
            clean = 0
        else:
            clean += 1
        i = (i + 1) % len(pts)
    return ups


def test_pla_trace_seed_004_a2_and_mistakes() -> None:
    pt, inst, ans = solved("mlp/pla_trace-v1", X=A2_X, y=A2_Y)
    assert ans["updates"].tolist() == [[1, 2, 1], [0, 2, 2], [-1, 3, 1], [0, 4, -1], [-1, 4, 0]]
    assert ans["w_final"].tolist() == [-1, 4, 0] == _sklearn_final(A2_X, A2_Y)
    assert ans["n_updates"] == 5
    assert right(pt, inst, w_final="[-1, 4, 0]", n_updates="5")
    assert mistake_named(pt, inst, "n_updates", 0) == "zero_counted_right"  # w = 0 scores every point 0
    assert mistake_named(pt, inst, "w_final", [0, 0, 0]) == "zero_counted_right"
    assert mistake_named(pt, inst, "w_final", _sklearn_final(A2_X, A2_Y, bias=False)) == "no_bias"
    without_y = _hand_pla(A2_X, A2_Y, with_y=False)
    assert len(without_y) == 50  # adding x for a y = -1 point never fixes it: the mistaken run does not stop
    assert without_y[0] == [1, 2, 1] and without_y[1] == [2, 2, 0]  # point 2 added, not subtracted
    assert mistake_named(pt, inst, "updates", without_y[:5]) == "x_without_y"
    assert mistake_named(pt, inst, "w_final", without_y[4]) == "x_without_y"
    assert self_test(pt, [inst]) == []
    text = statement_text(pt, inst)
    assert r"\le 0" in text and "w = 0" in text


def test_pla_trace_cyclic_final_w_matches_sklearn() -> None:
    pt = make("mlp/pla_trace-v1")
    checked = 0
    for s in range(40):
        p = pt.generate(s, "medium").params
        if p.order == "cyclic":
            assert pt.solve(p)["w_final"].tolist() == _sklearn_final(p.X, p.y), p
            checked += 1
    assert checked >= 30


def test_pla_trace_restart_order() -> None:
    _, _, cyc = solved("mlp/pla_trace-v1", X=A2_X, y=A2_Y)
    _, _, rst = solved("mlp/pla_trace-v1", X=A2_X, y=A2_Y, order="restart")
    # restart order: point 1 (update), point 1 right, point 2 (update), 1, 2 right, 3 (update), ...
    assert rst["updates"][:2].tolist() == [[1, 2, 1], [0, 2, 2]]
    assert all(y * (np.array([1, *x]) @ rst["w_final"]) > 0 for x, y in zip(A2_X, A2_Y, strict=True))
    assert cyc["w_final"].tolist() == [-1, 4, 0]


@pytest.mark.parametrize("params, match", [
    ({"X": ((0, 0), (1, 1), (2, 2)), "y": (1, -1, 1)}, "not linearly separable"),
    ({"X": A2_X, "y": (1, -1, 0, 1)}, r"\+1 or"),
    ({"X": A2_X, "y": (1, -1)}, "one label per point"),
    ({"X": ((1, 2, 3), (1, 1, 1), (0, 0, 1)), "y": (1, -1, 1)}, "2 coordinates"),
])
def test_pla_trace_validation(params: dict, match: str) -> None:
    with pytest.raises(ParamError, match=match):
        make("mlp/pla_trace-v1").from_params(params)
