"""Answers as people write them: percentages, infinity and decimal commas (a spreadsheet from Excel included)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from examprep.grader.parse import ParseError, decimal_commas, parse_answer
from examprep.grader.score import grade_part
from examprep.params import Param, parse_value
from examprep.parts import Part
from examprep.registry import make

PROB = Part("p", "p", "vector", mode="decdig", digits=3, share=True)
REAL = Part("x", "x", "real")


def test_percentages_read_as_shares_only_where_the_part_is_a_probability() -> None:
    assert parse_answer("86.5%", "real", percent=True) == pytest.approx(0.865)
    r = grade_part(PROB, [0.865, 0.135], "[86.5%, 13.5%]")
    assert r.verdict == "right"
    r = grade_part(REAL, 0.865, "86.5%")
    assert r.verdict == "invalid" and "probability or a share" in r.feedback
    assert "86.5%" in PROB.form()


def test_probability_parts_are_declared_as_shares() -> None:
    for pid, part in (("attention/softmax_temperature-v1", "probs"), ("attention/softmax_temperature-v1", "topk"),
                      ("attention/bahdanau-v1", "weights"), ("attention/luong-v1", "weights"),
                      ("attention/scaled_dot_product-v1", "weights"), ("bayes/discrete_posterior-v1", "posterior"),
                      ("bayes/gaussian_1d-v1", "posterior"), ("bayes/gaussian_2d-v1", "posterior"),
                      ("bayes/naive_bayes-v1", "posterior"), ("gan/optimal_discriminator-v1", "d_star"),
                      ("bayes/optimal_denoiser-v1", "weights")):
        assert make(pid).part(part).share, (pid, part)
    assert not make("divergence/kl_gaussian-v1").part("kl").share


def test_softmax_probabilities_as_percentages_end_to_end() -> None:
    pt = make("attention/softmax_temperature-v1")
    inst = pt.from_params(pt.parse_sets(["z=[2,1,0,-1]", "temperature=0.5", "k=2"]))
    truth = pt.solve(inst.params)
    text = "[" + ", ".join(f"{100 * x:.2f}%" for x in truth["probs"]) + "]"
    assert grade_part(pt.part("probs"), truth["probs"], text).verdict == "right"


@pytest.mark.parametrize("text", ["inf", "∞", "infinity", "Infinity", "+inf"])
def test_infinity_is_an_answer(text: str) -> None:
    assert parse_answer(text, "real", infinite=True) == math.inf
    assert grade_part(REAL, math.inf, text).verdict == "right"
    assert grade_part(REAL, 2.5, text).verdict == "wrong"


def test_infinity_is_never_a_parameter_nor_arithmetic() -> None:
    with pytest.raises(Exception, match="infinity is not allowed here"):
        parse_value(Param("x", "real", "x"), "inf")
    with pytest.raises(ParseError):
        parse_answer("inf + 1", "real", infinite=True)
    assert grade_part(REAL, math.inf, "1e999999").verdict == "invalid"  # an overflow is not an answer
    assert parse_answer("-∞", "real", infinite=True) == -math.inf


def test_kl_discrete_v2_poses_infinite_kl_and_v1_refuses_it() -> None:
    v2 = make("divergence/kl_discrete-v2")
    infinite = [s for s in range(40) if v2.solve(v2.generate(s).params)["kl"] == math.inf]
    assert infinite, "v2 poses the infinite case"
    inst = v2.generate(infinite[0])
    p = inst.params
    i = next(j for j, (a, b) in enumerate(zip(p.P, p.Q, strict=True)) if b == 0 < a)
    truth = v2.solve(p)
    assert truth["terms"][i] == math.inf
    assert grade_part(v2.part("kl"), truth["kl"], "∞").verdict == "right"
    dropped = v2.mistakes(p)["infinite_term_dropped"].answers["kl"]
    r = grade_part(v2.part("kl"), truth["kl"], repr(dropped), v2.mistakes(p))
    assert r.mistake == "infinite_term_dropped"
    assert "infinite" in " ".join(s for s in v2.statement(p) if isinstance(s, str))
    v1 = make("divergence/kl_discrete-v1")
    with pytest.raises(Exception, match="infinite"):
        v1.from_params({"P": (0.5, 0.5), "Q": (1.0, 0.0)})


def test_decimal_commas() -> None:
    assert decimal_commas("0,694", "real") == ("0.694", True)
    assert decimal_commas("[0,694]", "vector") == ("[0,694]", False)  # a comma in a vector separates entries
    assert decimal_commas("[0,865; 0,135]", "vector") == ("[0.865, 0.135]", True)
    assert decimal_commas("1,000", "integer") == ("1000", True)
    r = grade_part(REAL, 0.694, "0,694")
    assert (r.verdict, r.read_as) == ("right", "0.694")
    r = grade_part(REAL, 0.694, "0,7")
    assert r.read_as == "0.7" and r.verdict == "imprecise"  # 0.694 to 1 significant figure
    r = grade_part(Part("v", "v", "vector"), [0.694], "[0,694]")
    assert r.verdict == "wrong" and "comma separates entries" in r.feedback
    assert grade_part(PROB, [0.865, 0.135], "[0,865; 0,135]").verdict == "right"


def test_excel_semicolon_csv_with_decimal_commas_grades_end_to_end(tmp_path: Path) -> None:
    """A sheet saved by Excel in a European locale: semicolons between fields, decimal commas, a BOM, CRLF."""
    from examprep.grader.batch import grade_file

    pt = make("divergence/kl_gaussian-v1")
    inst = pt.generate(4)
    kl = pt.solve(inst.params)["kl"]
    sm = make("attention/softmax_temperature-v1")
    si = sm.generate(2)
    probs = sm.solve(si.params)["probs"]
    probs_text = "[" + "; ".join(f"{x:.4f}".replace(".", ",") for x in probs) + "]"
    rows = ["student;code;part;answer", f"ann;{inst.code};kl;{kl:.5g}".replace(".", ","),
            f"bob;{inst.code};kl;{kl * 1.5:.5g}".replace(".", ","),
            f'ann;{si.code};probs;"{probs_text}"']  # Excel quotes a cell holding semicolons
    path = tmp_path / "answers.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(rows).encode() + b"\r\n")
    rep = grade_file(path).report()
    assert rep["reported"] == []
    by = {(s["student"], q["code"]): q for s in rep["students"] for q in s["questions"]}
    ann = by[("ann", inst.code)]["parts"][0]
    assert ann["verdict"] == "right"
    assert by[("bob", inst.code)]["parts"][0]["verdict"] == "wrong"
    assert by[("ann", si.code)]["parts"][0]["verdict"] == "right"


def test_check_command_says_read_as_and_applies_the_tolerance_option() -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent), "COLUMNS": "200"}
    base = [sys.executable, "-m", "examprep.cli", "check", "divergence/kl_gaussian", "--set", "mu1=0", "--set",
            "sigma1=1", "--set", "mu2=0.4", "--set", "sigma2=1"]  # KL = 0.08 exactly
    r = subprocess.run([*base, "--answer", "kl=0,0801"], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0 and "kl = 0,0801 (read as 0.0801): right" in r.stdout
    r = subprocess.run([*base, "--answer", "kl=0.0801", "--tolerance", "strict"], capture_output=True, text=True,
                       env=env, timeout=120)
    assert r.returncode == 1 and "wrong — close — check your rounding" in r.stdout
    r = subprocess.run([*base, "--answer", "kl=0.08", "--tolerance", "loose"], capture_output=True, text=True,
                       env=env, timeout=120)
    assert r.returncode == 2 and r.stderr == "error: --tolerance 'loose': use one of fair, strict\n"
