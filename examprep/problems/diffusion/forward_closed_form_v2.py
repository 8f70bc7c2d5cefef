"""The forward process in closed form (v1's parts), plus the SNR and the equivalent variance-exploding noise level.

Catalog: seed_000_001 I1 (β = [0.1, 0.2, 0.3], x_0 = [1, −2], ε = [0.5, 0.5]: x_3 = [1.062066, −1.067723];
SNR = 9, 2.571429, 1.016129; σ_VE = 0.333333, 0.623610, 0.992032).

Parameters: v1's (x0, betas, t, eps).

Answer parts: v1's ``alpha_bar``, ``mean``, ``std``, ``x_t``, plus ``snr`` = ᾱ_t/(1 − ᾱ_t) and ``sigma_ve`` =
√((1 − ᾱ_t)/ᾱ_t) (x_t/√ᾱ_t = x_0 + σ_VE·ε).

Conventions stated in the prompt: v1's; the SNR is a ratio of variances.

Reference: v1's torch reference, then the ratio and ``torch.sqrt`` of its inverse
(examprep.reference.diffusion_extra:forward_closed_form_v2).

Common mistakes: v1's; the SNR inverted; σ_VE without the square root.

Versions: v2 — adds snr and sigma_ve (v1 stays registered for its codes).
"""

from __future__ import annotations

import math
from typing import Any

from examprep.params import Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, carry
from examprep.problems.diffusion.forward_closed_form import ForwardClosedForm
from examprep.problems.gan.fair import near_miss
from examprep.problems.latent.points import distinct
from examprep.solver.expr import Num, Sym, sqrt
from examprep.solver.step import Derivation

SNR = Sym("snr", "SNR_t = ᾱ_t/(1 − ᾱ_t)", latex=r"\mathrm{SNR}_t = \frac{\bar{\alpha}_t}{1 - \bar{\alpha}_t}",
          typst='"SNR"_t = (macron(alpha)_t)/(1 - macron(alpha)_t)')
SVE = Sym("sve", "σ_VE = √((1 − ᾱ_t)/ᾱ_t)",
          latex=r"\sigma_{\mathrm{VE}} = \sqrt{\frac{1 - \bar{\alpha}_t}{\bar{\alpha}_t}}",
          typst='sigma_"VE" = sqrt((1 - macron(alpha)_t)/(macron(alpha)_t))')


class ForwardClosedFormV2(ForwardClosedForm):
    id = "diffusion/forward_closed_form-v2"
    title = "Diffusion forward process in closed form, SNR and the VE noise level"
    catalog = "seed_003 C11; seed_002 K2; seed_004 F2; seed_000_001 I1"
    reference_entry = "examprep.reference.diffusion_extra:forward_closed_form_v2"
    parts = (*ForwardClosedForm.parts,
             Part("snr", "SNR_t = ᾱ_t/(1 − ᾱ_t)", "real", mode="sigfig", digits=4, uses=("alpha_bar",)),
             Part("sigma_ve", "σ_VE = √((1 − ᾱ_t)/ᾱ_t)", "real", mode="sigfig", digits=4, uses=("alpha_bar",)))

    def statement(self, p: Params) -> list[Any]:
        return [*super().statement(p),
                " Also give the signal-to-noise ratio "
                "$\\mathrm{SNR}_t = \\frac{\\bar{\\alpha}_t}{1 - \\bar{\\alpha}_t}$ and the equivalent "
                "variance-exploding noise level $\\sigma_{VE} = \\frac{\\sqrt{1 - \\bar{\\alpha}_t}}"
                "{\\sqrt{\\bar{\\alpha}_t}}$ (so that "
                "$x_t / \\sqrt{\\bar{\\alpha}_t} = x_0 + \\sigma_{VE} \\epsilon$), to 4 significant figures."]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        out = super().solve(p, given)
        ab = carry(given, "alpha_bar", out["alpha_bar"])
        return {**out, "snr": ab / (1 - ab), "sigma_ve": math.sqrt((1 - ab) / ab)}

    def derivation(self, p: Params) -> Derivation:
        d = super().derivation(p)
        ans = self.solve(p)
        ab = Num(ans["alpha_bar"])
        d.add("Signal-to-noise ratio", ans["snr"], lhs=SNR, substituted=ab / (1 - ab), part="snr")
        d.add("Variance-exploding noise level", ans["sigma_ve"], lhs=SVE, substituted=sqrt((1 - ab) / ab),
              part="sigma_ve", note="dividing $x_t$ by $\\sqrt{\\bar{\\alpha}_t}$ leaves $x_0$ plus noise of this "
                                    "standard deviation; $\\sigma_{VE} = 1/\\sqrt{\\mathrm{SNR}_t}$")
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        m = super().mistakes(p)
        ab = self.solve(p)["alpha_bar"]
        m["snr_inverted"] = Mistake({"snr": (1 - ab) / ab},
                                    "That is the noise-to-signal ratio: $\\mathrm{SNR}_t = \\bar{\\alpha}_t / "
                                    "(1 - \\bar{\\alpha}_t)$.")
        m["sigma_ve_without_root"] = Mistake({"sigma_ve": (1 - ab) / ab},
                                             "$\\sigma_{VE}$ is a standard deviation: take the square root of the "
                                             "variance ratio $(1 - \\bar{\\alpha}_t)/\\bar{\\alpha}_t$.")
        return m

    def degenerate(self, p: Params) -> str | None:
        new = {k: v for k, v in self.mistakes(p).items() if k in ("snr_inverted", "sigma_ve_without_root")}
        return super().degenerate(p) or near_miss(self.solve(p), distinct(self.solve(p), new))
