"""The safe answer parser: values, rejections, and a property test on random text."""

from __future__ import annotations

import math
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from examprep.grader.parse import ParseError, parse_answer
from examprep.grader.score import grade_part
from examprep.parts import Part


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("16", 16), ("-3", -3), ("3/4", 0.75), ("1e-3", 0.001), ("2.5E2", 250.0), ("sqrt(2)/2", math.sqrt(2) / 2),
        ("exp(1)", math.e), ("ln(e)", 1.0), ("log(1)", 0.0), ("2^10", 1024), ("2**-1", 0.5), ("pi", math.pi),
        ("−0.5", -0.5), ("2·3", 6), ("[1, 2.5]", [1, 2.5]), ("[[1,2],[3,4]]", [[1, 2], [3, 4]]),
        ("[-1/2, sqrt(4)]", [-0.5, 2.0]), ("(1+2)*3", 9), ("6/3", 2), ("log2(8)", 3.0),
    ],
)
def test_values(text: str, value: object) -> None:
    got = parse_answer(text)
    if isinstance(value, list) and value and isinstance(value[0], list):
        assert got == value
    else:
        assert got == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("__import__('os').system('touch pwned')", "unexpected character"),
        ("1e999999", "not finite"),
        ("nan", "unknown name"),
        ("inf", "infinity is not allowed here"),  # only answers read it (infinite=True)
        ("[[1,2],[3]]", "different lengths"),
        ("x" * 10_000_001, "too long"),
        ("1/0", "division by zero"),
        ("10^10^10", "too large"),
        ("sqrt(-1)", "undefined"),
        ("[1, [2]]", "mixes"),
        ("[]", "empty list"),
        ("", "empty"),
        ("2 +", "ends too early"),
        ("(" * 50 + "1" + ")" * 50, "nested too deeply"),
        ("9" * 400, "too large"),
        ("open('x')", "unexpected character"),
        ("lambda: 1", "unexpected character"),
    ],
)
def test_rejections_say_why(text: str, reason: str) -> None:
    with pytest.raises(ParseError, match=reason):
        parse_answer(text, kind="real")


def test_hostile_input_runs_no_code(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    part = Part("x", "x", "real")
    for text in ("__import__('os').system('touch pwned')", "exec('open(\"pwned\",\"w\")')", "eval('1')"):
        r = grade_part(part, 1.0, text)
        assert r.verdict == "invalid" and r.score == 0 and r.feedback
    assert not os.path.exists(tmp_path / "pwned")


def test_label_parts() -> None:
    assert parse_answer(" Banana ", kind="label") == "Banana"
    with pytest.raises(ParseError):
        parse_answer("rm -rf /; echo", kind="label")


def test_a_label_may_hold_the_end_token_as_a_word() -> None:
    """A decoder's output ("A </s>"): the end token is a word of its own; every other label rule stays."""
    for text in ("A </s>", "</s>", "B  A </s>", " a </S> ", "B A", "Banana"):
        assert parse_answer(text, kind="label") == text.strip()
    assert parse_answer("A </s>") == "A </s>"  # no kind: read as a label, not as arithmetic
    assert parse_answer("A " + "</s> " * 11 + "B", kind="label")  # 4 + 11·5 + 1 = 60 characters
    for hostile in ("A</s>", "</s>A", "</s></s>", "< /s>", "</ s>", "</s >", "<s>", "</S", "/s>", "<>", "</t>",
                    "<script>alert(1)</script>", "A </s> <b>", "</s><script>", "&lt;/s&gt;", "A\t</s>",
                    "A </s>\n<b>", "</s/>", "<//s>", "</s>>", "A <\u200b/s>", "A \u2003</s>", "1 </s>", "- </s>",
                    "A " + "</s> " * 13, "A </s>; rm -rf /"):
        with pytest.raises(ParseError):
            parse_answer(hostile, kind="label")
    with pytest.raises(ParseError, match="end token"):
        parse_answer("A<b>", kind="label")
    for text in ("<", "A </s>/2", "</s> + 1"):  # never arithmetic on the token
        with pytest.raises(ParseError):
            parse_answer(text)
    with pytest.raises(ParseError):
        parse_answer("A </s>", kind="real")


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=200))
def test_random_text_never_crashes(text: str) -> None:
    try:
        v = parse_answer(text)
    except ParseError as e:
        assert str(e)
        return
    assert isinstance(v, (int, float, str, list))
    if isinstance(v, float):
        assert math.isfinite(v)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789+-*/^()[],.e pisqrtlnxo", max_size=80))
def test_formula_like_text_never_crashes(text: str) -> None:
    for kind in ("integer", "real", "vector", "matrix"):
        r = grade_part(Part("p", "p", kind), [[1.0]] if kind == "matrix" else ([1.0] if kind == "vector" else 1), text)
        assert r.verdict in ("right", "wrong", "partial", "invalid")
        assert 0.0 <= r.score <= 1.0


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
def test_repr_of_any_float_round_trips(x: float) -> None:
    assert parse_answer(repr(x)) == pytest.approx(x, rel=1e-15, abs=0)
