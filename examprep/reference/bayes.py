"""Torch references for the Bayes family: torch.distributions (Categorical, Normal, MultivariateNormal), float64,
batched by shape (one torch op per step for every group of instances with equal sizes)."""

from __future__ import annotations

import math
from typing import Any

import torch
from torch.distributions import Categorical, MultivariateNormal, Normal

from examprep.params import Params
from examprep.problems.bayes.decide import TIE, check_names
from examprep.problems.bayes.min_risk import action_names
from examprep.reference.batching import grouped as _grouped

REAL = torch.float64  # rebound by examprep.reference.use_dtype (verify --dtype)



def _t(rows: list[Any], device: torch.device) -> torch.Tensor:
    return torch.tensor(rows, dtype=REAL, device=device)


def _first_max(t: torch.Tensor) -> torch.Tensor:
    """Index of the largest entry along the last axis; near-ties (1e-9 relative) go to the first listed entry,
    the same rule as the product's argmax_first (torch.argmax returns the first of equal maxima)."""
    top = t.max(-1, keepdim=True).values
    return (t >= top - TIE * top.abs()).to(REAL).argmax(-1)


def _labels(batch: list[Params], idx: torch.Tensor, k: int) -> list[str]:
    return [check_names(p.classes, k)[int(i)] for p, i in zip(batch, idx.tolist(), strict=True)]


