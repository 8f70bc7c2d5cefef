"""Optimiser types: catalog worked examples (corrected values), the named wrong values, validation, references."""

from __future__ import annotations

from typing import Any

import pytest
from family_helpers import mistake_named, solved, thorough_checks
from test_carried import rounded

from examprep.checker import self_test
from examprep.errors import ParamError
from examprep.grader.score import grade_answers
from examprep.registry import make

IDS = ["optim/gd-v1", "optim/momentum-v1", "optim/adam-v1", "optim/rmsprop-v1", "optim/adagrad-v1",
       "optim/minibatch-v1", "optim/training_loop-v1", "optim/confusion_matrix-v1"]


def right(pt: Any, inst: Any, **answers: object) -> bool:
    truth = pt.solve(inst.params)
    return grade_answers(pt, truth, answers).score == 1


def row(m: Any, i: int) -> list[float]:
    return [float(x) for x in m[i]]


# ---- references and self-tests ----------------------------------------------------------------------------------

test_reference_agrees_on_thousands, test_self_test_30_seeds_each_difficulty = thorough_checks(IDS)


# ---- gd (seed_000_001 A1, seed_002 B1, seed_004 A3) -------------------------------------------------------------

def test_gd_line_fit_summed_catalog_example() -> None:
    pt, inst, ans = solved("optim/gd-v1", x=(1, 2, 3), y=(2, 3, 5), w0=(0, 0), lr=0.05, steps=2)
    assert ans["grads"] == [pytest.approx([-46, -20]), pytest.approx([30.4, 13.6])]
    assert row(ans["iterates"], 0) == pytest.approx([2.3, 1.0])
    assert row(ans["iterates"], 1) == pytest.approx([0.78, 0.32])
    assert ans["losses"] == pytest.approx([38, 16.86, 7.54])
    assert ans["lr_max"] == pytest.approx(0.060098, abs=5e-7)  # eigenvalues 0.7212 and 33.2788
    assert ans["w_star"] == pytest.approx([1.5, 1 / 3])
    assert right(pt, inst, iterates="[[2.3, 1], [0.78, 0.32]]", lr_max="0.060098", w_star="[1.5, 0.3333]")
    assert mistake_named(pt, inst, "iterates", [[0.766667, 0.333333], [1.108889, 0.48]]) == "mean_for_sum"
    assert mistake_named(pt, inst, "iterates", [[-2.3, -1.0], [-8.42, -3.68]]) == "ascent"
    assert mistake_named(pt, inst, "iterates", [[1.15, 0.5], [1.345, 0.58]]) == "two_dropped"
    # w moves to 2.3 first, then b's gradient at w = 2.3: 2·Σ(2.3x_i − y_i) = 2·(13.8 − 10) = 7.6
    assert mistake_named(pt, inst, "iterates", [[2.3, -0.38], [1.608, -0.2308]]) == "non_simultaneous"
    assert self_test(pt, [inst]) == []


def test_gd_line_fit_mean_catalog_example() -> None:
    # seed_004 A3: X = [[1,1],[1,2],[1,3]] (bias first there), y = (1,2,2): at 0 the loss is 3 and ∇ = (−3.3333,
    # −7.3333) for (bias, slope); here w0 = (w, b), so the gradient reads (−7.3333, −3.3333). w* = (0.5, 0.6667).
    pt, inst, ans = solved("optim/gd-v1", x=(1, 2, 3), y=(1, 2, 2), reduction="mean", w0=(0, 0), lr=0.1, steps=1)
    assert ans["losses"][0] == pytest.approx(3)
    assert row(ans["grads"], 0) == pytest.approx([-22 / 3, -10 / 3])
    assert ans["w_star"] == pytest.approx([0.5, 2 / 3])
    sums = [[2.2, 1.0]]  # the summed loss's step: 0.1·(22, 10)
    assert mistake_named(pt, inst, "iterates", sums) == "sum_for_mean"
    assert self_test(pt, [inst]) == []


