"""Quiz history guarantees: graded parts and hints survive kill -9, one holder per session, files not ours are left
byte for byte as they were, bad options and inputs are one-line errors, old histories still open."""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pexpect
import pytest

from examprep.instances import from_code
from examprep.quiz.session import HINT_COST
from examprep.quiz.store import HistoryError, HistoryStore
from examprep.registry import make
from examprep.solver.render import value_text

ROOT = Path(__file__).resolve().parents[1]
V1 = Path(__file__).parent / "data" / "history_v1_interrupted.sqlite3"  # schema 1 (ab60a67), one interrupted
TYPE = "cnn/conv_output_size"
CODE_RE = r"code ([0-9A-Z]{4}-[0-9A-Z-]+)"


def env(tmp_path: Path, **extra: str) -> dict[str, str]:
    e = dict(os.environ)
    e.update(PYTHONPATH=str(ROOT), EXAMPREP_HOME=str(tmp_path / "home"), NO_COLOR="1", COLUMNS="200", TERM="xterm")
    e.update(extra)
    return e


def cli(tmp_path: Path, *args: str, stdin: str = "", **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "examprep.cli", *args], input=stdin, capture_output=True, text=True,
                          env=env(tmp_path, **extra), timeout=120)


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return list(conn.execute(sql))
    finally:
        conn.close()


def one_line_error(out: subprocess.CompletedProcess[str], *words: str) -> None:
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), out.stderr
    for w in words:
        assert w in lines[0], lines[0]


def truth_of(code: str) -> tuple[Any, dict[str, Any]]:
    inst = from_code(code)
    pt = make(inst.problem_id)
    return pt, pt.solve(inst.params)


def wrong(v: Any) -> str:
    return value_text(v + 1000)


def snapshot(*paths: Path) -> dict[str, str | None]:
    """Content hash of each path (None when absent): side files count too."""
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else None for p in paths}


def sides(p: Path) -> list[Path]:
    return [p, Path(f"{p}-wal"), Path(f"{p}-shm"), Path(f"{p}-journal")]


# ---- graded parts and hints are committed at once; --resume continues the question ---------------------------
def spawn(tmp_path: Path, *args: str) -> pexpect.spawn:
    return pexpect.spawn(sys.executable, ["-m", "examprep.cli", "quiz", *args], env=env(tmp_path), encoding="utf-8",
                         timeout=60, dimensions=(60, 200))


