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


def residual_block(batch: list[Params], device: torch.device) -> Answers:
    """Each instance's two 1×1 convolutions as one grouped ``F.conv2d`` over the batch (a group per instance) on
    a 1×1 map, then ``F.relu`` and the shortcut."""

    def run(ps: list[Params]) -> dict:
        n, C = len(ps), len(ps[0].x)
        x = real(np.asarray([p.x for p in ps], dtype=np.float64), device).reshape(1, n * C, 1, 1)
        w1 = real(np.asarray([p.W1 for p in ps], dtype=np.float64), device).reshape(n * C, C, 1, 1)
        w2 = real(np.asarray([p.W2 for p in ps], dtype=np.float64), device).reshape(n * C, C, 1, 1)
        zero = (0.0,) * C
        b1 = real(np.asarray([p.b1 if p.b1 is not None else zero for p in ps], dtype=np.float64), device).reshape(-1)
        b2 = real(np.asarray([p.b2 if p.b2 is not None else zero for p in ps], dtype=np.float64), device).reshape(-1)
        a1 = F.relu(F.conv2d(x, w1, b1, groups=n))
        f = F.conv2d(a1, w2, b2, groups=n)
        h = F.relu(f + x)
        return {"a1": a1.reshape(n, C), "F": f.reshape(n, C), "H": h.reshape(n, C)}

    return grouped(batch, lambda p: len(p.x), run)
