"""The ExamprepError hierarchy: every message says what went wrong and what to do next."""

from __future__ import annotations


class ExamprepError(Exception):
    """Base class of every error examprep raises on purpose.

    The CLI prints the message on one line and exits with ``exit_code``.
    """

    exit_code = 2


class UnknownProblemError(ExamprepError, KeyError):
    """A problem id that is not registered (with suggestions)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class RetiredProblemError(ExamprepError):
    """A problem version that was retired; the message names its successor."""


class BadIdError(ExamprepError, ValueError):
    """A string that is not of the form ``topic/name-vN``."""


class InvalidCodeError(ExamprepError, ValueError):
    """An instance code that does not decode (typo, wrong checksum, unknown problem)."""


class ParamError(ExamprepError, ValueError):
    """A user-supplied parameter that is missing, malformed or out of range."""


class PartError(ExamprepError, KeyError):
    """An answer part name the problem does not have."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class DeviceError(ExamprepError):
    """A requested compute device that is not available."""


class ReferenceUnavailableError(ExamprepError):
    """The torch reference cannot run (torch missing)."""