def test_gd_quadratic_catalog_example() -> None:
    # seed_002 B1: L = (w1 − 3)² + 2(w2 + 1)², w0 = (0, 0), η = 0.1
    pt, inst, ans = solved("optim/gd-v1", a=(1, 2), c=(3, -1), w0=(0, 0), lr=0.1, steps=2)
    assert row(ans["grads"], 0) == pytest.approx([-6, 4])
    assert row(ans["grads"], 1) == pytest.approx([-4.8, 2.4])
    assert row(ans["iterates"], 1) == pytest.approx([1.08, -0.64])
    assert ans["losses"][:2] == pytest.approx([11, 6.48])
    assert ans["lr_max"] == pytest.approx(0.5)  # λ_max = 2·2
    assert ans["w_star"] == pytest.approx([3, -1])
    assert mistake_named(pt, inst, "iterates", [[-0.6, 0.4], [-1.32, 0.96]]) == "ascent"
    assert "non_simultaneous" not in pt.mistakes(inst.params)  # separable: the order cannot matter


def test_gd_wrong_gradient_carried_forward_earns_the_ecf_credit() -> None:
    pt, inst, truth = solved("optim/gd-v1", a=(1, 2), c=(3, -1), w0=(0, 0), lr=0.1, steps=2)
    # g_2 = (−4.8, 2.0) is wrong (2.4); then w_2 = (0.6, −0.4) − 0.1·g_2 = (1.08, −0.6) and
    # L(w_2) = (1.08 − 3)² + 2(−0.6 + 1)² = 3.6864 + 0.32 = 4.0064
    given = {"grads": "[[-6, 4], [-4.8, 2.0]]", "iterates": "[[0.6, -0.4], [1.08, -0.6]]",
             "losses": "[11, 6.48, 4.01]"}
    r = {p.name: p for p in grade_answers(pt, truth, given, params=inst.params).parts}
    assert r["grads"].verdict != "right"
    assert (r["iterates"].verdict, r["iterates"].score) == ("carried", 0.5)
    assert (r["losses"].verdict, r["losses"].score) == ("carried", 0.5)
    assert r["losses"].feedback.startswith("follows from your iterates = [[0.6, -0.4], [1.08, -0.6]]")
    # iterates that follow from nothing the student wrote earn only the entries that are right (3 of 4)
    r2 = grade_answers(pt, truth, {**given, "iterates": "[[0.6, -0.4], [1.08, -0.7]]"}, params=inst.params)
    it = {p.name: p for p in r2.parts}["iterates"]
    assert (it.verdict, it.score) == ("partial", 0.75)


# ---- a trajectory worked step by step (error carried forward row by row) ----------------------------------------

STEPPERS = ["optim/gd-v1", "optim/momentum-v1", "optim/adam-v1", "optim/rmsprop-v1", "optim/adagrad-v1"]


def step_by_step(pt: Any, params: Any) -> dict[str, Any]:
    """The student who rounds every value they report and computes each step from their own rounded values (g_2 at
    their rounded w_1, and so on): the answers that solve gives from themselves, rounded (a fixed point, reached
    one step of one part per round at the latest)."""
    parts = pt.active_parts(params)
    given: dict[str, Any] = {}
    for _ in range(len(parts) * 3 + 1):
        new = {pt_.name: rounded(pt_, pt.solve(params, given)[pt_.name]) for pt_ in parts}
        if new == given:
            return given
        given = new
    raise AssertionError(f"{pt.id}: the step-by-step answers do not settle")


@pytest.mark.parametrize("pid", STEPPERS)
def test_step_by_step_rounded_trajectory_is_right(pid: str) -> None:
    pt = make(pid)
    bad = []
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(60):
            inst = pt.generate(seed, difficulty)
            given = step_by_step(pt, inst.params)
            r = grade_answers(pt, pt.solve(inst.params), given, pt.mistakes(inst.params), params=inst.params)
            wrong = [f"{p.name}={p.given} ({p.verdict})" for p in r.parts if p.verdict != "right"]
            if wrong:
                bad.append(f"{inst.code}: {wrong}")
    assert not bad, f"{len(bad)} of 180 instances: {bad[:3]}"


