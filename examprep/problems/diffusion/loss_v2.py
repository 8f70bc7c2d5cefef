"""The DDPM loss on a minibatch at one t (v1's parts, batch means), plus the score and, given x_0, the input x_t.

Catalog: seed_002 K5 (ε = [0.3, −1.2, 0.5], ε̂ = [0.1, −1.0, 0.9]: MSE 0.08, sum 0.24; the score −ε̂/√(1 − ᾱ_t));
seed_004 F8 (the hand schedule, t = 3, x_0 = 2, ε = −1, ε̂ = −0.8: x_t = 0.715586, L_simple = 0.04, weighted
0.030612, and the minibatch average).

Parameters: v1's t, betas, sigma, reduction; ``eps`` and ``eps_hat`` as matrices with one example per row (all at
the same t); ``x0`` (optional, same shape) for the network input x_t.

Answer parts: ``residual`` (ε − ε̂ per row), ``l_simple`` (the batch mean of each row's sum or mean of squares),
``alpha_bar``, ``lambda_t``, ``l_weighted`` (the batch mean of λ_t‖ε − ε̂‖²), ``score`` = −ε̂/√(1 − ᾱ_t) per row, and
with x0 ``x_t`` = √ᾱ_t x_0 + √(1 − ᾱ_t) ε.

Conventions stated in the prompt: v1's; the batch mean over the rows.

Reference: v1's torch reference on each row as its own instance, averaged over the rows; the score and x_t by
``torch.rsqrt`` and ``Normal`` reparameterised (examprep.reference.diffusion_extra:loss_v2).

Common mistakes: v1's; the batch summed instead of averaged; the score's sign; the score with 1 − ᾱ_t unrooted.

Versions: v2 — matrices (minibatches), score and x_t (v1 stays registered for its codes).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, carry
from examprep.problems.diffusion import draws
from examprep.problems.diffusion.loss import Loss, lam
from examprep.problems.diffusion.schedule import CONVENTIONS, alpha_bar_step, check_betas
from examprep.problems.gan.fair import near_miss
from examprep.problems.latent.points import as_rows, distinct
from examprep.solver.expr import Mat, Num, Sym, paren, sqrt
from examprep.solver.step import Derivation

SCORE = Sym("score", "s = −ε̂/√(1 − ᾱ_t)", latex=r"s = -\frac{\hat{\epsilon}}{\sqrt{1 - \bar{\alpha}_t}}",
            typst="s = -hat(epsilon)/sqrt(1 - macron(alpha)_t)")
XT = Sym("x_t", "x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε",
         latex=r"x_t = \sqrt{\bar{\alpha}_t} x_0 + \sqrt{1 - \bar{\alpha}_t} \epsilon",
         typst="x_t = sqrt(macron(alpha)_t) x_0 + sqrt(1 - macron(alpha)_t) epsilon")
LS = Sym("L_simple", "L_simple = (1/B) Σ_b L_b", latex=r"L_{\text{simple}} = \frac{1}{B} \sum_b L_b",
         typst='L_"simple" = 1/B sum_b L_b')
LW = Sym("L_w", "L_{t−1} = λ_t (1/B) Σ_b ‖ε_b − ε̂_b‖²",
         latex=r"L_{t-1} = \lambda_t \frac{1}{B} \sum_b \lVert \epsilon_b - \hat{\epsilon}_b \rVert^2",
         typst="L_(t-1) = lambda_t 1/B sum_b norm(epsilon_b - hat(epsilon)_b)^2")


class LossV2(Loss):
    id = "diffusion/loss-v2"
    title = "DDPM loss on a minibatch, the score and the network input"
    catalog = "seed_004 F7, F8; seed_003 C13; seed_002 K5"
    reference_entry = "examprep.reference.diffusion_extra:loss_v2"
    params = (
        Param("eps", "matrix", "ε, the noise added, one example per row", lo=-10, hi=10),
        Param("eps_hat", "matrix", "ε̂, the network's predictions, one example per row", lo=-10, hi=10),
        *Loss.params[2:],
        Param("x0", "matrix", "x_0, the clean examples (optional), one per row", lo=-100, hi=100, optional=True),
    )
    parts = (
        Part("residual", "ε − ε̂ (one row per example)", "matrix", final=False),
        *Loss.parts[1:],
        Part("score", "Score −ε̂/√(1 − ᾱ_t) (one row per example)", "matrix", mode="sigfig", digits=4,
             uses=("alpha_bar",)),
        Part("x_t", "Network input x_t (one row per example)", "matrix", mode="decdig", digits=4,
             uses=("alpha_bar",)),
    )

    def active_parts(self, p: Params) -> tuple[Part, ...]:
        return self.parts if p.x0 is not None else self.parts[:-1]

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        base = Loss.sample(self, rng, difficulty)
        rows = 1 if difficulty == "easy" else int(rng.integers(1, 4))
        n = len(base["eps"])
        eps = [list(base["eps"])] + [list(draws.noise(rng, difficulty, n)) for _ in range(rows - 1)]
        eps_hat = [list(base["eps_hat"])] + [list(draws.noise(rng, difficulty, n)) for _ in range(rows - 1)]
        x0 = [list(draws.data(rng, difficulty, n)) for _ in range(rows)] if rng.random() < 0.5 else None
        return {**base, "eps": eps, "eps_hat": eps_hat, "x0": x0}

    def check(self, p: Params) -> list[str]:
        check_betas(p.betas, p.t)
        shapes = {as_rows(p[k]).shape for k in ("eps", "eps_hat", "x0") if p[k] is not None}
        if len(shapes) != 1:
            raise ParamError("eps, eps_hat (and x0) must have the same shape: one example per row")
        if p.sigma == "beta_tilde" and p.t < 2:
            raise ParamError("t=1 with sigma=beta_tilde is not allowed: β̃_1 = 0, so λ_1 is undefined; use t ≥ 2 "
                             "or sigma=beta")
        return []

    def degenerate(self, p: Params) -> str | None:
        ans = self.solve(p)
        if ans["l_simple"] == 0:
            return "ε̂ = ε: the loss is zero"
        return (draws.near_zero(ans, ("residual", "l_simple", "l_weighted", "score"))
                or near_miss(ans, self.mistakes(p)))

    def statement(self, p: Params) -> list[Any]:
        norm = r"\lVert \epsilon_b - \hat{\epsilon}_b \rVert^2"
        per = ("its sum of squares $L_b = " + norm + "$" if p.reduction == "sum" else
               "its mean of squares $L_b = \\frac{1}{d} " + norm + "$ (as F.mse_loss)")
        sig = (r"$\sigma_t^2 = \beta_t$" if p.sigma == "beta" else
               r"$\sigma_t^2 = \tilde{\beta}_t = \frac{1 - \bar{\alpha}_{t-1}}{1 - \bar{\alpha}_t} \cdot \beta_t$")
        out = [r"A DDPM with noise schedule $\beta = (\beta_1, \ldots, \beta_T)$ = ", list(p.betas),
               f" ($T = {len(p.betas)}$) is trained on a minibatch of {len(p.eps)} example"
               f"{'s' if len(p.eps) > 1 else ''}, all at $t = {p.t}$, "
               "with the noise (one example per row) $\\epsilon$ = ", [list(r) for r in p.eps],
               "; the network predicts $\\hat{\\epsilon}$ = ", [list(r) for r in p.eps_hat], "."]
        if p.x0 is not None:
            out += [" The clean examples are $x_0$ = ", [list(r) for r in p.x0],
                    ": give the network input $x_t = \\sqrt{\\bar{\\alpha}_t} x_0 + \\sqrt{1 - \\bar{\\alpha}_t} "
                    "\\epsilon$."]
        out += [f" Give each example's residual, $L_{{\\text{{simple}}}}$ as the batch mean of {per}, the weight "
                r"$\lambda_t = \frac{\beta_t^2}{2 \sigma_t^2 \cdot \alpha_t \cdot (1 - \bar{\alpha}_t)}$ with " + sig +
                r", the weighted term $L_{t-1}$ (the batch mean of $\lambda_t " + norm + "$), and the score estimate "
                r"$-\frac{\hat{\epsilon}}{\sqrt{1 - \bar{\alpha}_t}}$ of each example. ", CONVENTIONS]
        return out

    def _rows(self, p: Params) -> tuple[np.ndarray, np.ndarray]:
        return as_rows(p.eps), as_rows(p.eps_hat)

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        e, eh = self._rows(p)
        r = carry(given, "residual", e - eh)
        sq = (r * r).sum(axis=1)
        a, ab, _, b, s2 = self._schedule(p)
        ab = carry(given, "alpha_bar", ab)
        la = carry(given, "lambda_t", lam(b, s2, a, ab))
        per = sq if p.reduction == "sum" else sq / e.shape[1]
        out: Answers = {"residual": r.tolist(), "l_simple": float(per.mean()), "alpha_bar": ab, "lambda_t": la,
                        "l_weighted": float(la * sq.mean()), "score": (-eh / math.sqrt(1 - ab)).tolist()}
        if p.x0 is not None:
            out["x_t"] = (math.sqrt(ab) * as_rows(p.x0) + math.sqrt(1 - ab) * e).tolist()
        return out

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        e, eh = self._rows(p)
        a, ab, abp, b, s2 = self._schedule(p)
        d = Derivation()
        d.add("Residuals", ans["residual"], lhs=Sym("r", "ε − ε̂", latex=r"\epsilon - \hat{\epsilon}",
                                                   typst="epsilon - hat(epsilon)"),
              substituted=Mat([[Num(float(x)) - Num(float(y)) for x, y in zip(er, hr, strict=True)]
                               for er, hr in zip(e, eh, strict=True)]), part="residual")
        per = []
        for row in ans["residual"]:
            sq = paren(Num(float(row[0]))) ** 2
            for v in row[1:]:
                sq = sq + paren(Num(float(v))) ** 2
            per.append(paren(sq) if p.reduction == "sum" else paren(sq) / len(row))
        total = per[0]
        for t in per[1:]:
            total = total + t
        d.add("L_simple (batch mean)", ans["l_simple"], lhs=LS, substituted=paren(total) / len(per),
              part="l_simple", note="each example's " + ("sum" if p.reduction == "sum" else "mean") +
              " of squares, averaged over the minibatch")
        alpha_bar_step(d, p.betas, p.t, part="alpha_bar")
        la = ans["lambda_t"]
        d.add("Weight of the bound", la, lhs=Sym("lambda_t", latex=r"\lambda_t", typst="lambda_t"),
              substituted=Num(b) ** 2 / paren(2 * Num(s2) * Num(a) * paren(1 - Num(ab))), part="lambda_t",
              note="with $\\sigma_t^2$ = " + f"{s2:.6g}")
        sqs = (np.asarray(ans["residual"]) ** 2).sum(axis=1)
        sum_sq = Num(float(sqs[0]))
        for v in sqs[1:]:
            sum_sq = sum_sq + Num(float(v))
        d.add("Weighted term (batch mean)", ans["l_weighted"], lhs=LW, part="l_weighted",
              substituted=Num(la) * paren(sum_sq) / len(sqs))
        root = sqrt(1 - Num(ab))
        d.add("Score estimates", ans["score"], lhs=SCORE, part="score",
              substituted=Mat([[Num(-float(v)) / root for v in row] for row in eh]),
              note="each entry is $-\\hat{\\epsilon}$ divided by $\\sqrt{1 - \\bar{\\alpha}_t}$")
        if p.x0 is not None:
            d.add("Network input", ans["x_t"], lhs=XT, part="x_t",
                  substituted=Mat([[sqrt(Num(ab)) * Num(float(x)) + root * Num(float(v))
                                    for x, v in zip(xr, er, strict=True)]
                                   for xr, er in zip(as_rows(p.x0), e, strict=True)]))
        d.answer = f"L_simple = {draws.show(ans['l_simple'])}, λ_{p.t} = {draws.show(la)}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        ans = self.solve(p)
        e, eh = self._rows(p)
        ab = ans["alpha_bar"]
        n_rows = len(e)
        m = {
            "other_reduction": Mistake({"l_simple": ans["l_simple"] / e.shape[1] if p.reduction == "sum" else
                                        ans["l_simple"] * e.shape[1]},
                                       f"This problem asks for each example's {p.reduction} over coordinates."),
            "score_sign": Mistake({"score": (eh / math.sqrt(1 - ab)).tolist()},
                                  "The score points against the predicted noise: $-\\hat{\\epsilon} / "
                                  "\\sqrt{1 - \\bar{\\alpha}_t}$."),
            "score_unrooted": Mistake({"score": (-eh / (1 - ab)).tolist()},
                                      "Divide by the standard deviation $\\sqrt{1 - \\bar{\\alpha}_t}$, not by the "
                                      "variance."),
        }
        if n_rows > 1:
            m["batch_summed"] = Mistake({"l_simple": ans["l_simple"] * n_rows,
                                         "l_weighted": ans["l_weighted"] * n_rows},
                                        "The minibatch loss is the mean over the examples, not their sum.")
        return distinct(ans, m)
