"""Regularisation types: catalog worked examples, the named wrong values, sklearn/scipy cross-checks, references."""

from __future__ import annotations

from typing import Any

import pytest
from family_helpers import mistake_named, solved, thorough_checks

from examprep.checker import self_test
from examprep.errors import ParamError
from examprep.grader.score import grade_answers
from examprep.registry import make

IDS = ["regularization/penalty-v1", "regularization/dropout-v1", "regularization/early_stopping-v1",
       "regularization/ensemble-v1"]


def right(pt: Any, inst: Any, **answers: object) -> bool:
    truth = pt.solve(inst.params)
    return grade_answers(pt, truth, answers).score == 1


test_reference_agrees_on_thousands, test_self_test_30_seeds_each_difficulty = thorough_checks(IDS)


# ---- penalty (seed_002 D1) --------------------------------------------------------------------------------------

D1 = dict(w=(0.5, -1.5, 2.0), lam=0.1, data_loss=1.2, grad=(0.2, -0.1, 0.3), lr=0.1, w_star=(2, 0.05, -0.3),
          H=(1, 1, 2))


def test_penalty_l2_catalog_example() -> None:
    pt, inst, ans = solved("regularization/penalty-v1", norm="l2", **D1)
    assert ans["omega"] == pytest.approx(3.25) and ans["penalized"] == pytest.approx(1.525)
    assert ans["step"] == pytest.approx([0.475, -1.475, 1.95])
    assert ans["optimum"] == pytest.approx([1.818182, 0.045455, -0.285714], abs=5e-7)
    assert right(pt, inst, omega="3.25", penalized="1.525", step="[0.475, -1.475, 1.95]")
    assert mistake_named(pt, inst, "omega", 6.5) == "half_dropped"
    assert mistake_named(pt, inst, "step", [0.47, -1.46, 1.93]) == "half_dropped"  # 2λw in the gradient
    assert mistake_named(pt, inst, "optimum", [1.9, 0, -0.25]) == "exact_zeros_from_l2"
    assert self_test(pt, [inst]) == []


def test_penalty_l1_catalog_example() -> None:
    pt, inst, ans = solved("regularization/penalty-v1", norm="l1", **D1)
    assert ans["omega"] == pytest.approx(4.0) and ans["penalized"] == pytest.approx(1.6)
    assert ans["step"] == pytest.approx([0.47, -1.48, 1.96])
    assert ans["optimum"] == pytest.approx([1.9, 0, -0.25])
    assert mistake_named(pt, inst, "omega", 6.5) == "l1_squared"
    assert self_test(pt, [inst]) == []


def test_penalty_optima_match_sklearn() -> None:
    # the diagonal quadratic ½Σ H_i (w_i − w*_i)² is least squares with X = diag(√H), y = √H·w*
    import numpy as np
    from sklearn.linear_model import Lasso, Ridge

    H, ws, lam = np.array([1.0, 1.0, 2.0]), np.array([2.0, 0.05, -0.3]), 0.1
    X, y = np.diag(np.sqrt(H)), np.sqrt(H) * ws
    _, _, l2 = solved("regularization/penalty-v1", norm="l2", **D1)
    assert l2["optimum"] == pytest.approx(Ridge(alpha=lam, fit_intercept=False).fit(X, y).coef_)
    _, _, l1 = solved("regularization/penalty-v1", norm="l1", **D1)
    lasso = Lasso(alpha=lam / 3, fit_intercept=False, tol=1e-12, max_iter=100000).fit(X, y)  # ½‖·‖²/n: α = λ/n
    assert l1["optimum"] == pytest.approx(lasso.coef_, abs=1e-8)


def test_penalty_validation() -> None:
    pt = make("regularization/penalty-v1")
    with pytest.raises(ParamError, match="together"):
        pt.instance(sets=["w=[1,2]", "lam=0.1", "data_loss=1", "grad=[0,0]", "w_star=[1,1]"])
    with pytest.raises(ParamError, match="grad has 1 entries"):
        pt.instance(sets=["w=[1,2]", "lam=0.1", "data_loss=1", "grad=[0]"])


