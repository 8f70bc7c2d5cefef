"""Statements, derivations and answers as document markup: Typst, HTML (MathML), Markdown and LaTeX.

Markdown and LaTeX reuse :mod:`examprep.solver.render`. Typst and HTML are written here because sheets need more
than the terminal does: every equation chain is aligned one ``=`` per line, and Typst equations wider than the page
are scaled to fit (``#fit`` in the template) instead of running off it.
"""

from __future__ import annotations

from html import escape
from typing import Any

from examprep.parts import Part
from examprep.sheets.build import SheetProblem, plain
from examprep.solver import prose as P
from examprep.solver import render as R
from examprep.solver.expr import Expr, Mat, Text, to_expr
from examprep.solver.mathml import mathml
from examprep.solver.step import Step

FORMATS = ("typ", "html", "md", "tex")
_DOC_FMT = {"typ": "typst", "md": "md", "tex": "latex", "html": "html"}


def _is_block(e: Expr) -> bool:
    return isinstance(e, Mat) and len(e.rows) > 1


def typst_str(s: str) -> str:
    """Text as a Typst string literal (safe in markup: no markup character is interpreted)."""
    return P.typst_text(s)


def rich(s: str, fmt: str) -> str:
    """Prose with inline ``$...$`` math (statements, step titles and notes, watch-outs) in a sheet format."""
    return P.prose(s, _DOC_FMT[fmt])


def _typst_math(e: Expr) -> str:
    if isinstance(e, Text):
        return '"' + e.s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return R.math(e, "typst")


def _step_pieces(step: Step) -> tuple[Expr | None, list[Expr]]:
    chain = [e for e in (step.formula, step.substituted, *step.chain) if e is not None]
    value = step.value_expr()
    if not chain or R.math(chain[-1], "latex") != R.math(value, "latex"):
        chain.append(value)
    return step.lhs, chain


# ---- statements ---------------------------------------------------------------------------------------------------
def statement(segments: list[Any], fmt: str) -> str:
    """A statement (prose and expressions) in one of :data:`FORMATS`."""
    if fmt in ("md", "tex"):
        return R.statement(segments, _DOC_FMT[fmt])
    out: list[str] = []
    segs = list(segments)
    for i, seg in enumerate(segs):
        if isinstance(seg, str):
            nxt = segs[i + 1] if i + 1 < len(segs) else None
            label = ""
            if nxt is not None and not isinstance(nxt, str) and _is_block(to_expr(nxt)):
                seg, label = _split_label(seg)
            out.append(rich(seg, fmt))
            if label:  # "H = " goes on the matrix's line
                lab = rich(label, fmt)
                out.append(f"\n#fit[{lab}" if fmt == "typ" else f'<div class="blockmath">{lab}')
            else:
                out.append("\n#fit[" if fmt == "typ" and nxt is not None and not isinstance(nxt, str)
                           and _is_block(to_expr(nxt)) else "")
                if fmt == "html" and nxt is not None and not isinstance(nxt, str) and _is_block(to_expr(nxt)):
                    out.append('<div class="blockmath">')
            continue
        e = to_expr(seg)
        block = _is_block(e)
        opened = i > 0 and isinstance(segs[i - 1], str)
        if fmt == "typ":
            m = f"$display({_typst_math(e)})$"
            out.append((m if opened else f"\n#fit[{m}") + "]\n" if block else m)
        else:
            m = mathml(e)
            out.append((m if opened else f'<div class="blockmath">{m}') + "</div>" if block else m)
    return "".join(out)


def _split_label(prose: str) -> tuple[str, str]:
    """``"... places.\nH = "`` -> (``"... places.\n"``, ``"H = "``): a short label ending in ``=`` joins its matrix."""
    head, nl, tail = prose.rpartition("\n")
    if tail.rstrip().endswith("=") and len(tail) <= 40:
        return head + nl, tail
    return prose, ""


