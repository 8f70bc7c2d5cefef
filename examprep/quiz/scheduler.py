"""The adaptive choice of the next problem: spaced repetition with FSRS (the ``fsrs`` package).

**Cards.** One FSRS card per item. An item's key is a string: a problem type without its version
(``cnn/conv_output_size``; versions of a type share a card), or ``<kind>:<id>`` for other kinds of items (a concept
item would be ``concept:attention/softmax``; ids of problem types never contain a colon, so keys cannot collide).
The card state is not stored: it is replayed from the attempts log (:func:`replay`), in time order, every time it
is needed, so a history written before FSRS was used works unchanged and the state can never be missing or out of
step with the log (about 8 µs per attempt: 10,000 attempts replay in under 0.1 s).

**Rating** of a graded attempt (:func:`rating`), with the thresholds below:

* **Again**: not every part right (a wrong, partial or unreadable part), skipped, or given up with ``:w``;
* **Hard**: every part right, but with the hint, or slowly: more than ``SLOW_SECONDS`` (120 s) per part;
* **Easy**: every part right, no hint, on a *hard* instance, fast: at most ``FAST_SECONDS`` (30 s) per part;
* **Good**: every part right otherwise.

**Schedule.** FSRS-6 with its default fitted parameters, desired retention 0.9, one learning and one relearning
step of 10 minutes, no fuzz (a fixed history gives a fixed schedule). A wrong answer makes the card due 10 minutes
later; a first right answer about 2 days later, and each right answer after a gap lengthens the interval.

**Choice.** The candidates are ordered by (:func:`rank`):

1. items in (re)learning, i.e. just answered wrongly or with difficulty, due within ``LEARN_AHEAD`` (20 minutes,
   as Anki's "learn ahead" limit), earliest first;
2. items due for review, lowest retrievability (predicted recall) first;
3. new items (never attempted);
4. everything else, earliest due first.

Ties are broken by a hash of (session seed, position, key), so a fixed ``--seed`` gives a fixed order. The item
asked just before is passed over when another candidate exists, so a missed type returns after one other
question. An item is **due** (:func:`is_due`) in cases 1 and 2.

**Difficulty** of the next instance, in adaptive mode (:func:`difficulty_for`): *medium* for a new item; *easy*
after an Again; *hard* once the card is in review with a stability of at least ``HARD_STABILITY`` (2 days) and an
FSRS difficulty of at most ``HARD_MAX_DIFFICULTY`` (5 of 10); *medium* otherwise.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from examprep.quiz.store import Attempt

AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4  # fsrs.Rating values (fsrs is imported only when a card is replayed)
RATINGS = {AGAIN: "again", HARD: "hard", GOOD: "good", EASY: "easy"}
SLOW_SECONDS = 120.0  # per part answered: slower than this is Hard
FAST_SECONDS = 30.0  # per part answered: at most this, on a hard instance, is Easy
LEARN_AHEAD = 20 * 60.0  # a (re)learning item due within this counts as due now
DESIRED_RETENTION = 0.9
STEP = timedelta(minutes=10)  # the one learning and the one relearning step
HARD_STABILITY = 2.0  # days
HARD_MAX_DIFFICULTY = 5.0  # FSRS difficulty runs from 1 (easiest) to 10
PASS = 0.999  # a score at least this is a full-score answer (stats' "right")


@dataclass(frozen=True)
class Review:
    """One past attempt as the scheduler sees it: the item's key, the FSRS rating, when (epoch seconds)."""

    unit: str
    rating: int
    time: float


@dataclass(frozen=True)
class Memory:
    """What the history says about one item: its FSRS card after every review, and a few counts."""

    unit: str
    card: Any  # fsrs.Card
    attempts: int
    lapses: int
    last_rating: int
    last: float

    @property
    def due(self) -> float:
        """When FSRS schedules the next review (epoch seconds)."""
        return float(self.card.due.timestamp())

    @property
    def learning(self) -> bool:
        """In (re)learning: answered wrongly or with difficulty, waiting for its short step."""
        return int(self.card.state) != 2  # fsrs.State.Review

    @property
    def stability(self) -> float:
        """Days until retrievability falls to 90%."""
        return float(self.card.stability)

    @property
    def difficulty(self) -> float:
        """FSRS difficulty, 1 (easiest) to 10."""
        return float(self.card.difficulty)

    def retrievability(self, now: float) -> float:
        """FSRS's predicted chance of a right answer at ``now`` (it counts whole days since the last review)."""
        return float(_scheduler().get_card_retrievability(self.card, _dt(now)))


def unit_of(problem_id: str) -> str:
    """``cnn/conv_output_size-v1`` -> ``cnn/conv_output_size`` (versions of a type share a card).

    A concept item ``concept/cnn/weight-sharing-v1`` -> ``concept:cnn/weight-sharing``.
    """
    if problem_id.startswith("concept/"):
        return item_key("concept", problem_id[len("concept/"):].rsplit("-v", 1)[0])
    return problem_id.rsplit("-v", 1)[0] if "-v" in problem_id else problem_id


def item_key(kind: str, ident: str) -> str:
    """The card key of an item that is not a problem type, e.g. ``item_key("concept", "attention/softmax")``."""
    return f"{kind}:{ident}"


