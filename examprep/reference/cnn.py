"""Torch references for the CNN family."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from examprep.params import Params

META = torch.device("meta")


def conv_output_size(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """Build nn.Conv2d and read the output shape. Shapes need no data, so this runs on the meta device."""
    out = []
    for p in batch:
        k = (p.K, p.K) if p.K is not None else (p.Kh, p.Kw)
        conv = nn.Conv2d(p.C_in, p.C_out, k, stride=p.S, padding=p.P, dilation=p.D, device=META)
        y = conv(torch.empty(1, p.C_in, p.H, p.W, device=META))
        out.append({"c_out": y.shape[1], "h_out": y.shape[2], "w_out": y.shape[3]})
    return out
