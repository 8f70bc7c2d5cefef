"""Scoring: one part or a set of answers, with partial credit and mistake feedback."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from examprep.grader.compare import coarser_match, entries_close, labels_equal, scalar_close, shape_of
from examprep.grader.parse import ParseError, parse_answer
from examprep.parts import Part
from examprep.solver.prose import to_text

if TYPE_CHECKING:
    from examprep.problem import Mistake, ProblemType

VERDICTS = ("right", "wrong", "partial", "invalid")
_SCALARS = (int, float, np.integer, np.floating)


@dataclass(frozen=True)
class PartResult:
    """The verdict on one part."""

    name: str
    score: float
    verdict: str
    feedback: str = ""
    mistake: str | None = None
    given: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class GradeResult:
    """The verdicts on the parts that were answered, and their weighted score in 0..1."""

    score: float
    parts: list[PartResult] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"score": self.score, "parts": [p.to_json() for p in self.parts]}


def _to_value(part: Part, given: Any) -> Any:
    """Parse text (or pass through values) into the part's kind; raises ParseError."""
    if isinstance(given, str):
        return parse_answer(given, kind=part.kind)
    if isinstance(given, np.ndarray):
        return given.tolist()
    return given


def _expected_shape(part: Part, truth: Any) -> tuple[int, ...]:
    return shape_of(truth)


def matches(part: Part, value: Any, target: Any) -> float:
    """Fraction of entries of ``value`` that match ``target`` (0 when shapes differ)."""
    if part.kind in ("label", "choice"):
        return 1.0 if isinstance(value, str) and labels_equal(value, target) else 0.0
    if isinstance(value, str) or isinstance(target, str):
        return 0.0
    if isinstance(value, _SCALARS) and isinstance(target, _SCALARS):
        return 1.0 if scalar_close(part, value, target) else 0.0
    if shape_of(value) != shape_of(target):
        return 0.0
    ok = entries_close(part, value, target)
    return float(ok.mean()) if ok.size else 1.0


def grade_part(part: Part, truth: Any, given: Any, mistakes: dict[str, Mistake] | None = None) -> PartResult:
    """Grade one part. ``given`` is submitted text or an already-parsed value."""
    text = given if isinstance(given, str) else _short(given)
    try:
        value = _to_value(part, given)
    except ParseError as e:
        return PartResult(part.name, 0.0, "invalid", f"could not read the answer: {e}", None, text[:200])
    if part.kind in ("integer", "real") and isinstance(value, list):
        return PartResult(part.name, 0.0, "wrong", "expected a single number, not a list", None, text[:200])
    if part.kind in ("integer", "real") and isinstance(value, str):
        return PartResult(part.name, 0.0, "invalid", f"expected a number, got {value!r}", None, text[:200])
    want = _expected_shape(part, truth)
    if part.kind in ("vector", "matrix"):
        if not isinstance(value, list):
            value = [value]
        got = shape_of(value)
        if got != want:
            fb = f"expected shape {_fmt_shape(want)}, got {_fmt_shape(got)}"
            for name, m in (mistakes or {}).items():  # a mistake may change the shape (padding forgotten)
                if part.name in m.answers and matches(part, value, m.answers[part.name]) >= 1.0:
                    return PartResult(part.name, 0.0, "wrong", f"{to_text(m.feedback)} ({fb})", name, text[:200])
            return PartResult(part.name, 0.0, "wrong", fb, None, text[:200])
    frac = matches(part, value, truth)
    if frac >= 1.0:
        return PartResult(part.name, 1.0, "right", "", None, text[:200])
    for name, m in (mistakes or {}).items():
        if part.name in m.answers and matches(part, value, m.answers[part.name]) >= 1.0:
            return PartResult(part.name, 0.0, "wrong", to_text(m.feedback), name, text[:200])
    if part.kind not in ("label", "choice") and frac == 0:  # some entries right: partial credit, below
        d = coarser_match(part, value, truth)
        if d is not None:
            mode, _, _, digits = part.comparison
            unit = "significant figures" if mode == "sigfig" else "decimal places"
            fb = f"insufficient precision: your answer is rounded to {d} {unit}; give {digits} {unit}"
            return PartResult(part.name, 0.0, "wrong", fb, None, text[:200])
    if part.partial and part.kind in ("vector", "matrix") and frac > 0:
        n = int(np.asarray(truth, dtype=float).size)
        k = round(frac * n)
        right = f"{k} of {n} entries {'is' if k == 1 else 'are'} right"
        return PartResult(part.name, frac, "partial", right, None, text[:200])
    return PartResult(part.name, 0.0, "wrong", "", None, text[:200])


def grade_answers(problem: ProblemType, truth: dict[str, Any], answers: dict[str, Any],
                  mistakes: dict[str, Mistake] | None = None) -> GradeResult:
    """Grade the given parts (text or values) against ``truth``; the score is their weighted mean."""
    results = []
    total_w = 0.0
    got = 0.0
    for name, given in answers.items():
        part = problem.part(name)
        if name not in truth:
            from examprep.errors import PartError

            asked = ", ".join(truth)
            raise PartError(f"this instance of {problem.id} does not ask for {name!r}; it asks for: {asked}")
        r = grade_part(part, truth[name], given, mistakes)
        results.append(r)
        total_w += part.weight
        got += part.weight * r.score
    return GradeResult(got / total_w if total_w else 0.0, results)


def _short(v: Any) -> str:
    from examprep.solver.render import value_text

    return value_text(v)


def _fmt_shape(s: tuple[int, ...]) -> str:
    if not s:
        return "a single number"
    from examprep.words import plural

    return "×".join(str(x) for x in s) if len(s) > 1 else plural(s[0], "entry")
