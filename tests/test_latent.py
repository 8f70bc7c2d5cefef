"""Latent-variable types: the catalog's worked examples at their corrected values, the wrong values graded as named
mistakes, refused parameters, independent checks with scipy, and the batched references against solve."""

from __future__ import annotations

import numpy as np
import pytest
from family_helpers import family_checks, mistake_named, right, solved

from examprep.errors import ParamError
from examprep.grader.score import grade_answers
from examprep.registry import make

IDS = ["latent/kmeans_step-v1", "latent/gmm_em_step-v1", "latent/elbo_discrete-v1",
       "latent/vae_loss-v1",
       "latent/vq_vae-v1",
       "latent/pca-v1",
       "latent/linear_ae-v1",
       "latent/ppca-v1",
       "latent/hierarchical_vae-v1"]


test_reference_agrees, test_self_test_every_difficulty, test_reference_on_a_mixed_batch = family_checks(
    IDS, n=900, batch=300, seeds=10, mixed=15)


# ---- kmeans_step: seed_000_001 E2 ------------------------------------------------------------------------------

E2_X = ((1, 1), (1.5, 2), (3, 4), (5, 7), (3.5, 5), (4.5, 5), (3.5, 4.5))


def test_kmeans_catalog_example() -> None:
    pt, inst, ans = solved("latent/kmeans_step-v1", X=E2_X, C0=((1.5, 2), (4.5, 5)))
    assert ans["labels"] == [0, 0, 1, 1, 1, 1, 1]
    assert np.allclose(ans["centroids"], [[1.25, 1.5], [3.9, 5.1]])
    assert ans["inertia_before"] == pytest.approx(11.0)
    assert ans["inertia_after"] == pytest.approx(8.525)
    assert right(pt, inst, labels="[0,0,1,1,1,1,1]", centroids="[[1.25,1.5],[3.9,5.1]]", inertia_before="11",
                 inertia_after="8.525")
    # Euclidean distances summed: sqrt(1.25) + 0 + sqrt(3.25) + sqrt(4.25) + 1 + 0 + sqrt(1.25)
    assert mistake_named(pt, inst, "inertia_before", 7.1004) == "euclidean_distances"


def test_kmeans_catalog_one_dimensional_variant() -> None:
    _, _, ans = solved("latent/kmeans_step-v1", X=((1,), (2,), (4,), (5,), (9,)), C0=((1,), (5,)))
    assert ans["labels"] == [0, 0, 1, 1, 1]
    assert np.allclose(ans["centroids"], [[1.5], [6.0]])


def test_kmeans_wrong_labels_carried_forward_earn_the_ecf_credit() -> None:
    # right labels [0, 0, 1, 1, 1]; with the student's [0, 0, 0, 1, 1] the means are 7/3 and 7, and J_1 =
    # (4/3)² + (1/3)² + (5/3)² + 2² + 2² = 38/3 = 12.6667 (the right J_1 is 14.5)
    pt, inst, ans = solved("latent/kmeans_step-v1", X=((1,), (2,), (4,), (5,), (9,)), C0=((1,), (5,)))
    assert ans["inertia_after"] == pytest.approx(14.5)
    given = {"labels": "[0, 0, 0, 1, 1]", "centroids": "[[2.3333], [7]]", "inertia_after": "12.6667"}
    r = {p.name: p for p in grade_answers(pt, ans, given, params=inst.params).parts}
    assert r["labels"].verdict == "partial"
    assert (r["centroids"].verdict, r["centroids"].score) == ("carried", 0.5)
    assert (r["inertia_after"].verdict, r["inertia_after"].score) == ("carried", 0.5)
    assert r["inertia_after"].feedback.startswith("follows from your labels = [0, 0, 0, 1, 1]")
    # labels that name no centroid, or leave one empty, carry nothing forward (and do not crash the grader)
    for labels in ("[0, 0, 2, 1, 1]", "[0, 0, 0, 0, 0]"):
        r = {p.name: p for p in grade_answers(pt, ans, {**given, "labels": labels}, params=inst.params).parts}
        assert r["centroids"].verdict == "wrong" and r["inertia_after"].verdict == "wrong"


