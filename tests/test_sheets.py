"""Sheets and exports: PDF text layer holds every code and final answer, Markdown, rosters + answer key graded
by the real ``examprep grade``, Moodle XML structure, HTML with MathML (headless browser when installed)."""

from __future__ import annotations

import csv
import io
import math
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from examprep.registry import list_specs
from examprep.sheets.build import build_sheet, entries, key_text
from examprep.sheets.moodle import part_tolerance, quiz_xml
from examprep.sheets.render import render, source
from examprep.sheets.select import SelectionError, instances, parse_items, student_seed
from examprep.sheets.students import file_stem, key_csv, read_roster
from examprep.solver.expr import fmt_number

ROOT = Path(__file__).resolve().parent.parent


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "examprep.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def _norm(s: str) -> str:
    return "".join(s.replace("\u2212", "-").split())


@pytest.fixture(scope="module")
def all_types_sheet():
    pairs = instances(parse_items([], [], 1), seed=11)
    return build_sheet(pairs, title="All types", seed=11, difficulty="medium")


def test_selection_items_counts_and_codes():
    items = parse_items(["cnn/conv_output_size:3", "attention/scaled_dot_product"], ["positional"], 2)
    assert [(i.target, i.count) for i in items] == [
        ("cnn/conv_output_size-v1", 3), ("attention/scaled_dot_product-v2", 2), ("positional/sinusoidal-v1", 2)]
    pairs = instances(items, seed=5)
    assert [inst.seed for pt, inst in pairs[:3]] == [5, 6, 7]
    code = pairs[0][1].code
    again = instances(parse_items([code], [], 1))
    assert again[0][1].code == code and again[0][1].params == pairs[0][1].params
    assert len(parse_items([], [], 1)) == len(list_specs())
    with pytest.raises(SelectionError):
        parse_items(["cnn/conv_output_size:0"], [], 1)


def test_student_seed_reproducible_and_distinct():
    assert student_seed(3, "s001") == student_seed(3, "s001") < 2**31
    assert student_seed(3, "s001") != student_seed(3, "s002")
    assert student_seed(3, "s001") != student_seed(4, "s001")


