"""GAN loss, critic, distance and shape types: the catalog's verified samples with their corrected values, the
notes' wrong values graded as named mistakes, validation, sampling, and the references on hand-made batches."""

from __future__ import annotations

import math

import numpy as np
import pytest
from family_helpers import mistake_named, right, solved, thorough_checks

from examprep.checker import self_test
from examprep.errors import ParamError
from examprep.registry import make
from examprep.verify import reference_disagreements

IDS = ["gan/bce_losses-v1", "gan/lsgan-v1", "gan/wgan_critic-v1", "gan/mode_collapse-v1", "gan/wasserstein_1d-v1",
       "gan/change_of_variables-v1", "gan/optimal_discriminator-v2", "gan/batch_features-v1",
       "gan/cycle_consistency-v1", "gan/mask_blend-v1", "gan/dcgan-v1"]


# ---- every type: references, self-tests, fair draws ---------------------------------------------------------------

(test_reference_agrees_on_thousands, test_self_test_30_seeds_each_difficulty,
    test_no_mistake_within_2e3_on_generated_instances) = thorough_checks(IDS, near_misses=True)


# ---- gan/bce_losses (seed_000_001 F1; seed_002 I1; seed_003 C2; seed_004 D1, D2) ----------------------------------

def test_bce_losses_f1_sample() -> None:
    pt, inst, ans = solved("gan/bce_losses-v1", d_real=(0.9, 0.8), d_fake=(0.3, 0.1))
    assert ans["loss_d"] == pytest.approx(0.395270, abs=5e-7)
    assert ans["value"] == pytest.approx(-0.395270, abs=5e-7)
    assert ans["loss_g_sat"] == pytest.approx(-0.231018, abs=5e-7)
    assert ans["loss_g_ns"] == pytest.approx(1.753279, abs=5e-7)
    assert ans["grad_sat"] == pytest.approx([-0.3, -0.1])  # at D = 0.1: −0.1 (saturating) ...
    assert ans["grad_ns"] == pytest.approx([-0.7, -0.9])  # ... vs −0.9 (non-saturating)
    assert right(pt, inst, loss_d="0.395270", value="-0.395270", loss_g_ns="1.753279", grad_ns="[-0.7, -0.9]")
    assert mistake_named(pt, inst, "loss_d", 0.790540) == "sums"
    assert mistake_named(pt, inst, "value", -0.171663) == "log10"
    assert mistake_named(pt, inst, "loss_d", -0.395270) == "v_for_minus_v"
    assert mistake_named(pt, inst, "loss_d", 0.395270 / 2) == "bce_all_outputs"
    # derivatives by D: −1/(1 − D) and −1/D, −1.111 and −10 at D = 0.1
    assert mistake_named(pt, inst, "grad_sat", [-1 / 0.7, -1.111111]) == "derivative_by_d"
    assert mistake_named(pt, inst, "grad_ns", [-1 / 0.3, -10]) == "derivative_by_d"
    assert self_test(pt, [inst]) == []


def test_bce_losses_c2_sample_and_pooled_bce() -> None:
    from sklearn.metrics import log_loss

    pt, inst, ans = solved("gan/bce_losses-v1", d_real=(0.9, 0.8), d_fake=(0.2, 0.3))
    assert ans["value"] == pytest.approx(-0.454161, abs=5e-7)
    assert ans["loss_g_sat"] == pytest.approx(-0.289909, abs=5e-7)
    assert ans["loss_g_ns"] == pytest.approx(1.406705, abs=5e-7)
    # sklearn's log loss over the two batches separately is L_D; over all four outputs it is −V/2 = 0.227081
    both = log_loss([1, 1], [0.9, 0.8], labels=[0, 1]) + log_loss([0, 0], [0.2, 0.3], labels=[0, 1])
    assert ans["loss_d"] == pytest.approx(both, rel=1e-12)
    pooled = log_loss([1, 1, 0, 0], [0.9, 0.8, 0.2, 0.3])
    assert pooled == pytest.approx(0.227081, abs=5e-7)
    assert mistake_named(pt, inst, "loss_d", pooled) == "bce_all_outputs"


def test_bce_losses_saturation_d2() -> None:
    pt, inst, ans = solved("gan/bce_losses-v1", d_real=(0.9, 0.8), d_fake=(0.01, 0.2))
    assert ans["grad_sat"][0] == pytest.approx(-0.01)
    assert ans["grad_ns"][0] == pytest.approx(-0.99)


