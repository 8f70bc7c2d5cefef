"""Intersection over union (IoU) of two axis-aligned boxes.

Catalog: seed_002 E8 (object detection, lines 492–551).

Parameters:
    A, B: boxes [x1, y1, x2, y2] with continuous coordinates (x1 < x2, y1 < y2).

Answer parts: ``inter`` (area of the intersection, intermediate), ``union`` (area of the union, intermediate) and
``iou`` = inter / union.

Conventions stated in the prompt: continuous coordinates, so a box's area is (x2 − x1)(y2 − y1) (no "+1 pixel");
an overlap that would be negative is 0.

Reference: a batched torch computation from the span of the two boxes along each axis (overlap = wA + wB − span,
clamped at 0), not the min/max corners that ``solve`` uses (examprep.reference.detection:box_iou).

Common mistakes: a negative overlap not clipped to 0 (boxes apart along one axis give a negative intersection),
the union taken as area(A) + area(B) without subtracting the intersection, the old "+1 pixel" rule of integer pixel
boxes (area (x2 − x1 + 1)(y2 − y1 + 1); 9/41 instead of 4/28 in the catalog's example).

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.detection.boxes import area, check_box, draw_box, overlap
from examprep.solver.expr import Func, Sym
from examprep.solver.step import Derivation

CORNERS = ("x1", "y1", "x2", "y2")


def _iou_parts(a: Any, b: Any, clip: bool = True, plus: float = 0.0, given: Answers | None = None) -> Answers:
    """inter, union and iou; ``clip`` False leaves a negative overlap, ``plus`` 1 is the "+1 pixel" rule; ``given``
    holds the student's earlier values (error carried forward)."""
    ga = (a[0], a[1], a[2] + plus, a[3] + plus)
    gb = (b[0], b[1], b[2] + plus, b[3] + plus)
    w, h = overlap(ga, gb, clip=clip)
    if not clip and w < 0 and h < 0:  # two negative factors: the product is positive, the mistake shows a sign
        w = -w
    inter = carry(given, "inter", w * h)
    union = carry(given, "union", area(ga) + area(gb) - inter)
    return {"inter": inter, "union": union, "iou": inter / union}


W_CAP = Sym("w_cap", tex=r"w_{\cap}")
H_CAP = Sym("h_cap", tex=r"h_{\cap}")
INTER = Sym("I", tex=r"|A \cap B|")
UNION = Sym("U", "|A∪B|", latex=r"|A \cup B|", typst="|A union B|")
_SUB = {"1": "₁", "2": "₂"}
_SUP = {"A": "ᴬ", "B": "ᴮ"}


def corner(c: str, box: str) -> Sym:
    """The corner coordinate ``c`` (x1, y1, x2, y2) of box A or B: x₂ᴬ, x_2^A."""
    return Sym(f"{c}{box}", f"{c[0]}{_SUB[c[1]]}{_SUP[box]}", latex=f"{c[0]}_{c[1]}^{{{box}}}",
               typst=f"{c[0]}_{c[1]}^{box}")


