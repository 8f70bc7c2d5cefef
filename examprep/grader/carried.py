"""Error carried forward: a derived part is also right when it follows from the student's own earlier answers.

An exam marker follows the work through: a part computed from earlier parts (its ``Part.uses``) is marked against
the value recomputed from the student's earlier answers as given (rounded or wrong), not only against the exact
value. Full credit when those earlier answers were right to the asked precision, ``GradeOptions.ecf_credit`` when
any was not (verdict *carried*); the feedback says what it follows from ("follows from your B = 86.12").

The recomputation is the problem type's own ``solve(params, given)``, so this module holds no formula.

Parts may form a cycle (a trajectory worked step by step: g_t from the student's w_{t-1}, w_t from their g_t); the
type's ``solve`` then computes row t of each part from the student's earlier rows, and an input that is not right
but follows from the student's own values counts as free of error (rounding drift, not a mistake).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from examprep.grader.compare import shape_of
from examprep.grader.options import DEFAULT, GradeOptions

if TYPE_CHECKING:
    from examprep.grader.score import PartResult
    from examprep.params import Params
    from examprep.parts import Part
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
    from examprep.grader.score import PartResult, parsed_value

    values: dict[str, Any] = {}
    for name, r in results.items():
        if r.verdict != "invalid" and name in truth:
            v = parsed_value(problem.part(name), given[name])
            if v is not None and shape_of(v) == shape_of(truth[name]):
                values[name] = v
    follows: dict[str, bool] = {}
    recomputed: dict[tuple[str, tuple[str, ...]], Any] = {}

    def again(name: str, inputs: list[str]) -> Any:
        """Part ``name`` recomputed from the student's values of ``inputs`` (once per pair; None if undefined)."""
        key = (name, tuple(inputs))
        if key not in recomputed:
            recomputed[key] = _recompute(problem, params, {u: values[u] for u in inputs}, name)
        return recomputed[key]

    def follows_own(name: str) -> bool:
        """True when the student's ``name`` is what their own values of its inputs give (cached)."""
        if name not in follows:
            used = [u for u in upstream(problem, name) if u in values]
            # a part in its own upstream (a cycle of parts: a trajectory, g_t from w_{t-1} and w_t from g_t)
            # follows from the student's values as reported (rounded), or with its own earlier rows carried in full
            # precision, or from the parts before it only (worked part by part): every way of working is fair
            ways = [used]
            if name in used:
                order = [p.name for p in problem.parts]
                ways += [[u for u in used if u != name], [u for u in used if order.index(u) < order.index(name)]]
            follows[name] = any(_matches(problem.part(name), again(name, w), given[name], options)
                                for i, w in enumerate(ways) if w not in ways[:i])
        return follows[name]

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
        if not follows_own(name):
            if name in used and name in values:  # a trajectory with a slip: the steps after it may still follow
                step = _entries_following(part, again(name, used), values[name], truth[name], options, r.given)
                if step is not None and step.score > r.score:
                    out[name] = results[name] = step
            continue
        # an input is free of error when it is right, or when it too follows from the student's values: in a
        # cycle of parts (a trajectory: g_t from w_{t-1}, w_t from g_t) the parts follow from each other row by
        # row, and rounding drift in one is no error in the others
        off = [u for u in used if results[u].verdict != "right" and not follows_own(u)]
        shown = ", ".join(f"{u} = {results[u].given}" for u in used if u != name)
        if name in used:  # a cycle of parts: the part follows from the others and its own earlier rows
            shown = f"{shown}, step by step" if shown else "own earlier steps"
        if not off:
            out[name] = PartResult(name, 1.0, "right", f"follows from your {shown}", None, r.given)
        else:
            out[name] = PartResult(name, options.ecf_credit, "carried",
                                   f"follows from your {shown} ({', '.join(off)} not right: error carried "
                                   "forward)", None, r.given)
        results[name] = out[name]
    return out


_UNDEFINED = (ValueError, ZeroDivisionError, FloatingPointError, OverflowError, IndexError, KeyError)


def _recompute(problem: ProblemType, params: Params, inputs: dict[str, Any], name: str) -> Any:
    """Part ``name`` recomputed from the student's ``inputs``; None where there are none, or where they make the
    part undefined (or name nothing that exists): then nothing follows."""
    if not inputs:
        return None
    try:
        with np.errstate(invalid="raise", divide="raise", over="raise"):
            return problem.solve(params, inputs)[name]
    except _UNDEFINED:
        return None


def _matches(part: Part, alt: Any, answer: Any, options: GradeOptions) -> bool:
    """True when ``answer`` is right against ``alt``, the part recomputed from the student's values."""
    from examprep.grader.score import grade_part

    return alt is not None and grade_part(part, alt, answer, None, options).verdict == "right"


def _entries_following(part: Part, alt: Any, value: Any, truth: Any, options: GradeOptions,
                       text: str) -> PartResult | None:
    """A part in its own upstream (a trajectory) that does not follow as a whole: its entries right against the
    truth earn full credit and the entries that follow from the student's own earlier steps (``alt``, a later step
    computed from a slipped one) ``options.ecf_credit`` each, as an exam marker follows the working after a slip.
    None when no entry follows."""
    from examprep.grader.compare import entries_close
    from examprep.grader.score import PartResult, _entry_verdicts

    if part.kind not in ("vector", "matrix") or not part.partial or alt is None or shape_of(alt) != shape_of(value):
        return None
    right, coarse = _entry_verdicts(part, value, truth, options.tolerance)
    follow = entries_close(part, value, alt, policy=options.tolerance) & ~right & ~coarse
    k, c, m, n = int(right.sum()), int(coarse.sum()), int(follow.sum()), right.size
    if not m:
        return None
    credit = (k + options.imprecise_credit * c + options.ecf_credit * m) / n
    fb = (f"{k} of {n} entries {'is' if k == 1 else 'are'} right"
          + (f", {c} right but rounded to fewer digits than asked" if c else "")
          + f"; {m} more {'follows' if m == 1 else 'follow'} from your own earlier steps (error carried forward)")
    return PartResult(part.name, credit, "carried", fb, None, text)
