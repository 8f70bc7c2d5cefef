"""MathML (Core) rendering of the expression tree, for HTML that shows math without network or scripts.

It mirrors :mod:`examprep.solver.expr`'s LaTeX rendering: the same parenthesisation (through each node's ``prec``),
the same juxtaposition rules for products, fractions as ``mfrac``, matrices as bracketed ``mtable``.
"""

from __future__ import annotations

from html import escape
from typing import Any

from examprep.solver.expr import (
    GREEK,
    P_ADD,
    P_ATOM,
    P_MUL,
    P_POW,
    Add,
    Div,
    Expr,
    Func,
    Mat,
    MatMul,
    Mul,
    Neg,
    Num,
    Pow,
    Sym,
    Text,
    Transpose,
    fmt_number,
    to_expr,
)

_BRACKETS = {"floor": ("⌊", "⌋"), "ceil": ("⌈", "⌉"), "abs": ("|", "|"), "paren": ("(", ")")}


def _mo(s: str, **attrs: str) -> str:
    extra = "".join(f' {k}="{v}"' for k, v in attrs.items())
    return f"<mo{extra}>{escape(s)}</mo>"


def _mi(s: str) -> str:
    return f"<mi>{escape(s)}</mi>"


def _mn(s: str) -> str:
    return f"<mn>{escape(s)}</mn>"


def _row(*items: str) -> str:
    return "<mrow>" + "".join(items) + "</mrow>"


def _fenced(inner: str, left: str = "(", right: str = ")") -> str:
    return _row(_mo(left, fence="true"), inner, _mo(right, fence="true"))


def wrap(e: Expr, prec: int) -> str:
    """``e`` as MathML, in parentheses when it binds more loosely than ``prec``."""
    s = node(e)
    return _fenced(s) if e.prec < prec else s


def _num(e: Num) -> str:
    s = fmt_number(e.value, e.digits)
    neg = s.startswith("-")
    body = s.lstrip("-")
    if "e" in body:
        mant, exp = body.split("e")
        out = _row(_mn(mant), _mo("×"), f"<msup>{_mn('10')}{_exp_mn(exp)}</msup>")
    elif "/" in body:
        a, b = body.split("/")
        out = f"<mfrac>{_mn(a)}{_mn(b)}</mfrac>"
    elif body == "∞":
        out = _mi("∞")
    else:
        out = _mn(body)
    return _row(_mo("−"), out) if neg else out


def _exp_mn(exp: str) -> str:
    return _row(_mo("−"), _mn(exp[1:])) if exp.startswith("-") else _mn(exp)


def _sym(e: Sym) -> str:
    if e.tex is not None:  # spelled in markup: the same tree every format uses
        from examprep.solver.texmath import parse
        from examprep.solver.texmath_out import mathml_group

        return mathml_group(parse(e.tex))
    base, _, sub = e.name.partition("_")
    g = GREEK.get(base)
    default = (g[0] if g else base) + (f"_{sub}" if sub else "")
    if e._text != default:  # a symbol with its own spelling
        return _mi(e._text)
    b = _mi(g[0] if g else base)
    return f"<msub>{b}{_mn(sub) if sub.isdigit() else _mi(sub)}</msub>" if sub else b


def _add(e: Add) -> str:
    out: list[str] = []
    for i, (sign, t) in enumerate(e.terms):
        s = wrap(t, P_ADD + 1 if sign < 0 else P_ADD)
        if isinstance(t, Num) and t.value < 0 and i > 0:
            s = _fenced(s)
        if i == 0:
            out.append(_mo("−") + s if sign < 0 else s)
        else:
            out.append(_mo("−" if sign < 0 else "+") + s)
    return _row(*out)


def _mul(e: Mul) -> str:
    out: list[str] = []
    prev: Expr | None = None
    for f in e.factors:
        s = wrap(f, P_MUL + 1) if prev is not None else wrap(f, P_MUL)
        if isinstance(f, Num) and f.value < 0 and prev is not None:
            s = _fenced(s)
        if prev is not None:
            is_paren = isinstance(f, Func) and f.name == "paren"
            juxt = isinstance(f, Sym) or (isinstance(f, Func) and not is_paren)
            juxt = juxt or (isinstance(f, Pow) and isinstance(f.base, Sym))
            juxt = juxt or ((f.prec < P_MUL + 1 or is_paren) and isinstance(prev, Sym))
            juxt = juxt and not isinstance(prev, Mat) and not isinstance(f, Mat)
            out.append(_mo("\u2062") if juxt else _mo("·"))
        out.append(s)
        prev = f
    return _row(*out)


def _func(e: Func) -> str:
    args = [node(a) for a in e.args]
    inner = _row(*[x for i, a in enumerate(args) for x in ((_mo(","), a) if i else (a,))])
    if e.name == "sqrt":
        return f"<msqrt>{inner}</msqrt>"
    if e.name in _BRACKETS:
        left, right = _BRACKETS[e.name]
        return _fenced(inner, left, right)
    if e.name in ("log2", "log10"):
        name = f"<msub>{_mi('log')}{_mn(e.name[3:])}</msub>"
    else:
        name = _mi(e.name)
    return _row(name, _mo("\u2061"), _fenced(inner))


def _mat(e: Mat) -> str:
    rows = "".join("<mtr>" + "".join(f"<mtd>{node(v)}</mtd>" for v in r) + "</mtr>" for r in e.rows)
    return _fenced(f'<mtable class="mat">{rows}</mtable>', "[", "]")


def node(e: Expr | Any) -> str:
    """The MathML of one expression (no ``<math>`` wrapper)."""
    e = e if isinstance(e, Expr) else to_expr(e)
    if isinstance(e, Num):
        return _num(e)
    if isinstance(e, Sym):
        return _sym(e)
    if isinstance(e, Add):
        return _add(e)
    if isinstance(e, Mul):
        return _mul(e)
    if isinstance(e, Neg):
        return _row(_mo("−"), wrap(e.arg, P_MUL + 1))
    if isinstance(e, Div):
        return f"<mfrac>{_row(node(e.num))}{_row(node(e.den))}</mfrac>"
    if isinstance(e, Pow):
        return f"<msup>{_row(wrap(e.base, P_POW + 1))}{_row(node(e.exp))}</msup>"
    if isinstance(e, Func):
        return _func(e)
    if isinstance(e, Mat):
        return _mat(e)
    if isinstance(e, MatMul):
        return _row(wrap(e.a, P_MUL), _mo("\u2062"), wrap(e.b, P_MUL + 1))
    if isinstance(e, Transpose):
        return f"<msup>{_row(wrap(e.a, P_ATOM))}{_mi('⊤')}</msup>"
    if isinstance(e, Text):
        return f"<mtext>{escape(e.s)}</mtext>"
    return f"<mtext>{escape(e.render('text'))}</mtext>"  # a node type added later: readable, if plain


def mathml(e: Expr | Any, display: bool = False) -> str:
    """A complete ``<math>`` element; ``display`` makes it a block."""
    attr = ' display="block"' if display else ""
    return f'<math xmlns="http://www.w3.org/1998/Math/MathML"{attr}>{node(e)}</math>'
