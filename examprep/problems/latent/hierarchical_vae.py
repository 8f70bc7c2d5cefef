"""The one-sample ELBO of a hierarchical VAE with linear-Gaussian conditionals: ln p(x, z_{1:L}) − ln q(z_{1:L} | x).

Catalog: seed_004 E7 (p(x, z_{1:T}) = p(z_T) p(x | z_1) ∏ p(z_{t−1} | z_t),
q(z_{1:T} | x) = q(z_1 | x) ∏ q(z_t | z_{t−1}); evaluate both logs for given 1-D linear-Gaussian
conditionals and the one-sample ELBO).

Parameters:
    x: the observation (a number). z: the sample z_1..z_L (L = 2 or 3).
    p_w, p_s: the generative conditionals N(w·parent, s²), listed as p(x | z_1), p(z_1 | z_2), …, p(z_{L−1} | z_L)
        (L entries each); the top prior is p(z_L) = N(0, 1).
    q_w, q_s: the inference conditionals listed as q(z_1 | x), q(z_2 | z_1), …, q(z_L | z_{L−1}) (L entries each).

Answer parts: ``log_p`` = ln p(x, z_{1:L}), ``log_q`` = ln q(z_{1:L} | x), ``elbo`` = log_p − log_q.

Conventions stated in the prompt: s is a standard deviation; natural log; ln N(v; m, s²) = −½ ln(2πs²) − (v − m)²/(2s²).

Reference: sums of ``torch.distributions.Normal.log_prob`` (examprep.reference.latent:hierarchical_vae).

Common mistakes: s used as a variance, the prior term ln p(z_L) dropped.

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
from examprep.problems.bayes.decide import PI
from examprep.problems.diffusion import draws
from examprep.problems.gan.fair import near_miss
from examprep.problems.latent.points import distinct
from examprep.solver.expr import Func, Num, Sym, paren
from examprep.solver.step import Derivation

LOGN = "ln N(v; m, s²) = −½ ln(2πs²) − (v − m)²/(2s²)"


def log_normal(v: float, m: float, s: float, s_is_var: bool = False) -> float:
    var = s if s_is_var else s * s
    return -0.5 * math.log(2 * math.pi * var) - (v - m) ** 2 / (2 * var)


def terms(p: Params, s_is_var: bool = False) -> tuple[list[tuple[str, float, float, float, float]],
                                                      list[tuple[str, float, float, float, float]]]:
    """(label, value, w·parent's w, parent, s) for every factor of p and of q."""
    z = [float(v) for v in p.z]
    L = len(z)  # noqa: N806
    pt = [("p(x|z_1)", float(p.x), p.p_w[0], z[0], p.p_s[0])]
    pt += [(f"p(z_{k}|z_{k + 1})", z[k - 1], p.p_w[k], z[k], p.p_s[k]) for k in range(1, L)]
    pt += [(f"p(z_{L})", z[L - 1], 0.0, 0.0, 1.0)]
    qt = [("q(z_1|x)", z[0], p.q_w[0], float(p.x), p.q_s[0])]
    qt += [(f"q(z_{k + 1}|z_{k})", z[k], p.q_w[k], z[k - 1], p.q_s[k]) for k in range(1, L)]
    return pt, qt


def hvae(p: Params, *, s_is_var: bool = False, no_prior: bool = False, given: Answers | None = None) -> Answers:
    """ln p, ln q and the ELBO (flags: the named mistakes; ``given``: the student's ln p and ln q, carried)."""
    pt, qt = terms(p)
    lp = [log_normal(v, w * par, s, s_is_var and lab != pt[-1][0]) for lab, v, w, par, s in pt]
    if no_prior:
        lp = lp[:-1]
    log_p = carry(given, "log_p", float(sum(lp)))
    log_q = carry(given, "log_q", float(sum(log_normal(v, w * par, s, s_is_var) for _, v, w, par, s in qt)))
    return {"log_p": log_p, "log_q": log_q, "elbo": log_p - log_q}


def _term(v: float, w: float, par: float, s: float, prior: bool = False) -> Any:
    """ln N(v; w·par, s²) with the numbers in (the prior N(0, 1): −½ ln 2π − v²/2)."""
    if prior:
        return paren(-(Func("ln", 2 * PI) / 2) - Num(v) ** 2 / 2)
    return paren(-(Func("ln", 2 * PI * Num(s) ** 2) / 2) - paren(Num(v) - paren(Num(w) * Num(par))) ** 2
                 / (2 * Num(s) ** 2))


def _sum(xs: list[Any]) -> Any:
    out = xs[0]
    for t in xs[1:]:
        out = out + t
    return out


LP = Sym("log_p", "ln p(x, z_{1:L})", latex=r"\ln p(x, z_{1:L})", typst="ln p(x, z_(1:L))")
LQ = Sym("log_q", "ln q(z_{1:L}|x)", latex=r"\ln q(z_{1:L} \mid x)", typst="ln q(z_(1:L)|x)")
EL = Sym("elbo", "ELBO = ln p − ln q", latex=r"\mathrm{ELBO} = \ln p - \ln q", typst='"ELBO" = ln p - ln q')


class HierarchicalVAE(ProblemType):
    id = "latent/hierarchical_vae-v1"
    title = "Hierarchical VAE: one-sample ELBO"
    catalog = "seed_004 E7"
    reference_entry = "examprep.reference.latent:hierarchical_vae"
    params = (
        Param("x", "real", "the observation x", lo=-100, hi=100),
        Param("z", "vector", "the sample z_1..z_L", lo=-100, hi=100),
        Param("p_w", "vector", "weights of p(x|z_1), p(z_1|z_2), …", lo=-100, hi=100),
        Param("p_s", "vector", "standard deviations of p(x|z_1), p(z_1|z_2), …", lo=0, hi=100),
        Param("q_w", "vector", "weights of q(z_1|x), q(z_2|z_1), …", lo=-100, hi=100),
        Param("q_s", "vector", "standard deviations of q(z_1|x), q(z_2|z_1), …", lo=0, hi=100),
    )
    parts = (
        Part("log_p", "ln p(x, z_{1:L})", "real", mode="decdig", digits=4),
        Part("log_q", "ln q(z_{1:L} | x)", "real", mode="decdig", digits=4),
        Part("elbo", "One-sample ELBO", "real", mode="decdig", digits=4, uses=("log_p", "log_q")),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n = 3 if difficulty == "hard" and rng.random() < 0.5 else 2
        step = 0.5 if difficulty == "easy" else 0.1

        def ws() -> list[float]:
            return [float(draws.pick(rng, (0.5, 1.0, 1.5, 2.0, -1.0))) for _ in range(n)]

        def ss() -> list[float]:
            return [float(draws.pick(rng, (0.5, 1.0, 2.0) if difficulty != "easy" else (1.0, 2.0))) for _ in range(n)]

        return dict(x=draws.grid(rng, -2, 2, step), z=list(draws.grid(rng, -1.5, 1.5, step, n)),
                    p_w=ws(), p_s=ss(), q_w=ws(), q_s=ss())

    def check(self, p: Params) -> list[str]:
        n = len(p.z)
        if not 1 <= n <= 6:
            raise ParamError(f"z: give 1 to 6 latent values, got {n}")
        for k in ("p_w", "p_s", "q_w", "q_s"):
            if len(p[k]) != n:
                raise ParamError(f"{k} has {len(p[k])} entries but z has {n}; give one per conditional")
        if min(p.p_s) <= 0 or min(p.q_s) <= 0:
            raise ParamError("p_s and q_s are standard deviations and must be positive")
        return []

    def degenerate(self, p: Params) -> str | None:
        return near_miss(self.solve(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        pt, qt = terms(p)
        gen = "; ".join(f"${lab} = N({w:g} \\cdot {par_name}, {s:g}^2)$" for (lab, _, w, _, s), par_name in
                        zip(pt[:-1], [f"z_{k + 1}" for k in range(len(p.z))], strict=True))
        inf = "; ".join(f"${lab} = N({w:g} \\cdot {par_name}, {s:g}^2)$" for (lab, _, w, _, s), par_name in
                        zip(qt, ["x", *[f"z_{k + 1}" for k in range(len(p.z) - 1)]], strict=True))
        return [
            f"A hierarchical VAE with $L = {len(p.z)}$ latent layers has the generative model {gen}; and "
            f"$p(z_{len(p.z)}) = N(0, 1)$. The inference model is {inf} (the second argument is the variance "
            f"$s^2$ of the standard deviation $s$). For $x = {p.x:g}$ and the sample $z$ = ", list(p.z),
            " (that is $z_1, z_2, \\ldots$), compute $\\ln p(x, z_{1:L})$, $\\ln q(z_{1:L} \\mid x)$ and the "
            "one-sample ELBO $\\ln p - \\ln q$ (natural log), to 4 decimal places."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return hvae(p, given=given)

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        pt, qt = terms(p)
        d = Derivation()
        d.add("Log joint", ans["log_p"], lhs=LP, part="log_p",
              substituted=_sum([_term(v, w, par, s, prior=i == len(pt) - 1)
                                for i, (_, v, w, par, s) in enumerate(pt)]),
              note=f"one term per factor, {', '.join(lab for lab, *_ in pt)}, each {LOGN}")
        d.add("Log of the inference model", ans["log_q"], lhs=LQ, part="log_q",
              substituted=_sum([_term(v, w, par, s) for _, v, w, par, s in qt]),
              note=f"one term per factor, {', '.join(lab for lab, *_ in qt)}")
        d.add("One-sample ELBO", ans["elbo"], lhs=EL, substituted=Num(ans["log_p"]) - Num(ans["log_q"]), part="elbo")
        d.answer = f"ELBO ≈ {ans['elbo']:.4f}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        ans = self.solve(p)
        m = {
            "s_as_variance": Mistake(
                hvae(p, s_is_var=True),
                "The given $s$ is a standard deviation: the density uses its square $s^2$ as the variance."),
            "prior_dropped": Mistake(
                hvae(p, no_prior=True),
                "You left out the top prior $\\ln p(z_L)$ with $p(z_L) = N(0, 1)$: the joint has one factor per "
                "layer plus the prior."),
        }
        return distinct(ans, m)
