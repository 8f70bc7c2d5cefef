"""The ``examprep`` command line. Each command is thin: it parses options and calls the library.

One module per group of commands (:mod:`.problems`, :mod:`.verify_cmd`, :mod:`.quiz_cmd`, :mod:`.classroom`), all
registered on the one Typer app of :mod:`.app`. Importing this package imports typer and nothing heavy.
"""

from __future__ import annotations

import importlib
import sys

from examprep.cli.fast import plain_typer

with plain_typer(sys.argv[1:]):
    import typer

from examprep.cli.app import app, hide_empty_defaults
from examprep.errors import ExamprepError

__all__ = ["app", "main"]

# Importing a command module registers its commands; this order is the order of `examprep --help`.
for _module in ("problems", "verify_cmd", "quiz_cmd", "classroom"):
    importlib.import_module(f"examprep.cli.{_module}")
hide_empty_defaults(app)


def main() -> None:
    """Console-script entry point: typed errors become one-line messages with exit code 2."""
    try:
        app()
    except ExamprepError as e:
        typer.echo(f"error: {e}", err=True)
        sys.exit(e.exit_code)
