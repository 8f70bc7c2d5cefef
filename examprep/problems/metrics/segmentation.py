"""Segmentation metrics of a predicted label map: per-class IoU, mean IoU and pixel accuracy.

Catalog: seed_000_001 G3 (Pix2Pix evaluated by segmenting its outputs).

Parameters:
    gt: the ground-truth label map (a matrix of class indices 0..n_classes − 1).
    pred: the predicted label map of the same shape.
    n_classes: the number of classes; each class occurs in gt (so every IoU is defined).

Answer parts: ``iou`` = |pred = c ∧ gt = c| / |pred = c ∨ gt = c| per class, ``miou`` = their unweighted mean over
the classes, ``pixel_acc`` = the fraction of pixels labelled right.

Conventions stated in the prompt: 0-based classes, the union in the denominator, the mean over classes (not
pixels).

Reference: a confusion matrix by ``torch.bincount`` of n·gt + pred; IoU = diagonal/(row sum + column sum −
diagonal) (examprep.reference.metrics:segmentation); the tests check sklearn's ``jaccard_score`` and
``accuracy_score``.

Common mistakes: dividing by the ground-truth area (recall), the Dice coefficient 2I/(G + P), the
pixel-weighted (frequency-weighted) mean.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.gan.fair import near_miss, visible
from examprep.solver.expr import Expr, Mat, Num, Sym, paren
from examprep.solver.step import Derivation


def counts(gt: Any, pred: Any, n: int) -> list[tuple[int, int, int]]:
    """(|gt = c|, |pred = c|, |both|) per class c."""
    g, p = np.asarray(gt).ravel(), np.asarray(pred).ravel()
    return [(int((g == c).sum()), int((p == c).sum()), int(((g == c) & (p == c)).sum())) for c in range(n)]


class Segmentation(ProblemType):
    id = "metrics/segmentation-v1"
    title = "Segmentation IoU, mIoU and pixel accuracy"
    catalog = "seed_000_001 G3"
    reference_entry = "examprep.reference.metrics:segmentation"
    params = (
        Param("gt", "matrix", "ground-truth label map (class indices from 0)", lo=0, hi=100),
        Param("pred", "matrix", "predicted label map, same shape", lo=0, hi=100),
        Param("n_classes", "int", "the number of classes (each occurs in gt)", lo=2, hi=100),
    )
    parts = (
        Part("iou", "IoU of each class", "vector"),
        Part("miou", "Mean IoU over the classes", "real", uses=("iou",)),
        Part("pixel_acc", "Pixel accuracy", "real"),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        (h, w), n, flips = {"easy": ((3, 3), 2, 2), "medium": ((4, 4), 3, 3), "hard": ((4, 5), 3 + int(rng.integers(2)),
                                                                                   4)}[difficulty]
        seeds = np.stack([rng.integers(0, h, n), rng.integers(0, w, n)], axis=1)
        yy, xx = np.mgrid[0:h, 0:w]
        dist = (yy[None] - seeds[:, 0, None, None]) ** 2 + (xx[None] - seeds[:, 1, None, None]) ** 2
        gt = dist.argmin(0)  # Voronoi regions around n seed pixels: blocky class areas
        pred = gt.copy()
        for k in rng.choice(h * w, size=flips, replace=False):
            pred.flat[k] = (pred.flat[k] + 1 + int(rng.integers(n - 1))) % n
        return dict(gt=gt.tolist(), pred=pred.tolist(), n_classes=n)

    def check(self, p: Params) -> list[str]:
        if len(p.gt) != len(p.pred) or len(p.gt[0]) != len(p.pred[0]):
            raise ParamError(f"gt is {len(p.gt)}×{len(p.gt[0])} and pred is {len(p.pred)}×{len(p.pred[0])}: "
                             "give label maps of the same shape")
        for name in ("gt", "pred"):
            if any(x != int(x) or x >= p.n_classes for row in p[name] for x in row):
                raise ParamError(f"{name}: labels must be integers 0..{p.n_classes - 1} (n_classes = {p.n_classes})")
        missing = [c for c, (g, _, _) in enumerate(counts(p.gt, p.pred, p.n_classes)) if g == 0]
        if missing:
            raise ParamError(f"class {missing[0]} does not occur in gt: every class must occur in the ground truth "
                             "(or lower n_classes)")
        return []

    def degenerate(self, p: Params) -> str | None:
        if self.solve(p)["pixel_acc"] == 1:
            return "the prediction is perfect"
        return near_miss(self.solve(p), self.all_mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        return [
            f"A segmentation model labels each pixel with one of {p.n_classes} classes $0, \\ldots, "
            f"{p.n_classes - 1}$. The ground truth is ", [list(r) for r in p.gt], " and the prediction is ",
            [list(r) for r in p.pred], r". For class $c$ let $I_c$ be the number of pixels with both labels "
            r"equal to $c$ and $U_c$ the number with either label equal to $c$. Give the intersection over union "
            r"$\text{IoU}_c = \frac{I_c}{U_c}$ of each class, the mean IoU (the plain mean over the classes), and the "
            "pixel accuracy (the fraction of pixels labelled right)."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        cs = counts(p.gt, p.pred, p.n_classes)
        iou = carry(given, "iou", [i / (g + q - i) for g, q, i in cs])
        total = len(p.gt) * len(p.gt[0])
        return {"iou": [float(v) for v in iou], "miou": sum(iou) / len(iou),
                "pixel_acc": sum(i for _, _, i in cs) / total}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        cs = counts(p.gt, p.pred, p.n_classes)
        d = Derivation()
        syms = [Sym(f"J_{c}") for c in range(p.n_classes)]
        for c, ((g, q, i), s) in enumerate(zip(cs, syms, strict=True)):
            d.add(f"IoU of class {c}", ans["iou"][c], lhs=s, substituted=Num(i) / paren(Num(g) + Num(q) - Num(i)),
                  note=f"{g} ground-truth pixels, {q} predicted, {i} in both: the union is ${g} + {q} - {i}$")
        d.add("The IoUs", ans["iou"], lhs=Sym("IoU"), formula=Mat([syms]),
              subs={s.name: v for s, v in zip(syms, ans["iou"], strict=True)}, part="iou")
        d.add("Mean IoU", ans["miou"], lhs=Sym("mIoU"), formula=paren(_sum(syms)) / p.n_classes,
              subs={s.name: v for s, v in zip(syms, ans["iou"], strict=True)}, part="miou")
        total = len(p.gt) * len(p.gt[0])
        d.add("Pixel accuracy", ans["pixel_acc"], lhs=Sym("acc"),
              substituted=paren(_sum([Num(i) for _, _, i in cs])) / total, part="pixel_acc",
              note=f"the pixels labelled right, class by class, out of {total}")
        d.answer = f"mIoU = {ans['miou']:.6g}; pixel accuracy = {ans['pixel_acc']:.6g}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return visible(self.solve(p), self.all_mistakes(p))

    def all_mistakes(self, p: Params) -> dict[str, Mistake]:
        """Every named mistake that applies to these parameters."""
        cs = counts(p.gt, p.pred, p.n_classes)
        ans = self.solve(p)
        recall = [i / g for g, _, i in cs]
        dice = [2 * i / (g + q) for g, q, i in cs]
        total = len(p.gt) * len(p.gt[0])
        return {
            "recall": Mistake({"iou": recall, "miou": sum(recall) / len(recall)},
                              "You divided by the ground-truth area; IoU divides by the union of the predicted and "
                              "the ground-truth regions."),
            "dice": Mistake({"iou": dice, "miou": sum(dice) / len(dice)},
                            r"That is the Dice coefficient $\frac{2 I_c}{G_c + P_c}$ (with $G_c$, $P_c$ the "
                            r"ground-truth and predicted areas); IoU is $\frac{I_c}{G_c + P_c - I_c}$."),
            "pixel_weighted": Mistake({"miou": sum(g * j for (g, _, _), j in zip(cs, ans["iou"], strict=True)) / total},
                                      "The mean IoU weights every class equally; you weighted them by their pixel "
                                      "counts."),
        }


def _sum(terms: list[Expr]) -> Expr:
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total
