"""Where quiz answers come from: the terminal, or lines of a file or a pipe (scripted mode)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol


class Input(Protocol):
    """Where answers come from."""

    interactive: bool

    def ask(self, prompt: str) -> str | None:
        """One line for ``prompt``; None at the end of input."""

    def peek(self) -> str | None:
        """The next line without consuming it (scripted mode); None when unknown or at the end."""


class TerminalInput:
    """Answers typed at the terminal."""

    interactive = True

    def __init__(self, console: Any) -> None:
        self.console = console

    def ask(self, prompt: str) -> str | None:
        from rich.text import Text

        try:
            return self.console.input(Text(prompt, style="bold"))
        except EOFError:
            return None

    def peek(self) -> str | None:
        return None


class ScriptInput:
    """Answers read from lines (a file or a pipe); blank lines and ``#`` comments are ignored."""

    interactive = False

    def __init__(self, lines: Iterator[str], console: Any) -> None:
        self.lines = (s.strip() for s in lines)
        self.console = console
        self._next: str | None = None

    def _pull(self) -> str | None:
        if self._next is not None:
            line, self._next = self._next, None
            return line
        try:
            for line in self.lines:
                if "\0" in line:
                    raise UnicodeDecodeError("utf-8", b"\0", 0, 1, "NUL byte")
                if line and not line.startswith("#"):
                    return line
        except UnicodeDecodeError as e:
            from examprep.errors import ExamprepError

            raise ExamprepError(f"the answers on stdin are not UTF-8 text ({e.reason}); pipe a text file, one "
                                "answer a line") from e
        return None

    def peek(self) -> str | None:
        if self._next is None:
            self._next = self._pull()
        return self._next

    def ask(self, prompt: str) -> str | None:
        line = self._pull()
        self.console.print(prompt + (line if line is not None else "<end of answers>"), markup=False,
                           highlight=False)
        return line
