"""The README's example output is real: each shown `examprep solve|check|list|key` command with its full output
(no elided lines) is run as a user runs it, piped, and must print exactly what the README shows."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
ENV["COLUMNS"] = "100"  # the width the README's examples were taken at (solve wraps to it; check does not wrap)
ENV.pop("EXAMPREP_SECRET", None)
RUNNABLE = ("solve", "check", "list", "key")


def examples() -> list[tuple[str, str]]:
    """(command line, shown output) for every README example that can be replayed exactly."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    out: list[tuple[str, str]] = []
    for block in re.findall(r"```[a-z]*\n(.*?)```", text, re.S):
        for command, shown in re.findall(r"^\$ (.*)\n((?:(?!\$ ).*\n)*)", block, re.M):
            out.append((command, shown))
    keep = []
    for cmd, shown in out:
        words = shlex.split(cmd, comments=True)
        if (len(words) > 1 and words[0] == "examprep" and words[1] in RUNNABLE and shown
                and "…" not in shown and "\n...\n" not in "\n" + shown and not any(w in cmd for w in ";|&>")):
            keep.append((cmd, shown))
    return keep


EXAMPLES = examples()


def test_the_readme_has_replayable_examples() -> None:
    assert len(EXAMPLES) >= 12


@pytest.mark.parametrize("cmd,shown", EXAMPLES, ids=[c[:60] for c, _ in EXAMPLES])
def test_readme_example_prints_what_the_readme_shows(cmd: str, shown: str) -> None:
    words = shlex.split(cmd, comments=True)
    r = subprocess.run([sys.executable, "-m", "examprep.cli", *words[1:]], capture_output=True, text=True,
                       env=ENV, timeout=300, cwd=ROOT)
    printed = r.stdout + r.stderr
    assert printed.rstrip("\n") == shown.rstrip("\n")
