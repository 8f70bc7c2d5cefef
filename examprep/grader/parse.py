"""A small safe parser for submitted answers. It never calls eval, exec, sympify or parse_expr.

Grammar (recursive descent)::

    answer  := label | expr
    expr    := term (('+' | '-') term)*
    term    := unary (('*' | '/' | '·' | '×') unary)*
    unary   := ('-' | '+') unary | power
    power   := atom (('^' | '**') unary)?
    atom    := number | const | func '(' expr ')' | '(' expr ')' | '[' list ']'

A label is a word or words (letters, digits, ``_``, ``-``, ``'``, spaces; first a letter; at most 64 characters);
a word may also be the end token ``</s>`` of a decoder's output (``A </s>``).

Numbers may be integers, decimals, scientific notation; constants are ``pi`` and ``e``; functions are sqrt, exp,
ln, log (natural), log2, log10, sin, cos, tanh. Lists make vectors and matrices (rectangular only).

Answers (never parameters) may also be: a percentage ``86.5%`` for a part that is a probability or a share
(``percent=True``); infinity ``inf``, ``∞`` or ``infinity`` (``infinite=True``; a KL divergence can be infinite);
and, through :func:`decimal_commas`, numbers with a decimal comma (``0,694``; ``[0,865; 0,117]`` with semicolons
between entries, as spreadsheets in most of Europe write them).
"""

from __future__ import annotations

import math
import re
from typing import Any

MAX_LEN = 10_000
MAX_DEPTH = 16
MAX_ITEMS = 10_000

_TOKEN = re.compile(
    r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_][A-Za-z_0-9]*)"
    r"|(?P<op>\*\*|[-+*/^(),\[\]·×−%∞]))"
)
_FUNCS = {
    "sqrt": math.sqrt, "exp": math.exp, "ln": math.log, "log": math.log, "log2": math.log2,
    "log10": math.log10, "sin": math.sin, "cos": math.cos, "tanh": math.tanh,
}
_CONSTS = {"pi": math.pi, "e": math.e, "π": math.pi}
_LABEL = re.compile(r"^[A-Za-z][A-Za-z0-9 _'\-]{0,63}$")
# The end-of-sequence token of a decoder's output ("A </s>"): a label may hold it as a word of its own, separated by
# spaces; it counts as four letters for the length rule. No other <, / or > is read.
_END_TOKEN = re.compile(r"(?i)(?<!\S)</s>(?!\S)")


def is_label(s: str) -> bool:
    """Whether ``s`` (already stripped) is a label: words of letters, digits, _, - and ' (starting with a letter)
    separated by spaces, at most 64 characters, where a word may also be the end token ``</s>``."""
    return bool(_LABEL.match(_END_TOKEN.sub("Xend", s)))


class ParseError(ValueError):
    """The answer text is not a well-formed answer; the message says why."""


_INFINITY = ("inf", "infinity", "∞")
_SCALAR_COMMA = re.compile(r"[+\-−]?\d+,\d+(?:[eE][+\-]?\d+)?%?")
_THOUSANDS = re.compile(r"[+\-−]?\d{1,3}(?:,\d{3})+")


def decimal_commas(text: str, kind: str | None) -> tuple[str, bool]:
    """The text with decimal commas turned into points, and whether it had any.

    A scalar part reads ``0,694`` as 0.694 (an integer part reads ``1,000`` as 1000); a vector or matrix written
    with semicolons between entries (``[0,865; 0,117]``) reads its commas as decimal commas. In any other vector or
    matrix the comma separates entries.
    """
    s = text.strip()
    if kind == "integer" and _THOUSANDS.fullmatch(s):
        return s.replace(",", ""), True
    if kind in ("real", "integer") and _SCALAR_COMMA.fullmatch(s):
        return s.replace(",", "."), True
    if kind in ("vector", "matrix") and ";" in s and s.startswith("["):
        return s.replace(",", ".").replace(";", ","), "," in s
    return text, False


