"""M-RoPE position ids (Qwen2-VL) of a video or image inserted after some text tokens.

Catalog: seed_000_001 B10 (M-RoPE: text tokens get (t, t, t); a visual patch gets (t₀ + frame, t₀ + row, t₀ + column);
the next text id is the largest id + 1).

Parameters:
    text_before: text tokens before the visual input (ids 0 .. text_before − 1, so t₀ = text_before).
    frames, grid_h, grid_w: frames and the patch grid of each frame (an image has one frame).

Answer parts: ``vision_ids`` = one row (t₀ + f, t₀ + r, t₀ + c) per patch, frame by frame, each frame row by row
(f, r, c counted from 0), and ``next_id`` = the largest id + 1 (the id of the next text token).

Reference: the Qwen2-VL rule as its ``get_rope_index`` builds it: ``arange`` index grids expanded over the
(frames, rows, columns) block and flattened, offset by the text length (examprep.reference.transformer:mrope_ids).

Common mistakes: the next id as t₀ + the number of patches (counting patches as 1-D positions).

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.seeding import picker
from examprep.solver.expr import Func, Sym
from examprep.solver.step import Derivation

T0, F_, H_, W_ = Sym("t_0"), Sym("F"), Sym("H"), Sym("W")


class MropeIds(ProblemType):
    id = "transformer/mrope_ids-v1"
    title = "M-RoPE position ids of a video after text"
    catalog = "seed_000_001 B10"
    reference_entry = "examprep.reference.transformer:mrope_ids"
    params = (
        Param("text_before", "int", "text tokens before the visual input (t₀)", lo=0, hi=10000, default=3),
        Param("frames", "int", "frames (1 for an image)", lo=1, hi=64, default=2),
        Param("grid_h", "int", "patch rows per frame", lo=1, hi=64, default=2),
        Param("grid_w", "int", "patch columns per frame", lo=1, hi=64, default=2),
    )
    parts = (
        Part("vision_ids", "Position ids (temporal, height, width) of each patch", "matrix", integral=True),
        Part("next_id", "Id of the next text token", "integer", uses=("vision_ids",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = picker(rng)
        if difficulty == "easy":
            return dict(text_before=pick([0, 1, 2, 3]), frames=1, grid_h=2, grid_w=pick([2, 3]))
        f = pick([1, 2]) if difficulty == "medium" else pick([2, 3])
        h, w = pick([(2, 2), (2, 3), (3, 2)]) if f > 1 else pick([(2, 3), (3, 3), (3, 4)])
        return dict(text_before=pick([2, 3, 4, 5, 7]), frames=f, grid_h=h, grid_w=w)

    def check(self, p: Params) -> list[str]:
        n = p.frames * p.grid_h * p.grid_w
        return [f"{n} patches is a lot of rows to write by hand"] if n > 24 else []

    def degenerate(self, p: Params) -> str | None:
        if p.frames * p.grid_h * p.grid_w <= max(p.frames, p.grid_h, p.grid_w):
            return "a single row or column of patches (the ids are 1-D)"
        return None

    def statement(self, p: Params) -> list[Any]:
        t0 = p.text_before
        vis = (f"an image of {p.grid_h}×{p.grid_w} patches" if p.frames == 1
               else f"a video of {p.frames} frames of {p.grid_h}×{p.grid_w} patches each")
        return [f"Qwen2-VL's M-RoPE gives every token three position ids (temporal, height, width). {t0} text "
                f"token{'s' if t0 != 1 else ''} come first, with ids $(t, t, t)$ for $t = 0, \\ldots, {t0 - 1}$"
                if t0 else "The input starts with the visual tokens (no text before them)",
                f"; then {vis} follows. Patch (frame $f$, row $r$, column $c$), all counted from 0, gets "
                "$(t_0 + f, t_0 + r, t_0 + c)$ with $t_0$ the number of text tokens before it, and the next text "
                "token gets the largest id so far plus 1. List the ids of the patches (frame by frame, each frame "
                "row by row, one row of three ids per patch) and give the id of the next text token."]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        t0 = p.text_before
        rows = [[t0 + f, t0 + r, t0 + c] for f in range(p.frames) for r in range(p.grid_h) for c in range(p.grid_w)]
        if given and "vision_ids" in given:  # the largest id so far (the text's and the student's) + 1
            ids = carry(given, "vision_ids", rows)
            return {"vision_ids": rows, "next_id": max(t0 - 1, int(round(np.max(ids)))) + 1}
        return {"vision_ids": rows, "next_id": t0 + max(p.frames, p.grid_h, p.grid_w)}

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        d = Derivation()
        d.add("Offset", p.text_before, lhs=T0, note="the number of text tokens before the visual input")
        d.add("Patch ids", a["vision_ids"], lhs="ids", part="vision_ids",
              note="(t_0 + f, t_0 + r, t_0 + c): frame by frame, row by row")
        last = [p.text_before + p.frames - 1, p.text_before + p.grid_h - 1, p.text_before + p.grid_w - 1]
        d.add("Largest id", max(last), lhs="m", note="the largest of t_0 + F − 1, t_0 + H − 1, t_0 + W − 1")
        d.add("Next text id", a["next_id"], lhs="t_next", formula=T0 + Func("max", F_, H_, W_),
              subs={"t_0": p.text_before, "F": p.frames, "H": p.grid_h, "W": p.grid_w}, part="next_id",
              note="the largest id + 1, not t_0 + the number of patches")
        d.answer = f"next text id {a['next_id']}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        n = p.frames * p.grid_h * p.grid_w
        return {"next_id_by_count": Mistake({"next_id": p.text_before + n},
                                            "M-RoPE ids are 3-D: the next text token continues from the largest id "
                                            "used (+1), not from t₀ plus the number of patches.")}
