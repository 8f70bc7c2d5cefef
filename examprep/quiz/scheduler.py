"""The adaptive choice of the next problem: a small spaced-repetition scheduler of our own.

The unit of scheduling is a problem type without its version (``cnn/conv_output_size``); a topic's figures are
summaries of its types. For each unit the history is replayed in time order into a :class:`Memory`:

* **mastery** ``m`` — a recency-weighted Beta estimate of the chance of answering right::

      m = (1 + Σ wᵢ·sᵢ) / (2 + Σ wᵢ),   wᵢ = DECAY^k for the k-th newest attempt,  sᵢ = its score in [0, 1]

  (one right answer gives 2/3, one wrong answer 1/3; newer attempts count more, so improvement shows quickly).
* **half-life** ``h`` — how long the memory lasts. The first full-score answer (after a start or a lapse) sets
  ``h = FIRST_HALF_LIFE`` (1 day); each further full-score answer multiplies it by ``GROWTH`` (2.5, SM-2's usual
  ease). A score below full is a lapse: ``h = RELEARN_HALF_LIFE`` (10 minutes), so the type comes back soon.
* **recall** at time ``t`` — the predicted chance of answering right now: ``m · 2^(−(t − last)/h)``. A type never
  attempted has ``NEW_RECALL`` (0.5): below a type answered right, above a type answered wrong.

The next problem is the candidate with the lowest recall (weak and forgotten types first, mastered ones later);
ties (e.g. several new types) are broken by a hash of (session seed, position, unit), so a fixed ``--seed`` gives a
fixed order. The type asked just before is passed over when another candidate exists, so a missed type returns
after one other question instead of at once. A unit is **due** once its recall falls below ``DUE_RECALL`` (0.6);
:func:`due_at` gives when. In adaptive difficulty a type gets easy instances while its mastery is below 1/2,
hard ones once it was answered right at least twice running with mastery 3/4 or more, medium otherwise and when new.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

DECAY = 0.7
FIRST_HALF_LIFE = 24 * 3600.0
GROWTH = 2.5
RELEARN_HALF_LIFE = 600.0
NEW_RECALL = 0.5
DUE_RECALL = 0.6
PASS = 0.999  # a score at least this is a full-score answer


@dataclass(frozen=True)
class Review:
    """One past attempt as the scheduler sees it."""

    unit: str
    score: float
    time: float


@dataclass(frozen=True)
class Memory:
    """What the history says about one unit."""

    unit: str
    attempts: int
    mastery: float
    half_life: float
    last: float
    lapses: int
    streak: int

    def recall(self, now: float) -> float:
        """Predicted chance of a right answer at ``now`` (seconds since the epoch)."""
        elapsed = max(0.0, now - self.last)
        return self.mastery * 2.0 ** (-elapsed / self.half_life)


def unit_of(problem_id: str) -> str:
    """``cnn/conv_output_size-v1`` -> ``cnn/conv_output_size`` (versions of a type share a memory)."""
    return problem_id.rsplit("-v", 1)[0] if "-v" in problem_id else problem_id


def replay(reviews: Iterable[Review]) -> dict[str, Memory]:
    """The memory of every unit in ``reviews`` (taken in time order)."""
    by_unit: dict[str, list[Review]] = {}
    for r in sorted(reviews, key=lambda r: r.time):
        by_unit.setdefault(r.unit, []).append(r)
    return {u: _memory(u, rs) for u, rs in by_unit.items()}


def _memory(unit: str, rs: Sequence[Review]) -> Memory:
    h: float | None = None
    lapses = streak = 0
    for r in rs:
        if r.score >= PASS:
            h = FIRST_HALF_LIFE if h is None or streak == 0 else h * GROWTH
            streak += 1
        else:
            h = RELEARN_HALF_LIFE
            lapses += 1
            streak = 0
    weights = [DECAY**k for k in range(len(rs))][::-1]  # newest attempt has weight 1
    num = 1.0 + sum(w * min(max(r.score, 0.0), 1.0) for w, r in zip(weights, rs, strict=True))
    den = 2.0 + sum(weights)
    return Memory(unit, len(rs), num / den, h or RELEARN_HALF_LIFE, rs[-1].time, lapses, streak)


def recall(memories: dict[str, Memory], unit: str, now: float) -> float:
    """Predicted recall of ``unit``; ``NEW_RECALL`` when it was never attempted."""
    m = memories.get(unit)
    return NEW_RECALL if m is None else m.recall(now)


def due_at(m: Memory) -> float:
    """When the unit's recall falls below ``DUE_RECALL`` (its last attempt's time if it already starts below)."""
    if m.mastery <= DUE_RECALL:
        return m.last
    return m.last + m.half_life * math.log2(m.mastery / DUE_RECALL)


def is_due(m: Memory, now: float) -> bool:
    return due_at(m) <= now


def _tie_key(seed: int, position: int, unit: str) -> bytes:
    return hashlib.sha256(f"{seed}|{position}|{unit}".encode()).digest()


def rank(candidates: Iterable[str], memories: dict[str, Memory], now: float, *, seed: int = 0,
         position: int = 0) -> list[str]:
    """Candidates from the one to ask first to the one to ask last."""
    return sorted(set(candidates), key=lambda u: (round(recall(memories, u, now), 9), _tie_key(seed, position, u)))


def choose(candidates: Iterable[str], memories: dict[str, Memory], now: float, *, previous: str | None = None,
           seed: int = 0, position: int = 0) -> str:
    """The unit to ask next: lowest recall first, not the ``previous`` one when there is a choice."""
    order = rank(candidates, memories, now, seed=seed, position=position)
    if not order:
        raise ValueError("no problem types to choose from")
    if len(order) > 1 and order[0] == previous:
        return order[1]
    return order[0]


def difficulty_for(m: Memory | None) -> str:
    """Adaptive difficulty: easy while mastery is low, hard once a type is answered right repeatedly."""
    if m is None:
        return "medium"
    if m.mastery < 0.5:
        return "easy"
    if m.mastery >= 0.75 and m.streak >= 2:
        return "hard"
    return "medium"
