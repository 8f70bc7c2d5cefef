"""Torch references for the Harris family: gradients and windows as cross-correlations with explicit kernels, batched.

A whole batch runs at once, whatever its image shapes and settings. Images are zero-padded at the bottom and right
to the largest in the batch; a value is read only where every pixel it needs lies inside the real image, so the
padding never enters an answer. The three gradient operators are 3×3 cross-correlation kernels (forward differences
with zeros in the unused taps, placed so that each operator's output [0, 0] is its first defined pixel); one
F.conv2d gives every operator's I_x and I_y and each instance keeps its own. Each instance's window (box, or
Gaussian with weights rounded to 4 decimals; 3×3 or 5×5) is its own kernel, and the window sums Σ w·I_x², Σ w·I_xI_y,
Σ w·I_y² are that kernel's cross-correlation with the products: at one pixel a weighted sum over the window's
gradients, over a whole map one multiply-add per window tap for all instances. Eigenvalues and determinants come from
torch.linalg on the stacked 2×2 matrices, so nothing here reuses the closed forms of ``solve``. Answers go back by
column (reference.batching.Answers); labels compare with τ in bulk after the problems' 12-significant-figure snap,
which is decided exactly, value by value, wherever it could change the comparison.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812

from examprep.params import Params
from examprep.reference.batching import Answers, Ragged, ragged
from examprep.reference.packing import real

REAL = torch.float64  # rebound by examprep.reference.use_dtype (verify --dtype)

_OPS = {"central": 0, "sobel": 1, "forward": 2}
_LO = np.array([1, 1, 0])  # the first pixel (row and column) where each operator's gradient is defined
_LABELS = np.array(["corner", "edge", "flat"])
_chain = itertools.chain.from_iterable


def _grad_kernels(device: torch.device) -> torch.Tensor:
    """(6, 1, 3, 3): I_x and I_y kernels of central, sobel and forward as cross-correlations whose output [0, 0] is
    each operator's first defined gradient (pixel (1, 1) for central and sobel, (0, 0) for forward)."""
    kx = torch.zeros(3, 3, 3, dtype=REAL)
    kx[0, 1, 0], kx[0, 1, 2] = -0.5, 0.5
    kx[1] = torch.outer(torch.tensor([1.0, 2.0, 1.0], dtype=REAL), torch.tensor([-1.0, 0.0, 1.0], dtype=REAL))
    kx[2, 0, 0], kx[2, 0, 1] = -1.0, 1.0
    return torch.stack([kx, kx.transpose(1, 2)], dim=1).reshape(6, 1, 3, 3).to(device)


def _windows(ps: Sequence[Params], device: torch.device) -> tuple[torch.Tensor, np.ndarray]:
    """(N, 5, 5) window kernels with each instance's size×size window in the top-left (zeros elsewhere): Gaussian
    weights exp(−(u² + v²)/(2σ²)) rounded to 4 decimals, box weights 1. Each distinct window of the batch is built
    once. Also each instance's window side."""
    keys = [(p.window, p.size, p.sigma if p.window == "gaussian" else 1.0) for p in ps]
    distinct = list(dict.fromkeys(keys))
    where = {k: j for j, k in enumerate(distinct)}
    ids = torch.tensor([where[k] for k in keys], device=device)
    side = torch.tensor([k[1] for k in distinct], device=device)
    pos = torch.arange(5, device=device)
    u = pos.to(REAL)[None, :] - (side.to(REAL)[:, None] - 1) / 2  # offsets from each window's centre, (K, 5)
    s2 = torch.tensor([k[2] for k in distinct], dtype=REAL, device=device)[:, None, None] ** 2
    g = torch.exp(-(u[:, :, None] ** 2 + u[:, None, :] ** 2) / (2 * s2))
    g = torch.round(g * 1e4) / 1e4  # the problem's weights are rounded to 4 decimals
    gauss = torch.tensor([k[0] == "gaussian" for k in distinct], device=device)[:, None, None]
    inside = pos[None, :] < side[:, None]
    w = torch.where(gauss, g, torch.ones_like(g)) * (inside[:, :, None] & inside[:, None, :])
    return w[ids], side[ids].cpu().numpy()


