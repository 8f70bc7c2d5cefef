"""Divergence and GAN types: catalog worked examples, the notes' wrong values, validation, sampling, references."""

from __future__ import annotations

import math
from typing import Any

import pytest
from family_helpers import mistake_named, solved, thorough_checks

from examprep import seeding
from examprep.checker import self_test
from examprep.errors import ParamError
from examprep.grader.score import grade_answers
from examprep.registry import make

IDS = ["divergence/kl_discrete-v1", "divergence/kl_gaussian-v1", "divergence/kl_gaussian_mv-v1",
       "divergence/vae_kl-v1", "divergence/jsd-v1", "gan/optimal_discriminator-v1"]


def right(pt: Any, inst: Any, **answers: object) -> bool:
    truth = pt.solve(inst.params)
    return grade_answers(pt, truth, answers).score == 1


# ---- references and self-tests ----------------------------------------------------------------------------------

test_reference_agrees_on_thousands, test_self_test_30_seeds_each_difficulty = thorough_checks(IDS)


# ---- kl_discrete (seed_003 C8, seed_000_001 E1) -----------------------------------------------------------------

def test_kl_discrete_catalog_example_and_mistakes() -> None:
    pt, inst, ans = solved("divergence/kl_discrete-v1", P=(0.5, 0.3, 0.2), Q=(0.4, 0.4, 0.2))
    assert ans["kl"] == pytest.approx(0.025267, abs=5e-7)
    assert ans["terms"] == pytest.approx([0.5 * math.log(1.25), 0.3 * math.log(0.75), 0.0])
    assert right(pt, inst, kl="0.025267", terms="[0.111572, -0.0863046, 0]")
    assert mistake_named(pt, inst, "kl", 0.036453) == "wrong_base"  # bits where nats were asked
    assert mistake_named(pt, inst, "kl", 0.025815) == "direction_swapped"  # KL(Q‖P)
    assert self_test(pt, [inst]) == []


def test_kl_discrete_in_bits() -> None:
    pt, inst, ans = solved("divergence/kl_discrete-v1", P=(0.5, 0.3, 0.2), Q=(0.4, 0.4, 0.2), base="2")
    assert ans["kl"] == pytest.approx(0.036453, abs=5e-7)
    assert mistake_named(pt, inst, "kl", 0.025267) == "wrong_base"
    assert any("log base 2" in s for s in pt.statement(inst.params) if isinstance(s, str))


def test_kl_discrete_zero_in_p() -> None:
    pt, inst, ans = solved("divergence/kl_discrete-v1", P=(0.5, 0.5, 0.0), Q=(0.25, 0.25, 0.5))
    assert ans["kl"] == pytest.approx(math.log(2))  # 0.693147, the zero term counts 0
    assert ans["terms"][2] == 0
    assert "direction_swapped" not in pt.mistakes(inst.params)  # KL(Q‖P) is infinite here
    # dropping the zero outcome and renormalising Q to [0.5, 0.5] gives 0
    assert mistake_named(pt, inst, "kl", 0.0) == "zero_term_mishandled"
    assert self_test(pt, [inst]) == []


def test_kl_discrete_infinite_kl_is_a_param_error() -> None:
    pt = make("divergence/kl_discrete-v1")
    with pytest.raises(ParamError, match=r"infinite.*Q\(3\) = 0"):
        pt.from_params({"P": (0.25, 0.25, 0.5), "Q": (0.5, 0.5, 0.0)})
    # Q = 0 where P = 0 too is fine
    assert pt.from_params({"P": (0.5, 0.5, 0.0), "Q": (0.5, 0.5, 0.0)}).params.Q == (0.5, 0.5, 0.0)


@pytest.mark.parametrize("sets, match", [
    (["P=[0.5,0.3,0.3]", "Q=[0.4,0.4,0.2]"], "P sums to 1.1"),
    (["P=[0.5,0.3,0.2]", "Q=[0.4,0.6]"], "3 outcomes and Q has 2"),
    (["P=[1.2,-0.2]", "Q=[0.5,0.5]"], "P="),
    (["P=[0.5,0.5]", "Q=[0.5,0.5]", "base=10"], "base"),
])
def test_kl_discrete_validation(sets: list[str], match: str) -> None:
    pt = make("divergence/kl_discrete-v1")
    with pytest.raises(ParamError, match=match):
        pt.instance(sets=sets)


