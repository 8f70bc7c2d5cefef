"""Torch references for the mlp family: ``nn.Linear`` layers with the weights copied in, ``torch.nn.functional``
activations and autograd.

Each function groups the batch by shape, packs each group into float64 tensors on ``device`` and answers by column;
nothing here reuses the formulas of the problem modules' ``solve``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812

from examprep.params import Params
from examprep.reference.batching import Answers, grouped, pad_rows, ragged
from examprep.reference.packing import REAL, padded, padded_matrices, real

TIE_DECIMALS = 9  # logits are compared on the shown decimals: noise below 1e-9 is not a difference


def _batched(v: Any) -> bool:
    return isinstance(v, (list, tuple)) and isinstance(v[0], (list, tuple))


def activation(name: str, z: torch.Tensor) -> torch.Tensor:
    """The hidden activation by its torch function."""
    return {"relu": F.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "gelu": F.gelu,
            "gelu_tanh": lambda t: F.gelu(t, approximate="tanh")}[name](z)


def _linear(W: torch.Tensor, b: torch.Tensor | None, device: torch.device) -> torch.nn.Linear:  # noqa: N803
    layer = torch.nn.Linear(W.shape[1], W.shape[0], bias=b is not None, device=device, dtype=REAL)
    with torch.no_grad():
        layer.weight.copy_(W)
        if b is not None:
            layer.bias.copy_(b)
    return layer


def _forward_key(p: Params) -> tuple[Any, ...]:
    n = len(p.x) if _batched(p.x) else 0
    return (n, len(p.W1), len(p.W1[0]), len(p.W2), p.b1 is None, p.b2 is None, p.act, p.out, p.mean_field)


def _forward_group(batch: list[Params], device: torch.device) -> dict[str, Any]:
    first = batch[0]
    batched = _batched(first.x)
    x = real(np.asarray([p.x if batched else [p.x] for p in batch], dtype=np.float64), device)
    cols: dict[str, list[torch.Tensor]] = {"z1": [], "h": [], "z2": [], "output": [], "class": []}
    with torch.no_grad():
        for i, p in enumerate(batch):
            l1 = _linear(real(np.asarray(p.W1), device), None if p.b1 is None else real(np.asarray(p.b1), device),
                         device)
            n = len(p.W1)
            W2 = real(np.asarray(p.W2), device)  # noqa: N806
            l2 = _linear(W2 / n if p.mean_field else W2,
                         None if p.b2 is None else real(np.asarray(p.b2), device), device)
            z1 = l1(x[i])
            h = activation(p.act, z1)
            z2 = l2(h)
            cols["z1"].append(z1)
            cols["h"].append(h)
            cols["z2"].append(z2)
            if p.out == "sigmoid":
                cols["output"].append(torch.sigmoid(z2))
            elif p.out == "softmax":
                cols["output"].append(torch.softmax(z2, dim=-1))
                cols["class"].append(torch.argmax(torch.round(z2, decimals=TIE_DECIMALS), dim=-1))
    out = {k: torch.stack(v) for k, v in cols.items() if v}
    if not batched:
        out = {k: v if k == "class" else v[:, 0] for k, v in out.items()}
    return out


def forward(batch: list[Params], device: torch.device) -> Answers:
    """Two nn.Linear layers with the weights copied in (W2/n for the mean-field form), the activation by F.relu,
    torch.sigmoid, torch.tanh or F.gelu, the output by torch.sigmoid or torch.softmax and argmax."""
    return grouped(batch, _forward_key, lambda ps: _forward_group(ps, device))


def perceptron(batch: list[Params], device: torch.device) -> Answers:
    """F.linear(X, w, −threshold) for the scores (compared with 0 on the shown decimals), torch.where for the
    labels, torch.cat for [−threshold, w]."""

    def run(ps: list[Params]) -> dict[str, Any]:
        X = real(np.asarray([p.X for p in ps], dtype=np.float64), device)  # noqa: N806
        w = real(np.asarray([p.w for p in ps], dtype=np.float64), device)
        thr = real(np.asarray([p.threshold for p in ps], dtype=np.float64), device)
        scores = torch.stack([F.linear(X[i], w[i][None, :], -thr[i][None])[:, 0] for i in range(len(ps))])
        labels = torch.where(torch.round(scores, decimals=TIE_DECIMALS) > 0, 1, -1)
        return {"scores": scores, "labels": labels, "w_aug": torch.cat([-thr[:, None], w], dim=1)}

    return grouped(batch, lambda p: (len(p.X), len(p.w)), run)


def _activation_key(p: Params) -> tuple[Any, ...]:
    return (len(p.z), p.act, p.alpha, p.beta)


def _activation_group(batch: list[Params], device: torch.device) -> dict[str, Any]:
    first = batch[0]
    z = real(np.asarray([p.z for p in batch], dtype=np.float64), device).requires_grad_(True)
    act, beta = first.act, float(first.beta)
    alpha = float(first.alpha) if first.alpha is not None else {"leaky_relu": 0.01, "elu": 1.0}.get(act, 0.0)
    if act == "leaky_relu":  # PReLU with the weight α is leaky ReLU with slope α
        y = F.prelu(z, torch.tensor([alpha], dtype=z.dtype, device=device))
    elif act == "elu":
        y = F.elu(z, alpha=alpha)
    elif act == "swish":
        y = F.silu(beta * z) / beta
    else:
        y = activation(act, z)
    (dz,) = torch.autograd.grad(y.sum(), z)
    return {"value": y.detach(), "derivative": dz}


def activations(batch: list[Params], device: torch.device) -> Answers:
    """The activation by its torch function (F.prelu with weight α for leaky ReLU, F.elu, F.silu(βz)/β for swish,
    F.gelu) and its derivative by autograd (the left-hand one at a kink, as torch defines it)."""
    return grouped(batch, _activation_key, lambda ps: _activation_group(ps, device))


def _decimal_parts(x: float) -> tuple[int, int]:
    """(numerator, decimals) of a number as its shortest decimal: 0.05 → (5, 2)."""
    text = repr(float(x))
    if "e" in text or "E" in text:
        from decimal import Decimal

        text = format(Decimal(text), "f")
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    return int(whole + frac) if frac else int(whole), len(frac)


def param_count(batch: list[Params], device: torch.device) -> Answers:
    """numel of the weight and bias of each nn.Linear(n_{l−1}, n_l) built on the meta device (no memory), the
    number of Linear modules; the width needed by integer arithmetic on int64 tensors: ⌈n·a²/c²⌉ with err and
    target_err scaled to integers a and c."""
    meta = torch.device("meta")
    cols: dict[str, list[int]] = {"weights": [], "biases": [], "total": [], "layers": []}
    widths: list[tuple[int, int, int]] = []
    index: list[int] = []
    for i, p in enumerate(batch):
        net = torch.nn.Sequential(*[torch.nn.Linear(a, b, bias=p.bias, device=meta)
                                    for a, b in zip(p.widths[:-1], p.widths[1:], strict=True)])
        w = sum(m.weight.numel() for m in net)
        b = sum(m.bias.numel() for m in net if m.bias is not None)
        cols["weights"].append(w)
        cols["biases"].append(b)
        cols["total"].append(sum(t.numel() for t in net.parameters()))
        cols["layers"].append(sum(isinstance(m, torch.nn.Linear) for m in net))
        if p.err is not None:
            (a, da), (c, dc) = _decimal_parts(p.err), _decimal_parts(p.target_err)
            k = max(da, dc)
            widths.append((p.widths[1], a * 10 ** (k - da), c * 10 ** (k - dc)))
            index.append(i)
    out = Answers(len(batch)).add(None, {k: np.asarray(v, dtype=np.int64) for k, v in cols.items()})
    if widths:
        t = torch.tensor(widths, dtype=torch.int64, device=device)
        num, den = t[:, 0] * t[:, 1] * t[:, 1], t[:, 2] * t[:, 2]
        out.add(index, {"width_needed": torch.div(num + den - 1, den, rounding_mode="floor")})
    return out


def _backprop_group(batch: list[Params], device: torch.device) -> dict[str, Any]:
    def t(key: str) -> torch.Tensor:
        return real(np.asarray([getattr(p, key) for p in batch], dtype=np.float64), device)

    x, y = t("x"), t("y")
    W1, b1, W2, b2 = (t(k).requires_grad_(True) for k in ("W1", "b1", "W2", "b2"))  # noqa: N806
    z1 = torch.stack([F.linear(x[i], W1[i], b1[i]) for i in range(len(batch))])
    a1 = torch.sigmoid(z1)
    z2 = torch.stack([F.linear(a1[i], W2[i], b2[i][None])[0] for i in range(len(batch))])
    f = torch.sigmoid(z2)
    for v in (z1, a1, z2):
        v.retain_grad()
    if batch[0].objective == "bce":
        loss = F.binary_cross_entropy(f, y, reduction="none")
    else:
        loss = 0.5 * F.mse_loss(f, y, reduction="none")
    loss.sum().backward()  # instances are independent: each gets its own gradients
    return {"a1": a1.detach(), "f": f.detach(), "loss": loss.detach(), "delta2": z2.grad, "dW2": W2.grad,
            "db2": b2.grad, "dL_da1": a1.grad, "delta1": z1.grad, "dW1": W1.grad, "db1": b1.grad}


def backprop(batch: list[Params], device: torch.device) -> Answers:
    """Autograd through F.linear, torch.sigmoid and F.binary_cross_entropy (or ½·F.mse_loss); retain_grad gives
    ∂L/∂z2, ∂L/∂a1 and ∂L/∂z1."""
    return grouped(batch, lambda p: p.objective, lambda ps: _backprop_group(ps, device))


def finite_difference(batch: list[Params], device: torch.device) -> Answers:
    """The polynomial by Horner steps in float64; every derivative f^(j)(w) by repeated autograd; the differences
    from the exact Taylor expansion f(w ± h) − f(w) = Σ_j f^(j)(w) (±h)^j / j! (a polynomial's series ends at its
    degree), so no cancellation of nearly equal values; the pass counts as int64 tensors."""
    coeffs, _ = pad_rows([p.coeffs for p in batch])  # zero-padded high coefficients add nothing
    c = real(coeffs, device)
    w = real(np.asarray([p.w for p in batch], dtype=np.float64), device).requires_grad_(True)
    h = real(np.asarray([p.h for p in batch], dtype=np.float64), device)
    nw = torch.tensor([p.n_weights for p in batch], dtype=torch.int64, device=device)
    out = torch.zeros_like(w)
    for k in range(c.shape[1] - 1, -1, -1):
        out = out * w + c[:, k]
    derivs, g = [], out
    for _ in range(c.shape[1] - 1):
        (g,) = torch.autograd.grad(g.sum(), w, create_graph=True)
        derivs.append(g)
    with torch.no_grad():
        zero = torch.zeros_like(h)
        fwd, ctr = zero.clone(), zero.clone()
        for j, dj in enumerate(derivs, start=1):
            term = dj * h ** (j - 1) / math.factorial(j)
            fwd = fwd + term
            if j % 2:
                ctr = ctr + term
        exact = derivs[0] if derivs else zero
    return Answers(len(batch)).add(None, {"forward": fwd, "central": ctr, "exact": exact,
                                          "passes_forward": nw + 1, "passes_central": 2 * nw})


def _chain_group(batch: list[Params], device: torch.device) -> dict[str, Any]:
    act = torch.sigmoid if batch[0].act == "sigmoid" else torch.tanh
    w = real(np.asarray([p.w for p in batch], dtype=np.float64), device)
    a0 = real(np.asarray([p.a0 for p in batch], dtype=np.float64), device).requires_grad_(True)
    a, zs = a0, []
    for layer in range(w.shape[1]):
        z = w[:, layer] * a
        zs.append(z)
        a = act(z)
    (grad,) = torch.autograd.grad(a.sum(), a0)
    z = torch.stack(zs, dim=1).detach().requires_grad_(True)
    (derivs,) = torch.autograd.grad(act(z).sum(), z)
    zero = torch.zeros(1, dtype=w.dtype, device=device, requires_grad=True)
    (peak,) = torch.autograd.grad(act(zero).sum(), zero)  # sigmoid and tanh have their steepest slope at 0
    bound = torch.prod(torch.abs(w), dim=1) * peak ** w.shape[1]
    return {"z": z.detach(), "derivs": derivs, "grad": grad, "bound": bound}


def sigmoid_chain(batch: list[Params], device: torch.device) -> Answers:
    """Autograd through the chain a_l = act(w_l a_{l−1}) for ∂a_L/∂a_0; act′(z_l) by autograd at each z_l; the
    largest derivative by autograd at 0."""
    return grouped(batch, lambda p: (len(p.w), p.act), lambda ps: _chain_group(ps, device))


def pla_trace(batch: list[Params], device: torch.device) -> Answers:
    """The perceptron learning algorithm for the whole batch at once on tensors: each step, every unfinished
    instance visits its current point (torch.einsum for w·x), updates w by y·x where y·(w·x) ≤ 0, and moves on
    (to the next point, or back to point 1 after an update in restart order) until N points in a row are right."""
    X, n, _ = padded_matrices([p.X for p in batch], device)  # noqa: N806
    B = len(batch)  # noqa: N806
    X = torch.cat([torch.ones_like(X[..., :1]), X], dim=-1)  # noqa: N806
    y, _ = padded([p.y for p in batch], device)
    count = torch.from_numpy(np.asarray(n, dtype=np.int64)).to(device)
    restart = torch.tensor([p.order == "restart" for p in batch], device=device)
    rows = torch.arange(B, device=device)
    w = torch.zeros(B, 3, dtype=X.dtype, device=device)
    pos = torch.zeros(B, dtype=torch.int64, device=device)
    clean = torch.zeros(B, dtype=torch.int64, device=device)
    nup = torch.zeros(B, dtype=torch.int64, device=device)
    history: list[torch.Tensor] = []
    steps = 0
    while bool((clean < count).any()):
        active = clean < count
        x, label = X[rows, pos], y[rows, pos]
        wrong = active & (label * torch.einsum("bi,bi->b", w, x) <= 0)
        w = w + (wrong.to(w.dtype) * label)[:, None] * x
        history.append(torch.where(wrong[:, None], w, torch.nan))
        nup = nup + wrong.long()
        clean = torch.where(wrong, 0, torch.where(active, clean + 1, clean))
        pos = torch.where(wrong & restart, 0, (pos + 1) % count)
        steps += 1
        if steps > 200_000:
            raise RuntimeError("pla_trace reference: no convergence (data not separable?)")
    hist = torch.stack(history, dim=1)  # (B, steps, 3), NaN rows where no update happened
    keep = ~torch.isnan(hist[..., 0])
    order = torch.argsort((~keep).to(torch.int8), dim=1, stable=True)  # the update rows first, in time order
    ups = torch.gather(hist, 1, order[..., None].expand(-1, -1, 3))[:, : max(int(nup.max()), 1)]
    ups = torch.nan_to_num(ups)
    return Answers(B).add(None, {"updates": ragged(ups, nup.cpu().numpy(), np.full(B, 3)), "w_final": w,
                                 "n_updates": nup})
