"""Who holds a quiz session: this process's identity, and whether a recorded holder is still running.

A session is claimed (in ``BEGIN IMMEDIATE``, see :meth:`HistoryStore.claim`) by writing the holder's identity
into it; a second ``examprep quiz --resume`` finds a live holder and refuses. A holder that died (``kill -9``, a
closed terminal) leaves its identity behind; it is stale once its process is gone, so the next ``--resume`` takes
the session over. The identity is ``host|pid|start`` where ``start`` is the process's start time where the system
tells it (Linux ``/proc``), so a recycled pid is not mistaken for the holder, and a killed holder that its parent
has not reaped yet (a zombie) counts as gone.
"""

from __future__ import annotations

import os
import time
from functools import cache

FOREIGN_HOST_STALE = 3600.0  # a holder we cannot probe (another machine, Windows) counts as gone after an idle hour


def _stat(pid: int) -> list[str]:
    """The fields of ``/proc/PID/stat`` after the command name (state first), or [] where there is none."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def _start_time(pid: int) -> str:
    fields = _stat(pid)
    return fields[19] if len(fields) > 19 else ""


@cache
def _host() -> str:
    if hasattr(os, "uname"):
        return os.uname().nodename
    import socket  # (not at import: it costs start-up time)

    return socket.gethostname()


@cache
def me() -> str:
    """This process's identity."""
    return f"{_host()}|{os.getpid()}|{_start_time(os.getpid())}"


def describe(owner: str) -> str:
    """``pid 1234`` (and the host when it is another machine)."""
    host, _, rest = owner.partition("|")
    pid = rest.partition("|")[0]
    return f"pid {pid}" + ("" if host == _host() else f" on {host}")


def alive(owner: str | None, updated: float, now: float | None = None) -> bool:
    """Whether the holder ``owner`` (recorded by a session last written at ``updated``) may still be running."""
    if not owner:
        return False
    if owner == me():
        return True
    host, _, rest = owner.partition("|")
    pid_text, _, start = rest.partition("|")
    if host != _host() or os.name == "nt":  # (os.kill(pid, 0) would end a process on Windows)
        return (time.time() if now is None else now) - updated < FOREIGN_HOST_STALE
    try:
        pid = int(pid_text)
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError, OverflowError):
        return False
    except PermissionError:  # exists, belongs to someone else
        return True
    except OSError:
        return False
    fields = _stat(pid)
    if fields and fields[0] in ("Z", "X"):  # killed, not yet reaped by its parent: gone all the same
        return False
    return not start or not fields or fields[19] == start
