"""Torch reference for the dilated causal convolution of the audio topic (WaveNet, TCN), batched over instances.

Nothing here reuses the problem module's arithmetic: the sequences are left-padded with ``F.pad`` and convolved by
``F.conv1d`` with one group per instance, then gated with ``torch.tanh`` and ``torch.sigmoid``.
"""

from __future__ import annotations

import numpy as np
import torch

from examprep.params import Params
from examprep.reference.batching import Answers, grouped
from examprep.reference.packing import real


def causal_conv(batch: list[Params], device: torch.device) -> Answers:
    """WaveNet (van den Oord et al. 2016) / TCN (Bai et al. 2018) causal convolution:
    ``F.conv1d(F.pad(x, ((k − 1)d, 0)), w, dilation=d)`` for the filter and the gate (the instances of a group are
    the channels of one grouped convolution), then z = tanh(y)·σ(g)."""
    import torch.nn.functional as F

    def run(ps: list[Params]) -> dict:
        b, k, d = len(ps), len(ps[0].w), ps[0].d
        x = F.pad(real(np.asarray([p.x for p in ps]), device)[None], ((k - 1) * d, 0))  # (1, B, T + (k − 1)d)
        w = real(np.asarray([p.w for p in ps]), device)[:, None, :]  # (B, 1, k)
        wg = real(np.asarray([p.w_gate for p in ps]), device)[:, None, :]
        y = F.conv1d(x, w, dilation=d, groups=b)[0]
        g = F.conv1d(x, wg, dilation=d, groups=b)[0]
        return {"y": y, "g": g, "z": torch.tanh(y) * torch.sigmoid(g)}

    return grouped(batch, lambda p: (len(p.x), len(p.w), p.d), run)
