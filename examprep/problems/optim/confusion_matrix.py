"""Accuracy, per-class precision and recall from a confusion matrix.

Catalog: seed_004 C16 (``confusion_matrix[true, predicted]``, as sklearn and the tutorial code).

Parameters: C (a square matrix of counts: rows are the true classes, columns the predicted ones).

Answer parts: ``accuracy`` (a fraction: the diagonal over the total), ``precision`` (per class: C[j, j] over
column j's sum), ``recall`` (per class: C[j, j] over row j's sum).

Reference: the matrix expanded into (true, predicted) label tensors with ``repeat_interleave``, then counts by
``torch.bincount`` (examprep.reference.optim:confusion_matrix); the tests cross-check with ``sklearn.metrics``.

Common mistakes: rows and columns swapped (precision and recall exchanged); the accuracy as a percentage.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType
from examprep.problems.norm.stats import total
from examprep.problems.optim.mistakes import lost, variant_mistakes
from examprep.solver.expr import Mat, Num, Sym
from examprep.solver.step import Derivation


class ConfusionMatrix(ProblemType):
    id = "optim/confusion_matrix-v1"
    title = "Accuracy, precision and recall from a confusion matrix"
    catalog = "seed_004 C16"
    reference_entry = "examprep.reference.optim:confusion_matrix"
    params = (Param("C", "matrix", "counts: rows = true class, columns = predicted class", lo=0, hi=10**9),)
    parts = (
        Part("accuracy", "Accuracy (a fraction)", "real"),
        Part("precision", "Precision of each class", "vector"),
        Part("recall", "Recall of each class", "vector"),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        k = {"easy": 2, "medium": 3, "hard": int(rng.integers(3, 5))}[difficulty]
        m = rng.integers(0, 6, size=(k, k)) + np.diag(rng.integers(5, 21, size=k))
        return dict(C=tuple(tuple(int(v) for v in r) for r in m))

    def check(self, p: Params) -> list[str]:
        k = len(p.C)
        if any(len(r) != k for r in p.C):
            raise ParamError(f"C must be square: {k} true classes need {k} predicted columns")
        if any(float(v) != int(v) for r in p.C for v in r):
            raise ParamError("C holds counts: give whole numbers")
        for j in range(k):
            if sum(r[j] for r in p.C) == 0:
                raise ParamError(f"class {j + 1} is never predicted (column {j + 1} sums to 0): its precision is "
                                 "undefined")
            if sum(p.C[j]) == 0:
                raise ParamError(f"class {j + 1} never occurs (row {j + 1} sums to 0): its recall is undefined")
        return []

    def run(self, p: Params, variant: str | None = None) -> Answers:
        C = [list(map(int, r)) for r in p.C]
        if variant == "rows_columns_swapped":
            C = [list(r) for r in zip(*C, strict=True)]
        k = len(C)
        n = sum(map(sum, C))
        acc = sum(C[j][j] for j in range(k)) / n
        prec = [C[j][j] / sum(C[i][j] for i in range(k)) for j in range(k)]
        rec = [C[j][j] / sum(C[j]) for j in range(k)]
        if variant == "percent":
            return {"accuracy": 100 * acc}
        return {"accuracy": acc, "precision": prec, "recall": rec}

    def solve(self, p: Params) -> Answers:
        return self.run(p)

    def candidates(self, p: Params) -> dict[str, str]:
        return {"rows_columns_swapped": "You read the rows as the predicted classes. Rows are the true classes: "
                                        "precision divides by a column sum (all predicted as j), recall by a row "
                                        "sum (all truly j).",
                "percent": "You gave a percentage; the accuracy is asked as a fraction between 0 and 1."}

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return variant_mistakes(self, p)

    def degenerate(self, p: Params) -> str | None:
        return lost(self.candidates(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        return ["A classifier's confusion matrix (rows: the true class, columns: the predicted class, classes "
                f"numbered 1 to {len(p.C)}) is ", [list(r) for r in p.C],
                ". Give the accuracy as a fraction, and the precision and the recall of each class."]

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        C = [list(map(int, r)) for r in p.C]
        k = len(C)
        d.add("Accuracy: the diagonal over all counts", ans["accuracy"], lhs="acc",
              substituted=total([Num(C[j][j]) for j in range(k)]) / total([Num(v) for r in C for v in r]),
              part="accuracy")
        d.add("Precision: C[j, j] over column j's sum (everything predicted as j)", ans["precision"],
              lhs=Sym("prec"), substituted=Mat([[Num(C[j][j]) / total([Num(C[i][j]) for i in range(k)])
                                                 for j in range(k)]]), part="precision")
        d.add("Recall: C[j, j] over row j's sum (everything truly j)", ans["recall"], lhs=Sym("rec"),
              substituted=Mat([[Num(C[j][j]) / total([Num(v) for v in C[j]]) for j in range(k)]]), part="recall")
        d.answer = f"accuracy {ans['accuracy']:.6g}"
        return d
