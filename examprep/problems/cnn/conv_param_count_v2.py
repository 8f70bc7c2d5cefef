"""Conv2d parameter count (v1's parts), plus its multiply-accumulates and the dense layer it replaces.

Catalog: seed_002 E4 (parameter sharing, lines 428–455), seed_004 C5 and C1.

Parameters: v1's C_in, C_out, Kh, Kw, bias, groups, plus H, W (the input size), S (stride, default 1) and P
(padding on every side, default 0).

Answer parts: v1's ``weights``, ``biases``, ``total``, plus ``macs`` = H_out·W_out·C_out·(C_in/groups)·Kh·Kw
(biases not counted) and ``dense_params`` (a dense layer from the C_in·H·W inputs to the C_out·H_out·W_out outputs,
one bias per output when the convolution has a bias).

Conventions stated in the prompt: v1's; H_out = ⌊(H + 2P − Kh)/S⌋ + 1 and likewise W_out; one MAC is one
multiply-accumulate.

Reference: ``nn.Conv2d`` on the meta device: output numel × ``weight[0].numel()`` for the MACs; ``nn.Linear``'s
numel for the dense layer (examprep.reference.cnn_layers:conv_param_count_v2).

Common mistakes: v1's; MACs counted over the input size instead of the output; FLOPs (2 per MAC) given as MACs; the
dense layer's biases forgotten.

Versions: v2 — adds H, W, S, P and the parts macs and dense_params (v1 stays registered for its codes).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake
from examprep.problems.cnn.conv_param_count import ConvParamCount
from examprep.seeding import picker
from examprep.solver.expr import Sym, floor
from examprep.solver.step import Derivation


def out_size(n: int, k: int, s: int, p: int) -> int:
    return (n + 2 * p - k) // s + 1


class ConvParamCountV2(ConvParamCount):
    id = "cnn/conv_param_count-v2"
    title = "Conv2d parameters, MACs and the dense layer it replaces"
    catalog = "seed_002 E4; seed_004 C5, C1"
    reference_entry = "examprep.reference.cnn_layers:conv_param_count_v2"
    params = (*ConvParamCount.params,
              Param("H", "int", "input height", lo=1, hi=1024),
              Param("W", "int", "input width", lo=1, hi=1024),
              Param("S", "int", "stride", lo=1, hi=16, default=1),
              Param("P", "int", "padding on every side", lo=0, hi=16, default=0))
    parts = (*ConvParamCount.parts,
             Part("macs", "Multiply-accumulates", "integer"),
             Part("dense_params", "Parameters of the equivalent dense layer", "integer"))

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = picker(rng)
        base = super().sample(rng, difficulty)
        side = pick([28, 32]) if difficulty != "hard" else pick([28, 32, 56])
        k = base["Kh"]
        S = 1 if difficulty == "easy" else pick([1, 2])
        P = (k - 1) // 2 if difficulty != "hard" else pick([0, (base["Kh"] - 1) // 2])
        if difficulty == "hard":
            base["Kw"] = k  # a square kernel keeps 'same' padding meaningful
        return {**base, "H": side, "W": side, "S": S, "P": P}

    def _hw(self, p: Params) -> tuple[int, int]:
        return out_size(p.H, p.Kh, p.S, p.P), out_size(p.W, p.Kw, p.S, p.P)

    def check(self, p: Params) -> list[str]:
        warn = super().check(p)
        if p.H + 2 * p.P < p.Kh or p.W + 2 * p.P < p.Kw:
            raise ParamError(f"the {p.Kh}×{p.Kw} kernel does not fit the padded {p.H + 2 * p.P}×{p.W + 2 * p.P} "
                             "input")
        return warn

    def statement(self, p: Params) -> list[Any]:
        grp = f", groups={p.groups}" if p.groups != 1 else ""
        b = "with a bias" if p.bias else "without bias (bias=False)"
        return [
            f"A convolution layer nn.Conv2d({p.C_in}, {p.C_out}, kernel_size=({p.Kh}, {p.Kw}), stride={p.S}, "
            f"padding={p.P}{grp}) {b} is applied to a {p.C_in}×{p.H}×{p.W} input (C×H×W). How many weights, "
            "biases and parameters in total does it have? How many multiply-accumulates (MACs) does one forward "
            "pass take ($H_{out} \\cdot W_{out} \\cdot C_{out} \\cdot (C_{in}/g) \\cdot K_h \\cdot K_w$, biases not "
            "counted), with $H_{out} = \\lfloor (H + 2P - K_h)/S \\rfloor + 1$? And how many parameters would a "
            "dense (fully connected) layer have that maps the same $C_{in} \\cdot H \\cdot W$ inputs to the same "
            "$C_{out} \\cdot H_{out} \\cdot W_{out}$ outputs" + (", with one bias per output?" if p.bias else
                                                                 ", without biases?")
            + " Conventions: PyTorch nn.Conv2d; each filter sees $C_{in}/g$ input channels; one bias per output "
            "channel."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        ans = super().solve(p, given)
        ho, wo = self._hw(p)
        outs = p.C_out * ho * wo
        return {**ans, "macs": outs * (p.C_in // p.groups) * p.Kh * p.Kw,
                "dense_params": p.C_in * p.H * p.W * outs + (outs if p.bias else 0)}

    def derivation(self, p: Params) -> Derivation:
        d = super().derivation(p)
        ans = self.solve(p)
        ho, wo = self._hw(p)
        H, W, K_h, K_w, S, P = (Sym(n) for n in ("H", "W", "K_h", "K_w", "S", "P"))
        subs = {"H": p.H, "W": p.W, "K_h": p.Kh, "K_w": p.Kw, "S": p.S, "P": p.P}
        d.add("Output height", ho, lhs="H_out", formula=floor((H + 2 * P - K_h) / S) + 1, subs=subs)
        d.add("Output width", wo, lhs="W_out", formula=floor((W + 2 * P - K_w) / S) + 1, subs=subs)
        d.add("MACs", ans["macs"], lhs="MACs", part="macs",
              formula=Sym("H_out") * Sym("W_out") * Sym("C_out") * (Sym("C_in") / Sym("g")) * K_h * K_w,
              subs={"H_out": ho, "W_out": wo, "C_out": p.C_out, "C_in": p.C_in, "g": p.groups, **subs},
              note="one multiply-accumulate per weight of a filter, per output value")
        ins, outs = p.C_in * p.H * p.W, p.C_out * ho * wo
        n_in, n_out = Sym("n_in", latex=r"n_{\mathrm{in}}", typst='n_"in"'), Sym("n_out", latex=r"n_{\mathrm{out}}",
                                                                                   typst='n_"out"')
        d.add("Dense layer", ans["dense_params"], lhs=Sym("P_dense", latex=r"P_{\mathrm{dense}}",
              typst='P_"dense"'), formula=n_in * n_out + n_out if p.bias else n_in * n_out,
              subs={"n_in": ins, "n_out": outs}, part="dense_params",
              note=f"n_in = {p.C_in}·{p.H}·{p.W} = {ins:,} inputs, n_out = {p.C_out}·{ho}·{wo} = {outs:,} outputs")
        d.answer = (f"{ans['total']:,} parameters; {ans['macs']:,} MACs; dense equivalent "
                    f"{ans['dense_params']:,} parameters")
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        m = super().mistakes(p)
        ans = self.solve(p)
        ho, wo = self._hw(p)
        if (ho, wo) != (p.H, p.W):
            m["macs_over_input"] = Mistake(
                {"macs": ans["macs"] // (ho * wo) * p.H * p.W},
                r"Count the MACs over the output positions ($H_{out} W_{out}$), where the "
                "filter is applied.")
        m["flops_for_macs"] = Mistake(
            {"macs": 2 * ans["macs"]},
            r"A multiply-accumulate counts once; FLOPs (a multiplication and an addition) are $2 \times$ MACs.")
        if p.bias:
            m["dense_bias_forgotten"] = Mistake(
                {"dense_params": ans["dense_params"] - p.C_out * ho * wo},
                r"The dense layer has one bias per output value: add $C_{out} H_{out} W_{out}$.")
        return m
