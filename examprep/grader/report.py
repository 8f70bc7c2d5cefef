"""Grade reports: the terminal summary (rich tables) and the CSV, JSON and HTML files, written atomically.

Every writer takes the plain dict built by :meth:`examprep.grader.batch.Gradebook.report`. Nothing here reads a
clock or depends on the order rows arrived in beyond what the report already fixed, so re-grading the same file
gives a byte-identical report.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import json
import os
import re
import shutil
import signal
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

FORMATS = ("csv", "json", "html")
CSV_COLUMNS = ("record", "student", "code", "problem", "part", "final", "verdict", "score", "weight", "points",
               "possible", "percent", "mistake", "count", "share", "answers", "right", "feedback", "answer", "line",
               "reason")
SUMMARY_VERDICTS = ("right", "carried", "imprecise", "partial", "wrong", "invalid")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_RISKY = frozenset("=@\t\r+-")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def format_for(path: str | Path | None, fmt: str | None) -> str:
    """The report format from ``--format`` and the file's extension (default csv); an unknown extension
    (``-o rep.xlsx``) or one that contradicts ``--format`` is refused (:mod:`examprep.formats`)."""
    from examprep.formats import resolve

    return resolve(path, fmt, FORMATS, default="csv", aliases={"htm": "html", "jsonl": "json"})


def render(report: dict[str, Any], fmt: str) -> str:
    """The report as text in one of :data:`FORMATS`."""
    if fmt == "json":
        return json.dumps(report, ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        return to_csv(report)
    if fmt == "html":
        return to_html(report)
    raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")


def write_atomic(path: str | Path, content: str | Callable[[TextIO], None]) -> None:
    """Write a report to ``path`` through a temporary file and ``os.replace``: a partly written report never
    replaces a good one. ``content`` is the text, or a function that writes it to the file it is given (streamed).

    The new file gets the mode an existing report had, else the one the umask gives. The temporary file is removed
    when the run fails or is stopped by a signal (SIGTERM, SIGHUP, Ctrl-C); after ``kill -9`` the next run to the
    same path removes the temporary files whose writer is gone.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    _remove_stale(folder, path.name)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=folder)
    try:
        with _signals_exit(), os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            os.chmod(tmp, _mode_for(path))
            if callable(content):
                content(f)
            else:
                f.write(content)
            f.flush()
            os.fsync(f.fileno())
            os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _mode_for(path: Path) -> int:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def _remove_stale(folder: Path, name: str) -> None:
    """Remove ``.NAME.PID.*.tmp`` files of ours whose writing process is gone (a run killed with kill -9)."""
    prefix = f".{name}."
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for e in entries:
        if not (e.name.startswith(prefix) and e.name.endswith(".tmp")):
            continue
        pid = e.name[len(prefix):].split(".", 1)[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        with contextlib.suppress(OSError):
            if e.stat(follow_symlinks=False).st_uid == os.getuid() and e.is_file(follow_symlinks=False):
                os.unlink(e.path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


@contextlib.contextmanager
def _signals_exit() -> Iterator[None]:
    """While writing, SIGTERM and SIGHUP end the run like Ctrl-C does, so the temporary file is cleaned up."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    old = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


# ---- CSV -----------------------------------------------------------------------------------------------------------
def cell(v: Any) -> str:
    """A spreadsheet-safe cell: text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if v is None:
        return ""
    if type(v) is str and (not v or v[0] not in _RISKY):  # the common case, fast
        return v
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return repr(round(v, 6))
    s = str(v)
    if s[:1] in ("=", "@", "\t", "\r") or (s[:1] in ("+", "-") and not _NUMBER.match(s)):
        return "'" + s
    return s


def to_csv(report: dict[str, Any]) -> str:
    """One CSV (UTF-8 with BOM so Excel reads it) with a ``record`` column: student, answer, summary, mistake and
    reported rows share one header; filter on ``record``."""
    out = io.StringIO()
    write_csv(out, report["extra_columns"], report["students"], lambda: report["summary"],
              lambda: report["reported"])
    return out.getvalue()


def write_csv(out: TextIO, extras: list[str], students: Iterable[dict[str, Any]],
              summary: Callable[[], list[dict[str, Any]]], reported: Callable[[], Iterable[dict[str, Any]]]) -> None:
    """Write the CSV report, streamed: student rows go out as they come, answer rows through a temporary file."""
    out.write("\ufeff")
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([*CSV_COLUMNS, *(cell(e) for e in extras)])  # header names are escaped like cells

    def row(writer: Any, **kv: Any) -> None:
        extra = kv.pop("extra", {})
        writer.writerow([cell(kv.get(c)) for c in CSV_COLUMNS] + [cell(extra.get(c)) for c in extras])

    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as spool:
        a = csv.writer(spool, lineterminator="\r\n")
        for s in students:
            row(w, record="student", student=s["student"], points=s["points"], possible=s["possible"],
                percent=s["percent"])
            for q in s["questions"]:
                for p in q["parts"]:
                    row(a, record="answer", student=s["student"], code=q["code"], problem=q["problem"],
                        part=p["part"], final=p["final"], verdict=p["verdict"], score=p["score"], weight=p["weight"],
                        mistake=p["mistake"], feedback=p["feedback"], answer=p["answer"], line=p["line"],
                        extra=p["extra"])
        spool.seek(0)
        shutil.copyfileobj(spool, out)
    for t in summary():
        row(w, record="summary", problem=t["problem"], answers=t["answers"], right=t["right"], share=t["share_right"])
        for m in t["mistakes"]:
            row(w, record="mistake", problem=t["problem"], mistake=m["mistake"], count=m["count"], share=m["share"],
                answers=t["answers"], feedback=m["feedback"])
    for i in reported():
        row(w, record="reported", line=i["line"], reason=i["reason"], student=i["student"], code=i["code"],
            part=i["part"])


# ---- streamed reports ----------------------------------------------------------------------------------------------
def write_stream(cs: Any, fmt: str, out: TextIO) -> None:
    """Write the report of a :class:`examprep.grader.assemble.ClassStream` in one pass. CSV and JSON are streamed
    (memory flat in the number of students) and byte-identical to :func:`render` of the same report; HTML is one
    page built in memory."""
    if fmt == "csv":
        write_csv(out, cs.extra_columns, cs.students(), cs.summary, cs.reported)
    elif fmt == "json":
        write_json(out, cs)
    elif fmt == "html":
        out.write(to_html(cs.materialise()))
    else:
        raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")


def _at(obj: Any, depth: int) -> str:
    # json.dumps(indent=1) of a value nested ``depth`` levels down (JSON text never holds a raw newline)
    return json.dumps(obj, ensure_ascii=False, indent=1).replace("\n", "\n" + " " * depth)


def _list_at(out: TextIO, items: Iterable[Any], depth: int) -> None:
    first = True
    for x in items:
        out.write(("[\n" if first else ",\n") + " " * (depth + 1) + _at(x, depth + 1))
        first = False
    out.write("[]" if first else "\n" + " " * depth + "]")


def write_json(out: TextIO, cs: Any) -> None:
    """The JSON report, streamed (students pass through a temporary file: the row counts come first)."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        _list_at(spool, cs.students(), 1)
        out.write(f'{{\n "policy": {_at(cs.policy, 1)},\n "rows": {_at(cs.rows(), 1)},\n '
                  f'"extra_columns": {_at(cs.extra_columns, 1)},\n "grading": {_at(cs.grading(), 1)},\n '
                  '"students": ')
        spool.seek(0)
        shutil.copyfileobj(spool, out)
    out.write(f',\n "summary": {_at(cs.summary(), 1)},\n "reported": ')
    _list_at(out, cs.reported(), 1)
    out.write("\n}\n")


# ---- HTML ----------------------------------------------------------------------------------------------------------
def to_html(report: dict[str, Any]) -> str:
    """One self-contained page (no scripts, no network): the tables and a bar chart of the mistakes."""
    return _template().render(r=report)


@functools.cache
def _template() -> Any:
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent.parent / "templates"),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["pct"] = pct
    return env.get_template("grade_report.html.j2")


def pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f}%"


# ---- terminal ------------------------------------------------------------------------------------------------------
def safe(s: Any) -> Any:
    """User-supplied text for the terminal: no rich markup, no control characters (escape sequences)."""
    from rich.text import Text

    return Text(_CONTROL.sub("?", "" if s is None else str(s)))


def print_summary(report: dict[str, Any], console: Any, max_students: int = 50, max_reported: int = 20) -> None:
    """The class summary, the mistakes, the students' totals and the reported rows as rich tables."""
    from rich.table import Table

    rows = report["rows"]
    console.print(f"Graded {rows['graded']} of {rows['read']} rows (policy {report['policy']}; "
                  f"{rows['superseded']} superseded); {rows['reported']} reported.")
    t = Table(title="Class summary")
    for c in ("problem", "answers", *SUMMARY_VERDICTS):
        t.add_column(c, justify="left" if c == "problem" else "right")
    for s in report["summary"]:
        n = s["answers"] or 1
        t.add_row(s["problem"], str(s["answers"]), *(pct(s[v] / n) for v in SUMMARY_VERDICTS))
    console.print(t)
    if any(s["mistakes"] for s in report["summary"]):
        t = Table(title="Mistakes (share of the answers to each problem type)")
        for c in ("problem", "share", "count", "mistake", "feedback"):
            t.add_column(c, justify="right" if c in ("share", "count") else "left")
        for s in report["summary"]:
            for m in s["mistakes"]:
                t.add_row(s["problem"], pct(m["share"]), str(m["count"]), m["mistake"], safe(m["feedback"]))
        console.print(t)
    t = Table(title="Students")
    for c in ("student", "questions", "points", "possible", "percent"):
        t.add_column(c, justify="left" if c == "student" else "right")
    n_students = report.get("n_students", len(report["students"]))
    n_reported = report.get("n_reported", len(report["reported"]))
    for s in report["students"][:max_students]:
        t.add_row(safe(s["student"]), str(len(s["questions"])), f"{s['points']:g}", f"{s['possible']:g}",
                  "—" if s["percent"] is None else f"{s['percent']:.1f}%")
    console.print(t)
    if n_students > max_students:
        console.print(f"… and {n_students - max_students} more students; write the full report "
                      "with -o REPORT.csv|json|html")
    if report["reported"]:
        t = Table(title="Rows that could not be graded")
        for c in ("line", "student", "code", "part", "reason"):
            t.add_column(c, justify="right" if c == "line" else "left")
        for i in report["reported"][:max_reported]:
            t.add_row(str(i["line"]), safe(i["student"]), safe(i["code"]), safe(i["part"]), safe(i["reason"]))
        console.print(t)
        if n_reported > max_reported:
            console.print(f"… and {n_reported - max_reported} more; all are in the report file")
