"""Output formats from ``--format`` and ``-o``'s extension, for every command that writes a file.

One rule for ``sheet``, ``grade`` and ``export``: an extension names a format (``.pdf``, ``.htm``); an extension that
names none is refused with the formats that exist, never written under a misleading name (``-o rep.xlsx`` holding
CSV); ``--format`` and an extension that disagree (``-f md -o z.pdf``) are refused; a path without an extension
takes ``--format`` or the command's default.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from examprep.errors import ExamprepError


class OutputFormatError(ExamprepError):
    """An output format or extension the command cannot write, or a format that contradicts the extension."""


def resolve(path: str | Path | None, fmt: str | None, formats: Sequence[str], *, default: str,
            aliases: Mapping[str, str] | None = None, flag: bool = True) -> str:
    """The format to write ``path`` in.

    Args:
        path: the output path (``-o``), or None when printing to standard output.
        fmt: ``--format``, or None.
        formats: the formats the command writes.
        default: the format for a path without an extension and no ``--format``.
        aliases: other extensions of a format (``{"htm": "html"}``).
        flag: whether the command has a ``--format`` option (named in the error).

    Raises:
        OutputFormatError: an unknown ``--format`` or extension, or the two disagreeing.
    """
    names = ", ".join(formats)
    aliases = dict(aliases or {})
    if fmt is not None and fmt not in formats:
        raise OutputFormatError(f"--format {fmt!r}: use one of {names}")
    ext = Path(path).suffix.lower().lstrip(".") if path is not None else ""
    if not ext:
        return fmt or default
    from_ext = aliases.get(ext, ext)
    if from_ext not in formats:
        raise OutputFormatError(f"-o {path}: examprep does not write .{ext} files; use the extension of one of "
                                f"{names}" + (" (or --format)" if flag else ""))
    if fmt is not None and fmt != from_ext:
        raise OutputFormatError(f"--format {fmt} contradicts -o {path} (a .{ext} file); drop one or make them agree")
    return from_ext
