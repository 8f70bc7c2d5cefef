"""PCA of a small 2-D data set: the covariance (divisor N), its eigenvalues, and the best 1-D reconstruction error.

Catalog: seed_002 J1 (data [[2,1],[−2,−1],[1,1],[−1,−1]]: covariance [[2.5, 1.5], [1.5, 1]], eigenvalues 3.427051 and
0.072949, the best 1-D linear code's error 0.072949 per sample); seed_000_001 E6 (the linear autoencoder spans the
principal subspace).

Parameters:
    X: N × 2 data, one sample per row.

Answer parts: ``cov`` = (1/N) Σ_n (x_n − x̄)(x_n − x̄)ᵀ, ``eigenvalues`` (descending), ``recon_error`` = the mean over
samples of the squared error of the best 1-D linear code (projection on the top eigenvector) = the smaller eigenvalue.

Conventions stated in the prompt: centre the data first; divisor N (not N − 1); λ = (tr ± √(tr² − 4 det))/2.

Reference: ``torch.cov(correction=0)`` and ``torch.linalg.eigvalsh``; the reconstruction error by projecting on the
top eigenvector from ``torch.linalg.eigh`` (examprep.reference.latent:pca); the tests check against scipy.

Common mistakes: the divisor N − 1 (the unbiased sample covariance), the largest eigenvalue as the error.

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
from examprep.problems.gan.fair import near_miss
from examprep.problems.latent.points import as_rows, distinct, half_grid
from examprep.solver.expr import Mat, Num, Sym, paren, sqrt
from examprep.solver.step import Derivation

MEAN = Sym("xbar", "x̄ = (1/N) Σ_n x_n", latex=r"\bar{\mathbf{x}} = \frac{1}{N} \sum_n \mathbf{x}_n",
           typst="macron(bold(x)) = 1/N sum_n bold(x)_n")
COV = Sym("S", "S = (1/N) Σ_n (x_n − x̄)(x_n − x̄)ᵀ",
          latex=r"S = \frac{1}{N} \sum_n (\mathbf{x}_n - \bar{\mathbf{x}})(\mathbf{x}_n - \bar{\mathbf{x}})^\top",
          typst="S = 1/N sum_n (bold(x)_n - macron(bold(x)))(bold(x)_n - macron(bold(x)))^top")
EIG = Sym("lam", "λ = (tr S ± √((tr S)² − 4 det S))/2",
          latex=r"\lambda = \frac{\operatorname{tr} S \pm \sqrt{(\operatorname{tr} S)^2 - 4 \det S}}{2}",
          typst="lambda = (tr S plus.minus sqrt((tr S)^2 - 4 det S))/2")
ERR = Sym("err", "(1/N) Σ_n ‖x_n − x̂_n‖² = λ_2",
          latex=r"\frac{1}{N} \sum_n \lVert \mathbf{x}_n - \hat{\mathbf{x}}_n \rVert^2 = \lambda_2",
          typst="1/N sum_n norm(bold(x)_n - hat(bold(x))_n)^2 = lambda_2")


def eig2(c: np.ndarray) -> list[float]:
    """The eigenvalues of a symmetric 2×2 matrix, descending, from the trace and determinant."""
    tr, det = c[0, 0] + c[1, 1], c[0, 0] * c[1, 1] - c[0, 1] * c[1, 0]
    root = math.sqrt(max(tr * tr - 4 * det, 0.0))
    return [float((tr + root) / 2), float((tr - root) / 2)]


def pca_parts(X: Any, divisor_minus_one: bool = False, given: Answers | None = None) -> Answers:  # noqa: N803
    """Every part, each derived part from the earlier ones (``given``: the student's earlier values, carried)."""
    x = as_rows(X)
    xc = x - x.mean(axis=0)
    cov = carry(given, "cov", xc.T @ xc / (len(x) - (1 if divisor_minus_one else 0)))
    lam = carry(given, "eigenvalues", eig2(cov))
    return {"cov": cov.tolist(), "eigenvalues": [float(v) for v in lam], "recon_error": float(lam[1])}


class PCA(ProblemType):
    id = "latent/pca-v1"
    title = "PCA: covariance, eigenvalues and the 1-D reconstruction error"
    catalog = "seed_002 J1; seed_000_001 E6"
    reference_entry = "examprep.reference.latent:pca"
    params = (Param("X", "matrix", "N × 2 data, one sample per row", lo=-1000, hi=1000),)
    parts = (
        Part("cov", "Covariance matrix (divisor N)", "matrix", mode="decdig", digits=4),
        Part("eigenvalues", "Eigenvalues, largest first", "vector", mode="decdig", digits=4, uses=("cov",)),
        Part("recon_error", "Mean squared error of the best 1-D code", "real", mode="decdig", digits=4,
             uses=("eigenvalues",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n = {"easy": 4, "medium": int(rng.integers(4, 6)), "hard": int(rng.integers(5, 7))}[difficulty]
        step = 0.5 if difficulty == "hard" else 1.0
        return dict(X=half_grid(rng, -3, 3, step, (n, 2)).tolist())

    def check(self, p: Params) -> list[str]:
        x = as_rows(p.X)
        if x.shape[1] != 2:
            raise ParamError(f"X: give 2-D samples (2 columns), got {x.shape[1]} columns")
        if not 2 <= len(x) <= 50:
            raise ParamError(f"X: give 2 to 50 samples, got {len(x)}")
        return []

    def degenerate(self, p: Params) -> str | None:
        lam = self.solve(p)["eigenvalues"]
        if lam[1] < 0.05 or lam[0] - lam[1] < 0.1 * lam[0]:
            return "collinear data or (nearly) equal eigenvalues"
        return near_miss(self.solve(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        return [
            f"PCA on the {len(p.X)} two-dimensional samples (one per row) ", [list(r) for r in p.X],
            ". Centre the data, then compute the covariance matrix $S = \\frac{1}{N} \\sum_n (\\mathbf{x}_n - "
            "\\bar{\\mathbf{x}})(\\mathbf{x}_n - \\bar{\\mathbf{x}})^\\top$ (divisor $N$, not $N - 1$), its "
            "eigenvalues (largest first), and the mean over the samples of the squared reconstruction error "
            "$\\lVert \\mathbf{x}_n - \\hat{\\mathbf{x}}_n \\rVert^2$ of the best 1-D linear code (projection on the "
            "top principal direction, mean added back). Give the numbers to 4 decimal places."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return pca_parts(p.X, given=given)

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        x = as_rows(p.X)
        n = len(x)
        mean = x.mean(axis=0)
        d = Derivation()
        d.add("Mean", mean.tolist(), lhs=MEAN,
              substituted=Mat([[paren(sum((Num(float(v)) for v in x[1:, j]), Num(float(x[0, j])))) / n
                                for j in range(2)]]))
        xc = x - mean

        def entry(a: int, b: int) -> Any:
            terms = [paren(Num(float(r[a]))) * paren(Num(float(r[b]))) for r in xc]
            total = terms[0]
            for t in terms[1:]:
                total = total + t
            return paren(total) / n

        d.add("Covariance", ans["cov"], lhs=COV, part="cov",
              substituted=Mat([[entry(0, 0), entry(0, 1)], [entry(1, 0), entry(1, 1)]]),
              note="each entry sums products of centred coordinates, divided by $N$")
        c = np.asarray(ans["cov"])
        tr, det = Num(float(c[0, 0] + c[1, 1])), Num(float(c[0, 0] * c[1, 1] - c[0, 1] ** 2))
        d.add("Eigenvalues", ans["eigenvalues"], lhs=EIG, part="eigenvalues",
              substituted=Mat([[(tr + sqrt(tr**2 - 4 * det)) / 2, (tr - sqrt(tr**2 - 4 * det)) / 2]]),
              note=f"the trace of $S$ is {float(c[0, 0] + c[1, 1]):g} and its determinant "
                   f"{float(c[0, 0] * c[1, 1] - c[0, 1] ** 2):.6g}")
        d.add("Reconstruction error of the best 1-D code", ans["recon_error"], lhs=ERR, part="recon_error",
              note="the variance left out is the variance along the discarded direction: the smaller eigenvalue")
        d.answer = f"λ = {[round(v, 4) for v in ans['eigenvalues']]}, error {ans['recon_error']:.4f}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        ans = self.solve(p)
        m = {
            "divisor_n_minus_1": Mistake(
                pca_parts(p.X, divisor_minus_one=True),
                "You divided by $N - 1$ (the unbiased sample covariance); this problem uses the divisor $N$."),
            "largest_eigenvalue": Mistake(
                {"recon_error": ans["eigenvalues"][0]},
                "The best 1-D code keeps the direction of largest variance: the error is the variance left out, "
                "the smaller eigenvalue."),
        }
        return distinct(ans, m)
