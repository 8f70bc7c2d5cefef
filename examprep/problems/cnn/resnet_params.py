"""Learnable parameters of one ResNet block (basic or bottleneck), with its shortcut.

Catalog: seed_004 C11 (b) and (d) (ResNet, lines 1510–1573), C12.

Parameters:
    block: ``basic`` (two 3×3 convolutions) or ``bottleneck`` (1×1 to ``width``, 3×3, 1×1 to C_out).
    C_in, C_out: the block's input and output channels. width: the bottleneck's inner width (bottleneck only).
    stride: the stride of the block's 3×3 convolution (1 or 2).

Answer parts: ``conv_params`` (the main path's convolutions, without bias), ``bn_params`` (γ and β of the main
path's BatchNorms), ``shortcut_params`` (0 for the identity; a 1×1 stride-S convolution and its BatchNorm when the
shape changes) and ``total``.

Conventions stated in the prompt: torchvision's blocks: every convolution has bias=False and is followed by a
BatchNorm2d with 2 learnable parameters per channel (the running mean and variance are buffers, not parameters);
the shortcut is the identity when stride = 1 and C_in = C_out, else a 1×1 convolution with that stride and a
BatchNorm.

Reference: ``nn.Conv2d(bias=False)`` and ``nn.BatchNorm2d`` built on the meta device, ``numel`` of their
parameters (examprep.reference.cnn_layers:resnet_params).

Common mistakes: the running statistics counted as parameters, a bias on each convolution, a projection shortcut
counted where the shapes match.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.seeding import picker
from examprep.solver.expr import Sym
from examprep.solver.step import Derivation

CI, CO, WD = Sym("C_in"), Sym("C_out"), Sym("w")


def convs(p: Params) -> list[tuple[int, int, int]]:
    """(K, in, out) of the main path's convolutions."""
    if p.block == "basic":
        return [(3, p.C_in, p.C_out), (3, p.C_out, p.C_out)]
    return [(1, p.C_in, p.width), (3, p.width, p.width), (1, p.width, p.C_out)]


def projection(p: Params) -> bool:
    return p.stride != 1 or p.C_in != p.C_out


