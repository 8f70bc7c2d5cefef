"""Moodle XML for concept items: ``multichoice`` (single or multiple answers), ``truefalse`` and ``shortanswer``.

Every answer carries its one-line feedback and the explanation is the general feedback. The options keep the
instance's order (``shuffleanswers`` off, lettered ``ABCD``) so the letters match the code printed on a sheet.
A multiple-answer question gives each right option 100/k % and each wrong one −100/k % (k right options), which is
examprep's own partial credit: (right − wrong)/k, floored at 0 by Moodle as by ``examprep grade``.
Inline ``$...$`` math becomes ``\\( ... \\)`` for Moodle's MathJax filter.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html import escape
from typing import Any


def html(text: str) -> str:
    """Prose with ``$...$`` math as HTML with ``\\( ... \\)`` TeX for MathJax (the shared prose renderer)."""
    from examprep.solver import prose

    return prose.prose(text, "mathjax")


def _text(parent: ET.Element, tag: str, text: str, fmt: str | None = "html") -> ET.Element:
    el = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(el, "text").text = text
    return el


def _answer(q: ET.Element, fraction: str, text: str, feedback: str, fmt: str = "html") -> None:
    a = ET.SubElement(q, "answer", {"fraction": fraction, "format": fmt})
    ET.SubElement(a, "text").text = text
    _text(a, "feedback", feedback)


def fraction(x: float) -> str:
    """A Moodle grade fraction in percent (7 significant digits, as Moodle's own list: 33.33333)."""
    return f"{x:.7g}"


def concept_question(sp: Any) -> ET.Element:
    """The ``<question>`` of one sheet problem whose problem type is a concept item."""
    pt, inst = sp.problem, sp.instance
    item = pt.item
    qtype = {"choice": "multichoice", "multi": "multichoice", "truefalse": "truefalse", "short": "shortanswer"}
    q = ET.Element("question", {"type": qtype[item.kind]})
    _text(q, "name", f"{item.title} · {sp.code}", None)
    head = (f'<p><small>code <code>{escape(sp.code)}</code> · {escape(item.id)} · '
            f'{escape(item.difficulty)}</small></p>')
    _text(q, "questiontext", head + f"<p>{html(item.stem)}</p>")
    _text(q, "generalfeedback", f"<p>{html(item.explanation)}</p>")
    ET.SubElement(q, "defaultgrade").text = "1.0"
    ET.SubElement(q, "penalty").text = "0.3333333"
    ET.SubElement(q, "hidden").text = "0"
    ET.SubElement(q, "idnumber").text = sp.code
    if item.kind in ("choice", "multi"):
        opts = pt.options(inst.params)
        k = sum(1 for _, o in opts if o.correct)
        ET.SubElement(q, "single").text = "true" if item.kind == "choice" else "false"
        ET.SubElement(q, "shuffleanswers").text = "false"
        ET.SubElement(q, "answernumbering").text = "ABCD"
        for _, o in opts:
            if item.kind == "choice":
                frac = "100" if o.correct else "0"
            else:
                frac = fraction(100 / k if o.correct else -100 / k)
            _answer(q, frac, f"<p>{html(o.text)}</p>", f"<p>{html(o.feedback)}</p>")
    elif item.kind == "truefalse":
        right = "<p>Right.</p>"
        wrong = f"<p>{html(item.explanation)}</p>"
        _answer(q, "100" if item.answer else "0", "true", right if item.answer else wrong, "moodle_auto_format")
        _answer(q, "0" if item.answer else "100", "false", wrong if item.answer else right, "moodle_auto_format")
    else:
        ET.SubElement(q, "usecase").text = "0"
        for a in item.answers:
            _answer(q, "100", a.replace("*", "\\*"), "<p>Right.</p>", "moodle_auto_format")
        _answer(q, "0", "*", f"<p>Expected: {html(item.answers[0])}.</p>", "moodle_auto_format")
    return q
