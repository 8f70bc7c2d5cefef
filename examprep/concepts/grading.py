"""Grading a concept answer: option letters, true/false, or a few words.

* ``choice``: one letter (``B``); the verdict carries the chosen option's feedback.
* ``multi``: letters (``A,C``, ``A C`` or ``AC``); partial credit = (right letters chosen − wrong letters chosen)
  / number of right options, floored at 0, so ticking everything earns nothing and one wrong tick cancels one
  right one.
* ``truefalse``: ``true``/``false`` (also ``t``/``f``, ``yes``/``no``).
* ``short``: the text, compared with each accepted answer case- and accent-insensitively, ignoring extra spaces,
  hyphens and a final period.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from examprep.grader.score import PartResult

if TYPE_CHECKING:
    from examprep.concepts.model import ConceptItem

LETTERS = "ABCDE"
TRUE_WORDS = {"true": True, "t": True, "yes": True, "y": True, "false": False, "f": False, "no": False, "n": False}


def letters(n: int) -> str:
    return LETTERS[:n]


def key_text(item: ConceptItem, order: tuple[int, ...]) -> str:
    """The right answer as a student writes it: ``B``, ``A,C``, ``true``, or the first accepted text."""
    if item.kind in ("choice", "multi"):
        return ",".join(LETTERS[i] for i, k in enumerate(order) if item.options[k].correct)
    if item.kind == "truefalse":
        return "true" if item.answer else "false"
    return item.answers[0]


def normalise(text: str) -> str:
    """Case-, accent- and spacing-insensitive form of a short answer."""
    s = unicodedata.normalize("NFKD", text)
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
    s = re.sub(r"[-_\s]+", " ", s).strip()
    return s.rstrip(".").strip()


def parse_letters(text: str, n: int) -> list[str] | str:
    """The letters in ``text`` (upper case, in order, no repeats), or an error message."""
    body = re.sub(r"[\s,;/+&]+", "", text.strip().upper()).replace("AND", "")
    if not body:
        return "no letter given"
    bad = [c for c in body if c not in letters(n)]
    if bad:
        return f"{bad[0]!r} is not an option; answer with letters A to {LETTERS[n - 1]}"
    return list(dict.fromkeys(body))


def grade(item: ConceptItem, order: tuple[int, ...], given: str, name: str = "choice") -> PartResult:
    """The verdict on one answer to an item shown with its options in ``order``; the feedback's ``$...$`` math is
    rendered as Unicode text, as every other verdict's feedback is plain text."""
    from dataclasses import replace

    from examprep.solver import prose

    r = _grade(item, order, given, name)
    return replace(r, feedback=prose.to_text(r.feedback)) if "$" in r.feedback else r


def _grade(item: ConceptItem, order: tuple[int, ...], given: str, name: str) -> PartResult:
    text = str(given).strip()
    if item.kind == "truefalse":
        return _grade_tf(item, text, name)
    if item.kind == "short":
        return _grade_short(item, text, name)
    got = parse_letters(text, len(order))
    if isinstance(got, str):
        return PartResult(name, 0.0, "invalid", got, None, text[:200])
    shown = [item.options[k] for k in order]
    if item.kind == "choice":
        if len(got) != 1:
            return PartResult(name, 0.0, "invalid", "choose one letter", None, text[:200])
        opt = shown[LETTERS.index(got[0])]
        return PartResult(name, 1.0 if opt.correct else 0.0, "right" if opt.correct else "wrong", opt.feedback,
                          None if opt.correct else f"option {got[0]}", text[:200])
    right = [c for c in letters(len(shown)) if shown[LETTERS.index(c)].correct]
    hits = [c for c in got if c in right]
    wrong = [c for c in got if c not in right]
    score = max(0.0, (len(hits) - len(wrong)) / len(right))
    verdict = "right" if score >= 1 else ("partial" if score > 0 else "wrong")
    notes = [f"{c} is wrong: {shown[LETTERS.index(c)].feedback}" for c in wrong]
    missed = [c for c in right if c not in got]
    if missed:
        notes.append(f"Missed: {', '.join(missed)}.")
    feedback = " ".join(notes) if notes else " ".join(shown[LETTERS.index(c)].feedback for c in right)
    return PartResult(name, score, verdict, feedback, ",".join(wrong) or None, text[:200])


def _grade_tf(item: ConceptItem, text: str, name: str) -> PartResult:
    value = TRUE_WORDS.get(text.lower().rstrip("."))
    if value is None:
        return PartResult(name, 0.0, "invalid", "answer true or false", None, text[:200])
    ok = value == item.answer
    return PartResult(name, 1.0 if ok else 0.0, "right" if ok else "wrong", "" if ok else item.explanation,
                      None, text[:200])


def _grade_short(item: ConceptItem, text: str, name: str) -> PartResult:
    if not normalise(text):
        return PartResult(name, 0.0, "invalid", "no answer given", None, text[:200])
    ok = normalise(text) in {normalise(a) for a in item.answers}
    fb = "" if ok else f"expected: {item.answers[0]}"
    return PartResult(name, 1.0 if ok else 0.0, "right" if ok else "wrong", fb, None, text[:200])
