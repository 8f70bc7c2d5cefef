"""Batch normalisation in training mode, the running-statistics update, and the eval-mode output.

Catalog: seed_002 C7; seed_000_001 J4 (AdaBN: momentum 0 keeps the source statistics for eval; the batch is
normalised with its own statistics in training mode).

Parameters:
    H: one feature's batch as one row of values, or a row per example and a column per feature.
    gamma, beta: per feature (default 1 and 0); eps (1e-5); momentum (0.1, PyTorch's: the weight of the new batch).
    running_mean, running_var: the running statistics before the step (default 0 and 1).
    x_eval: optional inputs for eval mode, in H's layout.

Answer parts: ``mean`` and ``var`` (biased) per feature, ``normalized`` and ``output`` (H's layout),
``running_mean_after`` and ``running_var_after`` (the variance update uses the unbiased batch variance, as PyTorch),
``eval_output`` (x_eval normalised with the updated running statistics; only when x_eval is given).

Reference: ``nn.BatchNorm1d`` (every feature of every instance a channel) in train mode, then eval mode
(examprep.reference.norm:batchnorm).

Common mistakes: dividing by σ² instead of σ; the unbiased variance in the normalisation (C7: [−1.690890, …]);
γ and β swapped; the batch statistics at eval; the biased variance in the running update.

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
from examprep.problems.norm import stats as st
from examprep.problems.optim.mistakes import lost, variant_mistakes
from examprep.problems.optim.objective import num, vec
from examprep.solver.expr import Mat, Num, Sym, paren, sqrt
from examprep.solver.render import value_text
from examprep.solver.step import Derivation


def features(m: Any, one_row: bool | None = None) -> list[list[float]]:
    """The values of each feature: one row is one feature (``one_row``, by default when m has one row);
    otherwise a column per feature."""
    rows = [list(map(float, r)) for r in m]
    one = len(rows) == 1 if one_row is None else one_row
    return [rows[0]] if one else [list(c) for c in zip(*rows, strict=True)]


def layout(cols: list[list[float]], one_row: bool) -> list[Any]:
    """Per-feature values back in the input's layout."""
    return list(cols[0]) if one_row else [list(r) for r in zip(*cols, strict=True)]


