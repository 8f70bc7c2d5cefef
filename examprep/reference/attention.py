"""Torch references for the attention family, batched: instances of equal shapes are stacked and run together.

- scaled dot-product: ``F.scaled_dot_product_attention`` (the weights are its output for V = I);
- Bahdanau and Luong concat: an ``nn.Module`` (three ``nn.Linear`` layers) run over the batch with ``torch.func``;
- Luong dot / general: ``F.scaled_dot_product_attention`` with ``scale=1``;
- multi-head sizes: ``nn.MultiheadAttention`` on the meta device (parameter counts and attention-map shape);
- softmax with temperature: ``torch.softmax`` and ``torch.topk``.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import torch
import torch.nn.functional as F  # noqa: N812
from torch import nn

from examprep.params import Params
from examprep.reference.batching import grouped as _grouped

REAL = torch.float64  # rebound by examprep.reference.use_dtype (verify --dtype)



def _stack(batch: list[Params], name: str, device: torch.device) -> torch.Tensor:
    return torch.tensor([p[name] for p in batch], dtype=REAL, device=device)


def _split(tensors: dict[str, torch.Tensor]) -> list[dict[str, Any]]:
    """{part: (B, ...) tensor} -> one {part: numpy array} per instance."""
    cpu = {k: v.detach().cpu().numpy() for k, v in tensors.items()}
    n = len(next(iter(cpu.values())))
    return [{k: v[i] for k, v in cpu.items()} for i in range(n)]


# ---- scaled dot-product ---------------------------------------------------------------------------------------------
def scaled_dot_product(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """Q, K, V by batched matmul; output and weights from F.scaled_dot_product_attention."""

    def run(group: list[Params]) -> list[dict[str, Any]]:
        p0 = group[0]
        X = _stack(group, "X", device)
        Q = X @ _stack(group, "W_q", device)
        K = X @ _stack(group, "W_k", device)
        V = X @ _stack(group, "W_v", device)
        n, dk = X.shape[1], K.shape[2]
        eye = torch.eye(n, dtype=REAL, device=device).expand(len(group), n, n)
        out = {"Q": Q, "K": K, "V": V,
               "scores": torch.baddbmm(torch.zeros(len(group), n, n, dtype=REAL, device=device), Q,
                                       K.transpose(1, 2), beta=0.0, alpha=1 / math.sqrt(dk)),
               "weights": F.scaled_dot_product_attention(Q, K, eye, is_causal=p0.causal),
               "output": F.scaled_dot_product_attention(Q, K, V, is_causal=p0.causal)}
        if p0.residual:
            out["residual_output"] = X + out["output"]
        return _split(out)

    return _grouped(batch, lambda p: (len(p.X), len(p.X[0]), len(p.W_k[0]), len(p.W_v[0]), p.causal, p.residual),
                    run)


# ---- additive attention ---------------------------------------------------------------------------------------------
class AdditiveAttention(nn.Module):
    """e_j = vᵀ tanh(W_s s + W_h h_j + b), α = softmax(e), c = Σ α_j h_j."""

    def __init__(self, d_s: int, d_h: int, d_a: int) -> None:
        super().__init__()
        self.W_s = nn.Linear(d_s, d_a, bias=False, dtype=REAL)
        self.W_h = nn.Linear(d_h, d_a, bias=True, dtype=REAL)
        self.v = nn.Linear(d_a, 1, bias=False, dtype=REAL)

    def forward(self, s: torch.Tensor, H: torch.Tensor) -> dict[str, torch.Tensor]:
        q = self.W_s(s)
        k = self.W_h(H) - self.W_h.bias  # the projection alone; the bias joins in the sum below
        u = q.unsqueeze(-2) + self.W_h(H)
        t = torch.tanh(u)
        e = self.v(t).squeeze(-1)
        a = torch.softmax(e, dim=-1)
        return {"query_proj": q, "key_proj": k, "pre": u, "tanh": t, "scores": e, "weights": a,
                "context": a @ H}


def run_additive(Ws: torch.Tensor, Wh: torch.Tensor, b: torch.Tensor, v: torch.Tensor, s: torch.Tensor,
                 H: torch.Tensor) -> dict[str, torch.Tensor]:
    """The module over a batch: its parameters stacked along dim 0 and mapped with vmap + functional_call."""
    module = AdditiveAttention(s.shape[-1], H.shape[-1], v.shape[-1]).to(s.device)
    params = {"W_s.weight": Ws, "W_h.weight": Wh, "W_h.bias": b, "v.weight": v.unsqueeze(1)}
    return torch.func.vmap(lambda prm, s1, H1: torch.func.functional_call(module, prm, (s1, H1)))(params, s, H)


def bahdanau(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    def run(group: list[Params]) -> list[dict[str, Any]]:
        v = _stack(group, "v", device)
        b = (torch.tensor([p.b if p.b is not None else [0.0] * len(p.v) for p in group], dtype=REAL, device=device))
        return _split(run_additive(_stack(group, "W_s", device), _stack(group, "W_h", device), b, v,
                                   _stack(group, "s", device), _stack(group, "H", device)))

    return _grouped(batch, lambda p: (len(p.s), len(p.H), len(p.H[0]), len(p.v)), run)


# ---- Luong ----------------------------------------------------------------------------------------------------------
def luong(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """dot/general: F.scaled_dot_product_attention with scale 1; concat: the additive module on [W1 | W2]."""

    def run(group: list[Params]) -> list[dict[str, Any]]:
        kind = group[0].score
        s, H = _stack(group, "s", device), _stack(group, "H", device)
        if kind == "concat":
            Wa, v = _stack(group, "W_a", device), _stack(group, "v", device)
            ds = s.shape[-1]
            out = run_additive(Wa[..., :ds], Wa[..., ds:], torch.zeros_like(v), v, s, H)
            return _split({k: out[k] for k in ("scores", "weights", "context")})
        q = s if kind == "dot" else (s.unsqueeze(1) @ _stack(group, "W_a", device)).squeeze(1)  # (W_aᵀ h_t)ᵀ
        q = q.unsqueeze(1)  # (B, 1, d_h): one query
        n = H.shape[1]
        eye = torch.eye(n, dtype=REAL, device=device).expand(len(group), n, n)
        return _split({"scores": torch.einsum("bqd,bkd->bk", q, H),
                       "weights": F.scaled_dot_product_attention(q, H, eye, scale=1.0).squeeze(1),
                       "context": F.scaled_dot_product_attention(q, H, H, scale=1.0).squeeze(1)})

    return _grouped(batch, lambda p: (p.score, len(p.s), len(p.H), len(p.H[0]),
                                      len(p.v) if p.score == "concat" else 0), run)


# ---- multi-head sizes -----------------------------------------------------------------------------------------------
@lru_cache(maxsize=4096)
def _mha_sizes(d_model: int, heads: int, seq_len: int, bias: bool) -> dict[str, Any]:
    meta = torch.device("meta")
    mha = nn.MultiheadAttention(d_model, heads, bias=bias, device=meta)
    x = torch.empty(seq_len, 1, d_model, device=meta)  # (L, N, E)
    _, w = mha(x, x, x, need_weights=True, average_attn_weights=False)  # (N, h, L, S)
    q = F.linear(x, mha.in_proj_weight[:d_model])  # W_Q for all heads
    q_heads = q.view(seq_len, heads, mha.head_dim).transpose(0, 1)  # (h, L, d_head)
    proj = mha.in_proj_weight.numel() // 3 + (mha.in_proj_bias.numel() // 3 if bias else 0)
    return {"d_head": mha.head_dim, "head_proj_params": proj // heads, "proj_params": proj,
            "total": sum(t.numel() for t in mha.parameters()), "head_shape": list(q_heads.shape[1:]),
            "score_shape": list(w.shape[1:]), "score_entries": w[0].numel()}


def multihead_dims(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """nn.MultiheadAttention on the meta device: counts from .parameters(), shapes from a forward pass (no data).
    Equal sizes give equal answers: one module per distinct (d_model, heads, seq_len, bias)."""
    return [{k: list(v) if isinstance(v, list) else v for k, v in _mha_sizes(p.d_model, p.heads, p.seq_len,
                                                                             p.bias).items()} for p in batch]


# ---- softmax with temperature ---------------------------------------------------------------------------------------
def softmax_temperature(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """torch.softmax(z / T); the top-k distribution is the softmax of the logits with all but the top k set to −∞."""

    def run(group: list[Params]) -> list[dict[str, Any]]:
        z = _stack(group, "z", device)
        T = torch.tensor([p.temperature for p in group], dtype=REAL, device=device).unsqueeze(1)
        scaled = z / T
        probs = torch.softmax(scaled, dim=-1)
        idx = torch.topk(scaled, group[0].k, dim=-1).indices
        kept = torch.full_like(scaled, -torch.inf).scatter(-1, idx, scaled.gather(-1, idx))
        return _split({"scaled": scaled, "probs": probs, "argmax": torch.argmax(probs, dim=-1) + 1,
                       "topk": torch.softmax(kept, dim=-1)})

    return _grouped(batch, lambda p: (len(p.z), p.k), run)
