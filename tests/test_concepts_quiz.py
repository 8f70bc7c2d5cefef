"""A scripted quiz that mixes concept questions and numeric problems records both; --kind filters."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from examprep.concepts import list_items
from examprep.instances import from_code
from examprep.quiz import scheduler
from examprep.quiz.concept_units import quiz_units
from examprep.quiz.store import HistoryStore
from examprep.registry import make
from examprep.solver.render import value_text

NUMERIC = "cnn/conv_output_size"


def _quiz(db: Path, answers: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    f = db.with_suffix(".txt")
    f.write_text("\n".join(answers) + "\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    return subprocess.run([sys.executable, "-m", "examprep.cli", "quiz", "--db", str(db), "--answers", str(f),
                           "--seed", "4", *args], capture_output=True, text=True, env=env, timeout=120)


def _right_answers(code: str) -> list[str]:
    inst = from_code(code)
    pt = make(inst.problem_id)
    truth = pt.solve(inst.params)
    return [value_text(truth[p.name]) for p in pt.active_parts(inst.params) if p.final]


def test_scripted_quiz_mixing_concepts_and_numbers_records_both(tmp_path: Path) -> None:
    concept = list_items()[0]
    types = ["--type", NUMERIC, "--type", concept.base, "--count", "2"]
    probe = _quiz(tmp_path / "probe.db", [":s", ":s"], *types)  # learn the order this seed gives
    assert probe.returncode == 0, probe.stderr
    with HistoryStore.open(tmp_path / "probe.db") as store:
        codes = [a.code for a in store.attempts()]
    assert len(codes) == 2
    lines = [line for c in codes for line in _right_answers(c)]
    out = _quiz(tmp_path / "real.db", lines, *types)
    assert out.returncode == 0, out.stderr
    with HistoryStore.open(tmp_path / "real.db") as store:
        done = store.attempts()
    assert [a.code for a in done] == codes
    assert {a.problem_id.startswith("concept/") for a in done} == {True, False}
    assert all(a.status == "graded" and a.score == 1.0 for a in done)
    concept_attempt = next(a for a in done if a.problem_id.startswith("concept/"))
    assert concept_attempt.topic == f"{concept.topic} (concepts)"
    assert scheduler.unit_of(concept_attempt.problem_id) == f"concept:{concept.base.removeprefix('concept/')}"
    stats = subprocess.run([sys.executable, "-m", "examprep.cli", "stats", "--db", str(tmp_path / "real.db")],
                           capture_output=True, text=True, env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert f"{concept.topic} (concepts)" in stats.stdout


def test_kind_selects_numeric_concept_or_all() -> None:
    numeric = quiz_units(["cnn"], [], "numeric")
    concept = quiz_units(["cnn"], [], "concept")
    both = quiz_units(["cnn"], [], "all")
    assert numeric and all(":" not in k for k in numeric)
    assert concept and all(k.startswith("concept:cnn/") for k in concept)
    assert both == {**numeric, **concept}
    assert set(concept.values()) == {it.id for it in list_items(["cnn"])}
