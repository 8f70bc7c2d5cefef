"""LLM types: the catalog's worked examples, the wrong values graded as named mistakes, validation, and the
batched references against solve on mixed batches."""

from __future__ import annotations

import numpy as np
import pytest
from family_helpers import family_checks, mistake_named, right, solved

from examprep.errors import ParamError
from examprep.grader.score import grade_answers
from examprep.registry import make

IDS = ["llm/sequence_nll-v1", "llm/dpo_loss-v1", "llm/grpo_objective-v1", "llm/bert_masking-v1",
       "llm/bert_qa_span-v1", "llm/training_budget-v1", "llm/glue_average-v1"]


test_reference_agrees, test_self_test_every_difficulty, test_reference_on_a_mixed_batch = family_checks(
    IDS, batch=300, seeds=10, mixed=15)


# ---- sequence_nll: [0.5, 0.4, 0.8, 0.9] gives NLL 1.937942, perplexity 1.623340 (log2: 2.795859); PixelCNN
# ---- x = (1,0,0,1) gives 0.2016 and 0.57761 bits/dim; CoCa [0.5, 0.8, 0.9] with L_con 0.6 gives 1.281101 ---------

SN = "llm/sequence_nll-v1"


def test_sequence_nll_caption() -> None:
    pt, inst, ans = solved(SN, probs=[0.5, 0.4, 0.8, 0.9])
    assert ans["nll"] == pytest.approx(1.937942, abs=1e-6)
    assert ans["mean_nll"] == pytest.approx(0.484485, abs=1e-6)
    assert ans["perplexity"] == pytest.approx(1.623340, abs=1e-6)
    assert right(pt, inst, nll="1.938", mean_nll="0.4845", perplexity="1.623", bits_per_dim="0.6990")
    assert mistake_named(pt, inst, "nll", 2.795859) == "log2"
    assert mistake_named(pt, inst, "perplexity", np.exp(1.937942)) == "exp_of_sum"
    assert mistake_named(pt, inst, "perplexity", 2 ** 0.484485) == "two_to_mean"
    _, _, ans = solved(SN, probs=[0.5, 0.25, 0.8, 0.1])
    assert ans["perplexity"] == pytest.approx(0.01 ** -0.25)


def test_sequence_nll_pixelcnn_and_coca() -> None:
    pt, inst, ans = solved(SN, probs=[0.9, 0.6, 0.3, 0.8], x=[1, 0, 0, 1])
    assert ans["likelihood"] == pytest.approx(0.9 * 0.4 * 0.7 * 0.8)
    assert ans["nll"] == pytest.approx(1.60147, abs=1e-5)
    assert ans["bits_per_dim"] == pytest.approx(0.57761, abs=1e-5)
    assert mistake_named(pt, inst, "likelihood", 0.9 * 0.6 * 0.3 * 0.8) == "p_one_where_zero"
    pt, inst, ans = solved(SN, probs=[0.5, 0.8, 0.9], l_con=0.6)
    assert ans["nll"] == pytest.approx(1.021651, abs=1e-6)
    assert ans["total_loss"] == pytest.approx(1.281101, abs=1e-6)


def test_sequence_nll_zero_probability_rejected() -> None:
    with pytest.raises(ParamError, match="−∞"):
        make(SN).from_params(dict(probs=[0.5, 1.0], x=[1, 0]))


# ---- dpo_loss: β = 0.1, log-ratios +2 and −2: m = 0.4, L = 0.513015, gradients ∓0.040131; swapped 0.913015, no β
# ---- 0.018150 -------------------------------------------------------------------------------------------------------

DPO = "llm/dpo_loss-v1"


