"""Axis-aligned boxes [x1, y1, x2, y2] with continuous coordinates: checks, draws and the IoU arithmetic shared
by the detection types."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from examprep.errors import ParamError

Box = tuple[float, float, float, float]


def check_box(name: str, box: Sequence[float]) -> None:
    """A box is four numbers with x1 < x2 and y1 < y2."""
    if len(box) != 4:
        raise ParamError(f"{name} has {len(box)} numbers; a box is [x1, y1, x2, y2]")
    x1, y1, x2, y2 = box
    if not (x1 < x2 and y1 < y2):
        raise ParamError(f"{name} = {list(box)} is empty: a box [x1, y1, x2, y2] needs x1 < x2 and y1 < y2")


def area(b: Sequence[float]) -> float:
    return (b[2] - b[0]) * (b[3] - b[1])


def overlap(a: Sequence[float], b: Sequence[float], clip: bool = True) -> tuple[float, float]:
    """Width and height of the overlap (negative when the boxes are apart, unless clipped at 0)."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return (max(w, 0.0), max(h, 0.0)) if clip else (w, h)


def iou(a: Sequence[float], b: Sequence[float]) -> float:
    w, h = overlap(a, b)
    inter = w * h
    return inter / (area(a) + area(b) - inter)


def whole(values: Any) -> list[Any]:
    """A student's box numbers, cell indices or bin ends (error carried forward) as ints, nested as given; ValueError
    when one is not a whole number (nothing follows from it)."""
    if isinstance(values, (list, tuple, np.ndarray)):
        return [whole(v) for v in values]
    if values != int(values):
        raise ValueError(f"{values:g} is not a whole number")
    return int(values)


def draw_box(rng: np.random.Generator, hi: int, step: float = 1.0, min_side: int = 2, max_side: int = 8) -> Box:
    """A box with corners on the grid ``step`` inside [0, hi]."""
    w, h = (int(rng.integers(min_side, max_side + 1)) for _ in range(2))
    x, y = int(rng.integers(0, hi - w + 1)), int(rng.integers(0, hi - h + 1))
    if step == 1:
        return (float(x), float(y), float(x + w), float(y + h))
    jx, jy = (round(float(rng.integers(0, int(1 / step))) * step, 10) for _ in range(2))
    return (x + jx, y + jy, x + w + jx, y + h + jy)
