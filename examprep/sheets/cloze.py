"""Moodle cloze fields that weigh parts as ``examprep grade`` does and show named mistakes as wrong answers.

``grade`` gives a question the sum of its final parts' weights; a vector or matrix part earns its weight times the
fraction of entries that are right (``partial=True``), or all or nothing (``partial=False``). Moodle weighs the
embedded fields of a cloze question by integer weights, so each part gets one field per entry (one field in all when
it is all-or-nothing), and every field of part *p* with *n* fields gets weight ``w_p / n`` times one common integer
scale: the parts' shares of the question are exactly ``grade``'s. An all-or-nothing array is one short-answer field
(its text, with or without spaces), so its layout never shows how many entries the answer has (``harris_map``'s
corners would otherwise give away ``n_corners``). Each applicable named mistake is a 0% answer with its feedback.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from examprep.parts import Part
from examprep.sheets.build import entries, plain
from examprep.solver.prose import to_text

NUMERIC = ("integer", "real")


def escape_cloze(s: str) -> str:
    """Text inside a cloze field: Moodle's special characters backslash-escaped."""
    for c in "\\{}#~/\"":
        s = s.replace(c, "\\" + c)
    return s


def is_array(v: Any) -> bool:
    return isinstance(plain(v), list)


def field_count(part: Part, value: Any) -> int:
    """How many fields a part gets: one per entry of a partly-credited array, else one."""
    return len(entries(value)) if is_array(value) and part.partial else 1


def field_weights(parts: tuple[Part, ...], answers: dict[str, Any]) -> dict[str, int]:
    """The integer weight of each field of each part, so that every part's fields sum to its grade weight times one
    common scale (the least that makes every field weight an integer)."""
    share = {p.name: Fraction(p.weight).limit_denominator(1000) / field_count(p, answers[p.name]) for p in parts}
    scale = math.lcm(*(f.denominator for f in share.values())) if share else 1
    return {name: int(f * scale) for name, f in share.items()}


def number(x: float | int) -> str:
    """A number in plain positional notation (Moodle reads no exponents), at full precision."""
    import numpy as np

    if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        return str(int(x))
    return np.format_float_positional(float(f"{float(x):.12g}"), trim="-")


def array_text(v: Any) -> str:
    """An array as the short-answer text a student types: ``[[1, 2], [3, 4]]``."""
    v = plain(v)
    if isinstance(v, list):
        return "[" + ", ".join(array_text(x) for x in v) + "]"
    return number(v) if not isinstance(v, str) else v


def _numerical(weight: int, value: Any, tol: float, wrong: list[tuple[Any, float, str]]) -> str:
    alts = "".join(f"~%0%{number(m)}:{number(t)}#{escape_cloze(fb)}" for m, t, fb in wrong)
    return f"{{{weight}:NUMERICAL:={number(value)}:{number(tol)}#{escape_cloze('Right.')}{alts}}}"


def _short(weight: int, rights: list[str], wrong: list[tuple[str, str]]) -> str:
    ok = "~".join(f"%100%{escape_cloze(r)}" for r in dict.fromkeys(rights))
    alts = "".join(f"~%0%{escape_cloze(m)}#{escape_cloze(fb)}" for m, fb in wrong)
    return f"{{{weight}:SHORTANSWER:{ok}{alts}}}"


def fields(part: Part, value: Any, weight: int, mistakes: list[tuple[Any, str]], tolerance: Any) -> str:
    """The cloze markup of one part: one field, a row of fields (a vector) or a grid (a matrix).

    Args:
        mistakes: (the mistaken value of this part, its feedback markup) for each applicable named mistake.
        tolerance: ``tolerance(part, true_value)``, Moodle's absolute tolerance of one number.
    """
    v = plain(value)
    named = [(plain(m), to_text(fb)) for m, fb in mistakes]
    if not isinstance(v, list):
        if isinstance(v, str):
            return _short(weight, [v], [(m, fb) for m, fb in named if isinstance(m, str) and m != v])
        wrong = [(m, tolerance(part, m), fb) for m, fb in named
                 if not isinstance(m, (list, str)) and abs(float(m) - float(v)) > tolerance(part, v)]
        return _numerical(weight, v, tolerance(part, v), _unique(wrong))
    if not part.partial:  # all or nothing: one field, whatever the answer's size
        text = array_text(v)
        wrong = [(array_text(m), fb) for m, fb in named if isinstance(m, list) and array_text(m) != text]
        return _short(weight, [text, text.replace(" ", "")], _unique(wrong))
    rows = v if v and isinstance(v[0], list) else [v]
    named = [(m, fb) for m, fb in named if _shape(m) == _shape(v)]  # a wrong shape has no entry-by-entry match
    cells = []
    for i, row in enumerate(rows):
        tds = []
        for j, x in enumerate(row):
            wrong = []
            for m, fb in named:
                mr = m if isinstance(m, list) and m and isinstance(m[0], list) else [m]
                try:
                    mx = mr[i][j]
                except (IndexError, TypeError):
                    continue  # a mistake of another shape has no entry here
                if not isinstance(mx, (list, str)) and abs(float(mx) - float(x)) > tolerance(part, x):
                    wrong.append((mx, tolerance(part, mx), fb))
            tds.append(f"<td>{_numerical(weight, x, tolerance(part, x), _unique(wrong))}</td>")
        cells.append("<tr>" + "".join(tds) + "</tr>")
    return f'<table class="examprep-grid">{"".join(cells)}</table>'


def _shape(v: Any) -> tuple[int, ...]:
    if not isinstance(v, list):
        return ()
    return (len(v), *(_shape(v[0]) if v else ()))


def _unique(items: list[Any]) -> list[Any]:
    """One answer per mistaken value; two mistakes that give the same value share it, both feedbacks shown."""
    out: dict[str, list[Any]] = {}
    for it in items:
        key = str(it[0])
        if key in out:
            out[key][-1] += f" Or: {it[-1]}"
        else:
            out[key] = list(it)
    return [tuple(v) for v in out.values()]