def test_step_by_step_student_rounds_each_iterate_before_the_next_gradient() -> None:
    """The simulated student really evaluates g_2 at their rounded w_1 (not at the exact one)."""
    pt, inst, truth = solved("optim/gd-v1", a=(2.5,), c=(2.71,), w0=(0,), lr=0.1, steps=2)
    given = step_by_step(pt, inst.params)
    # g_1 = 2·2.5·(0 − 2.71) = −13.55 → −13.6 (3 s.f.), w_1 = 0.1·13.6 = 1.36 (exact 1.355); g_2 at their 1.36:
    # 5·(1.36 − 2.71) = −6.75 (at the exact w_1: −6.775); w_2 = 1.36 + 0.1·6.75 = 2.035 (exact 2.0325)
    assert given["iterates"][0] == [1.36]
    assert given["grads"] == [[-13.6], [-6.75]]
    assert given["iterates"][1][0] == pytest.approx(2.035, abs=0.0051)
    assert truth["grads"][1][0] == pytest.approx(-6.775)


def test_gd_wrong_iterate_carried_into_the_next_step_earns_the_ecf_credit() -> None:
    # L(w) = (w − 3)², w_0 = 0, η = 0.1: g_1 = 2(0 − 3) = −6, w_1 = 0 + 0.6 = 0.6 (exact: g_2 = −4.8, w_2 = 1.08).
    # The student slips: w_1 = 0.8. Then g_2 at their w_1: 2(0.8 − 3) = −4.4, and w_2 = 0.8 + 0.44 = 1.24;
    # losses L(0) = 9, L(0.8) = 4.84, L(1.24) = 3.0976.
    pt, inst, truth = solved("optim/gd-v1", a=(1,), c=(3,), w0=(0,), lr=0.1, steps=2)
    assert truth["grads"] == [[-6.0], [pytest.approx(-4.8)]]
    given = {"grads": "[[-6], [-4.4]]", "iterates": "[[0.8], [1.24]]", "losses": "[9, 4.84, 3.098]",
             "lr_max": "1", "w_star": "[3]"}
    r = {p.name: p for p in grade_answers(pt, truth, given, params=inst.params).parts}
    # g_2 follows from the wrong w_1: carried, with the ECF credit
    assert (r["grads"].verdict, r["grads"].score) == ("carried", 0.5)
    assert r["grads"].feedback == ("follows from your iterates = [[0.8], [1.24]], step by step "
                                   "(iterates not right: error carried forward)")
    # the iterates hold the slip itself (w_1 = 0.8 does not follow from g_1 = −6), but w_2 = 1.24 follows from it:
    # that step earns the ECF credit, the slipped one nothing: (0 + 0.5·1)/2
    assert (r["iterates"].verdict, r["iterates"].score) == ("carried", 0.25)
    assert r["iterates"].feedback == ("0 of 2 entries are right; 1 more follows from your own earlier steps "
                                      "(error carried forward)")
    # a w_2 that follows from nothing the student wrote earns nothing
    bad = grade_answers(pt, truth, {**given, "iterates": "[[0.8], [1.5]]"}, params=inst.params).parts
    assert [(p.name, p.verdict) for p in bad if p.name == "iterates"] == [("iterates", "wrong")]
    assert (r["losses"].verdict, r["losses"].score) == ("carried", 0.5)
    # the same work without the slip, w_2 from the exact w_1 = 0.6 and g_2 = −4.8, is right
    ok = {**given, "grads": "[[-6], [-4.8]]", "iterates": "[[0.6], [1.08]]", "losses": "[9, 5.76, 3.6864]"}
    assert grade_answers(pt, truth, ok, params=inst.params).score == 1


@pytest.mark.parametrize("sets, match", [
    (["x=[1,2,3]", "y=[2,3]", "w0=[0,0]", "lr=0.1"], "one entry per point"),
    (["x=[1,1,1]", "y=[2,3,4]", "w0=[0,0]", "lr=0.1"], "two different values"),
    (["a=[1]", "c=[1]", "x=[1,2]", "y=[1,2]", "w0=[0]", "lr=0.1"], "not both"),
    (["a=[1,2]", "c=[1]", "w0=[0,0]", "lr=0.1"], "one per coordinate"),
    (["w0=[0,0]", "lr=0.1"], "give the objective"),
    (["a=[1]", "c=[1]", "w0=[0]", "lr=0.1", "steps=4"], "steps"),
])
def test_gd_validation(sets: list[str], match: str) -> None:
    with pytest.raises(ParamError, match=match):
        make("optim/gd-v1").instance(sets=sets)


