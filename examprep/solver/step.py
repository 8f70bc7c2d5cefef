"""Steps and derivations: the worked solution of one instance."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from examprep.solver.expr import Expr, Sym, Text, to_expr

_NAME = re.compile(r"^[A-Za-z]+(_[A-Za-z0-9]+)?$")


@dataclass(frozen=True)
class Step:
    """One step of a worked solution.

    Args:
        title: what is computed, in words ("Output height").
        lhs: the quantity (a symbol such as ``H_out``), or None.
        formula: the general formula, or None.
        substituted: the formula with the numbers in, or None; when it can be evaluated, it must equal ``value``.
        value: the result (number, array or label).
        part: the answer part this step produces, if any (so intermediate values are gradable).
        chain: extra intermediate forms shown between ``substituted`` and ``value`` (e.g. ``⌊29/2⌋ + 1``).
        note: a remark shown under the step.
    """

    title: str
    value: Any
    lhs: Expr | None = None
    formula: Expr | None = None
    substituted: Expr | None = None
    part: str | None = None
    chain: tuple[Expr, ...] = ()
    note: str | None = None

    def value_expr(self) -> Expr:
        if isinstance(self.value, str):
            return Text(self.value)
        return to_expr(self.value)


@dataclass
class Derivation:
    """An ordered list of steps, plus the final-answer line."""

    steps: list[Step] = field(default_factory=list)
    answer: str = ""

    def add(self, title: str, value: Any, *, lhs: Expr | str | None = None, formula: Expr | None = None,
            subs: dict[Any, Any] | None = None, substituted: Expr | None = None, part: str | None = None,
            chain: tuple[Expr, ...] | list[Expr] = (), note: str | None = None) -> Any:
        """Append a step; ``subs`` substitutes numbers into ``formula``. Returns ``value`` for chaining."""
        if isinstance(lhs, str):  # a plain name (H_out, sigma_t) or inline-math markup (\\tilde{\\mu}_t, P(c))
            lhs = Sym(lhs) if _NAME.match(lhs) else Sym(lhs, tex=lhs)
        if substituted is None and formula is not None and subs is not None:
            substituted = formula.subs(subs)
        self.steps.append(Step(title=title, value=value, lhs=lhs, formula=formula, substituted=substituted,
                               part=part, chain=tuple(chain), note=note))
        return value

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __len__(self) -> int:
        return len(self.steps)

    def part_values(self) -> dict[str, Any]:
        """The value of every step that names a part (the last one wins)."""
        return {s.part: s.value for s in self.steps if s.part}
