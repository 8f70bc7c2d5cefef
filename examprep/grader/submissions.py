"""Streaming reader of submissions: CSV (Excel-style, comma, semicolon or tab) or JSON lines, UTF-8 with or without
a byte-order mark, from a file, ``-`` (standard input), a pipe or a FIFO. One record at a time: the input is never
held in memory, and lines and fields are capped while they are read.

A CSV needs a header naming the columns ``student``, ``code``, ``part`` and ``answer`` (any order, any case); other
columns are kept as extras. A JSON-lines file has one object per line with the same fields. Each record yields a
:class:`Row`, or a :class:`RowIssue` with its line number and the reason it cannot be graded. Every physical line is
accounted for: a quote that is never closed is reported with the lines it swallowed, and reading resumes at the
next line that parses as a row.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from examprep.grader.lines import MAX_LINE, Lines, SubmissionsFileError, open_input

__all__ = ["MAX_COLUMNS", "MAX_FIELD", "MAX_LINE", "MAX_QUOTED_LINES", "REQUIRED", "Row", "RowIssue",
           "SubmissionsFileError", "read_submissions"]

REQUIRED = ("student", "code", "part", "answer")
MAX_FIELD = 1 << 16  # characters in one field (an answer)
MAX_COLUMNS = 1000  # columns in a CSV header
MAX_QUOTED_LINES = 200  # physical lines one quoted CSV field may span
_TOO_LONG = f"the line is longer than {MAX_LINE:,} characters; not read"


@dataclass(frozen=True, slots=True)
class Row:
    """One submitted answer, as read from the file (``line`` is where its record starts)."""

    line: int
    student: str
    code: str
    part: str
    answer: str
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class RowIssue:
    """A row that could not be graded (or whose answer could not be read), with the reason."""

    line: int
    reason: str
    student: str = ""
    code: str = ""
    part: str = ""


def _text(v: Any) -> str:
    return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, sort_keys=True)


def _make_row(line: int, fields: dict[str, Any], extra: tuple[tuple[str, str], ...]) -> Row | RowIssue:
    student, code, part, answer = fields.get("student"), fields.get("code"), fields.get("part"), fields.get("answer")
    if (type(student) is str and type(code) is str and type(part) is str and type(answer) is str
            and student.strip() and code.strip() and part.strip() and len(answer) <= MAX_FIELD):  # the common case
        return Row(line, student.strip(), code.strip(), part.strip(), answer, extra)
    if isinstance(student, int) and not isinstance(student, bool):
        student = str(student)
    who = {k: v[:200] if isinstance(v, str) else "" for k, v in (("student", student), ("code", code),
                                                                  ("part", part))}
    for name, v in (("student", student), ("code", code), ("part", part)):
        if v is None or (isinstance(v, str) and not v.strip()):
            return RowIssue(line, f"missing field {name!r}", **who)
        if not isinstance(v, str):
            return RowIssue(line, f"field {name!r} must be text, got {_text(v)[:40]}", **who)
    if answer is None:
        return RowIssue(line, "missing field 'answer'", **who)
    answer = _text(answer)
    if len(answer) > MAX_FIELD:
        return RowIssue(line, f"the answer is longer than {MAX_FIELD:,} characters; not graded", **who)
    return Row(line, student.strip(), code.strip(), part.strip(), answer, extra)


# ---- CSV -----------------------------------------------------------------------------------------------------------
def _parse(text: str, d: str) -> list[str] | None:
    """The fields of one CSV record (its line ending is dropped), or None when it ends inside a quoted field."""
    if '"' not in text:
        return text.rstrip("\r\n").split(d)
    try:
        return next(csv.reader([text], delimiter=d, strict=True), [])
    except csv.Error as e:
        if "unexpected end of data" in str(e):
            return None
        return next(csv.reader([text], delimiter=d), [])


def _header(text: str | None) -> tuple[str, list[str]]:
    if text is None:
        raise SubmissionsFileError(f"the first line is longer than {MAX_LINE:,} characters; it must be a header "
                                   "like 'student,code,part,answer'")
    if not Lines.is_utf8(text):
        raise SubmissionsFileError("the first line is not UTF-8 text; save the file as 'CSV UTF-8'")
    for d in (",", ";", "\t"):
        names = [h.strip().lower() for h in _parse(text, d) or []]
        if all(r in names for r in REQUIRED):
            break
    else:
        found = [h.strip() for h in _parse(text, ",") or [text]]
        shown = ", ".join(repr(h[:40]) for h in found[:8]) + (f", … ({len(found)} columns)" if len(found) > 8 else "")
        raise SubmissionsFileError(f"the first line must name the columns student, code, part, answer (found "
                                   f"{shown}); add a header row like 'student,code,part,answer'")
    if len(names) > MAX_COLUMNS:
        raise SubmissionsFileError(f"the header has {len(names):,} columns; at most {MAX_COLUMNS:,} are read")
    names = [h or f"column{i + 1}" for i, h in enumerate(names)]
    dupes = sorted(h for h, c in Counter(names).items() if c > 1)  # linear, whatever the width
    if dupes:
        raise SubmissionsFileError(f"the header names column(s) {', '.join(d[:40] for d in dupes[:5])} twice; "
                                   "rename one")
    return d, names


def _records(lines: Iterator[tuple[int, str | None]], d: str, is_row: Callable[[list[str]], bool],
             who: Callable[[str], dict[str, str]]) -> Iterator[tuple[int, list[str]] | RowIssue]:
    """CSV records as (first line, fields), or issues. A quoted field may span lines, but when a later line parses
    as a row on its own the quote is taken as never closed: the lines it swallowed are reported and reading resumes
    at that line."""
    back: tuple[int, str | None] | None = None
    while True:
        if back is not None:
            (n, text), back = back, None
        else:
            nxt = next(lines, None)
            if nxt is None:
                return
            n, text = nxt
        if text is None:
            yield RowIssue(n, _TOO_LONG)
            continue
        fields = _parse(text, d)
        if fields is not None:
            yield n, fields
            continue
        buf, size, last = [text], len(text), n
        for m, t in lines:
            if t is None or (fields := _parse(t, d)) is not None and is_row(fields):
                yield RowIssue(n, f"a quote opened on line {n} is never closed; lines {n}–{last} not graded"
                               if last > n else f"a quote opened on line {n} is never closed; line {n} not graded",
                               **who(text))
                back = (m, t)
                break
            buf.append(t)
            size += len(t)
            last = m
            if size > MAX_LINE or len(buf) > MAX_QUOTED_LINES:
                yield RowIssue(n, f"a quoted field opened on line {n} runs past {len(buf) - 1} line breaks or "
                                  f"{MAX_LINE:,} characters; lines {n}–{m} not graded", **who(text))
                break
            if '"' in t and (fields := _parse("".join(buf), d)) is not None:
                yield n, fields
                break
        else:
            yield RowIssue(n, f"a quote opened on line {n} is never closed; lines {n}–{last} (the end of the "
                              "file) not graded" if last > n else f"a quote opened on line {n} is never closed",
                           **who(text))


def _read_csv(lines: Iterator[tuple[int, str | None]], first: str | None) -> Iterator[Row | RowIssue]:
    delimiter, names = _header(first)
    width = len(names)
    at = {k: names.index(k) for k in REQUIRED}
    s, c, p = at["student"], at["code"], at["part"]

    def is_row(f: list[str]) -> bool:
        return len(f) == width and bool(f[s].strip() and f[c].strip() and f[p].strip())

    def who(text: str) -> dict[str, str]:  # the student, code and part of a line whose quote is never closed
        f = next(csv.reader([text.rstrip("\r\n")], delimiter=delimiter), [])
        return {k: Lines.printable(f[i].strip()[:200]) if i < len(f) - 1 else "" for k, i in
                (("student", s), ("code", c), ("part", p))}

    extras = [(i, h) for i, h in enumerate(names) if h not in REQUIRED]
    for rec in _records(lines, delimiter, is_row, who):
        if isinstance(rec, RowIssue):
            yield rec
            continue
        start, fields = rec
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue
        got = dict(zip(names, fields, strict=False))
        who = {k: (got.get(k) or "")[:200] for k in ("student", "code", "part")}
        if not Lines.is_utf8("".join(fields)):
            yield RowIssue(start, "the line is not valid UTF-8 text; save the file as 'CSV UTF-8'",
                           **{k: Lines.printable(v) for k, v in who.items()})
            continue
        if len(fields) > width and any(x.strip() for x in fields[width:]):
            yield RowIssue(start, f"the row has {len(fields)} fields but the header has {width}; put answers "
                                  'that contain commas or semicolons in double quotes, e.g. "[1, 2]"', **who)
            continue
        if max(map(len, fields)) > MAX_FIELD:
            yield RowIssue(start, f"a field is longer than {MAX_FIELD:,} characters; not graded", **who)
            continue
        yield _make_row(start, got, tuple((h, fields[i]) for i, h in extras if i < len(fields)))


# ---- JSON lines ----------------------------------------------------------------------------------------------------
def _read_jsonl(lines: Iterator[tuple[int, str | None]]) -> Iterator[Row | RowIssue]:
    for n, text in lines:
        if text is None:
            yield RowIssue(n, _TOO_LONG)
            continue
        if not text.strip():
            continue
        if not Lines.is_utf8(text):
            yield RowIssue(n, "the line is not valid UTF-8 text")
            continue
        try:
            obj = json.loads(text)
        except (ValueError, RecursionError) as e:
            yield RowIssue(n, f"not valid JSON: {getattr(e, 'msg', type(e).__name__)}")
            continue
        if not isinstance(obj, dict):
            yield RowIssue(n, 'each line must be one JSON object like {"student": ..., "code": ..., "part": ..., '
                              '"answer": ...}')
            continue
        fields: dict[str, Any] = {}
        clash = None
        for k, v in obj.items():
            name = str(k).strip().lower()
            if name in fields:
                clash = (name, k)
            fields[name] = v
        if clash is not None:
            yield RowIssue(n, f"two keys name the field {clash[0][:40]!r} (one is {clash[1][:40]!r}); rename one")
            continue
        extra = tuple(sorted((k, _text(v)) for k, v in fields.items() if k not in REQUIRED))
        yield _make_row(n, fields, extra)


def read_submissions(path: str | Path) -> Iterator[Row | RowIssue]:
    """Stream the rows of a CSV or JSON-lines submissions input (the format is recognised from its content);
    ``-`` reads standard input.

    Raises:
        SubmissionsFileError: when the input as a whole cannot be read.
    """
    stream = open_input(path)
    reader = Lines(stream)
    try:
        lines = iter(reader)
        first = next(((n, t) for n, t in lines if t is None or t.strip()), None)
        if first is None:
            raise SubmissionsFileError(f"{path} is empty; it needs a header line and one row per answer")
        start = (first[1] or "").lstrip()
        if start.startswith("["):
            raise SubmissionsFileError(f"{path} holds a JSON array; write JSON lines (one object per line) instead")
        if start.startswith("{"):
            yield from _read_jsonl(_chain(first, lines))
        else:
            yield from _read_csv(lines, first[1])
    finally:
        if str(path) == "-":
            reader.text.detach()  # leave standard input open
        else:
            reader.text.close()


def _chain(first: tuple[int, str | None], rest: Iterator[tuple[int, str | None]]) -> Iterator[tuple[int, str | None]]:
    yield first
    yield from rest