def _images(ps: Sequence[Params], device: torch.device) -> tuple[torch.Tensor, np.ndarray, np.ndarray]:
    """(N, H + 1, W + 1) images zero-padded at the bottom and right (to the largest, plus one), and each one's rows
    and columns."""
    by_shape: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, p in enumerate(ps):
        by_shape[len(p.I), len(p.I[0])].append(i)
    nr, nc = np.zeros(len(ps), dtype=np.int64), np.zeros(len(ps), dtype=np.int64)
    hm, wm = max(r for r, _ in by_shape), max(c for _, c in by_shape)
    out = np.zeros((len(ps), hm + 1, wm + 1))
    for (r, c), idx in by_shape.items():
        vals = np.fromiter(_chain(_chain(ps[i].I for i in idx)), dtype=np.float64, count=len(idx) * r * c)
        out[idx, :r, :c] = vals.reshape(len(idx), r, c)
        nr[idx], nc[idx] = r, c
    return torch.from_numpy(out).to(device=device, dtype=REAL), nr, nc


def _gradients(ps: Sequence[Params], device: torch.device) -> dict[str, Any]:
    """I_x and I_y (N, 2, H, W) of each instance's operator from one F.conv2d of every operator's kernels; entry
    [i, j] is the gradient at pixel (i + lo, j + lo), lo = the operator's first defined pixel. Zero-padded by 4 at
    the bottom and right, so any 5×5 window starting inside can be read."""
    img, nr, nc = _images(ps, device)
    n = len(ps)
    op = np.fromiter((_OPS[p.gradient] for p in ps), dtype=np.int64, count=n)
    every = F.conv2d(img[:, None], _grad_kernels(device))  # (N, 6, H − 1, W − 1): each operator's I_x, I_y
    g = every.view(n, 3, 2, *every.shape[2:])[torch.arange(n, device=device), torch.from_numpy(op).to(device)]
    w, side = _windows(ps, device)
    return {"g": F.pad(g, (0, 4, 0, 4)), "lo": _LO[op], "w": w, "side": side, "rows": nr, "cols": nc}


def _window_sums(prods: torch.Tensor, w: torch.Tensor, side: np.ndarray, rows: int, cols: int) -> torch.Tensor:
    """(N, 3, rows, cols): out[:, :, i, j] = Σ_{u,v} w[:, u, v]·prods[:, :, i + u, j + v], the cross-correlation of
    each map with its instance's window kernel (one multiply-add per window tap, for all instances with that tap)."""
    out = torch.zeros(*prods.shape[:2], rows, cols, dtype=prods.dtype, device=prods.device)
    for s in np.unique(side):
        sel = torch.from_numpy(np.flatnonzero(side == s)).to(prods.device)
        part = out if len(sel) == len(side) else out[sel]
        p, ws = (prods, w) if len(sel) == len(side) else (prods[sel], w[sel])
        for u in range(int(s)):
            for v in range(int(s)):
                part.addcmul_(ws[:, None, u, v, None, None], p[:, :, u : u + rows, v : v + cols])
        if part is not out:
            out[sel] = part
    return out


def _products(g: torch.Tensor) -> torch.Tensor:
    """[I_x², I_x·I_y, I_y²] stacked on axis 1."""
    return torch.stack([g[:, 0] ** 2, g[:, 0] * g[:, 1], g[:, 1] ** 2], dim=1)


def _matrices(abc: torch.Tensor) -> torch.Tensor:
    """(..., 3) [A, B, C] -> (..., 2, 2) [[A, B], [B, C]]."""
    return abc[..., [0, 1, 1, 2]].reshape(*abc.shape[:-1], 2, 2)


