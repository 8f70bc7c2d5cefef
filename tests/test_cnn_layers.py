"""CNN layer and block types of issue 23: the catalog's worked examples, wrong values graded as named mistakes,
validation, and the batched references on mixed batches."""

from __future__ import annotations

import pytest
from family_helpers import mistake_named, right, solved, wrong

from examprep import seeding
from examprep.checker import self_test
from examprep.errors import ParamError
from examprep.registry import make
from examprep.verify import reference_disagreements, resolve_device, verify_type

IDS = ["cnn/pooling_values-v1", "cnn/unpooling-v1", "cnn/residual_block-v1", "cnn/resnet_params-v1",
       "cnn/densenet_block-v1", "cnn/inception_module-v1", "cnn/fc_lc_conv_params-v1", "cnn/conv_param_count-v2"]


@pytest.mark.parametrize("pid", IDS)
def test_reference_agrees(pid: str) -> None:
    r = verify_type(make(pid), 1200, resolve_device("cpu")[0], batch=300, self_test=False)
    assert r.disagreements == 0, r.examples


@pytest.mark.parametrize("pid", IDS)
def test_self_test_every_difficulty(pid: str) -> None:
    pt = make(pid)
    assert self_test(pt, [pt.generate(s, d) for s in range(10) for d in seeding.DIFFICULTIES]) == []


@pytest.mark.parametrize("pid", IDS)
def test_reference_on_a_mixed_batch(pid: str) -> None:
    pt = make(pid)
    assert reference_disagreements(pt, [pt.generate(s, d).params for s in range(15)
                                        for d in seeding.DIFFICULTIES]) == []


# ---- pooling (seed_004 C3) ----------------------------------------------------------------------------------------

P = ((1, 3, 2, 0), (4, -2, 1, 1), (0, 1, 5, 2), (2, 2, -1, 3))


def test_pooling_catalog_example() -> None:
    pt, inst, ans = solved("cnn/pooling_values-v1", X=P, K=2, features=(1, 2, 2, 4), group=2)
    assert ans["max"] == [[4, 2], [2, 5]]
    assert ans["avg"] == [[1.5, 1.0], [1.25, 2.25]]
    assert sum(ans["l2"], []) == pytest.approx([30 ** 0.5, 6 ** 0.5, 3.0, 39 ** 0.5])
    assert right(pt, inst, l2="[[5.4772, 2.4495], [3.0, 6.2450]]", feature_l2="[2.236, 4.472]")
    assert mistake_named(pt, inst, "l2", "[[30, 6], [9, 39]]") == "l2_without_root"
    assert mistake_named(pt, inst, "avg", "[[3, 2], [2.5, 4.5]]") == "avg_over_k"


def test_pooling_overlapping_windows() -> None:
    X = tuple(tuple(range(5 * r, 5 * r + 5)) for r in range(5))
    pt, inst, ans = solved("cnn/pooling_values-v1", X=X, K=3, S=1, features=(3, 4), group=2)
    assert ans["max"] == [[12, 13, 14], [17, 18, 19], [22, 23, 24]]
    assert ans["feature_l2"] == [5]
    assert mistake_named(pt, inst, "max", "[[12]]") == "non_overlapping"


def test_pooling_refuses_a_group_that_does_not_divide() -> None:
    with pytest.raises(ParamError, match="divide"):
        make("cnn/pooling_values").from_params(dict(X=P, K=2, features=(1, 2, 3), group=2))


# ---- unpooling (seed_000_001 C4) ----------------------------------------------------------------------------------

def test_unpooling_catalog_example() -> None:
    X = ((1, 3, 2, 1), (4, 2, 0, 1), (5, 1, 2, 3), (0, 2, 4, 1))
    pt, inst, ans = solved("cnn/unpooling-v1", X=X, Y=((1, 2), (3, 4)))
    assert ans["pooled"] == [[4, 2], [5, 4]]
    assert ans["indices"] == [[4, 2], [8, 14]]
    assert ans["nearest"] == [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]
    assert ans["bed_of_nails"] == [[1, 0, 2, 0], [0, 0, 0, 0], [3, 0, 4, 0], [0, 0, 0, 0]]
    assert ans["max_unpool"] == [[0, 0, 2, 0], [1, 0, 0, 0], [3, 0, 0, 0], [0, 0, 4, 0]]
    assert mistake_named(pt, inst, "max_unpool", "[[1,0,2,0],[0,0,0,0],[3,0,4,0],[0,0,0,0]]") == "unpool_top_left"
    assert mistake_named(pt, inst, "indices", "[[5, 3], [9, 15]]") == "indices_from_one"


def test_unpooling_refuses_a_tied_window() -> None:
    with pytest.raises(ParamError, match="twice"):
        make("cnn/unpooling").from_params(dict(X=((4, 4), (1, 2)), Y=((1,),)))


# ---- residual block and ResNet parameters (seed_004 C11) -----------------------------------------------------------

