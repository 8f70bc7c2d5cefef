"""Arithmetic and function nodes of the expression tree: sums, products, quotients, powers, ln/exp/⌊⌋/√."""

from __future__ import annotations

from typing import Any

from examprep.solver.expr import P_ADD, P_ATOM, P_MUL, P_NEG, P_POW, Expr, Num, Sym, to_expr
from examprep.solver.matrix import Mat


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
            if i > 0 and isinstance(t, Neg):  # "a + −b" reads as "a − b", "a − −b" as "a + b"
                sign, t = -sign, t.arg
            if i > 0 and isinstance(t, Mul) and isinstance(t.factors[0], Num) and t.factors[0].value < 0:
                t = Mul([paren(t.factors[0]), *t.factors[1:]])  # "a + −0.8·x" reads as "a + (−0.8)·x"
            s = t.wrap(fmt, P_ADD + 1 if sign < 0 else P_ADD)
            if i > 0 and s.startswith(("−", "-")):  # a negative number or quotient: "a − (−0.9)/1"
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
                # a compound symbol (KL(P ‖ M), det Σ_2) reads as one factor only with a dot: 2·JSD(P ‖ Q)
                juxt = juxt and not (fmt == "text" and isinstance(f, Sym) and f.tex is not None and len(f._text) > 2)
                juxt = juxt and not (fmt == "text" and isinstance(f, Sym) and isinstance(prev, Sym)
                                     and "_" in prev._text)
                # ... and between a letter and a multi-letter or subscripted name, or the same letter twice:
                # "dd_head" and "dd" read as one name; "d·d_head", "d·d" do not ("hn²" stays)
                juxt = juxt and not (fmt == "text" and _ambiguous(prev, f))
                # "σ_min(σ_max/σ_min)" reads as a function call: a dot after a subscripted name before brackets
                juxt = juxt and not (fmt == "text" and s.startswith("(") and isinstance(prev, Sym)
                                     and "_" in prev._text)
                # a named function after a factor takes a space: "y ln(p)", "(1 − y) ln(1 − p)", "(−1) cos(3)"
                named = isinstance(f, Func) and f.name not in _BRACKETS
                gap = " " if fmt != "text" or named else ""
                out += gap + s if juxt else dot + s
            prev = f
        return out

    def _sympy(self) -> Any:
        import sympy

        return sympy.Mul(*[f._sympy() for f in self.factors])

    def _subs(self, table: dict[str, Expr]) -> Expr:
        return Mul([f._subs(table) for f in self.factors])


def _sym_of(e: Expr) -> Sym | None:
    """The symbol ``e`` is, or the base of the power ``e`` is (``n`` of ``n²``), else None."""
    if isinstance(e, Pow) and isinstance(e.base, Sym):
        return e.base
    return e if isinstance(e, Sym) else None


def _ambiguous(prev: Expr, f: Expr) -> bool:
    """Whether the plain-text juxtaposition of ``prev`` and ``f`` would read as one name."""
    a, b = _sym_of(prev) if isinstance(prev, Sym) else None, _sym_of(f)
    if a is None or b is None:
        return False
    return len(a._text) > 1 or len(b._text) > 1 or a._text == b._text


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
            if self.name.isalpha() and not self.name.isascii():  # Φ(x): the letter as TeX math (\Phi), not Unicode
                from examprep.solver.prose import tex_text

                name = tex_text(self.name).replace("\\ensuremath", "")
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
