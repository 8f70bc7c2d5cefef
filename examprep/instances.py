"""Resolving what the user typed (an id, a bare id or an instance code) into problem types and instances."""

from __future__ import annotations

from examprep import seeding
from examprep.errors import InvalidCodeError
from examprep.problem import Instance, ProblemType
from examprep.registry import all_specs, make


def id_for_hash(h: int) -> str:
    """The registered full id whose hash is ``h`` (old versions included)."""
    matches = [s.id for s in all_specs(include_retired=True) if seeding.id_hash(s.id) == h]
    if not matches:
        raise InvalidCodeError("this instance code names a problem version that is not registered here; "
                               "upgrade examprep or check the code")
    if len(matches) > 1:  # guarded by a test over the registry
        raise InvalidCodeError(f"instance code is ambiguous between {matches}")
    return matches[0]


def from_code(code: str) -> Instance:
    """Regenerate the instance an instance code names (a secret code needs the secret: :mod:`examprep.secret`)."""
    if seeding.is_secret(code):
        from examprep import secret

        key = secret.required()
        h, seed, difficulty = seeding.decode(code, key)
        return make(id_for_hash(h)).generate(seed, difficulty, key)
    h, seed, difficulty = seeding.decode(code)
    return make(id_for_hash(h)).generate(seed, difficulty)


def resolve_target(target: str, seed: int | None = None, difficulty: str = "medium",
                   sets: list[str] | None = None) -> tuple[ProblemType, Instance]:
    """``ID|CODE`` plus options -> (problem type, instance). A code fixes the seed and difficulty."""
    if seeding.looks_like_code(target):
        inst = from_code(target)
        pt = make(inst.problem_id)
        if sets:
            inst = pt.from_params(pt.parse_sets(sets), base=inst.params)
        return pt, inst
    pt = make(target)
    return pt, pt.instance(seed=seed, difficulty=difficulty, sets=sets)
