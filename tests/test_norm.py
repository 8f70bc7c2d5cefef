"""Normalisation types: catalog worked examples (corrected values), the named wrong values, validation, references."""

from __future__ import annotations

from typing import Any

import pytest
from family_helpers import mistake_named, solved, thorough_checks

from examprep.checker import self_test
from examprep.errors import ParamError
from examprep.grader.score import grade_answers
from examprep.registry import make

IDS = ["norm/batchnorm-v1", "norm/residual_layernorm-v1", "norm/axes-v1", "norm/adaptive-v1",
       "norm/mmd-v1"]


def right(pt: Any, inst: Any, **answers: object) -> bool:
    truth = pt.solve(inst.params)
    return grade_answers(pt, truth, answers).score == 1


test_reference_agrees_on_thousands, test_self_test_30_seeds_each_difficulty = thorough_checks(IDS)


# ---- batchnorm (seed_002 C7; seed_000_001 J4) -------------------------------------------------------------------

def test_batchnorm_catalog_example() -> None:
    pt, inst, ans = solved("norm/batchnorm-v1", H=((1, 2, 4, 5),), gamma=(2,), beta=(0.5,), x_eval=((3,),))
    assert ans["mean"] == [3] and ans["var"] == [2.5]
    assert ans["normalized"] == pytest.approx([-1.264909, -0.632454, 0.632454, 1.264909], abs=5e-7)
    assert ans["output"] == pytest.approx([-2.029817, -0.764909, 1.764909, 3.029817], abs=5e-7)
    assert ans["running_mean_after"] == pytest.approx([0.3])
    assert ans["running_var_after"] == pytest.approx([1.233333], abs=5e-7)  # 0.9 + 0.1·(10/3)
    assert ans["eval_output"] == pytest.approx([5.362412], abs=5e-7)
    assert right(pt, inst, output="[-2.029817, -0.764909, 1.764909, 3.029817]", running_var_after="1.233333",
                 eval_output="5.362412")
    assert mistake_named(pt, inst, "output", [-1.690890, -0.595445, 1.595445, 2.690890]) == "unbiased_normalization"
    assert mistake_named(pt, inst, "normalized", [-0.8, -0.4, 0.4, 0.8]) == "variance_as_std"  # ÷ 2.5
    # γ, β swapped: 0.5·x̂ + 2
    assert mistake_named(pt, inst, "output", [1.367546, 1.683773, 2.316227, 2.632454]) == "gamma_beta_swapped"
    assert mistake_named(pt, inst, "eval_output", [0.5]) == "batch_stats_at_eval"  # 2·(3 − 3)/√2.5 + 0.5
    assert mistake_named(pt, inst, "running_var_after", [1.15]) == "biased_running_var"  # 0.9 + 0.1·2.5
    assert self_test(pt, [inst]) == []


def test_adabn_is_momentum_zero_with_source_statistics() -> None:
    # J4: the target batch [2, 4, 6, 8] normalised with its own statistics (μ 5, var 5); with the source
    # statistics (μ 1, var 4), kept by momentum 0, eval gives [0.5, 1.5, 2.5, 3.5]
    pt, inst, ans = solved("norm/batchnorm-v1", H=((2, 4, 6, 8),), eps=0, momentum=0, running_mean=(1,),
                           running_var=(4,), x_eval=((2, 4, 6, 8),))
    assert ans["normalized"] == pytest.approx([-1.341641, -0.447214, 0.447214, 1.341641], abs=5e-7)
    assert ans["running_mean_after"] == [1] and ans["running_var_after"] == [4]
    assert ans["eval_output"] == pytest.approx([0.5, 1.5, 2.5, 3.5])
    assert mistake_named(pt, inst, "normalized", [-1.161895, -0.387298, 0.387298, 1.161895]) == \
        "unbiased_normalization"
    assert mistake_named(pt, inst, "eval_output", [-1.341641, -0.447214, 0.447214, 1.341641]) == \
        "batch_stats_at_eval"


def test_batchnorm_two_features_row_per_example() -> None:
    pt, inst, ans = solved("norm/batchnorm-v1", H=((1, 10), (3, 20), (5, 60)), gamma=(1, 2), beta=(0, 1), eps=0)
    assert ans["mean"] == pytest.approx([3, 30])
    assert ans["var"] == pytest.approx([8 / 3, 1400 / 3])
    col0 = [r[0] for r in ans["normalized"]]
    assert col0 == pytest.approx([-(1.5**0.5), 0, 1.5**0.5])
    assert ans["output"][2][1] == pytest.approx(2 * 30 / (1400 / 3) ** 0.5 + 1)
    assert self_test(pt, [inst]) == []


