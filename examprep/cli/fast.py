"""Start-up speed for ``examprep quiz``: load typer without its rich help machinery.

Typer imports ``rich`` eagerly for its help panels and pretty tracebacks (``typer.rich_utils`` pulls in
``rich.markdown``, ``markdown_it``, ``rich.syntax``, ``rich.traceback``, ...): about 45 ms of CPU before the first
question, for output the quiz never shows. For a ``quiz`` run that does not ask for ``--help``, typer is imported
while ``rich`` is hidden, so it takes its plain (click) code path; the quiz then imports the few parts of rich it
draws with. Every other command, and ``quiz --help``, keep typer's rich help.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, Sequence

_FAST = ("quiz",)
_HELP = ("--help", "-h")


@contextlib.contextmanager
def plain_typer(argv: Sequence[str]) -> Iterator[None]:
    """Within the block, ``import rich`` fails, if ``argv`` runs a fast command and typer is not loaded yet."""
    hide = bool(argv) and argv[0] in _FAST and not any(a in _HELP for a in argv) and "typer" not in sys.modules \
        and "rich" not in sys.modules
    if hide:
        sys.modules["rich"] = None  # type: ignore[assignment]  # import rich -> ImportError
    try:
        yield
    finally:
        if hide and sys.modules.get("rich", 0) is None:
            del sys.modules["rich"]