def test_kmeans_labels_from_the_new_centroids_is_named() -> None:
    # C0 = (0), (3): labels [0, 0, 1, 1, 1] (2 is nearer 3), new centroids 0.5 and 6; from those, 2 moves to 0
    pt, inst, ans = solved("latent/kmeans_step-v1", X=((0,), (1,), (2,), (7,), (9,)), C0=((0,), (3,)))
    assert ans["labels"] == [0, 0, 1, 1, 1]
    assert np.allclose(ans["centroids"], [[0.5], [6.0]])
    assert mistake_named(pt, inst, "labels", "[0, 0, 0, 1, 1]") == "labels_from_new_centroids"


def test_kmeans_refuses_the_tied_start_and_empty_clusters() -> None:
    pt = make("latent/kmeans_step")
    with pytest.raises(ParamError, match="tie"):
        pt.from_params(dict(X=E2_X, C0=((1, 1), (5, 7))))  # (3, 4) is 13 from both
    with pytest.raises(ParamError, match="empty"):
        pt.from_params(dict(X=((0,), (1,), (2,)), C0=((0,), (50,))))
    with pytest.raises(ParamError, match="columns"):
        pt.from_params(dict(X=((0, 1), (1, 2), (2, 2)), C0=((0,), (5,))))


def test_kmeans_labels_agree_with_scipy_vq() -> None:
    from scipy.cluster.vq import vq

    pt = make("latent/kmeans_step")
    for s in range(30):
        p = pt.generate(s, "hard").params
        ans = pt.solve(p)
        codes, dist = vq(np.asarray(p.X, float), np.asarray(p.C0, float))
        assert ans["labels"] == codes.tolist()
        assert ans["inertia_before"] == pytest.approx(float((dist**2).sum()))
        # the inertia never increases over one Lloyd step
        assert ans["inertia_after"] <= ans["inertia_before"] + 1e-12


# ---- gmm_em_step: seed_000_001 E3 ------------------------------------------------------------------------------

E3 = dict(x=(1, 2, 4, 5), pi=(0.5, 0.5), mu=(1, 5), var=(1, 1))


def test_gmm_catalog_example() -> None:
    pt, inst, ans = solved("latent/gmm_em_step-v1", **E3)
    assert np.allclose(np.asarray(ans["resp"])[:, 0], [0.999665, 0.982014, 0.017986, 0.000335], atol=5e-7)
    assert np.allclose(ans["n_k"], [2, 2]) and np.allclose(ans["pi_new"], [0.5, 0.5])
    assert np.allclose(ans["mu_new"], [1.518657, 4.481343], atol=5e-7)
    assert np.allclose(ans["var_new"], [0.305623, 0.305623], atol=5e-7)
    assert ans["loglik_before"] == pytest.approx(-7.411372, abs=5e-7)
    assert ans["loglik_after"] == pytest.approx(-5.715694, abs=5e-7)
    assert right(pt, inst, mu_new="[1.5187, 4.4813]", var_new="[0.3056, 0.3056]", loglik_after="-5.7157")
    # log p(x) = Q(θ, θ) + H(γ): −7.597598 + 0.186226
    resp = np.asarray(ans["resp"])
    from scipy.stats import norm

    logjoint = np.log(0.5) + norm.logpdf(np.asarray(E3["x"], float)[:, None], [1, 5], 1)
    q, h = float((resp * logjoint).sum()), float(-(resp * np.log(resp)).sum())
    assert (q, h) == (pytest.approx(-7.597598, abs=5e-7), pytest.approx(0.186226, abs=5e-7))
    assert q + h == pytest.approx(ans["loglik_before"])


def test_gmm_named_mistakes() -> None:
    pt, inst, ans = solved("latent/gmm_em_step-v1", **E3)
    # about the old means: Σ γ (x − 1)² / 2 for component 0
    assert mistake_named(pt, inst, "var_new", "[0.5746, 0.5746]") == "old_mean_in_variance"
    # without 1/√(2π): ln Σ_k 0.5 exp(−(x − μ)²/2) summed
    assert mistake_named(pt, inst, "loglik_before", -3.7356) == "no_sqrt_2pi"
    w = 0.5 * np.exp(-(np.asarray(E3["x"], float)[:, None] - np.array([1, 5])) ** 2 / 2)
    over = w / w.sum(axis=0)
    assert mistake_named(pt, inst, "resp", over.tolist()) == "normalised_over_points"


