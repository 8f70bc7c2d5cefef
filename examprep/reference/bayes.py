"""Torch references for the Bayes family: torch.distributions (Categorical, Normal, MultivariateNormal), float64,
batched by shape (one torch op per step for every group of instances with equal sizes)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable
from typing import Any

import torch
from torch.distributions import Categorical

from examprep.params import Params
from examprep.problems.bayes.decide import check_names

F64 = torch.float64


def _grouped(batch: list[Params], key: Callable[[Params], Hashable],
             run: Callable[[list[Params]], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Run ``run`` once per group of instances with the same ``key`` (shape); answers in the batch's order."""
    groups: dict[Hashable, list[int]] = defaultdict(list)
    for i, p in enumerate(batch):
        groups[key(p)].append(i)
    out: list[dict[str, Any]] = [{} for _ in batch]
    for idx in groups.values():
        for i, ans in zip(idx, run([batch[i] for i in idx])):
            out[i] = ans
    return out


def _t(rows: list[Any], device: torch.device) -> torch.Tensor:
    return torch.tensor(rows, dtype=F64, device=device)


def _labels(batch: list[Params], idx: torch.Tensor, k: int) -> list[str]:
    return [check_names(p.classes, k)[int(i)] for p, i in zip(batch, idx.tolist())]


def discrete_posterior(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """Categorical over classes with logits ln P(c) + ln p(x|c); p(x) by logsumexp."""

    def run(ps: list[Params]) -> list[dict[str, Any]]:
        k = len(ps[0].priors)
        log_joint = _t([p.priors for p in ps], device).log() + _t([p.likelihoods for p in ps], device).log()
        post = Categorical(logits=log_joint).probs
        evidence = torch.logsumexp(log_joint, dim=-1).exp()
        lik = _t([p.likelihoods for p in ps], device)
        maps, mls = _labels(ps, post.argmax(-1), k), _labels(ps, lik.argmax(-1), k)
        return [{"joint": j, "evidence": e, "posterior": q, "map_class": a, "ml_class": b}
                for j, e, q, a, b in zip(log_joint.exp().cpu().numpy(), evidence.tolist(), post.cpu().numpy(),
                                         maps, mls)]

    return _grouped(batch, lambda p: len(p.priors), run)
