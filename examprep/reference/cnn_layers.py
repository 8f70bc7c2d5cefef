"""Torch references for the CNN layer and block types, batched: pooling functionals, unpooling, residual and dense
blocks, and parameter and MAC counts of modules built on the meta device.

Nothing here reuses the problem modules' arithmetic: values come from ``torch.nn.functional`` on the whole batch
(instances of one shape together), counts from the ``numel`` of real ``nn`` modules.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from examprep.params import Params
from examprep.reference.batching import Answers, grouped
from examprep.reference.packing import real


def pooling_values(batch: list[Params], device: torch.device) -> Answers:
    """max_pool2d, avg_pool2d and lp_pool2d(norm_type=2) on maps of one size and window; vector_norm over channel
    groups."""

    def run(ps: list[Params]) -> dict:
        K, S = ps[0].K, ps[0].S if ps[0].S is not None else ps[0].K
        x = real(np.asarray([p.X for p in ps], dtype=np.float64), device)[:, None]
        f = real(np.asarray([p.features for p in ps], dtype=np.float64), device)
        g = ps[0].group
        return {"max": F.max_pool2d(x, K, S)[:, 0], "avg": F.avg_pool2d(x, K, S)[:, 0],
                "l2": F.lp_pool2d(x, 2, K, S)[:, 0],
                "feature_l2": torch.linalg.vector_norm(f.view(len(ps), -1, g), dim=-1)}

    return grouped(batch, lambda p: (len(p.X), len(p.X[0]), p.K, p.S, len(p.features), p.group), run)


def unpooling(batch: list[Params], device: torch.device) -> Answers:
    """max_pool2d with return_indices, interpolate(nearest), max_unpool2d, and the bed of nails as a stride-s
    conv_transpose2d of a one-entry kernel (a 1 at the top-left of an s×s kernel)."""

    def run(ps: list[Params]) -> dict:
        s = ps[0].s
        x = real(np.asarray([p.X for p in ps], dtype=np.float64), device)[:, None]
        y = real(np.asarray([p.Y for p in ps], dtype=np.float64), device)[:, None]
        pooled, idx = F.max_pool2d(x, s, s, return_indices=True)
        nail = torch.zeros(1, 1, s, s, dtype=y.dtype, device=device)
        nail[0, 0, 0, 0] = 1
        return {"pooled": pooled[:, 0], "indices": idx[:, 0], "nearest": F.interpolate(y, scale_factor=s,
                                                                                         mode="nearest")[:, 0],
                "bed_of_nails": F.conv_transpose2d(y, nail, stride=s)[:, 0],
                "max_unpool": F.max_unpool2d(y, idx, s, s, output_size=x.shape[-2:])[:, 0]}

    return grouped(batch, lambda p: (len(p.X), len(p.X[0]), p.s), run)
