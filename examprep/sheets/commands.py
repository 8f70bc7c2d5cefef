"""What ``examprep sheet`` and ``examprep export moodle`` do, behind the thin CLI: select, build, render, write.

Output rules for ``sheet -o PATH``:

- ``--solutions``: one document with problems and worked solutions; ``--no-solutions``: problems only; neither: both,
  the problem sheet at PATH and the solution sheet beside it (``NAME-solutions.EXT``).
- ``--students ROSTER``: one variant per student. PATH with an extension gives one combined file (each student's
  variant starts on a new page); PATH without one is a folder with one file per student. The answer key CSV
  (``student,code,part,answer``) goes to ``--key`` or beside the sheets (``NAME-key.csv`` / ``FOLDER/key.csv``);
  a ``--key`` that is the roster (or a sheet) is refused. Student file names are readable and distinct
  (:func:`examprep.sheets.students.file_stems`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from examprep.errors import ExamprepError
from examprep.sheets.build import Sheet, build_sheet
from examprep.sheets.render import format_for, render, suffix, write_atomic
from examprep.sheets.select import instances, parse_items, student_seed
from examprep.sheets.students import Student, file_stems, key_csv, read_roster

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


def variants(req: Request, students: list[Student] | None, progress: Progress | None = None) -> list[Sheet]:
    """One sheet (with solutions) per student, or a single sheet without a roster.

    Every student's variant of an item has the same parts, so the same marks: the parts a type asks only for some
    parameters (a residual output, an embedding sum) follow the sheet seed's instance, and a student's draw that
    asks for other parts is replaced by the next draw that matches (:func:`examprep.sheets.select.instances`).
    """
    items = parse_items(req.targets, req.topics, req.count)
    if students is None:
        pairs = instances(items, seed=req.seed, difficulty=req.difficulty)
        return [build_sheet(pairs, title=req.title, seed=req.seed, difficulty=req.difficulty, progress=progress,
                            tolerance=req.tolerance)]
    shape = instances(items, seed=req.seed, difficulty=req.difficulty)
    out = []
    for who in students:
        seed = student_seed(req.seed, who.id)
        pairs = instances(items, seed=seed, difficulty=req.difficulty, like=shape)
        out.append(build_sheet(pairs, title=req.title, seed=seed, difficulty=req.difficulty, student=who.id,
                               student_name=who.name, progress=progress, tolerance=req.tolerance))
    return out


def count_problems(req: Request) -> int:
    """How many problems one variant holds (for the progress bar)."""
    return sum(i.count for i in parse_items(req.targets, req.topics, req.count))


class SheetWriteError(ExamprepError):
    """A sheet or key that cannot be written (a read-only place, a file where a folder should be)."""


def _write(path: Path, data: bytes) -> None:
    try:
        write_atomic(path, data)
    except OSError as e:
        raise SheetWriteError(f"cannot write {path}: {e.strerror or e}; choose another -o") from None


def _same_file(a: str | Path, b: str | Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return Path(a).resolve() == Path(b).resolve()


def write_sheets(req: Request, output: str, fmt: str | None, solutions: bool | None, roster: str | None,
                 key: str | None = None, progress: Progress | None = None) -> list[Path]:
    """Build and write the sheets; returns the files written (never the same file twice in one run)."""
    folder = roster is not None and (output.endswith(("/", os.sep)) or Path(output).is_dir())
    fmt = format_for(None if folder else output, fmt)
    students = read_roster(roster) if roster else None
    out = Path(output)
    per_student = students is not None and (folder or out.suffix == "")
    key_path = None
    if students is not None:
        key_path = Path(key) if key else (out / "key.csv" if per_student else out.with_name(out.stem + "-key.csv"))
        if _same_file(key_path, roster):  # type: ignore[arg-type]
            raise SheetWriteError(f"--key {key_path} is the roster itself; writing the key there would replace the "
                                  "roster: choose another --key")
    sheets = variants(req, students, progress)
    kinds = [False, True] if solutions is None else [solutions]
    stems = file_stems([sh.student or "" for sh in sheets]) if per_student else {}
    written: list[Path] = []

    def name(base: Path, sol: bool) -> Path:
        stem = base.stem if base.suffix else base.name
        if solutions is None and sol:
            stem += "-solutions"
        return base.with_name(stem + suffix(fmt))

    for sol in kinds:
        if per_student:
            for sh in sheets:
                path = name(out / stems[sh.student or ""], sol)
                _write(path, render([sh.but(solutions=sol)], fmt, progress))
                written.append(path)
        else:
            path = name(out, sol)
            _write(path, render([sh.but(solutions=sol) for sh in sheets], fmt, progress))
            written.append(path)
    if key_path is not None:
        if any(_same_file(key_path, w) for w in written):
            raise SheetWriteError(f"--key {key_path} is one of the sheets just written; choose another --key")
        _write(key_path, key_csv(sheets).encode("utf-8"))
        written.append(key_path)
    return written


def total_work(req: Request, roster: str | None, solutions: bool | None) -> int:
    """Units of work for the progress bar: building plus rendering each problem of each variant."""
    n = count_problems(req) * (len(read_roster(roster)) if roster else 1)
    return n * (1 + (2 if solutions is None else 1))
