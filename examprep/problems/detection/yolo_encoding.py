"""YOLO (v1) output size and the grid encoding of one ground-truth box.

Catalog: seed_002 E9 (YOLO, lines 533–539).

Parameters:
    S: grid side (S × S cells); B: boxes predicted per cell; C: classes.
    img: side of the square input image in pixels (a multiple of S).
    box: the ground-truth box [cx, cy, w, h] in pixels (centre, width, height; x is the column).

Answer parts: ``outputs`` = S·S·(5B + C), ``cell`` = [column, row] of the responsible cell (counted from 0),
``offset`` = the centre inside that cell in cell units, ``size`` = [w/img, h/img].

Conventions stated in the prompt: cells and pixels are counted from 0 at the top left; the cell side is img/S; the
centre (cx, cy) lies in column ⌊cx/cell⌋ and row ⌊cy/cell⌋; offsets are cx/cell − column and cy/cell − row; the
box size is normalised by the image side.

Reference: a torch computation with floor division on the batch, and the output size as the numel of an
(S, S, 5B + C) tensor on the meta device (examprep.reference.detection:yolo_encoding).

Common mistakes: 5 + C outputs per cell (one box instead of B), row and column swapped, offsets measured over the
whole image instead of the cell.

Versions: v1 — first version.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.detection.boxes import whole
from examprep.solver.expr import Sym, floor, paren
from examprep.solver.step import Derivation

SIDES = {7: (224, 448), 13: (416,)}


def _num(x: Fraction) -> int | float:
    return int(x) if x.denominator == 1 else float(x)


class YoloEncoding(ProblemType):
    id = "detection/yolo_encoding-v1"
    title = "YOLO output size and grid encoding of a box"
    catalog = "seed_002 E9"
    reference_entry = "examprep.reference.detection:yolo_encoding"
    params = (
        Param("S", "int", "grid side (S × S cells)", lo=1, hi=64),
        Param("B", "int", "boxes predicted per cell", lo=1, hi=16),
        Param("C", "int", "number of classes", lo=1, hi=1000),
        Param("img", "int", "side of the square image in pixels (a multiple of S)", lo=1, hi=4096),
        Param("box", "vector", "the box [cx, cy, w, h] in pixels", lo=0, hi=4096),
    )
    parts = (
        Part("outputs", "Output values per image S·S·(5B + C)", "integer"),
        Part("cell", "Responsible cell [column, row], from 0", "vector", integral=True, partial=False),
        Part("offset", "Centre inside the cell [x, y], in cell units", "vector", digits=4, uses=("cell",)),
        Part("size", "Box size [w, h] over the image side", "vector", digits=4),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        S = 7 if difficulty != "hard" else int(rng.choice([7, 13]))
        img = int(rng.choice(SIDES[S])) if difficulty != "easy" else 448
        B = 2 if difficulty == "easy" else int(rng.choice([2, 3, 5]))
        C = 20 if difficulty == "easy" else int(rng.choice([20, 80]))
        cell = img // S
        step = cell // 8 if difficulty != "hard" else 1  # easy/medium: offsets in eighths of a cell
        cx, cy = (int(rng.integers(1, img // step)) * step for _ in range(2))
        w, h = (int(rng.integers(2, img // 8 + 1)) * 4 for _ in range(2))
        return dict(S=S, B=B, C=C, img=img, box=(float(cx), float(cy), float(w), float(h)))

    def check(self, p: Params) -> list[str]:
        if p.img % p.S:
            raise ParamError(f"img = {p.img} is not a multiple of S = {p.S}; the cells must have a whole side")
        if len(p.box) != 4:
            raise ParamError(f"box has {len(p.box)} numbers; give [cx, cy, w, h]")
        cx, cy, w, h = p.box
        if not (0 <= cx < p.img and 0 <= cy < p.img):
            raise ParamError(f"the centre ({cx:g}, {cy:g}) is outside the {p.img}×{p.img} image")
        if not (0 < w <= p.img and 0 < h <= p.img):
            raise ParamError(f"the box size {w:g}×{h:g} must be positive and at most the image side {p.img}")
        return []

    def degenerate(self, p: Params) -> str | None:
        off = self.solve(p)["offset"]
        if any(o == 0 for o in off):
            return "the centre lies on a cell border"
        return None

    def _frac(self, p: Params, given: Answers | None = None) -> tuple[Fraction, list[int], list[Fraction]]:
        """The cell side, the responsible cell and the offsets inside it (inside the student's cell when given:
        error carried forward)."""
        cell = Fraction(p.img, p.S)
        pos = [Fraction(v).limit_denominator(10**6) / cell for v in p.box[:2]]
        idx = [int(v // 1) for v in pos]
        if given and "cell" in given:
            idx = whole(carry(given, "cell", idx))
        return cell, idx, [v - i for v, i in zip(pos, idx, strict=True)]

    def statement(self, p: Params) -> list[Any]:
        cx, cy, w, h = (f"{v:g}" for v in p.box)
        return [
            f"A YOLO (v1) detector splits a {p.img}×{p.img} image into an $S \\times S$ grid with $S = {p.S}$; each "
            f"cell predicts $B = {p.B}$ boxes (each $x, y, w, h$ and a confidence) and $C = {p.C}$ class "
            "probabilities. (a) How many output values does the network produce per image? "
            f"(b) A ground-truth box has centre $(c_x, c_y) = ({cx}, {cy})$ and size ${w} \\times {h}$ pixels "
            "($x$ is the column). Pixels and cells are counted from 0 at the top left. Which cell "
            "[column, row] is responsible for it, where is the centre inside that cell (offsets in cell units, "
            "between 0 and 1), and what is the box size normalised by the image side, $[w/\\mathrm{img}, "
            "h/\\mathrm{img}]$? Give offsets and sizes to 4 significant figures."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        cell, idx, off = self._frac(p, given)
        return {"outputs": p.S * p.S * (5 * p.B + p.C), "cell": idx, "offset": [_num(o) for o in off],
                "size": [_num(Fraction(v).limit_denominator(10**6) / p.img) for v in p.box[2:]]}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        cell, idx, off = self._frac(p)
        d = Derivation()
        S, B, C = Sym("S"), Sym("B"), Sym("C")
        d.add("Outputs per image", ans["outputs"], lhs=Sym("N"), formula=S * S * paren(5 * B + C),
              subs={"S": p.S, "B": p.B, "C": p.C}, part="outputs",
              note="each cell: B boxes of 5 numbers (x, y, w, h, confidence) and C class probabilities")
        side = Sym("cell", latex=r"\mathrm{cell}", typst='"cell"')
        img = Sym("img", latex=r"\mathrm{img}", typst='"img"')
        c = d.add("Cell side", _num(cell), lhs=side, formula=img / S, subs={"img": p.img, "S": p.S})
        cx, cy = Sym("c_x"), Sym("c_y")
        d.add("Column", idx[0], lhs=Sym("col", latex=r"\mathrm{col}", typst='"col"'), formula=floor(cx / side),
              subs={"c_x": p.box[0], "cell": c})
        d.add("Row", idx[1], lhs=Sym("row", latex=r"\mathrm{row}", typst='"row"'), formula=floor(cy / side),
              subs={"c_y": p.box[1], "cell": c})
        d.add("Responsible cell [column, row]", ans["cell"], lhs=Sym("cell_ij", tex=r"[\mathrm{col}, \mathrm{row}]"),
              part="cell")
        d.add("Offset in x", ans["offset"][0], lhs=Sym("o_x"), formula=cx / side - Sym("col"),
              subs={"c_x": p.box[0], "cell": c, "col": idx[0]})
        d.add("Offset in y", ans["offset"][1], lhs=Sym("o_y"), formula=cy / side - Sym("row"),
              subs={"c_y": p.box[1], "cell": c, "row": idx[1]})
        d.add("Offsets", ans["offset"], lhs=Sym("o", "[o_x, o_y]", latex="[o_x, o_y]", typst="[o_x, o_y]"),
              part="offset")
        w, h = Sym("w"), Sym("h")
        d.add("Normalised width", ans["size"][0], lhs=Sym("w_n", "w/img", latex=r"w/\mathrm{img}",
              typst='w/"img"'), formula=w / img, subs={"w": p.box[2], "img": p.img})
        d.add("Normalised height", ans["size"][1], lhs=Sym("h_n", "h/img", latex=r"h/\mathrm{img}",
              typst='h/"img"'), formula=h / img, subs={"h": p.box[3], "img": p.img})
        d.add("Normalised size", ans["size"], lhs=Sym("size", latex=r"\mathrm{size}", typst='"size"'),
              part="size")
        d.answer = (f"{ans['outputs']} outputs; cell [column, row] = {ans['cell']}; offsets "
                    f"[{ans['offset'][0]:.4g}, {ans['offset'][1]:.4g}]; size [{ans['size'][0]:.4g}, "
                    f"{ans['size'][1]:.4g}]")
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        ans = self.solve(p)
        m = {"five_plus_c": Mistake(
            {"outputs": p.S * p.S * (5 + p.C)},
            "Each cell predicts B boxes of 5 numbers each, so a cell has $5B + C$ outputs, not $5 + C$.")}
        col, row = ans["cell"]
        if col != row:
            m["row_column_swapped"] = Mistake(
                {"cell": [row, col], "offset": ans["offset"][::-1]},
                "You swapped row and column: x (the column) comes from c_x, y (the row) from c_y.")
        m["offset_over_image"] = Mistake(
            {"offset": [_num(Fraction(v).limit_denominator(10**6) / p.img) for v in p.box[:2]]},
            "The offsets are measured inside the responsible cell, in cell units (c/cell − column), not over the "
            "whole image.")
        return m