def test_bce_losses_unequal_batches_and_reference_mixed_batch() -> None:
    pt = make("gan/bce_losses-v1")
    params = [pt.from_params(v).params for v in (
        {"d_real": (0.9, 0.8, 0.7, 0.95), "d_fake": (0.3, 0.1)},
        {"d_real": (0.6, 0.61), "d_fake": (0.05, 0.4, 0.33)},
        {"d_real": (0.99,), "d_fake": (0.5,)},
    )]
    assert reference_disagreements(pt, params) == []
    ans = pt.solve(params[1])
    assert ans["loss_d"] == pytest.approx(-(np.log([0.6, 0.61]).mean() + np.log([0.95, 0.6, 0.67]).mean()))


@pytest.mark.parametrize("sets, match", [
    (["d_real=[0.9,1]", "d_fake=[0.3]"], "strictly between 0 and 1"),
    (["d_real=[0.9]", "d_fake=[0,0.2]"], "strictly between 0 and 1"),
    (["d_real=[0.9]", "d_fake=[1.2]"], "d_fake="),
])
def test_bce_losses_validation(sets: list[str], match: str) -> None:
    with pytest.raises(ParamError, match=match):
        make("gan/bce_losses-v1").instance(sets=sets)


def test_bce_losses_statement_states_conventions() -> None:
    pt = make("gan/bce_losses-v1")
    text = " ".join(s for s in pt.statement(pt.generate(0).params) if isinstance(s, str))
    for phrase in ("natural log", "mean (not a sum)", r"$D = \sigma(a)$", "logit"):
        assert phrase in text
    assert "notes" not in text


# ---- gan/lsgan (seed_002 I3) --------------------------------------------------------------------------------------

def test_lsgan_i3_sample_without_half() -> None:
    pt, inst, ans = solved("gan/lsgan-v1", d_real=(0.8, 1.2), d_fake=(0.3, -0.1), half=False)
    assert ans["loss_d"] == pytest.approx(0.09) and ans["loss_g"] == pytest.approx(0.85)
    # the notes' (E[D(x)] − 1)² + (E[D(G(z))])²
    assert mistake_named(pt, inst, "loss_d", 0.01) == "square_outside_mean"
    assert mistake_named(pt, inst, "loss_d", 0.045) == "half_factor"
    assert self_test(pt, [inst]) == []


def test_lsgan_i3_sample_with_half_and_mse_loss() -> None:
    import torch
    import torch.nn.functional as F

    pt, inst, ans = solved("gan/lsgan-v1", d_real=(0.8, 1.2), d_fake=(0.3, -0.1))
    assert ans["loss_d"] == pytest.approx(0.045) and ans["loss_g"] == pytest.approx(0.425)
    dr, df = torch.tensor([0.8, 1.2], dtype=torch.float64), torch.tensor([0.3, -0.1], dtype=torch.float64)
    assert F.mse_loss(dr, torch.ones(2, dtype=torch.float64)) + F.mse_loss(df, torch.zeros(2, dtype=torch.float64)) \
        == pytest.approx(0.09)  # the catalog's reference, without ½
    assert mistake_named(pt, inst, "loss_d", 0.01) == "square_outside_no_half"
    assert mistake_named(pt, inst, "loss_d", 0.005) == "square_outside_mean"
    assert mistake_named(pt, inst, "loss_d", 0.09) == "half_factor"
    sig = [1 / (1 + math.exp(-x)) for x in (0.8, 1.2, 0.3, -0.1)]
    want = 0.5 * (((sig[0] - 1) ** 2 + (sig[1] - 1) ** 2) / 2 + (sig[2] ** 2 + sig[3] ** 2) / 2)
    assert mistake_named(pt, inst, "loss_d", want) == "sigmoid_applied"
    assert self_test(pt, [inst]) == []


def test_lsgan_reference_mixed_batch_and_statement() -> None:
    pt = make("gan/lsgan-v1")
    params = [pt.from_params(v).params for v in (
        {"d_real": (0.8, 1.2, 0.9), "d_fake": (0.3,), "half": False},
        {"d_real": (2.0,), "d_fake": (-1.0, 0.5, 0.25, 0.0)},
    )]
    assert reference_disagreements(pt, params) == []
    text = " ".join(s for s in pt.statement(params[1]) if isinstance(s, str))
    assert "no sigmoid" in text and "inside" in text and r"$L_D = \frac{1}{2} \frac{1}{m}" in text
    assert r"$L_D = \frac{1}{m}" in " ".join(s for s in pt.statement(params[0]) if isinstance(s, str))


# ---- gan/wgan_critic (seed_000_001 F3; seed_002 I4) ---------------------------------------------------------------

