"""Independent torch reference implementations, one module per topic. Imported lazily (torch is heavy).

Each reference takes a list of parameter sets of one problem type and a torch device and returns one answers
dict per instance, computed a different way from ``solve`` (torch modules, torch.distributions, conv2d filters).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

DTYPES = ("float64", "float32")


@contextlib.contextmanager
def use_dtype(name: str) -> Iterator[None]:
    """Run the references in another real dtype: each reference module reads its dtype from its ``REAL``."""
    import torch

    dtype = {"float64": torch.float64, "float32": torch.float32}[name]
    mods: list[Any] = [m for k, m in sys.modules.items() if k.startswith("examprep.reference.") and hasattr(m, "REAL")]
    old = [m.REAL for m in mods]
    for m in mods:
        m.REAL = dtype
    try:
        yield
    finally:
        for m, o in zip(mods, old, strict=True):
            m.REAL = o
