"""Prose with inline ``$...$`` math, written in every output format with that format's escaping.

Formats: ``text`` (the terminal: Unicode), ``md`` (Markdown, math kept as ``$...$``), ``latex`` (``\\(...\\)``, the
prose fully escaped for TeX), ``typst`` (``#"..."`` string literals and ``$...$`` Typst math), ``html`` (MathML) and
``mathjax`` (HTML with ``\\(...\\)`` TeX, for Moodle). :func:`plain` escapes text that is not markup (a user's title,
a student id, a label) for a format; :func:`prose` reads markup.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from html import escape

from examprep.solver import texmath_out as out
from examprep.solver.texmath import SYMBOLS, MathMarkupError, parse, split

FORMATS = ("text", "md", "latex", "typst", "html", "mathjax")

# Unicode that may appear in plain text (titles, labels, names) and has no pdflatex glyph of its own.
_TEX_UNICODE = {
    **{u: "\\" + n for n, (c, u, _) in SYMBOLS.items() if c != "space" and n.isalpha() and len(u) == 1},
    "−": "-", "·": "\\cdot", "×": "\\times", "≤": "\\le", "≥": "\\ge", "≠": "\\ne", "≈": "\\approx", "∈": "\\in",
    "∼": "\\sim", "→": "\\to", "∞": "\\infty", "±": "\\pm", "∓": "\\mp", "√": "\\surd", "ᵀ": "^{\\top}",
    "⊤": "\\top", "½": "\\tfrac12", "∑": "\\sum", "∏": "\\prod", "Σ": "\\Sigma", "Π": "\\Pi", "⊙": "\\odot",
    "‖": "\\lVert", "∂": "\\partial", "∇": "\\nabla", "ε": "\\varepsilon", "ϵ": "\\epsilon", "φ": "\\varphi",
    "ϕ": "\\phi", "∗": "*", "⁻": "^{-}", "⁺": "^{+}", "′": "'", "⋯": "\\cdots", "∝": "\\propto", "⟨": "\\langle",
    "⟩": "\\rangle",
    **{c: f"^{{{i}}}" for i, c in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")}, **{c: f"_{{{i}}}" for i, c in enumerate("₀₁₂₃₄₅₆₇₈₉")},
    "ᵢ": "_{i}", "ⱼ": "_{j}", "ₖ": "_{k}", "ₜ": "_{t}", "ₙ": "_{n}", "ⁿ": "^{n}", "ᵗ": "^{t}",
}
_TEX_TEXT = {"…": "\\ldots{}", "—": "---", "–": "--", "‘": "`", "’": "'", "“": "``", "”": "''", "•": "\\textbullet{}",
             "\u00a0": "~", "⌊": "\\ensuremath{\\lfloor}", "⌋": "\\ensuremath{\\rfloor}",
             "⌈": "\\ensuremath{\\lceil}", "⌉": "\\ensuremath{\\rceil}", "✓": "\\checkmark{}", "✗": "x"}
_TEX_ASCII = {"\\": "\\textbackslash{}", "{": "\\{", "}": "\\}", "^": "\\textasciicircum{}", "~": "\\textasciitilde{}",
              "_": "\\_", "%": "\\%", "$": "\\$", "#": "\\#", "&": "\\&", "<": "\\textless{}", ">": "\\textgreater{}",
              "|": "\\textbar{}"}
_TEX_ACCENT = {"\u0302": "\\hat", "\u0304": "\\bar", "\u0303": "\\tilde", "\u0305": "\\bar"}
_MD_SPECIAL = set("\\`*_[]<>$|#&~")


def tex_text(s: str) -> str:
    """Any text as pdflatex-safe LaTeX: the ten special characters escaped, math symbols as math, letters with
    combining accents as ``\\hat{x}``; a character pdflatex cannot set (outside Latin-1/Latin Extended-A) is
    replaced by ``?`` rather than breaking the compile."""
    res: list[str] = []
    chars = [d for c in s for d in _decompose(c)]
    i = 0
    while i < len(chars):
        c = chars[i]
        acc = _TEX_ACCENT.get(chars[i + 1]) if i + 1 < len(chars) else None
        if acc and (c in _TEX_UNICODE or c.isascii() and c.isalpha()):
            res.append(f"\\ensuremath{{{acc}{{{_TEX_UNICODE.get(c, c)}}}}}")
            i += 2
            continue
        if c in _TEX_ASCII:
            res.append(_TEX_ASCII[c])
        elif c.isascii():
            res.append(c)
        elif c in _TEX_TEXT:
            res.append(_TEX_TEXT[c])
        elif c in _TEX_UNICODE:
            res.append(f"\\ensuremath{{{_TEX_UNICODE[c]}}}")
        elif ord(c) < 0x180 and unicodedata.category(c)[0] in "LSP" and c not in "ŉſ":
            res.append(c)
        elif unicodedata.combining(c):
            pass
        else:
            res.append("?")
        i += 1
    return "".join(res)


def _decompose(c: str) -> str:
    """``ᾱ`` -> ``α`` + combining macron (so it becomes ``\\bar{\\alpha}``); other characters unchanged."""
    d = unicodedata.normalize("NFD", c)
    return d if len(d) == 2 and d[1] in _TEX_ACCENT and d[0] in _TEX_UNICODE else c


def md_text(s: str) -> str:
    """Text as Markdown that shows exactly these characters (no emphasis, links, raw HTML or math)."""
    return "".join("\\" + c if c in _MD_SPECIAL else c for c in s)


def typst_text(s: str) -> str:
    """Text as a Typst string literal in markup (no markup character is interpreted)."""
    return '#"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def plain(s: str, fmt: str) -> str:
    """Text that is not markup (a user's title, a student id, a label) escaped for ``fmt``."""
    if fmt == "text":
        return s
    if fmt == "md":
        return md_text(s)
    if fmt == "latex":
        return tex_text(s)
    if fmt == "typst":
        return typst_text(s)
    if fmt in ("html", "mathjax"):
        return escape(s).replace("\n", "<br>")
    raise ValueError(f"unknown format {fmt!r}; use one of {FORMATS}")


@lru_cache(maxsize=4096)
def math(src: str, fmt: str) -> str:
    """One formula (the text between dollars) in ``fmt``, with the format's math delimiters."""
    tree = parse(src)
    if fmt == "text":
        return out.normalized_text(tree)
    if fmt == "md":
        return f"${src.strip()}$"
    if fmt == "latex":
        return f"\\({src.strip()}\\)"
    if fmt == "typst":
        return f"${out.typst_group(tree)}$"
    if fmt == "html":
        return f'<math xmlns="http://www.w3.org/1998/Math/MathML">{out.mathml_group(tree)}</math>'
    if fmt == "mathjax":
        return f"\\({escape(src.strip())}\\)"
    raise ValueError(f"unknown format {fmt!r}; use one of {FORMATS}")


def prose(s: str, fmt: str) -> str:
    """A prose string with inline ``$...$`` math in ``fmt`` (raises :class:`MathMarkupError` on bad markup)."""
    return "".join(math(t, fmt) if is_math else plain(t, fmt) for is_math, t in split(s))


def to_text(s: str) -> str:
    """The terminal form of a prose string (math as Unicode)."""
    return prose(s, "text")


def mtext(s: str) -> str:
    """A name (a class, a feature value) as ``\\text{...}`` inside inline math, TeX's special characters escaped."""
    return "\\text{" + "".join("\\" + c if c in "{}_%&#$" else c for c in s) + "}"


def check(s: str) -> None:
    """Raise :class:`MathMarkupError` unless every formula in ``s`` parses."""
    for is_math, t in split(s):
        if is_math:
            parse(t)


__all__ = ["FORMATS", "MathMarkupError", "check", "math", "mtext", "plain", "prose", "tex_text", "to_text"]
