"""Torch references for the norm family: ``torch.nn`` normalisation modules and ``torch.nn.functional``.

BatchNorm: every feature of every instance becomes one channel of a single ``nn.BatchNorm1d`` per group of equal
(batch size, eval size, ε, momentum), so the whole group runs as one forward in train mode and one in eval mode;
channels never mix, so nothing here reuses the problem modules' formulas.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import torch

from examprep.params import Params
from examprep.reference.batching import Answers
from examprep.reference.packing import real


def _columns(m: tuple[tuple[float, ...], ...], one_row: bool) -> np.ndarray:
    """(examples, features) array: one row of values is one feature."""
    a = np.asarray(m, dtype=np.float64)
    return a.T if one_row else a


def batchnorm(batch: list[Params], device: torch.device) -> Answers:
    """``nn.BatchNorm1d(channels, eps, momentum)`` with weight, bias and running buffers set, one train-mode
    forward (batch statistics, running update) and one eval-mode forward on x_eval."""
    groups: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for i, p in enumerate(batch):
        one = len(p.H) == 1
        n = len(p.H[0]) if one else len(p.H)
        m = 0 if p.x_eval is None else (len(p.x_eval[0]) if one else len(p.x_eval))
        groups[(n, m, p.eps, p.momentum)].append(i)
    rows: list[dict[str, object]] = [{} for _ in batch]
    for (_n, m, eps, mom), idx in groups.items():
        ps = [batch[i] for i in idx]
        ones = [len(p.H) == 1 for p in ps]
        xs = [_columns(p.H, o) for p, o in zip(ps, ones, strict=True)]
        widths = [x.shape[1] for x in xs]
        C = sum(widths)
        cat = lambda vals: real(np.concatenate(vals), device)  # noqa: E731
        X = real(np.concatenate(xs, axis=1), device)
        bn = torch.nn.BatchNorm1d(C, eps=eps, momentum=mom).to(device=device, dtype=X.dtype)
        with torch.no_grad():
            bn.weight.copy_(cat([p.gamma or [1.0] * w for p, w in zip(ps, widths, strict=True)]))
            bn.bias.copy_(cat([p.beta or [0.0] * w for p, w in zip(ps, widths, strict=True)]))
            bn.running_mean.copy_(cat([p.running_mean or [0.0] * w for p, w in zip(ps, widths, strict=True)]))
            bn.running_var.copy_(cat([p.running_var or [1.0] * w for p, w in zip(ps, widths, strict=True)]))
            bn.train()
            y = bn(X)
            var, mean = torch.var_mean(X, 0, correction=0)
            xhat = torch.nn.functional.batch_norm(X, None, None, training=True, eps=eps)
            ev = None
            if m:
                bn.eval()
                ev = bn(real(np.concatenate([_columns(p.x_eval, o) for p, o in zip(ps, ones, strict=True)], axis=1),
                             device))
        bounds = np.cumsum([0, *widths])
        for k, (i, o) in enumerate(zip(idx, ones, strict=True)):
            sl = slice(int(bounds[k]), int(bounds[k + 1]))
            lay = (lambda t: t[:, sl].T.reshape(-1).tolist()) if o else (lambda t: t[:, sl].tolist())  # noqa: B023
            r: dict[str, object] = {"mean": mean[sl].tolist(), "var": var[sl].tolist(), "normalized": lay(xhat),
                                    "output": lay(y), "running_mean_after": bn.running_mean[sl].tolist(),
                                    "running_var_after": bn.running_var[sl].tolist()}
            if ev is not None:
                r["eval_output"] = lay(ev)
            rows[i] = r
    return Answers.from_rows(rows)


def residual_layernorm(batch: list[Params], device: torch.device) -> Answers:
    """``F.layer_norm`` of x + sublayer over the last axis (no affine); the output by ``F.group_norm`` over the
    group's instances as groups with γ, β as per-channel weights; one call each per group of equal length and ε;
    mean and variance by ``torch.var_mean``."""
    import torch.nn.functional as F

    groups: dict[tuple[int, float], list[int]] = defaultdict(list)
    for i, p in enumerate(batch):
        groups[(len(p.x), p.eps)].append(i)
    out = Answers(len(batch))
    for (d, eps), idx in groups.items():
        ps = [batch[i] for i in idx]
        v = real(np.array([p.x for p in ps]), device) + real(np.array([p.sublayer for p in ps]), device)
        g = real(np.array([p.gamma or [1.0] * d for p in ps]), device)
        b = real(np.array([p.beta or [0.0] * d for p in ps]), device)
        xh = F.layer_norm(v, (d,), eps=eps)
        # γ and β differ by instance: the whole group as one GroupNorm call, a group per instance, a channel per
        # feature (per-channel weight and bias)
        n = len(ps)
        y = F.group_norm(v.reshape(1, n * d, 1), n, g.reshape(-1), b.reshape(-1), eps).reshape(n, d)
        var, mean = torch.var_mean(v, -1, correction=0)
        out.add(idx, {"residual": v, "mean": mean, "var": var, "normalized": xh, "output": y})
    return out


def _norm(kind: str, x: torch.Tensor, groups: int | None, eps: float) -> torch.Tensor:
    import torch.nn.functional as F

    if kind == "batch":
        return F.batch_norm(x, None, None, training=True, eps=eps)
    if kind == "layer":
        return F.layer_norm(x, x.shape[1:], eps=eps)
    if kind == "instance":
        return F.instance_norm(x, eps=eps)
    return F.group_norm(x, int(groups or 1), eps=eps)


def _module(kind: str, shape: tuple[int, ...], groups: int | None) -> torch.nn.Module:
    _, C, H, W = shape
    return {"batch": lambda: torch.nn.BatchNorm2d(C), "layer": lambda: torch.nn.LayerNorm((C, H, W)),
            "instance": lambda: torch.nn.InstanceNorm2d(C),
            "group": lambda: torch.nn.GroupNorm(int(groups or 1), C)}[kind]()


def axes(batch: list[Params], device: torch.device) -> Answers:
    """Per distinct (shape, kind, groups): the module's parameter ``numel``; the values per statistic as the number
    of outputs of F.*_norm that move when one input of a random tensor moves (they share its statistic), the
    statistics as numel over that.
    x, when given, through F.*_norm (a batch of instances of one shape and kind at once along a new leading axis
    would mix BatchNorm's samples, so each instance runs alone)."""
    counts: dict[tuple[object, ...], tuple[int, int, int]] = {}
    gen = torch.Generator().manual_seed(0)
    rows: list[dict[str, object]] = []
    for p in batch:
        key = (tuple(p.shape), p.kind, p.groups)
        if key not in counts:
            probe = torch.rand(tuple(p.shape), generator=gen, dtype=torch.float64)
            bumped = probe.clone()
            bumped.view(-1)[0] += 1.0
            moved = _norm(p.kind, bumped, p.groups, 1e-5) != _norm(p.kind, probe, p.groups, 1e-5)
            per = int(moved.sum())
            n_params = sum(t.numel() for t in _module(p.kind, tuple(p.shape), p.groups).parameters())
            counts[key] = (probe.numel() // per, per, n_params)
        n, per, n_params = counts[key]
        r: dict[str, object] = {"n_stats": n, "per_stat": per, "params": n_params}
        if p.x is not None:
            N, C, H, W = p.shape
            x = real(np.asarray(p.x, dtype=np.float64).reshape(N, C, H, W), device)
            r["normalized"] = _norm(p.kind, x, p.groups, p.eps).reshape(N * C, H * W).tolist()
        rows.append(r)
    return Answers.from_rows(rows)


def adaptive(batch: list[Params], device: torch.device) -> Answers:
    """Per group of equal (channels, positions, groups, ε, style or not): ``F.group_norm`` with the instances'
    groups as groups of one (1, N·C, P) input, the channels' scale and shift as its weight and bias; the content
    statistics by ``torch.var_mean`` over each group's block, the style's per channel."""
    import torch.nn.functional as F

    keys: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for i, p in enumerate(batch):
        G = p.groups if p.groups is not None else len(p.x)
        keys[(len(p.x), len(p.x[0]), G, p.eps, p.style is not None)].append(i)
    out = Answers(len(batch))
    for (C, P, G, eps, styled), idx in keys.items():
        ps = [batch[i] for i in idx]
        n = len(ps)
        x = real(np.array([p.x for p in ps]), device)  # (n, C, P)
        cols: dict[str, object] = {}
        if styled:
            y = real(np.array([p.style for p in ps]), device)
            var, mean = torch.var_mean(y, -1, correction=0)
            scale, shift = torch.sqrt(var + eps), mean
            cols |= {"style_mean": mean, "style_std": scale}
        else:
            scale = real(np.array([p.scale for p in ps]), device)
            shift = real(np.array([p.shift for p in ps]), device)
        flat = x.reshape(1, n * C, P)
        xh = F.group_norm(flat, n * G, eps=eps).reshape(n, C, P)
        y_out = F.group_norm(flat, n * G, scale.reshape(-1), shift.reshape(-1), eps).reshape(n, C, P)
        gvar, gmean = torch.var_mean(x.reshape(n, G, -1), -1, correction=0)
        if C == 1:  # one channel is answered as a plain vector
            xh, y_out = xh.reshape(n, P), y_out.reshape(n, P)
        cols |= {"mean": gmean, "std": torch.sqrt(gvar + eps), "normalized": xh, "output": y_out}
        out.add(idx, cols)
    return out


def mmd(batch: list[Params], device: torch.device) -> Answers:
    """Per group of equal sample sizes and dimension: ``torch.cdist`` through exp(−d²/(2σ²)) or ``X @ Yᵀ``, then
    means with the diagonals masked out for the unbiased estimate."""
    keys: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    pts = []
    for i, p in enumerate(batch):
        X, Y = (np.asarray(m, dtype=np.float64) for m in (p.X, p.Y))
        X, Y = (a.T if len(a) == 1 else a for a in (X, Y))
        pts.append((X, Y))
        keys[(len(X), len(Y), X.shape[1])].append(i)
    out = Answers(len(batch))
    for idx in keys.values():
        ps = [batch[i] for i in idx]
        X = real(np.stack([pts[i][0] for i in idx]), device)
        Y = real(np.stack([pts[i][1] for i in idx]), device)
        sig = real(np.array([p.sigma for p in ps]), device)[:, None, None]
        lin = torch.tensor([p.kernel == "linear" for p in ps], device=device)[:, None, None]

        def k(A: torch.Tensor, B: torch.Tensor, sig: torch.Tensor = sig, lin: torch.Tensor = lin) -> torch.Tensor:
            return torch.where(lin, A @ B.transpose(1, 2), torch.exp(-torch.cdist(A, B) ** 2 / (2 * sig**2)))

        unb = torch.tensor([p.estimator == "unbiased" for p in ps], device=device)[:, None, None]

        def mean(K: torch.Tensor, unb: torch.Tensor = unb) -> torch.Tensor:
            n = K.shape[-1]
            keep = torch.where(unb, 1 - torch.eye(n, dtype=K.dtype, device=device), torch.ones_like(K))
            return (K * keep).sum((1, 2)) / keep.sum((1, 2))

        kxx, kyy, kxy = mean(k(X, X)), mean(k(Y, Y)), k(X, Y).mean((1, 2))
        out.add(idx, {"k_xx": kxx, "k_yy": kyy, "k_xy": kxy, "mmd2": kxx + kyy - 2 * kxy})
    return out