def test_gmm_pi_left_out_and_variance_as_std_are_named() -> None:
    pt, inst, ans = solved("latent/gmm_em_step-v1", x=(0, 1, 3, 4), pi=(0.6, 0.4), mu=(1, 3), var=(2, 0.5))
    from scipy.stats import norm

    x = np.array([0, 1, 3, 4], float)[:, None]
    no_pi = norm.pdf(x, [1, 3], np.sqrt([2, 0.5]))
    assert mistake_named(pt, inst, "resp", (no_pi / no_pi.sum(1, keepdims=True)).tolist()) == "pi_left_out"
    as_std = np.array([0.6, 0.4]) * norm.pdf(x, [1, 3], [2, 0.5])
    assert mistake_named(pt, inst, "loglik_before", float(np.log(as_std.sum(1)).sum())) == "sigma_for_variance"


def test_gmm_against_scipy_and_monotone() -> None:
    from scipy.stats import norm

    pt = make("latent/gmm_em_step")
    for s in range(30):
        p = pt.generate(s, "hard").params
        ans = pt.solve(p)
        x = np.asarray(p.x, float)[:, None]
        joint = np.asarray(p.pi) * norm.pdf(x, p.mu, np.sqrt(p.var))
        assert np.allclose(ans["resp"], joint / joint.sum(1, keepdims=True))
        assert ans["loglik_before"] == pytest.approx(float(np.log(joint.sum(1)).sum()))
        assert ans["loglik_after"] >= ans["loglik_before"] - 1e-12  # EM never decreases the likelihood


def test_gmm_refuses_bad_parameters() -> None:
    pt = make("latent/gmm_em_step")
    with pytest.raises(ParamError, match="sum to 1"):
        pt.from_params(dict(x=(1, 2, 3), pi=(0.5, 0.6), mu=(1, 3), var=(1, 1)))
    with pytest.raises(ParamError, match="var has"):
        pt.from_params(dict(x=(1, 2, 3), pi=(0.5, 0.5), mu=(1, 3), var=(1,)))
    with pytest.raises(ParamError, match="positive"):
        pt.from_params(dict(x=(1, 2, 3), pi=(0.5, 0.5), mu=(1, 3), var=(1, 0)))


# ---- elbo_discrete: seed_000_001 E4 (= seed_004 E3), seed_002 J3 -------------------------------------------------

def test_elbo_catalog_example_e4() -> None:
    pt, inst, ans = solved("latent/elbo_discrete-v1", prior=(0.6, 0.4), likelihood=(0.2, 0.7), q=(0.5, 0.5))
    assert ans["evidence"] == pytest.approx(0.4)
    assert ans["log_evidence"] == pytest.approx(-0.916291, abs=5e-7)
    assert np.allclose(ans["posterior"], [0.3, 0.7])
    assert ans["recon"] == pytest.approx(-0.983056, abs=5e-7)
    assert ans["kl_prior"] == pytest.approx(0.020411, abs=5e-7)
    assert ans["elbo"] == pytest.approx(-1.003467, abs=5e-7)
    assert ans["gap"] == pytest.approx(0.087177, abs=5e-7)
    assert right(pt, inst, elbo="-1.003", gap="0.08718")
    # seed_004's statement 5 calls the reconstruction term alone the ELBO
    assert mistake_named(pt, inst, "elbo", -0.983056) == "recon_as_elbo"
    assert mistake_named(pt, inst, "elbo", -0.983056 + 0.020411) == "kl_added"
    assert mistake_named(pt, inst, "gap", 0.020411) == "gap_to_prior"


