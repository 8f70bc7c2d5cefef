"""One rule for exact ties (refused), one for sums other than 1 (warn and normalise), warnings, null and ordinals."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from examprep.errors import ParamError
from examprep.params import ordinal
from examprep.registry import make

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "examprep.cli", *args], capture_output=True, text=True, env=ENV,
                          timeout=120)


@pytest.mark.parametrize(("pid", "sets", "tied"), [
    ("bayes/discrete_posterior-v1", dict(priors=(0.4, 0.6), likelihoods=(0.3, 0.2)), "MAP class"),
    ("bayes/discrete_posterior-v1", dict(priors=(0.5, 0.5), likelihoods=(0.3, 0.3)), "MAP class"),
    ("bayes/min_risk-v1", dict(posteriors=(0.5, 0.5), loss=((0, 1), (1, 0))), "minimum-risk action"),
    ("bayes/gaussian_1d-v1", dict(means=(0.0, 2.0), stds=(1.0, 1.0), priors=(0.5, 0.5), x=1.0), "MAP class"),
    ("bayes/gaussian_2d-v1", dict(means=((0, 0), (2, 0)), covariances=((1, 0), (0, 1)), priors=(0.5, 0.5),
                                  x=(1.0, 3.0)), "MAP class"),
])
def test_exact_ties_are_refused_with_one_line(pid: str, sets: dict, tied: str) -> None:
    with pytest.raises(ParamError, match=f"tie exactly for the {tied}"):
        make(pid).from_params(sets)


def test_tie_from_the_issue_is_a_one_line_error_on_the_command_line() -> None:
    r = cli("check", "bayes/discrete_posterior", "--set", "priors=[0.4,0.6]", "--set", "likelihoods=[0.3,0.2]",
            "--answer", "map_class=b")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "tie exactly for the MAP class" in r.stderr


def test_sums_other_than_1_warn_and_normalise_in_every_bayes_type() -> None:
    mr = make("bayes/min_risk-v1")
    with pytest.warns(UserWarning, match="posteriors sum to 0.9, not 1: normalised"):
        inst = mr.from_params(dict(posteriors=(0.3, 0.6), loss=((0, 2), (1, 0))))
    assert np.allclose(mr.solve(inst.params)["risk"], [2 * 2 / 3, 1 / 3])
    g2 = make("bayes/gaussian_2d-v1")
    base = dict(means=((0, 0), (2, 0)), covariances=((1, 0), (0, 1)), x=(0.5, 0.0))
    with pytest.warns(UserWarning, match="priors sum to 0.6"):
        odd = g2.solve(g2.from_params({**base, "priors": (0.2, 0.4)}).params)
    fine = g2.solve(g2.from_params({**base, "priors": (1 / 3, 2 / 3)}).params)
    assert np.allclose(odd["posterior"], fine["posterior"]) and odd["class"] == fine["class"]
    dp = make("bayes/discrete_posterior-v1")
    with pytest.warns(UserWarning, match="priors sum to 0.9, not 1: normalised"):
        dp.from_params(dict(priors=(0.4, 0.5), likelihoods=(0.3, 0.2)))


def test_warnings_print_once_as_one_line_and_json_carries_them() -> None:
    args = ("--set", "priors=[0.4,0.5]", "--set", "likelihoods=[0.3,0.2]")
    r = cli("solve", "bayes/discrete_posterior", *args)
    assert r.returncode == 0
    assert r.stderr == "warning: priors sum to 0.9, not 1: normalised to [0.4444, 0.5556]\n"
    r = cli("check", "bayes/discrete_posterior", *args, "--answer", "map_class=w1", "--json")
    assert json.loads(r.stdout)["warnings"] == ["priors sum to 0.9, not 1: normalised to [0.4444, 0.5556]"]
    assert ".py" not in r.stderr and r.stderr.count("\n") == 1
    r = cli("show", "bayes/discrete_posterior", *args, "--json")
    assert json.loads(r.stdout)["warnings"][0].startswith("priors sum to 0.9")


def test_set_null_means_the_default() -> None:
    pt = make("vision/harris_patch-v1")
    assert pt.parse_sets(["sigma=null", "k=none"]) == {"sigma": None, "k": 0.04}
    with pytest.raises(ParamError, match="has no default"):
        pt.parse_sets(["I=null"])


def test_ordinals() -> None:
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 111)] == \
        ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "111th"]
    r = cli("check", "attention/softmax_temperature", "--set", "z=[3,1,1,0]", "--set", "k=2", "-a", "argmax=1")
    assert r.returncode == 2 and "the 2nd and 3rd largest logits" in r.stderr
