"""Maximum mean discrepancy between two samples, with a linear or an RBF kernel, biased or unbiased.

Catalog: seed_000_001 J4 (domain alignment).

Parameters: X, Y (one row of numbers: scalar points; or a row per point), kernel (``linear``: a·b; ``rbf``:
exp(−‖a − b‖²/(2σ²))), sigma (the RBF width), estimator (``biased``: every pair; ``unbiased``: the diagonals i = j of
K_xx and K_yy left out, n(n − 1) pairs).

Answer parts: ``k_xx``, ``k_yy`` (mean kernel values within each sample), ``k_xy`` (between them), ``mmd2`` =
k_xx + k_yy − 2k_xy.

Reference: ``torch.cdist`` distances through the kernel (``X @ Yᵀ`` for the linear one), masked means
(examprep.reference.norm:mmd).

Common mistakes: γ = 1/σ² (the 2 dropped: exp(−‖a − b‖²/σ²)); the diagonals kept in the unbiased estimate;
MMD (the square root) given for MMD² (J4: 0.468779).

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
from examprep.problems.optim.mistakes import lost, variant_mistakes
from examprep.problems.optim.objective import num
from examprep.solver.expr import Num, Sym
from examprep.solver.step import Derivation


def points(m: Any) -> list[list[float]]:
    """One row: scalar points; otherwise a row per point."""
    rows = [list(map(float, r)) for r in m]
    return [[x] for x in rows[0]] if len(rows) == 1 else rows


def kernel_matrix(A: list[list[float]], B: list[list[float]], kind: str, sigma: float, two: float = 2.0
                  ) -> list[list[float]]:
    if kind == "linear":
        return [[math.fsum(x * y for x, y in zip(a, b, strict=True)) for b in B] for a in A]
    return [[math.exp(-math.fsum((x - y) ** 2 for x, y in zip(a, b, strict=True)) / (two * sigma**2)) for b in B]
            for a in A]


def mean_of(K: list[list[float]], drop_diag: bool) -> float:
    vals = [v for i, r in enumerate(K) for j, v in enumerate(r) if not (drop_diag and i == j)]
    return math.fsum(vals) / len(vals)


class MMD(ProblemType):
    id = "norm/mmd-v1"
    title = "Maximum mean discrepancy (linear or RBF kernel)"
    catalog = "seed_000_001 J4"
    reference_entry = "examprep.reference.norm:mmd"
    params = (
        Param("X", "matrix", "the first sample: one row of numbers, or a row per point", lo=-1000, hi=1000),
        Param("Y", "matrix", "the second sample, in X's layout", lo=-1000, hi=1000),
        Param("kernel", "choice", "linear (a·b) or rbf (exp(−‖a − b‖²/(2σ²)))", choices=("linear", "rbf"),
              default="rbf"),
        Param("sigma", "real", "the RBF width σ", lo=1e-6, hi=1e6, default=1.0),
        Param("estimator", "choice", "biased (all pairs) or unbiased (no i = j pairs within a sample)",
              choices=("biased", "unbiased"), default="biased"),
    )
    parts = (
        Part("k_xx", "Mean kernel value within X", "real", final=False),
        Part("k_yy", "Mean kernel value within Y", "real", final=False),
        Part("k_xy", "Mean kernel value between X and Y", "real", final=False),
        Part("mmd2", "MMD²", "real", uses=("k_xx", "k_yy", "k_xy")),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        d = 2 if difficulty == "hard" else 1
        n = 3 if difficulty != "hard" else int(rng.integers(2, 4))
        mk = lambda shift: tuple(tuple(float(v) for v in rng.integers(-1, 4, size=n) + shift)  # noqa: E731
                                 for _ in range(d))
        if d == 1:
            X, Y = mk(0), mk(int(rng.integers(0, 2)))
        else:
            X = tuple(tuple(float(v) for v in rng.integers(-1, 3, size=2)) for _ in range(n))
            Y = tuple(tuple(float(v) for v in rng.integers(0, 4, size=2)) for _ in range(n))
        kernel = "linear" if difficulty == "easy" and rng.integers(2) else "rbf"
        return dict(X=X, Y=Y, kernel=kernel, sigma=float((1, 2)[int(rng.integers(2))]) if kernel == "rbf" else 1.0,
                    estimator="biased" if difficulty == "easy" else ("biased", "unbiased")[int(rng.integers(2))])

    def check(self, p: Params) -> list[str]:
        X, Y = points(p.X), points(p.Y)
        if len(X[0]) != len(Y[0]):
            raise ParamError(f"X's points have {len(X[0])} coordinates and Y's {len(Y[0])}")
        if p.estimator == "unbiased" and min(len(X), len(Y)) < 2:
            raise ParamError("the unbiased estimate needs at least 2 points in each sample")
        return []

    def run(self, p: Params, variant: str | None = None, given: Answers | None = None) -> Answers:
        """Every part, or a named mistake's (``variant``); ``given`` the student's means (error carried forward)."""
        X, Y = points(p.X), points(p.Y)
        two = 1.0 if variant == "gamma_one_over_sigma2" else 2.0
        drop = p.estimator == "unbiased" and variant != "diagonals_kept"
        kxx = carry(given, "k_xx", mean_of(kernel_matrix(X, X, p.kernel, p.sigma, two), drop))
        kyy = carry(given, "k_yy", mean_of(kernel_matrix(Y, Y, p.kernel, p.sigma, two), drop))
        kxy = carry(given, "k_xy", mean_of(kernel_matrix(X, Y, p.kernel, p.sigma, two), False))
        m2 = kxx + kyy - 2 * kxy
        if variant == "mmd_for_mmd2":
            return {"mmd2": math.sqrt(m2)}
        return {"k_xx": kxx, "k_yy": kyy, "k_xy": kxy, "mmd2": m2}

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return self.run(p, given=given)

    def candidates(self, p: Params) -> dict[str, str]:
        out = {}
        if p.kernel == "rbf":
            out["gamma_one_over_sigma2"] = ("You used $\\exp(-\\lVert a - b \\rVert^2/\\sigma^2)$. The RBF kernel here "
                                            "is $\\exp(-\\lVert a - b \\rVert^2/(2\\sigma^2))$, i.e. "
                                            "$\\gamma = 1/(2\\sigma^2)$.")
        if p.estimator == "unbiased":
            out["diagonals_kept"] = ("You kept the pairs i = j. The unbiased estimate leaves out the diagonals of "
                                     "$K_{xx}$ and $K_{yy}$ and averages over the n(n − 1) other pairs.")
        if self.solve(p)["mmd2"] > 0:
            out["mmd_for_mmd2"] = "You gave MMD, the square root. The question asks for MMD² itself."
        return out

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return variant_mistakes(self, p)

    def degenerate(self, p: Params) -> str | None:
        if abs(self.solve(p)["mmd2"]) < 1e-3:
            return "MMD² too close to 0"
        return lost(self.candidates(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        X, Y = points(p.X), points(p.Y)
        show = (lambda P: [r[0] for r in P]) if len(X[0]) == 1 else (lambda P: P)  # noqa: E731
        k = ("the linear kernel $k(a, b) = a \\cdot b$" if p.kernel == "linear" else
             f"the RBF kernel $k(a, b) = \\exp(-\\lVert a - b \\rVert^2/(2\\sigma^2))$ with $\\sigma = {num(p.sigma)}$")
        est = ("the biased estimate (means over all pairs, $i = j$ included)" if p.estimator == "biased" else
               "the unbiased estimate (the pairs $i = j$ of the same sample left out: means over $n(n - 1)$ pairs)")
        return ["Two samples $X$ = ", show(X), " and $Y$ = ", show(Y), f" are compared with {k}. Using {est}, give "
                "the mean kernel value within X ($k_{xx}$), within Y ($k_{yy}$), between them ($k_{xy}$), and "
                "$\\mathrm{MMD}^2 = k_{xx} + k_{yy} - 2 k_{xy}$."]

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        X, Y = points(p.X), points(p.Y)
        drop = p.estimator == "unbiased"
        for name, A, B, key, diag in (("X", X, X, "k_xx", drop), ("Y", Y, Y, "k_yy", drop), ("X, Y", X, Y, "k_xy",
                                                                                               False)):
            K = kernel_matrix(A, B, p.kernel, p.sigma)
            d.add(f"Kernel matrix of {name}", K, lhs=Sym(f"K_{key[2:]}", tex=f"K_{{{key[2:]}}}"),
                  note="Entries $a \\cdot b$." if p.kernel == "linear" else
                  "Entries $\\exp(-\\lVert a - b \\rVert^2/(2\\sigma^2))$.")
            vals = [v for i, r in enumerate(K) for j, v in enumerate(r) if not (diag and i == j)]
            s = Num(vals[0])
            for v in vals[1:]:
                s = s + Num(v)
            d.add(f"Mean over {'the off-diagonal' if diag else 'all'} {len(vals)} entries", ans[key],
                  lhs=Sym(key, tex=f"k_{{{key[2:]}}}"), substituted=s / Num(len(vals)),
                  part=key)
        d.add("MMD²", ans["mmd2"], lhs=Sym("MMD2", tex="\\mathrm{MMD}^2"),
              formula=Sym("k_xx", tex="k_{xx}") + Sym("k_yy", tex="k_{yy}") - Num(2) * Sym("k_xy", tex="k_{xy}"),
              subs={"k_xx": ans["k_xx"], "k_yy": ans["k_yy"], "k_xy": ans["k_xy"]}, part="mmd2")
        d.answer = f"MMD² = {ans['mmd2']:.6g}"
        return d