def test_elbo_catalog_example_j3_and_the_identity() -> None:
    pt, inst, ans = solved("latent/elbo_discrete-v1", prior=(0.5, 0.3, 0.2), likelihood=(0.1, 0.5, 0.8),
                           q=(0.2, 0.4, 0.4))
    assert ans["evidence"] == pytest.approx(0.36)
    assert ans["log_evidence"] == pytest.approx(-1.021651, abs=5e-7)
    assert np.allclose(ans["posterior"], [0.138889, 0.416667, 0.444444], atol=5e-7)
    assert ans["elbo"] == pytest.approx(-1.036107, abs=5e-7)
    assert ans["gap"] == pytest.approx(0.014456, abs=5e-7)
    assert ans["elbo"] + ans["gap"] == pytest.approx(ans["log_evidence"], abs=1e-12)
    # KL(p(z)‖q) = Σ p ln(p/q) for the reversed direction
    rev = 0.5 * np.log(0.5 / 0.2) + 0.3 * np.log(0.3 / 0.4) + 0.2 * np.log(0.2 / 0.4)
    assert mistake_named(pt, inst, "kl_prior", rev) == "kl_prior_reversed"
    post = np.array([5, 15, 16]) / 36
    assert mistake_named(pt, inst, "gap", float((post * np.log(post / [0.2, 0.4, 0.4])).sum())) == "gap_reversed"


def test_elbo_at_the_posterior_is_the_log_evidence() -> None:
    post = (0.3, 0.7)
    _, _, ans = solved("latent/elbo_discrete-v1", prior=(0.6, 0.4), likelihood=(0.2, 0.7), q=post)
    assert ans["gap"] == pytest.approx(0, abs=1e-12)
    assert ans["elbo"] == pytest.approx(-0.916291, abs=5e-7)


def test_elbo_sampled_bound_holds_and_refusals() -> None:
    pt = make("latent/elbo_discrete")
    for s in range(30):
        ans = pt.solve(pt.generate(s, "hard").params)
        assert ans["elbo"] < ans["log_evidence"]
    with pytest.raises(ParamError, match="sum to 1"):
        pt.from_params(dict(prior=(0.6, 0.5), likelihood=(0.2, 0.7), q=(0.5, 0.5)))
    with pytest.raises(ParamError, match="positive"):
        pt.from_params(dict(prior=(0.6, 0.4), likelihood=(0.0, 0.7), q=(0.5, 0.5)))


# ---- vae_loss: seed_003 C9, seed_002 J2, seed_000_001 E5, seed_004 E6 --------------------------------------------

LN_HALF, LN_QUARTER = float(np.log(0.5)), float(np.log(0.25))


def test_vae_loss_c9_bce_sum_and_the_mean_mistake() -> None:
    pt, inst, ans = solved("latent/vae_loss-v1", x=(1, 0, 1), x_hat=(0.9, 0.2, 0.6), mu=(0.5, -1.0),
                           log_var=(0.0, LN_QUARTER))
    assert ans["recon"] == pytest.approx(0.839330, abs=5e-7)
    assert ans["kl"] == pytest.approx(0.943147, abs=5e-7)
    assert ans["loss"] == pytest.approx(1.782477, abs=5e-7)
    assert ans["elbo"] == pytest.approx(-1.782477, abs=5e-7)
    assert right(pt, inst, recon="0.8393", kl="0.9431", loss="1.7825")
    assert mistake_named(pt, inst, "recon", 0.279777) == "pixel_mean"
    assert mistake_named(pt, inst, "loss", 0.839330 - 0.943147) == "kl_subtracted"


def test_vae_loss_j2_and_sigma_as_exp_log_var() -> None:
    pt, inst, ans = solved("latent/vae_loss-v1", x=(1, 0, 1), x_hat=(0.8, 0.3, 0.6), mu=(0.5, -1.0),
                           log_var=(0.0, LN_HALF))
    assert ans["kl"] == pytest.approx(0.721574, abs=5e-7)
    assert ans["recon"] == pytest.approx(1.090644, abs=5e-7)
    assert ans["loss"] == pytest.approx(1.812218, abs=5e-7)
    # σ = exp(log_var) gives σ² = 0.25 on the second dimension: the KL of C5, 0.943147
    assert mistake_named(pt, inst, "kl", 0.943147) == "sigma_as_exp_log_var"


