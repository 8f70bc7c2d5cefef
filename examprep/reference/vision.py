"""Torch references for the Harris family: gradients and windows as conv2d with explicit kernels, batched.

Instances with the same image shape and settings are stacked into one (N, 1, H, W) tensor; every step is one torch
op for the whole group. Eigenvalues and determinants come from torch.linalg on the stacked 2×2 matrices, so nothing
here reuses the closed forms of ``solve``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import torch
import torch.nn.functional as F  # noqa: N812

from examprep.params import Params

REAL = torch.float64  # rebound by examprep.reference.use_dtype (verify --dtype)


def _grad_kernels(op: str, device: torch.device) -> tuple[torch.Tensor, int]:
    """(weight of shape (2, 1, kh, kw) giving I_x and I_y by cross-correlation, offset of output [0, 0])."""
    if op == "forward":
        kx = torch.tensor([[-1.0, 1.0], [0.0, 0.0]], dtype=REAL, device=device)
        return torch.stack([kx, kx.T])[:, None], 0
    if op == "sobel":
        kx = torch.outer(torch.tensor([1.0, 2.0, 1.0], dtype=REAL), torch.tensor([-1.0, 0.0, 1.0], dtype=REAL))
    elif op == "central":
        kx = torch.zeros(3, 3, dtype=REAL)
        kx[1, 0], kx[1, 2] = -0.5, 0.5
    else:
        raise ValueError(f"unknown gradient {op!r}")
    kx = kx.to(device)
    return torch.stack([kx, kx.T])[:, None], 1


def _window(window: str, size: int, sigma: float | None, device: torch.device) -> torch.Tensor:
    if window == "box":
        return torch.ones(size, size, dtype=REAL, device=device)
    u = torch.arange(size, dtype=REAL, device=device) - (size - 1) / 2
    g = torch.exp(-(u[:, None] ** 2 + u[None, :] ** 2) / (2 * float(sigma) ** 2))
    return torch.round(g * 1e4) / 1e4  # the problem's weights are rounded to 4 decimals


def _groups(batch: list[Params], key: Any) -> dict[Any, list[int]]:
    out: dict[Any, list[int]] = defaultdict(list)
    for i, p in enumerate(batch):
        out[key(p)].append(i)
    return out


def _settings(p: Params) -> tuple:
    return (len(p.I), len(p.I[0]), p.gradient, p.window, p.size, p.sigma)


def _structure(batch: list[Params], idx: list[int], device: torch.device) -> dict[str, Any]:
    """Gradient maps and window-summed [A, B, C] maps for a group of equal shape and settings."""
    p0 = batch[idx[0]]
    img = torch.tensor([batch[i].I for i in idx], dtype=REAL, device=device)[:, None]
    kg, g0 = _grad_kernels(p0.gradient, device)
    g = F.conv2d(img, kg)  # (N, 2, H', W'): I_x, I_y
    prods = torch.stack([g[:, 0] ** 2, g[:, 0] * g[:, 1], g[:, 1] ** 2], dim=1)
    w = _window(p0.window, p0.size, p0.sigma, device)
    s = F.conv2d(prods, w.expand(3, 1, -1, -1).contiguous(), groups=3)  # (N, 3, H'', W''): A, B, C
    return {"g": g, "s": s, "off": g0 + (p0.size - 1) // 2, "g0": g0, "size": p0.size}


def _matrices(abc: torch.Tensor) -> torch.Tensor:
    """(..., 3) [A, B, C] -> (..., 2, 2) [[A, B], [B, C]]."""
    return torch.stack([torch.stack([abc[..., 0], abc[..., 1]], -1), torch.stack([abc[..., 1], abc[..., 2]], -1)], -2)


def _snap(x: float) -> float:
    return float(f"{x:.12g}")  # the label rule compares decimals: drop float noise at the boundary


def _label(r: float, tau: float) -> str:
    r = _snap(r)
    return "corner" if r > tau else ("edge" if r < -tau else "flat")


def harris_from_sums(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """det and eigenvalues by torch.linalg on the stacked M; R from det and trace."""
    abc = torch.tensor([[p.A, p.B, p.C] for p in batch], dtype=REAL, device=device)
    k = torch.tensor([p.k for p in batch], dtype=REAL, device=device)
    m = _matrices(abc)
    det = torch.linalg.det(m)
    tr = torch.diagonal(m, dim1=-2, dim2=-1).sum(-1)
    r = det - k * tr**2
    lam = torch.linalg.eigvalsh(m)
    det, tr, r, lam = det.tolist(), tr.tolist(), r.tolist(), lam.tolist()
    return [{"det": det[i], "trace": tr[i], "R": r[i], "eigenvalues": lam[i], "label": _label(r[i], p.tau)}
            for i, p in enumerate(batch)]


def _at_pixels(batch: list[Params], idx: list[int], st: dict[str, Any], device: torch.device) -> dict[str, Any]:
    """Window gradients and [A, B, C] at each instance's (row, col)."""
    n = torch.arange(len(idx), device=device)
    ri = torch.tensor([batch[i].row for i in idx], device=device) - st["off"]
    ci = torch.tensor([batch[i].col for i in idx], device=device) - st["off"]
    s = st["size"]
    wins = st["g"].unfold(2, s, 1).unfold(3, s, 1)[n, :, ri, ci]  # (N, 2, s, s)
    return {"win": wins, "abc": st["s"][n, :, ri, ci]}


