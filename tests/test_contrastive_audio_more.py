"""Flamingo's tanh gate, TVLT's loss and the dilated causal convolution: the catalog's worked examples, the wrong
values graded as named mistakes, error carried forward, validation, and the batched references against solve."""

from __future__ import annotations

import math

import pytest
from family_helpers import family_checks, mistake_named, right, solved

from examprep import seeding
from examprep.errors import ParamError
from examprep.grader.score import grade_answers
from examprep.registry import make

FG, TV, CC = "contrastive/flamingo_gate-v1", "contrastive/tvlt_loss-v1", "audio/causal_conv-v1"
IDS = [FG, TV, CC]


test_reference_agrees, test_self_test_every_difficulty, test_reference_on_a_mixed_batch = family_checks(
    IDS, n=1200, batch=300)


@pytest.mark.parametrize("pid", [FG, TV])
def test_statement_states_the_conventions(pid: str) -> None:
    pt = make(pid)
    text = " ".join(s for s in pt.statement(pt.generate(0, "hard").params) if isinstance(s, str))
    assert "natural log" in text and "L2-normalised before any dot product" in text and "numbered from 1" in text


def parts(pt, inst, **answers):
    """Verdict of each part when the student gives these answers."""
    r = grade_answers(pt, pt.solve(inst.params), answers, pt.mistakes(inst.params), params=inst.params)
    return {p.name: p.verdict for p in r.parts}


# ---- flamingo_gate: α = 0.5 gives tanh = 0.462117; x = [1, −1], XAttn = [0.5, 2] -> [1.231059, −0.075766] ---------


def test_flamingo_gate_catalog_examples() -> None:
    pt, inst, ans = solved(FG, alpha=0.5, x=(1, -1), xattn=(0.5, 2))
    assert ans["gate"] == pytest.approx(0.462117, abs=5e-7)
    assert ans["y"] == pytest.approx([1.231059, -0.075766], abs=5e-7)
    assert right(pt, inst, gate="0.462117", y="[1.2311, -0.0758]")
    _, _, l5 = solved(FG, alpha=0.5, x=(1, 2), xattn=(0.4, -0.2))
    assert l5["y"] == pytest.approx([1.184847, 1.907577], abs=5e-7)
    # α = 0: the block is the identity
    _, _, zero = solved(FG, alpha=0.0, x=(1, -1), xattn=(0.5, 2))
    assert zero == {"gate": 0.0, "y": [1.0, -1.0]}


def test_flamingo_gate_mistakes_are_named() -> None:
    pt, inst, _ = solved(FG, alpha=0.5, x=(1, 2), xattn=(0.4, -0.2))
    assert mistake_named(pt, inst, "gate", "0.5") == "alpha_as_gate"
    assert mistake_named(pt, inst, "y", "[1.2, 1.9]") == "alpha_as_gate"
    s = 1 / (1 + math.exp(-0.5))
    assert mistake_named(pt, inst, "gate", round(s, 6)) == "sigmoid_gate"
    assert mistake_named(pt, inst, "y", [1 + 0.4 * s, 2 - 0.2 * s]) == "sigmoid_gate"
    assert mistake_named(pt, inst, "y", "[1.4, 1.8]") == "gate_one"


def test_flamingo_gate_at_initialisation() -> None:
    pt, inst, _ = solved(FG, alpha=0.0, x=(1, -1), xattn=(0.5, 2))
    assert mistake_named(pt, inst, "y", "[1.5, 1]") == "gate_one"  # "the gate is 1 at initialisation"
    assert mistake_named(pt, inst, "gate", "0.5") == "sigmoid_gate"
    assert "alpha_as_gate" not in pt.mistakes(inst.params)  # α = tanh α = 0: no evidence