def parse_answer(text: Any, kind: str | None = None, percent: bool = False, infinite: bool = False) -> Any:
    """Parse submitted text into an int, a float, a (nested) list of numbers, or a label string.

    Args:
        percent: read ``86.5%`` as 0.865 (parts that are probabilities or shares); otherwise ``%`` is refused.
        infinite: read ``inf``, ``∞`` and ``infinity`` (signed) as infinity; otherwise they are refused.

    Raises:
        ParseError: for anything that is not a well-formed answer (finite unless ``infinite``).
    """
    if not isinstance(text, str):
        raise ParseError(f"expected text, got {type(text).__name__}")
    if len(text) > MAX_LEN:
        raise ParseError(f"answer is too long ({len(text)} characters; at most {MAX_LEN})")
    s = text.strip().replace("−", "-").replace("\u00a0", " ")
    if not s:
        raise ParseError("empty answer")
    if kind in ("label", "choice"):
        if not is_label(s):
            raise ParseError("a label is a word such as 'corner' (letters, digits, spaces, - and _), or words "
                             "such as 'B A </s>' (the end token </s> as a word of its own)")
        return s
    if is_label(s) and s.lower() not in _CONSTS and not re.fullmatch(r"(?i)(nan|inf|infinity)", s):
        if not any(s.lower().startswith(f + "(") for f in _FUNCS):
            if kind is None:
                return s
            raise ParseError(f"{s!r} is not a number")
    value = _Parser(s, percent, infinite).parse()
    if kind == "integer" and isinstance(value, list):
        raise ParseError("expected a single integer, got a list")
    return value