def test_pmf_sum_tolerance_is_1e9() -> None:
    pt = make("divergence/kl_discrete-v1")
    pt.from_params({"P": (0.5, 0.3, 0.2 + 5e-10), "Q": (0.4, 0.4, 0.2)})
    with pytest.raises(ParamError, match="sums to"):
        pt.from_params({"P": (0.5, 0.3, 0.2 + 5e-9), "Q": (0.4, 0.4, 0.2)})


# ---- kl_gaussian (seed_003 1.3, C6, C7; seed_002 K4) ------------------------------------------------------------

@pytest.mark.parametrize("mu1, s1, mu2, s2, want", [
    (1, 1, 0, 1, 0.5),  # the notes' example (seed_003 1.3)
    (0.5, 0.8, 0, 1, 0.168144),  # C6
    (1, 0.5, 0, 1, 0.818147),  # C6, K4
    (0, 1, 1, 0.5, 2.806853),  # C7: the reverse direction of the one above
    (0.3, math.sqrt(0.169355), 0, math.sqrt(0.169355), 0.265714),  # K4: equal variances, Δμ = 0.3
])
def test_kl_gaussian_catalog_values(mu1: float, s1: float, mu2: float, s2: float, want: float) -> None:
    pt, inst, ans = solved("divergence/kl_gaussian-v1", mu1=mu1, sigma1=s1, mu2=mu2, sigma2=s2)
    assert ans["kl"] == pytest.approx(want, abs=5e-7)
    assert self_test(pt, [inst]) == []


def test_kl_gaussian_notes_step_and_mistakes() -> None:
    pt, inst, _ = solved("divergence/kl_gaussian-v1", mu1=1, sigma1=1, mu2=0, sigma2=1)
    # the notes' displayed step ½(1 + 0 − 1 − 1) = −0.5: the sign flipped
    assert mistake_named(pt, inst, "kl", -0.5) == "sign_flipped"
    assert mistake_named(pt, inst, "kl", 1.0) == "minus_half_dropped"
    assert "std_as_variance" not in pt.mistakes(inst.params)  # σ = σ² = 1: the mistake cannot show
    pt, inst, _ = solved("divergence/kl_gaussian-v1", mu1=1, sigma1=0.5, mu2=0, sigma2=1)
    assert mistake_named(pt, inst, "kl", 2.806853) == "direction_swapped"
    # σ1 = 0.5 read as a variance: ln(1/√0.5) + (0.5 + 1)/2 − ½
    assert mistake_named(pt, inst, "kl", 0.5 * math.log(2) + 0.25) == "std_as_variance"
    assert mistake_named(pt, inst, "kl", 2 * math.log(2) + 0.625 - 0.5) == "log_variance_ratio"


def test_kl_gaussian_validation() -> None:
    pt = make("divergence/kl_gaussian-v1")
    with pytest.raises(ParamError, match="sigma2"):
        pt.from_params({"mu1": 0, "sigma1": 1, "mu2": 0, "sigma2": -1})
    assert any("standard deviation" in s for s in pt.statement(pt.generate(0).params) if isinstance(s, str))


# ---- kl_gaussian_mv (seed_003 C7) -------------------------------------------------------------------------------

def test_kl_gaussian_mv_catalog_example() -> None:
    pt, inst, ans = solved("divergence/kl_gaussian_mv-v1", mu1=(1, 0), Sigma1=((1, 0.2), (0.2, 0.5)),
                           mu2=(0, 0), Sigma2=((2, 0), (0, 1)))
    assert ans["kl"] == pytest.approx(0.484838, abs=5e-7)
    assert ans["trace_term"] == pytest.approx(1.0)
    assert ans["quad_term"] == pytest.approx(0.5)
    assert ans["logdet_term"] == pytest.approx(math.log(2 / 0.46))
    assert ans["Sigma2_inv"].tolist() == [[0.5, 0.0], [0.0, 1.0]]
    assert mistake_named(pt, inst, "kl", 0.484838 + 1) == "k_forgotten"
    assert mistake_named(pt, inst, "kl", 0.5 * (1 + 0.5 - 2 - math.log(2 / 0.46))) == "det_ratio_inverted"
    # KL(N2‖N1) = 0.982553 (kl_divergence of the two MultivariateNormals, swapped)
    assert mistake_named(pt, inst, "kl", 0.982553) == "direction_swapped"
    assert self_test(pt, [inst]) == []