def test_residual_block_shortcut_before_the_relu() -> None:
    pt, inst, ans = solved("cnn/residual_block-v1", x=(1, -2), W1=((1, 0), (0, 1)), W2=((1, 1), (-1, 0)))
    assert ans["a1"] == [1, 0]
    assert ans["F"] == [1, -1]
    assert ans["H"] == [2, 0]
    assert mistake_named(pt, inst, "H", "[2, -2]") == "shortcut_after_relu"
    assert mistake_named(pt, inst, "H", "[1, 0]") == "shortcut_forgotten"


def test_basic_block_64_is_73984() -> None:
    pt, inst, ans = solved("cnn/resnet_params-v1", block="basic", C_in=64, C_out=64)
    assert ans == {"conv_params": 73728, "bn_params": 256, "shortcut_params": 0, "total": 73984}
    assert mistake_named(pt, inst, "total", 74240) == "running_stats_counted"


def test_projection_shortcut_and_bottleneck_match_torch_counts() -> None:
    _, _, ans = solved("cnn/resnet_params-v1", block="basic", C_in=64, C_out=128, stride=2)
    assert ans["shortcut_params"] == 64 * 128 + 256
    # torchvision Bottleneck(256, 64) of resnet50's layer1: 1×1 256→64, 3×3 64→64, 1×1 64→256, BNs, no shortcut
    _, _, ans = solved("cnn/resnet_params-v1", block="bottleneck", C_in=256, C_out=256, width=64)
    assert ans["total"] == 256 * 64 + 9 * 64 * 64 + 64 * 256 + 2 * (64 + 64 + 256)


# ---- DenseNet (seed_004 C13) --------------------------------------------------------------------------------------

def test_densenet_catalog_example() -> None:
    pt, inst, ans = solved("cnn/densenet_block-v1", k0=64, k=32, L=6)
    assert ans["inputs"] == [64, 96, 128, 160, 192, 224]
    assert ans["out_channels"] == 256
    assert ans["connections"] == 21
    assert mistake_named(pt, inst, "connections", 15) == "connections_l_minus_1"
    assert mistake_named(pt, inst, "out_channels", 192) == "k0_forgotten"


# ---- Inception (seed_004 C10): 672 / 854,196,224 and 480 / 271,351,808; some prints say 358M ----------------------

def test_inception_catalog_examples_and_the_misprint() -> None:
    pt, inst, ans = solved("cnn/inception_module-v1", H=28, W=28, C_in=256, n1=128, n3=192, n5=96)
    assert (ans["depth"], ans["macs"]) == (672, 854_196_224)
    assert mistake_named(pt, inst, "depth", 416) == "pool_depth_forgotten"
    pt, inst, ans = solved("cnn/inception_module-v1", H=28, W=28, C_in=256, n1=128, n3=192, n5=96, pool_proj=64,
                           r3=64, r5=64)
    assert (ans["depth"], ans["macs"]) == (480, 271_351_808)
    assert wrong(pt, inst, "macs", 358_000_000)
    assert mistake_named(pt, inst, "macs", 2 * 271_351_808) == "flops_for_macs"
    assert mistake_named(pt, inst, "macs", 25_690_112 + 3 * 12_845_056 + 346_816_512 + 481_689_600) \
        == "input_depth_after_bottleneck"


# ---- FC vs LC vs conv (seed_004 C1) -------------------------------------------------------------------------------

def test_fc_lc_conv_catalog_example_and_the_rounded_figure() -> None:
    pt, inst, ans = solved("cnn/fc_lc_conv_params-v1", H=200, W=200, C=1, hidden=40_000, K=10, filters=100)
    assert (ans["fc"], ans["lc"], ans["conv"]) == (1_600_000_000, 4_000_000, 10_000)
    assert ans["ratio"] == 160_000
    assert mistake_named(pt, inst, "fc", 2_000_000_000) == "rounded_count"
    assert mistake_named(pt, inst, "conv", 400_000_000) == "conv_times_positions"


def test_conv3d_64_64_3_is_110656() -> None:
    _, _, ans = solved("cnn/fc_lc_conv_params-v1", H=8, W=8, C=64, hidden=10, K=3, filters=64, Kt=3, bias=True)
    assert ans["conv3d"] == 110_656


# ---- conv_param_count-v2 (seed_002 E4): 448, 442,368 MACs, 50,348,032 dense ---------------------------------------

def test_conv_param_count_v2_catalog_example() -> None:
    pt, inst, ans = solved("cnn/conv_param_count-v2", C_in=3, C_out=16, Kh=3, Kw=3, H=32, W=32, P=1)
    assert (ans["weights"], ans["biases"], ans["total"]) == (432, 16, 448)
    assert ans["macs"] == 442_368
    assert ans["dense_params"] == 50_348_032
    assert mistake_named(pt, inst, "total", 160) == "no_c_in"
    assert mistake_named(pt, inst, "total", 432) == "bias_forgotten"
    assert mistake_named(pt, inst, "macs", 884_736) == "flops_for_macs"
    assert mistake_named(pt, inst, "dense_params", 50_331_648) == "dense_bias_forgotten"


def test_conv_param_count_v1_is_unchanged() -> None:
    pt = make("cnn/conv_param_count-v1")
    assert [p.name for p in pt.parts] == ["weights", "biases", "total"]
    assert make("cnn/conv_param_count").id == "cnn/conv_param_count-v2"
