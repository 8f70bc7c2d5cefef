"""Torch references for the regularization family: ``torch.optim`` weight decay, autograd of penalties,
``F.softshrink``, ``F.dropout`` with a fixed mask, and plain loops where the catalog says so."""

from __future__ import annotations

from collections import defaultdict

import torch

from examprep.params import Params
from examprep.reference.batching import Answers, ragged
from examprep.reference.packing import column, padded


def penalty(batch: list[Params], device: torch.device) -> Answers:
    """L2: ``SGD(weight_decay=λ)`` stepped with ∇L as the gradient; L1: autograd of λ·‖w‖₁ added to ∇L, then
    SGD. Ω by ``vector_norm`` (½‖w‖₂², ‖w‖₁). Optima: L2 by ``linalg.solve((H + λ)·I, H·w*)``, L1 by
    ``F.softshrink(H·w*, λ)/H``. Weights are zero-padded (a zero weight with zero gradient stays 0)."""
    import torch.nn.functional as F

    out = Answers(len(batch))
    groups: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for i, p in enumerate(batch):
        groups[(p.norm, p.lam, p.lr, p.w_star is not None)].append(i)
    for (norm, lam, lr, quad), idx in groups.items():
        ps = [batch[i] for i in idx]
        (w, n), (g, _) = padded([p.w for p in ps], device), padded([p.grad for p in ps], device)
        q = w.clone().requires_grad_(True)
        if norm == "l2":
            omega = 0.5 * torch.linalg.vector_norm(w, 2, dim=-1) ** 2
            opt = torch.optim.SGD([q], lr=lr, weight_decay=lam)
            q.grad = g.clone()
        else:
            omega = torch.linalg.vector_norm(w, 1, dim=-1)
            opt = torch.optim.SGD([q], lr=lr)
            with torch.enable_grad():
                (pg,) = torch.autograd.grad((lam * q.abs()).sum(), q)
            q.grad = g + pg
        opt.step()
        data = column((p.data_loss for p in ps), len(ps), device)
        cols: dict[str, object] = {"omega": omega, "penalized": data + lam * omega, "step": ragged(q.detach(), n)}
        if quad:
            (ws, _), (H, _) = padded([p.w_star for p in ps], device), padded([p.H for p in ps], device, fill=1.0)
            if norm == "l2":
                A = torch.diag_embed(H + lam)
                opt_w = torch.linalg.solve(A, (H * ws).unsqueeze(-1)).squeeze(-1)
            else:
                opt_w = F.softshrink(H * ws, lam) / H
            cols["optimum"] = ragged(opt_w, n)
        out.add(idx, cols)
    return out



def dropout(batch: list[Params], device: torch.device) -> Answers:
    """The survivors' scale 1/(1 − p) read off ``F.dropout`` in training mode (on CPU ones, under a forked RNG),
    applied to the given masks; ``F.dropout`` in eval mode for the inverted test output, the classic one divided
    by the scale; the expected number kept as n/scale."""
    import torch.nn.functional as F

    (h, n), (m, _) = padded([p.h for p in batch], device), padded([p.mask for p in batch], device)
    scale = torch.empty(len(batch), dtype=h.dtype, device=device)
    groups: dict[float, list[int]] = defaultdict(list)
    for i, p in enumerate(batch):
        groups[p.p].append(i)
    with torch.random.fork_rng(devices=[]):  # the probe runs on the CPU: no device RNG is touched
        torch.manual_seed(0)
        for pr, idx in groups.items():
            probe = F.dropout(torch.ones(4096, dtype=torch.float64), pr, training=True)
            scale[idx] = float(probe.max())
    inverted = torch.tensor([p.scheme == "inverted" for p in batch], device=device)[:, None]
    masked = m * h
    train = torch.where(inverted, masked * scale[:, None], masked)
    test = torch.where(inverted, F.dropout(h, 0.5, training=False), h / scale[:, None])
    lengths = column(n, len(batch), device)
    return Answers(len(batch)).add(None, {"train_output": ragged(train, n), "test_output": ragged(test, n),
                                          "expected_kept": lengths / scale})


def early_stopping(batch: list[Params], device: torch.device) -> Answers:
    """The stopping rule over the whole batch at once: per epoch, an improvement mask against the running best
    (less min_delta), the counter, and the first epoch where it reaches the patience (padded epochs never count)."""
    L, n = padded([p.val_losses for p in batch], device)
    delta = column((p.min_delta for p in batch), len(batch), device)
    patience = torch.tensor([p.patience for p in batch], device=device)
    lengths = torch.as_tensor(n, device=device)
    B, E = L.shape
    best = torch.full((B,), float("inf"), dtype=L.dtype, device=device)
    best_e = torch.zeros(B, dtype=torch.long, device=device)
    wait = torch.zeros(B, dtype=torch.long, device=device)
    stop = lengths.clone()
    running = torch.ones(B, dtype=torch.bool, device=device)
    for e in range(E):
        live = running & (e < lengths)
        better = live & (L[:, e] < best - delta)
        best = torch.where(better, L[:, e], best)
        best_e = torch.where(better, torch.full_like(best_e, e + 1), best_e)
        wait = torch.where(better, torch.zeros_like(wait), wait + live.long())
        hit = live & (wait >= patience)
        stop = torch.where(hit, torch.full_like(stop, e + 1), stop)
        running = running & ~hit
    return Answers(len(batch)).add(None, {"stop_epoch": stop, "best_epoch": best_e, "best_loss": best})


def ensemble(batch: list[Params], device: torch.device) -> Answers:
    """The averaged error as 1ᵀΣ1/k² with Σ = cJ + (v − c)I (k padded with zero rows and columns); the bootstrap
    miss by ``torch.pow``; the majority as the Binomial(k, p) probabilities of the counts above k/2."""
    from torch.distributions import Binomial

    k = torch.tensor([p.k for p in batch], device=device)
    K = int(k.max())
    v = column((p.v for p in batch), len(batch), device)
    c = column((p.c for p in batch), len(batch), device)
    live = (torch.arange(K, device=device)[None, :] < k[:, None]).to(v.dtype)  # (B, K)
    eye = torch.eye(K, dtype=v.dtype, device=device)
    sigma = (c[:, None, None] * (1 - eye) + v[:, None, None] * eye) * live[:, :, None] * live[:, None, :]
    kk = k.to(v.dtype)
    mse = sigma.sum((1, 2)) / kk**2
    N = column((p.N for p in batch), len(batch), device)
    missed = torch.pow(1 - 1 / N, N)
    j = torch.arange(K + 1, dtype=v.dtype, device=device)[None, :]
    probs = Binomial(total_count=kk[:, None], probs=column((p.p for p in batch), len(batch), device)[:, None],
                     validate_args=False).log_prob(torch.minimum(j, kk[:, None])).exp()
    wins = (j > kk[:, None] / 2) & (j <= kk[:, None])
    return Answers(len(batch)).add(None, {"ensemble_mse": mse, "p_missed": missed,
                                          "majority": (probs * wins).sum(1)})
