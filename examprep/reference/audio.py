"""Torch references for the audio family, written from the definitions and batched over instances.

Nothing here reuses the problem modules' arithmetic: aliasing is read off the peak bin of ``torch.fft.rfft`` of a
sampled cosine.
"""

from __future__ import annotations

import math

import torch

from examprep.params import Params
from examprep.reference.batching import Answers, grouped


def nyquist(batch: list[Params], device: torch.device) -> Answers:
    """The heard frequency as the peak bin of ``torch.fft.rfft`` of cos(2πfn/fs), n = 0 … fs/g − 1 with
    g = gcd(fs, f): the window holds whole periods, so the tone lands on bin (heard frequency)/g."""

    def run(ps: list[Params]) -> dict:
        fs, g = ps[0].fs, math.gcd(ps[0].fs, ps[0].f)
        n = fs // g
        t = torch.arange(n, device=device, dtype=torch.float64)
        f = torch.tensor([p.f for p in ps], device=device, dtype=torch.float64)[:, None]
        # f·n mod fs keeps the phase exact for large f (cos has period fs in f·n)
        phase = torch.remainder(f * t[None, :], fs) / fs
        spec = torch.fft.rfft(torch.cos(2 * math.pi * phase), dim=-1).abs()
        alias = spec.argmax(-1) * g
        fsq = torch.full((len(ps),), float(fs), dtype=torch.float64)
        return {"nyquist": fsq / 2, "alias": alias.to(torch.int64),
                "recoverable": ["yes" if p.f < fs / 2 else "no" for p in ps],
                "min_fs": torch.tensor([2 * p.f for p in ps], dtype=torch.int64)}

    return grouped(batch, lambda p: (p.fs, math.gcd(p.fs, p.f)), run)
