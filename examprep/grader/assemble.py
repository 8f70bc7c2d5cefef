"""Walking a graded class student by student, in one pass over the gradebook's externally sorted records.

Per (student, code, part) the rows come together, in file order: ``--max-attempts`` reports the rows past the
limit, the policy keeps one row and the rest count as superseded; per student the questions and totals are built and
the class tally grows. Only one student is held at a time, so memory is flat in the size of the class; the few
things the terminal shows (the first students and reported rows) are kept as they pass.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from itertools import groupby, islice
from operator import itemgetter
from typing import Any

from examprep.grader.batch import Gradebook, Graded, _carried, _count, _new_tally, _num, _question, _summary
from examprep.grader.spill import ExternalSort

HEAD_STUDENTS, HEAD_REPORTED = 50, 20


@functools.lru_cache(maxsize=4096)
def _asked(code: str) -> tuple[Any, tuple[Any, ...]]:
    from examprep.instances import from_code
    from examprep.registry import make

    inst = from_code(code)
    pt = make(inst.problem_id)
    return pt, pt.active_parts(inst.params)


class ClassStream:
    """One pass over a gradebook: :meth:`students` first, then :meth:`summary`, :meth:`rows`, :meth:`reported`."""

    def __init__(self, book: Gradebook) -> None:
        self.book = book
        self.policy = book.policy
        self.extra_columns = sorted(book.extra_columns)
        self.counts = dict(book.counts)
        self.tally: dict[str, dict[str, Any]] = {}
        self.head: list[dict[str, Any]] = []
        self.n_students = 0
        self.reported_head: list[dict[str, Any]] = []
        self._pairs = ExternalSort() if book.assigned is None else None  # (code, student) per question
        self._students_done = self._reported_done = False

    # ---- students ----------------------------------------------------------------------------------------------
    def students(self) -> Iterator[dict[str, Any]]:
        """Each student's totals and questions, sorted by student."""
        for student, recs in groupby(self.book.records, key=itemgetter(0)):
            s = self._student(student, recs)
            self.n_students += 1
            if len(self.head) < HEAD_STUDENTS:
                self.head.append(s)
            yield s
        self._students_done = True

    def _finish_students(self) -> None:
        if not self._students_done:
            for _ in self.students():
                pass

    def _student(self, student: str, recs: Iterator[tuple[Any, ...]]) -> dict[str, Any]:
        questions, points, possible = [], 0.0, 0.0
        for code, crecs in groupby(recs, key=itemgetter(1)):
            if not code:
                continue  # the student's reported rows: they are listed, with nothing graded
            answered = {part: self._kept(list(precs)) for part, precs in groupby(crecs, key=itemgetter(2))}
            answered = {k: v for k, v in answered.items() if v is not None}
            pt, asked = _asked(code)
            answered = _carried(self.book.cache, pt, code, answered, self.book.options)  # error carried forward
            q = _question(pt, asked, code, answered)
            questions.append(q)
            points += q["points"]
            possible += q["possible"]
            _count(self.tally.setdefault(pt.id, _new_tally(pt)), pt, answered)
            if self._pairs is not None:
                self._pairs.add((code, student))
        return {"student": student, "points": _num(points), "possible": _num(possible),
                "percent": round(100 * points / possible, 2) if possible else None, "questions": questions}

    def _kept(self, recs: list[tuple[Any, ...]]) -> Graded | None:
        """The row the policy keeps among one (student, code, part)'s rows (in file order)."""
        limit = self.book.max_attempts
        if limit is not None and len(recs) > limit:
            for n, r in enumerate(recs[limit:], limit + 1):
                self.counts["graded"] -= 1
                self.counts["invalid"] -= r[6] == "invalid"
                self.counts["rejected"] += 1
                self.book._report_issue(r[3], f"attempt {n} at this part, past --max-attempts {limit}; not graded",
                                        r[0], r[1], r[2])
            recs = recs[:limit]
        if not recs:
            return None
        self.counts["superseded"] += len(recs) - 1
        if self.policy == "last":
            r = recs[-1]
        elif self.policy == "first":
            r = recs[0]
        else:
            r = max(recs, key=lambda x: (x[5], -x[3]))  # the highest score, the earliest among equals
        return Graded(r[3], r[5], r[6], r[7], r[8], r[9], r[10])

    # ---- after the students ------------------------------------------------------------------------------------
    def summary(self) -> list[dict[str, Any]]:
        """The class summary per problem type."""
        self._finish_students()
        return [_summary(t) for _, t in sorted(self.tally.items())]

    def rows(self) -> dict[str, int]:
        """Row counts: read, graded, invalid, rejected, superseded, reported."""
        self._finish_students()
        return {**self.counts, "reported": self.book.issues.n}

    def reported(self) -> Iterator[dict[str, Any]]:
        """The reported rows, by line."""
        self._finish_students()
        for line, reason, student, code, part in self.book.issues:
            r = {"line": line, "reason": reason, "student": student, "code": code, "part": part}
            if len(self.reported_head) < HEAD_REPORTED:
                self.reported_head.append(r)
            yield r
        self._reported_done = True

    def unshared_warning(self) -> str | None:
        """A one-line warning when, in a class that shares codes, some students answered codes no one else did."""
        self._finish_students()
        if self._pairs is None:
            return None
        shared, lonely, example = False, 0, None
        for code, group in groupby(self._pairs, key=itemgetter(0)):
            who = [s for _, s in islice(group, 2)]
            if len(who) > 1:
                shared = True
            else:
                lonely += 1
                example = example or (who[0], code)
        if not shared or not lonely or example is None:
            return None
        return (f"warning: {lonely} code(s) were answered by one student only (e.g. {example[0][:40]!r}: "
                f"{example[1]}); if they were not on that student's sheet, grade with --assigned KEY.csv")

    def overview(self) -> dict[str, Any]:
        """What the terminal summary shows: counts, the class summary, the first students and reported rows."""
        self._finish_students()
        if not self._reported_done:
            for _ in self.reported():
                pass
        return {"policy": self.policy, "rows": self.rows(), "summary": self.summary(), "students": self.head,
                "n_students": self.n_students, "reported": self.reported_head, "n_reported": self.book.issues.n}

    def materialise(self) -> dict[str, Any]:
        """The whole report as one dict (held in memory)."""
        students = list(self.students())
        return {"policy": self.policy, "rows": self.rows(), "extra_columns": self.extra_columns,
                "grading": self.grading(), "students": students, "summary": self.summary(),
                "reported": list(self.reported())}

    def grading(self) -> dict[str, Any]:
        """The grading options the report was made with (tolerance policy and the two credits)."""
        o = self.book.options
        return {"tolerance": o.tolerance, "imprecise_credit": o.imprecise_credit, "ecf_credit": o.ecf_credit}
