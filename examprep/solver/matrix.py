"""Matrix nodes of the expression tree: a matrix of expressions, a matrix product, a transpose."""

from __future__ import annotations

from typing import Any

from examprep.solver.expr import P_ATOM, P_MUL, P_POW, Expr, to_expr


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
