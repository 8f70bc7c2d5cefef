"""Channels, connections and weights of a DenseNet dense block.

Catalog: seed_004 C13 (DenseNet, lines 1594–1609).

Parameters:
    k0: the block's input channels. k: the growth rate (channels each layer adds). L: the number of layers.

Answer parts: ``inputs`` (the channels entering each layer), ``out_channels`` (k0 + L·k), ``connections``
(L(L+1)/2 direct connections) and ``conv_weights`` (the 3×3 convolutions' weights, Σ 9·k·inputs_l).

Conventions stated in the prompt: layer l (from 1) receives the block input and the outputs of layers 1 … l−1,
concatenated; each layer is BN–ReLU–3×3 convolution to k channels without bias; the block's output is the input and
all L layers' outputs concatenated; a direct connection joins two of the L + 1 feature maps (input, layers), as in
the DenseNet paper's count L(L+1)/2.

Reference: a dense block run on the meta device (concatenations of real ``nn.Conv2d`` outputs), the input channels
read from each convolution's weight, the connections counted as the feature maps each layer consumes
(examprep.reference.cnn_layers:densenet_block).

Common mistakes: k0 left out, an off-by-one layer (layer l receiving k0 + l·k), L(L−1)/2 connections.

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

K0, K, L, LL = Sym("k_0"), Sym("k"), Sym("L"), Sym("l")


class DenseNetBlock(ProblemType):
    id = "cnn/densenet_block-v1"
    title = "DenseNet dense block: channels, connections, weights"
    catalog = "seed_004 C13"
    reference_entry = "examprep.reference.cnn_layers:densenet_block"
    params = (
        Param("k0", "int", "input channels of the block", lo=1, hi=1024),
        Param("k", "int", "growth rate", lo=1, hi=256),
        Param("L", "int", "layers in the block", lo=1, hi=64),
    )
    parts = (
        Part("inputs", "Channels entering each layer", "vector", integral=True),
        Part("out_channels", "Channels out of the block", "integer"),
        Part("connections", "Direct connections", "integer"),
        Part("conv_weights", "Weights of the 3×3 convolutions", "integer", uses=("inputs",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = picker(rng)
        if difficulty == "easy":
            return dict(k0=pick([16, 24, 32]), k=pick([8, 12]), L=pick([3, 4]))
        if difficulty == "medium":
            return dict(k0=pick([32, 48, 64]), k=pick([12, 24, 32]), L=pick([4, 5, 6]))
        return dict(k0=pick([64, 128, 256]), k=pick([24, 32, 48]), L=pick([6, 8, 12]))

    def statement(self, p: Params) -> list[Any]:
        return [
            f"A DenseNet dense block receives $k_0 = {p.k0}$ channels and has $L = {p.L}$ layers with growth rate "
            f"$k = {p.k}$. Layer $l$ (from 1) receives the block input and the outputs of layers $1, \\ldots, l-1$, "
            "concatenated along the channels; each layer is BN–ReLU–3×3 convolution to $k$ channels without bias. "
            "The block outputs its input and all $L$ layers' outputs, concatenated. Give the channels entering "
            "each layer, the block's output channels, the number of direct connections between the $L + 1$ "
            "feature maps (input and layers, $L(L+1)/2$ as in the DenseNet paper), and the total number of "
            "weights of the 3×3 convolutions."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        inputs = carry(given, "inputs", [p.k0 + p.k * (i - 1) for i in range(1, p.L + 1)])
        return {"inputs": inputs, "out_channels": p.k0 + p.L * p.k, "connections": p.L * (p.L + 1) // 2,
                "conv_weights": sum(9 * p.k * c for c in inputs)}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        subs = {"k_0": p.k0, "k": p.k, "L": p.L}
        d.add("Channels into layer l", ans["inputs"], lhs=Sym("c_l"), formula=K0 + K * paren(LL - 1),
              part="inputs", note=f"l = 1 … {p.L}: " + ", ".join(str(c) for c in ans["inputs"]))
        d.add("Output channels", ans["out_channels"], lhs=Sym("c_out", latex=r"c_{\mathrm{out}}", typst='c_"out"'),
              formula=K0 + L * K, subs=subs, part="out_channels")
        d.add("Direct connections", ans["connections"], lhs=Sym("n_conn", latex=r"n_{\mathrm{conn}}",
              typst='n_"conn"'), formula=L * paren(L + 1) / 2, subs=subs, part="connections",
              note="layer l consumes l earlier feature maps: 1 + 2 + … + L")
        d.add("Convolution weights", ans["conv_weights"], lhs=Sym("N_w"),
              note="Σ_l 3·3·c_l·k = 9·" + f"{p.k}·(" + " + ".join(str(c) for c in ans["inputs"]) + ")",
              part="conv_weights")
        d.answer = (f"inputs {ans['inputs']}, {ans['out_channels']} channels out, {ans['connections']} "
                    f"connections, {ans['conv_weights']:,} weights")
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        no_k0 = [p.k * (i - 1) for i in range(1, p.L + 1)]
        shifted = [p.k0 + p.k * i for i in range(1, p.L + 1)]
        return {
            "k0_forgotten": Mistake(
                {"inputs": no_k0, "out_channels": p.L * p.k},
                "Every layer also receives the block's input: add k_0 channels."),
            "off_by_one_layer": Mistake(
                {"inputs": shifted, "conv_weights": sum(9 * p.k * c for c in shifted)},
                r"Layer $l$ receives $l - 1$ earlier layers' outputs (plus the input), "
                r"so $k_0 + k (l - 1)$, not $k_0 + k l$."),
            "connections_l_minus_1": Mistake(
                {"connections": p.L * (p.L - 1) // 2},
                "Count the input too: layer l takes l feature maps, so there are L(L+1)/2 direct connections."),
        }