# ---- dropout (seed_002 D2, seed_004 C19) ------------------------------------------------------------------------

def test_dropout_catalog_example() -> None:
    pt, inst, ans = solved("regularization/dropout-v1", h=(2, -1, 0.5, 3), p=0.5, mask=(1, 0, 1, 1))
    assert ans["train_output"] == [4, 0, 1, 6]
    assert ans["test_output"] == [2, -1, 0.5, 3] and ans["expected_kept"] == 2
    assert right(pt, inst, train_output="[4, 0, 1, 6]", test_output="[2, -1, 0.5, 3]", expected_kept="2")
    assert mistake_named(pt, inst, "train_output", [2, 0, 0.5, 3]) == "rescale_forgotten"
    assert mistake_named(pt, inst, "test_output", [4, 0, 1, 6]) == "dropout_at_test"
    assert "p_as_keep" not in pt.mistakes(inst.params)  # p = 1 − p = 0.5: it cannot show
    assert self_test(pt, [inst]) == []


def test_dropout_p_as_keep_and_classic() -> None:
    pt, inst, ans = solved("regularization/dropout-v1", h=(2, -1, 0.5, 3), p=0.25, mask=(1, 0, 1, 1))
    assert ans["train_output"] == pytest.approx([8 / 3, 0, 2 / 3, 4])  # survivors × 1.333333
    assert mistake_named(pt, inst, "train_output", [8, 0, 2, 12]) == "p_as_keep"  # ÷ 0.25
    assert mistake_named(pt, inst, "expected_kept", 1) == "p_as_keep"
    pt, inst, ans = solved("regularization/dropout-v1", h=(2, -1, 0.5, 3), p=0.5, mask=(1, 0, 1, 1),
                           scheme="classic")
    assert ans["train_output"] == [2, 0, 0.5, 3] and ans["test_output"] == [1, -0.5, 0.25, 1.5]
    assert mistake_named(pt, inst, "test_output", [2, -1, 0.5, 3]) == "classic_scale_forgotten"
    assert self_test(pt, [inst]) == []


def test_dropout_validation() -> None:
    with pytest.raises(ParamError, match="mask has 3 entries"):
        make("regularization/dropout-v1").instance(sets=["h=[1,2]", "p=0.5", "mask=[1,0,1]"])
    with pytest.raises(ParamError, match="mask="):
        make("regularization/dropout-v1").instance(sets=["h=[1,2]", "p=0.5", "mask=[1,2]"])


# ---- early_stopping (seed_002 D3) -------------------------------------------------------------------------------

D3 = (0.90, 0.75, 0.70, 0.72, 0.69, 0.71, 0.73, 0.74, 0.68)


def test_early_stopping_catalog_example() -> None:
    pt, inst, ans = solved("regularization/early_stopping-v1", val_losses=D3, patience=3)
    assert (ans["stop_epoch"], ans["best_epoch"], ans["best_loss"]) == (8, 5, 0.69)  # 0.68 at 9 is never seen
    assert right(pt, inst, stop_epoch="8", best_epoch="5", best_loss="0.69")
    assert mistake_named(pt, inst, "best_epoch", 8) == "last_epoch_restored"
    assert mistake_named(pt, inst, "stop_epoch", 9) == "patience_off_by_one"
    assert mistake_named(pt, inst, "stop_epoch", 7) == "patience_includes_best"
    assert self_test(pt, [inst]) == []


