"""GRPO's clipped objective for one group of sampled outputs: standardised advantages, clipped ratios, the per-sample
terms, the k3 KL estimate and the objective.

Catalog: seed_000_001 B9 and section 2 (the source's "clip A_θ = ρ·r" version is inaccurate: it is a named mistake).

Parameters:
    rewards: r_i of the G outputs. ratios: ρ_i = π_θ(o_i | q)/π_θold(o_i | q). eps: ε. std: ``population`` (÷G) or
    ``sample`` (÷(G − 1)) standard deviation of the rewards. beta: weight of the KL term (default 0).
    ref_ratios: optional π_ref(o_i | q)/π_θ(o_i | q) for the KL term.

Answer parts: ``advantages`` A_i = (r_i − mean r)/std r, ``clipped`` = clip(ρ_i, 1 − ε, 1 + ε), ``terms`` =
min(ρ_i A_i, clip(ρ_i) A_i), ``kl`` (with ref_ratios) = ratio − ln ratio − 1, ``objective`` = mean terms − β·mean kl.

Reference: ``torch.std`` with the stated correction, ``torch.clamp`` and ``torch.minimum`` on the whole batch
(examprep.reference.llm:grpo_objective).

Common mistakes: the source's clip(ρ·r) (0.9375 instead of 0.1125 on the catalog's group), max for min, raw rewards
as advantages, the other standard deviation.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.gan.fair import close_to_truth, grid, near_miss
from examprep.solver.expr import Func, Sym
from examprep.solver.step import Derivation

DP = 4
STDS = ("population", "sample")


def grpo(p: Params, *, std: str | None = None, raw: bool = False, use_max: bool = False,
         notes: bool = False, given: Answers | None = None) -> dict[str, Any]:
    """Every part; the keywords do the named mistakes; ``given``: the student's earlier values, carried forward."""
    r = np.asarray(p.rewards, dtype=float)
    rho = np.asarray(p.ratios, dtype=float)
    ddof = 0 if (std or p.std) == "population" else 1
    adv = carry(given, "advantages", r if raw else (r - r.mean()) / r.std(ddof=ddof))
    clipped = carry(given, "clipped", np.clip(rho, 1 - p.eps, 1 + p.eps))
    if notes:  # the source: "clip A_θ = ρ·r to (1 − ε, 1 + ε)"
        terms = np.clip(rho * r, 1 - p.eps, 1 + p.eps)
    else:
        terms = (np.maximum if use_max else np.minimum)(rho * adv, clipped * adv)
    terms = carry(given, "terms", terms)
    out: dict[str, Any] = {"advantages": adv, "clipped": clipped, "terms": terms}
    kl_mean = 0.0
    if p.ref_ratios is not None:
        q = np.asarray(p.ref_ratios, dtype=float)
        out["kl"] = carry(given, "kl", q - np.log(q) - 1)
        kl_mean = float(out["kl"].mean())
    out["objective"] = float(terms.mean()) - p.beta * kl_mean
    return out


