"""Greedy non-maximum suppression (NMS) of scored boxes.

Catalog: seed_002 E8 (object detection, lines 492–551).

Parameters:
    boxes: one box [x1, y1, x2, y2] per row (continuous coordinates), numbered from 1 in the given order.
    scores: one confidence per box (no two equal).
    threshold: the IoU above which a box is suppressed.

Answer parts: ``order`` (box numbers by falling score, intermediate), ``iou`` (the pairwise IoU matrix,
intermediate) and ``keep`` (the kept box numbers, best first).

Conventions stated in the prompt: the greedy rule of ``torchvision.ops.nms``: take the best remaining box, keep it,
drop every remaining box whose IoU with it is strictly above the threshold, repeat; continuous coordinates.

Reference: a torch greedy loop run on the whole padded batch at once, IoU from each pair's extents and span
(examprep.reference.detection:nms).

Common mistakes: dropping the boxes whose IoU is *below* the threshold, comparing every box with the best box only
(one round), walking the boxes in their given order instead of by score.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.detection.boxes import check_box, draw_box, iou, whole
from examprep.solver.step import Derivation

MARGIN = 0.02  # sampled IoUs stay this far from the threshold, so no answer hinges on rounding


def greedy(boxes: Any, order: list[int], threshold: float, drop_below: bool = False, one_round: bool = False,
           overlaps: Any = None) -> list[int]:
    """Kept box numbers (from 1), visiting ``order``; the flags do the mistaken variants; ``overlaps`` is an IoU
    matrix to read instead of computing each IoU (the student's, error carried forward)."""
    kept: list[int] = []
    alive = list(order)
    while alive:
        best = alive.pop(0)
        kept.append(best)
        def gone(j: int, best: int = best) -> bool:
            o = iou(boxes[best - 1], boxes[j - 1]) if overlaps is None else overlaps[best - 1][j - 1]
            return o < threshold if drop_below else o > threshold
        if one_round:
            return kept + [j for j in alive if not gone(j)]
        alive = [j for j in alive if not gone(j)]
    return kept


class NMS(ProblemType):
    id = "detection/nms-v1"
    title = "Non-maximum suppression"
    catalog = "seed_002 E8"
    reference_entry = "examprep.reference.detection:nms"
    params = (
        Param("boxes", "matrix", "one box [x1, y1, x2, y2] per row", lo=-1000, hi=1000),
        Param("scores", "vector", "the confidence of each box", lo=0, hi=1),
        Param("threshold", "real", "suppress a box whose IoU with a kept box is above this", lo=0, hi=1),
    )
    parts = (
        Part("order", "Box numbers by falling score", "vector", integral=True, partial=False, final=False),
        Part("iou", "Pairwise IoU matrix", "matrix", mode="decdig", digits=4, final=False),
        Part("keep", "Kept box numbers, best first", "vector", integral=True, partial=False, uses=("order", "iou")),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n = {"easy": 3, "medium": 4, "hard": int(rng.integers(4, 6))}[difficulty]
        thr = float(rng.choice([0.3, 0.5])) if difficulty != "easy" else 0.5
        boxes: list[tuple[float, ...]] = [draw_box(rng, 12, 1.0, 3, 7)]
        while len(boxes) < n:  # most boxes near an earlier one, so there is something to suppress
            if rng.random() < 0.75:
                x1, y1, x2, y2 = boxes[int(rng.integers(len(boxes)))]
                dx, dy = (int(rng.integers(-2, 3)) for _ in range(2))
                b = (x1 + dx, y1 + dy, x2 + dx + int(rng.integers(-1, 2)), y2 + dy + int(rng.integers(-1, 2)))
            else:
                b = draw_box(rng, 14, 1.0, 3, 6)
            if b[0] < b[2] and b[1] < b[3] and b not in boxes:
                boxes.append(tuple(float(v) for v in b))
        scores = rng.choice(np.arange(50, 100), size=n, replace=False) / 100
        return dict(boxes=tuple(boxes), scores=tuple(float(s) for s in scores), threshold=thr)

    def check(self, p: Params) -> list[str]:
        if not 1 <= len(p.boxes) <= 12:
            raise ParamError(f"boxes has {len(p.boxes)} rows; give 1 to 12 boxes, one [x1, y1, x2, y2] per row")
        for i, b in enumerate(p.boxes, start=1):
            check_box(f"box {i}", b)
        if len(p.scores) != len(p.boxes):
            raise ParamError(f"scores has {len(p.scores)} entries for {len(p.boxes)} boxes; give one per box")
        if len(set(p.scores)) != len(p.scores):
            raise ParamError("two boxes have the same score, so the order is ambiguous; give distinct scores")
        return []

    def degenerate(self, p: Params) -> str | None:
        n = len(p.boxes)
        m = self._iou(p)
        if any(abs(m[i][j] - p.threshold) < MARGIN for i in range(n) for j in range(i + 1, n)):
            return "an IoU is too close to the threshold"
        if len(self.solve(p)["keep"]) == n:
            return "nothing is suppressed"
        return None

    @staticmethod
    def _iou(p: Params) -> list[list[float]]:
        return [[iou(a, b) for b in p.boxes] for a in p.boxes]

    @staticmethod
    def _order(p: Params) -> list[int]:
        return [i + 1 for i in sorted(range(len(p.scores)), key=lambda i: -p.scores[i])]

    def statement(self, p: Params) -> list[Any]:
        return [
            f"A detector outputs {len(p.boxes)} boxes $[x_1, y_1, x_2, y_2]$ (continuous coordinates, one per row, "
            "numbered from 1):", [list(b) for b in p.boxes], " with scores ", list(p.scores), ". "
            f"Run greedy non-maximum suppression with IoU threshold {p.threshold:g}: take the highest-scoring "
            "remaining box, keep it, and discard every remaining box whose IoU with it is strictly greater than "
            "the threshold; repeat until no box remains. A box's area is $(x_2 - x_1)(y_2 - y_1)$. "
            "Give the box numbers by falling score, the matrix of pairwise IoUs (4 decimal places), and the kept "
            "box numbers, best first."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        order = self._order(p)
        order = carry(given, "order", order)
        overlaps = carry(given, "iou", self._iou(p))
        if given:  # the student's order must name each box once
            order = whole(order)
            if sorted(order) != list(range(1, len(p.boxes) + 1)):
                raise ValueError(f"{order} does not name each box once")
        return {"order": order, "iou": overlaps, "keep": greedy(p.boxes, order, p.threshold, overlaps=overlaps)}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        d.add("Boxes by falling score", ans["order"], lhs="order", part="order",
              note="scores " + ", ".join(f"box {i}: {p.scores[i - 1]:g}" for i in ans["order"]))
        d.add("Pairwise IoU", ans["iou"], lhs="IoU", part="iou",
              note="IoU = intersection/union with the overlap width and height clipped at 0")
        alive, kept = list(ans["order"]), []
        while alive:
            best = alive.pop(0)
            kept.append(best)
            dropped = [j for j in alive if ans["iou"][best - 1][j - 1] > p.threshold]
            rest = [j for j in alive if j not in dropped]
            parts = [f"IoU(box {best}, box {j}) = {ans['iou'][best - 1][j - 1]:.4f} "
                     + (f"> {p.threshold:g}: dropped" if j in dropped else f"≤ {p.threshold:g}: stays")
                     for j in alive]
            d.add(f"Keep box {best}", list(kept), note="; ".join(parts) if parts else "no box left to compare")
            alive = rest
        d.add("Kept boxes", ans["keep"], lhs="keep", part="keep")
        d.answer = "kept boxes " + ", ".join(str(k) for k in ans["keep"])
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        order = self._order(p)
        m = {
            "dropped_below_threshold": Mistake(
                {"keep": greedy(p.boxes, order, p.threshold, drop_below=True)},
                "You dropped the boxes whose IoU is below the threshold. NMS removes a box that overlaps a kept "
                "box by more than the threshold (a duplicate), and keeps boxes that overlap little."),
            "best_box_only": Mistake(
                {"keep": greedy(p.boxes, order, p.threshold, one_round=True)},
                "You compared every box with the best box only. NMS repeats: the best remaining box is kept and "
                "suppresses its own duplicates, round after round."),
        }
        natural = list(range(1, len(p.boxes) + 1))
        if natural != order:
            m["index_order"] = Mistake(
                {"order": natural, "keep": greedy(p.boxes, natural, p.threshold)},
                "You walked the boxes in their given order. NMS visits them by falling score.")
        return m
