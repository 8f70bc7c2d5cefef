"""Torch references for the contrastive family, written from the papers' definitions and batched over instances.

Nothing here reuses the problem modules' arithmetic: embeddings are normalised with ``F.normalize``, losses come
from ``F.cross_entropy`` against the diagonal, and instances of one shape run as one batch (``grouped``).
"""

from __future__ import annotations

import functools

import numpy as np
import torch

from examprep.params import Params
from examprep.reference.batching import Answers, grouped
from examprep.reference.packing import real


def clip_zero_shot(batch: list[Params], device: torch.device) -> Answers:
    """CLIP (Radford et al. 2021) zero-shot: ``F.normalize`` on every prompt, the mean of each class's prompts,
    ``F.normalize`` again, cosines as a batched product with the normalised image, ``torch.softmax`` of cos/τ."""
    import torch.nn.functional as F

    def run(ps: list[Params]) -> dict:
        n, (rows, dim), e = len(ps), np.shape(ps[0].texts), ps[0].ensemble
        texts = F.normalize(real(np.asarray([p.texts for p in ps]), device), dim=-1)
        cls = F.normalize(texts.view(n, rows // e, e, dim).mean(2), dim=-1)
        img = F.normalize(real(np.asarray([p.image for p in ps]), device), dim=-1)
        cos = torch.bmm(cls, img[:, :, None])[:, :, 0]
        tau = real(np.asarray([p.tau for p in ps]), device)[:, None]
        probs = torch.softmax(cos / tau, dim=-1)
        top = cos.max(-1, keepdim=True).values
        k = (cos >= top - 1e-9).to(cos.dtype).argmax(-1).tolist()  # cosines within 1e-9: the first class listed
        labels = [p.classes[j] if p.classes is not None else f"class {j + 1}" for p, j in zip(ps, k, strict=True)]
        return {"class_emb": cls, "cosines": cos, "probs": probs, "label": labels}

    return grouped(batch, lambda p: (len(p.texts), len(p.image), p.ensemble), run)


def clip_loss(batch: list[Params], device: torch.device) -> Answers:
    """CLIP's symmetric loss (Radford et al. 2021, Fig. 3 pseudocode): ``F.normalize`` both sides, L = Î T̂ᵀ/τ,
    ``F.cross_entropy`` of L and of Lᵀ against arange(N), averaged."""
    import torch.nn.functional as F

    def run(ps: list[Params]) -> dict:
        b, n = len(ps), len(ps[0].images)
        img = F.normalize(real(np.asarray([p.images for p in ps]), device), dim=-1)
        txt = F.normalize(real(np.asarray([p.texts for p in ps]), device), dim=-1)
        s = img @ txt.transpose(1, 2)
        lg = s / real(np.asarray([p.tau for p in ps]), device)[:, None, None]
        labels = torch.arange(n, device=device).repeat(b)
        i2t = F.cross_entropy(lg.reshape(b * n, n), labels, reduction="none").view(b, n).mean(1)
        t2i = F.cross_entropy(lg.transpose(1, 2).reshape(b * n, n), labels, reduction="none").view(b, n).mean(1)
        return {"S": s, "loss_i2t": i2t, "loss_t2i": t2i, "loss": (i2t + t2i) / 2,
                "negatives": torch.full((b,), n * n - n, dtype=torch.int64)}

    return grouped(batch, lambda p: np.shape(p.images), run)


def nt_xent(batch: list[Params], device: torch.device) -> Answers:
    """NT-Xent (Chen et al. 2020): ``F.normalize``, S = Z Zᵀ/τ with the diagonal masked to −inf, and
    ``F.cross_entropy`` of each row against its partner row (2k − 1 ↔ 2k)."""
    import torch.nn.functional as F

    def run(ps: list[Params]) -> dict:
        b, n2 = len(ps), len(ps[0].Z)
        z = F.normalize(real(np.asarray([p.Z for p in ps]), device), dim=-1)
        cos = z @ z.transpose(1, 2)
        lg = cos / real(np.asarray([p.tau for p in ps]), device)[:, None, None]
        eye = torch.eye(n2, dtype=torch.bool, device=device)
        lg = lg.masked_fill(eye, float("-inf"))
        target = (torch.arange(n2, device=device) ^ 1).repeat(b)
        losses = F.cross_entropy(lg.reshape(b * n2, n2), target, reduction="none").view(b, n2)
        return {"cos": cos, "losses": losses, "loss": losses.mean(1),
                "negatives": torch.full((b,), n2 - 2, dtype=torch.int64)}

    return grouped(batch, lambda p: np.shape(p.Z), run)


def ema_teacher(batch: list[Params], device: torch.device) -> Answers:
    """The momentum update (He et al. 2020, MoCo eq. 2) as ``torch.lerp(θ, θ_s, 1 − m)``, applied step by step to
    the whole batch (an instance stops at its own step count), on the parameters and on a weight that starts at 1."""

    def run(ps: list[Params]) -> dict:
        theta = real(np.asarray([p.teacher for p in ps]), device)
        student = real(np.asarray([p.student for p in ps]), device)
        frac = real(np.asarray([1 - p.m for p in ps]), device)[:, None]
        steps = torch.tensor([p.steps for p in ps], device=device)[:, None]
        w = torch.ones_like(frac)
        for k in range(max(p.steps for p in ps)):
            live = steps > k
            theta = torch.where(live, torch.lerp(theta, student, frac), theta)
            w = torch.where(live, torch.lerp(w, torch.zeros_like(w), frac), w)
        return {"theta": theta, "init_weight": w[:, 0]}

    return grouped(batch, lambda p: len(p.teacher), run)


def dino_loss(batch: list[Params], device: torch.device) -> Answers:
    """DINO (Caron et al. 2021, Algorithm 1): ``torch.softmax((g_t − c)/τ_t)``, ``F.log_softmax(g_s/τ_s)``, the
    row sums of −P_t·log P_s averaged over the images, and the centre as ``torch.lerp(mean g_t, c, m)``."""
    import torch.nn.functional as F

    def run(ps: list[Params]) -> dict:
        col = lambda k: real(np.asarray([getattr(p, k) for p in ps]), device)  # noqa: E731
        gt, gs, c = col("g_t"), col("g_s"), col("c")
        pt = torch.softmax((gt - c[:, None, :]) / col("tau_t")[:, None, None], dim=-1)
        log_ps = F.log_softmax(gs / col("tau_s")[:, None, None], dim=-1)
        loss = -(pt * log_ps).sum(-1).mean(-1)
        center = torch.lerp(gt.mean(1), c, col("m")[:, None])
        return {"P_t": pt, "P_s": log_ps.exp(), "loss": loss, "center": center}

    return grouped(batch, lambda p: np.shape(p.g_t), run)


@functools.lru_cache(maxsize=4096)
def _coop_counts(m: int, d: int, k: int, class_specific: bool, r: int) -> tuple[int, int, int]:
    from torch import nn

    ctx = nn.Parameter(torch.empty(k if class_specific else 1, m, d, device="meta")).numel()
    meta = sum(t.numel() for t in nn.Sequential(nn.Linear(d, d // r, device="meta"), nn.ReLU(),
                                                 nn.Linear(d // r, d, device="meta")).parameters())
    shared = nn.Parameter(torch.empty(m, d, device="meta")).numel()
    return ctx, meta, shared + meta


def coop_params(batch: list[Params], device: torch.device) -> Answers:
    """CoOp (Zhou et al. 2022) context as a parameter tensor and CoCoOp's Meta-Net as an ``nn.Sequential`` of
    ``nn.Linear`` layers on the meta device; the answers are their ``numel``."""
    rows = np.asarray([_coop_counts(p.M, p.d, p.K, bool(p.class_specific), p.r) for p in batch], dtype=np.int64)
    return Answers(len(batch)).add(None, {"coop": rows[:, 0], "meta_net": rows[:, 1], "cocoop": rows[:, 2]})