# ---- momentum (seed_002 C2, C3; seed_004 C17) -------------------------------------------------------------------

def test_momentum_nesterov_textbook_and_pytorch_catalog_values() -> None:
    kw = dict(a=(1,), c=(0,), w0=(1,), lr=0.1, momentum=0.9, nesterov=True, steps=3)
    pt, inst, ans = solved("optim/momentum-v1", form="notes", **kw)
    assert [r[0] for r in ans["lookahead"]] == pytest.approx([1, 0.62, 0.2224])
    assert [r[0] for r in ans["grads"]] == pytest.approx([2, 1.24, 0.4448])
    assert [r[0] for r in ans["v"]] == pytest.approx([-0.2, -0.304, -0.31808])
    assert [r[0] for r in ans["iterates"]] == pytest.approx([0.8, 0.496, 0.17792])
    assert right(pt, inst, iterates="[[0.8], [0.496], [0.17792]]")
    assert mistake_named(pt, inst, "iterates", [[0.62], [0.2224], [-0.108352]]) == "pytorch_parameter_as_w"
    # the gradient at w instead of the look-ahead is plain momentum: 0.8, 0.46, 0.062
    assert mistake_named(pt, inst, "iterates", [[0.8], [0.46], [0.062]]) == "nesterov_gradient_at_w"
    assert self_test(pt, [inst]) == []
    pt, inst, ans = solved("optim/momentum-v1", form="pytorch", **kw)
    assert [r[0] for r in ans["iterates"]] == pytest.approx([0.62, 0.2224, -0.108352])
    assert [r[0] for r in ans["buf"]] == pytest.approx([2, 3.04, 3.1808])
    assert mistake_named(pt, inst, "iterates", [[0.8], [0.496], [0.17792]]) == "textbook_w_as_parameter"
    assert self_test(pt, [inst]) == []


def test_momentum_forms_agree_without_nesterov() -> None:
    # seed_002 C2: L = w², w0 = 1, η = 0.1, μ = 0.9: (v, w) = (−0.2, 0.8), (−0.34, 0.46), (−0.398, 0.062)
    kw = dict(a=(1,), c=(0,), w0=(1,), lr=0.1, momentum=0.9, steps=3)
    _, _, notes = solved("optim/momentum-v1", form="notes", **kw)
    pt, inst, torch_form = solved("optim/momentum-v1", form="pytorch", **kw)
    assert [r[0] for r in notes["v"]] == pytest.approx([-0.2, -0.34, -0.398])
    assert [r[0] for r in notes["iterates"]] == pytest.approx([r[0] for r in torch_form["iterates"]])
    assert [r[0] for r in torch_form["iterates"]] == pytest.approx([0.8, 0.46, 0.062])
    assert [r[0] for r in torch_form["buf"]] == pytest.approx([2, 3.4, 3.98])  # v = −η·buf
    assert mistake_named(pt, inst, "iterates", [[1.2], [1.62], [2.322]]) == "ascent"  # w + η·buf
    assert mistake_named(pt, inst, "buf", [[0.2], [2.14], [3.458]]) == "dampened_first"  # buf_1 = (1 − μ)g_1


def test_momentum_weight_decay_given_gradients_catalog_example() -> None:
    # seed_004 C17: w0 = (1, −2), η = 0.1, μ = 0.9, λ = 0.01, g_1 = (0.5, 0.5), g_2 = (−0.2, 0.4)
    pt, inst, ans = solved("optim/momentum-v1", loss_grads=((0.5, 0.5), (-0.2, 0.4)), w0=(1, -2), lr=0.1,
                           momentum=0.9, weight_decay=0.01)
    assert row(ans["grads"], 0) == pytest.approx([0.51, 0.48])
    assert row(ans["iterates"], 0) == pytest.approx([0.949, -2.048])
    assert row(ans["iterates"], 1) == pytest.approx([0.922151, -2.129152])
    assert right(pt, inst, iterates="[[0.949, -2.048], [0.922151, -2.129152]]")
    assert mistake_named(pt, inst, "iterates", [[0.95, -2.05], [0.925, -2.135]]) == "decay_left_out"
    # decay after the momentum step gives w_2 = (0.923051, −2.130952), within a relative 2e-3 of the truth: the
    # iterates are no evidence of it here (fair grading accepts them), only the gradients are
    assert "iterates" not in pt.mistakes(inst.params)["decay_added_late"].answers
    # buf_1 = (1 − μ)g_1 = (0.051, 0.048)
    assert mistake_named(pt, inst, "iterates", [[0.9949, -2.0048], [1.0093151, -2.0471152]]) == "dampened_first"
    assert mistake_named(pt, inst, "iterates", [[1.051, -1.952], [1.077951, -1.870752]]) == "ascent"
    assert self_test(pt, [inst]) == []


