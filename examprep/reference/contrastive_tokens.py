"""Torch references for the token-level contrastive types (FILIP/FLIP, STAIR), written from the papers and batched.

Nothing here reuses the problem modules' arithmetic: tokens are normalised with ``F.normalize`` and compared with a
batched ``einsum``; FLIP's visible patches are counted from an MAE-style random masking; STAIR's embedding is
``log1p`` of ``relu`` max-pooled with ``amax``.
"""

from __future__ import annotations

import numpy as np
import torch

from examprep.params import Params
from examprep.reference.batching import Answers, grouped
from examprep.reference.packing import real


def _flip_visible(ps: list[Params], device: torch.device) -> torch.Tensor:
    """FLIP (Li et al. 2023) masks like MAE's ``random_masking``: uniform noise per patch, ``argsort``, the first
    round(L(1 − ρ)) of the shuffled patches kept; returns how many patches each instance keeps."""
    out = torch.empty(len(ps), dtype=torch.int64)
    gen = torch.Generator(device="cpu").manual_seed(0)
    by_len: dict[int, list[int]] = {}
    for i, p in enumerate(ps):
        by_len.setdefault(int(p.n_patches), []).append(i)
    for n, idx in by_len.items():
        noise = torch.rand(len(idx), n, generator=gen).to(device)
        rank = torch.argsort(torch.argsort(noise, dim=1), dim=1)  # each patch's place in the shuffle
        keep = torch.round(n * (1 - real(np.asarray([ps[i].mask_ratio for i in idx]), device)))
        out[idx] = (rank < keep[:, None]).sum(1).cpu()
    return out


def filip_similarity(batch: list[Params], device: torch.device) -> Answers:
    """FILIP (Yao et al. 2021, eq. 4–5): ``F.normalize`` both token sets, S = einsum('kd,rd->kr'), the image-to-text
    score the mean over patches of ``amax`` over tokens and the text-to-image score the reverse."""
    import torch.nn.functional as F

    def run(ps: list[Params]) -> dict:
        x = F.normalize(real(np.asarray([p.X for p in ps]), device), dim=-1)
        y = F.normalize(real(np.asarray([p.Y for p in ps]), device), dim=-1)
        s = torch.einsum("bkd,brd->bkr", x, y)
        return {"sim": s, "s_i2t": s.amax(dim=2).mean(dim=1), "s_t2i": s.amax(dim=1).mean(dim=1),
                "visible": _flip_visible(ps, device)}

    return grouped(batch, lambda p: (np.shape(p.X), np.shape(p.Y)), run)


def stair_sparse(batch: list[Params], device: torch.device) -> Answers:
    """STAIR (Chen et al. 2023, eq. 1; SPLADE's pooling): ``torch.log1p(torch.relu(W))`` max-pooled over the tokens
    with ``amax``, and ``torch.count_nonzero`` of the result."""

    def run(ps: list[Params]) -> dict:
        w = real(np.asarray([p.logits for p in ps]), device)
        h = torch.log1p(torch.relu(w)).amax(dim=1)
        return {"h": h, "nnz": torch.count_nonzero(h, dim=-1).cpu()}

    return grouped(batch, lambda p: np.shape(p.logits), run)