def test_dpo_catalog_sample_and_mistakes() -> None:
    pt, inst, ans = solved(DPO, beta=0.1, logp_w=-12, ref_w=-14, logp_l=-15, ref_l=-13)
    assert (ans["reward_w"], ans["reward_l"], ans["margin"]) == pytest.approx((0.2, -0.2, 0.4))
    assert ans["loss"] == pytest.approx(0.513015, abs=1e-6)
    assert (ans["grad_w"], ans["grad_l"]) == pytest.approx((-0.040131, 0.040131), abs=1e-6)
    assert right(pt, inst, reward_w="0.2", reward_l="-0.2", margin="0.4", loss="0.5130", grad_w="-0.04013",
                 grad_l="0.04013")
    assert mistake_named(pt, inst, "loss", 0.913015) == "swapped"
    assert mistake_named(pt, inst, "loss", 0.018150) == "beta_dropped"
    assert mistake_named(pt, inst, "loss", 1 / (1 + np.exp(-0.4))) == "sigma_m"
    assert mistake_named(pt, inst, "reward_w", 0.1 * np.exp(2)) == "prob_ratios"


def test_dpo_wrong_reward_carried_forward_earns_the_ecf_credit() -> None:
    # the student's rejected reward 0.1 (not −0.2) gives m = 0.1, L = ln(1 + e^−0.1) = 0.644397 and
    # ∂L/∂ln π_θ(y_w) = −β σ(−0.1) = −0.1 · 0.475021
    pt, inst, ans = solved(DPO, beta=0.1, logp_w=-12, ref_w=-14, logp_l=-15, ref_l=-13)
    given = {"reward_w": "0.2", "reward_l": "0.1", "margin": "0.1", "loss": "0.6444", "grad_w": "-0.04750",
             "grad_l": "0.04750"}
    r = {p.name: p for p in grade_answers(pt, ans, given, params=inst.params).parts}
    assert (r["reward_w"].verdict, r["reward_l"].verdict) == ("right", "wrong")
    for part in ("margin", "loss", "grad_w", "grad_l"):
        assert (r[part].verdict, r[part].score) == ("carried", 0.5), part
    assert r["loss"].feedback.startswith("follows from your margin = 0.1, reward_w = 0.2, reward_l = 0.1")
    # a loss that follows from no margin the student wrote stays wrong
    r = {p.name: p for p in grade_answers(pt, ans, {**given, "loss": "0.6"}, params=inst.params).parts}
    assert r["loss"].verdict == "wrong"


def test_dpo_gradient_matches_finite_difference() -> None:
    pt = make(DPO)
    p = pt.generate(3, "hard").params
    h = 1e-6
    up = pt.from_params(dict(p, logp_w=p.logp_w + h)).params
    down = pt.from_params(dict(p, logp_w=p.logp_w - h)).params
    assert (pt.solve(up)["loss"] - pt.solve(down)["loss"]) / (2 * h) == pytest.approx(pt.solve(p)["grad_w"], rel=1e-6)


# ---- grpo_objective: r = [1,0,1,0], ρ = [1.3, 0.9, 0.95, 0.7], ε = 0.2: J = 0.1125 (source's clip(ρ·r): 0.9375; max:
# ---- 0.1625; sample std: 0.097428); k3 KL [0.005361, 0.004690, 0, 0.023144] ---------------------------------------

GR = "llm/grpo_objective-v1"
GROUP = dict(rewards=[1, 0, 1, 0], ratios=[1.3, 0.9, 0.95, 0.7])


def test_grpo_catalog_group() -> None:
    pt, inst, ans = solved(GR, **GROUP)
    assert ans["advantages"] == pytest.approx([1, -1, 1, -1])
    assert ans["clipped"] == pytest.approx([1.2, 0.9, 0.95, 0.8])
    assert ans["terms"] == pytest.approx([1.2, -0.9, 0.95, -0.8])
    assert ans["objective"] == pytest.approx(0.1125)
    assert right(pt, inst, advantages="[1, -1, 1, -1]", clipped="[1.2, 0.9, 0.95, 0.8]",
                 terms="[1.2, -0.9, 0.95, -0.8]", objective="0.1125")
    assert mistake_named(pt, inst, "objective", 0.9375) == "ratio_times_reward_clipped"
    assert mistake_named(pt, inst, "objective", 0.1625) == "max_for_min"
    assert mistake_named(pt, inst, "objective", 0.097428) == "other_std"
    assert solved(GR, **GROUP, std="sample")[2]["objective"] == pytest.approx(0.097428, abs=1e-6)


