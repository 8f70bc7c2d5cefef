"""A small expression tree for worked solutions: what is shown is exactly what is evaluated.

Problem authors write formulas with Python operators on :class:`Sym` objects, substitute numbers with
:meth:`Expr.subs` (the structure stays, so ``⌊(32 + 2·1 − 1·(5−1) − 1)/2⌋ + 1`` prints as written) and get the
value with :meth:`Expr.evaluate`, which converts the tree to sympy and evaluates it exactly (rationals stay
rationals; decimals are read as the decimals shown). Rendering needs no sympy: text (Unicode), LaTeX and Typst.
The nodes are in three modules: this one (the base :class:`Expr`, numbers, symbols, text), :mod:`.ops`
(arithmetic and functions) and :mod:`.matrix` (matrices). Import every node from here.
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
_NAME_OF = {u: n for n, (u, _) in reversed(GREEK.items())}  # Sym("α") spells like Sym("alpha")


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
    """A named quantity: ``Sym('H_out')`` renders H_out, H_{\\mathrm{out}}, H_"out".

    A symbol spelled otherwise than its name gives its spelling once, as inline-math markup
    (``Sym("D", tex="D^*")``, ``Sym("det_2", tex=r"\\det \\Sigma_2")``; see :mod:`examprep.solver.texmath`), and
    every format is derived from it, so the text, LaTeX, Typst and MathML derivations show the same symbol. The
    older ``text``/``latex``/``typst`` spellings must come together (a text spelling alone leaves the typeset formats
    showing the bare name; ``text_only`` marks such a symbol and the symbol test refuses it).
    """

    def __init__(self, name: str, text: str | None = None, latex: str | None = None, typst: str | None = None, *,
                 tex: str | None = None):
        self.name = name
        self.tex = tex
        if tex is not None:
            from examprep.solver import texmath, texmath_out

            tree = texmath.parse(tex)
            text = text or texmath_out.normalized_text(tree)
            latex, typst = latex or tex, typst or texmath_out.typst_group(tree)
            if not texmath_out.is_one_term(tree):  # det Σ_2 in 1/(det Σ_2) keeps its parentheses
                self.prec = P_MUL
        # A text spelling without LaTeX/Typst ones leaves those formats showing the bare name (D for D*); the
        # symbol test (tests/test_symbols.py) refuses such symbols, rendering still works.
        self.text_only = text is not None and tex is None and (latex is None or typst is None)
        base, _, sub = name.partition("_")
        base = _NAME_OF.get(base, base)
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


class Text(Expr):
    """Words inside a formula (not evaluable)."""

    def __init__(self, s: str) -> None:
        self.s = s

    def _render(self, fmt: str) -> str:
        return {"text": self.s, "latex": rf"\text{{{self.s}}}", "typst": f'"{self.s}"'}[fmt]

    def _sympy(self) -> Any:
        raise ValueError(f"text {self.s!r} cannot be evaluated")


# The operator and matrix nodes subclass Expr, so they are defined after it; their modules import this one.
from examprep.solver.matrix import Mat, MatMul, Transpose  # noqa: E402
from examprep.solver.ops import Add, Div, Func, Mul, Neg, Pow, ceil, floor, paren, sqrt  # noqa: E402

__all__ = ["FORMATS", "GREEK", "P_ADD", "P_ATOM", "P_MUL", "P_NEG", "P_POW", "Add", "Div", "Expr", "Func", "Mat",
           "MatMul", "Mul", "Neg", "Num", "Pow", "Sym", "Text", "Transpose", "ceil", "floor", "fmt_number", "paren",
           "sqrt", "sympy_value", "syms", "to_expr"]
