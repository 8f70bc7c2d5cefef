"""Batch grading of a class's submissions: a streaming reader, per-row grading with a key cache, aggregation.

A submissions file is CSV (columns ``student``, ``code``, ``part``, ``answer``; extra columns are kept) or JSON
lines with the same fields, UTF-8 with or without a byte-order mark. The key of every answer is regenerated from its
instance code, so no answer-key file is needed. The file is read one row at a time and never held in memory: what
grows is only the gradebook, one small record per (student, code, part).

Rules (the README's "Grading" section says the same):

- Every row either gets a verdict or is *reported* with its line number and the reason (unknown or malformed
  instance code, unknown part, missing field, malformed CSV/JSON, text that is not UTF-8). An answer that cannot be
  read gets the verdict ``invalid``, scores 0 *and* is reported, so a typo costs the student that part and the
  instructor sees it.
- Repeated (student, code, part): policy ``last`` (default) keeps the last row in the file, ``first`` the first,
  ``best`` the highest-scoring one (the earliest among equals). The others count as superseded.
- Points: each instance code a student answered is one question worth the sum of the weights of its problem's
  *final* parts; a final part earns weight × score (partial credit for vectors and matrices), unanswered final parts
  earn 0. Intermediate parts are graded and shown, but earn no points. Percent = 100 × points / possible.
- Class summary per problem type, over the answers kept by the policy (final and intermediate parts): the share of
  right answers and the share that matches each named mistake.
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from examprep.errors import ExamprepError, PartError
from examprep.grader.options import DEFAULT, GradeOptions
from examprep.grader.score import VERDICTS, PartResult, grade_part
from examprep.grader.submissions import Row, RowIssue, SubmissionsFileError, read_submissions

__all__ = ["POLICIES", "Gradebook", "KeyCache", "Row", "RowIssue", "SubmissionsFileError", "answer_key",
           "grade_file", "grade_one", "read_submissions"]

POLICIES = ("last", "best", "first")
_MEMO_PER_KEY = 64


# ---- keys ----------------------------------------------------------------------------------------------------------
@dataclass
class Key:
    """Everything needed to grade answers to one instance code."""

    code: str
    problem: Any
    truth: dict[str, Any]
    mistakes: dict[str, Any]
    memo: dict[tuple[str, str], Any] = field(default_factory=dict)


class KeyCache:
    """An LRU of answer keys by instance code (many rows share a code); failures are cached too."""

    def __init__(self, size: int = 8192) -> None:
        self.size = size
        self._keys: OrderedDict[str, Key | str] = OrderedDict()

    def get(self, code: str) -> Key | str:
        """The key for ``code``, or the reason it has none."""
        hit = self._keys.get(code)
        if hit is not None:
            self._keys.move_to_end(code)
            return hit
        value = self._build(code)
        self._keys[code] = value
        if len(self._keys) > self.size:
            self._keys.popitem(last=False)
        return value

    @staticmethod
    def _build(code: str) -> Key | str:
        from examprep.instances import from_code
        from examprep.registry import make

        try:
            inst = from_code(code)
            pt = make(inst.problem_id)
            return Key(inst.code or code, pt, pt.solve(inst.params), pt.mistakes(inst.params))
        except ExamprepError as e:
            return f"unknown or malformed instance code: {e}"
        except Exception as e:  # a bug in one problem type must not stop a whole class's grading
            return f"the instance code could not be regenerated ({type(e).__name__}: {e}); report this as a bug"


def grade_one(key: Key, part_name: str, answer: str, options: GradeOptions = DEFAULT) -> PartResult:
    """Grade one answer text against a key. Unknown parts raise PartError.

    Right answers and named mistakes are remembered per key (a class types the same few answers), up to a bound so
    that memory stays flat however many attempts the file holds.
    """
    hit = key.memo.get((part_name, answer))
    if hit is not None:
        return hit
    part = key.problem.part(part_name)
    if part.name not in key.truth:
        asked = ", ".join(key.truth)
        raise PartError(f"this instance of {key.problem.id} does not ask for {part.name!r}; it asks for: {asked}")
    try:
        result = grade_part(part, key.truth[part.name], answer, key.mistakes, options)
    except Exception as e:  # grade_part is meant to be total; never let one answer stop the batch
        result = PartResult(part.name, 0.0, "invalid", f"could not read the answer ({type(e).__name__})", None,
                            answer[:200])
    if (result.verdict == "right" or result.mistake) and len(key.memo) < _MEMO_PER_KEY:
        key.memo[(part_name, answer)] = result
    return result


# ---- aggregation -----------------------------------------------------------------------------------------------
@dataclass(slots=True)
class Graded:
    """The kept verdict on one (student, code, part)."""

    line: int
    score: float
    verdict: str
    mistake: str | None
    feedback: str
    given: str
    extra: tuple[tuple[str, str], ...]


def _slot(rec: tuple[Any, ...]) -> tuple[Any, ...]:
    return rec[:4]  # (student, code, part, line): unique per record


class Gradebook:
    """Grades rows as they are read and spills one record per graded row to an external sort, so memory stays flat
    in the number of students; :meth:`stream` then walks the class student by student (see
    :mod:`examprep.grader.assemble`) and :meth:`report` builds the whole report as a JSON-ready dict.

    ``max_attempts`` bounds the rows graded per (student, code, part): later ones are reported. ``assigned`` maps a
    student to the codes they were given: other codes are reported, not graded.
    """

    def __init__(self, policy: str = "last", cache_size: int = 8192, max_attempts: int | None = None,
                 assigned: dict[str, frozenset[str]] | None = None, options: GradeOptions = DEFAULT) -> None:
        self.options = options
        if policy not in POLICIES:
            raise SubmissionsFileError(f"--policy {policy!r}: use one of {', '.join(POLICIES)}")
        if max_attempts is not None and max_attempts < 1:
            raise SubmissionsFileError(f"--max-attempts {max_attempts}: use a whole number of at least 1")
        from examprep.grader.spill import ExternalSort

        self.policy = policy
        self.max_attempts = max_attempts
        self.assigned = assigned
        self.cache = KeyCache(cache_size)
        self.records = ExternalSort(key=_slot)  # (student, code, part, line, problem, score, verdict, ...)
        self.issues = ExternalSort()  # (line, reason, student, code, part)
        self.extra_columns: dict[str, None] = {}
        self.counts = {"read": 0, "graded": 0, "invalid": 0, "rejected": 0, "superseded": 0}

    def add(self, item: Row | RowIssue) -> None:
        """Grade one row (or record why it cannot be graded)."""
        self.counts["read"] += 1
        if isinstance(item, RowIssue):
            self._reject(item)
            return
        key = self.cache.get(item.code)
        if isinstance(key, str):
            self._reject(RowIssue(item.line, key, item.student, item.code, item.part))
            return
        if self.assigned is not None and key.code not in self.assigned.get(item.student, ()):
            self._reject(RowIssue(item.line, "not assigned to this student (the --assigned key does not give them "
                                             "this code); not graded", item.student, item.code, item.part))
            return
        try:
            r = grade_one(key, item.part, item.answer, self.options)
        except PartError as e:
            self._reject(RowIssue(item.line, f"unknown part: {e}", item.student, item.code, item.part))
            return
        self.counts["graded"] += 1
        if r.verdict == "invalid":
            self.counts["invalid"] += 1
            why = r.feedback.removeprefix("could not read the answer: ")
            self._report(RowIssue(item.line, f"unparseable answer, graded invalid (0 points): {why}", item.student,
                                  item.code, item.part))
        for k, _ in item.extra:
            if k not in self.extra_columns:
                self.extra_columns[k] = None
        # a part in a carried-forward chain keeps its whole text, so it can be re-read when the report is assembled
        given = item.answer if r.name in _inputs(key.problem) and r.verdict != "invalid" else r.given
        self.records.add((item.student, key.code, r.name, item.line, key.problem.id, r.score, r.verdict, r.mistake,
                          r.feedback, given, item.extra))

    def _reject(self, issue: RowIssue) -> None:
        self.counts["rejected"] += 1
        if issue.student.strip():  # the student is listed (with 0 of 0 if nothing of theirs is graded)
            self.records.add((issue.student.strip(), "", "", issue.line, "", 0.0, "", None, "", "", ()))
        self._report(issue)

    def _report(self, issue: RowIssue) -> None:
        self._report_issue(issue.line, issue.reason, issue.student, issue.code, issue.part)

    def _report_issue(self, line: int, reason: str, student: str, code: str, part: str) -> None:
        self.issues.add((line, sys.intern(reason), student, code, part))

    def add_all(self, rows: Iterable[Row | RowIssue]) -> Gradebook:
        for row in rows:
            self.add(row)
        return self

    @property
    def exit_code(self) -> int:
        """0 when every row was graded, 3 when some rows were reported (known once the class was walked)."""
        return 3 if self.issues.n else 0

    def stream(self) -> Any:
        """The class, student by student, in one pass (a :class:`examprep.grader.assemble.ClassStream`)."""
        from examprep.grader.assemble import ClassStream

        return ClassStream(self)

    def report(self) -> dict[str, Any]:
        """The whole report as plain, JSON-ready data, sorted, with nothing that varies between runs (held in
        memory: the CSV and JSON writers stream from :meth:`stream` instead)."""
        return self.stream().materialise()


def _inputs(pt: Any) -> frozenset[str]:
    """The parts of ``pt`` that take part in error carried forward: derived parts and what they are computed from
    (cached per problem type)."""
    hit = _INPUTS.get(pt.id)
    if hit is None:
        names = {u for p in pt.parts for u in p.uses} | {p.name for p in pt.parts if p.uses}
        hit = _INPUTS[pt.id] = frozenset(names) if pt.carries_forward else frozenset()
    return hit


_INPUTS: dict[str, frozenset[str]] = {}


def _carried(cache: KeyCache, pt: Any, code: str, answered: dict[str, Graded],
             options: GradeOptions) -> dict[str, Graded]:
    """One student's answers to one instance with error carried forward applied (examprep.grader.carried)."""
    if not pt.carries_forward or not any(pt.part(n).uses and g.verdict not in ("right", "invalid")
                                         for n, g in answered.items()):
        return answered
    from examprep.grader.carried import carry_forward
    from examprep.grader.score import PartResult
    from examprep.instances import from_code

    key = cache.get(code)
    if isinstance(key, str):
        return answered
    results = {n: PartResult(n, g.score, g.verdict, g.feedback, g.mistake, g.given) for n, g in answered.items()}
    new = carry_forward(pt, from_code(code).params, key.truth, {n: g.given for n, g in answered.items()}, results,
                        options)
    out = dict(answered)
    for n, r in new.items():
        g = answered[n]
        out[n] = Graded(g.line, r.score, r.verdict, None, r.feedback, g.given, g.extra)
    return out


