"""Torch reference for positional encodings: the sinusoidal table built as in the Annotated Transformer, batched."""

from __future__ import annotations

import math
from typing import Any

import torch

from examprep.params import Params
from examprep.reference.attention import REAL, _grouped, _split


def sinusoidal(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """div = exp(−ln(10000)·2k/d); sin(pos·div) and cos(pos·div) written into the even/odd (or half) columns."""

    def run(group: list[Params]) -> list[dict[str, Any]]:
        p0 = group[0]
        d = p0.d_model
        pos = torch.tensor([p.positions for p in group], dtype=REAL, device=device).unsqueeze(-1)  # (B, n, 1)
        div = torch.exp(torch.arange(0, d, 2, dtype=REAL, device=device) * (-math.log(10000.0) / d))
        pe = torch.zeros(len(group), pos.shape[1], d, dtype=REAL, device=device)
        if p0.layout == "interleaved":
            pe[..., 0::2] = torch.sin(pos * div)
            pe[..., 1::2] = torch.cos(pos * div)
        else:
            pe[..., : d // 2] = torch.sin(pos * div)
            pe[..., d // 2:] = torch.cos(pos * div)
        out = {"denominators": (1 / div).expand(len(group), -1), "pe": pe}
        if p0.X is not None:
            out["z"] = torch.tensor([p.X for p in group], dtype=REAL, device=device) + pe
        return _split(out)

    return _grouped(batch, lambda p: (p.d_model, len(p.positions), p.layout, p.X is not None), run)