def rating(a: Attempt) -> int:
    """The FSRS rating of one attempt (see the module docstring for the rule)."""
    verdicts = [v.get("verdict") for v in a.verdicts]
    right = a.status == "graded" and bool(verdicts) and all(v == "right" for v in verdicts)
    if not right:
        return AGAIN
    per_part = a.seconds / len(verdicts)
    if a.hint or per_part > SLOW_SECONDS:
        return HARD
    if a.difficulty == "hard" and per_part <= FAST_SECONDS:
        return EASY
    return GOOD


def reviews(attempts: Iterable[Attempt]) -> list[Review]:
    """The attempts of the history as reviews of their problem types' cards."""
    return [Review(unit_of(a.problem_id), rating(a), a.created) for a in attempts]


def memories(attempts: Iterable[Attempt]) -> dict[str, Memory]:
    """The FSRS card of every problem type in the history (replayed from the attempts log)."""
    return replay(reviews(attempts))


def replay(revs: Iterable[Review]) -> dict[str, Memory]:
    """The memory of every item in ``revs``, replaying them in time order through FSRS."""
    by_unit: dict[str, list[Review]] = {}
    for r in sorted(revs, key=lambda r: r.time):
        by_unit.setdefault(r.unit, []).append(r)
    if not by_unit:
        return {}  # a new history: no need to import fsrs
    import fsrs

    sched = _scheduler()
    out = {}
    for unit, rs in by_unit.items():
        card = fsrs.Card(card_id=_card_id(unit), due=_dt(rs[0].time))
        for r in rs:
            card, _ = sched.review_card(card, fsrs.Rating(r.rating), _dt(r.time))
        lapses = sum(1 for r in rs if r.rating == AGAIN)
        out[unit] = Memory(unit, card, len(rs), lapses, rs[-1].rating, rs[-1].time)
    return out


def is_due(m: Memory, now: float) -> bool:
    """Due: a (re)learning item due within ``LEARN_AHEAD``, or a review item whose due time has come."""
    return m.due <= now + (LEARN_AHEAD if m.learning else 0.0)


def due_at(m: Memory) -> float:
    """When the item counts as due (its FSRS due time, less ``LEARN_AHEAD`` while in (re)learning)."""
    return m.due - (LEARN_AHEAD if m.learning else 0.0)


def _order(memories: dict[str, Memory], unit: str, now: float) -> tuple[int, float]:
    m = memories.get(unit)
    if m is None:
        return (2, 0.0)
    if is_due(m, now):
        return (0, m.due) if m.learning else (1, round(m.retrievability(now), 9))
    return (3, m.due)


def _tie_key(seed: int, position: int, unit: str) -> bytes:
    return hashlib.sha256(f"{seed}|{position}|{unit}".encode()).digest()


def rank(candidates: Iterable[str], memories: dict[str, Memory], now: float, *, seed: int = 0,
         position: int = 0) -> list[str]:
    """Candidates from the one to ask first to the one to ask last."""
    return sorted(set(candidates), key=lambda u: (_order(memories, u, now), _tie_key(seed, position, u)))


def choose(candidates: Iterable[str], memories: dict[str, Memory], now: float, *, previous: str | None = None,
           seed: int = 0, position: int = 0) -> str:
    """The item to ask next: see the module docstring; not the ``previous`` one when there is a choice."""
    order = rank(candidates, memories, now, seed=seed, position=position)
    if not order:
        raise ValueError("no problem types to choose from")
    if len(order) > 1 and order[0] == previous:
        return order[1]
    return order[0]


def difficulty_for(m: Memory | None) -> str:
    """Adaptive difficulty from the card: easy after a miss, hard once the card is stable and easy for FSRS."""
    if m is None:
        return "medium"
    if m.last_rating == AGAIN:
        return "easy"
    if not m.learning and m.stability >= HARD_STABILITY and m.difficulty <= HARD_MAX_DIFFICULTY:
        return "hard"
    return "medium"


def _dt(t: float) -> datetime:
    return datetime.fromtimestamp(t, timezone.utc)


def _card_id(unit: str) -> int:
    # a fixed id per key (fsrs.Card() without one reads the clock and sleeps 1 ms)
    return int.from_bytes(hashlib.sha256(unit.encode()).digest()[:6], "big")


_SCHEDULER: list[Any] = []


def _scheduler() -> Any:
    """The one FSRS scheduler (default parameters; see the module docstring)."""
    if not _SCHEDULER:
        import fsrs

        _SCHEDULER.append(fsrs.Scheduler(desired_retention=DESIRED_RETENTION, learning_steps=(STEP,),
                                         relearning_steps=(STEP,), enable_fuzzing=False))
    return _SCHEDULER[0]


def summary(m: Memory, now: float) -> dict[str, Any]:
    """The card as plain data, for ``stats --json``."""
    return {"retrievability": m.retrievability(now), "due_at": due_at(m), "stability": m.stability,
            "difficulty": m.difficulty, "learning": m.learning,
            "last_rating": RATINGS[m.last_rating], "next_difficulty": difficulty_for(m)}

