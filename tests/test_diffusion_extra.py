"""Newer diffusion types: the catalog's worked examples, the wrong values graded as named mistakes, refused
parameters, and the batched references against solve on mixed batches."""

from __future__ import annotations

import numpy as np
import pytest
from family_helpers import family_checks, mistake_named, right, solved

from examprep import seeding
from examprep.errors import ParamError
from examprep.registry import make
from examprep.verify import reference_disagreements

IDS = ["diffusion/guidance-v1", "diffusion/flow_matching-v1", "diffusion/prior_kl-v1",
       "diffusion/ve_denoiser-v1", "diffusion/latent_sizes-v1",
       "diffusion/noise_schedule-v2", "diffusion/forward_closed_form-v2", "diffusion/loss-v2"]


test_reference_agrees, test_self_test_every_difficulty, test_reference_on_a_mixed_batch = family_checks(
    IDS, n=900, batch=300, seeds=10, mixed=15)


# ---- guidance: seed_000_001 I5, seed_002 K6 --------------------------------------------------------------------

def test_cfg_diffusers_and_paper_conventions() -> None:
    pt, inst, ans = solved("diffusion/guidance-v1", eps_u=(0.2, -0.1), eps_c=(0.5, 0.3), w=7.5)
    assert np.allclose(ans["eps_guided"], [2.45, 2.9])
    assert right(pt, inst, eps_guided="[2.45, 2.9]")
    assert mistake_named(pt, inst, "eps_guided", "[2.75, 3.3]") == "conventions_mixed"
    pt, inst, ans = solved("diffusion/guidance-v1", eps_u=(0.2, -0.1), eps_c=(0.5, 0.3), w=7.5, convention="paper")
    assert np.allclose(ans["eps_guided"], [2.75, 3.3])
    assert mistake_named(pt, inst, "eps_guided", "[2.45, 2.9]") == "conventions_mixed"
    # K6: the paper's w' = 6.5 is the diffusers w = 7.5; diffusers' w = 1 returns ε_c
    _, _, k6 = solved("diffusion/guidance-v1", eps_u=(0.2, -0.1), eps_c=(0.5, 0.3), w=6.5, convention="paper")
    assert np.allclose(k6["eps_guided"], [2.45, 2.9])
    _, _, one = solved("diffusion/guidance-v1", eps_u=(0.2, -0.1), eps_c=(0.5, 0.3), w=1.0)
    assert np.allclose(one["eps_guided"], [0.5, 0.3])


def test_classifier_guidance_catalog_example() -> None:
    pt, inst, ans = solved("diffusion/guidance-v1", mode="classifier", eps=(0.3, -0.2), x_t=(0.5, 0.2), a=(1, -1),
                           alpha_bar=0.504, s=2.0)
    assert ans["p"] == pytest.approx(0.574443, abs=5e-7)
    assert np.allclose(ans["grad"], [0.425557, -0.425557], atol=5e-7)
    assert np.allclose(ans["eps_guided"], [-0.299417, 0.399417], atol=5e-7)
    assert right(pt, inst, p="0.5744", grad="[0.4256, -0.4256]", eps_guided="[-0.2994, 0.3994]")
    k = 2 * 0.425557
    assert mistake_named(pt, inst, "eps_guided", [0.3 - k, -0.2 + k]) == "sqrt_one_minus_alpha_bar_dropped"
    assert mistake_named(pt, inst, "eps_guided", [0.899417, -0.799417]) == "guidance_sign"
    assert mistake_named(pt, inst, "grad", [0.244458, -0.244458]) == "gradient_of_p"


def test_guidance_refuses_mixed_modes_and_draws_both() -> None:
    pt = make("diffusion/guidance")
    with pytest.raises(ParamError, match="needs"):
        pt.from_params(dict(mode="classifier", eps=(0.1,), x_t=(0.2,)))
    with pytest.raises(ParamError, match="other mode"):
        pt.from_params(dict(eps_u=(0.1,), eps_c=(0.2,), w=2.0, a=(1,)))
    modes = {(pt.generate(s, "medium").params.mode) for s in range(20)}
    assert modes == {"cfg", "classifier"}


# ---- flow_matching: seed_000_001 I4 ----------------------------------------------------------------------------

