"""Adaptive normalisation: AdaIN (style statistics), AdaGN (predicted scale and shift per group), adaLN.

Catalog: seed_000_001 F5.

Parameters: x (a row per channel, a column per position); groups (default: one per channel, AdaIN; fewer: AdaGN;
1 with one position: adaLN over the features); either style (a row per channel: its per-channel mean and standard
deviation √(var + ε) become shift and scale) or scale and shift (per channel, AdaGN's y_s and y_b); eps (1e-5).

Answer parts: ``mean`` and ``std`` = √(σ² + ε) per group (biased variance), ``normalized`` and ``output``
(x's layout); with style, ``style_mean`` and ``style_std`` per channel.

Reference: ``F.group_norm`` (a group per instance and group, the channels' scale and shift as weight and bias);
the style statistics by ``torch.var_mean`` (examprep.reference.norm:adaptive).

Common mistakes: the unbiased standard deviation (F5: [8.148360, …]); the variance as the scale; content and style
swapped; scale and shift swapped.

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
from examprep.solver.expr import Mat, Num, Sym, paren
from examprep.solver.render import value_text
from examprep.solver.step import Derivation


def group_stats(x: list[list[float]], G: int, eps: float, unbiased: bool = False
                ) -> tuple[list[float], list[float], list[list[float]]]:
    """(means, stds √(var + ε), normalised rows) with G groups of consecutive channels."""
    k = len(x) // G
    means, stds, out = [], [], []
    for g in range(G):
        vals = [v for row in x[g * k:(g + 1) * k] for v in row]
        m, sd = st.mean(vals), math.sqrt(st.var(vals, unbiased) + eps)
        means.append(m)
        stds.append(sd)
        out += [[(v - m) / sd for v in row] for row in x[g * k:(g + 1) * k]]
    return means, stds, out


class AdaptiveNorm(ProblemType):
    id = "norm/adaptive-v1"
    title = "Adaptive normalisation: AdaIN, AdaGN, adaLN"
    catalog = "seed_000_001 F5"
    reference_entry = "examprep.reference.norm:adaptive"
    params = (
        Param("x", "matrix", "the content features: a row per channel, a column per position", lo=-1000, hi=1000),
        Param("groups", "int", "number of groups of consecutive channels (default: one per channel)", lo=1,
              hi=4096, optional=True),
        Param("style", "matrix", "style features, a row per channel: their mean and std give shift and scale",
              lo=-1000, hi=1000, optional=True),
        Param("scale", "vector", "the scale y_s per channel (instead of style)", lo=-100, hi=100, optional=True),
        Param("shift", "vector", "the shift y_b per channel (instead of style)", lo=-100, hi=100, optional=True),
        Param("eps", "real", "ε added to the variances", lo=0, hi=1, default=1e-5),
    )
    parts = (
        Part("mean", "The content mean per group", "vector", final=False),
        Part("std", "The content standard deviation √(σ² + ε) per group", "vector", final=False, uses=("mean",)),
        Part("normalized", "The normalised content (x's layout)", "matrix", final=False, uses=("mean", "std")),
        # the style statistics before the output, as the statement asks for them and the output is computed from them
        Part("style_mean", "The style mean per channel", "vector", final=False),
        Part("style_std", "The style standard deviation √(σ² + ε) per channel", "vector", final=False,
             uses=("style_mean",)),
        Part("output", "The modulated output scale·x̂ + shift (x's layout)", "matrix",
             uses=("normalized", "style_mean", "style_std")),
    )

    def active_parts(self, p: Params) -> tuple[Part, ...]:
        return self.parts if p.style is not None else (*self.parts[:3], self.parts[5])

    def n_groups(self, p: Params) -> int:
        return p.groups if p.groups is not None else len(p.x)

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        ints = lambda r, c: tuple(tuple(float(v) for v in rng.integers(-2, 8, size=c)) for _ in range(r))  # noqa: E731
        if difficulty == "easy":
            return dict(x=ints(1, 4), scale=(float(rng.integers(1, 5)),), shift=(float(rng.integers(-5, 11)),),
                        eps=0.0)
        if difficulty == "medium":
            c = int(rng.integers(1, 3))
            return dict(x=ints(c, 4), style=ints(c, 4), eps=float((0, 1e-5)[int(rng.integers(2))]))
        c = 4
        if rng.integers(2):  # adaLN: the features of one position normalised together
            x, G = ints(c, 1), 1
        else:
            x, G = ints(c, int(rng.integers(2, 4))), 2
        return dict(x=x, groups=G, scale=tuple(float(v) / 2 for v in rng.integers(1, 6, size=c)),
                    shift=tuple(float(v) / 2 for v in rng.integers(-4, 5, size=c)), eps=0.0)

    def check(self, p: Params) -> list[str]:
        C = len(p.x)
        G = self.n_groups(p)
        if C % G:
            raise ParamError(f"groups={G} does not divide the {C} channels")
        if (p.style is None) == (p.scale is None and p.shift is None):
            raise ParamError("give either style or scale and shift")
        if p.style is not None and len(p.style) != C:
            raise ParamError(f"style has {len(p.style)} rows for {C} channels: one row per channel")
        for name in ("scale", "shift"):
            if p.style is None and (p[name] is None or len(p[name]) != C):
                raise ParamError(f"give {name} with one entry per channel ({C})")
        if p.eps == 0:
            k = C // G
            for g in range(G):
                if st.var([v for row in p.x[g * k:(g + 1) * k] for v in row]) == 0:
                    raise ParamError(f"group {g + 1} of x is constant and eps = 0: normalising divides by 0")
        return []

    def run(self, p: Params, variant: str | None = None) -> Answers:
        unb = variant == "unbiased"
        x = [list(map(float, r)) for r in p.x]
        G = self.n_groups(p)
        ans: Answers = {}
        if p.style is not None:
            sty = [list(map(float, r)) for r in p.style]
            smean = [st.mean(r) for r in sty]
            svar = [st.var(r, unb) + p.eps for r in sty]
            sstd = [math.sqrt(v) for v in svar]
            scale, shift = (svar if variant == "variance_as_scale" else sstd), smean
            if variant == "content_style_swapped":  # normalise the style and give it the content's statistics
                m, s, xh = group_stats(sty, G, p.eps)
                cm, cs, _ = group_stats(x, G, p.eps)
                k = len(x) // G
                return self.flat(p, {"output": [[cs[i // k] * v + cm[i // k] for v in row]
                                                for i, row in enumerate(xh)]})
            ans_style = {"style_mean": smean, "style_std": sstd}
        else:
            scale, shift = list(map(float, p.scale)), list(map(float, p.shift))
            if variant == "scale_shift_swapped":
                scale, shift = shift, scale
            ans_style = {}
        m, s, xh = group_stats(x, G, p.eps, unb)
        ans = {"mean": m, "std": s, "normalized": xh,
               "output": [[a * v + b for v in row] for row, a, b in zip(xh, scale, shift, strict=True)]}
        return self.flat(p, {**ans, **ans_style})

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return self.carried(p, given) if given else self.run(p)

    def carried(self, p: Params, given: Answers) -> Answers:
        """The chain from the student's earlier values where given (error carried forward): each standard deviation
        around the student's mean, x̂ from both, the output from x̂ and the style statistics."""
        x = [list(map(float, r)) for r in p.x]
        G = self.n_groups(p)  # noqa: N806
        k = len(x) // G
        groups = [[v for row in x[g * k:(g + 1) * k] for v in row] for g in range(G)]
        m = _vec(carry(given, "mean", np.asarray([st.mean(vals) for vals in groups])))
        s = _vec(carry(given, "std", np.asarray([_std(vals, mg, p.eps) for vals, mg in zip(groups, m, strict=True)])))
        xh = [[(v - m[i // k]) / s[i // k] for v in row] for i, row in enumerate(x)]
        xl = carry(given, "normalized", np.asarray(xh[0] if len(x) == 1 else xh))
        xh = [_vec(r) for r in np.asarray(xl).reshape(len(x), -1)]
        ans: Answers = {}
        if p.style is not None:
            sty = [list(map(float, r)) for r in p.style]
            shift = _vec(carry(given, "style_mean", np.asarray([st.mean(r) for r in sty])))
            scale = _vec(carry(given, "style_std", np.asarray([_std(r, mr, p.eps)
                                                               for r, mr in zip(sty, shift, strict=True)])))
            ans = {"style_mean": shift, "style_std": scale}
        else:
            scale, shift = list(map(float, p.scale)), list(map(float, p.shift))
        out = [[a * v + b for v in row] for row, a, b in zip(xh, scale, shift, strict=True)]
        return self.flat(p, {"mean": m, "std": s, "normalized": xh, "output": out, **ans})

    def flat(self, p: Params, ans: Answers) -> Answers:
        """One channel: its normalised values and output as plain vectors, as the channel was written."""
        if len(p.x) > 1:
            return ans
        return {k: (v[0] if k in ("normalized", "output") else v) for k, v in ans.items()}

    def candidates(self, p: Params) -> dict[str, str]:
        out = {"unbiased": "You used the unbiased standard deviation (divided by n − 1). The statistics here "
                           "are biased: $\\sigma^2 = \\frac{1}{n} \\sum (x - \\mu)^2$."}
        if p.style is not None:
            out["variance_as_scale"] = ("You scaled by the style's variance. The scale is its standard deviation "
                                        "$\\sigma(y) = \\sqrt{\\sigma^2(y) + \\epsilon}$.")
            out["content_style_swapped"] = ("You swapped content and style: the content x is normalised and takes "
                                            "the style's statistics, $\\sigma(y) \\hat{x} + \\mu(y)$.")
        else:
            out["scale_shift_swapped"] = "You swapped scale and shift: the output is $y_s \\hat{x} + y_b$."
        return out

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return variant_mistakes(self, p)

    def degenerate(self, p: Params) -> str | None:
        try:
            _, s, _ = group_stats([list(map(float, r)) for r in p.x], self.n_groups(p), 0.0)
        except ZeroDivisionError:  # a constant group has σ = 0: normalising it (with ε = 0 here) divides by 0
            return "a constant group"
        if min(s) == 0 or (p.style is not None and min(st.var(r) for r in p.style) == 0):
            return "a constant group"
        return lost(self.candidates(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        C, G = len(p.x), self.n_groups(p)
        kind = ("AdaIN: each channel is normalised over its positions" if G == C else
                "adaLN: the features of each position are normalised together" if G == 1 and len(p.x[0]) == 1 else
                f"AdaGN: the {C} channels form {G} groups of {C // G} consecutive channels, each normalised over its "
                "channels and positions")
        seg: list[Any] = [f"Adaptive normalisation ({kind}) of the content $x$ = ", [list(r) for r in p.x],
                          " (a row per channel, a column per position), with the biased variance and "
                          f"$\\epsilon = {num(p.eps)}$: $\\hat{{x}} = (x - \\mu)/\\sqrt{{\\sigma^2 + \\epsilon}}$. "]
        if p.style is not None:
            seg += ["The style features $y$ = ", [list(r) for r in p.style], " (a row per channel) give each channel "
                    "the shift $\\mu(y)$ and the scale $\\sigma(y) = \\sqrt{\\sigma^2(y) + \\epsilon}$ (biased), and "
                    "the output is $\\sigma(y) \\hat{x} + \\mu(y)$. Give the content mean and standard deviation "
                    "$\\sqrt{\\sigma^2 + \\epsilon}$ per group, $\\hat{x}$, the style mean and standard deviation per "
                    "channel, and the output."]
        else:
            seg += [f"The predicted scale $y_s = {vec(p.scale)}$ and shift $y_b = {vec(p.shift)}$ (per channel) give "
                    "the output $y_s \\hat{x} + y_b$. Give the content mean and standard deviation "
                    "$\\sqrt{\\sigma^2 + \\epsilon}$ per group, $\\hat{x}$ and the output."]
        return seg

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        x = [list(map(float, r)) for r in p.x]
        G = self.n_groups(p)
        k = len(x) // G
        for g in range(G):
            vals = [v for row in x[g * k:(g + 1) * k] for v in row]
            tag = f" of group {g + 1}" if G > 1 else ""
            m = st.mean_step(d, "Content mean" + tag, vals, Sym(f"mu_{g + 1}", tex=f"\\mu_{{{g + 1}}}"))
            s2 = st.var_step(d, "Content biased variance" + tag, vals, m,
                             Sym(f"s2_{g + 1}", tex=f"\\sigma^2_{{{g + 1}}}"))
            st.std_step(d, "Content standard deviation" + tag, s2, p.eps,
                        Sym(f"sd_{g + 1}", tex=f"\\sigma_{{{g + 1}}}"))
        d.add("Content means", ans["mean"], lhs=Sym("mu"), part="mean")
        d.add("Content standard deviations", ans["std"], lhs=Sym("sigma"), part="std")
        d.add("Normalised content", ans["normalized"], lhs=Sym("xhat", tex="\\hat{x}"),
              substituted=Mat([[paren(Num(v) - st.num(ans["mean"][i // k])) / Num(ans["std"][i // k]) for v in row]
                               for i, row in enumerate(x)]), part="normalized")
        xh = ans["normalized"] if len(x) > 1 else [ans["normalized"]]
        if p.style is not None:
            sty = [list(map(float, r)) for r in p.style]
            for c, row in enumerate(sty, start=1):
                m = st.mean_step(d, f"Style mean of channel {c}", row, Sym(f"muy_{c}", tex=f"\\mu(y)_{{{c}}}"))
                s2 = st.var_step(d, f"Style biased variance of channel {c}", row, m,
                                 Sym(f"s2y_{c}", tex=f"\\sigma^2(y)_{{{c}}}"))
                st.std_step(d, f"Style standard deviation of channel {c}", s2, p.eps,
                            Sym(f"sdy_{c}", tex=f"\\sigma(y)_{{{c}}}"))
            d.add("Style means", ans["style_mean"], lhs=Sym("mu_y", tex="\\mu(y)"), part="style_mean")
            d.add("Style standard deviations", ans["style_std"], lhs=Sym("sigma_y", tex="\\sigma(y)"),
                  part="style_std")
            scale, shift = ans["style_std"], ans["style_mean"]
        else:
            scale, shift = list(map(float, p.scale)), list(map(float, p.shift))
        d.add("Output: scale·x̂ + shift, per channel", ans["output"], lhs=Sym("out"),
              substituted=Mat([[Num(a) * st.num(v) + st.num(b) for v in row]
                               for row, a, b in zip(xh, scale, shift, strict=True)]), part="output")
        d.answer = f"output {value_text(ans['output'])}"
        return d


def _vec(a: Any) -> list[float]:
    return [float(v) for v in a]


def _std(vals: list[float], m: float, eps: float) -> float:
    """√(σ² + ε) of ``vals`` around the mean ``m`` (biased)."""
    return math.sqrt(math.fsum((v - m) ** 2 for v in vals) / len(vals) + eps)
