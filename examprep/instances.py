"""Resolving what the user typed (an id, a bare id or an instance code) into problem types and instances."""

from __future__ import annotations

from examprep import seeding
from examprep.errors import InvalidCodeError, UnknownProblemError
from examprep.problem import Instance, ProblemType
from examprep.registry import all_specs, make


def id_for_hash(h: int) -> str:
    """The registered full id whose hash is ``h`` (old versions included)."""
    matches = [s.id for s in all_specs(include_retired=True) if seeding.id_hash(s.id) == h]
    if not matches:
        from examprep.concepts.problem import concept_id_for_hash

        concept = concept_id_for_hash(h)  # concept items have codes too (examprep.concepts.problem)
        if concept is not None:
            return concept
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


def resolve_target(target: str, seed: int | None = None, difficulty: str | None = None,
                   sets: list[str] | None = None) -> tuple[ProblemType, Instance]:
    """``ID|CODE`` plus options -> (problem type, instance).

    A code fixes the seed and difficulty, so giving either with a code is refused (it would be ignored);
    ``difficulty`` None means medium for an id. A bare type name (``conv_output_size``) is refused with the id
    that has it (``cnn/conv_output_size``).
    """
    from examprep.errors import ExamprepError, ParamError

    if "/" not in target:
        try:
            return _from_code_target(target, seed, difficulty, sets)
        except ExamprepError as e:
            named = _types_named(target)
            if named:
                raise UnknownProblemError(f"{target!r} is not a problem id or an instance code; did you mean "
                                          f"{' or '.join(named)}?") from e
            raise
    pt = make(target)
    if difficulty is not None and difficulty not in seeding.DIFFICULTIES:
        raise ParamError(f"--difficulty {difficulty!r}: use one of {', '.join(seeding.DIFFICULTIES)}")
    return pt, pt.instance(seed=seed, difficulty=difficulty or "medium", sets=sets)


def _from_code_target(target: str, seed: int | None, difficulty: str | None,
                      sets: list[str] | None) -> tuple[ProblemType, Instance]:
    from examprep.errors import ParamError

    if not seeding.looks_like_code(target):
        make(target)  # raises the id's own error (a bare name without a topic)
    inst = from_code(target)
    given = [o for o, v in (("--seed", seed), ("--difficulty", difficulty)) if v is not None]
    if given:
        raise ParamError(f"the instance code {inst.code} fixes its seed and difficulty ({inst.difficulty}); drop "
                         f"{' and '.join(given)}, or give the problem id {inst.problem_id.rsplit('-v', 1)[0]} "
                         "instead of the code")
    pt = make(inst.problem_id)
    if sets:
        inst = pt.from_params(pt.parse_sets(sets), base=inst.params)
    return pt, inst


def _types_named(name: str) -> list[str]:
    """Problem types whose name (the part after the topic) is ``name``, or close to it."""
    import difflib

    from examprep.registry import list_specs

    bases = sorted({s.base for s in list_specs()})
    names = {b.split("/", 1)[1]: b for b in bases}
    key = name.strip().lower().rsplit("-v", 1)[0]
    if key in names:
        return [names[key]]
    return [names[n] for n in difflib.get_close_matches(key, list(names), n=3, cutoff=0.75)]
