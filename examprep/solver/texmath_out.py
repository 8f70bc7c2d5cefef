"""Inline math (:mod:`examprep.solver.texmath` trees) written as Unicode text, Typst math and MathML.

Text is what the terminal shows: Greek and operators as Unicode, ``x_{t-1}`` as ``x_(t−1)``, ``x^2`` as ``x²``,
``\\frac{a}{b}`` as ``a/b`` (parenthesised when a side is not a single term), accents as combining marks (``ᾱ``).
Operators and relations get spaces at the top level and none inside sub- and superscripts; elsewhere the source's
own spaces are kept (``\\alpha_j h_j`` -> ``α_j h_j``, ``2k`` -> ``2k``).
"""

from __future__ import annotations

from html import escape

from examprep.solver.texmath import (
    BIG_OPERATORS,
    SPACES,
    SYMBOLS,
    Accent,
    Atom,
    Fenced,
    Frac,
    Group,
    Node,
    Paren,
    Script,
    Sqrt,
    Word,
)

_MINUS = {"-": "−", "*": "∗"}
_SUP = str.maketrans("0123456789-−+()niT⊤", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁻⁺⁽⁾ⁿⁱᵀᵀ")
_COMBINING = {"hat": "\u0302", "bar": "\u0304", "tilde": "\u0303"}


# ---- text ---------------------------------------------------------------------------------------------------------
def _atom_text(a: Atom) -> str:
    if a.cls == "space":
        return " "
    if a.cls == "ident" or a.cls == "num":
        return a.name
    if a.cls == "func":
        return a.name
    if a.cls == "bigop":
        return BIG_OPERATORS[a.name][0]
    if a.name in SYMBOLS:
        return SYMBOLS[a.name][1]
    return _MINUS.get(a.name, a.name)


def _is_single(g: Group) -> bool:
    """One term: no operator, relation, punctuation or space between the items (``2k``, ``P(i)``, ``x_i``)."""
    if len(g.items) == 1:
        return not (isinstance(g.items[0], Atom) and g.items[0].cls in ("bin", "rel", "punct"))
    items = g.items
    applied = {i for i, x in enumerate(items[:-1]) if isinstance(x, Atom) and x.cls == "func"
               and (isinstance(items[i + 1], Paren) or _cls(items[i + 1]) == "ord")}  # exp(...), det Σ: one term
    return all(i in applied or (not (isinstance(x, Atom) and x.cls in ("bin", "rel", "punct", "func", "bigop", "space"))
               and not (x.space and i and i - 1 not in applied) and not isinstance(x, Frac))
               for i, x in enumerate(items))


def node_text(n: Node, compact: bool = False) -> str:
    """One node as Unicode text."""
    if isinstance(n, Atom):
        return _atom_text(n)
    if isinstance(n, Group):
        return group_text(n, compact)
    if isinstance(n, Paren):
        return n.left + group_text(n.body, compact) + n.right
    if isinstance(n, Fenced):
        return n.left + group_text(n.body, compact) + n.right
    if isinstance(n, Word):
        return n.text
    if isinstance(n, Frac):
        a, b = group_text(n.num, compact), group_text(n.den, compact)
        a = a if _is_single(n.num) else f"({group_text(n.num, compact)})"
        b = b if _is_single(n.den) else f"({group_text(n.den, compact)})"
        return f"{a}/{b}"
    if isinstance(n, Sqrt):
        s = group_text(n.body, True)
        one = _is_single(n.body) and len(n.body.items) == 1 and not isinstance(n.body.items[0], Frac)  # √(a/b)
        return "√" + (s if one else f"({group_text(n.body, compact)})")
    if isinstance(n, Accent):
        s = group_text(n.body, compact)
        if n.kind == "mathbf":
            return s
        if len(s) == 1:
            return s + _COMBINING[n.kind]
        return f"{n.kind}({s})"
    if isinstance(n, Script):
        return _script_text(n, compact)
    raise TypeError(type(n).__name__)


def _script_text(n: Script, compact: bool) -> str:
    base = node_text(n.base, compact)
    if isinstance(n.base, (Frac, Script)) or (isinstance(n.base, Group) and not _is_single(n.base)):
        base = f"({base})"
    out = base
    if n.sub is not None:
        s = group_text(n.sub, True)
        out += "_" + (s if len(n.sub.items) == 1 or s.replace("'", "").isalnum() else f"({s})")
    if n.sup is not None:
        s = group_text(n.sup, True)
        if s in ("*", "∗", "'"):
            out += "*" if s != "'" else s
        elif s and all(c in "0123456789-−+()niT⊤" for c in s):
            out += s.translate(_SUP)
        else:
            out += "^" + (s if len(n.sup.items) == 1 and len(s) == 1 else f"({s})")
    return out


def is_one_term(g: Group) -> bool:
    """A single symbol, or a name applied to one bracket (``D^*``, ``\\mathrm{KL}(P \\lVert Q)``, ``P(i)``)."""
    items = g.items
    if len(items) == 1:
        return not isinstance(items[0], Frac)
    return len(items) == 2 and isinstance(items[1], Paren) and not isinstance(items[0], (Frac, Paren))


def normalized_text(g: Group) -> str:
    """The text form of a whole formula, with combining accents composed (``ᾱ``)."""
    import unicodedata

    return unicodedata.normalize("NFC", group_text(g))


def _cls(n: Node) -> str:
    if isinstance(n, Atom):
        return n.cls
    if isinstance(n, Word) and n.kind == "operatorname":
        return "func"
    if isinstance(n, Script) and isinstance(n.base, Atom) and n.base.cls in ("bigop", "func"):
        return n.base.cls
    return "ord"


def _juxtaposed(items: list[Node], i: int) -> bool:
    """Whether item ``i`` multiplies a neighbour by juxtaposition (no operator between them)."""
    loose = ("bin", "rel", "punct", "space")
    before = i > 0 and _cls(items[i - 1]) not in (*loose, "open", "bigop")
    after = i + 1 < len(items) and _cls(items[i + 1]) not in (*loose, "close")
    return before or after


def group_text(g: Group, compact: bool = False) -> str:
    """A sequence as text: spaced operators at the top level, compact inside scripts."""
    out: list[str] = []
    prev = None
    prev_wrapped = False
    for i, n in enumerate(g.items):
        c, s = _cls(n), node_text(n, compact)
        wrapped = isinstance(n, Frac) and _juxtaposed(g.items, i)
        if wrapped:
            s = f"({s})"  # 1/√α_t (x_t − ...) reads as (1/√α_t)(x_t − ...)
        if c == "space":
            out.append(" " if not compact else "")
        elif c == "rel":
            out.append(s if compact else f" {s} ")
        elif c == "bin":
            unary = prev is None or prev in ("bin", "rel", "open", "punct", "bigop", "func")
            tight = compact or unary or s in ("·", "/", "∗", "×")
            out.append(s if tight else f" {s} ")
        elif c == "punct":
            out.append(s + ("" if compact or s == "." else " "))
        else:
            sep = (n.space and i > 0 and c != "close" and prev not in ("open", "bin", "rel", "punct", "num")) \
                or prev in ("bigop", "func")
            if (prev == "func" or prev_wrapped) and (isinstance(n, (Paren, Fenced)) or wrapped):
                sep = False
            out.append((" " if sep and not compact else "") + s)
        prev = "num" if isinstance(n, Atom) and n.cls == "num" else c
        prev_wrapped = wrapped
    text = "".join(out)
    while "  " in text:
        text = text.replace("  ", " ")
    return text.strip() if not compact else text


# ---- Typst --------------------------------------------------------------------------------------------------------
_TYPST_CHARS = {"/": "slash", "<": "<", ">": ">", "|": "bar.v", "*": "ast", ":": ":", "'": "'", "!": "!"}


def _typst_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _typst_arg(g: Group) -> str:
    """A function argument: its own top-level commas and semicolons escaped so they neither split the arguments
    nor make a matrix (those inside nested calls such as ``frac(a, b)`` stay separators)."""
    return typst_group(g, escape_punct=True)


def _typst_script(g: Group) -> str:
    s = typst_group(g)
    one = len(g.items) == 1 and isinstance(g.items[0], Atom)
    return s if one and " " not in s else f"({s})"


def typst_node(n: Node) -> str:
    """One node as Typst math."""
    if isinstance(n, Atom):
        if n.cls in ("ident", "num"):
            return n.name
        if n.cls == "func":
            return n.name if n.name != "arg" else 'op("arg")'
        if n.cls == "bigop":
            return BIG_OPERATORS[n.name][1]
        if n.cls == "space":
            return SPACES[n.name]
        if n.name in SYMBOLS:
            return SYMBOLS[n.name][2]
        return _TYPST_CHARS.get(n.name, n.name)
    if isinstance(n, Group):
        return typst_group(n)
    if isinstance(n, Paren):
        return f"{n.left}{typst_group(n.body)}{n.right}"
    if isinstance(n, Fenced):
        left = {"": "", "{": "\\{", "}": "\\}", "|": "|"}.get(n.left, n.left)
        right = {"": "", "{": "\\{", "}": "\\}", "|": "|"}.get(n.right, n.right)
        return f"lr({left} {typst_group(n.body)} {right})"
    if isinstance(n, Word):
        if n.kind == "operatorname":
            return f"op({_typst_str(n.text)})"
        return _typst_str(n.text)
    if isinstance(n, Frac):
        return f"frac({_typst_arg(n.num)}, {_typst_arg(n.den)})"
    if isinstance(n, Sqrt):
        return f"sqrt({_typst_arg(n.body)})"
    if isinstance(n, Accent):
        fn = {"hat": "hat", "bar": "macron", "tilde": "tilde", "mathbf": "bold"}[n.kind]
        return f"{fn}({_typst_arg(n.body)})"
    if isinstance(n, Script):
        base = typst_node(n.base)
        if isinstance(n.base, (Group, Script)):
            base = f"({base})"
        out = base
        if n.sub is not None:
            out += "_" + _typst_script(n.sub)
        if n.sup is not None:
            out += "^" + _typst_script(n.sup)
        return out
    raise TypeError(type(n).__name__)


def typst_group(g: Group, escape_punct: bool = False) -> str:
    """A sequence as Typst math: items separated by spaces, primes and ``!`` attached."""
    out = ""
    prev: Node | None = None
    for n in g.items:
        s = typst_node(n)
        if escape_punct and isinstance(n, Atom) and n.name in (",", ";"):
            s = "\\" + s
        attach = isinstance(n, Atom) and n.name in ("'", "!")
        attach = attach or (isinstance(n, Paren) and n.left == "(" and not n.space and _callable_look(prev))
        out += s if (attach or not out) else " " + s
        prev = n
    return out


def _callable_look(prev: Node | None) -> bool:
    """Whether ``(`` after ``prev`` reads as an argument list (``f(x)``, ``P(i)``, ``"KL"(P``): no space between."""
    if isinstance(prev, Atom):
        return prev.cls in ("ident", "func") or (prev.cls == "ord" and prev.name in SYMBOLS and prev.name.isalpha())
    if isinstance(prev, Word):
        return prev.kind != "operatorname"
    return isinstance(prev, (Script, Paren))


# ---- MathML -------------------------------------------------------------------------------------------------------
_BOLD = {c: chr(0x1D400 + i) for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")}
_ACCENT_MO = {"hat": "^", "bar": "\u203e", "tilde": "~"}


def _mo(s: str, **attrs: str) -> str:
    extra = "".join(f' {k}="{v}"' for k, v in attrs.items())
    return f"<mo{extra}>{escape(s)}</mo>"


def mathml_node(n: Node) -> str:
    """One node as MathML (no ``<math>`` wrapper)."""
    if isinstance(n, Atom):
        s = _atom_text(n)
        if n.cls == "num":
            return f"<mn>{s}</mn>"
        if n.cls == "ident" or (n.cls == "ord" and n.name in SYMBOLS and n.name[0].isalpha()
                                and n.name not in ("infty", "ldots", "cdots", "top", "lVert", "rVert")):
            upright = s.isupper() and n.cls == "ord"  # capital Greek stays upright, as in TeX
            return f'<mi mathvariant="normal">{s}</mi>' if upright else f"<mi>{escape(s)}</mi>"
        if n.cls == "func":
            return f"<mi>{s}</mi>"
        if n.cls == "bigop":
            return _mo(BIG_OPERATORS[n.name][2], largeop="false")
        if n.cls == "space":
            return '<mspace width="0.2em"/>'
        if n.cls in ("open", "close"):
            return _mo(s, stretchy="false")
        if n.cls == "punct" and n.name in ",;":
            return _mo(s, separator="true", lspace="0em", rspace="0.25em")
        return _mo(s)
    if isinstance(n, Group):
        return mathml_group(n)
    if isinstance(n, (Paren, Fenced)):
        stretch = "true" if isinstance(n, Fenced) else "false"
        left = _mo(n.left, fence="true", stretchy=stretch) if n.left else ""
        right = _mo(n.right, fence="true", stretchy=stretch) if n.right else ""
        return f"<mrow>{left}{mathml_group(n.body)}{right}</mrow>"
    if isinstance(n, Word):
        if n.kind == "text":
            return f"<mtext>{escape(n.text)}</mtext>"
        return f'<mi mathvariant="normal">{escape(n.text)}</mi>' if len(n.text) == 1 else f"<mi>{escape(n.text)}</mi>"
    if isinstance(n, Frac):
        return f"<mfrac>{mathml_group(n.num)}{mathml_group(n.den)}</mfrac>"
    if isinstance(n, Sqrt):
        return f"<msqrt>{mathml_group(n.body)}</msqrt>"
    if isinstance(n, Accent):
        if n.kind == "mathbf":
            return "<mrow>" + "".join(f"<mi>{_BOLD.get(c, c)}</mi>" for c in group_text(n.body, True)) + "</mrow>"
        return f'<mover accent="true">{mathml_group(n.body)}{_mo(_ACCENT_MO[n.kind], stretchy="false")}</mover>'
    if isinstance(n, Script):
        base = mathml_node(n.base)
        if n.sub is not None and n.sup is not None:
            return f"<msubsup>{base}{mathml_group(n.sub)}{mathml_group(n.sup)}</msubsup>"
        if n.sub is not None:
            return f"<msub>{base}{mathml_group(n.sub)}</msub>"
        return f"<msup>{base}{mathml_group(n.sup)}</msup>"  # type: ignore[arg-type]
    raise TypeError(type(n).__name__)


def mathml_group(g: Group) -> str:
    """A sequence as one ``<mrow>``; a function name is followed by an invisible function application."""
    out = []
    for i, n in enumerate(g.items):
        out.append(mathml_node(n))
        if _cls(n) == "func" and i + 1 < len(g.items):
            out.append(_mo("\u2061"))
            if not isinstance(g.items[i + 1], (Paren, Fenced)):  # det M, trace M: a visible space, as TeX sets it
                out.append('<mspace width="0.17em"/>')
    return "<mrow>" + "".join(out) + "</mrow>"
