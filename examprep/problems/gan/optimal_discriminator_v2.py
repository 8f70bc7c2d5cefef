"""The optimal GAN discriminator for two discrete distributions (as v1) or two Gaussians with a shared variance.

Catalog: seed_003 C3 (§2.20–21); seed_004 D3 (the Gaussian case D*(x) = σ(μ²/2 − μx) for N(0, 1) vs N(μ, 1));
seed_000_001 F2.

Parameters:
    family: ``discrete`` (v1's parameters ``p_data``, ``p_g``, parts and answers) or ``gaussian``.
    p_data, p_g: the two distributions on the same points (discrete).
    mu_data, mu_g, sigma, x: p_data = N(mu_data, sigma²), p_g = N(mu_g, sigma²) and the points x where D* is
    asked (gaussian).

Answer parts: ``d_star`` = p_data/(p_data + p_g) at each point; discrete: ``jsd`` and ``value`` as in v1; gaussian:
``boundary`` = the x where D* = ½ ((mu_data + mu_g)/2 for a shared variance).

Conventions stated in the prompt: as v1 for discrete; for gaussian the logistic form D* = sigmoid(ln p_data −
ln p_g) and σ as a standard deviation.

Reference: discrete as v1 (examprep.reference.gan:optimal_discriminator); gaussian: ``Normal.log_prob``
differences through ``torch.sigmoid``, the boundary as the root of the (linear) log-ratio found from two of its
values (examprep.reference.gan:optimal_discriminator_v2).

Common mistakes: discrete as v1; gaussian: D* inverted (p_g/(p_data + p_g)), σ used for σ² in the exponent.

Versions: v2 — adds the Gaussian family; v1 stays registered for old exams (discrete only).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType
from examprep.problems.divergence.jsd import draw_pair
from examprep.problems.gan.fair import near_miss, visible
from examprep.problems.gan.optimal_discriminator import OptimalDiscriminator
from examprep.solver.expr import Expr, Func, Mat, Num, Sym, paren
from examprep.solver.step import Derivation

V1 = OptimalDiscriminator()
# v1's words with the math written as $...$ (v1 itself stays byte-identical for old exams)
TITLES = {"KL(p_data‖M)": r"$\mathrm{KL}(p_{data} \lVert M)$", "KL(p_g‖M)": r"$\mathrm{KL}(p_g \lVert M)$",
          "Value at D*": r"Value at $D^*$",
          "Check: V(D*, G) from its definition": r"Check: $V(D^*, G)$ from its definition"}
NOTES = {
    "D*(x) = p_data(x)/(p_data(x) + p_g(x)) maximises p_data·ln D + p_g·ln(1 − D) at each x":
        r"$D^*(x) = \frac{p_{data}(x)}{p_{data}(x) + p_g(x)}$ maximises $p_{data} \ln D + p_g \ln(1 - D)$ at each $x$",
    "terms with p_data(x) = 0 are 0": r"terms with $p_{data}(x) = 0$ are 0",
    "terms with p_g(x) = 0 are 0": r"terms with $p_g(x) = 0$ are 0",
    "V(D*, G) = −ln 4 + KL(p_data‖M) + KL(p_g‖M)":
        r"$V(D^*, G) = -\ln 4 + \mathrm{KL}(p_{data} \lVert M) + \mathrm{KL}(p_g \lVert M)$",
    "Σ p_data·ln D* + Σ p_g·ln(1 − D*), with 1 − D* = p_g/(p_data + p_g)":
        r"$\sum p_{data} \ln D^* + \sum p_g \ln(1 - D^*)$, with $1 - D^* = \frac{p_g}{p_{data} + p_g}$",
}
FEEDBACK = {
    "d_star_inverted": r"$D^* = \frac{p_{data}}{p_{data} + p_g}$: the discriminator is high where the data is more "
                       "likely than the generator.",
    "jsd_half_dropped": r"You added the two KLs without the $\frac{1}{2}$.",
    "factor_2_dropped": r"$V(D^*, G) = -\ln 4 + 2 \cdot \text{JSD}$: you dropped the factor 2.",
    "ln4_dropped": r"You left out $-\ln 4$: $V(D^*, G) = -\ln 4 + 2 \cdot \text{JSD}$ lies between $-\ln 4$ "
                   r"($p_g = p_{data}$) and 0.",
    "ln4_twice": r"You subtracted $\ln 4$ on top of the $(p_{data} + p_g)$ denominators: with "
                 r"$M = \frac{1}{2}(p_{data} + p_g)$, $V(D^*, G) = -\ln 4 + \mathrm{KL}(p_{data} \lVert M) + "
                 r"\mathrm{KL}(p_g \lVert M)$, and the $-\ln 4$ comes from the halves.",
    "bits": "You gave the JSD in bits; the problem asks for nats (ln).",
    "sqrt_jsd": "You took the square root (the Jensen–Shannon distance, what scipy's jensenshannon returns).",
}
DISCRETE = ("p_data", "p_g")
GAUSSIAN = ("mu_data", "mu_g", "sigma", "x")


def sigmoid(t: float) -> float:
    return 1 / (1 + math.exp(-t)) if t >= 0 else math.exp(t) / (1 + math.exp(t))


def log_ratio(x: float, mu_d: float, mu_g: float, var: float) -> float:
    """ln p_data(x) − ln p_g(x) for two Gaussians with the same variance: ((x − μ_g)² − (x − μ_d)²)/(2 var)."""
    return ((x - mu_g) ** 2 - (x - mu_d) ** 2) / (2 * var)


class OptimalDiscriminatorV2(ProblemType):
    id = "gan/optimal_discriminator-v2"
    title = "Optimal GAN discriminator (discrete or Gaussian)"
    catalog = "seed_003 C3; seed_004 D3"
    reference_entry = "examprep.reference.gan:optimal_discriminator_v2"
    params = (
        Param("family", "choice", "discrete or gaussian", choices=("discrete", "gaussian"), default="discrete"),
        Param("p_data", "vector", "discrete: the data distribution on the points", lo=0, hi=1, optional=True),
        Param("p_g", "vector", "discrete: the generator's distribution on the same points", lo=0, hi=1,
              optional=True),
        Param("mu_data", "real", "gaussian: the mean of p_data", lo=-100, hi=100, optional=True),
        Param("mu_g", "real", "gaussian: the mean of p_g", lo=-100, hi=100, optional=True),
        Param("sigma", "real", "gaussian: the shared standard deviation", lo=0, hi=100, optional=True),
        Param("x", "vector", "gaussian: the points where D* is asked", lo=-100, hi=100, optional=True),
    )
    parts = (
        Part("d_star", "D*(x) at each point", "vector"),
        Part("jsd", "JSD(p_data‖p_g) in nats", "real"),
        Part("value", "V(D*, G)", "real", uses=("jsd",)),
        Part("boundary", "The point where D* = ½", "real"),
    )

    def active_parts(self, p: Params) -> tuple[Part, ...]:
        return self.parts[:3] if p.family == "discrete" else (self.parts[0], self.parts[3])

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        family = {"easy": "discrete", "medium": "gaussian"}.get(difficulty) or ("discrete", "gaussian")[
            int(rng.integers(2))]
        if family == "discrete":
            p, q = draw_pair(rng, difficulty)
            return dict(family="discrete", p_data=p, p_g=q)
        mu_d, mu_g = (float(v) for v in rng.choice(np.arange(-2, 2.01, 0.5), 2, replace=False))
        sigma = 1.0 if difficulty == "medium" else float(rng.choice([0.5, 1.0, 2.0]))
        x = sorted(float(v) for v in rng.choice(np.arange(-2, 2.01, 0.5), int(rng.integers(2, 4)), replace=False))
        return dict(family="gaussian", mu_data=mu_d, mu_g=mu_g, sigma=sigma, x=x)

    def check(self, p: Params) -> list[str]:
        want, other = (DISCRETE, GAUSSIAN) if p.family == "discrete" else (GAUSSIAN, DISCRETE)
        missing = [k for k in want if p[k] is None]
        extra = [k for k in other if p[k] is not None]
        if missing or extra:
            why = (f"; missing {', '.join(missing)}" if missing else "") + (
                f"; {', '.join(extra)} belong to the other family" if extra else "")
            raise ParamError(f"family={p.family} takes {', '.join(want)}{why}")
        if p.family == "discrete":
            return V1.check(self._v1(p))
        if p.sigma <= 0:
            raise ParamError("sigma must be positive (a standard deviation)")
        if p.mu_data == p.mu_g:
            raise ParamError("mu_data = mu_g: the distributions are equal, D* = ½ everywhere and there is no boundary")
        return []

    @staticmethod
    def _v1(p: Params) -> Params:
        return Params(p_data=p.p_data, p_g=p.p_g)

    def degenerate(self, p: Params) -> str | None:
        if p.family == "discrete":
            return V1.degenerate(self._v1(p)) or near_miss(self.solve(p), self.all_mistakes(p))
        return near_miss(self.solve(p), self.all_mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        if p.family == "discrete":
            n = len(p.p_data)
            return [
                f"On the points $x_1, \\ldots, x_{n}$ the data distribution is $p_{{data}} = $ ", list(p.p_data),
                " and the generator's distribution is $p_g = $ ", list(p.p_g), r". For the GAN value "
                r"$V(D, G) = \sum_x p_{data}(x) \ln D(x) + \sum_x p_g(x) \ln(1 - D(x))$ (natural log): (a) give the "
                r"optimal discriminator $D^*(x)$ at each point; (b) give $\text{JSD}(p_{data} \lVert p_g) = "
                r"\frac{1}{2} \mathrm{KL}(p_{data} \lVert M) + \frac{1}{2} \mathrm{KL}(p_g \lVert M)$ with "
                r"$M = \frac{1}{2}(p_{data} + p_g)$, in nats; (c) give $V(D^*, G)$."]
        return [
            rf"The data distribution is $p_{{data}} = N({p.mu_data:g}, \sigma^2)$ and the generator's is "
            rf"$p_g = N({p.mu_g:g}, \sigma^2)$ with the same standard deviation $\sigma = {p.sigma:g}$. The optimal "
            r"discriminator is $D^*(x) = \frac{p_{data}(x)}{p_{data}(x) + p_g(x)} = "
            r"\operatorname{sigmoid}(\ln p_{data}(x) - \ln p_g(x))$ with $\operatorname{sigmoid}(t) = "
            r"\frac{1}{1 + e^{-t}}$. Give $D^*$ at the points $x = $ ", list(p.x),
            r", and the point where $D^*(x) = \frac{1}{2}$ (the decision boundary)."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        if p.family == "discrete":
            return V1.solve(self._v1(p), given)
        var = p.sigma ** 2
        return {"d_star": [sigmoid(log_ratio(t, p.mu_data, p.mu_g, var)) for t in p.x],
                "boundary": (p.mu_data + p.mu_g) / 2}

    def derivation(self, p: Params) -> Derivation:
        if p.family == "discrete":
            d = V1.derivation(self._v1(p))
            d.steps = [replace(st, title=TITLES.get(st.title, st.title), note=NOTES.get(st.note, st.note))
                       for st in d.steps]
            return d
        ans = self.solve(p)
        var = p.sigma ** 2
        d = Derivation()
        r = [log_ratio(t, p.mu_data, p.mu_g, var) for t in p.x]
        d.add("Log density ratio at each point", r, lhs=Sym("r", tex="r(x)"),
              substituted=Mat([[(paren(Num(t) - _n(p.mu_g)) ** 2 - paren(Num(t) - _n(p.mu_data)) ** 2)
                                / (2 * Num(var)) for t in p.x]]),
              note=r"$r(x) = \ln p_{data}(x) - \ln p_g(x) = \frac{(x - \mu_g)^2 - (x - \mu_{data})^2}{2 \sigma^2}$: "
                   "the normalising constants cancel")
        d.add("Optimal discriminator", ans["d_star"], lhs=Sym("D", tex="D^*"),
              substituted=Mat([[Num(1) / (1 + Func("exp", -_n(v))) for v in r]]), part="d_star",
              note=r"$D^* = \operatorname{sigmoid}(r)$")
        d.add("Decision boundary", ans["boundary"], lhs=Sym("x_b", tex="x_b"),
              substituted=paren(Num(p.mu_data) + _n(p.mu_g)) / 2, part="boundary",
              note=r"$D^* = \frac{1}{2}$ where $r(x) = 0$, i.e. $(x - \mu_g)^2 = (x - \mu_{data})^2$: midway between "
                   "the means")
        d.answer = "D* = [" + ", ".join(f"{v:.6g}" for v in ans["d_star"]) + f"]; boundary x = {ans['boundary']:g}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return visible(self.solve(p), self.all_mistakes(p))

    def all_mistakes(self, p: Params) -> dict[str, Mistake]:
        """Every named mistake that applies to these parameters."""
        if p.family == "discrete":
            return {k: Mistake(m.answers, FEEDBACK.get(k, m.feedback)) for k, m in V1.mistakes(self._v1(p)).items()}
        var = p.sigma ** 2
        out = {"d_star_inverted": Mistake({"d_star": [sigmoid(-log_ratio(t, p.mu_data, p.mu_g, var)) for t in p.x]},
                                          r"$D^* = \frac{p_{data}}{p_{data} + p_g}$: the discriminator is high where "
                                          "the data is more likely than the generator.")}
        if p.sigma != 1:
            out["sigma_for_variance"] = Mistake(
                {"d_star": [sigmoid(log_ratio(t, p.mu_data, p.mu_g, p.sigma)) for t in p.x]},
                r"The Gaussian exponent divides by $2 \sigma^2$ (the variance); you used $\sigma$.")
        return out


def _n(x: float) -> Expr:
    return paren(Num(x)) if x < 0 else Num(x)