def _response(m: torch.Tensor, k: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(det, trace, R = det − k·trace²) of stacked 2×2 matrices, det by torch.linalg.det.

    A determinant below 10⁻¹² of its terms (|m₀₀m₁₁| + |m₀₁m₁₀|) is the rounding noise of an exact 0 (a pure edge
    has AB = C²): the LU factorisation leaves ~10⁻¹⁰ there on some devices (CUDA did at N = 100,000), so it is 0."""
    det = torch.linalg.det(m)
    scale = (m[..., 0, 0] * m[..., 1, 1]).abs() + (m[..., 0, 1] * m[..., 1, 0]).abs()
    det = torch.where(det.abs() <= 1e-12 * scale, torch.zeros_like(det), det)
    tr = torch.diagonal(m, dim1=-2, dim2=-1).sum(-1)
    return det, tr, det - k * tr**2


def _snap(x: float) -> float:
    return float(f"{x:.12g}")  # the label rule compares decimals: drop float noise at the boundary


def _snapped_gt(a: np.ndarray, b: np.ndarray, snap_b: bool = True) -> np.ndarray:
    """snap(a) > snap(b) entrywise, or snap(a) > b (``snap_b`` False: τ is compared as given), snap = 12 significant
    figures, the rule of the labels and the corners. Snapping moves a number by at most 5·10⁻¹²·|x|, so only
    entries within 10⁻¹⁰ relative of each other can change (and, when both are snapped, not equal ones); those
    are snapped and compared one by one, the rest compared as they are."""
    a, b = np.broadcast_arrays(a, b)
    out = a > b
    with np.errstate(invalid="ignore"):
        near = (np.abs(a - b) <= 1e-10 * np.abs(a)) & np.isfinite(a) & np.isfinite(b)
    if snap_b:
        near &= a != b
    for i in zip(*np.nonzero(near), strict=True):
        out[i] = _snap(float(a[i])) > (_snap(float(b[i])) if snap_b else float(b[i]))
    return out


def _labels(r: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """corner if snap(R) > τ, edge if snap(R) < −τ, flat otherwise."""
    return _LABELS[np.where(_snapped_gt(r, tau, snap_b=False), 0,
                            np.where(_snapped_gt(-r, tau, snap_b=False), 1, 2))]


def _floats(ps: Sequence[Params], name: str) -> np.ndarray:
    return np.fromiter((getattr(p, name) for p in ps), dtype=np.float64, count=len(ps))


def harris_from_sums(batch: list[Params], device: torch.device) -> Answers:
    """det and eigenvalues by torch.linalg on the stacked M; R from det and trace."""
    abc = np.stack([_floats(batch, "A"), _floats(batch, "B"), _floats(batch, "C")], axis=1)
    m = _matrices(real(abc, device))
    det, tr, r = _response(m, real(_floats(batch, "k"), device))
    lam = torch.linalg.eigvalsh(m)
    rn = r.cpu().numpy()
    return Answers(len(batch)).add(None, {"det": det, "trace": tr, "R": rn, "eigenvalues": lam,
                                          "label": _labels(rn, _floats(batch, "tau"))})


def _at_pixels(ps: Sequence[Params], st: dict[str, Any], device: torch.device) -> dict[str, Any]:
    """At each instance's (row, col): the gradients over its window (N, 2, 5, 5; the size×size window in the
    top-left) and the window sums [A, B, C] = Σ w·[I_x², I_x·I_y, I_y²] over it (its conv2d at that one pixel)."""
    n = len(ps)
    h = (st["side"] - 1) // 2
    r0 = np.fromiter((p.row for p in ps), dtype=np.int64, count=n) - h - st["lo"]  # the window's first entry
    c0 = np.fromiter((p.col for p in ps), dtype=np.int64, count=n) - h - st["lo"]
    off = torch.arange(5, device=device)
    ri = torch.from_numpy(r0).to(device)[:, None] + off
    ci = torch.from_numpy(c0).to(device)[:, None] + off
    ar = torch.arange(n, device=device)[:, None, None, None]
    ch = torch.arange(2, device=device)[None, :, None, None]
    win = st["g"][ar, ch, ri[:, None, :, None], ci[:, None, None, :]]  # (N, 2, 5, 5)
    abc = (_products(win) * st["w"][:, None]).sum((-2, -1))  # (N, 3)
    return {"win": win, "abc": abc}


def harris_patch(batch: list[Params], device: torch.device) -> Answers:
    """Gradients and window sums at the pixel from the conv2d maps; det by torch.linalg.det, R from det and trace."""
    st = _gradients(batch, device)
    px = _at_pixels(batch, st, device)
    det, tr, r = _response(_matrices(px["abc"]), real(_floats(batch, "k"), device))
    size = st["side"]
    win, abc, rn = px["win"].cpu().numpy(), px["abc"].cpu().numpy(), r.cpu().numpy()
    return Answers(len(batch)).add(None, {
        "Ix": ragged(win[:, 0], size, size), "Iy": ragged(win[:, 1], size, size),
        "A": abc[:, 0], "B": abc[:, 1], "C": abc[:, 2], "det": det, "trace": tr, "R": rn,
        "label": _labels(rn, _floats(batch, "tau"))})


def harris_map(batch: list[Params], device: torch.device) -> Answers:
    """R over the valid region; corners: R > τ and R > each of its 8 neighbours (−inf outside the region), R, τ
    and the neighbours snapped to 12 significant figures as the problem states (:func:`_snapped_gt`).

    Window sums are computed straight into region coordinates (entry [i, j] is pixel (r0 + i, c0 + j), r0 = c0 = the
    operator's first gradient pixel + the window's half-width), padded to the largest region of the batch; det by
    torch.linalg.det on the region's matrices only, the rest of the padded map −inf. Corners come from np.argwhere
    in row-major order, so they are sorted by row and column; answers go in one block per number of corners, corners
    as an (n, count, 2) array.
    """
    n = len(batch)
    st = _gradients(batch, device)
    h = (st["side"] - 1) // 2
    r0 = st["lo"] + h
    nrow, ncol = st["rows"] - 1 - h - r0, st["cols"] - 1 - h - r0  # the region: rows r0 … rows − 2 − h
    rows, cols = int(nrow.max()), int(ncol.max())
    s = _window_sums(_products(st["g"]), st["w"], st["side"], rows, cols)  # (N, 3, rows, cols): A, B, C
    nr_t, nc_t = torch.from_numpy(nrow).to(device), torch.from_numpy(ncol).to(device)
    valid = ((torch.arange(rows, device=device)[None, :, None] < nr_t[:, None, None])
             & (torch.arange(cols, device=device)[None, None, :] < nc_t[:, None, None]))
    m = _matrices(s.permute(0, 2, 3, 1)[valid])  # (number of region pixels, 2, 2)
    k = real(_floats(batch, "k"), device)[:, None, None].expand(n, rows, cols)[valid]
    r = torch.full((n, rows, cols), float("-inf"), dtype=REAL, device=device)
    r[valid] = _response(m, k)[2]
    nb = F.pad(r[:, None], (1, 1, 1, 1), value=float("-inf")).unfold(2, 3, 1).unfold(3, 3, 1)
    nb = nb.reshape(n, rows, cols, 9).clone()
    nb[..., 4] = float("-inf")  # the centre is not its own neighbour
    rh, nbh = r.cpu().numpy(), nb.cpu().numpy()
    above = _snapped_gt(rh, _floats(batch, "tau")[:, None, None], snap_b=False)
    is_corner = valid.cpu().numpy() & above & _snapped_gt(rh[..., None], nbh).all(-1)
    found = np.argwhere(is_corner)  # row-major: sorted by instance, row, column
    coords = found[:, 1:] + r0[found[:, 0], None]
    count = np.bincount(found[:, 0], minlength=n)
    first = np.concatenate([[0], np.cumsum(count)[:-1]])
    data = ragged(rh, nrow, ncol)
    out = Answers(n)
    for c in np.unique(count):
        idx = np.flatnonzero(count == c)
        corners = coords[first[idx, None] + np.arange(c)] if c else np.zeros((len(idx), 0))
        out.add(idx, {"R": Ragged(data.data[idx], data.sizes[idx]), "corners": corners, "n_corners": count[idx]})
    return out


def shi_tomasi(batch: list[Params], device: torch.device) -> Answers:
    """torch.linalg.eigvalsh of M (M from the sums, or from conv2d gradients and windows for a patch)."""
    mats = torch.zeros(len(batch), 3, dtype=REAL, device=device)
    sums = [i for i, p in enumerate(batch) if p.I is None]
    if sums:
        ps = [batch[i] for i in sums]
        mats[sums] = real(np.stack([_floats(ps, "A"), _floats(ps, "B"), _floats(ps, "C")], axis=1), device)
    patch = [i for i, p in enumerate(batch) if p.I is not None]
    if patch:
        ps = [batch[i] for i in patch]
        mats[patch] = _at_pixels(ps, _gradients(ps, device), device)["abc"]
    lam = torch.linalg.eigvalsh(_matrices(mats)).cpu().numpy()
    tau = _floats(batch, "tau")
    lab = _LABELS[np.where(_snapped_gt(lam[:, 0], tau, snap_b=False), 0,
                           np.where(_snapped_gt(lam[:, 1], tau, snap_b=False), 1, 2))]
    return Answers(len(batch)).add(None, {"lambda_min": lam[:, 0], "lambda_max": lam[:, 1], "label": lab})