def _num(x: float) -> float:
    """Points without float noise (0.30000000000000004 -> 0.3); ints stay ints in JSON."""
    r = round(x, 6)
    return int(r) if r == int(r) else r


def _question(pt: Any, asked: tuple[Any, ...], code: str, answered: dict[str, Graded]) -> dict[str, Any]:
    parts, points, possible = [], 0.0, 0.0
    for p in asked:
        g = answered.get(p.name)
        if p.final:
            possible += p.weight
            points += p.weight * g.score if g else 0.0
        if g is None and not p.final:
            continue
        parts.append({"part": p.name, "label": p.label, "final": p.final, "weight": p.weight,
                      "verdict": g.verdict if g else "unanswered", "score": g.score if g else 0.0,
                      "mistake": g.mistake if g else None, "feedback": g.feedback if g else "",
                      "answer": g.given if g else "", "line": g.line if g else None,
                      "extra": dict(g.extra) if g else {}})
    return {"code": code, "problem": pt.id, "points": _num(points), "possible": _num(possible), "parts": parts}


def _new_tally(pt: Any) -> dict[str, Any]:
    return {"problem": pt.id, "title": pt.title, "answers": 0, **dict.fromkeys(VERDICTS, 0),
            "mistakes": {}, "feedback": {}, "parts": {p.name: [0, 0] for p in pt.parts}}


