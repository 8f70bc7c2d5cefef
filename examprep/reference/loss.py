"""Torch references for the loss family: ``F.cross_entropy``, ``F.binary_cross_entropy``, ``F.huber_loss``, autograd.

Each function groups the batch by shape, packs each group into float64 tensors on ``device`` and answers by column;
nothing here reuses the formulas of the problem modules' ``solve``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812

from examprep.params import Params
from examprep.reference.batching import Answers, grouped
from examprep.reference.packing import real

TIE_DECIMALS = 9  # logits are compared on the shown decimals: noise below 1e-9 is not a difference


def _batched(v: Any) -> bool:
    return isinstance(v, (list, tuple)) and isinstance(v[0], (list, tuple))


def _softmax_ce_key(p: Params) -> tuple[Any, ...]:
    if p.W is not None:
        return ("W", len(p.W), len(p.W[0]), p.b is not None, p.smoothing)
    n, k = (len(p.z), len(p.z[0])) if _batched(p.z) else (0, len(p.z))
    return ("z", n, k, p.smoothing)


def _softmax_ce_group(batch: list[Params], device: torch.device) -> dict[str, Any]:
    first = batch[0]
    eps = float(first.smoothing)
    if first.W is not None:
        W = real(np.asarray([p.W for p in batch], dtype=np.float64), device)  # noqa: N806
        h = real(np.asarray([p.h for p in batch], dtype=np.float64), device)
        b = real(np.asarray([p.b for p in batch], dtype=np.float64), device) if first.b is not None else None
        logits = torch.stack([F.linear(h[i], W[i], None if b is None else b[i]) for i in range(len(batch))])
        logits = logits[:, None, :]
        batched = False
    else:
        batched = _batched(first.z)
        logits = real(np.asarray([p.z if batched else [p.z] for p in batch], dtype=np.float64), device)
    B, n, k = logits.shape  # noqa: N806
    target = torch.tensor([list(p.target) if batched else [p.target] for p in batch], dtype=torch.long,
                          device=device)
    per = F.cross_entropy(logits.reshape(B * n, k), target.reshape(-1), label_smoothing=eps,
                          reduction="none").reshape(B, n)
    probs = torch.softmax(logits, dim=-1)
    dist = (1 - eps) * F.one_hot(target, k).to(logits.dtype) + eps / k
    pred = torch.argmax(torch.round(logits, decimals=TIE_DECIMALS), dim=-1)
    out: dict[str, Any] = {"probs": probs if batched else probs[:, 0], "loss": per.mean(dim=1), "pred": pred}
    if first.W is not None:
        out["logits"] = logits[:, 0]
    if eps > 0:
        out["target_dist"] = dist if batched else dist[:, 0]
    return out


def softmax_ce(batch: list[Params], device: torch.device) -> Answers:
    """F.linear for W h + b, F.cross_entropy with label_smoothing (per example, then the batch mean), softmax,
    one_hot for the smoothed target, argmax for the prediction."""
    return grouped(batch, _softmax_ce_key, lambda ps: _softmax_ce_group(ps, device))


def bce(batch: list[Params], device: torch.device) -> Answers:
    """F.binary_cross_entropy per example (reduction 'none') and with the instance's reduction."""

    def run(ps: list[Params]) -> dict[str, Any]:
        p = real(np.asarray([q.p for q in ps], dtype=np.float64), device)
        y = real(np.asarray([q.y for q in ps], dtype=np.float64), device)
        terms = F.binary_cross_entropy(p, y, reduction="none")
        red = ps[0].reduction
        loss = torch.stack([F.binary_cross_entropy(p[i], y[i], reduction=red) for i in range(len(ps))])
        return {"terms": terms, "loss": loss}

    return grouped(batch, lambda q: (len(q.p), q.reduction), run)


def regression(batch: list[Params], device: torch.device) -> Answers:
    """torch.sub for the residuals, F.mse_loss, F.l1_loss and F.huber_loss(delta=δ) (means)."""

    def run(ps: list[Params]) -> dict[str, Any]:
        y = real(np.asarray([p.y for p in ps], dtype=np.float64), device)
        yh = real(np.asarray([p.y_hat for p in ps], dtype=np.float64), device)
        delta = float(ps[0].delta)
        return {"residuals": torch.sub(y, yh), "mse": F.mse_loss(yh, y, reduction="none").mean(-1),
                "mae": F.l1_loss(yh, y, reduction="none").mean(-1),
                "huber": F.huber_loss(yh, y, reduction="none", delta=delta).mean(-1)}

    return grouped(batch, lambda p: (len(p.y), p.delta), run)


