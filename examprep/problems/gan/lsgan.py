"""Least-squares GAN losses (Mao et al., 0-1 coding) on a minibatch of raw discriminator outputs.

Catalog: seed_002 I3 (the notes' L_D = E[D(x) − 1]² + E[D(G(z))]² at line 1133 puts the square outside the mean).

Parameters:
    d_real: the discriminator's raw outputs D(x_i) on the real samples (no sigmoid).
    d_fake: its raw outputs D(G(z_j)) on the generated samples.
    half: true (default) for the paper's ½ factors, false for none.

Answer parts: ``loss_d`` = ½·mean (D(x) − 1)² + ½·mean D(G(z))² and ``loss_g`` = ½·mean (D(G(z)) − 1)² (without
the ½ when ``half`` is false).

Conventions stated in the prompt: raw outputs, targets 1 (real) and 0 (generated) for D and 1 for G, the square
inside each batch mean, the ½ factors or their absence.

Reference: ``F.mse_loss`` against target tensors, masked means over the padded batch
(examprep.reference.gan:lsgan).

Common mistakes: the square outside the mean (the notes' (E[D(x)] − 1)² + (E[D(G(z))])²: 0.01 for 0.09), a
sigmoid applied to the raw outputs, the ½ factors dropped (or added).

Versions: v1 — first version.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType
from examprep.problems.gan.fair import grid, near_miss, visible
from examprep.solver.expr import Expr, Num, Sym, paren
from examprep.solver.step import Derivation


def msq(xs: Any, target: float) -> float:
    """mean (x − target)²."""
    return math.fsum((x - target) ** 2 for x in xs) / len(xs)


def losses(d_real: Any, d_fake: Any, half: bool) -> dict[str, float]:
    """A = mean (D(x) − 1)², B = mean D(G(z))², C = mean (D(G(z)) − 1)²; L_D = k(A + B), L_G = k·C, k = ½ or 1."""
    k = 0.5 if half else 1.0
    return {"loss_d": k * (msq(d_real, 1) + msq(d_fake, 0)), "loss_g": k * msq(d_fake, 1)}


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _n(x: float) -> Expr:
    return paren(Num(x)) if x < 0 else Num(x)


def msq_expr(xs: Any, target: int) -> Expr:
    """((x_1 − t)² + … )/m with the numbers in."""
    terms = [paren(Num(x) - target) ** 2 if target else _n(x) ** 2 for x in xs]
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return paren(total) / len(xs) if len(xs) > 1 else total


class LSGAN(ProblemType):
    id = "gan/lsgan-v1"
    title = "Least-squares GAN losses"
    catalog = "seed_002 I3"
    reference_entry = "examprep.reference.gan:lsgan"
    params = (
        Param("d_real", "vector", "raw discriminator outputs D(x_i) on the real samples", lo=-100, hi=100),
        Param("d_fake", "vector", "raw discriminator outputs D(G(z_j)) on the generated samples", lo=-100, hi=100),
        Param("half", "bool", "true: the paper's ½ factors; false: none", default=True),
    )
    parts = (
        Part("loss_d", "The discriminator loss L_D", "real"),
        Part("loss_g", "The generator loss L_G", "real"),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        if difficulty == "easy":
            m = n = 2
            step, half = 0.1, True
        elif difficulty == "medium":
            m = n = int(rng.integers(2, 4))
            step, half = 0.1, bool(rng.integers(2))
        else:
            m, n = int(rng.integers(2, 5)), int(rng.integers(2, 5))
            step, half = 0.05, bool(rng.integers(2))
        return dict(d_real=grid(rng, 0.4, 1.5, step, m), d_fake=grid(rng, -0.5, 0.6, step, n), half=half)

    def degenerate(self, p: Params) -> str | None:
        return near_miss(self.solve(p), self.all_mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        m, n = len(p.d_real), len(p.d_fake)
        k = r"\frac{1}{2} " if p.half else ""
        conv = (r"with the $\frac{1}{2}$ factors of the LSGAN paper" if p.half else r"without $\frac{1}{2}$ factors")
        return [
            "A least-squares GAN discriminator gives raw outputs (no sigmoid) $D(x_i) = $ ", list(p.d_real),
            f" on $m = {m}$ real samples and $D(G(z_j)) = $ ", list(p.d_fake), f" on $n = {n}$ generated samples. "
            f"The targets are 1 for real and 0 for generated samples in the discriminator loss and 1 in the "
            f"generator loss; each batch term is the mean of the squared differences (the square is inside the "
            f"mean), {conv}: "
            rf"$L_D = {k}\frac{{1}}{{m}} \sum_i (D(x_i) - 1)^2 + {k}\frac{{1}}{{n}} \sum_j D(G(z_j))^2$ and "
            rf"$L_G = {k}\frac{{1}}{{n}} \sum_j (D(G(z_j)) - 1)^2$. Give $L_D$ and $L_G$."
        ]

    def solve(self, p: Params) -> Answers:
        return losses(p.d_real, p.d_fake, p.half)

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        A, B, C = Sym("A"), Sym("B"), Sym("C")
        d = Derivation()
        a = d.add("Real samples against target 1", msq(p.d_real, 1), lhs=A, substituted=msq_expr(p.d_real, 1),
                  note=r"$A = \frac{1}{m} \sum_i (D(x_i) - 1)^2$")
        b = d.add("Generated samples against target 0", msq(p.d_fake, 0), lhs=B, substituted=msq_expr(p.d_fake, 0),
                  note=r"$B = \frac{1}{n} \sum_j D(G(z_j))^2$")
        c = d.add("Generated samples against target 1", msq(p.d_fake, 1), lhs=C, substituted=msq_expr(p.d_fake, 1),
                  note=r"$C = \frac{1}{n} \sum_j (D(G(z_j)) - 1)^2$")
        k = Num(0.5) if p.half else Num(1)
        d.add("Discriminator loss", ans["loss_d"], lhs=Sym("L_D"), formula=k * paren(A + B) if p.half else A + B,
              subs={A: a, B: b}, part="loss_d")
        d.add("Generator loss", ans["loss_g"], lhs=Sym("L_G"), formula=k * C if p.half else C, subs={C: c},
              part="loss_g")
        d.answer = f"L_D = {ans['loss_d']:.6g}; L_G = {ans['loss_g']:.6g}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return visible(self.solve(p), self.all_mistakes(p))

    def all_mistakes(self, p: Params) -> dict[str, Mistake]:
        """Every named mistake that applies to these parameters."""
        mr, mf = math.fsum(p.d_real) / len(p.d_real), math.fsum(p.d_fake) / len(p.d_fake)
        k = 0.5 if p.half else 1.0
        out = {
            "square_outside_mean": Mistake({"loss_d": k * ((mr - 1) ** 2 + mf ** 2), "loss_g": k * (mf - 1) ** 2},
                                           "Square each output's difference first, then take the batch mean: "
                                           r"$\frac{1}{m} \sum_i (D(x_i) - 1)^2$, not "
                                           r"$(\frac{1}{m} \sum_i D(x_i) - 1)^2$."),
            "sigmoid_applied": Mistake(losses([sigmoid(x) for x in p.d_real], [sigmoid(x) for x in p.d_fake],
                                              p.half),
                                       "The LSGAN discriminator has no sigmoid: use the raw outputs."),
            "half_factor": Mistake(losses(p.d_real, p.d_fake, not p.half),
                                   r"Check the $\frac{1}{2}$ factors: " + (
                                       r"each term carries $\frac{1}{2}$." if p.half else
                                       r"this problem uses no $\frac{1}{2}$ factors.")),
        }
        if p.half:  # the notes' formula as printed: the square outside and no ½
            out["square_outside_no_half"] = Mistake({"loss_d": (mr - 1) ** 2 + mf ** 2},
                                           r"$L_D = \frac{1}{2} \frac{1}{m} \sum_i (D(x_i) - 1)^2 + \frac{1}{2} "
                                           r"\frac{1}{n} \sum_j D(G(z_j))^2$: the square goes inside the mean, "
                                           r"and each term carries $\frac{1}{2}$.")
        return out
