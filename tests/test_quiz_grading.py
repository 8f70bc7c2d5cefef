"""The quiz under the grading policy: an imprecise answer is asked again once, without revealing the answer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from examprep.grader.compare import round_sig
from examprep.registry import make

ROOT = Path(__file__).resolve().parent.parent


def quiz(tmp: Path, answers: list[str], *extra: str, type_id: str = "divergence/kl_gaussian"
         ) -> subprocess.CompletedProcess[str]:
    f = tmp / "answers.txt"
    f.write_text("\n".join(answers) + "\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200", "EXAMPREP_HOME": str(tmp)}
    return subprocess.run([sys.executable, "-m", "examprep.cli", "quiz", "--db", str(tmp / "h.db"), "--type",
                           type_id, "--difficulty", "medium", "--seed", "4", "--count", "1",
                           "--answers", str(f), *extra], capture_output=True, text=True, env=env, timeout=120)


def _kl() -> float:
    pt = make("divergence/kl_gaussian-v1")
    return float(pt.solve(pt.generate(4, "medium").params)["kl"])


def test_imprecise_answer_is_asked_again_once_without_the_answer(tmp_path: Path) -> None:
    kl = _kl()
    coarse = round_sig(kl, 1)
    assert abs(coarse - kl) > 2e-3 * abs(kl)  # outside the tolerance: a 1-significant-figure answer
    out = quiz(tmp_path, [repr(coarse), f"{kl:.6g}"])
    assert out.returncode == 0, out.stderr
    assert "right, but rounded to 1 significant figures; give 3 significant figures; answer again." in out.stdout
    assert "Score: 100%" in out.stdout
    assert "the answer is" not in out.stdout  # the retry does not reveal it
    # asked again only once: the second coarse answer stands, at the imprecise credit
    out = quiz(tmp_path, [repr(coarse), repr(coarse)])
    assert out.stdout.count("answer again.") == 1 and "Score: 50%" in out.stdout
    assert "the answer is" not in out.stdout  # an imprecise answer is right: never revealed


def test_quiz_states_the_tolerance_and_strict_applies(tmp_path: Path) -> None:
    out = quiz(tmp_path, [f"{_kl():.6g}"], "--tolerance", "strict")
    assert out.returncode == 0, out.stderr
    assert "(right within half a unit of the last digit)" in out.stdout


def test_a_part_computed_from_a_later_part_is_marked_again_once_all_are_answered(tmp_path: Path) -> None:
    """The receptive field is asked before the jumps it is computed from: with jumps [2, 3, 5, 5] (each one too
    large; the right ones are [1, 2, 4, 4] for seed 4, medium) rf_l = rf_{l−1} + (K_l − 1)·j_{l−1} gives
    5, 5 + 2·2 = 9, 9 + 2·3 = 15, 15 + 4·5 = 35, which follows from the student's jumps: carried, not wrong."""
    pt = make("cnn/receptive_field-v1")
    inst = pt.generate(4, "medium")
    assert pt.solve(inst.params) == {"rf": [5, 7, 11, 27], "jump": [1, 2, 4, 4]}
    out = quiz(tmp_path, ["[5, 9, 15, 35]", "[2, 3, 5, 5]"], type_id="cnn/receptive_field")
    assert out.returncode == 0, out.stderr
    assert "rf marked again with your later answers:" in out.stdout
    assert "follows from your jump = [2, 3, 5, 5] (jump not right: error carried forward)" in out.stdout
    # without the jumps' answer nothing follows: rf keeps only its one right entry
    (tmp_path / "b").mkdir()
    alone = quiz(tmp_path / "b", ["[5, 9, 15, 35]", "[1, 2, 4, 4]"], type_id="cnn/receptive_field")
    assert alone.returncode == 0, alone.stderr
    assert "marked again" not in alone.stdout and "Score: 62%" in alone.stdout
