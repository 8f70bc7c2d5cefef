"""Counted nouns in user-facing text: ``1 filter``, ``2 filters``, ``1 entry``, ``3 entries``."""

from __future__ import annotations

_IRREGULAR = {"entry": "entries", "query": "queries", "matrix": "matrices", "was": "were", "is": "are"}


def plural(n: int, noun: str, many: str | None = None) -> str:
    """``n`` and ``noun``, in the plural unless ``n`` is 1 (``many`` overrides the plural form)."""
    if n == 1:
        return f"{n} {noun}"
    if many is None:
        many = _IRREGULAR.get(noun) or (noun + "es" if noun.endswith(("s", "x", "ch", "sh")) else noun + "s")
    return f"{n} {many}"
