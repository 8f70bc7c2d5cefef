"""Torch references for the newer diffusion types (guidance, flow matching, the prior term, the VE view), written
from the papers and the libraries' formulas, batched over instances and independent of ``solve``."""

from __future__ import annotations

import numpy as np
import torch

from examprep.params import Params
from examprep.reference.batching import Answers, grouped
from examprep.reference.packing import real

REAL = torch.float64  # rebound by examprep.reference.use_dtype (verify --dtype)


def _cols(ps: list[Params], key: str, device: torch.device) -> torch.Tensor:
    return real(np.asarray([p[key] for p in ps], dtype=np.float64), device)


def guidance(batch: list[Params], device: torch.device) -> Answers:
    """CFG: diffusers' ``uncond + w * (cond - uncond)`` as ``torch.lerp``, the paper's (1 + w)ε_c − wε_u as a
    weighted sum; classifier guidance: ∇ ln p by autograd of ``F.logsigmoid``."""
    import torch.nn.functional as F  # noqa: N812

    def run(ps: list[Params]) -> dict:
        if ps[0].mode == "cfg":
            u, c, w = _cols(ps, "eps_u", device), _cols(ps, "eps_c", device), _cols(ps, "w", device)[:, None]
            out = torch.lerp(u, c, w) if ps[0].convention == "diffusers" else (1 + w) * c - w * u
            return {"eps_guided": out}
        x = _cols(ps, "x_t", device).requires_grad_(True)
        a, c = _cols(ps, "a", device), _cols(ps, "c", device)
        logp = F.logsigmoid((a * x).sum(-1) + c)
        (grad,) = torch.autograd.grad(logp.sum(), x)
        scale = _cols(ps, "s", device) * (1 - _cols(ps, "alpha_bar", device)).sqrt()
        return {"p": logp.detach().exp(), "grad": grad, "eps_guided": _cols(ps, "eps", device) - scale[:, None] * grad}

    return grouped(batch, lambda p: (p.mode, p.convention if p.mode == "cfg" else "", len(p.eps_u or p.eps)), run)


def flow_matching(batch: list[Params], device: torch.device) -> Answers:
    """x_t by ``torch.lerp``, u as its derivative in t (``torch.autograd.functional.jvp``), the loss by
    ``F.mse_loss(reduction='none')`` summed, the Euler step by ``torch.addcmul``; one block per (length, variant)."""
    import torch.nn.functional as F  # noqa: N812
    from torch.autograd.functional import jvp

    def run(ps: list[Params]) -> dict:
        x0, x1 = _cols(ps, "x0", device), _cols(ps, "x1", device)
        t = _cols(ps, "t", device)[:, None].expand_as(x0).contiguous()
        x_t, u = jvp(lambda s: torch.lerp(x0, x1, s), t, torch.ones_like(t))
        out = {"x_t": x_t, "u": u}
        if ps[0].v_hat is not None:
            v = _cols(ps, "v_hat", device)
            out["loss"] = F.mse_loss(v, u, reduction="none").sum(-1)
            if ps[0].dt is not None:
                out["x_next"] = torch.addcmul(x_t, _cols(ps, "dt", device)[:, None].expand_as(v), v)
        return out

    return grouped(batch, lambda p: (len(p.x0), p.v_hat is None, p.dt is None), run)


def _schedule(ps: list[Params], device: torch.device) -> torch.Tensor:
    """(B, T) β of one schedule kind and length: the list, ``torch.linspace`` or the cosine f(u) ratio capped at
    0.999."""
    import math

    p0 = ps[0]
    if p0.schedule is None:
        return _cols(ps, "betas", device)
    if p0.schedule == "linear":
        return torch.stack([torch.linspace(p.beta_1, p.beta_T, p.T, dtype=REAL, device=device) for p in ps])
    u = torch.arange(p0.T + 1, dtype=REAL, device=device)[None, :]
    s = _cols(ps, "s", device)[:, None]
    f = torch.cos((u / p0.T + s) / (1 + s) * math.pi / 2) ** 2
    return torch.clamp(1 - f[:, 1:] / f[:, :-1], max=0.999)


def prior_kl(batch: list[Params], device: torch.device) -> Answers:
    """ᾱ_T by ``torch.cumprod`` of 1 − β; L_T by ``kl_divergence(Normal(√ᾱ x_0, √(1 − ᾱ)), Normal(0, 1))``."""
    from torch.distributions import Normal, kl_divergence

    def run(ps: list[Params]) -> dict:
        ab = torch.cumprod(1 - _schedule(ps, device), dim=1)[:, -1]
        x0 = _cols(ps, "x0", device)
        q = Normal(ab.sqrt()[:, None] * x0, (1 - ab).sqrt()[:, None].expand_as(x0))
        kl = kl_divergence(q, Normal(torch.zeros_like(x0), torch.ones_like(x0))).sum(-1)
        return {"alpha_bar_T": ab, "mean": q.mean, "var": 1 - ab, "kl": kl}

    def key(p: Params) -> tuple:
        return (len(p.x0), p.schedule, len(p.betas) if p.betas is not None else p.T)

    return grouped(batch, key, run)


def ve_denoiser(batch: list[Params], device: torch.device) -> Answers:
    """σ from ``torch.logspace`` (log10 σ_min .. log10 σ_max, N points) or the given σ; x_σ and x̂_0 by
    ``torch.addcmul``; the loss by ``F.mse_loss`` with the instance's reduction."""
    import math

    import torch.nn.functional as F  # noqa: N812

    def run(ps: list[Params]) -> dict:
        x0, e, eh = _cols(ps, "x0", device), _cols(ps, "eps", device), _cols(ps, "eps_hat", device)
        out: dict = {}
        if ps[0].sigma is None:
            sig = torch.stack([torch.logspace(math.log10(p.sigma_min), math.log10(p.sigma_max), p.N, dtype=REAL,
                                              device=device) for p in ps])
            out["sigmas"] = sig
            sigma = sig.gather(1, torch.tensor([[p.i] for p in ps], device=device))
        else:
            sigma = _cols(ps, "sigma", device)[:, None]
        x_s = torch.addcmul(x0, sigma.expand_as(e), e)
        out["x_sigma"] = x_s
        red = ps[0].reduction
        out["loss"] = torch.stack([F.mse_loss(eh[k], e[k], reduction=red) for k in range(len(ps))])
        out["x0_hat"] = torch.addcmul(x_s, -sigma.expand_as(eh), eh)
        return out

    return grouped(batch, lambda p: (len(p.x0), p.reduction, p.sigma is None, p.N), run)