def test_flow_matching_catalog_example() -> None:
    pt, inst, ans = solved("diffusion/flow_matching-v1", x0=(1, 1), x1=(3, -1), t=0.25)
    assert np.allclose(ans["x_t"], [1.5, 0.5]) and np.allclose(ans["u"], [2, -2])
    assert set(ans) == {"x_t", "u"}
    assert right(pt, inst, x_t="[1.5, 0.5]", u="[2, -2]")
    assert mistake_named(pt, inst, "u", "[-2, 2]") == "velocity_sign"
    assert mistake_named(pt, inst, "x_t", "[2.5, -0.5]") == "endpoints_swapped"  # 0.75·x_1 + 0.25·x_0


def test_flow_matching_loss_and_euler_step() -> None:
    pt, inst, ans = solved("diffusion/flow_matching-v1", x0=(1, 1), x1=(3, -1), t=0.25, v_hat=(2.5, -1.5), dt=0.5)
    assert ans["loss"] == pytest.approx(0.25 + 0.25)
    assert np.allclose(ans["x_next"], [1.5 + 1.25, 0.5 - 0.75])
    # with u reversed: (2.5 + 2)² + (−1.5 − 2)²
    assert mistake_named(pt, inst, "loss", 4.5**2 + 3.5**2) == "velocity_sign"
    with pytest.raises(ParamError, match="needs v_hat"):
        pt.from_params(dict(x0=(1,), x1=(2,), t=0.5, dt=0.1))


def test_flow_matching_draws_every_variant() -> None:
    pt = make("diffusion/flow_matching")
    seen = {(p.v_hat is not None, p.dt is not None) for p in (pt.generate(s, d).params for s in range(15)
                                                              for d in seeding.DIFFICULTIES)}
    assert seen == {(False, False), (True, False), (True, True)}


# ---- prior_kl: seed_004 F10 ------------------------------------------------------------------------------------

def test_prior_kl_hand_schedule_and_named_mistakes() -> None:
    pt, inst, ans = solved("diffusion/prior_kl-v1", x0=(2,), betas=(0.1, 0.2, 0.3))
    assert ans["alpha_bar_T"] == pytest.approx(0.504)
    assert ans["var"] == pytest.approx(0.496)
    assert ans["kl"] == pytest.approx(1.106590, abs=5e-7)
    assert right(pt, inst, kl="1.107")
    # ln √v: ½(2.016 + 0.496 − 1 − ½ ln 0.496)
    assert mistake_named(pt, inst, "kl", 0.5 * (2.016 + 0.496 - 1 - 0.5 * np.log(0.496))) == "std_in_log"
    # KL(N(0,1) ‖ N(m, v)) = ½(ln v + (1 + m²)/v − 1)
    assert mistake_named(pt, inst, "kl", 0.5 * (np.log(0.496) + (1 + 2.016) / 0.496 - 1)) == "direction"


def test_prior_kl_linear_schedule_is_negligible() -> None:
    _, _, ans = solved("diffusion/prior_kl-v1", x0=(1, -0.5), schedule="linear", beta_1=1e-4, beta_T=0.02, T=1000)
    assert ans["alpha_bar_T"] == pytest.approx(4.0358e-5, rel=1e-4)
    assert ans["kl"] == pytest.approx(2.52e-5, rel=1e-3)


def test_prior_kl_refuses_incomplete_schedules() -> None:
    pt = make("diffusion/prior_kl")
    with pytest.raises(ParamError, match="beta_1"):
        pt.from_params(dict(x0=(1,), schedule="linear", T=10))
    with pytest.raises(ParamError, match="not both"):
        pt.from_params(dict(x0=(1,), schedule="linear", betas=(0.1,), beta_1=0.1, beta_T=0.2, T=3))


def test_prior_kl_reference_on_cosine_schedules() -> None:
    pt = make("diffusion/prior_kl")
    params = [pt.from_params(dict(x0=x0, schedule="cosine", T=T, s=0.008)).params
              for x0 in ((1.0,), (2.0,), (0.5,)) for T in (4, 10, 1000)]
    params += [pt.from_params(dict(x0=(1.0,), schedule="cosine", T=1000, s=0.008)).params]
    assert reference_disagreements(pt, params) == []
    # diffusers' squaredcos_cap_v2 ends at alphas_cumprod[999] = 2.43e-9
    assert pt.solve(params[-1])["alpha_bar_T"] == pytest.approx(2.43e-9, rel=2e-3)


