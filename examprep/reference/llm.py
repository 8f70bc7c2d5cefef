"""Torch references for the llm family, written from torch losses and distributions, batched over instances."""

from __future__ import annotations

import math

import numpy as np
import torch

from examprep.params import Params
from examprep.reference.batching import Answers, grouped
from examprep.reference.packing import real


def sequence_nll(batch: list[Params], device: torch.device) -> Answers:
    """Token sequences: ``F.nll_loss`` (sum) on log-probabilities with the reference token as the target (the
    other class holds the rest of the mass); pixels: ``Bernoulli(probs).log_prob(x)``. Grouped by length and kind."""
    import torch.nn.functional as F

    def run(ps: list[Params]) -> dict:
        pr = real(np.array([p.probs for p in ps]), device)
        B, n = pr.shape  # noqa: N806
        if ps[0].x is not None:
            x = real(np.array([p.x for p in ps], dtype=np.float64), device)
            logp = torch.distributions.Bernoulli(probs=pr).log_prob(x).sum(1)
            nll = -logp
        else:
            logits = torch.log(torch.stack([pr, 1 - pr], -1)).reshape(B * n, 2)
            target = torch.zeros(B * n, dtype=torch.int64, device=device)
            nll = F.nll_loss(logits, target, reduction="none").view(B, n).sum(1)
        mean = nll / n
        out = {"likelihood": torch.exp(-nll), "nll": nll, "mean_nll": mean, "perplexity": torch.exp(mean),
               "bits_per_dim": nll / (n * math.log(2))}
        if ps[0].l_con is not None:
            col = lambda k: real(np.array([getattr(p, k) for p in ps]), device)  # noqa: E731
            out["total_loss"] = col("lambda_con") * col("l_con") + col("lambda_cap") * mean
        return out

    return grouped(batch, lambda p: (len(p.probs), p.x is not None, p.l_con is not None), run)


def dpo_loss(batch: list[Params], device: torch.device) -> Answers:
    """``-F.logsigmoid(β((lw − rw) − (ll − rl)))`` on the whole batch; gradients by autograd of the summed losses
    (each loss depends on its own instance only)."""
    import torch.nn.functional as F

    col = lambda k: real(np.array([getattr(p, k) for p in batch]), device)  # noqa: E731
    beta = col("beta")
    lw = col("logp_w").requires_grad_(True)
    ll = col("logp_l").requires_grad_(True)
    rw, rl = col("ref_w"), col("ref_l")
    with torch.enable_grad():
        margin = beta * ((lw - rw) - (ll - rl))
        loss = -F.logsigmoid(margin)
        gw, gl = torch.autograd.grad(loss.sum(), (lw, ll))
    return Answers(len(batch)).add(None, {"reward_w": beta * (lw - rw).detach(), "reward_l": beta * (ll - rl).detach(),
                                          "margin": margin.detach(), "loss": loss.detach(), "grad_w": gw,
                                          "grad_l": gl})


def grpo_objective(batch: list[Params], device: torch.device) -> Answers:
    """``torch.std`` (correction 0 or 1), ``torch.clamp`` and ``torch.minimum``; groups of one size and KL option
    together."""

    def run(ps: list[Params]) -> dict:
        r = real(np.array([p.rewards for p in ps]), device)
        rho = real(np.array([p.ratios for p in ps]), device)
        eps = real(np.array([p.eps for p in ps]), device)[:, None]
        corr = torch.tensor([0 if p.std == "population" else 1 for p in ps], device=device)[:, None]
        sd = torch.where(corr == 0, r.std(dim=1, correction=0, keepdim=True), r.std(dim=1, correction=1,
                                                                                   keepdim=True))
        adv = (r - r.mean(1, keepdim=True)) / sd
        clipped = torch.clamp(rho, 1 - eps, 1 + eps)
        terms = torch.minimum(rho * adv, clipped * adv)
        out = {"advantages": adv, "clipped": clipped, "terms": terms, "objective": terms.mean(1)}
        if ps[0].ref_ratios is not None:
            q = real(np.array([p.ref_ratios for p in ps]), device)
            kl = q - torch.log(q) - 1
            beta = real(np.array([p.beta for p in ps]), device)
            out["kl"], out["objective"] = kl, terms.mean(1) - beta * kl.mean(1)
        return out

    return grouped(batch, lambda p: (len(p.rewards), p.ref_ratios is not None), run)


