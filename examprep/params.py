"""Parameter declarations, the immutable ``Params`` mapping, and parsing of ``--set NAME=VALUE``.

A problem declares its parameters as a tuple of :class:`Param`. Values are plain Python data (ints, floats,
strings, bools, tuples for vectors, tuples of tuples for matrices, or JSON-like data for structured parameters),
so params serialise to JSON as they are and the same names work for ``--set`` and for JSON.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from examprep.errors import ParamError

KINDS = ("int", "real", "bool", "choice", "str", "vector", "int_vector", "matrix", "json", "str_list")
MAX_TEXT = 10_000  # characters of one --set value
MAX_DEPTH = 6  # nesting of a JSON-valued parameter
MAX_DIGITS = 15  # digits of an integer in a JSON-valued parameter
MAX_MAGNITUDE = 1e9  # size of any number in a JSON-valued parameter
QUOTE = 80  # characters of a value quoted in an error line


@dataclass(frozen=True)
class Param:
    """One parameter: its name (the contract for ``--set`` and JSON), kind, meaning and allowed range."""

    name: str
    kind: str
    doc: str
    lo: float | None = None
    hi: float | None = None
    choices: tuple[Any, ...] | None = None
    default: Any = None
    optional: bool = False  # may be absent (None) even without a default

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"param {self.name}: unknown kind {self.kind!r}")

    def allowed(self) -> str:
        """A short description of what values are allowed, for error messages and help."""
        if self.kind == "choice":
            return "one of " + ", ".join(str(c) for c in self.choices or ())
        rng = ""
        if self.lo is not None and self.hi is not None:
            rng = f" from {_num(self.lo)} to {_num(self.hi)}"
        elif self.lo is not None:
            rng = f" ≥ {_num(self.lo)}"
        elif self.hi is not None:
            rng = f" ≤ {_num(self.hi)}"
        what = {
            "int": "an integer", "real": "a number", "bool": "true or false", "str": "text",
            "vector": "a list of numbers like [0.1, 0.2]", "int_vector": "a list of integers like [1, 2]",
            "matrix": "a matrix like [[1, 2], [3, 4]]", "json": "JSON", "str_list": "a list of names like [a, b]",
        }[self.kind]
        if self.kind in ("vector", "int_vector", "matrix") and rng:
            rng = ", entries" + rng
        return what + rng


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


class Params(Mapping[str, Any]):
    """An immutable mapping of parameter values with attribute access (``p.H``).

    The values live in the instance ``__dict__``, so ``p.H`` is a plain attribute lookup (references read
    parameters of 100,000s of instances); a parameter may therefore not be named like a method of this class.
    """

    def __init__(self, values: Mapping[str, Any] | None = None, **kw: Any) -> None:
        d = dict(values or {})
        d.update(kw)
        if not d.keys().isdisjoint(_RESERVED):
            raise ValueError(f"parameter names {sorted(d.keys() & _RESERVED)} clash with Params' own attributes")
        object.__setattr__(self, "__dict__", {k: _freeze(v) for k, v in d.items()})

    def __getitem__(self, k: str) -> Any:
        return self.__dict__[k]

    def __setattr__(self, k: str, v: Any) -> None:
        raise AttributeError("Params are immutable; use .replace(name=value)")

    def __delattr__(self, k: str) -> None:
        raise AttributeError("Params are immutable; use .replace(name=value)")

    def __iter__(self) -> Iterator[str]:
        return iter(self.__dict__)

    def __len__(self) -> int:
        return len(self.__dict__)

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_json(), sort_keys=True))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and self.__dict__ == {k: _freeze(v) for k, v in other.items()}

    def __repr__(self) -> str:
        return "Params(" + ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items()) + ")"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Params, (dict(self.__dict__),))

    def replace(self, **kw: Any) -> Params:
        return Params({**self.__dict__, **kw})

    def to_json(self) -> dict[str, Any]:
        return {k: _thaw(v) for k, v in self.__dict__.items()}


_RESERVED = frozenset(dir(Params)) | {"__dict__"}


_ATOMS = frozenset({int, float, str, bool, type(None)})


def _freeze(v: Any) -> Any:
    t = type(v)
    if t in _ATOMS:
        return v
    if t is tuple or t is list:
        if all(type(x) in _ATOMS for x in v):
            return v if t is tuple else tuple(v)
        return tuple(_freeze(x) for x in v)
    if hasattr(v, "tolist"):  # numpy arrays and scalars
        return _freeze(v.tolist())
    if isinstance(v, (list, tuple)):
        return tuple(_freeze(x) for x in v)
    if isinstance(v, dict):
        return tuple(sorted((k, _freeze(x)) for k, x in v.items()))
    return v


def _thaw(v: Any) -> Any:
    if isinstance(v, tuple):
        return [_thaw(x) for x in v]
    return v


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, 21st."""
    suffix = "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


