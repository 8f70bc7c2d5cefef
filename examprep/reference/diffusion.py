"""Torch references for the diffusion family, written from the DDPM and DDIM papers, not from ``solve``.

Every function stacks the batch into float64 tensors on ``device`` (data vectors padded to the longest, schedules
padded with β = 0, i.e. α = 1, which leaves the cumulative product unchanged), runs one torch op per step for the
whole batch, and slices each instance's answers back out. ᾱ comes from ``torch.cumprod``; Gaussian moments from
``torch.distributions.Normal``; the posterior from Bayes' rule for two Gaussians (precisions add); the bound's weight
from ``kl_divergence``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F  # noqa: N812
from torch.distributions import Normal, kl_divergence

from examprep.params import Params
from examprep.reference.batching import Answers, ragged
from examprep.reference.packing import column, padded

REAL = torch.float64  # rebound by examprep.reference.use_dtype (verify --dtype)


def _rows(rows: Sequence[Sequence[float]], device: torch.device, fill: float = 0.0) -> torch.Tensor:
    """(B, max length) tensor of ragged rows, padded with ``fill``."""
    return padded(rows, device, fill)[0]


def _col(values: Sequence[float], device: torch.device) -> torch.Tensor:
    """(B, 1) column, to broadcast against (B, D) data."""
    return column(values, len(values), device)[:, None]


def _alpha_bars(betas: Sequence[Sequence[float]], ts: Sequence[int], device: torch.device
                ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(β_t, ᾱ_t, ᾱ_{t−1}) as (B, 1) columns, ᾱ via torch.cumprod with ᾱ_0 = 1 prepended."""
    b = _rows(betas, device)
    ab = torch.cumprod(torch.cat([torch.ones_like(b[:, :1]), 1 - b], dim=1), dim=1)  # ᾱ_0..ᾱ_T
    idx = torch.tensor(list(ts), device=device)[:, None]
    return b.gather(1, idx - 1), ab.gather(1, idx), ab.gather(1, idx - 1)


def _out(tensors: dict[str, torch.Tensor], lengths: Sequence[int]) -> Answers:
    """Answers by column: (B, D) tensors as ragged columns cut to each instance's length, (B, 1) columns as one
    number per instance."""
    cols = {k: ragged(v, lengths) if k in _VECTORS else v[:, 0] for k, v in tensors.items()}
    return Answers(len(lengths)).add(None, cols)


_VECTORS = {"mean", "x_t", "x_1", "x_2", "mu_tilde", "eps", "x0_hat", "x_prev", "residual"}


