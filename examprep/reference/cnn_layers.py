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