def test_flamingo_gate_carries_the_students_gate_forward() -> None:
    pt, inst, _ = solved(FG, alpha=0.5, x=(1, 2), xattn=(0.4, -0.2))
    v = parts(pt, inst, gate="0.5", y="[1.2, 1.9]")
    assert v == {"gate": "wrong", "y": "carried"}
    assert parts(pt, inst, gate="0.4621", y="[1.1848, 1.9076]") == {"gate": "right", "y": "right"}


def test_flamingo_gate_refuses_unequal_sizes() -> None:
    with pytest.raises(ParamError, match="size of the hidden vector"):
        make(FG).from_params(dict(alpha=0.5, x=(1, 2), xattn=(1, 2, 3)))


# ---- tvlt_loss: p = 0.8, y = 1 -> VAM 0.223144; MAE 0.5; total 0.373144; 28.06×; 0.311 -----------------------------

# per-patch errors [0.5, 0.5, 0.5, 0]: patches 1 and 3 masked
PRED, TARGET, MASK = ((1, 0), (0, 1), (1, 0), (2, 2)), ((0, 0), (0, 0), (0, 0), (2, 2)), (1, 0, 1, 0)
D3 = dict(pred=PRED, target=TARGET, mask=MASK, latency=(2890, 103), size=(88, 283))


def test_tvlt_loss_catalog_example() -> None:
    pt, inst, ans = solved(TV, logit=math.log(4), y=1, **D3)
    assert ans["p"] == pytest.approx(0.8)
    assert ans["vam"] == pytest.approx(0.223144, abs=5e-7)
    assert ans["patch_mse"] == pytest.approx([0.5, 0.5, 0.5, 0])
    assert ans["mae"] == pytest.approx(0.5)
    assert ans["total"] == pytest.approx(0.373144, abs=5e-7)
    assert ans["speedup"] == pytest.approx(28.058252, abs=5e-7)
    assert ans["size_ratio"] == pytest.approx(0.310954, abs=5e-7)
    assert right(pt, inst, p="0.8", vam="0.2231", patch_mse="[0.5, 0.5, 0.5, 0]", mae="0.5", total="0.3731",
                 speedup="28.06", size_ratio="0.311")


def test_tvlt_loss_mistakes_are_named() -> None:
    pt, inst, _ = solved(TV, logit=math.log(4), y=1, **D3)
    # all four patches: mean 0.375, total 0.223144 + 0.3·0.375
    assert mistake_named(pt, inst, "mae", "0.375") == "mse_over_all_patches"
    assert mistake_named(pt, inst, "total", "0.3356") == "mse_over_all_patches"
    assert mistake_named(pt, inst, "total", "0.5669") == "lambdas_swapped"  # 0.3·0.223144 + 1.0·0.5
    assert mistake_named(pt, inst, "speedup", "0.04") == "ratio_inverted"
    assert mistake_named(pt, inst, "size_ratio", "3.216") == "ratio_inverted"
    assert "logit_as_probability" not in pt.mistakes(inst.params)  # ln 4 > 1 is no probability


def test_tvlt_loss_logit_used_as_probability() -> None:
    # logit 0.8: the right p is σ(0.8) = 0.689974; reading 0.8 as p gives −ln 0.8 = 0.223144
    pt, inst, ans = solved(TV, logit=0.8, y=1, **D3)
    assert ans["p"] == pytest.approx(0.689974, abs=5e-7)
    assert ans["vam"] == pytest.approx(0.371101, abs=5e-7)
    assert mistake_named(pt, inst, "vam", "0.2231") == "logit_as_probability"
    assert mistake_named(pt, inst, "p", "0.8") == "logit_as_probability"
    # y = 0: the loss is −ln(1 − p)
    _, _, neg = solved(TV, logit=0.8, y=0, **D3)
    assert neg["vam"] == pytest.approx(math.log(1 + math.exp(0.8)), rel=1e-12)  # −ln(1 − σ(0.8))


