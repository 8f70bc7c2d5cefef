"""An Inception module: output depth, multiply-accumulates and parameters, with or without 1×1 bottlenecks.

Catalog: seed_004 C10 (GoogLeNet, lines 1401–1497).

Parameters:
    H, W, C_in: the input. n1, n3, n5: filters of the 1×1, 3×3 and 5×5 branches. pool_proj: 1×1 filters after the
    3×3 stride-1 max pool (0: the pooled input passes through). r3, r5: 1×1 reductions before the 3×3 and 5×5
    convolutions (0: none).

Answer parts: ``depth`` (channels of the concatenated output), ``macs`` (multiply-accumulates of every
convolution, 'same' padding so every branch keeps H×W; biases and the pool not counted) and ``params`` (every
convolution's weights and biases).

Formulas: a K×K convolution from C to F channels on an H×W output costs H·W·F·K²·C MACs and has (K²·C + 1)·F
parameters.

Reference: the module's ``nn.Conv2d`` layers run on the meta device: MACs = output numel × weight[0].numel(),
parameters by numel (examprep.reference.cnn_layers:inception_module).

Common mistakes: the pool branch's depth forgotten (a pass-through pool keeps C_in channels), the input depth
used after a bottleneck (the 3×3 or 5×5 sees r3 or r5 channels), FLOPs (2 per MAC) given as MACs.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType
from examprep.seeding import picker
from examprep.solver.expr import Sym
from examprep.solver.step import Derivation


def layers(p: Params, bottleneck_input: bool = True) -> list[tuple[str, int, int, int]]:
    """(name, K, C in, C out) of every convolution; ``bottleneck_input`` False feeds C_in after a reduction."""
    out = [("1×1 branch", 1, p.C_in, p.n1)]
    for k, n, r in ((3, p.n3, p.r3), (5, p.n5, p.r5)):
        if r:
            out.append((f"1×1 reduction before the {k}×{k}", 1, p.C_in, r))
        out.append((f"{k}×{k} branch", k, r if (r and bottleneck_input) else p.C_in, n))
    if p.pool_proj:
        out.append(("1×1 after the pool", 1, p.C_in, p.pool_proj))
    return out


class InceptionModule(ProblemType):
    id = "cnn/inception_module-v1"
    title = "Inception module: depth, MACs and parameters"
    catalog = "seed_004 C10"
    reference_entry = "examprep.reference.cnn_layers:inception_module"
    params = (
        Param("H", "int", "input height", lo=1, hi=512),
        Param("W", "int", "input width", lo=1, hi=512),
        Param("C_in", "int", "input channels", lo=1, hi=2048),
        Param("n1", "int", "1×1 branch filters", lo=1, hi=2048),
        Param("n3", "int", "3×3 branch filters", lo=1, hi=2048),
        Param("n5", "int", "5×5 branch filters", lo=1, hi=2048),
        Param("pool_proj", "int", "1×1 filters after the pool (0: pass-through)", lo=0, hi=2048, default=0),
        Param("r3", "int", "1×1 reduction before the 3×3 (0: none)", lo=0, hi=2048, default=0),
        Param("r5", "int", "1×1 reduction before the 5×5 (0: none)", lo=0, hi=2048, default=0),
    )
    parts = (
        Part("depth", "Output depth", "integer"),
        Part("macs", "Multiply-accumulates of the convolutions", "integer"),
        Part("params", "Parameters (weights and biases)", "integer"),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = picker(rng)
        side = pick([14, 28]) if difficulty != "easy" else 28
        c = pick([192, 256, 480])
        n1, n3, n5 = pick([64, 128]), pick([128, 192, 208]), pick([32, 48, 96])
        if difficulty == "easy":
            return dict(H=side, W=side, C_in=c, n1=n1, n3=n3, n5=n5, pool_proj=0, r3=0, r5=0)
        r3, r5 = pick([64, 96, 128]), pick([16, 32, 64])
        pp = pick([32, 64]) if difficulty == "hard" or rng.random() < 0.5 else 0
        return dict(H=side, W=side, C_in=c, n1=n1, n3=n3, n5=n5, pool_proj=pp, r3=r3, r5=r5)

    def statement(self, p: Params) -> list[Any]:
        b3 = f"a 1×1 reduction to {p.r3} channels, then " if p.r3 else ""
        b5 = f"a 1×1 reduction to {p.r5} channels, then " if p.r5 else ""
        pool = (f"a 3×3 max pool (stride 1) followed by a 1×1 convolution with {p.pool_proj} filters" if p.pool_proj
                else "a 3×3 max pool (stride 1) whose output passes through unchanged")
        return [
            f"An Inception module receives an input of {p.H}×{p.W}×{p.C_in} (H×W×C). Its four parallel branches "
            f"are: a 1×1 convolution with {p.n1} filters; {b3}a 3×3 convolution with {p.n3} filters; {b5}a 5×5 "
            f"convolution with {p.n5} filters; and {pool}. Every convolution has stride 1, 'same' padding (the "
            "output stays H×W) and a bias; the branch outputs are concatenated along the depth. Give the output "
            "depth, the number of multiply-accumulates (MACs) of all convolutions ($H \\cdot W \\cdot F \\cdot "
            "K^2 \\cdot C$ for a $K \\times K$ convolution from $C$ to $F$ channels; biases and the pool not "
            "counted) and the number of parameters (weights and biases)."
        ]

    def solve(self, p: Params) -> Answers:
        ls = layers(p)
        return {"depth": p.n1 + p.n3 + p.n5 + (p.pool_proj or p.C_in),
                "macs": sum(p.H * p.W * f * k * k * c for _, k, c, f in ls),
                "params": sum((k * k * c + 1) * f for _, k, c, f in ls)}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        last = p.pool_proj or p.C_in
        d.add("Output depth", ans["depth"], lhs="depth", part="depth",
              note=f"{p.n1} + {p.n3} + {p.n5} + {last} (" + ("the pool's 1×1 filters" if p.pool_proj
                                                             else "the pooled input keeps its C_in channels") + ")")
        H, W, Fs, K, C = (Sym(n) for n in ("H", "W", "F", "K", "C"))
        for name, k, c, f in layers(p):
            d.add(f"MACs of the {name}", p.H * p.W * f * k * k * c, formula=H * W * Fs * K**2 * C,
                  subs={"H": p.H, "W": p.W, "F": f, "K": k, "C": c},
                  note=f"parameters (K²·C + 1)·F = ({k}²·{c} + 1)·{f} = {(k * k * c + 1) * f:,}")
        d.add("Total MACs", ans["macs"], lhs="MACs", part="macs")
        d.add("Total parameters", ans["params"], lhs="params", part="params")
        d.answer = f"depth {ans['depth']}, {ans['macs']:,} MACs, {ans['params']:,} parameters"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        ans = self.solve(p)
        m = {"flops_for_macs": Mistake(
            {"macs": 2 * ans["macs"]},
            "A multiply-accumulate is one multiplication and one addition: FLOPs are 2 × MACs. The question asks "
            "for MACs.")}
        if not p.pool_proj:
            m["pool_depth_forgotten"] = Mistake(
                {"depth": p.n1 + p.n3 + p.n5},
                "The pool branch also goes into the concatenation: it passes C_in channels through.")
        if p.r3 or p.r5:
            wrong = layers(p, bottleneck_input=False)
            m["input_depth_after_bottleneck"] = Mistake(
                {"macs": sum(p.H * p.W * f * k * k * c for _, k, c, f in wrong),
                 "params": sum((k * k * c + 1) * f for _, k, c, f in wrong)},
                "After a 1×1 bottleneck the 3×3 (or 5×5) convolution sees the reduced depth, not C_in.")
        return m
