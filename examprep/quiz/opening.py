"""Finding, identifying, creating and upgrading the history file, without ever changing a file that is not ours.

The order matters (each step only reads until the file is known to be an examprep history):

1. The path: a directory, a parent that is a plain file, or a special file (FIFO, device) is refused.
2. A path that does not exist gets a new history, built in a temporary file beside it and linked into place, so
   the path goes from "absent" to "a complete history" in one step and two quizzes starting at once agree on one
   file. Nothing else is ever initialised: an empty file or a foreign SQLite database with no tables is refused.
3. An existing file is read with an ``immutable=1`` URI (no locks, no journal or WAL recovery, no side files):
   its SQLite header, ``application_id``, schema version, tables and ``PRAGMA quick_check``. Only a file that
   passes all of them is opened read-write (``mode=rw``, never create); a foreign database with an un-checkpointed
   WAL or a hot journal is therefore never rolled back or checkpointed.
4. Schema upgrades (1 → 2) run inside ``BEGIN IMMEDIATE`` after the identification, re-checking the version under
   the write lock.

``readonly=True`` (``examprep stats``) opens with ``immutable=1`` (``mode=ro`` when a WAL holds recent commits)
and never writes, creates or upgrades anything; a schema-1 history is read as it is.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import urllib.parse
from pathlib import Path

from examprep.errors import ExamprepError

APPLICATION_ID = 0x45585052  # "EXPR": marks the file as an examprep history (PRAGMA application_id)
SCHEMA_VERSION = 2
FILENAME = "history.sqlite3"
_SQLITE_MAGIC = b"SQLite format 3\x00"

_SCHEMA_V1 = """
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

# Version 2: the question on screen keeps its graded parts and its hint (committed one by one), the session its
# total time across resumes and the quiz process that holds it (``owner``, the session lock).
_UPGRADE_V2 = """
ALTER TABLE sessions ADD COLUMN seconds REAL NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN pending_hint INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN pending_seconds REAL NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN owner TEXT;
CREATE TABLE parts (
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    answer TEXT NOT NULL,
    verdict TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (session_id, position, code, name)
);
UPDATE sessions SET seconds = (SELECT coalesce(sum(a.seconds), 0) FROM attempts a WHERE a.session_id = sessions.id);
"""

_UPGRADES: dict[int, str] = {2: _UPGRADE_V2}  # version -> the statements that bring version - 1 to it
_TABLES = {1: {"sessions", "attempts"}, 2: {"sessions", "attempts", "parts"}}


class HistoryError(ExamprepError):
    """The history database cannot be used (not SQLite, made by another program, damaged, newer schema)."""


def default_path() -> Path:
    """``$EXAMPREP_HOME/history.sqlite3`` when set, else the user data directory's ``history.sqlite3``."""
    home = os.environ.get("EXAMPREP_HOME")
    if home:
        h = Path(home).expanduser()
        if h.exists() and not h.is_dir():
            raise HistoryError(f"EXAMPREP_HOME={home} is a file, not a directory; point it at a directory "
                               "(or use --db PATH)")
        return h / FILENAME
    import platformdirs

    return Path(platformdirs.user_data_dir("examprep", appauthor=False)) / FILENAME


def connect(path: str | os.PathLike[str] | None, readonly: bool = False) -> tuple[sqlite3.Connection, Path]:
    """An open connection to the examprep history at ``path`` (default :func:`default_path`) and its path.

    Creates a new history only where nothing exists (not with ``readonly``: a missing history then reads as an
    empty one, in memory). Raises :class:`HistoryError` for anything else, leaving the file as it was.
    """
    p = Path(path).expanduser() if path is not None else default_path()
    _check_path(p)
    if not os.path.lexists(p):
        if readonly:
            return _memory_history(), p
        _create(p)
    snap = _identify(p)
    if readonly:
        return snap, p
    snap.close()
    if not os.access(p, os.W_OK) or not os.access(p.parent, os.W_OK | os.X_OK):
        raise HistoryError(f"the history {p} is read-only here (`examprep stats` can still read it); make it "
                           "writable or choose another file with --db")
    conn = _sqlite(_uri(p, "mode=rw"), p)
    try:
        _configure(conn)
        _upgrade(conn, p)
    except sqlite3.DatabaseError as e:
        conn.close()
        raise damaged(p, e) from e
    except BaseException:
        conn.close()
        raise
    return conn, p


