"""Noise schedule (v1's parts), plus √ᾱ_t, √(1 − ᾱ_t) and the signal-to-noise ratio ᾱ_t/(1 − ᾱ_t).

Catalog: seed_004 F1 (the linear schedule at t = 500: ᾱ = 0.078587, √ᾱ = 0.280334, √(1 − ᾱ) = 0.959902);
seed_000_001 I1 (β = [0.1, 0.2, 0.3]: SNR = 9, 2.571429, 1.016129).

Parameters: v1's (``betas`` or ``schedule`` with its parameters, and ``t``).

Answer parts: v1's ``beta``, ``alpha``, ``alpha_bar_table``, ``alpha_bar``, plus ``sqrt_alpha_bar`` = √ᾱ_t (the
signal coefficient), ``sqrt_one_minus_alpha_bar`` = √(1 − ᾱ_t) (the noise coefficient) and ``snr`` = ᾱ_t/(1 − ᾱ_t).

Conventions stated in the prompt: v1's; SNR_t = ᾱ_t/(1 − ᾱ_t) (a ratio of variances, not of standard deviations).

Reference: v1's torch reference for ᾱ_t, then ``torch.sqrt`` and the ratio
(examprep.reference.diffusion_extra:noise_schedule_v2).

Common mistakes: v1's; the SNR inverted ((1 − ᾱ_t)/ᾱ_t); the SNR as a ratio of standard deviations.

Versions: v2 — adds sqrt_alpha_bar, sqrt_one_minus_alpha_bar and snr (v1 stays registered for its codes).
"""

from __future__ import annotations

import math
from typing import Any

from examprep.params import Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake
from examprep.problems.diffusion.noise_schedule import NoiseSchedule
from examprep.problems.gan.fair import near_miss
from examprep.problems.latent.points import distinct
from examprep.solver.expr import Num, Sym, sqrt
from examprep.solver.step import Derivation

SQ = Sym("sab", "√ᾱ_t", latex=r"\sqrt{\bar{\alpha}_t}", typst="sqrt(macron(alpha)_t)")
SQN = Sym("s1ab", "√(1 − ᾱ_t)", latex=r"\sqrt{1 - \bar{\alpha}_t}", typst="sqrt(1 - macron(alpha)_t)")
SNR = Sym("snr", "SNR_t = ᾱ_t/(1 − ᾱ_t)", latex=r"\mathrm{SNR}_t = \frac{\bar{\alpha}_t}{1 - \bar{\alpha}_t}",
          typst='"SNR"_t = (macron(alpha)_t)/(1 - macron(alpha)_t)')


def extra(ab: float) -> dict[str, float]:
    return {"sqrt_alpha_bar": math.sqrt(ab), "sqrt_one_minus_alpha_bar": math.sqrt(1 - ab), "snr": ab / (1 - ab)}


class NoiseScheduleV2(NoiseSchedule):
    id = "diffusion/noise_schedule-v2"
    title = "Noise schedule: ᾱ_t, its square roots and the SNR"
    catalog = "seed_004 F1, F11; seed_003 C11; seed_002 K2; seed_000_001 I1"
    reference_entry = "examprep.reference.diffusion_extra:noise_schedule_v2"
    parts = (*NoiseSchedule.parts,
             Part("sqrt_alpha_bar", "√ᾱ_t", "real", mode="sigfig", digits=4, uses=("alpha_bar",)),
             Part("sqrt_one_minus_alpha_bar", "√(1 − ᾱ_t)", "real", mode="sigfig", digits=4, uses=("alpha_bar",)),
             Part("snr", "SNR_t = ᾱ_t/(1 − ᾱ_t)", "real", mode="sigfig", digits=4, uses=("alpha_bar",)))

    def statement(self, p: Params) -> list[Any]:
        return [*super().statement(p),
                " Also give $\\sqrt{\\bar{\\alpha}_t}$, $\\sqrt{1 - \\bar{\\alpha}_t}$ and the signal-to-noise ratio "
                "$\\mathrm{SNR}_t = \\frac{\\bar{\\alpha}_t}{1 - \\bar{\\alpha}_t}$ (a ratio of variances), to 4 "
                "significant figures."]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        out = super().solve(p, given)
        return {**out, **extra(out["alpha_bar"])}

    def derivation(self, p: Params) -> Derivation:
        d = super().derivation(p)
        ans = self.solve(p)
        ab = Num(ans["alpha_bar"])
        d.add("Signal coefficient", ans["sqrt_alpha_bar"], lhs=SQ, substituted=sqrt(ab), part="sqrt_alpha_bar")
        d.add("Noise coefficient", ans["sqrt_one_minus_alpha_bar"], lhs=SQN, substituted=sqrt(1 - ab),
              part="sqrt_one_minus_alpha_bar")
        d.add("Signal-to-noise ratio", ans["snr"], lhs=SNR, substituted=ab / (1 - ab), part="snr",
              note="the signal's variance over the noise's variance")
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        m = super().mistakes(p)
        ans = self.solve(p)
        ab = ans["alpha_bar"]
        m["snr_inverted"] = Mistake({"snr": (1 - ab) / ab},
                                    "That is the noise-to-signal ratio: $\\mathrm{SNR}_t = \\bar{\\alpha}_t / "
                                    "(1 - \\bar{\\alpha}_t)$, the signal's variance on top.")
        m["snr_of_stds"] = Mistake({"snr": math.sqrt(ab / (1 - ab))},
                                   "The SNR compares variances, $\\bar{\\alpha}_t$ and $1 - \\bar{\\alpha}_t$, not "
                                   "their square roots.")
        return m

    def degenerate(self, p: Params) -> str | None:
        new = {k: v for k, v in self.mistakes(p).items() if k.startswith("snr")}
        return super().degenerate(p) or near_miss(self.solve(p), distinct(self.solve(p), new))
