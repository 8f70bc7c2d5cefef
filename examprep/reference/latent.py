"""Torch references for the latent-variable family, batched over instances and independent of ``solve``.

K-means: squared distances from ``torch.cdist`` (squared), labels by ``argmin``, the new centroids as a one-hot
matrix product divided by the cluster sizes (``torch.bincount``), the inertias by ``gather``.
"""

from __future__ import annotations

import numpy as np
import torch

from examprep.params import Params
from examprep.reference.batching import Answers, grouped
from examprep.reference.packing import real

REAL = torch.float64  # rebound by examprep.reference.use_dtype (verify --dtype)


def _stack(mats: list, device: torch.device) -> torch.Tensor:
    return real(np.stack([np.asarray(m, dtype=np.float64).reshape(len(m), -1) for m in mats]), device)


def kmeans_step(batch: list[Params], device: torch.device) -> Answers:
    """One Lloyd step for every instance, instances of one shape (n, K, d) batched together."""
    import torch.nn.functional as F  # noqa: N812

    def run(ps: list[Params]) -> dict:
        x, c0 = _stack([p.X for p in ps], device), _stack([p.C0 for p in ps], device)
        k = c0.shape[1]
        table = torch.cdist(x, c0, compute_mode="donot_use_mm_for_euclid_dist") ** 2
        labels = table.argmin(-1)
        onehot = F.one_hot(labels, k).to(x.dtype)  # (B, n, K)
        sizes = onehot.sum(1)  # (B, K)
        cents = onehot.transpose(1, 2) @ x / sizes[..., None]
        assigned = cents.gather(1, labels[..., None].expand(-1, -1, x.shape[2]))
        return {"sq_dists": table, "labels": labels, "centroids": cents,
                "inertia_before": table.min(-1).values.sum(-1),
                "inertia_after": ((x - assigned) ** 2).sum((1, 2))}

    return grouped(batch, lambda p: (len(p.X), len(p.C0), len(p.X[0])), run)


def gmm_em_step(batch: list[Params], device: torch.device) -> Answers:
    """One EM step from ``Normal.log_prob``: responsibilities as a softmax over the components of
    ln π_k + ln N(x_i; μ_k, σ_k²), log-likelihoods by ``logsumexp``; instances of one (n, K) batched together."""
    from torch.distributions import Normal

    def run(ps: list[Params]) -> dict:
        x = real(np.asarray([p.x for p in ps], dtype=np.float64), device)[:, :, None]  # (B, n, 1)

        def log_joint(pi: torch.Tensor, mu: torch.Tensor, var: torch.Tensor) -> torch.Tensor:
            return pi.log()[:, None, :] + Normal(mu[:, None, :], var.sqrt()[:, None, :]).log_prob(x)

        pi, mu, var = (real(np.asarray([p[k] for p in ps], dtype=np.float64), device) for k in ("pi", "mu", "var"))
        lj = log_joint(pi, mu, var)
        resp = torch.softmax(lj, dim=-1)
        n_k = resp.sum(1)
        mu_new = torch.einsum("bnk,bn->bk", resp, x[..., 0]) / n_k
        var_new = (resp * (x - mu_new[:, None, :]) ** 2).sum(1) / n_k
        pi_new = n_k / x.shape[1]
        return {"resp": resp, "n_k": n_k, "pi_new": pi_new, "mu_new": mu_new, "var_new": var_new,
                "loglik_before": torch.logsumexp(lj, -1).sum(-1),
                "loglik_after": torch.logsumexp(log_joint(pi_new, mu_new, var_new), -1).sum(-1)}

    return grouped(batch, lambda p: (len(p.x), len(p.mu)), run)


