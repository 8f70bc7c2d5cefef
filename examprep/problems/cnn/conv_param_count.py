"""Number of learnable parameters of a 2-D convolution layer (optionally grouped, with or without bias).

Catalog: seed_003 A3 (formula sheet, lines 1669–1675, 1738–1740), seed_004 C5 (and C1), seed_002 E4.

Parameters:
    C_in, C_out: input and output channels. Kh, Kw: kernel height and width. bias: whether the layer has a bias.
    groups: number of groups (must divide C_in and C_out; 1 is an ordinary convolution).

Answer parts: ``weights``, ``biases``, ``total`` (integers).

Conventions stated in the prompt: PyTorch ``nn.Conv2d``: each of the C_out filters sees C_in/groups input channels;
one bias per output channel; the count does not depend on the input's height and width.

Formula: weights = C_out·(C_in/g)·K_h·K_w; biases = C_out (or 0 without bias); total = weights + biases.

Reference: ``nn.Conv2d(...)`` on the meta device; ``weight.numel()`` and ``bias.numel()``
(examprep.reference.cnn:conv_param_count).

Common mistakes: C_in left out (an RGB input treated as one channel), the groups ignored, one bias per weight,
one bias per input channel, the bias forgotten in the total.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.seeding import picker
from examprep.solver.expr import Sym, paren
from examprep.solver.step import Derivation

C_IN, C_OUT, KH, KW, G = Sym("C_in"), Sym("C_out"), Sym("K_h"), Sym("K_w"), Sym("g")


class ConvParamCount(ProblemType):
    id = "cnn/conv_param_count-v1"
    title = "Conv2d parameter count"
    catalog = "seed_003 A3; seed_004 C5"
    reference_entry = "examprep.reference.cnn:conv_param_count"
    params = (
        Param("C_in", "int", "input channels", lo=1, hi=4096),
        Param("C_out", "int", "output channels (filters)", lo=1, hi=4096),
        Param("Kh", "int", "kernel height", lo=1, hi=64),
        Param("Kw", "int", "kernel width", lo=1, hi=64),
        Param("bias", "bool", "the layer has a bias", default=True),
        Param("groups", "int", "groups (divides C_in and C_out)", lo=1, hi=4096, default=1),
    )
    parts = (
        Part("weights", "Number of weights", "integer"),
        Part("biases", "Number of biases", "integer"),
        Part("total", "Total parameters", "integer", uses=("weights", "biases")),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = picker(rng)
        if difficulty == "easy":
            k = pick([1, 3, 5])
            return dict(C_in=pick([1, 3]), C_out=pick([6, 8, 16, 32]), Kh=k, Kw=k, bias=True, groups=1)
        if difficulty == "medium":
            k = pick([1, 3, 5, 7])
            return dict(C_in=pick([3, 16, 32, 64]), C_out=pick([16, 32, 64, 96, 128, 256]), Kh=k, Kw=k,
                        bias=bool(rng.integers(2)), groups=1)
        return dict(C_in=pick([16, 32, 64, 96]), C_out=pick([32, 64, 128, 256]), Kh=pick([1, 3, 5, 7]),
                    Kw=pick([1, 3, 5, 7]), bias=bool(rng.integers(2)), groups=pick([1, 2, 4, 8]))

    def check(self, p: Params) -> list[str]:
        from examprep.errors import ParamError

        for name in ("C_in", "C_out"):
            if p[name] % p.groups:
                raise ParamError(f"groups={p.groups} must divide {name}={p[name]}; use a divisor of both C_in and "
                                 "C_out")
        return []

    def statement(self, p: Params) -> list[Any]:
        grp = f", groups={p.groups}" if p.groups != 1 else ""
        b = "with a bias" if p.bias else "without bias (bias=False)"
        return [
            f"A convolution layer nn.Conv2d({p.C_in}, {p.C_out}, kernel_size=({p.Kh}, {p.Kw}){grp}) {b} "
            rf"($C_{{\text{{in}}}} = {p.C_in}$ input and $C_{{\text{{out}}}} = {p.C_out}$ output channels, a "
            rf"$K_h \times K_w = {p.Kh} \times {p.Kw}$ kernel) is applied to a feature map. How many weights, how "
            r"many biases and how many parameters in total does it have? Conventions: PyTorch nn.Conv2d; kernel "
            "(height, width); each filter sees "
            r"$C_{\text{in}} / \text{groups}$ input channels; one bias per output channel."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        w = p.C_out * (p.C_in // p.groups) * p.Kh * p.Kw
        b = p.C_out if p.bias else 0
        if given:  # error carried forward: the total of the student's own counts
            w, b = int(round(carry(given, "weights", w))), int(round(carry(given, "biases", b)))
        return {"weights": w, "biases": b, "total": w + b}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        subs = {"C_in": p.C_in, "C_out": p.C_out, "K_h": p.Kh, "K_w": p.Kw, "g": p.groups}
        if p.groups == 1:
            d.add("Weights", ans["weights"], lhs="N_w", formula=C_OUT * C_IN * KH * KW, subs=subs, part="weights",
                  note="one K_h×K_w kernel per (output channel, input channel) pair")
        else:
            d.add("Weights", ans["weights"], lhs="N_w", formula=C_OUT * paren(C_IN / G) * KH * KW, subs=subs,
                  part="weights", note="each filter sees only the C_in/g channels of its group")
        if p.bias:
            d.add("Biases", ans["biases"], lhs="N_b", formula=C_OUT, subs=subs, part="biases",
                  note="one bias per output channel")
        else:
            d.add("Biases", 0, lhs="N_b", part="biases", note="bias=False")
        d.add("Total", ans["total"], lhs="N", formula=Sym("N_w") + Sym("N_b"),
              subs={"N_w": ans["weights"], "N_b": ans["biases"]}, part="total")
        d.answer = f"{ans['weights']} weights + {ans['biases']} biases = {ans['total']} parameters"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        ans = self.solve(p)
        b = ans["biases"]

        def counts(w: int, bb: int) -> dict[str, int]:
            return {"weights": w, "biases": bb, "total": w + bb}

        m: dict[str, Mistake] = {}
        if p.C_in // p.groups > 1:
            m["no_c_in"] = Mistake(counts(p.C_out * p.Kh * p.Kw, b),
                                   "Each filter spans all its input channels: multiply by C_in (divided by the "
                                   "groups); an RGB input has 3 channels.")
        if p.groups > 1:
            m["groups_ignored"] = Mistake(counts(p.C_out * p.C_in * p.Kh * p.Kw, b),
                                          "With groups, each filter sees only C_in/groups input channels.")
        if p.bias:
            m["bias_per_weight"] = Mistake(counts(ans["weights"], ans["weights"]),
                                           "There is one bias per output channel (filter), not one per weight.")
            if p.C_in != p.C_out:
                m["bias_per_input_channel"] = Mistake(counts(ans["weights"], p.C_in),
                                                      "There is one bias per output channel, not per input channel.")
            m["bias_forgotten"] = Mistake({"total": ans["weights"]},
                                          "The total includes the C_out biases.")
        return m
