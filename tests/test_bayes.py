"""Bayes family: catalog worked examples with the catalog's corrected values, the notes' wrong values marked
wrong, validation errors, non-degenerate sampling, self-test, and the torch references on thousands of instances."""

from __future__ import annotations

import math

import numpy as np
import pytest

from examprep.errors import ParamError
from examprep.grader.score import grade_answers, grade_part
from examprep.registry import make
from examprep.seeding import DIFFICULTIES

IDS = ["bayes/discrete_posterior-v1", "bayes/gaussian_1d-v1", "bayes/gaussian_1d_threshold-v1",
       "bayes/gaussian_2d-v1", "bayes/naive_bayes-v1", "bayes/min_risk-v1", "bayes/optimal_denoiser-v1"]


def inst(pid: str, **values):
    pt = make(pid)
    return pt, pt.from_params(values)


@pytest.mark.parametrize("pid", IDS)
def test_reference_agrees_on_thousands(pid: str) -> None:
    import torch

    from examprep.verify import verify_type

    r = verify_type(make(pid), 2000, torch.device("cpu"), batch=1000, self_test=False)
    assert r.disagreements == 0, r.examples
    assert r.max_error < 1e-9


# ---- seed_003 1.1 / C1: the fruit exam question ---------------------------------------------------------------
FRUIT = dict(classes=["Apple", "Orange", "Banana"], priors=[0.3, 0.4, 0.2], likelihoods=[0.24, 0.15, 0.38])


def test_fruit_question_catalog_values() -> None:
    pt = make("bayes/discrete_posterior-v1")
    with pytest.warns(UserWarning, match="sum to 0.9"):
        i = pt.from_params(FRUIT)
    assert any("0.9" in w for w in i.warnings)
    a = pt.solve(i.params)
    assert np.allclose(a["joint"], [0.072, 0.060, 0.076])
    assert a["evidence"] == pytest.approx(0.208)
    assert np.allclose(a["posterior"], [0.346154, 0.288462, 0.365385], atol=5e-7)
    assert a["map_class"] == "Banana" and a["ml_class"] == "Banana"
    # the catalog's answer, typed by a student, scores full marks
    typed = {"joint": "[0.072, 0.06, 0.076]", "evidence": "0.208", "posterior": "[0.346, 0.288, 0.365]",
             "map_class": "banana"}
    assert grade_answers(pt, a, typed, pt.mistakes(i.params)).score == 1
    # rescaling the priors to sum to 1 gives the same posteriors (the catalog's remark)
    scaled = pt.from_params({**FRUIT, "priors": [1 / 3, 4 / 9, 2 / 9]})
    assert np.allclose(pt.solve(scaled.params)["posterior"], a["posterior"])
    # the statement tells the student how the flawed priors are handled
    assert "sum to 0.9" in " ".join(s for s in pt.statement(i.params) if isinstance(s, str))


def test_fruit_question_notes_values_are_wrong() -> None:
    pt = make("bayes/discrete_posterior-v1")
    with pytest.warns(UserWarning):
        i = pt.from_params(FRUIT)
    a = pt.solve(i.params)
    m = pt.mistakes(i.params)
    # the notes' products 0.72, 0.75, 0.76 (all off by 10, and 0.15·0.4 is not 0.075 either)
    r = grade_part(pt.part("joint"), a["joint"], "[0.72, 0.75, 0.76]", m)
    assert r.score == 0 and r.verdict == "wrong"
    # the notes' implied posteriors (0.72, 0.75, 0.76)/p(x): the ranking B > O > A is wrong
    notes_post = (np.array([0.72, 0.75, 0.76]) / 2.23).tolist()
    assert grade_part(pt.part("posterior"), a["posterior"], notes_post, m).score == 0
    # a pure decimal slip is recognised as such
    r = grade_part(pt.part("joint"), a["joint"], "[0.72, 0.6, 0.76]", m)
    assert r.mistake == "decimal_slip"
    # not normalising is recognised
    r = grade_part(pt.part("posterior"), a["posterior"], "[0.072, 0.06, 0.076]", m)
    assert r.mistake == "not_normalised"
    # MAP = ML here, so the ML mistake does not apply to this instance (it cannot be told apart)
    assert "ml_decision" not in m


def test_seed_004_e2_latent_posterior() -> None:
    pt, i = inst("bayes/discrete_posterior-v1", classes=["z1", "z2"], priors=[0.6, 0.4], likelihoods=[0.2, 0.7])
    a = pt.solve(i.params)
    assert a["evidence"] == pytest.approx(0.40)
    assert np.allclose(a["posterior"], [0.3, 0.7])
    assert a["map_class"] == "z2"
    assert not i.warnings