def test_wgan_critic_f3_sample() -> None:
    pt, inst, ans = solved("gan/wgan_critic-v1", c_real=(1.2, 0.8, 1.0), c_fake=(-0.5, 0.1, -0.2),
                           weights=(0.03, -0.005, -0.02, 0.012), clip=0.01)
    assert ans["w_hat"] == pytest.approx(1.2) and ans["loss_c"] == pytest.approx(-1.2)
    assert ans["loss_g"] == pytest.approx(0.2)
    assert ans["clipped"] == pytest.approx([0.01, -0.005, -0.01, 0.01])
    assert mistake_named(pt, inst, "loss_c", 1.2) == "critic_loss_sign"
    assert mistake_named(pt, inst, "loss_g", -0.2) == "generator_loss_sign"
    assert mistake_named(pt, inst, "clipped", [0.01, 0, 0, 0.01]) == "clip_to_zero"
    assert self_test(pt, [inst]) == []


def test_wgan_critic_i4_sample_and_torch_clamp() -> None:
    import torch

    pt, inst, ans = solved("gan/wgan_critic-v1", c_real=(0.9, 0.5), c_fake=(-0.2, 0.1), weights=(0.5, -0.003, 0.02),
                           clip=0.01)
    assert (ans["w_hat"], ans["loss_c"], ans["loss_g"]) == pytest.approx((0.75, -0.75, 0.05))
    assert ans["clipped"] == pytest.approx([0.01, -0.003, 0.01])
    assert ans["clipped"] == torch.clamp(torch.tensor([0.5, -0.003, 0.02], dtype=torch.float64), -0.01, 0.01).tolist()
    params = [inst.params, pt.from_params({"c_real": (1.0,), "c_fake": (0.5, -0.5, 2.0), "weights": (-2.0,),
                                           "clip": 1.5}).params]
    assert reference_disagreements(pt, params) == []


def test_wgan_critic_validation_and_statement() -> None:
    pt = make("gan/wgan_critic-v1")
    with pytest.raises(ParamError, match="clip"):
        pt.from_params({"c_real": (1.0,), "c_fake": (0.0,), "weights": (0.1,), "clip": 0})
    text = " ".join(s for s in pt.statement(pt.generate(0).params) if isinstance(s, str))
    assert "[-c, c]" in text and r"L_C = -\hat{W}" in text


# ---- gan/mode_collapse (seed_004 D5) ------------------------------------------------------------------------------

D5 = (6, 49, 5, 11, 6, 1, 3, 11, 0, 8)


def test_mode_collapse_d5_histogram_against_scipy() -> None:
    from scipy.stats import entropy

    pt, inst, ans = solved("gan/mode_collapse-v1", counts=D5)
    assert ans["modes"] == 9
    assert ans["entropy"] == pytest.approx(1.67584, abs=5e-6)
    assert ans["kl_uniform"] == pytest.approx(0.62674, abs=5e-6)
    assert ans["entropy"] == pytest.approx(entropy(D5), rel=1e-12)  # scipy normalises the counts
    assert ans["kl_uniform"] == pytest.approx(entropy(D5, [1] * 10), rel=1e-12)
    assert mistake_named(pt, inst, "entropy", 1.67584 / math.log(2)) == "log2"
    assert mistake_named(pt, inst, "modes", 1) == "missing_counted"
    assert "kl_reversed" not in pt.mistakes(inst.params)  # KL(U‖p̂) is infinite: class 8 is missing
    assert self_test(pt, [inst]) == []


def test_mode_collapse_reversed_kl_and_mixed_batch() -> None:
    from scipy.stats import entropy

    pt, inst, ans = solved("gan/mode_collapse-v1", counts=(10, 5, 3, 2))
    assert mistake_named(pt, inst, "kl_uniform", entropy([1] * 4, (10, 5, 3, 2))) == "kl_reversed"
    params = [pt.from_params({"counts": c}).params for c in (D5, (10, 5, 3, 2), (0, 7), (1, 1, 1, 1, 4))]
    assert reference_disagreements(pt, params) == []
    assert pt.solve(params[2])["entropy"] == 0 and pt.solve(params[2])["kl_uniform"] == pytest.approx(math.log(2))


