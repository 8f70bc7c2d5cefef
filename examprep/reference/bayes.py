"""Torch references for the Bayes family: torch.distributions (Categorical, Normal, MultivariateNormal), float64.

Every function packs the whole batch into one set of tensors and answers by column. Instances with fewer classes
(data points, actions, features) than the batch's largest are padded, and the padding provably changes no answer:
a padded class has prior 0, i.e. logit −∞, so posterior 0, no share of the evidence, and it is never the argmax; a
padded data point's logit is masked to −∞; a padded action's risk is masked to +∞ for the choice; padded features
add ln 1 = 0 to the log-posterior; zero-padded coordinates add 0 to every distance (and the same constant to every
Gaussian log-density of an instance, which the softmax cancels). The padding is cut off again by ragged columns.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from itertools import chain, count

import numpy as np
import torch
from torch.distributions import Categorical, MultivariateNormal, Normal

from examprep.params import Params
from examprep.problems.bayes.decide import TIE, default_names
from examprep.reference.batching import Answers, pad_matrices, ragged
from examprep.reference.packing import column, inside, padded, padded_matrices, real

REAL = torch.float64  # rebound by examprep.reference.use_dtype (verify --dtype)


def _first_max(t: torch.Tensor) -> torch.Tensor:
    """Index of the largest entry along the last axis; near-ties (1e-9 relative) go to the first listed entry,
    the same rule as the product's argmax_first (torch.argmax returns the first of equal maxima)."""
    top = t.max(-1, keepdim=True).values
    return (t >= top - TIE * top.abs()).to(REAL).argmax(-1)


def _labels(names: list[Sequence[str] | None], idx: torch.Tensor, k: np.ndarray) -> list[str]:
    """The chosen class name per instance: ``idx`` indexes its names (w1, w2, … where none are given)."""
    return [(ns if ns is not None else default_names(kk))[i]
            for ns, i, kk in zip(names, idx.tolist(), k.tolist(), strict=True)]


def discrete_posterior(batch: list[Params], device: torch.device) -> Answers:
    """Categorical over classes with logits ln P(c) + ln p(x|c); p(x) by logsumexp."""
    pri, k = padded([p.priors for p in batch], device)
    lik, _ = padded([p.likelihoods for p in batch], device)
    log_joint = pri.log() + lik.log()
    post = Categorical(logits=log_joint).probs
    evidence = torch.logsumexp(log_joint, dim=-1).exp()
    names = [p.classes for p in batch]
    return Answers(len(batch)).add(None, {
        "joint": ragged(log_joint.exp(), k), "evidence": evidence, "posterior": ragged(post, k),
        "map_class": _labels(names, _first_max(post), k), "ml_class": _labels(names, _first_max(lik), k)})


def _gauss_1d(batch: list[Params], device: torch.device
              ) -> tuple[Normal, torch.Tensor, torch.Tensor, torch.Tensor, np.ndarray]:
    """(Normal(μ_c, σ_c), x, ln P(c), posteriors, K); padded classes: μ = 0, σ = 1, P = 0."""
    means, k = padded([p.means for p in batch], device)
    stds, _ = padded([p.stds for p in batch], device, fill=1.0)
    log_pri = padded([p.priors for p in batch], device)[0].log()
    x = column((p.x for p in batch), len(batch), device)[:, None]
    dist = Normal(means, stds)
    post = Categorical(logits=dist.log_prob(x) + log_pri).probs
    return dist, x, log_pri, post, k


def gaussian_1d(batch: list[Params], device: torch.device) -> Answers:
    """Normal(μ_c, σ_c).log_prob(x) per class; posteriors from Categorical(logits = log-likelihood + ln prior)."""
    dist, x, _, post, k = _gauss_1d(batch, device)
    return Answers(len(batch)).add(None, {
        "likelihood": ragged(dist.log_prob(x).exp(), k), "posterior": ragged(post, k),
        "class": _labels([p.classes for p in batch], _first_max(post), k)})


def gaussian_1d_threshold(batch: list[Params], device: torch.device) -> Answers:
    """As gaussian_1d, plus the root of g(x) = ln P₁N(x;μ₁,σ) − ln P₂N(x;μ₂,σ), which is linear in x for a shared
    σ: evaluated by Normal.log_prob at x = 0 and x = 1, the root is −g(0)/(g(1) − g(0))."""
    dist, x, log_pri, post, k = _gauss_1d(batch, device)
    g0, g1 = ((dist.log_prob(torch.full_like(x, v)) + log_pri)[:, :2] @ x.new_tensor([1.0, -1.0])
              for v in (0.0, 1.0))
    return Answers(len(batch)).add(None, {
        "likelihood": ragged(dist.log_prob(x).exp(), k), "posterior": ragged(post, k),
        "class": _labels([p.classes for p in batch], _first_max(post), k), "threshold": -g0 / (g1 - g0)})


