"""The real command line, run as a subprocess the way a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
CONV = ["--set", "H=5", "--set", "W=5", "--set", "K=3", "--set", "S=1", "--set", "P=0", "--set", "C_in=1",
        "--set", "C_out=1"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "examprep.cli", *args], capture_output=True, text=True, env=ENV,
                          timeout=300)


def test_list_json() -> None:
    r = run("list", "--json")
    assert r.returncode == 0
    rows = json.loads(r.stdout)
    conv = next(x for x in rows if x["id"] == "cnn/conv_output_size-v1")
    assert conv["topic"] == "cnn" and conv["parts"] == ["h_out", "w_out", "c_out"]


def test_solve_own_numbers_shows_steps() -> None:
    r = run("solve", "cnn/conv_output_size", *CONV)
    assert r.returncode == 0, r.stderr
    assert "⌊(5 + 2·0 − 1·(3 − 1) − 1)/1⌋ + 1" in r.stdout
    assert "Answer: 1 × 3 × 3" in r.stdout


def test_solve_json_has_params_answers_steps() -> None:
    r = run("solve", "cnn/conv_output_size", "--seed", "7", "--format", "json")
    out = json.loads(r.stdout)
    assert set(out) >= {"code", "id", "seed", "params", "answers", "steps"}
    p = out["params"]
    h = (p["H"] + 2 * p["P"] - p["D"] * (p["K"] - 1) - 1) // p["S"] + 1
    assert out["answers"]["h_out"] == h and out["answers"]["c_out"] == p["C_out"]
    assert out["steps"][0]["part"] == "h_out"


def test_code_regenerates_the_same_problem() -> None:
    a = json.loads(run("show", "cnn/conv_output_size", "--seed", "11", "--difficulty", "hard", "--json").stdout)
    b = json.loads(run("show", a["code"], "--json").stdout)
    assert a == b and "answers" not in a
    assert {p["name"] for p in a["parts"]} == {"h_out", "w_out", "c_out"}


def test_check_exit_codes_and_notes_mistake() -> None:
    r = run("check", "cnn/conv_output_size", *CONV, "--answer", "h_out=3", "--answer", "w_out=3", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["score"] == 1
    r = run("check", "cnn/conv_output_size", *CONV, "--answer", "h_out=4", "--json")
    assert r.returncode == 1
    part = json.loads(r.stdout)["parts"][0]
    assert part["verdict"] == "wrong" and part["mistake"] == "padding_subtracted"
    assert "padding" in part["feedback"]


def test_check_hostile_answers_are_invalid_not_tracebacks(tmp_path: Path) -> None:
    big = "9" * 10_000_001
    for text in ("__import__('os').system('touch pwned')", "1e999999", "nan", "[[1,2],[3]]"):
        r = subprocess.run([sys.executable, "-m", "examprep.cli", "check", "cnn/conv_output_size", "--seed", "1",
                            "--answer", f"h_out={text}", "--json"], capture_output=True, text=True, env=ENV,
                           cwd=tmp_path)
        assert r.returncode == 1 and "Traceback" not in r.stderr
        part = json.loads(r.stdout)["parts"][0]
        assert part["verdict"] == "invalid" and part["feedback"]
    assert not (tmp_path / "pwned").exists()
    from examprep.grader.score import grade_part
    from examprep.parts import Part

    r = grade_part(Part("h_out", "h", "integer"), 3, big)
    assert r.verdict == "invalid" and "too long" in r.feedback


def test_usage_errors_exit_2_with_one_line() -> None:
    for args, msg in ((["solve", "cnn/conv_outputsize"], "Did you mean cnn/conv_output_size"),
                      (["solve", "cnn/conv_output_size", "--set", "K=0", "--seed", "1"], "K=0 is not allowed"),
                      (["solve", "cnn/conv_output_size", "--set", "H=2", "--set", "K=7", "--set", "P=0", "--set", "D=1",
                        "--seed", "1"],
                       "larger than the padded input"),
                      (["check", "cnn/conv_output_size", "--answer", "nope=3"], "no part 'nope'"),
                      (["show", "ZZZZ-ZZZZ"], "checksum"),
                      (["solve", "cnn/conv_output_size", "--set", "Q=1"], "no parameter 'Q'")):
        r = run(*args)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert msg in r.stderr and "Traceback" not in r.stderr, (args, r.stderr)


def test_gen_json_lines() -> None:
    r = run("gen", "cnn/conv_output_size", "--count", "5", "--seed", "3")
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["seed"] for x in lines] == [3, 4, 5, 6, 7]
    assert all(set(x) >= {"code", "id", "seed", "params", "answers"} for x in lines)


def test_verify_json_and_cuda_without_gpu() -> None:
    r = run("verify", "cnn/conv_output_size", "--n", "50", "--device", "cpu", "--json")
    out = json.loads(r.stdout)
    assert r.returncode == 0 and out["results"][0]["disagreements"] == 0 and out["results"][0]["n"] == 50
    import torch

    if not torch.cuda.is_available():
        r = run("verify", "cnn/conv_output_size", "--n", "5", "--device", "cuda")
        assert r.returncode == 2 and "no CUDA GPU" in r.stderr


def test_help_has_examples() -> None:
    for cmd in ("list", "show", "solve", "check", "gen", "verify"):
        r = run(cmd, "--help")
        assert r.returncode == 0 and "Example: examprep" in r.stdout, cmd
