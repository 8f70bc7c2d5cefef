"""CutMix (and Cutout): paste a box of one image into another and mix the labels by area.

Catalog: seed_002 E7 (CNN regularisation, lines 484–490).

Parameters:
    A, B: two integer images of the same size (H rows × W columns).
    cx, cy: the box centre (x is the column), counted from 0.
    bw, bh: the box width and height (even).
    y_a, y_b: the classes of A and B (numbered from 1).
    n_classes: the number of classes.

Answer parts: ``box`` = [x1, y1, x2, y2] half-open (x1 = cx − bw/2, x2 = cx + bw/2, each clipped to the image),
``lam`` = 1 − box area/(W·H), ``label`` (λ on class y_a, 1 − λ on y_b), ``mixed`` (A with B's box pasted) and
``cutout`` (A with its box filled with the mean of all of A's pixels).

Conventions stated in the prompt: the box covers columns x1 … x2 − 1 and rows y1 … y2 − 1; its corners are
clipped to the image before the area is taken; λ is the share of A that remains.

Reference: torch: the box as a mask from index grids compared with the clipped corners, ``torch.where`` for the
paste, λ from the mask's mean, the label from ``F.one_hot`` (examprep.reference.detection:cutmix).

Common mistakes: λ taken as the box's share (area ratio) instead of the share that remains, the box area taken
before clipping, the labels' weights swapped, Cutout filling the box with 0 instead of the mean.

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
from examprep.solver.expr import Func, Sym
from examprep.solver.step import Derivation


def _num(x: Fraction) -> int | float:
    return int(x) if x.denominator == 1 else float(x)


class CutMix(ProblemType):
    id = "detection/cutmix-v1"
    title = "CutMix and Cutout"
    catalog = "seed_002 E7"
    reference_entry = "examprep.reference.detection:cutmix"
    params = (
        Param("A", "matrix", "the first image (H × W integers)", lo=-1000, hi=1000),
        Param("B", "matrix", "the second image, the same size", lo=-1000, hi=1000),
        Param("cx", "int", "box centre column", lo=0, hi=64),
        Param("cy", "int", "box centre row", lo=0, hi=64),
        Param("bw", "int", "box width (even)", lo=2, hi=64),
        Param("bh", "int", "box height (even)", lo=2, hi=64),
        Param("y_a", "int", "class of A (from 1)", lo=1, hi=100),
        Param("y_b", "int", "class of B (from 1)", lo=1, hi=100),
        Param("n_classes", "int", "number of classes", lo=2, hi=100),
    )
    parts = (
        Part("box", "The clipped box [x1, y1, x2, y2] (half-open)", "vector", integral=True, final=False),
        Part("lam", "λ = 1 − box area/(W·H)", "real", uses=("box",)),
        Part("label", "The mixed label (one entry per class)", "vector", uses=("lam",)),
        Part("mixed", "The CutMix image", "matrix", uses=("box",)),
        Part("cutout", "The Cutout image (box filled with A's mean)", "matrix", uses=("box",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        size = {"easy": 4, "medium": 6, "hard": int(rng.integers(5, 9))}[difficulty]
        hi = 10 if difficulty == "easy" else 20
        a, b = (rng.integers(0, hi, size=(size, size)) for _ in range(2))
        bw, bh = (int(rng.integers(1, size // 2 + 1)) * 2 for _ in range(2))
        if difficulty == "easy":  # a box fully inside the image
            cx, cy = int(rng.integers(bw // 2, size - bw // 2 + 1)), int(rng.integers(bh // 2, size - bh // 2 + 1))
        else:  # may be clipped
            cx, cy = int(rng.integers(0, size)), int(rng.integers(0, size))
        k = 3 if difficulty == "easy" else int(rng.integers(3, 6))
        ya, yb = (int(v) + 1 for v in rng.choice(k, size=2, replace=False))
        return dict(A=tuple(tuple(int(v) for v in r) for r in a), B=tuple(tuple(int(v) for v in r) for r in b),
                    cx=cx, cy=cy, bw=bw, bh=bh, y_a=ya, y_b=yb, n_classes=k)

    def check(self, p: Params) -> list[str]:
        h, w = len(p.A), len(p.A[0])
        if (len(p.B), len(p.B[0])) != (h, w):
            raise ParamError(f"A is {h}×{w} but B is {len(p.B)}×{len(p.B[0])}; give two images of the same size")
        if not (0 <= p.cx < w and 0 <= p.cy < h):
            raise ParamError(f"the centre (cx, cy) = ({p.cx}, {p.cy}) is outside the {h}×{w} image")
        if p.bw % 2 or p.bh % 2:
            raise ParamError(f"bw = {p.bw} and bh = {p.bh} must be even, so the box is centred on (cx, cy)")
        for name in ("y_a", "y_b"):
            if p[name] > p.n_classes:
                raise ParamError(f"{name} = {p[name]} is not a class: classes are 1 to n_classes = {p.n_classes}")
        return []

    def degenerate(self, p: Params) -> str | None:
        if p.y_a == p.y_b:
            return "both images have the same class"
        lam = self.solve(p)["lam"]
        if lam in (0, 1) or lam == 0.5:
            return "the box covers nothing, everything or half"
        return None

    def _box(self, p: Params, clip: bool = True) -> list[int]:
        h, w = len(p.A), len(p.A[0])
        box = [p.cx - p.bw // 2, p.cy - p.bh // 2, p.cx + p.bw // 2, p.cy + p.bh // 2]
        if clip:
            box = [min(max(box[0], 0), w), min(max(box[1], 0), h), min(max(box[2], 0), w), min(max(box[3], 0), h)]
        return box

    def _lam(self, p: Params, box: list[int]) -> Fraction:
        return 1 - Fraction((box[2] - box[0]) * (box[3] - box[1]), len(p.A) * len(p.A[0]))

    def _label(self, p: Params, lam: Fraction) -> list[int | float]:
        out = [Fraction(0)] * p.n_classes
        out[p.y_a - 1] += lam
        out[p.y_b - 1] += 1 - lam
        return [_num(v) for v in out]

    def _paste(self, p: Params, fill: Any, box: list[int] | None = None) -> list[list[Any]]:
        x1, y1, x2, y2 = self._box(p) if box is None else box
        return [[(fill(r, c) if (y1 <= r < y2 and x1 <= c < x2) else p.A[r][c]) for c in range(len(p.A[0]))]
                for r in range(len(p.A))]

    def _mean(self, p: Params) -> Fraction:
        return Fraction(sum(sum(r) for r in p.A), len(p.A) * len(p.A[0]))

    def statement(self, p: Params) -> list[Any]:
        h, w = len(p.A), len(p.A[0])
        return [
            f"Two {h}×{w} images (rows and columns counted from 0) are $A$ = ", [list(r) for r in p.A],
            f" (class {p.y_a}) and $B$ = ", [list(r) for r in p.B], f" (class {p.y_b}), with {p.n_classes} "
            f"classes numbered from 1. A box of width {p.bw} and height {p.bh} is centred at column $c_x = {p.cx}$, "
            f"row $c_y = {p.cy}$: $x_1 = c_x - b_w/2$, $x_2 = c_x + b_w/2$ (likewise in $y$), each clipped to the "
            "image, and it covers the columns $x_1, \\ldots, x_2 - 1$ and the rows $y_1, \\ldots, y_2 - 1$. "
            "Give the clipped box $[x_1, y_1, x_2, y_2]$, CutMix's "
            "$\\lambda = 1 - \\frac{\\text{box area}}{W H}$, the mixed label (one entry per class: $\\lambda$ on "
            "$A$'s class, $1 - \\lambda$ on $B$'s), the CutMix image ($A$ with $B$'s pixels inside the box) and "
            "the Cutout image ($A$ with the box filled with the mean of all of $A$'s pixels)."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        box = carry(given, "box", self._box(p))
        if given and "box" in given:  # the student's box (error carried forward)
            box = whole(box)
        lam = Fraction(carry(given, "lam", self._lam(p, box)))
        mean = self._mean(p)
        return {"box": box, "lam": _num(lam), "label": self._label(p, lam),
                "mixed": self._paste(p, lambda r, c: p.B[r][c], box),
                "cutout": self._paste(p, lambda r, c: _num(mean), box)}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        h, w = len(p.A), len(p.A[0])
        raw = self._box(p, clip=False)
        d = Derivation()
        cx, cy, bw, bh = Sym("c_x"), Sym("c_y"), Sym("b_w"), Sym("b_h")
        vals = {"c_x": p.cx, "c_y": p.cy, "b_w": p.bw, "b_h": p.bh, "W": w, "H": h}
        W, H = Sym("W"), Sym("H")
        for name, f, v in (("x_1", Func("max", cx - bw / 2, 0), ans["box"][0]),
                           ("y_1", Func("max", cy - bh / 2, 0), ans["box"][1]),
                           ("x_2", Func("min", cx + bw / 2, W), ans["box"][2]),
                           ("y_2", Func("min", cy + bh / 2, H), ans["box"][3])):
            d.add(f"Box corner {name.replace('_', '')}", v, lhs=Sym(name), formula=f, subs=vals,
                  note=r"$b_w \times b_h$: the box's width and height; $W \times H$: the image's"
                  if name == "x_1" else None)
        d.add("The clipped box", ans["box"], lhs=Sym("box", latex=r"\mathrm{box}", typst='"box"'), part="box",
              note=None if raw == ans["box"] else f"before clipping it was {raw}")
        x1, y1, x2, y2 = (Sym(n) for n in ("x_1", "y_1", "x_2", "y_2"))
        d.add(r"$\lambda$", ans["lam"], lhs=Sym("lambda"), formula=1 - (x2 - x1) * (y2 - y1) / (W * H),
              subs={"x_1": ans["box"][0], "y_1": ans["box"][1], "x_2": ans["box"][2], "y_2": ans["box"][3],
                    "W": w, "H": h}, part="lam", note="the share of A that remains")
        d.add("Mixed label", ans["label"], lhs=Sym("y", "ỹ", latex=r"\tilde{y}", typst="tilde(y)"), part="label",
              note=f"$\\lambda = {ans['lam']:g}$ on class {p.y_a}, "
              f"$1 - \\lambda = {1 - ans['lam']:g}$ on class {p.y_b}")
        d.add("CutMix image", ans["mixed"], lhs=Sym("x_mix", latex=r"x_{\mathrm{mix}}", typst='x_"mix"'),
              part="mixed", note="B's pixels inside the box, A's elsewhere")
        mean = self._mean(p)
        d.add("Mean of A", _num(mean), lhs=Sym("m", tex=r"\bar{A}"),
              note=f"sum {sum(sum(r) for r in p.A)} over {h * w} pixels")
        d.add("Cutout image", ans["cutout"], lhs=Sym("x_cut", latex=r"x_{\mathrm{cut}}", typst='x_"cut"'),
              part="cutout", note="the box filled with A's mean")
        d.answer = (f"box {ans['box']}, λ = {ans['lam']:.6g}, label ["
                    + ", ".join(f"{v:.6g}" for v in ans["label"]) + "]")
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        ans = self.solve(p)
        lam = Fraction(ans["lam"]).limit_denominator(10**6)
        m = {"lambda_is_area_ratio": Mistake(
            {"lam": _num(1 - lam), "label": self._label(p, 1 - lam)},
            r"$\lambda$ is the share of A that remains, $1 - \text{box area}/(W H)$, "
            "not the box's share of the image.")}
        raw = self._box(p, clip=False)
        if raw != ans["box"]:
            lr = 1 - Fraction(p.bw * p.bh, len(p.A) * len(p.A[0]))
            m["box_not_clipped"] = Mistake(
                {"box": raw, "lam": _num(lr), "label": self._label(p, lr)},
                "The box reaches past the image border: clip its corners to the image before taking its area.")
        swapped = self._label(p, lam)
        m["labels_swapped"] = Mistake(
            {"label": [swapped[p.y_b - 1] if i == p.y_a - 1 else swapped[p.y_a - 1] if i == p.y_b - 1 else v
                       for i, v in enumerate(swapped)]},
            r"$\lambda$ (the share of A) goes on A's class and $1 - \lambda$ on B's class, not the other way round.")
        m["cutout_zero"] = Mistake(
            {"cutout": self._paste(p, lambda r, c: 0)},
            "Cutout here fills the box with the mean of A's pixels, not with 0.")
        return m