def test_grpo_kl_term() -> None:
    _, _, ans = solved(GR, **GROUP, beta=0.04, ref_ratios=[0.9, 1.1, 1.0, 0.8])
    assert ans["kl"] == pytest.approx([0.005361, 0.004690, 0, 0.023144], abs=1e-6)
    assert ans["objective"] == pytest.approx(0.1125 - 0.04 * np.mean(ans["kl"]))


def test_grpo_equal_rewards_rejected() -> None:
    with pytest.raises(ParamError, match="standard deviation is 0"):
        make(GR).from_params(dict(rewards=[1, 1], ratios=[1, 1]))


# ---- bert_masking: N = 1000 gives 150 chosen, 120 [MASK], 15 random, 15 unchanged (1.5 % overall) ---------------

BM = "llm/bert_masking-v1"


def test_bert_masking_counts_and_mistakes() -> None:
    pt, inst, ans = solved(BM, tokens=1000)
    assert ans == {"selected": 150, "masked": 120, "random": 15, "unchanged": 15, "not_next": 0.5}
    assert mistake_named(pt, inst, "random", 100) == "share_of_all_tokens"
    assert mistake_named(pt, inst, "masked", 800) == "share_of_all_tokens"
    pt, inst, ans = solved(BM, tokens=512, special=3, sequences=256)
    assert ans["selected"] == pytest.approx(0.15 * 509 * 256)
    assert ans["not_next"] == 128
    assert mistake_named(pt, inst, "selected", 0.15 * 512 * 256) == "specials_counted"


def test_bert_masking_matches_a_bernoulli_simulation() -> None:
    import torch

    pt, _, ans = solved(BM, tokens=128, special=2, sequences=64)
    g = torch.Generator().manual_seed(0)
    runs = 200
    prob = torch.full((runs, 64, 128), 0.15, dtype=torch.float64)
    prob[..., :2] = 0
    chosen = torch.bernoulli(prob, generator=g)
    kind = torch.multinomial(torch.tensor([0.8, 0.1, 0.1]), runs * 64 * 128, replacement=True, generator=g)
    masked = (chosen.flatten() * (kind == 0)).view(runs, -1).sum(1).double().mean().item()
    assert chosen.sum((1, 2)).mean().item() == pytest.approx(ans["selected"], rel=0.01)
    assert masked == pytest.approx(ans["masked"], rel=0.01)


def test_bert_masking_split_must_sum_to_one() -> None:
    with pytest.raises(ParamError, match="summing to 1"):
        make(BM).from_params(dict(split=[0.8, 0.1, 0.2]))


# ---- bert_qa_span: S = (1,0), E = (0,1): P_start = (0.1293, 0.5793, 0.2131, 0.0784), P_end = (0.0771, 0.0942,
# ---- 0.3128, 0.5158), best span 2..4 with probability 0.2988 ----------------------------------------------------

QA = "llm/bert_qa_span-v1"
PASSAGE = [[0.5, 0.1], [2, 0.3], [1, 1.5], [0, 2]]


def test_bert_qa_catalog_sample() -> None:
    pt, inst, ans = solved(QA, S=[1, 0], E=[0, 1], T=PASSAGE)
    assert ans["start_probs"] == pytest.approx([0.1293, 0.5793, 0.2131, 0.0784], abs=1e-4)
    assert ans["end_probs"] == pytest.approx([0.0771, 0.0942, 0.3128, 0.5158], abs=1e-4)
    assert ans["span"] == [2, 4]
    assert ans["span_prob"] == pytest.approx(0.2988, abs=1e-4)
    assert right(pt, inst, span="[2, 4]", span_prob="0.2988")
    assert mistake_named(pt, inst, "end_probs", ans["start_probs"]) == "s_for_end"


