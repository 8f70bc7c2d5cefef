"""Max pooling with indices, and three ways back up: nearest neighbour, bed of nails, max unpooling.

Catalog: seed_000_001 C4 (downsampling and upsampling, F0:228–235).

Parameters:
    X: the map that is max-pooled (window = stride = s; each window has one largest value).
    Y: the map to upsample (the shape of the pooled X).
    s: window side and stride, and the upsampling factor (default 2).

Answer parts: ``pooled`` (max pooling of X), ``indices`` (where each maximum was, as a flat row-major position in X
counted from 0, as ``return_indices`` gives), ``nearest`` (each value of Y copied into an s×s block),
``bed_of_nails`` (each value of Y at the top-left of its block, zeros elsewhere) and ``max_unpool`` (each value of
Y at the remembered position of its window's maximum in X, zeros elsewhere).

Conventions stated in the prompt: rows and columns counted from 0; flat position = row·(width of X) + column.

Reference: ``F.max_pool2d(return_indices=True)``, ``F.interpolate(mode='nearest')``, ``F.max_unpool2d`` with the
indices, and a stride-s ``F.conv_transpose2d`` with a one-entry kernel for the bed of nails
(examprep.reference.cnn_layers:unpooling).

Common mistakes: the nails put at another corner of the block (bottom-right), max unpooling that puts the value at
the top-left instead of the remembered position, indices counted from 1.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.solver.step import Derivation


def _blocks(X: Any, s: int) -> list[list[list[tuple[int, int]]]]:
    return [[[(r, c) for r in range(i * s, i * s + s) for c in range(j * s, j * s + s)]
             for j in range(len(X[0]) // s)] for i in range(len(X) // s)]


def _place(Y: Any, s: int, where: Any) -> list[list[Any]]:
    """A (rows·s × cols·s) zero map with Y[i][j] at ``where(i, j)`` (a (row, col)), or in the whole block if None."""
    out = [[0 for _ in range(len(Y[0]) * s)] for _ in range(len(Y) * s)]
    for i, row in enumerate(Y):
        for j, v in enumerate(row):
            cells = [(i * s + a, j * s + b) for a in range(s) for b in range(s)] if where is None else [where(i, j)]
            for r, c in cells:
                out[r][c] = v
    return out


def at(index: float, rows: int, cols: int) -> tuple[int, int]:
    """(row, col) of a flat row-major index into a rows×cols map; ValueError when it names no pixel."""
    if index != int(index) or not 0 <= index < rows * cols:
        raise ValueError(f"{index:g} is not a position in a {rows}×{cols} map")
    return divmod(int(index), cols)


class Unpooling(ProblemType):
    id = "cnn/unpooling-v1"
    title = "Max pooling with indices and upsampling (nearest, bed of nails, max unpooling)"
    catalog = "seed_000_001 C4"
    reference_entry = "examprep.reference.cnn_layers:unpooling"
    params = (
        Param("X", "matrix", "the map to max-pool", lo=-1000, hi=1000),
        Param("Y", "matrix", "the map to upsample (the pooled shape)", lo=-1000, hi=1000),
        Param("s", "int", "window side, stride and upsampling factor", lo=2, hi=4, default=2),
    )
    parts = (
        Part("pooled", "Max pooling of X", "matrix", final=False),
        Part("indices", "Flat row-major positions of the maxima in X, from 0", "matrix", integral=True),
        Part("nearest", "Nearest-neighbour upsampling of Y", "matrix"),
        Part("bed_of_nails", "Bed-of-nails upsampling of Y", "matrix"),
        Part("max_unpool", "Max unpooling of Y with X's indices", "matrix", uses=("indices",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        s, k = (2, 2) if difficulty != "hard" else ((2, 3) if rng.random() < 0.5 else (3, 2))
        n = s * k
        hi = 6 if difficulty == "easy" and s == 2 else 10
        X = np.zeros((n, n), dtype=np.int64)
        for i in range(k):
            for j in range(k):  # distinct values in each window: one largest value, no tie
                X[i * s:i * s + s, j * s:j * s + s] = rng.choice(hi, size=s * s, replace=False).reshape(s, s)
        Y = rng.integers(1, 10, size=(k, k))
        return dict(X=tuple(tuple(int(v) for v in r) for r in X), Y=tuple(tuple(int(v) for v in r) for r in Y), s=s)

    def check(self, p: Params) -> list[str]:
        rows, cols = len(p.X), len(p.X[0])
        if rows % p.s or cols % p.s:
            raise ParamError(f"X is {rows}×{cols}; its sides must be multiples of s = {p.s}")
        if (len(p.Y), len(p.Y[0])) != (rows // p.s, cols // p.s):
            raise ParamError(f"Y is {len(p.Y)}×{len(p.Y[0])}; it must have the pooled shape "
                             f"{rows // p.s}×{cols // p.s}")
        for i, row in enumerate(_blocks(p.X, p.s)):
            for j, cells in enumerate(row):
                vals = [p.X[r][c] for r, c in cells]
                if vals.count(max(vals)) > 1:
                    raise ParamError(f"window ({i}, {j}) of X has its maximum {max(vals):g} twice; the position "
                                     "to remember is ambiguous, so give each window one largest value")
        return []

    def degenerate(self, p: Params) -> str | None:
        if any(v == 0 for row in p.Y for v in row):
            return "Y has a 0 (hides where it goes)"
        return None

    def _argmax(self, p: Params) -> list[list[tuple[int, int]]]:
        return [[max(cells, key=lambda rc: p.X[rc[0]][rc[1]]) for cells in row] for row in _blocks(p.X, p.s)]

    def statement(self, p: Params) -> list[Any]:
        w = len(p.X[0])
        return [
            "A feature map $X$ = ", [list(r) for r in p.X],
            f" is max-pooled with a {p.s}×{p.s} window at stride {p.s}. Give the pooled map and, as "
            "`return_indices` does, the position of each window's maximum as a flat row-major index into $X$ "
            rf"($\text{{row}} \cdot {w} + \text{{column}}$, rows and columns counted from 0). Then upsample $Y$ = ",
            [list(r) for r in p.Y],
            f" by a factor {p.s} in three ways: nearest neighbour (copy each value into its {p.s}×{p.s} block), "
            "bed of nails (each value at the top-left of its block, zeros elsewhere) and max unpooling (each value "
            "at the remembered position of the maximum of the same window of $X$, zeros elsewhere)."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        am = self._argmax(p)
        w = len(p.X[0])
        indices = carry(given, "indices", [[r * w + c for r, c in row] for row in am])
        where = am
        if given and "indices" in given:  # the student's indices (error carried forward): back to (row, col)
            where = [[at(v, len(p.X), w) for v in row] for row in indices.tolist()]
        return {
            "pooled": [[p.X[r][c] for r, c in row] for row in am],
            "indices": indices,
            "nearest": _place(p.Y, p.s, None),
            "bed_of_nails": _place(p.Y, p.s, lambda i, j: (i * p.s, j * p.s)),
            "max_unpool": _place(p.Y, p.s, lambda i, j: where[i][j]),
        }

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        am = self._argmax(p)
        w = len(p.X[0])
        d = Derivation()
        d.add("Max pooling", ans["pooled"], lhs="pool(X)", part="pooled",
              note="; ".join(f"window ({i}, {j}): max {p.X[r][c]:g} at row {r}, column {c}"
                             for i, row in enumerate(am) for j, (r, c) in enumerate(row)))
        d.add("Indices", ans["indices"], lhs="idx", part="indices",
              note="; ".join(f"{r}·{w} + {c} = {r * w + c}" for row in am for r, c in row))
        d.add("Nearest neighbour", ans["nearest"], lhs="nearest(Y)", part="nearest",
              note=f"each value of Y fills its {p.s}×{p.s} block")
        d.add("Bed of nails", ans["bed_of_nails"], lhs="nails(Y)", part="bed_of_nails",
              note="each value of Y at the top-left of its block, zeros elsewhere")
        d.add("Max unpooling", ans["max_unpool"], lhs="unpool(Y)", part="max_unpool",
              note="each value of Y at the flat index of its window's maximum, zeros elsewhere")
        d.answer = f"indices {ans['indices']}; max unpooling {ans['max_unpool']}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        ans = self.solve(p)
        s = p.s
        return {
            "nails_bottom_right": Mistake(
                {"bed_of_nails": _place(p.Y, s, lambda i, j: (i * s + s - 1, j * s + s - 1))},
                "Bed of nails puts each value at the top-left corner of its block, not the bottom-right."),
            "unpool_top_left": Mistake(
                {"max_unpool": ans["bed_of_nails"]},
                "Max unpooling puts each value back where the maximum was taken from (the remembered index), not "
                "at the top-left of the block; that is the bed of nails."),
            "indices_from_one": Mistake(
                {"indices": [[v + 1 for v in row] for row in ans["indices"]]},
                "The flat indices count from 0, as return_indices does: position = row·width + column."),
        }
