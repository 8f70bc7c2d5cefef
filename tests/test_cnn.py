"""The CNN family: the catalog's worked examples (with the catalog's corrected numbers), the named mistakes,
parameter validation, and solve against the torch references."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from examprep.checker import self_test
from examprep.errors import ParamError
from examprep.grader.score import grade_answers, grade_part
from examprep.registry import make
from examprep.seeding import DIFFICULTIES

ROOT = Path(__file__).resolve().parent.parent
CNN = ["cnn/conv_output_size-v1", "cnn/pool_output_size-v1", "cnn/transposed_conv_output_size-v1",
       "cnn/conv_param_count-v1", "cnn/receptive_field-v1", "cnn/shape_chain-v1", "cnn/conv2d_forward-v1"]


def solve(pid: str, **values: Any) -> dict[str, Any]:
    pt = make(pid)
    return pt.solve(pt.from_params(values).params)


def mistake_named(pid: str, values: dict[str, Any], answers: dict[str, Any]) -> set[str]:
    """The mistakes the grader names when ``answers`` are submitted for the instance with ``values``."""
    pt = make(pid)
    p = pt.from_params(values).params
    r = grade_answers(pt, pt.solve(p), answers, pt.mistakes(p))
    assert r.score < 1
    return {m for x in r.parts for m in x.mistakes}


def reference(pid: str, params: list[Any]) -> list[dict[str, Any]]:
    import importlib

    import torch

    pt = make(pid)
    mod, fn = pt.reference_entry.split(":")
    return getattr(importlib.import_module(mod), fn)(params, torch.device("cpu"))


# ---- every type: self-test and reference -------------------------------------------------------------------


@pytest.mark.parametrize("pid", CNN)
def test_self_test_many_instances(pid: str) -> None:
    pt = make(pid)
    insts = [pt.generate(s, d) for s in range(30) for d in DIFFICULTIES]
    assert self_test(pt, insts) == []


@pytest.mark.parametrize("pid", CNN)
def test_reference_agrees_with_solve(pid: str) -> None:
    pt = make(pid)
    ps = [pt.generate(s, d).params for s in range(40) for d in DIFFICULTIES]
    for p, ref in zip(ps, reference(pid, ps), strict=True):
        truth = pt.solve(p)
        for k, v in ref.items():
            assert np.array_equal(np.asarray(truth[k], dtype=float), np.asarray(v, dtype=float)), (p, k, truth[k], v)


# ---- conv_output_size (seed_003 A1, §2.1; seed_002 E1) ----------------------------------------------------


@pytest.mark.parametrize(("w", "k", "p", "s", "d", "out"), [
    (5, 3, 0, 1, 1, 3), (32, 3, 1, 1, 1, 32), (32, 5, 2, 2, 1, 16), (28, 5, 0, 1, 1, 24), (224, 7, 3, 2, 1, 112),
    (227, 11, 0, 4, 1, 55), (7, 3, 1, 2, 1, 4), (32, 3, 0, 2, 1, 15), (32, 3, 0, 1, 2, 28), (9, 3, 0, 2, 3, 2)])
def test_conv_output_size_catalog(w: int, k: int, p: int, s: int, d: int, out: int) -> None:
    got = solve("cnn/conv_output_size-v1", H=w, W=w, C_in=3, C_out=8, K=k, S=s, P=p, D=d)
    assert got == {"h_out": out, "w_out": out, "c_out": 8}
    assert reference("cnn/conv_output_size-v1", [make("cnn/conv_output_size-v1").from_params(
        dict(H=w, W=w, C_in=3, C_out=8, K=k, S=s, P=p, D=d)).params])[0]["h_out"] == out


@pytest.mark.parametrize(("w", "k", "p", "s", "sheet"), [(5, 3, 0, 1, 4), (32, 3, 1, 1, 29), (32, 5, 2, 2, 13),
                                                         (224, 7, 3, 2, 107)])
def test_conv_output_size_padding_subtracted_is_named(w: int, k: int, p: int, s: int, sheet: int) -> None:
    """seed_003 §2.1: the sheet's ⌊(W − 2P − (K − 1))/S⌋ + 1 gives these wrong values, also without padding."""
    vals = dict(H=w, W=w, C_in=1, C_out=1, K=k, S=s, P=p)
    assert "padding_subtracted" in mistake_named("cnn/conv_output_size-v1", vals, {"h_out": sheet, "w_out": sheet})


