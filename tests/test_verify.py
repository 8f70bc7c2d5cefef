"""The verify harness itself: batched comparison equals the one-by-one rule, and a wrong answer is caught."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from examprep.registry import make
from examprep.verify import compare, compare_many, draws, instances, verify_type

torch = pytest.importorskip("torch")


def _cases() -> list[tuple[Any, Any]]:
    rng = np.random.default_rng(3)
    out: list[tuple[Any, Any]] = []
    for _ in range(200):
        x = rng.normal(size=(2, 3))
        kind = rng.integers(6)
        if kind == 0:
            y = x.copy()
        elif kind == 1:
            y = x + rng.choice([1e-12, 1e-7, 1e-3])  # inside, then outside the tolerance
        elif kind == 2:
            y = x.copy()
            y[1, 2] = math.nan
        elif kind == 3:
            y = x.copy()
            y[0, 0] = math.inf
        elif kind == 4:
            y = x * (1 + 5e-9)
        else:
            y = -x
        out.append((x, y))
    return out


@pytest.mark.parametrize("convert", [lambda v: v, lambda v: v.tolist(), lambda v: float(v[0, 0])])
def test_compare_many_equals_compare(convert: Any) -> None:
    cases = [(convert(a), convert(b)) for a, b in _cases()]
    ok, err = compare_many([a for a, _ in cases], [b for _, b in cases])
    for i, (a, b) in enumerate(cases):
        one_ok, one_err = compare(a, b)
        assert ok[i] == one_ok, (a, b)
        if one_ok:
            assert err[i] == pytest.approx(one_err, abs=0)
    assert 0 < ok.sum() < len(cases)  # the cases hold both kinds


def test_compare_many_ragged_labels_and_shapes() -> None:
    truths = [[1.0, 2.0], [1.0, 2.0, 3.0], "edge", [[1, 2]], 7]
    refs = [[1.0, 2.0], [1.0, 2.0, 3.5], "corner", [1, 2], 7]
    ok, _ = compare_many(truths, refs)
    assert ok.tolist() == [True, False, False, False, True]
    assert compare_many([[1.0], [2.0]], [np.array([1.0]), torch.tensor([2.0 + 1e-3])])[0].tolist() == [True, False]


def _nudge(v: Any) -> Any:
    if isinstance(v, str):
        return v + "?"
    if isinstance(v, (int, float)):
        return v + 1e-6 * max(1.0, abs(v))
    a = np.array(v, dtype=float)
    a.flat[-1] += 1e-6 * max(1.0, abs(a.flat[-1]))
    return a


@pytest.mark.parametrize(("pid", "part"), [
    ("attention/softmax_temperature", "probs"), ("diffusion/noise_schedule", "alpha_bar_table"),
    ("diffusion/forward_step", "x_t"), ("diffusion/forward_step", "var"), ("bayes/gaussian_1d", "class"),
    ("vision/harris_map", "corners"), ("cnn/receptive_field", "rf"), ("positional/sinusoidal", "pe")])
def test_verify_catches_a_wrong_solve(monkeypatch: pytest.MonkeyPatch, pid: str, part: str) -> None:
    """About a third of the instances get one part nudged just above the tolerance (a label changed, a corner list
    grown): verify counts exactly those, whatever form the reference answers in."""
    pt = make(pid)
    solve = pt.solve

    def spoiled(p: Any) -> bool:
        return hash(p) % 3 == 0

    def wrong(p: Any) -> dict[str, Any]:
        ans = dict(solve(p))
        if spoiled(p):
            ans[part] = [*ans[part], [0, 0]] if part == "corners" else _nudge(ans[part])
        return ans

    monkeypatch.setattr(pt, "solve", wrong)  # generate() uses solve too, so the instances are listed after this
    checked = [i.params for i in instances(pt, 30)] + draws(pt, 30, stream=10**9 + 30)  # what verify_type uses
    res = verify_type(pt, 60, torch.device("cpu"), batch=30, self_test=False, exact=30)
    assert res.disagreements == sum(map(spoiled, checked)) > 5
    assert res.examples and f"part {part}" in res.examples[0]


def test_answers_by_column_rows_and_comparison() -> None:
    """A reference's Answers: rows rebuilt on access; columns (plain, ragged, labels) compared like compare()."""
    from examprep.reference.batching import Answers, ragged
    from examprep.verify import compare_column

    ans = Answers(4)
    ans.add([3, 0], {"v": torch.tensor([[1.0, 2.0], [3.0, 4.0]]), "s": np.array([5.0, 6.0]), "lab": ["a", "b"]})
    ans.add([1, 2], {"v": ragged(np.array([[1.0, 9.0, 9.0], [1.0, 2.0, 3.0]]), [1, 3]), "s": [7.0, 8.0],
                     "lab": ["c", "d"]})
    assert ans[0]["v"].tolist() == [3.0, 4.0] and ans[0]["s"] == 6.0 and ans[0]["lab"] == "b"
    assert ans[1]["v"].tolist() == [1.0] and ans[3]["lab"] == "a" and len(ans) == 4 and len(list(ans)) == 4
    col = ans.blocks[1][1]["v"]
    ok, _ = compare_column([[1.0], [1.0, 2.0, 3.0]], col)
    assert ok.tolist() == [True, True]
    ok, _ = compare_column([[1.0, 9.0], [1.0, 2.0, 3.0 + 1e-6]], col)  # wrong length; wrong value
    assert ok.tolist() == [False, False]
    ok, _ = compare_column([[1.0, 2.0], [3.0, 4.5]], ans.blocks[0][1]["v"])  # block order: instances 3, 0
    assert ok.tolist() == [True, False]
    ok, _ = compare_column(["a", "x"], ans.blocks[0][1]["lab"])
    assert ok.tolist() == [True, False]
    ok, _ = compare_column([5.0, [6.0]], ans.blocks[0][1]["s"])  # a scalar answer given as a list disagrees
    assert ok.tolist() == [True, False]