def discrete_posterior(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """Categorical over classes with logits ln P(c) + ln p(x|c); p(x) by logsumexp."""

    def run(ps: list[Params]) -> list[dict[str, Any]]:
        k = len(ps[0].priors)
        log_joint = _t([p.priors for p in ps], device).log() + _t([p.likelihoods for p in ps], device).log()
        post = Categorical(logits=log_joint).probs
        evidence = torch.logsumexp(log_joint, dim=-1).exp()
        lik = _t([p.likelihoods for p in ps], device)
        maps, mls = _labels(ps, _first_max(post), k), _labels(ps, _first_max(lik), k)
        return [{"joint": j, "evidence": e, "posterior": q, "map_class": a, "ml_class": b}
                for j, e, q, a, b in zip(log_joint.exp().cpu().numpy(), evidence.tolist(), post.cpu().numpy(),
                                         maps, mls, strict=True)]

    return _grouped(batch, lambda p: len(p.priors), run)


def _gauss_1d(ps: list[Params], device: torch.device) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    means, stds = _t([p.means for p in ps], device), _t([p.stds for p in ps], device)
    x = _t([[p.x] for p in ps], device)
    log_lik = Normal(means, stds).log_prob(x)
    post = Categorical(logits=log_lik + _t([p.priors for p in ps], device).log()).probs
    return log_lik, post, means


def gaussian_1d(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """Normal(μ_c, σ_c).log_prob(x) per class; posteriors from Categorical(logits = log-likelihood + ln prior)."""

    def run(ps: list[Params]) -> list[dict[str, Any]]:
        log_lik, post, _ = _gauss_1d(ps, device)
        labels = _labels(ps, _first_max(post), len(ps[0].means))
        return [{"likelihood": lk, "posterior": q, "class": c}
                for lk, q, c in zip(log_lik.exp().cpu().numpy(), post.cpu().numpy(), labels, strict=True)]

    return _grouped(batch, lambda p: len(p.means), run)


def gaussian_1d_threshold(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """As gaussian_1d, plus the root of g(x) = ln P₁N(x;μ₁,σ) − ln P₂N(x;μ₂,σ), which is linear in x for a shared
    σ: evaluated by Normal.log_prob at x = 0 and x = 1, the root is −g(0)/(g(1) − g(0))."""
    out = gaussian_1d(batch, device)
    log_lik, post, means = _gauss_1d(batch, device)
    dist = Normal(means, _t([p.stds for p in batch], device))
    log_pri = _t([p.priors for p in batch], device).log()
    g = [(dist.log_prob(torch.full_like(means, v)) + log_pri) @ _t([1.0, -1.0], device) for v in (0.0, 1.0)]
    root = -g[0] / (g[1] - g[0])
    for ans, t in zip(out, root.tolist(), strict=True):
        ans["threshold"] = t
    return out


def gaussian_2d(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """MultivariateNormal(μ_c, Σ_c).log_prob(x); linear g = log N(x;μ_c,Σ) − log N(x;0,Σ) + ln P(c), quadratic
    g = log N(x;μ_c,Σ_c) + ln 2π + ln P(c); posteriors from Categorical(logits = log N + ln P(c))."""

    def run(ps: list[Params]) -> list[dict[str, Any]]:
        k, shared = len(ps[0].means), not isinstance(ps[0].covariances[0][0], (list, tuple))
        means = _t([p.means for p in ps], device)
        cov = _t([[p.covariances] * k if shared else p.covariances for p in ps], device)
        x = _t([p.x for p in ps], device)[:, None, :]
        log_pri = _t([p.priors for p in ps], device).log()
        log_lik = MultivariateNormal(means, covariance_matrix=cov).log_prob(x)
        if shared:
            g = log_lik - MultivariateNormal(torch.zeros_like(means), covariance_matrix=cov).log_prob(x) + log_pri
        else:
            g = log_lik + math.log(2 * math.pi) + log_pri
        post = Categorical(logits=log_lik + log_pri).probs
        labels = _labels(ps, _first_max(post), k)
        return [{"discriminant": a, "posterior": b, "class": c}
                for a, b, c in zip(g.cpu().numpy(), post.cpu().numpy(), labels, strict=True)]

    return _grouped(batch, lambda p: (len(p.means), isinstance(p.covariances[0][0], (list, tuple))), run)


def min_risk(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """Expected loss E_{c∼Categorical(posteriors)}[λ(a|c)] for every action, as one batched matrix product."""

    def run(ps: list[Params]) -> list[dict[str, Any]]:
        loss = _t([p.loss for p in ps], device)
        post = Categorical(probs=_t([p.posteriors for p in ps], device)).probs
        risk = torch.bmm(loss, post[:, :, None])[:, :, 0]
        acts = [action_names(p) for p in ps]
        best = _first_max(-risk).tolist()
        return [{"risk": r, "action": a[i]} for r, a, i in zip(risk.cpu().numpy(), acts, best, strict=True)]

    return _grouped(batch, lambda p: (len(p.loss), len(p.posteriors)), run)


def optimal_denoiser(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """p(x_σ|x₀) = MultivariateNormal(x₀, σ²I).log_prob(x_σ) for every data point; the posterior over the data set
    is Categorical(logits=those log-likelihoods) (uniform prior); E[x₀|x_σ] = posterior-weighted mean."""

    def run(ps: list[Params]) -> list[dict[str, Any]]:
        pts = _t([p.x0 for p in ps], device)  # (B, N, d)
        xs = _t([p.x_sigma for p in ps], device)  # (B, d)
        sig = _t([p.sigma for p in ps], device)
        d = pts.shape[-1]
        cov = (sig**2)[:, None, None, None] * torch.eye(d, dtype=REAL, device=device)
        log_lik = MultivariateNormal(pts, covariance_matrix=cov.expand(*pts.shape, d)).log_prob(xs[:, None, :])
        w = Categorical(logits=log_lik).probs
        e = torch.einsum("bn,bnd->bd", w, pts)
        eps = (xs - e) / sig[:, None]
        sq = torch.cdist(xs[:, None, :], pts)[:, 0, :] ** 2
        return [{"sq_dists": a, "weights": b, "denoised": c, "eps_star": f}
                for a, b, c, f in zip(sq.cpu().numpy(), w.cpu().numpy(), e.cpu().numpy(), eps.cpu().numpy(),
                                      strict=True)]

    return _grouped(batch, lambda p: (len(p.x0), len(p.x0[0])), run)


def _encode(p: Params) -> tuple[list[int], list[list[int]], list[int], list[int], tuple[str, ...]]:
    """Class indices, feature-value indices, query indices and value counts, by order of first appearance."""
    classes = tuple(dict.fromkeys(r[-1] for r in p.examples))
    doms = [list(dict.fromkeys(r[j] for r in p.examples)) for j in range(len(p.features))]
    y = [classes.index(r[-1]) for r in p.examples]
    x = [[doms[j].index(v) for j, v in enumerate(r[:-1])] for r in p.examples]
    q = [doms[j].index(v) for j, v in enumerate(p.query)]
    return y, x, q, [len(d) for d in doms], classes


def naive_bayes(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """Counts as einsums over one-hot class and match tensors; Categorical(logits = ln prior + Σ ln conditional)."""

    def run(ps: list[Params]) -> list[dict[str, Any]]:
        enc = [_encode(p) for p in ps]
        k = len(enc[0][4])
        y = torch.nn.functional.one_hot(torch.tensor([e[0] for e in enc], device=device), k).to(REAL)  # (B,N,K)
        x = torch.tensor([e[1] for e in enc], device=device)  # (B,N,F)
        q = torch.tensor([e[2] for e in enc], device=device)  # (B,F)
        v = _t([e[3] for e in enc], device)  # (B,F)
        alpha = _t([p.alpha for p in ps], device)[:, None, None]
        match = (x == q[:, None, :]).to(REAL)
        n_c = y.sum(1)  # (B,K)
        n_cj = torch.einsum("bnk,bnf->bkf", y, match)
        cond = (n_cj + alpha) / (n_c[:, :, None] + alpha * v[:, None, :])
        prior = Categorical(probs=n_c).probs
        post = Categorical(logits=prior.log() + cond.log().sum(-1)).probs
        best = _first_max(post).tolist()
        return [{"priors": a, "conditionals": b, "posterior": c, "class": e[4][i]}
                for a, b, c, e, i in zip(prior.cpu().numpy(), cond.cpu().numpy(), post.cpu().numpy(), enc, best,
                                         strict=True)]

    return _grouped(batch, lambda p: (len(p.examples), len(p.features), len({r[-1] for r in p.examples})), run)