def test_mode_collapse_wrong_histogram_carried_forward_earns_the_ecf_credit() -> None:
    from examprep.grader.score import grade_answers

    pt, inst, ans = solved("gan/mode_collapse-v1", counts=(10, 5, 3, 2))  # p̂ = [0.5, 0.25, 0.15, 0.1]
    wrong_p = [0.4, 0.3, 0.2, 0.1]
    h = -math.fsum(x * math.log(x) for x in wrong_p)  # 1.27985, against the right 1.20797
    assert h == pytest.approx(1.279854, abs=1e-6) and ans["entropy"] == pytest.approx(1.207974, abs=1e-6)
    given = {"p_hat": str(wrong_p), "modes": "4", "entropy": f"{h:.4f}", "kl_uniform": f"{math.log(4) - h:.4f}"}
    r = {p.name: p for p in grade_answers(pt, ans, given, params=inst.params).parts}
    assert r["p_hat"].verdict == "partial" and r["modes"].verdict == "right"  # only 0.1 is right
    assert (r["entropy"].verdict, r["entropy"].score) == ("carried", 0.5)
    assert r["entropy"].feedback.startswith("follows from your p_hat = [0.4, 0.3, 0.2, 0.1]")
    assert (r["kl_uniform"].verdict, r["kl_uniform"].score) == ("carried", 0.5)  # through the carried entropy
    # an entropy that follows from nothing the student wrote stays wrong
    r2 = grade_answers(pt, ans, {**given, "entropy": "1.3"}, params=inst.params).parts[2]
    assert r2.verdict not in ("right", "carried")


# ---- gan/wasserstein_1d (seed_000_001 F3; seed_002 I4; seed_004 D4) -----------------------------------------------

H4 = (0, 1, 2, 3)


@pytest.mark.parametrize("params, w1", [
    ({"u": (0, 1, 3), "v": (5, 6, 8)}, 5.0),  # F3
    ({"u": H4, "v": H4, "u_weights": (0.4, 0.3, 0.2, 0.1), "v_weights": (0.1, 0.2, 0.3, 0.4)}, 1.0),  # F3
    ({"u": H4, "v": H4, "u_weights": (0.5, 0.5, 0, 0), "v_weights": (0, 0, 0.5, 0.5)}, 2.0),  # F3, disjoint
    ({"u": (1, 2, 4), "v": (2, 3, 7)}, 5 / 3),  # I4
    ({"u": (0, 1, 2), "v": (0, 1, 2), "u_weights": (0.5, 0.3, 0.2), "v_weights": (0.2, 0.3, 0.5)}, 0.6),  # D4
    ({"u": (0,), "v": (0.5,)}, 0.5), ({"u": (0,), "v": (2,)}, 2.0),  # two Diracs
])
def test_wasserstein_1d_catalog_samples_against_scipy(params: dict, w1: float) -> None:
    from scipy.spatial.distance import jensenshannon
    from scipy.stats import wasserstein_distance

    from examprep.problems.gan.wasserstein_1d import on_union

    pt, inst, ans = solved("gan/wasserstein_1d-v1", **params)
    assert ans["w1"] == pytest.approx(w1, abs=1e-12)
    assert ans["w1"] == pytest.approx(wasserstein_distance(params["u"], params["v"], params.get("u_weights"),
                                                           params.get("v_weights")), abs=1e-12)
    _, pu, pv = on_union(inst.params)
    assert ans["jsd"] == pytest.approx(jensenshannon(pu, pv) ** 2, abs=1e-12)
    if len(params["u"]) == 1:
        assert ans["jsd"] == pytest.approx(math.log(2))  # JS(δ₀, δ_θ) = ln 2 whatever θ


def test_wasserstein_1d_crossing_cdfs_mean_difference_mistake() -> None:
    pt, inst, ans = solved("gan/wasserstein_1d-v1", u=H4, v=H4, u_weights=(0.5, 0, 0, 0.5), v_weights=(0, 0.5, 0.5, 0))
    assert ans["w1"] == pytest.approx(1.0)
    assert mistake_named(pt, inst, "w1", 0) == "mean_difference"  # both means are 1.5
    assert mistake_named(pt, inst, "w1", 2.0) == "pmf_l1"
    assert mistake_named(pt, inst, "jsd", 1.0) == "jsd_bits"
    assert self_test(pt, [inst]) == []
    step = next(s for s in pt.derivation(inst.params) if s.part == "w1")
    assert "0.5·(1 − 0)" in step.substituted.render("text")  # the CDF differences times the spacings


