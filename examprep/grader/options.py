"""How answers are graded: the tolerance policy and the credit for imprecise and carried-forward answers.

One frozen :class:`GradeOptions` travels from the CLI (``--tolerance``, ``--imprecise-credit``, ``--ecf-credit``)
through the library (check, grade, quiz, sheets keys, Moodle) to the comparison, so every command applies the same
rule. The README's "Grading" section states the policy in the same words as :data:`POLICY_TEXT`.
"""

from __future__ import annotations

from dataclasses import dataclass

from examprep.errors import ExamprepError

TOLERANCES = ("fair", "strict")
CARRIED_RTOL = 2e-3  # a relative error that carried rounding of intermediate values easily produces
NEAR_MISS_RTOL = 1e-2  # outside the tolerance but this close: "close — check your rounding"

POLICY_TEXT = {
    "fair": "right within half a unit of the last asked digit or 0.2% of the exact value, whichever is larger",
    "strict": "right within half a unit of the last asked digit",
}


class OptionError(ExamprepError):
    """A grading option out of range (a bad ``--tolerance`` or credit)."""


@dataclass(frozen=True)
class GradeOptions:
    """The grading rule.

    Args:
        tolerance: ``fair`` (default: half a unit of the last asked digit or a relative 2e-3, whichever is larger)
            or ``strict`` (half a unit only).
        imprecise_credit: the share of a part's credit for a right answer given more coarsely than asked.
        ecf_credit: the share of a part's credit for an answer that follows correctly from the student's own
            wrong earlier answers (error carried forward).
    """

    tolerance: str = "fair"
    imprecise_credit: float = 0.5
    ecf_credit: float = 0.5

    def __post_init__(self) -> None:
        if self.tolerance not in TOLERANCES:
            raise OptionError(f"--tolerance {self.tolerance!r}: use one of {', '.join(TOLERANCES)}")
        for name in ("imprecise_credit", "ecf_credit"):
            v = getattr(self, name)
            if not 0 <= v <= 1:
                raise OptionError(f"--{name.replace('_', '-')} {v:g}: give a share between 0 and 1")

    @property
    def fair(self) -> bool:
        return self.tolerance == "fair"


DEFAULT = GradeOptions()
STRICT = GradeOptions(tolerance="strict")
