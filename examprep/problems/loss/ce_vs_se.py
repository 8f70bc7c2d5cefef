"""Cross-entropy against squared error on a sigmoid output: the gradients with respect to the logit.

Catalog: seed_004 A7 (with f = σ(z), CE gives ∂l/∂z = f − y and (f − y)² gives 2(f − y) f(1 − f); at z = −4, y = 1:
f = 0.017986, −0.982014 and −0.034690).

Parameters: z (the logit), y (the label, 0 or 1).

Answer parts: ``f`` = σ(z) (intermediate), ``grad_ce`` = f − y, ``grad_se`` = 2(f − y) f(1 − f), ``ratio`` =
grad_ce / grad_se = 1/(2 f(1 − f)), how many times larger the cross-entropy gradient is.

Conventions stated in the prompt: the two losses, −[y ln f + (1 − y) ln(1 − f)] and (f − y)² (no $\\frac{1}{2}$); the
gradients are with respect to z; the ratio's direction.

Reference: autograd through ``torch.sigmoid`` with ``nn.BCELoss`` and ``nn.MSELoss``
(examprep.reference.loss:ce_vs_se).

Common mistakes: σ′ dropped in the squared-error gradient (2(f − y)); the sign (y − f); the ratio inverted.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.mlp import activation_fns as af
from examprep.problems.mlp.near_miss import add, near_miss
from examprep.problems.mlp.numbers import grid
from examprep.solver.expr import Func, Num
from examprep.solver.step import Derivation

SF = 4
n = af.n


def _part(name: str, label: str, final: bool = True, uses: tuple[str, ...] = ()) -> Part:
    return Part(name, label, "real", mode="sigfig", digits=SF, final=final, uses=uses)


class CEvsSE(ProblemType):
    id = "loss/ce_vs_se-v1"
    title = "Cross-entropy vs squared error: gradients at a sigmoid output"
    catalog = "seed_004 A7"
    reference_entry = "examprep.reference.loss:ce_vs_se"
    params = (
        Param("z", "real", "the logit", lo=-30, hi=30),
        Param("y", "int", "the label (0 or 1)", lo=0, hi=1),
    )
    parts = (
        _part("f", "f = σ(z)", final=False),
        _part("grad_ce", "∂/∂z of the cross-entropy", uses=("f",)),
        _part("grad_se", "∂/∂z of the squared error (f − y)²", uses=("f",)),
        _part("ratio", "grad_ce / grad_se", uses=("grad_ce", "grad_se")),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        return dict(z=grid(rng, -6, 6, difficulty), y=int(rng.integers(2)))

    def degenerate(self, p: Params) -> str | None:
        return near_miss(self, self.solve(p), self.mistakes(p))

    def answers(self, p: Params, sign: float = 1.0, sigma_prime: bool = True, given: Answers | None = None) -> Answers:
        """The parts, or a mistaken version (``sign``, ``sigma_prime``); ``given``: the student's earlier values."""
        f = carry(given, "f", float(af.sigmoid(p.z)))
        ce = carry(given, "grad_ce", sign * (f - p.y))
        se = carry(given, "grad_se", sign * 2 * (f - p.y) * (f * (1 - f) if sigma_prime else 1.0))
        return {"f": f, "grad_ce": ce, "grad_se": se, "ratio": ce / se}

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return self.answers(p, given=given)

    def statement(self, p: Params) -> list[Any]:
        return [f"A sigmoid output $f = \\sigma(z) = \\frac{{1}}{{1 + e^{{-z}}}}$ has the logit z = {n(p.z)} and the "
                f"label y = {p.y}. Compare two losses: the cross-entropy $-[y \\ln f + (1 - y) \\ln(1 - f)]$ (ln the "
                "natural log) and the squared error $(f - y)^2$ (no $\\frac{1}{2}$). Give f, the gradient of each "
                "loss with respect to z, and the ratio (cross-entropy gradient) / (squared-error gradient), to "
                f"{SF} significant figures."]

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        F, Y = n(a["f"]), Num(p.y)  # noqa: N806
        d = Derivation()
        d.add("Output $f = \\sigma(z)$", a["f"], lhs="f", substituted=af.substituted("sigmoid", float(p.z)), part="f")
        d.add("Cross-entropy: $\\frac{\\partial L}{\\partial z} = f - y$ (the $f(1 - f)$ of $\\sigma'$ cancels)",
              a["grad_ce"], lhs="g_CE", substituted=F - Y, part="grad_ce")
        d.add("Squared error: $\\frac{\\partial L}{\\partial z} = 2 (f - y) \\cdot \\sigma'(z)$, "
              "$\\sigma'(z) = f(1 - f)$", a["grad_se"], lhs="g_SE",
              substituted=Num(2) * Func("paren", F - Y) * F * Func("paren", 1 - F), part="grad_se")
        d.add("Ratio", a["ratio"], lhs="ratio", substituted=n(a["grad_ce"]) / n(a["grad_se"]), part="ratio",
              note="the squared-error gradient carries the factor $f(1 - f)$, which is tiny when the output "
                   "saturates: far from the target it learns slowly")
        d.answer = f"CE gradient {a['grad_ce']:.6g}, SE gradient {a['grad_se']:.6g}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)
        m: dict[str, Mistake] = {}
        add(m, "sigma_prime_dropped", self.answers(p, sigma_prime=False), truth,
            "You dropped $\\sigma'(z) = f(1 - f)$: the squared error's gradient with respect to z is "
            "$2 (f - y) f (1 - f)$ by the chain rule.")
        add(m, "sign", self.answers(p, sign=-1.0), truth,
            "Check the sign: both gradients are positive when f > y (raising z raises f and the loss).")
        add(m, "ratio_inverted", {"ratio": 1 / truth["ratio"]}, truth,
            "The ratio asked is the cross-entropy gradient divided by the squared-error gradient.")
        return m
