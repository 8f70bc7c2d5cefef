"""Batching for references: group instances, pad ragged data, and hand answers back by column.

A reference may return one answers dict per instance (a list), or an :class:`Answers`: blocks of columns, each
column one array with a row per instance of the block. ``verify`` compares an :class:`Answers` column by column,
without building a dict per instance; anything that wants rows (tests, ``check``) indexes it like a list.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any, overload

import numpy as np

from examprep.params import Params


def grouped(batch: list[Params], key: Callable[[Params], Hashable],
            run: Callable[[list[Params]], Any]) -> Any:
    """Run ``run`` once per group of instances with equal ``key`` (equal shapes).

    ``run`` returns either one answers dict per instance of its group (then so does ``grouped``, in input order) or
    a mapping part -> column (then ``grouped`` returns an :class:`Answers` with one block per group).
    """
    groups: dict[Hashable, list[int]] = defaultdict(list)
    for i, p in enumerate(batch):
        groups[key(p)].append(i)
    rows: list[dict[str, Any]] = [{} for _ in batch]
    answers = Answers(len(batch))
    for idx in groups.values():
        got = run([batch[i] for i in idx])
        if isinstance(got, Mapping):
            answers.add(idx, got)
            continue
        for i, r in zip(idx, got, strict=True):
            rows[i] = r
    return answers if answers.blocks else rows


@dataclass(frozen=True)
class Ragged:
    """A padded column: ``data`` has a row per instance, padded along its trailing axes; ``sizes`` (rows × number
    of trailing axes) gives each row's true extent along each of them."""

    data: np.ndarray
    sizes: np.ndarray

    def row(self, i: int) -> np.ndarray:
        return self.data[(i, *(slice(0, int(s)) for s in self.sizes[i]))]


def ragged(data: Any, *sizes: Sequence[int]) -> Ragged:
    """A :class:`Ragged` column from a padded (B, W₁, …) tensor or array and the true sizes along W₁, W₂, …"""
    arr = _host(data)
    return Ragged(arr, np.stack([np.asarray(s, dtype=np.int64) for s in sizes], axis=1))


def pad_rows(rows: Sequence[Sequence[Any]], fill: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """(B × longest) float64 array of ragged rows padded with ``fill``, and each row's length."""
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    width = int(lengths.max(initial=0))
    if (lengths == width).all():
        return np.asarray(rows, dtype=np.float64).reshape(len(rows), width), lengths
    out = np.full((len(rows), width), fill, dtype=np.float64)
    # Row-major boolean assignment fills each row's first entries in order: one C-level copy for the batch.
    out[np.arange(width)[None, :] < lengths[:, None]] = np.fromiter(chain.from_iterable(rows), np.float64,
                                                                     int(lengths.sum()))
    return out, lengths


def pad_matrices(mats: Sequence[Sequence[Sequence[Any]]], fill: float = 0.0
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(B × most rows × most columns) float64 array of matrices padded with ``fill``, and their row and column
    counts."""
    nr = np.fromiter(map(len, mats), dtype=np.int64, count=len(mats))
    nc = np.fromiter((len(m[0]) if len(m) else 0 for m in mats), dtype=np.int64, count=len(mats))
    r, c = int(nr.max(initial=0)), int(nc.max(initial=0))
    if (nr == r).all() and (nc == c).all():
        return np.asarray(mats, dtype=np.float64).reshape(len(mats), r, c), nr, nc
    out = np.full((len(mats), r, c), fill, dtype=np.float64)
    inside = (np.arange(r)[None, :] < nr[:, None])[:, :, None] & (np.arange(c)[None, :] < nc[:, None])[:, None, :]
    flat = chain.from_iterable(chain.from_iterable(mats))
    out[inside] = np.fromiter(flat, np.float64, int((nr * nc).sum()))  # row-major: rows in order, numbers in order
    return out, nr, nc


class Answers(Sequence[dict[str, Any]]):
    """A reference's answers for a batch of N instances, as blocks of columns.

    A block covers some instances (their positions in the batch) and maps each part to a column: a tensor or array
    with one row per instance of the block, a :class:`Ragged` padded array, or a list of values (labels).
    """

    def __init__(self, n: int) -> None:
        self.n = n
        self.blocks: list[tuple[np.ndarray, dict[str, Any]]] = []
        self._where: np.ndarray | None = None

    def add(self, index: Sequence[int] | None, columns: Mapping[str, Any]) -> Answers:
        """Add a block: ``index`` = the instances' positions in the batch (None: all N, in order)."""
        idx = np.arange(self.n) if index is None else np.asarray(index, dtype=np.int64)
        cols = {k: v if isinstance(v, (Ragged, list)) else _host(v) for k, v in columns.items()}
        for k, v in cols.items():
            if _length(v) != len(idx):
                raise ValueError(f"column {k!r} has {_length(v)} rows for a block of {len(idx)} instances")
        self.blocks.append((idx, cols))
        self._where = None
        return self

    @classmethod
    def from_rows(cls, rows: Sequence[Mapping[str, Any]]) -> Answers:
        """The answers of a reference that gave one dict per instance: a block per part, holding the instances
        that answer it (a part may exist for some instances only)."""
        out = cls(len(rows))
        for part in dict.fromkeys(k for r in rows for k in r):
            idx = [i for i, r in enumerate(rows) if part in r]
            out.add(idx, {part: [rows[i][part] for i in idx]})
        return out

    def __len__(self) -> int:
        return self.n

    @overload
    def __getitem__(self, i: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, i: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self.n))]
        if not -self.n <= i < self.n:
            raise IndexError(i)
        i %= self.n
        if self._where is None:
            self._where = np.full((self.n, 2), -1, dtype=np.int64)
            for b, (idx, _) in enumerate(self.blocks):
                self._where[idx, 0] = b
                self._where[idx, 1] = np.arange(len(idx))
        b, j = self._where[i]
        if b < 0:
            return {}
        return {k: cell(v, int(j)) for k, v in self.blocks[b][1].items()}

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (self[i] for i in range(self.n))


def _host(v: Any) -> np.ndarray:
    if hasattr(v, "detach"):
        v = v.detach().cpu().numpy()
    return np.asarray(v)


def _length(v: Any) -> int:
    return len(v.data) if isinstance(v, Ragged) else len(v)


def cell(v: Any, j: int) -> Any:
    """Row ``j`` of a column, as a plain value (a number, a label, an array cut to its true sizes)."""
    if isinstance(v, Ragged):
        return v.row(j)
    x = v[j]
    return x.item() if isinstance(x, np.ndarray) and x.ndim == 0 else (x.item() if isinstance(x, np.generic) else x)
