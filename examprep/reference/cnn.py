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
    """Run the convolution nn.Conv2d performs (F.conv2d with its weight shape) and read the output shape.

    Shapes need no data, so this runs on the meta device; each distinct layer configuration is built once (the
    sampling grid is small, so a batch repeats many).
    """
    out = []
    for p in batch:
        kh, kw = (p.K, p.K) if p.K is not None else (p.Kh, p.Kw)
        _, c, h, w = _conv_shape(p.C_in, p.C_out, kh, kw, p.S, p.P, p.D, p.H, p.W)
        out.append({"c_out": c, "h_out": h, "w_out": w})
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


def receptive_field(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """Measure receptive fields and jumps with autograd, all instances at once.

    Each instance runs twice (two channel groups each) through a stack of 1-D convolutions with all-ones kernels
    (ones at taps 0, D, …, D(K−1); per-instance kernels as groups; shorter stacks padded with identity layers);
    a stride S keeps every S-th output (a gather with per-instance indices). For each layer, the gradient of
    output 0 (first copy) and output 1 (second copy) is taken with respect to the input: the receptive field is
    the extent of the non-zero gradient of output 0, the jump the shift of the gradient's start between outputs
    0 and 1. Non-negative weights mean no cancellation, so the support is exact.
    """
    import torch.nn.functional as F  # noqa: N812

    f64 = torch.float64
    n_layers = max(len(p.layers) for p in batch)
    rows = [[list(r) for r in p.layers] + [[1, 1, 1]] * (n_layers - len(p.layers)) for p in batch]
    t = torch.tensor(rows, dtype=torch.long, device=device)  # B × L × 3
    b = len(batch)
    k, s, d = t[..., 0].repeat(2, 1), t[..., 1].repeat(2, 1), t[..., 2].repeat(2, 1)  # 2B × L
    span = d * (k - 1) + 1
    kmax = span.max(0).values  # per layer
    # Input length: output 1 of the last layer needs 1 + Σ_l (kmax_l − 1)·J_{l−1} + J_L input positions for the
    # instance with the largest jumps J (cumulative stride products); a margin of 2 on top.
    jmax = torch.cat([torch.ones(2 * b, 1, dtype=torch.long, device=device), s.cumprod(1)], 1).max(0).values
    n = int(1 + ((kmax - 1) * jmax[:-1]).sum() + jmax[-1]) + 2
    x = torch.ones(1, 2 * b, n, dtype=f64, device=device, requires_grad=True)
    h, outs = x, []
    for layer in range(n_layers):
        taps = torch.arange(int(kmax[layer]), device=device)[None, :]
        dl, kl = d[:, layer, None], k[:, layer, None]
        w = ((taps % dl == 0) & (taps // dl < kl)).to(f64)[:, None, :]  # 2B × 1 × kmax
        z = F.conv1d(h, w, groups=2 * b)[0]
        m = z.shape[-1]
        sl = s[:, layer, None]
        m_out = (m - 1) // int(sl.min()) + 1
        idx = (torch.arange(m_out, device=device)[None, :] * sl).clamp(max=m - 1)
        h = torch.gather(z, 1, idx)[None]
        outs.append(h)
    rf = torch.zeros(b, n_layers, dtype=torch.long)
    jump = torch.zeros(b, n_layers, dtype=torch.long)
    pos = torch.arange(n, device=device)
    for layer, out in enumerate(outs):
        seed = torch.zeros_like(out)
        seed[0, :b, 0] = 1.0
        seed[0, b:, 1] = 1.0
        (g,) = torch.autograd.grad(out, x, grad_outputs=seed, retain_graph=True)
        nz = g[0] != 0  # 2B × n
        first = torch.where(nz, pos, n).min(1).values
        last = torch.where(nz, pos, -1).max(1).values
        rf[:, layer] = (last[:b] - first[:b] + 1).cpu()
        jump[:, layer] = (first[b:] - first[:b]).cpu()
    return [{"rf": rf[i, :len(p.layers)].tolist(), "jump": jump[i, :len(p.layers)].tolist()}
            for i, p in enumerate(batch)]


def conv2d_forward(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """F.conv2d (cross-correlation), F.relu and F.max_pool2d in float64.

    Instances with the same input shape, kernel shape, stride, padding and pooling run together: the inputs are
    stacked as channels and each instance's kernel is its own group, so each step is one torch call per group.
    """
    import torch.nn.functional as F  # noqa: N812

    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, p in enumerate(batch):
        key = (len(p.X), len(p.X[0]), len(p.kernel), len(p.kernel[0]), p.S, p.P, p.pool)
        groups.setdefault(key, []).append(i)
    out: list[dict[str, Any]] = [{} for _ in batch]
    f64 = torch.float64
    for (_, _, _, _, s, pad, pool), idx in groups.items():
        ps = [batch[i] for i in idx]
        x = torch.tensor([p.X for p in ps], dtype=f64, device=device)[None]  # 1 × B × H × W
        w = torch.tensor([p.kernel for p in ps], dtype=f64, device=device)[:, None]  # B × 1 × kh × kw
        b = torch.tensor([p.bias for p in ps], dtype=f64, device=device)
        relu = torch.tensor([p.relu for p in ps], device=device)[None, :, None, None]
        z = F.conv2d(x, w, b, stride=s, padding=pad, groups=len(ps))
        a = torch.where(relu, F.relu(z), z)
        y = F.max_pool2d(a, pool) if pool else a
        for j, i in enumerate(idx):
            out[i] = {"pre_activation": z[0, j].cpu().tolist(), "post_relu": a[0, j].cpu().tolist(),
                      "output": y[0, j].cpu().tolist()}
    return out


def _module(layer: tuple[Any, ...], shape: torch.Size) -> nn.Module:
    kind = layer[0]
    if kind == "conv":
        return nn.Conv2d(shape[1], layer[1], layer[2], stride=layer[3], padding=layer[4], device=META)
    if kind == "maxpool":
        return nn.MaxPool2d(layer[1], stride=layer[2])
    if kind == "norm":
        return nn.LocalResponseNorm(5)
    if kind == "flatten":
        return nn.Flatten()
    return nn.Linear(shape[1], layer[1], device=META)


@lru_cache(maxsize=65536)
def _chain(inp: tuple[int, int, int], layers: tuple[tuple[Any, ...], ...]) -> tuple[Any, ...]:
    x = torch.empty(1, *inp, device=META)
    seq = nn.Sequential()
    shapes, params, flat = [], [], 0
    for layer in layers:
        mod = _module(layer, x.shape)
        seq.append(mod)
        x = mod(x)
        if layer[0] == "flatten":
            flat = x.shape[1]
        shapes.append(tuple(x.shape[1:]) + (1,) * (4 - x.dim()))
        params.append(sum(t.numel() for t in mod.parameters()))
    return tuple(shapes), flat, tuple(params), sum(t.numel() for t in seq.parameters())


def shape_chain(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """Build the network as an nn.Sequential on the meta device, run a meta tensor through it, read each layer's
    output shape and count each layer's parameters with sum(p.numel()). Each distinct network is built once."""
    from examprep.problems.cnn.shape_chain import network

    out = []
    for p in batch:
        shapes, flat, params, total = _chain(*network(p))
        out.append({"shapes": [list(r) for r in shapes], "flatten": flat, "params": list(params), "total": total})
    return out
