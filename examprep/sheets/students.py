"""Rosters, one variant per student, file names per student, and the answer key CSV that ``examprep grade`` reads.

A roster is read the way ``examprep grade`` reads a submissions file (it reuses that reader's line decoding): UTF-8
with or without a byte-order mark (Excel's "CSV UTF-8"), comma, semicolon or tab separated, any line ending, and a
header that names a ``student`` or ``id`` column (any case). Other columns are kept; a ``name`` column is printed on
the student's sheet. A roster without an id column, with an empty or repeated id, or that is not UTF-8 is refused
with a one-line error.
"""

from __future__ import annotations

import csv
import hashlib
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from examprep.errors import ExamprepError
from examprep.sheets.build import Sheet, key_text

KEY_COLUMNS = ("student", "code", "part", "answer")
ID_COLUMNS = ("student", "id")
STEM_LIMIT = 80  # characters of a student's file name before the hash


class RosterError(ExamprepError):
    """A roster file that cannot be read (missing, no id column, empty or duplicate ids, not UTF-8)."""


@dataclass(frozen=True)
class Student:
    """One roster row: the id (what ``grade`` sees), the name to print (or None) and every other column."""

    id: str
    name: str | None = None
    extra: tuple[tuple[str, str], ...] = ()


def _pick_columns(header: str, path: str | Path) -> tuple[str, list[str]]:
    for d in (",", ";", "\t"):
        names = [h.strip().lower() for h in next(csv.reader([header], delimiter=d))]
        if any(c in names for c in ID_COLUMNS):
            return d, names
    found = ", ".join(repr(h.strip()) for h in next(csv.reader([header])))[:120]
    raise RosterError(f"the roster {path} needs a 'student' or 'id' column in its first line (found {found}); "
                      "add a header row like 'student,name'")


def read_roster(path: str | Path) -> list[Student]:
    """The students of a roster CSV, in file order (see the module docstring for the rules)."""
    from examprep.grader.lines import Lines

    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as e:
        raise RosterError(f"cannot read the roster {path}: {e.strerror or e}; give a CSV with a student column") from e
    with stream:
        if stream.read(2) in (b"\xff\xfe", b"\xfe\xff"):
            raise RosterError(f"the roster {path} is UTF-16 text; save it as 'CSV UTF-8'")
        stream.seek(0)
        lines = Lines(stream)
        state = {"n": 0, "bad": False}

        def texts() -> Iterator[str]:
            for n, text in lines:
                state["n"], state["bad"] = n, text is None or not Lines.is_utf8(text)
                if text is None:
                    raise RosterError(f"line {n} of the roster {path} is too long to be a roster row")
                yield text

        it = texts()
        header = next((t for t in it if t.strip()), None)
        if header is None:
            raise RosterError(f"the roster {path} is empty; give a header 'student' and one student per row")
        delimiter, names = _pick_columns(header, path)
        col = next(names.index(c) for c in ID_COLUMNS if c in names)
        name_col = names.index("name") if "name" in names else None
        students: list[Student] = []
        seen: dict[str, int] = {}
        for fields in csv.reader(it, delimiter=delimiter):
            line = state["n"]
            if state["bad"]:
                raise RosterError(f"line {line} of the roster {path} is not UTF-8 text; save it as 'CSV UTF-8'")
            if not any(f.strip() for f in fields):
                continue
            sid = fields[col].strip() if col < len(fields) else ""
            if not sid:
                raise RosterError(f"line {line} of the roster {path} has no student id (column {names[col]!r})")
            if sid in seen:
                raise RosterError(f"the roster {path} lists {sid[:40]!r} twice (lines {seen[sid]} and {line}); ids "
                                  "must be unique")
            seen[sid] = line
            name = fields[name_col].strip() if name_col is not None and name_col < len(fields) else ""
            extra = tuple((h, fields[i]) for i, h in enumerate(names) if i not in (col, name_col) and i < len(fields))
            students.append(Student(sid, name or None, extra))
    if not students:
        raise RosterError(f"the roster {path} has a header but no students")
    return students


def _hash(student: str, n: int = 6) -> str:
    return hashlib.sha256(student.encode("utf-8")).hexdigest()[:n]


def file_stem(student: str) -> str:
    """A readable file name for a student's sheet: letters (any script), digits, ``.``, ``-``, ``_`` are kept; when
    anything else was replaced or the id was shortened, a short hash of the id is added so ids never share a name
    (``a/b`` -> ``a_b-<hash>``, ``a_b`` -> ``a_b``)."""
    kept = _readable(student)
    if kept == student:
        return kept
    return f"{kept or 'student'}-{_hash(student)}"


def _readable(student: str) -> str:
    norm = unicodedata.normalize("NFC", student)
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in norm).strip(".")[:STEM_LIMIT]


def file_stems(students: list[str]) -> dict[str, str]:
    """A distinct file stem per student id, even on a case-insensitive file system (longer hash on a clash)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for s in students:
        stem, n = file_stem(s), 6
        while stem.casefold() in used:  # Ana and ana on a case-insensitive disk, or a hash prefix clash
            stem, n = f"{_readable(s) or 'student'}-{_hash(s, n)}", n + 4
        used.add(stem.casefold())
        out[s] = stem
    return out


def _spreadsheet_safe(s: str) -> str:
    """A key cell a spreadsheet will not run as a formula (the same rule as ``grade``'s reports)."""
    from examprep.grader.report import cell

    return cell(s)


def key_rows(sheets: list[Sheet]) -> list[tuple[str, str, str, str]]:
    """(student, code, part, answer) for every asked-for part (final and intermediate) of every variant."""
    rows = []
    for sh in sheets:
        who = _spreadsheet_safe(sh.student or "")
        for sp in sh.problems:
            for part in sp.parts:
                rows.append((who, sp.code, part.name, key_text(sp.answers[part.name])))
    return rows


def key_csv(sheets: list[Sheet]) -> str:
    """The answer key as CSV text with the header ``student,code,part,answer``."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(KEY_COLUMNS)
    w.writerows(key_rows(sheets))
    return buf.getvalue()
