"""No named mistake is graded right under the fair tolerance, on the first 1,000 generated instances of every type.

The fair policy widens the tolerance to 0.2% of the exact value; generate() rejects draws where a named mistake falls
inside that band (versions from before the rule keep their streams, and the grader narrows such a part to the
strict tolerance). Either way a student who makes a named mistake must not be marked right: this test grades every
mistake's value for every part it changes beyond the strict tolerance, exactly as ``check`` would.
"""

from __future__ import annotations

import pytest

from examprep.grader.score import grade_part, matches
from examprep.registry import all_specs, make

pytestmark = pytest.mark.slow  # about 90 s of CPU for every type; deselect with -m "not slow"

N = 1000
# norm/adaptive-v1: generate(813) divides by a zero group variance inside degenerate() (on main too; reported).
KNOWN: dict[str, object] = {}
IDS = [pytest.param(i, marks=KNOWN[i]) if i in KNOWN else i for i in sorted(s.id for s in all_specs())]


@pytest.mark.parametrize("problem_id", IDS)
def test_no_named_mistake_is_graded_right(problem_id: str) -> None:
    pt = make(problem_id)
    bad = []
    for seed in range(N):
        inst = pt.generate(seed)
        truth = pt.solve(inst.params)
        mistakes = pt.mistakes(inst.params)
        for name, m in mistakes.items():
            for part_name, v in m.answers.items():
                part = pt.part(part_name)
                if part_name not in truth or matches(part, v, truth[part_name], "strict") >= 1:
                    continue  # the mistake does not change this part
                r = grade_part(part, truth[part_name], v, mistakes)
                if r.verdict == "right":
                    bad.append(f"{inst.code} {name} {part_name}")
    assert not bad, f"{len(bad)} named mistakes graded right, e.g. {bad[:5]}"
