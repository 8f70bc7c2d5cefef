"""Torch references for the CNN family."""

from __future__ import annotations

from functools import lru_cache
from itertools import chain
from typing import Any

import numpy as np
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


@lru_cache(maxsize=65536)
def _pool_shape(c: int, h: int, w: int, k: int, s: int | None, p: int, ceil_mode: bool) -> tuple[int, ...]:
    pool = nn.MaxPool2d(k, stride=s, padding=p, ceil_mode=ceil_mode)
    return tuple(pool(torch.empty(1, c, h, w, device=META)).shape)


def pool_output_size(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """Build nn.MaxPool2d (stride None = its own default, K) and read the output shape on the meta device; each
    distinct configuration once."""
    out = []
    for p in batch:
        _, c, h, w = _pool_shape(p.C, p.H, p.W, p.K, p.S, p.P, p.ceil_mode)
        out.append({"c_out": c, "h_out": h, "w_out": w})
    return out


@lru_cache(maxsize=65536)
def _transposed_shape(h: int, w: int, k: int, s: int, p: int, op: int, d: int) -> tuple[int, ...]:
    conv = nn.ConvTranspose2d(1, 1, k, stride=s, padding=p, output_padding=op, dilation=d, device=META)
    return tuple(conv(torch.empty(1, 1, h, w, device=META)).shape)


def transposed_conv_output_size(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """Build nn.ConvTranspose2d and read the output shape on the meta device; each distinct configuration once."""
    out = []
    for p in batch:
        _, _, h, w = _transposed_shape(p.H, p.W, p.K, p.S, p.P, p.output_padding, p.D)
        out.append({"h_out": h, "w_out": w})
    return out


@lru_cache(maxsize=65536)
def _param_count(c_in: int, c_out: int, kh: int, kw: int, groups: int, bias: bool) -> tuple[int, int, int]:
    conv = nn.Conv2d(c_in, c_out, (kh, kw), groups=groups, bias=bias, device=META)
    b = conv.bias.numel() if conv.bias is not None else 0
    return conv.weight.numel(), b, sum(t.numel() for t in conv.parameters())


def conv_param_count(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """Build nn.Conv2d on the meta device and count the elements of its weight and bias tensors; each distinct
    configuration once."""
    out = []
    for p in batch:
        w, b, total = _param_count(p.C_in, p.C_out, p.Kh, p.Kw, p.groups, p.bias)
        out.append({"weights": w, "biases": b, "total": total})
    return out


def receptive_field(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """Measure receptive fields and jumps with autograd, in buckets of similar input length.

    The field and jump after layer l of a stack are those of the last layer of its first l layers, so every
    distinct prefix of the batch's stacks (prefixes are shared a lot) is measured once, by one backward pass for
    its last layer. Prefixes are sorted by the input length they need (it grows with the product of the strides)
    and measured in buckets of up to 1,024, so one stack with large strides does not make every prefix run on its
    long input.
    """
    stacks = [tuple(p.layers) for p in batch]
    prefixes = list(dict.fromkeys(s[:n] for s in dict.fromkeys(stacks) for n in range(1, len(s) + 1)))
    n_layers = max(len(s) for s in prefixes)
    rows = np.ones((len(prefixes), n_layers, 3), dtype=np.int64)  # P × L × [K, S, D], identity layers after
    rows[np.arange(n_layers)[None, :] < np.array([len(s) for s in prefixes])[:, None]] = np.fromiter(
        chain.from_iterable(chain.from_iterable(prefixes)), np.int64).reshape(-1, 3)
    widths = _widths(rows)
    order = np.argsort(widths[:, 0], kind="stable")
    found: dict[tuple[Any, ...], tuple[int, int]] = {}
    for i in range(0, len(order), 1024):
        chunk = order[i : i + 1024]
        fields = _last_layer_fields(rows[chunk], widths[chunk].max(0).tolist(), device)
        found.update(zip((prefixes[j] for j in chunk), fields, strict=True))
    out = []
    for s in stacks:
        fields = [found[s[:n]] for n in range(1, len(s) + 1)]
        out.append({"rf": [f[0] for f in fields], "jump": [f[1] for f in fields]})
    return out


def _widths(rows: np.ndarray) -> np.ndarray:
    """Input positions each layer needs so that the last layer has outputs 0 and 1: w_{L+1} = 2,
    w_l = (w_{l+1} − 1)·S_l + D_l(K_l − 1) + 1 (w_1 is the input length); rows: stacks × layers × [K, S, D]."""
    w = np.full((len(rows), rows.shape[1] + 1), 2, dtype=np.int64)
    for layer in range(rows.shape[1] - 1, -1, -1):
        k, s, d = rows[:, layer, 0], rows[:, layer, 1], rows[:, layer, 2]
        w[:, layer] = (w[:, layer + 1] - 1) * s + d * (k - 1) + 1
    return w


def _last_layer_fields(rows: np.ndarray, need: list[int], device: torch.device) -> list[tuple[int, int]]:
    """(receptive field, jump) of the last layer of each stack (rows: stacks × layers × [K, S, D], shorter stacks
    padded with identity layers [1, 1, 1]; need: per layer, the most input positions any stack needs), all at once.

    Each stack (one row each) runs through a stack of 1-D cross-correlations with all-ones kernels (ones at taps 0,
    D, …, D(K−1), one kernel per row); a stride S keeps every S-th output (a gather with per-row indices).
    Each layer keeps only as many outputs as some row needs for the last layer's outputs 0 and 1 (:func:`_widths`),
    plus the next layer's longest kernel span, so the positions a row needs are never clamped. Two backward passes
    take the gradients of output 0 and of output 1 with respect to the input: the receptive field is the extent of
    the non-zero gradient of output 0, the jump the shift of the gradient's start between outputs 0 and 1.
    Non-negative weights mean no cancellation, so the support is exact; the values are counts of paths (at most
    Π K), held exactly in float32 up to 2^24 and in float64 beyond.
    """
    # Every value is a count of paths through all-ones kernels, at most Π K: float32 holds it exactly up to 2^24.
    real = torch.float32 if np.prod(rows[:, :, 0].astype(float), axis=1).max() <= 2**24 else torch.float64
    n_layers = rows.shape[1]
    b = len(rows)
    k, s, d = rows[..., 0], rows[..., 1], rows[..., 2]  # B × L
    kmax = (d * (k - 1) + 1).max(0).tolist() + [1]  # the longest kernel span per layer
    # Layer l's input keeps need[l] + kmax[l] − 1 positions, so every row's windows fit unclamped.
    n = need[0] + kmax[0] - 1
    x = torch.ones(b, n, dtype=real, device=device, requires_grad=True)
    h = x
    taps = np.arange(max(kmax))
    ones = (taps % d[..., None] == 0) & (taps // d[..., None] < k[..., None])  # B × L × taps: kernel entries
    kernels = torch.from_numpy(ones).to(device=device, dtype=real)
    count = ones.sum(0)  # per layer and tap: how many stacks have a one there
    strides = torch.from_numpy(s).to(device)
    for layer in range(n_layers):
        m = h.shape[1] - kmax[layer] + 1
        # The cross-correlation as one multiply-add per tap over all rows (a grouped conv1d with one group per
        # row computes the same, with a loop over the groups on the CPU); a tap no kernel uses is skipped, and one
        # every kernel uses needs no multiplication.
        z = h[:, :m]  # tap 0 is a one in every kernel
        for tap in range(1, kmax[layer]):
            if count[layer, tap] == b:
                z = z + h[:, tap : tap + m]
            elif count[layer, tap]:
                z = z + kernels[:, layer, tap : tap + 1] * h[:, tap : tap + m]
        keep = need[layer + 1] + kmax[layer + 1] - 1
        idx = (torch.arange(keep, device=device)[None, :] * strides[:, layer, None]).clamp(max=m - 1)
        h = torch.gather(z, 1, idx)
    pos = torch.arange(n, device=device)
    starts, ends = [], []
    for out in (0, 1):  # the gradient of output 0, then of output 1, of every row
        seed = torch.zeros_like(h)
        seed[:, out] = 1.0
        (g,) = torch.autograd.grad(h, x, grad_outputs=seed, retain_graph=out == 0)
        nz = g != 0  # B × n
        starts.append(torch.where(nz, pos, n).min(1).values)
        ends.append(torch.where(nz, pos, -1).max(1).values)
    rf, jump = (ends[0] - starts[0] + 1).tolist(), (starts[1] - starts[0]).tolist()
    return list(zip(rf, jump, strict=True))


def conv2d_forward(batch: list[Params], device: torch.device) -> Any:
    """Cross-correlation, bias, F.relu and F.max_pool2d in float64, the whole batch at once.

    Each input is placed, zero-padded by its P on every side, in one zero canvas as large as the largest padded
    input plus the largest kernel; kernels are zero-padded at the bottom and right to the largest. The stride-1
    cross-correlation z₁[i, j] = Σ_{u,v} K[u, v]·X_pad[i + u, j + v] is one multiply-add per kernel tap for all
    instances, each with its own kernel (a tap outside an instance's kernel is zero and adds nothing; the canvas is
    zero beyond each input), and the stride-S output is z₁[S·i, S·j]. ReLU applies where asked; max pooling is
    F.max_pool2d once per distinct pool window (window = stride, sizes rounded down). Answers go back by column,
    each cut to the instance's own output size.
    """
    import itertools
    from operator import itemgetter

    import numpy as np
    import torch.nn.functional as F  # noqa: N812

    from examprep.reference.batching import Answers, ragged

    chain = itertools.chain.from_iterable
    n = len(batch)
    f64 = torch.float64

    def place(mats: list[Any], nr: np.ndarray, nc: np.ndarray, off: np.ndarray, rows: int, cols: int) -> np.ndarray:
        """(N, rows, cols) zeros with each matrix at [off, off]: one numpy call per distinct shape and offset."""
        out = np.zeros((len(mats), rows, cols))
        code = (nr * 4096 + nc) * 4096 + off
        for c in np.unique(code).tolist():
            idx = np.flatnonzero(code == c)
            r, cc, o = int(nr[idx[0]]), int(nc[idx[0]]), int(off[idx[0]])
            vals = np.fromiter(chain(chain(map(mats.__getitem__, idx.tolist()))), dtype=np.float64,
                               count=len(idx) * r * cc)
            out[idx, o : o + r, o : o + cc] = vals.reshape(len(idx), r, cc)
        return out

    def shape(mats: list[Any]) -> tuple[np.ndarray, np.ndarray]:
        return (np.fromiter(map(len, mats), dtype=np.int64, count=n),
                np.fromiter(map(len, map(itemgetter(0), mats)), dtype=np.int64, count=n))

    scalars = np.array([(p.bias, p.S, p.P, p.relu, p.pool) for p in batch], dtype=np.int64).reshape(n, 5)
    bias, stride, pad, relu, pool = scalars.T
    xs, ks = [p.X for p in batch], [p.kernel for p in batch]
    (h, w), (kh, kw) = shape(xs), shape(ks)
    kern = place(ks, kh, kw, np.zeros(n, dtype=np.int64), int(kh.max()), int(kw.max()))
    canvas = place(xs, h, w, pad, int((h + 2 * pad).max() + kh.max()), int((w + 2 * pad).max() + kw.max()))
    x, k = torch.from_numpy(canvas).to(device=device, dtype=f64), torch.from_numpy(kern).to(device=device, dtype=f64)
    hz, wz = x.shape[1] - k.shape[1] + 1, x.shape[2] - k.shape[2] + 1
    z = torch.zeros(n, hz, wz, dtype=f64, device=device)
    for u in range(k.shape[1]):
        for v in range(k.shape[2]):
            z.addcmul_(k[:, u, v, None, None], x[:, u : u + hz, v : v + wz])
    ho, wo = (h + 2 * pad - kh) // stride + 1, (w + 2 * pad - kw) // stride + 1
    if (stride != 1).any():
        s = torch.from_numpy(stride).to(device)[:, None]
        ri = (torch.arange(int(ho.max()), device=device)[None] * s).clamp(max=hz - 1)
        ci = (torch.arange(int(wo.max()), device=device)[None] * s).clamp(max=wz - 1)
        z = z[torch.arange(n, device=device)[:, None, None], ri[:, :, None], ci[:, None, :]]
    else:
        z = z[:, : int(ho.max()), : int(wo.max())]
    z = z + torch.from_numpy(bias).to(device=device, dtype=f64)[:, None, None]
    a = torch.where(torch.from_numpy(relu.astype(bool)).to(device)[:, None, None], F.relu(z), z)
    out, oh, ow = a, ho.copy(), wo.copy()
    pools = np.unique(pool[pool > 0])
    if len(pools):
        out = a.clone()
        for q in pools.tolist():
            sel = torch.from_numpy(np.flatnonzero(pool == q)).to(device)
            y = F.max_pool2d(a[sel][:, None], q)[:, 0]
            out[sel, : y.shape[1], : y.shape[2]] = y
            oh[pool == q], ow[pool == q] = ho[pool == q] // q, wo[pool == q] // q
    return Answers(n).add(None, {"pre_activation": ragged(z, ho, wo), "post_relu": ragged(a, ho, wo),
                                 "output": ragged(out, oh, ow)})


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
def _layer(layer: tuple[Any, ...], in_shape: tuple[int, ...]) -> tuple[tuple[int, ...], int]:
    """(output shape without the batch axis, parameter count) of one layer built on the meta device."""
    x = torch.empty(1, *in_shape, device=META)
    mod = _module(layer, x.shape)
    return tuple(mod(x).shape[1:]), sum(t.numel() for t in mod.parameters())


def _chain(inp: tuple[int, int, int], layers: tuple[tuple[Any, ...], ...]) -> tuple[Any, ...]:
    """Each layer's output shape (padded to 4 entries), the flattened size, each layer's parameters, the total."""
    shape, shapes, params, flat = tuple(inp), [], [], 0
    for layer in layers:
        shape, count = _layer(layer, shape)
        if layer[0] == "flatten":
            flat = shape[0]
        shapes.append(shape + (1,) * (3 - len(shape)))
        params.append(count)
    return tuple(shapes), flat, tuple(params), sum(params)


def shape_chain(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """Build each layer as its nn module on the meta device, run a meta tensor through it, read its output shape
    and count its parameters with sum(p.numel()); the total is their sum. Each distinct (layer, input shape) is
    built once."""
    from examprep.problems.cnn.shape_chain import network

    out = []
    for p in batch:
        shapes, flat, params, total = _chain(*network(p))
        out.append({"shapes": [list(r) for r in shapes], "flatten": flat, "params": list(params), "total": total})
    return out