def test_discrete_validation() -> None:
    pt = make("bayes/discrete_posterior-v1")
    with pytest.raises(ParamError, match="likelihoods"):
        pt.from_params({"priors": [0.5, 0.5], "likelihoods": [0.1, 0.2, 0.3]})
    with pytest.raises(ParamError, match="distinct"):
        pt.from_params({"classes": ["a", "A"], "priors": [0.5, 0.5], "likelihoods": [0.1, 0.2]})
    with pytest.raises(ParamError, match="p\\(x\\) = 0"):
        pt.from_params({"priors": [0.5, 0.5], "likelihoods": [0.0, 0.0]})
    with pytest.raises(ParamError, match="priors"):
        pt.from_params({"priors": [1.5, 0.5], "likelihoods": [0.1, 0.2]})


@pytest.mark.parametrize("pid", ["bayes/discrete_posterior-v1", "bayes/gaussian_1d-v1",
                                 "bayes/gaussian_1d_threshold-v1", "bayes/gaussian_2d-v1"])
def test_sampled_instances_need_the_priors(pid: str) -> None:
    """MAP differs from ML on every sampled instance, no posterior rounds to 0, the decision is clear."""
    pt = make(pid)
    for s in range(40):
        for d in DIFFICULTIES:
            p = pt.generate(s, d).params
            a = pt.solve(p)
            post = np.sort(a["posterior"])
            assert post[0] >= 0.01 and post[-1] - post[-2] > 0.02 * post[-1]
            m = pt.mistakes(p)
            wrong_class = [mm.answers.get("map_class", mm.answers.get("class")) for k, mm in m.items()
                           if k in ("ml_decision", "priors_ignored")]
            assert wrong_class and all(c is not None for c in wrong_class), (p, m.keys())


def test_discrete_posterior_medium_map_is_not_largest_prior() -> None:
    pt = make("bayes/discrete_posterior-v1")
    for s in range(30):
        p = pt.generate(s, "hard").params
        a = pt.solve(p)
        assert p.classes[int(np.argmax(p.priors))] != a["map_class"]


# ---- 1-D Gaussians --------------------------------------------------------------------------------------------
def test_gaussian_1d_hand_values() -> None:
    pt, i = inst("bayes/gaussian_1d-v1", means=[0, 2], stds=[1, 1], priors=[0.5, 0.5], x=1.5)
    a = pt.solve(i.params)
    phi = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    assert np.allclose(a["likelihood"], [phi(1.5), phi(0.5)])
    assert np.allclose(a["posterior"], [1 / (1 + math.exp(1)), 1 / (1 + math.exp(-1))])
    assert a["class"] == "w2"


def test_gaussian_1d_threshold_values_and_mistakes() -> None:
    pt, i = inst("bayes/gaussian_1d_threshold-v1", classes=["A", "B"], means=[0, 2], stds=[1.5, 1.5],
                 priors=[0.8, 0.2], x=1.5)
    a = pt.solve(i.params)
    t = 1 + 2.25 * math.log(0.25) / -2
    assert a["threshold"] == pytest.approx(t)
    # at the threshold the posteriors are equal: an exact tie, refused (one rule for every decision)
    with pytest.raises(ParamError, match="tie exactly for the MAP class"):
        pt.from_params({**i.params.to_json(), "x": t})
    m = pt.mistakes(i.params)
    assert grade_part(pt.part("threshold"), a["threshold"], 1.0, m).mistake == "threshold_midpoint"
    assert grade_part(pt.part("threshold"), a["threshold"], 1 - 2.25 * math.log(0.25) / -2, m).mistake == \
        "threshold_sign"
    assert grade_part(pt.part("threshold"), a["threshold"], 1 + 1.5 * math.log(0.25) / -2, m).mistake == \
        "threshold_std"


def test_gaussian_1d_threshold_only_for_equal_stds() -> None:
    pt = make("bayes/gaussian_1d_threshold-v1")
    with pytest.raises(ParamError, match="stds must be equal"):
        pt.from_params({"means": [0, 2], "stds": [1, 2], "priors": [0.5, 0.5], "x": 1})
    with pytest.raises(ParamError, match="exactly two"):
        pt.from_params({"means": [0, 2, 4], "stds": [1, 1, 1], "priors": [0.3, 0.3, 0.4], "x": 1.2})
    # the general type accepts both
    make("bayes/gaussian_1d-v1").from_params({"means": [0, 2, 4], "stds": [1, 2, 1], "priors": [0.3, 0.3, 0.4],
                                              "x": 1})
    with pytest.raises(ParamError, match="positive"):
        make("bayes/gaussian_1d-v1").from_params({"means": [0, 2], "stds": [0, 1], "priors": [0.5, 0.5], "x": 1})


