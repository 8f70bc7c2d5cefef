"""Batching for references: run one batched computation per group of instances of equal shape."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable
from typing import Any

from examprep.params import Params


def grouped(batch: list[Params], key: Callable[[Params], Hashable],
            run: Callable[[list[Params]], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Run ``run`` once per group of instances with equal ``key`` (equal shapes); answers in the input order."""
    groups: dict[Hashable, list[int]] = defaultdict(list)
    for i, p in enumerate(batch):
        groups[key(p)].append(i)
    out: list[dict[str, Any]] = [{} for _ in batch]
    for idx in groups.values():
        for i, r in zip(idx, run([batch[i] for i in idx]), strict=True):
            out[i] = r
    return out
