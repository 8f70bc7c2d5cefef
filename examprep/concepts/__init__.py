"""Concept questions: multiple-choice, true/false and short-answer items on the course's conceptual topics.

Items are data (one TOML file per topic in this folder, format in :mod:`examprep.concepts.model`), read with the
standard library's ``tomllib`` the first time an item is needed: importing this package reads no file, so
``examprep list``, ``--help`` and a numeric quiz question pay nothing for the bank. ``topic_lines.toml`` lists the
conceptual topic lines of the course that the bank must cover (ids ``<catalog file>#<n>``).
"""

from __future__ import annotations

import difflib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from examprep.errors import UnknownProblemError

if TYPE_CHECKING:
    from examprep.concepts.model import ConceptItem

HERE = Path(__file__).parent
PREFIX = "concept/"
TOPIC_LINES = "topic_lines.toml"


def is_concept_id(text: str) -> bool:
    """True for ``concept/<topic>/<slug>[-vN]`` (problem ids never start with ``concept/``)."""
    return text.strip().startswith(PREFIX)


def topic_files() -> list[Path]:
    """The item files, one per topic, sorted by name."""
    return sorted(p for p in HERE.glob("*.toml") if p.name != TOPIC_LINES)


@lru_cache(maxsize=1)
def all_items() -> tuple[ConceptItem, ...]:
    """Every item of every topic file, in file order (cached: the files are read once per process)."""
    import tomllib

    from examprep.concepts.model import ConceptItem

    out: list[ConceptItem] = []
    for path in topic_files():
        with path.open("rb") as f:
            data = tomllib.load(f)
        out += [ConceptItem.from_dict(d, path.stem) for d in data.get("item", [])]
    return tuple(out)


@lru_cache(maxsize=1)
def _by_id() -> dict[str, ConceptItem]:
    return {it.id: it for it in all_items()}


def list_items(topics: list[str] | tuple[str, ...] | None = None) -> list[ConceptItem]:
    """The items of these topics (all when None), sorted by id."""
    items = sorted(all_items(), key=lambda it: it.id)
    if topics:
        items = [it for it in items if it.topic in topics]
    return items


def get_item(text: str) -> ConceptItem:
    """The item with this id; ``-vN`` may be left off (the newest version is taken)."""
    text = text.strip()
    items = _by_id()
    if text in items:
        return items[text]
    versions = sorted((it for it in items.values() if it.base == text), key=lambda it: it.version)
    if versions:
        return versions[-1]
    close = difflib.get_close_matches(text, sorted(items), n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(close)}?" if close else " See `examprep list --concepts`."
    raise UnknownProblemError(f"no concept item {text!r}.{hint}")


@lru_cache(maxsize=1)
def topic_lines() -> dict[str, str]:
    """Topic-line id -> its text (the conceptual topics the bank covers)."""
    import tomllib

    with (HERE / TOPIC_LINES).open("rb") as f:
        return {d["id"]: d["text"] for d in tomllib.load(f)["line"]}
