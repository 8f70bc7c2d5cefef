"""Torch references for the attention family, batched: one padded batch per reference, answered by column.

Every instance is zero-padded to the largest shape in the batch; zero rows and columns add nothing to a dot
product, padded keys are masked out of every softmax (a boolean ``attn_mask`` / −∞), and each answer comes back as
a :class:`~examprep.reference.batching.Ragged` column cut to the instance's true sizes.

- scaled dot-product: ``F.scaled_dot_product_attention`` with a per-instance mask (padded keys, causal) and a
  per-instance 1/√d_k applied to Q (the weights are its output for V = I);
- Bahdanau and Luong concat: an ``nn.Module`` (three ``nn.Linear`` layers) run over the batch with ``torch.func``;
- Luong dot / general: ``F.scaled_dot_product_attention`` with ``scale=1`` (query h_t or W_aᵀ h_t);
- multi-head sizes: ``nn.MultiheadAttention`` on the meta device (parameter counts and attention-map shape);
- softmax with temperature: ``torch.softmax`` and ``torch.topk``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812
from torch import nn

from examprep.params import Params
from examprep.reference.batching import Answers, ragged
from examprep.reference.packing import inside, padded, padded_matrices, real

REAL = torch.float64  # rebound by examprep.reference.use_dtype (verify --dtype)


# ---- packing --------------------------------------------------------------------------------------------------------
def _pad_to(t: torch.Tensor, *widths: int) -> torch.Tensor:
    """Zero-pad the trailing axes of ``t`` to ``widths``."""
    pad: list[int] = []
    for axis, w in zip(range(t.dim() - 1, t.dim() - 1 - len(widths), -1), reversed(widths), strict=True):
        pad += [0, w - t.shape[axis]]
    return F.pad(t, pad)


def _flags(batch: list[Params], name: str) -> np.ndarray:
    return np.fromiter((bool(getattr(p, name)) for p in batch), dtype=bool, count=len(batch))


def _host(columns: dict[str, torch.Tensor]) -> dict[str, np.ndarray]:
    return {k: v.detach().cpu().numpy() for k, v in columns.items()}


def _add(answers: Answers, index: np.ndarray | None, cols: dict[str, tuple[Any, ...]], cut: bool = True) -> None:
    """One block of the instances ``index`` (positions in the batch; None: all of them): part -> (padded column,
    true sizes along its trailing axes...), with one row per instance of the batch, cut to the rows ``index``
    (``cut``), or already one per instance of the block. A column given without sizes has a number per instance."""
    pick: Any = slice(None) if index is None or not cut else index

    def col(data: Any, *sizes: np.ndarray) -> Any:
        return ragged(data[pick], *(s[pick] for s in sizes)) if sizes else data[pick]

    answers.add(index, {k: col(*v) for k, v in cols.items()})


def _by_flag(flag: np.ndarray) -> list[tuple[np.ndarray | None, bool]]:
    """The batch split by a boolean per instance: (rows or None for all, flag value) for each non-empty side."""
    if flag.all() or not flag.any():
        return [(None, bool(flag[0]) if len(flag) else False)]
    return [(np.flatnonzero(~flag), False), (np.flatnonzero(flag), True)]


# ---- scaled dot-product ---------------------------------------------------------------------------------------------
def scaled_dot_product(batch: list[Params], device: torch.device) -> Answers:
    """Q, K, V by batched matmul; output and weights from one F.scaled_dot_product_attention call on [V | I], with a
    boolean mask per instance (real keys, and j ≤ i where causal) and Q scaled by that instance's 1/√d_k."""
    X, n, d = padded_matrices([p.X for p in batch], device)
    Wk, _, dk = padded_matrices([p.W_k for p in batch], device)
    Wq, _, _ = padded_matrices([p.W_q for p in batch], device)
    Wv, _, dv = padded_matrices([p.W_v for p in batch], device)
    Q, K, V = X @ Wq, X @ Wk, X @ Wv
    B, N, DV = len(batch), X.shape[1], V.shape[2]  # noqa: N806
    scale = real(1 / np.sqrt(dk), device)[:, None, None]
    scores = (Q @ K.transpose(1, 2)) * scale
    ar, causal = np.arange(N), _flags(batch, "causal")[:, None, None]
    mask = torch.from_numpy((ar[None, None, :] < n[:, None, None])  # real keys j < n, and j ≤ i where causal
                            & (~causal | (ar[None, None, :] <= ar[None, :, None]))).to(device)
    eye = torch.eye(N, dtype=REAL, device=device).expand(B, N, N)
    both = F.scaled_dot_product_attention(Q * scale, K, torch.cat([V, eye], dim=-1), attn_mask=mask, scale=1.0)
    out = both[..., :DV]
    h = _host({"Q": Q, "K": K, "V": V, "scores": scores, "weights": both[..., DV:], "output": out})
    cols = {"Q": (h["Q"], n, dk), "K": (h["K"], n, dk), "V": (h["V"], n, dv), "scores": (h["scores"], n, n),
            "weights": (h["weights"], n, n), "output": (h["output"], n, dv)}
    answers = Answers(B)
    for index, res in _by_flag(_flags(batch, "residual")):
        if res:  # X + Z, which needs d_v = d
            W = max(X.shape[2], DV)  # noqa: N806
            residual = (_pad_to(X, N, W) + _pad_to(out, N, W)).cpu().numpy()
            _add(answers, index, {**cols, "residual_output": (residual, n, d)})
        else:
            _add(answers, index, cols)
    return answers