def test_kl_gaussian_mv_diagonal_is_sum_of_univariate() -> None:
    uni = make("divergence/kl_gaussian-v1")
    _, _, ans = solved("divergence/kl_gaussian_mv-v1", mu1=(1, -0.5), Sigma1=((0.25, 0), (0, 4)),
                       mu2=(0, 0.5), Sigma2=((1, 0), (0, 2)))
    want = (uni.solve(uni.from_params({"mu1": 1, "sigma1": 0.5, "mu2": 0, "sigma2": 1}).params)["kl"]
            + uni.solve(uni.from_params({"mu1": -0.5, "sigma1": 2, "mu2": 0.5, "sigma2": math.sqrt(2)}).params)["kl"])
    assert ans["kl"] == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("params, match", [
    ({"Sigma1": ((1, 0.2), (0.3, 1))}, "symmetric"),
    ({"Sigma2": ((1, 2), (2, 1))}, "positive definite"),
    ({"Sigma1": ((-1, 0), (0, -1))}, "positive definite"),
    ({"mu1": (1, 0, 0)}, "2 entries"),
])
def test_kl_gaussian_mv_validation(params: dict, match: str) -> None:
    base = {"mu1": (1, 0), "Sigma1": ((1, 0.2), (0.2, 0.5)), "mu2": (0, 0), "Sigma2": ((2, 0), (0, 1))}
    with pytest.raises(ParamError, match=match):
        make("divergence/kl_gaussian_mv-v1").from_params({**base, **params})


def test_kl_gaussian_mv_easy_is_diagonal_hard_is_full() -> None:
    pt = make("divergence/kl_gaussian_mv-v1")
    for s in range(20):
        e = pt.generate(s, "easy").params
        assert e.Sigma1[0][1] == 0 and e.Sigma2[0][1] == 0
        h = pt.generate(s, "hard").params
        assert h.Sigma1[0][1] != 0 and h.Sigma2[0][1] != 0


# ---- vae_kl (seed_003 1.2, C5, C6; seed_004 E4, E5; seed_002 J2) ------------------------------------------------

def test_vae_sampling_example_of_the_notes() -> None:
    pt, inst, ans = solved("divergence/vae_kl-v1", mu=(0,), log_var=(math.log(0.25),), eps=(0.3,))
    assert ans["sigma"] == pytest.approx([0.5])
    assert ans["z"] == pytest.approx([0.15])


def test_vae_c5_example_and_its_mistakes() -> None:
    pt, inst, ans = solved("divergence/vae_kl-v1", mu=(0.5, -1), log_var=(0, math.log(0.25)), eps=(0.2, -0.4))
    assert ans["sigma"] == pytest.approx([1, 0.5])
    assert ans["z"] == pytest.approx([0.7, -1.2])
    assert ans["kl"] == pytest.approx(0.943147, abs=5e-7)
    assert mistake_named(pt, inst, "z", [0.7, -1.1]) == "sigma_is_exp_log_var"  # E5
    assert mistake_named(pt, inst, "kl", 1.886294) == "half_dropped"  # E5
    assert mistake_named(pt, inst, "kl", 1.068147) == "sigma_for_variance"  # E5
    assert mistake_named(pt, inst, "z", [0.7, -1.4]) == "sigma_left_out"
    assert self_test(pt, [inst]) == []


def test_vae_e4_e5_and_j2_examples() -> None:
    _, _, ans = solved("divergence/vae_kl-v1", mu=(0.5, -1), log_var=(0, -0.5), eps=(0.3, -1.2))
    assert ans["kl"] == pytest.approx(0.678265, abs=5e-7)
    assert ans["z"] == pytest.approx([0.8, -1.934561], abs=5e-7)
    pt, inst, ans = solved("divergence/vae_kl-v1", mu=(0.5, -1), log_var=(0, math.log(0.5)), eps=(0.2, -1))
    assert ans["kl"] == pytest.approx(0.721574, abs=5e-7)
    assert ans["z"] == pytest.approx([0.7, -1.707107], abs=5e-7)
    assert mistake_named(pt, inst, "z", [0.7, -1.5]) == "sigma_is_exp_log_var"  # J2
    assert mistake_named(pt, inst, "kl", 1.443147) == "half_dropped"  # J2


def test_vae_kl_notes_example_and_sign() -> None:
    pt, inst, ans = solved("divergence/vae_kl-v1", mu=(1,), log_var=(0,), eps=(0.5,))
    assert ans["kl"] == pytest.approx(0.5)  # seed_003 1.3
    assert mistake_named(pt, inst, "kl", -0.5) == "sign_flipped"  # the notes' displayed step
    assert "sigma_is_exp_log_var" not in pt.mistakes(inst.params)  # log σ² = 0: σ = 1 either way
    _, _, ans = solved("divergence/vae_kl-v1", mu=(0.5,), log_var=(math.log(0.64),), eps=(1,))
    assert ans["kl"] == pytest.approx(0.168144, abs=5e-7)  # C6


