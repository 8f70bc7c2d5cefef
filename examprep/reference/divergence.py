"""Torch references for the divergence family, built on ``torch.distributions``.

Each function packs the whole batch into float64 tensors on ``device`` (vectors of different lengths padded with
zero-probability outcomes, or zero-KL latent dimensions, which leave every sum unchanged and are cut off again by
ragged answer columns) and answers by column with one batched computation; nothing here reuses the formulas of the
problem modules' ``solve``.
"""

from __future__ import annotations

import math

import torch
from torch.distributions import Categorical, MultivariateNormal, Normal, kl_divergence
from torch.distributions.transforms import AffineTransform

from examprep.params import Params
from examprep.reference.batching import Answers, ragged
from examprep.reference.packing import column, inside, padded, padded_matrices


def categorical_kl(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """KL(p‖q) in nats along the last axis, by torch.distributions (0·log 0 = 0, +∞ off q's support). Padding
    outcomes with p = q = 0 adds nothing: torch zeroes the terms where p = 0 after marking q = 0 as +∞."""
    return kl_divergence(Categorical(probs=p, validate_args=False), Categorical(probs=q, validate_args=False))


def kl_discrete(batch: list[Params], device: torch.device) -> Answers:
    """KL by kl_divergence of two Categoricals; the terms by xlogy; bits by dividing by ln 2."""
    (P, n), (Q, _) = padded([p.P for p in batch], device), padded([p.Q for p in batch], device)
    scale = column((1 / math.log(2) if p.base == "2" else 1.0 for p in batch), len(batch), device)
    kl = categorical_kl(P, Q) * scale
    terms = (torch.xlogy(P, P) - torch.xlogy(P, Q)) * scale[:, None]
    return Answers(len(batch)).add(None, {"terms": ragged(terms, n), "kl": kl})


def kl_gaussian(batch: list[Params], device: torch.device) -> Answers:
    """kl_divergence of two Normals; the log term from their entropies (½ln(2πeσ²) differences: ln(σ2/σ1))."""
    t = {k: column((getattr(p, k) for p in batch), len(batch), device) for k in ("mu1", "sigma1", "mu2", "sigma2")}
    n1, n2 = Normal(t["mu1"], t["sigma1"]), Normal(t["mu2"], t["sigma2"])
    kl = kl_divergence(n1, n2)
    log_term = n2.entropy() - n1.entropy()
    return Answers(len(batch)).add(None, {"log_term": log_term, "frac_term": kl - log_term + 0.5, "kl": kl})


def kl_gaussian_mv(batch: list[Params], device: torch.device) -> Answers:
    """kl_divergence of two MultivariateNormals; the terms by Cholesky solves, solve and logdet. Every instance is
    2-D in practice; instances of other dimensions get a group each."""
    dims = [len(p.mu1) for p in batch]
    out = Answers(len(batch))
    for d in sorted(set(dims)):
        idx = [i for i, k in enumerate(dims) if k == d]
        ps = batch if len(idx) == len(batch) else [batch[i] for i in idx]
        mu1, mu2 = (padded([getattr(p, k) for p in ps], device)[0] for k in ("mu1", "mu2"))
        s1, s2 = (padded_matrices([getattr(p, k) for p in ps], device)[0] for k in ("Sigma1", "Sigma2"))
        kl = kl_divergence(MultivariateNormal(mu1, covariance_matrix=s1), MultivariateNormal(mu2, covariance_matrix=s2))
        chol2 = torch.linalg.cholesky(s2)
        diff = (mu2 - mu1).unsqueeze(-1)
        out.add(idx, {"Sigma2_inv": torch.cholesky_inverse(chol2),
                      "trace_term": torch.linalg.solve(s2, s1).diagonal(dim1=-2, dim2=-1).sum(-1),
                      "quad_term": (diff.transpose(-1, -2) @ torch.cholesky_solve(diff, chol2)).reshape(-1),
                      "logdet_term": torch.logdet(s2) - torch.logdet(s1), "kl": kl})
    return out


def vae_kl(batch: list[Params], device: torch.device) -> Answers:
    """q = Normal(μ, exp(½ log σ²)), KL(q‖Normal(0, 1)) per dimension by kl_divergence, z by an AffineTransform of
    ε. Latent dimensions are zero-padded (μ = 0, log σ² = 0: q is the prior) and their KL is masked to 0."""
    (mu, n), (lv, _), (eps, _) = (padded([getattr(p, k) for p in batch], device) for k in ("mu", "log_var", "eps"))
    q = Normal(mu, torch.exp(0.5 * lv))
    per = torch.where(inside(n, mu.shape[1], device), kl_divergence(q, Normal(torch.zeros_like(mu),
                                                                                torch.ones_like(mu))), 0.0)
    z = AffineTransform(loc=q.mean, scale=q.stddev)(eps)
    return Answers(len(batch)).add(None, {"sigma": ragged(q.stddev, n), "kl_per_dim": ragged(per, n),
                                          "kl": per.sum(-1), "z": ragged(z, n)})


def jsd(batch: list[Params], device: torch.device) -> Answers:
    """M = the mean of P and Q; JSD = ½KL(P‖M) + ½KL(Q‖M) by categorical_kl (outcomes zero-padded)."""
    (P, n), (Q, _) = padded([p.P for p in batch], device), padded([p.Q for p in batch], device)
    M = torch.stack([P, Q]).mean(0)
    a, b = categorical_kl(P, M), categorical_kl(Q, M)
    return Answers(len(batch)).add(None, {"m": ragged(M, n), "kl_pm": a, "kl_qm": b, "jsd": 0.5 * (a + b)})