# ---- additive attention ---------------------------------------------------------------------------------------------
class AdditiveAttention(nn.Module):
    """e_j = vᵀ tanh(W_s s + W_h h_j + b), α = softmax(e) over the real positions (mask), c = Σ α_j h_j."""

    def __init__(self, d_s: int, d_h: int, d_a: int) -> None:
        super().__init__()
        self.W_s = nn.Linear(d_s, d_a, bias=False, dtype=REAL)
        self.W_h = nn.Linear(d_h, d_a, bias=True, dtype=REAL)
        self.v = nn.Linear(d_a, 1, bias=False, dtype=REAL)

    def forward(self, s: torch.Tensor, H: torch.Tensor, mask: torch.Tensor) -> dict[str, torch.Tensor]:
        q = self.W_s(s)
        k = self.W_h(H) - self.W_h.bias  # the projection alone; the bias joins in the sum below
        u = q.unsqueeze(-2) + self.W_h(H)
        t = torch.tanh(u)
        e = self.v(t).squeeze(-1)
        a = torch.softmax(e.masked_fill(~mask, -torch.inf), dim=-1)
        return {"query_proj": q, "key_proj": k, "pre": u, "tanh": t, "scores": e, "weights": a,
                "context": a @ H}


def run_additive(Ws: torch.Tensor, Wh: torch.Tensor, b: torch.Tensor, v: torch.Tensor, s: torch.Tensor,
                 H: torch.Tensor, mask: torch.Tensor) -> dict[str, torch.Tensor]:
    """The module over a batch: its parameters stacked along dim 0 and mapped with vmap + functional_call.
    Zero-padded weights, states and bias add nothing (tanh 0 = 0 meets a zero entry of v); ``mask`` (B, n) marks
    the real encoder positions."""
    module = AdditiveAttention(s.shape[-1], H.shape[-1], v.shape[-1]).to(s.device)
    params = {"W_s.weight": Ws, "W_h.weight": Wh, "W_h.bias": b, "v.weight": v.unsqueeze(1)}
    return torch.func.vmap(lambda prm, s1, H1, m1: torch.func.functional_call(module, prm, (s1, H1, m1)))(
        params, s, H, mask)


def bahdanau(batch: list[Params], device: torch.device) -> Answers:
    s, _ = padded([p.s for p in batch], device)
    H, n, dh = padded_matrices([p.H for p in batch], device)
    Ws, da, _ = padded_matrices([p.W_s for p in batch], device)
    Wh, _, _ = padded_matrices([p.W_h for p in batch], device)
    v, _ = padded([p.v for p in batch], device)
    b, _ = padded([p.b if p.b is not None else () for p in batch], device)
    DA = v.shape[1]  # noqa: N806
    out = _host(run_additive(Ws, Wh, _pad_to(b, DA), v, s, H, inside(n, H.shape[1], device)))
    answers = Answers(len(batch))
    _add(answers, None, {"query_proj": (out["query_proj"], da), "key_proj": (out["key_proj"], n, da),
                         "pre": (out["pre"], n, da), "tanh": (out["tanh"], n, da), "scores": (out["scores"], n),
                         "weights": (out["weights"], n), "context": (out["context"], dh)})
    return answers


# ---- Luong ----------------------------------------------------------------------------------------------------------
def luong(batch: list[Params], device: torch.device) -> Answers:
    """dot/general: F.scaled_dot_product_attention with scale 1 and query h_t or W_aᵀ h_t; concat: the additive
    module on [W1 | W2]. One padded batch for each of the two."""
    concat = np.fromiter((p.score == "concat" for p in batch), dtype=bool, count=len(batch))
    answers = Answers(len(batch))
    for index, is_concat in _by_flag(concat):
        group = batch if index is None else [batch[i] for i in index]
        _add(answers, index, (_luong_concat if is_concat else _luong_product)(group, device), cut=False)
    return answers


