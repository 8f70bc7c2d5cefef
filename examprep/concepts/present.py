"""Text output of concept items for the CLI: the list, a question with its lettered options, its solution."""

from __future__ import annotations

from typing import Any

from examprep.concepts.model import ConceptItem


def list_entry(item: ConceptItem) -> dict[str, Any]:
    """One ``examprep list --concepts --json`` entry."""
    return {"id": item.id, "kind": "concept", "type": item.kind, "title": item.title, "topic": item.topic,
            "difficulty": item.difficulty, "parts": ["choice"], "covers": list(item.covers)}


def list_lines(items: list[ConceptItem]) -> list[str]:
    width = max((len(it.id) for it in items), default=10)
    return [f"{it.id:<{width}}  {it.kind:<9} {it.difficulty:<6}  {it.title}" for it in items]


def _math_text(s: str) -> str:
    """Inline ``$...$`` math as terminal text (Unicode), by the shared prose renderer."""
    from examprep.solver import prose

    return prose.to_text(s)


def question_text(pt: Any, inst: Any) -> str:
    """Header, stem and lettered options, then how to answer."""
    lines = [f"{pt.id} · code {inst.code} · {inst.difficulty}", "", _math_text(pt.item.stem), ""]
    lines += [f"  {letter}. {_math_text(o.text)}" for letter, o in pt.options(inst.params)]
    if pt.item.kind == "truefalse":
        lines.append("  True or false?")
    lines += ["", f"Answer with --answer choice=... ({pt.parts[0].form()})"]
    return "\n".join(lines)


def solution_text(pt: Any, inst: Any) -> str:
    """The question, then the answer with the explanation and each option's feedback."""
    lines = [question_text(pt, inst).rsplit("\n\n", 1)[0], ""]
    lines.append(f"Answer: {_math_text(pt.answer_line(inst.params))}")
    lines.append(f"Why: {_math_text(pt.item.explanation)}")
    opts = pt.options(inst.params)
    if opts:
        lines.append("")
        lines += [f"  {letter} {'✓' if o.correct else '✗'} {_math_text(o.feedback)}" for letter, o in opts]
    return "\n".join(lines)
