"""The Fréchet Inception Distance between two Gaussians, given or fitted to feature samples.

Catalog: seed_000_001 G2 (and §2 on F1:70, the formula without its root); seed_002 I6.

Parameters (either the Gaussians or the samples):
    mu_r, Sigma_r, mu_g, Sigma_g: the means and covariances (1×1 or 2×2, symmetric positive definite) of the
    real and generated feature distributions.
    X_r, X_g: feature samples instead, one row per image (1 or 2 columns); means are sample means and covariances
    use the divisor N − 1 (and must be non-singular).

Answer parts: ``cov_r``, ``cov_g`` (the sample covariances; samples only), ``mean_term`` = ‖μ_r − μ_g‖²,
``sqrt_product`` = (Σ_r·Σ_g)^½ (the principal root), ``trace_term`` = Tr(Σ_r + Σ_g − 2(Σ_r·Σ_g)^½) and
``fid`` = mean_term + trace_term.

Conventions stated in the prompt: the formula with its root, the principal square root, the covariance divisor
N − 1, Σ as covariances (variances in 1-D, not standard deviations).

Reference: sample covariances by centred batched matrix products, the root as A·(A·Σ_g·A)^½·A⁻¹ with A = Σ_r^½,
both roots by ``torch.linalg.eigh`` (not the 2×2 closed form ``solve`` shows) (examprep.reference.metrics:fid);
the tests check it against ``scipy.linalg.sqrtm``.

Common mistakes: no root (FID 1:70's formula: −2 for N(0, 1) vs N(1, 4)), the element-wise root of Σ_r·Σ_g,
variances in the 1-D/diagonal shortcut ((σ_r² − σ_g²)², 10 for 2), the biased covariance (divisor N), the unsquared
norm of μ_r − μ_g.

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
from examprep.problems.metrics.matrix_root import det, matmul, root_parts, sample_cov, sample_mean, sqrt_psd, trace
from examprep.solver.expr import Expr, Func, Mat, Num, Sym, paren
from examprep.solver.step import Derivation

GAUSS = ("mu_r", "Sigma_r", "mu_g", "Sigma_g")
SAMPLES = ("X_r", "X_g")


def chain(mu_r: Any, S_r: Any, mu_g: Any, S_g: Any, root: Any = sqrt_psd,
          given: Answers | None = None) -> dict[str, Any]:
    """mean_term, sqrt_product, trace_term and fid from the two Gaussians; ``root`` takes the matrix root;
    ``given``: the student's earlier values, carried forward."""
    mean_term = carry(given, "mean_term", math.fsum((a - b) ** 2 for a, b in zip(mu_r, mu_g, strict=True)))
    sq = carry(given, "sqrt_product", root(matmul(S_r, S_g)))
    trace_term = carry(given, "trace_term", trace(S_r) + trace(S_g) - 2 * trace(sq))
    return {"mean_term": mean_term, "sqrt_product": sq, "trace_term": trace_term, "fid": mean_term + trace_term}


def no_root(M: Any) -> Any:
    return M


def elementwise_root(M: Any) -> Any:
    return [[math.sqrt(x) for x in row] for row in M]


def diagonal(S: Any) -> bool:
    return all(S[i][j] == 0 for i in range(len(S)) for j in range(len(S)) if i != j)


