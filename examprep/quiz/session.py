"""The quiz session: pick a problem, ask its parts one by one, grade, save, give feedback, offer the solution.

Input comes from the terminal or, in scripted mode, from lines of text (``--answers FILE`` or a pipe on stdin;
see :mod:`examprep.quiz.inputs`). Both accept the same lines: an answer to the part being asked, or a command —
``:h`` hint (the first step of the worked solution; costs ``HINT_COST`` of the question's marks), ``:s`` skip,
``:w`` show the worked solution (gives the question up), ``:q`` quit. After a question is graded, ``w`` (or
``:w``) shows the worked solution and ``q`` quits; in scripted mode a ``:w`` line there does the same. A skip or
give-up after some parts were graded keeps those parts' credit.

What is committed, and when (each in its own transaction, before the next prompt): each graded part and each hint
of the question on screen, then the finished question as an attempt. ``examprep quiz --resume`` therefore
continues the question where it stopped, with the earlier parts' verdicts and the hint penalty kept: after Ctrl-C,
``:q``, a closed terminal or ``kill -9`` no graded part can be answered again and no hint dodged. The session's
time is saved with every commit, so times across a resume add up.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from examprep.errors import ExamprepError
from examprep.grader.options import GradeOptions
from examprep.quiz import scheduler, screen
from examprep.quiz.inputs import Input
from examprep.quiz.store import Attempt, HistoryStore, PartRecord, Session

HINT_COST = 0.25
DIFFICULTIES = ("easy", "medium", "hard", "adaptive")
KINDS = ("all", "numeric", "concept")  # --kind: numeric problem types, concept questions, or both
MAX_COUNT = 1000
SEED_SPAN = MAX_COUNT + 100  # seeds a session may use above --seed (one per position, plus retries)
COMMANDS = {":h": "hint", ":hint": "hint", ":s": "skip", ":skip": "skip", ":w": "solution", ":solution": "solution",
            ":q": "quit", ":quit": "quit"}
MARKS = screen.MARKS


class QuizError(ExamprepError):
    """A quiz that cannot start (no session to resume, no problem types match the filters, bad options)."""


@dataclass
class QuizOptions:
    """What the user asked for; stored with the session so ``--resume`` continues the same quiz."""

    topics: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    count: int = 5
    difficulty: str = "adaptive"
    seed: int | None = None
    kind: str = "all"
    tolerance: str = "fair"  # grading policy (examprep.grader.options)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> QuizOptions:
        return cls(**{k: d[k] for k in ("topics", "types", "count", "difficulty", "seed", "kind", "tolerance")
                      if k in d})

    def check(self) -> None:
        """Raise QuizError for options no session can run with (before anything is saved)."""
        from examprep.seeding import MAX_SEED

        if self.difficulty not in DIFFICULTIES:
            raise QuizError(f"--difficulty {self.difficulty!r}: use one of {', '.join(DIFFICULTIES)}")
        if self.kind not in KINDS:
            raise QuizError(f"--kind {self.kind!r}: use one of {', '.join(KINDS)}")
        if not isinstance(self.count, int) or not 1 <= self.count <= MAX_COUNT:
            raise QuizError(f"--count must be from 1 to {MAX_COUNT}, got {self.count}")
        top = MAX_SEED - SEED_SPAN
        if self.seed is not None and (not isinstance(self.seed, int) or not 0 <= self.seed < top):
            raise QuizError(f"--seed must be an integer from 0 to {top - 1}, got {str(self.seed)[:40]}")


@dataclass(frozen=True)
class Pending:
    """The question a resumed session left on screen: its code, graded parts, hint and time so far."""

    code: str
    parts: list[PartRecord] = field(default_factory=list)
    hint: bool = False
    seconds: float = 0.0


@dataclass
class Outcome:
    """How one question ended."""

    attempt: Attempt | None
    quit: bool = False


class Quiz:
    """One session over an open history, held by this process while it runs."""

    def __init__(self, store: HistoryStore, options: QuizOptions, console: Any, inp: Input,
                 session: Session | None = None) -> None:
        """Start a new session (or continue the claimed ``session``); raises QuizError on bad options."""
        from examprep.quiz.concept_units import quiz_units

        options.check()
        self.units = quiz_units(options.topics, options.types, options.kind)
        if not self.units:
            raise QuizError("no problem type or concept question matches --topic/--type/--kind; see `examprep list`")
        self.store, self.options, self.console, self.inp = store, options, console, inp
        if options.seed is None:
            options.seed = int.from_bytes(os.urandom(4), "big") % 10_000
        self.session_id = session.id if session is not None else store.start_session(options.to_json())
        self._base_seconds = session.seconds if session is not None else 0.0
        self._run_start = time.monotonic()
        self._question_clock: Callable[[], float] | None = None

    def elapsed(self) -> float:
        """The session's time so far, over every run of it (saved with each commit, so a resume adds to it)."""
        return self._base_seconds + time.monotonic() - self._run_start

    @classmethod
    def resume(cls, store: HistoryStore, console: Any, inp: Input) -> tuple[Quiz, int, Pending | None]:
        """Claim the last unfinished session: the quiz, the position to continue at, the question on screen."""
        s = store.last_unfinished()
        if s is None:
            raise QuizError(f"no interrupted quiz in {store.path}; start one with `examprep quiz`")
        s = store.claim(s.id)
        try:
            options = QuizOptions.from_json(s.options)
            options.check()
        except (QuizError, TypeError) as e:
            store.release(s.id, s.seconds)
            raise QuizError(f"the interrupted quiz (session {s.id}) cannot continue ({e}); start a new one with "
                            "`examprep quiz`") from e
        quiz = cls(store, options, console, inp, session=s)
        if s.pending_code and s.pending_position is not None:
            parts = store.pending_parts(s.id, s.pending_position, s.pending_code)
            return quiz, s.pending_position, Pending(s.pending_code, parts, s.pending_hint, s.pending_seconds)
        done = store.attempts(s.id)
        return quiz, max((a.position for a in done), default=-1) + 1, None

    # ---- choosing ---------------------------------------------------------------------------------------------
    def next_instance(self, position: int, history: list[Attempt]) -> tuple[Any, Any]:
        """(problem type, instance) for ``position``: the scheduler's unit, an instance not seen before."""
        from examprep.registry import make

        memories = scheduler.memories(history)
        mine = [a for a in history if a.session_id == self.session_id]
        previous = scheduler.unit_of(mine[-1].problem_id) if mine else None
        seed = self.options.seed or 0
        unit = scheduler.choose(self.units, memories, time.time(), previous=previous, seed=seed, position=position)
        pt = make(self.units[unit])
        difficulty = self.options.difficulty
        if difficulty == "adaptive":
            difficulty = scheduler.difficulty_for(memories.get(unit))
        seen = {a.code for a in history}
        s = _instance_seed(seed, position)
        for k in range(100):
            inst = pt.generate(s + k, difficulty)
            if inst.code not in seen:
                break
        return pt, inst

    # ---- running ------------------------------------------------------------------------------------------------
    def run(self, position: int = 0, pending: Pending | None = None) -> list[Attempt]:
        """Ask questions from ``position`` to the end (or until quit / end of input); returns this session's."""
        finished = False
        try:
            finished = self._loop(position, pending)
        finally:
            q = self._question_clock() if self._question_clock else None
            if finished:
                self.store.finish_session(self.session_id, self.elapsed())
            else:
                self.store.release(self.session_id, self.elapsed(), q)
        done = self.store.attempts(self.session_id)
        from examprep.quiz.summary import render_summary

        render_summary(done, self.options.count, self.elapsed(), self.console, kept=self._kept_text())
        return done

    def _kept_text(self) -> str:
        """What the unfinished question on screen keeps (``2 graded parts and the hint``), or ''."""
        from examprep.words import plural

        s = self.store.session(self.session_id)
        if s is None or s.finished or not s.pending_code or s.pending_position is None:
            return ""
        n = len(self.store.pending_parts(s.id, s.pending_position, s.pending_code))
        kept = [plural(n, "graded part")] if n else []
        kept += ["the hint"] if s.pending_hint else []
        return f"question {s.pending_position + 1}'s {' and '.join(kept)}" if kept else ""

    def _loop(self, position: int, pending: Pending | None) -> bool:
        """Ask until the end (True) or a quit (False)."""
        from examprep.instances import from_code
        from examprep.registry import make

        while position < self.options.count:
            if pending:
                inst = from_code(pending.code)
                pt = make(inst.problem_id)
            else:
                pt, inst = self.next_instance(position, self.store.attempts())
            self.store.set_pending(self.session_id, inst.code, position, self.elapsed())
            out = self.ask(pt, inst, position, pending)
            pending = None
            if out.attempt is not None:
                position += 1
            if out.quit:
                return position >= self.options.count
        return True

    def ask(self, pt: Any, inst: Any, position: int, pending: Pending | None = None) -> Outcome:
        """One question: statement, parts, grading, feedback, solution offer (continuing ``pending``)."""
        c = self.console
        screen.header(c, pt, inst, position, self.options.count)
        if pt.carry_note():
            c.print(pt.carry_note(), markup=False, highlight=False)
        truth = _Lazy(lambda: pt.solve(inst.params))  # computed, and the grader imported, after the first answer
        mistakes = _Lazy(lambda: pt.mistakes(inst.params))
        t0, before = time.monotonic(), (pending.seconds if pending else 0.0)
        self._question_clock = lambda: before + time.monotonic() - t0
        hint = bool(pending and pending.hint)
        done = {p.name: p for p in pending.parts} if pending else {}
        if pending and (done or hint):
            c.print("Continuing this question where it stopped:", style="bold")
        if hint:
            screen.hint(c, pt.derivation(inst.params), HINT_COST, first=False)
        answers: dict[str, str] = {}
        results: list[Any] = []
        asked = [p for p in pt.active_parts(inst.params) if p.final]
        grading = GradeOptions(tolerance=self.options.tolerance)
        for part in asked:
            retried = False
            if part.name in done:
                from examprep.grader.score import PartResult

                rec = done[part.name]
                r = PartResult(**{k: v for k, v in rec.verdict.items() if k in PartResult.__dataclass_fields__})
                c.print(f"{part.name} ({part.label}) › {rec.answer}", markup=False, highlight=False)
                screen.verdict(c, r)
                answers[part.name] = rec.answer
                results.append(r)
                continue
            while True:
                text = self.inp.ask(f"{part.name} ({part.label}; {part.form(grading.tolerance)}) › ")
                if text is None:
                    return Outcome(None, quit=True)
                text = text.strip()
                cmd = COMMANDS.get(text.lower())
                if not text:
                    continue
                if cmd == "quit":
                    return Outcome(None, quit=True)
                if cmd == "hint":
                    hint = self._hint(pt, inst, hint)
                    continue
                if cmd in ("skip", "solution"):
                    return self._give_up(pt, inst, position, cmd, answers, results, hint, truth())
                from examprep.grader.score import grade_part

                r = grade_part(part, truth()[part.name], text, mistakes(), grading)
                if r.verdict == "invalid":
                    c.print(f"  {MARKS['invalid']} {r.feedback}. Expected {part.form(grading.tolerance)}; try again "
                            "(:q quits).", markup=False)
                    continue
                if r.verdict == "imprecise" and not retried:  # once, without revealing the answer
                    retried = True
                    c.print(f"  {MARKS['imprecise']} {r.feedback}; answer again.",
                            markup=False, highlight=False)
                    continue
                self.store.record_part(self.session_id, position, inst.code, PartRecord(part.name, text, r.to_json()),
                                       self._question_clock(), self.elapsed())
                answers[part.name] = text
                if part.uses and pt.carries_forward and r.verdict not in ("right", "imprecise"):  # carried forward
                    from examprep.grader.carried import carry_forward

                    earlier = {x.name: x for x in results}
                    r = carry_forward(pt, inst.params, truth(), answers, {**earlier, part.name: r}, grading).get(
                        part.name, r)
                results.append(r)
                screen.verdict(c, r)
                break
        results = self._follow_later_answers(pt, inst, truth(), answers, results, grading)
        a = self._save(pt, inst, position, "graded", self._score(asked, results, hint), answers, results, hint)
        screen.wrong_answers(c, truth(), results)
        c.print(f"Score: {a.score:.0%}{' (hint used)' if a.hint else ''} · saved", style="bold")
        return Outcome(a, quit=self._after(pt, inst))

    # ---- pieces -----------------------------------------------------------------------------------------------
    def _follow_later_answers(self, pt: Any, inst: Any, truth: Any, answers: dict[str, str], results: list[Any],
                              grading: GradeOptions) -> list[Any]:
        """Error carried forward once every part is answered: a part computed from a part asked after it (the
        receptive field from the jumps) is marked again against all the student's answers; a better verdict is
        shown and kept."""
        if not pt.carries_forward or len(results) < 2 or all(r.verdict == "right" for r in results):
            return results
        from examprep.grader.carried import carry_forward

        by_name = {r.name: r for r in results}
        later = carry_forward(pt, inst.params, truth, answers, by_name, grading)
        better = {n: r for n, r in later.items() if n in by_name and r.score > by_name[n].score}
        for r in better.values():
            self.console.print(f"{r.name} marked again with your later answers:", markup=False, highlight=False)
            screen.verdict(self.console, r)
        return [better.get(r.name, r) for r in results]

    @staticmethod
    def _score(asked: list[Any], results: list[Any], hint: bool) -> float:
        """The weighted score of the graded parts (parts not graded count 0), less the hint's cost."""
        weights = {p.name: p.weight for p in asked}
        total = sum(weights.values())
        score = sum(weights[r.name] * r.score for r in results) / total if total else 0.0
        return score * (1 - HINT_COST) if hint else score

    def _give_up(self, pt: Any, inst: Any, position: int, cmd: str, answers: dict[str, str], results: list[Any],
                 hint: bool, truth: dict[str, Any]) -> Outcome:
        """``:s`` / ``:w``: the question ends as skipped; parts already graded keep their credit."""
        asked = [p for p in pt.active_parts(inst.params) if p.final]
        score = self._score(asked, results, hint)
        a = self._save(pt, inst, position, "skipped", score, answers, results, hint)
        d = pt.derivation(inst.params)
        kept = f"{screen.kept_line(results, score)}. " if results else ""
        if cmd == "solution":
            self.console.print(f"{kept}Given up; the worked solution:", markup=False)
            screen.solution(self.console, d)
        else:
            self.console.print(f"{kept or 'Skipped. '}Answer: {screen.answer_line(pt, inst, d, truth)}",
                               markup=False)
        return Outcome(a)

    def _save(self, pt: Any, inst: Any, position: int, status: str, score: float, answers: dict[str, str],
              results: list[Any], hint: bool) -> Attempt:
        seconds = self._question_clock() if self._question_clock else 0.0
        a = Attempt(session_id=self.session_id, position=position, code=inst.code, problem_id=pt.id,
                    difficulty=inst.difficulty, status=status, score=score, answers=answers,
                    verdicts=[r.to_json() for r in results], seconds=seconds, hint=hint)
        self.store.record(a, self.elapsed())
        self._question_clock = None
        return a

    def _hint(self, pt: Any, inst: Any, used: bool) -> bool:
        """Show the hint; its use is committed before it is shown, so quitting cannot dodge its cost."""
        d = pt.derivation(inst.params)
        if not d.steps:
            self.console.print("No hint for this question.")
            return used
        if not used:
            self.store.record_hint(self.session_id, self._question_clock() if self._question_clock else 0.0,
                                   self.elapsed())
        screen.hint(self.console, d, HINT_COST, first=not used)
        return True

    def _after(self, pt: Any, inst: Any) -> bool:
        """Offer the worked solution; True when the user quits here."""
        if not self.inp.interactive:
            nxt = self.inp.peek()
            cmd = COMMANDS.get((nxt or "").lower())
            if cmd in ("solution", "quit"):
                self.inp.ask("")
            if cmd == "solution":
                screen.solution(self.console, pt.derivation(inst.params))
            return cmd == "quit"
        while True:
            text = self.inp.ask("w worked solution · Enter next question · q quit › ")
            key = "q" if text is None else text.strip().lower().lstrip(":")
            if key in ("w", "solution", "s"):
                screen.solution(self.console, pt.derivation(inst.params))
                return False
            if key in ("", "n", "next"):
                return False
            if key in ("q", "quit"):
                return True


class _Lazy:
    """A value computed on first call (and kept)."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make, self._done, self._value = make, False, None

    def __call__(self) -> Any:
        if not self._done:
            self._value, self._done = self._make(), True
        return self._value


def _instance_seed(seed: int, position: int) -> int:
    """The seed of the question at ``position``: consecutive, so codes stay short and a fixed --seed is repeatable."""
    return seed + position
