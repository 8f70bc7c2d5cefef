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


def pool_output_size(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """Build nn.MaxPool2d (stride None = its own default, K) and read the output shape on the meta device."""
    out = []
    for p in batch:
        pool = nn.MaxPool2d(p.K, stride=p.S, padding=p.P, ceil_mode=p.ceil_mode)
        y = pool(torch.empty(1, p.C, p.H, p.W, device=META))
        out.append({"c_out": y.shape[1], "h_out": y.shape[2], "w_out": y.shape[3]})
    return out


def transposed_conv_output_size(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """Build nn.ConvTranspose2d and read the output shape on the meta device."""
    out = []
    for p in batch:
        conv = nn.ConvTranspose2d(1, 1, p.K, stride=p.S, padding=p.P, output_padding=p.output_padding,
                                  dilation=p.D, device=META)
        y = conv(torch.empty(1, 1, p.H, p.W, device=META))
        out.append({"h_out": y.shape[2], "w_out": y.shape[3]})
    return out


def conv_param_count(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """Build nn.Conv2d on the meta device and count the elements of its weight and bias tensors."""
    out = []
    for p in batch:
        conv = nn.Conv2d(p.C_in, p.C_out, (p.Kh, p.Kw), groups=p.groups, bias=p.bias, device=META)
        w = conv.weight.numel()
        b = conv.bias.numel() if conv.bias is not None else 0
        out.append({"weights": w, "biases": b, "total": sum(t.numel() for t in conv.parameters())})
    return out
