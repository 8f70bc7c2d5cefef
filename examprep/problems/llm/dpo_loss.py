"""Direct preference optimisation (DPO): implicit rewards, margin, loss and its gradients for one preference pair.

Catalog: seed_000_001 B8 (the loss was only an image in the source; Rafailov et al. 2023) and section 2.

Parameters:
    beta: β. logp_w, logp_l: the policy's sequence log-probabilities ln π_θ(y_w | x) and ln π_θ(y_l | x) of the
    chosen (w) and rejected (l) answers. ref_w, ref_l: the same under the frozen reference model π_ref.

Answer parts: ``reward_w`` = β(ln π_θ(y_w) − ln π_ref(y_w)), ``reward_l`` likewise, ``margin`` = reward_w −
reward_l, ``loss`` = −ln σ(margin) = ln(1 + e^(−margin)), ``grad_w`` = ∂L/∂ln π_θ(y_w) = −β σ(−margin),
``grad_l`` = ∂L/∂ln π_θ(y_l) = +β σ(−margin).

Reference: ``-F.logsigmoid`` of the margin with autograd for the gradients (examprep.reference.llm:dpo_loss).

Common mistakes: w and l swapped, β dropped, probability ratios instead of log-ratios, σ(m) reported as the loss.

Versions: v1 — first version.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.gan.fair import near_miss
from examprep.seeding import picker
from examprep.solver.expr import Func, Num, Sym, paren
from examprep.solver.step import Derivation

B = Sym("beta", "β", latex=r"\beta", typst="beta")
LW, LL = Sym("lw", "ln π_θ(y_w)", latex=r"\ln \pi_\theta(y_w)", typst="ln pi_theta (y_w)"), \
    Sym("ll", "ln π_θ(y_l)", latex=r"\ln \pi_\theta(y_l)", typst="ln pi_theta (y_l)")
RW, RL = Sym("rw", "ln π_ref(y_w)", latex=r"\ln \pi_{\text{ref}}(y_w)", typst='ln pi_"ref" (y_w)'), \
    Sym("rl", "ln π_ref(y_l)", latex=r"\ln \pi_{\text{ref}}(y_l)", typst='ln pi_"ref" (y_l)')
RHW, RHL = Sym("r_w", tex=r"\hat{r}_w"), Sym("r_l", tex=r"\hat{r}_l")
M = Sym("m")


def _signed(v: float) -> Any:
    """A number in parentheses when negative, so that −m with m < 0 reads −(−0.5)."""
    return paren(Num(v)) if v < 0 else Num(v)


def sigmoid(x: float) -> float:
    """The logistic function, without overflow for large |x|."""
    if x >= 0:
        return 1 / (1 + math.exp(-x))
    e = math.exp(x)
    return e / (1 + e)


def softplus(x: float) -> float:
    """ln(1 + e^x), without overflow."""
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def dpo(beta: float, lw: float, ll: float, rw: float, rl: float, probs: bool = False,
        given: Answers | None = None) -> dict[str, float]:
    """Every part; ``probs`` uses probability ratios (the named mistake); ``given``: the student's rewards and
    margin, carried forward."""
    f = math.exp if probs else (lambda v: v)
    reward_w, reward_l = carry(given, "reward_w", beta * f(lw - rw)), carry(given, "reward_l", beta * f(ll - rl))
    m = carry(given, "margin", reward_w - reward_l)
    s = sigmoid(-m)
    return {"reward_w": reward_w, "reward_l": reward_l, "margin": m, "loss": softplus(-m),
            "grad_w": -beta * s, "grad_l": beta * s}


class DPOLoss(ProblemType):
    id = "llm/dpo_loss-v1"
    title = "DPO loss, implicit rewards and gradients"
    catalog = "seed_000_001 B8"
    reference_entry = "examprep.reference.llm:dpo_loss"
    params = (
        Param("beta", "real", "β", lo=0.001, hi=100, default=0.1),
        Param("logp_w", "real", "ln π_θ(y_w | x), chosen", lo=-1000, hi=0),
        Param("logp_l", "real", "ln π_θ(y_l | x), rejected", lo=-1000, hi=0),
        Param("ref_w", "real", "ln π_ref(y_w | x)", lo=-1000, hi=0),
        Param("ref_l", "real", "ln π_ref(y_l | x)", lo=-1000, hi=0),
    )
    parts = (
        Part("reward_w", "Implicit reward of the chosen answer", "real", mode="sigfig", digits=4, final=False),
        Part("reward_l", "Implicit reward of the rejected answer", "real", mode="sigfig", digits=4, final=False),
        Part("margin", "Margin", "real", mode="sigfig", digits=4, uses=("reward_w", "reward_l")),
        Part("loss", "DPO loss", "real", mode="sigfig", digits=4, uses=("margin",)),
        Part("grad_w", "dL/d ln π_θ(y_w)", "real", mode="sigfig", digits=4, uses=("margin",)),
        Part("grad_l", "dL/d ln π_θ(y_l)", "real", mode="sigfig", digits=4, uses=("margin",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = picker(rng)
        step = 0.5 if difficulty == "hard" else 1.0
        vals = [v * step for v in range(int(-20 / step), int(-5 / step) + 1)]
        return dict(beta=0.1 if difficulty == "easy" else pick([0.1, 0.2, 0.5]),
                    **{k: float(pick(vals)) for k in ("logp_w", "logp_l", "ref_w", "ref_l")})

    def degenerate(self, p: Params) -> str | None:
        a = self.solve(p)
        if abs(a["margin"]) < 1e-9:
            return "margin 0 (the pair is a tie)"
        if abs(a["margin"]) > 6:
            return "margin too large (σ saturates)"
        return near_miss(a, self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        return [
            "Direct preference optimisation (DPO) trains a policy $\\pi_\\theta$ against a frozen reference "
            "$\\pi_{\\text{ref}}$ on a preference pair: the chosen answer $y_w$ and the rejected one $y_l$. The "
            "sequence log-probabilities (natural log) are "
            f"$\\ln \\pi_\\theta(y_w) = {p.logp_w:g}$, $\\ln \\pi_\\theta(y_l) = {p.logp_l:g}$, "
            f"$\\ln \\pi_{{\\text{{ref}}}}(y_w) = {p.ref_w:g}$ and $\\ln \\pi_{{\\text{{ref}}}}(y_l) = {p.ref_l:g}$, "
            f"and $\\beta = {p.beta:g}$. With the implicit rewards $\\hat{{r}} = \\beta \\ln \\frac{{\\pi_\\theta}}"
            "{\\pi_{\\text{ref}}}$, the margin $m = \\hat{r}_w - \\hat{r}_l$ and the loss $L = -\\ln \\sigma(m)$ "
            "($\\sigma$ the logistic sigmoid), give both rewards, the margin, the loss, and the gradients of $L$ "
            "with respect to $\\ln \\pi_\\theta(y_w)$ and $\\ln \\pi_\\theta(y_l)$, to 4 significant figures."]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return dpo(p.beta, p.logp_w, p.logp_l, p.ref_w, p.ref_l, given=given)

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        d = Derivation()
        sub = {"beta": p.beta, "lw": p.logp_w, "ll": p.logp_l, "rw": p.ref_w, "rl": p.ref_l}
        d.add("Reward of the chosen answer", a["reward_w"], lhs=RHW, formula=B * paren(LW - RW), subs=sub,
              part="reward_w", note="a log-ratio: subtract the log-probabilities")
        d.add("Reward of the rejected answer", a["reward_l"], lhs=RHL, formula=B * paren(LL - RL), subs=sub,
              part="reward_l")
        d.add("Margin", a["margin"], lhs=M, formula=RHW - RHL, subs={"r_w": a["reward_w"], "r_l": a["reward_l"]},
              part="margin")
        d.add("Loss", a["loss"], lhs="L", formula=Func("ln", 1 + Func("exp", -M)), subs={"m": _signed(a["margin"])},
              part="loss", note="−ln σ(m) = ln(1 + e^(−m))")
        s = sigmoid(-a["margin"])
        sig = Sym("s", tex=r"\sigma(-m)")
        d.add("σ(−m)", s, lhs=sig, formula=1 / (1 + Func("exp", M)), subs={"m": a["margin"]})
        gw = Sym("g_w", tex=r"\frac{\partial L}{\partial \ln \pi_\theta(y_w)}")
        d.add("Gradient for the chosen answer", a["grad_w"], lhs=gw,
              formula=-B * sig, subs={"beta": p.beta, "s": s}, part="grad_w",
              note="negative: gradient descent raises ln π_θ(y_w)")
        gl = Sym("g_l", tex=r"\frac{\partial L}{\partial \ln \pi_\theta(y_l)}")
        d.add("Gradient for the rejected answer", a["grad_l"], lhs=gl,
              formula=B * sig, subs={"beta": p.beta, "s": s}, part="grad_l",
              note="positive: gradient descent lowers ln π_θ(y_l)")
        d.answer = f"L = {a['loss']:.4f}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        a = self.solve(p)
        sw = dpo(p.beta, p.logp_l, p.logp_w, p.ref_l, p.ref_w)
        nb = dpo(1.0, p.logp_w, p.logp_l, p.ref_w, p.ref_l)
        pr = dpo(p.beta, p.logp_w, p.logp_l, p.ref_w, p.ref_l, probs=True)
        m = {
            "swapped": Mistake({"reward_w": sw["reward_w"], "reward_l": sw["reward_l"], "margin": sw["margin"],
                                "loss": sw["loss"], "grad_w": sw["grad_l"], "grad_l": sw["grad_w"]},
                               "The margin is chosen minus rejected: m = r̂_w − r̂_l (y_w is the preferred answer)."),
            "beta_dropped": Mistake({k: nb[k] for k in ("reward_w", "reward_l", "margin", "loss")},
                                    f"Multiply the log-ratios by β = {p.beta:g}."),
            "prob_ratios": Mistake({k: pr[k] for k in ("reward_w", "reward_l", "margin", "loss")},
                                   "The rewards use log-ratios β(ln π_θ − ln π_ref), not probability ratios."),
            "sigma_m": Mistake({"loss": sigmoid(a["margin"])},
                               "The loss is −ln σ(m), not σ(m)."),
        }
        return {k: v for k, v in m.items() if any(abs(x - a[part]) > 1e-12 for part, x in v.answers.items())}