# ---- ve_denoiser: seed_000_001 I4 ------------------------------------------------------------------------------

I4 = dict(x0=(1, -1), eps=(0.2, -0.6), eps_hat=(0.1, -0.4))


def test_ve_denoiser_catalog_example_sum_and_mean() -> None:
    pt, inst, ans = solved("diffusion/ve_denoiser-v1", sigma=0.5, **I4)
    assert np.allclose(ans["x_sigma"], [1.1, -1.3])
    assert ans["loss"] == pytest.approx(0.05)
    assert np.allclose(ans["x0_hat"], [1.05, -1.1])
    assert right(pt, inst, x_sigma="[1.1, -1.3]", loss="0.05", x0_hat="[1.05, -1.1]")
    assert mistake_named(pt, inst, "loss", 0.025) == "reduction_confused"
    assert mistake_named(pt, inst, "x0_hat", "[1.15, -1.5]") == "x0_hat_plus"
    assert mistake_named(pt, inst, "x_sigma", "[1.05, -1.15]") == "sigma_squared"  # σ² = 0.25
    _, _, mean = solved("diffusion/ve_denoiser-v1", sigma=0.5, reduction="mean", **I4)
    assert mean["loss"] == pytest.approx(0.025)


def test_ve_denoiser_geometric_schedule() -> None:
    pt, inst, ans = solved("diffusion/ve_denoiser-v1", sigma_min=0.01, sigma_max=100, N=5, i=3, **I4)
    assert np.allclose(ans["sigmas"], np.geomspace(0.01, 100, 5))
    assert np.allclose(ans["sigmas"], [0.01, 0.1, 1, 10, 100])
    assert np.allclose(ans["x_sigma"], [1 + 10 * 0.2, -1 - 10 * 0.6])
    assert mistake_named(pt, inst, "sigmas", list(np.linspace(0.01, 100, 5))) == "linear_spacing"
    for lo, hi, n in ((0.1, 10, 3), (0.5, 8, 5), (0.25, 4, 3), (0.1, 100, 4)):
        _, _, a = solved("diffusion/ve_denoiser-v1", sigma_min=lo, sigma_max=hi, N=n, i=0, **I4)
        assert np.allclose(a["sigmas"], np.geomspace(lo, hi, n))


def test_ve_denoiser_refusals_and_variants() -> None:
    pt = make("diffusion/ve_denoiser")
    with pytest.raises(ParamError, match="not both"):
        pt.from_params(dict(sigma=0.5, sigma_min=0.1, **I4))
    with pytest.raises(ParamError, match="missing"):
        pt.from_params(dict(sigma_min=0.1, sigma_max=10, **I4))
    with pytest.raises(ParamError, match="i=5"):
        pt.from_params(dict(sigma_min=0.1, sigma_max=10, N=5, i=5, **I4))
    seen = {(p.sigma is None, p.reduction) for p in (pt.generate(s, d).params for s in range(20)
                                                     for d in seeding.DIFFICULTIES)}
    assert seen == {(False, "sum"), (False, "mean"), (True, "sum"), (True, "mean")}


# ---- latent_sizes: seed_002 K7, seed_004 F12 -------------------------------------------------------------------

def test_latent_sizes_stable_diffusion_example() -> None:
    pt, inst, ans = solved("diffusion/latent_sizes-v1", H=512, W=512, f=8)
    assert ans == {"latent_shape": [4, 64, 64], "image_values": 786432, "latent_values": 16384, "compression": 48.0}
    assert right(pt, inst, latent_shape="[4, 64, 64]", image_values="786432", latent_values="16384",
                 compression="48")
    assert mistake_named(pt, inst, "compression", 192) == "channels_ignored"
    assert mistake_named(pt, inst, "latent_shape", "[4, 8, 8]") == "f_squared_per_side"


def test_latent_sizes_non_square_and_refusals() -> None:
    _, _, ans = solved("diffusion/latent_sizes-v1", H=768, W=512, C=3, f=16, c_latent=16)
    assert ans["latent_shape"] == [16, 48, 32]
    assert ans["compression"] == pytest.approx(16 * 16 * 3 / 16)
    pt = make("diffusion/latent_sizes")
    with pytest.raises(ParamError, match="power of 2"):
        pt.from_params(dict(H=510, W=510, f=6))
    with pytest.raises(ParamError, match="multiples"):
        pt.from_params(dict(H=500, W=512, f=8))


