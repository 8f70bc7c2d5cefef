"""Regression losses of one batch: residuals, MSE, MAE and the Huber loss (all means).

Catalog: seed_002 A2 (MSE, MAE, Huber; PyTorch's ``smooth_l1_loss(beta)`` is Huber/β).

Parameters:
    y: the targets; y_hat: the predictions (same length); delta: the Huber threshold δ > 0 (default 1).

Answer parts: ``residuals`` (r = y − ŷ, intermediate), ``mse`` = mean r², ``mae`` = mean |r|, ``huber`` = mean of
½r² where |r| ≤ δ and δ(|r| − ½δ) where |r| > δ.

Conventions stated in the prompt: r = y − ŷ; every loss is a mean over the examples; the Huber formula with the ½.

Reference: ``F.mse_loss``, ``F.l1_loss``, ``F.huber_loss(delta=δ)`` (examprep.reference.loss:regression).

Common mistakes: the ½ dropped in Huber's quadratic branch; δ|r| without −½δ²; sums for means; PyTorch's
``smooth_l1_loss(beta=δ)``, which is Huber/δ.

Versions: v1 — first version.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.mlp.activation_fns import n
from examprep.problems.mlp.near_miss import add, near_miss
from examprep.problems.mlp.numbers import grid
from examprep.solver.expr import Add, Expr, Func, Mat, Num, Sym
from examprep.solver.step import Derivation

DP = 4


def huber_terms(r: np.ndarray, delta: float, half: bool = True, offset: bool = True) -> np.ndarray:
    """½r² where |r| ≤ δ, δ(|r| − ½δ) beyond (``half``/``offset`` False: the ½ or the −½δ² left out)."""
    a = np.abs(r)
    quad = (0.5 if half else 1.0) * r * r
    lin = delta * (a - 0.5 * delta) if offset else delta * a
    return np.where(a <= delta, quad, lin)


def mean_expr(terms: list[Expr]) -> Expr:
    return Func("paren", Add([(1, t) for t in terms])) / Num(len(terms)) if len(terms) > 1 else terms[0]


class Regression(ProblemType):
    id = "loss/regression-v1"
    title = "Regression losses: MSE, MAE and Huber"
    catalog = "seed_002 A2"
    reference_entry = "examprep.reference.loss:regression"
    params = (
        Param("y", "vector", "targets", lo=-1000, hi=1000),
        Param("y_hat", "vector", "predictions (one per target)", lo=-1000, hi=1000),
        Param("delta", "real", "Huber threshold δ", lo=0.001, hi=1000, default=1.0),
    )
    parts = (
        Part("residuals", "Residuals r = y − ŷ", "vector", mode="decdig", digits=DP, final=False),
        Part("mse", "Mean squared error", "real", mode="decdig", digits=DP, uses=("residuals",)),
        Part("mae", "Mean absolute error", "real", mode="decdig", digits=DP, uses=("residuals",)),
        Part("huber", "Huber loss (mean)", "real", mode="decdig", digits=DP, uses=("residuals",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        k = int(rng.integers(4, 7))
        y = grid(rng, -5, 8, difficulty, k)
        small = grid(rng, -1, 1, difficulty, k - 1)
        out = grid(rng, 3, 5, difficulty) * (1 if rng.integers(2) else -1)
        r = small + [out]
        order = rng.permutation(k)
        r = [r[int(i)] for i in order]
        dp = {"easy": 0, "medium": 1, "hard": 2}[difficulty]
        y_hat = [round(a - b, dp) if dp else int(a - b) for a, b in zip(y, r, strict=True)]
        return dict(y=y, y_hat=y_hat, delta=(0.5, 1.0, 2.0)[int(rng.integers(3))])

    def check(self, p: Params) -> list[str]:
        if len(p.y) != len(p.y_hat):
            raise ParamError(f"y has {len(p.y)} entries and y_hat has {len(p.y_hat)}: give one prediction per target")
        return []

    def degenerate(self, p: Params) -> str | None:
        return near_miss(self, self.solve(p), self.mistakes(p))

    def residuals(self, p: Params) -> np.ndarray:
        return np.array([float(a) - float(b) for a, b in zip(p.y, p.y_hat, strict=True)])

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        r = carry(given, "residuals", self.residuals(p))
        return {"residuals": r, "mse": math.fsum(r * r) / len(r), "mae": math.fsum(np.abs(r)) / len(r),
                "huber": math.fsum(huber_terms(r, p.delta)) / len(r)}

    def statement(self, p: Params) -> list[Any]:
        return ["A regression model predicts $\\hat{y}$ = ", Mat([[n(v) for v in p.y_hat]]), " for the targets y = ",
                Mat([[n(v) for v in p.y]]), ". With the residuals $r_i = y_i - \\hat{y}_i$, give the residuals, the "
                "mean squared error $\\frac{1}{n} \\sum_i r_i^2$, the mean absolute error "
                "$\\frac{1}{n} \\sum_i |r_i|$ and the Huber loss, the mean of $\\frac{1}{2} r_i^2$ where "
                f"$|r_i| \\le \\delta$ and $\\delta (|r_i| - \\frac{{1}}{{2}} \\delta)$ where $|r_i| > \\delta$, with "
                f"$\\delta$ = {p.delta:g} (PyTorch's huber_loss). Every loss is a mean over the n = {len(p.y)} "
                f"examples; give them to {DP} decimal places."]

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        r = a["residuals"]
        d = Derivation()
        d.add("Residuals $r_i = y_i - \\hat{y}_i$", r, lhs="r",
              substituted=Mat([[n(u) - n(v) if v >= 0 else n(u) - Func("paren", n(v)) for u, v in
                                zip(p.y, p.y_hat, strict=True)]]), part="residuals")
        d.add("Mean squared error", a["mse"], lhs="MSE", substituted=mean_expr([n(x) ** 2 for x in r]), part="mse")
        d.add("Mean absolute error", a["mae"], lhs="MAE", substituted=mean_expr([Func("abs", n(x)) for x in r]),
              part="mae")
        dl = n(p.delta)
        terms = [Num(0.5) * n(x) ** 2 if abs(x) <= p.delta else dl * Func("paren", Func("abs", n(x)) - Num(0.5) * dl)
                 for x in r]
        d.add(f"Huber terms: $\\frac{{1}}{{2}} r^2$ where $|r| \\le \\delta$ = {p.delta:g}, else "
              "$\\delta (|r| - \\frac{1}{2} \\delta)$", huber_terms(r, p.delta), lhs=Sym("h_i"),
              substituted=Mat([terms]))
        d.add("Huber loss: the mean of the terms", a["huber"], lhs="Huber",
              substituted=mean_expr([n(x) for x in huber_terms(r, p.delta)]), part="huber")
        d.answer = f"MSE = {a['mse']:.4f}, MAE = {a['mae']:.4f}, Huber = {a['huber']:.4f}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)
        r = truth["residuals"]
        k = len(r)
        m: dict[str, Mistake] = {}
        add(m, "huber_half_dropped", {"huber": math.fsum(huber_terms(r, p.delta, half=False)) / k}, truth,
            "You dropped the $\\frac{1}{2}$ of Huber's quadratic branch: it is $\\frac{1}{2} r^2$ for "
            "$|r| \\le \\delta$.")
        add(m, "huber_offset_dropped", {"huber": math.fsum(huber_terms(r, p.delta, offset=False)) / k}, truth,
            "Beyond $\\delta$ the Huber term is $\\delta (|r| - \\frac{1}{2} \\delta)$; you left out the "
            "$-\\frac{1}{2} \\delta^2$ that joins the two branches.")
        add(m, "sums_not_means", {"mse": truth["mse"] * k, "mae": truth["mae"] * k, "huber": truth["huber"] * k},
            truth, f"You summed the terms; each loss is a mean: divide by n = {k}.")
        add(m, "smooth_l1_for_huber", {"huber": truth["huber"] / p.delta}, truth,
            f"You computed PyTorch's smooth_l1_loss with beta = {p.delta:g}, which is the Huber loss divided by "
            "$\\delta$; the Huber loss is not divided.")
        return m