def test_bert_qa_order_constraint_and_length_limit() -> None:
    # the end scores favour token 1 and the start scores token 3: the arg-maxes give [3, 1], not a span
    pt, inst, ans = solved(QA, S=[1, 0], E=[0, 1], T=[[0, 2], [0.5, 0.5], [2, 0]])
    assert ans["span"][0] <= ans["span"][1]
    assert mistake_named(pt, inst, "span", [3, 1]) == "independent_argmax"
    _, _, short = solved(QA, S=[1, 0], E=[0, 1], T=PASSAGE, max_len=2)
    assert short["span"][1] - short["span"][0] + 1 <= 2
    assert short["span_prob"] < ans["span_prob"] or short["span"] != [2, 4]


# ---- training_budget: 256 × 512 = 131,072 tokens per batch (the paper's "128,000"), 40 epochs of 3.3B words in
# ---- ⌈1,007,080.08⌉ steps; warmup 10k, 1M steps, peak 1e-4 -------------------------------------------------------

TB = "llm/training_budget-v1"


def test_training_budget_bert() -> None:
    pt, inst, ans = solved(TB)
    assert ans["tokens_per_batch"] == 131_072
    assert ans["steps"] == 1_007_081
    assert ans["lr"] == pytest.approx(1e-4 * 500_000 / 990_000)
    assert mistake_named(pt, inst, "tokens_per_batch", 128_000) == "paper_rounding"
    assert mistake_named(pt, inst, "lr", 5e-5) == "decay_over_all_steps"
    assert solved(TB, step=2_500)[2]["lr"] == pytest.approx(2.5e-5)


def test_training_budget_floor_on_a_small_run() -> None:
    pt, inst, ans = solved(TB, corpus_tokens=5_000_000, epochs=1, batch_seqs=64, seq_len=256, warmup=1000,
                           total_steps=10_000, step=500)
    assert ans["steps"] == 306  # 5,000,000 / 16,384 = 305.2
    assert mistake_named(pt, inst, "steps", 305) == "floor"


def test_training_budget_matches_a_stepped_sequential_lr() -> None:
    import torch
    from torch.optim.lr_scheduler import LambdaLR, LinearLR, SequentialLR

    pt = make(TB)
    w, total, peak = 10, 60, 0.5
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=peak)
    # the warmup as a LambdaLR ramp from 0 (LinearLR cannot start at factor 0), then LinearLR decay 1 → 0
    sched = SequentialLR(opt, [LambdaLR(opt, lambda s: s / w),
                               LinearLR(opt, start_factor=1.0, end_factor=0.0, total_iters=total - w)],
                         milestones=[w])
    for s in range(total):
        want = pt.solve(pt.from_params(dict(peak_lr=peak, warmup=w, total_steps=total, step=s)).params)["lr"]
        assert opt.param_groups[0]["lr"] == pytest.approx(want, abs=1e-12), s
        opt.step()
        sched.step()


# ---- glue_average: BERT-base's row averages 79.6 over all nine columns; 79.1 with MNLI-mm left out --------------

GL = "llm/glue_average-v1"
BERT_BASE = [84.6, 83.4, 71.2, 90.5, 93.5, 52.1, 85.8, 88.9, 66.4]


def test_glue_bert_base_average() -> None:
    pt, inst, ans = solved(GL, scores=BERT_BASE)
    assert ans["average"] == pytest.approx(79.6)
    assert right(pt, inst, average="79.6")
    assert mistake_named(pt, inst, "average", 79.125) == "mnli_mm_left_out"
    assert mistake_named(pt, inst, "average", "79.1") == "mnli_mm_left_out"


def test_glue_missing_cell() -> None:
    scores = [0.0 if i == 6 else v for i, v in enumerate(BERT_BASE)]  # STS-B unknown
    pt, inst, ans = solved(GL, scores=scores, missing=7, average=79.6)
    assert ans == {"missing_score": pytest.approx(85.8)}
    assert mistake_named(pt, inst, "missing_score", 8 * 79.6 - (716.4 - 85.8 - 83.4)) == "mnli_mm_left_out"
    with pytest.raises(ParamError, match="go together"):
        make(GL).from_params(dict(scores=BERT_BASE, missing=7))