def gaussian_2d(batch: list[Params], device: torch.device) -> Answers:
    """MultivariateNormal(μ_c, Σ_c).log_prob(x); linear g = log N(x;μ_c,Σ) − log N(x;0,Σ) + ln P(c), quadratic
    g = log N(x;μ_c,Σ_c) + ln 2π + ln P(c); posteriors from Categorical(logits = log N + ln P(c)). Shared and
    per-class covariances in one batch (a shared Σ is repeated for every class); padded classes get Σ = I."""
    k = np.fromiter((len(p.means) for p in batch), np.int64, count=len(batch))
    shared = np.fromiter((not isinstance(p.covariances[0][0], (list, tuple)) for p in batch), bool,
                         count=len(batch))
    means = padded_matrices([p.means for p in batch], device)[0]  # (B, K, 2)
    flat = [((c[0] + c[1]),) * kk if s else [m[0] + m[1] for m in c]  # each Σ as a row (a, b, b, c)
            for c, kk, s in zip((p.covariances for p in batch), k.tolist(), shared.tolist(), strict=True)]
    covs = pad_matrices(flat)[0].reshape(len(batch), -1, 2, 2)
    covs[np.arange(covs.shape[1]) >= k[:, None]] = np.eye(2)
    cov = real(covs, device)
    x = padded([p.x for p in batch], device)[0][:, None, :]
    log_pri = padded([p.priors for p in batch], device)[0].log()
    log_lik = MultivariateNormal(means, covariance_matrix=cov).log_prob(x)
    linear = log_lik - MultivariateNormal(torch.zeros_like(means), covariance_matrix=cov).log_prob(x) + log_pri
    quadratic = log_lik + math.log(2 * math.pi) + log_pri
    g = torch.where(torch.from_numpy(shared).to(device)[:, None], linear, quadratic)
    post = Categorical(logits=log_lik + log_pri).probs
    return Answers(len(batch)).add(None, {
        "discriminant": ragged(g, k), "posterior": ragged(post, k),
        "class": _labels([p.classes for p in batch], _first_max(post), k)})


def min_risk(batch: list[Params], device: torch.device) -> Answers:
    """Conditional risks Σ_c λ(a|c) P(c|x) (the posteriors as given) for every action, as one batched matrix
    product; the action with the least risk (padded actions are masked to +∞ risk, padded classes have P = 0)."""
    loss, a, _ = padded_matrices([p.loss for p in batch], device)
    post, k = padded([p.posteriors for p in batch], device)
    risk = torch.bmm(loss, post[:, :, None])[:, :, 0]
    best = _first_max(-torch.where(inside(a, risk.shape[1], device), risk, math.inf)).tolist()
    # action i: given, or class i's name, or "reject" for the extra row after the K class actions
    actions = [str(p.actions[i]) if p.actions is not None else "reject" if i == kk
               else str(p.classes[i]) if p.classes is not None else f"w{i + 1}"
               for p, i, kk in zip(batch, best, k.tolist(), strict=True)]
    return Answers(len(batch)).add(None, {"risk": ragged(risk, a), "action": actions})


def optimal_denoiser(batch: list[Params], device: torch.device) -> Answers:
    """p(x_σ|x₀) = MultivariateNormal(x₀, σ²I).log_prob(x_σ) for every data point; the posterior over the data set
    is Categorical(logits=those log-likelihoods) (uniform prior; padded points masked to −∞); E[x₀|x_σ] =
    posterior-weighted mean."""
    pts, n, d = padded_matrices([p.x0 for p in batch], device)  # (B, N, D)
    xs = padded([p.x_sigma for p in batch], device)[0]  # (B, D)
    sig = column((p.sigma for p in batch), len(batch), device)
    eye = torch.eye(pts.shape[-1], dtype=REAL, device=device)
    dist = MultivariateNormal(pts, scale_tril=(sig[:, None, None, None] * eye).expand(*pts.shape, pts.shape[-1]))
    log_lik = torch.where(inside(n, pts.shape[1], device), dist.log_prob(xs[:, None, :]), -math.inf)
    w = Categorical(logits=log_lik).probs
    e = torch.einsum("bn,bnd->bd", w, pts)
    eps = (xs - e) / sig[:, None]
    sq = torch.cdist(xs[:, None, :], pts)[:, 0, :] ** 2
    return Answers(len(batch)).add(None, {"sq_dists": ragged(sq, n), "weights": ragged(w, n),
                                          "denoised": ragged(e, d), "eps_star": ragged(eps, d)})


