"""The quiz history: one SQLite file (WAL mode) holding sessions, graded attempts and the question in progress.

Every graded part, every hint and every finished question is committed in its own transaction the moment it
happens, so Ctrl-C, a closed terminal or a ``kill -9`` loses nothing already answered (SQLite's write-ahead log
makes each commit atomic and durable), and ``--resume`` continues the question on screen with its earlier parts'
verdicts and its hint penalty kept.

A session is held by one quiz process at a time (:meth:`HistoryStore.claim`, under ``BEGIN IMMEDIATE``); a second
``--resume`` of it is refused while the holder runs (see :mod:`examprep.quiz.owner`).

How the file is found, identified, created and upgraded without touching a file that is not ours:
:mod:`examprep.quiz.opening`.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from examprep.quiz import owner
from examprep.quiz.opening import (
    APPLICATION_ID,
    FILENAME,
    SCHEMA_VERSION,
    HistoryError,
    connect,
    damaged,
    default_path,
)

__all__ = ["APPLICATION_ID", "FILENAME", "SCHEMA_VERSION", "Attempt", "HistoryError", "HistoryStore", "PartRecord",
           "Session", "SessionInUseError", "default_path"]


class SessionInUseError(HistoryError):
    """The session is held by another running quiz."""


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
class PartRecord:
    """A part of the question in progress, graded and committed before the question ended."""

    name: str
    answer: str
    verdict: dict[str, Any]


@dataclass(frozen=True)
class Session:
    """A quiz session: its options (as given), its time so far and the question on screen, if any."""

    id: int
    started: float
    finished: bool
    options: dict[str, Any]
    pending_code: str | None
    pending_position: int | None
    seconds: float = 0.0
    pending_hint: bool = False
    pending_seconds: float = 0.0
    owner: str | None = None
    updated: float = 0.0


class HistoryStore:
    """The history database. Open it with :meth:`open`; use it as a context manager or call :meth:`close`."""

    def __init__(self, conn: sqlite3.Connection, path: Path, readonly: bool = False) -> None:
        self.conn = conn
        self.path = path
        self.readonly = readonly

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None, *, readonly: bool = False) -> HistoryStore:
        """Open the history at ``path`` (default: :func:`default_path`); see :mod:`examprep.quiz.opening`.

        Read-write opening creates a new history where no file exists; ``readonly`` never writes anything.
        """
        conn, p = connect(path, readonly=readonly)
        return cls(conn, p, readonly)

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    # ---- writing (each call is one committed transaction) -------------------------------------------------
    def _transaction(self, *statements: tuple[str, tuple[Any, ...]]) -> int:
        """Run ``statements`` in one ``BEGIN IMMEDIATE`` transaction; the first one's lastrowid."""
        try:
            with self.conn:
                self.conn.execute("BEGIN IMMEDIATE")
                first = 0
                for i, (sql, args) in enumerate(statements):
                    cur = self.conn.execute(sql, args)
                    if i == 0:
                        first = int(cur.lastrowid or 0)
                return first
        except sqlite3.DatabaseError as e:
            raise damaged(self.path, e) from e

    def start_session(self, options: dict[str, Any]) -> int:
        """A new session with the quiz options, held by this process; returns its id."""
        now = time.time()
        return self._transaction(("INSERT INTO sessions (started, updated, options, owner) VALUES (?, ?, ?, ?)",
                                  (now, now, json.dumps(options), owner.me())))

    def claim(self, session_id: int) -> Session:
        """Hold ``session_id`` for this process; raises SessionInUseError while another live quiz holds it."""
        try:
            with self.conn:
                self.conn.execute("BEGIN IMMEDIATE")
                s = self.session(session_id)
                if s is None:
                    raise HistoryError(f"no session {session_id} in {self.path}")
                if s.owner and s.owner != owner.me() and owner.alive(s.owner, s.updated):
                    raise SessionInUseError(
                        f"the interrupted quiz (session {session_id}) is in use by another examprep quiz "
                        f"({owner.describe(s.owner)}); finish or quit that one first")
                self.conn.execute("UPDATE sessions SET owner = ? WHERE id = ?", (owner.me(), session_id))
                return s
        except sqlite3.DatabaseError as e:
            raise damaged(self.path, e) from e

    def release(self, session_id: int, seconds: float, pending_seconds: float | None = None) -> None:
        """Let go of the session (quit, interrupt, end), saving its time so far."""
        extra = ", pending_seconds = ?" if pending_seconds is not None else ""
        args = (seconds, time.time()) + ((pending_seconds,) if pending_seconds is not None else ())
        self._transaction((f"UPDATE sessions SET owner = NULL, seconds = ?, updated = ?{extra} WHERE id = ? AND "
                           "owner = ?", (*args, session_id, owner.me())))

    def set_pending(self, session_id: int, code: str, position: int, seconds: float | None = None) -> None:
        """Remember the question on screen, so ``--resume`` asks it again (a new question starts without hint).

        ``seconds``: the session's time so far (kept as it is when None).
        """
        same = "pending_code IS ? AND pending_position IS ?"
        self._transaction((
            f"UPDATE sessions SET pending_hint = CASE WHEN {same} THEN pending_hint ELSE 0 END, "
            f"pending_seconds = CASE WHEN {same} THEN pending_seconds ELSE 0 END, pending_code = ?, "
            "pending_position = ?, seconds = coalesce(?, seconds), updated = ? WHERE id = ?",
            (code, position, code, position, code, position, seconds, time.time(), session_id)))

    def record_part(self, session_id: int, position: int, code: str, part: PartRecord, question_seconds: float,
                    seconds: float) -> None:
        """Commit one graded part of the question in progress."""
        now = time.time()
        self._transaction(
            ("INSERT OR REPLACE INTO parts (session_id, position, code, name, answer, verdict, created) VALUES "
             "(?, ?, ?, ?, ?, ?, ?)", (session_id, position, code, part.name, part.answer, json.dumps(part.verdict),
                                      now)),
            ("UPDATE sessions SET pending_seconds = ?, seconds = ?, updated = ? WHERE id = ?",
             (question_seconds, seconds, now, session_id)))

    def record_hint(self, session_id: int, question_seconds: float, seconds: float) -> None:
        """Commit that the question in progress used its hint (its penalty survives a resume)."""
        self._transaction(("UPDATE sessions SET pending_hint = 1, pending_seconds = ?, seconds = ?, updated = ? "
                           "WHERE id = ?", (question_seconds, seconds, time.time(), session_id)))

    def record(self, a: Attempt, seconds: float | None = None) -> int:
        """Commit one attempt, clearing the session's question in progress, in a single transaction."""
        total = ", seconds = ?" if seconds is not None else ""
        args = (a.created,) + ((seconds,) if seconds is not None else ())
        return self._transaction(
            ("INSERT INTO attempts (session_id, position, code, problem_id, topic, difficulty, status, score, hint,"
             " answers, verdicts, seconds, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
             (a.session_id, a.position, a.code, a.problem_id, a.topic, a.difficulty, a.status, a.score,
              int(a.hint), json.dumps(a.answers), json.dumps(a.verdicts), a.seconds, a.created)),
            ("DELETE FROM parts WHERE session_id = ? AND position = ?", (a.session_id, a.position)),
            (f"UPDATE sessions SET pending_code = NULL, pending_position = NULL, pending_hint = 0, "
             f"pending_seconds = 0, updated = ?{total} WHERE id = ?", (*args, a.session_id)))

    def finish_session(self, session_id: int, seconds: float | None = None) -> None:
        """Mark the session done (nothing left to resume) and let go of it."""
        total = ", seconds = ?" if seconds is not None else ""
        args = (time.time(),) + ((seconds,) if seconds is not None else ())
        self._transaction((f"UPDATE sessions SET finished = 1, pending_code = NULL, pending_position = NULL, "
                           f"owner = NULL, updated = ?{total} WHERE id = ?", (*args, session_id)))

    # ---- reading -------------------------------------------------------------------------------------------
    def _rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        try:
            self.conn.row_factory = sqlite3.Row
            return list(self.conn.execute(sql, args))
        except sqlite3.DatabaseError as e:
            raise damaged(self.path, e) from e

    def attempts(self, session_id: int | None = None) -> list[Attempt]:
        """Every attempt in the order it was made (of one session when ``session_id`` is given)."""
        where, args = ("WHERE session_id = ?", (session_id,)) if session_id is not None else ("", ())
        rows = self._rows(f"SELECT * FROM attempts {where} ORDER BY created, id", args)
        return [Attempt(session_id=r["session_id"], position=r["position"], code=r["code"],
                        problem_id=r["problem_id"], difficulty=r["difficulty"], status=r["status"],
                        score=r["score"], answers=json.loads(r["answers"]), verdicts=json.loads(r["verdicts"]),
                        seconds=r["seconds"], hint=bool(r["hint"]), created=r["created"]) for r in rows]

    def pending_parts(self, session_id: int, position: int, code: str) -> list[PartRecord]:
        """The parts of the question in progress graded so far, in the order they were answered."""
        rows = self._rows("SELECT name, answer, verdict FROM parts WHERE session_id = ? AND position = ? AND code = ?"
                          " ORDER BY created, rowid", (session_id, position, code))
        return [PartRecord(r["name"], r["answer"], json.loads(r["verdict"])) for r in rows]

    def session(self, session_id: int) -> Session | None:
        rows = self._rows("SELECT * FROM sessions WHERE id = ?", (session_id,))
        return _session(rows[0]) if rows else None

    def last_unfinished(self) -> Session | None:
        """The most recent session that was interrupted or quit before its last question."""
        rows = self._rows("SELECT * FROM sessions WHERE finished = 0 ORDER BY updated DESC, id DESC LIMIT 1")
        return _session(rows[0]) if rows else None


def _session(r: sqlite3.Row) -> Session:
    return Session(id=r["id"], started=r["started"], finished=bool(r["finished"]), options=json.loads(r["options"]),
                   pending_code=r["pending_code"], pending_position=r["pending_position"], seconds=r["seconds"],
                   pending_hint=bool(r["pending_hint"]), pending_seconds=r["pending_seconds"], owner=r["owner"],
                   updated=r["updated"])