# ---- 2-D Gaussians --------------------------------------------------------------------------------------------
def test_gaussian_2d_linear_hand_values() -> None:
    pt, i = inst("bayes/gaussian_2d-v1", means=[[0, 0], [2, 0]], covariances=[[1, 0], [0, 1]],
                 priors=[0.5, 0.5], x=[1.5, 0])
    a = pt.solve(i.params)
    assert np.allclose(a["discriminant"], [math.log(0.5), 1 + math.log(0.5)])
    assert np.allclose(a["posterior"], [1 / (1 + math.e), 1 / (1 + 1 / math.e)])


def test_gaussian_2d_linear_and_quadratic_agree_on_posteriors() -> None:
    """With one covariance repeated per class, the quadratic discriminants differ from the linear ones by a
    class-independent constant, so the posteriors are the same."""
    s = [[2, 0.5], [0.5, 1]]
    base = dict(means=[[0, 1], [2, -1], [1, 2]], priors=[0.2, 0.5, 0.3], x=[1, 0.5])
    pt = make("bayes/gaussian_2d-v1")
    lin = pt.solve(pt.from_params({**base, "covariances": s}).params)
    quad = pt.solve(pt.from_params({**base, "covariances": [s, s, s]}).params)
    assert np.allclose(lin["posterior"], quad["posterior"])
    diff = np.array(lin["discriminant"]) - np.array(quad["discriminant"])
    assert np.allclose(diff, diff[0])


def test_gaussian_2d_validation() -> None:
    pt = make("bayes/gaussian_2d-v1")
    base = dict(means=[[0, 0], [2, 0]], priors=[0.5, 0.5], x=[1, 0])
    with pytest.raises(ParamError, match="positive definite"):
        pt.from_params({**base, "covariances": [[1, 2], [2, 1]]})
    with pytest.raises(ParamError, match="2 classes"):
        pt.from_params({**base, "covariances": [[[1, 0], [0, 1]]] * 3})


# ---- naive Bayes ----------------------------------------------------------------------------------------------
def test_naive_bayes_hand_values() -> None:
    rows = [["weak", "yes"], ["strong", "no"], ["weak", "yes"], ["weak", "no"]]
    pt, i = inst("bayes/naive_bayes-v1", features=["Wind"], examples=rows, alpha=1, query=["weak"])
    a = pt.solve(i.params)
    assert np.allclose(a["priors"], [0.5, 0.5])
    assert np.allclose(a["conditionals"], [[0.75], [0.5]])
    assert np.allclose(a["posterior"], [0.6, 0.4]) and a["class"] == "yes"
    m = pt.mistakes(i.params)
    assert grade_part(pt.part("conditionals"), a["conditionals"], "[[1], [0.5]]", m).mistake == "no_smoothing"
    assert grade_part(pt.part("conditionals"), a["conditionals"], "[[1], [2/3]]", m).mistake == \
        "no_v_in_denominator"
    with pytest.raises(ParamError, match="does not occur"):
        pt.from_params({"features": ["Wind"], "examples": rows, "alpha": 1, "query": ["calm"]})
    with pytest.raises(ParamError, match="alpha > 0"):
        pt.from_params({"features": ["F", "G"], "examples": [["a", "x", "yes"], ["b", "y", "no"]], "alpha": 0,
                        "query": ["a", "y"]})


# ---- minimum risk ---------------------------------------------------------------------------------------------
def test_min_risk_hand_values() -> None:
    pt, i = inst("bayes/min_risk-v1", classes=["healthy", "sick"], posteriors=[0.7, 0.3], loss=[[0, 10], [1, 0]])
    a = pt.solve(i.params)
    assert np.allclose(a["risk"], [3.0, 0.7]) and a["action"] == "sick"
    m = pt.mistakes(i.params)
    assert m["map_decision"].answers == {"action": "healthy"}
    assert grade_part(pt.part("action"), a["action"], "healthy", m).mistake in ("map_decision", "loss_transposed")
    assert grade_part(pt.part("risk"), a["risk"], "[0.3, 7]", m).mistake == "loss_transposed"
    pt2, j = inst("bayes/min_risk-v1", posteriors=[0.5, 0.5], loss=[[0, 4], [4, 0], [1, 1]])
    b = pt2.solve(j.params)
    assert np.allclose(b["risk"], [2, 2, 1]) and b["action"] == "reject"
    with pytest.warns(UserWarning, match="posteriors sum to 0.9, not 1: normalised"):  # warn and normalise
        odd = pt.from_params({"posteriors": [0.5, 0.4], "loss": [[0, 1], [1, 0]]})
    assert np.allclose(pt.solve(odd.params)["risk"], [4 / 9, 5 / 9])
    with pytest.raises(ParamError, match="actions"):
        pt.from_params({"posteriors": [0.5, 0.5], "loss": [[0, 1], [1, 0], [1, 1], [2, 2]]})