NULLS = ("null", "none")


def parse_value(param: Param, text: str) -> Any:
    """Parse the text of ``--set NAME=VALUE`` into the parameter's kind (never evaluates code)."""
    from examprep.grader.parse import ParseError, parse_answer

    t = text.strip()
    q = quote(text)
    if len(t) > MAX_TEXT:
        raise ParamError(f"{param.name}={q}: the value is longer than {MAX_TEXT:,} characters")
    if t.lower() in NULLS:  # --set NAME=null: the parameter's default
        if param.optional or param.default is not None:
            return param.default
        raise ParamError(f"{param.name}={t}: {param.name} has no default; give a value ({param.allowed()})")
    try:
        if param.kind == "bool":
            low = t.lower()
            if low in ("1", "true", "yes", "on", "y"):
                return True
            if low in ("0", "false", "no", "off", "n"):
                return False
            raise ParamError(f"{param.name}={q}: expected true or false")
        if param.kind in ("str", "choice"):
            return _coerce_choice(param, t)
        if param.kind == "str_list":
            inner = t[1:-1] if t.startswith("[") and t.endswith("]") else t
            return tuple(s.strip().strip("'\"") for s in inner.split(",") if s.strip())
        if param.kind == "json":
            return parse_json(param, t)
        v = parse_answer(t)
    except ParseError as e:
        raise ParamError(f"{param.name}={q} does not parse ({e}); expected {param.allowed()}") from None
    except json.JSONDecodeError as e:
        raise ParamError(f"{param.name}={q} is not valid JSON ({e.msg})") from None
    if param.kind in ("int", "real"):
        if not isinstance(v, (int, float)):
            raise ParamError(f"{param.name}={q}: expected {param.allowed()}")
        if param.kind == "int":
            if float(v) != int(v):
                raise ParamError(f"{param.name}={q}: expected an integer")
            return int(v)
        return float(v)
    if param.kind in ("vector", "int_vector"):
        if isinstance(v, (int, float)):
            v = [v]
        if not isinstance(v, list) or any(isinstance(x, list) for x in v):
            raise ParamError(f"{param.name}={q}: expected {param.allowed()}")
        if param.kind == "int_vector":
            if any(float(x) != int(x) for x in v):
                raise ParamError(f"{param.name}={q}: expected integers")
            return tuple(int(x) for x in v)
        return tuple(float(x) for x in v)
    if param.kind == "matrix":
        if isinstance(v, list) and v and not isinstance(v[0], list):
            v = [v]
        if not isinstance(v, list) or not all(isinstance(r, list) for r in v):
            raise ParamError(f"{param.name}={q}: expected {param.allowed()}")
        return tuple(tuple(float(x) if float(x) != int(x) else int(x) for x in r) for r in v)
    raise ParamError(f"{param.name}: cannot parse kind {param.kind}")


def _coerce_choice(param: Param, t: str) -> Any:
    if param.kind != "choice" or not param.choices:
        return t
    for c in param.choices:
        if str(c).lower() == t.lower():
            return c
    raise ParamError(f"{param.name}={quote(t)}: expected {param.allowed()}")