def test_wasserstein_1d_unsorted_pairs_and_mixed_batch() -> None:
    pt, inst, ans = solved("gan/wasserstein_1d-v1", u=(4, 1, 2), v=(2, 7, 3))
    assert ans["w1"] == pytest.approx(5 / 3)
    assert mistake_named(pt, inst, "w1", (2 + 6 + 1) / 3) == "unsorted_pairs"
    params = [pt.from_params(v).params for v in (
        {"u": (4, 1, 2), "v": (2, 7, 3)}, {"u": (0, 1, 1, 2.5), "v": (1, 3)},
        {"u": H4, "v": H4, "u_weights": (0.5, 0, 0, 0.5), "v_weights": (0, 2, 2, 0)},
        {"u": (0, 1, 2), "v": (0, 1, 2), "u_weights": (0.5, 0.3, 0.2), "v_weights": (0.2, 0.3, 0.5)})]
    assert reference_disagreements(pt, params) == []


def test_wasserstein_1d_validation() -> None:
    pt = make("gan/wasserstein_1d-v1")
    inst = pt.from_params({"u": (1,), "v": (1, 1)})  # one shared point: W1 = JSD = 0, and it still derives
    assert pt.solve(inst.params) == {"w1": 0.0, "jsd": 0.0}
    assert [s.part for s in pt.derivation(inst.params) if s.part] == ["w1", "jsd"]
    with pytest.raises(ParamError, match="u_weights has 2 entries for 3 points"):
        pt.from_params({"u": (0, 1, 2), "v": (1,), "u_weights": (0.5, 0.5)})
    with pytest.raises(ParamError, match="positive sum"):
        pt.from_params({"u": (0, 1), "v": (1,), "u_weights": (0, 0)})


# ---- gan/change_of_variables (seed_003 X1, §2.19) -----------------------------------------------------------------

def test_change_of_variables_1d_against_scipy_and_transformed_distribution() -> None:
    import torch
    from scipy.stats import norm
    from torch.distributions import AffineTransform, Normal, TransformedDistribution

    pt, inst, ans = solved("gan/change_of_variables-v1", A=((2,),), b=(1,), x=(2,))
    assert ans["z"] == [0.5] and ans["abs_det"] == 2
    assert ans["p_x"] == pytest.approx(norm.pdf(2, loc=1, scale=2), rel=1e-12)  # φ((x − b)/a)/|a|
    td = TransformedDistribution(Normal(0.0, 1.0), AffineTransform(1.0, 2.0))
    assert ans["p_x"] == pytest.approx(td.log_prob(torch.tensor(2.0)).exp().item(), rel=1e-6)
    assert mistake_named(pt, inst, "p_x", norm.pdf(0.5) * 2) == "times_det"
    assert mistake_named(pt, inst, "p_x", norm.pdf(0.5)) == "no_jacobian"
    # the notes' p_G(G⁻¹(x)): the density of x, N(1, 4), evaluated at z = 0.5, times |det A⁻¹|
    assert mistake_named(pt, inst, "p_x", norm.pdf(0.5, loc=1, scale=2) / 2) == "density_of_x_at_z"
    assert self_test(pt, [inst]) == []


def test_change_of_variables_2d_against_scipy_and_mixed_batch() -> None:
    from scipy.stats import multivariate_normal

    A, b, x = ((-1, 3), (2, -1)), (-1.5, 0), (-2.5, 2)
    pt, inst, ans = solved("gan/change_of_variables-v1", A=A, b=b, x=x)
    assert ans["z"] == pytest.approx([1, 0]) and ans["abs_det"] == pytest.approx(5)
    cov = np.asarray(A) @ np.asarray(A).T
    assert ans["p_x"] == pytest.approx(multivariate_normal(b, cov).pdf(x), rel=1e-12)
    params = [inst.params, pt.from_params({"A": ((0.5,),), "b": (0,), "x": (3,)}).params,
              pt.from_params({"A": ((2, 0), (0, -0.5)), "b": (1, 1), "x": (0, 0)}).params]
    assert reference_disagreements(pt, params) == []
    with pytest.raises(ParamError, match="singular"):
        pt.from_params({"A": ((1, 2), (2, 4)), "b": (0, 0), "x": (0, 0)})
    with pytest.raises(ParamError, match="2 entries"):
        pt.from_params({"A": ((1, 2), (2, 5)), "b": (0,), "x": (0, 0)})


# ---- gan/optimal_discriminator-v2 (seed_003 C3; seed_004 D3) ------------------------------------------------------

