"""Torch references for the multimodal gating and loss types of the contrastive topic (Flamingo, TVLT), written from
the papers' definitions and batched over instances.

Nothing here reuses the problem modules' arithmetic: Flamingo's gate is ``torch.tanh`` and ``torch.addcmul``; TVLT's
VAM loss is ``F.binary_cross_entropy_with_logits`` on the raw logit and its MAE loss ``F.mse_loss`` with a masked
mean.
"""

from __future__ import annotations

import numpy as np
import torch

from examprep.params import Params
from examprep.reference.batching import Answers, grouped
from examprep.reference.packing import real


def flamingo_gate(batch: list[Params], device: torch.device) -> Answers:
    """Flamingo (Alayrac et al. 2022, eq. of the gated XATTN-DENSE block): y = x + tanh(α)·XAttn, as
    ``torch.addcmul(x, torch.tanh(α), xattn)`` over the batch."""

    def run(ps: list[Params]) -> dict:
        alpha = real(np.asarray([p.alpha for p in ps]), device)
        x = real(np.asarray([p.x for p in ps]), device)
        xattn = real(np.asarray([p.xattn for p in ps]), device)
        gate = torch.tanh(alpha)
        return {"gate": gate, "y": torch.addcmul(x, gate[:, None], xattn)}

    return grouped(batch, lambda p: len(p.x), run)


def tvlt_loss(batch: list[Params], device: torch.device) -> Answers:
    """TVLT (Tang et al. 2022): ``torch.sigmoid`` of the logit, VAM as ``F.binary_cross_entropy_with_logits``,
    per-patch errors from ``F.mse_loss(reduction="none")`` averaged over each patch, MAE as their mean weighted by
    the mask, the weighted total, and the two ratios."""
    import torch.nn.functional as F

    def run(ps: list[Params]) -> dict:
        col = lambda k: real(np.asarray([getattr(p, k) for p in ps]), device)  # noqa: E731
        logit, y = col("logit"), col("y")
        vam = F.binary_cross_entropy_with_logits(logit, y, reduction="none")
        errs = F.mse_loss(col("pred"), col("target"), reduction="none").mean(-1)
        mask = col("mask")
        mae = (errs * mask).sum(-1) / mask.sum(-1)
        lat, size = col("latency"), col("size")
        return {"p": torch.sigmoid(logit), "vam": vam, "patch_mse": errs, "mae": mae,
                "total": col("lambda_vam") * vam + col("lambda_mae") * mae,
                "speedup": lat[:, 0] / lat[:, 1], "size_ratio": size[:, 0] / size[:, 1]}

    return grouped(batch, lambda p: np.shape(p.pred), run)
