"""Scoring: one part or a set of answers, with partial credit and mistake feedback."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from examprep.grader.compare import coarse_entries, entries_close, labels_equal, near_miss, scalar_close, shape_of
from examprep.grader.options import DEFAULT, GradeOptions
from examprep.grader.parse import ParseError, decimal_commas, parse_answer
from examprep.parts import Part
from examprep.solver.prose import to_text

if TYPE_CHECKING:
    from examprep.params import Params
    from examprep.problem import Mistake, ProblemType

VERDICTS = ("right", "imprecise", "carried", "partial", "wrong", "invalid")
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
    mistakes: tuple[str, ...] = ()  # every named mistake that gives this value, most common first
    read_as: str = ""  # how text with decimal commas was read ("0.694" for "0,694")

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
        return parse_answer(decimal_commas(given, part.kind)[0], kind=part.kind, percent=part.share, infinite=True)
    if isinstance(given, np.ndarray):
        return given.tolist()
    return given


def _expected_shape(part: Part, truth: Any) -> tuple[int, ...]:
    return shape_of(truth)


def matches(part: Part, value: Any, target: Any, policy: str = "fair") -> float:
    """Fraction of entries of ``value`` that match ``target`` under the tolerance policy (0 when shapes differ)."""
    if part.kind in ("label", "choice"):
        return 1.0 if isinstance(value, str) and labels_equal(value, target) else 0.0
    if isinstance(value, str) or isinstance(target, str):
        return 0.0
    if isinstance(value, _SCALARS) and isinstance(target, _SCALARS):
        return 1.0 if scalar_close(part, value, target, policy) else 0.0
    if shape_of(value) != shape_of(target):
        return 0.0
    ok = entries_close(part, value, target, policy=policy)
    return float(ok.mean()) if ok.size else 1.0


def named_mistakes(part: Part, value: Any, mistakes: dict[str, Mistake] | None, policy: str = "fair") -> list[str]:
    """Every named mistake whose value for ``part`` the answer matches, in the order the problem lists them (most
    common first); those matched within the strict tolerance come before those matched only within the fair one."""
    found = [name for name, m in (mistakes or {}).items()
             if part.name in m.answers and matches(part, value, m.answers[part.name], policy) >= 1.0]
    if policy == "strict" or len(found) < 2:
        return found
    exact = [n for n in found if matches(part, value, (mistakes or {})[n].answers[part.name], "strict") >= 1.0]
    return exact + [n for n in found if n not in exact]


def mistake_feedback(names: list[str], mistakes: dict[str, Mistake]) -> str:
    """One mistake's feedback, or all of them when several give the same value."""
    if len(names) == 1:
        return to_text(mistakes[names[0]].feedback)
    return " Or: ".join([f"Several mistakes give this value. {to_text(mistakes[names[0]].feedback)}",
                         *(to_text(mistakes[n].feedback) for n in names[1:])])


def band_policy(part: Part, truth: Any, mistakes: dict[str, Mistake] | None, policy: str) -> str:
    """``strict`` where a named mistake of this instance lies inside the fair band of ``part`` (an instance built
    from ``--set`` values, or an old version's): the policy never turns a named mistake into a right answer."""
    if policy != "fair":
        return policy
    for m in (mistakes or {}).values():
        v = m.answers.get(part.name)
        if v is not None and matches(part, v, truth, "fair") > matches(part, v, truth, "strict"):
            return "strict"
    return policy


def _entry_verdicts(part: Part, value: Any, truth: Any, policy: str) -> tuple[np.ndarray, np.ndarray]:
    """(right, imprecise) masks over the entries of a numeric answer of the right shape."""
    right = entries_close(part, value, truth, policy=policy)
    coarse, _ = coarse_entries(part, value, truth)
    return right, coarse & ~right


def grade_part(part: Part, truth: Any, given: Any, mistakes: dict[str, Mistake] | None = None,
               options: GradeOptions = DEFAULT) -> PartResult:
    """Grade one part. ``given`` is submitted text or an already-parsed value.

    Verdicts: right; *imprecise* (right, but rounded to fewer digits than asked: ``options.imprecise_credit`` of the
    part); partial (some entries of a vector or matrix); wrong (with the named mistakes it matches, or "close —
    check your rounding" within 1%); invalid (the text is not an answer).
    """
    if hasattr(truth, "grade_concept"):  # a concept item's key grades letters/text itself (examprep.concepts)
        return truth.grade_concept(part.name, given)
    r = _grade_part(part, truth, given, mistakes, options)
    if isinstance(given, str) and r.verdict != "invalid" and decimal_commas(given, part.kind)[1]:
        return replace(r, read_as=_short(_to_value(part, given)))
    return r


