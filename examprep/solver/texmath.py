"""Inline math in prose: a small LaTeX subset between ``$...$``, parsed once and translated for every format.

Statements, step titles, notes and mistake feedback are prose strings in which math is written as LaTeX between
dollars: ``"Compute $\\mathrm{KL}(P \\lVert Q) = \\sum_i P(i) \\ln \\frac{P(i)}{Q(i)}$ in nats."``. A literal dollar
is ``\\$``. :func:`parse` reads the subset into a tree of :class:`Node` (or raises :class:`MathMarkupError` naming
what it does not know, so a typo fails a test instead of reaching a sheet); :mod:`examprep.solver.texmath_out`
writes the tree as Unicode text, Typst math and MathML. The LaTeX form is the source itself, validated.

The subset: letters, digits, ``+ - = < > ( ) [ ] , . / | ' ! :``, ``_`` and ``^`` with a braced group or one
token, ``\\frac``, ``\\sqrt``, Greek letters, the operators and relations in :data:`SYMBOLS`, the functions in
:data:`FUNCTIONS`, accents ``\\hat \\bar \\tilde \\mathbf``, ``\\mathrm``, ``\\text``, ``\\operatorname``,
``\\left``/``\\right`` and ``\\{ \\}``. Only ASCII is allowed inside math (write ``\\alpha``, not ``α``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from examprep.errors import ExamprepError


class MathMarkupError(ExamprepError, ValueError):
    """Inline math that is not in the supported subset (an unknown command, unbalanced braces, a lone ``$``)."""


# name -> (class, Unicode text, Typst). Classes: ord, bin, rel, punct, open, close.
SYMBOLS: dict[str, tuple[str, str, str]] = {
    **{g: ("ord", u, g) for g, u in (
        ("alpha", "α"), ("beta", "β"), ("gamma", "γ"), ("delta", "δ"), ("zeta", "ζ"), ("eta", "η"),
        ("theta", "θ"), ("iota", "ι"), ("kappa", "κ"), ("lambda", "λ"), ("mu", "μ"), ("nu", "ν"), ("xi", "ξ"),
        ("pi", "π"), ("rho", "ρ"), ("sigma", "σ"), ("tau", "τ"), ("upsilon", "υ"), ("phi", "ϕ"), ("chi", "χ"),
        ("psi", "ψ"), ("omega", "ω"), ("Gamma", "Γ"), ("Delta", "Δ"), ("Theta", "Θ"), ("Lambda", "Λ"),
        ("Xi", "Ξ"), ("Pi", "Π"), ("Sigma", "Σ"), ("Phi", "Φ"), ("Psi", "Ψ"), ("Omega", "Ω"))},
    "epsilon": ("ord", "ε", "epsilon"), "varepsilon": ("ord", "ε", "epsilon"), "varphi": ("ord", "φ", "phi.alt"),
    "cdot": ("bin", "·", "dot.op"), "cap": ("bin", "∩", "inter"), "cup": ("bin", "∪", "union"),
    "times": ("bin", "×", "times"), "odot": ("bin", "⊙", "⊙"),
    "pm": ("bin", "±", "plus.minus"),
    "le": ("rel", "≤", "<="), "leq": ("rel", "≤", "<="), "ge": ("rel", "≥", ">="), "geq": ("rel", "≥", ">="),
    "ne": ("rel", "≠", "!="), "neq": ("rel", "≠", "!="), "approx": ("rel", "≈", "approx"), "in": ("rel", "∈", "in"),
    "sim": ("rel", "∼", "tilde.op"), "to": ("rel", "→", "->"), "mid": ("rel", "|", "bar.v"),
    "leftarrow": ("rel", "←", "<-"), "rightarrow": ("rel", "→", "->"), "gets": ("rel", "←", "<-"),
    "propto": ("rel", "∝", "prop"),
    "infty": ("ord", "∞", "infinity"), "partial": ("ord", "∂", "partial"), "nabla": ("ord", "∇", "nabla"),
    "ldots": ("ord", "…", "dots.h"), "dots": ("ord", "…", "dots.h"), "cdots": ("ord", "⋯", "dots.c"),
    "top": ("ord", "⊤", "top"),
    "lVert": ("ord", "‖", "bar.v.double"), "rVert": ("ord", "‖", "bar.v.double"),
    "lfloor": ("open", "⌊", "⌊"), "rfloor": ("close", "⌋", "⌋"), "lceil": ("open", "⌈", "⌈"),
    "rceil": ("close", "⌉", "⌉"), "{": ("open", "{", "\\{"), "}": ("close", "}", "\\}"),
    "langle": ("open", "⟨", "⟨"), "rangle": ("close", "⟩", "⟩"), "%": ("ord", "%", "\\%"),
}
SPACES = {",": "thin", ";": "med", "quad": "quad"}  # \, \; \quad -> Typst
FUNCTIONS = ("ln", "log", "exp", "max", "min", "tanh", "sin", "cos", "det", "arg")
BIG_OPERATORS = {"sum": ("Σ", "sum", "∑"), "prod": ("Π", "product", "∏"), "int": ("∫", "integral", "∫")}
ACCENTS = ("hat", "bar", "tilde", "mathbf")
WORDS = ("text", "mathrm", "operatorname")
DELIMITERS = {"(": "(", ")": ")", "[": "[", "]": "]", "|": "|", "\\{": "{", "\\}": "}", "\\lfloor": "⌊",
              "\\rfloor": "⌋", "\\lceil": "⌈", "\\rceil": "⌉", "\\lVert": "‖", "\\rVert": "‖", "\\langle": "⟨",
              "\\rangle": "⟩", ".": ""}
_CHARS = {"+": "bin", "-": "bin", "/": "bin", "*": "bin", "=": "rel", "<": "rel", ">": "rel", ":": "rel",
          ",": "punct", ";": "punct", ".": "punct", "(": "open", "[": "open", ")": "close", "]": "close",
          "|": "ord", "'": "ord", "!": "ord"}
_TOKEN = re.compile(r"\\([A-Za-z]+|.)|(\d+(?:\.\d+)?)|([A-Za-z])|(\s+)|(.)", re.S)


# ---- the tree -----------------------------------------------------------------------------------------------------
@dataclass
class Node:
    """Base of the tree. ``space`` is True when the source had whitespace before this node (a text-layout hint)."""

    space: bool = field(default=False, kw_only=True)


@dataclass
class Atom(Node):
    """One symbol. ``cls``: ident (a letter), num, ord, bin, rel, punct, open, close, space, func, bigop."""

    cls: str
    name: str  # the letter, number, operator character or command name


@dataclass
class Group(Node):
    """A sequence of nodes (a braced group, an argument, a whole formula)."""

    items: list[Node]


@dataclass
class Paren(Node):
    """A balanced ``( )`` or ``[ ]`` pair with its contents."""

    left: str
    body: Group
    right: str


@dataclass
class Fenced(Node):
    r"""``\left L ... \right R`` (``L``/``R`` as Unicode, "" for ``.``)."""

    left: str
    body: Group
    right: str


@dataclass
class Script(Node):
    """A base with a subscript and/or a superscript."""

    base: Node
    sub: Group | None = None
    sup: Group | None = None


@dataclass
class Frac(Node):
    num: Group
    den: Group


@dataclass
class Sqrt(Node):
    body: Group


@dataclass
class Accent(Node):
    """``\\hat``, ``\\bar``, ``\\tilde`` or ``\\mathbf`` over its argument."""

    kind: str
    body: Group


@dataclass
class Word(Node):
    """Upright words: ``\\text{...}`` (prose), ``\\mathrm{...}`` (a name), ``\\operatorname{...}`` (a function)."""

    kind: str
    text: str


# ---- parsing ------------------------------------------------------------------------------------------------------
class _Parser:
    def __init__(self, src: str) -> None:
        self.src = src
        self.toks: list[tuple[str, str, bool]] = []  # (kind, value, space before)
        space = False
        for m in _TOKEN.finditer(src):
            cmd, num, letter, ws, other = m.groups()
            if ws:
                space = True
                continue
            if cmd is not None:
                self.toks.append(("cmd", cmd, space))
            elif num:
                self.toks.append(("num", num, space))
            elif letter:
                self.toks.append(("letter", letter, space))
            elif not other.isascii():
                self.fail(f"{other!r} is not allowed inside $...$; write it as a command (\\alpha, \\le, ...)")
            else:
                self.toks.append(("char", other, space))
            space = False
        self.i = 0

    def fail(self, why: str) -> None:
        raise MathMarkupError(f"inline math ${self.src}$: {why}")

    def peek(self) -> tuple[str, str, bool] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str, bool]:
        t = self.peek()
        if t is None:
            self.fail("it ends too early (a missing argument or closing brace)")
        self.i += 1
        return t  # type: ignore[return-value]

    def group(self, until: str | None = None) -> Group:
        """Items up to ``until`` (``}``, ``\\right``) or the end; ``( )`` and ``[ ]`` pairs are matched."""
        items: list[Node] = []
        while (t := self.peek()) is not None:
            if until == "}" and t[:2] == ("char", "}"):
                break
            if until == "right" and t[:2] == ("cmd", "right"):
                break
            items.append(self.scripted())
        if until is not None and self.peek() is None:
            self.fail("a brace or \\left is not closed")
        return Group(_pair_brackets(items))

    def scripted(self) -> Node:
        base = self.atom()
        sub = sup = None
        while (t := self.peek()) is not None and t[:2] in (("char", "_"), ("char", "^")):
            self.take()
            arg = self.argument()
            if t[1] == "_":
                if sub is not None:
                    self.fail("double subscript; use braces")
                sub = arg
            else:
                if sup is not None:
                    self.fail("double superscript; use braces")
                sup = arg
        if sub is None and sup is None:
            return base
        return Script(base, sub, sup, space=base.space)

    def argument(self) -> Group:
        """A braced group or a single token (``x_i``, ``x^2``, ``\\frac12`` is refused: write braces)."""
        kind, value, space = self.take()
        if (kind, value) == ("char", "{"):
            g = self.group("}")
            self.take()
            return g
        if kind == "num" and len(value) > 1:
            self.fail(f"write the number {value} in braces: _{{{value}}} / ^{{{value}}} (TeX takes one digit)")
        self.i -= 1
        return Group([self.atom()])

    def atom(self) -> Node:
        kind, value, space = self.take()
        if kind == "num":
            return Atom("num", value, space=space)
        if kind == "letter":
            return Atom("ident", value, space=space)
        if kind == "char":
            if value == "{":
                g = self.group("}")
                self.take()
                g.space = space
                return g
            if value in "}_^":
                self.fail(f"unexpected {value!r}")
            if value == "$":
                self.fail("a lone $ (write \\$ for a dollar sign)")
            if value not in _CHARS:
                self.fail(f"{value!r} is not in the supported subset")
            return Atom(_CHARS[value], value, space=space)
        return self.command(value, space)

    def command(self, name: str, space: bool) -> Node:
        if name in SPACES:
            return Atom("space", name, space=space)
        if name in SYMBOLS:
            return Atom(SYMBOLS[name][0], name, space=space)
        if name in FUNCTIONS:
            return Atom("func", name, space=space)
        if name in BIG_OPERATORS:
            return Atom("bigop", name, space=space)
        if name == "frac":
            return Frac(self.argument(), self.argument(), space=space)
        if name == "sqrt":
            return Sqrt(self.argument(), space=space)
        if name in ACCENTS:
            return Accent(name, self.argument(), space=space)
        if name in WORDS:
            return Word(name, self.word(), space=space)
        if name == "left":
            left = self.delimiter()
            body = self.group("right")
            self.take()
            return Fenced(left, body, self.delimiter(), space=space)
        if name == "$":
            self.fail("\\$ inside math; close the math first")
        self.fail(f"unknown command \\{name}")
        raise AssertionError  # unreachable

    def word(self) -> str:
        """The raw text of a ``{...}`` argument (no nesting)."""
        if self.take()[:2] != ("char", "{"):
            self.fail("\\text, \\mathrm and \\operatorname need a {...} argument")
        parts: list[str] = []
        while (t := self.take())[:2] != ("char", "}"):
            kind, value, space = t
            if kind == "cmd" and value not in ("{", "}", "_", "%", "&", "#", "$"):
                self.fail(f"\\{value} inside a \\text argument")
            parts.append((" " if space else "") + value)
        return "".join(parts) + (" " if t[2] else "")

    def delimiter(self) -> str:
        kind, value, _ = self.take()
        key = "\\" + value if kind == "cmd" else value
        if key not in DELIMITERS:
            self.fail(f"{key!r} cannot follow \\left or \\right")
        return DELIMITERS[key]


_PAIRS = {"(": ")", "[": "]", "lVert": "rVert"}
_BRACKET_CHAR = {"(": "(", ")": ")", "[": "[", "]": "]", "lVert": "‖", "rVert": "‖"}


def _pair_brackets(items: list[Node]) -> list[Node]:
    """Turn balanced ``( )``, ``[ ]`` and ``\\lVert \\rVert`` at one level into :class:`Paren` nodes; a script on
    the closing bracket goes to the whole group (``(x - \\mu)^2``). Unbalanced brackets stay atoms (``[0, 1)``)."""
    out: list[Node] = []
    stack: list[int] = []
    for it in items:
        out.append(it)
        closer = it.base if isinstance(it, Script) else it
        if isinstance(it, Atom) and it.name in _PAIRS:
            stack.append(len(out) - 1)
        elif isinstance(closer, Atom) and closer.name in _PAIRS.values() and stack:
            match = [k for k in stack if _PAIRS[out[k].name] == closer.name]  # type: ignore[attr-defined]
            if not match:
                continue
            start = match[-1]
            del stack[stack.index(start):]
            opener = out[start]
            assert isinstance(opener, Atom)
            body = Group(out[start + 1:-1])
            del out[start:]
            group = Paren(_BRACKET_CHAR[opener.name], body, _BRACKET_CHAR[closer.name], space=opener.space)
            out.append(Script(group, it.sub, it.sup, space=group.space) if isinstance(it, Script) else group)
    return out


def parse(src: str) -> Group:
    """The tree of one formula (the text between two dollars); raises :class:`MathMarkupError` if unsupported."""
    p = _Parser(src)
    g = p.group()
    if not g.items:
        p.fail("empty math")
    return g


# ---- prose --------------------------------------------------------------------------------------------------------
_SPLIT = re.compile(r"(\\\$)|\$")


def split(s: str) -> list[tuple[bool, str]]:
    """Prose into (is_math, text) pieces: ``"a $x$ b"`` -> [(False, "a "), (True, "x"), (False, " b")].

    ``\\$`` in prose is a literal dollar (returned unescaped). Raises :class:`MathMarkupError` on an unclosed ``$``.
    """
    out: list[tuple[bool, str]] = []
    buf: list[str] = []
    math = False
    pos = 0
    for m in _SPLIT.finditer(s):
        buf.append(s[pos:m.start()])
        pos = m.end()
        if m.group(1):  # \$: a dollar sign in prose; inside math only \text{...} may hold one
            buf.append("\\$" if math else "$")
            continue
        if buf and "".join(buf):
            out.append((math, "".join(buf)))
        buf = []
        math = not math
    buf.append(s[pos:])
    if math:
        raise MathMarkupError(f"an unclosed $ in {s!r} (write \\$ for a dollar sign)")
    if "".join(buf):
        out.append((False, "".join(buf)))
    return out


def has_math(s: str) -> bool:
    """Whether a prose string holds inline math."""
    return any(m for m, _ in split(s))