def elbo_discrete(batch: list[Params], device: torch.device) -> Answers:
    """Evidence by ``logsumexp`` of ln p(z) + ln p(x|z), the posterior by ``softmax``, both KLs by
    ``kl_divergence(Categorical, Categorical)``; instances with one K batched together."""
    from torch.distributions import Categorical, kl_divergence

    def run(ps: list[Params]) -> dict:
        prior, lik, q = (real(np.asarray([p[k] for p in ps], dtype=np.float64), device)
                         for k in ("prior", "likelihood", "q"))
        log_joint = prior.log() + lik.log()
        log_ev = torch.logsumexp(log_joint, -1)
        post = torch.softmax(log_joint, -1)
        recon = (q * lik.log()).sum(-1)
        qd = Categorical(probs=q)
        kl_prior = kl_divergence(qd, Categorical(probs=prior))
        return {"evidence": log_ev.exp(), "log_evidence": log_ev, "posterior": post, "recon": recon,
                "kl_prior": kl_prior, "elbo": recon - kl_prior, "gap": kl_divergence(qd, Categorical(probs=post))}

    return grouped(batch, lambda p: len(p.prior), run)


def vae_loss(batch: list[Params], device: torch.device) -> Answers:
    """Reconstruction from ``F.binary_cross_entropy(reduction='none')`` or ``-Normal(x_hat, 1).log_prob(x)``, the KL
    from ``kl_divergence(Normal(mu, exp(log_var / 2)), Normal(0, 1))``; one block per (decoder, pixels, latents)."""
    import torch.nn.functional as F  # noqa: N812
    from torch.distributions import Normal, kl_divergence

    def run(ps: list[Params]) -> dict:
        x, xh, mu, lv = (real(np.asarray([p[k] for p in ps], dtype=np.float64), device)
                         for k in ("x", "x_hat", "mu", "log_var"))
        beta = real(np.asarray([p.beta for p in ps], dtype=np.float64), device)
        if ps[0].decoder == "bernoulli":
            recon = F.binary_cross_entropy(xh, x, reduction="none").sum(-1)
        else:
            recon = -Normal(xh, torch.ones_like(xh)).log_prob(x).sum(-1)
        kl = kl_divergence(Normal(mu, (lv / 2).exp()), Normal(torch.zeros_like(mu), torch.ones_like(mu))).sum(-1)
        return {"recon": recon, "kl": kl, "loss": recon + beta * kl, "elbo": -(recon + kl)}

    return grouped(batch, lambda p: (p.decoder, len(p.x), len(p.mu)), run)


def vq_vae(batch: list[Params], device: torch.device) -> Answers:
    """``torch.cdist`` (squared) + ``argmin``, ``F.embedding`` for the lookup, ``F.mse_loss`` on detached copies for
    sg[·]; one block per (outputs, codes, width, reduction)."""
    import math

    import torch.nn.functional as F  # noqa: N812

    def run(ps: list[Params]) -> dict:
        cb, z = _stack([p.codebook for p in ps], device), _stack([p.z_e for p in ps], device)
        table = torch.cdist(z, cb, compute_mode="donot_use_mm_for_euclid_dist") ** 2
        codes = table.argmin(-1)
        z_q = torch.stack([F.embedding(codes[b], cb[b]) for b in range(len(ps))])
        red = ps[0].reduction
        cb_loss = torch.stack([F.mse_loss(z[b].detach(), z_q[b], reduction=red) for b in range(len(ps))])
        beta = real(np.asarray([p.beta for p in ps], dtype=np.float64), device)
        commit = beta * torch.stack([F.mse_loss(z[b], z_q[b].detach(), reduction=red) for b in range(len(ps))])
        return {"sq_dists": table, "codes": codes, "z_q": z_q, "codebook_loss": cb_loss, "commitment_loss": commit,
                "vq_loss": cb_loss + commit, "bits": torch.full((len(ps),), math.log2(cb.shape[1]), dtype=REAL)}

    return grouped(batch, lambda p: (len(p.z_e), len(p.codebook), len(p.z_e[0]), p.reduction), run)
