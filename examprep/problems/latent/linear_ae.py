"""A linear autoencoder with a tied decoder: the code, the reconstruction and its squared error (sum and mean).

Catalog: seed_000_001 E6 (W_e = [0.6, 0.8], x = [3, 1]: z = 2.6, x̂ = [1.56, 2.08], SSE 3.24, MSE 1.62); seed_002 J1
(x = [1, 2]: z = 2.2, x̂ = [1.32, 1.76], 0.16 summed, 0.08 averaged).

Parameters:
    W_e: the k × d encoder (z = W_e x); the decoder is its transpose (x̂ = W_eᵀ z).
    x: the input (d numbers).

Answer parts: ``z``, ``x_hat``, ``sse`` = Σ_i (x_i − x̂_i)², ``mse`` = SSE / d.

Conventions stated in the prompt: no biases; tied weights; the sum and the mean over the d entries.

Reference: ``F.linear`` with W_e and with W_eᵀ, ``F.mse_loss`` with ``reduction='sum'`` and ``'mean'``
(examprep.reference.latent:linear_ae).

Common mistakes: the sum and the mean confused (``F.mse_loss`` averages by default).

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.gan.fair import near_miss
from examprep.problems.latent.points import as_rows, distinct
from examprep.seeding import picker
from examprep.solver.expr import Mat, Num, Sym, paren
from examprep.solver.step import Derivation

UNIT_ROWS = ((0.6, 0.8), (0.8, 0.6), (0.6, -0.8), (-0.8, 0.6), (1.0, 0.0), (0.0, 1.0))
Z = Sym("z", "z = W_e x", latex=r"\mathbf{z} = W_e \mathbf{x}", typst="bold(z) = W_e bold(x)")
XH = Sym("x_hat", "x̂ = W_eᵀ z", latex=r"\hat{\mathbf{x}} = W_e^\top \mathbf{z}", typst="hat(bold(x)) = W_e^top bold(z)")
SSE = Sym("SSE", "SSE = Σ_i (x_i − x̂_i)²", latex=r"\mathrm{SSE} = \sum_i (x_i - \hat{x}_i)^2",
          typst='"SSE" = sum_i (x_i - hat(x)_i)^2')
MSE = Sym("MSE", "MSE = SSE/d", latex=r"\mathrm{MSE} = \mathrm{SSE} / d", typst='"MSE" = "SSE" / d')


def _sum(terms: list[Any]) -> Any:
    out = terms[0]
    for t in terms[1:]:
        out = out + t
    return out


class LinearAE(ProblemType):
    id = "latent/linear_ae-v1"
    title = "Linear autoencoder with a tied decoder"
    catalog = "seed_000_001 E6; seed_002 J1"
    reference_entry = "examprep.reference.latent:linear_ae"
    params = (
        Param("W_e", "matrix", "the k × d encoder (the decoder is its transpose)", lo=-100, hi=100),
        Param("x", "vector", "the input", lo=-1000, hi=1000),
    )
    parts = (
        Part("z", "Code z = W_e x", "vector", mode="decdig", digits=4),
        Part("x_hat", "Reconstruction x̂ = W_eᵀ z", "vector", mode="decdig", digits=4, uses=("z",)),
        Part("sse", "Sum of squared errors", "real", mode="decdig", digits=4, uses=("x_hat",)),
        Part("mse", "Mean squared error", "real", mode="decdig", digits=4, uses=("sse",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = picker(rng)
        if difficulty == "hard" and rng.random() < 0.5:
            w = [[float(v) for v in pick(((0.6, 0.0, 0.8), (0.0, 1.0, 0.0), (0.8, 0.0, -0.6)))],
                 [0.0, 1.0, 0.0] if rng.random() < 0.5 else [0.0, 0.6, 0.8]]
            if w[0][1] != 0 and w[1][1] != 0:
                w[1] = [0.0, 0.0, 1.0]
            x = [float(v) for v in rng.integers(-3, 4, size=3)]
            return dict(W_e=w, x=x)
        row = [float(v) for v in pick(UNIT_ROWS[:2] if difficulty == "easy" else UNIT_ROWS)]
        step = 1.0 if difficulty != "hard" else 0.5
        x = [float(v) * step for v in rng.integers(-6, 7, size=2)]
        return dict(W_e=[row], x=x)

    def check(self, p: Params) -> list[str]:
        w = as_rows(p.W_e)
        if w.shape[1] != len(p.x):
            raise ParamError(f"W_e has {w.shape[1]} columns but x has {len(p.x)} entries")
        if w.shape[0] > w.shape[1]:
            raise ParamError(f"W_e is {w.shape[0]}×{w.shape[1]}: the code should be smaller than the input (k ≤ d)")
        return []

    def degenerate(self, p: Params) -> str | None:
        if self.solve(p)["sse"] < 0.05:
            return "the input is (nearly) reconstructed exactly"
        return near_miss(self.solve(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        k, d = as_rows(p.W_e).shape
        return [
            f"A linear autoencoder without biases encodes $\\mathbf{{x}} \\in R^{d}$ to a {k}-dimensional code "
            "$\\mathbf{z} = W_e \\mathbf{x}$ with $W_e$ = ", [list(r) for r in p.W_e],
            " and decodes with the tied weights, $\\hat{\\mathbf{x}} = W_e^\\top \\mathbf{z}$. For $\\mathbf{x}$ = ",
            list(p.x), ", compute $\\mathbf{z}$, $\\hat{\\mathbf{x}}$, the sum of squared errors "
            "$\\sum_i (x_i - \\hat{x}_i)^2$ and the mean squared error (the sum divided by the "
            f"{d} entries), to 4 decimal places."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        w, x = as_rows(p.W_e), np.asarray(p.x, dtype=float)
        z = carry(given, "z", w @ x)
        x_hat = carry(given, "x_hat", w.T @ z)
        sse = carry(given, "sse", float(((x - x_hat) ** 2).sum()))
        return {"z": z.tolist(), "x_hat": x_hat.tolist(), "sse": sse, "mse": sse / len(x)}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        w = as_rows(p.W_e)
        d = Derivation()
        d.add("Code", ans["z"], lhs=Z, part="z",
              substituted=Mat([[_sum([Num(float(a)) * Num(float(b)) for a, b in zip(row, p.x, strict=True)])
                                for row in w]]))
        d.add("Reconstruction", ans["x_hat"], lhs=XH, part="x_hat",
              substituted=Mat([[_sum([Num(float(w[j, i])) * Num(float(ans["z"][j])) for j in range(len(w))])
                                for i in range(w.shape[1])]]))
        d.add("Sum of squared errors", ans["sse"], lhs=SSE, part="sse",
              substituted=_sum([paren(Num(float(a)) - Num(float(b))) ** 2
                                for a, b in zip(p.x, ans["x_hat"], strict=True)]))
        d.add("Mean squared error", ans["mse"], lhs=MSE, part="mse",
              substituted=Num(ans["sse"]) / len(p.x), note="F.mse_loss's default reduction is this mean")
        d.answer = f"SSE = {ans['sse']:.4f}, MSE = {ans['mse']:.4f}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        ans = self.solve(p)
        m = {"sum_mean_confused": Mistake(
            {"sse": ans["mse"], "mse": ans["sse"]},
            f"The sum of squared errors adds the {len(p.x)} squared errors; the mean divides that sum by "
            f"{len(p.x)}.")}
        return distinct(ans, m)
