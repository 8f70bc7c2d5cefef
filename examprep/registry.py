"""Versioned problem ids, the registry of problem specs, and ``make``.

Ids look like ``topic/name-vN`` (Gymnasium's ``CartPole-v1``). Registration stores a *string* entry point and the
metadata ``examprep list`` shows, so listing imports no problem module, no sympy and no torch. Each topic package
under ``examprep/problems/`` registers its types in its ``__init__``; topics are discovered, not listed here.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from examprep.errors import BadIdError, RetiredProblemError, UnknownProblemError

if TYPE_CHECKING:
    from examprep.problem import ProblemType

ID_RE = re.compile(r"^(?P<topic>[a-z][a-z0-9_]*)/(?P<name>[a-z][a-z0-9_]*)(?:-v(?P<version>[1-9][0-9]*))?$")


def parse_id(text: str) -> tuple[str, str, int | None]:
    """Split ``topic/name-vN`` into (topic, name, version); the version is None for a bare ``topic/name``."""
    m = ID_RE.match(text.strip())
    if not m:
        raise BadIdError(f"{text!r} is not a problem id; ids look like 'cnn/conv_output_size-v1' (see `examprep list`)")
    version = m.group("version")
    return m.group("topic"), m.group("name"), int(version) if version else None


def format_id(topic: str, name: str, version: int) -> str:
    """The inverse of :func:`parse_id` for a full id."""
    return f"{topic}/{name}-v{version}"


@dataclass(frozen=True)
class ProblemSpec:
    """What the registry knows about a problem type without importing it."""

    id: str
    entry_point: str
    title: str
    parts: tuple[str, ...]
    catalog: str = ""
    retired_by: str | None = None
    tags: tuple[str, ...] = field(default=())

    @property
    def topic(self) -> str:
        return parse_id(self.id)[0]

    @property
    def name(self) -> str:
        return parse_id(self.id)[1]

    @property
    def version(self) -> int:
        return parse_id(self.id)[2] or 0

    @property
    def base(self) -> str:
        """``topic/name`` without the version."""
        topic, name, _ = parse_id(self.id)
        return f"{topic}/{name}"


_REGISTRY: dict[str, ProblemSpec] = {}
_LOADED: dict[str, ProblemType] = {}
_discovered = False


def register(
    id: str,
    entry_point: str,
    *,
    title: str,
    parts: tuple[str, ...] | list[str],
    catalog: str = "",
    retired_by: str | None = None,
) -> ProblemSpec:
    """Register a problem type under a full versioned id and a ``module:Class`` entry point."""
    topic, name, version = parse_id(id)
    if version is None:
        raise BadIdError(f"register() needs a versioned id, got {id!r}: add '-v1'")
    if id in _REGISTRY:
        raise ValueError(f"problem {id} is registered twice")
    if ":" not in entry_point:
        raise ValueError(f"entry point {entry_point!r} must look like 'package.module:ClassName'")
    spec = ProblemSpec(id=id, entry_point=entry_point, title=title, parts=tuple(parts), catalog=catalog,
                       retired_by=retired_by)
    _REGISTRY[id] = spec
    return spec


def _discover() -> None:
    global _discovered
    if _discovered:
        return
    _discovered = True
    import examprep.problems as pkg

    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if info.ispkg:
            importlib.import_module(f"examprep.problems.{info.name}")


def all_specs(include_retired: bool = False) -> list[ProblemSpec]:
    """Every registered spec, sorted by id (old versions included)."""
    _discover()
    return [s for _, s in sorted(_REGISTRY.items()) if include_retired or s.retired_by is None]


def list_specs(topics: list[str] | tuple[str, ...] | None = None, latest_only: bool = True) -> list[ProblemSpec]:
    """The specs to show: newest version of each type, optionally filtered by topic."""
    specs = all_specs()
    if latest_only:
        newest: dict[str, ProblemSpec] = {}
        for s in specs:
            if s.base not in newest or s.version > newest[s.base].version:
                newest[s.base] = s
        specs = sorted(newest.values(), key=lambda s: s.id)
    if topics:
        known = {s.topic for s in specs}
        for t in topics:
            if t not in known:
                hint = difflib.get_close_matches(t, sorted(known), n=1)
                more = f" Did you mean {hint[0]!r}?" if hint else ""
                raise UnknownProblemError(f"no topic {t!r}.{more} Topics: {', '.join(sorted(known))}")
        specs = [s for s in specs if s.topic in topics]
    return specs


def resolve(text: str) -> ProblemSpec:
    """Find the spec for a full id, or the newest version of a bare ``topic/name``."""
    _discover()
    topic, name, version = parse_id(text)
    base = f"{topic}/{name}"
    versions = sorted((s for s in _REGISTRY.values() if s.base == base), key=lambda s: s.version)
    if not versions:
        bases = sorted({s.base for s in _REGISTRY.values()})
        close = difflib.get_close_matches(base, bases, n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(close)}?" if close else " See `examprep list`."
        raise UnknownProblemError(f"no problem type {base!r}.{hint}")
    if version is None:
        live = [s for s in versions if s.retired_by is None]
        return (live or versions)[-1]
    full = format_id(topic, name, version)
    if full not in _REGISTRY:
        have = ", ".join(s.id for s in versions)
        raise UnknownProblemError(f"{base} has no version {version}; registered versions: {have}")
    spec = _REGISTRY[full]
    if spec.retired_by:
        raise RetiredProblemError(f"{spec.id} is retired; use {spec.retired_by} instead")
    return spec


def make(text: str) -> ProblemType:
    """Instantiate (once, cached) the problem type for an id; imports its module.

    A concept item id (``concept/<topic>/<slug>-vN``) gives its problem-type adapter (:mod:`examprep.concepts`).
    """
    if text.strip().startswith("concept/"):
        from examprep.concepts.problem import concept_type

        return concept_type(text)  # type: ignore[return-value]
    spec = resolve(text)
    if spec.id not in _LOADED:
        module_name, _, attr = spec.entry_point.partition(":")
        cls = getattr(importlib.import_module(module_name), attr)
        problem = cls()
        if problem.id != spec.id:
            raise ValueError(f"{spec.entry_point} declares id {problem.id}, registered as {spec.id}")
        _LOADED[spec.id] = problem
    return _LOADED[spec.id]
