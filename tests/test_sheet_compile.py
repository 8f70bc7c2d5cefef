"""The LaTeX sheet compiles with pdflatex (stock TeX Live: only packages from texlive-latex-base, -recommended and
-extra) and the Typst sheet compiles to PDF, for every registered type over several draws and difficulties."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from examprep.sheets.build import build_sheet
from examprep.sheets.render import render, source
from examprep.sheets.select import instances, parse_items

DRAWS = ((11, "medium"), (3, "hard"), (5, "easy"))

NO_TEX = ("pdflatex is not installed: apt-get install -y --no-install-recommends texlive-latex-recommended "
          "texlive-latex-extra")


@pytest.fixture(scope="module")
def sheets():
    """Every type, in three draws, with solutions and with a title and student id that TeX must not interpret."""
    out = []
    for seed, diff in DRAWS:
        pairs = instances(parse_items([], [], 1), seed=seed, difficulty=diff)
        out.append(build_sheet(pairs, title=r"Week 3 \input{/etc/hostname} ^^5c 50% $x$ #1 & {bob}x ~_",
                               seed=seed, difficulty=diff, student="bob}x ^^5cinput^^7b/etc/hostname^^7d"))
    return out


@pytest.mark.skipif(not shutil.which("pdflatex"), reason=NO_TEX)
def test_latex_sheet_of_every_type_compiles(sheets, tmp_path):
    tex = source(sheets, "tex")
    (tmp_path / "all.tex").write_text(tex, encoding="utf-8")
    r = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "all.tex"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=300)
    errors = [ln for ln in r.stdout.splitlines() if ln.startswith("!")]
    line = re.search(r"^l\.(\d+)", r.stdout, re.M)
    where = tex.splitlines()[int(line.group(1)) - 1][:300] if line else ""
    assert r.returncode == 0, f"{errors[:3]} at: {where}"
    assert (tmp_path / "all.pdf").stat().st_size > 10_000
    log = (tmp_path / "all.log").read_text(encoding="latin-1")
    assert "Missing character" not in log  # no glyph silently dropped


def test_typst_sheet_of_every_type_compiles(sheets):
    pdf = render(sheets, "pdf")
    assert pdf.startswith(b"%PDF-") and len(pdf) > 50_000


def test_latex_escapes_user_text(sheets):
    """The title and the student id reach TeX as text: no ^^ notation, no \\input, balanced braces."""
    tex = source(sheets[:1], "tex")
    assert "^^" not in tex and "\\input" not in tex
    assert r"bob\}x \textasciicircum{}\textasciicircum{}5cinput" in tex