def test_vae_loss_gaussian_decoder_e5_e6_beta() -> None:
    pt, inst, ans = solved("latent/vae_loss-v1", x=(1, -0.5), x_hat=(0.8, -0.2), decoder="gaussian",
                           mu=(0.5, -1.0), log_var=(0.0, LN_QUARTER), beta=0.5)
    assert ans["recon"] == pytest.approx(1.902877, abs=5e-7)  # −ln p(x|z) of E5 and seed_004 E6
    assert ans["elbo"] == pytest.approx(-2.846024, abs=5e-7)
    assert ans["loss"] == pytest.approx(2.374451, abs=5e-7)
    assert mistake_named(pt, inst, "recon", 0.065) == "constant_dropped"
    assert mistake_named(pt, inst, "loss", 0.5 * 1.902877 + 0.943147) == "beta_on_recon"
    from scipy.stats import norm

    assert ans["recon"] == pytest.approx(-float(norm.logpdf([1, -0.5], [0.8, -0.2], 1).sum()))


def test_vae_loss_refuses_bad_bernoulli_inputs() -> None:
    pt = make("latent/vae_loss")
    with pytest.raises(ParamError, match="strictly between"):
        pt.from_params(dict(x=(1, 0), x_hat=(1.0, 0.2), mu=(0.1,), log_var=(0.0,)))
    with pytest.raises(ParamError, match="x_hat has"):
        pt.from_params(dict(x=(1, 0), x_hat=(0.5,), mu=(0.1,), log_var=(0.0,)))


def test_vae_loss_draws_both_decoders() -> None:
    pt = make("latent/vae_loss")
    seen = {pt.generate(s, d).params.decoder for s in range(20) for d in ("medium", "hard")}
    assert seen == {"bernoulli", "gaussian"}


# ---- vq_vae: seed_000_001 E7, seed_002 J4 ----------------------------------------------------------------------

J4 = dict(codebook=((0, 0), (1, 1), (2, 0), (0, 2)), z_e=((0.9, 0.8), (1.6, 0.3)))


def test_vq_vae_catalog_example() -> None:
    pt, inst, ans = solved("latent/vq_vae-v1", **J4)
    assert np.allclose(ans["sq_dists"], [[1.45, 0.05, 1.85, 2.25], [2.65, 0.85, 0.25, 5.45]])
    assert ans["codes"] == [1, 2]
    assert np.allclose(ans["z_q"], [[1, 1], [2, 0]])
    assert ans["codebook_loss"] == pytest.approx(0.30)
    assert ans["commitment_loss"] == pytest.approx(0.075)
    assert ans["vq_loss"] == pytest.approx(0.375)
    assert ans["bits"] == 2
    assert right(pt, inst, codes="[1, 2]", codebook_loss="0.3", commitment_loss="0.075", bits="2")
    from scipy.cluster.vq import vq

    codes, dist = vq(np.asarray(J4["z_e"], float), np.asarray(J4["codebook"], float))
    assert codes.tolist() == ans["codes"]
    full = np.sqrt(np.asarray(ans["sq_dists"]))
    assert np.allclose(full.min(1), dist)
    assert mistake_named(pt, inst, "sq_dists", full.tolist()) == "euclidean_distances"
    assert mistake_named(pt, inst, "commitment_loss", 0.30) == "beta_on_codebook"
    _, _, mean = solved("latent/vq_vae-v1", reduction="mean", **J4)
    assert mean["codebook_loss"] == pytest.approx(0.075)  # the element mean of E7/J4


def test_vq_vae_refuses_ties_and_agrees_with_scipy() -> None:
    from scipy.cluster.vq import vq

    pt = make("latent/vq_vae")
    with pytest.raises(ParamError, match="tie"):
        pt.from_params(dict(codebook=((0, 0), (2, 0)), z_e=((1, 0.5),)))
    for s in range(30):
        p = pt.generate(s, "hard").params
        codes, _ = vq(np.asarray(p.z_e, float), np.asarray(p.codebook, float))
        assert pt.solve(p)["codes"] == codes.tolist()


# ---- pca: seed_002 J1 ------------------------------------------------------------------------------------------