def harris_patch(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{} for _ in batch]
    for idx in _groups(batch, _settings).values():
        px = _at_pixels(batch, idx, _structure(batch, idx, device), device)
        m = _matrices(px["abc"])
        k = torch.tensor([batch[i].k for i in idx], dtype=REAL, device=device)
        det = torch.linalg.det(m)
        tr = torch.diagonal(m, dim1=-2, dim2=-1).sum(-1)
        r = det - k * tr**2
        win, abc = px["win"].tolist(), px["abc"].tolist()
        det, tr, r = det.tolist(), tr.tolist(), r.tolist()
        for j, i in enumerate(idx):
            out[i] = {"Ix": win[j][0], "Iy": win[j][1], "A": abc[j][0], "B": abc[j][1], "C": abc[j][2],
                      "det": det[j], "trace": tr[j], "R": r[j], "label": _label(r[j], batch[i].tau)}
    return out


def harris_map(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """R over the valid region; corners: R > τ and R > the max of its 8 neighbours (−inf outside)."""
    out: list[dict[str, Any]] = [{} for _ in batch]
    for idx in _groups(batch, _settings).values():
        st = _structure(batch, idx, device)
        m = _matrices(st["s"].permute(0, 2, 3, 1))
        k = torch.tensor([batch[i].k for i in idx], dtype=REAL, device=device)[:, None, None]
        tau = torch.tensor([batch[i].tau for i in idx], dtype=REAL, device=device)[:, None, None]
        tr = torch.diagonal(m, dim1=-2, dim2=-1).sum(-1)
        r = torch.linalg.det(m) - k * tr**2  # (N, H'', W'')
        nb = F.pad(r[:, None], (1, 1, 1, 1), value=float("-inf")).unfold(2, 3, 1).unfold(3, 3, 1)
        nb = nb.reshape(*r.shape, 9).clone()
        nb[..., 4] = float("-inf")  # the centre is not its own neighbour
        is_corner = (r > tau) & (r > nb.max(-1).values)
        found = torch.nonzero(is_corner).tolist()  # row-major: sorted by instance, row, column
        corners: dict[int, list[list[int]]] = defaultdict(list)
        for j, a, b in found:
            corners[j].append([a + st["off"], b + st["off"]])
        rl = r.tolist()
        for j, i in enumerate(idx):
            out[i] = {"R": rl[j], "corners": corners[j], "n_corners": len(corners[j])}
    return out


def shi_tomasi(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """torch.linalg.eigvalsh of M (M from the sums, or from conv2d gradients and windows for a patch)."""
    mats = torch.zeros(len(batch), 3, dtype=REAL, device=device)
    sums = [i for i, p in enumerate(batch) if p.I is None]
    if sums:
        mats[sums] = torch.tensor([[batch[i].A, batch[i].B, batch[i].C] for i in sums], dtype=REAL, device=device)
    patch = [i for i, p in enumerate(batch) if p.I is not None]
    for idx in _groups([batch[i] for i in patch], _settings).values():
        real = [patch[j] for j in idx]
        mats[real] = _at_pixels(batch, real, _structure(batch, real, device), device)["abc"]
    lam = torch.linalg.eigvalsh(_matrices(mats)).tolist()
    res = []
    for (lo, hi), p in zip(lam, batch, strict=True):
        lo, hi = _snap(lo), _snap(hi)
        lab = "corner" if lo > p.tau else ("edge" if hi > p.tau else "flat")
        res.append({"lambda_min": lo, "lambda_max": hi, "label": lab})
    return res
