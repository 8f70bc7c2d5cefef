"""Torch references for the divergence family, built on ``torch.distributions``.

Each function stacks the instances of one shape into float64 tensors on ``device`` and does one batched
computation per group; nothing here reuses the formulas of the problem modules' ``solve``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from typing import Any

import torch
from torch.distributions import Categorical, MultivariateNormal, Normal, kl_divergence
from torch.distributions.transforms import AffineTransform

from examprep.params import Params

REAL = torch.float64  # rebound by examprep.reference.use_dtype (verify --dtype)


def groups(batch: list[Params], key: Callable[[Params], Hashable]) -> dict[Hashable, list[int]]:
    """Indices of the instances that share a shape (so they stack into one tensor)."""
    out: dict[Hashable, list[int]] = {}
    for i, p in enumerate(batch):
        out.setdefault(key(p), []).append(i)
    return out


def stack(batch: list[Params], idx: list[int], name: str, device: torch.device) -> torch.Tensor:
    return torch.tensor([batch[i][name] for i in idx], dtype=REAL, device=device)


def categorical_kl(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """KL(p‖q) in nats along the last axis, by torch.distributions (0·log 0 = 0, +∞ off q's support)."""
    return kl_divergence(Categorical(probs=p, validate_args=False), Categorical(probs=q, validate_args=False))


def kl_discrete(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{} for _ in batch]
    for _, idx in groups(batch, lambda p: len(p.P)).items():
        P, Q = stack(batch, idx, "P", device), stack(batch, idx, "Q", device)
        scale = torch.tensor([1 / math.log(2) if batch[i].base == "2" else 1.0 for i in idx], dtype=REAL,
                             device=device)
        kl = (categorical_kl(P, Q) * scale).cpu().tolist()
        terms = ((torch.xlogy(P, P) - torch.xlogy(P, Q)) * scale[:, None]).cpu().tolist()
        for j, i in enumerate(idx):
            out[i] = {"terms": terms[j], "kl": kl[j]}
    return out


def kl_gaussian(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    t = {k: torch.tensor([p[k] for p in batch], dtype=REAL, device=device) for k in ("mu1", "sigma1", "mu2", "sigma2")}
    n1, n2 = Normal(t["mu1"], t["sigma1"]), Normal(t["mu2"], t["sigma2"])
    kl = kl_divergence(n1, n2)
    log_term = n2.entropy() - n1.entropy()  # ½ln(2πeσ²) differences: ln(σ2/σ1)
    frac_term = kl - log_term + 0.5
    cols = [x.cpu().tolist() for x in (log_term, frac_term, kl)]
    return [{"log_term": a, "frac_term": b, "kl": c} for a, b, c in zip(*cols, strict=True)]


def kl_gaussian_mv(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{} for _ in batch]
    for _, idx in groups(batch, lambda p: len(p.mu1)).items():
        mu1, mu2 = stack(batch, idx, "mu1", device), stack(batch, idx, "mu2", device)
        s1, s2 = stack(batch, idx, "Sigma1", device), stack(batch, idx, "Sigma2", device)
        kl = kl_divergence(MultivariateNormal(mu1, covariance_matrix=s1), MultivariateNormal(mu2, covariance_matrix=s2))
        chol2 = torch.linalg.cholesky(s2)
        inv2 = torch.cholesky_inverse(chol2)
        trace = torch.linalg.solve(s2, s1).diagonal(dim1=-2, dim2=-1).sum(-1)
        diff = (mu2 - mu1).unsqueeze(-1)
        quad = (diff.transpose(-1, -2) @ torch.cholesky_solve(diff, chol2)).reshape(-1)
        logdet = torch.logdet(s2) - torch.logdet(s1)
        cols = [x.cpu().tolist() for x in (inv2, trace, quad, logdet, kl)]
        for j, i in enumerate(idx):
            out[i] = dict(zip(("Sigma2_inv", "trace_term", "quad_term", "logdet_term", "kl"),
                              (c[j] for c in cols), strict=True))
    return out


def vae_kl(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{} for _ in batch]
    for _, idx in groups(batch, lambda p: len(p.mu)).items():
        mu, lv, eps = (stack(batch, idx, k, device) for k in ("mu", "log_var", "eps"))
        q = Normal(mu, torch.exp(0.5 * lv))
        prior = Normal(torch.zeros_like(mu), torch.ones_like(mu))
        per = kl_divergence(q, prior)
        z = AffineTransform(loc=q.mean, scale=q.stddev)(eps)
        cols = [x.cpu().tolist() for x in (q.stddev, per, per.sum(-1), z)]
        for j, i in enumerate(idx):
            out[i] = dict(zip(("sigma", "kl_per_dim", "kl", "z"), (c[j] for c in cols), strict=True))
    return out


def jsd(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{} for _ in batch]
    for _, idx in groups(batch, lambda p: len(p.P)).items():
        P, Q = stack(batch, idx, "P", device), stack(batch, idx, "Q", device)
        M = torch.stack([P, Q]).mean(0)
        a, b = categorical_kl(P, M), categorical_kl(Q, M)
        cols = [x.cpu().tolist() for x in (M, a, b, 0.5 * (a + b))]
        for j, i in enumerate(idx):
            out[i] = dict(zip(("m", "kl_pm", "kl_qm", "jsd"), (c[j] for c in cols), strict=True))
    return out
