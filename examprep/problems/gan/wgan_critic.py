"""The WGAN critic's estimate of the Wasserstein distance, the critic and generator losses, and weight clipping.

Catalog: seed_000_001 F3 (critic and clipping); seed_002 I4.

Parameters:
    c_real: critic outputs C(x_i) on the real samples (unbounded reals).
    c_fake: critic outputs C(G(z_j)) on the generated samples.
    weights: some critic weights after an update; clip: the clipping constant c > 0.

Answer parts: ``w_hat`` = mean C(x) − mean C(G(z)), ``loss_c`` = −w_hat, ``loss_g`` = −mean C(G(z)) and
``clipped`` = the weights clamped to [−c, c].

Conventions stated in the prompt: batch means, the critic maximises w_hat (so minimises −w_hat), the generator
minimises −mean C(G(z)), clipping to the symmetric interval.

Reference: masked batch means and ``torch.clamp`` (examprep.reference.gan:wgan_critic).

Common mistakes: the critic loss's sign (w_hat for −w_hat), the generator loss's sign, clipping to [0, c].

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
from examprep.problems.gan.fair import grid, near_miss, visible
from examprep.solver.expr import Expr, Func, Mat, Num, Sym, paren
from examprep.solver.step import Derivation


def mean(xs: Any) -> float:
    return math.fsum(xs) / len(xs)


def clamp(ws: Any, lo: float, hi: float) -> list[float]:
    return [min(hi, max(lo, w)) for w in ws]


def _n(x: float) -> Expr:
    return paren(Num(x)) if x < 0 else Num(x)


def mean_expr(xs: Any) -> Expr:
    total: Expr = Num(xs[0])
    for x in xs[1:]:
        total = total + Num(x)
    return paren(total) / len(xs) if len(xs) > 1 else total


class WGANCritic(ProblemType):
    id = "gan/wgan_critic-v1"
    title = "WGAN critic: distance estimate, losses and weight clipping"
    catalog = "seed_000_001 F3; seed_002 I4"
    reference_entry = "examprep.reference.gan:wgan_critic"
    params = (
        Param("c_real", "vector", "critic outputs C(x_i) on the real samples", lo=-1000, hi=1000),
        Param("c_fake", "vector", "critic outputs C(G(z_j)) on the generated samples", lo=-1000, hi=1000),
        Param("weights", "vector", "critic weights to clip", lo=-1000, hi=1000),
        Param("clip", "real", "the clipping constant c > 0", lo=0, hi=1000),
    )
    parts = (
        Part("w_hat", "The critic's estimate Ŵ", "real"),
        Part("loss_c", "The critic loss", "real", uses=("w_hat",)),
        Part("loss_g", "The generator loss", "real"),
        Part("clipped", "The clipped weights", "vector"),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        m, n, k = {"easy": (2, 2, 3), "medium": (3, 3, 3), "hard": (int(rng.integers(2, 5)), int(rng.integers(2, 5)),
                                                                     4)}[difficulty]
        step = 0.1 if difficulty != "hard" else 0.05
        c = (0.01, 0.05, 0.1)[int(rng.integers(3))] if difficulty != "easy" else 0.01
        dec = 3 if c == 0.01 else 2
        ws = [round(float(x), dec + 1) for x in grid(rng, -3 * c, 3 * c, c / 2, k)]
        return dict(c_real=grid(rng, -0.5, 1.5, step, m), c_fake=grid(rng, -1.0, 0.5, step, n), weights=ws, clip=c)

    def check(self, p: Params) -> list[str]:
        if p.clip <= 0:
            raise ParamError("clip must be positive: weights are clipped to [−clip, clip]")
        return []

    def degenerate(self, p: Params) -> str | None:
        if not any(abs(w) > p.clip for w in p.weights):
            return "no weight is clipped"
        return near_miss(self.solve(p), self.all_mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        m, n = len(p.c_real), len(p.c_fake)
        return [
            "A WGAN critic $C$ (no sigmoid) gives $C(x_i) = $ ", list(p.c_real), f" on $m = {m}$ real samples and "
            "$C(G(z_j)) = $ ", list(p.c_fake), f" on $n = {n}$ generated samples. (a) Give the critic's estimate "
            r"of the Wasserstein-1 distance $\hat{W} = \frac{1}{m} \sum_i C(x_i) - \frac{1}{n} \sum_j C(G(z_j))$. "
            r"(b) The critic maximises $\hat{W}$: give the loss it minimises, $L_C = -\hat{W}$. (c) Give the "
            r"generator loss $L_G = -\frac{1}{n} \sum_j C(G(z_j))$. (d) After an update some critic weights are ",
            list(p.weights), f". Clip them to $[-c, c]$ with $c = {p.clip:g}$."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        w_hat = carry(given, "w_hat", mean(p.c_real) - mean(p.c_fake))
        return {"w_hat": w_hat, "loss_c": -w_hat, "loss_g": -mean(p.c_fake),
                "clipped": clamp(p.weights, -p.clip, p.clip)}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        A, B = Sym("A"), Sym("B")
        d = Derivation()
        a = d.add("Mean critic output on the real samples", mean(p.c_real), lhs=A, substituted=mean_expr(p.c_real),
                  note=r"$A = \frac{1}{m} \sum_i C(x_i)$")
        b = d.add("Mean critic output on the generated samples", mean(p.c_fake), lhs=B,
                  substituted=mean_expr(p.c_fake), note=r"$B = \frac{1}{n} \sum_j C(G(z_j))$")
        d.add("Distance estimate", ans["w_hat"], lhs=Sym("W", tex=r"\hat{W}"), formula=A - B,
              substituted=Num(a) - _n(b), part="w_hat")
        d.add("Critic loss", ans["loss_c"], lhs=Sym("L_C"), formula=-Sym("W", tex=r"\hat{W}"),
              substituted=-_n(ans["w_hat"]), part="loss_c",
              note=r"the critic maximises $\hat{W}$, so it minimises $-\hat{W}$")
        d.add("Generator loss", ans["loss_g"], lhs=Sym("L_G"), formula=-B, substituted=-_n(b), part="loss_g",
              note="the generator raises the critic's score of its samples")
        c = p.clip
        d.add("Clipped weights", ans["clipped"], lhs=Sym("w", tex="w'"),
              substituted=Mat([[Func("max", -Num(c), Func("min", Num(c), Num(w))) for w in p.weights]]),
              part="clipped", note=r"each weight becomes $\max(-c, \min(c, w))$")
        d.answer = (f"Ŵ = {ans['w_hat']:.6g}; L_C = {ans['loss_c']:.6g}; L_G = {ans['loss_g']:.6g}; clipped = ["
                    + ", ".join(f"{w:g}" for w in ans["clipped"]) + "]")
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return visible(self.solve(p), self.all_mistakes(p))

    def all_mistakes(self, p: Params) -> dict[str, Mistake]:
        """Every named mistake that applies to these parameters."""
        ans = self.solve(p)
        out = {
            "critic_loss_sign": Mistake({"loss_c": ans["w_hat"]}, r"The critic maximises $\hat{W}$; the loss it "
                                                                  r"minimises is $-\hat{W}$."),
            "generator_loss_sign": Mistake({"loss_g": -ans["loss_g"]},
                                           r"The generator wants a high critic score on its samples: "
                                           r"$L_G = -\frac{1}{n} \sum_j C(G(z_j))$."),
        }
        if any(w < 0 for w in p.weights):
            out["clip_to_zero"] = Mistake({"clipped": clamp(p.weights, 0, p.clip)},
                                          "Clip to the symmetric interval $[-c, c]$: negative weights stay "
                                          "negative (down to $-c$).")
        return out