def bert_masking(batch: list[Params], device: torch.device) -> Answers:
    """Per-position selection probabilities (p, and 0 at the special positions) of a (sequences, tokens) batch; the
    expected counts are their sums (the mean of ``torch.bernoulli`` draws), split by the shares as a probability
    vector; NotNext as the expectation of a Bernoulli(1/2) per sequence."""
    rows = []
    for p in batch:
        prob = torch.full((p.tokens,), p.p_select, dtype=torch.float64, device=device)
        prob[: p.special] = 0  # which positions are special does not change the expectation
        sel = prob.sum() * p.sequences
        shares = torch.tensor(p.split, dtype=torch.float64, device=device) * sel
        rows.append(torch.cat([sel[None], shares, torch.full((1,), 0.5, dtype=torch.float64, device=device)
                               * p.sequences]))
    cols = torch.stack(rows)
    return Answers(len(batch)).add(None, {k: cols[:, i] for i, k in enumerate(
        ("selected", "masked", "random", "unchanged", "not_next"))})


def bert_qa_span(batch: list[Params], device: torch.device) -> Answers:
    """``torch.softmax`` of T·S and T·E, then the arg-max of their outer product over every allowed (i, j) (i ≤ j,
    within max_len), by passage length."""

    def run(ps: list[Params]) -> dict:
        t = real(np.array([p.T for p in ps]), device)
        s = real(np.array([p.S for p in ps]), device)
        e = real(np.array([p.E for p in ps]), device)
        n = t.shape[1]
        start = torch.softmax(torch.einsum("bnd,bd->bn", t, s), 1)
        end = torch.softmax(torch.einsum("bnd,bd->bn", t, e), 1)
        joint = start[:, :, None] * end[:, None, :]
        i = torch.arange(n, device=device)
        length = i[None, :] - i[:, None] + 1  # j − i + 1
        lim = torch.tensor([p.max_len or n for p in ps], device=device)[:, None, None]
        allowed = (length >= 1)[None] & (length[None] <= lim)
        flat = torch.where(allowed, joint, torch.full_like(joint, -1.0)).flatten(1)
        top = flat.max(1, keepdim=True).values
        # exact ties: the first span in reading order (an index ramp, smallest where the maximum is reached)
        ramp = torch.arange(n * n, device=device).expand_as(flat)
        first = torch.where(flat >= top * (1 - 1e-12), ramp, n * n).min(1).values
        span = torch.stack([first // n, first % n], 1) + 1
        return {"start_probs": start, "end_probs": end, "span": span, "span_prob": flat.gather(1, first[:, None])[:, 0]}

    return grouped(batch, lambda p: np.shape(p.T), run)


def training_budget(batch: list[Params], device: torch.device) -> Answers:
    """Ceiling division in int64 torch; the learning rate from two ``LinearLR`` stages (the stages of a
    ``SequentialLR`` with its milestone at w), each evaluated in closed form at the step: the warmup as the 1 → 0
    ramp over w steps read at w − s, the decay as the 1 → 0 ramp over S − w steps read at s − w."""
    from torch.optim.lr_scheduler import LinearLR

    tpb = torch.tensor([p.batch_seqs * p.seq_len for p in batch], dtype=torch.int64)
    work = torch.tensor([p.corpus_tokens for p in batch], dtype=torch.int64) * torch.tensor(
        [p.epochs for p in batch], dtype=torch.int64)
    steps = -torch.div(-work, tpb, rounding_mode="floor")
    lrs = []
    param = torch.nn.Parameter(torch.zeros(1))
    for p in batch:
        opt = torch.optim.SGD([param], lr=p.peak_lr)
        warm = p.step <= p.warmup
        stage = LinearLR(opt, start_factor=1.0, end_factor=0.0,
                         total_iters=p.warmup if warm else p.total_steps - p.warmup)
        stage.last_epoch = p.warmup - p.step if warm else p.step - p.warmup
        lrs.append(float(stage._get_closed_form_lr()[0]))
    return Answers(len(batch)).add(None, {"tokens_per_batch": tpb, "steps": steps, "lr": np.array(lrs)})


def glue_average(batch: list[Params], device: torch.device) -> Answers:
    """``numpy.mean`` of the nine columns; a missing column as 9·average − 8·(mean of the other eight)."""
    rows = []
    for p in batch:
        s = np.asarray(p.scores, dtype=np.float64)
        if p.missing is None:
            rows.append({"average": float(np.mean(s))})
        else:
            rest = np.delete(s, p.missing - 1)
            rows.append({"missing_score": float(9 * p.average - 8 * np.mean(rest))})
    return Answers.from_rows(rows)
