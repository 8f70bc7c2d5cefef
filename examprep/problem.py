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

# Versions whose random streams were fixed before generate() rejected draws with a named mistake inside the fair
# tolerance band: their instance codes must keep regenerating the same numbers, so they keep the older rule, and the
# grader narrows a part to the strict tolerance wherever a mistake of the instance lies in the band
# (examprep.grader.score.band_policy). Every later version (v2 and up, new types) gets the band rejection.
BEFORE_BAND_RULE = frozenset({
    "attention/bahdanau-v1", "attention/luong-v1", "attention/multihead_dims-v1", "attention/scaled_dot_product-v1",
    "attention/softmax_temperature-v1", "bayes/discrete_posterior-v1", "bayes/gaussian_1d-v1",
    "bayes/gaussian_1d_threshold-v1", "bayes/gaussian_2d-v1", "bayes/min_risk-v1", "bayes/naive_bayes-v1",
    "bayes/optimal_denoiser-v1", "cnn/conv2d_forward-v1", "cnn/conv_output_size-v1", "cnn/conv_param_count-v1",
    "cnn/pool_output_size-v1", "cnn/receptive_field-v1", "cnn/shape_chain-v1", "cnn/transposed_conv_output_size-v1",
    "diffusion/ddim_step-v1", "diffusion/forward_closed_form-v1", "diffusion/forward_step-v1", "diffusion/loss-v1",
    "diffusion/noise_schedule-v1", "diffusion/posterior-v1", "diffusion/reverse_step-v1", "diffusion/two_step-v1",
    "divergence/jsd-v1", "divergence/kl_discrete-v1", "divergence/kl_gaussian-v1", "divergence/kl_gaussian_mv-v1",
    "divergence/vae_kl-v1", "gan/optimal_discriminator-v1", "positional/sinusoidal-v1", "vision/harris_from_sums-v1",
    "vision/harris_map-v1", "vision/harris_patch-v1", "vision/shi_tomasi-v1",
})


def carry(given: Answers | None, name: str, value: Any) -> Any:
    """``given[name]`` in the shape and type of ``value`` when the student gave it, else ``value`` (the exact one).

    The one helper a ``solve`` needs for error carried forward: ``a = carry(given, "A", a)`` right after A is
    computed, then everything downstream uses ``a``.
    """
    if not given or name not in given:
        return value
    v = given[name]
    if isinstance(value, np.ndarray) or isinstance(value, list):
        return np.asarray(v, dtype=float).reshape(np.shape(value))
    return float(v)


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
                "params": self.params.to_json(), "warnings": list(self.warnings)}


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

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        """Every part's value, computed directly (numpy / exact Python).

        A type whose parts declare ``uses`` (error carried forward) computes each derived part from the values of
        the parts it uses, taking them from ``given`` where given (:func:`carry`): ``solve(p, {"B": 86.12})``
        recomputes everything downstream of B from the student's B. Without ``given`` it is the exact solution.
        """
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
    def carries_forward(self) -> bool:
        """True when some part declares ``uses`` and ``solve`` takes the student's values (error carried forward);
        a subclass whose ``solve`` does not take ``given`` simply grades without it."""
        import inspect

        return any(pt.uses for pt in self.parts) and "given" in inspect.signature(self.solve).parameters

    def carry_note(self) -> str:
        """The convention for derived parts, shown after the statement of a type that declares them (error
        carried forward); empty for a type without derived parts."""
        if not self.carries_forward:
            return ""
        return ("Round only the values you report; carry full precision into later steps (a later answer that "
                "follows from your own earlier answers also earns credit).")

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
        """Why a named mistake would be graded right on this instance, or None.

        A mistake collides when all its parts match the truth, or when any part of it falls inside the fair
        tolerance band (within 0.2% but outside half a unit of the last digit): the policy must never turn a
        named mistake into a right answer.
        """
        from examprep.grader.score import matches

        truth = self.solve(p)
        band = self.id not in BEFORE_BAND_RULE
        for name, m in self.mistakes(p).items():
            parts = [(self.part(k), v, truth[k]) for k, v in m.answers.items() if k in truth]
            if parts and all(matches(pt, v, t, "fair" if band else "strict") >= 1 for pt, v, t in parts):
                return f"mistake {name} gives the right answer"
            for pt, v, t in parts if band else ():
                if matches(pt, v, t, "fair") >= 1 > matches(pt, v, t, "strict"):
                    return f"mistake {name} falls within the tolerance of part {pt.name}"
        return None

    def instance(self, seed: int | None = None, difficulty: str = "medium", sets: list[str] | None = None) -> Instance:
        """Convenience: the seeded instance, with ``--set`` overrides applied on top when given."""
        if sets:
            base = self.generate(seed, difficulty).params if seed is not None else None
            return self.from_params(self.parse_sets(sets), base=base)
        return self.generate(0 if seed is None else seed, difficulty)
