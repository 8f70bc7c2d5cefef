"""Rosters, per-student files and output paths of ``examprep sheet`` (issue 14 items 4-6, issue 24 items 4, 5, 16, 17):
Excel rosters read like submissions, variants worth the same, distinct readable file names, refused outputs."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from examprep.sheets.commands import Request, SheetWriteError, variants, write_sheets
from examprep.sheets.select import parts_of
from examprep.sheets.students import RosterError, Student, file_stem, file_stems, read_roster

ROOT = Path(__file__).resolve().parent.parent


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "examprep.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def test_excel_roster_gives_one_pdf_per_student_with_the_name(tmp_path):
    from pypdf import PdfReader

    (tmp_path / "r.csv").write_bytes(b"\xef\xbb\xbfid;name\r\ns1;Ana\r\ns2;Ben\r\n")
    r = _cli("sheet", "--topic", "gan", "--students", "r.csv", "--no-solutions", "-o", "semi/", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in (tmp_path / "semi").iterdir()) == ["key.csv", "s1.pdf", "s2.pdf"]
    text = PdfReader(tmp_path / "semi" / "s1.pdf").pages[0].extract_text()
    assert "for Ana (s1)" in text
    rows = list(csv.DictReader((tmp_path / "semi" / "key.csv").open(encoding="utf-8")))
    assert {row["student"] for row in rows} == {"s1", "s2"}


@pytest.mark.parametrize(("content", "why"), [
    (b"x,y\n1,2\n", "needs a 'student' or 'id' column"),
    (b"s1\ns2\n", "needs a 'student' or 'id' column"),
    (b"student,name\ns1,A\ns1,B\n", "twice"),
    (b"student,name\n,A\n", "no student id"),
    (b"\xff\xfes\x00", "UTF-16"),
    (b"", "empty"),
])
def test_bad_rosters_are_refused(tmp_path, content, why):
    (tmp_path / "r.csv").write_bytes(content)
    with pytest.raises(RosterError, match=why):
        read_roster(tmp_path / "r.csv")


def test_roster_without_id_column_exits_2_with_one_line(tmp_path):
    (tmp_path / "r.csv").write_text("x,y\n1,2\n", encoding="utf-8")
    r = _cli("sheet", "--topic", "gan", "--students", "r.csv", "-o", "out/", cwd=tmp_path)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists()


def test_roster_tab_separated_keeps_other_columns(tmp_path):
    (tmp_path / "r.tsv").write_text("Email\tSTUDENT\tname\nx@y\ts9\tZoe\n", encoding="utf-8")
    assert read_roster(tmp_path / "r.tsv") == [Student("s9", "Zoe", (("email", "x@y"),))]


def test_key_equal_to_roster_is_refused_and_the_roster_kept(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("student\na\n", encoding="utf-8")
    with pytest.raises(SheetWriteError, match="the roster itself"):
        write_sheets(Request([], ["gan"]), str(tmp_path / "o") + "/", "md", False, str(roster), key=str(roster))
    assert roster.read_text(encoding="utf-8") == "student\na\n"
    r = _cli("sheet", "--topic", "gan", "--students", "r.csv", "--key", "./r.csv", "-o", "o/", cwd=tmp_path)
    assert r.returncode == 2 and "roster itself" in r.stderr


def test_variants_of_one_item_ask_the_same_parts():
    """scaled_dot_product asks residual_output for some draws only: every student gets the sheet seed's parts."""
    students = [Student(f"s{i:02d}") for i in range(24)]
    req = Request(["attention/scaled_dot_product:2", "positional/sinusoidal"], [], seed=3)
    sheets = variants(req, students)
    from examprep.sheets.select import instances, parse_items

    base = [parts_of(pt, inst) for pt, inst in instances(parse_items(req.targets, [], 1), seed=3)]
    for sh in sheets:
        assert [tuple(p.name for p in sp.parts) for sp in sh.problems] == base
        assert sum(p.weight for sp in sh.problems for p in sp.final_parts) == \
            sum(p.weight for sp in sheets[0].problems for p in sp.final_parts)
    assert len({sp.code for sh in sheets for sp in sh.problems}) == 3 * len(students)  # still all different
    from examprep.registry import make

    pt = make("attention/scaled_dot_product")
    assert len({parts_of(pt, pt.generate(s)) for s in range(40)}) > 1  # without the rule, variants would differ


