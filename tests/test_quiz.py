"""The quiz: a real session in a pseudo-terminal, the history database, the scheduler, stats, scripted mode."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pexpect
import pytest

from examprep.instances import from_code
from examprep.quiz import scheduler
from examprep.quiz.session import HINT_COST
from examprep.quiz.stats import bar, compute, trend
from examprep.quiz.store import Attempt, HistoryError, HistoryStore, default_path
from examprep.registry import list_specs, make
from examprep.solver.render import value_text

ROOT = Path(__file__).resolve().parents[1]
CODE_RE = r"code ([0-9A-Z]{4}-[0-9A-Z-]+)"
PROMPT_RE = r"\n(?:\x1b\[[0-9;]*m)*(\w+) \([^\n]*\) › "
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def env(tmp_path: Path) -> dict[str, str]:
    e = dict(os.environ)
    e.update(PYTHONPATH=str(ROOT), EXAMPREP_HOME=str(tmp_path / "home"), NO_COLOR="1", COLUMNS="200",
             TERM="xterm")
    return e


def cli(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "examprep.cli", *args], input=stdin if stdin is not None else "",
                          capture_output=True, text=True, env=env(tmp_path), timeout=120)


def answer_for(part: Any, value: Any, right: bool) -> str:
    """Text a student would type: the true value, or one that is clearly wrong but well-formed."""
    if right:
        return value_text(value)
    if part.kind in ("label", "choice"):
        others = [c for c in part.choices if c != value]
        return others[0] if others else "not-" + str(value)
    if part.kind in ("vector", "matrix"):
        import numpy as np

        return value_text((np.asarray(value, dtype=float) + 1000.0).tolist())
    return value_text(value + 1000 if part.kind == "integer" else value * 3 + 7)


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute(sql))


# ---- the real program in a pseudo-terminal ---------------------------------------------------------------------
def spawn(tmp_path: Path, *args: str) -> pexpect.spawn:
    return pexpect.spawn(sys.executable, ["-m", "examprep.cli", "quiz", *args], env=env(tmp_path),
                         encoding="utf-8", timeout=60, dimensions=(60, 200))


def answer_question(child: pexpect.spawn, right: bool) -> str:
    """Read the instance code on screen, answer every final part right or wrong; returns the code."""
    child.expect(CODE_RE)
    code = child.match.group(1)
    inst = from_code(code)
    pt = make(inst.problem_id)
    truth = pt.solve(inst.params)
    for part in pt.final_parts:
        child.expect(PROMPT_RE)
        assert ANSI.sub("", child.match.group(1)) == part.name
        child.sendline(answer_for(part, truth[part.name], right))
        child.expect("✓ right" if right else "✗ wrong")
    child.expect("Score: 100%" if right else "Score: 0%")
    return code


def test_pty_session_keeps_graded_attempts_after_ctrl_c_and_resumes(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    child = spawn(tmp_path, "--db", str(db), "--count", "3", "--seed", "11", "--topic", "cnn",
                  "--kind", "numeric")  # numeric only: the stats below count cnn problems
    code1 = answer_question(child, right=True)
    child.expect("Enter next question")
    child.sendline("")
    code2 = answer_question(child, right=False)
    child.expect("Enter next question")
    child.sendline("w")
    child.expect("Worked solution")
    child.expect("Answer: ")
    child.expect(CODE_RE)
    code3 = child.match.group(1)
    child.expect(PROMPT_RE)
    child.send("12")  # typing the answer to the third question ...
    time.sleep(0.2)
    child.sendintr()  # ... and Ctrl-C
    child.expect("Interrupted")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert len({code1, code2, code3}) == 3

    got = rows(db, "SELECT code, status, score FROM attempts ORDER BY id")
    assert got == [(code1, "graded", 1.0), (code2, "graded", 0.0)]
    assert rows(db, "SELECT pending_code, pending_position, finished FROM sessions") == [(code3, 2, 0)]

    # stats --json reflects the two attempts
    out = cli(tmp_path, "stats", "--db", str(db), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["attempts"] == 2 and data["accuracy"] == pytest.approx(0.5)
    assert [(t["topic"], t["attempts"], t["right"]) for t in data["topics"]] == [("cnn", 2, 1)]
    wrong_unit = scheduler.unit_of(from_code(code2).problem_id)
    assert wrong_unit in data["due_now"]

    # --resume continues with the third question
    child = spawn(tmp_path, "--db", str(db), "--resume")
    child.expect(r"Question 3 of 3")
    assert answer_question(child, right=True) == code3
    child.expect("Enter next question")
    child.sendline("")
    child.expect("Summary")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert [r[0] for r in rows(db, "SELECT code FROM attempts ORDER BY id")] == [code1, code2, code3]
    assert rows(db, "SELECT finished, pending_code FROM sessions") == [(1, None)]


# ---- scripted mode ---------------------------------------------------------------------------------------------
def _exemplar(seed: int, difficulty: str) -> tuple[Any, Any, dict[str, Any]]:
    pt = make("cnn/conv_output_size")
    inst = pt.generate(seed, difficulty)  # a fresh history's first question uses the given seed
    return pt, inst, pt.solve(inst.params)


def test_answers_file_reasks_invalid_input_and_shows_solution(tmp_path: Path) -> None:
    pt, inst, truth = _exemplar(5, "easy")
    lines = ["abc"] + [value_text(truth[p.name]) for p in pt.final_parts] + [":w"]
    f = tmp_path / "answers.txt"
    f.write_text("\n".join(lines) + "\n")
    db = tmp_path / "h.db"
    out = cli(tmp_path, "quiz", "--db", str(db), "--type", "cnn/conv_output_size", "--difficulty", "easy",
              "--seed", "5", "--count", "1", "--answers", str(f))
    assert out.returncode == 0, out.stderr
    assert inst.code in out.stdout
    assert "try again" in out.stdout and "Worked solution" in out.stdout and "Answer: " in out.stdout
    (status, score, answers), = rows(db, "SELECT status, score, answers FROM attempts")
    assert (status, score) == ("graded", 1.0)
    assert "abc" not in json.loads(answers).values()


def test_stdin_pipe_hint_costs_and_skip(tmp_path: Path) -> None:
    pt, inst, truth = _exemplar(7, "medium")
    lines = [":h"] + [value_text(truth[p.name]) for p in pt.final_parts] + [":s", ":w"]
    db = tmp_path / "h.db"
    out = cli(tmp_path, "quiz", "--db", str(db), "--type", "cnn/conv_output_size", "--difficulty", "medium",
              "--seed", "7", "--count", "3", stdin="\n".join(lines) + "\n")
    assert out.returncode == 0, out.stderr
    assert "Hint" in out.stdout and "Skipped. Answer: " in out.stdout and "Given up" in out.stdout
    got = rows(db, "SELECT code, status, score, hint FROM attempts ORDER BY id")
    assert got[0] == (inst.code, "graded", pytest.approx(1 - HINT_COST), 1)
    assert [g[1:] for g in got[1:]] == [("skipped", 0.0, 0)] * 2
    assert rows(db, "SELECT finished FROM sessions") == [(1,)]


def test_end_of_scripted_input_leaves_the_session_resumable(tmp_path: Path) -> None:
    pt, inst, truth = _exemplar(3, "hard")
    db = tmp_path / "h.db"
    first = value_text(truth[pt.final_parts[0].name])
    out = cli(tmp_path, "quiz", "--db", str(db), "--type", "cnn/conv_output_size", "--difficulty", "hard",
              "--seed", "3", "--count", "1", stdin=first + "\n")
    assert out.returncode == 0, out.stderr
    assert rows(db, "SELECT count(*) FROM attempts") == [(0,)]
    assert rows(db, "SELECT name, answer FROM parts") == [(pt.final_parts[0].name, first)]  # the graded part
    lines = [value_text(truth[p.name]) for p in pt.final_parts[1:]]  # --resume asks only the parts left
    out = cli(tmp_path, "quiz", "--db", str(db), "--resume", stdin="\n".join(lines) + "\n")
    assert out.returncode == 0, out.stderr
    assert "Continuing this question" in out.stdout
    assert rows(db, "SELECT code, score FROM attempts") == [(inst.code, 1.0)]
    assert rows(db, "SELECT count(*) FROM parts") == [(0,)]


def test_quiz_never_imports_torch(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "examprep.cli", "quiz", "--db",
                          str(tmp_path / "h.db"), "--count", "1", "--seed", "2"], input=":s\n:w\n",
                         capture_output=True, text=True, env=env(tmp_path), timeout=120)
    assert out.returncode == 0, out.stderr
    modules = [line.split("|")[-1].strip() for line in out.stderr.splitlines() if line.startswith("import time:")]
    assert "examprep.quiz.session" in modules  # the hook really saw the quiz's imports
    assert not [m for m in modules if m == "torch" or m.startswith("torch.")]


# ---- the history database --------------------------------------------------------------------------------------
def _attempt(session: int, i: int, problem_id: str = "cnn/conv_output_size-v1", score: float = 1.0,
             created: float | None = None) -> Attempt:
    return Attempt(session_id=session, position=i, code=f"CODE-{i}", problem_id=problem_id, difficulty="easy",
                   status="graded", score=score, answers={"h_out": str(i)},
                   verdicts=[{"name": "h_out", "verdict": "right" if score else "wrong"}], seconds=1.5,
                   created=time.time() if created is None else created)


def test_store_round_trip_and_wal(tmp_path: Path) -> None:
    with HistoryStore.open(tmp_path / "h.db") as store:
        sid = store.start_session({"count": 2})
        store.set_pending(sid, "CODE-0", 0)
        assert store.last_unfinished().pending_code == "CODE-0"
        store.record(_attempt(sid, 0))
        assert store.last_unfinished().pending_code is None
        assert store.attempts(sid)[0].answers == {"h_out": "0"}
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        store.finish_session(sid)
        assert store.last_unfinished() is None


def test_default_path_follows_examprep_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXAMPREP_HOME", str(tmp_path / "h"))
    assert default_path() == tmp_path / "h" / "history.sqlite3"
    out = cli(tmp_path, "stats", "--json")  # cli() sets EXAMPREP_HOME=tmp_path/home
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["db"] == str(tmp_path / "home" / "history.sqlite3")


def _foreign_sqlite(p: Path) -> None:
    with sqlite3.connect(p) as conn:
        conn.execute("CREATE TABLE grades (student TEXT, mark REAL)")
        conn.execute("INSERT INTO grades VALUES ('ada', 0.9)")
    conn.close()


@pytest.mark.parametrize("kind", ["text", "foreign", "garbage_sqlite", "directory"])
def test_corrupt_or_foreign_db_is_a_clear_error_and_untouched(tmp_path: Path, kind: str) -> None:
    p = tmp_path / "history.sqlite3"
    if kind == "text":
        p.write_text("these are my lecture notes, not a database\n" * 50)
    elif kind == "foreign":
        _foreign_sqlite(p)
    elif kind == "garbage_sqlite":
        p.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 20)
    else:
        p.mkdir()
    before = p.read_bytes() if p.is_file() else None
    with pytest.raises(HistoryError):
        HistoryStore.open(p)
    for args in (["quiz", "--db", str(p), "--count", "1"], ["stats", "--db", str(p)]):
        out = cli(tmp_path, *args, stdin=":q\n")
        assert out.returncode == 2
        assert out.stderr.startswith("error: ") and "Traceback" not in out.stderr
        assert "--db" in out.stderr
    if before is not None:
        assert p.read_bytes() == before
    assert not Path(str(p) + "-wal").exists()


_WRITER = """
import sys, time
from examprep.quiz.store import Attempt, HistoryStore
store = HistoryStore.open(sys.argv[1])
sid = store.start_session({"count": 10**6})
i = 0
while True:
    store.set_pending(sid, f"C-{i}", i)
    store.record(Attempt(sid, i, f"C-{i}", "cnn/conv_output_size-v1", "easy", "graded", 1.0,
                         {"h_out": "x" * 500}, [{"name": "h_out", "verdict": "right"}], 0.1))
    i += 1
    print(i, flush=True)