class FID(ProblemType):
    id = "metrics/fid-v1"
    title = "Fréchet Inception Distance"
    catalog = "seed_000_001 G2; seed_002 I6"
    reference_entry = "examprep.reference.metrics:fid"
    params = (
        Param("mu_r", "vector", "mean of the real features (1 or 2 entries)", lo=-1000, hi=1000, optional=True),
        Param("Sigma_r", "matrix", "covariance of the real features (1×1 or 2×2)", lo=-1000, hi=1000, optional=True),
        Param("mu_g", "vector", "mean of the generated features", lo=-1000, hi=1000, optional=True),
        Param("Sigma_g", "matrix", "covariance of the generated features", lo=-1000, hi=1000, optional=True),
        Param("X_r", "matrix", "real feature samples, one row each (instead of mu_r, Sigma_r)", lo=-1000, hi=1000,
              optional=True),
        Param("X_g", "matrix", "generated feature samples, one row each (instead of mu_g, Sigma_g)", lo=-1000,
              hi=1000, optional=True),
    )
    parts = (
        Part("cov_r", "The sample covariance of the real features (divisor N − 1)", "matrix", final=False),
        Part("cov_g", "The sample covariance of the generated features (divisor N − 1)", "matrix", final=False),
        Part("mean_term", "‖μ_r − μ_g‖²", "real", final=False),
        Part("sqrt_product", "(Σ_r Σ_g)^½, the principal square root", "matrix", final=False,
             uses=("cov_r", "cov_g")),
        Part("trace_term", "Tr(Σ_r + Σ_g − 2(Σ_r Σ_g)^½)", "real", final=False,
             uses=("cov_r", "cov_g", "sqrt_product")),
        Part("fid", "The FID", "real", uses=("mean_term", "trace_term")),
    )

    def active_parts(self, p: Params) -> tuple[Part, ...]:
        return self.parts if p.X_r is not None else self.parts[2:]

    # ---- sampling ---------------------------------------------------------------------------------------------
    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        def pick(values: Any, n: int = 1) -> list[float]:
            return [float(values[int(i)]) for i in rng.integers(len(values), size=n)]

        if difficulty == "easy":
            mus = np.arange(-2, 2.01, 0.5)
            return dict(mu_r=pick(mus), Sigma_r=[[pick([0.25, 1, 4, 9])[0]]], mu_g=pick(mus),
                        Sigma_g=[[pick([0.25, 1, 4, 9])[0]]])
        mus = np.arange(-1, 1.01, 0.5)
        if difficulty == "medium":
            v = pick([0.25, 1, 2.25, 4], 4)
            return dict(mu_r=pick(mus, 2), Sigma_r=[[v[0], 0], [0, v[1]]], mu_g=pick(mus, 2),
                        Sigma_g=[[v[2], 0], [0, v[3]]])
        if rng.integers(2) == 0:
            n_r, n_g = int(rng.integers(3, 5)), int(rng.integers(3, 5))
            return dict(X_r=rng.integers(0, 6, size=(n_r, 2)).tolist(), X_g=rng.integers(0, 6, size=(n_g, 2)).tolist())

        def full() -> list[list[float]]:
            a, c = pick([1, 2, 3, 4], 2)
            b = pick([-1, -0.5, 0.5, 1])[0]
            return [[a, b], [b, c]]
        return dict(mu_r=pick(mus, 2), Sigma_r=full(), mu_g=pick(mus, 2), Sigma_g=full())

    def check(self, p: Params) -> list[str]:
        given = [k for k in GAUSS + SAMPLES if p[k] is not None]
        if set(given) == set(SAMPLES):
            d = len(p.X_r[0])
            if len(p.X_g[0]) != d or d not in (1, 2):
                raise ParamError(f"X_r and X_g need the same number of columns, 1 or 2 (got {d} and {len(p.X_g[0])})")
            for k in SAMPLES:
                if len(p[k]) < d + 1:
                    raise ParamError(f"{k} needs at least {d + 1} rows for a non-singular covariance")
                self._check_pd(k, sample_cov(p[k]), "the sample covariance of ")
            return []
        if set(given) != set(GAUSS):
            raise ParamError("give either mu_r, Sigma_r, mu_g and Sigma_g, or the samples X_r and X_g (not a mix)")
        d = len(p.mu_r)
        if d not in (1, 2) or len(p.mu_g) != d:
            raise ParamError(f"mu_r and mu_g need the same length, 1 or 2 (got {d} and {len(p.mu_g)})")
        for k in ("Sigma_r", "Sigma_g"):
            if len(p[k]) != d or len(p[k][0]) != d:
                raise ParamError(f"{k} must be {d}×{d}, matching mu_r")
            if d == 2 and p[k][0][1] != p[k][1][0]:
                raise ParamError(f"{k} must be symmetric: entries (1,2) = {p[k][0][1]} and (2,1) = {p[k][1][0]} differ")
            self._check_pd(k, p[k], "")
        return []

    @staticmethod
    def _check_pd(name: str, S: Any, what: str) -> None:
        scale = max(1.0, trace(S) ** 2)
        if S[0][0] <= 0 or det(S) <= 1e-9 * scale:
            raise ParamError(f"{what}{name} must be positive definite (non-singular): it has determinant "
                             f"{det(S):.6g}")

    def degenerate(self, p: Params) -> str | None:
        ans = self.solve(p)
        if ans["fid"] < 1e-3:
            return "FID too close to 0"
        for S in self.gaussians(p)[1::2]:
            if len(S) == 2 and det(S) < 0.05 * trace(S) ** 2:
                return "a covariance is close to singular"
        return near_miss(ans, self.all_mistakes(p))

    # ---- solution ---------------------------------------------------------------------------------------------
    @staticmethod
    def gaussians(p: Params, ddof: int = 1) -> tuple[Any, Any, Any, Any]:
        """(μ_r, Σ_r, μ_g, Σ_g): as given, or estimated from the samples."""
        if p.X_r is None:
            return p.mu_r, p.Sigma_r, p.mu_g, p.Sigma_g
        return sample_mean(p.X_r), sample_cov(p.X_r, ddof), sample_mean(p.X_g), sample_cov(p.X_g, ddof)

    def statement(self, p: Params) -> list[Any]:
        formula = (r"$\text{FID} = \lVert \mu_r - \mu_g \rVert^2 + \operatorname{Tr}(\Sigma_r + \Sigma_g - "
                   r"2 (\Sigma_r \Sigma_g)^{1/2})$")
        ask = (r", where $(\Sigma_r \Sigma_g)^{1/2}$ is the principal matrix square root (the matrix $S$ with "
               r"$S S = \Sigma_r \Sigma_g$ whose eigenvalues are positive). Give $\lVert \mu_r - \mu_g \rVert^2$, "
               r"$(\Sigma_r \Sigma_g)^{1/2}$, the trace term and the FID.")
        if p.X_r is not None:
            return [
                "Feature vectors of real images (one per row) are $X_r = $ ", [list(r) for r in p.X_r],
                " and of generated images $X_g = $ ", [list(r) for r in p.X_g], ". Fit a Gaussian to each set: "
                r"the mean is the sample mean and the covariance is $\Sigma = \frac{1}{N - 1} \sum_i "
                r"(x_i - \bar{x})(x_i - \bar{x})^\top$ (divisor $N - 1$). Give both covariances, then compute "
                + formula + ask]
        var = " (in 1-D, $\\Sigma$ is the variance $\\sigma^2$, not the standard deviation)" if len(p.mu_r) == 1 else ""
        return [r"Real features follow $N(\mu_r, \Sigma_r)$ with $\mu_r = $ ", list(p.mu_r), r", $\Sigma_r = $ ",
                [list(r) for r in p.Sigma_r], r", generated features $N(\mu_g, \Sigma_g)$ with $\mu_g = $ ",
                list(p.mu_g), r", $\Sigma_g = $ ", [list(r) for r in p.Sigma_g], f"{var}. Compute " + formula + ask]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        mu_r, S_r, mu_g, S_g = self.gaussians(p)
        if p.X_r is not None:
            S_r, S_g = carry(given, "cov_r", S_r), carry(given, "cov_g", S_g)
        ans: dict[str, Any] = {"cov_r": S_r, "cov_g": S_g} if p.X_r is not None else {}
        ans.update(chain(mu_r, S_r, mu_g, S_g, given=given))
        return ans

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        mu_r, S_r, mu_g, S_g = self.gaussians(p)
        d = Derivation()
        if p.X_r is not None:
            for tag, X, mu, S in (("r", p.X_r, mu_r, S_r), ("g", p.X_g, mu_g, S_g)):
                n = len(X)
                d.add(f"Sample mean of $X_{tag}$", mu, lhs=Sym(f"mu_{tag}"),
                      substituted=Mat([[paren(_sum([Num(x[j]) for x in X])) / n for j in range(len(mu))]]))
                dev = [[Num(x[j]) - Num(mu[j]) for j in range(len(mu))] for x in X]
                d.add(f"Sample covariance of $X_{tag}$", S, lhs=Sym(f"Sigma_{tag}"),
                      substituted=(Mat(dev).T @ Mat(dev)) / (n - 1), part=f"cov_{tag}",
                      note=r"$\Sigma = \frac{1}{N - 1} (X - \bar{x})^\top (X - \bar{x})$, " + f"N = {n}")
        d.add("Mean term", ans["mean_term"], lhs=Sym("m", tex=r"\lVert \mu_r - \mu_g \rVert^2"),
              substituted=_sum([paren(Num(a) - Num(b)) ** 2 for a, b in zip(mu_r, mu_g, strict=True)]),
              part="mean_term")
        P = matmul(S_r, S_g)
        d.add(r"Product $\Sigma_r \Sigma_g$", P, lhs=Sym("P"), substituted=_mat(S_r) @ _mat(S_g))
        if len(P) == 1:
            d.add("Its square root", ans["sqrt_product"], lhs=Sym("S", tex=r"(\Sigma_r \Sigma_g)^{1/2}"),
                  substituted=Mat([[Func("sqrt", Num(P[0][0]))]]), part="sqrt_product",
                  note=r"in 1-D the root is $\sigma_r \sigma_g$")
        else:
            s, t = root_parts(P)
            d.add("Root of the determinant", s, lhs=Sym("s"),
                  substituted=Func("sqrt", _n(P[0][0]) * _n(P[1][1]) - _n(P[0][1]) * _n(P[1][0])),
                  note=r"$s = \sqrt{\det P}$, the product of the roots of the two eigenvalues of $P$")
            d.add("Root of the trace plus 2s", t, lhs=Sym("t"), substituted=Func("sqrt", Num(P[0][0]) + Num(P[1][1])
                                                                                 + 2 * Num(s)),
                  note=r"$t = \sqrt{\operatorname{Tr} P + 2 s}$, the sum of the roots of the eigenvalues")
            d.add("Principal square root", ans["sqrt_product"],
                  lhs=Sym("S", tex=r"(\Sigma_r \Sigma_g)^{1/2}"),
                  substituted=(_mat(P) + Num(s) * Mat([[1, 0], [0, 1]])) / Num(t), part="sqrt_product",
                  note=r"for a $2 \times 2$ matrix with positive eigenvalues, $P^{1/2} = (P + s I)/t$; "
                       r"check: $S S = P$")
        tr_s = trace(ans["sqrt_product"])
        d.add("Trace term", ans["trace_term"], lhs=Sym("T"),
              substituted=Num(trace(S_r)) + Num(trace(S_g)) - 2 * Num(tr_s),
              part="trace_term", note=r"$T = \operatorname{Tr} \Sigma_r + \operatorname{Tr} \Sigma_g - 2 "
                                      r"\operatorname{Tr} (\Sigma_r \Sigma_g)^{1/2}$")
        d.add("FID", ans["fid"], lhs=Sym("FID"), substituted=Num(ans["mean_term"]) + Num(ans["trace_term"]),
              part="fid")
        d.answer = f"FID = {ans['fid']:.6g}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return visible(self.solve(p), self.all_mistakes(p))

    def all_mistakes(self, p: Params) -> dict[str, Mistake]:
        """Every named mistake, including those that change nothing on these parameters."""
        mu_r, S_r, mu_g, S_g = self.gaussians(p)
        ans = self.solve(p)
        out = {"no_root": Mistake({k: v for k, v in chain(mu_r, S_r, mu_g, S_g, no_root).items() if k != "mean_term"},
                                  r"You left out the matrix square root: the trace term is "
                                  r"$\operatorname{Tr}(\Sigma_r + \Sigma_g - 2 (\Sigma_r \Sigma_g)^{1/2})$; without "
                                  r"the root the 'distance' can even be negative."),
               "norm_unsquared": Mistake({"mean_term": math.sqrt(ans["mean_term"]),
                                          "fid": math.sqrt(ans["mean_term"]) + ans["trace_term"]},
                                         r"The mean term is the squared norm $\lVert \mu_r - \mu_g \rVert^2$.")}
        P = matmul(S_r, S_g)
        if len(P) == 2 and not diagonal(P) and min(min(r) for r in P) >= 0:
            wrong = chain(mu_r, S_r, mu_g, S_g, elementwise_root)
            out["elementwise_root"] = Mistake({k: wrong[k] for k in ("sqrt_product", "trace_term", "fid")},
                                              "You took the square root of each entry; the matrix square root "
                                              r"$S$ satisfies $S S = \Sigma_r \Sigma_g$.")
        if diagonal(S_r) and diagonal(S_g):
            t = math.fsum((S_r[i][i] - S_g[i][i]) ** 2 for i in range(len(S_r)))
            out["variances_in_shortcut"] = Mistake(
                {"trace_term": t, "fid": ans["mean_term"] + t},
                r"With diagonal covariances the trace term is $\sum_i (\sigma_{r,i} - \sigma_{g,i})^2$ with standard "
                r"deviations; you used the variances.")
        if p.X_r is not None:
            b = self.gaussians(p, ddof=0)
            wrong = chain(*b)
            del wrong["mean_term"]
            out["biased_covariance"] = Mistake({"cov_r": b[1], "cov_g": b[3], **wrong},
                                               r"You divided by $N$; the sample covariance here uses $N - 1$.")
        return out


def _sum(terms: list[Expr]) -> Expr:
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total


def _n(x: float) -> Expr:
    """A number, in parentheses when negative (a product shows 2·(−1), not 2·−1)."""
    return paren(Num(x)) if x < 0 else Num(x)


def _mat(M: Any) -> Mat:
    return Mat([[Num(x) for x in row] for row in M])