def test_momentum_decay_added_late_shows_with_larger_decay() -> None:
    pt, inst, ans = solved("optim/momentum-v1", loss_grads=((0.5, 0.5), (-0.2, 0.4)), w0=(1, -2), lr=0.1,
                           momentum=0.9, weight_decay=0.1)
    assert row(ans["iterates"], 1) == pytest.approx([0.8966, -2.0767])
    # buf from the plain gradients (0.25, 0.85), then w_2 = w_1 − η·buf_2 − η·λ·w_1
    assert mistake_named(pt, inst, "iterates", [[0.94, -2.03], [0.9056, -2.0947]]) == "decay_added_late"
    assert mistake_named(pt, inst, "iterates", [[0.95, -2.05], [0.925, -2.135]]) == "decay_left_out"


def test_momentum_textbook_nesterov_needs_the_objective() -> None:
    pt = make("optim/momentum-v1")
    with pytest.raises(ParamError, match="look-ahead"):
        pt.from_params(dict(loss_grads=((1.0,),), w0=(0.0,), lr=0.1, form="notes", nesterov=True))
    inst = pt.from_params(dict(loss_grads=((1.0,), (2.0,)), w0=(0.0,), lr=0.1, form="pytorch", nesterov=True))
    assert [r[0] for r in pt.solve(inst.params)["iterates"]] == pytest.approx([-0.19, -0.19 - 0.1 * (2 + 0.9 * 2.9)])


# ---- adam (seed_002 C6) -----------------------------------------------------------------------------------------

def test_adam_catalog_example() -> None:
    # L = w1² + 10w2², w0 = (1, 0.5), η = 0.1, default β's and ε
    pt, inst, ans = solved("optim/adam-v1", a=(1, 10), c=(0, 0), w0=(1, 0.5), lr=0.1, steps=3)
    assert row(ans["m"], 0) == pytest.approx([0.2, 1])
    assert row(ans["v"], 0) == pytest.approx([0.004, 0.1])
    assert row(ans["m_hat"], 0) == pytest.approx([2, 10])
    assert row(ans["v_hat"], 0) == pytest.approx([4, 100])
    assert row(ans["iterates"], 0) == pytest.approx([0.9, 0.4], abs=1e-8)  # η·sign(g): ε moves the 9th digit
    assert row(ans["m"], 1) == pytest.approx([0.36, 1.7], abs=1e-8)
    assert row(ans["v"], 1) == pytest.approx([0.007236, 0.1639], abs=1e-8)
    assert row(ans["m_hat"], 1) == pytest.approx([1.894737, 8.947368], abs=5e-7)
    assert row(ans["v_hat"], 1) == pytest.approx([3.619810, 81.990996], abs=5e-6)
    assert row(ans["iterates"], 1) == pytest.approx([0.800412, 0.301187], abs=5e-7)
    assert row(ans["iterates"], 2) == pytest.approx([0.701586, 0.204871], abs=5e-7)
    assert right(pt, inst, iterates="[[0.9, 0.4], [0.800412, 0.301187], [0.701586, 0.204871]]")
    no_bc = pt.mistakes(inst.params)["no_bias_correction"].answers["iterates"]
    assert row(no_bc, 0) == pytest.approx([0.683772, 0.183772], abs=5e-7)  # η·0.1/√0.001 = 3.16η
    assert mistake_named(pt, inst, "iterates", no_bc) == "no_bias_correction"
    # step 1 alone, as the catalog quotes it
    pt1, inst1, _ = solved("optim/adam-v1", a=(1, 10), c=(0, 0), w0=(1, 0.5), lr=0.1, steps=1)
    assert mistake_named(pt1, inst1, "iterates", [[0.683772, 0.183772]]) == "no_bias_correction"
    # β^(t−1): step 1 cannot be corrected (1 − β⁰ = 0) and moves like no correction, to (0.683772, 0.183772),
    # where g_2 = (1.367544, 3.675445); step 2 divides m_2 = 0.9·(0.2, 1) + 0.1·g_2 by 1 − 0.9 (not 1 − 0.81)
    m_hat = pt.mistakes(inst.params)["power_t_minus_1"].answers["m_hat"]
    assert row(m_hat, 1) == pytest.approx([3.167544, 12.675445], abs=5e-6)
    # m̂² for v̂: at t = 2, v̂ would be 1.894737² = 3.590028 instead of 3.619810
    m2 = pt.mistakes(inst.params)["m_hat_squared"].answers
    assert row(m2["v_hat"], 1) == pytest.approx([1.894737**2, 8.947368**2], rel=1e-6)
    assert row(m2["iterates"], 2) == pytest.approx([0.7, 0.2], abs=1e-8)  # steps of η·sign(m̂)
    assert mistake_named(pt, inst, "iterates", [[0.9, 0.4], [0.8, 0.3], [0.7, 0.2]]) == "m_hat_squared"
    assert "eps_in_root" not in pt.mistakes(inst.params)  # ε = 1e-8 next to v̂ ≈ 4: cannot show
    assert self_test(pt, [inst]) == []