def test_optimal_discriminator_v2_gaussian_d3_sample() -> None:
    from scipy.stats import norm

    pt, inst, ans = solved("gan/optimal_discriminator-v2", family="gaussian", mu_data=0, mu_g=2, sigma=1, x=(0, 1, 2))
    assert ans["d_star"] == pytest.approx([0.880797, 0.5, 0.119203], abs=5e-7)  # σ(μ²/2 − μx), μ = 2
    assert ans["boundary"] == 1
    pd, pg = norm.pdf([0, 1, 2], 0, 1), norm.pdf([0, 1, 2], 2, 1)
    assert ans["d_star"] == pytest.approx((pd / (pd + pg)).tolist(), rel=1e-12)
    assert mistake_named(pt, inst, "d_star", [0.119203, 0.5, 0.880797]) == "d_star_inverted"
    assert "sigma_for_variance" not in pt.mistakes(inst.params)  # σ = σ² = 1
    assert set(ans) == {"d_star", "boundary"}
    assert self_test(pt, [inst]) == []


def test_optimal_discriminator_v2_gaussian_sigma_2() -> None:
    pt, inst, ans = solved("gan/optimal_discriminator-v2", family="gaussian", mu_data=1, mu_g=-1, sigma=2, x=(0, 1.5))
    r = 2 * 1.5 / 4  # ((x + 1)² − (x − 1)²)/(2·4) = x/2
    assert ans["d_star"] == pytest.approx([0.5, 1 / (1 + math.exp(-r))])
    assert ans["boundary"] == 0
    assert mistake_named(pt, inst, "d_star", [0.5, 1 / (1 + math.exp(-3 / 2))]) == "sigma_for_variance"


def test_optimal_discriminator_v2_discrete_is_v1_and_v1_stays() -> None:
    v1 = make("gan/optimal_discriminator-v1")
    pt, inst, ans = solved("gan/optimal_discriminator-v2", p_data=(0.5, 0.3, 0.2), p_g=(0.2, 0.3, 0.5))
    want = v1.solve(v1.from_params({"p_data": (0.5, 0.3, 0.2), "p_g": (0.2, 0.3, 0.5)}).params)
    assert ans == want
    assert ans["value"] == pytest.approx(-1.253466, abs=5e-7) and ans["jsd"] == pytest.approx(0.066414, abs=5e-7)
    assert make("gan/optimal_discriminator").id == "gan/optimal_discriminator-v2"
    assert v1.id == "gan/optimal_discriminator-v1"
    assert mistake_named(pt, inst, "jsd", 0.257710) == "sqrt_jsd"


def test_optimal_discriminator_v2_mixed_batch_and_validation() -> None:
    pt = make("gan/optimal_discriminator-v2")
    params = [pt.from_params(v).params for v in (
        {"p_data": (0.5, 0.3, 0.2), "p_g": (0.2, 0.3, 0.5)},
        {"family": "gaussian", "mu_data": 0, "mu_g": 2, "sigma": 1, "x": (0, 1, 2)},
        {"p_data": (0.5, 0.5, 0, 0), "p_g": (0, 0.25, 0.25, 0.5)},
        {"family": "gaussian", "mu_data": -1, "mu_g": 0.5, "sigma": 0.5, "x": (-2, 3)})]
    assert reference_disagreements(pt, params) == []
    for bad, match in (({"family": "gaussian", "mu_data": 0, "mu_g": 0, "sigma": 1, "x": (0,)}, "equal"),
                       ({"family": "gaussian", "mu_data": 0, "mu_g": 1, "x": (0,)}, "missing sigma"),
                       ({"p_data": (0.5, 0.5), "p_g": (0.5, 0.5), "sigma": 1.0}, "other family")):
        with pytest.raises(ParamError, match=match):
            pt.from_params(bad)
    kinds = {pt.generate(s, "hard").params.family for s in range(20)}
    assert kinds == {"discrete", "gaussian"}


# ---- gan/batch_features (seed_002 I9; seed_003 X2) ----------------------------------------------------------------

M = ((1, 0), (0.9, 0.2), (-1, 0.5))


def test_batch_features_i9_samples() -> None:
    from scipy.spatial.distance import cdist

    pt, inst, ans = solved("gan/batch_features-v1", f_real=((1, 2), (3, 4)), f_fake=((0, 1), (2, 2)))
    assert ans["fm_loss"] == pytest.approx(3.25)
    assert mistake_named(pt, inst, "fm_loss", math.sqrt(3.25)) == "norm_unsquared"
    pt, inst, ans = solved("gan/batch_features-v1", f_real=((1, 2), (3, 4)), f_fake=M)
    assert ans["o"] == pytest.approx([0.822903, 0.851621, 0.192888], abs=5e-7)
    K = np.exp(-cdist(M, M, "cityblock"))
    assert ans["o"] == pytest.approx((K.sum(1) - 1).tolist(), rel=1e-12)
    assert mistake_named(pt, inst, "o", (K.sum(1)).tolist()) == "self_term"  # the paper's sum, +1
    assert mistake_named(pt, inst, "o", (np.exp(-cdist(M, M)).sum(1) - 1).tolist()) == "l2_in_o"
    assert mistake_named(pt, inst, "o", (np.exp(-cdist(M, M, "sqeuclidean")).sum(1) - 1).tolist()) == "squared_l2_in_o"
    assert self_test(pt, [inst]) == []
    _, _, ans = solved("gan/batch_features-v1", f_real=((1, 2), (3, 4)), f_fake=M, include_self=True)
    assert ans["o"] == pytest.approx([1.822903, 1.851621, 1.192888], abs=5e-7)


