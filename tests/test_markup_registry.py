"""Every registered type's prose (statement strings, step titles and notes, the answer line, mistake feedback) is
valid inline-math markup and renders in every format: an unknown command or a stray ``$`` fails here, by type."""

from __future__ import annotations

import re

import pytest

from examprep.registry import list_specs, make
from examprep.sheets.build import build_problem
from examprep.sheets.markup import FORMATS as SHEET_FORMATS
from examprep.sheets.markup import problem_markup
from examprep.sheets.moodle import question
from examprep.solver import render as R
from examprep.solver.prose import FORMATS, prose
from examprep.solver.texmath import split

IDS = [s.id for s in list_specs()]


def _prose(pt, params) -> list[str]:
    """Every prose string one instance shows."""
    d = pt.derivation(params)
    out = [s for s in pt.statement(params) if isinstance(s, str)]
    out += [s.title for s in d.steps] + [s.note for s in d.steps if s.note] + [d.answer]
    out += [m.feedback for m in pt.mistakes(params).values()]
    return out


@pytest.mark.parametrize("pid", IDS)
def test_prose_of_every_type_renders_in_every_format(pid):
    pt = make(pid)
    for seed, diff in ((0, "easy"), (1, "medium"), (2, "hard")):
        inst = pt.generate(seed, diff)
        for s in _prose(pt, inst.params):
            for fmt in FORMATS:
                prose(s, fmt)  # raises MathMarkupError on anything outside the subset
        for fmt in R.OUTPUT_FORMATS:
            assert R.statement(pt.statement(inst.params), fmt).strip()
        sp = build_problem(1, pt, inst)
        for fmt in SHEET_FORMATS:
            assert problem_markup(sp, fmt, True)["statement"]
        question(sp)


# Greek, sub/superscripts, combining accents, operators (but × and − may stay in prose: 3×3, z = −1), x_i and ^
_MATH_CHARS = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff\u2070-\u209f\u1d00-\u1dbf\u0300-\u036f\u2200-\u2211"
                         r"\u2213-\u22ff\u2300-\u23ff·⁻ᵀ√½‖]|(?<![A-Za-z])[A-Za-z]_([A-Za-z0-9]{1,2}(?![A-Za-z0-9_])|[({])"
                         r"|\^")  # W_s, h_j, s_(i-1) are math; m_hat and d_model (code names) are not


@pytest.mark.parametrize("pid", IDS)
def test_statement_prose_has_no_raw_math(pid):
    """Math in a statement's prose is ``$...$`` markup: no Greek, operators, sub/superscripts or ``x_i`` outside it."""
    pt = make(pid)
    for seed, diff in ((0, "easy"), (1, "medium"), (2, "hard"), (3, "medium")):
        for seg in pt.statement(pt.generate(seed, diff).params):
            if isinstance(seg, str):
                outside = "".join(t for is_math, t in split(seg) if not is_math)
                assert not _MATH_CHARS.search(outside), (pid, outside)


@pytest.mark.parametrize("pid", IDS)
def test_no_user_facing_text_names_a_source_the_user_does_not_have(pid):
    """Statements, steps, answers and mistake feedback describe the error itself, never "the notes"/"the slides"."""
    pt = make(pid)
    for seed, diff in ((0, "easy"), (1, "medium"), (2, "hard")):
        for s in _prose(pt, pt.generate(seed, diff).params):
            assert not re.search(r"\b(notes|slides?|revision)\b", s, re.I), (pid, s)
