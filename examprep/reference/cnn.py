"""Torch references for the CNN family."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812

from examprep.params import Params

META = torch.device("meta")


@lru_cache(maxsize=65536)
def _conv_shape(c_in: int, c_out: int, kh: int, kw: int, s: int, p: int, d: int, h: int, w: int) -> tuple[int, ...]:
    x = torch.empty(1, c_in, h, w, device=META)
    weight = torch.empty(c_out, c_in, kh, kw, device=META)  # the weight nn.Conv2d would hold
    return tuple(F.conv2d(x, weight, stride=s, padding=p, dilation=d).shape)


def conv_output_size(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """Run the convolution nn.Conv2d performs (F.conv2d with its weight shape) and read the output shape. Shapes need no data, so this runs on the meta device; each
    distinct layer configuration is built once (the sampling grid is small, so a batch repeats many)."""
    out = []
    for p in batch:
        kh, kw = (p.K, p.K) if p.K is not None else (p.Kh, p.Kw)
        _, c, h, w = _conv_shape(p.C_in, p.C_out, kh, kw, p.S, p.P, p.D, p.H, p.W)
        out.append({"c_out": c, "h_out": h, "w_out": w})
    return out
