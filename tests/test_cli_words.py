"""What the command line says: help examples that work, honest defaults, suggestions and refusals, plurals, one
minus sign, and solve/show fitted to the terminal width."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from examprep import seeding

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = ["list", "show", "solve", "check", "gen", "key", "quiz", "stats", "verify", "grade", "sheet",
            "export moodle"]
BLOCK = re.compile(r"[⎡⎢⎣]")


def cli(*args: str, columns: int = 300, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS=str(columns), NO_COLOR="1", TERM="dumb")
    return subprocess.run([sys.executable, "-m", "examprep.cli", *args], input=stdin, capture_output=True,
                          text=True, env=env, timeout=120)


@pytest.fixture(scope="module")
def helps() -> dict[str, str]:
    return {c: cli(*c.split(), "--help").stdout for c in COMMANDS}


def test_help_examples_use_codes_that_decode_and_key_example_runs(helps: dict[str, str]) -> None:
    examples = [line.strip(" │") for text in helps.values() for line in text.splitlines() if "Example:" in line]
    assert len(examples) >= len(COMMANDS) - 1
    codes = [c for ex in examples for c in re.findall(r"\b[0-9A-Z]{4}-[0-9A-Z]{3,}\b", ex)]
    assert codes, examples
    for c in codes:
        seeding.decode(c)  # raises on a bad checksum
    key_example = next(ex for ex in examples if "examprep key" in ex)
    out = cli(*key_example.split("Example: examprep ", 1)[1].split())
    assert out.returncode == 0, out.stderr
    assert "h_out = " in out.stdout


def test_help_shows_each_default_once_and_never_none(helps: dict[str, str]) -> None:
    for cmd, text in helps.items():
        assert "[default: None]" not in text, cmd
        for line in text.splitlines():
            assert not ("(default" in line and "[default" in line), (cmd, line)


def test_a_bare_type_name_suggests_its_id() -> None:
    out = cli("solve", "conv_output_size")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "did you mean cnn/conv_output_size?" in out.stderr


@pytest.mark.parametrize("extra", [["--seed", "3"], ["--difficulty", "hard"]])
def test_a_code_with_seed_or_difficulty_is_refused(extra: list[str]) -> None:
    code = seeding.encode("cnn/conv_output_size-v1", 7, "medium")
    out = cli("solve", code, *extra)
    assert out.returncode == 2 and extra[0] in out.stderr and "fixes its seed" in out.stderr
    assert cli("solve", code).returncode == 0


def test_plurals() -> None:
    out = cli("show", "cnn/conv_output_size", "--set", "C_out=1", "--set", "H=5", "--set", "W=5", "--set", "K=3",
              "--set", "C_in=1")
    assert "C_out = 1 filter of size" in out.stdout
    out = cli("check", "attention/softmax_temperature", "--seed", "1", "--answer", "probs=[0.5]")
    assert "got 1 entry" in out.stdout and "1 entries" not in out.stdout
    from examprep.registry import make
    from examprep.sheets.build import build_sheet
    from examprep.sheets.render import subtitle

    pt = make("cnn/conv_output_size")
    sheet = build_sheet([(pt, pt.generate(0, "easy"))], title="t", seed=0, difficulty="easy")
    assert subtitle(sheet).endswith("· 1 problem")


def test_answer_lines_use_one_minus_sign() -> None:
    from examprep.registry import make

    pt = make("vision/harris_from_sums")
    inst = next(i for i in (pt.generate(s, "medium") for s in range(50)) if pt.solve(i.params)["R"] < 0)
    for args in (["solve", inst.code], ["key", inst.code]):
        out = cli(*args).stdout
        line = next(x for x in out.splitlines() if x.startswith("Answer:") or x.strip().startswith("R = "))
        assert "−" in line and not re.search(r"(?<![\w])-\d", line), line


@pytest.mark.parametrize("target", ["attention/softmax_temperature", "cnn/conv2d_forward", "attention/bahdanau",
                                    "bayes/naive_bayes"])
def test_solve_and_show_fit_80_columns_without_breaking_words_or_matrices(target: str) -> None:
    for cmd in ("solve", "show"):
        wide = cli(cmd, target, "--seed", "1", "--difficulty", "hard", columns=1000).stdout
        out = cli(cmd, target, "--seed", "1", "--difficulty", "hard", columns=80).stdout
        assert out.split() == wide.split()  # same words in the same order: nothing cut in two
        lines = out.splitlines()
        assert all(len(x) <= 80 for x in lines if not BLOCK.search(x) and "⎤" not in x and "⎥" not in x
                   and "⎦" not in x), [x for x in lines if len(x) > 80]
        # every matrix keeps its rows whole and aligned: same opening column, same width
        i = 0
        while i < len(lines):
            if "⎡" in lines[i]:
                j = i
                while "⎣" not in lines[j]:
                    j += 1
                rows = lines[i : j + 1]
                assert len({r.index(next(c for c in r if c in "⎡⎢⎣")) for r in rows}) == 1, rows
                assert len({len(r.rstrip()) for r in rows}) == 1, rows
                i = j
            i += 1