@pytest.mark.parametrize("sets, match", [
    (["H=[3]"], "at least 2 examples"),
    (["H=[1,2,3]", "gamma=[1,2]"], "one per feature"),
    (["H=[[1,2],[3,4]]", "x_eval=[[1,2,3]]"], "x_eval rows"),
    (["H=[2,2,2]", "eps=0"], "constant"),
])
def test_batchnorm_validation(sets: list[str], match: str) -> None:
    with pytest.raises(ParamError, match=match):
        make("norm/batchnorm-v1").instance(sets=sets)


# ---- residual_layernorm (seed_000_001 B4, seed_002 H5) ----------------------------------------------------------

def test_residual_layernorm_catalog_example() -> None:
    pt, inst, ans = solved("norm/residual_layernorm-v1", x=(1, 0, 2, 3), sublayer=(0, 2, 1, 3), eps=0)
    assert ans["residual"] == [1, 2, 3, 6]
    assert (ans["mean"], ans["var"]) == (3, 3.5)
    assert ans["output"] == pytest.approx([-1.069045, -0.534522, 0, 1.603567], abs=5e-7)
    assert right(pt, inst, output="[-1.069045, -0.534522, 0, 1.603567]")
    assert mistake_named(pt, inst, "output", [-0.571429, -0.285714, 0, 0.857143]) == "variance_as_std"
    assert mistake_named(pt, inst, "output", [-0.925820, -0.462910, 0, 1.388730]) == "unbiased"
    # LN([1, 0, 2, 3]) + [0, 2, 1, 3]: normalising before the add
    assert mistake_named(pt, inst, "output", [-0.447214, 0.658359, 1.447214, 4.341641]) == "ln_before_add"
    assert self_test(pt, [inst]) == []


def test_residual_layernorm_wrong_variance_carried_forward_earns_the_ecf_credit() -> None:
    """B4 (v = [1, 2, 3, 6], μ = 3, σ² = 3.5) with σ² slipped to 3: x̂ = (v − 3)/√3 = [−1.154701, −0.577350, 0,
    1.732051] and the same output (γ = 1, β = 0) follow from it and earn the ECF credit."""
    pt, inst, ans = solved("norm/residual_layernorm-v1", x=(1, 0, 2, 3), sublayer=(0, 2, 1, 3), eps=0)
    given = {"residual": "[1, 2, 3, 6]", "mean": "3", "var": "3", "normalized": "[-1.1547, -0.57735, 0, 1.7321]",
             "output": "[-1.1547, -0.57735, 0, 1.7321]"}
    r = {p.name: p for p in grade_answers(pt, ans, given, pt.mistakes(inst.params), params=inst.params).parts}
    assert [r[k].verdict for k in ("residual", "mean", "var")] == ["right", "right", "wrong"]
    assert (r["normalized"].verdict, r["normalized"].score) == ("carried", 0.5)
    assert r["normalized"].feedback.startswith("follows from your residual = [1, 2, 3, 6], mean = 3, var = 3")
    assert (r["output"].verdict, r["output"].score) == ("carried", 0.5)
    # x̂ from the right statistics but an output that does not follow from it earns only its right entry (the 0)
    bad = grade_answers(pt, ans, {**given, "var": "3.5", "normalized": "[-1.069045, -0.534522, 0, 1.603567]"},
                        params=inst.params).parts
    assert [(p.name, p.verdict) for p in bad][3:] == [("normalized", "right"), ("output", "partial")]


def test_residual_layernorm_affine_and_pytorch_eps() -> None:
    pt, inst, ans = solved("norm/residual_layernorm-v1", x=(1, 0, 2, 3), sublayer=(0, 2, 1, 3), eps=0,
                           gamma=(1, 1, 2, 0.5), beta=(0, 0.1, 0, -0.1))
    assert ans["output"] == pytest.approx([-1.069045, -0.434522, 0, 0.701784], abs=5e-7)
    _, _, ans = solved("norm/residual_layernorm-v1", x=(1, 0, 2, 3), sublayer=(0, 2, 1, 3))
    assert ans["output"][0] == pytest.approx(-1.069043, abs=5e-7)  # PyTorch's ε = 1e-5
    # H5: x = [1, 2, 3, 4], sublayer [0.5, −0.5, 1, 0]: [1.5, 1.5, 4, 4], μ 2.75, σ 1.25
    _, _, ans = solved("norm/residual_layernorm-v1", x=(1, 2, 3, 4), sublayer=(0.5, -0.5, 1, 0))
    assert ans["output"] == pytest.approx([-0.999997, -0.999997, 0.999997, 0.999997], abs=5e-7)