"""


def test_history_survives_kill_9_during_writes(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    total = 0
    for _ in range(3):
        proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(db)], stdout=subprocess.PIPE, text=True,
                                env=env(tmp_path))
        assert proc.stdout is not None
        acked = 0
        while acked < 30:
            acked = int(proc.stdout.readline())
        os.kill(proc.pid, signal.SIGKILL)  # the writer is in the middle of its next transactions
        proc.wait()
        proc.stdout.close()
        with HistoryStore.open(db) as store:
            assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            attempts = store.attempts()
            assert len(attempts) >= total + acked  # every acknowledged commit is there
            assert all(a.answers == {"h_out": "x" * 500} for a in attempts)  # and no row is torn
            total = len(attempts)


def test_quiz_picks_the_registered_topic_answered_wrongly_first(tmp_path: Path) -> None:
    """Over the real registry: the type answered wrong comes first (topics when there are two, else types)."""
    from rich.console import Console

    from examprep.quiz.inputs import ScriptInput
    from examprep.quiz.session import Quiz, QuizOptions

    specs = list_specs()
    by_topic: dict[str, Any] = {}
    for s in specs:
        by_topic.setdefault(s.topic, s)
    pair = list(by_topic.values())[:2] if len(by_topic) >= 2 else specs[:2]
    if len(pair) < 2:
        pytest.skip("needs two registered problem types")
    right, wrong = pair
    with HistoryStore.open(tmp_path / "h.db") as store:
        sid = store.start_session({})
        store.record(_attempt(sid, 0, right.id, 1.0, time.time() - 20))
        store.record(_attempt(sid, 1, wrong.id, 0.0, time.time() - 10))
        store.finish_session(sid)
        topics = sorted({right.topic, wrong.topic})
        quiz = Quiz(store, QuizOptions(topics=topics, seed=0), Console(file=io.StringIO()),
                    ScriptInput(iter([]), None))
        pt, inst = quiz.next_instance(0, store.attempts())
        assert pt.id == wrong.id
        assert inst.difficulty == "easy"


def test_quiz_adapts_difficulty_to_the_history(tmp_path: Path) -> None:
    from rich.console import Console

    from examprep.quiz.inputs import ScriptInput
    from examprep.quiz.session import Quiz, QuizOptions

    spec = list_specs(["cnn"])[0]
    with HistoryStore.open(tmp_path / "h.db") as store:
        quiz = Quiz(store, QuizOptions(types=[spec.id], seed=0), Console(file=io.StringIO()),
                    ScriptInput(iter([]), None))
        assert quiz.next_instance(0, store.attempts())[1].difficulty == "medium"
        store.record(_attempt(quiz.session_id, 0, spec.id, 0.0))
        _, inst = quiz.next_instance(1, store.attempts())
        assert inst.difficulty == "easy" and inst.code != "CODE-0"


# ---- stats -----------------------------------------------------------------------------------------------------
def test_stats_accuracy_trend_and_due() -> None:
    now = 1_000_000.0
    t0 = now - 1000
    attempts = [_attempt(1, i, "cnn/conv_output_size-v1", s, t0 + i) for i, s in enumerate([0, 0, 1, 1])]
    attempts.append(_attempt(1, 4, "x/other-v2", 1.0, t0 + 5))
    attempts.append(_attempt(1, 5, "y/missed-v1", 0.0, t0 + 6))
    data = compute(attempts, now=now)
    cnn = next(t for t in data["topics"] if t["topic"] == "cnn")
    assert (cnn["attempts"], cnn["right"], cnn["accuracy"], cnn["trend"]) == (4, 2, 0.5, 1.0)
    assert data["accuracy"] == pytest.approx(3 / 6)
    assert data["due_now"] == ["y/missed"]  # wrong: due after the 10-minute relearning step
    # right after two misses: review in 1 day; right at the first try: in 2 days
    assert [(d["type"], round((d["at"] - t0) / 86400)) for d in data["next_due"]] == [("cnn/conv_output_size", 1),
                                                                                       ("x/other", 2)]
    assert trend([1.0]) is None and trend([0.0, 1.0]) == 1.0 and trend([0.0, 1.0, 1.0]) == 0.0
    assert bar(0.5, 10) == "█████·····" and bar(1.0, 4) == "████" and bar(0.0, 3) == "···"


def test_quiz_start_imports_only_what_the_first_question_needs(tmp_path: Path) -> None:
    """Start-up speed (benchmarks/quiz_startup.py): typer's rich help machinery and tempfile are not loaded."""
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "examprep.cli", "quiz", "--db",
                          str(tmp_path / "h.db"), "--count", "1", "--seed", "2"], input=":q\n",
                         capture_output=True, text=True, env=env(tmp_path), timeout=120)
    assert out.returncode == 0, out.stderr
    modules = {line.split("|")[-1].strip() for line in out.stderr.splitlines() if line.startswith("import time:")}
    assert {"examprep.quiz.session", "numpy", "rich.console"} <= modules
    assert not modules & {"typer.rich_utils", "rich.markdown", "rich.traceback", "tempfile", "sympy", "torch"}
    helped = cli(tmp_path, "quiz", "--help")  # help keeps typer's rich panels
    assert helped.returncode == 0 and "╭─ Options" in helped.stdout
    other = cli(tmp_path, "list", "--help")
    assert "╭─ Options" in other.stdout
