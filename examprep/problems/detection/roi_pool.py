"""RoI max pooling (Fast R-CNN) of a region of a feature map to a fixed output size.

Catalog: seed_002 E10 (Fast R-CNN "ROI Pooling layer", lines 523–526).

Parameters:
    fmap: the feature map (integers), rows × columns.
    roi: the region [x1, y1, x2, y2] in cells, corners inclusive (x is the column), counted from 0.
    out: the output size [rows, cols].

Answer parts: ``row_bins`` and ``col_bins`` (each bin's [first, last] row or column, intermediate) and ``output``
(the maximum of each bin).

Conventions stated in the prompt: an RoI of h rows pooled to ``rows`` bins: bin i (from 0) spans rows
y1 + ⌊i·h/rows⌋ to y1 + ⌈(i+1)·h/rows⌉ − 1, so bins overlap when h is not a multiple of rows; likewise for columns.
This is ``torchvision.ops.roi_pool`` at scale 1 and ``adaptive_max_pool2d`` on the crop.

Reference: ``F.adaptive_max_pool2d`` on each crop, crops of one size batched together
(examprep.reference.detection:roi_pool).

Common mistakes: a non-overlapping split (both ends rounded down), the corners taken as exclusive (an RoI one row
and one column smaller), averaging instead of the maximum.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.detection.boxes import whole
from examprep.solver.step import Derivation


def bins(lo: int, n: int, k: int, overlap: bool = True) -> list[list[int]]:
    """[first, last] of each of ``k`` bins over ``n`` cells from ``lo``; ``overlap`` False rounds both ends down."""
    out = []
    for i in range(k):
        start = (i * n) // k
        end = -((-(i + 1) * n) // k) if overlap else ((i + 1) * n) // k
        out.append([lo + start, lo + end - 1])
    return out


def pool(fmap: Any, rb: list[list[int]], cb: list[list[int]], how: str = "max") -> list[list[float]]:
    out = []
    for r0, r1 in rb:
        row = []
        for c0, c1 in cb:
            cells = [fmap[r][c] for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]
            row.append(max(cells) if how == "max" else sum(cells) / len(cells))
        out.append(row)
    return out


class RoIPool(ProblemType):
    id = "detection/roi_pool-v1"
    title = "RoI max pooling"
    catalog = "seed_002 E10"
    reference_entry = "examprep.reference.detection:roi_pool"
    params = (
        Param("fmap", "matrix", "the feature map", lo=-1000, hi=1000),
        Param("roi", "int_vector", "the region [x1, y1, x2, y2] in cells, corners inclusive", lo=0, hi=63),
        Param("out", "int_vector", "the output size [rows, cols]", lo=1, hi=16),
    )
    parts = (
        Part("row_bins", "Rows of each output row's bin [first, last]", "matrix", integral=True, final=False),
        Part("col_bins", "Columns of each output column's bin [first, last]", "matrix", integral=True, final=False),
        Part("output", "The pooled output", "matrix", uses=("row_bins", "col_bins")),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        rows, cols = {"easy": (4, 4), "medium": (5, 5), "hard": (int(rng.integers(5, 7)), int(rng.integers(5, 7)))}[
            difficulty]
        fmap = rng.integers(0, 30 if difficulty != "easy" else 20, size=(rows, cols))
        h, w = int(rng.integers(3, rows + 1)), int(rng.integers(3, cols + 1))
        y1, x1 = int(rng.integers(0, rows - h + 1)), int(rng.integers(0, cols - w + 1))
        return dict(fmap=tuple(tuple(int(v) for v in r) for r in fmap), roi=(x1, y1, x1 + w - 1, y1 + h - 1),
                    out=(2, 2))

    def check(self, p: Params) -> list[str]:
        n_rows, n_cols = len(p.fmap), len(p.fmap[0])
        if len(p.roi) != 4:
            raise ParamError(f"roi has {len(p.roi)} numbers; give [x1, y1, x2, y2]")
        x1, y1, x2, y2 = p.roi
        if not (0 <= x1 <= x2 < n_cols and 0 <= y1 <= y2 < n_rows):
            raise ParamError(f"roi = {list(p.roi)} is not inside the {n_rows}×{n_cols} map with x1 ≤ x2, y1 ≤ y2 "
                             "(x is the column; corners are inclusive, counted from 0)")
        if len(p.out) != 2:
            raise ParamError(f"out has {len(p.out)} numbers; give [rows, cols]")
        if p.out[0] > y2 - y1 + 1 or p.out[1] > x2 - x1 + 1:
            raise ParamError(f"out = {list(p.out)} is larger than the {y2 - y1 + 1}×{x2 - x1 + 1} region")
        return []

    def _bins(self, p: Params, overlap: bool = True, shrink: int = 0) -> tuple[list[list[int]], list[list[int]]]:
        x1, y1, x2, y2 = p.roi
        return (bins(y1, y2 - y1 + 1 - shrink, p.out[0], overlap), bins(x1, x2 - x1 + 1 - shrink, p.out[1], overlap))

    def statement(self, p: Params) -> list[Any]:
        x1, y1, x2, y2 = p.roi
        return [
            "A feature map is", [list(r) for r in p.fmap],
            f" (rows and columns counted from 0). The region of interest is $[x_1, y_1, x_2, y_2] = [{x1}, {y1}, "
            f"{x2}, {y2}]$ in cells, corners inclusive ($x$ is the column). Apply RoI max pooling to a "
            f"{p.out[0]}×{p.out[1]} output as Fast R-CNN does: an RoI of $h$ rows is split into bins where bin $i$ "
            "(from 0) spans rows $y_1 + \\lfloor i h / n \\rfloor$ to $y_1 + \\lceil (i+1) h / n \\rceil - 1$ for "
            "$n$ output rows (bins may overlap), and likewise for the columns. Give the [first, last] row of each "
            "row bin, the [first, last] column of each column bin, and the pooled output (the maximum of each bin)."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        rb, cb = self._bins(p)
        rb, cb = carry(given, "row_bins", rb), carry(given, "col_bins", cb)
        if given:  # the student's bins: whole rows and columns of the map, first ≤ last
            rb, cb = whole(rb), whole(cb)
            for (lo, hi), n in [*((b, len(p.fmap)) for b in rb), *((b, len(p.fmap[0])) for b in cb)]:
                if not 0 <= lo <= hi < n:
                    raise ValueError(f"[{lo}, {hi}] is not a bin of a map {n} wide")
        return {"row_bins": rb, "col_bins": cb, "output": pool(p.fmap, rb, cb)}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        x1, y1, x2, y2 = p.roi
        h, w = y2 - y1 + 1, x2 - x1 + 1
        d = Derivation()
        d.add("RoI size", [h, w], lhs="[h, w]", note=f"$h = {y2} - {y1} + 1 = {h}$ rows, $w = {x2} - {x1} + 1 = {w}$ "
              "columns (the corners are inclusive)")
        for name, lo, n, k, key in (("row", y1, h, p.out[0], "row_bins"), ("column", x1, w, p.out[1], "col_bins")):
            notes = [f"bin {i}: {lo} + ⌊{i}·{n}/{k}⌋ = {b[0]} to {lo} + ⌈{i + 1}·{n}/{k}⌉ − 1 = {b[1]}"
                     for i, b in enumerate(ans[key])]
            d.add(f"The {name} bins", ans[key], lhs=key, part=key, note="; ".join(notes))
        cells = []
        for i, (r0, r1) in enumerate(ans["row_bins"]):
            for j, (c0, c1) in enumerate(ans["col_bins"]):
                vals = [p.fmap[r][c] for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]
                cells.append(f"({i}, {j}): max of rows {r0}–{r1}, columns {c0}–{c1} "
                             f"{{{', '.join(str(v) for v in vals)}}} = {ans['output'][i][j]:g}")
        d.add("Pooled output", ans["output"], lhs="output", part="output", note="; ".join(cells))
        d.answer = "output = " + str([[int(v) if float(v).is_integer() else v for v in r] for r in ans["output"]])
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        rb, cb = self._bins(p)
        m: dict[str, Mistake] = {}
        nb, nc = self._bins(p, overlap=False)
        if (nb, nc) != (rb, cb):
            m["non_overlapping_split"] = Mistake(
                {"row_bins": nb, "col_bins": nc, "output": pool(p.fmap, nb, nc)},
                "You split the RoI into bins that do not overlap. The end of bin $i$ is "
                r"$\lceil (i + 1) h/n \rceil - 1$, "
                "rounded up, so when h is not a multiple of n neighbouring bins share a row or column.")
        x1, y1, x2, y2 = p.roi
        if x2 > x1 and y2 > y1 and (y2 - y1) >= p.out[0] and (x2 - x1) >= p.out[1]:
            eb, ec = self._bins(p, shrink=1)
            m["exclusive_corners"] = Mistake(
                {"row_bins": eb, "col_bins": ec, "output": pool(p.fmap, eb, ec)},
                "The corners are inclusive: the RoI has $y_2 - y_1 + 1$ rows and $x_2 - x_1 + 1$ columns.")
        m["average_pooling"] = Mistake(
            {"output": pool(p.fmap, rb, cb, how="mean")},
            "RoI pooling takes the maximum of each bin, not the average.")
        return m
