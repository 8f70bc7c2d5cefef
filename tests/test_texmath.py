"""Inline ``$...$`` math in prose: the parser refuses what it does not know, and each format gets the expected
string (text for the terminal, LaTeX as written, Typst math, MathML, Markdown, Moodle's MathJax)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from examprep.solver.prose import math, plain, prose, tex_text, to_text
from examprep.solver.texmath import MathMarkupError, has_math, parse, split

KL = r"Compute $\mathrm{KL}(P \lVert Q) = \sum_i P(i) \ln \frac{P(i)}{Q(i)}$ in nats."


@pytest.mark.parametrize(("src", "text"), [
    (r"x_{t-1}", "x_(t−1)"),
    (r"x_t", "x_t"),
    (r"H_{\text{out}}", "H_out"),
    (r"\lfloor (H + 2P - K)/S \rfloor + 1", "⌊(H + 2P − K)/S⌋ + 1"),
    (r"\frac{a}{b}", "a/b"),
    (r"\frac{a + b}{2k}", "(a + b)/2k"),
    (r"\frac{1}{\sqrt{d_k}}", "1/√d_k"),
    (r"\sqrt{1 - \bar{\alpha}_t}", "√(1 − ᾱ_t)"),
    (r"\sqrt{\frac{2}{\pi}} x", "√(2/π) x"),
    (r"10000^{2k/d}", "10000^(2k/d)"),
    (r"x^2 + \Sigma^{-1} + W^\top", "x² + Σ⁻¹ + Wᵀ"),
    (r"e^{-x}", "e^(−x)"),
    (r"\hat{x}_0", "x̂_0"),
    (r"\tilde{\mu}_t", "μ̃_t"),
    (r"c = \sum_j \alpha_j h_j", "c = Σ_j α_j h_j"),
    (r"e_j = v^\top \tanh(W_s s + W_h h_j)", "e_j = vᵀ tanh(W_s s + W_h h_j)"),
    (r"q(x_t \mid x_0)", "q(x_t | x_0)"),
    (r"-x \le 2 \cdot 3", "−x ≤ 2·3"),
    (r"\operatorname{softmax}(z)", "softmax(z)"),
    (r"\epsilon \sim \mathcal", None),
])
def test_text_form(src, text):
    if text is None:
        with pytest.raises(MathMarkupError, match=r"unknown command \\mathcal"):
            math(src, "text")
    else:
        assert math(src, "text") == text


def test_every_format_of_one_sentence():
    assert prose(KL, "text") == "Compute KL(P ‖ Q) = Σ_i P(i) ln(P(i)/Q(i)) in nats."
    assert prose(KL, "latex") == r"Compute \(\mathrm{KL}(P \lVert Q) = \sum_i P(i) \ln \frac{P(i)}{Q(i)}\) in nats."
    assert prose(KL, "md") == r"Compute $\mathrm{KL}(P \lVert Q) = \sum_i P(i) \ln \frac{P(i)}{Q(i)}$ in nats."
    assert prose(KL, "typst") == ('#"Compute "$"KL"(P bar.v.double Q) = sum_i P(i) ln frac(P(i), Q(i))$'
                                  '#" in nats."')
    assert prose(KL, "mathjax") == r"Compute \(\mathrm{KL}(P \lVert Q) = \sum_i P(i) \ln \frac{P(i)}{Q(i)}\) in nats."
    html = prose(KL, "html")
    assert html.startswith("Compute <math") and html.endswith("</math> in nats.")
    root = ET.fromstring(html[len("Compute "):-len(" in nats.")])
    ns = "{http://www.w3.org/1998/Math/MathML}"
    assert root.find(f".//{ns}mfrac") is not None and root.find(f".//{ns}msub") is not None
    assert [e.text for e in root.iter(f"{ns}mi")][:3] == ["KL", "P", "Q"]


def test_typst_forms():
    assert math(r"x_{t-1}", "typst") == "$x_(t - 1)$"
    assert math(r"\bar{\alpha}_t", "typst") == "$macron(alpha)_t$"
    assert math(r"10000^{2k/d}", "typst") == "$10000^(2 k slash d)$"
    assert math(r"\frac{a, b}{c}", "typst") == r"$frac(a \, b, c)$"  # a comma inside an argument stays a comma
    assert math(r"\left\lfloor \frac{x}{2} \right\rfloor", "typst") == "$lr(⌊ frac(x, 2) ⌋)$"
    assert math(r"\text{for all } i", "typst") == '$"for all " i$'


def test_dollars_split_and_escape():
    assert split(r"a $x$ b \$5") == [(False, "a "), (True, "x"), (False, " b $5")]
    assert prose(r"costs \$5 and $x^2$", "latex") == r"costs \$5 and \(x^2\)"
    assert prose(r"costs \$5", "md") == r"costs \$5"
    assert to_text(r"costs \$5") == "costs $5"
    assert has_math("a $x$") and not has_math(r"a \$ b")
    with pytest.raises(MathMarkupError, match="unclosed"):
        split("a $x")


@pytest.mark.parametrize(("src", "why"), [
    (r"\foo", r"unknown command \\foo"),
    ("α", "not allowed inside"),
    ("x_12", "in braces"),
    ("{x", "not closed"),
    (r"\frac{a}", "ends too early"),
    ("x_i_j", "double subscript"),
    ("", "empty"),
])
def test_refusals(src, why):
    with pytest.raises(MathMarkupError, match=why):
        parse(src)


def test_plain_text_is_escaped_for_every_format():
    evil = r"bob}x ^^5cinput^^7b/etc/hostname^^7d <b>$#%&_~"
    tex = plain(evil, "latex")
    assert "^^" not in tex and "\\input" not in tex and "}x" not in tex.replace("\\}x", "")
    assert tex.startswith(r"bob\}x \textasciicircum{}\textasciicircum{}5cinput")
    assert plain("<b>x</b> *y*", "md") == r"\<b\>x\</b\> \*y\*"
    assert plain('a "b" \\', "typst") == '#"a \\"b\\" \\\\"'
    assert plain("<b>&", "html") == "&lt;b&gt;&amp;"


def test_tex_text_maps_unicode_math_and_drops_what_pdflatex_cannot_set():
    assert tex_text("ᾱ_t ≤ ⌊x⌋") == (r"\ensuremath{\bar{\alpha}}\_t \ensuremath{\le} "
                                     r"\ensuremath{\lfloor}x\ensuremath{\rfloor}")
    assert tex_text("José Ñ") == "José Ñ"
    assert tex_text("李") == "?"


def test_percent_sign_in_math() -> None:
    """``\\%`` (80% of the tokens) is a percent sign in every format, escaped where TeX needs it."""
    from examprep.solver import prose as P

    assert P.prose("masks $80\\%$ of the tokens", "text") == "masks 80% of the tokens"
    assert "80\\%" in P.prose("masks $80\\%$ of the tokens", "latex")
    assert "<mo>%</mo>" in P.prose("masks $80\\%$ of the tokens", "html")