def test_vae_validation() -> None:
    with pytest.raises(ParamError, match="log_var has 1 entries but mu has 2"):
        make("divergence/vae_kl-v1").from_params({"mu": (0.5, 1), "log_var": (0,), "eps": (0.1, 0.2)})


# ---- jsd and the optimal discriminator (seed_003 C3, seed_004 D3, seed_000_001 F2) -------------------------------

def test_jsd_catalog_example_and_mistakes() -> None:
    pt, inst, ans = solved("divergence/jsd-v1", P=(0.5, 0.3, 0.2), Q=(0.2, 0.3, 0.5))
    assert ans["m"] == pytest.approx([0.35, 0.3, 0.35])
    assert ans["jsd"] == pytest.approx(0.066414, abs=5e-7)
    assert mistake_named(pt, inst, "jsd", 0.095816) == "bits"
    assert mistake_named(pt, inst, "jsd", 0.257710) == "sqrt_jsd"  # scipy's jensenshannon
    assert mistake_named(pt, inst, "jsd", 2 * 0.066414) == "half_dropped"
    assert self_test(pt, [inst]) == []


def test_jsd_with_disjoint_support_is_ln2() -> None:
    _, _, ans = solved("divergence/jsd-v1", P=(0.5, 0.5, 0, 0), Q=(0, 0, 0.3, 0.7))
    assert ans["jsd"] == pytest.approx(math.log(2))
    with pytest.raises(ParamError, match="outcome 3 has P = Q = 0"):
        make("divergence/jsd-v1").from_params({"P": (0.5, 0.5, 0), "Q": (0.4, 0.6, 0)})


def test_optimal_discriminator_catalog_example() -> None:
    pt, inst, ans = solved("gan/optimal_discriminator-v1", p_data=(0.5, 0.3, 0.2), p_g=(0.2, 0.3, 0.5))
    assert ans["d_star"] == pytest.approx([0.714286, 0.5, 0.285714], abs=5e-7)
    assert ans["value"] == pytest.approx(-1.253466, abs=5e-7)
    assert ans["jsd"] == pytest.approx(0.066414, abs=5e-7)
    assert right(pt, inst, d_star="[0.714286, 0.5, 0.285714]", value="-1.253466", jsd="0.066414")
    assert mistake_named(pt, inst, "d_star", [0.285714, 0.5, 0.714286]) == "d_star_inverted"
    # the notes (seed_003 §2.21) subtract ln 4 while keeping the (p_data + p_g) denominators
    assert mistake_named(pt, inst, "value", -1.253466 - math.log(4)) == "ln4_twice"
    assert mistake_named(pt, inst, "value", 2 * 0.066414) == "ln4_dropped"  # "C(G) ≥ 0"
    assert mistake_named(pt, inst, "jsd", 0.257710) == "sqrt_jsd"
    assert self_test(pt, [inst]) == []


def test_optimal_discriminator_at_equilibrium() -> None:
    _, _, ans = solved("gan/optimal_discriminator-v1", p_data=(0.5, 0.3, 0.2), p_g=(0.5, 0.3, 0.2))
    assert ans["d_star"] == [0.5, 0.5, 0.5]
    assert ans["value"] == pytest.approx(-1.386294, abs=5e-7)  # min C(G) = −ln 4


def test_optimal_discriminator_validation() -> None:
    pt = make("gan/optimal_discriminator-v1")
    with pytest.raises(ParamError, match="p_g sums to"):
        pt.from_params({"p_data": (0.5, 0.5), "p_g": (0.5, 0.6)})
    with pytest.raises(ParamError, match="outcome 2 has p_data = p_g = 0"):
        pt.from_params({"p_data": (0.6, 0.0, 0.4), "p_g": (0.5, 0.0, 0.5)})  # D*(x_2) = 0/0


# ---- sampling avoids degenerate cases ---------------------------------------------------------------------------

PMF_PARAMS = {"divergence/kl_discrete-v1": ("P", "Q"), "divergence/jsd-v1": ("P", "Q"),
              "gan/optimal_discriminator-v1": ("p_data", "p_g")}


