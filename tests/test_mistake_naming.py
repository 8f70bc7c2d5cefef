"""Which mistake is named: all of them when several give the value, most common first; and the words used."""

from __future__ import annotations

import re

import pytest

from examprep.grader.score import grade_answers
from examprep.instances import from_code
from examprep.registry import all_specs, make

SOURCES = re.compile(r"(?i)\b(the notes|revision notes|notes'|the slides|slides'|lecture notes)")


def test_every_mistake_giving_the_value_is_named_most_common_first() -> None:
    """EXZR-JWW: h_out = 56 is both the rounded-up size (ceil) and the padding-subtracted formula."""
    inst = from_code("EXZR-JWW")
    pt = make(inst.problem_id)
    r = grade_answers(pt, pt.solve(inst.params), {"h_out": "56"}, pt.mistakes(inst.params)).parts[0]
    assert r.mistakes == ("ceil", "padding_subtracted") and r.mistake == "ceil"
    assert r.feedback.startswith("Several mistakes give this value. You rounded up")
    assert "Or: You used ⌊(W − 2P − (K − 1))/S⌋ + 1" in r.feedback


@pytest.mark.parametrize("problem_id", sorted(s.id for s in all_specs()))
def test_no_user_facing_text_cites_a_source_the_user_does_not_have(problem_id: str) -> None:
    from examprep.solver.render import derivation, statement

    pt = make(problem_id)
    for seed in range(3):
        for difficulty in ("easy", "hard"):
            inst = pt.generate(seed, difficulty)
            texts = [m.feedback for m in pt.mistakes(inst.params).values()]
            try:
                texts.append(statement(pt.statement(inst.params), "text"))
                texts.append(derivation(pt.derivation(inst.params), "text"))
            except ValueError:  # a math-markup error is another test's business; read the raw prose instead
                texts += [s for s in pt.statement(inst.params) if isinstance(s, str)]
                texts += [f"{st.title} {st.note or ''}" for st in pt.derivation(inst.params)]
            texts += [p.label for p in pt.parts]
            texts += [pr.doc for pr in pt.params]
            texts += list(pt.mistakes(inst.params))
            for t in texts:
                assert not SOURCES.search(t) and "notes_" not in t, f"{inst.code}: {t!r}"