def test_residual_layernorm_validation() -> None:
    with pytest.raises(ParamError, match="added entry by entry"):
        make("norm/residual_layernorm-v1").instance(sets=["x=[1,2,3]", "sublayer=[1,2]"])


# ---- axes (seed_002 C8) -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, groups, n, per, params", [
    ("batch", None, 3, 8, 6), ("layer", None, 2, 12, 24), ("instance", None, 6, 4, 0), ("group", 3, 6, 4, 6),
])
def test_axes_catalog_shape(kind: str, groups: int | None, n: int, per: int, params: int) -> None:
    pt, inst, ans = solved("norm/axes-v1", shape=(2, 3, 2, 2), kind=kind, groups=groups)
    assert (ans["n_stats"], ans["per_stat"], ans["params"]) == (n, per, params)
    assert self_test(pt, [inst]) == []


def test_axes_named_mistakes() -> None:
    pt, inst, _ = solved("norm/axes-v1", shape=(2, 3, 2, 2), kind="instance")
    assert mistake_named(pt, inst, "n_stats", 3) == "in_as_c_stats"
    pt, inst, _ = solved("norm/axes-v1", shape=(2, 3, 2, 2), kind="batch")
    assert mistake_named(pt, inst, "n_stats", 2) == "bn_ln_swapped"
    assert mistake_named(pt, inst, "per_stat", 12) == "bn_ln_swapped"
    pt, inst, _ = solved("norm/axes-v1", shape=(2, 3, 2, 2), kind="layer")
    assert mistake_named(pt, inst, "params", 6) == "ln_params_as_2c"
    pt, inst, _ = solved("norm/axes-v1", shape=(2, 4, 2, 2), kind="group", groups=2)
    assert mistake_named(pt, inst, "n_stats", 2) == "gn_samples_forgotten"


def test_axes_layer_norm_values() -> None:
    # one sample's 4 values [1, 2, 3, 6] as (N, C, H, W) = (1, 2, 1, 2): LN over all of them
    pt, inst, ans = solved("norm/axes-v1", shape=(1, 2, 1, 2), kind="layer", x=((1, 2), (3, 6)))
    assert ans["normalized"][0] + ans["normalized"][1] == pytest.approx([-1.069043, -0.534522, 0, 1.603565],
                                                                         abs=5e-7)
    # instance norm of the same: each channel alone, [1, 2] → [−1, 1] (up to ε)
    _, _, ans = solved("norm/axes-v1", shape=(1, 2, 1, 2), kind="instance", x=((1, 2), (3, 6)), eps=0)
    assert ans["normalized"] == [[-1, 1], [-1, 1]]
    assert self_test(pt, [inst]) == []


@pytest.mark.parametrize("sets, match", [
    (["shape=[2,3,2]", "kind=batch"], "give \\(N, C, H, W\\)"),
    (["shape=[2,3,2,2]", "kind=group", "groups=2"], "groups dividing C = 3"),
    (["shape=[2,3,2,2]", "kind=layer", "x=[[1,2],[3,4]]"], "N·C = 6 rows"),
])
def test_axes_validation(sets: list[str], match: str) -> None:
    with pytest.raises(ParamError, match=match):
        make("norm/axes-v1").instance(sets=sets)


# ---- adaptive (seed_000_001 F5) ---------------------------------------------------------------------------------

def test_adain_catalog_example() -> None:
    pt, inst, ans = solved("norm/adaptive-v1", x=((1, 2, 3, 6),), scale=(2,), shift=(10,), eps=0)
    assert ans["mean"] == [3] and ans["std"] == pytest.approx([1.870829], abs=5e-7)
    assert ans["output"] == pytest.approx([7.861910, 8.930955, 10, 13.207135], abs=5e-7)
    assert right(pt, inst, output="[7.861910, 8.930955, 10, 13.207135]")
    assert mistake_named(pt, inst, "output", [8.148360, 9.074180, 10, 12.777460]) == "unbiased"
    assert self_test(pt, [inst]) == []


def test_adain_with_style_features() -> None:
    pt, inst, ans = solved("norm/adaptive-v1", x=((1, 2, 3, 6),), style=((3, 5, 5, 7),), eps=0)
    assert ans["style_mean"] == [5] and ans["style_std"] == pytest.approx([1.414214], abs=5e-7)
    assert ans["output"] == pytest.approx([3.488142, 4.244071, 5, 7.267787], abs=5e-7)
    # the style's variance 2 as the scale: 2·x̂ + 5
    assert mistake_named(pt, inst, "output", [2.861910, 3.930955, 5, 8.207135]) == "variance_as_scale"
    # the style normalised and given the content's statistics: 1.870829·[−1.414214, 0, 0, 1.414214] + 3
    assert mistake_named(pt, inst, "output", [0.354249, 3, 3, 5.645751]) == "content_style_swapped"
    assert self_test(pt, [inst]) == []