def test_conv_output_size_dilation_mistake() -> None:
    vals = dict(H=32, W=32, C_in=1, C_out=1, K=3, S=1, P=0, D=2)
    assert mistake_named("cnn/conv_output_size-v1", vals, {"h_out": 30}) == {"dilation_ignored"}


def test_cli_conv_output_size_notes_example() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    sets = [a for kv in ("H=5", "W=5", "K=3", "S=1", "P=0", "C_in=1", "C_out=1") for a in ("--set", kv)]
    cmd = [sys.executable, "-m", "examprep.cli"]
    r = subprocess.run([*cmd, "solve", "cnn/conv_output_size", *sets], capture_output=True, text=True, env=env)
    assert r.returncode == 0 and "Answer: 1 × 3 × 3" in r.stdout
    r = subprocess.run([*cmd, "check", "cnn/conv_output_size", *sets, "--answer", "h_out=4", "--json"],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 1
    assert json.loads(r.stdout)["parts"][0]["mistake"] == "padding_subtracted"


# ---- pool_output_size (seed_003 A2) ------------------------------------------------------------------------


@pytest.mark.parametrize(("w", "k", "s", "p", "ceil", "out"), [
    (32, 2, 2, 0, False, 16), (7, 3, 2, 0, False, 3), (7, 2, 2, 0, False, 3), (7, 2, 2, 0, True, 4),
    (112, 3, 2, 1, False, 56), (5, 2, 2, 1, True, 3), (6, 3, 2, 1, True, 4)])
def test_pool_output_size_catalog(w: int, k: int, s: int, p: int, ceil: bool, out: int) -> None:
    vals = dict(H=w, W=w, C=16, K=k, S=s, P=p, ceil_mode=ceil)
    assert solve("cnn/pool_output_size-v1", **vals) == {"h_out": out, "w_out": out, "c_out": 16}
    pt = make("cnn/pool_output_size-v1")
    assert reference("cnn/pool_output_size-v1", [pt.from_params(vals).params])[0]["h_out"] == out


def test_pool_stride_defaults_to_kernel() -> None:
    vals = dict(H=32, W=32, C=3, K=2)  # nn.MaxPool2d(2)
    assert solve("cnn/pool_output_size-v1", **vals)["h_out"] == 16
    assert mistake_named("cnn/pool_output_size-v1", vals, {"h_out": 31, "w_out": 31}) == {"stride_one"}


def test_pool_ceil_mode_last_window_rule() -> None:
    """5 + 2·1 − 2 = 5, ⌈5/2⌉ + 1 = 4, but the 4th window would start at 6 = H + P (in the padding): 3."""
    vals = dict(H=5, W=5, C=1, K=2, S=2, P=1, ceil_mode=True)
    assert mistake_named("cnn/pool_output_size-v1", vals, {"h_out": 4}) == {"ceil_without_rule"}
    assert mistake_named("cnn/pool_output_size-v1", dict(H=7, W=7, C=1, K=2, S=2), {"h_out": 4}) == {"ceil"}


def test_pool_validation() -> None:
    pt = make("cnn/pool_output_size-v1")
    with pytest.raises(ParamError, match="P=2 is too large"):
        pt.from_params(dict(H=8, W=8, C=1, K=3, S=2, P=2))
    with pytest.raises(ParamError, match="window K=5"):
        pt.from_params(dict(H=3, W=8, C=1, K=5))


# ---- transposed_conv_output_size ---------------------------------------------------------------------------


@pytest.mark.parametrize(("h", "k", "s", "p", "op", "d", "out"), [
    (4, 4, 2, 1, 0, 1, 8), (7, 3, 2, 1, 1, 1, 14), (2, 1, 2, 0, 1, 1, 4), (5, 3, 1, 0, 0, 1, 7),
    (4, 3, 1, 0, 1, 2, 9), (3, 5, 3, 2, 2, 1, 9)])
def test_transposed_conv_output_size(h: int, k: int, s: int, p: int, op: int, d: int, out: int) -> None:
    vals = dict(H=h, W=h, K=k, S=s, P=p, output_padding=op, D=d)
    assert solve("cnn/transposed_conv_output_size-v1", **vals) == {"h_out": out, "w_out": out}
    pt = make("cnn/transposed_conv_output_size-v1")
    assert reference("cnn/transposed_conv_output_size-v1", [pt.from_params(vals).params])[0]["h_out"] == out


def test_transposed_conv_mistakes_and_validation() -> None:
    vals = dict(H=4, W=4, K=4, S=2, P=1)
    assert mistake_named("cnn/transposed_conv_output_size-v1", vals, {"h_out": 12}) == {"padding_added"}
    assert mistake_named("cnn/transposed_conv_output_size-v1", vals, {"h_out": 10}) == {"stride_times_n"}
    pt = make("cnn/transposed_conv_output_size-v1")
    with pytest.raises(ParamError, match="output_padding=2 must be smaller"):
        pt.from_params(dict(H=4, W=4, K=3, S=2, output_padding=2))
    with pytest.raises(ParamError, match="output_padding=1 must be smaller"):
        pt.from_params(dict(H=4, W=4, K=3, S=1, output_padding=1))


# ---- conv_param_count (seed_003 A3, seed_004 C5/C7, seed_002 E4) -------------------------------------------


@pytest.mark.parametrize(("c_in", "c_out", "kh", "kw", "bias", "g", "w", "b"), [
    (3, 16, 3, 5, True, 1, 720, 16), (8, 16, 3, 3, True, 2, 576, 16), (3, 16, 3, 3, True, 1, 432, 16),
    (3, 96, 11, 11, True, 1, 34_848, 96), (96, 256, 5, 5, True, 1, 614_400, 256), (64, 32, 1, 1, False, 1, 2048, 0)])
def test_conv_param_count_catalog(c_in: int, c_out: int, kh: int, kw: int, bias: bool, g: int, w: int,
                                  b: int) -> None:
    vals = dict(C_in=c_in, C_out=c_out, Kh=kh, Kw=kw, bias=bias, groups=g)
    assert solve("cnn/conv_param_count-v1", **vals) == {"weights": w, "biases": b, "total": w + b}
    pt = make("cnn/conv_param_count-v1")
    assert reference("cnn/conv_param_count-v1", [pt.from_params(vals).params])[0]["total"] == w + b


def test_conv_param_count_mistakes_and_validation() -> None:
    vals = dict(C_in=3, C_out=16, Kh=3, Kw=3)  # seed_002 E4: 448; forgetting C_in 160; no bias 432
    assert mistake_named("cnn/conv_param_count-v1", vals, {"total": 160}) == {"no_c_in"}
    assert mistake_named("cnn/conv_param_count-v1", vals, {"total": 432}) == {"bias_forgotten"}
    with pytest.raises(ParamError, match="groups=3 must divide C_in=8"):
        make("cnn/conv_param_count-v1").from_params(dict(C_in=8, C_out=12, Kh=3, Kw=3, groups=3))


# ---- receptive_field (seed_004 C9, seed_000_001 C5, seed_002 E5) -------------------------------------------


@pytest.mark.parametrize(("layers", "rf", "jump"), [
    ([[3, 1, 1]] * 3, [3, 5, 7], [1, 1, 1]),  # VGG: three 3×3 = one 7×7
    ([[4, 2, 1]] * 3 + [[4, 1, 1]] * 2, [4, 10, 22, 46, 70], [2, 4, 8, 8, 8]),  # PatchGAN 70
    ([[3, 1, 1], [2, 2, 1], [3, 1, 1]], [3, 4, 8], [1, 2, 2]),  # conv3 → maxpool2/s2 → conv3 = 8
    ([[2, 1, 1], [2, 1, 2], [2, 1, 4], [2, 1, 8]], [2, 4, 8, 16], [1, 1, 1, 1]),  # TCN k=2
    ([[3, 1, 1], [3, 1, 2], [3, 1, 4]], [3, 7, 15], [1, 1, 1]),
    ([[3, 1, 1], [3, 1, 3]], [3, 9], [1, 1]), ([[3, 1, 3]], [7], [1])])
def test_receptive_field_catalog(layers: list[list[int]], rf: list[int], jump: list[int]) -> None:
    assert solve("cnn/receptive_field-v1", layers=layers) == {"rf": rf, "jump": jump}
    p = make("cnn/receptive_field-v1").from_params(dict(layers=layers)).params
    assert reference("cnn/receptive_field-v1", [p])[0] == {"rf": rf, "jump": jump}


def test_receptive_field_reference_mixed_batch() -> None:
    """One group holding a 1-layer stack and deep stacks with strides up to 4 and dilations up to 3: each stack's
    measured fields equal the closed form (no stack is cut short by another's sizes)."""
    from examprep.problems.cnn.receptive_field import trace

    rng = np.random.default_rng(11)
    stacks = [[[1, 1, 1]], [[7, 4, 3]] * 5, [[2, 4, 1]] * 5]
    stacks += [[[int(rng.integers(1, 8)), int(rng.integers(1, 5)), int(rng.integers(1, 4))]
                for _ in range(int(rng.integers(1, 6)))] for _ in range(300)]
    pt = make("cnn/receptive_field-v1")
    params = [pt.from_params(dict(layers=s)).params for s in stacks]
    for p, got in zip(params, reference("cnn/receptive_field-v1", params), strict=True):
        rf, jump = trace(p.layers)
        assert got == {"rf": list(rf), "jump": list(jump)}, p.layers


def test_receptive_field_mistakes() -> None:
    vgg = dict(layers=[[3, 1, 1]] * 3)
    assert mistake_named("cnn/receptive_field-v1", vgg, {"rf": [3, 6, 9]}) == {"sum_of_kernels"}
    assert mistake_named("cnn/receptive_field-v1", vgg, {"rf": [2, 4, 6]}) == {"no_initial_one"}
    strided = dict(layers=[[3, 1, 1], [2, 2, 1], [3, 1, 1]])
    assert mistake_named("cnn/receptive_field-v1", strided, {"rf": [3, 4, 6]}) == {"no_jump"}
    assert "no_jump" not in make("cnn/receptive_field-v1").mistakes(make("cnn/receptive_field-v1").from_params(
        vgg).params)
    pt = make("cnn/receptive_field-v1")
    self_test_insts = [pt.from_params(v) for v in (vgg, strided)]
    assert self_test(pt, self_test_insts) == []
    with pytest.raises(ParamError, match=r"\[kernel, stride, dilation\]"):
        pt.from_params(dict(layers=[[3, 1], [3, 1]]))


# ---- shape_chain (seed_003 A4, seed_004 C6/C7) --------------------------------------------------------------


def test_shape_chain_cifar_net() -> None:
    got = solve("cnn/shape_chain-v1", network="cifar")
    assert got["shapes"] == [[6, 28, 28], [6, 14, 14], [16, 10, 10], [16, 5, 5], [400, 1, 1], [120, 1, 1],
                             [84, 1, 1], [10, 1, 1]]
    assert got["flatten"] == 400
    assert [x for x in got["params"] if x] == [456, 2416, 48120, 10164, 850]
    assert got["total"] == 62_006


def test_shape_chain_cifar_variants() -> None:
    g = solve("cnn/shape_chain-v1", network="cifar", C=1, H=28, W=28)
    assert (g["flatten"], g["params"][0]) == (256, 156)
    assert solve("cnn/shape_chain-v1", network="cifar", C=3, H=64, W=64)["flatten"] == 2704


def test_shape_chain_alexnet() -> None:
    got = solve("cnn/shape_chain-v1", network="alexnet")
    spatial = [(c, h) for c, h, _ in got["shapes"][:10]]
    assert spatial == [(96, 55), (96, 27), (96, 27), (256, 27), (256, 13), (256, 13), (384, 13), (384, 13),
                       (256, 13), (256, 6)]
    assert got["flatten"] == 9216 and [r[0] for r in got["shapes"][11:]] == [4096, 4096, 1000]
    assert [x for x in got["params"] if x] == [34_944, 614_656, 885_120, 1_327_488, 884_992, 37_752_832,
                                               16_781_312, 4_097_000]
    assert got["total"] == 62_378_344


def test_shape_chain_revision_notes_sample() -> None:
    layers = [["conv", 16, 3, 1, 1], ["maxpool", 2, 2], ["conv", 32, 5, 1, 0], ["maxpool", 2, 2], ["flatten"],
              ["linear", 10]]
    got = solve("cnn/shape_chain-v1", network="custom", C=3, H=32, W=32, layers=layers)
    assert got["shapes"] == [[16, 32, 32], [16, 16, 16], [32, 12, 12], [32, 6, 6], [1152, 1, 1], [10, 1, 1]]
    assert got["params"] == [448, 0, 12832, 0, 0, 11530] and got["total"] == 24_810


def test_shape_chain_mistakes() -> None:
    cifar = dict(network="cifar")
    assert mistake_named("cnn/shape_chain-v1", cifar, {"flatten": 25}) == {"flatten_hw"}
    # 32 − 5 = 27 (no +1), then ⌊(27 − 2)/2⌋ = 12, 12 − 5 = 7, ⌊(7 − 2)/2⌋ = 2, flatten 16·2·2 = 64
    no_plus_one = [[6, 27, 27], [6, 12, 12], [16, 7, 7], [16, 2, 2], [64, 1, 1], [120, 1, 1], [84, 1, 1], [10, 1, 1]]
    assert mistake_named("cnn/shape_chain-v1", cifar, {"shapes": no_plus_one}) == {"no_plus_one"}
    assert mistake_named("cnn/shape_chain-v1", cifar, {"total": 61_792}) == {"no_linear_bias"}
    assert mistake_named("cnn/shape_chain-v1", dict(network="alexnet"),
                         {"flatten": 13 * 13 * 256}) == {"pool_forgotten"}


def test_shape_chain_validation() -> None:
    pt = make("cnn/shape_chain-v1")
    with pytest.raises(ParamError, match="network=custom needs layers"):
        pt.from_params(dict(network="custom", C=3, H=32, W=32))
    with pytest.raises(ParamError, match="linear layers after it"):
        pt.from_params(dict(network="custom", C=3, H=32, W=32, layers=[["linear", 10], ["flatten"]]))
    with pytest.raises(ParamError, match="larger than its input"):
        pt.from_params(dict(network="custom", C=3, H=4, W=4, layers=[["conv", 8, 5, 1, 0], ["flatten"]]))


def test_cli_shape_chain_cifar() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    r = subprocess.run([sys.executable, "-m", "examprep.cli", "solve", "cnn/shape_chain", "--set", "network=cifar",
                        "--format", "json"], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["answers"]["total"] == 62_006


# ---- conv2d_forward (seed_004 C2/C3, seed_002 E2/E3) --------------------------------------------------------

E2_X = [[1, 2, 0, 1], [0, 1, 3, 2], [2, 1, 0, 1], [1, 0, 2, 3]]


def test_conv2d_forward_slides_example() -> None:
    x = [[1, 0, 2, 1], [0, 1, -1, 0], [2, 1, 0, 1], [1, 0, 1, 2]]
    got = solve("cnn/conv2d_forward-v1", X=x, kernel=[[0, 1, 0], [1, -1, 1], [0, 1, 0]])
    assert got["pre_activation"] == [[-1, 4], [2, 2]]
    assert got["post_relu"] == got["output"] == [[0, 4], [2, 2]]


def test_conv2d_forward_wrong_pre_activation_carried_forward_earns_the_ecf_credit() -> None:
    """The slides' example with 2×2 pooling: exact pre-activation [[−1, 4], [2, 2]], ReLU [[0, 4], [2, 2]], output
    [[4]]. A slip in one entry (5 for 2) followed through ReLU and pooling earns the ECF credit downstream."""
    pt = make("cnn/conv2d_forward-v1")
    inst = pt.from_params(dict(X=[[1, 0, 2, 1], [0, 1, -1, 0], [2, 1, 0, 1], [1, 0, 1, 2]],
                               kernel=[[0, 1, 0], [1, -1, 1], [0, 1, 0]], pool=2))
    truth = pt.solve(inst.params)
    assert truth["output"] == [[4]]
    given = {"pre_activation": "[[-1, 4], [2, 5]]", "post_relu": "[[0, 4], [2, 5]]", "output": "[[5]]"}
    r = {p.name: p for p in grade_answers(pt, truth, given, params=inst.params).parts}
    assert r["pre_activation"].verdict == "partial" and r["pre_activation"].score == 0.75
    assert (r["post_relu"].verdict, r["post_relu"].score) == ("carried", 0.5)
    assert (r["output"].verdict, r["output"].score) == ("carried", 0.5)
    assert r["output"].feedback.startswith("follows from your post_relu = [[0, 4], [2, 5]]")
    # a ReLU that does not follow from the student's own pre-activation (the −1 kept) earns nothing extra
    kept = grade_answers(pt, truth, {**given, "post_relu": "[[-1, 4], [2, 5]]"}, params=inst.params).parts[1]
    assert kept.verdict != "carried" and kept.score < 1


def test_conv2d_forward_cross_correlation_not_convolution() -> None:
    vals = dict(X=E2_X, kernel=[[1, 2], [0, -1]], relu=False)
    assert solve("cnn/conv2d_forward-v1", **vals)["output"] == [[4, -1, 0], [1, 7, 6], [4, -1, -1]]
    flipped = [[0, 3, 8], [5, 1, -2], [0, 1, 7]]  # the notes' true convolution
    assert mistake_named("cnn/conv2d_forward-v1", vals, {"output": flipped}) == {"flipped_kernel"}


def test_conv2d_forward_stride_padding() -> None:
    vals = dict(X=E2_X, kernel=[[1, 0, -1]] * 3, S=2, P=1, relu=False)
    assert solve("cnn/conv2d_forward-v1", **vals)["output"] == [[-3, 0], [-2, -4]]
    wrong = solve("cnn/conv2d_forward-v1", **{**vals, "P": 0})["output"]
    assert mistake_named("cnn/conv2d_forward-v1", vals, {"output": wrong}) == {"no_padding"}


def test_conv2d_forward_pooling() -> None:
    p = [[1, 3, 2, 0], [4, -2, 1, 1], [0, 1, 5, 2], [2, 2, -1, 3]]  # seed_004 C3
    assert solve("cnn/conv2d_forward-v1", X=p, kernel=[[1]], relu=False, pool=2)["output"] == [[4, 2], [2, 5]]
    a = [[1, 3, 2, 1], [4, 6, 5, 0], [7, 2, 9, 8], [1, 0, 3, 4]]  # seed_002 E3
    vals = dict(X=a, kernel=[[1]], relu=False, pool=2)
    assert solve("cnn/conv2d_forward-v1", **vals)["output"] == [[6, 5], [7, 9]]
    assert mistake_named("cnn/conv2d_forward-v1", vals, {"output": [[3.5, 2], [2.5, 6]]}) == {"average_pool"}


def test_conv2d_forward_partial_credit_and_validation() -> None:
    pt = make("cnn/conv2d_forward-v1")
    r = grade_part(pt.part("output"), [[4, -1, 0], [1, 7, 6], [4, -1, -1]], "[[4, -1, 0], [1, 7, 6], [4, -1, 0]]")
    assert r.verdict == "partial" and abs(r.score - 8 / 9) < 1e-12
    with pytest.raises(ParamError, match="pool=3 is larger"):
        pt.from_params(dict(X=E2_X, kernel=[[1, 2], [0, -1]], pool=3, S=2))
    with pytest.raises(ParamError, match="whole numbers"):
        pt.from_params(dict(X=[[0.5, 1], [1, 1]], kernel=[[1]]))


def test_conv2d_forward_reference_mixed_batch() -> None:
    """One call with inputs from 1×1 to 12×12 (non-square too), kernels from 1×1 to 4×3, strides 1–3, padding 0–2,
    pools 0, 2 and 3, ReLU on and off: the shared canvas and padded kernels change no answer."""
    pt = make("cnn/conv2d_forward-v1")
    rng = np.random.default_rng(7)
    params = []
    while len(params) < 300:
        h, w = int(rng.integers(1, 13)), int(rng.integers(1, 13))
        kh, kw = int(rng.integers(1, 5)), int(rng.integers(1, 4))
        vals = dict(X=rng.integers(-9, 10, size=(h, w)).tolist(), kernel=rng.integers(-3, 4, size=(kh, kw)).tolist(),
                    bias=int(rng.integers(-5, 6)), S=int(rng.integers(1, 4)), P=int(rng.integers(0, 3)),
                    relu=bool(rng.integers(2)), pool=int(rng.choice([0, 0, 2, 3])))
        try:
            params.append(pt.from_params(vals).params)
        except ParamError:
            continue
    assert len({(len(p.X), len(p.X[0]), len(p.kernel), len(p.kernel[0]), p.S, p.P, p.pool) for p in params}) > 100
    for p, ref in zip(params, reference("cnn/conv2d_forward-v1", params), strict=True):
        truth = pt.solve(p)
        assert set(ref) == set(truth)
        for k, v in truth.items():
            assert np.array_equal(np.asarray(v, dtype=float), np.asarray(ref[k], dtype=float)), (p.to_json(), k)


def test_receptive_field_reference_large_kernels_use_float64() -> None:
    """Twelve layers of K = 64 (Π K = 2^72, beyond float32's exact integers): still the closed form."""
    from examprep.problems.cnn.receptive_field import trace

    pt = make("cnn/receptive_field-v1")
    for layers in ([[64, 1, 1]] * 12, [[64, 2, 1]] * 3 + [[3, 1, 2]] * 2, [[2, 2, 1]] * 12):
        p = pt.from_params(dict(layers=layers)).params
        rf, jump = trace(p.layers)
        assert reference("cnn/receptive_field-v1", [p])[0] == {"rf": list(rf), "jump": list(jump)}


def test_receptive_field_takes_wavenet_dilations_up_to_512() -> None:
    """A WaveNet stack (kernel 2, dilations 1, 2, …, 512) is accepted and measured; kernels and strides stay ≤ 64."""
    from examprep.errors import ParamError
    from examprep.verify import reference_disagreements

    pt = make("cnn/receptive_field")
    p = pt.from_params(dict(layers=tuple((2, 1, 2**i) for i in range(10)))).params
    assert pt.solve(p)["rf"][-1] == 1024
    assert reference_disagreements(pt, [p]) == []
    with pytest.raises(ParamError, match="kernel and stride"):
        pt.from_params(dict(layers=((65, 1, 1),)))
