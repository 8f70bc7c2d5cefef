"""`examprep grade` under hostile and careless inputs: every physical line accounted for, capped reads, any line
ending, pipes and FIFOs, no traceback, reports that cannot clobber their input, escaped header names."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from examprep.grader import submissions
from examprep.grader.batch import grade_file
from examprep.grader.submissions import Row, RowIssue, SubmissionsFileError, read_submissions
from examprep.registry import make
from examprep.solver.render import value_text

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}


def cli(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "examprep.cli", *args], capture_output=True, env=env or ENV,
                          timeout=300, input=stdin.decode() if stdin is not None else None, text=True)


@pytest.fixture(scope="module")
def inst() -> dict[str, Any]:
    pt = make("cnn/conv_output_size")
    i = pt.generate(3, "easy")
    truth = pt.solve(i.params)
    return {"code": i.code, "answers": {p.name: value_text(truth[p.name]) for p in pt.active_parts(i.params)}}


def class_lines(inst: dict[str, Any], n: int) -> list[str]:
    """n data lines: students s0..s{n-1}, each answering the first part right."""
    part, value = next(iter(inst["answers"].items()))
    return [f"s{i},{inst['code']},{part},{value}" for i in range(n)]


# ---- 1. an unclosed quote -------------------------------------------------------------------------------------
def test_unclosed_quote_is_reported_and_reading_resumes(tmp_path: Path, inst: dict[str, Any]) -> None:
    lines = class_lines(inst, 200)
    part = next(iter(inst["answers"]))
    lines[10] = f'bad,{inst["code"]},{part},"55'  # file line 12: the quote is never closed
    lines[150] = f'q,{inst["code"]},{part},"a ""quoted"" answer"'  # a later quote that would close it
    path = tmp_path / "s.csv"
    path.write_text("student,code,part,answer\n" + "\n".join(lines) + "\n")
    items = list(read_submissions(path))
    issues = [i for i in items if isinstance(i, RowIssue)]
    assert [(i.line, i.reason, i.student) for i in issues] == [
        (12, "a quote opened on line 12 is never closed; line 12 not graded", "bad")]
    rows = [i for i in items if isinstance(i, Row)]
    assert len(rows) == 199 and rows[10].line == 13 and rows[-1].line == 201
    assert {r.line for r in rows} | {12} == set(range(2, 202))  # every physical line accounted for


def test_quoted_field_may_span_lines_but_a_quote_at_the_end_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes(b'student,code,part,answer\na,C,p,"[[1, 2],\n [3, 4]]"\nb,C,p,"7\nnot a row\nstill not\n')
    items = list(read_submissions(path))
    assert items[0] == Row(2, "a", "C", "p", "[[1, 2],\n [3, 4]]")
    assert items[1] == RowIssue(4, "a quote opened on line 4 is never closed; lines 4–6 (the end of the file) not "
                                   "graded", "b", "C", "p")
    assert len(items) == 2


# ---- 2. capped reads, linear header checks -----------------------------------------------------------------------
def test_overlong_line_is_reported_and_not_held(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from examprep.grader import lines as lines_mod

    monkeypatch.setattr(lines_mod, "MAX_LINE", 1000)
    path = tmp_path / "s.csv"
    path.write_text("student,code,part,answer\n" + "a,C,p," + "9" * 5000 + "\nb,C,p,1\n")
    items = list(read_submissions(path))
    assert isinstance(items[0], RowIssue) and items[0].line == 2 and "longer than" in items[0].reason
    assert items[1] == Row(3, "b", "C", "p", "1")


def test_overlong_field_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("student,code,part,answer\n" + "a,C,p," + "9" * (submissions.MAX_FIELD + 1) + "\nb,C,p,1\n")
    items = list(read_submissions(path))
    assert items[0].line == 2 and "longer than 65,536 characters" in items[0].reason and items[0].student == "a"
    assert items[1] == Row(3, "b", "C", "p", "1")


def test_dev_zero_is_refused_at_once() -> None:
    t = time.process_time()
    with pytest.raises(SubmissionsFileError, match="first line is longer than"):
        list(read_submissions("/dev/zero"))
    assert time.process_time() - t < 5


def test_wide_header_checked_in_linear_time(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    names = ["student", "code", "part", "answer", *(f"x{i}" for i in range(30_000))]
    path.write_text(",".join(names) + "\n")
    t = time.process_time()
    with pytest.raises(SubmissionsFileError, match="30,004 columns"):
        list(read_submissions(path))
    path.write_text(",".join(names[:500] + ["x7"]) + "\n")
    with pytest.raises(SubmissionsFileError, match="x7 twice"):
        list(read_submissions(path))
    assert time.process_time() - t < 2


# ---- 3. line endings, pipes, FIFOs ----------------------------------------------------------------------------------
@pytest.mark.parametrize("eol", ["\r", "\n", "\r\n"])
def test_any_line_ending(tmp_path: Path, inst: dict[str, Any], eol: str) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes(("student,code,part,answer" + eol + eol.join(class_lines(inst, 3)) + eol).encode())
    rows = list(read_submissions(path))
    assert [(r.line, r.student) for r in rows] == [(2, "s0"), (3, "s1"), (4, "s2")]


def test_stdin_pipe_and_fifo(tmp_path: Path, inst: dict[str, Any]) -> None:
    data = ("student,code,part,answer\n" + "\n".join(class_lines(inst, 3)) + "\n").encode()
    for args in (["grade", "-"], ["grade", "/dev/stdin"]):
        r = cli(*args, "-f", "json", stdin=data)
        assert r.returncode == 0, r.stderr
        assert [s["student"] for s in json.loads(r.stdout)["students"]] == ["s0", "s1", "s2"]
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    proc = subprocess.Popen([sys.executable, "-m", "examprep.cli", "grade", str(fifo), "-f", "json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV, text=True)
    with open(fifo, "wb") as f:
        f.write(data)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert len(json.loads(out)["students"]) == 3


# ---- 6. minor --------------------------------------------------------------------------------------------------
def test_utf32_is_named_utf32(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes("student,code,part,answer\n".encode("utf-32"))
    with pytest.raises(SubmissionsFileError, match="UTF-32"):
        list(read_submissions(path))
    path.write_bytes("student,code,part,answer\n".encode("utf-16"))
    with pytest.raises(SubmissionsFileError, match="UTF-16"):
        list(read_submissions(path))


def test_jsonl_keys_that_clash_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text('{"student": "a", "student ": "b", "code": "C", "part": "p", "answer": "1"}\n'
                    '{"student": "c", "code": "C", "part": "p", "answer": "1", "Note": 1, "note": 2}\n')
    a, b = list(read_submissions(path))
    assert a.line == 1 and "two keys name the field 'student'" in a.reason
    assert b.line == 2 and "two keys name the field 'note'" in b.reason


def test_student_with_only_reported_rows_is_listed(tmp_path: Path, inst: dict[str, Any]) -> None:
    path = tmp_path / "s.csv"
    part = next(iter(inst["answers"]))
    path.write_bytes(b"student,code,part,answer\n"
                     + f"wide,{inst['code']},{part},1,extra\n".encode()
                     + f"bytes,{inst['code']},{part},\xff\n".encode("latin-1")
                     + f"long,{inst['code']},{part},{'1' * 70000}\n".encode())
    r = grade_file(path).report()
    assert [(s["student"], s["points"], s["possible"]) for s in r["students"]] == [
        ("bytes", 0, 0), ("long", 0, 0), ("wide", 0, 0)]
    assert [i["line"] for i in r["reported"]] == [2, 3, 4]


# ---- 2. streamed reports ------------------------------------------------------------------------------------------
def messy_class(inst: dict[str, Any], n: int) -> str:
    code = inst["code"]
    parts = list(inst["answers"].items())
    out = ["student,code,part,answer,Note"]
    for i in range(n):
        name, value = parts[i % len(parts)]
        answer = [value, "junk", str(i), f'"{value}"'][i % 4]
        out.append(f"s{(i * 7919) % (n // 3 + 1)},{code},{name},{answer},n{i % 5}")
        if i % 13 == 0:
            out.append(f"t{i},{code},nopart,1,x")
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("policy", ["last", "best", "first"])
def test_streamed_reports_equal_the_whole_report_even_when_spilled(tmp_path: Path, inst: dict[str, Any],
                                                                  monkeypatch: pytest.MonkeyPatch,
                                                                  policy: str) -> None:
    import io

    from examprep.grader import spill
    from examprep.grader.report import render, write_stream

    path = tmp_path / "s.csv"
    path.write_text(messy_class(inst, 600))
    whole = grade_file(path, policy).report()
    monkeypatch.setattr(spill, "CHUNK", 37)  # many runs on disk, merged
    monkeypatch.setattr(spill.ExternalSort.__init__, "__defaults__", (None, 37))
    for fmt in ("csv", "json"):
        book = grade_file(path, policy)
        assert book.records.runs and book.issues.runs
        out = io.StringIO()
        write_stream(book.stream(), fmt, out)
        assert out.getvalue() == render(whole, fmt)
    assert json.loads(render(whole, "json")) == whole
    assert len(whole["students"]) == 201 + 47


def test_csv_header_names_are_escaped(tmp_path: Path, inst: dict[str, Any]) -> None:
    from examprep.grader.report import render

    path = tmp_path / "s.csv"
    part, value = next(iter(inst["answers"].items()))
    path.write_text(f'student,code,part,answer,"=HYPERLINK(""http://x"",""y"")"\na,{inst["code"]},{part},{value},1\n')
    header = render(grade_file(path).report(), "csv").lstrip("\ufeff").splitlines()[0]
    assert header.endswith(',"\'=hyperlink(""http://x"",""y"")"')
    path2 = tmp_path / "s.jsonl"
    path2.write_text(json.dumps({"student": "a", "code": inst["code"], "part": part, "answer": value,
                                 "@SUM(A1)": 1}) + "\n")
    header = render(grade_file(path2).report(), "csv").lstrip("\ufeff").splitlines()[0]
    assert header.endswith(",'@sum(a1)")


def test_part_not_asked_by_this_instance_is_an_unknown_part(tmp_path: Path) -> None:
    pt = make("attention/scaled_dot_product")
    names = {p.name for p in pt.parts}
    for seed in range(200):
        i = pt.generate(seed, "easy")
        missing = names - {p.name for p in pt.active_parts(i.params)}
        if missing:
            break
    else:
        pytest.skip("every instance asks for every part")
    path = tmp_path / "s.csv"
    path.write_text(f"student,code,part,answer\na,{i.code},{sorted(missing)[0]},1\n")
    (issue,) = grade_file(path).report()["reported"]
    assert issue["reason"].startswith("unknown part: this instance") and "KeyError" not in issue["reason"]


# ---- 6. report files: modes, temporary files ---------------------------------------------------------------------
def test_report_mode_follows_umask_and_keeps_an_existing_mode(tmp_path: Path) -> None:
    from examprep.grader.report import write_atomic

    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "r.csv", "x\n")
        assert (tmp_path / "r.csv").stat().st_mode & 0o777 == 0o644
        os.chmod(tmp_path / "r.csv", 0o640)
        write_atomic(tmp_path / "r.csv", "y\n")
        assert (tmp_path / "r.csv").stat().st_mode & 0o777 == 0o640
        assert (tmp_path / "r.csv").read_text() == "y\n"
    finally:
        os.umask(old)


def test_stale_temporary_files_removed_and_signals_clean_up(tmp_path: Path) -> None:
    from examprep.grader.report import write_atomic

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    (tmp_path / f".r.json.{dead}.abc.tmp").write_text("half")
    (tmp_path / f".r.json.{os.getpid()}.xyz.tmp").write_text("a live writer's")
    (tmp_path / ".other.json.1.abc.tmp").write_text("not ours")
    write_atomic(tmp_path / "r.json", "{}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.json.1.abc.tmp", f".r.json.{os.getpid()}.xyz.tmp",
                                                          "r.json"]
    script = ("import os, signal, sys; sys.path.insert(0, sys.argv[2]); from examprep.grader.report import "
              "write_atomic\ndef w(f):\n    f.write('part'); f.flush(); os.kill(os.getpid(), signal.SIGTERM)\n"
              "write_atomic(sys.argv[1], w)")
    r = subprocess.run([sys.executable, "-c", script, str(tmp_path / "k.csv"), str(ROOT)], capture_output=True,
                       text=True)
    assert r.returncode == 128 + 15, r.stderr
    assert not any(p.name.startswith(".k.csv") for p in tmp_path.iterdir())
    assert not (tmp_path / "k.csv").exists()


# ---- 4. -o must not replace the input ---------------------------------------------------------------------------
def test_output_equal_to_input_or_a_link_to_it_is_refused(tmp_path: Path, inst: dict[str, Any]) -> None:
    path = tmp_path / "s.csv"
    text = "student,code,part,answer\n" + "\n".join(class_lines(inst, 2)) + "\n"
    path.write_text(text)
    (tmp_path / "sym.csv").symlink_to(path)
    os.link(path, tmp_path / "hard.csv")
    for out in (path, tmp_path / "sym.csv", tmp_path / "hard.csv", tmp_path / "." / "s.csv"):
        r = cli("grade", str(path), "-o", str(out))
        assert r.returncode == 2 and "the submissions file" in r.stderr and "Traceback" not in r.stderr, r.stderr
        assert path.read_text() == text
    r = cli("grade", str(tmp_path / "sym.csv"), "-o", str(path))
    assert r.returncode == 2 and path.read_text() == text


# ---- 7. only assigned codes count; 9. --max-attempts -----------------------------------------------------------
@pytest.fixture(scope="module")
def two() -> list[dict[str, Any]]:
    pt = make("cnn/conv_output_size")
    out = []
    for seed in (11, 12):
        i = pt.generate(seed, "easy")
        truth = pt.solve(i.params)
        out.append({"code": i.code, "answers": {p.name: value_text(truth[p.name]) for p in pt.active_parts(i.params)
                                                if p.final}})
    return out


def rows_for(student: str, q: dict[str, Any], code: str | None = None) -> list[str]:
    return [f"{student},{code or q['code']},{part},{v}" for part, v in q["answers"].items()]


def test_assigned_key_grades_only_assigned_codes(tmp_path: Path, two: list[dict[str, Any]]) -> None:
    a, b = two
    key = tmp_path / "key.csv"
    key.write_text("student,code,part,answer\n" + "\n".join(rows_for("ana", a) + rows_for("ben", a)) + "\n")
    subs = tmp_path / "s.csv"
    subs.write_text("student,code,part,answer\n" + "\n".join(
        rows_for("ana", a, a["code"].lower()) + rows_for("ben", a) + rows_for("ben", b)) + "\n")
    r = cli("grade", str(subs), "--assigned", str(key), "-f", "json")
    assert r.returncode == 3, r.stderr
    rep = json.loads(r.stdout)
    n = len(a["answers"])
    assert [(s["student"], s["points"], s["possible"]) for s in rep["students"]] == [("ana", n, n), ("ben", n, n)]
    assert [i["line"] for i in rep["reported"]] == list(range(2 + 2 * n, 2 + 3 * n))
    assert all(i["reason"].startswith("not assigned to this student") for i in rep["reported"])
    assert "answered by one student only" not in r.stderr
    r = cli("grade", str(subs), "-f", "json")  # without the key: graded, with a one-line warning
    assert r.returncode == 0
    assert [s["possible"] for s in json.loads(r.stdout)["students"]] == [n, 2 * n]
    (warning,) = [x for x in r.stderr.splitlines() if x.startswith("warning:")]
    assert f"1 code(s) were answered by one student only (e.g. 'ben': {b['code']})" in warning
    assert "--assigned" in warning


def test_max_attempts_reports_later_rows(tmp_path: Path, two: list[dict[str, Any]]) -> None:
    a = two[0]
    part, right = next(iter(a["answers"].items()))
    subs = tmp_path / "s.csv"
    subs.write_text("student,code,part,answer\n" + "\n".join(
        f"ana,{a['code']},{part},{x}" for x in ("1", "2", right, right)) + "\n")
    rep = grade_file(subs, "best").report()
    assert rep["students"][0]["points"] == 1
    rep = grade_file(subs, "best", max_attempts=2).report()
    assert rep["students"][0]["points"] == 0
    assert [(i["line"], i["reason"]) for i in rep["reported"]] == [
        (4, "attempt 3 at this part, past --max-attempts 2; not graded"),
        (5, "attempt 4 at this part, past --max-attempts 2; not graded")]
    assert rep["rows"] == {"read": 4, "graded": 2, "invalid": 0, "rejected": 2, "superseded": 1, "reported": 2}
    r = cli("grade", str(subs), "--policy", "best", "--max-attempts", "0")
    assert r.returncode == 2 and "--max-attempts" in r.stderr


# ---- any bytes: no traceback, lines in order --------------------------------------------------------------------
PIECES = st.sampled_from([b",", b'"', b'""', b"\n", b"\r", b"\r\n", b"a", b"C1", b" ", b"\xff", b"\x00", b";",
                          b"\t", b"{", b"}", b"7"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.lists(PIECES, max_size=60), jsonl=st.booleans())
def test_any_bytes_are_read_without_a_traceback(tmp_path: Path, body: list[bytes], jsonl: bool) -> None:
    path = tmp_path / "x"
    head = b'{"student": "s", "code": "C", "part": "p", "answer": "1"}\n' if jsonl else b"student,code,part,answer\n"
    data = head + b"".join(body)
    path.write_bytes(data)
    items = list(read_submissions(path))
    physical = len(data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").rstrip(b"\n").split(b"\n"))
    starts = [i.line for i in items]
    assert starts == sorted(starts) and all(1 <= s <= physical for s in starts)
    assert len(set(starts)) == len(starts) or any(isinstance(i, RowIssue) for i in items)
