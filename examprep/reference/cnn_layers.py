"""Torch references for the CNN layer and block types, batched: pooling functionals, unpooling, residual and dense
blocks, and parameter and MAC counts of modules built on the meta device.

Nothing here reuses the problem modules' arithmetic: values come from ``torch.nn.functional`` on the whole batch
(instances of one shape together), counts from the ``numel`` of real ``nn`` modules.
"""

from __future__ import annotations

import functools

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

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


META = torch.device("meta")


@functools.lru_cache(maxsize=8192)
def _block_counts(block: str, c_in: int, c_out: int, width: int | None, stride: int) -> tuple[int, int, int]:
    def conv_bn(a: int, b: int, k: int, s: int) -> tuple[int, int]:
        conv = nn.Conv2d(a, b, k, stride=s, padding=k // 2, bias=False, device=META)
        bn = nn.BatchNorm2d(b, device=META)
        return sum(t.numel() for t in conv.parameters()), sum(t.numel() for t in bn.parameters())

    specs = ([(c_in, c_out, 3, stride), (c_out, c_out, 3, 1)] if block == "basic"
             else [(c_in, width, 1, 1), (width, width, 3, stride), (width, c_out, 1, 1)])
    got = [conv_bn(*s) for s in specs]
    short = sum(conv_bn(c_in, c_out, 1, stride)) if (stride != 1 or c_in != c_out) else 0
    return sum(c for c, _ in got), sum(b for _, b in got), short


def resnet_params(batch: list[Params], device: torch.device) -> list[dict]:
    """Conv2d(bias=False) and BatchNorm2d modules on the meta device, counted by numel of their parameters (the
    running statistics are buffers); one build per distinct block."""
    out = []
    for p in batch:
        conv, bn, short = _block_counts(p.block, p.C_in, p.C_out, p.width, p.stride)
        out.append({"conv_params": conv, "bn_params": bn, "shortcut_params": short, "total": conv + bn + short})
    return out


@functools.lru_cache(maxsize=8192)
def _dense(k0: int, k: int, n_layers: int) -> dict:
    x = [torch.empty(1, k0, 8, 8, device=META)]
    inputs, weights, connections = [], 0, 0
    for _ in range(n_layers):
        cat = torch.cat(x, 1)
        conv = nn.Conv2d(cat.shape[1], k, 3, padding=1, bias=False, device=META)
        inputs.append(conv.weight.shape[1])
        weights += conv.weight.numel()
        connections += len(x)  # this layer consumes every earlier feature map
        x.append(conv(cat))
    return {"inputs": inputs, "out_channels": torch.cat(x, 1).shape[1], "connections": connections,
            "conv_weights": weights}


def densenet_block(batch: list[Params], device: torch.device) -> list[dict]:
    """A dense block run on the meta device: each layer a real Conv2d on the concatenation so far."""
    return [_dense(p.k0, p.k, p.L) for p in batch]


@functools.lru_cache(maxsize=8192)
def _inception(h: int, w: int, c: int, n1: int, n3: int, n5: int, pp: int, r3: int, r5: int) -> dict:
    x = torch.empty(1, c, h, w, device=META)
    macs = params = 0

    def conv(inp: torch.Tensor, f: int, k: int) -> torch.Tensor:
        nonlocal macs, params
        layer = nn.Conv2d(inp.shape[1], f, k, padding=k // 2, device=META)
        out = layer(inp)
        macs += out.numel() * layer.weight[0].numel()
        params += sum(t.numel() for t in layer.parameters())
        return out

    b1 = conv(x, n1, 1)
    b3 = conv(conv(x, r3, 1) if r3 else x, n3, 3)
    b5 = conv(conv(x, r5, 1) if r5 else x, n5, 5)
    pooled = F.max_pool2d(x, 3, 1, 1)
    bp = conv(pooled, pp, 1) if pp else pooled
    return {"depth": torch.cat([b1, b3, b5, bp], 1).shape[1], "macs": macs, "params": params}


def inception_module(batch: list[Params], device: torch.device) -> list[dict]:
    """The module's Conv2d layers run on the meta device ('same' padding); MACs = output numel × weight[0].numel()."""
    return [_inception(p.H, p.W, p.C_in, p.n1, p.n3, p.n5, p.pool_proj, p.r3, p.r5) for p in batch]


@functools.lru_cache(maxsize=8192)
def _fc_lc_conv(h: int, w: int, c: int, hidden: int, k: int, filters: int, kt: int, bias: bool) -> dict:
    def count(m: nn.Module) -> int:
        return sum(t.numel() for t in m.parameters())

    fc = count(nn.Linear(h * w * c, hidden, bias=bias, device=META))
    conv = count(nn.Conv2d(c, filters, k, bias=bias, device=META))
    conv3d = count(nn.Conv3d(1, filters, (kt, k, k), bias=bias, device=META)) if c == 1 else \
        filters * kt * k * k * c + (filters if bias else 0)
    lc = hidden * (k * k * c + (1 if bias else 0))  # no torch layer: one K×K×C filter (and bias) per unit
    return {"fc": fc, "lc": lc, "conv": conv, "conv3d": conv3d, "ratio": fc / conv}


def fc_lc_conv_params(batch: list[Params], device: torch.device) -> list[dict]:
    """nn.Linear, nn.Conv2d and nn.Conv3d on the meta device, counted by numel; the locally connected layer by
    formula (torch has none)."""
    return [_fc_lc_conv(p.H, p.W, p.C, p.hidden, p.K, p.filters, p.Kt, p.bias) for p in batch]


@functools.lru_cache(maxsize=8192)
def _conv_v2(c_in: int, c_out: int, kh: int, kw: int, bias: bool, g: int, h: int, w: int, s: int, pad: int) -> dict:
    conv = nn.Conv2d(c_in, c_out, (kh, kw), stride=s, padding=pad, groups=g, bias=bias, device=META)
    out = conv(torch.empty(1, c_in, h, w, device=META))
    dense = nn.Linear(c_in * h * w, out.numel(), bias=bias, device=META)
    b = conv.bias.numel() if conv.bias is not None else 0
    return {"weights": conv.weight.numel(), "biases": b, "total": conv.weight.numel() + b,
            "macs": out.numel() * conv.weight[0].numel(), "dense_params": sum(t.numel() for t in dense.parameters())}


def conv_param_count_v2(batch: list[Params], device: torch.device) -> list[dict]:
    """nn.Conv2d run on the meta device (MACs = output numel × weight[0].numel()) and nn.Linear's numel."""
    return [_conv_v2(p.C_in, p.C_out, p.Kh, p.Kw, p.bias, p.groups, p.H, p.W, p.S, p.P) for p in batch]