def damaged(p: Path, e: Exception) -> HistoryError:
    """The error for a history SQLite cannot read."""
    return HistoryError(f"the history {p} is damaged or unreadable ({e}); it was left untouched. "
                        "Move it away or choose another file with --db")


def _not_ours(p: Path, what: str) -> HistoryError:
    return HistoryError(f"{p} is not an examprep history ({what}); it was left untouched. Choose another file "
                        "with --db, or move this one away")


def _uri(p: Path, query: str) -> str:
    return "file:" + urllib.parse.quote(str(p.resolve())) + "?" + query


def _sqlite(uri: str, p: Path) -> sqlite3.Connection:
    try:
        return sqlite3.connect(uri, uri=True, timeout=10.0, isolation_level=None)
    except sqlite3.Error as e:
        raise HistoryError(f"cannot open the history {p}: {e}; choose another file with --db") from e


def _check_path(p: Path) -> None:
    """Refuse a directory, a special file, or a path whose parent is not a directory."""
    try:
        st = os.stat(p)
    except FileNotFoundError:
        st = None
    except NotADirectoryError:
        st = None
    except OSError as e:
        raise HistoryError(f"cannot read the history {p}: {e.strerror or e}; choose another file with --db") from e
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise HistoryError(f"--db {p} is a directory; give a file path such as {p / FILENAME}")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise _not_ours(p, "not a regular file")
    for parent in p.parents:
        if os.path.lexists(parent):
            if not parent.is_dir():
                raise HistoryError(f"cannot use the history {p}: {parent} is a file, not a directory; choose "
                                   "another path with --db (or EXAMPREP_HOME)")
            break


def _memory_history() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    _init(conn)
    return conn


def _init(conn: sqlite3.Connection) -> None:
    """The complete current schema, in one transaction."""
    conn.execute("BEGIN IMMEDIATE")
    for script in (_SCHEMA_V1, *(_UPGRADES[v] for v in sorted(_UPGRADES))):
        _run(conn, script)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    conn.execute("COMMIT")


def _run(conn: sqlite3.Connection, script: str) -> None:
    for stmt in script.split(";"):
        if stmt.strip():
            conn.execute(stmt)


def _create(p: Path) -> None:
    """A new, complete history at ``p``, which does not exist: built beside it, then linked (never replacing)."""
    what = "create the history"
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = str(p.parent / f".{p.name}.{os.urandom(6).hex()}.new")  # (tempfile costs start-up time)
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
    except OSError as e:
        raise HistoryError(f"cannot {what} {p}: {e.strerror or e}; choose a writable place with --db "
                           "(or EXAMPREP_HOME)") from e
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.execute("PRAGMA synchronous = OFF")  # a private file: one fsync below instead of one per step
            _init(conn)
            conn.execute("PRAGMA journal_mode = WAL")  # persistent: stored in the file's header
        finally:
            conn.close()  # the last connection checkpoints the WAL into the file and removes it
        os.fsync(fd)  # the complete file is on disk before its name appears
        try:
            os.link(tmp, p)  # fails if p appeared meanwhile (another quiz made it): then that one is used
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links
            if not os.path.lexists(p):
                os.replace(tmp, p)
    except (OSError, sqlite3.Error) as e:
        raise HistoryError(f"cannot {what} {p}: {getattr(e, 'strerror', None) or e}; choose a writable place "
                           "with --db (or EXAMPREP_HOME)") from e
    finally:
        os.close(fd)
        for side in ("", "-wal", "-shm", "-journal"):
            try:
                os.unlink(tmp + side)
            except OSError:
                pass


