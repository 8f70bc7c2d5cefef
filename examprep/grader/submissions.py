"""Streaming reader of submissions files: CSV (Excel-style, comma, semicolon or tab) or JSON lines, UTF-8 with or
without a byte-order mark. One row at a time: the file is never held in memory.

A CSV needs a header naming the columns ``student``, ``code``, ``part`` and ``answer`` (any order, any case); other
columns are kept as extras. A JSON-lines file has one object per line with the same fields. Each record yields a
:class:`Row`, or a :class:`RowIssue` with its line number and the reason it cannot be graded.
"""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from examprep.errors import ExamprepError

REQUIRED = ("student", "code", "part", "answer")
_BOM = b"\xef\xbb\xbf"


class SubmissionsFileError(ExamprepError):
    """The submissions file as a whole cannot be read (missing, empty, no header, wrong encoding)."""


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


class _Lines:
    """Decoded lines of a binary stream, counting lines and remembering which were not valid UTF-8."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.n = 0
        self.bad: set[int] = set()

    def __iter__(self) -> Iterator[str]:
        for raw in self.stream:
            self.n += 1
            if self.n == 1 and raw.startswith(_BOM):
                raw = raw[len(_BOM):]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                self.bad.add(self.n)
                yield raw.decode("utf-8", "replace")


def _text(v: Any) -> str:
    return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, sort_keys=True)


def _make_row(line: int, fields: dict[str, Any], extra: tuple[tuple[str, str], ...]) -> Row | RowIssue:
    student, code, part, answer = fields.get("student"), fields.get("code"), fields.get("part"), fields.get("answer")
    if (type(student) is str and type(code) is str and type(part) is str and type(answer) is str
            and student.strip() and code.strip() and part.strip()):  # the common case, fast
        return Row(line, student.strip(), code.strip(), part.strip(), answer, extra)
    if isinstance(student, int) and not isinstance(student, bool):
        student = str(student)
    who = dict(student=student if isinstance(student, str) else "", code=code if isinstance(code, str) else "",
               part=part if isinstance(part, str) else "")
    for name, v in (("student", student), ("code", code), ("part", part)):
        if v is None or (isinstance(v, str) and not v.strip()):
            return RowIssue(line, f"missing field {name!r}", **who)
        if not isinstance(v, str):
            return RowIssue(line, f"field {name!r} must be text, got {_text(v)[:40]}", **who)
    if answer is None:
        return RowIssue(line, "missing field 'answer'", **who)
    return Row(line, student.strip(), code.strip(), part.strip(), _text(answer), extra)


def _pick_delimiter(header: str) -> tuple[str, list[str]]:
    for d in (",", ";", "\t"):
        names = [h.strip().lower() for h in next(csv.reader([header], delimiter=d))]
        if all(r in names for r in REQUIRED):
            return d, names
    found = ", ".join(repr(h.strip()) for h in next(csv.reader([header])))
    raise SubmissionsFileError(f"the first line must name the columns student, code, part, answer (found {found}); "
                               "add a header row like 'student,code,part,answer'")


def _read_csv(lines: _Lines, it: Iterator[str], first: str) -> Iterator[Row | RowIssue]:
    delimiter, names = _pick_delimiter(first)
    names = [h or f"column{i + 1}" for i, h in enumerate(names)]
    dupes = sorted({h for h in names if names.count(h) > 1})
    if dupes:
        raise SubmissionsFileError(f"the header names column(s) {', '.join(dupes)} twice; rename one")
    reader = csv.reader(it, delimiter=delimiter)
    extras = [(i, h) for i, h in enumerate(names) if h not in REQUIRED]
    while True:
        start = lines.n + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            yield RowIssue(start, f"malformed CSV: {e}")
            continue
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue
        if any(n in lines.bad for n in range(start, lines.n + 1)):
            yield RowIssue(start, "the line is not valid UTF-8 text; save the file as 'CSV UTF-8'")
            continue
        got = dict(zip(names, fields, strict=False))
        if len(fields) > len(names) and any(x.strip() for x in fields[len(names):]):
            who = {k: got.get(k) or "" for k in ("student", "code", "part")}
            yield RowIssue(start, f"the row has {len(fields)} fields but the header has {len(names)}; put answers "
                                  'that contain commas or semicolons in double quotes, e.g. "[1, 2]"', **who)
            continue
        yield _make_row(start, got, tuple((h, fields[i]) for i, h in extras if i < len(fields)))


def _read_jsonl(lines: _Lines, it: Iterator[str]) -> Iterator[Row | RowIssue]:
    for text in it:
        n = lines.n
        if not text.strip():
            continue
        if n in lines.bad:
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
        fields = {str(k).strip().lower(): v for k, v in obj.items()}
        extra = tuple(sorted((k, _text(v)) for k, v in fields.items() if k not in REQUIRED))
        yield _make_row(n, fields, extra)


def read_submissions(path: str | Path) -> Iterator[Row | RowIssue]:
    """Stream the rows of a CSV or JSON-lines submissions file (the format is recognised from its content).

    Raises:
        SubmissionsFileError: when the file as a whole cannot be read.
    """
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed by the generator's finally
    except OSError as e:
        raise SubmissionsFileError(f"cannot read {str(path)!r}: {e.strerror or e}") from None
    with stream:
        head = stream.read(4)
        if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
            raise SubmissionsFileError(f"{path} is UTF-16 text; save it as 'CSV UTF-8' (or UTF-8 JSON lines)")
        stream.seek(0)
        lines = _Lines(stream)
        it = iter(lines)
        first = next((t for t in it if t.strip()), None)
        if first is None:
            raise SubmissionsFileError(f"{path} is empty; it needs a header line and one row per answer")
        if lines.n in lines.bad:
            raise SubmissionsFileError(f"the first line of {path} is not UTF-8 text; save the file as 'CSV UTF-8'")
        start = first.lstrip()
        if start.startswith("["):
            raise SubmissionsFileError(f"{path} holds a JSON array; write JSON lines (one object per line) instead")
        if start.startswith("{"):
            yield from _read_jsonl(lines, itertools.chain([first], it))
        else:
            yield from _read_csv(lines, it, first)
