"""Grade reports: the terminal summary (rich tables) and the CSV, JSON and HTML files, written atomically.

Every writer takes the plain dict built by :meth:`examprep.grader.batch.Gradebook.report`. Nothing here reads a
clock or depends on the order rows arrived in beyond what the report already fixed, so re-grading the same file
gives a byte-identical report.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

FORMATS = ("csv", "json", "html")
CSV_COLUMNS = ("record", "student", "code", "problem", "part", "final", "verdict", "score", "weight", "points",
               "possible", "percent", "mistake", "count", "share", "answers", "right", "feedback", "answer", "line",
               "reason")
SUMMARY_VERDICTS = ("right", "carried", "imprecise", "partial", "wrong", "invalid")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def format_for(path: str | Path, fmt: str | None) -> str:
    """The report format: ``fmt`` when given, else from the file's extension (default csv)."""
    if fmt:
        return fmt
    ext = Path(path).suffix.lower().lstrip(".")
    return {"htm": "html", "jsonl": "json"}.get(ext, ext) if ext in (*FORMATS, "htm", "jsonl") else "csv"


def render(report: dict[str, Any], fmt: str) -> str:
    """The report as text in one of :data:`FORMATS`."""
    if fmt == "json":
        return json.dumps(report, ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        return to_csv(report)
    if fmt == "html":
        return to_html(report)
    raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")


def write_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and ``os.replace``: a partly written report never
    replaces a good one."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


# ---- CSV -----------------------------------------------------------------------------------------------------------
def cell(v: Any) -> str:
    """A spreadsheet-safe cell: text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if v is None:
        return ""
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
    extras = report["extra_columns"]
    out = io.StringIO()
    out.write("\ufeff")
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([*CSV_COLUMNS, *extras])

    def row(**kv: Any) -> None:
        extra = kv.pop("extra", {})
        w.writerow([cell(kv.get(c)) for c in CSV_COLUMNS] + [cell(extra.get(c)) for c in extras])

    for s in report["students"]:
        row(record="student", student=s["student"], points=s["points"], possible=s["possible"], percent=s["percent"])
    for s in report["students"]:
        for q in s["questions"]:
            for p in q["parts"]:
                row(record="answer", student=s["student"], code=q["code"], problem=q["problem"], part=p["part"],
                    final=p["final"], verdict=p["verdict"], score=p["score"], weight=p["weight"],
                    mistake=p["mistake"], feedback=p["feedback"], answer=p["answer"], line=p["line"],
                    extra=p["extra"])
    for t in report["summary"]:
        row(record="summary", problem=t["problem"], answers=t["answers"], right=t["right"], share=t["share_right"])
        for m in t["mistakes"]:
            row(record="mistake", problem=t["problem"], mistake=m["mistake"], count=m["count"], share=m["share"],
                answers=t["answers"], feedback=m["feedback"])
    for i in report["reported"]:
        row(record="reported", line=i["line"], reason=i["reason"], student=i["student"], code=i["code"],
            part=i["part"])
    return out.getvalue()


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
    for s in report["students"][:max_students]:
        t.add_row(safe(s["student"]), str(len(s["questions"])), f"{s['points']:g}", f"{s['possible']:g}",
                  "—" if s["percent"] is None else f"{s['percent']:.1f}%")
    console.print(t)
    if len(report["students"]) > max_students:
        console.print(f"… and {len(report['students']) - max_students} more students; write the full report "
                      "with -o REPORT.csv|json|html")
    if report["reported"]:
        t = Table(title="Rows that could not be graded")
        for c in ("line", "student", "code", "part", "reason"):
            t.add_column(c, justify="right" if c == "line" else "left")
        for i in report["reported"][:max_reported]:
            t.add_row(str(i["line"]), safe(i["student"]), safe(i["code"]), safe(i["part"]), safe(i["reason"]))
        console.print(t)
        if len(report["reported"]) > max_reported:
            console.print(f"… and {len(report['reported']) - max_reported} more; all are in the report file")
