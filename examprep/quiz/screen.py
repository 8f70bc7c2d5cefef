"""What the quiz prints about one question: its header, verdict lines, hints, the score and the worked solution."""

from __future__ import annotations

from typing import Any

MARKS = {"right": "✓", "carried": "✓", "imprecise": "≈", "wrong": "✗", "partial": "◐", "invalid": "?"}
COMMAND_LINE = "Answer each part. Commands: :h hint · :s skip · :w worked solution · :q quit"


def header(console: Any, pt: Any, inst: Any, position: int, count: int) -> None:
    """The rule with the question number and title, the id/code line and the statement."""
    from rich.rule import Rule

    from examprep.solver.render import statement

    console.print(Rule(f"Question {position + 1} of {count} · {pt.title}", style="cyan"))
    console.print(f"{pt.id} · code {inst.code} · {inst.difficulty}", markup=False, highlight=False, style="dim")
    _print_wrapped(console, statement(pt.statement(inst.params), "text"))
    console.print(COMMAND_LINE, style="dim")


def _print_wrapped(console: Any, text: str) -> None:
    """Text laid out for the console's width by :func:`examprep.solver.wrap.wrap_text` (as solve and show do);
    rich does not fold it again, so matrix rows stay whole."""
    from examprep.solver.wrap import wrap_text

    console.print(wrap_text(text, console.width), markup=False, highlight=False, soft_wrap=True)


def verdict(console: Any, r: Any) -> None:
    """``  ✓ right`` / ``  ✗ wrong — feedback [mistake]``."""
    line = f"  {MARKS[r.verdict]} {r.verdict}" + (f" (read as {r.read_as})" if getattr(r, "read_as", "") else "")
    if r.feedback:
        line += f" — {r.feedback}"
    if r.mistake:
        line += f" [{r.mistake}]"
    style = {"right": "green", "carried": "green", "partial": "yellow", "imprecise": "yellow"}.get(r.verdict, "red")
    console.print(line, style=style, markup=False, highlight=False)


def hint(console: Any, derivation: Any, cost: float, first: bool) -> None:
    """The first step of the worked solution (``first``: say what it costs)."""
    from examprep.solver.render import step_lines

    note = f" (costs {cost:.0%} of this question's marks)" if first else f" (used; {cost:.0%} of the marks off)"
    console.print(f"Hint{note}:", style="yellow")
    console.print("\n".join(step_lines(derivation.steps[0], 1, "text")), markup=False, highlight=False)


def answer_line(pt: Any, inst: Any, derivation: Any, truth: dict[str, Any]) -> str:
    """The derivation's answer line, or ``name = value`` for every asked part."""
    from examprep.solver.render import minus_signs, value_text

    asked = [p for p in pt.active_parts(inst.params) if p.final]
    return minus_signs(derivation.answer or "; ".join(f"{p.name} = {value_text(truth[p.name])}" for p in asked))


def wrong_answers(console: Any, truth: dict[str, Any], results: list[Any]) -> None:
    """``  name: the answer is v`` for every part not answered right (an imprecise or carried-forward answer is
    right, so its answer is not revealed)."""
    from examprep.solver.render import minus_signs, value_text

    for r in results:
        if r.verdict not in ("right", "carried", "imprecise"):
            console.print(f"  {r.name}: the answer is {minus_signs(value_text(truth[r.name]))}", markup=False,
                          highlight=False)


def kept_line(results: list[Any], score: float) -> str:
    """What a skip keeps: ``h_out right (kept), the rest skipped · score 33%``."""
    parts = ", ".join(f"{r.name} {r.verdict}" for r in results)
    return f"{parts} (kept), the rest skipped · score {score:.0%}"


def solution(console: Any, derivation: Any) -> None:
    """The worked solution under a rule."""
    from rich.rule import Rule

    from examprep.solver.render import derivation as render

    console.print(Rule("Worked solution", style="dim"))
    _print_wrapped(console, render(derivation, "text"))
