"""Batch grading (`examprep grade`) and answer keys (`examprep key`).

A hand-built class on cnn/conv_output_size pins literal totals and shares; a generated class over every registered
type checks totals and shares against the problem API; hostile and random answers go through the whole pipeline.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from examprep.grader import batch
from examprep.grader.batch import Gradebook, KeyCache, Row, grade_file, read_submissions
from examprep.grader.report import cell, render, write_atomic
from examprep.grader.score import VERDICTS, grade_answers, grade_part
from examprep.grader.submissions import SubmissionsFileError
from examprep.registry import list_specs, make
from examprep.solver.render import value_text

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
HEADER = ["student", "code", "part", "answer"]


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "examprep.cli", *args], capture_output=True, text=True, env=ENV,
                          timeout=300, cwd=cwd)


def write_csv(path: Path, rows: list[list[Any]], header: list[str] = HEADER, delimiter: str = ",",
              bom: bool = True) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode())
    return path


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def by_student(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["student"]: s for s in report["students"]}


# ---- a hand-built class with literal expectations ---------------------------------------------------------------
def conv(n: int, k: int, s: int, p: int, d: int) -> int:
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


@pytest.fixture(scope="module")
def conv_case() -> dict[str, Any]:
    """A square-kernel instance where padding and channels matter and the mistakes give different numbers."""
    pt = make("cnn/conv_output_size")
    for seed in range(500):
        inst = pt.generate(seed, "medium")
        p = inst.params
        if p.P == 0 or p.C_in == p.C_out or p.K is None:
            continue
        h = conv(p.H, p.K, p.S, p.P, p.D)
        one_side = (p.H + p.P - p.D * (p.K - 1) - 1) // p.S + 1
        hs = {k: m.answers["h_out"] for k, m in pt.mistakes(p).items() if "h_out" in m.answers}
        order = list(hs)  # the grader names the first mistake that matches
        ok = (order.index("padding_one_side") < order.index("no_plus_one")
              and len({h, hs["padding_subtracted"], hs["padding_one_side"], hs["no_plus_one"]}) == 4)
        if ok and p.H == p.W and h + 7 not in hs.values():
            return {"code": inst.code, "p": p, "h": h, "w": conv(p.W, p.K, p.S, p.P, p.D), "one_side": one_side}
    raise AssertionError("no suitable instance")


def conv_rows(c: dict[str, Any]) -> list[list[Any]]:
    code, p, h, w = c["code"], c["p"], c["h"], c["w"]
    return [
        ["ana", code, "h_out", h], ["ana", code, "w_out", w], ["ana", code, "c_out", p.C_out],
        ["ben", code.lower(), "h_out", c["one_side"]], ["ben", code, "w_out", c["one_side"]],
        ["ben", code, "c_out", f" {p.C_out} "],
        ["cai", code, "h_out", h - 1], ["cai", code, "w_out", f"{w}.0"], ["cai", code, "c_out", p.C_in],
        ["dee", code, "h_out", "abc"], ["dee", code, "w_out", ""], ["dee", code, "c_out", f"{p.C_out * 2}/2"],
        ["eli", code, "h_out", h + 7], ["eli", code, "h_out", h],
        ["fay", code[:-1] + ("0" if code[-1] != "0" else "1"), "h_out", h],  # checksum typo
        ["fay", code, "depth", 3],
        ["", code, "h_out", h],
    ]


def test_hand_built_class_totals_and_shares(conv_case: dict[str, Any], tmp_path: Path) -> None:
    book = grade_file(write_csv(tmp_path / "s.csv", conv_rows(conv_case)))
    r = book.report()
    s = by_student(r)
    assert {k: (v["points"], v["possible"], v["percent"]) for k, v in s.items()} == {
        "ana": (3, 3, 100.0), "ben": (1, 3, 33.33), "cai": (1, 3, 33.33), "dee": (1, 3, 33.33),
        "eli": (1, 3, 33.33), "fay": (0, 0, None)}
    (t,) = r["summary"]
    assert t["problem"] == "cnn/conv_output_size-v1"
    assert (t["answers"], t["right"], t["partial"], t["wrong"], t["invalid"]) == (13, 7, 0, 4, 2)
    assert t["share_right"] == 7 / 13
    assert [(m["mistake"], m["count"], m["share"]) for m in t["mistakes"]] == [
        ("padding_one_side", 2, 2 / 13), ("c_in_channels", 1, 1 / 13), ("no_plus_one", 1, 1 / 13)]
    assert "one side" in t["mistakes"][0]["feedback"]
    assert r["rows"] == {"read": 17, "graded": 14, "invalid": 2, "rejected": 3, "superseded": 1, "reported": 5}
    lines = {i["line"]: i["reason"] for i in r["reported"]}
    assert sorted(lines) == [11, 12, 16, 17, 18]
    assert "unparseable answer" in lines[11] and "empty answer" in lines[12]
    assert "checksum" in lines[16] and "no part 'depth'" in lines[17] and "missing field 'student'" in lines[18]
    dee = {p["part"]: p for p in s["dee"]["questions"][0]["parts"]}
    assert dee["h_out"]["verdict"] == "invalid" and dee["h_out"]["score"] == 0
    eli = {p["part"]: p["verdict"] for p in s["eli"]["questions"][0]["parts"]}
    assert eli == {"h_out": "right", "w_out": "unanswered", "c_out": "unanswered"}
    assert book.exit_code == 3


def test_policies(conv_case: dict[str, Any], tmp_path: Path) -> None:
    code, h = conv_case["code"], conv_case["h"]
    rows = [["eli", code, "h_out", h + 7], ["eli", code, "h_out", h], ["eli", code, "h_out", "junk"]]
    path = write_csv(tmp_path / "s.csv", rows)
    got = {}
    for policy in ("last", "best", "first"):
        r = grade_file(path, policy).report()
        got[policy] = (r["students"][0]["points"], r["students"][0]["questions"][0]["parts"][0]["line"])
        assert r["rows"]["superseded"] == 2
    assert got == {"last": (0, 4), "best": (1, 3), "first": (0, 2)}
    with pytest.raises(SubmissionsFileError):
        Gradebook("worst")


def test_csv_and_jsonl_agree(conv_case: dict[str, Any], tmp_path: Path) -> None:
    rows = conv_rows(conv_case)
    a = grade_file(write_csv(tmp_path / "s.csv", rows, delimiter=";")).report()
    b = grade_file(write_jsonl(tmp_path / "s.jsonl", [dict(zip(HEADER, x, strict=True)) for x in rows])).report()

    def strip(rep: dict[str, Any]) -> Any:
        return [(s["student"], s["points"], [(p["part"], p["verdict"], p["answer"]) for q in s["questions"]
                                             for p in q["parts"]]) for s in rep["students"]], rep["summary"]

    assert strip(a) == strip(b)
    assert [i["line"] for i in b["reported"]] == [i["line"] - 1 for i in a["reported"]]  # JSON lines: no header


# ---- a generated class over the whole registry ------------------------------------------------------------------
def typed(v: Any, part: Any) -> str:
    """A value as a careful student types it (12 significant figures)."""
    if isinstance(v, str):
        return v
    arr = np.asarray(v, dtype=float)
    if part.kind == "integer" or part.integral:
        return value_text(np.rint(arr).astype(int).tolist() if arr.ndim else int(round(float(arr))))
    return value_text(np.vectorize(lambda x: float(f"{x:.12g}"))(arr).tolist() if arr.ndim else
                      float(f"{float(arr):.12g}"))


JUNK = ["__import__('os').system('true')", "1e999999", "[[1,2],[3]]", "", "<script>alert(1)</script>", "=1+1"]


def generated_class() -> tuple[list[dict[str, Any]], dict[str, tuple[float, float]], dict[str, Counts]]:
    """Rows, expected (points, possible) per student, expected summary counts per problem type."""
    rows: list[dict[str, Any]] = []
    totals: dict[str, tuple[float, float]] = {}
    counts: dict[str, Counts] = {}
    for spec in list_specs():
        pt = make(spec.id)
        c = counts.setdefault(pt.id, Counts())
        for i, (seed, diff) in enumerate([(s, d) for s in range(2) for d in ("easy", "medium", "hard")]):
            inst = pt.generate(seed, diff)
            truth, mistakes = pt.solve(inst.params), pt.mistakes(inst.params)
            asked = pt.active_parts(inst.params)
            students: dict[str, dict[str, Any]] = {f"{pt.id}:right:{i}": dict(truth)}
            for name, m in mistakes.items():
                students[f"{pt.id}:{name}:{i}"] = {p.name: m.answers.get(p.name, truth[p.name]) for p in asked
                                                  if p.final or p.name in m.answers}
            students[f"{pt.id}:junk:{i}"] = {p.name: JUNK[k % len(JUNK)] for k, p in enumerate(asked) if p.final}
            for student, answers in students.items():
                texts = {p.name: answers[p.name] if student.endswith(f"junk:{i}") else typed(answers[p.name], p)
                         for p in asked if p.name in answers}
                rows += [{"student": student, "code": inst.code, "part": n, "answer": t} for n, t in texts.items()]
                # one student's answers to one instance, graded together (error carried forward included)
                graded = grade_answers(pt, truth, texts, mistakes, params=inst.params).parts
                points = 0.0
                for res in graded:
                    p = pt.part(res.name)
                    c.add(res)
                    points += p.weight * res.score if p.final else 0.0
                totals[student] = (points, sum(p.weight for p in asked if p.final))
            bad = inst.code[:-1] + ("0" if inst.code[-1] != "0" else "1")
            rows += [{"student": f"x{i}", "code": bad, "part": pt.parts[0].name, "answer": "1"},
                     {"student": f"y{i}", "code": inst.code, "part": "no_such_part", "answer": "1"},
                     {"student": f"z{i}", "code": inst.code, "part": pt.parts[0].name, "answer": None}]
    return rows, totals, counts


class Counts:
    def __init__(self) -> None:
        self.n = 0
        self.verdicts = dict.fromkeys(VERDICTS, 0)
        self.mistakes: dict[str, int] = {}

    def add(self, res: Any) -> None:
        self.n += 1
        self.verdicts[res.verdict] += 1
        if res.mistake:
            self.mistakes[res.mistake] = self.mistakes.get(res.mistake, 0) + 1


def test_generated_class_over_registry(tmp_path: Path) -> None:
    rows, totals, counts = generated_class()
    r = grade_file(write_jsonl(tmp_path / "class.jsonl", rows)).report()
    s = by_student(r)
    for student, (points, possible) in totals.items():
        assert s[student]["points"] == pytest.approx(points, abs=5e-7), student  # reports round to 6 dp
        assert s[student]["possible"] == possible
        assert s[student]["percent"] == round(100 * points / possible, 2)
    for t in r["summary"]:
        c = counts[t["problem"]]
        assert t["answers"] == c.n
        assert {v: t[v] for v in VERDICTS} == c.verdicts
        assert t["share_right"] == c.verdicts["right"] / c.n
        assert {m["mistake"]: (m["count"], m["share"]) for m in t["mistakes"]} == {
            k: (v, v / c.n) for k, v in c.mistakes.items()}
        assert c.mistakes, "every named mistake must be recognised somewhere in the class"
    assert set(counts) == {t["problem"] for t in r["summary"]}
    assert r["rows"]["invalid"] == sum(c.verdicts["invalid"] for c in counts.values())
    assert r["rows"]["rejected"] == 3 * 6 * len(counts)


# ---- determinism, atomic writes, formats ------------------------------------------------------------------------
def test_regrading_is_byte_identical(conv_case: dict[str, Any], tmp_path: Path) -> None:
    rows = conv_rows(conv_case) + [["gus", conv_case["code"], "h_out", "<script>alert(1)</script>"]]
    path = write_csv(tmp_path / "s.csv", rows)
    for fmt in ("csv", "json", "html"):
        a = render(grade_file(path).report(), fmt)
        b = render(grade_file(path).report(), fmt)
        assert a == b
    html = render(grade_file(path).report(), "html")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "http://" not in html and "https://" not in html and "<link" not in html
    assert 'class="bar"' in html


def test_csv_report_is_spreadsheet_safe() -> None:
    assert cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert cell("+cmd") == "'+cmd" and cell("@x") == "'@x"
    assert cell("-3") == "-3" and cell("-2.5e-3") == "-2.5e-3"


def test_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "report.json"
    write_atomic(out, "good\n")

    def boom(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError):
        write_atomic(out, "partial")
    assert out.read_text() == "good\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


# ---- reading --------------------------------------------------------------------------------------------------
def test_reader_excel_semicolons_multiline_and_bad_bytes(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"\xef\xbb\xbfStudent ; Code;PART;Answer;Section\r\n"
                     b"a;C1;h;\"[1;\r\n2]\";S1\r\n"
                     b"b;C2;h;\xff\xfe;S2\r\n"
                     b"\r\n"
                     b"c;C3;h;7\r\n")
    items = list(read_submissions(path))
    assert items[0] == Row(2, "a", "C1", "h", "[1;\r\n2]", (("section", "S1"),))
    assert items[1].line == 4 and "UTF-8" in items[1].reason
    assert items[2] == Row(6, "c", "C3", "h", "7", ())


def test_reader_file_errors(tmp_path: Path) -> None:
    cases = {"empty.csv": b"", "array.json": b"[{\"student\": 1}]\n", "utf16.csv": "student".encode("utf-16"),
             "nohead.csv": b"a,b,c\n1,2,3\n", "dupes.csv": b"student,code,part,answer,code\n"}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(SubmissionsFileError):
            list(read_submissions(tmp_path / name))
    with pytest.raises(SubmissionsFileError):
        list(read_submissions(tmp_path / "missing.csv"))


def test_jsonl_hostile_lines(tmp_path: Path, conv_case: dict[str, Any]) -> None:
    code = conv_case["code"]
    path = tmp_path / "s.jsonl"
    path.write_text("\n".join([
        json.dumps({"student": 7, "code": code, "part": "h_out", "answer": conv_case["h"]}),
        "{not json",
        "[1, 2]",
        json.dumps({"student": "a", "code": code, "part": "h_out", "answer": {"x": 1}}),
        json.dumps({"student": "b", "code": ["x"], "part": "h_out", "answer": "1"}),
        "[" * 5000 + "]" * 5000,
        json.dumps({"student": "c", "code": code, "part": "h_out", "answer": True, "note": [1]}),
    ]) + "\n")
    r = grade_file(path).report()
    assert by_student(r)["7"]["points"] == 1
    reasons = {i["line"]: i["reason"] for i in r["reported"]}
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7]
    assert "not valid JSON" in reasons[2] and "JSON object" in reasons[3]
    assert "unparseable" in reasons[4] and "must be text" in reasons[5]
    assert by_student(r)["c"]["questions"][0]["parts"][0]["extra"] == {"note": "[1]"}


def test_key_cache_builds_each_code_once(conv_case: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    real = KeyCache._build
    monkeypatch.setattr(KeyCache, "_build", staticmethod(lambda c: built.append(c) or real(c)))
    book = Gradebook(cache_size=2)
    pt = make("cnn/conv_output_size")
    codes = [conv_case["code"], pt.generate(1, "easy").code]
    for i in range(200):
        book.add(Row(i + 2, f"s{i}", codes[i % 2], "c_out", "1"))
    assert sorted(built) == sorted(codes)
    book.add(Row(999, "t", pt.generate(2, "easy").code, "c_out", "1"))
    assert len(book.cache._keys) == 2 and book.counts["graded"] == 201


# ---- hostile and random answers ---------------------------------------------------------------------------------
HOSTILE = ["__import__('os').system('touch PWNED')", "exec('open(\"PWNED\",\"w\")')", "eval('1')", "lambda: 1",
           "().__class__.__bases__[0].__subclasses__()", "9**9**9**9", "1e308*10", "[" * 500 + "1" + "]" * 500,
           "\x00\x1b[2J", "'; DROP TABLE", "{{7*7}}", "${7*7}", "\u202e1", "1" * 5000, "sqrt(-1)", "ln(0)", "1/0",
           "x" * 20000, "NaN", "-inf", "[1, 2", "]", "\r\n", "=cmd|' /C calc'!A0"]
ANSWERS = st.one_of(st.sampled_from(HOSTILE), st.text(st.characters(blacklist_categories=("Cs",)), max_size=80),
                    st.from_regex(r"[-+*/^()\[\], .0-9eE]{0,40}", fullmatch=True))


@contextlib.contextmanager
def no_evaluator() -> Iterator[None]:
    """While grading, any call to eval, exec, sympify or parse_expr fails the test."""
    import builtins

    import sympy
    import sympy.parsing.sympy_parser as sp

    def refuse(*a: Any, **k: Any) -> Any:
        raise AssertionError("submitted text reached an evaluator")

    with pytest.MonkeyPatch.context() as mp:
        for name in ("eval", "exec"):
            mp.setattr(builtins, name, refuse)
        mp.setattr(sympy, "sympify", refuse)
        mp.setattr(sp, "parse_expr", refuse)
        yield


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=st.lists(ANSWERS, min_size=1, max_size=12))
def test_random_and_hostile_answers_each_get_a_verdict(answers: list[str], conv_case: dict[str, Any],
                                                       tmp_path: Path) -> None:
    code = conv_case["code"]
    specs = list_specs()
    targets = [(code, "h_out")] + [(make(s.id).generate(3, "hard").code, make(s.id).parts[-1].name) for s in specs]
    rows = [[f"s{i}", *targets[i % len(targets)], a] for i, a in enumerate(answers)]
    csv_path = write_csv(tmp_path / "h.csv", rows)
    jsonl_path = write_jsonl(tmp_path / "h.jsonl", [dict(zip(HEADER, x, strict=True)) for x in rows])
    grade_file(csv_path)  # warm-up: lazy imports may legitimately compile code
    for path in (csv_path, jsonl_path):
        with no_evaluator():
            book = grade_file(path)
        assert book.counts == {"read": len(rows), "graded": len(rows), "invalid": book.counts["invalid"],
                               "rejected": 0, "superseded": 0}
        report = book.report()
        kept = sorted(((s["student"], p) for s in report["students"] for q in s["questions"] for p in q["parts"]
                       if p["line"] is not None), key=lambda kv: kv[1]["line"])
        assert len(kept) == len(rows)
        for _, g in kept:
            assert g["verdict"] in VERDICTS
            assert 0 <= g["score"] <= 1
        for student, g in kept:
            i = int(student[1:])
            assert g["answer"] == answers[i][:200]
        assert book.counts["invalid"] == sum(1 for _, g in kept if g["verdict"] == "invalid")
        for fmt in ("csv", "json", "html"):
            render(grade_file(path).report(), fmt)
    assert not (ROOT / "PWNED").exists() and not Path("PWNED").exists()


# ---- the command line -------------------------------------------------------------------------------------------
def test_cli_grade_exit_codes_and_report(conv_case: dict[str, Any], tmp_path: Path) -> None:
    code, p = conv_case["code"], conv_case["p"]
    clean = write_csv(tmp_path / "clean.csv", [["ana", code, "h_out", conv_case["h"]],
                                               ["ana", code, "c_out", p.C_out]])
    r = cli("grade", str(clean), "-o", str(tmp_path / "r.json"))
    assert r.returncode == 0, r.stderr
    rep = json.loads((tmp_path / "r.json").read_text())
    assert rep["students"][0]["points"] == 2 and rep["students"][0]["possible"] == 3
    assert "ana" in r.stdout and "Class summary" in r.stdout

    messy = write_csv(tmp_path / "messy.csv", conv_rows(conv_case))
    r = cli("grade", str(messy), "-o", str(tmp_path / "r.html"))
    assert r.returncode == 3, r.stderr
    html = (tmp_path / "r.html").read_text()
    assert "padding_one_side" in html and "15.4%" in html  # 2 of 13 answers
    first = (tmp_path / "r.html").read_bytes()
    assert cli("grade", str(messy), "-o", str(tmp_path / "r.html")).returncode == 3
    assert (tmp_path / "r.html").read_bytes() == first

    r = cli("grade", str(messy), "--format", "csv")
    assert r.returncode == 3
    recs = list(csv.DictReader(io.StringIO(r.stdout.lstrip("\ufeff"))))
    assert {x["student"]: x["points"] for x in recs if x["record"] == "student"}["ana"] == "3"
    assert "Class summary" in r.stderr

    assert cli("grade", str(tmp_path / "missing.csv")).returncode == 2
    assert cli("grade", str(clean), "--policy", "worst").returncode == 2
    assert cli("grade", str(clean), "--format", "pdf").returncode == 2
    assert cli("grade", str(clean), "-o", str(tmp_path / "no" / "r.csv")).returncode == 2
    (tmp_path / "nohead.csv").write_text("a,b\n1,2\n")
    r = cli("grade", str(tmp_path / "nohead.csv"))
    assert r.returncode == 2 and "student, code, part, answer" in r.stderr


def test_cli_key(conv_case: dict[str, Any]) -> None:
    code, p = conv_case["code"], conv_case["p"]
    r = cli("key", code.lower())
    assert r.returncode == 0, r.stderr
    assert f"code {code}" in r.stdout
    assert f"h_out = {conv_case['h']}" in r.stdout and f"c_out = {p.C_out}" in r.stdout
    r = cli("key", code, "--json")
    (k,) = json.loads(r.stdout)
    assert {x["part"]: x["value"] for x in k["parts"]} == {"h_out": conv_case["h"], "w_out": conv_case["w"],
                                                           "c_out": p.C_out}
    assert cli("key", code[:-1] + ("0" if code[-1] != "0" else "1")).returncode == 2


@pytest.mark.parametrize("spec", list_specs(), ids=lambda s: s.id)
def test_key_matches_solve_and_marks_intermediate(spec: Any) -> None:
    pt = make(spec.id)
    inst = pt.generate(5, "medium")
    k = batch.answer_key(inst.code)
    truth = pt.solve(inst.params)
    assert [x["part"] for x in k["parts"]] == [p.name for p in pt.active_parts(inst.params)]
    for x in k["parts"]:
        part = pt.part(x["part"])
        assert x["final"] == part.final
        assert grade_part(part, truth[part.name], x["value"]).score == 1
        if isinstance(x["value"], float):
            assert math.isfinite(x["value"])
