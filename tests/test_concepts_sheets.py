"""Concept items on sheets, in the key CSV, in ``examprep grade`` and in the Moodle export."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from examprep.concepts import list_items
from examprep.concepts.model import ConceptItem
from examprep.concepts.moodle import concept_question
from examprep.concepts.problem import ConceptType
from examprep.sheets.build import Sheet, build_problem
from examprep.sheets.moodle import quiz_xml
from examprep.sheets.render import source


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    return subprocess.run([sys.executable, "-m", "examprep.cli", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=300)


def _ten_targets() -> list[str]:
    """Ten concept questions: distinct items while the bank has them, then further instances of the first."""
    items = list_items()
    targets = [it.id for it in items[:10]]
    if len(targets) < 10:
        targets.append(f"{items[0].id}:{10 - len(targets) + 1}")
        targets.pop(0)
    return targets


def test_sheet_of_ten_concept_items_and_its_key_grade_to_full_marks(tmp_path: Path) -> None:
    from examprep.sheets.commands import Request, variants
    from examprep.sheets.students import Student, key_csv

    sheets = variants(Request(_ten_targets(), [], seed=3), [Student("ann"), Student("bob")])
    (tmp_path / "key.csv").write_text(key_csv(sheets), encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "key.csv").read_text(encoding="utf-8"))))
    assert len(rows) == 20 and {r["part"] for r in rows} == {"choice"}
    graded = _cli("grade", "key.csv", "-o", "report.csv", cwd=tmp_path)
    assert graded.returncode == 0, graded.stderr
    assert graded.stdout.count("100.0%") >= 2
    sheet = source([Sheet(s.title, s.seed, s.difficulty, s.problems, s.student, False) for s in sheets][:1], "md")
    assert "\nA. " in sheet and "\nD. " in sheet
    assert "Why:" not in sheet
    assert source(sheets[:1], "md").count("Why:") == 10
    # a wrong answer on one single-choice row costs exactly that question
    single = next(r for r in rows if len(r["answer"]) == 1 and r["answer"] in "ABCDE")
    single["answer"] = next(c for c in "ABCD" if c != single["answer"])
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=["student", "code", "part", "answer"], lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    (tmp_path / "wrong.csv").write_text(buf.getvalue(), encoding="utf-8")
    graded = _cli("grade", "wrong.csv", cwd=tmp_path)
    assert "90.0%" in graded.stdout and "100.0%" in graded.stdout


@pytest.mark.parametrize("fmt", ["md", "html", "tex", "typ"])
def test_every_format_letters_the_options_and_solutions_explain(fmt: str) -> None:
    from examprep.sheets.build import build_sheet

    it = next(i for i in list_items() if i.kind == "choice")
    pt = ConceptType(it)
    inst = pt.generate(2)
    key_option = next(o for _, o in pt.options(inst.params) if o.correct)
    seen = {}
    for solutions in (False, True):
        sh = build_sheet([(pt, inst)], title="T", seed=0, difficulty="medium", solutions=solutions)
        src = source(sh, fmt)
        for letter, _ in pt.options(inst.params):
            assert f"{letter}. " in src
        assert ("Why:" in src) == solutions
        seen[solutions] = src.count(key_option.text[:20])
    assert seen[True] == seen[False] + 1  # the solutions repeat the right option in the answer


def _item(kind: str, **kw: object) -> ConceptItem:
    base = {"id": f"concept/cnn/moodle-{kind}-v1", "kind": kind, "difficulty": "easy", "covers": ["seed_004#20"],
            "source": "s", "stem": f"Is $x_{{t-1}} < 2$ for {kind}?", "explanation": f"Explained {kind}."}
    return ConceptItem.from_dict({**base, **kw}, "cnn")


KINDS = {
    "choice": _item("choice", options=[{"text": t, "correct": t == "b", "feedback": f"fb {t}"} for t in "abcd"]),
    "multi": _item("multi", options=[{"text": t, "correct": t in "ab", "feedback": f"fb {t}"} for t in "abcd"]),
    "truefalse": _item("truefalse", answer=False),
    "short": _item("short", answers=["weight sharing", "tied weights"]),
}


def test_moodle_question_types_carry_feedback() -> None:
    problems = [build_problem(i, ConceptType(it), ConceptType(it).generate(3)) for i, it in enumerate(KINDS.values())]
    root = ET.fromstring(quiz_xml(problems))
    qs = {q.findtext("name/text").split(" · ")[0]: q for q in root.findall("question")[1:]}
    assert [q.get("type") for q in root.findall("question")[1:]] == ["multichoice", "multichoice", "truefalse",
                                                                     "shortanswer"]
    for kind, q in zip(KINDS, root.findall("question")[1:], strict=True):
        assert q.findtext("generalfeedback/text") == f"<p>Explained {kind}.</p>"
        assert "\\(x_{t-1} &lt; 2\\)" in q.findtext("questiontext/text")
        answers = q.findall("answer")
        assert answers and all(a.findtext("feedback/text") for a in answers)
    choice, multi, tf, short = root.findall("question")[1:]
    assert choice.findtext("single") == "true" and multi.findtext("single") == "false"
    assert sorted(float(a.get("fraction")) for a in choice.findall("answer")) == [0, 0, 0, 100]
    assert sorted(float(a.get("fraction")) for a in multi.findall("answer")) == [-50, -50, 50, 50]
    fb = {a.findtext("text"): a.findtext("feedback/text") for a in multi.findall("answer")}
    assert fb["<p>c</p>"] == "<p>fb c</p>"
    assert {a.findtext("text"): a.get("fraction") for a in tf.findall("answer")} == {"true": "0", "false": "100"}
    assert [a.findtext("text") for a in short.findall("answer")] == ["weight sharing", "tied weights", "*"]
    assert len(qs) == 4


def test_moodle_letters_follow_the_instance_order() -> None:
    pt = ConceptType(KINDS["choice"])
    inst = pt.generate(11)
    q = concept_question(build_problem(1, pt, inst))
    assert [a.findtext("text") for a in q.findall("answer")] == [f"<p>{o.text}</p>" for _, o in pt.options(inst.params)]
    assert q.findtext("shuffleanswers") == "false"


def test_moodle_export_of_the_whole_bank_parses(tmp_path: Path) -> None:
    out = _cli("export", "moodle", "concept/all", "-o", "bank.xml", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    root = ET.parse(tmp_path / "bank.xml").getroot()
    qs = root.findall("question")[1:]
    assert len(qs) == len(list_items())
    assert {q.get("type") for q in qs} <= {"multichoice", "truefalse", "shortanswer"}
    assert all(q.findtext("generalfeedback/text") for q in qs)
