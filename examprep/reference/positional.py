"""Torch reference for positional encodings: the sinusoidal table built as in the Annotated Transformer, batched.

The whole batch is one padded table: d_model and the positions are padded to the largest in the batch, each
instance keeps its own div = exp(−ln(10000)·2k/d) (d its own d_model), and its sines and cosines are scattered into
its own columns (even/odd, or first/second half); everything past an instance's d_model and positions is cut off
again by the ragged answer columns.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from examprep.params import Params
from examprep.reference.attention import _add, _by_flag, _mats, _rows, _tensor
from examprep.reference.batching import Answers

REAL = torch.float64  # rebound by examprep.reference.use_dtype (verify --dtype)


def sinusoidal(batch: list[Params], device: torch.device) -> Answers:
    """div = exp(−ln(10000)·2k/d); sin(pos·div) and cos(pos·div) written into the even/odd (or half) columns."""
    B = len(batch)  # noqa: N806
    d = np.fromiter((p.d_model for p in batch), dtype=np.int64, count=B)
    pos, n = _rows([p.positions for p in batch], device)
    pos = pos.to(REAL).unsqueeze(-1)  # (B, P, 1)
    D = int(d.max())  # noqa: N806
    dcol = _tensor(d.astype(np.float64), device)[:, None]
    div = torch.exp(torch.arange(0, D, 2, dtype=REAL, device=device)[None, :] * (-math.log(10000.0) / dcol))
    angle = pos * div.unsqueeze(1)  # (B, P, D/2)
    # the columns of pair k: interleaved 2k (sin) and 2k + 1 (cos); split k and d/2 + k. Pairs past d/2 (padding)
    # go to spare columns D + 2k, D + 2k + 1 so that they overwrite nothing.
    k = torch.arange(D // 2, device=device)[None, :]
    half = torch.from_numpy(d // 2).to(device)[:, None]
    split = torch.from_numpy(np.fromiter((p.layout == "split" for p in batch), dtype=bool, count=B)).to(device)
    col_sin = torch.where(k < half, torch.where(split[:, None], k, 2 * k), D + 2 * k)
    col_cos = torch.where(k < half, torch.where(split[:, None], half + k, 2 * k + 1), D + 2 * k + 1)
    P = angle.shape[1]  # noqa: N806
    table = torch.zeros(B, P, 2 * D, dtype=REAL, device=device)
    table.scatter_(-1, col_sin.unsqueeze(1).expand(-1, P, -1), torch.sin(angle))
    table.scatter_(-1, col_cos.unsqueeze(1).expand(-1, P, -1), torch.cos(angle))
    pe = table[..., :D]
    has_x = np.fromiter((p.X is not None for p in batch), dtype=bool, count=B)
    X, _, _ = _mats([p.X if p.X is not None else ((0.0,),) for p in batch], device)  # noqa: N806
    z = pe + torch.nn.functional.pad(X, (0, D - X.shape[2], 0, P - X.shape[1]))
    den, pe_h, z_h = (t.detach().cpu().numpy() for t in (1 / div, pe, z))
    cols = {"denominators": (den, d // 2), "pe": (pe_h, n, d)}
    answers = Answers(B)
    for index, with_x in _by_flag(has_x):
        _add(answers, index, {**cols, "z": (z_h, n, d)} if with_x else cols)
    return answers
