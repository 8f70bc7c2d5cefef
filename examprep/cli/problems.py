"""Commands on one problem or instance: list, show, solve, check, gen, key."""

from __future__ import annotations

import typer

from examprep.cli.app import (
    DIFF,
    ECF,
    IMPRECISE,
    JSON,
    SEED,
    SETS,
    TARGET_DIFF,
    TOLERANCE,
    _header,
    _target,
    app,
    emit_json,
    fail,
    grade_options,
)

MARKS = {"right": "✓", "carried": "✓", "imprecise": "≈", "wrong": "✗", "partial": "◐", "invalid": "?"}


@app.command("list")
def list_cmd(
    topic: list[str] = typer.Option(None, "--topic", "-t", help="Only these topics (repeatable)."),
    concepts: bool = typer.Option(False, "--concepts", help="List the concept questions instead of the numeric types."),
    as_json: bool = JSON,
) -> None:
    """List the problem types (newest version of each), or with --concepts the concept questions.

    Example: examprep list --topic cnn
    """
    if concepts:
        from examprep.concepts import list_items
        from examprep.concepts.present import list_entry, list_lines

        items = list_items(topic or None)
        if as_json:
            emit_json([list_entry(it) for it in items])
        else:
            typer.echo("\n".join(list_lines(items)))
        return
    from examprep.registry import list_specs

    specs = list_specs(topic or None)
    if as_json:
        emit_json([{"id": s.id, "kind": "numeric", "title": s.title, "topic": s.topic, "parts": list(s.parts)}
                   for s in specs])
        return
    width = max((len(s.id) for s in specs), default=10)
    for s in specs:
        typer.echo(f"{s.id:<{width}}  {s.title}  [{', '.join(s.parts)}]")


@app.command()
def show(
    target: str = typer.Argument(..., help="A problem id (cnn/conv_output_size) or an instance code."),
    seed: int = SEED,
    difficulty: str = TARGET_DIFF,
    sets: list[str] = SETS,
    tolerance: str = TOLERANCE,
    as_json: bool = JSON,
) -> None:
    """Show a problem statement and its instance code (no answers).

    Example: examprep show cnn/conv_output_size --seed 7 --difficulty hard
    """
    from examprep.solver.render import statement

    pt, inst = _target(target, seed, difficulty, sets)
    if getattr(pt, "is_concept", False) and not as_json:
        from examprep.concepts.present import question_text

        typer.echo(question_text(pt, inst))
        return
    if as_json:
        emit_json({**inst.to_json(), "parts": [{"name": p.name, "label": p.label, "kind": p.kind,
                                                "form": p.form(tolerance), "final": p.final}
                                               for p in pt.active_parts(inst.params)]})
        return
    from examprep.solver.wrap import terminal_width, wrap_text

    parts = "Parts: " + "; ".join(f"{p.name} ({p.label}: {p.form(tolerance)})" for p in pt.active_parts(inst.params)
                                  if p.final)
    note = [pt.carry_note()] if pt.carry_note() else []
    text = "\n".join([_header(pt, inst), statement(pt.statement(inst.params), "text"), *note, parts])
    typer.echo(wrap_text(text, terminal_width()))


@app.command()
def solve(
    target: str = typer.Argument(..., help="A problem id or an instance code."),
    seed: int = SEED,
    difficulty: str = TARGET_DIFF,
    sets: list[str] = SETS,
    fmt: str = typer.Option("text", "--format", "-f", help="text, md, latex, typst or json."),
) -> None:
    """Print the worked solution, step by step.

    Example: examprep solve cnn/conv_output_size --set H=5 --set W=5 --set K=3 --set C_in=1 --set C_out=1
    """
    from examprep.solver.render import OUTPUT_FORMATS, derivation, statement

    if fmt not in (*OUTPUT_FORMATS, "json"):
        fail(f"--format {fmt!r}: use one of text, md, latex, typst, json")
    pt, inst = _target(target, seed, difficulty, sets)
    if getattr(pt, "is_concept", False) and fmt == "text":
        from examprep.concepts.present import solution_text

        typer.echo(solution_text(pt, inst))
        return
    answers = pt.solve(inst.params)
    d = pt.derivation(inst.params)
    if fmt == "json":
        steps = [{"title": s.title, "part": s.part,
                  "formula": s.formula.render("text") if s.formula is not None else None,
                  "substituted": s.substituted.render("text") if s.substituted is not None else None,
                  "latex": (s.formula.render("latex") if s.formula is not None else None),
                  "value": s.value, "note": s.note} for s in d]
        emit_json({**inst.to_json(), "answers": answers, "steps": steps, "answer": d.answer})
        return
    if fmt == "text":
        from examprep.solver.wrap import terminal_width, wrap_text

        text = "\n".join([_header(pt, inst), statement(pt.statement(inst.params), fmt), derivation(d, fmt)])
        typer.echo(wrap_text(text, terminal_width()))
        return
    if fmt == "md":
        typer.echo(f"**{pt.id}** · code `{inst.code}`\n" if inst.code else f"**{pt.id}**\n")
    typer.echo(statement(pt.statement(inst.params), fmt))
    typer.echo(derivation(d, fmt))