# ---- the ideal denoiser (seed_000_001 I3) ----------------------------------------------------------------------
def test_denoiser_catalog_example() -> None:
    pt, i = inst("bayes/optimal_denoiser-v1", x0=[[0, 0], [2, 0], [0, 2]], x_sigma=[1, 0.5], sigma=1)
    a = pt.solve(i.params)
    assert np.allclose(a["sq_dists"], [1.25, 1.25, 3.25])
    assert np.allclose(a["weights"], [0.422319, 0.422319, 0.155362], atol=5e-7)
    assert np.allclose(a["denoised"], [0.844638, 0.310725], atol=5e-7)
    assert np.allclose(a["eps_star"], [0.155362, 0.189275], atol=5e-7)
    m = pt.mistakes(i.params)
    assert np.allclose(m["sigma_sq_not_2"].answers["eps_star"], [0.063379, 0.373242], atol=5e-7)
    assert np.allclose(m["not_normalised"].answers["denoised"], [1.070523, 0.393823], atol=5e-7)
    assert grade_part(pt.part("eps_star"), a["eps_star"], "[0.0634, 0.373]", m).mistake == "sigma_sq_not_2"
    assert grade_part(pt.part("eps_star"), a["eps_star"], "[-0.155, -0.189]", m).mistake == "eps_sign"


@pytest.mark.parametrize(("x", "sigma"), [(0.5, 1.0), (0.5, 0.5), (-1.5, 2.0)])
def test_denoiser_two_points_is_tanh(x: float, sigma: float) -> None:
    pt, i = inst("bayes/optimal_denoiser-v1", x0=[[-1], [1]], x_sigma=[x], sigma=sigma)
    a = pt.solve(i.params)
    e = math.tanh(x / sigma**2)
    assert a["denoised"][0] == pytest.approx(e)
    assert a["eps_star"][0] == pytest.approx((x - e) / sigma)


def test_denoiser_catalog_1d_numbers() -> None:
    pt = make("bayes/optimal_denoiser-v1")
    a = pt.solve(pt.from_params({"x0": [[-1], [1]], "x_sigma": [0.5], "sigma": 1}).params)
    assert a["denoised"][0] == pytest.approx(0.462117, abs=5e-7) and a["eps_star"][0] == pytest.approx(0.037883,
                                                                                                       abs=5e-7)
    b = pt.solve(pt.from_params({"x0": [[-1], [1]], "x_sigma": [0.5], "sigma": 0.5}).params)
    assert b["denoised"][0] == pytest.approx(0.964028, abs=5e-7) and b["eps_star"][0] == pytest.approx(-0.928055,
                                                                                                        abs=5e-7)


def test_denoiser_limits() -> None:
    """σ → 0 memorises the nearest point; σ → ∞ gives the data mean (catalog I3 insight questions)."""
    pt = make("bayes/optimal_denoiser-v1")
    pts = [[0, 0], [2, 0], [0, 2]]
    small = pt.solve(pt.from_params({"x0": pts, "x_sigma": [1.6, 0.2], "sigma": 0.1}).params)
    assert np.allclose(small["denoised"], [2, 0])
    big = pt.solve(pt.from_params({"x0": pts, "x_sigma": [1, 0.5], "sigma": 100}).params)
    assert np.allclose(big["denoised"], [2 / 3, 2 / 3], atol=1e-3)
    with pytest.raises(ParamError, match="sigma"):
        pt.from_params({"x0": pts, "x_sigma": [1, 0.5], "sigma": 0})
    with pytest.raises(ParamError, match="distinct"):
        pt.from_params({"x0": [[0, 0], [0, 0]], "x_sigma": [1, 0.5], "sigma": 1})


def test_exact_tie_is_refused() -> None:
    """Equal discriminants (computed with different rounding) are an exact tie: refused, as in every type."""
    with pytest.raises(ParamError, match="rain and sun tie exactly for the MAP class"):
        inst("bayes/gaussian_2d-v1", classes=["rain", "sun"], means=[[1, 2], [3, 0]],
             covariances=[[0.5, 0.0], [0.0, 1.0]], priors=[0.5, 0.5], x=[1.5, 0.0])


