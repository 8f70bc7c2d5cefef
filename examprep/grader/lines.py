"""Physical lines of a submissions input, whatever it is: a regular file, ``-`` (standard input), a pipe or a FIFO.

The input is read front to back once (never seeked, never loaded whole) and split at any line ending (``\\n``,
``\\r\\n`` or a lone ``\\r``). Each line is capped at :data:`MAX_LINE` characters while it is read: a longer line is
skipped to its end without being held and reported by number, so ``/dev/zero`` or a 500 MB one-line file cost no
more memory than a normal line. Bytes that are not UTF-8 are kept as surrogate escapes so the line can be reported.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from examprep.errors import ExamprepError

MAX_LINE = 1 << 20  # characters in one physical line (1 MiB of ASCII)
_BAD = re.compile("[\udc80-\udcff]")
_BOMS = ((b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe\x00\x00", "UTF-32"), (b"\xff\xfe", "UTF-16"),
         (b"\xfe\xff", "UTF-16"))


class SubmissionsFileError(ExamprepError):
    """The submissions file as a whole cannot be read (missing, empty, no header, wrong encoding)."""


def open_input(path: str | Path) -> IO[bytes]:
    """A binary stream for ``path`` (``-`` is standard input). FIFOs and ``/dev/stdin`` work: nothing seeks.

    Raises:
        SubmissionsFileError: when it cannot be opened, or it is UTF-16/UTF-32 text.
    """
    if str(path) == "-":
        stream: IO[bytes] = sys.stdin.buffer
    else:
        try:
            stream = open(path, "rb")  # noqa: SIM115 - the caller closes it
        except OSError as e:
            raise SubmissionsFileError(f"cannot read {str(path)!r}: {e.strerror or e}") from None
    if not hasattr(stream, "peek"):
        stream = io.BufferedReader(stream)  # type: ignore[arg-type]
    try:
        head = stream.peek(4)[:4]  # type: ignore[attr-defined]
    except OSError as e:
        stream.close()
        raise SubmissionsFileError(f"cannot read {str(path)!r}: {e.strerror or e}") from None
    for bom, name in _BOMS:
        if head.startswith(bom):
            stream.close()
            raise SubmissionsFileError(f"{path} is {name} text; save it as 'CSV UTF-8' (or UTF-8 JSON lines)")
    return stream


class Lines:
    """Iterates ``(line number, text)`` over the physical lines of a binary stream; ``text`` keeps its ending
    (``\n``, ``\r\n`` or ``\r``, as in the file) so a quoted field that spans lines keeps its line breaks.

    ``text`` is None for a line longer than :data:`MAX_LINE` (its content is skipped, not held). A byte-order mark
    at the start is dropped. :meth:`is_utf8` says whether a line's bytes were valid UTF-8.
    """

    def __init__(self, stream: IO[bytes]) -> None:
        self.text = io.TextIOWrapper(stream, encoding="utf-8", errors="surrogateescape", newline="")  # type: ignore[arg-type]
        self.n = 0  # physical lines read so far

    def __iter__(self) -> Iterator[tuple[int, str | None]]:
        read = self.text.readline
        while True:
            s = read(MAX_LINE + 1)
            if not s:
                return
            self.n += 1
            if self.n == 1 and s.startswith("\ufeff"):
                s = s[1:]
            if len(s) <= MAX_LINE or s[-1] in "\r\n":
                yield self.n, s
            else:
                yield self.n, None
                while True:  # skip the rest of an overlong line without holding it (only if asked for more)
                    t = read(MAX_LINE)
                    if not t or t[-1] in "\r\n":
                        break

    @staticmethod
    def is_utf8(text: str) -> bool:
        """False when the line held bytes that are not UTF-8."""
        return _BAD.search(text) is None

    @staticmethod
    def printable(text: str) -> str:
        """The line with its undecodable bytes shown as U+FFFD."""
        return _BAD.sub("\ufffd", text)
