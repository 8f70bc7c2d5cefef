"""Output size of a 2-D transposed convolution (``nn.ConvTranspose2d``).

Catalog: seed_003 A1 (the transposed-conv formula, named there as a mistake for the forward conv), seed_004 C4,
seed_002 E1 (upsampling, bed of nails as a stride-2 transposed conv).

Parameters:
    H, W: input height and width. K: square kernel size. S: stride. P: padding (removed from each side of the
    full output). output_padding: extra rows/columns added on one side (bottom/right), must be < max(S, D).
    D: dilation.

Answer parts: ``h_out``, ``w_out`` (integers).

Conventions stated in the prompt: PyTorch ``nn.ConvTranspose2d`` semantics: padding P is cropped from every side
of the full output, output_padding is added once (on one side).

Formula: H_out = (H − 1)·S − 2P + D(K − 1) + output_padding + 1 (and the same for W).

Reference: ``nn.ConvTranspose2d`` built on the meta device, applied to a meta tensor; the shape is read off
(examprep.reference.cnn:transposed_conv_output_size).

Common mistakes: the forward-conv formula, padding added instead of removed, S·H instead of (H − 1)·S,
output_padding ignored, dilation ignored, the +1 forgotten.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType
from examprep.seeding import picker
from examprep.solver.expr import Sym, paren
from examprep.solver.step import Derivation

H, W, P, S, K, D, OP = Sym("H"), Sym("W"), Sym("P"), Sym("S"), Sym("K"), Sym("D"), Sym("p_out")


def tconv_size(n: int, k: int, s: int, p: int, op: int, d: int) -> int:
    return (n - 1) * s - 2 * p + d * (k - 1) + op + 1


class TransposedConvOutputSize(ProblemType):
    id = "cnn/transposed_conv_output_size-v1"
    title = "ConvTranspose2d output size"
    catalog = "seed_003 A1; seed_004 C4"
    reference_entry = "examprep.reference.cnn:transposed_conv_output_size"
    params = (
        Param("H", "int", "input height", lo=1, hi=4096),
        Param("W", "int", "input width", lo=1, hi=4096),
        Param("K", "int", "square kernel size", lo=1, hi=64),
        Param("S", "int", "stride", lo=1, hi=64, default=1),
        Param("P", "int", "padding (cropped from each side of the output)", lo=0, hi=64, default=0),
        Param("output_padding", "int", "extra size added on one side (< max(S, D))", lo=0, hi=63, default=0),
        Param("D", "int", "dilation", lo=1, hi=16, default=1),
    )
    parts = (
        Part("h_out", "Output height", "integer"),
        Part("w_out", "Output width", "integer"),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = picker(rng)
        if difficulty == "easy":
            h = pick([2, 3, 4, 5, 7, 8])
            return dict(H=h, W=h, K=pick([2, 3, 4]), S=pick([1, 2]), P=pick([0, 1]), output_padding=0, D=1)
        if difficulty == "medium":
            h, s = pick([4, 7, 8, 14, 16, 28]), pick([2, 3])
            return dict(H=h, W=h, K=pick([2, 3, 4, 5]), S=s, P=pick([0, 1, 2]),
                        output_padding=int(rng.integers(s)), D=1)
        s, d = pick([2, 3]), pick([1, 2])
        return dict(H=pick([4, 7, 8, 14, 16]), W=pick([5, 6, 8, 12, 28]), K=pick([3, 4, 5]), S=s,
                    P=pick([0, 1, 2, 3]), output_padding=int(rng.integers(max(s, d))), D=d)

    def check(self, p: Params) -> list[str]:
        from examprep.errors import ParamError

        if p.output_padding >= max(p.S, p.D):
            raise ParamError(f"output_padding={p.output_padding} must be smaller than the stride or the dilation "
                             f"(max(S, D) = {max(p.S, p.D)}), as in PyTorch")
        for name, n in (("H", p.H), ("W", p.W)):
            if tconv_size(n, p.K, p.S, p.P, p.output_padding, p.D) < 1:
                raise ParamError(f"the padding P={p.P} crops the whole output along {name}; use a smaller P")
        return []

    def statement(self, p: Params) -> list[Any]:
        return [
            rf"A transposed convolution (nn.ConvTranspose2d) with a $K \times K = {p.K} \times {p.K}$ kernel, "
            rf"stride $S = {p.S}$, padding $P = {p.P}$, output_padding $p_{{\text{{out}}}} = {p.output_padding}$, "
            rf"dilation $D = {p.D}$ is applied to a feature map of height $H = {p.H}$ and width $W = {p.W}$. "
            "What are the output height and width? Conventions: PyTorch nn.ConvTranspose2d; the padding $P$ is "
            "removed from every side of the full output; output_padding is added once, on one side."
        ]

    def solve(self, p: Params) -> Answers:
        return {"h_out": tconv_size(p.H, p.K, p.S, p.P, p.output_padding, p.D),
                "w_out": tconv_size(p.W, p.K, p.S, p.P, p.output_padding, p.D)}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        for part, title, n_sym, n in (("h_out", "Output height", H, p.H), ("w_out", "Output width", W, p.W)):
            formula = paren(n_sym - 1) * S - 2 * P + D * paren(K - 1) + OP + 1
            d.add(title, ans[part], lhs=Sym("H_out" if part == "h_out" else "W_out"), formula=formula,
                  subs={n_sym: n, "S": p.S, "P": p.P, "D": p.D, "K": p.K, "p_out": p.output_padding}, part=part,
                  note=None if part == "w_out" else "p_out is output_padding; the input pixels land S apart and "
                  "each spreads a kernel footprint $D(K - 1) + 1$ wide; P is cropped from both sides")
        d.answer = f"{ans['h_out']} × {ans['w_out']}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        def both(f: Any) -> dict[str, int]:
            return {"h_out": f(p.H), "w_out": f(p.W)}

        op, m = p.output_padding, {}
        conv = both(lambda n: (n + 2 * p.P - p.D * (p.K - 1) - 1) // p.S + 1)
        if all(v >= 1 for v in conv.values()):
            m["conv_formula"] = Mistake(conv, "That is the forward-convolution formula; a transposed convolution "
                                              r"enlarges: $(H - 1) S - 2P + D(K - 1) + \text{output\_padding} + 1$.")
        if p.P > 0:
            m["padding_added"] = Mistake(both(lambda n: tconv_size(n, p.K, p.S, -p.P, op, p.D)),
                                         "In a transposed convolution the padding is removed ($-2P$), not added.")
        if p.S > 1:
            m["stride_times_n"] = Mistake(both(lambda n: n * p.S - 2 * p.P + p.D * (p.K - 1) + op + 1),
                                          "The input pixels are S apart, so they span $(H - 1) S$, not $H S$.")
        if op > 0:
            m["output_padding_ignored"] = Mistake(both(lambda n: tconv_size(n, p.K, p.S, p.P, 0, p.D)),
                                                  "You left out output_padding, which adds to one side.")
        if p.D > 1:
            m["dilation_ignored"] = Mistake(both(lambda n: tconv_size(n, p.K, p.S, p.P, op, 1)),
                                            "You ignored the dilation: the kernel spans $D(K - 1) + 1$ pixels.")
        m["no_plus_one"] = Mistake(both(lambda n: tconv_size(n, p.K, p.S, p.P, op, p.D) - 1),
                                   "You forgot the +1: the kernel spans $D(K - 1) + 1$ pixels, not $D(K - 1)$.")
        return m
