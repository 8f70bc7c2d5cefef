"""Rosters, one variant per student, and the answer key CSV that ``examprep grade`` reads as a submissions file."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from examprep.errors import ExamprepError
from examprep.sheets.build import Sheet, key_text

KEY_COLUMNS = ("student", "code", "part", "answer")
_ID_COLUMNS = ("student", "id", "student_id", "username", "email")


class RosterError(ExamprepError):
    """A roster file that cannot be read (missing, empty, duplicate ids)."""


def read_roster(path: str | Path) -> list[str]:
    """Student ids from a CSV roster, in file order.

    The id column is the first of ``student``, ``id``, ``student_id``, ``username``, ``email`` in the header; a file
    whose first row names none of them is read as a plain list (first column of each row).
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise RosterError(f"cannot read the roster {path}: {e.strerror or e}; give a CSV with a student column") from e
    except UnicodeDecodeError:
        raise RosterError(f"the roster {path} is not UTF-8 text; save it as UTF-8 CSV") from None
    rows = [r for r in csv.reader(io.StringIO(text)) if r and any(c.strip() for c in r)]
    if not rows:
        raise RosterError(f"the roster {path} is empty; give one student id per row (header 'student')")
    header = [c.strip().lower() for c in rows[0]]
    col = next((header.index(c) for c in _ID_COLUMNS if c in header), None)
    body = rows[1:] if col is not None else rows
    col = col or 0
    ids = [r[col].strip() for r in body if len(r) > col and r[col].strip()]
    seen: set[str] = set()
    dupes = sorted({s for s in ids if s in seen or seen.add(s)})
    if dupes:
        raise RosterError(f"the roster {path} lists {', '.join(dupes[:5])} more than once; ids must be unique")
    if not ids:
        raise RosterError(f"the roster {path} has a header but no students")
    return ids


def file_stem(student: str) -> str:
    """A safe file name for a student's sheet."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", student).strip("._")
    return stem or "student"


def key_rows(sheets: list[Sheet]) -> list[tuple[str, str, str, str]]:
    """(student, code, part, answer) for every asked-for part (final and intermediate) of every variant."""
    rows = []
    for sh in sheets:
        for sp in sh.problems:
            for part in sp.parts:
                rows.append((sh.student or "", sp.code, part.name, key_text(sp.answers[part.name])))
    return rows


def key_csv(sheets: list[Sheet]) -> str:
    """The answer key as CSV text with the header ``student,code,part,answer``."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(KEY_COLUMNS)
    w.writerows(key_rows(sheets))
    return buf.getvalue()
