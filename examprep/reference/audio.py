"""Torch references for the audio family, written from the definitions and batched over instances.

Nothing here reuses the problem modules' arithmetic: aliasing is read off the peak bin of ``torch.fft.rfft`` of a
sampled cosine.
"""

from __future__ import annotations

import functools
import math

import numpy as np
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


def dft(batch: list[Params], device: torch.device) -> Answers:
    """``torch.fft.fft`` of the batch, ``torch.angle`` in degrees (0 where |X_k| is 0, −180 read as 180), and the
    bin frequencies from ``torch.fft.rfftfreq``."""
    from examprep.reference.packing import real

    def run(ps: list[Params]) -> dict:
        n = len(ps[0].x)
        x = real([list(p.x) for p in ps], device)
        spec = torch.fft.fft(x.to(torch.complex128), dim=-1)
        re, im = spec.real, spec.imag
        re = torch.where(re.abs() < 1e-9, 0.0, re)
        im = torch.where(im.abs() < 1e-9, 0.0, im)
        mag = torch.hypot(re, im)
        phase = torch.rad2deg(torch.angle(torch.complex(re, im)))
        phase = torch.where(mag > 1e-9, phase, 0.0)
        phase = torch.where(phase <= -180 + 1e-9, 180.0, phase)
        fs = real([p.fs for p in ps], device)[:, None]
        freqs = torch.fft.rfftfreq(n, d=1.0, device=device, dtype=torch.float64)[None, :] * fs
        return {"re": re, "im": im, "magnitude": mag, "phase": phase, "freqs": freqs}

    return grouped(batch, lambda p: len(p.x), run)


@functools.lru_cache(maxsize=1024)
def _stft_shape(length: int, win: int, hop: int, n_fft: int, center: bool) -> tuple[int, int]:
    """(bins, frames) of the STFT of a zero signal of ``length`` samples."""
    if center:
        spec = torch.stft(torch.zeros(length, dtype=torch.float64), n_fft, hop_length=hop, win_length=win,
                          window=torch.hann_window(win, dtype=torch.float64), center=True, return_complex=True)
        return int(spec.shape[0]), int(spec.shape[1])
    frames = torch.zeros(length, dtype=torch.float64).unfold(0, win, hop)  # windows of win samples inside
    spec = torch.fft.rfft(frames, n=n_fft, dim=-1)  # each zero-padded to n_fft
    return int(spec.shape[1]), int(spec.shape[0])


def stft_shape(batch: list[Params], device: torch.device) -> Answers:
    """Frames and bins from the output shape of ``torch.stft(center=True)``, or uncentred of ``Tensor.unfold``
    windows of win samples then ``torch.fft.rfft(n=n_fft)`` (what ``scipy.signal.stft(boundary=None,
    padded=False)`` gives; the test compares them); the sizes in samples by rounding fs·time; the spacing as the gap
    between ``torch.fft.rfftfreq`` bins."""
    rows = []
    for p in batch:
        length, win, hop = (round(p.fs * p.duration), round(p.fs * p.win_ms / 1000), round(p.fs * p.hop_ms / 1000))
        bins, frames = _stft_shape(length, win, hop, p.n_fft, bool(p.center))
        df = float(torch.fft.rfftfreq(p.n_fft, d=1 / p.fs, dtype=torch.float64)[1])
        rows.append((length, win, hop, frames, bins, df))
    a = np.asarray(rows, dtype=np.float64)
    ints = a[:, :5].astype(np.int64)
    return Answers(len(batch)).add(None, {"samples": ints[:, 0], "win": ints[:, 1], "hop": ints[:, 2],
                                          "frames": ints[:, 3], "bins": ints[:, 4], "df": a[:, 5]})


def mel_scale(batch: list[Params], device: torch.device) -> Answers:
    """HTK mel (O'Shaughnessy 1987) with ``torch.log10``, the edges by ``torch.linspace`` in mel per instance, and
    back to Hz with ``torch.pow``."""
    from examprep.reference.packing import real

    def run(ps: list[Params]) -> dict:
        col = lambda k: real([getattr(p, k) for p in ps], device)  # noqa: E731
        to_mel = lambda f: 2595 * torch.log10(1 + f / 700)  # noqa: E731
        lo, hi = to_mel(col("f_min")), to_mel(col("f_max"))
        steps = torch.linspace(0, 1, ps[0].n_filters + 2, dtype=lo.dtype, device=device)
        em = lo[:, None] + (hi - lo)[:, None] * steps[None, :]
        return {"mel": to_mel(col("f")), "edges_mel": em, "edges_hz": 700 * (torch.pow(10.0, em / 2595) - 1)}

    return grouped(batch, lambda p: p.n_filters, run)


def mfcc(batch: list[Params], device: torch.device) -> Answers:
    """``torch.log`` of the energies, then the DCT-II by Makhoul's method: ``torch.fft.fft`` of [y, reversed y],
    turned by e^{−iπk/(2N)} (2 Σ y_n cos(πk(2n + 1)/(2N))), with the orthonormal scales √(1/(4N)) and √(1/(2N))."""
    from examprep.reference.packing import real

    def run(ps: list[Params]) -> dict:
        y = torch.log(real([list(p.energies) for p in ps], device))
        n = y.shape[1]
        spec = torch.fft.fft(torch.cat([y, y.flip(-1)], dim=-1), dim=-1)[:, :n]
        k = torch.arange(n, device=device, dtype=y.dtype)
        dct = (spec * torch.exp(-1j * torch.pi * k / (2 * n))).real
        scale = torch.full((n,), (1 / (2 * n)) ** 0.5, dtype=y.dtype, device=device)
        scale[0] = (1 / (4 * n)) ** 0.5
        return {"log_energies": y, "mfcc": dct * scale}

    return grouped(batch, lambda p: len(p.energies), run)


@functools.lru_cache(maxsize=1024)
def _autograd_rf(k: int, dilations: tuple[int, ...], repeat: int) -> int:
    """Input samples the last output depends on, through ``repeat`` passes over all-ones ``F.conv1d`` layers of the
    given dilations (no padding), read from the input gradient."""
    import torch.nn.functional as F

    length = repeat * len(dilations) * (k - 1) * max(dilations) + 1  # more than the field: every layer at most
    x = torch.ones(1, 1, length, dtype=torch.float64, requires_grad=True)
    w = torch.ones(1, 1, k, dtype=torch.float64)
    y = x
    for _ in range(repeat):
        for d in dilations:
            y = F.conv1d(y, w, dilation=d)
    y[0, 0, -1].backward()
    return int((x.grad != 0).sum())


def wavenet_rf(batch: list[Params], device: torch.device) -> Answers:
    """Receptive fields from autograd through all-ones ``F.conv1d`` layers: one stack (each dilation ``convs``
    times) and the whole network (``stacks`` × that)."""
    rows = []
    for p in batch:
        per = tuple(d for d in p.dilations for _ in range(p.convs))
        one = _autograd_rf(p.k, per, 1)
        rf = _autograd_rf(p.k, per, p.stacks)
        rows.append((one, rf, rf / p.fs * 1000))
    a = np.asarray(rows, dtype=np.float64)
    return Answers(len(batch)).add(None, {"rf_stack": a[:, 0].astype(np.int64), "rf": a[:, 1].astype(np.int64),
                                          "rf_ms": a[:, 2]})