class GRPOObjective(ProblemType):
    id = "llm/grpo_objective-v1"
    title = "GRPO clipped objective"
    catalog = "seed_000_001 B9"
    reference_entry = "examprep.reference.llm:grpo_objective"
    params = (
        Param("rewards", "vector", "rewards r_i of the group", lo=-100, hi=100),
        Param("ratios", "vector", "ρ_i = π_θ/π_θold", lo=0.001, hi=100),
        Param("eps", "real", "clipping ε", lo=0, hi=1, default=0.2),
        Param("std", "choice", "population (÷G) or sample (÷(G−1)) std", choices=STDS, default="population"),
        Param("beta", "real", "weight β of the KL term", lo=0, hi=10, default=0.0),
        Param("ref_ratios", "vector", "π_ref/π_θ per output (for the KL term)", lo=0.001, hi=100, optional=True),
    )
    parts = (
        Part("advantages", "Advantages A_i", "vector", mode="decdig", digits=DP, final=False),
        Part("clipped", "Clipped ratios", "vector", mode="decdig", digits=DP, final=False),
        Part("terms", "Per-sample clipped terms", "vector", mode="decdig", digits=DP, uses=("advantages", "clipped")),
        Part("kl", "Per-sample KL estimates", "vector", mode="decdig", digits=6, final=False),
        Part("objective", "Objective J", "real", mode="decdig", digits=DP, uses=("terms", "kl")),
    )

    def active_parts(self, p: Params) -> tuple[Part, ...]:
        return self.parts if p.ref_ratios is not None else tuple(pt for pt in self.parts if pt.name != "kl")

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        g = 4 if difficulty != "hard" else int(rng.integers(4, 7))
        hi = 1 if difficulty != "hard" else 2
        out: dict[str, Any] = dict(rewards=tuple(float(v) for v in rng.integers(0, hi + 1, size=g)),
                                   ratios=grid(rng, 0.6, 1.4, 0.05, g), eps=0.2,
                                   std="population" if difficulty == "easy" else str(rng.choice(STDS)))
        if difficulty == "hard" and rng.random() < 0.5:
            out["beta"] = 0.04
            out["ref_ratios"] = grid(rng, 0.7, 1.3, 0.1, g)
        return out

    def check(self, p: Params) -> list[str]:
        g = len(p.rewards)
        if g < 2:
            raise ParamError("rewards: a group needs at least 2 outputs")
        for name in ("ratios", "ref_ratios"):
            if p[name] is not None and len(p[name]) != g:
                raise ParamError(f"{name} has {len(p[name])} entries; give one per output ({g})")
        if len(set(p.rewards)) == 1:
            raise ParamError("every reward is the same: the standard deviation is 0 and the advantages are 0/0")
        if p.beta and p.ref_ratios is None:
            raise ParamError("beta > 0 needs ref_ratios (π_ref/π_θ per output) for the KL term")
        return []

    def degenerate(self, p: Params) -> str | None:
        return near_miss(self.solve(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        g = len(p.rewards)
        div = "G" if p.std == "population" else "G - 1"
        s: list[Any] = [
            f"GRPO samples a group of $G = {g}$ outputs for one prompt. Their rewards are r = ", list(p.rewards),
            " and their probability ratios $\\rho_i = \\pi_\\theta(o_i \\mid q) / \\pi_{\\theta_{\\text{old}}}(o_i "
            "\\mid q)$ are ", list(p.ratios), ". The advantages are $A_i = (r_i - \\bar{r}) / s_r$ with the "
            f"{p.std} standard deviation $s_r$ (divide by ${div}$). With $\\epsilon = {p.eps:g}$, each output "
            "contributes $\\min(\\rho_i A_i, \\operatorname{clip}(\\rho_i, 1 - \\epsilon, 1 + \\epsilon) A_i)$"]
        if p.ref_ratios is not None:
            s += [", and the KL term uses the ratios $\\pi_{\\text{ref}}/\\pi_\\theta$ = ", list(p.ref_ratios),
                  " with the estimate $D_i = \\frac{\\pi_{\\text{ref}}}{\\pi_\\theta} - \\ln \\frac{\\pi_{\\text{ref}}}"
                  "{\\pi_\\theta} - 1$. The objective is $J = \\frac{1}{G} \\sum_i (\\text{term}_i - \\beta D_i)$ "
                  f"with $\\beta = {p.beta:g}$. Give the advantages, the clipped ratios, the terms, the $D_i$ "
                  "(6 decimal places) and J"]
        else:
            s.append(". The objective J is the mean of the terms. Give the advantages, the clipped ratios, the "
                     "terms and J")
        s.append(f" to {DP} decimal places.")
        return s

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return grpo(p, given=given)

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        d = Derivation()
        r = np.asarray(p.rewards, dtype=float)
        ddof = 0 if p.std == "population" else 1
        d.add("Mean reward", float(r.mean()), lhs=Sym("rbar", "r̄", latex=r"\bar{r}", typst="macron(r)"))
        d.add("Standard deviation", float(r.std(ddof=ddof)), lhs="s_r",
              note=f"{p.std}: the squared deviations summed, divided by {len(r) - ddof}, square-rooted")
        d.add("Advantages", a["advantages"], lhs="A_i", part="advantages", note="(r_i − r̄)/s_r")
        d.add("Clipped ratios", a["clipped"], lhs="c_i", part="clipped",
              note=f"clip(ρ_i, {1 - p.eps:g}, {1 + p.eps:g})")
        d.add("Unclipped products ρ_i·A_i", np.asarray(p.ratios) * a["advantages"], lhs="u_i")
        d.add("Per-sample terms", a["terms"], lhs="t_i", part="terms",
              note="min(ρ_i·A_i, c_i·A_i): the smaller (more pessimistic) of the two")
        if p.ref_ratios is not None:
            d.add("KL estimates", a["kl"], lhs="D_i", part="kl", note="ratio − ln ratio − 1, per output")
            d.add("Objective", a["objective"], lhs="J",
                  formula=Sym("tbar", "mean t", latex=r"\bar{t}", typst="macron(t)")
                  - Sym("beta", "β", latex=r"\beta", typst="beta") * Sym("Dbar", "mean D", latex=r"\bar{D}",
                                                                        typst="macron(D)"),
                  subs={"tbar": float(a["terms"].mean()), "beta": p.beta, "Dbar": float(a["kl"].mean())},
                  part="objective")
        else:
            d.add("Objective", a["objective"], lhs="J", formula=Func("mean", Sym("t_i")), part="objective",
                  note="the mean of the terms")
        d.answer = f"J = {a['objective']:.4f}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)

        def changed(m: dict[str, Any]) -> dict[str, Any]:
            return {k: v for k, v in m.items() if not close_to_truth(v, truth[k], 1e-12)}

        other = "sample" if p.std == "population" else "population"
        m = {
            "ratio_times_reward_clipped": Mistake(
                changed({k: v for k, v in grpo(p, notes=True).items() if k != "clipped"}),
                                        "Clip the ratio ρ_i (not ρ_i·r_i), multiply by the standardised "
                                        "advantage A_i, and take the smaller of ρ_i·A_i and clip(ρ_i)·A_i."),
            "max_for_min": Mistake(changed(grpo(p, use_max=True)),
                                   "GRPO takes the minimum of the clipped and unclipped products (a pessimistic "
                                   "bound), not the maximum."),
            "raw_rewards": Mistake(changed(grpo(p, raw=True)),
                                   "Standardise the rewards within the group: A_i = (r_i − r̄)/s_r."),
            "other_std": Mistake(changed(grpo(p, std=other)),
                                 f"Use the {p.std} standard deviation (divide by "
                                 f"{'G' if p.std == 'population' else 'G − 1'}), as stated."),
        }
        return {k: v for k, v in m.items() if v.answers}