def test_batch_features_reference_mixed_batch_and_validation() -> None:
    pt = make("gan/batch_features-v1")
    params = [pt.from_params(v).params for v in (
        {"f_real": ((1, 2), (3, 4)), "f_fake": M}, {"f_real": ((1, 2), (3, 4)), "f_fake": M, "include_self": True},
        {"f_real": ((1, 2, 3),), "f_fake": ((0, 0, 0), (1, 1, 1))})]
    assert reference_disagreements(pt, params) == []
    with pytest.raises(ParamError, match="same number of columns"):
        pt.from_params({"f_real": ((1, 2),), "f_fake": ((1, 2, 3), (1, 2, 3))})
    with pytest.raises(ParamError, match="at least 2 rows"):
        pt.from_params({"f_real": ((1, 2),), "f_fake": ((1, 2),)})


# ---- gan/cycle_consistency (seed_000_001 F4) ----------------------------------------------------------------------

F4 = dict(G=((2, 0), (0, 1)), F=((0.5, 0), (0, 0.8)), x=((1, 2), (0, -1)), y=((2, 1),))


def test_cycle_consistency_f4_sample() -> None:
    import torch
    import torch.nn.functional as Fn

    pt, inst, ans = solved("gan/cycle_consistency-v1", **F4)
    assert np.allclose(ans["x_cycle"], [[1, 1.6], [0, -0.8]]) and np.allclose(ans["y_cycle"], [[2, 0.8]])
    assert ans["l_cyc"] == pytest.approx(0.5) and ans["total"] == pytest.approx(5.0)
    assert mistake_named(pt, inst, "l_cyc", 0.3) == "one_direction"
    assert mistake_named(pt, inst, "total", 0.5) == "lambda_dropped"
    assert mistake_named(pt, inst, "l_cyc", 0.10 + 0.04) == "squared_l2"  # 0.10 for x, 0.04 for y
    assert self_test(pt, [inst]) == []
    pt, inst, ans = solved("gan/cycle_consistency-v1", **F4, reduction="mean")
    xc = torch.tensor(ans["x_cycle"], dtype=torch.float64)
    assert Fn.l1_loss(xc, torch.tensor(F4["x"], dtype=torch.float64)).item() == pytest.approx(0.15)  # F4's 0.15
    assert ans["l_cyc"] == pytest.approx(0.15 + 0.10)


def test_cycle_consistency_mixed_batch_and_validation() -> None:
    pt = make("gan/cycle_consistency-v1")
    params = [pt.from_params(v).params for v in (
        F4, {**F4, "reduction": "mean", "lam": 5.0},
        {"G": ((1, 2), (-1, 0.5)), "F": ((0.5, 0), (1, -0.5)), "x": ((1, 1),), "y": ((0, 2), (1, -1))})]
    assert reference_disagreements(pt, params) == []
    with pytest.raises(ParamError, match="square"):
        pt.from_params({**F4, "F": ((1, 0),)})
    with pytest.raises(ParamError, match="each row of y needs 2"):
        pt.from_params({**F4, "y": ((1, 2, 3),)})


# ---- gan/mask_blend (seed_000_001 F6) -----------------------------------------------------------------------------

def test_mask_blend_video_sample() -> None:
    import torch

    pt, inst, ans = solved("gan/mask_blend-v1", mask=(0.2, 0.9), fg=(1, 0.5), bg=(0.3, 0.6))
    assert ans["blend"] == pytest.approx([0.44, 0.51])
    assert ans["blend"] == pytest.approx(torch.lerp(torch.tensor([0.3, 0.6], dtype=torch.float64),
                                                    torch.tensor([1, 0.5], dtype=torch.float64),
                                                    torch.tensor([0.2, 0.9], dtype=torch.float64)).tolist())
    assert mistake_named(pt, inst, "blend", [0.86, 0.59]) == "mask_swapped"
    assert set(ans) == {"blend"}
    assert self_test(pt, [inst]) == []


