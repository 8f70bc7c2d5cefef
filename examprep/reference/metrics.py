"""Torch references for the metrics family: each packs the batch into tensors on ``device`` (grouped by shape
where shapes differ) and answers by column, computed another way than the problem modules' ``solve``."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from examprep.params import Params
from examprep.reference.batching import Answers, grouped
from examprep.reference.packing import real

# ---- metrics/fid --------------------------------------------------------------------------------------------------


def _sym_fn(S: torch.Tensor, fn: Any) -> torch.Tensor:
    """fn applied to the eigenvalues of a batch of symmetric matrices (``torch.linalg.eigh``)."""
    w, V = torch.linalg.eigh(S)
    return V @ torch.diag_embed(fn(w)) @ V.transpose(-1, -2)


def _fid_group(ps: list[Params], device: torch.device) -> dict[str, Any]:
    samples = ps[0].X_r is not None
    out: dict[str, Any] = {}
    if samples:
        Xr, Xg = (real(np.asarray([getattr(p, k) for p in ps]), device) for k in ("X_r", "X_g"))
        mu_r, mu_g = Xr.mean(1), Xg.mean(1)
        Cr, Cg = Xr - mu_r[:, None], Xg - mu_g[:, None]
        Sr = Cr.transpose(1, 2) @ Cr / (Xr.shape[1] - 1)
        Sg = Cg.transpose(1, 2) @ Cg / (Xg.shape[1] - 1)
        out.update(cov_r=Sr, cov_g=Sg)
    else:
        mu_r, mu_g, Sr, Sg = (real(np.asarray([getattr(p, k) for p in ps]), device)
                              for k in ("mu_r", "mu_g", "Sigma_r", "Sigma_g"))
    A = _sym_fn(Sr, torch.sqrt)  # Σ_r^½
    C = _sym_fn(A @ Sg @ A, torch.sqrt)  # (Σ_r^½ Σ_g Σ_r^½)^½, similar to (Σ_r Σ_g)^½
    root = A @ C @ torch.linalg.inv(A)
    mean_term = ((mu_r - mu_g) ** 2).sum(-1)
    tr = (torch.diagonal(Sr, dim1=-2, dim2=-1).sum(-1) + torch.diagonal(Sg, dim1=-2, dim2=-1).sum(-1)
          - 2 * torch.diagonal(C, dim1=-2, dim2=-1).sum(-1))
    out.update(mean_term=mean_term, sqrt_product=root, trace_term=tr, fid=mean_term + tr)
    return out


def fid(batch: list[Params], device: torch.device) -> Answers:
    """FID with the root (Σ_rΣ_g)^½ = A·(A Σ_g A)^½·A⁻¹, A = Σ_r^½, both symmetric roots by ``eigh``; the trace
    term from the symmetric root (same eigenvalues); sample covariances by centred batched products (N − 1).
    Instances are grouped by dimension and sample counts."""
    def key(p: Params) -> tuple[Any, ...]:
        return ("X", len(p.X_r), len(p.X_g), len(p.X_r[0])) if p.X_r is not None else ("N", len(p.mu_r))

    return grouped(batch, key, lambda ps: _fid_group(ps, device))
