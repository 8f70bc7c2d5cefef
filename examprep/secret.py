"""The instructor's secret for secret instance codes (``EXAMPREP_SECRET`` or ``--secret-file``).

A secret code's parameters come from an HMAC of the secret, so the code alone (on a sheet, in a submissions file)
does not let anyone regenerate the instance or its answers: ``key``, ``check``, ``grade`` and ``solve`` need the
same secret. Public codes never depend on it. The README's "Secret codes" section states the threat model.
"""

from __future__ import annotations

import os
from pathlib import Path

from examprep.errors import ExamprepError, InvalidCodeError

ENV = "EXAMPREP_SECRET"
MIN_LENGTH = 16
_from_file: bytes | None = None


class SecretError(ExamprepError):
    """The secret is missing, too short or unreadable."""


def use_file(path: str | Path) -> None:
    """Take the secret from a file (its content, without a trailing newline) for the rest of this run."""
    global _from_file
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise SecretError(f"--secret-file {path}: {e.strerror or e}") from None
    _from_file = _checked(data.rstrip(b"\r\n"), f"--secret-file {path}")


def _checked(secret: bytes, where: str) -> bytes:
    if len(secret) < MIN_LENGTH:
        raise SecretError(f"{where}: the secret must be at least {MIN_LENGTH} characters (a long random one, e.g. "
                          "from `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)")
    return secret


def current() -> bytes | None:
    """The secret of this run, or None when there is none (public codes only)."""
    if _from_file is not None:
        return _from_file
    value = os.environ.get(ENV)
    return _checked(value.encode(), ENV) if value else None


def required() -> bytes:
    """The secret, needed to open a secret code."""
    s = current()
    if s is None:
        raise InvalidCodeError(f"this code is secret: set {ENV} (or pass --secret-file) to open it")
    return s
