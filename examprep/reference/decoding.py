"""Torch reference for greedy decoding and beam search on a bigram decoder table (``rnn/beam_search``), batched over
instances of one shape.

Written from the tensors, not from the problem module's loops: every complete output is enumerated with
``itertools.product`` (cut at its first </s>) and scored by gathering ``torch.log`` of the table; greedy decoding is
``torch.argmax`` on each step's row; beam search keeps a (batch, K) tensor of hypotheses and keeps the K first of a
stable ``torch.sort`` of the flattened (hypothesis × next token) scores (ties to the earlier candidate, as
``solve``), a finished hypothesis entering as one candidate of its own (its score, the other columns −∞).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import torch

from examprep.params import Params
from examprep.reference import packing
from examprep.reference.batching import Answers, grouped

END = "</s>"
PAD = -1


def _key(score: torch.Tensor) -> torch.Tensor:
    """Scores as ranked: rounded to 1e-9 (sums of logs equal but for rounding tie), −∞ kept."""
    return torch.where(torch.isfinite(score), torch.round(score * 1e9), score)


def _ranked(score: torch.Tensor) -> torch.Tensor:
    """Indices of each row, best score first; ties keep the earlier candidate (a stable sort)."""
    return torch.sort(_key(score), dim=-1, descending=True, stable=True).indices


def _score(logf: torch.Tensor, logn: torch.Tensor, seqs: torch.Tensor) -> torch.Tensor:
    """(B, M) summed ln probabilities of the token sequences ``seqs`` (B, M, T), padded with PAD after their end."""
    B, M, T = seqs.shape  # noqa: N806
    rows = torch.arange(B, device=seqs.device)[:, None]
    tok = seqs.clamp(min=0)
    total = logf[rows, tok[..., 0]]
    for t in range(1, T):
        step = logn[rows, tok[..., t - 1], tok[..., t]]
        total = total + torch.where(seqs[..., t] != PAD, step, torch.zeros_like(step))
    return total


def _outputs(n: int, end: int, T: int) -> list[tuple[int, ...]]:  # noqa: N803
    """Every complete output: each length-T token sequence cut after its first </s>, without repeats."""
    cut = {s[:s.index(end) + 1] if end in s else s for s in itertools.product(range(n), repeat=T)}
    return sorted(cut)


def _greedy(logf: torch.Tensor, logn: torch.Tensor, end: int, T: int) -> torch.Tensor:  # noqa: N803
    B = logf.shape[0]  # noqa: N806
    rows = torch.arange(B, device=logf.device)
    seq = torch.full((B, T), PAD, dtype=torch.long, device=logf.device)
    done = torch.zeros(B, dtype=torch.bool, device=logf.device)
    last = torch.zeros(B, dtype=torch.long, device=logf.device)
    for t in range(T):
        tok = torch.argmax(logf if t == 0 else logn[rows, last], dim=-1)
        seq[:, t] = torch.where(done, PAD, tok)
        last = torch.where(done, last, tok)
        done = done | (tok == end)
    return seq


def _beam(logf: torch.Tensor, logn: torch.Tensor, end: int, T: int, K: int) -> torch.Tensor:  # noqa: N803
    B, n = logf.shape  # noqa: N806
    rows = torch.arange(B, device=logf.device)[:, None]
    first = _ranked(logf)[:, :K]
    score, seq = logf.gather(1, first), first[..., None]  # (B, k), (B, k, 1); k = min(K, n)
    done = (seq[..., 0] == end) | (T == 1)
    for t in range(1, T):
        ext = score[..., None] + logn[rows, seq[..., -1].clamp(min=0)]  # (B, k, n)
        stay = torch.full_like(ext, -torch.inf)
        stay[..., 0] = score
        cand = torch.where(done[..., None], stay, ext).flatten(1)
        order = _ranked(cand)[:, :K]
        parent, tok = order // n, order % n
        was = done.gather(1, parent)
        seq = torch.cat([seq[rows, parent], torch.where(was, PAD, tok)[..., None]], dim=-1)
        score = cand.gather(1, order)
        done = was | (tok == end) | (t == T - 1)
    best = torch.argmax(_key(score), dim=-1)
    return seq[rows[:, 0], best]


def beam_search(batch: list[Params], device: torch.device) -> Answers:
    """Greedy, beam and exhaustive outputs with the ln probabilities of the first two, by (vocabulary size,
    position of </s>, T, K)."""

    def run(ps: list[Params]) -> dict[str, Any]:
        vocab, T, K = ps[0].vocab, ps[0].max_len, ps[0].beam_width  # noqa: N806
        end = vocab.index(END)
        logf = torch.log(packing.real(np.array([p.p_first for p in ps]), device))
        logn = torch.log(packing.real(np.array([p.p_next for p in ps]), device))
        outs = _outputs(len(vocab), end, T)
        table = torch.tensor([o + (PAD,) * (T - len(o)) for o in outs], dtype=torch.long, device=device)
        best = torch.argmax(_key(_score(logf, logn, table.expand(len(ps), -1, -1))), dim=-1)
        greedy, beam = _greedy(logf, logn, end, T), _beam(logf, logn, end, T, K)
        cols: dict[str, Any] = {"greedy_logprob": _score(logf, logn, greedy[:, None])[:, 0],
                                "beam_logprob": _score(logf, logn, beam[:, None])[:, 0]}
        for name, seqs in (("greedy", greedy), ("beam", beam), ("best", table[best])):
            cols[name] = [" ".join(p.vocab[t] for t in row if t != PAD) for p, row in zip(ps, seqs.tolist(),
                                                                                           strict=True)]
        return cols

    return grouped(batch, lambda p: (len(p.vocab), p.vocab.index(END), p.max_len, p.beam_width), run)