def test_mask_blend_inpainting_sample() -> None:
    pt, inst, ans = solved("gan/mask_blend-v1", mask=(1, 1, 0, 0), fg=(0.8, -0.4, 0, 0), bg=(0.3, 0.1, -0.6, 0.9),
                           alpha_bar=0.72, eps=(0.1, -0.3, 0.5, 0.2))
    assert ans["blend"] == pytest.approx([0.731738, -0.498156, -0.6, 0.9], abs=5e-7)
    assert mistake_named(pt, inst, "blend", [0.8, -0.4, -0.6, 0.9]) == "clean_x0_pasted"
    assert self_test(pt, [inst]) == []
    params = [inst.params, pt.from_params({"mask": (0.5, 0.25, 1), "fg": (1, 2, 3), "bg": (0, 0, 0)}).params]
    assert reference_disagreements(pt, params) == []
    with pytest.raises(ParamError, match="both alpha_bar and eps"):
        pt.from_params({"mask": (1, 0), "fg": (1, 2), "bg": (0, 0), "alpha_bar": 0.5})
    with pytest.raises(ParamError, match="same number of pixels"):
        pt.from_params({"mask": (1, 0), "fg": (1, 2, 3), "bg": (0, 0)})


# ---- gan/dcgan (seed_002 I8; seed_003 C4) -------------------------------------------------------------------------

I8 = dict(z_dim=100, base=4, channels=(1024, 512, 256, 128, 3), K=4, S=2, P=1)


def test_dcgan_i8_generator() -> None:
    from torch import nn

    pt, inst, ans = solved("gan/dcgan-v1", **I8)
    assert [s[1] for s in ans["shapes"]] == [4, 8, 16, 32, 64] and ans["shapes"][-1] == [3, 64, 64]
    assert ans["conv_params"][0] == 8_388_608  # ConvTranspose2d(1024, 512, 4), no bias
    assert ans["proj_params"] == 100 * 16384
    assert ans["conv_params"][0] == sum(t.numel() for t in nn.ConvTranspose2d(1024, 512, 4, bias=False).parameters())
    assert mistake_named(pt, inst, "conv_params", [1024 * 512, 512 * 256, 256 * 128, 128 * 3]) == "k2_dropped"
    assert "conv_formula" not in pt.mistakes(inst.params)  # the convolution's rule shrinks 4 → 2 → 1 → 0
    assert self_test(pt, [inst]) == []
    pt, inst, ans = solved("gan/dcgan-v1", **{**I8, "channels": (1024, 512, 256)})
    assert mistake_named(pt, inst, "shapes", [[1024, 4, 4], [512, 2, 2], [256, 1, 1]]) == "conv_formula"
    _, _, ans = solved("gan/dcgan-v1", **I8, bias=True)
    assert ans["proj_params"] == 1_654_784  # the projection of z (100) to 4·4·1024 with biases
    _, _, ans = solved("gan/dcgan-v1", **I8, n_classes=10)
    assert ans["g_input"] == 110  # the cGAN input


def test_dcgan_c4_mnist_cgan() -> None:
    pt, inst, ans = solved("gan/dcgan-v1", z_dim=100, n_classes=10, base=7, channels=(128, 64, 1), K=4, S=2, P=1,
                           bias=True, d_hidden=256)
    assert ans["shapes"][-1] == [1, 28, 28]
    assert (ans["g_input"], ans["d_input"], ans["d_first_params"]) == (110, 794, 203_520)
    assert mistake_named(pt, inst, "d_input", 785) == "label_as_one_input"
    assert mistake_named(pt, inst, "g_input", 101) == "label_as_one_input"
    assert self_test(pt, [inst]) == []


def test_dcgan_reference_mixed_batch_and_validation() -> None:
    pt = make("gan/dcgan-v1")
    params = [pt.from_params(v).params for v in (
        I8, {**I8, "bias": True, "n_classes": 10, "d_hidden": 64},
        {"z_dim": 8, "base": 3, "channels": (4, 2), "K": 5, "S": 2, "P": 2}, {**I8, "channels": (16, 3)})]
    assert reference_disagreements(pt, params * 2) == []
    with pytest.raises(ParamError, match="must be positive"):
        pt.from_params({"z_dim": 8, "base": 1, "channels": (4, 2), "K": 1, "S": 1, "P": 1})
    with pytest.raises(ParamError, match="at least one"):
        pt.from_params({"z_dim": 8, "base": 4, "channels": (4,), "K": 4, "S": 2, "P": 1})
