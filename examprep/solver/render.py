"""Renderers for statements and derivations: text (Unicode), Markdown (LaTeX math), LaTeX and Typst.

Prose (statement strings, step titles and notes, the answer line) is markup with inline ``$...$`` math, written by
:mod:`examprep.solver.prose`; expressions (values, matrices, formulas) are :mod:`examprep.solver.expr` trees.
"""

from __future__ import annotations

import re
from typing import Any

from examprep.solver import prose as P
from examprep.solver.expr import Expr, Mat, fmt_number, to_expr
from examprep.solver.step import Derivation, Step

OUTPUT_FORMATS = ("text", "md", "latex", "typst")


def math(e: Expr | Any, fmt: str) -> str:
    """One expression in a document format: text is Unicode, md and latex use LaTeX, typst uses Typst math."""
    e = to_expr(e) if not isinstance(e, Expr) else e
    if fmt == "text":
        return _text_block(e)
    if fmt in ("md", "latex"):
        return e.render("latex")
    return e.render("typst")


def _text_block(e: Expr) -> str:
    if isinstance(e, Mat) and len(e.rows) > 1:
        cells = [[v.render("text") for v in r] for r in e.rows]
        widths = [max(len(r[j]) for r in cells) for j in range(len(cells[0]))]
        lines = ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
        n = len(lines)
        out = []
        for i, line in enumerate(lines):
            left, right = ("⎡", "⎤") if i == 0 else (("⎣", "⎦") if i == n - 1 else ("⎢", "⎥"))
            out.append(f"{left} {line} {right}")
        return "\n".join(out)
    return e.render("text")


def inline(e: Expr | Any, fmt: str) -> str:
    """Inline math with its delimiters for the format."""
    s = math(e, fmt)
    if fmt == "text":
        return s
    if fmt == "md":
        return f"${s}$"
    if fmt == "latex":
        return f"\\({s}\\)"
    return f"${s}$"


def statement(segments: list[Any], fmt: str) -> str:
    """A problem statement made of prose strings and expressions (shown as math)."""
    out = []
    for seg in segments:
        if isinstance(seg, str):
            text = P.prose(seg, fmt)
            out.append(text.replace("\n", "\n\\par\n") if fmt == "latex" else text)  # a new line in LaTeX
        else:
            e = to_expr(seg)
            if isinstance(e, Mat) and len(e.rows) > 1:
                block = math(e, fmt)
                if fmt == "text":
                    out.append("\n" + block + "\n")
                elif fmt == "md":
                    out.append(f"\n$$\n{block}\n$$\n")
                elif fmt == "latex":
                    out.append(f"\n\\[ {block} \\]\n")
                else:
                    out.append(f"\n$ {block} $\n")
            else:
                out.append(inline(e, fmt))
    return "".join(out)


def _escape(s: str, fmt: str) -> str:
    """Text that is not markup (a label, a user's title) escaped for ``fmt``."""
    return P.plain(s, fmt)


def _value(step: Step, fmt: str) -> str:
    v = step.value
    if isinstance(v, str):
        return _escape(v, fmt)
    return math(step.value_expr(), fmt)


def step_lines(step: Step, index: int, fmt: str) -> list[str]:
    """The lines of one step."""
    parts: list[str] = []
    lhs = math(step.lhs, fmt) if step.lhs is not None else None
    chain = [e for e in (step.formula, step.substituted, *step.chain) if e is not None]
    pieces = [math(e, fmt) for e in chain]
    val = _value(step, fmt)
    if not pieces or pieces[-1] != val:
        pieces.append(val)
    if fmt == "text":
        head = f"{index}. {P.prose(step.title, fmt)}"
        pad = " " * (len(head) + 2 + (len(lhs) + 1 if lhs else 0))
        if "\n" in pieces[0]:  # a matrix: the quantity on its own line, the block under it, indented
            parts.append(f"{head}  {lhs} =" if lhs else head)
            parts.append(_indent(pieces[0], pad))
        else:
            parts.append(f"{head}  " + (lhs + " = " if lhs else "") + pieces[0])
        for p in pieces[1:]:
            if "\n" in p:
                parts.append(f"{pad}=\n" + _indent(p, pad))
            else:
                parts.append(f"{pad}= {p}")
    else:
        eq = " = ".join(([lhs] if lhs else []) + pieces)
        if fmt == "md":
            parts.append(f"{index}. **{P.prose(step.title, fmt)}**: ${eq}$")
        elif fmt == "latex":
            parts.append(f"\\item \\textbf{{{P.prose(step.title, fmt)}}}: \\( {eq} \\)")
        else:
            parts.append(f"+ *{P.prose(step.title, fmt)}*: $ {eq} $")
    if step.note:
        note = P.prose(step.note, fmt)
        parts.append(("   " if fmt != "typst" else "  ") + note)
    return parts


def _indent(block: str, pad: str) -> str:
    return "\n".join(pad + line for line in block.splitlines())


def derivation(d: Derivation, fmt: str) -> str:
    """A whole worked solution."""
    lines: list[str] = []
    if fmt == "latex":
        lines.append(r"\begin{enumerate}")
    for i, s in enumerate(d.steps, 1):
        lines.extend(step_lines(s, i, fmt))
    if fmt == "latex":
        lines.append(r"\end{enumerate}")
    if d.answer:
        ans = P.prose(d.answer, fmt)
        ans = minus_signs(ans) if fmt == "text" else ans
        lines.append({"text": f"Answer: {ans}", "md": f"\n**Answer:** {ans}",
                      "latex": f"\\textbf{{Answer:}} {ans}", "typst": f"*Answer:* {ans}"}[fmt])
    return "\n".join(lines)


_SIGN = re.compile(r"(?:(?<=^)|(?<=[\s\[(,=:;]))-(?=[\d.∞])|(?<=\d)-(?=[\d.]+i\b)")  # ..., and "−4−2i"


def minus_signs(text: str) -> str:
    """``-1.5`` -> ``−1.5`` wherever a hyphen is a number's sign, so answer lines show one minus sign (U+2212) like
    the derivations; hyphens inside words and codes stay."""
    return _SIGN.sub("−", text)


def value_text(v: Any) -> str:
    """A compact one-line text form of an answer value (ASCII ``-``: it is also what a student types and what CSV
    keys hold; :func:`minus_signs` makes the display form)."""
    if isinstance(v, str):
        return v
    if hasattr(v, "tolist"):
        v = v.tolist()
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(value_text(x) for x in v) + "]"
    return fmt_number(v)
