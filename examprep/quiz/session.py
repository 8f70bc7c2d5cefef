"""The quiz session: pick a problem, ask its parts one by one, grade, save, give feedback, offer the solution.

Input comes from the terminal or, in scripted mode, from lines of text (``--answers FILE`` or a pipe on stdin;
see :mod:`examprep.quiz.inputs`). Both accept the same lines: an answer to the part being asked, or a command —
``:h`` hint (the first step of the worked solution; costs ``HINT_COST`` of the question's marks), ``:s`` skip,
``:w`` show the worked solution (gives the question up), ``:q`` quit. After a question is graded, ``w`` (or
``:w``) shows the worked solution and ``q`` quits; in scripted mode a ``:w`` line there does the same.

Every graded or skipped question is committed to the history before the next prompt; the question on screen is
remembered in its session, so ``examprep quiz --resume`` asks it again after Ctrl-C or a crash.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from examprep.errors import ExamprepError
from examprep.grader.options import GradeOptions
from examprep.quiz import scheduler
from examprep.quiz.inputs import Input
from examprep.quiz.store import Attempt, HistoryStore

HINT_COST = 0.25
DIFFICULTIES = ("easy", "medium", "hard", "adaptive")
COMMANDS = {":h": "hint", ":hint": "hint", ":s": "skip", ":skip": "skip", ":w": "solution", ":solution": "solution",
            ":q": "quit", ":quit": "quit"}
MARKS = {"right": "✓", "carried": "✓", "imprecise": "≈", "wrong": "✗", "partial": "◐", "invalid": "?"}


class QuizError(ExamprepError):
    """A quiz that cannot start (no session to resume, no problem types match the filters)."""


@dataclass
class QuizOptions:
    """What the user asked for; stored with the session so ``--resume`` continues the same quiz."""

    topics: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    count: int = 5
    difficulty: str = "adaptive"
    seed: int | None = None
    tolerance: str = "fair"  # grading policy (examprep.grader.options)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> QuizOptions:
        return cls(**{k: d[k] for k in ("topics", "types", "count", "difficulty", "seed", "tolerance")
                     if k in d})


@dataclass
class Outcome:
    """How one question ended."""

    attempt: Attempt | None
    quit: bool = False


class Quiz:
    """One session over an open history."""

    def __init__(self, store: HistoryStore, options: QuizOptions, console: Any, inp: Input,
                 session_id: int | None = None) -> None:
        """Start a new session (or continue ``session_id``) with ``options``; raises QuizError on bad options."""
        from examprep.registry import list_specs, resolve

        if options.difficulty not in DIFFICULTIES:
            raise QuizError(f"--difficulty {options.difficulty!r}: use one of {', '.join(DIFFICULTIES)}")
        if options.count < 1:
            raise QuizError("--count must be at least 1")
        specs = list_specs(options.topics or None)
        if options.types:
            wanted = {resolve(t).base for t in options.types}
            specs = [s for s in specs if s.base in wanted]
        if not specs:
            raise QuizError("no problem type matches --topic/--type; see `examprep list`")
        self.units = {s.base: s.id for s in specs}
        self.store, self.options, self.console, self.inp = store, options, console, inp
        if options.seed is None:
            options.seed = secrets.randbelow(10_000)
        self.session_id = session_id if session_id is not None else store.start_session(options.to_json())
        self.started = time.monotonic()

    @classmethod
    def resume(cls, store: HistoryStore, console: Any, inp: Input) -> tuple[Quiz, int, str | None]:
        """The last unfinished session, the position to continue at and the question to ask again (if any)."""
        s = store.last_unfinished()
        if s is None:
            raise QuizError(f"no interrupted quiz in {store.path}; start one with `examprep quiz`")
        quiz = cls(store, QuizOptions.from_json(s.options), console, inp, session_id=s.id)
        done = store.attempts(s.id)
        position = s.pending_position if s.pending_code else (max((a.position for a in done), default=-1) + 1)
        return quiz, position, s.pending_code

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
    def run(self, position: int = 0, pending: str | None = None) -> list[Attempt]:
        """Ask questions from ``position`` to the end (or until quit / end of input); returns this session's."""
        from examprep.instances import from_code
        from examprep.registry import make

        quit_ = False
        while position < self.options.count and not quit_:
            history = self.store.attempts()
            if pending:
                inst = from_code(pending)
                pt = make(inst.problem_id)
                pending = None
            else:
                pt, inst = self.next_instance(position, history)
            self.store.set_pending(self.session_id, inst.code, position)
            out = self.ask(pt, inst, position)
            quit_ = out.quit
            if out.attempt is not None:
                position += 1
        if position >= self.options.count:
            self.store.finish_session(self.session_id)
        done = self.store.attempts(self.session_id)
        from examprep.quiz.summary import render_summary

        render_summary(done, self.options.count, time.monotonic() - self.started, self.console)
        return done

    def ask(self, pt: Any, inst: Any, position: int) -> Outcome:
        """One question: statement, parts, grading, feedback, solution offer."""
        from rich.rule import Rule

        from examprep.solver.render import statement

        c = self.console
        self._current = (pt, inst)
        c.print(Rule(f"Question {position + 1} of {self.options.count} · {pt.title}", style="cyan"))
        c.print(f"{pt.id} · code {inst.code} · {inst.difficulty}", markup=False, highlight=False, style="dim")
        c.print(statement(pt.statement(inst.params), "text"), markup=False, highlight=False)
        if pt.carry_note():
            c.print(pt.carry_note(), markup=False, highlight=False)
        c.print("Answer each part. Commands: :h hint · :s skip · :w worked solution · :q quit", style="dim")
        t0 = time.monotonic()
        truth = pt.solve(inst.params)
        mistakes = pt.mistakes(inst.params)
        hint = False
        answers: dict[str, str] = {}
        results: list[Any] = []
        asked = [p for p in pt.active_parts(inst.params) if p.final]
        grading = GradeOptions(tolerance=self.options.tolerance)
        for part in asked:
            retried = False
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
                    a = self._save(pt, inst, position, "skipped", 0.0, answers, results, hint, t0)
                    if cmd == "solution":
                        c.print("Given up; the worked solution:", markup=False)
                        self._show_solution(pt, inst)
                    else:
                        c.print(f"Skipped. Answer: {self._answer_line(pt, inst, truth)}", markup=False)
                    return Outcome(a)
                from examprep.grader.score import grade_part

                r = grade_part(part, truth[part.name], text, mistakes, grading)
                if r.verdict == "invalid":
                    c.print(f"  {MARKS['invalid']} {r.feedback}. Expected {part.form(grading.tolerance)}; try again "
                            "(:q quits).", markup=False)
                    continue
                if r.verdict == "imprecise" and not retried:  # once, without revealing the answer
                    retried = True
                    c.print(f"  {MARKS['imprecise']} {r.feedback}; answer again.",
                            markup=False, highlight=False)
                    continue
                answers[part.name] = text
                if part.uses and pt.carries_forward and r.verdict not in ("right", "imprecise"):  # carried forward
                    from examprep.grader.carried import carry_forward

                    earlier = {x.name: x for x in results}
                    r = carry_forward(pt, inst.params, truth, answers, {**earlier, part.name: r}, grading).get(
                        part.name, r)
                results.append(r)
                self._feedback(r)
                break
        weights = {p.name: p.weight for p in asked}
        total = sum(weights.values())
        score = sum(weights[r.name] * r.score for r in results) / total if total else 0.0
        if hint:
            score *= 1 - HINT_COST
        a = self._save(pt, inst, position, "graded", score, answers, results, hint, t0)
        self._report(pt, inst, a, truth, results)
        return Outcome(a, quit=self._after())

    # ---- pieces -----------------------------------------------------------------------------------------------
    def _save(self, pt: Any, inst: Any, position: int, status: str, score: float, answers: dict[str, str],
              results: list[Any], hint: bool, t0: float) -> Attempt:
        a = Attempt(session_id=self.session_id, position=position, code=inst.code, problem_id=pt.id,
                    difficulty=inst.difficulty, status=status, score=score, answers=answers,
                    verdicts=[r.to_json() for r in results], seconds=time.monotonic() - t0, hint=hint)
        self.store.record(a)
        return a

    def _derivation(self, pt: Any, inst: Any) -> Any:
        return pt.derivation(inst.params)

    def _answer_line(self, pt: Any, inst: Any, truth: dict[str, Any]) -> str:
        from examprep.solver.render import value_text

        line = self._derivation(pt, inst).answer
        asked = [p for p in pt.active_parts(inst.params) if p.final]
        return line or "; ".join(f"{p.name} = {value_text(truth[p.name])}" for p in asked)

    def _hint(self, pt: Any, inst: Any, used: bool) -> bool:
        from examprep.solver.render import step_lines

        d = self._derivation(pt, inst)
        if not d.steps:
            self.console.print("No hint for this question.")
            return used
        note = "" if used else f" (costs {HINT_COST:.0%} of this question's marks)"
        self.console.print(f"Hint{note}:", style="yellow")
        self.console.print("\n".join(step_lines(d.steps[0], 1, "text")), markup=False, highlight=False)
        return True

    def _feedback(self, r: Any) -> None:
        line = f"  {MARKS[r.verdict]} {r.verdict}" + (f" (read as {r.read_as})" if r.read_as else "")
        if r.feedback:
            line += f" — {r.feedback}"
        if r.mistake:
            line += f" [{r.mistake}]"
        style = {"right": "green", "partial": "yellow"}.get(r.verdict, "red")
        self.console.print(line, style=style, markup=False, highlight=False)

    def _report(self, pt: Any, inst: Any, a: Attempt, truth: dict[str, Any], results: list[Any]) -> None:
        from examprep.solver.render import value_text

        wrong = [r for r in results if r.verdict not in ("right", "carried", "imprecise")]
        for r in wrong:
            self.console.print(f"  {r.name}: the answer is {value_text(truth[r.name])}", markup=False,
                               highlight=False)
        hint = " (hint used)" if a.hint else ""
        self.console.print(f"Score: {a.score:.0%}{hint} · saved", style="bold")

    def _show_solution(self, pt: Any, inst: Any) -> None:
        from rich.rule import Rule

        from examprep.solver.render import derivation

        self.console.print(Rule("Worked solution", style="dim"))
        self.console.print(derivation(self._derivation(pt, inst), "text"), markup=False, highlight=False)

    def _after(self) -> bool:
        """Offer the worked solution; True when the user quits here."""
        if not self.inp.interactive:
            nxt = self.inp.peek()
            cmd = COMMANDS.get((nxt or "").lower())
            if cmd in ("solution", "quit"):
                self.inp.ask("")
            if cmd == "solution":
                self._show_solution(*self._current)
            return cmd == "quit"
        while True:
            text = self.inp.ask("w worked solution · Enter next question · q quit › ")
            key = "q" if text is None else text.strip().lower().lstrip(":")
            if key in ("w", "solution", "s"):
                self._show_solution(*self._current)
                return False
            if key in ("", "n", "next"):
                return False
            if key in ("q", "quit"):
                return True


def _instance_seed(seed: int, position: int) -> int:
    """The seed of the question at ``position``: consecutive, so codes stay short and a fixed --seed is repeatable."""
    return seed + position
