"""Output shape of a 2-D convolution layer.

Catalog: seed_003 A1 (formula sheet, lines 1659–1663, whose formula is wrong), seed_004 C4, seed_002 E1.

Parameters:
    H, W: input height and width. C_in: input channels. C_out: number of filters.
    K: square kernel size, or Kh, Kw for a rectangular kernel (give K or both Kh and Kw).
    S: stride. P: zero padding added on every side. D: dilation (default 1).

Answer parts: ``h_out``, ``w_out``, ``c_out`` (integers).

Conventions stated in the prompt: PyTorch ``nn.Conv2d`` semantics, padding P on each of the four sides, the
floor of the division, shape written C×H×W.

Formula: H_out = ⌊(H + 2P − D(K_h − 1) − 1)/S⌋ + 1 (and the same for W with K_w); C_out = number of filters.

Reference: ``nn.Conv2d`` built on the meta device, applied to a meta tensor; the output shape is read off
(examprep.reference.cnn:conv_output_size).

Common mistakes (most common first): ceil instead of floor, padding on one side only, the +1 forgotten, the padding
subtracted (H − 2P − (K − 1), seed_003's notes), dilation ignored, Kh and Kw swapped, C_in reported as the
channel count, the transposed-conv formula.

Versions: v1 — first version.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType
from examprep.seeding import picker
from examprep.solver.expr import Num, Sym, floor, paren
from examprep.solver.step import Derivation

H, W, P, D, S, Kh, Kw = Sym("H"), Sym("W"), Sym("P"), Sym("D"), Sym("S"), Sym("K_h"), Sym("K_w")


def out_size(n: int, k: int, s: int, p: int, d: int, rounding: Any = math.floor) -> int:
    return int(rounding((n + 2 * p - d * (k - 1) - 1) / s)) + 1


def kernel(p: Params) -> tuple[int, int]:
    """(Kh, Kw): K when given, else the rectangular pair."""
    return (p.K, p.K) if p.K is not None else (p.Kh, p.Kw)


class ConvOutputSize(ProblemType):
    id = "cnn/conv_output_size-v1"
    title = "Conv2d output shape"
    catalog = "seed_003 A1; seed_004 C4"
    reference_entry = "examprep.reference.cnn:conv_output_size"
    params = (
        Param("H", "int", "input height", lo=1, hi=4096),
        Param("W", "int", "input width", lo=1, hi=4096),
        Param("C_in", "int", "input channels", lo=1, hi=4096),
        Param("C_out", "int", "number of filters (output channels)", lo=1, hi=4096),
        Param("K", "int", "square kernel size (or give Kh and Kw)", lo=1, hi=64, optional=True),
        Param("Kh", "int", "kernel height (rectangular kernel)", lo=1, hi=64, optional=True),
        Param("Kw", "int", "kernel width (rectangular kernel)", lo=1, hi=64, optional=True),
        Param("S", "int", "stride", lo=1, hi=64, default=1),
        Param("P", "int", "zero padding on each side", lo=0, hi=64, default=0),
        Param("D", "int", "dilation", lo=1, hi=16, default=1),
    )
    parts = (
        Part("h_out", "Output height", "integer"),
        Part("w_out", "Output width", "integer"),
        Part("c_out", "Output channels", "integer"),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = picker(rng)
        if difficulty == "easy":
            h = pick([5, 7, 28, 32])
            return dict(H=h, W=h, C_in=pick([1, 3]), C_out=pick([6, 8, 16]), K=pick([3, 5]),
                        S=pick([1, 2]), P=pick([0, 1]), D=1)
        if difficulty == "medium":
            h = pick([28, 32, 64, 224, 227])
            return dict(H=h, W=h, C_in=pick([1, 3, 16, 32]), C_out=pick([8, 16, 32, 64, 96, 128]),
                        K=pick([1, 3, 5, 7, 11]), S=pick([1, 2, 4]), P=pick([0, 1, 2, 3]), D=1)
        kh, kw = pick([1, 3, 5, 7]), pick([1, 3, 5, 7])
        return dict(H=pick([28, 32, 64, 96]), W=pick([28, 32, 48, 64]), C_in=pick([3, 16, 32, 64]),
                    C_out=pick([16, 32, 64, 128, 256]), Kh=kh, Kw=kw, S=pick([1, 2, 3]), P=pick([0, 1, 2, 3]),
                    D=pick([1, 2]))

    def check(self, p: Params) -> list[str]:
        from examprep.errors import ParamError

        if p.K is None and (p.Kh is None or p.Kw is None):
            raise ParamError("give the kernel size: --set K=3 for a square kernel, or both Kh and Kw")
        if p.K is not None and (p.Kh is not None or p.Kw is not None):
            raise ParamError("give either K (square kernel) or Kh and Kw, not both")
        kh, kw = kernel(p)
        for name, n, k in (("H", p.H, kh), ("W", p.W, kw)):
            if n + 2 * p.P - p.D * (k - 1) - 1 < 0:
                raise ParamError(f"the kernel (dilated size {p.D * (k - 1) + 1}) is larger than the padded input "
                                 f"{name} + 2P = {n + 2 * p.P}; use a smaller K or D, or more padding")
        return []

    def statement(self, p: Params) -> list[Any]:
        kh, kw = kernel(p)
        return [
            rf"A convolution layer has $C_{{\text{{out}}}} = {p.C_out}$ "
            + ("filter" if p.C_out == 1 else "filters") + " of size "
            rf"$K_h \times K_w = {kh} \times {kw}$ ($\text{{height}} \times \text{{width}}$), stride $S = {p.S}$, "
            rf"padding $P = {p.P}$, dilation $D = {p.D}$, and is applied to a "
            rf"$C_{{\text{{in}}}} \times H \times W = {p.C_in} \times {p.H} \times {p.W}$ input. "
            r"What is the output shape ($C \times H \times W$)? "
            "Conventions: PyTorch nn.Conv2d; padding $P$ is added on every side; "
            "the division is rounded down (floor)."
        ]

    def solve(self, p: Params) -> Answers:
        kh, kw = kernel(p)
        return {"h_out": out_size(p.H, kh, p.S, p.P, p.D), "w_out": out_size(p.W, kw, p.S, p.P, p.D),
                "c_out": p.C_out}

    def derivation(self, p: Params) -> Derivation:
        kh, kw = kernel(p)
        ans = self.solve(p)
        d = Derivation()
        for part, title, n_sym, n, k_sym, k in (("h_out", "Output height", H, p.H, Kh, kh),
                                                 ("w_out", "Output width", W, p.W, Kw, kw)):
            inner = n_sym + 2 * P - D * paren(k_sym - 1) - 1
            formula = floor(inner / S) + 1
            subs = {n_sym: n, "P": p.P, "D": p.D, k_sym: k, "S": p.S}
            num = n + 2 * p.P - p.D * (k - 1) - 1
            d.add(title, ans[part], lhs=Sym(part.replace("h_out", "H_out").replace("w_out", "W_out")),
                  formula=formula, subs=subs, part=part,
                  chain=[floor(Num(num) / Num(p.S)) + 1] if p.S != 1 else [])
        d.add("Channels", p.C_out, lhs="C_out", part="c_out", note="one output channel per filter")
        d.answer = f"{ans['c_out']} × {ans['h_out']} × {ans['w_out']}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        kh, kw = kernel(p)

        def both(f: Any) -> dict[str, int]:
            return {"h_out": f(p.H, kh), "w_out": f(p.W, kw)}

        # Listed most common first: when several give the same value the grader names them all in this order.
        m: dict[str, Mistake] = {}
        if p.S > 1:
            m["ceil"] = Mistake(both(lambda n, k: out_size(n, k, p.S, p.P, p.D, math.ceil)),
                                "You rounded up: a window that does not fit is dropped, so round down (floor).")
        if p.P > 0:
            m["padding_one_side"] = Mistake(
                both(lambda n, k: math.floor((n + p.P - p.D * (k - 1) - 1) / p.S) + 1),
                "You added the padding on one side only: it is added on both sides, so the input grows by 2P.")
        m["no_plus_one"] = Mistake(both(lambda n, k: math.floor((n + 2 * p.P - p.D * (k - 1) - 1) / p.S)),
                                   "You forgot the +1 (the first window position counts too).")
        # ⌊(W − 2P − (K − 1))/S⌋ + 1 (seed_003's revision notes) has two errors: it subtracts the padding and drops
        # the −1, so it is wrong even without padding (5×5 input, K = 3, P = 0 gives 4 instead of 3).
        m["padding_subtracted"] = Mistake(
            both(lambda n, k: math.floor((n - 2 * p.P - p.D * (k - 1)) / p.S) + 1),
            r"You used $\lfloor (W - 2P - (K - 1))/S \rfloor + 1$: padding adds $2P$ to the input size "
            r"(it is not subtracted) and the dilated kernel spans $D(K - 1) + 1$ pixels, so the formula is "
            r"$\lfloor (W + 2P - D(K - 1) - 1)/S \rfloor + 1$.")
        if p.D > 1:
            m["dilation_ignored"] = Mistake(both(lambda n, k: out_size(n, k, p.S, p.P, 1)),
                                            "You ignored the dilation: the kernel spans $D(K - 1) + 1$ pixels.")
        if kh != kw:
            m["kernel_swapped"] = Mistake({"h_out": out_size(p.H, kw, p.S, p.P, p.D),
                                           "w_out": out_size(p.W, kh, p.S, p.P, p.D)},
                                          "You swapped the kernel's height and width.")
        if p.C_in != p.C_out:
            m["c_in_channels"] = Mistake({"c_out": p.C_in},
                                         "The output has one channel per filter (C_out), not C_in channels.")
        m["transposed_formula"] = Mistake(both(lambda n, k: p.S * (n - 1) - 2 * p.P + p.D * (k - 1) + 1),
                                          "That is the transposed-convolution formula; a convolution shrinks.")
        return m
