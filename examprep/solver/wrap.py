"""Fit text-format statements and worked solutions to a terminal width without breaking words or alignment.

The text renderer (:mod:`examprep.solver.render`) lays a step out as ``N. Title  lhs = first`` with the rest of
its chain aligned under the ``=`` (``pad = first``), matrices as bracketed blocks. A terminal that folds such lines
cuts words in two and shifts matrix rows. :func:`wrap_text` re-lays out only what does not fit:

* prose (statements, notes, ``Answer:``, ``Parts:``) is filled at word boundaries, with a hanging indent;
* a step whose lines do not fit puts its title on a line of its own and its chain under it with a small indent
  (``   lhs = first`` / ``         = next``), then breaks a still-long equation after a ``,`` (or a space),
  continuing under the opening bracket;
* matrix rows (``⎡ ⎢ ⎣ ⎤ ⎥ ⎦``) are never broken, so their columns stay aligned (a matrix wider than the terminal
  overflows as a whole).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import textwrap

_BLOCK = set("⎡⎢⎣⎤⎥⎦")
_STEP = re.compile(r"^\d+\. ")
STEP_INDENT = 3


def terminal_width(stream: object = None) -> int | None:
    """``$COLUMNS`` when set, else the terminal's width when ``stream`` (stdout) is a terminal, else None."""
    env = os.environ.get("COLUMNS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    s = stream if stream is not None else sys.stdout
    if hasattr(s, "isatty") and s.isatty():
        return shutil.get_terminal_size().columns
    return None


def _is_block(line: str) -> bool:
    return any(c in _BLOCK for c in line)


def _fill(line: str, width: int, indent: str = "") -> list[str]:
    """A prose line filled at word boundaries (its own leading spaces kept, then ``indent`` after them)."""
    if len(line) <= width or _is_block(line):
        return [line]
    lead = line[: len(line) - len(line.lstrip(" "))]
    if lead == " ":  # the space that joins a prose segment to a block before it, not an indent
        line, lead = line[1:], ""
    return textwrap.wrap(line, width, initial_indent="", subsequent_indent=lead + indent, break_long_words=False,
                         break_on_hyphens=False, drop_whitespace=True) or [line]


def _break_equation(line: str, width: int) -> list[str]:
    """An equation line broken after ``, `` (else a space), continuing one column after its first bracket."""
    if len(line) <= width or _is_block(line):
        return [line]
    eq = line.find("= ")
    start = eq + 2 if eq >= 0 else len(line) - len(line.lstrip(" "))
    bracket = next((i for i in range(start, len(line)) if line[i] in "[("), None)
    hang = " " * ((bracket + 1) if bracket is not None and bracket + 1 < width // 2 else start)
    out, rest = [], line
    while len(rest) > width:
        cut = rest.rfind(", ", len(hang) + 1, width)
        cut = cut + 1 if cut > 0 else rest.rfind(" ", len(hang) + 1, width)
        if cut <= len(hang):
            break  # no place to break without cutting a number or a name
        out.append(rest[:cut].rstrip())
        rest = hang + rest[cut:].lstrip()
    out.append(rest)
    return out


def _step_group(lines: list[str], width: int) -> list[str]:
    """One step (its head line, its aligned chain, its note) laid out anew when it does not fit."""
    head, rest = lines[0], lines[1:]
    chain = [x for x in rest if x.startswith(" " * (STEP_INDENT + 1))]
    if all(len(x) <= width for x in [head, *chain]):  # only the note (if anything) is long
        return [head] + [y for x in rest for y in ([x] if x in chain else _fill(x, width))]
    pad = min((len(x) - len(x.lstrip(" ")) for x in chain), default=0)
    eq_at = pad if pad and len(head) > pad and head[pad] == "=" else head.find(" = ") + 1
    split = head.rfind("  ", 0, eq_at) if eq_at > 0 else -1
    if split < 0:  # no equation on the head line: the title (and a matrix under it) only
        title, first, lhs = head, "", ""
    else:
        title, first, lhs = head[:split], head[split + 2 :], head[split + 2 : eq_at - 1]
    new_pad = " " * (STEP_INDENT + len(lhs) + 1)
    out = _fill(title, width, " " * STEP_INDENT)
    if first:
        out += _break_equation(" " * STEP_INDENT + first.rstrip(), width)
    for x in rest:
        if pad and x.startswith(" " * pad):
            x = new_pad + x[pad:]
            out += [x] if _is_block(x) else _break_equation(x, width)
        else:  # the note
            out += _fill(x, width)
    return out


def wrap_text(text: str, width: int | None) -> str:
    """``text`` (statement and/or worked solution, text format) fitted to ``width`` columns (None: unchanged)."""
    if not width or width < 20:
        return text
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if _STEP.match(line):
            j = i + 1
            while j < len(lines) and lines[j].startswith(" ") and not _STEP.match(lines[j]):
                j += 1
            out += _step_group(lines[i:j], width)
            i = j
            continue
        if line.startswith("Answer: "):
            out += _fill(line, width, " " * len("Answer: "))
        elif line.startswith("Parts: "):
            out += _fill(line, width, "  ")
        else:
            out += _fill(line, width)
        i += 1
    return "\n".join(out)