def _luong_product(group: list[Params], device: torch.device) -> dict[str, tuple[Any, ...]]:
    s, _ = padded([p.s for p in group], device)
    H, n, dh = padded_matrices([p.H for p in group], device)
    general = np.fromiter((p.score == "general" for p in group), dtype=bool, count=len(group))
    Wa, _, _ = padded_matrices([p.W_a if g else ((0.0,),) for p, g in zip(group, general, strict=True)], device)
    B, N = len(group), H.shape[1]  # noqa: N806
    D = max(s.shape[1], H.shape[2], Wa.shape[1], Wa.shape[2])  # noqa: N806  (dot: d_s = d_h)
    s, H, Wa = _pad_to(s, D), _pad_to(H, N, D), _pad_to(Wa, D, D)
    q = torch.where(torch.from_numpy(general).to(device)[:, None], (s.unsqueeze(1) @ Wa).squeeze(1), s)  # (W_aᵀ h_t)ᵀ
    q = q.unsqueeze(1)  # (B, 1, D): one query
    eye = torch.eye(N, dtype=REAL, device=device).expand(B, N, N)
    mask = inside(n, N, device)[:, None, :]
    both = F.scaled_dot_product_attention(q, H, torch.cat([H, eye], dim=-1), attn_mask=mask, scale=1.0).squeeze(1)
    h = _host({"scores": (q @ H.transpose(1, 2)).squeeze(1), "weights": both[:, D:], "context": both[:, :D]})
    return {"scores": (h["scores"], n), "weights": (h["weights"], n), "context": (h["context"], dh)}


def _luong_concat(group: list[Params], device: torch.device) -> dict[str, tuple[Any, ...]]:
    s, ds = padded([p.s for p in group], device)
    H, n, dh = padded_matrices([p.H for p in group], device)
    Wa, _, _ = padded_matrices([p.W_a for p in group], device)
    v, _ = padded([p.v for p in group], device)
    DS, DH = s.shape[1], H.shape[2]  # noqa: N806
    # W_a = [W1 | W2]: W1 = the first d_s columns (the columns past d_s meet zero padding of s), W2 = the d_h
    # columns from d_s on, gathered per instance (past d_h they meet zero padding of h̄_j)
    W1 = Wa[..., :DS]  # noqa: N806
    cols = torch.from_numpy(ds).to(device)[:, None] + torch.arange(DH, device=device)[None, :]
    W2 = _pad_to(Wa, Wa.shape[1], Wa.shape[2] + DH).gather(2, cols[:, None, :].expand(-1, Wa.shape[1], -1))  # noqa: N806
    out = _host(run_additive(W1, W2, torch.zeros_like(v), v, s, H, inside(n, H.shape[1], device)))
    return {"scores": (out["scores"], n), "weights": (out["weights"], n), "context": (out["context"], dh)}


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
def softmax_temperature(batch: list[Params], device: torch.device) -> Answers:
    """torch.softmax(z / T) over each instance's real logits (padding set to −∞); the top-k distribution is the
    softmax of the logits with all but the top k (torch.topk, k per instance) set to −∞."""
    z, n = padded([p.z for p in batch], device)
    T = real(np.fromiter((p.temperature for p in batch), dtype=np.float64, count=len(batch)), device)  # noqa: N806
    k = np.fromiter((p.k for p in batch), dtype=np.int64, count=len(batch))
    scaled = z / T[:, None]
    logits = scaled.masked_fill(~inside(n, z.shape[1], device), -torch.inf)
    probs = torch.softmax(logits, dim=-1)
    idx = torch.topk(logits, int(k.max()), dim=-1).indices  # the largest k_max, in order
    keep = torch.from_numpy(np.arange(idx.shape[1])[None, :] < k[:, None]).to(device)
    top = torch.where(keep, logits.gather(-1, idx), -torch.inf)  # ... of which instance i keeps its first k_i
    kept = torch.full_like(logits, -torch.inf).scatter(-1, idx, top)
    h = _host({"scaled": scaled, "probs": probs, "argmax": torch.argmax(probs, dim=-1) + 1,
               "topk": torch.softmax(kept, dim=-1)})
    answers = Answers(len(batch))
    _add(answers, None, {"scaled": (h["scaled"], n), "probs": (h["probs"], n), "argmax": (h["argmax"],),
                         "topk": (h["topk"], n)})
    return answers