def _count(t: dict[str, Any], pt: Any, answered: dict[str, Graded]) -> None:
    for name, g in answered.items():
        t["answers"] += 1
        t[g.verdict] += 1
        t["parts"][name][0] += 1
        t["parts"][name][1] += g.verdict == "right"
        if g.mistake:
            t["mistakes"][g.mistake] = t["mistakes"].get(g.mistake, 0) + 1
            t["feedback"].setdefault(g.mistake, g.feedback)


def _summary(t: dict[str, Any]) -> dict[str, Any]:
    n = t["answers"]
    mistakes = sorted(t["mistakes"].items(), key=lambda kv: (-kv[1], kv[0]))
    return {"problem": t["problem"], "title": t["title"], "answers": n,
            **{v: t[v] for v in VERDICTS},
            "share_right": t["right"] / n if n else 0.0,
            "mistakes": [{"mistake": m, "count": c, "share": c / n, "feedback": t["feedback"][m]} for m, c in mistakes],
            "parts": [{"part": p, "answers": a, "right": r, "share_right": r / a if a else 0.0}
                      for p, (a, r) in t["parts"].items() if a]}


def grade_file(path: str | Path, policy: str = "last", cache_size: int = 8192, max_attempts: int | None = None,
               assigned: dict[str, frozenset[str]] | None = None, options: GradeOptions = DEFAULT) -> Gradebook:
    """Read and grade a whole submissions file (streamed)."""
    return Gradebook(policy, cache_size, max_attempts, assigned, options).add_all(read_submissions(path))


def answer_key(code: str, tolerance: str = "fair") -> dict[str, Any]:
    """The answer key of one instance code: every part (final and intermediate) with its value and form."""
    from examprep.golden import jsonable
    from examprep.instances import from_code
    from examprep.registry import make
    from examprep.solver.render import value_text

    inst = from_code(code)
    pt = make(inst.problem_id)
    truth = pt.solve(inst.params)
    parts = [{"part": p.name, "label": p.label, "kind": p.kind, "final": p.final, "weight": p.weight,
              "form": p.form(tolerance), "value": jsonable(truth[p.name]), "text": value_text(truth[p.name])}
             for p in pt.active_parts(inst.params)]
    return {"code": inst.code, "id": pt.id, "title": pt.title, "seed": inst.seed, "difficulty": inst.difficulty,
            "parts": parts}