def naive_bayes(batch: list[Params], device: torch.device) -> Answers:
    """Counts as einsums over one-hot class and match tensors; Categorical(logits = ln prior + Σ ln conditional).

    The tables are encoded together: every text cell gets a code (one dict for the batch), the codes fill a
    (B, rows, features + 1) tensor (padded rows and features: code −1, masked); classes are numbered by first
    appearance by comparing each row's class with the rows above it, and V_j counts the codes seen in column j."""
    b = len(batch)
    f = np.fromiter((len(p.features) for p in batch), np.int64, count=b)
    n = np.fromiter((len(p.examples) for p in batch), np.int64, count=b)
    code: defaultdict[str, int] = defaultdict(count().__next__)  # a new text gets the next code
    nmax, fmax = int(n.max()), int(f.max())
    col = np.arange(fmax + 1)
    grid = np.full((b, nmax, fmax + 1), -1, dtype=np.int64)
    grid[(np.arange(nmax)[None, :, None] < n[:, None, None])
         & ((col[None, None, :] < f[:, None, None]) | (col[None, None, :] == fmax))] = np.fromiter(
        map(code.__getitem__, chain.from_iterable(chain.from_iterable(p.examples for p in batch))), np.int64,
        count=int((n * (f + 1)).sum()))
    qry = np.full((b, fmax), -1, dtype=np.int64)
    qry[col[None, :fmax] < f[:, None]] = np.fromiter(
        map(code.__getitem__, chain.from_iterable(p.query for p in batch)), np.int64, count=int(f.sum()))
    words = list(code)
    g = torch.from_numpy(grid).to(device)
    x, y = g[:, :, :fmax], g[:, :, fmax]  # feature codes (B, N, F), class codes (B, N)
    q = torch.from_numpy(qry).to(device)  # (B, F)
    row_ok = inside(n, nmax, device)  # (B, N)
    feat_ok = inside(f, fmax, device)  # (B, F)
    above = torch.ones(nmax, nmax, dtype=torch.bool, device=device).tril(-1)  # above[i, j]: row j is above row i
    same_y = y[:, :, None] == y[:, None, :]  # (B, N, N)
    first_c = ~(same_y & above).any(2) & row_ok  # (B, N): the row where a class first appears
    order = first_c.long().cumsum(1) - 1  # class number of each first appearance
    same_c = same_y & first_c[:, None, :]  # row i's class first appears at row j
    cls = (same_c.long() * order[:, None, :]).sum(2)  # (B, N): class number of every row
    k_t = first_c.sum(1)
    kmax = int(k_t.max())
    onehot = torch.nn.functional.one_hot(cls, kmax).to(REAL) * row_ok[:, :, None]  # (B, N, K)
    seen = torch.zeros(b, fmax, len(words) + 1, dtype=torch.bool, device=device)  # last slot: padding
    seen.scatter_(2, torch.where(x < 0, len(words), x).transpose(1, 2), True)  # value codes seen per feature
    v = seen[:, :, :-1].sum(-1).to(REAL)  # (B, F): distinct values of each feature
    match = ((x == q[:, None, :]) & row_ok[:, :, None]).to(REAL)
    alpha = column((p.alpha for p in batch), b, device)[:, None, None]
    n_c = onehot.sum(1)  # (B, K)
    n_cj = torch.einsum("bnk,bnf->bkf", onehot, match)
    cond = (n_cj + alpha) / (n_c[:, :, None] + alpha * v[:, None, :])
    prior = Categorical(probs=n_c).probs
    class_ok = torch.arange(kmax, device=device)[None, :] < k_t[:, None]
    log_cond = torch.where(feat_ok[:, None, :], cond.log(), 0.0).sum(-1)
    post = Categorical(logits=torch.where(class_ok, prior.log() + log_cond, -math.inf)).probs
    best = _first_max(post)
    row = (first_c & (order == best[:, None])).to(torch.int8).argmax(1)  # where the chosen class first appears
    chosen = y.gather(1, row[:, None])[:, 0].tolist()
    k = k_t.cpu().numpy()
    return Answers(b).add(None, {"priors": ragged(prior, k), "conditionals": ragged(cond, k, f),
                                 "posterior": ragged(post, k), "class": [words[c] for c in chosen]})