def test_pca_catalog_example() -> None:
    pt, inst, ans = solved("latent/pca-v1", X=((2, 1), (-2, -1), (1, 1), (-1, -1)))
    assert np.allclose(ans["cov"], [[2.5, 1.5], [1.5, 1.0]])
    assert np.allclose(ans["eigenvalues"], [3.427051, 0.072949], atol=5e-7)
    assert ans["recon_error"] == pytest.approx(0.072949, abs=5e-7)
    assert right(pt, inst, cov="[[2.5, 1.5], [1.5, 1]]", eigenvalues="[3.4271, 0.0729]", recon_error="0.0729")
    assert mistake_named(pt, inst, "cov", "[[3.3333, 2], [2, 1.3333]]") == "divisor_n_minus_1"
    assert mistake_named(pt, inst, "recon_error", 3.4271) == "largest_eigenvalue"


def test_pca_against_scipy_and_the_projection() -> None:
    from scipy.linalg import eigh

    pt = make("latent/pca")
    for s in range(30):
        p = pt.generate(s, "hard").params
        ans = pt.solve(p)
        x = np.asarray(p.X, float)
        xc = x - x.mean(0)
        w, v = eigh(np.cov(x.T, bias=True))
        assert np.allclose(ans["eigenvalues"], w[::-1])
        top = v[:, -1:]
        assert ans["recon_error"] == pytest.approx(float(((xc - xc @ top @ top.T) ** 2).sum(1).mean()))


# ---- linear_ae: seed_000_001 E6, seed_002 J1 -------------------------------------------------------------------

def test_linear_ae_catalog_examples() -> None:
    pt, inst, ans = solved("latent/linear_ae-v1", W_e=((0.6, 0.8),), x=(3, 1))
    assert np.allclose(ans["z"], [2.6]) and np.allclose(ans["x_hat"], [1.56, 2.08])
    assert (ans["sse"], ans["mse"]) == (pytest.approx(3.24), pytest.approx(1.62))
    assert right(pt, inst, z="[2.6]", x_hat="[1.56, 2.08]", sse="3.24", mse="1.62")
    assert mistake_named(pt, inst, "sse", 1.62) == "sum_mean_confused"
    assert mistake_named(pt, inst, "mse", 3.24) == "sum_mean_confused"
    _, _, j1 = solved("latent/linear_ae-v1", W_e=((0.6, 0.8),), x=(1, 2))
    assert np.allclose(j1["z"], [2.2]) and np.allclose(j1["x_hat"], [1.32, 1.76])
    assert (j1["sse"], j1["mse"]) == (pytest.approx(0.16), pytest.approx(0.08))


def test_linear_ae_two_dimensional_code_and_refusals() -> None:
    _, _, ans = solved("latent/linear_ae-v1", W_e=((0.6, 0, 0.8), (0, 1, 0)), x=(1, 2, -1))
    w = np.array([[0.6, 0, 0.8], [0, 1, 0]])
    assert np.allclose(ans["x_hat"], w.T @ w @ [1, 2, -1])
    pt = make("latent/linear_ae")
    with pytest.raises(ParamError, match="columns"):
        pt.from_params(dict(W_e=((0.6, 0.8),), x=(1, 2, 3)))
    with pytest.raises(ParamError, match="smaller"):
        pt.from_params(dict(W_e=((1, 0), (0, 1), (1, 1)), x=(1, 2)))


# ---- ppca: seed_000_001 E6 -------------------------------------------------------------------------------------

def test_ppca_catalog_example() -> None:
    pt, inst, ans = solved("latent/ppca-v1", W=((2,), (1,)), sigma2=0.5, x=(2, 1))
    assert np.allclose(ans["C"], [[4.5, 2], [2, 1.5]])
    assert ans["M"] == pytest.approx(5.5)
    assert ans["post_mean"] == pytest.approx(0.909091, abs=5e-7)
    assert ans["post_var"] == pytest.approx(0.090909, abs=5e-7)
    assert ans["log_px"] == pytest.approx(-2.798223, abs=5e-7)
    assert right(pt, inst, C="[[4.5, 2], [2, 1.5]]", post_mean="0.9091", post_var="0.09091", log_px="-2.7982")
    assert mistake_named(pt, inst, "C", "[[4, 2], [2, 1]]") == "sigma2_left_out"
    assert mistake_named(pt, inst, "post_mean", 1.0) == "sigma2_left_out"  # 5/5 without σ²
    w = np.array([2.0, 1.0])
    assert mistake_named(pt, inst, "post_var", 0.5 * w @ np.linalg.solve([[4.5, 2], [2, 1.5]], w)) == "c_inv_for_m_inv"


