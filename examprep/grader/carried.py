"""Error carried forward: a derived part is also right when it follows from the student's own earlier answers.

An exam marker follows the work through: a part computed from earlier parts (its ``Part.uses``) is marked against
the value recomputed from the student's earlier answers as given (rounded or wrong), not only against the exact
value. Full credit when those earlier answers were right to the asked precision, ``GradeOptions.ecf_credit`` when
any was not (verdict *carried*); the feedback says what it follows from ("follows from your B = 86.12").

The recomputation is the problem type's own ``solve(params, given)``, so this module holds no formula.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from examprep.grader.compare import shape_of
from examprep.grader.options import DEFAULT, GradeOptions

if TYPE_CHECKING:
    from examprep.grader.score import PartResult
    from examprep.params import Params
    from examprep.problem import ProblemType

FOLLOWS = ("right", "carried")


def upstream(problem: ProblemType, name: str) -> list[str]:
    """Every part ``name`` is computed from, directly or through other parts (nearest first)."""
    out: list[str] = []
    todo = list(problem.part(name).uses)
    while todo:
        u = todo.pop(0)
        if u not in out:
            out.append(u)
            todo.extend(problem.part(u).uses)
    return out


def carry_forward(problem: ProblemType, params: Params, truth: dict[str, Any], given: dict[str, Any],
                  results: dict[str, PartResult], options: GradeOptions = DEFAULT) -> dict[str, PartResult]:
    """New verdicts for the derived parts that are not right but follow from the student's earlier answers.

    Args:
        given: the student's answers (text or values) by part name.
        results: the verdicts already given to those answers (by part name).

    Returns:
        Only the parts whose verdict changes, by name.
    """
    from examprep.grader.score import PartResult, grade_part, parsed_value

    values: dict[str, Any] = {}
    for name, r in results.items():
        if r.verdict != "invalid" and name in truth:
            v = parsed_value(problem.part(name), given[name])
            if v is not None and shape_of(v) == shape_of(truth[name]):
                values[name] = v
    out: dict[str, PartResult] = {}
    results = dict(results)  # updated in declaration order, so a part sees its inputs' new verdicts
    for name in [p.name for p in problem.parts if p.name in results]:
        r = results[name]
        part = problem.part(name)
        if not part.uses or r.verdict in FOLLOWS or r.verdict == "invalid" or name not in truth:
            continue
        used = [u for u in upstream(problem, name) if u in values]
        if not used:
            continue
        try:
            alt = problem.solve(params, {u: values[u] for u in used})[name]
        except (ValueError, ZeroDivisionError, FloatingPointError, OverflowError, IndexError, KeyError):
            continue  # the student's earlier values make the later part undefined (or name nothing that exists)
        again = grade_part(part, alt, given[name], None, options)
        if again.verdict != "right":
            continue
        exact = all(results[u].verdict == "right" for u in used)
        shown = ", ".join(f"{u} = {results[u].given}" for u in used)
        if exact:
            out[name] = PartResult(name, 1.0, "right", f"follows from your {shown}", None, r.given)
        else:
            off = ", ".join(u for u in used if results[u].verdict != "right")
            out[name] = PartResult(name, options.ecf_credit, "carried",
                                   f"follows from your {shown} ({off} not right: error carried forward)", None,
                                   r.given)
        results[name] = out[name]
    return out
