"""External sorting for batch grading: records that may not fit in memory are sorted in runs, spilled to anonymous
temporary files and merged lazily, so memory stays flat however many students a file holds.

Runs live in :func:`tempfile.TemporaryFile` files, which have no name on disk: a killed run leaves nothing behind.
"""

from __future__ import annotations

import heapq
import pickle
import tempfile
from collections.abc import Callable, Iterator
from typing import IO, Any

CHUNK = 100_000  # records held in memory before a run is spilled
_BATCH = 2048  # records per pickle in a run


class ExternalSort:
    """Collects tuples with :meth:`add`; iterating yields them sorted (by ``key`` when given), once."""

    def __init__(self, key: Callable[[Any], Any] | None = None, chunk: int = CHUNK) -> None:
        self.key = key
        self.chunk = chunk
        self.buf: list[Any] = []
        self.runs: list[IO[bytes]] = []
        self.n = 0

    def add(self, record: Any) -> None:
        """Add one record (a tuple of plain values)."""
        self.buf.append(record)
        self.n += 1
        if len(self.buf) >= self.chunk:
            self._spill()

    def _spill(self) -> None:
        self.buf.sort(key=self.key)
        f = tempfile.TemporaryFile()  # noqa: SIM115 - closed after the merge
        for i in range(0, len(self.buf), _BATCH):
            pickle.dump(self.buf[i:i + _BATCH], f, protocol=pickle.HIGHEST_PROTOCOL)
        f.seek(0)
        self.runs.append(f)
        self.buf = []

    def __iter__(self) -> Iterator[Any]:
        self.buf.sort(key=self.key)
        if not self.runs:
            buf, self.buf = self.buf, []
            yield from buf
            return
        try:
            yield from heapq.merge(*(_read(f) for f in self.runs), self.buf, key=self.key)
        finally:
            self.close()

    def close(self) -> None:
        """Drop the records and the spilled runs."""
        for f in self.runs:
            f.close()
        self.runs, self.buf = [], []


def _read(f: IO[bytes]) -> Iterator[Any]:
    while True:
        try:
            batch = pickle.load(f)  # noqa: S301 - our own anonymous temporary file
        except EOFError:
            return
        yield from batch
