"""A concept item dressed as a problem type, so codes, ``show``/``solve``/``check``, the quiz, sheets, keys and
``examprep grade`` handle it like a numeric problem.

The one answer part is called ``choice`` for every kind (letters, ``true``/``false`` or text). An instance is
(item id, seed): the seed fixes the order of the options (a permutation drawn from the seed), so the instance code
printed on a sheet regenerates the same lettering and regrades exactly. The code packs the item's own difficulty.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from examprep import seeding
from examprep.concepts.grading import LETTERS, grade, key_text
from examprep.concepts.model import ConceptItem
from examprep.errors import ParamError, PartError
from examprep.params import Params
from examprep.parts import Part
from examprep.problem import Instance

PART = "choice"


@dataclass(frozen=True)
class ConceptPart(Part):
    """The answer part of a concept item; its form says how to answer."""

    hint: str = ""

    def form(self, tolerance: str = "fair") -> str:
        """The answer form; the tolerance policy (examprep.grader.options) does not apply to letters and words."""
        return self.hint


class ConceptKey(str):
    """The key of one instance (``B``, ``A,C``, ``true`` or a text) that grades answers against itself."""

    item: ConceptItem
    order: tuple[int, ...]

    def __new__(cls, item: ConceptItem, order: tuple[int, ...]) -> ConceptKey:
        obj = super().__new__(cls, key_text(item, order))
        obj.item, obj.order = item, order
        return obj

    def grade_concept(self, name: str, given: Any) -> Any:
        return grade(self.item, self.order, str(given), name)


def answer_form(item: ConceptItem, n: int) -> str:
    last = LETTERS[n - 1] if n else "D"
    return {"choice": f"one letter, A to {last}",
            "multi": f"every right letter, e.g. A,C (A to {last}); each wrong letter cancels a right one",
            "truefalse": "true or false",
            "short": "a few words"}[item.kind]


class ConceptType:
    """The problem-type interface for one concept item."""

    params: tuple[Any, ...] = ()
    reference_entry = ""
    is_concept = True
    carries_forward = False  # one part, no chain of parts (examprep.grader.carried)

    def carry_note(self) -> str:
        """No rounding convention to state: a concept item has no numbers to carry."""
        return ""

    def __init__(self, item: ConceptItem) -> None:
        self.item = item
        self.id = item.id
        self.title = item.title
        self.catalog = item.source
        n = len(item.options)
        self.parts = (ConceptPart(PART, "Answer", kind="choice",
                                  choices=tuple(LETTERS[:n]) if n else (), hint=answer_form(item, n)),)

    @property
    def topic(self) -> str:
        return self.item.topic

    @property
    def final_parts(self) -> tuple[Part, ...]:
        return self.parts

    # ---- instances --------------------------------------------------------------------------------------------
    def order(self, seed: int, secret: bytes | None = None) -> tuple[int, ...]:
        """The option order of ``seed``: shown letter i is option ``order[i]`` of the file."""
        if not self.item.options:
            return ()
        rng = seeding.rng_for(self.id, seed, "concept", secret)
        return tuple(int(k) for k in rng.permutation(len(self.item.options)))

    def generate(self, seed: int, difficulty: str = "medium", secret: bytes | None = None) -> Instance:
        """The instance of ``seed`` (the item's own difficulty is used; with a secret, a secret code)."""
        seeding.check_seed(seed)
        d = self.item.difficulty
        return Instance(self.id, Params(order=self.order(seed, secret)), seed=seed, difficulty=d,
                        code=seeding.encode(self.id, seed, d, secret))

    def instance(self, seed: int | None = None, difficulty: str = "medium", sets: list[str] | None = None
                 ) -> Instance:
        if sets:
            raise ParamError(f"{self.id} is a concept question: it has no parameters to --set")
        return self.generate(0 if seed is None else seed)

    def from_params(self, values: dict[str, Any], base: Params | None = None) -> Instance:
        raise ParamError(f"{self.id} is a concept question: it has no parameters to --set")

    def parse_sets(self, assignments: list[str]) -> dict[str, Any]:
        raise ParamError(f"{self.id} is a concept question: it has no parameters to --set")

    def param(self, name: str) -> Any:
        raise ParamError(f"{self.id} is a concept question: it has no parameter {name!r}")

    # ---- the problem-type interface ---------------------------------------------------------------------------
    def part(self, name: str) -> Part:
        if name != PART:
            raise PartError(f"{self.id} has no part {name!r}; answer concept questions with {PART}=...")
        return self.parts[0]

    def active_parts(self, p: Params) -> tuple[Part, ...]:
        return self.parts

    def options(self, p: Params) -> list[tuple[str, Any]]:
        """(letter, option) in the order this instance shows them."""
        return [(LETTERS[i], self.item.options[k]) for i, k in enumerate(p["order"])]

    def statement(self, p: Params) -> list[Any]:
        """The stem, then one paragraph per lettered option (or how to answer)."""
        out = [self.item.stem]
        out += [f"\n\n{letter}. {o.text}" for letter, o in self.options(p)]
        if self.item.kind == "multi":
            out.append("\n\n(Select every correct option.)")
        elif self.item.kind == "truefalse":
            out.append("\n\n(True or false?)")
        elif self.item.kind == "short":
            out.append("\n\n(Answer in a few words.)")
        return out

    def solve(self, p: Params) -> dict[str, Any]:
        return {PART: ConceptKey(self.item, tuple(p["order"]))}

    def answer_line(self, p: Params) -> str:
        """The right answer in words: the letters with their options' text, true/false, or the accepted texts."""
        it = self.item
        if it.kind in ("choice", "multi"):
            return "; ".join(f"{letter}. {o.text}" for letter, o in self.options(p) if o.correct)
        if it.kind == "truefalse":
            return "true" if it.answer else "false"
        return " / ".join(it.answers)

    def derivation(self, p: Params) -> Any:
        from examprep.solver.step import Derivation

        line = self.answer_line(p)
        return Derivation([], f"{line}{'' if line.endswith('.') else '.'} Why: {self.item.explanation}")

    def mistakes(self, p: Params) -> dict[str, Any]:
        return {}

    def validate(self, p: Params) -> list[str]:
        return []

    def degenerate(self, p: Params) -> str | None:
        return None


@lru_cache(maxsize=None)
def concept_type(text: str) -> ConceptType:
    """The (cached) problem-type adapter of the item ``text`` names."""
    from examprep.concepts import get_item

    return ConceptType(get_item(text))


def concept_id_for_hash(h: int) -> str | None:
    """The concept item id whose code hash is ``h``, or None."""
    from examprep.concepts import item_ids

    found = [i for i in item_ids() if seeding.id_hash(i) == h]
    return found[0] if found else None