@app.command()
def check(
    target: str = typer.Argument(..., help="A problem id or an instance code."),
    answer: list[str] = typer.Option(..., "--answer", "-a", help="PART=VALUE (repeatable)."),
    seed: int = SEED,
    difficulty: str = TARGET_DIFF,
    sets: list[str] = SETS,
    tolerance: str = TOLERANCE,
    imprecise_credit: float = IMPRECISE,
    ecf_credit: float = ECF,
    as_json: bool = JSON,
) -> None:
    """Grade your answers to some or all parts, intermediate ones included.

    Exit code 0 on full marks, 1 otherwise, 2 on usage errors.

    Example: examprep check cnn/conv_output_size --seed 7 --answer h_out=111 --answer w_out=111
    """
    from examprep.grader.score import grade_answers

    options = grade_options(tolerance, imprecise_credit, ecf_credit)
    pt, inst = _target(target, seed, difficulty, sets)
    given: dict[str, str] = {}
    for a in answer:
        name, eq, value = a.partition("=")
        if not eq:
            fail(f"--answer {a!r}: write PART=VALUE, e.g. --answer {pt.parts[0].name}=3")
        pt.part(name.strip())
        given[name.strip()] = value
    truth = pt.solve(inst.params)
    result = grade_answers(pt, truth, given, pt.mistakes(inst.params), options, params=inst.params)
    if as_json:
        emit_json({"code": inst.code, "id": pt.id, **result.to_json(), "warnings": list(inst.warnings)})
    else:
        typer.echo(_header(pt, inst))
        for r in result.parts:
            line = f"{MARKS[r.verdict]} {r.name} = {r.given}" + (f" (read as {r.read_as})" if r.read_as else "")
            line += f": {r.verdict}"
            if r.mistakes:
                line += f" [{', '.join(r.mistakes)}]"
            typer.echo(line + (f" — {r.feedback}" if r.feedback else ""))
        typer.echo(f"Score: {result.score:.0%}")
    raise typer.Exit(0 if result.score >= 1 else 1)


@app.command()
def gen(
    target: str = typer.Argument(..., help="A problem id."),
    count: int = typer.Option(1, "--count", "-n", min=1, help="How many instances."),
    seed: int = typer.Option(0, "--seed", "-s", help="First seed; instances use seed, seed+1, ..."),
    difficulty: str = DIFF,
    as_json: bool = typer.Option(True, "--json/--text", help="JSON lines (default) or text.", show_default=False),
) -> None:
    """Generate N instances with their answers, one JSON object per line.

    Example: examprep gen cnn/conv_output_size --count 3 --seed 10
    """
    from examprep import secret
    from examprep.registry import make
    from examprep.solver.render import minus_signs, value_text

    pt = make(target)
    key = secret.current()  # with a secret, secret instances
    for i in range(count):
        inst = pt.generate(seed + i, difficulty, key)
        answers = pt.solve(inst.params)
        if as_json:
            emit_json({**inst.to_json(), "answers": answers})
        else:
            typer.echo(f"{inst.code}  " + "  ".join(f"{k}={minus_signs(value_text(v))}" for k, v in answers.items()))


@app.command()
def key(
    codes: list[str] = typer.Argument(..., help="Instance codes."),
    tolerance: str = TOLERANCE,
    as_json: bool = JSON,
) -> None:
    """Print the answer key of instance codes (final parts, and intermediate ones marked).

    Example: examprep key EXZR-JWW
    """
    from examprep.grader.batch import answer_key
    from examprep.solver.render import minus_signs

    grade_options(tolerance)
    keys = [answer_key(c, tolerance) for c in codes]
    if as_json:
        emit_json(keys)
        return
    for k in keys:
        typer.echo(f"{k['id']} · code {k['code']} · {k['difficulty']} · {k['title']}")
        for p in k["parts"]:
            mark = "" if p["final"] else "  (intermediate)"
            typer.echo(f"  {p['part']} = {minus_signs(p['text'])}    {p['label']}; {p['form']}{mark}")
