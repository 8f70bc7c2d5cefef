"""Concept items in a sheet or Moodle selection: one item, a topic's items, or the whole bank."""

from __future__ import annotations

from examprep.errors import UnknownProblemError


def concept_targets(name: str) -> list[str]:
    """Full item ids for ``concept/<topic>/<slug>[-vN]``, ``concept/<topic>`` (every item) or ``concept/all``."""
    from examprep.concepts import get_item, list_items

    if name == "concept/all":
        return [it.id for it in list_items()]
    if name.count("/") == 1:
        topic = name.split("/", 1)[1]
        ids = [it.id for it in list_items([topic])]
        if not ids:
            topics = sorted({it.topic for it in list_items()})
            raise UnknownProblemError(f"no concept items for topic {topic!r}; topics with items: {', '.join(topics)}")
        return ids
    return [get_item(name).id]