def test_tvlt_loss_carries_forward() -> None:
    pt, inst, _ = solved(TV, logit=math.log(4), y=1, **D3)
    # a wrong p of 0.7 carried into the VAM loss, and the total from the student's own terms
    v = parts(pt, inst, p="0.7", vam=f"{-math.log(0.7):.4f}", mae="0.5", total=f"{-math.log(0.7) + 0.15:.4f}")
    assert v == {"p": "wrong", "vam": "carried", "mae": "right", "total": "carried"}
    # the masked mean of the student's own (wrong) patch errors
    v = parts(pt, inst, patch_mse="[0.5, 0.5, 0.7, 0]", mae="0.6")
    assert v["mae"] == "carried"


def test_tvlt_loss_agrees_with_torch_on_drawn_instances() -> None:
    import torch
    import torch.nn.functional as F

    pt = make(TV)
    for s in range(10):
        p = pt.generate(s, "hard").params
        prob = torch.sigmoid(torch.tensor(p.logit, dtype=torch.float64))
        vam = F.binary_cross_entropy(prob, torch.tensor(float(p.y), dtype=torch.float64))
        m = torch.tensor(p.mask, dtype=torch.bool)
        mae = F.mse_loss(torch.tensor(p.pred, dtype=torch.float64)[m], torch.tensor(p.target, dtype=torch.float64)[m])
        got = pt.solve(p)
        assert got["vam"] == pytest.approx(float(vam), rel=1e-12)
        assert got["mae"] == pytest.approx(float(mae), rel=1e-12)  # equal-length patches: one mean over all values
        assert got["total"] == pytest.approx(p.lambda_vam * float(vam) + p.lambda_mae * float(mae), rel=1e-12)


@pytest.mark.parametrize("sets, match", [
    (dict(mask=(0, 0, 0, 0)), "no patch is masked"),
    (dict(mask=(1, 0)), "one 0/1 flag per patch"),
    (dict(target=((0, 0), (0, 0))), "one true patch per reconstructed patch"),
    (dict(latency=(2890,)), "two numbers each"),
])
def test_tvlt_loss_refuses_bad_input(sets: dict, match: str) -> None:
    with pytest.raises(ParamError, match=match):
        make(TV).from_params(dict(D3, logit=1.0, y=1, **sets))


# ---- causal_conv: x = [1, …, 5], taps 0.5 on x_{t−d} and 1 on x_t: d = 1 -> [1, 2.5, 4, 5.5, 7] ------------------


@pytest.mark.parametrize("x, d, y", [((1, 2, 3, 4, 5), 1, [1, 2.5, 4, 5.5, 7]),
                                     ((1, 2, 3, 4, 5), 2, [1, 2, 3.5, 5, 6.5]),
                                     ((1, 2, 3, 4, 5, 6), 2, [1, 2, 3.5, 5, 6.5, 8])])
def test_causal_conv_catalog_examples(x: tuple, d: int, y: list) -> None:
    _, _, ans = solved(CC, x=x, w=(0.5, 1), w_gate=(1, -1), d=d)
    assert ans["y"] == pytest.approx(y)
    assert len(ans["g"]) == len(x)


def test_causal_conv_three_taps_by_hand() -> None:
    # 4 zeros on the left; y_t = 1·x_{t−4} − 1·x_{t−2} + 2·x_t
    pt, inst, ans = solved(CC, x=(1, 0, 2, -1, 3, 1), w=(1, -1, 2), w_gate=(0.5, 0, -1), d=2)
    assert ans["y"] == pytest.approx([2, 0, 3, -2, 5, 3])
    assert ans["g"] == pytest.approx([-1, 0, -2, 1, -2.5, -1])


