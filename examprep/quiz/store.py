"""The quiz history: one SQLite file (WAL mode) holding sessions and graded attempts.

Every attempt is committed in its own transaction the moment it is graded, so Ctrl-C, a closed terminal or a
``kill -9`` loses nothing already answered (SQLite's write-ahead log makes each commit atomic and durable).

The file is checked before anything is written to it: a file that is not SQLite, or an SQLite database that some
other program made, raises :class:`HistoryError` and is left exactly as it was.

Location: ``--db PATH``, else ``$EXAMPREP_HOME/history.sqlite3``, else the platform's user data directory
(``platformdirs.user_data_dir("examprep")``).
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from examprep.errors import ExamprepError

APPLICATION_ID = 0x45585052  # "EXPR": marks the file as an examprep history (PRAGMA application_id)
SCHEMA_VERSION = 1
FILENAME = "history.sqlite3"
_SQLITE_MAGIC = b"SQLite format 3\x00"

_SCHEMA = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    started REAL NOT NULL,
    updated REAL NOT NULL,
    finished INTEGER NOT NULL DEFAULT 0,
    options TEXT NOT NULL,
    pending_code TEXT,
    pending_position INTEGER
);
CREATE TABLE attempts (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    problem_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    difficulty TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('graded', 'skipped')),
    score REAL NOT NULL,
    hint INTEGER NOT NULL DEFAULT 0,
    answers TEXT NOT NULL,
    verdicts TEXT NOT NULL,
    seconds REAL NOT NULL,
    created REAL NOT NULL
);
CREATE INDEX attempts_problem ON attempts(problem_id, created);
"""


class HistoryError(ExamprepError):
    """The history database cannot be used (not SQLite, made by another program, damaged, newer schema)."""


def default_path() -> Path:
    """``$EXAMPREP_HOME/history.sqlite3`` when set, else the user data directory's ``history.sqlite3``."""
    home = os.environ.get("EXAMPREP_HOME")
    if home:
        return Path(home).expanduser() / FILENAME
    import platformdirs

    return Path(platformdirs.user_data_dir("examprep", appauthor=False)) / FILENAME


@dataclass(frozen=True)
class Attempt:
    """One answered (or skipped) question."""

    session_id: int
    position: int
    code: str
    problem_id: str
    difficulty: str
    status: str
    score: float
    answers: dict[str, str]
    verdicts: list[dict[str, Any]]
    seconds: float
    hint: bool = False
    created: float = field(default_factory=time.time)

    @property
    def topic(self) -> str:
        """The problem's topic; ``cnn (concepts)`` for a concept question of topic cnn."""
        if self.problem_id.startswith("concept/"):
            return self.problem_id.split("/")[1] + " (concepts)"
        return self.problem_id.split("/", 1)[0]

    @property
    def base(self) -> str:
        """The problem type without its version (``cnn/conv_output_size``): the scheduler's unit."""
        return self.problem_id.rsplit("-v", 1)[0]


@dataclass(frozen=True)
class Session:
    """A quiz session: its options (as given) and the question shown but not yet answered, if any."""

    id: int
    started: float
    finished: bool
    options: dict[str, Any]
    pending_code: str | None
    pending_position: int | None


