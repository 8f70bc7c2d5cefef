"""Moodle XML export: one question per instance, the worked solution as general feedback.

A problem with one numeric final part becomes a ``numerical`` question (the part's tolerance as Moodle's absolute
tolerance); any other becomes a ``cloze`` (multianswer) question with one embedded field per number
(``{1:NUMERICAL:=value:tolerance}``; vectors and matrices get one field per entry) and ``{1:SHORTANSWER:=label}``
for labels. Math is written as TeX between ``\\(`` and ``\\)``, which Moodle's MathJax filter renders. Only the
final parts are asked (as in ``examprep grade``); the derivation shows the intermediate values.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

import numpy as np

from examprep.grader.compare import tolerance
from examprep.parts import Part
from examprep.sheets.build import SheetProblem, build_problem, plain
from examprep.sheets.markup import _is_block, _step_pieces
from examprep.sheets.render import write_atomic
from examprep.sheets.select import instances, parse_items
from examprep.solver import render as R
from examprep.solver.expr import to_expr

NUMERIC = ("integer", "real")


def number(x: float | int) -> str:
    """A number in plain positional notation (Moodle reads no exponents), at full precision."""
    if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        return str(int(x))
    return np.format_float_positional(float(f"{float(x):.12g}"), trim="-")


def part_tolerance(part: Part, value: float, policy: str = "fair") -> float:
    """Moodle's absolute tolerance for one true value: the largest error the grader accepts."""
    mode, rtol, atol, digits = part.comparison
    if part.integral or part.kind == "integer":
        return 0.0
    return tolerance(float(value), mode, rtol, atol, digits, policy)


def _tex_statement(segments: list[Any]) -> str:
    out = []
    for seg in segments:
        if isinstance(seg, str):
            out.append(escape(seg).replace("\n", "<br>"))
        else:
            e = to_expr(seg)
            tex = R.math(e, "latex")
            out.append(f"\\[ {escape(tex)} \\]" if _is_block(e) else f"\\( {escape(tex)} \\)")
    return "".join(out)


def feedback_html(sp: SheetProblem) -> str:
    """The worked solution as HTML with TeX math, plus the watch-out notes."""
    items = []
    for s in sp.derivation.steps:
        lhs, pieces = _step_pieces(s)
        eq = " = ".join(([R.math(lhs, "latex")] if lhs is not None else []) + [R.math(p, "latex") for p in pieces])
        note = f"<br><i>{escape(s.note)}</i>" if s.note else ""
        items.append(f"<li><b>{escape(s.title)}</b>: \\( {escape(eq)} \\){note}</li>")
    out = f"<ol>{''.join(items)}</ol>"
    if sp.derivation.answer:
        out += f"<p><b>Answer:</b> {escape(sp.derivation.answer)}</p>"
    out += "".join(f"<p><b>Watch out:</b> {escape(w)}</p>" for w in sp.watch_out)
    return out


def _shortanswer(label: str) -> str:
    for c in "\\}#~/\"":
        label = label.replace(c, "\\" + c)
    return label


def _field(part: Part, value: Any, policy: str = "fair") -> str:
    if isinstance(value, str):
        return f"{{1:SHORTANSWER:={_shortanswer(value)}}}"
    return f"{{1:NUMERICAL:={number(value)}:{number(part_tolerance(part, value, policy))}}}"


def cloze_fields(part: Part, value: Any, policy: str = "fair") -> str:
    """The embedded answer fields of one part: one per number, laid out as a row or a grid for arrays."""
    v = plain(value)
    if not isinstance(v, list):
        return _field(part, v, policy)
    rows = v if v and isinstance(v[0], list) else [v]
    cells = "".join("<tr>" + "".join(f"<td>{_field(part, x, policy)}</td>" for x in r) + "</tr>" for r in rows)
    return f'<table class="examprep-grid">{cells}</table>'


def _text(parent: ET.Element, tag: str, text: str, fmt: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(el, "text").text = text
    return el


def question(sp: SheetProblem) -> ET.Element:
    """One ``<question>`` element for a sheet problem."""
    finals = sp.final_parts
    single = len(finals) == 1 and finals[0].kind in NUMERIC
    q = ET.Element("question", {"type": "numerical" if single else "cloze"})
    _text(q, "name", f"{sp.problem.title} · {sp.code}")
    head = (f'<p><small>code <code>{escape(sp.code)}</code> · {escape(sp.problem.id)} · '
            f'{escape(sp.instance.difficulty)}</small></p>')
    body = f"<p>{_tex_statement(sp.statement)}</p>"
    if single:
        p = finals[0]
        body += f"<p>{escape(p.label)} ({escape(p.form(sp.tolerance))})</p>"
    else:
        body += "".join(f"<p>{escape(p.label)} ({escape(p.form(sp.tolerance))}): "
                        f"{cloze_fields(p, sp.answers[p.name], sp.tolerance)}</p>"
                        for p in finals)
    _text(q, "questiontext", head + body, "html")
    _text(q, "generalfeedback", feedback_html(sp), "html")
    ET.SubElement(q, "defaultgrade").text = str(float(sum(p.weight for p in finals)))
    ET.SubElement(q, "penalty").text = "0.3333333"
    ET.SubElement(q, "hidden").text = "0"
    ET.SubElement(q, "idnumber").text = sp.code
    if single:
        p = finals[0]
        v = plain(sp.answers[p.name])
        a = ET.SubElement(q, "answer", {"fraction": "100", "format": "moodle_auto_format"})
        ET.SubElement(a, "text").text = number(v)
        ET.SubElement(a, "tolerance").text = number(part_tolerance(p, v, sp.tolerance))
        _text(a, "feedback", "Right.", "html")
        units = ET.SubElement(q, "unitgradingtype")
        units.text = "0"
        ET.SubElement(q, "showunits").text = "3"
    return q


def quiz_xml(problems: list[SheetProblem], category: str = "examprep") -> bytes:
    """The Moodle XML document (a category question first, then one question per problem)."""
    quiz = ET.Element("quiz")
    cat = ET.SubElement(quiz, "question", {"type": "category"})
    _text(cat, "category", f"$course$/top/{category}")
    for sp in problems:
        quiz.append(question(sp))
    ET.indent(quiz)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode").encode("utf-8") + b"\n"


def write_moodle(targets: list[str], topics: list[str], count: int, seed: int, difficulty: str, output: str,
                 category: str = "examprep", progress: Callable[[int], None] | None = None,
                 tolerance: str = "fair") -> int:
    """Select, build and write a Moodle XML file; returns the number of questions."""
    pairs = instances(parse_items(targets, topics, count), seed=seed, difficulty=difficulty)
    problems = []
    for i, (pt, inst) in enumerate(pairs, 1):
        problems.append(build_problem(i, pt, inst, tolerance))
        if progress:
            progress(1)
    write_atomic(Path(output), quiz_xml(problems, category))
    return len(problems)
