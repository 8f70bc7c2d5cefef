"""The diffusion family: catalog examples (seed_002 K, seed_003 §1.4–1.5 and C10–C13, seed_004 F), the notes' wrong
answers marked wrong, parameter errors, derivations, the self-test and the torch reference on many instances."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

from examprep import seeding
from examprep.checker import self_test
from examprep.errors import ParamError
from examprep.grader.score import grade_answers, grade_part
from examprep.registry import list_specs, make
from examprep.solver.render import derivation
from examprep.verify import compare, load_reference

IDS = [s.id for s in list_specs(["diffusion"])]
HAND = (0.1, 0.2, 0.3)  # the catalog's hand schedule: α = (0.9, 0.8, 0.7), ᾱ = (0.9, 0.72, 0.504)


def solve(pid: str, **params: Any) -> dict[str, Any]:
    pt = make(pid)
    return pt.solve(pt.from_params(params).params)


def grade(pid: str, params: dict[str, Any], part: str, given: str) -> Any:
    pt = make(pid)
    p = pt.from_params(params).params
    return grade_part(pt.part(part), pt.solve(p)[part], given, pt.mistakes(p))


def test_all_eight_types_are_registered() -> None:
    names = {i.split("/")[1].rsplit("-v", 1)[0] for i in IDS}  # newest versions; newer types may be added
    assert names >= {"noise_schedule", "forward_step", "forward_closed_form", "two_step", "posterior",
                     "reverse_step", "ddim_step", "loss"}


# ---- noise schedules (F1, F11, C11) -------------------------------------------------------------------------------
def test_hand_schedule_and_its_derivation_shows_every_factor() -> None:
    a = solve("diffusion/noise_schedule-v1", betas=HAND, t=3)
    assert a["alpha"] == pytest.approx(0.7)
    assert a["alpha_bar_table"] == pytest.approx([0.9, 0.72, 0.504])
    pt = make("diffusion/noise_schedule-v1")
    text = derivation(pt.derivation(pt.from_params(dict(betas=HAND, t=3)).params), "text")
    assert "ᾱ_3 = (1 − β_1)·(1 − β_2)·(1 − β_3)" in text
    assert "= (1 − 0.1)·(1 − 0.2)·(1 − 0.3)" in text and "= 0.9·0.8·0.7" in text and "= 0.504" in text


@pytest.mark.parametrize(("t", "want"), [(1, 0.9999), (10, 0.998105), (100, 0.897018), (250, 0.524085),
                                         (500, 0.078587), (750, 0.0033506), (1000, 4.0358e-5)])
def test_ddpm_linear_schedule_table(t: int, want: float) -> None:
    a = solve("diffusion/noise_schedule-v1", schedule="linear", beta_1=1e-4, beta_T=0.02, T=1000, t=t)
    assert a["alpha_bar"] == pytest.approx(want, rel=2e-5)


@pytest.mark.parametrize(("t", "want"), [(1, 0.99996), (500, 0.49384), (1000, 2.43e-9)])
def test_cosine_schedule_matches_diffusers_squaredcos_cap_v2(t: int, want: float) -> None:
    a = solve("diffusion/noise_schedule-v1", schedule="cosine", T=1000, s=0.008, t=t)
    assert a["alpha_bar"] == pytest.approx(want, rel=2e-3)


def test_schedule_mistakes_are_named() -> None:
    p = dict(betas=HAND, t=3)
    assert grade("diffusion/noise_schedule-v1", p, "alpha_bar", "0.4").mistake == "one_minus_sum"
    assert grade("diffusion/noise_schedule-v1", p, "alpha_bar", "0.006").mistake == "product_of_betas"
    assert grade("diffusion/noise_schedule-v1", p, "alpha_bar", "0.72").mistake == "off_by_one"
    assert grade("diffusion/noise_schedule-v1", p, "alpha", "0.3").mistake == "alpha_is_beta"


def test_schedule_param_errors_name_the_parameter() -> None:
    pt = make("diffusion/noise_schedule-v1")
    with pytest.raises(ParamError, match=r"missing parameter s"):
        pt.from_params(dict(schedule="cosine", T=10, t=3))
    with pytest.raises(ParamError, match=r"missing parameter betas"):
        pt.from_params(dict(t=3))
    with pytest.raises(ParamError, match=r"t=4 .* T = 3"):
        pt.from_params(dict(betas=HAND, t=4))
    with pytest.raises(ParamError, match=r"β_2 = 1\.0"):
        pt.from_params(dict(betas=(0.1, 1.0), t=1))


# ---- forward step (seed_003 §1.4, C10; seed_002 K1) ---------------------------------------------------------------
NOTES_FORWARD = dict(x_prev=(1.0,), beta_t=0.5, eps=(0.5,))


def test_notes_forward_example_is_1_060660_and_0_911_is_wrong() -> None:
    a = solve("diffusion/forward_step", **NOTES_FORWARD)
    assert a["x_t"] == pytest.approx([1.0606601718], abs=1e-9)
    right = grade("diffusion/forward_step", NOTES_FORWARD, "x_t", "1.060660")
    assert right.score == 1
    wrong = grade("diffusion/forward_step", NOTES_FORWARD, "x_t", "0.911")
    assert wrong.score == 0 and wrong.verdict == "wrong"
    # the notes' substituted line (0.5 plugged in for x_{T−1}) is wrong too
    assert grade("diffusion/forward_step", NOTES_FORWARD, "x_t", "0.707107").score == 0


def test_forward_step_k1_sample_and_mistakes() -> None:
    p = dict(x_prev=(1.0, -0.5), beta_t=0.1, eps=(0.3, -1.2))
    assert solve("diffusion/forward_step", **p)["x_t"] == pytest.approx([1.043552, -0.853815], abs=1e-6)
    assert grade("diffusion/forward_step", p, "x_t", "[0.978683, -0.594342]").mistake == "beta_not_sqrt"
    assert grade("diffusion/forward_step", p, "var", "0.316228").mistake == "std_as_variance"


# ---- closed form (C11, K2, F2) -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("t", "want"), [(1, 1.106797), (2, 1.113103), (3, 1.062066)])
def test_closed_form_c11(t: int, want: float) -> None:
    a = solve("diffusion/forward_closed_form-v1", x0=(1.0,), betas=HAND, t=t, eps=(0.5,))
    assert a["x_t"] == pytest.approx([want], abs=1e-6)


def test_closed_form_k2_and_its_mistakes() -> None:
    p = dict(x0=(1.0, -0.5), betas=HAND, t=3, eps=(0.3, -1.2))
    a = solve("diffusion/forward_closed_form-v1", **p)
    assert a["alpha_bar"] == pytest.approx(0.504)
    assert a["x_t"] == pytest.approx([0.921211, -1.200092], abs=1e-6)
    assert grade("diffusion/forward_closed_form-v1", p, "x_t", "[1.000977, -1.075597]").mistake == "alpha_for_alpha_bar"
    assert grade("diffusion/forward_closed_form-v1", p, "x_t", "[0.6528, -0.8472]").mistake == "square_roots_dropped"
    f2 = solve("diffusion/forward_closed_form-v1", x0=(2.0,), betas=HAND, t=3, eps=(-1.0,))
    assert f2["x_t"] == pytest.approx([0.715586], abs=1e-6)


def test_closed_form_at_t1_offers_no_alpha_for_alpha_bar_mistake() -> None:
    pt = make("diffusion/forward_closed_form-v1")
    p = pt.from_params(dict(x0=(1.0,), betas=HAND, t=1, eps=(0.5,))).params
    assert "alpha_for_alpha_bar" not in pt.mistakes(p) and "beta_for_one_minus_alpha_bar" not in pt.mistakes(p)


# ---- two steps (F3) ------------------------------------------------------------------------------------------------
def test_two_step_f3() -> None:
    a = solve("diffusion/two_step", x0=(2.0,), beta_1=0.1, beta_2=0.2, eps_1=(0.5,), eps_2=(-1.0,))
    assert a["x_1"] == pytest.approx([2.055480], abs=1e-6)
    assert a["x_2"] == pytest.approx([1.391264], abs=1e-6)
    assert a["mean"] == pytest.approx([1.697056], abs=1e-6)
    assert a["var"] == pytest.approx(0.28)
    p = dict(x0=(2.0,), beta_1=0.1, beta_2=0.2, eps_1=(0.5,), eps_2=(-1.0,))
    assert grade("diffusion/two_step", p, "var", "0.3").mistake == "alpha_2_forgotten"


# ---- posterior (F4, F5) --------------------------------------------------------------------------------------------
def test_posterior_f4_both_forms_agree() -> None:
    x3 = float(np.sqrt(0.504) * 2 - np.sqrt(0.496))  # 0.715586 unrounded, as the catalog computed it
    pt = make("diffusion/posterior")
    p = pt.from_params(dict(x0=(2.0,), x_t=(x3,), betas=HAND, t=3)).params
    a = pt.solve(p)
    assert a["coef_x0"] == pytest.approx(0.513223, abs=1e-6)
    assert a["coef_xt"] == pytest.approx(0.472308, abs=1e-6)
    assert a["mu_tilde"] == pytest.approx([1.364423], abs=1e-6)
    assert a["beta_tilde"] == pytest.approx(0.169355, abs=1e-6)
    assert a["eps"] == pytest.approx([-1.0])
    steps = [s for s in pt.derivation(p) if s.part == "mu_tilde"]
    assert len(steps) == 2 and steps[0].value == pytest.approx(steps[1].value, abs=1e-12)


def test_posterior_needs_t_at_least_2() -> None:
    with pytest.raises(ParamError, match=r"t=1 .* t ≥ 2"):
        make("diffusion/posterior").from_params(dict(x0=(1.0,), x_t=(1.0,), betas=HAND, t=1))


# ---- DDPM reverse step (F9, C12, K3, seed_003 §1.5) ----------------------------------------------------------------
def test_reverse_step_f9_both_sigmas() -> None:
    base = dict(x_t=(0.715586,), eps_hat=(-0.8,), betas=HAND, t=3, z=(0.5,))
    tilde = solve("diffusion/reverse_step", **base, sigma="beta_tilde")
    assert tilde["mean"] == pytest.approx([1.262596], abs=2e-6)
    assert tilde["x0_hat"] == pytest.approx([1.801594], abs=2e-6)
    assert tilde["sigma"] == pytest.approx(0.411527, abs=1e-6)
    assert tilde["x_prev"] == pytest.approx([1.468360], abs=2e-6)
    assert solve("diffusion/reverse_step", **base, sigma="beta")["x_prev"] == pytest.approx([1.536457], abs=2e-6)


def test_reverse_step_c12_and_no_noise_at_t1() -> None:
    a = solve("diffusion/reverse_step", x_t=(0.8,), eps_hat=(0.3,), betas=HAND, t=3, z=(0.5,), sigma="beta_tilde")
    assert a["x0_hat"] == pytest.approx([0.829263], abs=1e-6)
    assert a["mean"] == pytest.approx([0.803443], abs=1e-6)
    last = dict(x_t=(0.8,), eps_hat=(0.3,), betas=HAND, t=1, z=(0.5,), sigma="beta")
    a1 = solve("diffusion/reverse_step", **last)
    assert a1["x_prev"] == pytest.approx([0.743274], abs=1e-6) == a1["x0_hat"]
    r = grade("diffusion/reverse_step", last, "x_prev", str(0.743274 + np.sqrt(0.1) * 0.5))
    assert r.mistake == "noise_at_t1"


def test_reverse_step_k3_and_the_notes_coefficient() -> None:
    p = dict(x_t=(0.921211, -1.200092), eps_hat=(0.3, -1.2), betas=HAND, t=3, z=(0.5, -0.5))
    a = solve("diffusion/reverse_step", **p, sigma="beta")
    assert a["coef"] == pytest.approx(0.425971, abs=1e-6)
    assert a["mean"] == pytest.approx([0.948318, -0.823424], abs=1e-6)
    assert a["x0_hat"] == pytest.approx([1.0, -0.5], abs=1e-6)
    assert a["x_prev"] == pytest.approx([1.222180, -1.097286], abs=1e-6)
    b = solve("diffusion/reverse_step", **p, sigma="beta_tilde")
    assert b["x_prev"] == pytest.approx([1.154082, -1.029188], abs=1e-6)
    r = grade("diffusion/reverse_step", {**p, "sigma": "beta"}, "mean", "[0.904662, -0.648800]")
    assert r.mistake == "coef_alpha_not_alpha_bar"


def test_notes_backward_example_is_underdetermined() -> None:
    """seed_003 §1.5: x_T = 2, ε = 0.9 and no schedule: the error names the missing parameter."""
    pt = make("diffusion/reverse_step")
    with pytest.raises(ParamError, match=r"missing parameter betas") as e:
        pt.from_params(dict(x_t=(2.0,), eps_hat=(0.9,)))
    assert "--set betas=" in str(e.value)
    with pytest.raises(ParamError, match=r"missing parameter betas"):
        pt.instance(sets=["x_t=2", "eps_hat=0.9"])
    with pytest.raises(ParamError, match=r"missing parameter t\b"):
        pt.from_params(dict(x_t=(2.0,), eps_hat=(0.9,), betas=(0.5,)))
    with pytest.raises(ParamError, match=r"missing parameter z"):
        pt.from_params(dict(x_t=(2.0,), eps_hat=(0.9,), betas=HAND, t=3))
    # with the schedule given (β_T = ᾱ_T = 0.5, T = 1) it is well posed: 1.928427, not the notes' 0.7
    a = pt.solve(pt.from_params(dict(x_t=(2.0,), eps_hat=(0.9,), betas=(0.5,), t=1)).params)
    assert a["x_prev"] == pytest.approx([1.928427], abs=1e-6)


# ---- DDIM ----------------------------------------------------------------------------------------------------------
def test_ddim_deterministic_step_recovers_x0_direction() -> None:
    x3 = float(np.sqrt(0.504) * 2 - np.sqrt(0.496))
    a = solve("diffusion/ddim_step", x_t=(x3,), eps_hat=(-1.0,), alpha_bar_t=0.504, alpha_bar_prev=0.72)
    assert a["x0_hat"] == pytest.approx([2.0]) and a["sigma"] == 0
    assert a["x_prev"] == pytest.approx([np.sqrt(0.72) * 2 - np.sqrt(0.28)])  # 1.167906


def test_ddim_with_eta_1_is_the_ddpm_step_with_beta_tilde() -> None:
    p = dict(x_t=(0.8, -0.3), eps_hat=(0.3, 0.6), z=(0.5, -1.0))
    ddim = solve("diffusion/ddim_step", **p, alpha_bar_t=0.504, alpha_bar_prev=0.72, eta=1.0)
    ddpm = solve("diffusion/reverse_step", **p, betas=HAND, t=3, sigma="beta_tilde")
    assert ddim["x_prev"] == pytest.approx(ddpm["x_prev"], abs=1e-12)
    assert ddim["sigma"] == pytest.approx(ddpm["sigma"], abs=1e-12)


def test_ddim_param_errors() -> None:
    pt = make("diffusion/ddim_step")
    with pytest.raises(ParamError, match="alpha_bar_prev"):
        pt.from_params(dict(x_t=(1.0,), eps_hat=(0.1,), alpha_bar_t=0.5, alpha_bar_prev=0.4))
    with pytest.raises(ParamError, match="missing parameter z"):
        pt.from_params(dict(x_t=(1.0,), eps_hat=(0.1,), alpha_bar_t=0.5, alpha_bar_prev=0.7, eta=0.5))


# ---- loss (F7, F8, C13) --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("t", "sigma", "want"), [(1, "beta", 0.555556), (2, "beta", 0.446429), (3, "beta", 0.432028),
                                                  (2, "beta_tilde", 1.25), (3, "beta_tilde", 0.765306)])
def test_lambda_t_hand_schedule(t: int, sigma: str, want: float) -> None:
    a = solve("diffusion/loss-v1", eps=(-1.0,), eps_hat=(-0.8,), t=t, betas=HAND, sigma=sigma)
    assert a["lambda_t"] == pytest.approx(want, abs=1e-6)


def test_loss_f8_weighted_term_equals_the_kl_of_f6() -> None:
    a = solve("diffusion/loss-v1", eps=(-1.0,), eps_hat=(-0.8,), t=3, betas=HAND, sigma="beta_tilde")
    assert a["l_simple"] == pytest.approx(0.04)
    assert a["l_weighted"] == pytest.approx(0.030612, abs=1e-6)
    assert a["l_weighted"] == pytest.approx((1.364423 - 1.262596) ** 2 / (2 * 0.169355), abs=1e-5)


def test_loss_c13_sum_and_mean() -> None:
    p = dict(eps=(0.5, -1.0), eps_hat=(0.3, -0.6), t=2, betas=HAND)
    assert solve("diffusion/loss-v1", **p)["l_simple"] == pytest.approx(0.2)
    assert solve("diffusion/loss-v1", **p, reduction="mean")["l_simple"] == pytest.approx(0.1)
    assert grade("diffusion/loss-v1", p, "l_simple", "0.1").mistake == "other_reduction"


def test_lambda_t_linear_schedule_t500() -> None:
    lin = [1e-4 + (s - 1) * (0.02 - 1e-4) / 999 for s in range(1, 1001)]
    for sigma, want in (("beta", 0.0055034), ("beta_tilde", 0.0055082)):
        a = solve("diffusion/loss-v1", eps=(1.0,), eps_hat=(0.0,), t=500, betas=tuple(lin), sigma=sigma)
        assert a["lambda_t"] == pytest.approx(want, rel=1e-4)


def test_loss_beta_tilde_at_t1_is_refused() -> None:
    with pytest.raises(ParamError, match="sigma=beta_tilde"):
        make("diffusion/loss-v1").from_params(dict(eps=(1.0,), eps_hat=(0.0,), t=1, betas=HAND, sigma="beta_tilde"))


# ---- every type: self-test, mistakes, reference --------------------------------------------------------------------
@pytest.mark.parametrize("pid", IDS)
def test_self_test(pid: str) -> None:
    pt = make(pid)
    insts = [pt.generate(s, d) for s in range(30) for d in seeding.DIFFICULTIES]
    assert self_test(pt, insts) == []


@pytest.mark.parametrize("pid", IDS)
def test_every_applicable_mistake_is_recognised(pid: str) -> None:
    pt = make(pid)
    for s in range(10):
        p = pt.generate(s, "medium").params
        truth = pt.solve(p)
        for name, m in pt.mistakes(p).items():
            r = grade_answers(pt, truth, m.answers, {name: m})
            assert r.score < 1 and any(x.mistake == name for x in r.parts), (name, p)


SPECIAL: dict[str, list[dict[str, Any]]] = {
    "diffusion/noise_schedule-v1": [dict(schedule="linear", beta_1=1e-4, beta_T=0.02, T=1000, t=500),
                                    dict(schedule="cosine", T=1000, s=0.008, t=1000), dict(betas=(0.5,), t=1)],
    "diffusion/reverse_step-v1": [dict(x_t=(0.8,), eps_hat=(0.3,), betas=HAND, t=1, sigma="beta_tilde"),
                                  dict(x_t=(2.0,), eps_hat=(0.9,), betas=(0.5,), t=1)],
    "diffusion/ddim_step-v1": [dict(x_t=(0.8, 1.0), eps_hat=(0.3, 0.1), alpha_bar_t=0.9, alpha_bar_prev=1.0, eta=1.0,
                                    z=(1.0, 1.0))],
    "diffusion/loss-v1": [dict(eps=(1.0, 2.0), eps_hat=(1.0, 2.0), t=1, betas=HAND)],
}


@pytest.mark.parametrize("pid", IDS)
def test_reference_agrees_with_solve_on_thousands(pid: str) -> None:
    """2,400 sampled instances per type (plus edge cases), one batched call to the torch reference."""
    pt = make(pid)
    params = []
    for d in seeding.DIFFICULTIES:
        rng = seeding.rng_for(pid, 12345, d)
        params += [pt.from_params(pt.sample(rng, d)).params for _ in range(800)]
    params += [pt.from_params(v).params for v in SPECIAL.get(pid, [])]
    refs = load_reference(pt)(params, torch.device("cpu"))
    assert len(refs) == len(params)
    bad = []
    for p, r in zip(params, refs, strict=True):
        truth = pt.solve(p)
        assert set(r) == {part.name for part in pt.active_parts(p)}, "the reference must give every asked part"
        bad += [(p, k, truth[k], v) for k, v in r.items() if not compare(truth[k], v)[0]]
    assert not bad, bad[:3]
