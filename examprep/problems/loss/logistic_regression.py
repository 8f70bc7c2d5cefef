"""Logistic regression by hand: f = σ(w·x + b), the likelihood, −ln L (summed), its gradient and one step.

Catalog: seed_004 A6 (w = (0.5, −0.5), b = 0, X = (1, 2), (2, 0), (0, 1), ŷ = (1, 0, 1): −ln L = 3.26142,
∇w = (0.83966, −1.86738), ∂b = −0.51386; after η = 0.1, w = (0.41603, −0.31326), b = 0.05139). The slide's line 360
drops the minus signs of −ln L; line 364 (the Σ form) is right.

Parameters:
    X: the points, one per row (2 features); y: the labels, 1 = class 1, 0 = class 2.
    w (2), b: the weights and bias; eta: the learning rate of one gradient-descent step.

Answer parts: ``f`` (σ(w·x_n + b) per point), ``likelihood`` (Π f^y (1 − f)^{1−y}), ``nll`` (−ln L, a sum over
the points), ``grad_w`` (Σ (f_n − y_n) x_n), ``grad_b`` (Σ (f_n − y_n)), ``w_new`` and ``b_new`` (one step down).

Conventions stated in the prompt: the labels' meaning; ln is the natural log; −ln L is summed (not averaged); the
update w ← w − η ∇.

Reference: autograd through ``torch.sigmoid`` and ``F.binary_cross_entropy(reduction='sum')``, one
``torch.optim.SGD`` step (examprep.reference.loss:logistic_regression).

Common mistakes: the slide's line 360 (signs lost: ln L for −ln L); ŷ − f for f − ŷ; log10; the mean for the sum.

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
from examprep.problems.mlp import activation_fns as af
from examprep.problems.mlp.near_miss import add, near_miss
from examprep.problems.mlp.numbers import grid
from examprep.solver.expr import Add, Func, Mat, Mul, Num, Sym
from examprep.solver.step import Derivation

SF = 4
n = af.n


def _part(name: str, label: str, kind: str = "real", final: bool = True, uses: tuple[str, ...] = ()) -> Part:
    return Part(name, label, kind, mode="sigfig", digits=SF, final=final, uses=uses)


class LogisticRegression(ProblemType):
    id = "loss/logistic_regression-v1"
    title = "Logistic regression: likelihood, −ln L, gradient and one step"
    catalog = "seed_004 A6"
    reference_entry = "examprep.reference.loss:logistic_regression"
    params = (
        Param("X", "matrix", "points, one per row (2 features)", lo=-100, hi=100),
        Param("y", "int_vector", "labels: 1 = class 1, 0 = class 2", lo=0, hi=1),
        Param("w", "vector", "weights (2 entries)", lo=-100, hi=100),
        Param("b", "real", "bias", lo=-100, hi=100),
        Param("eta", "real", "learning rate", lo=0.0001, hi=100, default=0.1),
    )
    parts = (
        _part("f", "f(x_n) = σ(w·x_n + b), one per point", "vector", final=False),
        _part("likelihood", "Likelihood L", final=False, uses=("f",)),
        _part("nll", "−ln L (summed over the points)", uses=("f",)),
        _part("grad_w", "∂(−ln L)/∂w", "vector", uses=("f",)),
        _part("grad_b", "∂(−ln L)/∂b", uses=("f",)),
        _part("w_new", "w after one step", "vector", uses=("grad_w",)),
        _part("b_new", "b after one step", uses=("grad_b",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        k = 3 if difficulty == "easy" else int(rng.integers(3, 5))
        y = [int(v) for v in rng.integers(0, 2, size=k)]
        if len(set(y)) == 1:
            y[int(rng.integers(k))] = 1 - y[0]
        return dict(X=grid(rng, -2, 2, difficulty, (k, 2)), y=y, w=grid(rng, -1, 1, difficulty, 2, nonzero=True),
                    b=grid(rng, -1, 1, difficulty), eta=(0.1, 0.5, 1.0)[int(rng.integers(3))])

    def check(self, p: Params) -> list[str]:
        if len(p.X[0]) != len(p.w):
            raise ParamError(f"w has {len(p.w)} entries, so each point (row of X) needs {len(p.w)} features")
        if len(p.y) != len(p.X):
            raise ParamError(f"X has {len(p.X)} points and y has {len(p.y)} labels: give one label per point")
        return []

    def degenerate(self, p: Params) -> str | None:
        return near_miss(self, self.solve(p), self.mistakes(p))

    def answers(self, p: Params, sign: float = 1.0, log: Any = np.log, mean: bool = False,
                given: Answers | None = None) -> Answers:
        """The chain of parts; ``sign`` −1 is the ŷ − f gradient, ``mean`` averages (the named mistakes).

        ``given``: the student's earlier values (error carried forward).
        """
        X, y, w = np.asarray(p.X, float), np.asarray(p.y, float), np.asarray(p.w, float)  # noqa: N806
        f = carry(given, "f", af.sigmoid(X @ w + p.b))
        factors = np.where(y == 1, f, 1 - f)
        scale = 1 / len(y) if mean else 1.0
        nll = -math.fsum(log(factors)) * scale
        r = sign * (f - y) * scale
        gw, gb = carry(given, "grad_w", X.T @ r), carry(given, "grad_b", math.fsum(r))
        return {"f": f, "likelihood": float(np.prod(factors)), "nll": nll, "grad_w": gw, "grad_b": gb,
                "w_new": w - p.eta * gw, "b_new": p.b - p.eta * gb}

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return self.answers(p, given=given)

    def statement(self, p: Params) -> list[Any]:
        like = r"$L = \prod_n f(x_n)^{\hat{y}_n} (1 - f(x_n))^{1 - \hat{y}_n}$"
        nll = r"$-\ln L = -\sum_n [\hat{y}_n \ln f(x_n) + (1 - \hat{y}_n) \ln(1 - f(x_n))]$"
        return ["Logistic regression gives $f(x) = \\sigma(w \\cdot x + b) = \\frac{1}{1 + e^{-(w \\cdot x + b)}}$, "
                "the probability of class 1, with w = ", Mat([[n(v) for v in p.w]]), f" and b = {n(p.b)}. The "
                "points (one per row) and their labels $\\hat{y}$ (1 = class 1, 0 = class 2) are\nX = ",
                Mat([[n(v) for v in r] for r in p.X]), ", $\\hat{y}$ = ", Mat([[Num(v) for v in p.y]]),
                f".\nGive f for each point, the likelihood {like}, {nll} (ln the natural log; a sum over the "
                "points, not a mean), its gradient with respect to w and b, and w and b after one gradient-descent "
                f"step $w' = w - \\eta \\nabla$ with $\\eta$ = {p.eta:g}; to {SF} significant figures."]

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        d = Derivation()
        X, y = p.X, p.y  # noqa: N806
        zs = np.asarray(X, float) @ np.asarray(p.w, float) + p.b
        cells = []
        for x in X:
            terms = [(-1 if w < 0 else 1, n(abs(w)) * n(v)) for w, v in zip(p.w, x, strict=True)]
            terms.append((-1 if p.b < 0 else 1, n(abs(p.b))))
            cells.append(Add(terms))
        d.add("Scores $z_n = w \\cdot x_n + b$", zs, lhs="z", substituted=Mat([cells]))
        d.add("$f(x_n) = \\sigma(z_n)$", a["f"], lhs="f", part="f",
              substituted=Mat([[af.substituted("sigmoid", float(v)) for v in zs]]))
        factors = [n(f) if t == 1 else 1 - n(f) for f, t in zip(a["f"], y, strict=True)]
        d.add("Likelihood: f for class 1, $1 - f$ for class 2", a["likelihood"], lhs="L", part="likelihood",
              substituted=Mul([Func("paren", e) if isinstance(e, Add) else e for e in factors]))
        d.add("$-\\ln L$: the sum of $-\\ln$ of each factor", a["nll"], lhs=Sym("nll", tex=r"-\ln L"), part="nll",
              substituted=Add([(-1, Func("ln", e)) for e in factors]))
        r = a["f"] - np.asarray(y, float)
        d.add("Residuals $f(x_n) - \\hat{y}_n$", r, lhs="r",
              substituted=Mat([[n(f) - Num(t) for f, t in zip(a["f"], y, strict=True)]]))
        d.add("$\\frac{\\partial(-\\ln L)}{\\partial w_i} = \\sum_n (f(x_n) - \\hat{y}_n) x_{n,i}$", a["grad_w"],
              lhs=Sym("g_w", tex=r"\nabla_w(-\ln L)"), part="grad_w",
              substituted=Mat([[Add([(-1 if rv < 0 else 1, n(abs(rv)) * n(x[i])) for rv, x in zip(r, X, strict=True)])
                                 for i in range(2)]]))
        d.add("$\\frac{\\partial(-\\ln L)}{\\partial b} = \\sum_n (f(x_n) - \\hat{y}_n)$", a["grad_b"],
              lhs=Sym("g_b", tex=r"\frac{\partial(-\ln L)}{\partial b}"), part="grad_b",
              substituted=Add([(-1 if v < 0 else 1, n(abs(v))) for v in r]))
        d.add(f"Step $w' = w - \\eta \\nabla_w$, $\\eta$ = {p.eta:g}", a["w_new"], lhs=Sym("w_new", tex="w'"),
              part="w_new", substituted=Mat([[n(w) - n(p.eta) * n(g) for w, g in zip(p.w, a["grad_w"], strict=True)]]))
        d.add("Step for b", a["b_new"], lhs=Sym("b_new", tex="b'"), part="b_new",
              substituted=n(p.b) - n(p.eta) * n(a["grad_b"]))
        d.answer = f"−ln L = {a['nll']:.6g}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)
        m: dict[str, Mistake] = {}
        add(m, "signs_lost", {"nll": -truth["nll"]}, truth,
            "You lost the minus signs: $-\\ln L = -\\ln f(x_1) - \\ldots$ is positive (each ln of a probability is "
            "negative).")
        up = self.answers(p, sign=-1.0)
        add(m, "yhat_minus_f", {k: up[k] for k in ("grad_w", "grad_b", "w_new", "b_new")}, truth,
            "The gradient of $-\\ln L$ uses $f(x_n) - \\hat{y}_n$, not $\\hat{y}_n - f(x_n)$.")
        add(m, "log10", {"nll": self.answers(p, log=np.log10)["nll"]}, truth,
            "You used log base 10; use the natural log ln.")
        mean = self.answers(p, mean=True)
        add(m, "mean_for_sum", {k: mean[k] for k in ("nll", "grad_w", "grad_b", "w_new", "b_new")}, truth,
            "$-\\ln L$ is a sum over the points here, not a mean: do not divide by N.")
        return m
