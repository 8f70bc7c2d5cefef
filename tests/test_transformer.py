"""Transformer types: the catalog's worked examples, the wrong values graded as named mistakes, validation, and the
batched references against solve on mixed batches."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from family_helpers import family_checks, mistake_named, right, solved

from examprep.errors import ParamError
from examprep.grader.score import grade_answers
from examprep.registry import make

IDS = ["transformer/param_count-v1", "transformer/patch_tokens-v1", "transformer/rope-v1",
       "transformer/attention_cost-v1", "transformer/multihead_forward-v1",
       "attention/scaled_dot_product-v2", "transformer/mrope_ids-v1",
       "transformer/euler_ode-v1"]


test_reference_agrees, test_self_test_every_difficulty, test_reference_on_a_mixed_batch = family_checks(
    IDS, batch=300, seeds=10, mixed=15)


# ---- param_count: BERT-base 109,482,240 (not "110 million"), GPT-3 175,181,291,520, encoder layer 3,152,384 -------

PC = "transformer/param_count-v1"


def test_param_count_bert_base_and_rounded_figure() -> None:
    pt, inst, ans = solved(PC, arch="bert", vocab=30522, d_model=768, d_ff=3072, layers=12, max_pos=512, segments=2)
    assert ans["attention"] == 4 * 768 ** 2 + 4 * 768 == 2_362_368
    assert ans["layer"] == 7_087_872
    assert ans["embeddings"] == 23_837_184
    assert ans["total"] == 23_837_184 + 12 * 7_087_872 + 590_592 == 109_482_240
    assert mistake_named(pt, inst, "total", 110_000_000) == "paper_rounded"
    # d_ff read as the hidden size 768
    ffn_wrong = 2 * 768 * 768 + 768 + 768
    assert mistake_named(pt, inst, "ffn", ffn_wrong) == "d_ff_as_d"
    assert mistake_named(pt, inst, "attention", 3 * 768 ** 2 + 3 * 768) == "w_o_forgotten"


def test_param_count_bert_large() -> None:
    pt, inst, ans = solved(PC, arch="bert", vocab=30522, d_model=1024, d_ff=4096, layers=24, max_pos=512, segments=2)
    assert ans["layer"] == 12_596_224
    assert ans["total"] == 335_141_888
    assert mistake_named(pt, inst, "total", 340_000_000) == "paper_rounded"


def test_param_count_gpt3_and_small_decoder() -> None:
    pt, inst, ans = solved(PC, arch="decoder", vocab=50257, d_model=12288, d_ff=49152, layers=96, max_pos=0,
                           segments=0, bias=False, layernorm=False)
    assert ans["embeddings"] == 617_558_016
    assert ans["layer"] == 12 * 12288 ** 2 == 1_811_939_328
    assert ans["total"] == 175_181_291_520
    pt, inst, ans = solved(PC, arch="decoder", vocab=1000, d_model=64, d_ff=256, layers=2, max_pos=0, segments=0,
                           bias=False, layernorm=False)
    assert ans["total"] == 64_000 + 64_000 + 2 * (16_384 + 32_768) == 226_304
    assert mistake_named(pt, inst, "total", 64_000 + 64_000 + 16_384 + 32_768) == "layers_forgotten"


def test_param_count_tied_and_counted_twice() -> None:
    pt, inst, ans = solved(PC, arch="decoder", vocab=1000, d_model=64, d_ff=256, layers=2, max_pos=0, segments=0,
                           bias=False, layernorm=False, tied=True)
    assert ans["total"] == 226_304 - 64_000
    assert mistake_named(pt, inst, "total", 226_304) == "tied_counted_twice"


def test_param_count_encoder_layer_head_and_prefix() -> None:
    pt, inst, ans = solved(PC, arch="encoder_layer", d_model=512, d_ff=2048, layers=1)
    assert ans["total"] == ans["layer"] == 3_152_384  # nn.TransformerEncoderLayer(512, 8, 2048)
    assert "embeddings" not in ans
    assert right(pt, inst, attention="1050624", ffn="2099712", norms="2048", layer="3152384", total="3152384")
    _, _, ans = solved(PC, arch="decoder", vocab=50257, d_model=1024, d_ff=4096, layers=24, max_pos=1024,
                       segments=0, classes=10, prefix_len=10)
    assert ans["prefix_params"] == 10 * 24 * 2 * 1024 == 491_520
    assert ans["head_params"] == 1024 * 10 + 10
    assert ans["prefix_percent"] == pytest.approx(100 * 491_520 / ans["total"])
    assert 0.1 < ans["prefix_percent"] < 0.2  # about 0.14 % of GPT-2 medium's 355M


def test_param_count_wrong_ffn_carried_into_layer_and_total_earns_the_ecf_credit() -> None:
    pt, inst, truth = solved(PC, arch="bert", vocab=30522, d_model=768, d_ff=3072, layers=12, max_pos=512,
                             segments=2)
    # d_ff read as 768: ffn = 2·768² + 768 + 768; the layer and total that follow from it
    ffn, layer = 1_181_184, 2_362_368 + 1_181_184 + 3072
    total = 23_837_184 + 12 * layer + 768 * 768 + 768
    assert (layer, total) == (3_546_624, 66_987_264)
    given = {"attention": "2362368", "ffn": str(ffn), "norms": "3072", "layer": str(layer),
             "embeddings": "23837184", "total": str(total)}
    r = {p.name: p for p in grade_answers(pt, truth, given, pt.mistakes(inst.params), params=inst.params).parts}
    assert r["ffn"].verdict == "wrong" and r["ffn"].mistake == "d_ff_as_d"
    assert (r["layer"].verdict, r["layer"].score) == ("carried", 0.5)
    assert (r["total"].verdict, r["total"].score) == ("carried", 0.5)
    assert r["total"].feedback.startswith("follows from your layer = 3546624")
    # a total that follows from nothing the student wrote stays wrong
    r2 = grade_answers(pt, truth, {**given, "total": "66987000"}, params=inst.params)
    assert {p.name: p.verdict for p in r2.parts}["total"] == "wrong"


def test_param_count_tied_needs_a_decoder() -> None:
    with pytest.raises(ParamError, match="tied"):
        make(PC).from_params(dict(arch="bert", tied=True))


# ---- patch_tokens: ViT-B/16 at 224 gives 196 patches, 197 tokens; 224/32 at 75 % keeps 12 of 49 -------------------

PT = "transformer/patch_tokens-v1"


def test_patch_tokens_vit_b16() -> None:
    pt, inst, ans = solved(PT, H=224, W=224, C=3, P_h=16, P_w=16, D=768, cls=True)
    assert ans == {"grid": [14, 14], "n_patches": 196, "n_tokens": 197, "patch_dim": 768, "proj_params": 590_592,
                   "pos_params": 151_296}
    assert right(pt, inst, grid="[14, 14]", n_patches="196", n_tokens="197", patch_dim="768",
                 proj_params="590592", pos_params="151296")
    assert mistake_named(pt, inst, "n_tokens", 196) == "cls_forgotten"
    assert mistake_named(pt, inst, "patch_dim", 16 * 3) == "p_for_p_squared"
    assert mistake_named(pt, inst, "patch_dim", 256) == "channels_dropped"
    assert mistake_named(pt, inst, "n_patches", 224 * 224 // 16) == "pixels_over_p"


def test_patch_tokens_llava_and_b32_masking() -> None:
    _, _, ans = solved(PT, H=336, W=336, P_h=14, P_w=14, D=1024, cls=False)
    assert ans["n_tokens"] == 576
    pt, inst, ans = solved(PT, P_h=32, P_w=32, mask_ratio=0.75)
    assert (ans["n_patches"], ans["n_visible"], ans["n_masked"]) == (49, 12, 37)  # MAE keeps int(49 · 0.25)
    assert mistake_named(pt, inst, "n_masked", 36) == "masked_floor"
    _, _, ans = solved(PT, mask_ratio=0.75)
    assert (ans["n_visible"], ans["n_masked"]) == (49, 147)


def test_patch_tokens_spectrogram_both_shapes() -> None:
    for ph, pw in ((16, 16), (2, 128)):
        _, _, ans = solved(PT, H=1024, W=128, C=1, P_h=ph, P_w=pw, D=768, cls=False)
        assert ans["n_patches"] == 512 and ans["patch_dim"] == 256


def test_patch_tokens_patch_must_tile() -> None:
    with pytest.raises(ParamError, match="P_h=15 must divide H=224"):
        make(PT).from_params(dict(P_h=15))


# ---- rope: q = [1,0,1,0] at m = 1 gives [0.540302, 0.841471, 0.999950, 0.010000]; ⟨R_m q, R_n k⟩ = 1.851421 -------

RP = "transformer/rope-v1"


def test_rope_catalog_sample_and_relative_positions() -> None:
    pt, inst, ans = solved(RP, q=[1, 0, 1, 0], k=[0, 1, 1, 1], m=1, n=0)
    assert ans["angles"] == pytest.approx([1.0, 0.01])
    assert ans["q_rot"] == pytest.approx([0.540302, 0.841471, 0.999950, 0.010000], abs=1e-6)
    assert ans["dot"] == pytest.approx(1.851421, abs=1e-6)
    for m, n in ((2, 1), (3, 2), (5, 4)):  # the same m − n, the same dot product
        assert solved(RP, q=[1, 0, 1, 0], k=[0, 1, 1, 1], m=m, n=n)[2]["dot"] == pytest.approx(1.851421, abs=1e-6)
    _, _, ans = solved(RP, q=[1, 0, 1, 0], k=[0, 1, 1, 1], m=2, n=0)
    assert ans["q_rot"] == pytest.approx([-0.416147, 0.909297, 0.999800, 0.019999], abs=1e-6)
    assert mistake_named(pt, inst, "q_rot", "[-0.3012, 0, 1.3818, 0]") == "other_pairing"
    assert mistake_named(pt, inst, "q_rot", [0.540302, -0.841471, 0.999950, -0.010000]) == "clockwise"


def test_rope_half_split_matches_rotate_half() -> None:
    pt, inst, ans = solved(RP, q=[1, 0, 1, 0], k=[0, 1, 1, 1], m=1, n=0, pairing="half")
    assert ans["q_rot"] == pytest.approx([-0.301169, 0, 1.381773, 0], abs=1e-6)  # transformers' apply_rotary_pos_emb
    assert mistake_named(pt, inst, "q_rot", [0.540302, 0.841471, 0.999950, 0.010000]) == "other_pairing"


def test_rope_theta_and_degrees_mistakes() -> None:
    pt, inst, ans = solved(RP, q=[1, 2, 0, 1], k=[1, 0, 1, 1], m=3, n=1)
    assert mistake_named(pt, inst, "angles", [3.0, 3 * 10000 ** -0.25]) == "theta_i_over_d"
    c, s = np.cos(np.deg2rad(3.0)), np.sin(np.deg2rad(3.0))
    c2, s2 = np.cos(np.deg2rad(0.03)), np.sin(np.deg2rad(0.03))
    assert mistake_named(pt, inst, "q_rot", [c - 2 * s, s + 2 * c, -s2, c2]) == "degrees"


def test_rope_needs_even_length() -> None:
    with pytest.raises(ParamError, match="even length"):
        make(RP).from_params(dict(q=[1, 0, 1], k=[1, 1, 1], m=1, n=0))


# ---- attention_cost: n = 512, d = 768: 201,326,592 against 301,989,888; video 268,435,456 against 17,039,360;
# ---- Swin-T stage 1: 64 windows, 2,003,828,736 against 145,108,992; fusion 38,416 against 153,664 -----------------

AC = "transformer/attention_cost-v1"


def test_attention_cost_layer() -> None:
    pt, inst, ans = solved(AC, kind="layer", n=512, d=768)
    assert ans == {"attention_ops": 201_326_592, "recurrent_ops": 301_989_888, "ratio": pytest.approx(2 / 3)}
    assert right(pt, inst, attention_ops="201326592", recurrent_ops="301989888", ratio="0.6667")
    assert mistake_named(pt, inst, "attention_ops", 301_989_888) == "swapped"
    assert mistake_named(pt, inst, "ratio", 1.5) == "swapped"
    assert solved(AC, kind="layer", n=4096, d=768)[2]["ratio"] == pytest.approx(16 / 3)


def test_attention_cost_video_swin_fusion() -> None:
    pt, inst, ans = solved(AC, kind="video", frames=16, tokens=1024)
    assert (ans["full_pairs"], ans["factorised_pairs"]) == (268_435_456, 16_777_216 + 262_144)
    assert ans["ratio"] == pytest.approx(268_435_456 / 17_039_360)
    assert mistake_named(pt, inst, "factorised_pairs", 16_777_216) == "temporal_dropped"
    pt, inst, ans = solved(AC, kind="swin", H=56, W=56, C=96, M=7)
    assert (ans["windows"], ans["msa"], ans["wmsa"]) == (64, 2_003_828_736, 145_108_992)
    assert mistake_named(pt, inst, "wmsa", 2_003_828_736) == "wmsa_global"
    pt, inst, ans = solved(AC, kind="fusion", tokens=196, modalities=2)
    assert (ans["early_pairs"], ans["late_pairs"], ans["ratio"]) == (38_416, 153_664, 4)
    assert mistake_named(pt, inst, "late_pairs", 2 * 38_416) == "late_separate"


def test_attention_cost_windows_must_tile() -> None:
    with pytest.raises(ParamError, match="M=5 must divide"):
        make(AC).from_params(dict(kind="swin", M=5))


# ---- multihead_forward: two heads on tokens as columns, ΔE₂ = [4.358182, 3.193176], ΔE₁ = [1.5, 1.0]; relative bias
# ---- row [0.374187, 0.374187, 0.168133, 0.083492] (gate 0.5: [0.397672, 0.309707, 0.178686, 0.113935]) ----------

MH = "transformer/multihead_forward-v1"
TWO_HEADS = dict(X=[[1, 2], [0, 1]], heads=2, W_q=[[1, 0], [0, 1]], W_k=[[1, 0], [0, 1]], W_v=[[1, 1], [1, 2]],
                 W_O=[[1, 0.5], [0, 1]], causal=True, layout="columns")


def test_multihead_two_heads_columns() -> None:
    pt, inst, ans = solved(MH, **TWO_HEADS)
    assert ans["output"][:, 1] == pytest.approx([4.358182, 3.193176], abs=1e-6)
    assert ans["output"][:, 0] == pytest.approx([1.5, 1.0])
    assert ans["weights"][:, 1] == pytest.approx([0.119203, 0.880797], abs=1e-6)  # head 1, query 2
    assert ans["weights"][:, 3] == pytest.approx([0.268941, 0.731059], abs=1e-6)  # head 2, query 2
    assert ans["heads"][:, 1] == pytest.approx([2.761594, 3.193176], abs=1e-6)
    assert mistake_named(pt, inst, "output", ans["heads"]) == "w_o_dropped"
    assert mistake_named(pt, inst, "heads", ans["heads"][::-1]) == "heads_reversed"
    rows = dict(TWO_HEADS, X=[[1, 0], [2, 1]], layout="rows",
                **{w: np.asarray(TWO_HEADS[w]).T.tolist() for w in ("W_q", "W_k", "W_v", "W_O")})
    _, _, by_rows = solved(MH, **rows)
    for part in ("scores", "weights", "heads", "output"):  # the columns layout is the transpose of the rows one
        assert by_rows[part].T == pytest.approx(ans[part])


def test_multihead_relative_bias_and_gate() -> None:
    bias = [0, 0, 0.5, 1, 0.5, 0, 0]  # b(-3) … b(3)
    base = dict(X=[[1], [0.5], [0.2], [0]], heads=1, W_q=[[2]], W_k=[[1]], W_v=[[1]], W_O=[[1]], rel_bias=bias)
    pt, inst, ans = solved(MH, **base)
    assert ans["scores"][1] == pytest.approx([1.5, 1.5, 0.7, 0.0])
    assert ans["weights"][1] == pytest.approx([0.374187, 0.374187, 0.168133, 0.083492], abs=1e-6)
    _, _, gated = solved(MH, **base, gate=0.5)
    assert gated["weights"][1] == pytest.approx([0.397672, 0.309707, 0.178686, 0.113935], abs=1e-6)
    lopsided = [0, 0, 0.5, 1, 0, 0, 0]  # b(-1) = 0.5, b(1) = 0: b(i − j) and b(j − i) differ
    pt, inst, _ = solved(MH, **dict(base, rel_bias=lopsided))
    wrong = np.asarray(solved(MH, **dict(base, rel_bias=lopsided[::-1]))[2]["weights"])
    assert mistake_named(pt, inst, "weights", wrong) == "bias_reversed"


def test_multihead_matches_nn_multiheadattention() -> None:
    import torch

    pt = make(MH)
    for seed in range(6):
        p = pt.generate(seed, "hard").params
        ans = pt.solve(p)
        cols = p.layout == "columns"

        def t(k: str, p: Any = p, cols: bool = cols) -> torch.Tensor:
            a = np.asarray(p[k], dtype=float)
            return torch.tensor(a.T if cols else a)

        x = t("X")
        n, d = x.shape
        mha = torch.nn.MultiheadAttention(d, p.heads, bias=False, batch_first=True, dtype=torch.float64)
        with torch.no_grad():
            mha.in_proj_weight.copy_(torch.cat([t("W_q").T, t("W_k").T, t("W_v").T]))
            mha.out_proj.weight.copy_(t("W_O").T)
        i = np.arange(n)
        mask = np.zeros((n, n)) if p.rel_bias is None else p.gate * np.asarray(p.rel_bias)[i[:, None] - i + n - 1]
        if p.causal:
            mask = np.where(i[None, :] > i[:, None], -np.inf, mask)
        out, w = mha(x[None], x[None], x[None], attn_mask=torch.tensor(mask), average_attn_weights=False)
        got_out, got_w = out[0].detach().numpy(), w[0].detach().numpy().reshape(p.heads * n, n)
        assert (got_out.T if cols else got_out) == pytest.approx(ans["output"], abs=1e-9)
        assert (got_w.T if cols else got_w) == pytest.approx(ans["weights"], abs=1e-9)


def test_multihead_shapes_checked() -> None:
    with pytest.raises(ParamError, match="heads=3 must divide d=2"):
        make(MH).from_params(dict(TWO_HEADS, heads=3))


# ---- attention/scaled_dot_product-v2 (layout): the slides' column convention. s04 B6: weights of query 1 (0.1400,
# ---- 0.5760, 0.2840), z1 = (1.8600, 1.4359); s01 B3 causal: O₃ = [0.694305, 1.619985]; softmax over queries 1.401112

SD = "attention/scaled_dot_product-v2"


def test_sdp_v2_columns_s04_b6() -> None:
    pt, inst, ans = solved(SD, X=[[1, 0, 1], [0, 2, 1]], W_q=[[1, 0], [0, 1]], W_k=[[0, 1], [1, 0]],
                           W_v=[[1, 1], [0, 1]], layout="columns")
    assert ans["weights"][:, 0] == pytest.approx([0.1400, 0.5760, 0.2840], abs=1e-4)
    assert ans["weights"].sum(0) == pytest.approx([1, 1, 1])  # columns of A sum to 1
    assert ans["output"] == pytest.approx(np.array([[1.8600, 1.4359], [1.5542, 0.6626], [1.8022, 1.2033]]).T,
                                          abs=1e-4)
    # S is symmetric here (W_k swaps the two coordinates), so Aᵀ is also the softmax over the queries
    assert mistake_named(pt, inst, "weights", ans["weights"].T) in ("softmax_wrong_axis", "other_layout")


def test_sdp_v2_columns_s01_b3_causal() -> None:
    pt, inst, ans = solved(SD, X=[[1, 0, 1], [0, 1, 1]], W_q=[[1, 0], [0, 2]], W_k=[[1, 1], [0, 1]],
                           W_v=[[1, 0], [1, 1]], causal=True, layout="columns")
    assert ans["Q"] == pytest.approx(np.array([[1, 0], [0, 2], [1, 2]]).T)
    assert ans["weights"][:, 2] == pytest.approx([0.074320, 0.305695, 0.619985], abs=1e-6)
    assert ans["output"][:, 2] == pytest.approx([0.694305, 1.619985], abs=1e-6)
    assert ans["output"][:, 0] == pytest.approx([1, 1])
    assert pt.mistakes(inst.params)["softmax_wrong_axis"].answers["output"][:, 2] == pytest.approx(
        [1.401112, 3.070874], abs=1e-6)
    assert mistake_named(pt, inst, "scores", ans["scores"].T) == "other_layout"
    no_mask = pt.mistakes(inst.params)["no_mask"].answers["output"]
    assert no_mask[:, 0] == pytest.approx([0.751745, 1.503490], abs=1e-6)


def test_sdp_v2_rows_matches_v1_and_columns_transpose() -> None:
    v1, v2 = make("attention/scaled_dot_product-v1"), make(SD)
    for seed in range(8):
        p1 = v1.generate(seed, "hard").params
        rows = v2.from_params(dict(p1)).params
        a1, a2 = v1.solve(p1), v2.solve(rows)
        assert all(np.allclose(a1[k], a2[k]) for k in a1)
        cols = v2.from_params(dict(p1, layout="columns", **{k: np.asarray(p1[k]).T.tolist()
                                                            for k in ("X", "W_q", "W_k", "W_v")})).params
        a3 = v2.solve(cols)
        assert all(np.allclose(np.asarray(a1[k]).T, a3[k]) for k in a1)


def test_sdp_v2_columns_shapes_checked() -> None:
    with pytest.raises(ParamError, match="layout=columns"):
        make(SD).from_params(dict(X=[[1, 0, 1], [0, 2, 1]], W_q=[[1, 0, 1], [0, 1, 1]], W_k=[[0, 1], [1, 0]],
                                  W_v=[[1, 1], [0, 1]], layout="columns"))


# ---- mrope_ids: 3 text tokens, then 2 frames of 2×2 patches: (3,3,3), (3,3,4), …, (4,4,4); next text id 5 (not 3 + 8)

MR = "transformer/mrope_ids-v1"


def test_mrope_catalog_sample() -> None:
    pt, inst, ans = solved(MR, text_before=3, frames=2, grid_h=2, grid_w=2)
    assert ans["vision_ids"] == [[3, 3, 3], [3, 3, 4], [3, 4, 3], [3, 4, 4], [4, 3, 3], [4, 3, 4], [4, 4, 3],
                                 [4, 4, 4]]
    assert ans["next_id"] == 5
    assert mistake_named(pt, inst, "next_id", 11) == "next_id_by_count"
    _, _, image = solved(MR, text_before=0, frames=1, grid_h=2, grid_w=3)
    assert image["vision_ids"][-1] == [0, 1, 2] and image["next_id"] == 3


# ---- euler_ode: scalar tanh ResNet x0 = 0.5, L = 2: 0.731059 → 1.042915 (without 1/L: 1.707337); vector x₂ =
# ---- [3.125, −1.75]; attention ODE velocities [0.844638, 0.577681], one step Δt = 0.1: [1.084464, 0.057768] -------

EO = "transformer/euler_ode-v1"
EYE = [[1, 0], [0, 1]]


def test_euler_resnet_scalar_and_vector() -> None:
    pt, inst, ans = solved(EO, kind="resnet", x0=[0.5], U=[[1]], V=[[1]], b=[0], L=2, activation="tanh")
    assert ans["trajectory"][:, 0] == pytest.approx([0.731059, 1.042915], abs=1e-6)
    assert mistake_named(pt, inst, "x_final", [1.707337]) == "no_1_over_L"
    _, _, deep = solved(EO, kind="resnet", x0=[0.5], U=[[1]], V=[[1]], b=[0], L=100, activation="tanh")
    assert deep["x_final"][0] == pytest.approx(1.145203, abs=1e-6)  # → asinh(sinh(0.5)·e) = 1.147526
    _, _, ans = solved(EO, kind="resnet", x0=[1, -1], U=[[1, 0], [0, 1], [1, -1]], V=[[1, 0], [0, 1], [1, 1]],
                       b=[0, 0, 0.5], L=2)
    assert ans["trajectory"] == pytest.approx(np.array([[1.75, -1.25], [3.125, -1.75]]))


def test_euler_attention_ode() -> None:
    pt, inst, ans = solved(EO, kind="attention", X=[[1, 0], [0, 1], [1, 1]], W_Q=EYE, W_K=EYE, W_V=EYE, beta=1,
                           dt=0.1)
    assert ans["weights"][0] == pytest.approx([0.422319, 0.155362, 0.422319], abs=1e-6)
    assert ans["velocity"][0] == pytest.approx([0.844638, 0.577681], abs=1e-6)
    assert ans["x_next"][0] == pytest.approx([1.084464, 0.057768], abs=1e-6)
    wrong = pt.mistakes(inst.params)["sqrt_d_added"].answers["velocity"]
    assert mistake_named(pt, inst, "velocity", wrong) == "sqrt_d_added"
    with pytest.raises(ParamError, match="needs X"):
        make(EO).from_params(dict(kind="attention"))