def test_file_names_are_readable_and_distinct():
    ids = ["José", "Jos_", "a/b", "a_b", "Ana", "ana", "x" * 250, "李雷", "...", "a b"]
    stems = file_stems(ids)
    assert len(set(s.casefold() for s in stems.values())) == len(ids)
    assert stems["José"] == "José" and stems["Jos_"] == "Jos_" and stems["李雷"] == "李雷" and stems["a_b"] == "a_b"
    assert stems["a/b"].startswith("a_b-") and stems["a b"].startswith("a_b-")
    assert len(stems["x" * 250]) < 100 and stems["..."].startswith("student-")
    assert file_stem("a/b") == file_stem("a/b") != file_stem("a_b")


def test_per_student_files_never_overwrite_each_other(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("student\nJosé\nJos_\na/b\na_b\n" + "y" * 250 + "\n", encoding="utf-8")
    files = write_sheets(Request(["cnn/conv_output_size"], []), str(tmp_path / "c") + "/", "md", False, str(roster))
    sheets = [f for f in files if f.suffix == ".md"]
    assert len(sheets) == 5 == len({f.name for f in sheets})
    assert all(f.exists() for f in files)


def test_write_failures_are_one_line_errors(tmp_path):
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    roster = tmp_path / "r.csv"
    roster.write_text("student\na\n", encoding="utf-8")
    for args in (("sheet", "cnn/conv_output_size", "--students", "r.csv", "-o", "afile/sub/", "-f", "md"),
                 ("export", "moodle", "cnn/conv_output_size", "-o", "afile/q.xml")):
        r = _cli(*args, cwd=tmp_path)
        assert r.returncode == 2 and "cannot write" in r.stderr and "Traceback" not in r.stderr, r.stderr


@pytest.mark.parametrize("args", [
    ("sheet", "cnn/conv_output_size", "-o", "out.docx"),
    ("sheet", "cnn/conv_output_size", "-f", "md", "-o", "z.pdf"),
    ("export", "moodle", "cnn/conv_output_size", "-o", "q.docx"),
    ("grade", "c.csv", "-o", "rep.xlsx"),
    ("grade", "c.csv", "-f", "json", "-o", "rep.csv"),
])
def test_unknown_or_contradicting_output_formats_are_refused(tmp_path, args):
    (tmp_path / "c.csv").write_text("student,code,part,answer\na,EXZR-JWW,h_out,55\n", encoding="utf-8")
    r = _cli(*args, cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    line = r.stderr.strip()
    assert len(line.splitlines()) == 1 and ("pdf, html, md, tex, typ" in line or "csv, json, html" in line
                                            or "xml" in line or "contradicts" in line)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.csv"]  # nothing written


def test_key_csv_ids_cannot_run_as_formulas(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text('student\n"=HYPERLINK(""http://x"",""y"")"\n+cmd\n@a\n-1\nok\n', encoding="utf-8")
    write_sheets(Request(["cnn/conv_output_size"], []), str(tmp_path / "k") + "/", "md", False, str(roster))
    ids = {row["student"] for row in csv.DictReader((tmp_path / "k" / "key.csv").open(encoding="utf-8"))}
    assert ids == {"'=HYPERLINK(\"http://x\",\"y\")", "'+cmd", "'@a", "-1", "ok"}  # a number is no formula


def test_markdown_and_html_escape_titles_and_ids(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("student\n<img src=x onerror=alert(1)>\n", encoding="utf-8")
    req = Request(["cnn/conv_output_size"], [], title="<script>alert(1)</script> *week*")
    for fmt in ("md", "html"):
        files = write_sheets(req, str(tmp_path / fmt) + "/", fmt, False, str(roster))
        text = files[0].read_text(encoding="utf-8")
        assert not re.search(r"(?<!\\)<(script|img)", text), fmt  # Markdown shows \<img as text; HTML has &lt;
