"""Torch reference for Luong attention v2 (``attention/luong-v2``): global instances go to v1's reference; local-p
instances are computed over the whole padded batch from the formulas.

Local-p: p_t = S·``torch.sigmoid``(v_pᵀ tanh(W_p h_t)); the window is a boolean mask over the positions 1..S
(|j - p_t| <= D); the scores of every position come from v1's reference (``F.scaled_dot_product_attention`` or the
additive module) and are masked outside the window before ``torch.softmax``; the Gaussian exp(-(j - p_t)^2/(2σ^2)),
σ = D/2, multiplies the softmax without renormalising; the context is a batched matrix product. The window's
entries are moved to the front of each row (a stable sort of the mask) and cut to the window's size.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from examprep.params import Params
from examprep.reference import attention
from examprep.reference.batching import Answers, ragged
from examprep.reference.packing import column, padded, padded_matrices


def luong_v2(batch: list[Params], device: torch.device) -> Answers:
    answers = Answers(len(batch))
    local = np.fromiter((p.mode == "local_p" for p in batch), dtype=bool, count=len(batch))
    for flag in (False, True):
        index = np.flatnonzero(local == flag)
        if not len(index):
            continue
        group = [batch[i] for i in index]
        if not flag:
            glob = attention.luong(group, device)
            answers.add(index, {k: [glob[i][k] for i in range(len(group))] for k in ("scores", "weights", "context")})
            continue
        answers.add(index, _local(group, device))
    return answers


def _local(group: list[Params], device: torch.device) -> dict[str, Any]:
    B = len(group)  # noqa: N806
    s, _ = padded([p.s for p in group], device)
    H, n, dh = padded_matrices([p.H for p in group], device)  # noqa: N806
    Wp, _, _ = padded_matrices([p.W_p for p in group], device)  # noqa: N806
    vp, _ = padded([p.v_p for p in group], device)
    S = column((len(p.H) for p in group), B, device)  # noqa: N806
    D = column((p.D for p in group), B, device)  # noqa: N806
    x = (vp * torch.tanh((Wp @ s[..., None])[..., 0])).sum(-1)
    p_t = S * torch.sigmoid(x)
    pos = torch.arange(1, H.shape[1] + 1, device=device, dtype=H.dtype)[None, :]
    mask = ((pos - p_t[:, None]).abs() <= D[:, None]) & (pos <= S[:, None])
    full = attention.luong(group, device)  # v1's scores of every position
    scores, _ = padded([np.asarray(full[i]["scores"], dtype=np.float64).tolist() for i in range(B)], device)
    align = torch.softmax(scores.masked_fill(~mask, -torch.inf), dim=-1)
    gauss = torch.exp(-((pos - p_t[:, None]) ** 2) / (2 * (D[:, None] / 2) ** 2)) * mask
    weights = align * gauss
    context = (weights[:, None, :] @ H)[:, 0]
    order = torch.sort((~mask).to(torch.int8), dim=-1, stable=True).indices  # window positions first, in order
    size = mask.sum(-1).cpu().numpy()

    def front(t: torch.Tensor) -> Any:
        return ragged(t.gather(1, order), size)

    return {"p_t": p_t, "window": front(pos.expand(B, -1)), "scores": front(scores), "align": front(align),
            "gauss": front(gauss), "weights": front(weights), "context": ragged(context, dh)}
