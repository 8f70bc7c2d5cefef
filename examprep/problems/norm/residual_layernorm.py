"""Post-LN residual block: LayerNorm(x + Sublayer(x)) over one token's features.

Catalog: seed_000_001 B4 (the notes say "divide by variance": wrong); seed_002 H5.

Parameters: x and sublayer (the token and the sublayer's output, same length), gamma and beta (per feature; default 1
and 0), eps (1e-5, PyTorch's default; 0 allowed).

Answer parts: ``residual`` = x + sublayer, ``mean`` and ``var`` (biased) of the residual, ``normalized``
(x − μ)/√(σ² + ε), ``output`` = γ ⊙ normalized + β.

Reference: ``F.layer_norm`` on the residual with and without the affine weights; mean and variance by
``torch.var_mean`` (examprep.reference.norm:residual_layernorm).

Common mistakes: dividing by the variance (B4: [−0.571429, …]); the unbiased variance ([−0.925820, …]);
normalising x before the add (LN(x) + sublayer, the pre-LN placement); γ and β swapped.

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
from examprep.solver.expr import Mat, Num, Sym
from examprep.solver.render import value_text
from examprep.solver.step import Derivation


def layer_norm(v: list[float], eps: float, g: list[float], b: list[float], unbiased: bool = False,
               by_variance: bool = False) -> tuple[list[float], list[float]]:
    """(normalised, output) of one vector."""
    m, s2 = st.mean(v), st.var(v, unbiased)
    den = s2 + eps if by_variance else math.sqrt(s2 + eps)
    xh = [(x - m) / den for x in v]
    return xh, [gi * x + bi for x, gi, bi in zip(xh, g, b, strict=True)]


class ResidualLayerNorm(ProblemType):
    id = "norm/residual_layernorm-v1"
    title = "Residual connection and LayerNorm (post-LN)"
    catalog = "seed_000_001 B4; seed_002 H5"
    reference_entry = "examprep.reference.norm:residual_layernorm"
    params = (
        Param("x", "vector", "the token's features x", lo=-1000, hi=1000),
        Param("sublayer", "vector", "the sublayer's output Sublayer(x)", lo=-1000, hi=1000),
        Param("gamma", "vector", "LayerNorm's scale γ per feature (default 1)", lo=-100, hi=100, optional=True),
        Param("beta", "vector", "LayerNorm's shift β per feature (default 0)", lo=-100, hi=100, optional=True),
        Param("eps", "real", "ε added to the variance", lo=0, hi=1, default=1e-5),
    )
    parts = (
        Part("residual", "The residual sum x + Sublayer(x)", "vector", final=False),
        Part("mean", "Its mean μ", "real", final=False, uses=("residual",)),
        Part("var", "Its biased variance σ²", "real", final=False, uses=("residual", "mean")),
        Part("normalized", "The normalised vector (v − μ)/√(σ² + ε)", "vector", final=False,
             uses=("residual", "mean", "var")),
        Part("output", "LayerNorm(x + Sublayer(x))", "vector", uses=("normalized",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        d = 4 if difficulty != "hard" else int(rng.integers(4, 7))
        out: dict[str, Any] = dict(x=tuple(float(v) for v in rng.integers(-2, 6, size=d)),
                                   sublayer=tuple(float(v) / 2 for v in rng.integers(-4, 5, size=d)))
        if difficulty != "easy" and rng.integers(2):
            out["gamma"] = tuple(float(v) / 2 for v in rng.integers(1, 5, size=d))
            out["beta"] = tuple(float(v) / 10 for v in rng.integers(-3, 4, size=d))
        if rng.integers(2):
            out["eps"] = 0.0
        return out

    def check(self, p: Params) -> list[str]:
        d = len(p.x)
        if len(p.sublayer) != d:
            raise ParamError(f"x has {d} features and sublayer {len(p.sublayer)}: they are added entry by entry")
        for name in ("gamma", "beta"):
            if p[name] is not None and len(p[name]) != d:
                raise ParamError(f"{name} has {len(p[name])} entries for {d} features")
        if d < 2:
            raise ParamError("give at least 2 features")
        if st.var(self.residual(p)) + p.eps == 0:
            raise ParamError("x + sublayer is constant and eps = 0: LayerNorm divides by 0")
        return []

    def residual(self, p: Params) -> list[float]:
        return [a + b for a, b in zip(p.x, p.sublayer, strict=True)]

    def affine(self, p: Params) -> tuple[list[float], list[float]]:
        d = len(p.x)
        return list(p.gamma or [1.0] * d), list(p.beta or [0.0] * d)

    def run(self, p: Params, variant: str | None = None) -> Answers:
        r = self.residual(p)
        g, b = self.affine(p)
        if variant == "gamma_beta_swapped":
            g, b = b, g
        xh, y = layer_norm(r, p.eps, g, b, unbiased=variant == "unbiased", by_variance=variant == "variance_as_std")
        out = {"residual": r, "mean": st.mean(r), "var": st.var(r, unbiased=variant == "unbiased"),
               "normalized": xh, "output": y}
        if variant == "ln_before_add":
            _, yx = layer_norm(list(map(float, p.x)), p.eps, g, b)
            out = {"output": [a + s for a, s in zip(yx, p.sublayer, strict=True)]}
        return out

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return self.carried(p, given) if given else self.run(p)

    def carried(self, p: Params, given: Answers) -> Answers:
        """The chain from the student's earlier values where given (error carried forward)."""
        r = [float(v) for v in carry(given, "residual", np.asarray(self.residual(p)))]
        m = carry(given, "mean", st.mean(r))
        s2 = carry(given, "var", math.fsum((v - m) ** 2 for v in r) / len(r))
        xh = [float(v) for v in carry(given, "normalized", np.asarray([(v - m) / math.sqrt(s2 + p.eps) for v in r]))]
        g, b = self.affine(p)
        return {"residual": r, "mean": m, "var": s2, "normalized": xh,
                "output": [gi * v + bi for v, gi, bi in zip(xh, g, b, strict=True)]}

    def candidates(self, p: Params) -> dict[str, str]:
        out = {"variance_as_std": "You divided by the variance. LayerNorm divides by the standard deviation "
                                  "$\\sqrt{\\sigma^2 + \\epsilon}$.",
               "unbiased": "You used the unbiased variance (divided by d − 1). LayerNorm uses the biased one: "
                           "$\\sigma^2 = \\frac{1}{d} \\sum_i (v_i - \\mu)^2$.",
               "ln_before_add": "You normalised x first and then added the sublayer's output (the pre-LN "
                                "placement). Here LayerNorm comes after the residual add: "
                                "$\\text{LN}(x + \\text{Sublayer}(x))$."}
        if p.gamma is not None or p.beta is not None:
            out["gamma_beta_swapped"] = "You swapped γ and β: the output is $\\gamma \\odot \\hat{v} + \\beta$."
        return out

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return variant_mistakes(self, p)

    def degenerate(self, p: Params) -> str | None:
        if st.var(self.residual(p)) == 0:
            return "a constant residual"
        return lost(self.candidates(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        g, b = self.affine(p)
        aff = (f" with $\\gamma = {vec(g)}$ and $\\beta = {vec(b)}$" if p.gamma is not None or p.beta is not None
               else " with $\\gamma = 1$ and $\\beta = 0$ (no affine change)")
        return ["A post-LN residual block computes $\\text{LN}(x + \\text{Sublayer}(x))$ for one token with $x$ = ",
                list(p.x), " and $\\text{Sublayer}(x)$ = ", list(p.sublayer),
                ". LayerNorm normalises over the token's features: $\\mu = \\frac{1}{d} \\sum_i v_i$, the biased "
                "variance $\\sigma^2 = \\frac{1}{d} \\sum_i (v_i - \\mu)^2$, "
                f"$\\hat{{v}} = (v - \\mu)/\\sqrt{{\\sigma^2 + \\epsilon}}$ with $\\epsilon = {num(p.eps)}$, then "
                f"$\\gamma \\odot \\hat{{v}} + \\beta${aff}. Give the residual sum $v$, $\\mu$, $\\sigma^2$, "
                "$\\hat{v}$ and the output."]

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        g, b = self.affine(p)
        r = ans["residual"]
        d.add("Residual sum", r, lhs=Sym("v"), formula=Sym("x") + Sym("s", tex="\\text{Sublayer}(x)"),
              substituted=Mat([[Num(a) + st.num(c) for a, c in zip(p.x, p.sublayer, strict=True)]]), part="residual")
        m = st.mean_step(d, "Mean over the features", r, Sym("mu"), part="mean")
        s2 = st.var_step(d, "Biased variance", r, m, Sym("sigma2", tex="\\sigma^2"), part="var")
        sd = st.std_step(d, "Standard deviation", s2, p.eps, Sym("sd", tex="\\sqrt{\\sigma^2 + \\epsilon}"))
        d.add("Normalised vector", ans["normalized"], lhs=Sym("vhat", tex="\\hat{v}"),
              substituted=st.normalized_expr(r, m, sd), part="normalized")
        d.add("Output $\\gamma \\odot \\hat{v} + \\beta$", ans["output"], lhs=Sym("y"),
              substituted=st.affine_expr(ans["normalized"], g, b), part="output")
        d.answer = f"LN(x + Sublayer(x)) = {value_text(ans['output'])}"
        return d