class _Parser:
    def __init__(self, s: str, percent: bool = False, infinite: bool = False) -> None:
        self.percent, self.infinite = percent, infinite
        self.tokens = self._tokenize(s)
        self.i = 0
        self.depth = 0
        self.items = 0

    @staticmethod
    def _tokenize(s: str) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        pos = 0
        while pos < len(s):
            m = _TOKEN.match(s, pos)
            if not m or m.end() == pos:
                if s[pos:].strip() == "":
                    break
                raise ParseError(f"unexpected character {s[pos]!r} at position {pos + 1}")
            kind = m.lastgroup or ""
            tok = m.group(kind)
            out.append((kind, {"·": "*", "×": "*", "−": "-"}.get(tok, tok)))
            pos = m.end()
        return out

    def peek(self) -> str | None:
        return self.tokens[self.i][1] if self.i < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.i >= len(self.tokens):
            raise ParseError("the answer ends too early" + (f" (expected {expected!r})" if expected else ""))
        tok = self.tokens[self.i]
        if expected is not None and tok[1] != expected:
            raise ParseError(f"expected {expected!r} but found {tok[1]!r}")
        self.i += 1
        return tok

    def parse(self) -> Any:
        v = self.expr()
        if self.i != len(self.tokens):
            raise ParseError(f"unexpected {self.tokens[self.i][1]!r} after the answer")
        return v

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ParseError(f"nested too deeply (more than {MAX_DEPTH} levels)")

    def expr(self) -> Any:
        self._enter()
        v = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()[1]
            w = self.term()
            v = _arith(op, v, w)
        self.depth -= 1
        return v

    def term(self) -> Any:
        v = self.unary()
        while self.peek() in ("*", "/"):
            op = self.take()[1]
            w = self.unary()
            v = _arith(op, v, w)
        return v

    def unary(self) -> Any:
        if self.peek() in ("-", "+"):
            op = self.take()[1]
            self._enter()
            v = self.unary()
            self.depth -= 1
            if isinstance(v, float) and math.isinf(v):
                return -v if op == "-" else v
            return _arith("-", 0, v) if op == "-" else _num(v)
        return self.power()

    def power(self) -> Any:
        base = self.atom()
        if self.peek() == "%":
            self.take()
            if not self.percent:
                raise ParseError("a percentage is read only where the answer is a probability or a share; "
                                 "write it as a number (0.865, not 86.5%)")
            return _arith("/", base, 100)
        if self.peek() in ("^", "**"):
            self.take()
            self._enter()
            exp = self.unary()
            self.depth -= 1
            return _arith("^", base, exp)
        return base

    def atom(self) -> Any:
        kind, tok = self.take()
        if kind == "num":
            if re.fullmatch(r"\d+", tok):
                if len(tok) > 300:
                    raise ParseError("number too large")
                return _finite(int(tok))
            return _finite(float(tok))
        if tok == "∞" or (kind == "name" and tok.lower() in _INFINITY[:2] and self.peek() != "("):
            if not self.infinite:
                raise ParseError("infinity is not allowed here")
            if self.peek() is not None and self.peek() not in (",", "]"):
                raise ParseError("write infinity on its own (inf or ∞), without arithmetic")
            return math.inf
        if kind == "name":
            low = tok.lower()
            if low in _CONSTS and self.peek() != "(":
                return _CONSTS[low]
            if low in _FUNCS:
                self.take("(")
                arg = self.expr()
                self.take(")")
                return _call(low, arg)
            raise ParseError(f"unknown name {tok!r} (allowed: numbers, pi, e, {', '.join(sorted(_FUNCS))})")
        if tok == "(":
            v = self.expr()
            self.take(")")
            return v
        if tok == "[":
            return self.listing()
        raise ParseError(f"unexpected {tok!r}")

    def listing(self) -> list[Any]:
        self._enter()
        items: list[Any] = []
        if self.peek() == "]":
            raise ParseError("empty list")
        while True:
            items.append(self.expr())
            self.items += 1
            if self.items > MAX_ITEMS:
                raise ParseError(f"too many entries (at most {MAX_ITEMS})")
            if self.peek() == ",":
                self.take()
                continue
            self.take("]")
            break
        self.depth -= 1
        nested = [isinstance(x, list) for x in items]
        if any(nested) and not all(nested):
            raise ParseError("a list mixes numbers and rows")
        if all(nested):
            lengths = {len(x) for x in items}
            if len(lengths) != 1:
                raise ParseError("the rows of the matrix have different lengths")
            if any(isinstance(y, list) for x in items for y in x):
                raise ParseError("only vectors and matrices are allowed (no deeper nesting)")
        return items


def _num(v: Any) -> Any:
    if isinstance(v, list):
        raise ParseError("arithmetic on lists is not supported; give each entry")
    return v


def _finite(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        raise ParseError("the number is not finite (overflow, inf or nan)")
    if isinstance(v, int) and abs(v) > 10**300:
        raise ParseError("number too large")
    return v


def _arith(op: str, a: Any, b: Any) -> Any:
    a, b = _num(a), _num(b)
    try:
        if op == "+":
            r = a + b
        elif op == "-":
            r = a - b
        elif op == "*":
            r = a * b
        elif op == "/":
            if b == 0:
                raise ParseError("division by zero")
            r = a / b
            if isinstance(a, int) and isinstance(b, int) and a % b == 0:
                r = a // b
        else:
            if abs(b) > 1000 or (abs(a) > 1e100 and b > 1):
                raise ParseError("power too large")
            if isinstance(a, int) and isinstance(b, int) and b >= 0:
                r = a**b
            else:
                r = float(a) ** float(b)
                if isinstance(r, complex):
                    raise ParseError("the power has no real value")
    except OverflowError:
        raise ParseError("number too large") from None
    except ZeroDivisionError:
        raise ParseError("division by zero") from None
    return _finite(r)


def _call(name: str, arg: Any) -> float:
    x = _num(arg)
    try:
        r = _FUNCS[name](x)
    except (ValueError, OverflowError):
        raise ParseError(f"{name}({x}) is undefined or too large") from None
    return _finite(r)