def test_padding_helpers() -> None:
    from examprep.reference.batching import pad_matrices, pad_rows

    arr, n = pad_rows([(1.0, 2.0), (3.0,), (4, 5, 6)], fill=-1.0)
    assert arr.tolist() == [[1, 2, -1], [3, -1, -1], [4, 5, 6]] and n.tolist() == [2, 1, 3]
    assert pad_rows([(1, 2), (3, 4)])[0].tolist() == [[1, 2], [3, 4]]
    arr, r, c = pad_matrices([((1, 2), (3, 4)), ((5,),), ((6, 7, 8),)])
    assert arr.tolist() == [[[1, 2, 0], [3, 4, 0]], [[5, 0, 0], [0, 0, 0]], [[6, 7, 8], [0, 0, 0]]]
    assert (r.tolist(), c.tolist()) == ([2, 1, 1], [2, 1, 3])


def test_plan_and_parallel_split() -> None:
    """The plan covers 0..N−1 once, generated instances first; parallel workers check the same N instances."""
    from examprep.verify import plan, verify_many

    p = plan(10_000, batch=4096)
    assert p[0] == (0, 1000) and sum(k for _, k in p) == 10_000
    assert all(s + k == s2 for (s, k), (s2, _) in zip(p, p[1:], strict=False))
    pt = make("divergence/kl_gaussian")
    serial = verify_type(pt, 2600, torch.device("cpu"), batch=400)
    (par,) = verify_many([pt], 2600, torch.device("cpu"), batch=400, jobs=2)
    assert (par.n, par.disagreements, par.self_test_failures) == (2600, 0, []) == (serial.n, serial.disagreements,
                                                                                    serial.self_test_failures)
    assert par.max_error == serial.max_error


def test_verify_reports_a_solve_that_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    """A valid parameter set solve cannot answer is counted and quoted, not a crash of the run."""
    pt = make("divergence/kl_gaussian")
    solve = pt.solve

    def fragile(p: Any) -> dict[str, Any]:
        if p.mu1 > 0:
            raise ZeroDivisionError("planted")
        return solve(p)

    checked = draws(pt, 50, stream=10**9)
    monkeypatch.setattr(pt, "solve", fragile)
    res = verify_type(pt, 50, torch.device("cpu"), batch=50, self_test=False, exact=0)
    assert res.disagreements == sum(p.mu1 > 0 for p in checked) > 0
    assert "solve raised ZeroDivisionError: planted" in res.examples[0]


def test_reference_disagreements_names_each_wrong_part(monkeypatch: pytest.MonkeyPatch) -> None:
    from examprep.verify import reference_disagreements

    pt = make("divergence/jsd")
    params = draws(pt, 6, stream=3)
    assert reference_disagreements(pt, params) == []
    solve = pt.solve
    monkeypatch.setattr(pt, "solve", lambda p: {**solve(p), "jsd": solve(p)["jsd"] + 1e-6})
    found = reference_disagreements(pt, params)
    assert len(found) == 6 and all("part jsd" in f for f in found)


def test_float32_disagreements_are_rechecked_in_float64(monkeypatch: pytest.MonkeyPatch) -> None:
    """An exact tie (0.2·0.92 = 0.8·0.23) that float32 breaks the other way is resolved by float64 and counted as
    rechecked; a real error (1e-3, above float32's tolerance) still counts as a disagreement."""
    from examprep.verify import VerifyResult, _check_batch, load_reference

    pt = make("bayes/discrete_posterior")
    # built without validation: the tie is refused by check(), but verify must still resolve one if solve meets it
    tie = pt._complete(dict(classes=["spam", "ham"], priors=[0.2, 0.8], likelihoods=[0.92, 0.23]))
    res = VerifyResult(pt.id, 1)
    _check_batch(pt, load_reference(pt), [tie], str, torch.device("cpu"), res, "float32")
    assert (res.disagreements, res.rechecked) == (0, 1)
    solve = pt.solve
    monkeypatch.setattr(pt, "solve", lambda p: {**solve(p), "evidence": solve(p)["evidence"] * (1 + 1e-3)})
    res = VerifyResult(pt.id, 1)
    _check_batch(pt, load_reference(pt), [tie], str, torch.device("cpu"), res, "float32")
    assert (res.disagreements, res.rechecked) == (1, 0) and "part evidence" in res.examples[0]
