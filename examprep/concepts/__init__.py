"""Concept questions: multiple-choice, true/false and short-answer items on the course's conceptual topics.

Items are data (one TOML file per topic in this folder, format in :mod:`examprep.concepts.model`), read with the
standard library's ``tomllib`` the first time an item is needed: importing this package reads no file, so
``examprep list``, ``--help`` and a numeric quiz question pay nothing for the bank. ``topic_lines.toml`` lists the
conceptual topic lines of the course that the bank must cover (ids ``<catalog file>#<n>``).
"""

from __future__ import annotations

import difflib
import re
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


_ID_LINE = re.compile(r'^id\s*=\s*"(concept/[^"]+)"', re.M)


@lru_cache(maxsize=1)
def item_ids() -> tuple[str, ...]:
    """Every item id, found by scanning the files for ``id = "..."`` lines (no TOML parsing: about a millisecond).

    The quiz and code decoding need only ids; an item's file is parsed when the item itself is needed.
    """
    return tuple(m.group(1) for path in topic_files() for m in _ID_LINE.finditer(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=None)
def file_items(topic: str) -> tuple[ConceptItem, ...]:
    """The items of one topic file (parsed once per process); empty when the topic has no file."""
    import tomllib

    from examprep.concepts.model import ConceptItem

    path = HERE / f"{topic}.toml"
    if not path.is_file() or path.name == TOPIC_LINES:
        return ()
    with path.open("rb") as f:
        data = tomllib.load(f)
    return tuple(ConceptItem.from_dict(d, topic) for d in data.get("item", []))


def all_items() -> tuple[ConceptItem, ...]:
    """Every item of every topic file, in file order (each file is parsed once per process)."""
    return tuple(it for path in topic_files() for it in file_items(path.stem))


def list_items(topics: list[str] | tuple[str, ...] | None = None) -> list[ConceptItem]:
    """The items of these topics (all when None), sorted by id."""
    if topics:
        items = [it for t in dict.fromkeys(topics) for it in file_items(t)]
    else:
        items = list(all_items())
    return sorted(items, key=lambda it: it.id)


def get_item(text: str) -> ConceptItem:
    """The item with this id; ``-vN`` may be left off (the newest version is taken). Parses only its topic's file."""
    text = text.strip()
    parts = text.split("/")
    candidates = file_items(parts[1]) if len(parts) == 3 and parts[1] else ()
    for it in candidates:
        if it.id == text:
            return it
    versions = sorted((it for it in candidates if it.base == text), key=lambda it: it.version)
    if versions:
        return versions[-1]
    close = difflib.get_close_matches(text, sorted(item_ids()), n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(close)}?" if close else " See `examprep list --concepts`."
    raise UnknownProblemError(f"no concept item {text!r}.{hint}")


@lru_cache(maxsize=1)
def topic_lines() -> dict[str, str]:
    """Topic-line id -> its text (the conceptual topics the bank covers)."""
    import tomllib

    with (HERE / TOPIC_LINES).open("rb") as f:
        return {d["id"]: d["text"] for d in tomllib.load(f)["line"]}
