"""The FSRS scheduler: ratings from attempts, the order of the next question, adaptive difficulty, old histories.

``tests/data/history_v1.sqlite3`` was written by the history store of the version before FSRS (schema 1, commit
ab60a67): conv_param_count right three times over nine days, conv_output_size right then wrong, pool_output_size
skipped; the last attempt at ``T_LAST``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from examprep.quiz import scheduler
from examprep.quiz.scheduler import AGAIN, EASY, GOOD, HARD, Review
from examprep.quiz.stats import compute
from examprep.quiz.store import Attempt, HistoryStore

ROOT = Path(__file__).resolve().parents[1]
OLD_HISTORY = ROOT / "tests" / "data" / "history_v1.sqlite3"
DAY = 86400.0
T0 = 1_780_000_000.0
T_LAST = T0 + 9 * DAY + 120
NOW = 1_000_000_000.0


def attempt(verdicts: list[str], *, seconds: float = 40.0, hint: bool = False, difficulty: str = "medium",
            status: str = "graded") -> Attempt:
    return Attempt(session_id=1, position=0, code="AAAA-AAA", problem_id="cnn/conv_output_size-v1",
                   difficulty=difficulty, status=status, score=0.0, answers={},
                   verdicts=[{"name": f"p{i}", "verdict": v} for i, v in enumerate(verdicts)], seconds=seconds,
                   hint=hint, created=NOW)


def test_rating_follows_the_documented_thresholds() -> None:
    rating = scheduler.rating
    assert rating(attempt(["right", "wrong"])) == AGAIN
    assert rating(attempt(["right", "partial"])) == AGAIN
    assert rating(attempt([], status="skipped")) == AGAIN
    assert rating(attempt(["right"], hint=True, seconds=5)) == HARD
    # slow: more than SLOW_SECONDS per part (two parts: 240 s is the limit)
    assert rating(attempt(["right", "right"], seconds=241)) == HARD
    assert rating(attempt(["right", "right"], seconds=240)) == GOOD
    # fast on a hard instance: at most FAST_SECONDS per part
    assert rating(attempt(["right", "right"], seconds=60, difficulty="hard")) == EASY
    assert rating(attempt(["right", "right"], seconds=61, difficulty="hard")) == GOOD
    assert rating(attempt(["right", "right"], seconds=10, difficulty="medium")) == GOOD
    assert rating(attempt(["right"], seconds=10, difficulty="hard", hint=True)) == HARD


def test_fsrs_intervals() -> None:
    """FSRS-6 defaults: a first Good has stability w2 = 2.3065 days, and at retention 0.9 the interval equals the
    stability (rounded: 2 days); a first Again stays in learning for the 10-minute step."""
    good = scheduler.replay([Review("u", GOOD, NOW)])["u"]
    assert good.stability == pytest.approx(2.3065)
    assert good.due == NOW + 2 * DAY and not good.learning
    assert good.retrievability(NOW) == pytest.approx(1.0)
    assert good.retrievability(NOW + 2 * DAY) == pytest.approx(0.9, abs=0.01)
    again = scheduler.replay([Review("u", AGAIN, NOW)])["u"]
    assert again.learning and again.due == NOW + 600
    assert scheduler.is_due(again, NOW) and not scheduler.is_due(good, NOW + DAY)
    assert scheduler.is_due(good, NOW + 2 * DAY)
    later = scheduler.replay([Review("u", GOOD, NOW), Review("u", GOOD, NOW + 2 * DAY)])["u"]
    assert later.stability > 2 * good.stability and later.due > NOW + 6 * DAY


def test_a_type_answered_wrongly_comes_back_before_a_mastered_one() -> None:
    history = [Review("a/mastered", GOOD, NOW - 20 * DAY), Review("a/mastered", GOOD, NOW - 17 * DAY),
               Review("a/mastered", EASY, NOW - 5 * DAY), Review("b/wrong", GOOD, NOW - 3 * DAY),
               Review("b/wrong", AGAIN, NOW - 60)]
    mem = scheduler.replay(history)
    order = scheduler.rank(["a/mastered", "b/wrong", "c/new"], mem, NOW)
    assert order == ["b/wrong", "c/new", "a/mastered"]
    assert scheduler.choose(["a/mastered", "b/wrong"], mem, NOW) == "b/wrong"
    # ... but not twice in a row when there is another candidate
    assert scheduler.choose(["a/mastered", "b/wrong"], mem, NOW, previous="b/wrong") == "a/mastered"
    assert scheduler.choose(["b/wrong"], mem, NOW, previous="b/wrong") == "b/wrong"
    # once the mastered type is overdue it is asked before new ones, the most forgotten first
    far = mem["a/mastered"].due + DAY
    assert scheduler.rank(["a/mastered", "c/new"], mem, far) == ["a/mastered", "c/new"]


def test_difficulty_of_the_next_instance_follows_the_card() -> None:
    new = None
    missed = scheduler.replay([Review("u", GOOD, NOW - DAY), Review("u", AGAIN, NOW)])["u"]
    once = scheduler.replay([Review("u", GOOD, NOW)])["u"]
    hard_won = scheduler.replay([Review("u", AGAIN, NOW - 60), Review("u", GOOD, NOW)])["u"]
    assert [scheduler.difficulty_for(m) for m in (new, missed, once, hard_won)] == ["medium", "easy", "hard",
                                                                                    "medium"]
    assert hard_won.stability < scheduler.HARD_STABILITY <= once.stability


def test_tie_break_is_seeded() -> None:
    units = [f"t/u{i}" for i in range(8)]
    a = scheduler.rank(units, {}, NOW, seed=1, position=0)
    assert a == scheduler.rank(units, {}, NOW, seed=1, position=0)
    assert sorted(a) == units
    assert len({tuple(scheduler.rank(units, {}, NOW, seed=s)) for s in range(6)}) > 1


def test_item_keys_leave_room_for_other_kinds() -> None:
    key = scheduler.item_key("concept", "attention/softmax")
    assert key == "concept:attention/softmax" and ":" not in scheduler.unit_of("cnn/conv_output_size-v1")
    mem = scheduler.replay([Review(key, AGAIN, NOW), Review("cnn/conv_output_size", GOOD, NOW)])
    assert mem[key].learning and not mem["cnn/conv_output_size"].learning


def test_history_from_the_previous_version_opens_and_schedules(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    shutil.copy(OLD_HISTORY, db)
    with HistoryStore.open(db) as store:
        attempts = store.attempts()
    assert len(attempts) == 6
    data = compute(attempts, now=T_LAST + 60)
    types = {t["type"]: t for t in data["types"]}
    assert data["due_now"] == ["cnn/conv_output_size", "cnn/pool_output_size"]
    assert [d["type"] for d in data["next_due"]] == ["cnn/conv_param_count"]
    assert types["cnn/conv_param_count"]["next_difficulty"] == "hard"
    assert types["cnn/conv_output_size"]["next_difficulty"] == "easy"
    assert types["cnn/conv_param_count"]["due_at"] > T_LAST + 7 * DAY
    r = types["cnn/conv_param_count"]["retrievability"]
    assert 0.9 < r <= 1.0
    mem = scheduler.memories(attempts)
    assert scheduler.rank(["cnn/conv_param_count", "cnn/conv_output_size", "cnn/shape_chain"], mem,
                          T_LAST + 60) == ["cnn/conv_output_size", "cnn/shape_chain", "cnn/conv_param_count"]
    # opened read-write, as a quiz opens it, the old file is upgraded in place (schema 2) with its attempts kept
    assert sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0] == 2


def test_quiz_on_an_old_history_asks_the_missed_type_first_and_easy(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    shutil.copy(OLD_HISTORY, db)
    env = dict(os.environ, PYTHONPATH=str(ROOT), EXAMPREP_HOME=str(tmp_path / "home"), NO_COLOR="1",
               COLUMNS="200")
    out = subprocess.run([sys.executable, "-m", "examprep.cli", "quiz", "--db", str(db), "--topic", "cnn",
                          "--count", "1", "--seed", "3"], input=":q\n", capture_output=True, text=True, env=env,
                         timeout=120)
    assert "cnn/conv_output_size-v1 · code" in out.stdout, out.stdout + out.stderr
    assert "· easy" in out.stdout
    stats = subprocess.run([sys.executable, "-m", "examprep.cli", "stats", "--db", str(db)], capture_output=True,
                           text=True, env=env, timeout=120)
    assert stats.returncode == 0 and "recall" in stats.stdout and "cnn/conv_param_count" in stats.stdout


def test_the_quiz_modules_do_not_import_fsrs_until_a_card_is_replayed() -> None:
    code = ("import sys, examprep.quiz.session, examprep.quiz.stats; assert 'fsrs' not in sys.modules; "
            "from examprep.quiz import scheduler; scheduler.replay([]); assert 'fsrs' not in sys.modules; "
            "scheduler.replay([scheduler.Review('u', 3, 0.0)]); assert 'fsrs' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
