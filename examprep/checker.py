"""The self-test of a problem type: small named ``check_*`` functions (Gymnasium's env checker).

``self_test(problem, instances)`` runs every check on every instance and returns the failures. The test suite
runs it over the whole registry, so a new problem type is tested the moment it is registered.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from examprep import seeding
from examprep.grader.compare import tolerance
from examprep.grader.score import grade_answers, grade_part
from examprep.problem import Instance, ProblemType
from examprep.solver.render import OUTPUT_FORMATS, derivation, statement


def check_truth_scores_full(pt: ProblemType, inst: Instance, truth: dict[str, Any]) -> None:
    r = grade_answers(pt, truth, {k: truth[k] for k in truth}, pt.mistakes(inst.params))
    bad = [p.name for p in r.parts if p.score < 1]
    assert not bad, f"the true answer does not score full marks on {bad}"


def check_truth_as_text_scores_full(pt: ProblemType, inst: Instance, truth: dict[str, Any]) -> None:
    from examprep.solver.render import value_text

    for part in pt.active_parts(inst.params):
        v = truth[part.name]
        text = value_text(_as_given(v, part))
        r = grade_part(part, v, text)
        assert r.score == 1, f"part {part.name}: the true answer typed as {text!r} scores {r.verdict} ({r.feedback})"


def _as_given(v: Any, part: Any) -> Any:
    """The truth written with 12 significant figures, as a careful student would type it."""
    if isinstance(v, str):
        return v
    arr = np.asarray(v, dtype=float)
    if part.kind == "integer" or part.integral:
        return np.rint(arr).astype(int).tolist() if arr.ndim else int(round(float(arr)))
    return np.vectorize(lambda x: float(f"{x:.12g}"))(arr).tolist() if arr.ndim else float(f"{float(arr):.12g}")


def check_just_outside_scores_zero(pt: ProblemType, inst: Instance, truth: dict[str, Any]) -> None:
    for part in pt.active_parts(inst.params):
        t = truth[part.name]
        if isinstance(t, str):
            continue
        arr = np.asarray(t, dtype=float)
        flat = arr.ravel()
        if not flat.size:
            continue
        mode, rtol, atol, digits = part.comparison
        finite = np.isfinite(flat)
        if not finite.any():
            continue  # an infinite value is matched exactly
        i = int(np.argmax(np.where(finite, np.abs(flat), -1.0)))
        tol = tolerance(float(flat[i]), mode, rtol, atol, digits)
        step = 1.0 if mode == "exact" or part.integral else 1.05 * tol
        bumped = flat.copy()
        bumped[i] = flat[i] + (step if flat[i] >= 0 else -step)
        given = bumped.reshape(arr.shape).tolist() if arr.ndim else float(bumped[0])
        r = grade_part(part, t, given)
        want = 0.0 if arr.ndim == 0 or not part.partial else (flat.size - 1) / flat.size
        assert abs(r.score - want) < 1e-9, f"part {part.name}: an answer just outside tolerance scores {r.score}"


def check_solve_gives_active_parts(pt: ProblemType, inst: Instance, truth: dict[str, Any]) -> None:
    want = {p.name for p in pt.active_parts(inst.params)}
    assert set(truth) == want, f"solve gives parts {sorted(truth)}, the instance asks for {sorted(want)}"


def check_mistakes_score_below_full(pt: ProblemType, inst: Instance, truth: dict[str, Any]) -> None:
    for name, m in pt.mistakes(inst.params).items():
        unknown = set(m.answers) - {p.name for p in pt.parts}
        assert not unknown, f"mistake {name} answers unknown parts {unknown}"
        r = grade_answers(pt, truth, m.answers, {name: m})
        assert r.score < 1, f"mistake {name} scores full marks (degenerate instance)"
        wrong = [p for p in r.parts if p.score < 1]
        # another mistake with the same answers may be named first, so any named mistake counts
        assert any(p.mistake for p in wrong), f"mistake {name} is not recognised by the grader"


def check_carried_solve(pt: ProblemType, inst: Instance, truth: dict[str, Any]) -> None:
    """Error carried forward: solve given the exact earlier values reproduces the exact answers, and every
    declared input of a part is a part of the type."""
    names = {p.name for p in pt.parts}
    for part in pt.parts:
        unknown = set(part.uses) - names
        assert not unknown, f"part {part.name} uses unknown parts {sorted(unknown)}"
    if not pt.carries_forward:
        return
    given = {k: v for k, v in truth.items() if not isinstance(v, str)}
    again = pt.solve(inst.params, given)
    for k, v in truth.items():
        if isinstance(v, str):
            assert again[k] == v, f"part {k}: solve from the exact earlier values gives {again[k]!r}, not {v!r}"
        else:
            assert np.allclose(np.asarray(again[k], dtype=float), np.asarray(v, dtype=float), rtol=1e-9,
                               atol=1e-12), f"part {k}: solve from the exact earlier values gives {again[k]!r}"


def check_invalid_is_invalid(pt: ProblemType, inst: Instance, truth: dict[str, Any]) -> None:
    for part in pt.active_parts(inst.params):
        for junk in ("__import__('os').system('true')", "1e999999", "nan", "[[1,2],[3]]", "x" * 20000, ""):
            if part.kind in ("label", "choice") and junk in ("nan",):
                continue
            r = grade_part(part, truth[part.name], junk)
            assert r.verdict in ("invalid", "wrong") and r.score == 0, f"part {part.name}: {junk[:30]!r} -> {r}"
        r = grade_part(part, truth[part.name], "1e999999")
        if part.kind not in ("label", "choice"):
            assert r.verdict == "invalid", f"part {part.name}: 1e999999 is not reported invalid"


def check_steps_end_at_answers(pt: ProblemType, inst: Instance, truth: dict[str, Any]) -> None:
    d = pt.derivation(inst.params)
    vals = d.part_values()
    for part in pt.active_parts(inst.params):
        if not part.final:
            continue
        assert part.name in vals, f"no step produces the final part {part.name}"
    for name, v in vals.items():
        part = pt.part(name)
        r = grade_part(part, truth[name], v)
        assert r.score == 1, f"step for {name} shows {v!r}, solve gives {truth[name]!r}"


def check_substitutions_evaluate(pt: ProblemType, inst: Instance, truth: dict[str, Any]) -> None:
    """What is shown is what is used: every substituted formula evaluates (exactly) to its step's value."""
    for s in pt.derivation(inst.params):
        if s.substituted is None or isinstance(s.value, str):
            continue
        try:
            got = s.substituted.evaluate()
        except (ValueError, TypeError, AttributeError, NotImplementedError):
            continue  # contains text or a function without a sympy form
        want = np.asarray(s.value, dtype=float)
        g = np.asarray(got, dtype=float)
        if g.shape != want.shape and g.size == want.size:
            g = g.reshape(want.shape)
        assert g.shape == want.shape, f"step {s.title!r}: formula gives shape {g.shape}, value has {want.shape}"
        assert np.allclose(g, want, rtol=1e-6, atol=1e-9), f"step {s.title!r}: formula gives {got}, shows {s.value}"