def test_early_stopping_loss_of_a_wrong_best_epoch_earns_the_ecf_credit() -> None:
    pt, inst, truth = solved("regularization/early_stopping-v1", val_losses=D3, patience=3)
    # best epoch 3 is wrong (5); its validation loss, read off the table, is 0.70
    given = {"stop_epoch": "8", "best_epoch": "3", "best_loss": "0.70"}
    r = {p.name: p for p in grade_answers(pt, truth, given, params=inst.params).parts}
    assert (r["stop_epoch"].verdict, r["best_epoch"].verdict) == ("right", "wrong")
    assert (r["best_loss"].verdict, r["best_loss"].score) == ("carried", 0.5)
    assert r["best_loss"].feedback.startswith("follows from your best_epoch = 3")
    # a loss that is not epoch 3's (epoch 1's), or an epoch the table does not have, earns nothing
    for best_epoch, best_loss in (("3", "0.90"), ("12", "0.90")):
        r2 = grade_answers(pt, truth, {**given, "best_epoch": best_epoch, "best_loss": best_loss},
                           params=inst.params)
        bl = {p.name: p for p in r2.parts}["best_loss"]
        assert (bl.verdict, bl.score) == ("wrong", 0), (best_epoch, best_loss)


def test_early_stopping_ties_and_min_delta() -> None:
    losses = (1.0, 0.8, 0.8, 0.9, 0.85, 0.7)
    pt, inst, ans = solved("regularization/early_stopping-v1", val_losses=losses, patience=2)
    assert (ans["stop_epoch"], ans["best_epoch"]) == (4, 2)
    assert mistake_named(pt, inst, "best_epoch", 3) == "ties_as_improvement"  # 0.8 = 0.8 taken as better
    # min_delta 0.25: 0.8 is not below 1.0 − 0.25, so epochs 2 and 3 wait and training stops after epoch 3
    _, _, ans = solved("regularization/early_stopping-v1", val_losses=losses, patience=2, min_delta=0.25)
    assert (ans["stop_epoch"], ans["best_epoch"], ans["best_loss"]) == (3, 1, 1.0)


# ---- ensemble (seed_002 D5) -------------------------------------------------------------------------------------

def test_ensemble_catalog_example() -> None:
    pt, inst, ans = solved("regularization/ensemble-v1", k=5, v=1, c=0.2, N=10, p=0.7)
    assert ans["ensemble_mse"] == pytest.approx(0.36)
    assert ans["p_missed"] == pytest.approx(0.348678, abs=5e-7)
    assert ans["majority"] == pytest.approx(0.83692, abs=5e-7)
    assert right(pt, inst, ensemble_mse="0.36", p_missed="0.348678", majority="0.83692")
    assert mistake_named(pt, inst, "ensemble_mse", 0.2) == "correlation_ignored"
    assert mistake_named(pt, inst, "p_missed", 0.367879) == "limit_for_finite_n"
    assert self_test(pt, [inst]) == []


def test_ensemble_majority_matches_scipy_and_ties() -> None:
    from scipy.stats import binom

    for k, p in ((3, 0.7), (5, 0.7), (4, 0.6), (10, 0.65)):
        _, _, ans = solved("regularization/ensemble-v1", k=k, v=1, c=0.2, N=10, p=p)
        assert ans["majority"] == pytest.approx(binom.sf(k // 2, k, p))
    _, _, ans = solved("regularization/ensemble-v1", k=3, v=1, c=0.2, N=10, p=0.7)
    assert ans["majority"] == pytest.approx(0.784)
    pt, inst, _ = solved("regularization/ensemble-v1", k=4, v=1, c=0.2, N=10, p=0.6)
    # a 2–2 tie counted as won: P(X ≥ 2) = 1 − 0.4⁴ − 4·0.6·0.4³ = 0.8208 instead of P(X ≥ 3) = 0.4752
    assert mistake_named(pt, inst, "majority", 0.8208) == "ties_won"


def test_ensemble_validation() -> None:
    with pytest.raises(ParamError, match="exceeds v"):
        make("regularization/ensemble-v1").instance(sets=["k=3", "v=1", "c=2", "N=10", "p=0.7"])