def test_pdf_of_every_type_holds_codes_and_final_answers(all_types_sheet):
    from pypdf import PdfReader

    pdf = render(all_types_sheet, "pdf")
    assert pdf[:5] == b"%PDF-"
    text = _norm("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    assert len(all_types_sheet.problems) == len(list_specs())
    for sp in all_types_sheet.problems:
        assert sp.code in text, sp.problem.id
        for part in sp.final_parts:
            for v in entries(sp.answers[part.name]):
                shown = v if isinstance(v, str) else fmt_number(v)
                if isinstance(v, float) and "e" in shown and part.kind in ("vector", "matrix"):
                    mant, exp = shown.split("e")  # typeset as mant × 10^exp in matrices
                    shown = f"{mant}×10{exp}"
                assert _norm(shown) in text, (sp.problem.id, part.name, shown)


def test_problem_sheet_without_solutions_hides_answers():
    pairs = instances(parse_items(["attention/scaled_dot_product"], [], 1), seed=2)
    sh = build_sheet(pairs, title="T", seed=2, difficulty="medium", solutions=False)
    src = source(sh, "typ")
    assert pairs[0][1].code in src and "Watch out" not in src and "Solution" not in src
    full = source(build_sheet(pairs, title="T", seed=2, difficulty="medium"), "typ")
    assert "Watch out" in full and 'mat(delim: "["' in full


def test_markdown_sheet(all_types_sheet):
    md = source(all_types_sheet, "md")
    for sp in all_types_sheet.problems:
        assert f"code `{sp.code}`" in md
    assert md.count("### Solution") == len(all_types_sheet.problems)
    assert "\\begin{bmatrix}" in md and "**Watch out:**" in md


def test_markdown_sheet_structure_parses_as_written(all_types_sheet):
    """Each answer part is a list item of its own, and the solution, answer and warnings are blocks of their own
    (a block tag once swallowed the newlines: the bullets ran together on one line)."""
    from markdown_it import MarkdownIt

    md = source(all_types_sheet, "md")
    tokens = MarkdownIt("commonmark").parse(md)
    items = sum(t.type == "list_item_open" and t.level == 1 for t in tokens)
    parts = sum(len(sp.parts) for sp in all_types_sheet.problems)
    headings = [t.map and md.splitlines()[t.map[0]] for t in tokens if t.type == "heading_open"]
    assert sum(h.startswith("### Solution") for h in headings) == len(all_types_sheet.problems)
    assert items >= parts  # derivation steps are numbered list items too
    for line in md.splitlines():
        assert line.count("- **") <= 1, line[:120]
    answers = [i for i, t in enumerate(tokens) if t.type == "inline" and t.content.startswith("**Answer:**")]
    assert answers and all(tokens[i - 1].type == "paragraph_open" and tokens[i - 1].level == 0 for i in answers)


def test_key_text_precision():
    assert key_text(np.float64(0.1) / 3) == repr(0.1 / 3)
    assert key_text(np.array([[1, 2], [3, 4]])) == "[[1, 2], [3, 4]]"
    assert key_text("sun") == "sun" and key_text(np.int64(7)) == "7"


def test_students_answer_key_grades_to_100(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student,name\ns001,Ann\ns002,Bob\nx 3,Cy\n", encoding="utf-8")
    assert [(s.id, s.name) for s in read_roster(roster)] == [("s001", "Ann"), ("s002", "Bob"), ("x 3", "Cy")]
    r = _cli("sheet", "attention/scaled_dot_product", "positional/sinusoidal", "bayes/gaussian_2d",
             "cnn/conv_output_size:2", "--students", str(roster), "--seed", "9", "--no-solutions",
             "-o", "class", "--format", "md", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    stem = file_stem("x 3")
    assert stem.startswith("x_3-") and len(stem) == len("x_3-") + 6  # changed, so a hash keeps it distinct
    assert sorted(p.name for p in (tmp_path / "class").iterdir()) == ["key.csv", "s001.md", "s002.md", f"{stem}.md"]
    rows = list(csv.DictReader((tmp_path / "class" / "key.csv").open(encoding="utf-8")))
    assert {r["student"] for r in rows} == {"s001", "s002", "x 3"}
    by_student = {s: {r["code"] for r in rows if r["student"] == s} for s in ("s001", "s002")}
    assert by_student["s001"].isdisjoint(by_student["s002"])  # different variants
    assert all(c in (tmp_path / "class" / "s001.md").read_text() for c in by_student["s001"])
    g = _cli("grade", "class/key.csv", "-o", "report.json", cwd=tmp_path)
    assert g.returncode == 0, g.stderr
    import json

    report = json.loads((tmp_path / "report.json").read_text())
    pct = [s["percent"] for s in report["students"]] if isinstance(report["students"], list) else \
        [s["percent"] for s in report["students"].values()]
    assert len(pct) == 3 and all(math.isclose(p, 100.0) for p in pct)
    assert report["rows"]["graded"] == len(rows) and report["rows"]["reported"] == 0


def test_students_reproducible_combined(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("id\na\nb\n", encoding="utf-8")
    for out in ("one.md", "two.md"):
        r = _cli("sheet", "cnn/conv_output_size", "--students", str(roster), "--seed", "4", "--solutions",
                 "-o", out, cwd=tmp_path)
        assert r.returncode == 0, r.stderr
    assert (tmp_path / "one.md").read_text() == (tmp_path / "two.md").read_text()
    assert (tmp_path / "one-key.csv").read_text() == (tmp_path / "two-key.csv").read_text()


def test_moodle_xml_structure_answers_and_tolerances(tmp_path):
    r = _cli("export", "moodle", "cnn/conv_output_size", "gan/optimal_discriminator", "divergence/kl_gaussian",
             "attention/scaled_dot_product", "bayes/gaussian_1d", "--seed", "3", "-o", "quiz.xml", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    root = ET.parse(tmp_path / "quiz.xml").getroot()
    assert root.tag == "quiz"
    qs = root.findall("question")
    assert qs[0].get("type") == "category" and qs[0].find("category/text").text.endswith("/examprep")
    pairs = instances(parse_items(["cnn/conv_output_size", "gan/optimal_discriminator", "divergence/kl_gaussian",
                                   "attention/scaled_dot_product", "bayes/gaussian_1d"], [], 1), seed=3)
    assert len(qs) == 1 + len(pairs)
    for q, (pt, inst) in zip(qs[1:], pairs, strict=True):
        truth = pt.solve(inst.params)
        finals = [p for p in pt.active_parts(inst.params) if p.final]
        assert inst.code in q.find("name/text").text and q.find("idnumber").text == inst.code
        assert q.find("questiontext").get("format") == "html"
        assert q.find("generalfeedback").get("format") == "html"
        assert "<ol>" in q.find("generalfeedback/text").text
        text = q.find("questiontext/text").text
        if q.get("type") == "numerical":
            assert len(finals) == 1 and finals[0].kind in ("integer", "real")
            a = q.find("answer")
            assert a.get("fraction") == "100"
            assert math.isclose(float(a.find("text").text), float(truth[finals[0].name]), rel_tol=1e-11)
            assert math.isclose(float(a.find("tolerance").text), part_tolerance(finals[0], truth[finals[0].name]),
                                rel_tol=1e-9, abs_tol=0)
        else:
            assert q.get("type") == "cloze"
            import re

            fields = re.findall(r"\{\d+:(NUMERICAL|SHORTANSWER):(?:=|%100%)((?:\\.|[^#~}\\])*)", text)
            expected = [v for p in finals for v in entries(truth[p.name])]
            assert len(fields) == len(expected)
            for (kind, body), v in zip(fields, expected, strict=True):
                if isinstance(v, str):
                    assert kind == "SHORTANSWER" and body == v
                else:
                    val, tol = body.split(":")
                    assert kind == "NUMERICAL" and math.isclose(float(val), float(v), rel_tol=1e-11, abs_tol=1e-300)
                    assert float(tol) >= 0
    kinds = {q.get("type") for q in qs[1:]}
    assert kinds == {"numerical", "cloze"}


def test_moodle_integer_tolerance_zero():
    pairs = instances(parse_items(["cnn/conv_output_size"], [], 1), seed=1)
    from examprep.sheets.build import build_problem

    xml = quiz_xml([build_problem(1, *pairs[0])]).decode()
    root = ET.fromstring(xml)
    for tol in root.iter("tolerance"):
        assert tol.text == "0"
    assert key_csv([]) == "student,code,part,answer\n"


def test_html_is_self_contained_mathml(all_types_sheet):
    html = source(all_types_sheet, "html")
    assert "<math" in html and "<mtable" in html and "<mfrac>" in html
    assert "http://" not in html.replace("http://www.w3.org/1998/Math/MathML", "")
    assert "https://" not in html and "<script" not in html
    for sp in all_types_sheet.problems:
        assert f"<code>{sp.code}</code>" in html
    ET.fromstring(html.split("<body>", 1)[1].rsplit("</body>", 1)[0].join(["<div>", "</div>"])
                  .replace("<br>", "<br/>").replace("&nbsp;", " "))  # well-formed markup


@pytest.mark.skipif(not shutil.which("chromium"), reason="no chromium installed (apt-get install chromium)")
def test_html_in_headless_chromium_prints_the_math(tmp_path):
    from pypdf import PdfReader

    pairs = instances(parse_items(["attention/scaled_dot_product", "cnn/conv2d_forward"], [], 1), seed=4)
    sh = build_sheet(pairs, title="Browser", seed=4, difficulty="medium")
    page = tmp_path / "sheet.html"
    page.write_bytes(render(sh, "html"))
    out = tmp_path / "sheet.pdf"
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", f"--print-to-pdf={out}",
                    "--no-pdf-header-footer", page.as_uri()], capture_output=True, timeout=120)
    text = _norm("".join(p.extract_text() for p in PdfReader(out).pages))
    for sp in sh.problems:
        assert sp.code in text
        for part in sp.final_parts:
            for v in entries(sp.answers[part.name]):
                assert _norm(fmt_number(v)) in text


@pytest.mark.skipif(not shutil.which("pdflatex"), reason="no pdflatex installed")
def test_latex_compiles(tmp_path):
    pairs = instances(parse_items(["attention/scaled_dot_product", "cnn/conv_output_size", "bayes/gaussian_1d"],
                                  [], 1), seed=4)
    (tmp_path / "s.tex").write_bytes(render(build_sheet(pairs, title="TeX", seed=4, difficulty="medium"), "tex"))
    r = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "s.tex"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout[-2000:]


def test_latex_source_structure(all_types_sheet):
    tex = source(all_types_sheet, "tex")
    assert tex.startswith("\\documentclass") and tex.rstrip().endswith("\\end{document}")
    assert tex.count("\\subsection*{Problem") == len(all_types_sheet.problems)
    assert "\\begin{bmatrix}" in tex