# ---- loss-v2: seed_002 K5, seed_004 F8 -------------------------------------------------------------------------

def test_loss_v2_k5_mse_and_score() -> None:
    pt, inst, ans = solved("diffusion/loss-v2", eps=((0.3, -1.2, 0.5),), eps_hat=((0.1, -1.0, 0.9),),
                           betas=(0.1, 0.2, 0.3), t=3, reduction="mean")
    assert ans["l_simple"] == pytest.approx(0.08)
    assert np.allclose(np.asarray(ans["score"])[0, :2], [-0.141990, 1.419905], atol=5e-7)
    assert "x_t" not in ans
    assert mistake_named(pt, inst, "l_simple", 0.24) == "other_reduction"
    assert mistake_named(pt, inst, "score", [[0.141990, -1.419905, 1.277914]]) == "score_sign"


def test_loss_v2_f8_input_and_minibatch_mean() -> None:
    pt, inst, ans = solved("diffusion/loss-v2", eps=((-1,),), eps_hat=((-0.8,),), betas=(0.1, 0.2, 0.3), t=3,
                           x0=((2,),), sigma="beta_tilde")
    assert ans["x_t"] == [[pytest.approx(0.715586, abs=5e-7)]]
    assert ans["l_simple"] == pytest.approx(0.04)
    assert ans["l_weighted"] == pytest.approx(0.030612, abs=5e-7)
    pt, inst, ans = solved("diffusion/loss-v2", eps=((-1,), (0.5,)), eps_hat=((-0.8,), (0.1,)),
                           betas=(0.1, 0.2, 0.3), t=3, sigma="beta_tilde")
    assert ans["l_simple"] == pytest.approx((0.04 + 0.16) / 2)
    assert ans["l_weighted"] == pytest.approx(0.765306 * 0.1, abs=5e-7)
    assert mistake_named(pt, inst, "l_simple", 0.2) == "batch_summed"
    with pytest.raises(ParamError, match="same shape"):
        pt.from_params(dict(eps=((-1,), (0.5,)), eps_hat=((-0.8,),), betas=(0.1, 0.2, 0.3), t=3))


def test_noise_schedule_v2_wrong_alpha_bar_carried_forward_earns_the_ecf_credit() -> None:
    """β = [0.1, 0.2, 0.3], t = 3: ᾱ_3 = 0.9·0.8·0.7 = 0.504 (SNR 1.016129); a student who slipped to ᾱ_3 = 0.45 and
    then wrote √0.45, √0.55 and 0.45/0.55 earns the ECF credit on the three later parts."""
    from examprep.grader.score import grade_answers

    pt, inst, ans = solved("diffusion/noise_schedule-v2", betas=[0.1, 0.2, 0.3], t=3)
    assert ans["alpha_bar"] == pytest.approx(0.504, abs=1e-12) and ans["snr"] == pytest.approx(1.016129, abs=1e-6)
    given = {"beta": "0.3", "alpha": "0.7", "alpha_bar_table": "[0.9, 0.72, 0.45]", "alpha_bar": "0.45",
             "sqrt_alpha_bar": "0.6708", "sqrt_one_minus_alpha_bar": "0.7416", "snr": "0.8182"}
    r = {p.name: p for p in grade_answers(pt, ans, given, pt.mistakes(inst.params), params=inst.params).parts}
    assert [r[k].verdict for k in ("beta", "alpha", "alpha_bar_table")] == ["right", "right", "partial"]
    assert (r["alpha_bar"].verdict, r["alpha_bar"].score) == ("carried", 0.5)  # the table's last entry
    for k in ("sqrt_alpha_bar", "sqrt_one_minus_alpha_bar", "snr"):
        assert (r[k].verdict, r[k].score) == ("carried", 0.5), k
    assert r["snr"].feedback.startswith("follows from your alpha_bar = 0.45")
    # the right ᾱ_3 to 3 s.f. (0.504) carries full credit into an SNR computed from it: 0.504/0.496 = 1.016
    ok = grade_answers(pt, ans, {**given, "alpha_bar_table": "[0.9, 0.72, 0.504]", "alpha_bar": "0.504",
                                 "snr": "1.016"}, params=inst.params).parts
    assert {p.name: p.verdict for p in ok}["snr"] == "right"