def _read_head(p: Path) -> bytes:
    try:
        with p.open("rb") as f:
            return f.read(100)
    except OSError as e:
        raise HistoryError(f"cannot read the history {p}: {e.strerror or e}; choose another file with --db") from e


def _identify(p: Path) -> sqlite3.Connection:
    """A read-only connection (:func:`_snapshot`) to ``p`` once it is known to be an examprep history this version
    can use; raises otherwise. A file whose header (or WAL) does not carry our mark is never opened by SQLite."""
    head = _read_head(p)
    if not head:
        raise _not_ours(p, "an empty file")
    if not head.startswith(_SQLITE_MAGIC):
        raise _not_ours(p, "not an SQLite database")
    app_id = int.from_bytes(head[68:72], "big") if len(head) >= 72 else 0
    if app_id != APPLICATION_ID and not _wal_says_ours(p):
        raise _not_ours(p, "an SQLite database of another program")
    conn = _snapshot(p)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise HistoryError(f"the history {p} was written by a newer examprep (schema {version}); upgrade "
                               "examprep or use another file with --db")
        if check != "ok" or not _TABLES.get(version, {"?"}) <= tables:
            raise damaged(p, ValueError(check if check != "ok" else f"tables missing for schema {version}"))
    except sqlite3.DatabaseError as e:
        conn.close()
        raise damaged(p, e) from e
    except BaseException:
        conn.close()
        raise
    return conn


def _wal_says_ours(p: Path) -> bool:
    """Whether the WAL beside ``p`` carries our mark (a first session killed before its first checkpoint).

    Reads the WAL file itself (its newest valid frame of page 1) instead of opening it with SQLite, which would
    write the shared-memory index of a database that may not be ours.
    """
    try:
        with open(str(p) + "-wal", "rb") as f:
            wal = f.read()
    except OSError:
        return False
    if len(wal) < 32 or int.from_bytes(wal[:4], "big") not in (0x377F0682, 0x377F0683):
        return False
    page_size = int.from_bytes(wal[8:12], "big") or 65536
    salts = wal[16:24]
    found = None
    for off in range(32, len(wal) - 24 - page_size + 1, 24 + page_size):
        if wal[off + 8 : off + 16] != salts:
            break
        if int.from_bytes(wal[off : off + 4], "big") == 1:
            found = wal[off + 24 : off + 24 + page_size]
    return found is not None and int.from_bytes(found[68:72], "big") == APPLICATION_ID


def _snapshot(p: Path) -> sqlite3.Connection:
    """A read-only connection to our file that writes nothing and sees a consistent state.

    Without a WAL beside the file no connection is writing it (in WAL mode the file itself changes only in a
    checkpoint, which needs the WAL), so ``immutable=1`` reads it as it is and creates no side file. With a WAL
    (a quiz running now, or one killed), ``mode=ro`` takes SQLite's read lock and reads through the WAL, so a
    checkpoint cannot tear the view; on a read-only medium where that cannot open, ``immutable=1`` still reads
    what the file holds.
    """
    queries = ["mode=ro", "immutable=1"] if os.path.exists(str(p) + "-wal") else ["immutable=1"]
    error: Exception | None = None
    for query in queries:
        try:
            conn = _sqlite(_uri(p, query), p)
        except HistoryError as e:
            error = e
            continue
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.Error as e:
            conn.close()
            error = e
    assert error is not None
    raise damaged(p, error) from error


def _configure(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA busy_timeout = 10000")
    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")


def _upgrade(conn: sqlite3.Connection, p: Path) -> None:
    """Bring an older history to ``SCHEMA_VERSION`` (one transaction; re-checked under the write lock)."""
    if conn.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for v in range(version + 1, SCHEMA_VERSION + 1):
            _run(conn, _UPGRADES[v])
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
