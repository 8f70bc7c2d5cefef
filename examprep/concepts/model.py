"""The concept item: what one ``[[item]]`` block of a topic file holds, and the rules every item must follow.

Format (one block per item, appended at the end of ``examprep/concepts/<topic>.toml``)::

    [[item]]
    id = "concept/cnn/weight-sharing-v1"   # concept/<topic>/<slug>-vN
    kind = "choice"                         # choice | multi | truefalse | short
    difficulty = "medium"                   # easy | medium | hard
    covers = ["seed_004#20"]                # topic-line ids (topic_lines.toml)
    source = "seed_004.md H; seeds/004 lines 899-968"
    stem = "..."                            # the question; inline math between $...$
    explanation = "..."                     # 2-4 sentences: why the right answer is right

    [[item.options]]                        # choice/multi only: 4 or 5 options
    text = "..."
    correct = true
    feedback = "..."                        # one line; a distractor's names its misconception

    # truefalse: answer = true      short: answers = ["weight sharing", "shared weights"]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

TOPICS = ("mlp", "loss", "optim", "regularization", "norm", "rnn", "embedding", "transformer", "llm", "gan",
          "metrics", "latent", "diffusion", "contrastive", "audio", "cnn", "detection", "attention", "positional",
          "divergence", "bayes", "vision")  # the examprep topics (problem folders, some being added)
KINDS = ("choice", "multi", "truefalse", "short")
DIFFICULTIES = ("easy", "medium", "hard")
ID_RE = re.compile(r"^concept/(?P<topic>[a-z][a-z0-9_]*)/(?P<slug>[a-z0-9_-]+)-v(?P<version>[1-9][0-9]*)$")
LINE_RE = re.compile(r"^seed_(000_001|002|003|004)#[1-9][0-9]*$")
FORBIDDEN = (re.compile(r"\b(all|none) of the above\b", re.I), re.compile(r"\b(notes|slides)\b", re.I))
KEYS = {"id", "kind", "difficulty", "covers", "source", "stem", "explanation", "options", "answer", "answers"}


@dataclass(frozen=True)
class Option:
    """One option of a choice/multi item."""

    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class ConceptItem:
    """One concept question (see the module docstring for the file format)."""

    id: str
    kind: str
    difficulty: str
    covers: tuple[str, ...]
    source: str
    stem: str
    explanation: str
    options: tuple[Option, ...] = ()
    answer: bool | None = None
    answers: tuple[str, ...] = ()
    file_topic: str = ""
    extra_keys: tuple[str, ...] = field(default=())

    @classmethod
    def from_dict(cls, d: dict[str, Any], file_topic: str = "") -> ConceptItem:
        """Build from a parsed ``[[item]]`` table; malformed values are kept for :meth:`problems` to report."""
        opts = tuple(Option(str(o.get("text", "")), bool(o.get("correct", False)), str(o.get("feedback", "")))
                     for o in d.get("options", []))
        return cls(id=str(d.get("id", "")), kind=str(d.get("kind", "")), difficulty=str(d.get("difficulty", "")),
                   covers=tuple(d.get("covers", ())), source=str(d.get("source", "")), stem=str(d.get("stem", "")),
                   explanation=str(d.get("explanation", "")), options=opts, answer=d.get("answer"),
                   answers=tuple(str(a) for a in d.get("answers", ())), file_topic=file_topic,
                   extra_keys=tuple(sorted(set(d) - KEYS)))

    # ---- naming -----------------------------------------------------------------------------------------------
    @property
    def topic(self) -> str:
        m = ID_RE.match(self.id)
        return m.group("topic") if m else self.file_topic

    @property
    def base(self) -> str:
        """The id without its version (``concept/cnn/weight-sharing``)."""
        return self.id.rsplit("-v", 1)[0]

    @property
    def version(self) -> int:
        m = ID_RE.match(self.id)
        return int(m.group("version")) if m else 0

    @property
    def title(self) -> str:
        """A short title for lists and sheet headings: the stem's first words."""
        from examprep.solver import prose

        try:
            plain = prose.to_text(self.stem)
        except ValueError:  # bad markup is reported by problems(); a title must still print
            plain = self.stem.replace("$", "")
        words = plain.split()
        return " ".join(words[:9]) + (" …" if len(words) > 9 else "")

    @property
    def correct_indices(self) -> tuple[int, ...]:
        return tuple(i for i, o in enumerate(self.options) if o.correct)

    def user_texts(self) -> list[str]:
        """Every string a user sees (stem, options, feedback, explanation, accepted answers)."""
        return [self.stem, self.explanation, *self.answers, *(t for o in self.options for t in (o.text, o.feedback))]

    # ---- rules ------------------------------------------------------------------------------------------------
    def problems(self) -> list[str]:
        """Every rule this item breaks, one line each (empty when the item is valid)."""
        from examprep.solver import prose

        out = []
        if not ID_RE.match(self.id):
            out.append(f"id {self.id!r} is not concept/<topic>/<slug>-vN")
        elif self.file_topic and self.topic != self.file_topic:
            out.append(f"id topic {self.topic!r} but the item is in {self.file_topic}.toml")
        if self.extra_keys:
            out.append(f"unknown keys {list(self.extra_keys)}")
        if self.kind not in KINDS:
            out.append(f"kind {self.kind!r} is not one of {KINDS}")
        if self.difficulty not in DIFFICULTIES:
            out.append(f"difficulty {self.difficulty!r} is not one of {DIFFICULTIES}")
        if not self.covers or any(not LINE_RE.match(c) for c in self.covers):
            out.append(f"covers {list(self.covers)} must list topic-line ids like 'seed_004#20'")
        for name in ("source", "stem", "explanation"):
            if not getattr(self, name).strip():
                out.append(f"{name} is empty")
        out += self._kind_problems()
        for text in self.user_texts():
            for pat in FORBIDDEN:
                if pat.search(text):
                    out.append(f"user-facing text says {pat.search(text).group(0)!r}: {text[:60]!r}")
            if (text.count("$") - text.count("\\$")) % 2:
                out.append(f"unbalanced $ math in {text[:60]!r}")
            try:
                prose.check(text)
            except ValueError as e:  # MathMarkupError: outside the shared $...$ subset
                out.append(f"math markup: {e}")
        return out

    def _kind_problems(self) -> list[str]:
        out = []
        if self.kind in ("choice", "multi"):
            if not 4 <= len(self.options) <= 5:
                out.append(f"{len(self.options)} options; give 4 or 5")
            n = len(self.correct_indices)
            if self.kind == "choice" and n != 1:
                out.append(f"a choice item needs exactly one correct option, has {n}")
            if self.kind == "multi" and n < 1:
                out.append("a multi item needs at least one correct option")
            texts = [o.text.strip().lower() for o in self.options]
            if len(set(texts)) != len(texts):
                out.append("two options have the same text")
            if any(not o.text.strip() or not o.feedback.strip() for o in self.options):
                out.append("every option needs text and feedback")
            if self.answer is not None or self.answers:
                out.append("choice/multi items take options, not answer/answers")
        elif self.kind == "truefalse":
            if not isinstance(self.answer, bool):
                out.append("a truefalse item needs answer = true or false")
            if self.options or self.answers:
                out.append("a truefalse item takes answer, not options/answers")
        elif self.kind == "short":
            if not self.answers or any(not a.strip() for a in self.answers):
                out.append("a short item needs a non-empty answers list")
            if self.options or self.answer is not None:
                out.append("a short item takes answers, not options/answer")
        return out