@pytest.mark.parametrize("pid", list(PMF_PARAMS))
def test_sampled_distributions_are_on_the_grid_and_differ(pid: str) -> None:
    pt = make(pid)
    a, b = PMF_PARAMS[pid]
    zeros = 0
    for s in range(100):
        for d in seeding.DIFFICULTIES:
            p = pt.generate(s, d).params
            assert p[a] != p[b]
            for v in (p[a], p[b]):
                assert math.fsum(v) == pytest.approx(1, abs=1e-12)
                # no probability that rounds to 0: each entry is exactly 0 (hard only) or at least 0.05
                assert all(x == 0 or x >= 0.05 for x in v)
                assert all(round(x * 20) == pytest.approx(x * 20) for x in v)
                zeros += sum(x == 0 for x in v)
                if d != "hard":
                    assert all(x > 0 for x in v)
    assert zeros > 0  # the hard level exercises 0·log 0


def test_sampled_gaussians_differ_and_answers_are_not_tiny() -> None:
    for pid in ("divergence/kl_gaussian-v1", "divergence/kl_gaussian_mv-v1", "divergence/vae_kl-v1"):
        pt = make(pid)
        for s in range(60):
            for d in seeding.DIFFICULTIES:
                p = pt.generate(s, d).params
                assert pt.solve(p)["kl"] >= 1e-3


@pytest.mark.parametrize("pid", IDS)
def test_no_mistake_coincides_with_the_truth(pid: str) -> None:
    pt = make(pid)
    for s in range(60):
        for d in seeding.DIFFICULTIES:
            p = pt.generate(s, d).params
            truth = pt.solve(p)
            for name, m in pt.mistakes(p).items():
                assert grade_answers(pt, truth, m.answers).score < 1, (s, d, name)


MIXED: dict[str, list[dict[str, Any]]] = {
    "divergence/kl_discrete-v1": [dict(P=[0.5, 0.5], Q=[0.9, 0.1]),
                                  dict(P=[0.0, 0.2, 0.3, 0.1, 0.4], Q=[0.1, 0.1, 0.2, 0.2, 0.4], base="2"),
                                  dict(P=[0.2, 0.0, 0.8], Q=[0.3, 0.3, 0.4])],
    "divergence/jsd-v1": [dict(P=[0.5, 0.5], Q=[1.0, 0.0]), dict(P=[0.0, 0.2, 0.3, 0.5], Q=[0.4, 0.0, 0.3, 0.3]),
                          dict(P=[0.1, 0.2, 0.3, 0.2, 0.2], Q=[0.2, 0.2, 0.2, 0.2, 0.2])],
    "divergence/vae_kl-v1": [dict(mu=[0.5], log_var=[-1.0], eps=[0.3]),
                             dict(mu=[1.0, -2.0, 0.0, 0.5], log_var=[0.5, -2.0, 1.0, 0.0], eps=[1, -1, 0.5, 2]),
                             dict(mu=[0.0, 0.1], log_var=[0.2, 0.0], eps=[0.0, -0.7])],
    "gan/optimal_discriminator-v1": [dict(p_data=[0.5, 0.5], p_g=[0.25, 0.75]),
                                     dict(p_data=[0.0, 0.2, 0.3, 0.5], p_g=[0.4, 0.0, 0.3, 0.3]),
                                     dict(p_data=[0.1, 0.2, 0.3, 0.2, 0.2], p_g=[0.2, 0.2, 0.2, 0.2, 0.2])],
}


@pytest.mark.parametrize("pid", sorted(MIXED))
def test_reference_mixed_batch(pid: str) -> None:
    """Distributions of different lengths (with zero entries) in one call form one group, padded with outcomes of
    probability 0 (or latent dimensions with q = prior), and every answer equals solve's."""
    import torch

    from examprep.verify import load_reference, reference_disagreements

    pt = make(pid)
    params = [pt.from_params(v).params for v in MIXED[pid]]
    assert len(load_reference(pt)(params * 3, torch.device("cpu")).blocks) == 1
    assert reference_disagreements(pt, params * 3) == []


@pytest.mark.parametrize(("pid", "a", "b"), [("gan/optimal_discriminator-v1", "p_data", "p_g"),
                                             ("divergence/jsd", "P", "Q")])
def test_equal_pair_with_a_shared_zero_is_rejected(pid: str, a: str, b: str) -> None:
    """p_data = p_g = (0.5, 0.1, 0.4, 0): D* at the last point is 0/0 — a clear error, not a crash in solve (a
    draw verify met at N = 20,000). Generated instances never have equal pairs, so no seed is affected."""
    pt = make(pid)
    v = [0.5, 0.1, 0.4, 0.0]
    with pytest.raises(ParamError, match="outcome 4 has"):
        pt.from_params({a: v, b: v})
    for seed in range(200):  # the generated instances still come out (equal pairs were already degenerate)
        p = pt.generate(seed, seeding.DIFFICULTIES[seed % 3]).params
        assert tuple(p[a]) != tuple(p[b])
