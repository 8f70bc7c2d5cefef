"""Which problems a sheet holds: ``ID[:COUNT]`` items, instance codes, ``--topic``, ``--count``, seeds.

A sheet is reproducible from its selection and its seed: the ``i``-th instance of a type (counted over the whole
selection) uses seed ``base + i``, where ``base`` is the sheet seed. With ``--students`` each student's variant has
its own base seed, derived from the sheet seed and the student id (:func:`student_seed`), so a roster re-run gives
every student the same variant.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from examprep import seeding
from examprep.errors import ExamprepError, ParamError
from examprep.problem import Instance, ProblemType

STUDENT_SEED_LIMIT = 2**31


class SelectionError(ExamprepError):
    """A sheet selection that cannot be read (bad count, nothing selected)."""


@dataclass(frozen=True)
class Item:
    """One selection item: a problem id with a count, or a fixed instance code."""

    target: str
    count: int = 1
    code: bool = False


def parse_items(targets: list[str], topics: list[str], count: int) -> list[Item]:
    """``ID[:COUNT]`` / ``CODE`` strings plus topics -> items; no target and no topic selects every type.

    Args:
        targets: ids (``cnn/conv_output_size``, ``...-v1``), ``ID:COUNT`` or instance codes; concept items by id
            (``concept/cnn/weight-sharing``), every concept item of a topic (``concept/cnn``) or all (``concept/all``).
        topics: every type of these topics, ``count`` instances each.
        count: instances per id without its own ``:COUNT`` and per type of a topic.
    """
    from examprep.registry import list_specs, resolve

    if count < 1:
        raise SelectionError(f"--count {count}: give at least 1")
    items: list[Item] = []
    for t in targets:
        t = t.strip()
        if seeding.looks_like_code(t):
            items.append(Item(t, 1, code=True))
            continue
        name, colon, n = t.partition(":")
        k = count
        if colon:
            if not n.isdigit() or int(n) < 1:
                raise SelectionError(f"{t!r}: write ID:COUNT with a positive count, e.g. {name}:3")
            k = int(n)
        if name.startswith("concept/"):  # concept items (examprep.concepts)
            from examprep.concepts.select import concept_targets

            items += [Item(i, k) for i in concept_targets(name)]
            continue
        items.append(Item(resolve(name).id, k))
    for s in list_specs(topics) if topics else []:
        items.append(Item(s.id, count))
    if not targets and not topics:
        items = [Item(s.id, count) for s in list_specs()]
    return items


def student_seed(sheet_seed: int, student: str) -> int:
    """The base seed of one student's variant: sha256 of (sheet seed, student id), below 2**31."""
    digest = hashlib.sha256(f"{sheet_seed}|{student.strip()}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % STUDENT_SEED_LIMIT


def parts_of(pt: ProblemType, inst: Instance) -> tuple[str, ...]:
    """The parts an instance asks for (some types ask a part only for some parameters)."""
    return tuple(p.name for p in pt.active_parts(inst.params))


def instances(items: list[Item], seed: int = 0, difficulty: str = "medium",
              like: list[tuple[ProblemType, Instance]] | None = None) -> list[tuple[ProblemType, Instance]]:
    """Generate the instances of a selection (in order); a type listed twice gets fresh seeds.

    With ``like`` (the sheet seed's instances), the k-th instance must ask for the same parts as ``like[k]``: a draw
    that does not is replaced by the first of seeds ``s + j·STRIDE`` (j = 1, 2, ...) that does, so every student's
    variant is worth the same marks and stays reproducible from its own instance code.
    """
    from examprep.instances import from_code
    from examprep.registry import make

    if difficulty not in seeding.DIFFICULTIES:
        raise ParamError(f"--difficulty {difficulty!r}: use one of {', '.join(seeding.DIFFICULTIES)}")
    seeding.check_seed(seed)
    from examprep import secret

    key = secret.current()  # with a secret, the sheet's instances are secret ones
    used: dict[str, int] = {}
    out: list[tuple[ProblemType, Instance]] = []
    for it in items:
        if it.code:
            inst = from_code(it.target)
            out.append((make(inst.problem_id), inst))
            continue
        pt = make(it.target)
        for _ in range(it.count):
            i = used.get(pt.id, 0)
            used[pt.id] = i + 1
            inst = pt.generate(seed + i, difficulty, key)
            if like is not None:
                inst = _matching(pt, inst, parts_of(*like[len(out)]), difficulty, key)
            out.append((pt, inst))
    return out


STRIDE = 1_000_003


def _matching(pt: ProblemType, inst: Instance, want: tuple[str, ...], difficulty: str,
              key: bytes | None = None) -> Instance:
    j = 0
    while parts_of(pt, inst) != want:
        j += 1
        if j > 500:
            raise SelectionError(f"{pt.id}: no variant asks for the parts {', '.join(want)}; remove --students or "
                                 "choose another --seed")
        inst = pt.generate((inst.seed + STRIDE) % seeding.MAX_SEED, difficulty, key)  # type: ignore[operator]
    return inst
