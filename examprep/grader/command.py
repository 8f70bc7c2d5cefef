"""``examprep grade``: checks the options, grades the class streamed, writes the report and prints the summary.

Kept out of the CLI module so the command line stays a thin layer; every usage error is one line (exit 2).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from examprep.errors import ExamprepError


class GradeUsageError(ExamprepError):
    """A bad option or input to ``examprep grade``."""


def same_file(a: str | Path, b: str | Path) -> bool:
    """True when ``a`` and ``b`` are one file (a link to it included); False when either does not exist."""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def load_assigned(path: str | Path) -> dict[str, frozenset[str]]:
    """Each student's assigned codes, from a key CSV as ``sheet --students`` writes it (student, code, ...)."""
    from examprep.grader.submissions import RowIssue, SubmissionsFileError, read_submissions
    from examprep.seeding import canonical

    got: dict[str, set[str]] = {}
    try:
        items = list(read_submissions(path))  # held: one entry per (student, code) of the key
    except SubmissionsFileError as e:
        raise GradeUsageError(f"--assigned {path}: {e}") from None
    for item in items:
        if isinstance(item, RowIssue):
            raise GradeUsageError(f"--assigned {path}: line {item.line}: {item.reason}")
        try:
            got.setdefault(item.student, set()).add(canonical(item.code))
        except ExamprepError as e:
            raise GradeUsageError(f"--assigned {path}: line {item.line}: {e}") from None
    return {s: frozenset(c) for s, c in got.items()}


def run_grade(submissions: str, output: str | None, fmt: str | None, policy: str, assigned: str | None,
              max_attempts: int | None, console: Any = None, options: Any = None) -> int:
    """Grade ``submissions`` and write/print the report; returns the exit code (0 clean, 3 rows reported)."""
    from rich.console import Console

    from examprep.grader.batch import POLICIES, grade_file
    from examprep.grader.report import FORMATS, format_for, print_summary, write_atomic, write_stream

    if fmt is not None and fmt not in FORMATS:
        raise GradeUsageError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
    if policy not in POLICIES:
        raise GradeUsageError(f"--policy {policy!r}: use one of {', '.join(POLICIES)}")
    if max_attempts is not None and max_attempts < 1:
        raise GradeUsageError(f"--max-attempts {max_attempts}: use a whole number of at least 1")
    out_fmt = format_for(output, fmt) if output else fmt  # an unknown extension is refused before any work
    if output:
        for what, path in (("the submissions", submissions), ("the --assigned key", assigned)):
            if path and path != "-" and same_file(output, path):
                raise GradeUsageError(f"-o {output} is {what} file; the report would replace it. Write the report "
                                      "to another file")
        folder = Path(output).parent
        if Path(output).is_dir() or not folder.is_dir():
            raise GradeUsageError(f"cannot write the report to {output}: " + ("it is a folder" if Path(output)
                                  .is_dir() else f"there is no folder {folder}"))
    key = load_assigned(assigned) if assigned else None
    from examprep.grader.options import DEFAULT

    book = grade_file(submissions, policy=policy, max_attempts=max_attempts, assigned=key, options=options or DEFAULT)
    cs = book.stream()
    if output:
        try:
            write_atomic(output, lambda f: write_stream(cs, str(out_fmt), f))
        except OSError as e:
            raise GradeUsageError(f"cannot write the report to {output}: {e.strerror or e}") from None
    elif fmt:
        write_stream(cs, fmt, sys.stdout)
    print_summary(cs.overview(), console or Console(stderr=bool(fmt and not output)))
    warning = cs.unshared_warning()
    if warning:
        print(warning, file=sys.stderr)
    if output:
        print(f"wrote {output}")
    return book.exit_code
