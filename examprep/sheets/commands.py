"""What ``examprep sheet`` and ``examprep export moodle`` do, behind the thin CLI: select, build, render, write.

Output rules for ``sheet -o PATH``:

- ``--solutions``: one document with problems and worked solutions; ``--no-solutions``: problems only; neither: both,
  the problem sheet at PATH and the solution sheet beside it (``NAME-solutions.EXT``).
- ``--students ROSTER``: one variant per student. PATH with an extension gives one combined file (each student's
  variant starts on a new page); PATH without one is a folder with one file per student. The answer key CSV
  (``student,code,part,answer``) goes to ``--key`` or beside the sheets (``NAME-key.csv`` / ``FOLDER/key.csv``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from examprep.sheets.build import Sheet, build_sheet
from examprep.sheets.render import format_for, render, suffix, write_atomic
from examprep.sheets.select import instances, parse_items, student_seed
from examprep.sheets.students import file_stem, key_csv, read_roster

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Request:
    """Everything the user asked for."""

    targets: list[str]
    topics: list[str]
    count: int = 1
    seed: int = 0
    difficulty: str = "medium"
    title: str = "Problem sheet"
    tolerance: str = "fair"  # grading policy stated in the answer-form lines (examprep.grader.options)


def variants(req: Request, students: list[str] | None, progress: Progress | None = None) -> list[Sheet]:
    """One sheet (with solutions) per student, or a single sheet without a roster."""
    items = parse_items(req.targets, req.topics, req.count)
    out = []
    for who in students or [None]:
        seed = req.seed if who is None else student_seed(req.seed, who)
        pairs = instances(items, seed=seed, difficulty=req.difficulty)
        out.append(build_sheet(pairs, title=req.title, seed=seed, difficulty=req.difficulty, student=who,
                               progress=progress, tolerance=req.tolerance))
    return out


def count_problems(req: Request) -> int:
    """How many problems one variant holds (for the progress bar)."""
    return sum(i.count for i in parse_items(req.targets, req.topics, req.count))


def _with(sheets: list[Sheet], solutions: bool) -> list[Sheet]:
    return [Sheet(s.title, s.seed, s.difficulty, s.problems, s.student, solutions) for s in sheets]


def write_sheets(req: Request, output: str, fmt: str | None, solutions: bool | None, roster: str | None,
                 key: str | None = None, progress: Progress | None = None) -> list[Path]:
    """Build and write the sheets; returns the files written."""
    fmt = format_for(output, fmt)
    students = read_roster(roster) if roster else None
    sheets = variants(req, students, progress)
    kinds = [False, True] if solutions is None else [solutions]
    out = Path(output)
    per_student = students is not None and out.suffix == ""
    written: list[Path] = []

    def name(base: Path, sol: bool) -> Path:
        stem = base.stem if base.suffix else base.name
        if solutions is None and sol:
            stem += "-solutions"
        return base.with_name(stem + suffix(fmt))

    for sol in kinds:
        if per_student:
            for sh in sheets:
                path = name(out / file_stem(sh.student or "student"), sol)
                write_atomic(path, render(_with([sh], sol), fmt, progress))
                written.append(path)
        else:
            path = name(out, sol)
            write_atomic(path, render(_with(sheets, sol), fmt, progress))
            written.append(path)
    if students is not None:
        key_path = Path(key) if key else (out / "key.csv" if per_student else out.with_name(out.stem + "-key.csv"))
        write_atomic(key_path, key_csv(sheets).encode("utf-8"))
        written.append(key_path)
    return written


def total_work(req: Request, roster: str | None, solutions: bool | None) -> int:
    """Units of work for the progress bar: building plus rendering each problem of each variant."""
    n = count_problems(req) * (len(read_roster(roster)) if roster else 1)
    return n * (1 + (2 if solutions is None else 1))
