"""Mask compositing: a video GAN's foreground over a static background, or diffusion inpainting's paste-back.

Catalog: seed_000_001 F6 (video GAN m ⊙ f + (1 − m) ⊙ b; RePaint-style inpainting with the known region noised
to the current level).

Parameters:
    mask: m per pixel in [0, 1] (1 = take the foreground / the known image).
    fg: the foreground; for inpainting the known clean image x_0. bg: the background; for inpainting the
    generated x_{t−1}.
    alpha_bar, eps: inpainting only: ᾱ_{t−1} and the noise ε that noise x_0 before it is pasted.

Answer parts: ``known`` (inpainting only) = √ᾱ·x_0 + √(1 − ᾱ)·ε, and ``blend`` = m ⊙ fg′ + (1 − m) ⊙ bg with
fg′ = fg (video) or the noised known pixels (inpainting).

Conventions stated in the prompt: what m = 1 selects, element-wise products, the noise level of the pasted pixels.

Reference: ``torch.lerp(bg, fg′, m)`` with fg′ from ``torch.sqrt`` of ᾱ and 1 − ᾱ
(examprep.reference.gan:mask_blend).

Common mistakes: m and 1 − m swapped, the clean x_0 pasted instead of its noised version.

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
from examprep.solver.expr import Expr, Func, Mat, Num, Sym, paren
from examprep.solver.step import Derivation


def blend(m: Any, f: Any, b: Any) -> list[float]:
    return [w * x + (1 - w) * y for w, x, y in zip(m, f, b, strict=True)]


def noised(x0: Any, eps: Any, ab: float) -> list[float]:
    return [math.sqrt(ab) * x + math.sqrt(1 - ab) * e for x, e in zip(x0, eps, strict=True)]


class MaskBlend(ProblemType):
    id = "gan/mask_blend-v1"
    title = "Mask compositing (video GAN, inpainting)"
    catalog = "seed_000_001 F6"
    reference_entry = "examprep.reference.gan:mask_blend"
    params = (
        Param("mask", "vector", "m per pixel (1 = foreground / known)", lo=0, hi=1),
        Param("fg", "vector", "the foreground (inpainting: the known clean image x_0)", lo=-100, hi=100),
        Param("bg", "vector", "the background (inpainting: the generated x_{t−1})", lo=-100, hi=100),
        Param("alpha_bar", "real", "inpainting: ᾱ_{t−1}", lo=0, hi=1, optional=True),
        Param("eps", "vector", "inpainting: the noise ε for x_0", lo=-100, hi=100, optional=True),
    )
    parts = (
        Part("known", "The noised known pixels √ᾱ·x_0 + √(1 − ᾱ)·ε", "vector", final=False),
        Part("blend", "The composite", "vector", uses=("known",)),
    )

    def active_parts(self, p: Params) -> tuple[Part, ...]:
        return self.parts if p.alpha_bar is not None else self.parts[1:]

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        def pick(values: Any, n: int) -> list[float]:
            return [round(float(values[int(i)]), 2) for i in rng.integers(len(values), size=n)]

        vals = np.arange(-1, 1.01, 0.1)
        if difficulty != "hard":
            n = 2 if difficulty == "easy" else int(rng.integers(3, 5))
            return dict(mask=pick(np.arange(0, 1.01, 0.1), n), fg=pick(vals, n), bg=pick(vals, n))
        n = 4
        mask = [1.0, 1.0, 0.0, 0.0]
        rng.shuffle(mask)
        return dict(mask=mask, fg=pick(vals, n), bg=pick(vals, n),
                    alpha_bar=float(rng.choice([0.5, 0.64, 0.72, 0.81, 0.9])), eps=pick(np.arange(-0.5, 0.51, 0.1), n))

    def check(self, p: Params) -> list[str]:
        n = len(p.mask)
        if len(p.fg) != n or len(p.bg) != n:
            raise ParamError(f"mask, fg and bg need the same number of pixels ({n}, {len(p.fg)}, {len(p.bg)})")
        if (p.alpha_bar is None) != (p.eps is None):
            raise ParamError("inpainting needs both alpha_bar and eps (or neither, for plain compositing)")
        if p.eps is not None:
            if len(p.eps) != n:
                raise ParamError(f"eps needs {n} entries, one per pixel")
            if not 0 < p.alpha_bar < 1:
                raise ParamError("alpha_bar must lie strictly between 0 and 1")
        return []

    def degenerate(self, p: Params) -> str | None:
        return near_miss(self.solve(p), self.all_mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        if p.alpha_bar is None:
            return ["A video GAN composites a generated foreground $f = $ ", list(p.fg), " over a static background "
                    "$b = $ ", list(p.bg), " with the mask $m = $ ", list(p.mask), r" ($m = 1$ shows the foreground): "
                    r"$v = m \odot f + (1 - m) \odot b$, element by element. Give $v$."]
        return ["Diffusion inpainting keeps the known pixels $x_0 = $ ", list(p.fg), " where the mask $m = $ ",
                list(p.mask), r" is 1 and the generated $x_{t-1}^{gen} = $ ", list(p.bg), " where it is 0. Before "
                r"pasting, the known pixels are noised to the same level: $x_{t-1}^{known} = \sqrt{\bar{\alpha}} x_0 + "
                rf"\sqrt{{1 - \bar{{\alpha}}}} \epsilon$ with $\bar{{\alpha}}_{{t-1}} = {p.alpha_bar:g}$ and "
                r"$\epsilon = $ ", list(p.eps), r". Give $x_{t-1}^{known}$ and the composite $x_{t-1} = m \odot "
                r"x_{t-1}^{known} + (1 - m) \odot x_{t-1}^{gen}$."]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        if p.alpha_bar is None:
            return {"blend": blend(p.mask, p.fg, p.bg)}
        known = carry(given, "known", noised(p.fg, p.eps, p.alpha_bar))
        return {"known": known, "blend": blend(p.mask, known, p.bg)}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        f: list[float] = p.fg
        if p.alpha_bar is not None:
            f = ans["known"]
            sa, sb = Func("sqrt", Num(p.alpha_bar)), Func("sqrt", Num(1) - Num(p.alpha_bar))
            d.add("Noised known pixels", f, lhs=Sym("k", tex=r"x_{\text{known}}"), part="known",
                  substituted=Mat([[sa * _n(x) + sb * _n(e) for x, e in zip(p.fg, p.eps, strict=True)]]))
        d.add("Composite", ans["blend"], lhs=Sym("v"), part="blend",
              substituted=Mat([[Num(w) * _n(x) + paren(Num(1) - Num(w)) * _n(y)
                                for w, x, y in zip(p.mask, f, p.bg, strict=True)]]),
              note=r"$m \odot$ foreground $+ (1 - m) \odot$ background, pixel by pixel")
        d.answer = "[" + ", ".join(f"{v:.6g}" for v in ans["blend"]) + "]"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return visible(self.solve(p), self.all_mistakes(p))

    def all_mistakes(self, p: Params) -> dict[str, Mistake]:
        """Every named mistake that applies to these parameters."""
        f = p.fg if p.alpha_bar is None else noised(p.fg, p.eps, p.alpha_bar)
        out = {"mask_swapped": Mistake({"blend": blend([1 - w for w in p.mask], f, p.bg)},
                                       r"The mask weights the foreground: $m \odot f + (1 - m) \odot b$; you swapped "
                                       r"$m$ and $1 - m$.")}
        if p.alpha_bar is not None:
            out["clean_x0_pasted"] = Mistake({"known": list(p.fg), "blend": blend(p.mask, p.fg, p.bg)},
                                             r"Paste the known pixels noised to level $t - 1$, "
                                             r"$\sqrt{\bar{\alpha}} x_0 + \sqrt{1 - \bar{\alpha}} \epsilon$, not the "
                                             r"clean $x_0$.")
        return out


def _n(x: float) -> Expr:
    return paren(Num(x)) if x < 0 else Num(x)
