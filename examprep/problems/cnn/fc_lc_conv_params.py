"""Fully connected vs locally connected vs convolutional: the parameters that weight sharing saves.

Catalog: seed_004 C1 (lines 899–968) and §1.

Parameters:
    H, W, C: the input image. hidden: units of the fully connected and locally connected layers (one per position
    for the locally connected layer). K: filter side. filters: filters of the convolution. Kt: depth of the Conv3d
    filters (default 3). bias: one bias per unit or filter.

Answer parts: ``fc`` (every unit sees all H·W·C inputs), ``lc`` (every unit has its own K×K×C filter), ``conv``
(the filters are shared by every position), ``conv3d`` (filters of Kt×K×K over C channels) and ``ratio`` = fc/conv.

Reference: ``nn.Linear``, ``nn.Conv2d`` and ``nn.Conv3d`` built on the meta device and counted with ``numel``;
the locally connected layer by its formula (torch has no such layer) (examprep.reference.cnn_layers:
fc_lc_conv_params).

Common mistakes: the conv count multiplied by the number of output positions (ignoring weight sharing), the channels
C forgotten, a rounded figure ("~2B" for 1.6·10⁹) given instead of the exact count.

Versions: v1 — first version.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.seeding import picker
from examprep.solver.expr import Sym
from examprep.solver.step import Derivation


def counts(H: int, W: int, C: int, hidden: int, K: int, filters: int, Kt: int, bias: bool) -> dict[str, int]:
    b = 1 if bias else 0
    return {"fc": H * W * C * hidden + b * hidden, "lc": hidden * K * K * C + b * hidden,
            "conv": filters * K * K * C + b * filters, "conv3d": filters * Kt * K * K * C + b * filters}


def _one_figure(n: int) -> int:
    s = f"{n:.0e}"
    return int(float(s))


class FcLcConvParams(ProblemType):
    id = "cnn/fc_lc_conv_params-v1"
    title = "Fully connected vs locally connected vs convolutional parameters"
    catalog = "seed_004 C1"
    reference_entry = "examprep.reference.cnn_layers:fc_lc_conv_params"
    params = (
        Param("H", "int", "image height", lo=1, hi=1024),
        Param("W", "int", "image width", lo=1, hi=1024),
        Param("C", "int", "image channels", lo=1, hi=512),
        Param("hidden", "int", "hidden units", lo=1, hi=10**6),
        Param("K", "int", "filter side", lo=1, hi=32),
        Param("filters", "int", "convolution filters", lo=1, hi=4096),
        Param("Kt", "int", "Conv3d filter depth", lo=1, hi=16, default=3),
        Param("bias", "bool", "one bias per unit or filter", default=False),
    )
    parts = (
        Part("fc", "Fully connected parameters", "integer"),
        Part("lc", "Locally connected parameters", "integer"),
        Part("conv", "Convolution parameters", "integer"),
        Part("conv3d", "Conv3d parameters", "integer"),
        Part("ratio", "fc / conv", "real", digits=4, uses=("fc", "conv")),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = picker(rng)
        side = pick([28, 32, 64, 100, 200]) if difficulty != "easy" else pick([28, 32])
        C = 1 if difficulty == "easy" else pick([1, 3])
        return dict(H=side, W=side, C=C, hidden=side * side if difficulty != "easy" else pick([100, 500, 1000]),
                    K=pick([3, 5, 7, 10]), filters=pick([16, 32, 64, 100]), Kt=3,
                    bias=difficulty == "hard" and bool(rng.integers(2)))

    def statement(self, p: Params) -> list[Any]:
        b = "Every unit and filter has one bias." if p.bias else "Count weights only (no biases)."
        return [
            f"An input image is {p.H}×{p.W} with {p.C} channel{'s' if p.C > 1 else ''}. Compare three layers: (a) a "
            f"fully connected layer with {p.hidden:,} hidden units, each connected to every input value; (b) a "
            f"locally connected layer with {p.hidden:,} units, each with its own {p.K}×{p.K}×{p.C} filter (no "
            f"sharing); (c) a convolution with {p.filters} filters of {p.K}×{p.K}×{p.C}, shared by every position. "
            f"(d) How many parameters would a Conv3d with {p.filters} filters of {p.Kt}×{p.K}×{p.K} over the "
            f"{p.C} channels have? {b} Give the four counts and the ratio fc/conv (4 significant figures)."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        c: dict[str, Any] = dict(counts(p.H, p.W, p.C, p.hidden, p.K, p.filters, p.Kt, p.bias))
        c["fc"], c["conv"] = carry(given, "fc", c["fc"]), carry(given, "conv", c["conv"])
        r = Fraction(c["fc"]) / Fraction(c["conv"])
        return {**c, "ratio": int(r) if r.denominator == 1 else float(r)}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        H, W, C, N, K, F, Kt = (Sym(n) for n in ("H", "W", "C", "N", "K", "F", "K_t"))
        subs = {"H": p.H, "W": p.W, "C": p.C, "N": p.hidden, "K": p.K, "F": p.filters, "K_t": p.Kt}
        bias = (lambda e, b: e + b) if p.bias else (lambda e, b: e)  # noqa: E731
        d.add("Fully connected", ans["fc"], lhs=Sym("P_fc", latex=r"P_{\mathrm{fc}}", typst='P_"fc"'),
              formula=bias(H * W * C * N, N), subs=subs, part="fc",
              note=rf"$H \times W \times C$: the input, $N = {p.hidden}$ hidden units")
        d.add("Locally connected", ans["lc"], lhs=Sym("P_lc", latex=r"P_{\mathrm{lc}}", typst='P_"lc"'),
              formula=bias(N * K * K * C, N), subs=subs, part="lc", note="one K×K×C filter per unit, not shared")
        d.add("Convolution", ans["conv"], lhs=Sym("P_conv", latex=r"P_{\mathrm{conv}}", typst='P_"conv"'),
              formula=bias(F * K * K * C, F), subs=subs, part="conv",
              note="each filter is shared by every position: its count does not depend on H and W")
        d.add("Conv3d", ans["conv3d"], lhs=Sym("P_3d", latex=r"P_{\mathrm{3d}}", typst='P_"3d"'),
              formula=bias(F * Kt * K * K * C, F), subs=subs, part="conv3d",
              note=r"$K_t \times K \times K$: each 3-D filter's depth, height and width")
        d.add("Ratio", ans["ratio"], lhs="ratio", formula=Sym("P_fc") / Sym("P_conv"),
              subs={"P_fc": ans["fc"], "P_conv": ans["conv"]}, part="ratio")
        d.answer = (f"fc {ans['fc']:,}, lc {ans['lc']:,}, conv {ans['conv']:,}, conv3d {ans['conv3d']:,}; "
                    f"ratio {ans['ratio']:.4g}")
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        ans = self.solve(p)
        m: dict[str, Mistake] = {
            "conv_times_positions": Mistake(
                {"conv": ans["conv"] * p.H * p.W},
                "A convolution shares its filters across positions: the count does not grow with the image size."),
        }
        if p.C > 1:
            no_c = counts(p.H, p.W, 1, p.hidden, p.K, p.filters, p.Kt, p.bias)
            m["channels_forgotten"] = Mistake(
                {k: no_c[k] for k in ("fc", "lc", "conv", "conv3d")},
                f"Each filter (and each fully connected unit) spans all {p.C} input channels: multiply by C.")
        if _one_figure(ans["fc"]) != ans["fc"]:
            m["rounded_count"] = Mistake(
                {"fc": _one_figure(ans["fc"])},
                r"Give the exact count: a figure rounded to one digit (as in '~2B' for $1.6 \cdot 10^9$) "
                "is not the answer.")
        return m