def test_adam_eps_in_root_shows_for_a_large_eps() -> None:
    pt, inst, ans = solved("optim/adam-v1", loss_grads=((0.1,),), w0=(0,), lr=0.1, eps=0.01)
    # m̂ = 0.1, v̂ = 0.01: 0.1·0.1/(0.1 + 0.01) = 0.090909 versus 0.1·0.1/√0.02 = 0.070711
    assert ans["iterates"][0][0] == pytest.approx(-0.1 / 1.1)
    assert mistake_named(pt, inst, "iterates", [[-0.0707107]]) == "eps_in_root"


# ---- rmsprop (seed_002 C5) and adagrad (seed_002 C4) ------------------------------------------------------------

def test_rmsprop_catalog_example() -> None:
    pt, inst, ans = solved("optim/rmsprop-v1", a=(1, 10), c=(0, 0), w0=(1, 0.5), lr=0.1, rho=0.9, steps=3)
    assert row(ans["r"], 0) == pytest.approx([0.4, 10])
    assert row(ans["iterates"], 0) == pytest.approx([0.683772, 0.183772], abs=5e-7)  # η/√(1 − ρ) per coordinate
    assert row(ans["grads"], 1) == pytest.approx([1.367544, 3.675445], abs=5e-7)
    assert row(ans["r"], 1) == pytest.approx([0.547018, 10.350889], abs=5e-7)
    assert row(ans["iterates"], 1) == pytest.approx([0.498871, 0.069531], abs=5e-7)
    assert row(ans["r"], 2) == pytest.approx([0.591865, 9.509186], abs=5e-7)
    assert row(ans["iterates"], 2) == pytest.approx([0.369181, 0.024435], abs=5e-7)
    assert right(pt, inst, iterates="[[0.683772, 0.183772], [0.498871, 0.069531], [0.369181, 0.024435]]")
    swapped = pt.mistakes(inst.params)["rho_swapped"].answers["iterates"]
    assert row(swapped, 0) == pytest.approx([0.894591, 0.394591], abs=5e-7)
    assert mistake_named(pt, inst, "iterates", swapped) == "rho_swapped"
    # Adam's correction r/(1 − ρ) makes step 1 exactly η·sign(g): (0.9, 0.4)
    corrected = pt.mistakes(inst.params)["bias_correction"].answers["iterates"]
    assert row(corrected, 0) == pytest.approx([0.9, 0.4], abs=1e-8)
    assert mistake_named(pt, inst, "iterates", corrected) == "bias_correction"
    assert self_test(pt, [inst]) == []
    pt1, inst1, _ = solved("optim/rmsprop-v1", a=(1, 10), c=(0, 0), w0=(1, 0.5), lr=0.1, rho=0.9, steps=1)
    assert mistake_named(pt1, inst1, "iterates", [[0.894591, 0.394591]]) == "rho_swapped"


