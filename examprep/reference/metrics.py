"""Torch references for the metrics family: each packs the batch into tensors on ``device`` (grouped by shape
where shapes differ) and answers by column, computed another way than the problem modules' ``solve``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from examprep.params import Params
from examprep.reference.batching import Answers, grouped, ragged
from examprep.reference.packing import column, inside, padded, real

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


# ---- metrics/bleu -------------------------------------------------------------------------------------------------

def _codes(words: list[str], vocab: dict[str, int], n: int, base: int) -> list[int]:
    """Each n-gram of ``words`` as one integer: Σ_k id(w_{i+k})·base^k."""
    ids = [vocab.setdefault(w, len(vocab) + 1) for w in words]
    return [sum(ids[i + k] * base ** k for k in range(n)) for i in range(len(ids) - n + 1)]


def bleu(batch: list[Params], device: torch.device) -> Answers:
    """Clipped precisions by equality matrices: candidate position i with n-gram g contributes
    min(#g in the candidate, max over references of #g in it)/#g in the candidate, which sums to Σ_g min(·,·);
    n-grams are integer codes (padding −1 in the candidate, −2 in the references, never equal). r by argmin of
    2|len − c| + [len > c]; BLEU = BP·exp(mean ln p_n) with torch.where for c > r and for p_n = 0."""
    B = len(batch)
    cands = [p.candidate.split() for p in batch]
    refs = [[r.split() for r in p.references] for p in batch]
    max_n = np.array([p.max_n for p in batch])
    N, R = int(max_n.max()), max(len(r) for r in refs)
    vocabs: list[dict[str, int]] = [{} for _ in batch]
    base = 1 + max(len(set(c) | {w for r in rs for w in r}) for c, rs in zip(cands, refs, strict=True))
    prec = column([], 0, device).new_zeros(B, N)  # the references' real dtype
    for n in range(1, N + 1):
        cg = [_codes(c, v, n, base) for c, v in zip(cands, vocabs, strict=True)]
        rg = [[_codes(r, v, n, base) for r in rs] for rs, v in zip(refs, vocabs, strict=True)]
        Lc = max(1, max(map(len, cg)))
        Lr = max(1, max(len(g) for gs in rg for g in gs))
        C = torch.full((B, Lc), -1, dtype=torch.int64)
        Rt = torch.full((B, R, Lr), -2, dtype=torch.int64)
        for b, (g, gs) in enumerate(zip(cg, rg, strict=True)):
            C[b, :len(g)] = torch.tensor(g, dtype=torch.int64)
            for j, h in enumerate(gs):
                Rt[b, j, :len(h)] = torch.tensor(h, dtype=torch.int64)
        C, Rt = C.to(device), Rt.to(device)
        valid = C >= 0
        in_cand = ((C[:, :, None] == C[:, None, :]) & valid[:, None, :]).sum(-1)  # (B, Lc)
        in_ref = (C[:, None, :, None] == Rt[:, :, None, :]).sum(-1).amax(1)  # (B, Lc): max over references
        share = torch.where(valid, torch.minimum(in_cand, in_ref).to(prec.dtype) / in_cand.clamp(min=1), 0.0)
        prec[:, n - 1] = share.sum(-1) / valid.sum(-1).clamp(min=1).to(prec.dtype)
    c = column((len(x) for x in cands), B, device)
    lens, _ = padded([[len(r) for r in rs] for rs in refs], device, fill=1e9)
    r = torch.gather(lens, 1, (2 * (lens - c[:, None]).abs() + (lens > c[:, None])).argmin(1, keepdim=True))[:, 0]
    bp = torch.where(c > r, torch.ones_like(c), torch.exp(1 - r / c))
    used = inside(max_n, N, device)
    logp = torch.where(used, torch.log(torch.where(prec > 0, prec, 1.0)), 0.0)
    zero = (used & (prec == 0)).any(-1)
    nn = real(max_n, device)
    score = torch.where(zero, 0.0, bp * torch.exp(logp.sum(-1) / nn))
    return Answers(B).add(None, {"c": c.round().long(), "r": r.round().long(), "precisions": ragged(prec, max_n),
                                 "bp": bp, "bleu": score})


# ---- metrics/inception_score --------------------------------------------------------------------------------------

def inception_score(batch: list[Params], device: torch.device) -> Answers:
    """p(y) as the mean over images, KL(p(y|x)‖p(y)) per image by ``kl_divergence`` of two Categoricals (p(y)
    broadcast to the rows), IS = exp of the mean KL. Instances are grouped by their number of images and classes."""
    from torch.distributions import Categorical, kl_divergence

    def run(ps: list[Params]) -> dict[str, Any]:
        P = real(np.asarray([p.p_yx for p in ps]), device)  # (B, n, k)
        p_y = P.mean(1)
        kls = kl_divergence(Categorical(probs=P, validate_args=False),
                            Categorical(probs=p_y[:, None, :].expand_as(P), validate_args=False))
        return {"p_y": p_y, "kl": kls, "inception_score": torch.exp(kls.mean(-1))}

    return grouped(batch, lambda p: (len(p.p_yx), len(p.p_yx[0])), run)


# ---- metrics/segmentation -----------------------------------------------------------------------------------------

def segmentation(batch: list[Params], device: torch.device) -> Answers:
    """A confusion matrix per instance by one ``torch.bincount`` over the batch (instance b, true class t and
    predicted class q index b·K² + t·K + q, K = the most classes); IoU = diagonal/(row + column − diagonal),
    classes beyond an instance's n_classes cut off by the ragged column."""
    K = max(p.n_classes for p in batch)
    B = len(batch)
    gt = torch.cat([torch.as_tensor(np.asarray(p.gt, dtype=np.int64).ravel()) for p in batch]).to(device)
    pr = torch.cat([torch.as_tensor(np.asarray(p.pred, dtype=np.int64).ravel()) for p in batch]).to(device)
    sizes = torch.as_tensor([len(p.gt) * len(p.gt[0]) for p in batch], device=device)
    owner = torch.repeat_interleave(torch.arange(B, device=device), sizes)
    conf = torch.bincount(owner * K * K + gt * K + pr, minlength=B * K * K).reshape(B, K, K)
    conf = conf.to(real(np.zeros(0), device).dtype)
    diag = torch.diagonal(conf, dim1=-2, dim2=-1)
    union = conf.sum(-1) + conf.sum(-2) - diag
    n = np.array([p.n_classes for p in batch])
    iou = torch.where(union > 0, diag / union.clamp(min=1), 0.0)
    k = torch.as_tensor(n, device=device).to(iou.dtype)
    return Answers(B).add(None, {"iou": ragged(iou, n), "miou": iou.sum(-1) / k,
                                 "pixel_acc": diag.sum(-1) / sizes.to(iou.dtype)})


# ---- metrics/topk_error -------------------------------------------------------------------------------------------

def topk_error(batch: list[Params], device: torch.device) -> Answers:
    """``torch.topk`` indices of each model's rows and of the averaged rows, a hit where one equals the label;
    errors as 1 − mean hit. Instances are grouped by shape, k and whether a second model is given."""
    def run(ps: list[Params]) -> dict[str, Any]:
        k = ps[0].k
        y = torch.as_tensor(np.asarray([p.labels for p in ps], dtype=np.int64), device=device)

        def hit(S: torch.Tensor) -> torch.Tensor:
            return (torch.topk(S, k, dim=-1).indices == y[..., None]).any(-1).to(S.dtype)

        S1 = real(np.asarray([p.scores for p in ps]), device)
        h = hit(S1)
        out: dict[str, Any] = {"hits": h.round().long(), "error": 1 - h.mean(-1)}
        if ps[0].scores_2 is not None:
            S2 = real(np.asarray([p.scores_2 for p in ps]), device)
            out["error_2"] = 1 - hit(S2).mean(-1)
            out["error_ens"] = 1 - hit(torch.stack([S1, S2]).mean(0)).mean(-1)
            out["rel_gain"] = (out["error"] - out["error_ens"]) / out["error"]
        return out

    return grouped(batch, lambda p: (len(p.scores), len(p.scores[0]), p.k, p.scores_2 is not None), run)


# ---- metrics/mos --------------------------------------------------------------------------------------------------

def _t975(df: torch.Tensor, steps: int = 12) -> torch.Tensor:
    """The 0.975 quantile of Student t by Newton's method: F(q) − ½ = ∫₀^q f by 64-point Gauss–Legendre quadrature
    of ``StudentT.log_prob``, started from the normal 1.96 (a few steps reach float64 precision)."""
    from torch.distributions import StudentT

    x, w = (torch.as_tensor(a, dtype=df.dtype, device=df.device) for a in np.polynomial.legendre.leggauss(64))
    dist = StudentT(df[:, None])
    q = torch.full_like(df, 1.96)
    for _ in range(steps):
        t = (x[None, :] + 1) * q[:, None] / 2  # nodes mapped to [0, q]
        area = (w[None, :] * dist.log_prob(t).exp()).sum(-1) * q / 2
        q = q - (area - 0.475) / StudentT(df).log_prob(q).exp()
    return q


def mos(batch: list[Params], device: torch.device) -> Answers:
    """Mean and ``torch.std`` (correction 1) over padded ratings, grouped by count; q = 1.96 or the Newton
    t-quantile rounded to the 6 decimals the prompt states."""
    def run(ps: list[Params]) -> dict[str, Any]:
        R = real(np.asarray([p.ratings for p in ps]), device)
        n = R.shape[1]
        s = torch.std(R, dim=-1, correction=1)
        t = torch.round(_t975(torch.full((1,), float(n - 1), dtype=R.dtype, device=device)) * 1e6) / 1e6
        q = torch.where(torch.as_tensor([p.interval == "t" for p in ps], device=device), t, 1.96)
        return {"mos": R.mean(-1), "s": s, "half_width": q * s / math.sqrt(n)}

    return grouped(batch, lambda p: len(p.ratings), run)
