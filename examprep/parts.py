"""Answer parts: what a problem asks for, how it is compared, and what it is worth."""

from __future__ import annotations

from dataclasses import dataclass

PART_KINDS = ("integer", "real", "vector", "matrix", "label", "choice")
MODES = ("exact", "rel", "sigfig", "decdig")

# The one place where comparison defaults live: kind -> (mode, rtol, atol, digits).
DEFAULTS: dict[str, tuple[str, float, float, int]] = {
    "integer": ("exact", 0.0, 0.0, 0),
    "real": ("sigfig", 0.0, 0.0, 3),
    "vector": ("sigfig", 0.0, 0.0, 3),
    "matrix": ("sigfig", 0.0, 0.0, 3),
    "label": ("exact", 0.0, 0.0, 0),
    "choice": ("exact", 0.0, 0.0, 0),
}


@dataclass(frozen=True)
class Part:
    """One gradable answer part.

    Args:
        name: the part's name, used by ``--answer NAME=VALUE``, JSON and submissions files.
        label: what it is, in words ("Output height").
        kind: integer, real, vector, matrix, label or choice.
        mode: exact, rel (|s−t| ≤ atol + rtol·|t|), sigfig or decdig; None takes the kind's default.
        digits: significant figures (sigfig) or decimal places (decdig).
        final: True for the asked-for answer; False for intermediate values a student may check.
        partial: matrices/vectors earn the fraction of entries that are right.
        integral: vector/matrix entries are integers (compared exactly).
        choices: allowed labels for label/choice parts.
        uses: the parts this one is computed from (error carried forward: a student's own earlier answers are
            carried into it, see :meth:`examprep.problem.ProblemType.solve`).
        share: the value is a probability or a share, so ``86.5%`` reads as 0.865.
        infinite: the exact value may be +∞ (a KL divergence where Q misses P's support); ``inf``/``∞`` answers it.
    """

    name: str
    label: str
    kind: str = "real"
    mode: str | None = None
    rtol: float | None = None
    atol: float | None = None
    digits: int | None = None
    weight: float = 1.0
    final: bool = True
    partial: bool = True
    integral: bool = False
    choices: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()
    share: bool = False
    infinite: bool = False

    def __post_init__(self) -> None:
        if self.kind not in PART_KINDS:
            raise ValueError(f"part {self.name}: unknown kind {self.kind!r}")
        if self.mode is not None and self.mode not in MODES:
            raise ValueError(f"part {self.name}: unknown mode {self.mode!r}")

    @property
    def comparison(self) -> tuple[str, float, float, int]:
        """(mode, rtol, atol, digits) with defaults filled in."""
        mode, rtol, atol, digits = DEFAULTS[self.kind]
        if self.integral:
            mode = "exact"
        return (self.mode or mode, self.rtol if self.rtol is not None else rtol,
                self.atol if self.atol is not None else atol, self.digits if self.digits is not None else digits)

    def form(self, tolerance: str = "fair") -> str:
        """The expected form of the answer and the rule it is graded by, in words, for prompts, keys and the quiz.

        ``tolerance`` is the grading policy (:mod:`examprep.grader.options`): ``fair`` accepts half a unit of the last
        asked digit or 0.2% of the exact value, whichever is larger; ``strict`` half a unit only.
        """
        mode, rtol, atol, digits = self.comparison
        if self.kind in ("label", "choice"):
            return "one of: " + ", ".join(self.choices) if self.choices else "a label"
        shape = {"integer": "an integer", "real": "a number", "vector": "a vector [a, b, ...]",
                 "matrix": "a matrix [[a, b], [c, d]]"}[self.kind]
        if self.share:
            shape += " (percentages such as 86.5% are read as 0.865)"
        if mode == "exact":
            return shape
        rule = "half a unit of the last digit" + (" or 0.2%, whichever is larger" if tolerance == "fair" else "")
        if mode == "sigfig":
            return f"{shape}, {digits} significant figures (right within {rule})"
        if mode == "decdig":
            return f"{shape}, {digits} decimal places (right within {rule})"
        if rtol or atol:
            extra = " or 0.2%, whichever is larger" if tolerance == "fair" else ""
            within = f"±{atol:g}" if not rtol else f"±({rtol:g}·|answer| + {atol:g})" if atol else f"±{rtol:g}·|answer|"
            return f"{shape}, within {within}{extra}"
        return shape