# ---- derivations --------------------------------------------------------------------------------------------------
def _typst_step(step: Step) -> str:
    lhs, pieces = _step_pieces(step)
    ms = [_typst_math(p) for p in pieces]
    if lhs is not None:
        body = f"{_typst_math(lhs)} &= " + " \\\n  &= ".join(ms)
    elif len(ms) > 1:
        body = ms[0] + " &= " + " \\\n  &= ".join(ms[1:])
    else:
        body = ms[0]
    note = f"[{rich(step.note, 'typ')}]" if step.note else "none"
    return f"#step([{rich(step.title, 'typ')}], fit[$ {body} $], {note})"


def _html_step(step: Step) -> str:
    lhs, pieces = _step_pieces(step)
    rows = []
    first = mathml(lhs) if lhs is not None else ""
    start = 0 if lhs is not None else 1
    if lhs is None:
        first = mathml(pieces[0])
    for i, p in enumerate(pieces[start:]):
        left = first if i == 0 else ""
        rows.append(f'<div class="eqrow"><span class="lhs">{left}</span><span class="rhs">'
                    f'<math xmlns="http://www.w3.org/1998/Math/MathML"><mo>=</mo></math> {mathml(p)}</span></div>')
    if not rows:
        rows.append(f'<div class="eqrow"><span class="lhs"></span><span class="rhs">{first}</span></div>')
    note = f'<div class="note">{rich(step.note, "html")}</div>' if step.note else ""
    return f'<li><b>{rich(step.title, "html")}</b><div class="eq">{"".join(rows)}</div>{note}</li>'


def derivation(d: Any, fmt: str) -> str:
    """The worked solution's steps (the answer line is shown separately by the templates)."""
    if fmt == "typ":
        return "\n".join(_typst_step(s) for s in d.steps)
    if fmt == "html":
        return '<ol class="steps">' + "".join(_html_step(s) for s in d.steps) + "</ol>"
    body = R.derivation(type(d)(steps=list(d.steps), answer=""), _DOC_FMT[fmt])
    return body


# ---- answers ------------------------------------------------------------------------------------------------------
def answer(part: Part, value: Any, fmt: str) -> str:
    """One part's answer: numbers to 6 significant figures, matrices as matrices, labels as text."""
    v = plain(value)
    if isinstance(v, str):
        return text(v, fmt)
    e = to_expr(v)
    if _is_block(e):
        return {"typ": f"#fit[$ {R.math(e, 'typst')} $]", "html": mathml(e, display=True),
                "md": f"\n$$\n{R.math(e, 'latex')}\n$$\n", "tex": f"\\[ {R.math(e, 'latex')} \\]"}[fmt]
    shown = R.value_text(v)
    return {"typ": typst_str(shown), "html": escape(shown), "md": f"`{shown}`", "tex": P.tex_text(shown)}[fmt]


def text(s: str, fmt: str) -> str:
    """Plain text (a title, a part label, a student id) escaped for a sheet format; never read as markup."""
    return P.plain(s, _DOC_FMT[fmt])


def problem_markup(sp: SheetProblem, fmt: str, solutions: bool) -> dict[str, Any]:
    """The pieces one template needs for one problem."""
    parts = [{"name": p.name, "label": text(p.label, fmt), "form": text(p.form(sp.tolerance), fmt),
              "answer": answer(p, sp.answers[p.name], fmt) if solutions else ""}
             for p in sp.final_parts]
    return {
        "number": sp.number, "id": sp.problem.id, "title": text(sp.problem.title, fmt), "code": sp.code,
        "difficulty": sp.instance.difficulty, "statement": statement(sp.statement, fmt), "parts": parts,
        "derivation": derivation(sp.derivation, fmt) if solutions else "",
        "answer_line": rich(sp.derivation.answer, fmt) if solutions and sp.derivation.answer else "",
        "watch_out": [rich(w, fmt) for w in sp.watch_out] if solutions else [],
    }
