"""Which items a quiz draws from: numeric problem types, concept questions, or both (``--kind``)."""

from __future__ import annotations

from examprep.errors import ExamprepError


def quiz_units(topics: list[str], types: list[str], kind: str = "all") -> dict[str, str]:
    """Scheduler card key -> full id of every item the quiz may ask.

    Problem types are keyed by their id without version (``cnn/conv_output_size``), concept items by
    ``concept:<topic>/<slug>`` (:func:`examprep.quiz.scheduler.unit_of`). ``topics`` and ``types`` filter both kinds;
    a ``--type`` may name a concept item (``concept/cnn/weight-sharing``). An unknown topic is an error.
    """
    from examprep import concepts
    from examprep.quiz import scheduler
    from examprep.registry import list_specs, resolve

    specs = list_specs() if kind != "concept" else []
    ids = list(concepts.item_ids()) if kind != "numeric" else []  # ids only: no item file is parsed here

    def topic_of(i: str) -> str:
        return i.split("/")[1]

    if topics:
        known = {s.topic for s in list_specs()} | {topic_of(i) for i in concepts.item_ids()}
        for t in topics:
            if t not in known:
                list_specs([t])  # raises with the list of topics and a suggestion
                raise ExamprepError(f"no topic {t!r}; see `examprep list` and `examprep list --concepts`")
        specs = [s for s in specs if s.topic in topics]
        ids = [i for i in ids if topic_of(i) in topics]
    if types:
        wanted = [t.strip() for t in types]
        cbases = {concepts.get_item(t).base for t in wanted if concepts.is_concept_id(t)}
        pbases = {resolve(t).base for t in wanted if not concepts.is_concept_id(t)}
        specs = [s for s in specs if s.base in pbases]
        ids = [i for i in ids if i.rsplit("-v", 1)[0] in cbases]
    units = {s.base: s.id for s in specs}
    units.update({scheduler.unit_of(i): i for i in ids})
    return units
