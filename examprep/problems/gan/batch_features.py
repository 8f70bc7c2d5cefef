"""Feature matching and minibatch discrimination (Salimans et al. 2016) on small feature batches.

Catalog: seed_002 I9; seed_003 X2 (the notes give no formula, so the problem states it).

Parameters:
    f_real: features of real samples, one row each. f_fake: features of generated samples, one row each.
    include_self: false (default): o(x_i) sums over j ≠ i; true: the paper's sum over all j, which adds 1.

Answer parts: ``mean_real``, ``mean_fake`` (the batch means of the features), ``fm_loss`` = ‖mean_real −
mean_fake‖² and ``o``: per generated row i, Σ_j exp(−‖f_i − f_j‖₁) over the generated rows.

Conventions stated in the prompt: the squared Euclidean norm in the feature-matching loss, the L1 distance in o,
whether o includes j = i.

Reference: batch means, ``torch.cdist(p=1)`` between the generated rows and exp(−·) summed with the diagonal
masked or kept (examprep.reference.gan:batch_features).

Common mistakes: the norm not squared, the L2 (or squared L2) distance in o, j = i included or left out against
the convention.

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


def col_means(F: Any) -> list[float]:
    return [math.fsum(c) / len(F) for c in zip(*F, strict=True)]


def o_values(F: Any, include_self: bool, dist: str = "l1") -> list[float]:
    """Σ_j exp(−d(f_i, f_j)) per row, over j ≠ i (or all j)."""
    def d(a: Any, b: Any) -> float:
        diffs = [x - y for x, y in zip(a, b, strict=True)]
        if dist == "l1":
            return math.fsum(abs(t) for t in diffs)
        sq = math.fsum(t * t for t in diffs)
        return math.sqrt(sq) if dist == "l2" else sq
    return [math.fsum(math.exp(-d(a, b)) for j, b in enumerate(F) if include_self or j != i) for i, a in enumerate(F)]


class BatchFeatures(ProblemType):
    id = "gan/batch_features-v1"
    title = "Feature matching and minibatch discrimination"
    catalog = "seed_002 I9; seed_003 X2"
    reference_entry = "examprep.reference.gan:batch_features"
    params = (
        Param("f_real", "matrix", "features of the real samples, one row each", lo=-1000, hi=1000),
        Param("f_fake", "matrix", "features of the generated samples, one row each", lo=-1000, hi=1000),
        Param("include_self", "bool", "true: o sums over all j (adds 1); false: over j ≠ i", default=False),
    )
    parts = (
        Part("mean_real", "Mean feature vector of the real batch", "vector", final=False),
        Part("mean_fake", "Mean feature vector of the generated batch", "vector", final=False),
        Part("fm_loss", "The feature-matching loss", "real", uses=("mean_real", "mean_fake")),
        Part("o", "Minibatch-discrimination o(x_i) per generated row", "vector"),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n, d, step, inc = {"easy": (2, 2, 1.0, False), "medium": (3, 2, 0.5, False),
                           "hard": (3, 3, 0.1, bool(rng.integers(2)))}[difficulty]
        vals = np.arange(-2, 2.001, step)

        def mat(rows: int) -> list[list[float]]:
            return [[round(float(v), 1) for v in rng.choice(vals, d)] for _ in range(rows)]
        return dict(f_real=mat(n), f_fake=mat(n), include_self=inc)

    def check(self, p: Params) -> list[str]:
        if len(p.f_real[0]) != len(p.f_fake[0]):
            raise ParamError(f"f_real has {len(p.f_real[0])} features per row and f_fake {len(p.f_fake[0])}: "
                             "give both with the same number of columns")
        if len(p.f_fake) < 2:
            raise ParamError("f_fake needs at least 2 rows for minibatch discrimination")
        return []

    def degenerate(self, p: Params) -> str | None:
        ans = self.solve(p)
        if ans["fm_loss"] < 1e-9:
            return "the two batches have the same mean"
        return near_miss(ans, self.all_mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        j = r"all $j$ (including $j = i$)" if p.include_self else r"$j \ne i$"
        return [
            "A discriminator layer gives these features for a batch of real samples (one row each): ",
            [list(r) for r in p.f_real], " and for a batch of generated samples: ", [list(r) for r in p.f_fake],
            r". (a) Give the mean feature vector of each batch and the feature-matching loss "
            r"$\lVert \bar{f}_{real} - \bar{f}_{fake} \rVert^2$ (the squared Euclidean norm). (b) For minibatch "
            r"discrimination, give for each generated row $i$ the closeness $o(x_i) = \sum_j \exp(-\lVert f_i - f_j "
            r"\rVert_1)$ over the generated rows, summing over " + j + r", with the L1 distance "
            r"$\lVert a - b \rVert_1 = \sum_k |a_k - b_k|$."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        mr, mf = carry(given, "mean_real", col_means(p.f_real)), carry(given, "mean_fake", col_means(p.f_fake))
        return {"mean_real": mr, "mean_fake": mf,
                "fm_loss": math.fsum((a - b) ** 2 for a, b in zip(mr, mf, strict=True)),
                "o": o_values(p.f_fake, p.include_self)}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        for name, F in (("real", p.f_real), ("fake", p.f_fake)):
            d.add(f"Mean of the {name} features", ans[f"mean_{name}"],
                  lhs=Sym(f"f_{name}", tex=rf"\bar{{f}}_{{{name}}}"),
                  substituted=Mat([[paren(_sum([Num(x) for x in col])) / len(F) for col in zip(*F, strict=True)]]),
                  part=f"mean_{name}")
        d.add("Feature-matching loss", ans["fm_loss"], lhs=Sym("L_FM"), part="fm_loss",
              substituted=_sum([paren(Num(a) - _n(b)) ** 2 for a, b in zip(ans["mean_real"], ans["mean_fake"],
                                                                           strict=True)]))
        rows = []
        for i, a in enumerate(p.f_fake):
            terms = [Func("exp", -paren(_sum([Func("abs", Num(x) - _n(y)) for x, y in zip(a, b, strict=True)])))
                     for j, b in enumerate(p.f_fake) if p.include_self or j != i]
            rows.append(_sum(terms))
        d.add("Minibatch discrimination", ans["o"], lhs=Sym("o"), substituted=Mat([rows]), part="o",
              note=(r"each row's term with itself is $\exp(0) = 1$" if p.include_self else
                    r"the sum leaves out $j = i$"))
        d.answer = f"L_FM = {ans['fm_loss']:.6g}; o = [" + ", ".join(f"{v:.6g}" for v in ans["o"]) + "]"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return visible(self.solve(p), self.all_mistakes(p))

    def all_mistakes(self, p: Params) -> dict[str, Mistake]:
        """Every named mistake that applies to these parameters."""
        ans = self.solve(p)
        return {
            "norm_unsquared": Mistake({"fm_loss": math.sqrt(ans["fm_loss"])},
                                      r"The feature-matching loss is the squared norm $\lVert \cdot \rVert^2$."),
            "l2_in_o": Mistake({"o": o_values(p.f_fake, p.include_self, "l2")},
                               r"Minibatch discrimination uses the L1 distance $\sum_k |a_k - b_k|$, not the "
                               "Euclidean one."),
            "squared_l2_in_o": Mistake({"o": o_values(p.f_fake, p.include_self, "sq")},
                                       r"Minibatch discrimination uses the L1 distance $\sum_k |a_k - b_k|$, not the "
                                       "squared Euclidean one."),
            "self_term": Mistake({"o": o_values(p.f_fake, not p.include_self)},
                                 ("Include $j = i$ here (it adds $\\exp(0) = 1$)." if p.include_self else
                                  r"Leave out $j = i$: the sum runs over the other generated rows.")),
        }


def _n(x: float) -> Expr:
    return paren(Num(x)) if x < 0 else Num(x)


def _sum(terms: list[Expr]) -> Expr:
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total
