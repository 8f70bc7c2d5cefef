"""Plain-text derivations read as a person writes them: "a + (−0.8)·x" and "a − ln 2", never "a + −0.8·x";
"y ln(p)", never "yln(p)"."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

import pytest

from examprep.registry import all_specs, make
from examprep.solver.expr import Num, Sym
from examprep.solver.ops import Func, Neg
from examprep.solver.render import derivation


def test_a_negative_leading_factor_is_bracketed_and_a_negated_term_subtracted() -> None:
    x = Sym("x")
    e = x + Num(-0.8) * Num(0.8) + Neg(Func("ln", Num(0.5))) - Neg(Num(2)) / Num(4)
    assert e.render("text") == "x + (−0.8)·0.8 − ln(0.5) − (−2/4)"
    assert e.render("latex") == r"x + \left(-0.8\right) \cdot 0.8 - \ln\left(0.5\right) - \frac{-2}{4}"
    # the display changes, the value does not: 1 − 0.64 − ln(0.5) + 2/4
    v = (Num(1) + Num(-0.8) * Num(0.8) + Neg(Func("ln", Num(0.5))) - Neg(Num(2)) / Num(4)).evaluate()
    assert v == pytest.approx(1 - 0.64 + 0.693147 + 0.5, abs=1e-6)


@functools.cache
def derivations() -> tuple[tuple[str, int, str], ...]:
    """(id, seed, text derivation) of seeds 0-2 of every registered type, made once for the scans below."""
    out = []
    for pid in sorted({s.id for s in all_specs()}):
        pt = make(pid)
        out += [(pid, seed, derivation(pt.derivation(pt.generate(seed).params), "text")) for seed in range(3)]
    return tuple(out)


def first_per_type(find: Callable[[str], str | None]) -> list[str]:
    """'id seed N: what was found', for the first seed of each type whose derivation ``find`` objects to."""
    bad: dict[str, str] = {}
    for pid, seed, text in derivations():
        hit = None if pid in bad else find(text)
        if hit:
            bad[pid] = f"{pid} seed {seed}: {hit}"
    return list(bad.values())


def test_no_derivation_shows_a_sign_after_an_operator() -> None:
    def sign(text: str) -> str | None:
        m = re.search(r".{20}(?:[+−] −|[+−] -\d).{10}", text)
        return m.group(0) if m else None

    bad = first_per_type(sign)
    assert not bad, bad[:5]


def test_a_named_function_after_a_factor_is_spaced() -> None:
    y, p = Sym("y"), Sym("p")
    e = y * Func("ln", p) + (Num(1) - y) * Func("ln", Num(1) - p)
    assert e.render("text") == "y ln(p) + (1 − y) ln(1 − p)"
    assert (Sym("sigma_min", "σ_min") * Func("paren", Sym("a") / Sym("b"))).render("text") == "σ_min·(a/b)"


FUNCTIONS = "ln|exp|log|tanh|sin|cos|max|min"
WORDS = {*FUNCTIONS.split("|"), "softmax", "argmax", "argmin", "arccos", "arcsin", "arctan", "log2", "log10"}


def test_no_derivation_runs_a_name_into_a_function() -> None:
    def run_in(text: str) -> str | None:
        found = (m.group(0) for m in re.finditer(rf"[\w)\]ᵀ]*(?:{FUNCTIONS})\(", text))
        return next((w for w in found if w[:-1] not in WORDS), None)

    bad = first_per_type(run_in)
    assert not bad, bad[:5]


def test_answer_lines_show_one_minus_sign_and_leave_codes_alone() -> None:
    from examprep.solver.render import minus_signs

    assert minus_signs("X = [-4+0i, -4-2i, 0.5-0.25i]") == "X = [−4+0i, −4−2i, 0.5−0.25i]"
    assert minus_signs("code 6429-4ENC-GN on 2026-12-04, x-1") == "code 6429-4ENC-GN on 2026-12-04, x-1"