class BoxIoU(ProblemType):
    id = "detection/box_iou-v1"
    title = "Intersection over union of two boxes"
    catalog = "seed_002 E8"
    reference_entry = "examprep.reference.detection:box_iou"
    params = (
        Param("A", "vector", "the first box [x1, y1, x2, y2]", lo=-1000, hi=1000),
        Param("B", "vector", "the second box [x1, y1, x2, y2]", lo=-1000, hi=1000),
    )
    parts = (
        Part("inter", "Area of the intersection", "real", final=False),
        Part("union", "Area of the union", "real", final=False, uses=("inter",)),
        Part("iou", "IoU = intersection / union", "real", mode="decdig", digits=4, uses=("inter", "union")),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        if difficulty == "easy":
            hi, step, apart = 10, 1.0, False
        elif difficulty == "medium":
            hi, step, apart = 15, 1.0, rng.random() < 0.2
        else:
            hi, step, apart = 15, 0.5, rng.random() < 0.25
        while True:
            a, b = draw_box(rng, hi, step), draw_box(rng, hi, step)
            w, h = overlap(a, b, clip=False)
            if (w > 0 and h > 0) != apart and a != b and not (w <= 0 and h <= 0):
                return dict(A=a, B=b)

    def check(self, p: Params) -> list[str]:
        check_box("A", p.A)
        check_box("B", p.B)
        return []

    def degenerate(self, p: Params) -> str | None:
        if tuple(p.A) == tuple(p.B):
            return "the boxes are the same (IoU 1)"
        return None

    def statement(self, p: Params) -> list[Any]:
        return [
            "Two bounding boxes are given as $[x_1, y_1, x_2, y_2]$ (top-left and bottom-right corners) in continuous "
            "coordinates: $A$ = ", list(p.A), " and $B$ = ", list(p.B), ". "
            "A box's area is $(x_2 - x_1)(y_2 - y_1)$ (no +1 for pixels), and an overlap that would be negative "
            "counts as 0. Compute the area of the intersection $A \\cap B$, the area of the union $A \\cup B$, and "
            "$\\mathrm{IoU} = \\frac{|A \\cap B|}{|A \\cup B|}$ to 4 decimal places."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return _iou_parts(p.A, p.B, given=given)

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        xa1, ya1, xa2, ya2 = (corner(c, "A") for c in CORNERS)
        xb1, yb1, xb2, yb2 = (corner(c, "B") for c in CORNERS)
        vals = {s.name: v for s, v in zip((xa1, ya1, xa2, ya2, xb1, yb1, xb2, yb2), (*p.A, *p.B), strict=True)}
        w_raw, h_raw = overlap(p.A, p.B, clip=False)
        w_f = Func("max", Func("min", xa2, xb2) - Func("max", xa1, xb1), 0)
        h_f = Func("max", Func("min", ya2, yb2) - Func("max", ya1, yb1), 0)
        ws, hs, inter, union = W_CAP, H_CAP, INTER, UNION
        w = d.add("Overlap width", max(w_raw, 0.0), lhs=ws, formula=w_f, subs=vals,
                  note=r"$x_1^A, y_1^A, x_2^A, y_2^A$ and $x_1^B, y_1^B, x_2^B, y_2^B$: the corners of $A$ and $B$"
                       + ("; negative: the boxes are apart along x, so the overlap is 0" if w_raw < 0 else ""))
        h = d.add("Overlap height", max(h_raw, 0.0), lhs=hs, formula=h_f, subs=vals,
                  note="negative: the boxes are apart along y, so the overlap is 0" if h_raw < 0 else None)
        d.add("Intersection area", ans["inter"], lhs=inter, formula=ws * hs,
              subs={"w_cap": w, "h_cap": h}, part="inter")
        SA, SB = (Sym(f"S_{k}", f"|{k}|", latex=f"|{k}|", typst=f"|{k}|") for k in "AB")
        sa = d.add("Area of A", area(p.A), lhs=SA, formula=(xa2 - xa1) * (ya2 - ya1), subs=vals)
        sb = d.add("Area of B", area(p.B), lhs=SB, formula=(xb2 - xb1) * (yb2 - yb1), subs=vals)
        d.add("Union area", ans["union"], lhs=union, formula=SA + SB - inter,
              subs={"S_A": sa, "S_B": sb, "I": ans["inter"]}, part="union",
              note="the intersection is counted in both areas, so it is subtracted once")
        d.add("IoU", ans["iou"], lhs=Sym("IoU", latex=r"\mathrm{IoU}", typst='"IoU"'), formula=inter / union,
              subs={"I": ans["inter"], "U": ans["union"]}, part="iou")
        d.answer = f"IoU = {ans['iou']:.4f}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        m: dict[str, Mistake] = {}
        w, h = overlap(p.A, p.B, clip=False)
        if w < 0 or h < 0:
            m["overlap_not_clipped"] = Mistake(
                _iou_parts(p.A, p.B, clip=False),
                "The boxes are apart along one axis, so the overlap there is negative: clip it at 0 "
                "($\\max(0, \\cdot)$) before multiplying. The intersection is then 0.")
        inter = self.solve(p)["inter"]
        if inter > 0:
            m["union_without_minus_inter"] = Mistake(
                {"union": area(p.A) + area(p.B), "iou": inter / (area(p.A) + area(p.B))},
                "The union is $\\text{area}(A) + \\text{area}(B) - \\text{intersection}$:"
                " the overlap is inside both boxes, so adding the "
                "two areas counts it twice.")
        m["plus_one_pixel"] = Mistake(
            _iou_parts(p.A, p.B, plus=1.0),
            "You used the old pixel rule ($x_2 - x_1 + 1$): with continuous coordinates a box's width is "
            "$x_2 - x_1$.")
        return m