def test_rmsprop_gradient_average_mistake() -> None:
    # given gradients of one sign: r from g itself is 0.1·g = 0.1 and 0.9·0.1 + 0.1·2 = 0.29
    pt, inst, _ = solved("optim/rmsprop-v1", loss_grads=((1,), (2,)), w0=(0,), lr=0.1, rho=0.9)
    assert mistake_named(pt, inst, "r", [[0.1], [0.29]]) == "g_for_g_squared"
    assert mistake_named(pt, inst, "r", [[0.9], [3.69]]) == "rho_swapped"  # 0.9·1 then 0.1·0.9 + 0.9·4


def test_adagrad_catalog_example() -> None:
    pt, inst, ans = solved("optim/adagrad-v1", a=(1, 10), c=(0, 0), w0=(1, 0.5), lr=0.1, steps=3)
    assert row(ans["r"], 0) == pytest.approx([4, 100])
    assert row(ans["iterates"], 0) == pytest.approx([0.9, 0.4], abs=1e-9)
    assert row(ans["r"], 1) == pytest.approx([7.24, 164], abs=1e-8)
    assert row(ans["iterates"], 1) == pytest.approx([0.833104, 0.337530], abs=5e-7)
    assert row(ans["grads"], 2) == pytest.approx([1.666207, 6.750610], abs=5e-7)
    assert row(ans["r"], 2) == pytest.approx([10.016246, 209.570735], abs=5e-6)
    assert row(ans["iterates"], 2) == pytest.approx([0.780456, 0.290899], abs=5e-7)
    assert right(pt, inst, iterates="[[0.9, 0.4], [0.833104, 0.33753], [0.780456, 0.290899]]")
    assert mistake_named(pt, inst, "iterates", [[0.9, 0.4], [0.8, 0.3], [0.7, 0.2]]) == "no_accumulation"
    # ‖g‖² = 104 for both coordinates: w_1 = (1 − 0.2/√104, 0.5 − 1/√104)
    norm = pt.mistakes(inst.params)["norm_squared"].answers["iterates"]
    assert row(norm, 0) == pytest.approx([1 - 0.2 / 104**0.5, 0.5 - 1 / 104**0.5])
    assert mistake_named(pt, inst, "iterates", norm) == "norm_squared"
    # no root: w_1 = (1 − 0.1·2/4, 0.5 − 0.1·10/100)
    assert row(pt.mistakes(inst.params)["no_root"].answers["iterates"], 0) == pytest.approx([0.95, 0.49])
    assert self_test(pt, [inst]) == []


def test_adagrad_one_coordinate_has_no_norm_mistake() -> None:
    pt, inst, _ = solved("optim/adagrad-v1", a=(1,), c=(0,), w0=(1,), lr=0.1)
    assert "norm_squared" not in pt.mistakes(inst.params)  # ‖g‖² = g² in one coordinate


# ---- minibatch (seed_002 C1) ------------------------------------------------------------------------------------

def test_minibatch_catalog_example() -> None:
    pt, inst, ans = solved("optim/minibatch-v1", x=(1, 2, 3, 4), y=(2, 4, 5, 8), w=1, batch=(1, 2), sample=3,
                           N=1000, B=64)
    assert ans["per_sample"] == pytest.approx([-2, -8, -12, -32])
    assert (ans["full"], ans["minibatch"], ans["sgd"], ans["iters"]) == (-13.5, -5, -12, 16)
    assert right(pt, inst, full="-13.5", minibatch="-5", sgd="-12", iters="16")
    assert mistake_named(pt, inst, "full", -54) == "sums"
    assert mistake_named(pt, inst, "minibatch", -10) == "sums"
    assert mistake_named(pt, inst, "minibatch", -2.5) == "minibatch_over_n"
    assert mistake_named(pt, inst, "iters", 15) == "floor_without_drop_last"
    assert self_test(pt, [inst]) == []


@pytest.mark.parametrize("N, B, drop_last, want", [(1000, 64, True, 15), (50000, 128, False, 391),
                                                    (50000, 128, True, 390)])
