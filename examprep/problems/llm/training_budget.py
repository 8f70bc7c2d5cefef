"""Pre-training budget: tokens per batch, optimiser steps for a number of epochs, and the learning rate of a linear
warmup then linear decay schedule.

Catalog: seed_004 B11 (BERT: 3.3B words × 40 epochs, 256 × 512 tokens per batch, warmup 10k, 1M steps, peak 1e-4).

Parameters:
    corpus_tokens: corpus size (a word counts as a token). epochs. batch_seqs, seq_len: sequences per batch and
    tokens per sequence. peak_lr, warmup w, total_steps S, step s: the schedule and the step asked about.

Answer parts: ``tokens_per_batch`` = batch_seqs·seq_len, ``steps`` = ⌈corpus_tokens·epochs / tokens_per_batch⌉,
``lr`` = peak·s/w for s ≤ w, else peak·(S − s)/(S − w).

Reference: two ``torch.optim.lr_scheduler.LinearLR`` stages (the stages of a ``SequentialLR``; factor 1 → 0 over w
steps read backwards for the warmup, 1 → 0 over S − w steps for the decay) evaluated in closed form at the step;
ceiling division in int64 (examprep.reference.llm:training_budget). The tests also step a ``SequentialLR``.

Common mistakes: 128,000 tokens per batch (the paper's rounding of 131,072), the number of steps rounded down
(named only below 500 steps: above, one step is within the grader's relative tolerance), the decay taken over all S
steps.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.gan.fair import near_miss
from examprep.seeding import picker
from examprep.solver.expr import Sym, ceil, paren
from examprep.solver.step import Derivation

ETA = Sym("eta", "η_peak", latex=r"\eta_{\text{peak}}", typst='eta_"peak"')
s_, w_, S_ = Sym("s"), Sym("w"), Sym("S")


def budget(p: Params, tpb: int | None = None, floor: bool = False, all_steps: bool = False) -> dict[str, Any]:
    tpb = p.batch_seqs * p.seq_len if tpb is None else tpb
    work = p.corpus_tokens * p.epochs
    steps = work // tpb if floor else -(-work // tpb)
    if p.step <= p.warmup:
        lr = p.peak_lr * p.step / p.warmup
    else:
        lr = p.peak_lr * (p.total_steps - p.step) / (p.total_steps if all_steps else p.total_steps - p.warmup)
    return {"tokens_per_batch": tpb, "steps": steps, "lr": lr}


class TrainingBudget(ProblemType):
    id = "llm/training_budget-v1"
    title = "Training budget: tokens per batch, steps, learning-rate schedule"
    catalog = "seed_004 B11"
    reference_entry = "examprep.reference.llm:training_budget"
    params = (
        Param("corpus_tokens", "int", "corpus size in tokens (a word counts as a token)", lo=1, hi=10**13,
              default=3_300_000_000),
        Param("epochs", "int", "epochs", lo=1, hi=10000, default=40),
        Param("batch_seqs", "int", "sequences per batch", lo=1, hi=10**6, default=256),
        Param("seq_len", "int", "tokens per sequence", lo=1, hi=10**6, default=512),
        Param("peak_lr", "real", "peak learning rate", lo=0, hi=10, default=1e-4),
        Param("warmup", "int", "warmup steps w", lo=1, hi=10**9, default=10_000),
        Param("total_steps", "int", "total steps S", lo=2, hi=10**10, default=1_000_000),
        Param("step", "int", "the step s asked about", lo=0, hi=10**10, default=500_000),
    )
    parts = (
        Part("tokens_per_batch", "Tokens per batch", "integer"),
        Part("steps", "Optimiser steps", "integer", uses=("tokens_per_batch",)),
        Part("lr", "Learning rate at step s", "real", mode="sigfig", digits=4),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = picker(rng)
        if difficulty == "easy":
            w, total = pick([100, 1000]), pick([10_000, 20_000])
            return dict(corpus_tokens=pick([1_000_000, 5_000_000, 10_000_000]), epochs=pick([1, 2, 5]),
                        batch_seqs=pick([16, 32, 64]), seq_len=pick([128, 256]), peak_lr=pick([1e-3, 5e-4]),
                        warmup=w, total_steps=total, step=pick([w // 2, w, total // 2, total - w]))
        w, total = 10_000, pick([100_000, 1_000_000])
        return dict(corpus_tokens=pick([1_000_000_000, 2_500_000_000, 3_300_000_000]), epochs=pick([1, 10, 40]),
                    batch_seqs=pick([128, 256, 512]), seq_len=pick([128, 512]), peak_lr=pick([1e-4, 5e-4]),
                    warmup=w, total_steps=total, step=pick([2_500, 5_000, 10_000, total // 4, total // 2,
                                                            total - 5 * w]))

    def check(self, p: Params) -> list[str]:
        if p.warmup >= p.total_steps:
            raise ParamError(f"warmup={p.warmup} must be shorter than total_steps={p.total_steps}")
        if p.step > p.total_steps:
            raise ParamError(f"step={p.step} is after the last step total_steps={p.total_steps}")
        return []

    def degenerate(self, p: Params) -> str | None:
        if p.step in (0, p.total_steps):
            return "the learning rate is 0 at this step"
        return near_miss(self.solve(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        return [f"A model is pre-trained for $E = {p.epochs}$ epoch{'s' if p.epochs > 1 else ''} on a corpus of "
                f"$N = {p.corpus_tokens}$ tokens (count each word as one token), with batches of $B = {p.batch_seqs}$ "
                f"sequences of $T = {p.seq_len}$ tokens. How many tokens are in a batch, and how many optimiser steps "
                "does training take (a last, partial batch counts as a step)? The learning rate warms up "
                f"linearly from 0 to $\\eta_{{\\text{{peak}}}} = {p.peak_lr:g}$ over $w = {p.warmup}$ steps, "
                f"then decays linearly to 0 at step $S = {p.total_steps}$: $\\eta(s) = \\eta_{{\\text{{peak}}}} "
                "\\cdot s/w$ for $s \\le w$ and $\\eta_{\\text{peak}} \\cdot (S - s)/(S - w)$ after. Give the "
                f"learning rate at step $s = {p.step}$ to 4 significant figures."]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        if not given or "tokens_per_batch" not in given:
            return budget(p)
        tpb = carry(given, "tokens_per_batch", 0)  # error carried forward: the steps from the student's batch
        if tpb != int(tpb) or tpb < 1:
            raise ValueError(f"{tpb:g} tokens per batch is not a positive whole number")
        return budget(p, tpb=int(tpb))

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        d = Derivation()
        nb, L = Sym("B"), Sym("T")
        d.add("Tokens per batch", a["tokens_per_batch"], lhs="N_batch", formula=nb * L,
              subs={"B": p.batch_seqs, "T": p.seq_len}, part="tokens_per_batch")
        nc, ne = Sym("N"), Sym("E")
        d.add("Steps", a["steps"], lhs="steps", formula=ceil(nc * ne / Sym("N_batch")),
              subs={"N": p.corpus_tokens, "E": p.epochs, "N_batch": a["tokens_per_batch"]}, part="steps",
              note="rounded up: the last, partial batch is a step too")
        sub = {"eta": p.peak_lr, "s": p.step, "w": p.warmup, "S": p.total_steps}
        if p.step <= p.warmup:
            d.add("Learning rate (warmup)", a["lr"], lhs=Sym("eta_s", "η(s)", latex=r"\eta(s)", typst="eta(s)"),
                  formula=ETA * s_ / w_, subs=sub, part="lr", note="s ≤ w: still warming up")
        else:
            d.add("Learning rate (decay)", a["lr"], lhs=Sym("eta_s", "η(s)", latex=r"\eta(s)", typst="eta(s)"),
                  formula=ETA * paren(S_ - s_) / paren(S_ - w_), subs=sub, part="lr",
                  note="s > w: decaying linearly from the peak at w to 0 at S")
        d.answer = f"{a['steps']:,} steps; lr = {a['lr']:.4g}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)
        m: dict[str, Mistake] = {}
        tpb = truth["tokens_per_batch"]
        if tpb % 1024 == 0 and tpb >= 1024 * 8:
            wrong = budget(p, tpb=tpb // 1024 * 1000)
            m["paper_rounding"] = Mistake({"tokens_per_batch": wrong["tokens_per_batch"], "steps": wrong["steps"]},
                                          f"{tpb // 1024}·1024 = {tpb:,}, not {tpb // 1024 * 1000:,}: multiply the "
                                          "sequences by their length exactly.")
        fl = budget(p, floor=True)
        # one step fewer is within the grader's relative 2e-3 once there are 500 steps or more: no mistake there
        if fl["steps"] != truth["steps"] and truth["steps"] < 500:
            m["floor"] = Mistake({"steps": fl["steps"]},
                                 "The last, partial batch is a step too: round the number of steps up.")
        if p.step > p.warmup:
            m["decay_over_all_steps"] = Mistake({"lr": budget(p, all_steps=True)["lr"]},
                                                "The decay starts at the peak at step w: divide by S − w, not S.")
        return m