def _grade_part(part: Part, truth: Any, given: Any, mistakes: dict[str, Mistake] | None,
                options: GradeOptions) -> PartResult:
    text = given if isinstance(given, str) else _short(given)
    try:
        value = _to_value(part, given)
    except ParseError as e:
        return PartResult(part.name, 0.0, "invalid", f"could not read the answer: {e}", None, text[:200])
    if part.kind in ("integer", "real") and isinstance(value, list):
        return PartResult(part.name, 0.0, "wrong", "expected a single number, not a list", None, text[:200])
    if part.kind in ("integer", "real") and isinstance(value, str):
        return PartResult(part.name, 0.0, "invalid", f"expected a number, got {value!r}", None, text[:200])
    pol = options.tolerance
    want = _expected_shape(part, truth)
    if part.kind in ("vector", "matrix"):
        if not isinstance(value, list):
            value = [value]
        got = shape_of(value)
        if got != want:
            fb = f"expected shape {_fmt_shape(want)}, got {_fmt_shape(got)}"
            names = named_mistakes(part, value, mistakes, pol)  # a mistake may change the shape (padding forgotten)
            if names and mistakes:
                return PartResult(part.name, 0.0, "wrong", f"{mistake_feedback(names, mistakes)} ({fb})", names[0],
                                  text[:200], tuple(names))
            if isinstance(given, str) and re.search(r"\d,\d", given) and len(want) == 1 and len(got) == 1:
                fb += ("; in a vector the comma separates entries: write decimals with a point (0.694), or put "
                       "semicolons between entries ([0,694; 0,306])")
            return PartResult(part.name, 0.0, "wrong", fb, None, text[:200])
    frac = matches(part, value, truth, pol)
    if 0 < frac and mistakes and pol == "fair":
        pol = band_policy(part, truth, mistakes, pol)
        frac = matches(part, value, truth, pol) if pol != "fair" else frac
    if frac >= 1.0:
        return PartResult(part.name, 1.0, "right", "", None, text[:200])
    names = named_mistakes(part, value, mistakes, pol)
    if names and mistakes:
        return PartResult(part.name, 0.0, "wrong", mistake_feedback(names, mistakes), names[0], text[:200],
                          tuple(names))
    if part.kind in ("label", "choice"):
        return PartResult(part.name, 0.0, "wrong", "", None, text[:200])
    return _numeric_verdict(part, value, truth, pol, options, text[:200])


def _numeric_verdict(part: Part, value: Any, truth: Any, pol: str, options: GradeOptions, text: str) -> PartResult:
    """Right entries, imprecise entries (credited at ``imprecise_credit``), near misses and partial credit."""
    right, coarse = _entry_verdicts(part, value, truth, pol)
    n, k, c = right.size, int(right.sum()), int(coarse.sum())
    mode, _, _, digits = part.comparison
    unit = "significant figures" if mode == "sigfig" else "decimal places"
    if c and k + c == n:
        _, d = coarse_entries(part, value, truth)
        credit = (k + options.imprecise_credit * c) / n
        fb = f"right, but rounded to {d} {unit}; give {digits} {unit}"
        return PartResult(part.name, credit, "imprecise", fb, None, text)
    close = near_miss(np.asarray(value, dtype=float).ravel()[~(right | coarse)],
                      np.asarray(truth, dtype=float).ravel()[~(right | coarse)])
    hint = "close — check your rounding" if close else ""
    if part.partial and part.kind in ("vector", "matrix") and k + c > 0:
        credit = (k + options.imprecise_credit * c) / n
        fb = f"{k} of {n} entries {'is' if k == 1 else 'are'} right" + (
            f", {c} right but rounded to fewer {unit} than asked" if c else "")
        return PartResult(part.name, credit, "partial", fb + (f"; the others are {hint}" if close else ""), None, text)
    return PartResult(part.name, 0.0, "wrong", hint, None, text)


def parsed_value(part: Part, given: Any) -> Any:
    """The answer as a value of the part's kind, or None when it cannot be read."""
    try:
        v = _to_value(part, given)
    except ParseError:
        return None
    return [v] if part.kind in ("vector", "matrix") and not isinstance(v, list) else v


def grade_answers(problem: ProblemType, truth: dict[str, Any], answers: dict[str, Any],
                  mistakes: dict[str, Mistake] | None = None, options: GradeOptions = DEFAULT,
                  params: Params | None = None) -> GradeResult:
    """Grade the given parts (text or values) against ``truth``; the score is their weighted mean.

    With ``params``, derived parts are also marked against the values that follow from the student's own earlier
    answers (error carried forward, :mod:`examprep.grader.carried`).
    """
    results: dict[str, PartResult] = {}
    for name, given in answers.items():
        part = problem.part(name)
        if name not in truth:
            from examprep.errors import PartError

            asked = ", ".join(truth)
            raise PartError(f"this instance of {problem.id} does not ask for {name!r}; it asks for: {asked}")
        results[name] = grade_part(part, truth[name], given, mistakes, options)
    if params is not None and problem.carries_forward and any(problem.part(n).uses for n in results):
        from examprep.grader.carried import carry_forward

        results.update(carry_forward(problem, params, truth, answers, results, options))
    total_w = sum(problem.part(n).weight for n in results)
    got = sum(problem.part(n).weight * r.score for n, r in results.items())
    return GradeResult(got / total_w if total_w else 0.0, list(results.values()))


def _short(v: Any) -> str:
    from examprep.solver.render import value_text

    return value_text(v)


def _fmt_shape(s: tuple[int, ...]) -> str:
    if not s:
        return "a single number"
    from examprep.words import plural

    return "×".join(str(x) for x in s) if len(s) > 1 else plural(s[0], "entry")