def check_value(param: Param, value: Any) -> None:
    """Check kind and range of one value; raises ParamError naming the parameter and what is allowed."""
    try:
        _check_value(param, value)
    except _Bad as e:
        raise ParamError(f"{param.name}={_clip(_show(e.value))} is not allowed: expected {param.allowed()}") from None


def _check_value(param: Param, value: Any) -> None:
    if value is None:
        if param.optional:
            return
        raise ParamError(f"missing parameter {param.name} ({param.doc}); give it with --set {param.name}=...")
    k = param.kind
    bad = _Bad(param, value)
    if k == "int" and (isinstance(value, bool) or not isinstance(value, int)):
        raise bad
    if k == "real" and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise bad
    if k == "bool" and not isinstance(value, bool):
        raise bad
    if k == "choice" and value not in (param.choices or ()):
        raise bad
    nums: list[Any] = []
    if k in ("int", "real"):
        nums = [value]
    elif k in ("vector", "int_vector"):
        if not isinstance(value, tuple) or not value:
            raise bad
        nums = list(value)
    elif k == "matrix":
        if not isinstance(value, tuple) or not value or any(not isinstance(r, tuple) or not r for r in value):
            raise bad
        if len({len(r) for r in value}) != 1:
            raise ParamError(f"{param.name}: every row of the matrix must have the same length")
        nums = [x for r in value for x in r]
    for x in nums:
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
            raise bad
        if k == "int_vector" and not isinstance(x, int):
            raise bad
        if (param.lo is not None and x < param.lo) or (param.hi is not None and x > param.hi):
            raise bad


class _Bad(Exception):
    """Raised inside check_value; turned into a ParamError (its message is built only when needed)."""

    def __init__(self, param: Param, value: Any) -> None:
        self.param, self.value = param, value


def _show(v: Any) -> str:
    return json.dumps(_thaw(v)) if isinstance(v, tuple) else str(v)


def quote(text: str) -> str:
    """A value for an error line: repr, at most about :data:`QUOTE` characters."""
    return repr(text) if len(text) <= QUOTE else repr(text[:QUOTE]) + f"… ({len(text):,} characters)"


def _clip(text: str) -> str:
    return text if len(text) <= QUOTE else text[:QUOTE] + f"… ({len(text):,} characters)"


def _bounded_int(s: str) -> int:
    if len(s.lstrip("-")) > MAX_DIGITS:
        raise _JsonLimit(f"an integer has {len(s.lstrip('-')):,} digits (at most {MAX_DIGITS})")
    return int(s)


def _finite_float(s: str) -> float:
    x = float(s)
    if not math.isfinite(x):
        raise _JsonLimit(f"{s[:20]} is not a finite number")
    return x


class _JsonLimit(ValueError):
    """A JSON value past the limits (digits, depth, size)."""


def parse_json(param: Param, text: str) -> Any:
    """A JSON-valued parameter, bounded: nesting depth, integer digits and number sizes are checked, so hostile
    input gives a one-line ParamError (never a RecursionError or an overflow)."""
    q = quote(text)
    depth = 0
    for ch in text:  # a bracket count (strings included) bounds the nesting before the parser recurses
        if ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise ParamError(f"{param.name}={q}: JSON nested more than {MAX_DEPTH} levels deep")
        elif ch in "]}":
            depth -= 1
    try:
        value = json.loads(text, parse_int=_bounded_int, parse_float=_finite_float,
                           parse_constant=lambda c: _finite_float(c))
    except _JsonLimit as e:
        raise ParamError(f"{param.name}={q}: {e}") from None
    except (json.JSONDecodeError, RecursionError) as e:
        raise ParamError(f"{param.name}={q} is not valid JSON ({getattr(e, 'msg', 'nested too deeply')})") from None
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) > MAX_MAGNITUDE:
            raise ParamError(f"{param.name}={q}: the number {v:g} is too large (at most {MAX_MAGNITUDE:g} in size)")
        if isinstance(v, list):
            stack.extend(v)
        elif isinstance(v, dict):
            stack.extend(v.values())
    return value