def test_ppca_against_scipy() -> None:
    from scipy.stats import multivariate_normal

    pt = make("latent/ppca")
    for s in range(30):
        p = pt.generate(s, "hard").params
        ans = pt.solve(p)
        mu = np.zeros(len(p.x)) if p.mu is None else np.asarray(p.mu, float)
        assert ans["log_px"] == pytest.approx(float(multivariate_normal(mu, np.asarray(ans["C"])).logpdf(p.x)))
        # the posterior mean through C⁻¹: M⁻¹Wᵀ = WᵀC⁻¹
        w = np.asarray(p.W, float)[:, 0]
        assert ans["post_mean"] == pytest.approx(float(w @ np.linalg.solve(ans["C"], np.asarray(p.x) - mu)))
    with pytest.raises(ParamError, match="d × 1"):
        pt.from_params(dict(W=((1, 2), (3, 4)), sigma2=0.5, x=(1, 2)))


# ---- hierarchical_vae: seed_004 E7 -----------------------------------------------------------------------------

HV = dict(x=-0.1, z=(1.1, -0.9), p_w=(-1.0, 0.5), p_s=(2.0, 1.0), q_w=(1.0, -1.0), q_s=(0.5, 0.5))


def test_hierarchical_vae_against_scipy_and_named_mistakes() -> None:
    from scipy.stats import norm

    pt, inst, ans = solved("latent/hierarchical_vae-v1", **HV)
    log_p = norm.logpdf(-0.1, -1.0 * 1.1, 2.0) + norm.logpdf(1.1, 0.5 * -0.9, 1.0) + norm.logpdf(-0.9, 0, 1)
    log_q = norm.logpdf(1.1, -0.1, 0.5) + norm.logpdf(-0.9, -1.0 * 1.1, 0.5)
    assert ans["log_p"] == pytest.approx(log_p) and ans["log_q"] == pytest.approx(log_q)
    assert ans["elbo"] == pytest.approx(log_p - log_q)
    assert right(pt, inst, log_p=f"{log_p:.4f}", log_q=f"{log_q:.4f}", elbo=f"{log_p - log_q:.4f}")
    no_prior = log_p - norm.logpdf(-0.9, 0, 1)
    assert mistake_named(pt, inst, "log_p", no_prior) == "prior_dropped"
    as_var = norm.logpdf(1.1, -0.1, np.sqrt(0.5)) + norm.logpdf(-0.9, -1.1, np.sqrt(0.5))
    assert mistake_named(pt, inst, "log_q", as_var) == "s_as_variance"


def test_hierarchical_vae_three_layers_and_refusals() -> None:
    from scipy.stats import norm

    _, _, ans = solved("latent/hierarchical_vae-v1", x=1.0, z=(0.5, -0.2, 0.3), p_w=(2, 1, -1), p_s=(1, 0.5, 2),
                       q_w=(0.5, 1, 1.5), q_s=(1, 1, 0.5))
    log_p = (norm.logpdf(1.0, 2 * 0.5, 1) + norm.logpdf(0.5, 1 * -0.2, 0.5) + norm.logpdf(-0.2, -1 * 0.3, 2)
             + norm.logpdf(0.3, 0, 1))
    log_q = norm.logpdf(0.5, 0.5 * 1.0, 1) + norm.logpdf(-0.2, 1 * 0.5, 1) + norm.logpdf(0.3, 1.5 * -0.2, 0.5)
    assert (ans["log_p"], ans["log_q"]) == (pytest.approx(log_p), pytest.approx(log_q))
    pt = make("latent/hierarchical_vae")
    with pytest.raises(ParamError, match="q_s has"):
        pt.from_params({**HV, "q_s": (0.5,)})
    with pytest.raises(ParamError, match="positive"):
        pt.from_params({**HV, "p_s": (0.0, 1.0)})
