"""Torch tensors from a batch's parameters, in the references' real dtype (``REAL``, rebound by
:func:`examprep.reference.use_dtype`): one numpy copy per parameter, then one transfer to the device."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import torch

from examprep.reference.batching import pad_matrices, pad_rows

REAL = torch.float64  # rebound by examprep.reference.use_dtype (verify --dtype)


def real(a: np.ndarray, device: torch.device) -> torch.Tensor:
    """A host array as a tensor of the references' dtype on ``device``."""
    return torch.from_numpy(np.asarray(a, dtype=np.float64)).to(device=device, dtype=REAL)


def column(values: Iterable[float], n: int, device: torch.device) -> torch.Tensor:
    """(B,) tensor of one number per instance."""
    return real(np.fromiter(values, np.float64, count=n), device)


def padded(rows: Sequence[Sequence[Any]], device: torch.device, fill: float = 0.0) -> tuple[torch.Tensor, np.ndarray]:
    """(B, longest) tensor of ragged rows padded with ``fill``, and each row's length."""
    data, n = pad_rows(rows, fill)
    return real(data, device), n


def padded_matrices(mats: Sequence[Sequence[Sequence[Any]]], device: torch.device
                    ) -> tuple[torch.Tensor, np.ndarray, np.ndarray]:
    """(B, most rows, most columns) tensor of matrices, zero-padded, and their row and column counts."""
    data, r, c = pad_matrices(mats)
    return real(data, device), r, c


def inside(n: np.ndarray, width: int, device: torch.device) -> torch.Tensor:
    """(B, width) mask of the true (unpadded) entries of rows of lengths ``n``."""
    return torch.from_numpy(np.arange(width)[None, :] < np.asarray(n)[:, None]).to(device)
