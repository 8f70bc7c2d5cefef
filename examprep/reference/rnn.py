"""Torch references for the rnn family, written from PyTorch's modules and autograd, batched by shape.

Nothing here reuses the problem modules' arithmetic: the vanilla RNN is ``nn.RNN`` with its weights set (bias_hh
= 0, so bias_ih carries the single bias), the output layer ``nn.Linear`` and ``torch.softmax``, and the BPTT
factors and dh_T/dh_0 come from autograd (one step at a time, and through the whole sequence).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from examprep.params import Params
from examprep.reference import packing
from examprep.reference.batching import Answers, grouped


def _mat(v: Any, device: torch.device) -> torch.Tensor:
    """A JSON number, column list or matrix as a 2-D tensor (the problems' convention)."""
    if isinstance(v, (int, float)):
        v = [[v]]
    elif not isinstance(v[0], (list, tuple)):
        v = [[e] for e in v]
    return torch.tensor(np.asarray(v, dtype=np.float64), dtype=packing.REAL, device=device)


def _vec(v: Any, n: int, device: torch.device) -> torch.Tensor:
    return torch.zeros(n, dtype=packing.REAL, device=device) if v is None else _mat(v, device).reshape(n)


def _x(p: Params, device: torch.device) -> torch.Tensor:
    return _mat([list(p.x)] if not isinstance(p.x[0], (list, tuple)) else p.x, device)


def _rnn_one(p: Params, device: torch.device) -> dict[str, torch.Tensor]:
    from torch import nn

    x, w_x, w_h = _x(p, device), _mat(p.W_x, device), _mat(p.W_h, device)
    H, D = w_x.shape  # noqa: N806
    rnn = nn.RNN(D, H, nonlinearity="tanh").to(device=device, dtype=packing.REAL)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(w_x)
        rnn.weight_hh_l0.copy_(w_h)
        rnn.bias_ih_l0.copy_(_vec(p.b, H, device))
        rnn.bias_hh_l0.zero_()
    h0 = _vec(p.h0, H, device).reshape(1, 1, H).requires_grad_(p.grad)
    seq = x.T.reshape(-1, 1, D)
    out, _ = rnn(seq, h0)
    res: dict[str, torch.Tensor] = {"h": out[:, 0, :].T.detach()}
    if p.W_y is not None:
        w_y = _mat(p.W_y, device)
        lin = nn.Linear(H, w_y.shape[0]).to(device=device, dtype=packing.REAL)
        with torch.no_grad():
            lin.weight.copy_(w_y)
            lin.bias.copy_(_vec(p.b_y, w_y.shape[0], device))
            logits = lin(out[-1, 0])
        probs = torch.softmax(logits, -1)
        res.update(logits=logits, probs=probs, **{"class": torch.argmax(probs) + 1})
    if p.grad:
        (g,) = torch.autograd.grad(out[-1, 0, 0], h0)
        res["grad_h0"] = g.reshape(())
        factors, h = [], h0.detach()
        for t in range(seq.shape[0]):  # dh_t/dh_{t-1} by autograd on one step at a time
            hp = h.clone().requires_grad_(True)
            step, _ = rnn(seq[t:t + 1], hp)
            (f,) = torch.autograd.grad(step[0, 0, 0], hp)
            factors.append(f.reshape(()))
            h = step.detach()
        res["factors"] = torch.stack(factors)
    return res


def rnn_forward(batch: list[Params], device: torch.device) -> Answers:
    """One ``nn.RNN`` per instance (each has its own weights), stacked into columns per shape group."""

    def key(p: Params) -> tuple:
        x = _x(p, torch.device("cpu"))
        k = None if p.W_y is None else len(_mat(p.W_y, torch.device("cpu")))
        return (*x.shape, len(_mat(p.W_h, torch.device("cpu"))), k, bool(p.grad))

    def run(ps: list[Params]) -> dict[str, torch.Tensor]:
        rows = [_rnn_one(p, device) for p in ps]
        return {k: torch.stack([r[k] for r in rows]) for k in rows[0]}

    return grouped(batch, key, run)


def _rows(v: Any, device: torch.device) -> torch.Tensor:
    """A JSON number, row list or matrix as a 2-D tensor (a plain list is one row)."""
    if isinstance(v, (list, tuple)) and not isinstance(v[0], (list, tuple)):
        v = [list(v)]
    return _mat(v, device)


def _flat(v: Any, device: torch.device) -> torch.Tensor:
    return _mat(v, device).reshape(-1)


def _cell_weights(p: Params, gates: str, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """The stacked (len(gates)·H, D+H) weight and stacked bias in the order ``gates``."""
    w = torch.cat([_rows(p[f"W_{k}"], device) for k in gates])
    h = _flat(p.h_prev, device).numel()
    b = torch.cat([_vec(p[f"b_{k}"], h, device) for k in gates])
    return w, b


def lstm_cell(batch: list[Params], device: torch.device) -> Answers:
    """``nn.LSTMCell`` per instance with its stacked (i, f, g, o) weights; the gates from the same stacked weights
    chunked in that order, sigmoid on i, f, o and tanh on g."""
    from torch import nn

    def one(p: Params) -> dict[str, torch.Tensor]:
        x, h, c = _flat(p.x, device), _flat(p.h_prev, device), _flat(p.c_prev, device)
        D, H = x.numel(), h.numel()  # noqa: N806
        w, b = _cell_weights(p, "ifgo", device)
        cell = nn.LSTMCell(D, H).to(device=device, dtype=packing.REAL)
        with torch.no_grad():
            cell.weight_ih.copy_(w[:, :D])
            cell.weight_hh.copy_(w[:, D:])
            cell.bias_ih.copy_(b)
            cell.bias_hh.zero_()
            h1, c1 = cell(x[None], (h[None], c[None]))
            pre = x @ cell.weight_ih.T + h @ cell.weight_hh.T + cell.bias_ih + cell.bias_hh
        i, f, g, o = pre.chunk(4)
        return {"i": torch.sigmoid(i), "f": torch.sigmoid(f), "g": torch.tanh(g), "o": torch.sigmoid(o),
                "c": c1[0], "h": h1[0]}

    def run(ps: list[Params]) -> dict[str, torch.Tensor]:
        rows = [one(p) for p in ps]
        return {k: torch.stack([r[k] for r in rows]) for k in rows[0]}

    return grouped(batch, lambda p: (_len(p.x), _len(p.h_prev)), run)


def _len(v: Any) -> int:
    return len(v) if isinstance(v, (list, tuple)) else 1


def gru_cell(batch: list[Params], device: torch.device) -> Answers:
    """``nn.GRUCell`` per instance with its stacked (r, z, n) weights and bias_hh = 0 for ``pytorch``, and for
    ``notes`` with H = 1 with W_z and b_z negated (σ(-a) = 1 - σ(a) turns PyTorch's blend into the other one);
    ``notes`` with H = 2 from its formula in torch. r, z and n from the stacked weights chunked in that order."""
    from torch import nn

    def one(p: Params) -> dict[str, torch.Tensor]:
        x, h = _flat(p.x, device), _flat(p.h_prev, device)
        D, H = x.numel(), h.numel()  # noqa: N806
        w, b = _cell_weights(p, "rzn", device)
        gi, gh = w[:, :D] @ x + b, w[:, D:] @ h
        r = torch.sigmoid(gi[:H] + gh[:H])
        z = torch.sigmoid(gi[H:2 * H] + gh[H:2 * H])
        if p.convention == "notes" and H > 1:
            n = torch.tanh(w[2 * H:, :D] @ x + w[2 * H:, D:] @ (r * h) + b[2 * H:])
            return {"r": r, "z": z, "n": n, "h": (1 - z) * h + z * n}
        n = torch.tanh(gi[2 * H:] + r * gh[2 * H:])
        sign = torch.ones(3 * H, 1, dtype=packing.REAL, device=device)
        if p.convention == "notes":
            sign[H:2 * H] = -1
        cell = nn.GRUCell(D, H).to(device=device, dtype=packing.REAL)
        with torch.no_grad():
            cell.weight_ih.copy_(w[:, :D] * sign)
            cell.weight_hh.copy_(w[:, D:] * sign)
            cell.bias_ih.copy_(b * sign[:, 0])
            cell.bias_hh.zero_()
            h1 = cell(x[None], h[None])[0]
        return {"r": r, "z": z, "n": n, "h": h1}

    def run(ps: list[Params]) -> dict[str, torch.Tensor]:
        rows = [one(p) for p in ps]
        return {k: torch.stack([r[k] for r in rows]) for k in rows[0]}

    return grouped(batch, lambda p: (_len(p.x), _len(p.h_prev)), run)


def param_count(batch: list[Params], device: torch.device) -> Answers:
    """``numel`` of the torch module on the meta device: the first layer's parameters are those named ``_l0``; one
    gate block is the first layer's forward weights and biases over the gate count; ``single`` leaves bias_hh out."""

    def run(ps: list[Params]) -> dict[str, np.ndarray]:
        rows = [_count_one(p) for p in ps]
        return {k: np.array([r[k] for r in rows], dtype=np.int64) for k in rows[0]}

    return grouped(batch, lambda p: p.output_size is None, run)


def _count_one(p: Params) -> dict[str, int]:
    """The parts of one instance from module numels."""
    from torch import nn

    mod = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[p.cell](
        p.input_size, p.hidden_size, num_layers=p.layers, bidirectional=p.bidirectional, device="meta")
    named = [(k, v.numel()) for k, v in mod.named_parameters() if p.bias == "double" or "bias_hh" not in k]
    gates = mod.weight_ih_l0.shape[0] // p.hidden_size
    block = sum(n for k, n in named if k.endswith("_l0")) // gates
    first = sum(n for k, n in named if k.endswith("_l0") or k.endswith("_l0_reverse"))
    row = {"gate_block": block, "first_layer": first, "total": sum(n for _, n in named)}
    if p.output_size is not None:
        out = nn.Linear(p.hidden_size * (2 if p.bidirectional else 1), p.output_size, device="meta")
        row["output_params"] = sum(v.numel() for v in out.parameters())
        row["total"] += row["output_params"]
    return row


def truncated_bptt(batch: list[Params], device: torch.device) -> Answers:
    """A plain loop over t = 1..T: an update whenever k1 new steps have been seen, back-propagating through the
    min(k2, t) steps that exist."""
    rows = []
    for p in batch:
        updates = steps = since = 0
        for t in range(1, p.T + 1):
            since += 1
            if since == p.k1:
                updates, since = updates + 1, 0
                steps += min(p.k2, t)
        rows.append((updates, steps))
    cols = np.array(rows, dtype=np.int64).reshape(-1, 2)
    return Answers(len(batch)).add(None, {"updates": cols[:, 0], "backward_steps": cols[:, 1]})


def elmo_mix(batch: list[Params], device: torch.device) -> Answers:
    """``torch.softmax`` of the raw weights and ``torch.einsum`` of the weights with the layers, stacked by shape."""
    from examprep.reference.packing import real

    def run(ps: list[Params]) -> dict[str, torch.Tensor]:
        reps = real(np.array([p.reps for p in ps], dtype=np.float64), device)
        s = torch.softmax(real(np.array([p.w for p in ps], dtype=np.float64), device), dim=-1)
        gamma = real(np.array([p.gamma for p in ps], dtype=np.float64), device)[:, None]
        return {"s": s, "elmo": gamma * torch.einsum("bl,bld->bd", s, reps)}

    return grouped(batch, lambda p: (len(p.reps), len(p.reps[0])), run)


def soft_hard_attention(batch: list[Params], device: torch.device) -> Answers:
    """``torch.softmax`` of the scores, the context as a batched matrix product, the hard region by ``torch.argmax``
    or ``torch.searchsorted`` of u in the cumulative weights; instances of one shape and draw kind stacked."""
    from examprep.reference.packing import real

    def run(ps: list[Params]) -> dict[str, torch.Tensor]:
        a = real(np.array([p.features for p in ps], dtype=np.float64), device)
        w = torch.softmax(real(np.array([p.scores for p in ps], dtype=np.float64), device), dim=-1)
        if ps[0].u is None:
            idx = torch.argmax(w, dim=-1)
        else:
            u = real(np.array([[p.u] for p in ps], dtype=np.float64), device)
            idx = torch.searchsorted(torch.cumsum(w, -1), u, right=True)[:, 0].clamp(max=w.shape[1] - 1)
        rows = torch.arange(len(ps), device=device)
        return {"weights": w, "soft": torch.bmm(w[:, None, :], a)[:, 0], "hard_index": idx + 1, "hard": a[rows, idx]}

    return grouped(batch, lambda p: (len(p.features), len(p.features[0]), p.u is None), run)