def _ce_gradient_group(batch: list[Params], device: torch.device) -> dict[str, Any]:
    first = batch[0]
    target = torch.tensor([p.target for p in batch], dtype=torch.long, device=device)
    if first.W is None:
        z = real(np.asarray([p.z for p in batch], dtype=np.float64), device).requires_grad_(True)
        loss = F.cross_entropy(z, target, reduction="none")
        (gz,) = torch.autograd.grad(loss.sum(), z)
        return {"probs": torch.softmax(z.detach(), dim=-1), "loss": loss.detach(), "grad_z": gz}
    W = real(np.asarray([p.W for p in batch], dtype=np.float64), device).requires_grad_(True)  # noqa: N806
    h = real(np.asarray([p.h for p in batch], dtype=np.float64), device)
    z = torch.stack([F.linear(h[i], W[i]) for i in range(len(batch))])
    z.retain_grad()
    loss = F.cross_entropy(z, target, reduction="none")
    loss.sum().backward()  # instances are independent: each W[i] gets its own gradient
    out: dict[str, Any] = {"probs": torch.softmax(z.detach(), dim=-1), "loss": loss.detach(), "grad_z": z.grad,
                           "grad_W": W.grad.clone()}
    if first.eta is not None:
        torch.optim.SGD([W], lr=float(first.eta)).step()
        with torch.no_grad():
            z_new = torch.stack([F.linear(h[i], W[i]) for i in range(len(batch))])
            out["W_new"] = W.detach().clone()
            out["loss_new"] = F.cross_entropy(z_new, target, reduction="none")
    return out


def ce_gradient(batch: list[Params], device: torch.device) -> Answers:
    """Autograd through F.linear and F.cross_entropy for ∂L/∂z and ∂L/∂W, one torch.optim.SGD step (one optimiser
    per learning rate) and the loss again."""

    def key(p: Params) -> tuple[Any, ...]:
        return ("z", len(p.z)) if p.W is None else ("W", len(p.W), len(p.W[0]), p.eta)

    return grouped(batch, key, lambda ps: _ce_gradient_group(ps, device))


def ce_vs_se(batch: list[Params], device: torch.device) -> Answers:
    """Autograd of nn.BCELoss and nn.MSELoss (sums over the batch: each instance is its own term) through
    torch.sigmoid."""
    z = real(np.asarray([p.z for p in batch], dtype=np.float64), device)
    y = real(np.asarray([p.y for p in batch], dtype=np.float64), device)
    grads = []
    for loss_fn in (torch.nn.BCELoss(reduction="sum"), torch.nn.MSELoss(reduction="sum")):
        zz = z.clone().requires_grad_(True)
        (g,) = torch.autograd.grad(loss_fn(torch.sigmoid(zz), y), zz)
        grads.append(g)
    return Answers(len(batch)).add(None, {"f": torch.sigmoid(z), "grad_ce": grads[0], "grad_se": grads[1],
                                          "ratio": grads[0] / grads[1]})


def _logistic_group(batch: list[Params], device: torch.device) -> dict[str, Any]:
    X = real(np.asarray([p.X for p in batch], dtype=np.float64), device)  # noqa: N806
    y = real(np.asarray([p.y for p in batch], dtype=np.float64), device)
    w = real(np.asarray([p.w for p in batch], dtype=np.float64), device).requires_grad_(True)
    b = real(np.asarray([p.b for p in batch], dtype=np.float64), device).requires_grad_(True)
    f = torch.sigmoid(torch.einsum("bnd,bd->bn", X, w) + b[:, None])
    nll = F.binary_cross_entropy(f, y, reduction="none").sum(-1)
    nll.sum().backward()  # instances are independent
    out = {"f": f.detach(), "likelihood": torch.prod(torch.where(y == 1, f, 1 - f), dim=-1).detach(),
           "nll": nll.detach(), "grad_w": w.grad.clone(), "grad_b": b.grad.clone()}
    torch.optim.SGD([w, b], lr=float(batch[0].eta)).step()
    out.update(w_new=w.detach(), b_new=b.detach())
    return out


def logistic_regression(batch: list[Params], device: torch.device) -> Answers:
    """Autograd of F.binary_cross_entropy(reduction sum over the points) through torch.sigmoid, the likelihood by
    torch.prod, one torch.optim.SGD step (one optimiser per learning rate)."""
    return grouped(batch, lambda p: (len(p.X), len(p.w), p.eta), lambda ps: _logistic_group(ps, device))