def test_causal_conv_gated_value() -> None:
    # y_1 = 1·0.5 and g_1 = 2·0.5: z_1 = tanh(0.5)·σ(1) = 0.337835
    pt, inst, ans = solved(CC, x=(0.5, 1), w=(0.5, 1), w_gate=(1, 2), d=1)
    assert ans["y"] == [0.5, 1.25] and ans["g"] == [1.0, 2.5]
    assert ans["z"][0] == pytest.approx(0.337835, abs=5e-7)
    assert ans["z"][1] == pytest.approx(math.tanh(1.25) / (1 + math.exp(-2.5)))
    assert right(pt, inst, y="[0.5, 1.25]", g="[1, 2.5]", z="[0.3378, 0.7839]")
    swapped = [math.tanh(1) / (1 + math.exp(-0.5)), math.tanh(2.5) / (1 + math.exp(-1.25))]
    assert mistake_named(pt, inst, "z", swapped) == "tanh_sigmoid_swapped"


def test_causal_conv_mistakes_are_named() -> None:
    pt, inst, _ = solved(CC, x=(1, 2, 3, 4, 5), w=(0.5, 1), w_gate=(1, -1), d=1)
    # one zero on the right instead of the left: y_t = 0.5·x_t + x_{t+1} sees the future
    assert mistake_named(pt, inst, "y", "[2.5, 4, 5.5, 7, 2.5]") == "centred_padding"
    assert mistake_named(pt, inst, "y", "[0.5, 2, 3.5, 5, 6.5]") == "taps_reversed"  # w_1 = 0.5 on x_t
    pt, inst, _ = solved(CC, x=(1, 2, 3, 4, 5, 6), w=(0.5, 1), w_gate=(1, -1), d=2)
    assert mistake_named(pt, inst, "y", "[1, 2.5, 4, 5.5, 7, 8.5]") == "dilation_ignored"


def test_causal_conv_carries_y_and_g_forward() -> None:
    pt, inst, _ = solved(CC, x=(0.5, 1), w=(0.5, 1), w_gate=(1, 2), d=1)
    z = [math.tanh(0.25) / (1 + math.exp(-0.5)), math.tanh(1) / (1 + math.exp(-2))]  # from the reversed taps
    v = parts(pt, inst, y="[0.25, 1]", g="[0.5, 2]", z=[round(t, 4) for t in z])
    assert v == {"y": "wrong", "g": "wrong", "z": "carried"}


def test_causal_conv_agrees_with_torch_conv1d() -> None:
    import torch
    import torch.nn.functional as F

    pt = make(CC)
    for s in range(10):
        p = pt.generate(s, "hard").params
        k = len(p.w)
        x = F.pad(torch.tensor(p.x, dtype=torch.float64)[None, None], ((k - 1) * p.d, 0))
        y = F.conv1d(x, torch.tensor(p.w, dtype=torch.float64)[None, None], dilation=p.d)[0, 0]
        g = F.conv1d(x, torch.tensor(p.w_gate, dtype=torch.float64)[None, None], dilation=p.d)[0, 0]
        got = pt.solve(p)
        assert got["y"] == pytest.approx(y.tolist(), abs=1e-12)
        assert got["z"] == pytest.approx((torch.tanh(y) * torch.sigmoid(g)).tolist(), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("sets, match", [
    (dict(w_gate=(1, 2, 3)), "same kernel size"),
    (dict(w=(1,), w_gate=(1,)), "2 to 8 taps"),
    (dict(x=(1,)), "2 to 64 samples"),
])
def test_causal_conv_refuses_bad_input(sets: dict, match: str) -> None:
    with pytest.raises(ParamError, match=match):
        make(CC).from_params(dict(dict(x=(1, 2, 3), w=(0.5, 1), w_gate=(1, -1), d=1), **sets))


def test_causal_conv_draws_distinct_taps() -> None:
    pt = make(CC)
    for d in seeding.DIFFICULTIES:
        for s in range(15):
            p = pt.generate(s, d).params
            assert len(set(p.w)) == len(p.w) and len(set(p.w_gate)) == len(p.w_gate)
            assert (len(p.w) - 1) * p.d < len(p.x)