def check_renders(pt: ProblemType, inst: Instance, truth: dict[str, Any]) -> None:
    d = pt.derivation(inst.params)
    for fmt in OUTPUT_FORMATS:
        text = derivation(d, fmt)
        assert text.strip(), f"empty {fmt} derivation"
        st = statement(pt.statement(inst.params), fmt)
        assert st.strip(), f"empty {fmt} statement"


def check_code_round_trip(pt: ProblemType, inst: Instance, truth: dict[str, Any]) -> None:
    if inst.code is None:
        return
    from examprep.instances import from_code

    again = from_code(inst.code)
    assert again.problem_id == inst.problem_id and again.params == inst.params, "instance code does not round-trip"
    h, seed, diff = seeding.decode(inst.code)
    assert (seed, diff) == (inst.seed, inst.difficulty)


def check_finite(pt: ProblemType, inst: Instance, truth: dict[str, Any]) -> None:
    for k, v in truth.items():
        if isinstance(v, str):
            continue
        arr = np.asarray(v, dtype=float)
        if pt.part(k).infinite:
            arr = arr[~np.isposinf(arr)]
        assert np.all(np.isfinite(arr)), f"part {k} is not finite: {v}"
        assert all(math.isfinite(float(x)) for x in arr.ravel())


CHECKS: list[Callable[[ProblemType, Instance, dict[str, Any]], None]] = [
    check_solve_gives_active_parts,
    check_finite,
    check_truth_scores_full,
    check_truth_as_text_scores_full,
    check_just_outside_scores_zero,
    check_mistakes_score_below_full,
    check_carried_solve,
    check_invalid_is_invalid,
    check_steps_end_at_answers,
    check_substitutions_evaluate,
    check_renders,
    check_code_round_trip,
]


def self_test(pt: ProblemType, instances: list[Instance]) -> list[str]:
    """Run every check on every instance; returns one line per failure (empty when all pass)."""
    failures = []
    for inst in instances:
        truth = pt.solve(inst.params)
        for check in CHECKS:
            try:
                check(pt, inst, truth)
            except AssertionError as e:
                failures.append(f"{pt.id} {inst.code or inst.params}: {check.__name__}: {e}")
            except Exception as e:  # a crash in a check is a failure too, never a silent pass
                failures.append(f"{pt.id} {inst.code or inst.params}: {check.__name__} crashed: {e!r}")
    return failures
