"""The perceptron learning algorithm, traced by hand on a few 2-D points.

Catalog: seed_004 A2 (misclassified means sign(wᵀx_i) ≠ y_i; w ← w + y_i x_i; the protocol the slides leave open:
augmented x with x_0 = 1, w = 0 at the start, cyclic order, sign(0) counted as a mistake, stop after a clean pass;
the sample X = (2, 1), (0, −1), (−1, 1), (1, −2), y = +1, −1, −1, +1 takes 5 updates and ends at (−1, 4, 0)).

Parameters:
    X: 3–6 points in 2-D, one per row; y: their labels, +1 or −1.
    order: ``cyclic`` (the default: points 1, 2, …, N, 1, 2, …) or ``restart`` (back to point 1 after each update).

Answer parts: ``updates`` (the augmented w = [w_0, w_1, w_2] after each update, one row each), ``w_final`` and
``n_updates``.

Conventions stated in the prompt: x_0 = 1 and w_0 first; w starts at 0; a point is wrong when y·(w·x) ≤ 0;
w ← w + y x; the visiting order; stop after a pass with no mistake. Data given with --set must be linearly separable
(PLA must stop).

Reference: the same protocol run for the whole batch at once on torch tensors (every instance advances one visit
per step, with its own position, clean-pass count and order) (examprep.reference.mlp:pla_trace). Tests check the
cyclic final w against scikit-learn's ``Perceptron(eta0=1, shuffle=False, tol=None, penalty=None)``.

Common mistakes: x added without y; no bias coordinate; a score of 0 taken as right.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.mlp.near_miss import add
from examprep.solver.expr import Add, Mat, Num, Sym
from examprep.solver.step import Derivation

CAP = 10_000  # updates before data are declared not separable
MISTAKE_CAP = 30
MAX_SAMPLED_UPDATES = 8


def pla(X: Any, y: Any, order: str = "cyclic", bias: bool = True, with_y: bool = True, zero_wrong: bool = True,
        cap: int = CAP) -> tuple[list[list[int]], list[tuple[int, int, int, bool]], bool]:  # noqa: N803
    """Run PLA. Returns (w after each update, visits as (point, score, y·score, updated), converged)."""
    pts = [([1] if bias else []) + [int(v) for v in x] for x in X]
    w = [0] * len(pts[0])
    ups: list[list[int]] = []
    visits: list[tuple[int, int, int, bool]] = []
    i = clean = 0
    while clean < len(pts):
        score = sum(a * b for a, b in zip(w, pts[i], strict=True))
        margin = y[i] * score
        wrong = margin <= 0 if zero_wrong else margin < 0
        visits.append((i, score, margin, wrong))
        if wrong:
            step = y[i] if with_y else 1
            w = [a + step * b for a, b in zip(w, pts[i], strict=True)]
            ups.append(list(w))
            if len(ups) > cap:
                return ups, visits, False
            clean = 0
            i = 0 if order == "restart" else (i + 1) % len(pts)
        else:
            clean += 1
            i = (i + 1) % len(pts)
    return ups, visits, True


class PLATrace(ProblemType):
    id = "mlp/pla_trace-v1"
    title = "Perceptron learning algorithm trace"
    catalog = "seed_004 A2"
    reference_entry = "examprep.reference.mlp:pla_trace"
    params = (
        Param("X", "matrix", "points, one per row (2 coordinates, integers)", lo=-100, hi=100),
        Param("y", "int_vector", "labels, +1 or −1", lo=-1, hi=1),
        Param("order", "choice", "cyclic, or restart from point 1 after each update", choices=("cyclic", "restart"),
              default="cyclic"),
    )
    parts = (
        Part("updates", "w = [w_0, w_1, w_2] after each update, one row each", "matrix", integral=True),
        Part("w_final", "Final w = [w_0, w_1, w_2]", "vector", integral=True, uses=("updates",)),
        Part("n_updates", "Number of updates", "integer"),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        k = {"easy": int(rng.integers(3, 5)), "medium": int(rng.integers(4, 6)), "hard": int(rng.integers(5, 7))}
        n = k[difficulty]
        w0, w1, w2 = int(rng.integers(-2, 3)), int(rng.choice([-3, -2, -1, 1, 2, 3])), int(rng.integers(-3, 4))
        cells = [c for c in range(49) if w0 + w1 * (c // 7 - 3) + w2 * (c % 7 - 3) != 0]
        pick = rng.choice(len(cells), size=n, replace=False)
        X = [[cells[int(i)] // 7 - 3, cells[int(i)] % 7 - 3] for i in pick]  # noqa: N806
        y = [1 if w0 + w1 * a + w2 * b > 0 else -1 for a, b in X]
        order = "restart" if difficulty == "hard" and rng.integers(2) else "cyclic"
        return dict(X=X, y=y, order=order)

    def check(self, p: Params) -> list[str]:
        if len(p.X[0]) != 2:
            raise ParamError(f"each point needs 2 coordinates, not {len(p.X[0])}")
        if len(p.y) != len(p.X):
            raise ParamError(f"X has {len(p.X)} points and y has {len(p.y)} labels: give one label per point")
        if any(v not in (1, -1) for v in p.y):
            raise ParamError("labels must be +1 or −1")
        if any(float(v) != int(v) for r in p.X for v in r):
            raise ParamError("X: give integer coordinates (the trace is done by hand)")
        _, _, ok = pla(p.X, p.y, p.order)
        if not ok:
            raise ParamError(f"PLA made {CAP:,} updates without a clean pass: the points are not linearly separable "
                             "(no line w_0 + w_1 x_1 + w_2 x_2 = 0 splits the +1 from the −1 points); change a label "
                             "or a point")
        return []

    def degenerate(self, p: Params) -> str | None:
        if len(set(p.y)) < 2:
            return "every point has the same label"
        k = self.solve(p)["n_updates"]
        if not 2 <= k <= MAX_SAMPLED_UPDATES:
            return f"{k} updates (a hand trace wants 2 to {MAX_SAMPLED_UPDATES})"
        return None

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        ups, _, _ = pla(p.X, p.y, p.order)
        updates = carry(given, "updates", np.array(ups, dtype=int).reshape(len(ups), 3))
        return {"updates": updates, "w_final": updates[-1] if len(updates) else np.array([0, 0, 0]),
                "n_updates": len(ups)}

    def statement(self, p: Params) -> list[Any]:
        order = ("in cyclic order: points $1, 2, \\ldots, N$, then $1, 2, \\ldots$ again, going on from the point "
                 "after an update"
                 if p.order == "cyclic" else "always from point 1: after each update, start again at point 1")
        return ["Run the perceptron learning algorithm on the points below (one per row) with labels y = ",
                Mat([[Num(v) for v in p.y]]), ".\nX = ", Mat([[Num(int(v)) for v in r] for r in p.X]),
                "\nUse the augmented form: $x = [1, x_1, x_2]$ and $w = [w_0, w_1, w_2]$ ($w_0$ first), with w = 0 at "
                "the start. A point is misclassified when $y (w \\cdot x) \\le 0$ (a score of 0 counts as a mistake); "
                f"then $w' = w + y x$. Visit the points {order}; stop after a full pass of N points with no mistake. "
                "Give w after each update (one row each), the final w and the number of updates."]

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        _, visits, _ = pla(p.X, p.y, p.order)
        d = Derivation()
        w = [0, 0, 0]
        k = 0
        for i, score, margin, wrong in visits:
            x = [1, int(p.X[i][0]), int(p.X[i][1])]
            dot = Add([(1 if a >= 0 else -1, Num(abs(a)) * Num(b)) for a, b in zip(w, x, strict=True)])
            verdict = f"{margin} \\le 0$: misclassified, update" if wrong else f"{margin} > 0$: correct"
            d.add(f"Point {i + 1} ($y = {p.y[i]}$): $w \\cdot x$, then $y (w \\cdot x) = {verdict}", score,
                  lhs=Sym("s", tex=r"w \cdot x"), substituted=dot)
            if wrong:
                k += 1
                prev, w = w, [a + p.y[i] * b for a, b in zip(w, x, strict=True)]
                d.add(f"Update {k}: $w' = w + y x$", np.array(w), lhs=Sym(f"w_{k}"),
                      substituted=Mat([[Add([(1, Num(a)), (1 if p.y[i] > 0 else -1, Num(b))])
                                        for a, b in zip(prev, x, strict=True)]]))
        d.add("The updates, one row each", ans["updates"], lhs="W", part="updates")
        d.add("Final w (the last pass made no mistake)", ans["w_final"], lhs="w", part="w_final")
        d.add("Number of updates", ans["n_updates"], lhs="n", part="n_updates")
        d.answer = f"w = {ans['w_final'].tolist()} after {ans['n_updates']} updates"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)
        m: dict[str, Mistake] = {}
        runs = {
            "x_without_y": (dict(with_y=False), "You added x without the label: the update is $w' = w + y x$, so a "
                                                "point with $y = -1$ is subtracted (adding it only makes its score "
                                                "worse, and the run never stops)."),
            "no_bias": (dict(bias=False), "You left out the bias coordinate: use $x = [1, x_1, x_2]$ and "
                                          "$w = [w_0, w_1, w_2]$."),
            "zero_counted_right": (dict(zero_wrong=False), "A score of 0 is a mistake here ($y (w \\cdot x) \\le 0$); "
                                                           "at the start w = 0 gives every point the score 0."),
        }
        for name, (kw, feedback) in runs.items():
            ups, _, ok = pla(p.X, p.y, p.order, cap=MISTAKE_CAP, **kw)
            width = 3 if kw.get("bias", True) else 2
            if not ok:  # the mistaken rule never stops: recognise its trace over as many updates as the true one
                ups = ups[: truth["n_updates"]]
            ans: Answers = {"w_final": np.array(ups[-1] if ups else [0] * width)}
            if ok:
                ans["n_updates"] = len(ups)
            if ups:
                ans["updates"] = np.array(ups, dtype=int)
            add(m, name, ans, truth, feedback)
        return m
