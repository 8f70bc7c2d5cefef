"""A small expression tree for worked solutions: what is shown is exactly what is evaluated.

Problem authors write formulas with Python operators on :class:`Sym` objects, substitute numbers with
:meth:`Expr.subs` (the structure stays, so ``⌊(32 + 2·1 − 1·(5−1) − 1)/2⌋ + 1`` prints as written) and get the
value with :meth:`Expr.evaluate`, which converts the tree to sympy and evaluates it exactly (rationals stay
rationals; decimals are read as the decimals shown). Rendering needs no sympy: text (Unicode), LaTeX and Typst.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

FORMATS = ("text", "latex", "typst")

# precedence: higher binds tighter
P_ADD, P_MUL, P_NEG, P_POW, P_ATOM = 10, 20, 25, 30, 100

GREEK = {
    "alpha": ("α", r"\alpha"), "beta": ("β", r"\beta"), "gamma": ("γ", r"\gamma"), "delta": ("δ", r"\delta"),
    "epsilon": ("ε", r"\epsilon"), "eps": ("ε", r"\epsilon"), "theta": ("θ", r"\theta"), "lambda": ("λ", r"\lambda"),
    "mu": ("μ", r"\mu"), "sigma": ("σ", r"\sigma"), "tau": ("τ", r"\tau"), "pi": ("π", r"\pi"), "phi": ("φ", r"\phi"),
    "Sigma": ("Σ", r"\Sigma"), "omega": ("ω", r"\omega"), "kappa": ("κ", r"\kappa"), "rho": ("ρ", r"\rho"),
    "eta": ("η", r"\eta"), "nu": ("ν", r"\nu"), "xi": ("ξ", r"\xi"), "psi": ("ψ", r"\psi"), "zeta": ("ζ", r"\zeta"),
}
_TYPST_GREEK = {"eps": "epsilon", "epsilon": "epsilon.alt"}


def to_expr(x: Any) -> Expr:
    """Wrap numbers, arrays and nested lists as expressions; expressions pass through."""
    if isinstance(x, Expr):
        return x
    if isinstance(x, (bool, np.bool_)):
        return Num(int(x))
    if isinstance(x, (int, np.integer)):
        return Num(int(x))
    if isinstance(x, (float, np.floating, Fraction)):
        return Num(x if isinstance(x, Fraction) else float(x))
    if isinstance(x, (list, tuple, np.ndarray)):
        arr = x.tolist() if isinstance(x, np.ndarray) else x
        if arr and isinstance(arr[0], (list, tuple)):
            return Mat([[to_expr(v) for v in row] for row in arr])
        return Mat([[to_expr(v) for v in arr]])
    raise TypeError(f"cannot make an expression from {type(x).__name__}")


class Expr:
    """Base node. Subclasses implement ``_render``, ``_sympy`` and ``_subs``."""

    prec = P_ATOM

    # --- building -------------------------------------------------------------------------------------------
    def __add__(self, o: Any) -> Expr:
        return Add([(1, self), (1, to_expr(o))])

    def __radd__(self, o: Any) -> Expr:
        return Add([(1, to_expr(o)), (1, self)])

    def __sub__(self, o: Any) -> Expr:
        return Add([(1, self), (-1, to_expr(o))])

    def __rsub__(self, o: Any) -> Expr:
        return Add([(1, to_expr(o)), (-1, self)])

    def __mul__(self, o: Any) -> Expr:
        return Mul([self, to_expr(o)])

    def __rmul__(self, o: Any) -> Expr:
        return Mul([to_expr(o), self])

    def __truediv__(self, o: Any) -> Expr:
        return Div(self, to_expr(o))

    def __rtruediv__(self, o: Any) -> Expr:
        return Div(to_expr(o), self)

    def __pow__(self, o: Any) -> Expr:
        return Pow(self, to_expr(o))

    def __neg__(self) -> Expr:
        return Neg(self)

    def __matmul__(self, o: Any) -> Expr:
        return MatMul(self, to_expr(o))

    @property
    def T(self) -> Expr:  # noqa: N802 - matrix notation
        return Transpose(self)

    # --- using ----------------------------------------------------------------------------------------------
    def subs(self, mapping: dict[Any, Any]) -> Expr:
        """Replace symbols (by Sym or by name) with values, keeping the structure."""
        table = {(k.name if isinstance(k, Sym) else k): to_expr(v) for k, v in mapping.items()}
        return self._subs(table)

    def render(self, fmt: str = "text") -> str:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; use one of {FORMATS}")
        return self._render(fmt)

    def __str__(self) -> str:
        return self.render("text")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.render('text')})"

    def to_sympy(self) -> Any:
        return self._sympy()

    def evaluate(self) -> Any:
        """The exact value: int, Fraction, float, or a numpy array for matrices."""
        return sympy_value(self._sympy())

    def wrap(self, fmt: str, prec: int) -> str:
        s = self._render(fmt)
        if self.prec < prec:
            return r"\left(" + s + r"\right)" if fmt == "latex" else "(" + s + ")"
        return s

    # subclasses
    def _render(self, fmt: str) -> str:
        raise NotImplementedError

    def _sympy(self) -> Any:
        raise NotImplementedError

    def _subs(self, table: dict[str, Expr]) -> Expr:
        return self


def sympy_value(v: Any) -> Any:
    """Convert a sympy result to int / Fraction / float / numpy array."""
    import sympy

    if isinstance(v, sympy.MatrixBase):
        return np.array([[sympy_value(x) for x in row] for row in v.tolist()], dtype=object)
    v = sympy.nsimplify(v) if isinstance(v, sympy.Float) and v == int(v) else v
    if isinstance(v, sympy.Integer):
        return int(v)
    if isinstance(v, sympy.Rational):
        return Fraction(int(v.p), int(v.q))
    if v is sympy.zoo or v is sympy.nan or (hasattr(v, "is_finite") and v.is_finite is False):
        return float("nan")
    return float(v.evalf(30))


def fmt_number(x: Any, digits: int = 6) -> str:
    """Numbers as shown: integers whole, fractions as a/b, floats to ``digits`` significant figures."""
    if isinstance(x, (bool, np.bool_)):
        return str(int(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if isinstance(x, Fraction):
        return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"
    x = float(x)
    if x == 0:
        return "0"
    if not np.isfinite(x):
        return "∞" if x > 0 else ("−∞" if x < 0 else "nan")
    if x == round(x) and abs(x) < 1e15:
        return str(int(round(x)))
    s = f"{x:.{digits}g}"
    if "e" in s:
        mant, exp = s.split("e")
        return f"{mant}e{int(exp)}"
    return s


class Num(Expr):
    """A number shown as it is used."""

    def __init__(self, value: int | float | Fraction, digits: int = 6) -> None:
        self.value = value
        self.digits = digits
        neg = value < 0
        frac = isinstance(value, Fraction) and value.denominator != 1
        self.prec = P_NEG if neg else (P_MUL if frac else P_ATOM)

    def _render(self, fmt: str) -> str:
        s = fmt_number(self.value, self.digits)
        neg = s.startswith("-")
        body = s.lstrip("-")
        if "e" in body and fmt != "text":
            mant, exp = body.split("e")
            body = rf"{mant} \times 10^{{{exp}}}" if fmt == "latex" else f"{mant} times 10^({exp})"
        if "/" in body and fmt == "latex":
            a, b = body.split("/")
            body = rf"\frac{{{a}}}{{{b}}}"
        if body == "∞":
            body = {"text": "∞", "latex": r"\infty", "typst": "infinity"}[fmt]
        return ("−" if fmt == "text" else "-") + body if neg else body

    def _sympy(self) -> Any:
        import sympy

        v = self.value
        if isinstance(v, Fraction):
            return sympy.Rational(v.numerator, v.denominator)
        if isinstance(v, int):
            return sympy.Integer(v)
        if not np.isfinite(v):
            return sympy.oo if v > 0 else -sympy.oo
        return sympy.Rational(repr(float(v)))  # the decimal shown, exactly


class Sym(Expr):
    """A named quantity: ``Sym('H_out')`` renders H_out, H_{\\mathrm{out}}, H_"out"."""

    def __init__(self, name: str, text: str | None = None, latex: str | None = None, typst: str | None = None):
        self.name = name
        base, _, sub = name.partition("_")
        g = GREEK.get(base)
        self._text = text or ((g[0] if g else base) + (f"_{sub}" if sub else ""))
        lbase = g[1] if g else base
        lsub = sub if len(sub) <= 1 or sub.isdigit() else rf"\mathrm{{{sub}}}"
        self._latex = latex or (lbase + (f"_{{{lsub}}}" if sub else ""))
        tbase = _TYPST_GREEK.get(base, base) if g else (base if len(base) == 1 else f'"{base}"')
        tsub = sub if len(sub) <= 1 or sub.isdigit() else f'"{sub}"'
        self._typst = typst or (tbase + (f"_{tsub}" if sub else ""))

    def _render(self, fmt: str) -> str:
        return {"text": self._text, "latex": self._latex, "typst": self._typst}[fmt]

    def _sympy(self) -> Any:
        import sympy

        return sympy.Symbol(self.name)

    def _subs(self, table: dict[str, Expr]) -> Expr:
        return table.get(self.name, self)


def syms(names: str) -> tuple[Sym, ...]:
    """``H, W = syms('H W')``."""
    return tuple(Sym(n) for n in names.split())


class Add(Expr):
    prec = P_ADD

    def __init__(self, terms: list[tuple[int, Expr]]) -> None:
        flat: list[tuple[int, Expr]] = []
        for sign, t in terms:  # flatten nested sums written as a + b + c
            if isinstance(t, Add) and not getattr(t, "grouped", False):
                flat.extend((sign * s, u) for s, u in t.terms)
            else:
                flat.append((sign, t))
        self.terms = flat

    def _render(self, fmt: str) -> str:
        minus = "−" if fmt == "text" else "-"
        out = ""
        for i, (sign, t) in enumerate(self.terms):
            s = t.wrap(fmt, P_ADD + 1 if sign < 0 else P_ADD)
            if isinstance(t, Num) and t.value < 0 and i > 0:
                s = r"\left(" + s + r"\right)" if fmt == "latex" else "(" + s + ")"
            if i == 0:
                out = (minus + s) if sign < 0 else s
            else:
                out += f" {minus if sign < 0 else '+'} {s}"
        return out

    def _sympy(self) -> Any:
        import sympy

        return sympy.Add(*[t._sympy() if s > 0 else -t._sympy() for s, t in self.terms])

    def _subs(self, table: dict[str, Expr]) -> Expr:
        out = Add([(s, t._subs(table)) for s, t in self.terms])
        out.grouped = getattr(self, "grouped", False)
        return out


class Mul(Expr):
    prec = P_MUL

    def __init__(self, factors: list[Expr]) -> None:
        flat: list[Expr] = []
        for f in factors:
            flat.extend(f.factors if isinstance(f, Mul) else [f])
        self.factors = flat

    def _render(self, fmt: str) -> str:
        dot = {"text": "·", "latex": r" \cdot ", "typst": " dot "}[fmt]
        out = ""
        prev: Expr | None = None
        for f in self.factors:
            s = f.wrap(fmt, P_MUL + 1) if prev is not None else f.wrap(fmt, P_MUL)
            if isinstance(f, Num) and f.value < 0 and prev is not None:
                s = r"\left(" + s + r"\right)" if fmt == "latex" else "(" + s + ")"
            if prev is None:
                out = s
            else:
                is_paren = isinstance(f, Func) and f.name == "paren"
                juxt = isinstance(f, Sym) or (isinstance(f, Func) and not is_paren)
                juxt = juxt or (isinstance(f, Pow) and isinstance(f.base, Sym))
                juxt = juxt or ((f.prec < P_MUL + 1 or is_paren) and isinstance(prev, Sym))
                juxt = juxt and not isinstance(prev, Mat) and not isinstance(f, Mat)
                # plain text: "√β_tε" and "C_outC_in" are unreadable; a dot goes after a root or a subscript
                juxt = juxt and not (fmt == "text" and isinstance(prev, Func) and prev.name == "sqrt")
                juxt = juxt and not (fmt == "text" and isinstance(prev, Num) and isinstance(f, Func))
                juxt = juxt and not (fmt == "text" and isinstance(f, Sym) and isinstance(prev, Sym)
                                     and "_" in prev._text)
                out += (" " if fmt != "text" else "") + s if juxt else dot + s
            prev = f
        return out

    def _sympy(self) -> Any:
        import sympy

        return sympy.Mul(*[f._sympy() for f in self.factors])

    def _subs(self, table: dict[str, Expr]) -> Expr:
        return Mul([f._subs(table) for f in self.factors])


class Neg(Expr):
    prec = P_NEG

    def __init__(self, arg: Expr) -> None:
        self.arg = arg

    def _render(self, fmt: str) -> str:
        return ("−" if fmt == "text" else "-") + self.arg.wrap(fmt, P_MUL + 1)

    def _sympy(self) -> Any:
        return -self.arg._sympy()

    def _subs(self, table: dict[str, Expr]) -> Expr:
        return Neg(self.arg._subs(table))


class Div(Expr):
    def __init__(self, num: Expr, den: Expr) -> None:
        self.num, self.den = num, den
        self.prec = P_MUL

    def _render(self, fmt: str) -> str:
        if fmt == "latex":
            return rf"\frac{{{self.num._render(fmt)}}}{{{self.den._render(fmt)}}}"
        return f"{self.num.wrap(fmt, P_MUL)}/{self.den.wrap(fmt, P_MUL + 1)}"

    def _sympy(self) -> Any:
        return self.num._sympy() / self.den._sympy()

    def _subs(self, table: dict[str, Expr]) -> Expr:
        return Div(self.num._subs(table), self.den._subs(table))


_SUPERSCRIPT = str.maketrans("0123456789-+()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺⁽⁾ⁿ")


class Pow(Expr):
    prec = P_POW

    def __init__(self, base: Expr, exp: Expr) -> None:
        self.base, self.exp = base, exp

    def _render(self, fmt: str) -> str:
        b = self.base.wrap(fmt, P_POW + 1)
        e = self.exp._render(fmt)
        if fmt == "latex":
            return f"{b}^{{{e}}}"
        if fmt == "typst":
            return f"{b}^({e})" if len(e) > 1 else f"{b}^{e}"
        if all(c in "0123456789-+()n" for c in e.replace("−", "-")):
            return b + e.replace("−", "-").translate(_SUPERSCRIPT)
        return f"{b}^{self.exp.wrap(fmt, P_ATOM)}"

    def _sympy(self) -> Any:
        return self.base._sympy() ** self.exp._sympy()

    def _subs(self, table: dict[str, Expr]) -> Expr:
        return Pow(self.base._subs(table), self.exp._subs(table))


# name: (text open, text close, latex open, latex close, typst name, sympy name)
_BRACKETS = {
    "floor": ("⌊", "⌋", r"\left\lfloor ", r" \right\rfloor", "floor"),
    "ceil": ("⌈", "⌉", r"\left\lceil ", r" \right\rceil", "ceil"),
    "abs": ("|", "|", r"\left| ", r" \right|", "abs"),
    "sqrt": ("√(", ")", r"\sqrt{", "}", "sqrt"),
    "paren": ("(", ")", r"\left(", r"\right)", ""),
}
_NAMED = {"exp": r"\exp", "ln": r"\ln", "log": r"\log", "tanh": r"\tanh", "sin": r"\sin", "cos": r"\cos",
          "max": r"\max", "min": r"\min", "log2": r"\log_2", "log10": r"\log_{10}"}


class Func(Expr):
    """A function applied to arguments: floor, ceil, sqrt, abs, exp, ln, log2, tanh, sin, cos, max, min, ..."""

    def __init__(self, name: str, *args: Any) -> None:
        self.name = name
        self.args = [to_expr(a) for a in args]

    def _render(self, fmt: str) -> str:
        inner = ", ".join(a._render(fmt) for a in self.args)
        if self.name in _BRACKETS:
            to, tc, lo, lc, tn = _BRACKETS[self.name]
            if fmt == "text":
                if self.name == "sqrt" and isinstance(self.args[0], (Num, Sym)):
                    return "√" + inner
                return to + inner + tc
            if fmt == "latex":
                return lo + inner + lc
            return f"{tn}({inner})"
        if fmt == "latex":
            name = _NAMED.get(self.name, rf"\operatorname{{{self.name}}}")
            return rf"{name}\left({inner}\right)"
        if fmt == "typst":
            tname = {"log2": "log_2", "log10": "log_10"}.get(self.name, self.name)
            known = tname in {"exp", "ln", "log", "tanh", "sin", "cos", "max", "min", "log_2", "log_10"}
            return f"{tname}({inner})" if known else f'op("{tname}")({inner})'
        return f"{self.name}({inner})"

    def _sympy(self) -> Any:
        import sympy

        args = [a._sympy() for a in self.args]
        fn = {
            "floor": sympy.floor, "ceil": sympy.ceiling, "abs": sympy.Abs, "sqrt": sympy.sqrt, "exp": sympy.exp,
            "ln": sympy.log, "log": sympy.log, "tanh": sympy.tanh, "sin": sympy.sin, "cos": sympy.cos,
            "max": sympy.Max, "min": sympy.Min, "paren": lambda x: x,
            "log2": lambda x: sympy.log(x, 2), "log10": lambda x: sympy.log(x, 10),
        }.get(self.name)
        if fn is None:
            raise ValueError(f"function {self.name!r} cannot be evaluated; give the step an explicit value")
        return fn(*args)

    def _subs(self, table: dict[str, Expr]) -> Expr:
        return Func(self.name, *[a._subs(table) for a in self.args])


def floor(x: Any) -> Expr:
    return Func("floor", x)


def ceil(x: Any) -> Expr:
    return Func("ceil", x)


def sqrt(x: Any) -> Expr:
    return Func("sqrt", x)


def paren(x: Any) -> Expr:
    """Explicit parentheses that keep a group (e.g. ``(5−1)``) together after substitution."""
    e = Func("paren", x)
    return e


class Mat(Expr):
    """A matrix (or a row vector, one row) of expressions."""

    def __init__(self, rows: list[list[Expr]]) -> None:
        self.rows = [[to_expr(v) for v in r] for r in rows]

    def _render(self, fmt: str) -> str:
        if fmt == "latex":
            body = r" \\ ".join(" & ".join(v._render(fmt) for v in r) for r in self.rows)
            return r"\begin{bmatrix} " + body + r" \end{bmatrix}"
        if fmt == "typst":
            body = "; ".join(", ".join(v._render(fmt) for v in r) for r in self.rows)
            return f'mat(delim: "[", {body})'
        if len(self.rows) == 1:
            return "[" + ", ".join(v._render(fmt) for v in self.rows[0]) + "]"
        return "[" + ", ".join("[" + ", ".join(v._render(fmt) for v in r) + "]" for r in self.rows) + "]"

    def _sympy(self) -> Any:
        import sympy

        return sympy.Matrix([[v._sympy() for v in r] for r in self.rows])

    def _subs(self, table: dict[str, Expr]) -> Expr:
        return Mat([[v._subs(table) for v in r] for r in self.rows])


class MatMul(Expr):
    prec = P_MUL

    def __init__(self, a: Expr, b: Expr) -> None:
        self.a, self.b = a, b

    def _render(self, fmt: str) -> str:
        sep = {"text": " ", "latex": " ", "typst": " "}[fmt]
        return self.a.wrap(fmt, P_MUL) + sep + self.b.wrap(fmt, P_MUL + 1)

    def _sympy(self) -> Any:
        return self.a._sympy() * self.b._sympy()

    def _subs(self, table: dict[str, Expr]) -> Expr:
        return MatMul(self.a._subs(table), self.b._subs(table))


class Transpose(Expr):
    prec = P_POW

    def __init__(self, a: Expr) -> None:
        self.a = a

    def _render(self, fmt: str) -> str:
        s = self.a.wrap(fmt, P_ATOM)
        return {"text": s + "ᵀ", "latex": s + "^{\\top}", "typst": s + "^top"}[fmt]

    def _sympy(self) -> Any:
        return self.a._sympy().T

    def _subs(self, table: dict[str, Expr]) -> Expr:
        return Transpose(self.a._subs(table))


class Text(Expr):
    """Words inside a formula (not evaluable)."""

    def __init__(self, s: str) -> None:
        self.s = s

    def _render(self, fmt: str) -> str:
        return {"text": self.s, "latex": rf"\text{{{self.s}}}", "typst": f'"{self.s}"'}[fmt]

    def _sympy(self) -> Any:
        raise ValueError(f"text {self.s!r} cannot be evaluated")
