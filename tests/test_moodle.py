"""Moodle export of every registered type: the XML parses as Moodle's question format, each part's share of the
marks is the one ``examprep grade`` gives it (measured by grading a file), no field layout depends on an answer, and
the named mistakes are exported as wrong answers with their feedback."""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET
from fractions import Fraction

import pytest

from examprep.grader.batch import grade_file
from examprep.sheets.build import build_problem, key_text
from examprep.sheets.cloze import field_count
from examprep.sheets.moodle import quiz_xml
from examprep.sheets.select import instances, parse_items

FIELD = re.compile(r"\{(\d+):(NUMERICAL|SHORTANSWER):((?:\\.|[^{}\\])*)\}")


@pytest.fixture(scope="module")
def problems():
    pairs = instances(parse_items([], [], 1), seed=5, difficulty="hard")
    return [build_problem(i, pt, inst) for i, (pt, inst) in enumerate(pairs, 1)]


@pytest.fixture(scope="module")
def questions(problems):
    root = ET.fromstring(quiz_xml(problems))
    assert root.tag == "quiz"
    qs = root.findall("question")
    assert qs[0].get("type") == "category" and qs[0].find("category/text").text == "$course$/top/examprep"
    return qs[1:]


@pytest.fixture(scope="module")
def grade_shares(problems, tmp_path_factory):
    """Each final part's share of its question's points, as ``examprep grade`` computes it: one student per
    (question, part) answers only that part, rightly."""
    path = tmp_path_factory.mktemp("g") / "one_part_each.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", "code", "part", "answer"])
        for sp in problems:
            for p in sp.final_parts:
                w.writerow([f"{sp.code}/{p.name}", sp.code, p.name, key_text(sp.answers[p.name])])
    report = grade_file(path).report()
    students = report["students"]
    rows = students if isinstance(students, list) else list(students.values())
    out = {}
    for s in rows:
        out[s["student"]] = Fraction(s["points"]).limit_denominator(10**6) / Fraction(s["possible"])
    return out


def test_every_question_type_is_valid_moodle_xml(questions, problems):
    assert {q.get("type") for q in questions} == {"numerical", "cloze"}
    for q, sp in zip(questions, problems, strict=True):
        for tag in ("name/text", "questiontext/text", "generalfeedback/text", "defaultgrade", "penalty", "hidden"):
            assert q.find(tag) is not None and q.find(tag).text, (sp.problem.id, tag)
        assert q.find("questiontext").get("format") == "html"
        assert float(q.find("defaultgrade").text) == sum(p.weight for p in sp.final_parts)
        text = q.find("questiontext/text").text
        if q.get("type") == "numerical":
            answers = q.findall("answer")
            assert answers[0].get("fraction") == "100"
            for a in answers:
                float(a.find("text").text), float(a.find("tolerance").text)
                assert a.find("feedback/text").text
            assert not FIELD.search(text)
        else:
            assert FIELD.search(text), sp.problem.id
            opened = len(re.findall(r"\{\d*:(?:NUMERICAL|SHORTANSWER|NM|SA|MULTICHOICE)", text))
            assert opened == len(FIELD.findall(text)), sp.problem.id  # every field parses whole


def test_cloze_marks_follow_grade_weights(questions, problems, grade_shares):
    for q, sp in zip(questions, problems, strict=True):
        if q.get("type") != "cloze":
            continue
        weights = [int(w) for w, _, _ in FIELD.findall(q.find("questiontext/text").text)]
        total = sum(weights)
        at = 0
        for p in sp.final_parts:
            n = field_count(p, sp.answers[p.name])
            share = Fraction(sum(weights[at:at + n]), total)
            at += n
            assert share == grade_shares[f"{sp.code}/{p.name}"], (sp.problem.id, p.name, share)
        assert at == len(weights)


def test_no_layout_gives_an_answer_away(questions, problems):
    """An all-or-nothing array (harris_map's corners) is one field, whatever its size."""
    seen = 0
    for q, sp in zip(questions, problems, strict=True):
        if q.get("type") != "cloze":
            continue
        fields = FIELD.findall(q.find("questiontext/text").text)
        at = 0
        for p in sp.final_parts:
            n = field_count(p, sp.answers[p.name])
            if p.kind in ("vector", "matrix") and not p.partial:
                assert n == 1 and fields[at][1] == "SHORTANSWER", (sp.problem.id, p.name)
                seen += 1
            at += n
    assert seen >= 1  # harris_map's corners


def test_named_mistakes_are_wrong_answers_with_feedback(questions, problems):
    from examprep.grader.score import matches
    from examprep.solver.prose import to_text

    exported = 0
    for q, sp in zip(questions, problems, strict=True):
        import numpy as np

        def shows(p, m, sp=sp):  # a partly-credited array is asked entry by entry: another shape cannot show
            same = np.shape(m.answers[p.name]) == np.shape(sp.answers[p.name]) or not p.partial
            return same and matches(p, m.answers[p.name], sp.answers[p.name]) < 1

        applicable = [m for m in sp.problem.mistakes(sp.instance.params).values()
                      if any(p.name in m.answers and shows(p, m) for p in sp.final_parts)]
        if q.get("type") == "numerical":
            wrong = [a for a in q.findall("answer") if a.get("fraction") == "0"]
            assert len(wrong) <= len(applicable)
            exported += len(wrong)
        else:
            text = q.find("questiontext/text").text
            for m in applicable:
                fb = to_text(m.feedback)
                for c in "\\{}#~/\"":
                    fb = fb.replace(c, "\\" + c)
                assert fb in text, (sp.problem.id, m.feedback)
                exported += 1
    assert exported > 50
