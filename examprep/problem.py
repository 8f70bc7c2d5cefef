"""The ProblemType base class and the Instance it generates.

Problem authors subclass :class:`ProblemType` and write ``sample``, ``solve``, ``derivation``, ``statement`` and
``mistakes``. Seeding, validation and degenerate-draw rejection are owned here (Gymnasium's template method), so a
problem module never touches global random state.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from examprep import seeding
from examprep.errors import ParamError, PartError
from examprep.params import Param, Params, check_value, parse_value
from examprep.parts import Part

Answers = dict[str, Any]
MAX_DRAWS = 200


class ParamWarning(UserWarning):
    """A parameter that is allowed but suspicious (priors summing to 0.9)."""


@dataclass(frozen=True)
class Mistake:
    """A common mistake: the answers it produces (computed by doing the mistake) and the feedback to give."""

    answers: Answers
    feedback: str


@dataclass(frozen=True)
class Instance:
    """One concrete problem: the type's full id, how it was made, and its parameters.

    ``seed`` and ``code`` are None for an instance built from user-given parameters (``--set``).
    """

    problem_id: str
    params: Params
    seed: int | None = None
    difficulty: str = "medium"
    code: str | None = None
    warnings: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "id": self.problem_id, "seed": self.seed, "difficulty": self.difficulty,
                "params": self.params.to_json()}


class ProblemType:
    """Base class of every problem type (one module each)."""

    id: ClassVar[str]
    title: ClassVar[str]
    catalog: ClassVar[str] = ""
    params: ClassVar[tuple[Param, ...]] = ()
    parts: ClassVar[tuple[Part, ...]] = ()
    reference_entry: ClassVar[str] = ""  # "examprep.reference.cnn:conv_output_size"

    # ---- to implement -----------------------------------------------------------------------------------------
    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        """Draw parameters on the displayed grid. The only place randomness enters."""
        raise NotImplementedError

    def check(self, p: Params) -> list[str]:
        """Problem-specific consistency checks beyond each parameter's range.

        Raise ParamError for impossible parameters; return warnings for suspicious ones.
        """
        return []

    def statement(self, p: Params) -> list[Any]:
        """The prompt: prose strings and expressions (matrices, formulas), conventions included."""
        raise NotImplementedError

    def solve(self, p: Params) -> Answers:
        """Every part's value, computed directly (numpy / exact Python)."""
        raise NotImplementedError

    def derivation(self, p: Params) -> Any:
        """The worked solution (a :class:`~examprep.solver.step.Derivation`)."""
        raise NotImplementedError

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        """The catalog's common mistakes, each computed by doing the mistaken procedure."""
        return {}

    def active_parts(self, p: Params) -> tuple[Part, ...]:
        """The parts this instance asks for: every declared part unless overridden.

        Override only when a part exists for some parameters alone (x + PE when embeddings are given, X + Z when a
        residual is asked for); ``solve`` then returns exactly these parts, and the checker, grader and CLI use them.
        """
        return self.parts

    def degenerate(self, p: Params) -> str | None:
        """Why a sampled instance is unfit (ties, undefined values), or None. Mistakes are checked separately."""
        return None

    # ---- provided -------------------------------------------------------------------------------------------
    @property
    def topic(self) -> str:
        return self.id.split("/", 1)[0]

    def part(self, name: str) -> Part:
        for pt in self.parts:
            if pt.name == name:
                return pt
        names = ", ".join(pt.name for pt in self.parts)
        raise PartError(f"{self.id} has no part {name!r}; its parts are: {names}")

    @property
    def final_parts(self) -> tuple[Part, ...]:
        return tuple(pt for pt in self.parts if pt.final)

    def param(self, name: str) -> Param:
        for pr in self.params:
            if pr.name == name:
                return pr
        names = ", ".join(pr.name for pr in self.params)
        raise ParamError(f"{self.id} has no parameter {name!r}; its parameters are: {names}")

    def generate(self, seed: int, difficulty: str = "medium", secret: bytes | None = None) -> Instance:
        """The instance for (seed, difficulty): same numbers on any machine, degenerate draws rejected. With a
        secret, the secret instance (its numbers come from an HMAC of the secret; its code starts with ``U``)."""
        seeding.check_seed(seed)
        if difficulty not in seeding.DIFFICULTIES:
            raise ParamError(f"difficulty {difficulty!r}: use one of {', '.join(seeding.DIFFICULTIES)}")
        rng = seeding.rng_for(self.id, seed, difficulty, secret)
        reason = ""
        for _ in range(MAX_DRAWS):
            p = self._complete(self.sample(rng, difficulty))
            try:
                self._validate(p)
            except ParamError as e:
                reason = str(e)
                continue
            reason = self.degenerate(p) or self._mistake_collision(p) or ""
            if not reason:
                code = seeding.encode(self.id, seed, difficulty, secret)
                return Instance(self.id, p, seed=seed, difficulty=difficulty, code=code)
        raise RuntimeError(f"{self.id}: no usable instance in {MAX_DRAWS} draws (last: {reason})")

    def from_params(self, values: dict[str, Any], base: Params | None = None) -> Instance:
        """An instance from user-given values (already typed), on top of ``base`` or the defaults."""
        merged = dict(base or {})
        merged.update(values)
        p = self._complete(merged)
        found = self._validate(p)
        for w in found:
            warnings.warn(w, ParamWarning, stacklevel=2)
        return Instance(self.id, p, seed=None, difficulty="custom", code=None, warnings=tuple(found))

    def parse_sets(self, assignments: list[str]) -> dict[str, Any]:
        """Parse ``NAME=VALUE`` strings into typed values; unknown names get a clear error."""
        out: dict[str, Any] = {}
        for a in assignments:
            name, eq, text = a.partition("=")
            if not eq:
                raise ParamError(f"--set {a!r}: write NAME=VALUE, e.g. --set {self.params[0].name}=3")
            out[name.strip()] = parse_value(self.param(name.strip()), text)
        return out

    def _complete(self, values: dict[str, Any]) -> Params:
        names = [pr.name for pr in self.params]
        if len(values) > len(names) or not values.keys() <= set(names):
            self.param(next(k for k in values if k not in names))  # raises with the list of names
        return Params({pr.name: values.get(pr.name, pr.default) for pr in self.params})

    def _validate(self, p: Params) -> list[str]:
        for pr in self.params:
            check_value(pr, p[pr.name])
        return list(self.check(p))

    def validate(self, p: Params) -> list[str]:
        """Check every parameter and the problem's consistency rules; returns warnings."""
        return self._validate(p)

    def _mistake_collision(self, p: Params) -> str | None:
        from examprep.grader.score import matches

        truth = self.solve(p)
        for name, m in self.mistakes(p).items():
            if all(matches(self.part(k), v, truth[k]) >= 1 for k, v in m.answers.items()):
                return f"mistake {name} gives the right answer"
        return None

    def instance(self, seed: int | None = None, difficulty: str = "medium", sets: list[str] | None = None) -> Instance:
        """Convenience: the seeded instance, with ``--set`` overrides applied on top when given."""
        if sets:
            base = self.generate(seed, difficulty).params if seed is not None else None
            return self.from_params(self.parse_sets(sets), base=base)
        return self.generate(0 if seed is None else seed, difficulty)
