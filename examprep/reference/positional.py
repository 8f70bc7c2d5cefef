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
from examprep.reference.attention import _add, _by_flag
from examprep.reference.batching import Answers
from examprep.reference.packing import padded, padded_matrices, real

REAL = torch.float64  # rebound by examprep.reference.use_dtype (verify --dtype)


def sinusoidal(batch: list[Params], device: torch.device) -> Answers:
    """div = exp(−ln(10000)·2k/d); sin(pos·div) and cos(pos·div) written into the even/odd (or half) columns."""
    B = len(batch)  # noqa: N806
    d = np.fromiter((p.d_model for p in batch), dtype=np.int64, count=B)
    pos, n = padded([p.positions for p in batch], device)
    pos = pos.to(REAL).unsqueeze(-1)  # (B, P, 1)
    D = int(d.max())  # noqa: N806
    dcol = real(d.astype(np.float64), device)[:, None]
    div = torch.exp(torch.arange(0, D, 2, dtype=REAL, device=device)[None, :] * (-math.log(10000.0) / dcol))
    angle = pos * div.unsqueeze(1)  # (B, P, D/2)
    # the columns of pair k: interleaved 2k (sin) and 2k + 1 (cos); split k and d/2 + k. Pairs past d/2 (padding)
    # go to spare columns D + 2k, D + 2k + 1 so that they overwrite nothing.
    k = np.arange(D // 2)[None, :]
    half = (d // 2)[:, None]
    split = np.fromiter((p.layout == "split" for p in batch), dtype=bool, count=B)[:, None]
    col_sin = np.where(k < half, np.where(split, k, 2 * k), D + 2 * k)
    col_cos = np.where(k < half, np.where(split, half + k, 2 * k + 1), D + 2 * k + 1)
    P = angle.shape[1]  # noqa: N806
    table = torch.zeros(B, P, 2 * D, dtype=REAL, device=device)
    for cols, f in ((col_sin, torch.sin), (col_cos, torch.cos)):
        table.scatter_(-1, torch.from_numpy(cols).to(device)[:, None, :].expand(-1, P, -1), f(angle))
    pe = table[..., :D]
    den, pe_h = (1 / div).cpu().numpy(), pe.cpu().numpy()
    has_x = np.fromiter((p.X is not None for p in batch), dtype=bool, count=B)
    cols = {"denominators": (den, d // 2), "pe": (pe_h, n, d)}
    answers = Answers(B)
    for index, with_x in _by_flag(has_x):
        if not with_x:
            _add(answers, index, cols)
            continue
        # z = X + PE for the instances given embeddings (X zero-padded like the table)
        X, _, _ = padded_matrices([p.X for p in (batch if index is None else [batch[i] for i in index])], device)  # noqa: N806
        rows = slice(None) if index is None else torch.from_numpy(index).to(device)
        z = np.zeros_like(pe_h)
        z[slice(None) if index is None else index, : X.shape[1], : X.shape[2]] = (
            pe[rows, : X.shape[1], : X.shape[2]] + X).cpu().numpy()
        _add(answers, index, {**cols, "z": (z, n, d)})
    return answers
