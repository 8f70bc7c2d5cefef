"""Torch references for the optim family: ``torch.optim`` optimisers stepped on autograd (or given) gradients.

A batch of instances is one parameter tensor per group of equal hyperparameters, each group a param group of one
optimizer, so the whole batch moves with one ``step()`` per step. Coordinates are padded to 2 (a = 0, c = 0, w0 = 0
and given gradients 0: the padded coordinate never moves) and steps to 3 (the extra steps are cut off by ragged
columns). Gradients come from ``autograd`` on the loss, never from the problem modules' formulas; the optimiser's
own state (momentum buffers, square averages, Adam's moments) gives the state parts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

import numpy as np
import torch

from examprep.params import Params
from examprep.reference.batching import Answers, ragged
from examprep.reference.packing import column, inside, padded, real

D, T = 2, 3  # padded coordinates and steps


@dataclass
class Objective:
    """Σ_j weight_j·(A_j·p − target_j)², times ``scale``, per instance; or given gradients (``given`` rows)."""

    A: torch.Tensor  # (B, n, D)
    target: torch.Tensor  # (B, n)
    weight: torch.Tensor  # (B, n)
    scale: torch.Tensor  # (B,)
    grads: torch.Tensor  # (B, T, D) given gradients (0 where none)
    given: torch.Tensor  # (B,) bool

    def loss(self, p: torch.Tensor) -> torch.Tensor:
        r = (self.A @ p.unsqueeze(-1)).squeeze(-1) - self.target
        return self.scale * (self.weight * r * r).sum(-1)

    def grad(self, p: torch.Tensor, t: int) -> torch.Tensor:
        """∇L at p by autograd (or the given gradient of step t, from 1)."""
        with torch.enable_grad():
            q = p.detach().requires_grad_(True)
            (g,) = torch.autograd.grad(self.loss(q).sum(), q)
        return torch.where(self.given[:, None], self.grads[:, t - 1], g)


def _pad(v: tuple[float, ...] | None, width: int = D) -> list[float]:
    v = tuple(v or ())
    return [float(x) for x in v] + [0.0] * (width - len(v))


def objective(batch: list[Params], device: torch.device) -> Objective:
    """The quadratic Σ a_i (w_i − c_i)² as rows e_i with weights a_i; the line fit as rows (x_i, 1); given
    gradients as a (B, T, D) tensor."""
    n = max(max(len(p.x) for p in batch if p.get("x") is not None) if any(p.get("x") is not None
                                                                          for p in batch) else 0, D)
    A = np.zeros((len(batch), n, D))
    tgt, wt, scale = np.zeros((len(batch), n)), np.zeros((len(batch), n)), np.ones(len(batch))
    G, given = np.zeros((len(batch), T, D)), np.zeros(len(batch), dtype=bool)
    for b, p in enumerate(batch):
        if p.get("x") is not None:
            k = len(p.x)
            A[b, :k, 0], A[b, :k, 1], tgt[b, :k], wt[b, :k] = p.x, 1.0, p.y, 1.0
            scale[b] = 1 / k if p.reduction == "mean" else 1.0
        elif p.get("loss_grads") is not None:
            given[b] = True
            for t, row in enumerate(p.loss_grads):
                G[b, t] = _pad(row)
        else:
            for i, (a, c) in enumerate(zip(p.a, p.c, strict=True)):
                A[b, i, i], tgt[b, i], wt[b, i] = 1.0, c, a
    return Objective(real(A, device), real(tgt, device), real(wt, device), real(scale, device), real(G, device),
                     torch.from_numpy(given).to(device))


def steps_and_dims(batch: list[Params]) -> tuple[np.ndarray, np.ndarray]:
    steps = np.array([p.steps if p.steps is not None else (len(p.loss_grads) if p.get("loss_grads") is not None
                                                            else 2) for p in batch])
    return steps, np.array([len(p.w0) for p in batch])


def run(batch: list[Params], device: torch.device, key: Callable[[Params], Hashable],
        make: Callable[[list[dict[str, object]]], torch.optim.Optimizer], hyper: Callable[[Params], dict[str, object]]
        ) -> tuple[Objective, dict[str, torch.Tensor], list[dict[str, torch.Tensor]]]:
    """Step the batch T times with one optimizer whose param groups are the groups of equal ``key``.

    Returns the objective, the iterates w_0..w_T (``"w"``: (B, T+1, D)) and the gradients set before each step
    (``"g"``: (B, T, D)), and per step the optimizer's state tensors gathered back into batch order.
    """
    obj = objective(batch, device)
    groups: dict[Hashable, list[int]] = defaultdict(list)
    for i, p in enumerate(batch):
        groups[key(p)].append(i)
    order = [i for idx in groups.values() for i in idx]
    inv = torch.from_numpy(np.argsort(np.asarray(order))).to(device)
    w0 = real(np.array([_pad(p.w0) for p in batch]), device)
    params = [w0[torch.as_tensor(idx, device=device)].clone().requires_grad_(True) for idx in groups.values()]
    opt = make([{"params": [q], **hyper(batch[idx[0]])} for q, idx in zip(params, groups.values(), strict=True)])
    perm = torch.as_tensor(order, device=device)
    sub = Objective(obj.A[perm], obj.target[perm], obj.weight[perm], obj.scale[perm], obj.grads[perm],
                    obj.given[perm])
    ws, gs, states = [torch.cat([q.detach() for q in params])[inv]], [], []
    for t in range(1, T + 1):
        flat = torch.cat([q.detach() for q in params])
        g = sub.grad(flat, t)
        for q, part in zip(params, torch.split(g, [len(i) for i in groups.values()]), strict=True):
            q.grad = part.clone()
        opt.step()
        gs.append(g[inv])
        ws.append(torch.cat([q.detach() for q in params])[inv])
        st: dict[str, torch.Tensor] = {}
        for k in opt.state[params[0]]:
            if torch.is_tensor(opt.state[params[0]][k]) and opt.state[params[0]][k].dim() == 2:
                st[k] = torch.cat([opt.state[q][k] for q in params])[inv].clone()
        states.append(st)
    return obj, {"w": torch.stack(ws, 1), "g": torch.stack(gs, 1)}, states


def gd(batch: list[Params], device: torch.device) -> Answers:
    """``SGD`` on the autograd gradient; the Hessian by double backward (independent instances: the gradient of
    the summed gradient coordinate is each instance's Hessian row), λ_max by ``eigvalsh``; w* by ``pinv``."""
    obj, out, _ = run(batch, device, key=lambda p: p.lr, make=lambda g: torch.optim.SGD(g),
                      hyper=lambda p: {"lr": p.lr})
    steps, dims = steps_and_dims(batch)
    losses = torch.stack([obj.loss(out["w"][:, t]) for t in range(T + 1)], 1)
    with torch.enable_grad():
        q = torch.zeros(len(batch), D, dtype=obj.A.dtype, device=device, requires_grad=True)
        (g,) = torch.autograd.grad(obj.loss(q).sum(), q, create_graph=True)
        H = torch.stack([torch.autograd.grad(g[:, i].sum(), q, retain_graph=True)[0] for i in range(D)], 1)
    lam = torch.linalg.eigvalsh(H.detach())[:, -1]
    AtW = obj.A.transpose(1, 2) * obj.weight[:, None, :]
    w_star = (torch.linalg.pinv(AtW @ obj.A) @ (AtW @ obj.target.unsqueeze(-1))).squeeze(-1)
    return Answers(len(batch)).add(None, {
        "grads": ragged(out["g"], steps, dims), "iterates": ragged(out["w"][:, 1:], steps, dims),
        "losses": ragged(losses, steps + 1), "lr_max": 2 / lam, "w_star": ragged(w_star, dims)})



def momentum(batch: list[Params], device: torch.device) -> Answers:
    """``SGD(momentum, weight_decay, nesterov)``. The gradient of each step (λw included) is read back from the
    buffer (g_t = buf_t − μ·buf_{t−1}); the textbook form is mapped from PyTorch's state: v = −lr·buf, and under
    Nesterov PyTorch's parameter is the textbook look-ahead, so w = p + μ·lr·buf and the look-ahead is the
    previous p."""
    _, out, states = run(batch, device, key=lambda p: (p.lr, p.momentum, p.weight_decay, p.nesterov),
                         make=lambda g: torch.optim.SGD(g),
                         hyper=lambda p: {"lr": p.lr, "momentum": p.momentum, "weight_decay": p.weight_decay,
                                          "nesterov": p.nesterov, "dampening": 0.0})
    steps, dims = steps_and_dims(batch)
    buf = torch.stack([s["momentum_buffer"] for s in states], 1)  # (B, T, D)
    mu = column((p.momentum for p in batch), len(batch), device)[:, None, None]
    lr = column((p.lr for p in batch), len(batch), device)[:, None, None]
    grads = buf - mu * torch.cat([torch.zeros_like(buf[:, :1]), buf[:, :-1]], 1)
    p_t = out["w"][:, 1:]
    ans = Answers(len(batch))
    for form in ("pytorch", "notes"):
        for nesterov in (False, True):
            idx = [i for i, p in enumerate(batch) if p.form == form and bool(p.nesterov) == nesterov]
            if not idx:
                continue
            ix = torch.as_tensor(idx, device=device)
            s, d = steps[idx], dims[idx]
            cols = {"grads": ragged(grads[ix], s, d)}
            if form == "pytorch":
                cols |= {"buf": ragged(buf[ix], s, d), "iterates": ragged(p_t[ix], s, d)}
            else:
                w = p_t + mu * lr * buf if nesterov else p_t
                cols |= {"v": ragged((-lr * buf)[ix], s, d), "iterates": ragged(w[ix], s, d)}
                if nesterov:
                    cols["lookahead"] = ragged(out["w"][ix, :-1], s, d)
            ans.add(idx, cols)
    return ans


def adam(batch: list[Params], device: torch.device) -> Answers:
    """``torch.optim.Adam``; m and v are its ``exp_avg`` and ``exp_avg_sq``, m̂ and v̂ their corrections by the
    optimizer's own step count."""
    _, out, states = run(batch, device, key=lambda p: (p.lr, p.beta1, p.beta2, p.eps),
                         make=lambda g: torch.optim.Adam(g, foreach=False),
                         hyper=lambda p: {"lr": p.lr, "betas": (p.beta1, p.beta2), "eps": p.eps})
    steps, dims = steps_and_dims(batch)
    m = torch.stack([s["exp_avg"] for s in states], 1)
    v = torch.stack([s["exp_avg_sq"] for s in states], 1)
    t = torch.arange(1, T + 1, device=device, dtype=m.dtype)[None, :, None]
    b1 = column((p.beta1 for p in batch), len(batch), device)[:, None, None]
    b2 = column((p.beta2 for p in batch), len(batch), device)[:, None, None]
    cols = {"grads": out["g"], "m": m, "v": v, "m_hat": m / (1 - b1**t), "v_hat": v / (1 - b2**t),
            "iterates": out["w"][:, 1:]}
    return Answers(len(batch)).add(None, {k: ragged(x, steps, dims) for k, x in cols.items()})


def _state_steps(batch: list[Params], device: torch.device, key: Callable[[Params], Hashable],
                 make: Callable[[list[dict[str, object]]], torch.optim.Optimizer],
                 hyper: Callable[[Params], dict[str, object]], state: str) -> Answers:
    _, out, states = run(batch, device, key=key, make=make, hyper=hyper)
    steps, dims = steps_and_dims(batch)
    r = torch.stack([s[state] for s in states], 1)
    return Answers(len(batch)).add(None, {"grads": ragged(out["g"], steps, dims), "r": ragged(r, steps, dims),
                                          "iterates": ragged(out["w"][:, 1:], steps, dims)})


def rmsprop(batch: list[Params], device: torch.device) -> Answers:
    """``torch.optim.RMSprop(alpha=ρ, eps)``; r is its ``square_avg``."""
    return _state_steps(batch, device, key=lambda p: (p.lr, p.rho, p.eps),
                        make=lambda g: torch.optim.RMSprop(g, foreach=False),
                        hyper=lambda p: {"lr": p.lr, "alpha": p.rho, "eps": p.eps}, state="square_avg")


def adagrad(batch: list[Params], device: torch.device) -> Answers:
    """``torch.optim.Adagrad(lr, eps)`` (initial accumulator 0, no decay); r is its ``sum``."""
    return _state_steps(batch, device, key=lambda p: (p.lr, p.eps),
                        make=lambda g: torch.optim.Adagrad(g, foreach=False),
                        hyper=lambda p: {"lr": p.lr, "eps": p.eps, "lr_decay": 0.0,
                                         "initial_accumulator_value": 0.0}, state="sum")


def minibatch(batch: list[Params], device: torch.device) -> Answers:
    """Autograd of (w·x_i − y_i)²: per sample with one copy of w per sample, and of the masked means over all
    samples, the mini-batch and the single sample; the count is ``len`` of a DataLoader."""
    from torch.utils.data import DataLoader

    (X, n), (Y, _) = padded([p.x for p in batch], device), padded([p.y for p in batch], device)
    inside_ = inside(n, X.shape[1], device).to(X.dtype)
    in_batch = torch.zeros_like(X)
    one = torch.zeros_like(X)
    for b, p in enumerate(batch):
        in_batch[b, [i - 1 for i in p.batch]] = 1.0
        one[b, p.sample - 1] = 1.0
    w = column((p.w for p in batch), len(batch), device)
    with torch.enable_grad():
        copies = w[:, None].expand_as(X).clone().requires_grad_(True)
        (per,) = torch.autograd.grad(((copies * X - Y) ** 2 * inside_).sum(), copies)
        out = {}
        for name, mask in (("full", inside_), ("minibatch", in_batch), ("sgd", one)):
            q = w.clone().requires_grad_(True)
            losses = ((q[:, None] * X - Y) ** 2 * mask).sum(1) / mask.sum(1)
            (out[name],) = torch.autograd.grad(losses.sum(), q)
    iters = [len(DataLoader(range(p.N), batch_size=p.B, drop_last=p.drop_last)) for p in batch]
    return Answers(len(batch)).add(None, {"per_sample": ragged(per, n), **out, "iters": np.array(iters)})


def training_loop(batch: list[Params], device: torch.device) -> Answers:
    """``len(DataLoader)`` for both loaders; the print condition on ``torch.arange`` of one epoch's iterations,
    times the epochs; the pixel as a uint8 tensor divided by 255 through ``F.batch_norm`` in eval mode with the
    running statistics (mean, std²)."""
    import torch.nn.functional as F
    from torch.utils.data import DataLoader

    iters = [len(DataLoader(range(p.n_train), batch_size=p.batch_size)) for p in batch]
    tests = [len(DataLoader(range(p.n_test), batch_size=p.batch_size)) for p in batch]
    prints = [int(((torch.arange(i) % p.print_every) == p.print_every - 1).sum()) * p.epochs
              for i, p in zip(iters, batch, strict=True)]
    x = torch.tensor([p.pixel for p in batch], dtype=torch.uint8, device=device)
    mean = column((p.mean for p in batch), len(batch), device)
    var = column((p.std**2 for p in batch), len(batch), device)
    xs = (x.to(mean.dtype) / 255).reshape(1, -1)  # channels = instances
    normalized = F.batch_norm(xs, mean, var, training=False, eps=0.0).reshape(-1)
    return Answers(len(batch)).add(None, {
        "iters_per_epoch": np.array(iters), "total_iters": np.array([i * p.epochs for i, p in zip(iters, batch,
                                                                                                   strict=True)]),
        "prints": np.array(prints), "test_batches": np.array(tests), "normalized": normalized})


def confusion_matrix(batch: list[Params], device: torch.device) -> Answers:
    """All matrices of one size expanded at once into (instance, true, predicted) label tensors
    (``repeat_interleave`` of the counts), then ``bincount`` of the true labels, the predicted labels and the hits
    (true = predicted), offset by instance."""
    out = Answers(len(batch))
    groups: dict[int, list[int]] = defaultdict(list)
    for i, p in enumerate(batch):
        groups[len(p.C)].append(i)
    for k, idx in groups.items():
        B = len(idx)
        counts = torch.tensor([int(v) for i in idx for r in batch[i].C for v in r], device=device)
        pairs = torch.repeat_interleave(torch.arange(B * k * k, device=device), counts)
        inst, true, pred = pairs // (k * k), pairs % (k * k) // k, pairs % k
        hit = true == pred
        hits = torch.bincount(inst[hit] * k + true[hit], minlength=B * k).reshape(B, k).double()
        n_true = torch.bincount(inst * k + true, minlength=B * k).reshape(B, k).double()
        n_pred = torch.bincount(inst * k + pred, minlength=B * k).reshape(B, k).double()
        out.add(idx, {"accuracy": hits.sum(1) / n_true.sum(1), "precision": hits / n_pred, "recall": hits / n_true})
    return out
