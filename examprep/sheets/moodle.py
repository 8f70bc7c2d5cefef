"""Moodle XML export: one question per instance, the worked solution as general feedback.

A problem with one numeric final part becomes a ``numerical`` question (the part's tolerance as Moodle's absolute
tolerance); any other becomes a ``cloze`` (multianswer) question whose fields are weighted as ``examprep grade``
weighs the parts (:mod:`examprep.sheets.cloze`). The question's default mark is ``grade``'s points for it. Each
applicable named mistake is a 0% answer with its feedback. Math is written as TeX between ``\\(`` and ``\\)``,
which Moodle's MathJax filter renders. Only the final parts are asked (as in ``examprep grade``); the derivation
shows the intermediate values.
"""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

from examprep.grader.compare import tolerance
from examprep.parts import Part
from examprep.sheets.build import SheetProblem, build_problem, plain
from examprep.sheets.cloze import NUMERIC, field_weights, fields, number
from examprep.sheets.markup import _is_block, _step_pieces
from examprep.sheets.render import write_atomic
from examprep.sheets.select import instances, parse_items
from examprep.solver import prose as P
from examprep.solver import render as R
from examprep.solver.expr import to_expr


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
            out.append(P.prose(seg, "mathjax"))
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
        note = f"<br><i>{P.prose(s.note, 'mathjax')}</i>" if s.note else ""
        items.append(f"<li><b>{P.prose(s.title, 'mathjax')}</b>: \\( {escape(eq)} \\){note}</li>")
    out = f"<ol>{''.join(items)}</ol>"
    if sp.derivation.answer:
        out += f"<p><b>Answer:</b> {P.prose(sp.derivation.answer, 'mathjax')}</p>"
    out += "".join(f"<p><b>Watch out:</b> {P.prose(w, 'mathjax')}</p>" for w in sp.watch_out)
    return out


def _mistakes(sp: SheetProblem, part: Part) -> list[tuple[Any, str]]:
    """(the mistaken value of ``part``, feedback) for every applicable named mistake that changes it."""
    return [(m.answers[part.name], m.feedback) for m in sp.problem.mistakes(sp.instance.params).values()
            if part.name in m.answers]


def _text(parent: ET.Element, tag: str, text: str, fmt: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(el, "text").text = text
    return el


def question(sp: SheetProblem) -> ET.Element:
    """One ``<question>`` element for a sheet problem."""
    if getattr(sp.problem, "is_concept", False):  # multichoice / truefalse / shortanswer (examprep.concepts.moodle)
        from examprep.concepts.moodle import concept_question

        return concept_question(sp)
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
        w = field_weights(finals, sp.answers)
        tol = functools.partial(part_tolerance, policy=sp.tolerance)
        body += "".join(f"<p>{escape(p.label)} ({escape(p.form(sp.tolerance))}): "
                        f"{fields(p, sp.answers[p.name], w[p.name], _mistakes(sp, p), tol)}</p>"
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
        for m, fb in _mistakes(sp, p):  # a named mistake: 0 marks, its feedback (the right answer is matched first)
            m = plain(m)
            if isinstance(m, (list, str)) or abs(float(m) - float(v)) <= part_tolerance(p, v, sp.tolerance):
                continue
            wa = ET.SubElement(q, "answer", {"fraction": "0", "format": "moodle_auto_format"})
            ET.SubElement(wa, "text").text = number(m)
            ET.SubElement(wa, "tolerance").text = number(part_tolerance(p, m, sp.tolerance))
            _text(wa, "feedback", P.prose(fb, "mathjax"), "html")
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
    from examprep.formats import resolve

    resolve(output, None, ("xml",), default="xml", flag=False)  # -o quiz.docx is refused before any work
    pairs = instances(parse_items(targets, topics, count), seed=seed, difficulty=difficulty)
    problems = []
    for i, (pt, inst) in enumerate(pairs, 1):
        problems.append(build_problem(i, pt, inst, tolerance))
        if progress:
            progress(1)
    try:
        write_atomic(Path(output), quiz_xml(problems, category))
    except OSError as e:
        from examprep.sheets.commands import SheetWriteError

        raise SheetWriteError(f"cannot write {output}: {e.strerror or e}; choose another -o") from None
    return len(problems)
