"""The density of a linear generator's output by the change of variables, x = A·z + b with z ~ N(0, I).

Catalog: seed_003 X1 (lines 98–100) and §2.19 (the notes write p_G(G⁻¹(x)) where p_z(G⁻¹(x)) belongs).

Parameters:
    A: the generator's matrix (1×1 or 2×2, invertible). b: its offset. x: the point where the density is asked.

Answer parts: ``z`` = A⁻¹(x − b), ``p_z`` = the N(0, I) density at z, ``abs_det`` = |det A| and
``p_x`` = p_z(z)/|det A|.

Conventions stated in the prompt: the generator x = A·z + b, the standard normal latent, the density (not a
probability).

Reference: ``MultivariateNormal(b, A·Aᵀ).log_prob(x)`` — the distribution of x itself — and z by
``torch.linalg.solve`` (examprep.reference.gan:change_of_variables); the tests check
``scipy.stats.multivariate_normal``.

Common mistakes: multiplying by |det A| instead of dividing, no Jacobian (p_z(z) as p_x), the notes' form with the
generator's density at z (p_G(G⁻¹(x))·|det A⁻¹|).

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
from examprep.problems.gan.fair import near_miss, visible
from examprep.solver.expr import Expr, Func, Mat, Num, Sym, paren
from examprep.solver.step import Derivation


def det(A: Any) -> float:
    return A[0][0] if len(A) == 1 else A[0][0] * A[1][1] - A[0][1] * A[1][0]


def solve_z(A: Any, b: Any, x: Any) -> list[float]:
    """z = A⁻¹(x − b) by the 1×1 or 2×2 inverse."""
    r = [xi - bi for xi, bi in zip(x, b, strict=True)]
    if len(A) == 1:
        return [r[0] / A[0][0]]
    d = det(A)
    return [(A[1][1] * r[0] - A[0][1] * r[1]) / d, (-A[1][0] * r[0] + A[0][0] * r[1]) / d]


def std_normal_pdf(z: Any) -> float:
    return math.exp(-0.5 * math.fsum(v * v for v in z)) / (2 * math.pi) ** (len(z) / 2)


def gaussian_pdf(x: Any, mean: Any, A: Any) -> float:
    """The N(mean, A·Aᵀ) density at x (the generator's distribution), as the notes' p_G."""
    return std_normal_pdf(solve_z(A, mean, x)) / abs(det(A))


class ChangeOfVariables(ProblemType):
    id = "gan/change_of_variables-v1"
    title = "Density of a linear generator by the change of variables"
    catalog = "seed_003 X1"
    reference_entry = "examprep.reference.gan:change_of_variables"
    params = (
        Param("A", "matrix", "the generator's matrix (1×1 or 2×2, invertible)", lo=-100, hi=100),
        Param("b", "vector", "the generator's offset", lo=-100, hi=100),
        Param("x", "vector", "the point where the density of x is asked", lo=-100, hi=100),
    )
    parts = (
        Part("z", "The latent z = A⁻¹(x − b)", "vector", final=False),
        Part("p_z", "The latent density p_z(z)", "real", final=False, uses=("z",)),
        Part("abs_det", "|det A|", "real", final=False),
        Part("p_x", "The density p_x(x)", "real", uses=("p_z", "abs_det")),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        def pick(values: Any, n: int = 1) -> list[float]:
            return [float(values[int(i)]) for i in rng.integers(len(values), size=n)]

        zs = np.arange(-1.5, 1.51, 0.5)
        if difficulty == "easy":
            A = [[pick([0.5, 2, -2, 3])[0]]]
        elif difficulty == "medium":
            a = pick([0.5, 2, -1, 3])
            A = [[a[0], 0.0], [0.0, pick([2, 0.5, -2])[0]]]
        else:
            A = [pick([1, 2, -1, 3], 2), pick([1, -1, 0.5, 2], 2)]
        d = len(A)
        z, b = pick(zs, d), pick(np.arange(-2, 2.01, 0.5), d)
        x = (np.asarray(A) @ np.asarray(z) + np.asarray(b)).tolist()
        return dict(A=A, b=b, x=[round(v, 6) for v in x])

    def check(self, p: Params) -> list[str]:
        d = len(p.A)
        if d not in (1, 2) or len(p.A[0]) != d:
            raise ParamError(f"A must be 1×1 or 2×2, got {len(p.A)}×{len(p.A[0])}")
        if len(p.b) != d or len(p.x) != d:
            raise ParamError(f"b and x need {d} entries each, like A's size")
        if abs(det(p.A)) < 1e-12:
            raise ParamError("A is singular (det A = 0): the generator is not invertible and x has no density")
        return []

    def degenerate(self, p: Params) -> str | None:
        return near_miss(self.solve(p), self.all_mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        d = len(p.A)
        dist = r"$N(0, 1)$" if d == 1 else r"$N(0, I)$ in 2-D"
        return [
            r"A linear generator maps a latent $z \sim$ " + dist + r" to $x = A z + b$ with $A = $ ",
            [list(r) for r in p.A], r", $b = $ ", list(p.b), r". Use the change of variables "
            r"$p_x(x) = p_z(A^{-1}(x - b)) \cdot |\det A^{-1}| = \frac{p_z(z)}{|\det A|}$ to find the density of "
            r"$x$ at $x = $ ", list(p.x), r". Give the latent $z$, the latent density $p_z(z) = (2\pi)^{-d/2} "
            r"\exp(-\frac{1}{2} \lVert z \rVert^2)$" + f" (d = {d})" + r", $|\det A|$ and $p_x(x)$."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        z = carry(given, "z", solve_z(p.A, p.b, p.x))
        pz = carry(given, "p_z", std_normal_pdf(z))
        ad = carry(given, "abs_det", abs(det(p.A)))
        return {"z": z, "p_z": pz, "abs_det": ad, "p_x": pz / ad}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        r = [Num(xi) - _n(bi) for xi, bi in zip(p.x, p.b, strict=True)]
        if len(p.A) == 1:
            d.add("Latent point", ans["z"], lhs=Sym("z"), substituted=Mat([[paren(r[0]) / _n(p.A[0][0])]]), part="z",
                  note=r"$z = \frac{x - b}{a}$")
        else:
            (a, b2), (c, e) = p.A
            dt = det(p.A)
            inv = Mat([[Num(e), -_n(b2)], [-_n(c), Num(a)]])
            d.add("Latent point", ans["z"], lhs=Sym("z"), substituted=(inv @ Mat([[r[0]], [r[1]]]))
                  / _n(dt), part="z", note=r"$z = A^{-1}(x - b)$, with $A^{-1}$ the adjugate of $A$ over $\det A$")
        sq = _sum([_n(v) ** 2 for v in ans["z"]])
        norm = Func("sqrt", 2 * Sym("pi")) if len(p.A) == 1 else 2 * Sym("pi")
        d.add("Latent density", ans["p_z"], lhs=Sym("p_z", tex="p_z(z)"),
              substituted=Func("exp", -paren(sq) / 2) / norm,
              part="p_z")
        d.add("Jacobian determinant", ans["abs_det"], lhs=Sym("J", tex=r"|\det A|"),
              substituted=Func("abs", Num(p.A[0][0]) if len(p.A) == 1 else
                               Num(p.A[0][0]) * _n(p.A[1][1]) - _n(p.A[0][1]) * _n(p.A[1][0])), part="abs_det")
        d.add("Density of x", ans["p_x"], lhs=Sym("p_x", tex="p_x(x)"),
              formula=Sym("p_z", tex="p_z(z)") / Sym("J", tex=r"|\det A|"),
              subs={"p_z": ans["p_z"], "J": ans["abs_det"]}, part="p_x",
              note=r"stretching by $A$ spreads the probability over $|\det A|$ times the volume")
        d.answer = f"p_x(x) = {ans['p_x']:.6g}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return visible(self.solve(p), self.all_mistakes(p))

    def all_mistakes(self, p: Params) -> dict[str, Mistake]:
        """Every named mistake that applies to these parameters."""
        ans = self.solve(p)
        return {
            "times_det": Mistake({"p_x": ans["p_z"] * ans["abs_det"]},
                                 r"Divide by $|\det A|$: $p_x(x) = p_z(z) |\det A^{-1}| = \frac{p_z(z)}{|\det A|}$."),
            "no_jacobian": Mistake({"p_x": ans["p_z"]}, r"The density of $x$ needs the Jacobian factor "
                                                        r"$\frac{1}{|\det A|}$; $p_z(z)$ alone is the latent density."),
            "density_of_x_at_z": Mistake({"p_x": gaussian_pdf(ans["z"], p.b, p.A) / ans["abs_det"]},
                                         r"You evaluated the generator's density $p_G$ at $G^{-1}(x)$; the change of "
                                         r"variables uses the latent density there: $p_z(G^{-1}(x))$."),
        }


def _n(x: float) -> Expr:
    return paren(Num(x)) if x < 0 else Num(x)


def _sum(terms: list[Expr]) -> Expr:
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total