# ---- the batched reference: one group for a batch of mixed shapes, padding changes no answer ---------------------
MIXED: dict[str, list[dict]] = {
    "bayes/discrete_posterior-v1": [
        dict(priors=[0.5, 0.5], likelihoods=[0.2, 0.6]),
        dict(classes=["a", "b", "c", "d", "e"], priors=[0.1, 0.2, 0.3, 0.2, 0.2],
             likelihoods=[0.9, 0.1, 0.05, 0.3, 0.0]),
        dict(classes=["x", "y", "z"], priors=[0.0, 0.5, 0.5], likelihoods=[0.9, 0.3, 0.4]),
        FRUIT,
    ],
    "bayes/gaussian_1d-v1": [
        dict(means=[0, 2], stds=[1, 1], priors=[0.3, 0.7], x=1.2),
        dict(classes=["a", "b", "c", "d"], means=[-1, 0, 3, 5], stds=[0.5, 2, 1, 1.5],
             priors=[0.1, 0.2, 0.3, 0.4], x=2.5),
        dict(means=[1, 4, 6], stds=[1, 1, 3], priors=[0.0, 0.5, 0.5], x=0.5),
    ],
    "bayes/gaussian_2d-v1": [
        dict(means=[[0, 0], [2, 1]], covariances=[[1, 0.5], [0.5, 2]], priors=[0.4, 0.6], x=[1, 0]),
        dict(classes=["a", "b", "c"], means=[[0, 0], [2, 1], [-1, 3]],
             covariances=[[[1, 0], [0, 1]], [[2, -0.5], [-0.5, 1]], [[3, 1], [1, 2]]], priors=[0.2, 0.3, 0.5],
             x=[0.5, 1.5]),
        dict(means=[[1, 1], [-2, 0], [0, -3]], covariances=[[2, 0], [0, 3]], priors=[0.5, 0.25, 0.25], x=[0, 0]),
        dict(means=[[0, 1], [1, 0]], covariances=[[[1, 0], [0, 2]], [[2, 1], [1, 2]]], priors=[0.5, 0.5],
             x=[2, 2]),
    ],
    "bayes/min_risk-v1": [  # negative losses: a padded action at risk 0 would win if it were not masked
        dict(posteriors=[0.3, 0.7], loss=[[-5, -1], [-2, -3]]),
        dict(classes=["a", "b", "c"], posteriors=[0.2, 0.3, 0.5], loss=[[0, 2, 4], [3, 0, 1], [5, 2, 0], [1, 1, 1]]),
        dict(actions=["go", "stay", "wait"], posteriors=[0.6, 0.4], loss=[[0, 3], [2, 0], [1, 1]]),
        dict(posteriors=[0.1, 0.1, 0.8], loss=[[0, 1, 1], [1, 0, 1], [1, 1, 0]]),
    ],
    "bayes/optimal_denoiser-v1": [
        dict(x0=[[-1], [1]], x_sigma=[0.5], sigma=1.0),
        dict(x0=[[0, 0], [1, 2], [-1, 1], [2, -1]], x_sigma=[0.5, 0.5], sigma=0.5),
        dict(x0=[[0, 0, 1], [1, 0, 0], [0, 1, 0]], x_sigma=[0.2, 0.4, 0.1], sigma=2.0),
    ],
    "bayes/naive_bayes-v1": [
        dict(features=["Outlook", "Wind"], alpha=1.0, query=["rain", "weak"],
             examples=[["sunny", "weak", "no"], ["rain", "strong", "yes"], ["rain", "weak", "yes"],
                       ["overcast", "weak", "no"]]),
        dict(features=["A", "B", "C"], alpha=0.5, query=["high", "low", "high"],  # one text in two features
             examples=[["high", "low", "low", "bus"], ["low", "low", "high", "walk"], ["high", "high", "high", "bike"],
                       ["low", "high", "low", "walk"], ["high", "low", "high", "bus"], ["low", "low", "low", "bike"]]),
        dict(features=["Humidity"], alpha=0.0, query=["normal"],
             examples=[["normal", "no"], ["high", "yes"], ["normal", "yes"], ["normal", "no"], ["high", "no"]]),
    ],
}


@pytest.mark.parametrize("pid", sorted(MIXED))
def test_reference_mixed_batch(pid: str) -> None:
    """Instances of different sizes in one call form one group, and every answer equals solve's."""
    import warnings

    import torch

    from examprep.verify import load_reference, reference_disagreements

    pt = make(pid)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        params = [pt.from_params(v).params for v in MIXED[pid]]
    assert len(load_reference(pt)(params * 3, torch.device("cpu")).blocks) == 1
    assert reference_disagreements(pt, params * 3) == []