class ResNetParams(ProblemType):
    id = "cnn/resnet_params-v1"
    title = "ResNet block parameters (basic or bottleneck)"
    catalog = "seed_004 C11, C12"
    reference_entry = "examprep.reference.cnn_layers:resnet_params"
    params = (
        Param("block", "choice", "basic or bottleneck", choices=("basic", "bottleneck")),
        Param("C_in", "int", "input channels", lo=1, hi=4096),
        Param("C_out", "int", "output channels", lo=1, hi=4096),
        Param("width", "int", "bottleneck inner width (bottleneck only)", lo=1, hi=4096, optional=True),
        Param("stride", "int", "stride of the 3×3 convolution", lo=1, hi=2, default=1),
    )
    parts = (
        Part("conv_params", "Convolution weights of the main path", "integer"),
        Part("bn_params", "BatchNorm parameters of the main path", "integer"),
        Part("shortcut_params", "Shortcut parameters", "integer"),
        Part("total", "Total parameters", "integer", uses=("conv_params", "bn_params", "shortcut_params")),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = picker(rng)
        if difficulty == "easy":
            c = pick([64, 128, 256])
            return dict(block="basic", C_in=c, C_out=c, width=None, stride=1)
        if difficulty == "medium":
            c = pick([64, 128, 256])
            down = bool(rng.integers(2))
            return dict(block="basic", C_in=c // 2 if down else c, C_out=c, width=None, stride=2 if down else 1)
        w = pick([64, 128, 256])
        first = bool(rng.integers(2))
        return dict(block="bottleneck", C_in=w * 2 if first else w * 4, C_out=w * 4, width=w,
                    stride=2 if first else 1)

    def check(self, p: Params) -> list[str]:
        if p.block == "bottleneck" and p.width is None:
            raise ParamError("a bottleneck block needs width (its inner width, e.g. C_out/4)")
        if p.block == "basic" and p.width is not None:
            raise ParamError("width is for bottleneck blocks only; leave it out for a basic block")
        return []

    def statement(self, p: Params) -> list[Any]:
        if p.block == "basic":
            what = (f"a basic block: a 3×3 convolution from {p.C_in} to {p.C_out} channels with stride {p.stride}, "
                    f"then a 3×3 convolution from {p.C_out} to {p.C_out} channels")
        else:
            what = (f"a bottleneck block: a 1×1 convolution from {p.C_in} to {p.width} channels, a 3×3 convolution "
                    f"from {p.width} to {p.width} with stride {p.stride}, a 1×1 convolution from {p.width} to "
                    f"{p.C_out}")
        return [
            f"A ResNet block is {what}. As in torchvision, every convolution has no bias (bias=False) and is "
            "followed by a BatchNorm2d with 2 learnable parameters per channel ($\\gamma$ and $\\beta$; the running "
            "mean and variance are buffers, not parameters). The shortcut is the identity when the stride is 1 and "
            "$C_{in} = C_{out}$; otherwise it is a 1×1 convolution with that stride (no bias) followed by a "
            "BatchNorm2d. How many parameters do the main path's convolutions have, how many its BatchNorms, how "
            "many the shortcut, and how many in total?"
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        conv = carry(given, "conv_params", sum(k * k * a * b for k, a, b in convs(p)))
        bn = carry(given, "bn_params", sum(2 * b for _, _, b in convs(p)))
        short = carry(given, "shortcut_params", p.C_in * p.C_out + 2 * p.C_out if projection(p) else 0)
        return {"conv_params": conv, "bn_params": bn, "shortcut_params": short, "total": conv + bn + short}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        subs = {"C_in": p.C_in, "C_out": p.C_out, **({"w": p.width} if p.width else {})}
        if p.block == "basic":
            d.add("Convolutions", ans["conv_params"], lhs=Sym("N_conv"), formula=9 * CI * CO + 9 * CO * CO,
                  subs=subs, part="conv_params",
                  note=r"two 3×3 convolutions, $K^2 C_{in} C_{out}$ weights each, no bias")
            d.add("BatchNorms", ans["bn_params"], lhs=Sym("N_BN"), formula=2 * CO + 2 * CO, subs=subs,
                  part="bn_params", note=r"$\gamma$ and $\beta$ per channel after each convolution")
        else:
            d.add("Convolutions", ans["conv_params"], lhs=Sym("N_conv"), formula=CI * WD + 9 * WD * WD + WD * CO,
                  subs=subs, part="conv_params", note="1×1, 3×3 and 1×1 convolutions, no bias")
            d.add("BatchNorms", ans["bn_params"], lhs=Sym("N_BN"), formula=2 * WD + 2 * WD + 2 * CO, subs=subs,
                  part="bn_params", note=r"$\gamma$ and $\beta$ per channel after each convolution")
        if projection(p):
            d.add("Shortcut", ans["shortcut_params"], lhs=Sym("N_sc"), formula=CI * CO + 2 * CO, subs=subs,
                  part="shortcut_params", note="the shape changes: a 1×1 convolution and its BatchNorm")
        else:
            d.add("Shortcut", 0, lhs=Sym("N_sc"), part="shortcut_params",
                  note="stride 1 and C_in = C_out: the identity, no parameters")
        d.add("Total", ans["total"], lhs=Sym("N"), formula=Sym("N_conv") + Sym("N_BN") + Sym("N_sc"),
              subs={"N_conv": ans["conv_params"], "N_BN": ans["bn_params"], "N_sc": ans["shortcut_params"]},
              part="total")
        d.answer = f"{ans['total']:,} parameters"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        ans = self.solve(p)
        n_conv = len(convs(p)) + (1 if projection(p) else 0)
        bn_all = ans["bn_params"] + (2 * p.C_out if projection(p) else 0)
        m = {
            "running_stats_counted": Mistake(
                {"bn_params": 2 * ans["bn_params"], "total": ans["total"] + bn_all},
                r"A BatchNorm has 2 learnable parameters per channel ($\gamma$, $\beta$); the running mean "
                "and variance are buffers, not parameters."),
            "conv_biases": Mistake(
                {"conv_params": ans["conv_params"] + sum(b for _, _, b in convs(p)),
                 "total": ans["total"] + sum(b for _, _, b in convs(p)) + (p.C_out if projection(p) else 0)},
                f"The {n_conv} convolutions have bias=False: a BatchNorm follows each, "
                "and its $\\beta$ does a bias's job."),
        }
        if not projection(p):
            extra = p.C_in * p.C_out + 2 * p.C_out
            m["projection_where_identity"] = Mistake(
                {"shortcut_params": extra, "total": ans["total"] + extra},
                "With stride 1 and C_in = C_out the shapes match, so the shortcut is the identity (0 parameters).")
        return m
