"""Every registered type's prose (statement strings, step titles and notes, the answer line, mistake feedback) is
valid inline-math markup and renders in every format: an unknown command or a stray ``$`` fails here, by type."""

from __future__ import annotations

import pytest

from examprep.registry import list_specs, make
from examprep.sheets.build import build_problem
from examprep.sheets.markup import FORMATS as SHEET_FORMATS
from examprep.sheets.markup import problem_markup
from examprep.sheets.moodle import question
from examprep.solver import render as R
from examprep.solver.prose import FORMATS, prose

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