class BatchNorm(ProblemType):
    id = "norm/batchnorm-v1"
    title = "Batch normalisation: training step, running statistics, eval"
    catalog = "seed_002 C7; seed_000_001 J4"
    reference_entry = "examprep.reference.norm:batchnorm"
    params = (
        Param("H", "matrix", "the batch: one row of values (one feature), or a row per example", lo=-1000, hi=1000),
        Param("gamma", "vector", "the scale γ per feature (default 1)", lo=-100, hi=100, optional=True),
        Param("beta", "vector", "the shift β per feature (default 0)", lo=-100, hi=100, optional=True),
        Param("eps", "real", "ε added to the variance", lo=0, hi=1, default=1e-5),
        Param("momentum", "real", "PyTorch's momentum: the weight of the batch statistics", lo=0, hi=1, default=0.1),
        Param("running_mean", "vector", "running mean before the step (default 0)", lo=-1000, hi=1000, optional=True),
        Param("running_var", "vector", "running variance before the step (default 1)", lo=0, hi=1000, optional=True),
        Param("x_eval", "matrix", "inputs for eval mode, in H's layout", lo=-1000, hi=1000, optional=True),
    )
    parts = (
        Part("mean", "The batch mean μ_B per feature", "vector", final=False),
        Part("var", "The biased batch variance σ²_B per feature", "vector", final=False, uses=("mean",)),
        Part("normalized", "The normalised values x̂ (H's layout)", "matrix", final=False, uses=("mean", "var")),
        Part("output", "The output γx̂ + β (H's layout)", "matrix", uses=("normalized",)),
        Part("running_mean_after", "The running mean after the step", "vector", uses=("mean",)),
        Part("running_var_after", "The running variance after the step", "vector", uses=("var",)),
        Part("eval_output", "The eval-mode output for x_eval", "matrix",
             uses=("running_mean_after", "running_var_after")),
    )

    def active_parts(self, p: Params) -> tuple[Part, ...]:
        return self.parts if p.x_eval is not None else self.parts[:-1]

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        grid = lambda k: [float(v) for v in rng.integers(-3, 10, size=k)]  # noqa: E731
        half = lambda lo, hi, k: tuple(float(v) / 2 for v in rng.integers(lo, hi + 1, size=k))  # noqa: E731
        if difficulty == "hard":
            n, c = int(rng.integers(3, 5)), 2
            H = tuple(tuple(grid(c)) for _ in range(n))
            x_eval: Any = (tuple(grid(c)),)
        else:
            n, c = (4 if difficulty == "easy" else int(rng.integers(4, 6))), 1
            H = (tuple(grid(n)),)
            x_eval = (tuple(grid(1)),)
        out: dict[str, Any] = dict(H=H, gamma=half(1, 4, c), beta=half(-2, 2, c), x_eval=x_eval)
        if difficulty != "easy":
            out["running_mean"] = half(-2, 2, c)
            out["running_var"] = tuple(float(v) for v in rng.integers(1, 5, size=c))
        if difficulty == "hard" and rng.integers(2):
            out["momentum"] = float((0.1, 0.2, 0.5)[int(rng.integers(3))])
        return out

    def n_features(self, p: Params) -> int:
        return 1 if len(p.H) == 1 else len(p.H[0])

    def check(self, p: Params) -> list[str]:
        c = self.n_features(p)
        n = len(features(p.H)[0])
        if n < 2:
            raise ParamError("H needs at least 2 examples per feature (the unbiased variance divides by n − 1)")
        for name in ("gamma", "beta", "running_mean", "running_var"):
            v = p[name]
            if v is not None and len(v) != c:
                raise ParamError(f"{name} has {len(v)} entries for {c} feature(s): give one per feature")
        if p.x_eval is not None and len(p.H) > 1 and len(p.x_eval[0]) != c:
            raise ParamError(f"x_eval rows have {len(p.x_eval[0])} entries for {c} features")
        if p.x_eval is not None and len(p.H) == 1 and len(p.x_eval) != 1:
            raise ParamError("H is one feature's row of values, so give x_eval as one row of values too")
        if any(st.var(f) + p.eps == 0 for f in features(p.H)):
            raise ParamError("a feature is constant and eps = 0: its normalisation divides by 0")
        return []

    def hyper(self, p: Params) -> tuple[list[float], ...]:
        c = self.n_features(p)
        return (list(p.gamma or [1.0] * c), list(p.beta or [0.0] * c), list(p.running_mean or [0.0] * c),
                list(p.running_var or [1.0] * c))

    # ---- the chain of parts ---------------------------------------------------------------------------------------
    def run(self, p: Params, variant: str | None = None) -> Answers:
        one = len(p.H) == 1
        cols = features(p.H)
        g, b, rm, rv = self.hyper(p)
        if variant == "gamma_beta_swapped":
            g, b = b, g
        mu = [st.mean(f) for f in cols]
        s2 = [st.var(f, unbiased=variant == "unbiased_normalization") for f in cols]
        den = [v + p.eps if variant == "variance_as_std" else math.sqrt(v + p.eps) for v in s2]
        xh = [[(x - m) / dd for x in f] for f, m, dd in zip(cols, mu, den, strict=True)]
        y = [[gi * x + bi for x in f] for f, gi, bi in zip(xh, g, b, strict=True)]
        mom = p.momentum
        rm2 = [(1 - mom) * r + mom * m for r, m in zip(rm, mu, strict=True)]
        unb = [st.var(f, unbiased=variant != "biased_running_var") for f in cols]
        rv2 = [(1 - mom) * r + mom * v for r, v in zip(rv, unb, strict=True)]
        ans: Answers = {"mean": mu, "var": s2, "normalized": layout(xh, one), "output": layout(y, one),
                        "running_mean_after": rm2, "running_var_after": rv2}
        if p.x_eval is not None:
            em, ev = (mu, s2) if variant == "batch_stats_at_eval" else (rm2, rv2)
            ecols = features(p.x_eval, len(p.H) == 1)
            ed = [v + p.eps if variant == "variance_as_std" else math.sqrt(v + p.eps) for v in ev]
            ans["eval_output"] = layout([[gi * (x - m) / dd + bi for x in f] for f, m, dd, gi, bi
                                         in zip(ecols, em, ed, g, b, strict=True)], one)
        return ans

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return self.carried(p, given) if given else self.run(p)

    def carried(self, p: Params, given: Answers) -> Answers:
        """The chain from the student's earlier values where given (error carried forward): σ²_B around the
        student's μ_B, x̂ from both, the running variance from the unbiased n/(n − 1)·σ²_B, eval from the running
        statistics."""
        one = len(p.H) == 1
        cols = features(p.H)
        n = len(cols[0])
        g, b, rm, rv = self.hyper(p)
        mu = [float(v) for v in carry(given, "mean", np.asarray([st.mean(f) for f in cols]))]
        s2 = [float(v) for v in carry(given, "var", np.asarray([math.fsum((x - m) ** 2 for x in f) / n
                                                               for f, m in zip(cols, mu, strict=True)]))]
        xh = [[(x - m) / math.sqrt(v + p.eps) for x in f] for f, m, v in zip(cols, mu, s2, strict=True)]
        xl = carry(given, "normalized", np.asarray(layout(xh, one)))
        xh = [[float(v) for v in xl]] if one else [[float(v) for v in c] for c in np.asarray(xl).T]
        mom = p.momentum
        rm2 = [float(v) for v in carry(given, "running_mean_after",
                                       np.asarray([(1 - mom) * r + mom * m for r, m in zip(rm, mu, strict=True)]))]
        rv2 = [float(v) for v in carry(given, "running_var_after",
                                       np.asarray([(1 - mom) * r + mom * v * n / (n - 1)
                                                   for r, v in zip(rv, s2, strict=True)]))]
        ans: Answers = {"mean": mu, "var": s2, "normalized": layout(xh, one),
                        "output": layout([[gi * x + bi for x in f] for f, gi, bi in zip(xh, g, b, strict=True)], one),
                        "running_mean_after": rm2, "running_var_after": rv2}
        if p.x_eval is not None:
            ans["eval_output"] = layout([[gi * (x - m) / math.sqrt(v + p.eps) + bi for x in f] for f, m, v, gi, bi
                                         in zip(features(p.x_eval, one), rm2, rv2, g, b, strict=True)], one)
        return ans

    def candidates(self, p: Params) -> dict[str, str]:
        out = {"variance_as_std": "You divided by the variance. Normalisation divides by the standard deviation "
                                  "$\\sqrt{\\sigma_B^2 + \\epsilon}$.",
               "unbiased_normalization": "You normalised with the unbiased variance (divided by n − 1). Batch "
                                         "normalisation uses the biased batch variance $\\frac{1}{n} \\sum (x - "
                                         "\\mu_B)^2$; only the running update uses the unbiased one.",
               "gamma_beta_swapped": "You swapped γ and β: the output is $\\gamma \\hat{x} + \\beta$ (γ scales, "
                                     "β shifts).",
               "biased_running_var": "You updated the running variance with the biased batch variance. PyTorch "
                                     "uses the unbiased one, $\\frac{n}{n-1} \\sigma_B^2$, for the running estimate."}
        if p.x_eval is not None:
            out["batch_stats_at_eval"] = ("You used the batch statistics in eval mode. At eval time the running "
                                          "statistics (after the update) normalise the input.")
        return out

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return variant_mistakes(self, p)

    def degenerate(self, p: Params) -> str | None:
        if any(st.var(f) == 0 for f in features(p.H)):
            return "a constant feature"
        return lost(self.candidates(p), self.mistakes(p))

    # ---- text -----------------------------------------------------------------------------------------------------
    def statement(self, p: Params) -> list[Any]:
        g, b, rm, rv = self.hyper(p)
        one = len(p.H) == 1
        shape = ("one feature's batch of values" if one else
                 f"a batch of {len(p.H)} examples (rows) of {self.n_features(p)} features (columns)")
        seg: list[Any] = [f"Batch normalisation (training mode, as PyTorch's BatchNorm1d) of {shape} $H$ = ",
                          list(p.H[0]) if one else [list(r) for r in p.H],
                          f" with $\\gamma = {vec(g)}$, $\\beta = {vec(b)}$, $\\epsilon = {num(p.eps)}$, momentum "
                          f"$m = {num(p.momentum)}$ and running statistics before the step "
                          f"$\\mu_{{run}} = {vec(rm)}$, $\\sigma_{{run}}^2 = {vec(rv)}$. Per feature, give the batch "
                          "mean $\\mu_B$, the biased variance $\\sigma_B^2 = \\frac{1}{n} \\sum_i (x_i - \\mu_B)^2$, "
                          "the normalised values $\\hat{x} = (x - \\mu_B)/\\sqrt{\\sigma_B^2 + \\epsilon}$, the output "
                          "$y = \\gamma \\hat{x} + \\beta$ (in H's layout), and the running statistics after the step: "
                          "$\\mu_{run} \\leftarrow (1 - m) \\mu_{run} + m \\mu_B$ and "
                          "$\\sigma_{run}^2 \\leftarrow (1 - m) \\sigma_{run}^2 + m \\frac{n}{n-1} \\sigma_B^2$ "
                          "(the unbiased batch variance)."]
        if p.x_eval is not None:
            seg += [" Finally give the eval-mode output for $x$ = ", list(p.x_eval[0]) if one else
                    [list(r) for r in p.x_eval], ", normalised with the updated running statistics: "
                    "$\\gamma (x - \\mu_{run})/\\sqrt{\\sigma_{run}^2 + \\epsilon} + \\beta$."]
        return seg

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        cols = features(p.H)
        g, b, rm, rv = self.hyper(p)
        c = len(cols)
        sds, xhs = [], []
        for j, f in enumerate(cols):
            tag = f" of feature {j + 1}" if c > 1 else ""
            sub = f"{j + 1}" if c > 1 else ""
            m = st.mean_step(d, "Batch mean" + tag, f, Sym(f"mu_B{sub}", tex=f"\\mu_{{B{sub}}}"))
            s2 = st.var_step(d, "Biased batch variance" + tag, f, m,
                             Sym(f"s2_B{sub}", tex=f"\\sigma^2_{{B{sub}}}"))
            sd = st.std_step(d, "Standard deviation" + tag, s2, p.eps, Sym(f"sd{sub}", tex="\\sqrt{\\sigma^2_B + "
                                                                            "\\epsilon}"))
            xh = [(x - m) / sd for x in f]
            d.add("Normalised values" + tag, xh, lhs=Sym(f"xhat{sub}", tex="\\hat{x}"),
                  substituted=st.normalized_expr(f, m, sd))
            y = [g[j] * x + b[j] for x in xh]
            d.add("Output $\\gamma \\hat{x} + \\beta$" + tag, y, lhs=Sym(f"y{sub}", tex="y"),
                  substituted=st.affine_expr(xh, g[j], b[j]))
            sds.append(sd)
            xhs.append(xh)
        d.add("Batch means", ans["mean"], lhs=Sym("mu_B", tex="\\mu_B"), part="mean")
        d.add("Batch variances", ans["var"], lhs=Sym("s2_B", tex="\\sigma^2_B"), part="var")
        d.add("Normalised values (H's layout)", ans["normalized"], lhs=Sym("Xhat", tex="\\hat{X}"),
              part="normalized")
        d.add("Output (H's layout)", ans["output"], lhs="Y", part="output")
        mom = p.momentum
        n = len(cols[0])
        d.add("Running mean after the step", ans["running_mean_after"],
              lhs=Sym("mu_run", tex="\\mu_{run}"),
              substituted=Mat([[Num(1 - mom) * st.num(r) + Num(mom) * st.num(m) for r, m in zip(rm, ans["mean"],
                                                                                                   strict=True)]]),
              part="running_mean_after")
        d.add("Running variance after the step (unbiased batch variance)", ans["running_var_after"],
              lhs=Sym("s2_run", tex="\\sigma^2_{run}"),
              substituted=Mat([[Num(1 - mom) * Num(r) + Num(mom) * Num(n) / Num(n - 1) * Num(v)
                                for r, v in zip(rv, ans["var"], strict=True)]]),
              part="running_var_after", note=f"The unbiased variance is $\\frac{{n}}{{n-1}} \\sigma_B^2$ with n = {n}.")
        if p.x_eval is not None:
            ecols = features(p.x_eval, len(p.H) == 1)
            rm2, rv2 = ans["running_mean_after"], ans["running_var_after"]
            out = ans["eval_output"]
            exprs = [[Num(g[j]) * paren(Num(x) - st.num(rm2[j])) / sqrt(Num(rv2[j]) + Num(p.eps)) + st.num(b[j])
                      for x in f] for j, f in enumerate(ecols)]
            shown = exprs[0] if len(p.H) == 1 else [list(r) for r in zip(*exprs, strict=True)]
            d.add("Eval-mode output (updated running statistics)", out, lhs=Sym("y_eval", tex="y_{eval}"),
                  substituted=Mat([shown] if len(p.H) == 1 else shown), part="eval_output")
        d.answer = f"output {value_text(ans['output'])}"
        return d