def noise_schedule(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """β from the list, the linear formula or the cosine f(u); ᾱ table by torch.cumprod."""
    T = [len(p.betas) if p.schedule is None else p.T for p in batch]  # noqa: N806
    k = torch.arange(1, max(T) + 1, dtype=REAL, device=device)[None, :]
    Tc = _col(T, device)  # noqa: N806
    custom = _rows([p.betas if p.schedule is None else [0.0] for p in batch], device)
    custom = F.pad(custom, (0, k.shape[1] - custom.shape[1]))
    b1 = _col([p.beta_1 if p.schedule == "linear" else 0.0 for p in batch], device)
    bT = _col([p.beta_T if p.schedule == "linear" else 0.0 for p in batch], device)  # noqa: N806
    linear = b1 + (k - 1) * (bT - b1) / torch.clamp(Tc - 1, min=1)
    s = _col([p.s if p.schedule == "cosine" else 0.0 for p in batch], device)

    def f(u: torch.Tensor) -> torch.Tensor:
        return torch.cos((u / Tc + s) / (1 + s) * math.pi / 2) ** 2

    cosine = torch.clamp(1 - f(k) / f(k - 1), max=0.999)
    kind = torch.tensor([{None: 0, "linear": 1, "cosine": 2}[p.schedule] for p in batch], device=device)[:, None]
    betas = torch.where(kind == 0, custom, torch.where(kind == 1, linear, cosine))
    betas = torch.where(k <= Tc, betas, torch.zeros_like(betas))
    abar = torch.cumprod(1 - betas, dim=1)
    t = [p.t for p in batch]
    at = torch.tensor(t, device=device)[:, None] - 1
    beta_t = betas.gather(1, at)[:, 0]
    return Answers(len(batch)).add(None, {"beta": beta_t, "alpha": 1 - beta_t, "alpha_bar_table": ragged(abar, t),
                                          "alpha_bar": abar.gather(1, at)[:, 0]})


def forward_step(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """q(x_t | x_{t−1}) as a Normal; x_t by reparameterisation with the given ε."""
    x, e = _rows([p.x_prev for p in batch], device), _rows([p.eps for p in batch], device)
    b = _col([p.beta_t for p in batch], device)
    q = Normal(torch.sqrt(1 - b) * x, torch.sqrt(b).expand_as(x))
    return _out({"mean": q.mean, "var": q.variance[:, :1], "x_t": q.mean + q.stddev * e},
                [len(p.x_prev) for p in batch])


def forward_closed_form(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """ᾱ_t by cumprod; q(x_t | x_0) as a Normal; x_t by reparameterisation."""
    x0, e = _rows([p.x0 for p in batch], device), _rows([p.eps for p in batch], device)
    _, ab, _ = _alpha_bars([p.betas for p in batch], [p.t for p in batch], device)
    q = Normal(torch.sqrt(ab) * x0, torch.sqrt(1 - ab).expand_as(x0))
    return _out({"alpha_bar": ab, "mean": q.mean, "std": q.stddev[:, :1], "x_t": q.mean + q.stddev * e},
                [len(p.x0) for p in batch])


def two_step(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """The chain run step by step; the marginal's moments propagated through the two linear-Gaussian steps."""
    x0 = _rows([p.x0 for p in batch], device)
    e1, e2 = _rows([p.eps_1 for p in batch], device), _rows([p.eps_2 for p in batch], device)
    mean, var, x = x0, torch.zeros_like(x0[:, :1]), x0
    xs = []
    for b, e in ((_col([p.beta_1 for p in batch], device), e1), (_col([p.beta_2 for p in batch], device), e2)):
        x = torch.sqrt(1 - b) * x + torch.sqrt(b) * e
        mean, var = torch.sqrt(1 - b) * mean, (1 - b) * var + b
        xs.append(x)
    return _out({"x_1": xs[0], "x_2": xs[1], "mean": mean, "var": var}, [len(p.x0) for p in batch])


def _bayes_posterior(x0: torch.Tensor, xt: torch.Tensor, b: torch.Tensor, ab: torch.Tensor, abp: torch.Tensor
                     ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """q(x_{t−1} | x_t, x_0) ∝ N(x_{t−1}; √ᾱ_{t−1}x_0, 1 − ᾱ_{t−1})·N(x_t; √α_t x_{t−1}, β_t): precisions add.

    Returns (mean, variance, coefficient of x_0, coefficient of x_t). At t = 1 (ᾱ_0 = 1) the prior is a point
    mass at x_0, so the posterior is x_0 with variance 0.
    """
    a = 1 - b
    point = abp >= 1
    prior_var = torch.where(point, torch.ones_like(abp), 1 - abp)
    var = 1 / (1 / prior_var + a / b)
    c0 = var * torch.sqrt(abp) / prior_var
    ct = var * torch.sqrt(a) / b
    c0, ct, var = torch.where(point, 1.0, c0), torch.where(point, 0.0, ct), torch.where(point, 0.0, var)
    return c0 * x0 + ct * xt, var, c0, ct


def posterior(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    x0, xt = _rows([p.x0 for p in batch], device), _rows([p.x_t for p in batch], device)
    b, ab, abp = _alpha_bars([p.betas for p in batch], [p.t for p in batch], device)
    mu, var, c0, ct = _bayes_posterior(x0, xt, b, ab, abp)
    eps = (xt - torch.sqrt(ab) * x0) / torch.sqrt(1 - ab)
    return _out({"alpha_bar_prev": abp, "alpha_bar": ab, "coef_x0": c0, "coef_xt": ct, "eps": eps, "mu_tilde": mu,
                 "beta_tilde": var}, [len(p.x0) for p in batch])


def reverse_step(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """x̂_0 from ε̂, then μ_θ = the Bayes posterior mean at x̂_0; σ² = β or the posterior variance; z only for t > 1."""
    xt, e = _rows([p.x_t for p in batch], device), _rows([p.eps_hat for p in batch], device)
    z = _rows([p.z if p.z is not None else [0.0] * len(p.x_t) for p in batch], device)
    b, ab, abp = _alpha_bars([p.betas for p in batch], [p.t for p in batch], device)
    x0 = (xt - torch.sqrt(1 - ab) * e) / torch.sqrt(ab)
    mean, post_var, _, _ = _bayes_posterior(x0, xt, b, ab, abp)
    tilde = _col([p.sigma == "beta_tilde" for p in batch], device) > 0
    sigma = torch.sqrt(torch.where(tilde, post_var, b))
    late = _col([p.t > 1 for p in batch], device)
    return _out({"alpha_bar": ab, "coef": b / torch.sqrt(1 - ab), "x0_hat": x0, "mean": mean,
                 "sigma": sigma, "x_prev": mean + late * sigma * z}, [len(p.x_t) for p in batch])


def ddim_step(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """DDIM eq. 7: the mean of q_σ(x_{t−1} | x_t, x̂_0), with the noise direction recomputed from x_t and x̂_0."""
    xt, e = _rows([p.x_t for p in batch], device), _rows([p.eps_hat for p in batch], device)
    z = _rows([p.z if p.z is not None else [0.0] * len(p.x_t) for p in batch], device)
    ab, abp = _col([p.alpha_bar_t for p in batch], device), _col([p.alpha_bar_prev for p in batch], device)
    eta = _col([p.eta for p in batch], device)
    x0 = (xt - torch.sqrt(1 - ab) * e) / torch.sqrt(ab)
    var = eta**2 * (1 - abp) / (1 - ab) * (1 - ab / abp)
    dc = torch.sqrt(torch.clamp(1 - abp - var, min=0))
    direction = (xt - torch.sqrt(ab) * x0) / torch.sqrt(1 - ab)
    x_prev = torch.sqrt(abp) * x0 + dc * direction + torch.sqrt(var) * z
    return _out({"x0_hat": x0, "sigma": torch.sqrt(var), "dir_coef": dc, "x_prev": x_prev},
                [len(p.x_t) for p in batch])


def loss(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """L_simple by F.mse_loss. L_{t−1}: the KL from N(μ̃_t, σ_t²) (the Bayes posterior mean at x_0 = 0, x_t built
    from ε) to p_θ = N(μ_θ(ε̂), σ_t²), minus its value at ε̂ = ε; λ_t: the same with ‖ε − ε̂‖ = 1. Only the means'
    term of the KL depends on ε̂, so the posterior's own variance is irrelevant (and is 0 at t = 1)."""
    e, eh = _rows([p.eps for p in batch], device), _rows([p.eps_hat for p in batch], device)
    n = _col([len(p.eps) for p in batch], device)
    sq = F.mse_loss(eh, e, reduction="none").sum(dim=1, keepdim=True)  # padding adds 0
    mean = _col([p.reduction == "mean" for p in batch], device) > 0
    b, ab, abp = _alpha_bars([p.betas for p in batch], [p.t for p in batch], device)
    x0 = torch.zeros_like(e)
    xt = torch.sqrt(ab) * x0 + torch.sqrt(1 - ab) * e
    mu_q, var_q, _, _ = _bayes_posterior(x0, xt, b, ab, abp)
    tilde = _col([p.sigma == "beta_tilde" for p in batch], device) > 0
    sigma = torch.sqrt(torch.where(tilde, var_q, b))
    q = Normal(mu_q, sigma.expand_as(mu_q))
    mask = torch.arange(e.shape[1], device=device)[None, :] < n

    def kl(eps_hat: torch.Tensor) -> torch.Tensor:
        mu_p = (xt - b / torch.sqrt(1 - ab) * eps_hat) / torch.sqrt(1 - b)
        return torch.where(mask, kl_divergence(q, Normal(mu_p, sigma.expand_as(mu_p))), 0.0).sum(1, keepdim=True)

    unit = torch.zeros_like(e)
    unit[:, 0] = 1.0
    base = kl(e)
    return _out({"residual": e - eh, "l_simple": torch.where(mean, sq / n, sq), "alpha_bar": ab,
                 "lambda_t": kl(e - unit) - base, "l_weighted": kl(eh) - base}, [len(p.eps) for p in batch])