def test_adagn_and_adaln() -> None:
    # AdaGN: channels 1–2 and 3–4 form two groups; each group's 4 values share one mean and std
    pt, inst, ans = solved("norm/adaptive-v1", x=((1, 3), (5, 7), (0, 0), (2, 2)), groups=2, eps=0,
                           scale=(1, 1, 2, 2), shift=(0, 0, 1, 1))
    assert ans["mean"] == [4, 1] and ans["std"] == pytest.approx([5**0.5, 1])
    assert ans["output"][2:] == [[-1, -1], [3, 3]]
    assert self_test(pt, [inst]) == []
    # adaLN: one position, the 4 features normalised together (LayerNorm), then the predicted modulation
    _, _, ans = solved("norm/adaptive-v1", x=((1,), (2,), (3,), (6,)), groups=1, eps=0, scale=(1, 1, 1, 1),
                       shift=(0, 0, 0, 0))
    assert [r[0] for r in ans["output"]] == pytest.approx([-1.069045, -0.534522, 0, 1.603567], abs=5e-7)


def test_adaptive_validation() -> None:
    pt = make("norm/adaptive-v1")
    with pytest.raises(ParamError, match="either style or scale and shift"):
        pt.instance(sets=["x=[1,2,3]"])
    with pytest.raises(ParamError, match="does not divide"):
        pt.instance(sets=["x=[[1,2],[3,4],[5,6]]", "groups=2", "scale=[1,1,1]", "shift=[0,0,0]"])


# ---- mmd (seed_000_001 J4) --------------------------------------------------------------------------------------

def test_mmd_catalog_example() -> None:
    pt, inst, ans = solved("norm/mmd-v1", X=((0, 1, 2),), Y=((1, 2, 3),), kernel="linear")
    assert ans["mmd2"] == pytest.approx(1.0)  # ‖x̄ − ȳ‖² = (1 − 2)²
    pt, inst, ans = solved("norm/mmd-v1", X=((0, 1, 2),), Y=((1, 2, 3),))
    assert ans["mmd2"] == pytest.approx(0.219754, abs=5e-7)
    assert right(pt, inst, mmd2="0.219754")
    assert mistake_named(pt, inst, "mmd2", 0.468779) == "mmd_for_mmd2"
    # exp(−d²/σ²): the same sums with γ = 1
    gamma1 = pt.mistakes(inst.params)["gamma_one_over_sigma2"].answers["mmd2"]
    assert mistake_named(pt, inst, "mmd2", gamma1) == "gamma_one_over_sigma2"
    assert self_test(pt, [inst]) == []
    pt, inst, ans = solved("norm/mmd-v1", X=((0, 1, 2),), Y=((1, 2, 3),), estimator="unbiased")
    assert ans["mmd2"] == pytest.approx(-0.147269, abs=5e-7)
    assert mistake_named(pt, inst, "mmd2", 0.219754) == "diagonals_kept"
    assert "mmd_for_mmd2" not in pt.mistakes(inst.params)  # MMD² < 0 has no square root
    assert self_test(pt, [inst]) == []


def test_mmd_matches_sklearn_rbf_kernel() -> None:
    import numpy as np
    from sklearn.metrics.pairwise import rbf_kernel

    X, Y = np.array([[0.0, 1.0], [2.0, 1.0], [1.0, -1.0]]), np.array([[1.0, 2.0], [3.0, 1.0], [2.0, 2.0]])
    _, _, ans = solved("norm/mmd-v1", X=tuple(map(tuple, X)), Y=tuple(map(tuple, Y)), sigma=2)
    g = 1 / (2 * 2**2)
    want = rbf_kernel(X, X, gamma=g).mean() + rbf_kernel(Y, Y, gamma=g).mean() - 2 * rbf_kernel(X, Y, gamma=g).mean()
    assert ans["mmd2"] == pytest.approx(want)


def test_mmd_validation() -> None:
    with pytest.raises(ParamError, match="coordinates"):
        make("norm/mmd-v1").instance(sets=["X=[[0,1],[1,2]]", "Y=[[1,2,3],[0,0,0]]"])


def test_adaptive_rejects_a_constant_group_instead_of_crashing() -> None:
    """generate(813, medium) drew a constant channel group: degenerate divided by σ = 0 (ZeroDivisionError)."""
    pt = make("norm/adaptive")
    inst = pt.generate(813, "medium")
    assert pt.degenerate(inst.params) is None
    assert pt.solve(inst.params)["output"]