def test_kill_9_after_a_part_and_a_hint_loses_neither(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    child = spawn(tmp_path, "--db", str(db), "--type", TYPE, "--count", "1", "--seed", "21")
    child.expect(CODE_RE)
    code = child.match.group(1)
    pt, truth = truth_of(code)
    first, second, third = (p.name for p in pt.final_parts)
    child.expect(rf"{first} \(")
    child.sendline(wrong(truth[first]))
    child.expect("✗ wrong")
    child.expect(rf"{second} \(")
    child.sendline(":h")
    child.expect("Hint")
    child.expect(rf"{second} \(")
    os.kill(child.pid, signal.SIGKILL)
    child.expect(pexpect.EOF)  # not reaped yet (a zombie until close()): its claim is stale all the same
    assert rows(db, "SELECT name, answer FROM parts") == [(first, wrong(truth[first]))]
    assert rows(db, "SELECT pending_code, pending_hint, owner IS NOT NULL FROM sessions") == [(code, 1, 1)]

    # the dead holder's lock is stale: --resume takes the session over, shows the kept verdict and asks only the
    # parts left; the first part cannot be answered again and the hint still costs
    out = cli(tmp_path, "quiz", "--db", str(db), "--resume",
              stdin="\n".join(value_text(truth[n]) for n in (second, third, first)) + "\n")
    assert out.returncode == 0, out.stderr
    assert "Continuing this question" in out.stdout
    assert re.search(rf"{first} \([^)]*\) › {re.escape(wrong(truth[first]))}\n\s+✗ wrong", out.stdout)
    assert out.stdout.count(f"{first} (") == 1  # shown once, never asked again
    (status, score, hint, answers), = rows(db, "SELECT status, score, hint, answers FROM attempts")
    assert (status, hint) == ("graded", 1)
    assert score == pytest.approx(2 / 3 * (1 - HINT_COST))
    assert rows(db, "SELECT finished, owner, count(*) FROM sessions") == [(1, None, 1)]
    child.close()


def test_quit_after_a_hint_keeps_its_cost(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    out = cli(tmp_path, "quiz", "--db", str(db), "--type", TYPE, "--count", "1", "--seed", "8", stdin=":h\n:q\n")
    assert out.returncode == 0, out.stderr
    (code,), = rows(db, "SELECT pending_code FROM sessions")
    pt, truth = truth_of(code)
    out = cli(tmp_path, "quiz", "--db", str(db), "--resume",
              stdin="\n".join(value_text(truth[p.name]) for p in pt.final_parts) + "\n")
    assert out.returncode == 0, out.stderr
    assert "Hint (used" in out.stdout
    assert rows(db, "SELECT score, hint FROM attempts") == [(pytest.approx(1 - HINT_COST), 1)]


def test_skip_after_some_parts_keeps_their_credit(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    pt = make(TYPE)
    inst = pt.generate(5, "easy")
    truth = pt.solve(inst.params)
    first = pt.final_parts[0].name
    out = cli(tmp_path, "quiz", "--db", str(db), "--type", TYPE, "--difficulty", "easy", "--seed", "5", "--count",
              "1", stdin=f"{value_text(truth[first])}\n:s\n")
    assert out.returncode == 0, out.stderr
    assert f"{first} right (kept), the rest skipped · score 33%" in out.stdout
    assert "Answer: " in out.stdout
    (status, score, answers), = rows(db, "SELECT status, score, answers FROM attempts")
    assert (status, score) == ("skipped", pytest.approx(1 / 3))
    assert first in answers


class ClockInput:
    """Scripted answers; each line takes ``step`` seconds of a fake clock to type."""

    interactive = False

    def __init__(self, lines: list[str], clock: list[float], step: float) -> None:
        self.lines, self.clock, self.step = list(lines), clock, step

    def ask(self, prompt: str) -> str | None:
        self.clock[0] += self.step
        return self.lines.pop(0) if self.lines else None

    def peek(self) -> str | None:
        return None


def test_times_across_a_resume_add_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    from examprep.quiz.session import Quiz, QuizOptions

    clock = [1000.0]
    monkeypatch.setattr("examprep.quiz.session.time.monotonic", lambda: clock[0])
    pt = make(TYPE)
    out = io.StringIO()
    console = Console(file=out, width=200)
    with HistoryStore.open(tmp_path / "h.db") as store:
        quiz = Quiz(store, QuizOptions(types=[TYPE], count=2, seed=3), console, ClockInput([], clock, 0))
        inst = quiz.next_instance(0, [])[1]
        truth = pt.solve(inst.params)
        lines = [value_text(truth[p.name]) for p in pt.final_parts] + ["1"]  # question 1, then a part of 2
        quiz.inp = ClockInput(lines, clock, 10.0)
        quiz.run()  # ends with the input, in the middle of question 2: 5 lines answered, 50 s
        clock[0] += 3600  # an hour away
        quiz2, position, pending = Quiz.resume(store, console, ClockInput(["2", "3"], clock, 10.0))
        assert position == 1 and pending is not None and len(pending.parts) == 1
        quiz2.run(position, pending)
        attempts = store.attempts()
    text = out.getvalue().rsplit("Summary", 1)[1]
    total, answering = re.search(r"time (\d+:\d\d) \(answering (\d+:\d\d)\)", text).groups()
    # run 1: three answers, one part of question 2, the end of input (5 × 10 s); run 2: two answers (2 × 10 s);
    # the hour away is not counted
    assert total == "1:10"
    assert [a.seconds for a in attempts] == [pytest.approx(30), pytest.approx(40)]
    assert answering == "1:10"


# ---- one holder per session --------------------------------------------------------------------------------------
def test_a_second_resume_is_refused_while_the_first_runs(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    out = cli(tmp_path, "quiz", "--db", str(db), "--type", TYPE, "--count", "5", "--seed", "2", stdin=":s\n")
    assert out.returncode == 0, out.stderr
    first = spawn(tmp_path, "--db", str(db), "--resume")
    first.expect(r"Question 2 of 5")
    first.expect(r"› ")
    second = cli(tmp_path, "quiz", "--db", str(db), "--resume", stdin=":s\n:s\n")
    one_line_error(second, "in use", f"pid {first.pid}")
    first.sendline(":q")
    first.expect(pexpect.EOF)
    first.close()
    assert rows(db, "SELECT count(*), count(DISTINCT position) FROM attempts") == [(1, 1)]
    assert rows(db, "SELECT count(*), max(owner) FROM sessions") == [(1, None)]
    again = cli(tmp_path, "quiz", "--db", str(db), "--resume", stdin=":s\n" * 4)
    assert again.returncode == 0, again.stderr
    assert rows(db, "SELECT count(*), count(DISTINCT position), count(DISTINCT code) FROM attempts") == [(5, 5, 5)]


# ---- files that are not ours are left exactly as they were ---------------------------------------------------
_FOREIGN_WAL = """
import os, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA journal_mode = WAL")
conn.execute("PRAGMA wal_autocheckpoint = 0")
conn.execute("CREATE TABLE notes (t TEXT)")
for i in range(50):
    conn.execute("INSERT INTO notes VALUES (?)", ("x" * 300,))
os._exit(0)  # no close: the WAL stays un-checkpointed
"""

_HOT_JOURNAL = """
import os, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("CREATE TABLE notes (t TEXT)")
conn.executemany("INSERT INTO notes VALUES (?)", [("x" * 300,)] * 200)
conn.execute("PRAGMA cache_size = 1")
conn.execute("BEGIN")
conn.execute("UPDATE notes SET t = 'y' || t")  # spills to the file: a hot journal once we die
os._exit(0)
"""


def _make(kind: str, p: Path) -> None:
    if kind == "empty":
        p.write_bytes(b"")
    elif kind == "sqlite_no_tables":
        conn = sqlite3.connect(p)
        conn.execute("PRAGMA user_version = 7")
        conn.close()
    elif kind in ("foreign_wal", "hot_journal"):
        script = _FOREIGN_WAL if kind == "foreign_wal" else _HOT_JOURNAL
        subprocess.run([sys.executable, "-c", script, str(p)], check=True)
        side = Path(f"{p}-wal" if kind == "foreign_wal" else f"{p}-journal")
        assert side.exists() and side.stat().st_size > 0
    elif kind == "damaged_history":
        with HistoryStore.open(p) as store:
            sid = store.start_session({"count": 1})
            for i in range(40):
                store.set_pending(sid, f"C-{i}", i)
        with p.open("r+b") as f:  # wreck every page after the first (the header stays ours)
            f.seek(4096)
            f.write(os.urandom(p.stat().st_size - 4096))


@pytest.mark.parametrize("kind", ["empty", "sqlite_no_tables", "foreign_wal", "hot_journal", "damaged_history"])
def test_files_not_ours_are_refused_byte_for_byte_untouched(tmp_path: Path, kind: str) -> None:
    p = tmp_path / "history.sqlite3"
    _make(kind, p)
    before = snapshot(*sides(p))
    with pytest.raises(HistoryError):
        HistoryStore.open(p)
    with pytest.raises(HistoryError):
        HistoryStore.open(p, readonly=True)
    for args in (["quiz", "--db", str(p), "--count", "1"], ["quiz", "--db", str(p), "--resume"],
                 ["stats", "--db", str(p)]):
        one_line_error(cli(tmp_path, *args, stdin=":q\n"), "--db")
    assert snapshot(*sides(p)) == before


def test_a_new_history_is_made_only_where_nothing_exists(tmp_path: Path) -> None:
    p = tmp_path / "new" / "h.db"
    out = cli(tmp_path, "quiz", "--db", str(p), "--count", "1", "--seed", "1", stdin=":q\n")
    assert out.returncode == 0, out.stderr
    assert rows(p, "PRAGMA application_id")[0][0] == 0x45585052
    assert sorted(x.name for x in p.parent.iterdir()) == ["h.db"]  # no temporary file left beside it
    # stats on a path where nothing exists reads an empty history and creates nothing
    q = tmp_path / "none" / "h.db"
    out = cli(tmp_path, "stats", "--db", str(q), "--json")
    assert out.returncode == 0, out.stderr
    assert '"attempts": 0' in out.stdout and not q.parent.exists()


# ---- older histories ----------------------------------------------------------------------------------------------
def test_a_schema_1_history_reads_read_only_then_resumes_and_upgrades(tmp_path: Path) -> None:
    p = tmp_path / "h.db"
    shutil.copy(V1, p)
    before = snapshot(*sides(p))
    out = cli(tmp_path, "stats", "--db", str(p), "--json")
    assert out.returncode == 0, out.stderr
    assert '"attempts": 3' in out.stdout
    assert snapshot(*sides(p)) == before  # stats wrote nothing, not even the upgrade
    (code,), = rows(p, "SELECT pending_code FROM sessions WHERE finished = 0")
    pt, truth = truth_of(code)
    out = cli(tmp_path, "quiz", "--db", str(p), "--resume", stdin="\n".join(
        value_text(truth[q.name]) for q in pt.final_parts + pt.final_parts) + "\n")
    assert out.returncode == 0, out.stderr
    assert "Question 2 of 3" in out.stdout and "Question 3 of 3" in out.stdout
    assert rows(p, "PRAGMA user_version") == [(2,)]
    assert rows(p, "SELECT session_id, position, score FROM attempts ORDER BY id")[:3] == [
        (1, 0, 1.0), (1, 1, 0.0), (2, 0, 1.0)]
    assert rows(p, "SELECT count(*) FROM attempts WHERE session_id = 2") == [(3,)]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through file permissions")
def test_stats_on_a_read_only_history_works_read_only(tmp_path: Path) -> None:
    d = tmp_path / "ro"
    d.mkdir()
    p = d / "h.db"
    shutil.copy(V1, p)
    p.chmod(0o444)
    d.chmod(0o555)
    try:
        out = cli(tmp_path, "stats", "--db", str(p), "--json")
        assert out.returncode == 0, out.stderr
        assert '"attempts": 3' in out.stdout
        one_line_error(cli(tmp_path, "quiz", "--db", str(p), "--resume"), "read-only")
    finally:
        d.chmod(0o755)


# ---- options and inputs ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", ["-1", str(2**62)])
def test_a_bad_seed_is_refused_before_anything_is_saved(tmp_path: Path, seed: str) -> None:
    p = tmp_path / "h.db"
    one_line_error(cli(tmp_path, "quiz", "--db", str(p), "--seed", seed, stdin=":q\n"), "--seed")
    assert not p.exists()


def test_binary_answers_and_unusable_paths_are_one_line_errors(tmp_path: Path) -> None:
    binary = tmp_path / "answers.bin"
    binary.write_bytes(bytes(range(256)) * 4)
    one_line_error(cli(tmp_path, "quiz", "--db", str(tmp_path / "h.db"), "--answers", str(binary)), "--answers")
    one_line_error(cli(tmp_path, "quiz", "--db", str(tmp_path / "h2.db"), stdin="12\n\0\x80\xff\n"), "stdin")
    plain = tmp_path / "plainfile"
    plain.write_text("not a directory\n")
    for args in (["quiz", "--db", str(plain / "h.db")], ["stats", "--db", str(plain / "h.db")]):
        one_line_error(cli(tmp_path, *args, stdin=":q\n"), str(plain))
    for cmd in ("quiz", "stats"):
        one_line_error(cli(tmp_path, cmd, stdin=":q\n", EXAMPREP_HOME=str(plain)), "EXAMPREP_HOME")
    assert plain.read_text() == "not a directory\n"


def test_a_read_only_parent_is_a_one_line_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        if not Path("/sys").is_dir():
            pytest.skip("needs /sys (read-only for root too) or a non-root user")
        parent = Path("/sys/examprep-test")
    else:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        parent = ro / "sub"
    out = cli(tmp_path, "quiz", "--db", str(parent / "h.db"), "--count", "1", stdin=":q\n")
    one_line_error(out, "--db")
    assert not parent.exists()


_BUSY_WRITER = """
import sys
from examprep.quiz.store import Attempt, HistoryStore
store = HistoryStore.open(sys.argv[1])
sid = store.start_session({"count": 10**6})
print("ready", flush=True)
i = 0
while True:
    store.set_pending(sid, f"C-{i}", i)
    store.record(Attempt(sid, i, f"C-{i}", "cnn/conv_output_size-v1", "easy", "graded", 1.0,
                         {"h_out": "x" * 3000}, [{"name": "h_out", "verdict": "right"}], 0.1))
    i += 1
"""


def test_opening_while_another_quiz_writes_and_checkpoints(tmp_path: Path) -> None:
    """Identification reads a consistent snapshot: a writer's checkpoints never make the history look damaged."""
    db = tmp_path / "h.db"
    HistoryStore.open(db).close()
    proc = subprocess.Popen([sys.executable, "-c", _BUSY_WRITER, str(db)], stdout=subprocess.PIPE, text=True,
                            env=env(tmp_path))
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        seen = 0
        for i in range(60):
            with HistoryStore.open(db, readonly=bool(i % 2)) as store:
                n = len(store.attempts())
                assert n >= seen
                seen = n
        assert seen > 0
    finally:
        proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