class HistoryStore:
    """The history database. Open it with :meth:`open`; use it as a context manager or call :meth:`close`."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None) -> HistoryStore:
        """Open (creating if needed) the history at ``path``; refuses files that are not examprep histories."""
        p = Path(path).expanduser() if path is not None else default_path()
        _check_file(p)
        p.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(p, timeout=10.0, isolation_level=None)
        except sqlite3.Error as e:
            raise HistoryError(f"cannot open the history {p}: {e}; choose another file with --db") from e
        try:
            _check_or_init(conn, p)
        except sqlite3.DatabaseError as e:
            conn.close()
            raise _damaged(p, e) from e
        except BaseException:
            conn.close()
            raise
        return cls(conn, p)

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    # ---- writing (each call is one committed transaction) -------------------------------------------------
    def _write(self, sql: str, args: tuple[Any, ...]) -> int:
        try:
            with self.conn:
                self.conn.execute("BEGIN IMMEDIATE")
                cur = self.conn.execute(sql, args)
                return int(cur.lastrowid or 0)
        except sqlite3.DatabaseError as e:
            raise _damaged(self.path, e) from e

    def start_session(self, options: dict[str, Any]) -> int:
        """A new session with the quiz options; returns its id."""
        now = time.time()
        return self._write("INSERT INTO sessions (started, updated, options) VALUES (?, ?, ?)",
                           (now, now, json.dumps(options)))

    def set_pending(self, session_id: int, code: str, position: int) -> None:
        """Remember the question on screen, so ``--resume`` asks the same one again."""
        self._write("UPDATE sessions SET pending_code = ?, pending_position = ?, updated = ? WHERE id = ?",
                    (code, position, time.time(), session_id))

    def record(self, a: Attempt) -> int:
        """Commit one attempt (and clear the session's pending question) in a single transaction."""
        try:
            with self.conn:
                self.conn.execute("BEGIN IMMEDIATE")
                cur = self.conn.execute(
                    "INSERT INTO attempts (session_id, position, code, problem_id, topic, difficulty, status, score,"
                    " hint, answers, verdicts, seconds, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (a.session_id, a.position, a.code, a.problem_id, a.topic, a.difficulty, a.status, a.score,
                     int(a.hint), json.dumps(a.answers), json.dumps(a.verdicts), a.seconds, a.created))
                self.conn.execute("UPDATE sessions SET pending_code = NULL, pending_position = NULL, updated = ?"
                                  " WHERE id = ?", (a.created, a.session_id))
                return int(cur.lastrowid or 0)
        except sqlite3.DatabaseError as e:
            raise _damaged(self.path, e) from e

    def finish_session(self, session_id: int) -> None:
        self._write("UPDATE sessions SET finished = 1, pending_code = NULL, pending_position = NULL, updated = ?"
                    " WHERE id = ?", (time.time(), session_id))

    # ---- reading -------------------------------------------------------------------------------------------
    def _rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        try:
            self.conn.row_factory = sqlite3.Row
            return list(self.conn.execute(sql, args))
        except sqlite3.DatabaseError as e:
            raise _damaged(self.path, e) from e

    def attempts(self, session_id: int | None = None) -> list[Attempt]:
        """Every attempt in the order it was made (of one session when ``session_id`` is given)."""
        where, args = ("WHERE session_id = ?", (session_id,)) if session_id is not None else ("", ())
        rows = self._rows(f"SELECT * FROM attempts {where} ORDER BY created, id", args)
        return [Attempt(session_id=r["session_id"], position=r["position"], code=r["code"],
                        problem_id=r["problem_id"], difficulty=r["difficulty"], status=r["status"],
                        score=r["score"], answers=json.loads(r["answers"]), verdicts=json.loads(r["verdicts"]),
                        seconds=r["seconds"], hint=bool(r["hint"]), created=r["created"]) for r in rows]

    def session(self, session_id: int) -> Session | None:
        rows = self._rows("SELECT * FROM sessions WHERE id = ?", (session_id,))
        return _session(rows[0]) if rows else None

    def last_unfinished(self) -> Session | None:
        """The most recent session that was interrupted or quit before its last question."""
        rows = self._rows("SELECT * FROM sessions WHERE finished = 0 ORDER BY updated DESC, id DESC LIMIT 1")
        return _session(rows[0]) if rows else None


def _session(r: sqlite3.Row) -> Session:
    return Session(id=r["id"], started=r["started"], finished=bool(r["finished"]), options=json.loads(r["options"]),
                   pending_code=r["pending_code"], pending_position=r["pending_position"])


def _damaged(p: Path, e: Exception) -> HistoryError:
    return HistoryError(f"the history {p} is damaged or unreadable ({e}); it was left untouched. "
                        "Move it away or choose another file with --db")


def _check_file(p: Path) -> None:
    """Refuse, without writing, a path that holds something other than SQLite."""
    if p.is_dir():
        raise HistoryError(f"--db {p} is a directory; give a file path such as {p / FILENAME}")
    if not p.exists() or p.stat().st_size == 0:
        return
    try:
        with p.open("rb") as f:
            head = f.read(len(_SQLITE_MAGIC))
    except OSError as e:
        raise HistoryError(f"cannot read the history {p}: {e}") from e
    if head != _SQLITE_MAGIC:
        raise HistoryError(f"{p} is not an examprep history (not an SQLite database); it was left untouched. "
                           "Choose another file with --db, or move this one away")


def _check_or_init(conn: sqlite3.Connection, p: Path) -> None:
    """Accept our own database, initialise an empty one, refuse anything else (before writing a byte)."""
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    if app_id != APPLICATION_ID:
        if app_id != 0 or tables:
            raise HistoryError(f"{p} is an SQLite database made by another program, not an examprep history; it was "
                               "left untouched. Choose another file with --db")
        conn.execute("PRAGMA journal_mode = WAL")
        with conn:
            conn.execute("BEGIN IMMEDIATE")
            # re-check inside the write lock: another process may have initialised it meanwhile
            if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
                for stmt in _SCHEMA.split(";"):
                    if stmt.strip():
                        conn.execute(stmt)
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise HistoryError(f"the history {p} was written by a newer examprep (schema {version}); upgrade examprep "
                           "or use another file with --db")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 10000")