def test_minibatch_iteration_counts(N: int, B: int, drop_last: bool, want: int) -> None:
    _, _, ans = solved("optim/minibatch-v1", x=(1, 2), y=(0, 1), w=1, batch=(1,), sample=2, N=N, B=B,
                       drop_last=drop_last)
    assert ans["iters"] == want


def test_minibatch_validation() -> None:
    pt = make("optim/minibatch-v1")
    with pytest.raises(ParamError, match="from 1 to 4"):
        pt.instance(sets=["x=[1,2,3,4]", "y=[2,4,5,8]", "w=1", "batch=[1,5]", "sample=3", "N=10", "B=3"])
    with pytest.raises(ParamError, match="one target per input"):
        pt.instance(sets=["x=[1,2,3,4]", "y=[2,4,5]", "w=1", "batch=[1,2]", "sample=3", "N=10", "B=3"])


# ---- training_loop (seed_004 C16) -------------------------------------------------------------------------------

def test_training_loop_catalog_example() -> None:
    pt, inst, ans = solved("optim/training_loop-v1", n_train=50000, n_test=10000, batch_size=4, epochs=2,
                           print_every=2000, pixel=200, mean=0.5, std=0.5)
    assert (ans["iters_per_epoch"], ans["total_iters"], ans["prints"], ans["test_batches"]) == (12500, 25000, 12,
                                                                                                2500)
    assert ans["normalized"] == pytest.approx(0.568627, abs=5e-7)
    assert right(pt, inst, iters_per_epoch="12500", prints="12", normalized="0.568627")
    assert mistake_named(pt, inst, "prints", 6) == "one_epoch_prints"
    assert mistake_named(pt, inst, "normalized", 399) == "no_255"
    assert "floor" not in pt.mistakes(inst.params)  # 4 divides both sizes
    assert self_test(pt, [inst]) == []


def test_training_loop_partial_batch() -> None:
    pt, inst, ans = solved("optim/training_loop-v1", n_train=50000, n_test=10000, batch_size=64, epochs=3,
                           print_every=200, pixel=51)
    assert (ans["iters_per_epoch"], ans["test_batches"]) == (782, 157)
    assert ans["prints"] == 3 * 3  # i = 199, 399, 599 in each epoch
    assert mistake_named(pt, inst, "iters_per_epoch", 781) == "floor"


# ---- confusion_matrix (seed_004 C16) ----------------------------------------------------------------------------

def test_confusion_matrix_values_and_mistakes() -> None:
    C = ((5, 1, 0), (2, 6, 2), (0, 1, 3))
    pt, inst, ans = solved("optim/confusion_matrix-v1", C=C)
    assert ans["accuracy"] == pytest.approx(14 / 20)
    assert ans["precision"] == pytest.approx([5 / 7, 6 / 8, 3 / 5])  # over the column sums
    assert ans["recall"] == pytest.approx([5 / 6, 6 / 10, 3 / 4])  # over the row sums
    assert right(pt, inst, accuracy="0.7", precision="[0.714286, 0.75, 0.6]")
    assert mistake_named(pt, inst, "accuracy", 70) == "percent"
    assert mistake_named(pt, inst, "precision", [5 / 6, 6 / 10, 3 / 4]) == "rows_columns_swapped"
    assert self_test(pt, [inst]) == []


def test_confusion_matrix_matches_sklearn() -> None:
    import numpy as np
    from sklearn.metrics import accuracy_score, precision_score, recall_score

    C = np.array([[7, 2, 1, 0], [1, 9, 0, 3], [0, 2, 5, 1], [2, 0, 1, 8]])
    y_true = np.repeat(np.repeat(np.arange(4), 4), C.ravel())
    y_pred = np.repeat(np.tile(np.arange(4), 4), C.ravel())
    _, _, ans = solved("optim/confusion_matrix-v1", C=tuple(map(tuple, C.tolist())))
    assert ans["accuracy"] == pytest.approx(accuracy_score(y_true, y_pred))
    assert ans["precision"] == pytest.approx(precision_score(y_true, y_pred, average=None))
    assert ans["recall"] == pytest.approx(recall_score(y_true, y_pred, average=None))


def test_confusion_matrix_validation() -> None:
    with pytest.raises(ParamError, match="never predicted"):
        make("optim/confusion_matrix-v1").instance(sets=["C=[[3,0],[2,0]]"])
