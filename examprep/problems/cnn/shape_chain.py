"""Trace the shapes and parameter counts through a small CNN (conv, max-pool, norm, flatten, linear).

Catalog: seed_003 A4 (cnn_shape_chain; sample 3×32×32 net, 24,810 parameters), seed_004 C6 (the slides' CIFAR net,
62,006 parameters), C7 (AlexNet single tower, 62,378,344 parameters), C4 (conv_output_shape chains).

Parameters:
    network: ``custom`` (the layers are given in ``layers``), ``cifar`` (the slides' PyTorch CIFAR-10 net) or
    ``alexnet`` (the slides' AlexNet, one tower).
    C, H, W: the input shape; optional for the named networks (cifar: 3×32×32, alexnet: 3×227×227).
    layers: for ``custom``, a JSON list of layers, each one of ``["conv", C_out, K, S, P]``, ``["maxpool", K, S]``,
    ``["norm"]`` (local response normalisation), ``["flatten"]``, ``["linear", N_out]``; exactly one flatten, with
    the conv/pool/norm layers before it and the linear layers after it. Activations (ReLU) are left out: they change
    neither the shape nor the parameter count.

Answer parts: ``shapes`` (one row [C, H, W] per layer; a vector of N features is written [N, 1, 1]), ``flatten``
(the size after flatten), ``params`` (the parameters of each layer), ``total`` (all parameters). Integers;
partial credit per entry.

Conventions stated in the prompt: PyTorch layers (square kernels, padding on every side, floor); biases included;
a linear layer's input size is whatever reaches it.

Formulas: conv H_out = ⌊(H + 2P − K)/S⌋ + 1, params (K·K·C_in + 1)·C_out; max pool H_out = ⌊(H − K)/S⌋ + 1, no
parameters; flatten N = C·H·W; linear params (N_in + 1)·N_out.

Reference: build the ``nn.Sequential`` on the meta device, run a meta tensor through it layer by layer reading the
shapes, and count ``sum(p.numel())`` per layer (examprep.reference.cnn:shape_chain).

Common mistakes: the +1 forgotten (32 − 5 = 27), flattening to H·W without C, the linear biases forgotten, all
biases forgotten, conv weights without K² (6·16·5), every conv counted with the image's channels, conv padding
ignored, the last pooling layer forgotten (AlexNet's fc6 input taken as 13·13·256).

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.seeding import picker
from examprep.solver.expr import Add, Num, Sym, floor, paren
from examprep.solver.step import Derivation
from examprep.words import plural

NETWORKS: dict[str, tuple[tuple[int, int, int], tuple[tuple[Any, ...], ...]]] = {
    # seed_004 C6: the slides' code (lines 1090–1095); ReLUs left out.
    "cifar": ((3, 32, 32), (("conv", 6, 5, 1, 0), ("maxpool", 2, 2), ("conv", 16, 5, 1, 0), ("maxpool", 2, 2),
                            ("flatten",), ("linear", 120), ("linear", 84), ("linear", 10))),
    # seed_004 C7: the slides' AlexNet list (lines 1248–1270), one tower.
    "alexnet": ((3, 227, 227), (("conv", 96, 11, 4, 0), ("maxpool", 3, 2), ("norm",), ("conv", 256, 5, 1, 2),
                                ("maxpool", 3, 2), ("norm",), ("conv", 384, 3, 1, 1), ("conv", 384, 3, 1, 1),
                                ("conv", 256, 3, 1, 1), ("maxpool", 3, 2), ("flatten",), ("linear", 4096),
                                ("linear", 4096), ("linear", 1000))),
}
ARITY = {"conv": 5, "maxpool": 3, "norm": 1, "flatten": 1, "linear": 2}
MAX_LAYERS = 24
MAX_SIZE = 4096  # every layer size (channels, kernel, stride, padding, units), as C, H and W are capped


def network(p: Params) -> tuple[tuple[int, int, int], tuple[tuple[Any, ...], ...]]:
    """(input C, H, W) and the layer list of the instance."""
    if p.network == "custom":
        return (p.C, p.H, p.W), tuple(tuple(x) for x in p.layers)
    (c, h, w), layers = NETWORKS[p.network]
    return (p.C or c, p.H or h, p.W or w), layers


def describe(layer: tuple[Any, ...]) -> str:
    kind = layer[0]
    if kind == "conv":
        return (rf"Conv2d({plural(layer[1], 'filter')}, ${layer[2]} \times {layer[2]}$, stride {layer[3]}, "
                f"padding {layer[4]})")
    if kind == "maxpool":
        return rf"MaxPool2d(${layer[1]} \times {layer[1]}$, stride {layer[2]})"
    return {"norm": "LocalResponseNorm", "flatten": "Flatten"}.get(kind, rf"Linear($\to$ {layer[1]})" if
                                                                     kind == "linear" else kind)


def trace(inp: tuple[int, int, int], layers: Any, *, plus_one: bool = True, flatten_c: bool = True,
          conv_bias: bool = True, linear_bias: bool = True, k_squared: bool = True, image_channels: bool = False,
          padding: bool = True, skip_last_pool: bool = False) -> dict[str, Any] | None:
    """All four parts; the keyword flags do the catalog's mistakes. None when a size drops below 1."""
    c, h, w = inp
    one = 1 if plus_one else 0
    last_pool = max((i for i, la in enumerate(layers) if la[0] == "maxpool"), default=-1)
    shapes, params, flat = [], [], 0
    for i, la in enumerate(layers):
        kind = la[0]
        n_par = 0
        if kind == "conv":
            _, co, k, s, pad = la
            pad = pad if padding else 0
            cin = inp[0] if image_channels else c
            n_par = co * cin * (k * k if k_squared else k) + (co if conv_bias else 0)
            c, h, w = co, (h + 2 * pad - k) // s + one, (w + 2 * pad - k) // s + one
        elif kind == "maxpool" and not (skip_last_pool and i == last_pool):
            _, k, s = la
            h, w = (h - k) // s + one, (w - k) // s + one
        elif kind == "flatten":
            flat = c * h * w if flatten_c else h * w
            c, h, w = flat, 1, 1
        elif kind == "linear":
            n_par = la[1] * c + (la[1] if linear_bias else 0)
            c = la[1]
        if min(c, h, w) < 1:
            return None
        shapes.append([c, h, w])
        params.append(n_par)
    return {"shapes": shapes, "flatten": flat, "params": params, "total": sum(params)}


def flatten_size(inp: tuple[int, int, int], layers: Any, shapes: Any) -> Any:
    """C·H·W of the shape that reaches the flatten layer, read from ``shapes`` (the student's, when carried)."""
    i = next(i for i, la in enumerate(layers) if la[0] == "flatten")
    c, h, w = shapes[i - 1] if i else inp
    return c * h * w


def layer_params(inp: tuple[int, int, int], layers: Any, shapes: Any) -> list[Any]:
    """Each layer's parameters, its input size read from ``shapes`` (the student's, when carried): conv
    (K·K·C_in + 1)·C_out, linear (N_in + 1)·N_out, the others none."""
    out = []
    for i, la in enumerate(layers):
        c_in = shapes[i - 1][0] if i else inp[0]
        if la[0] == "conv":
            out.append((la[2] * la[2] * c_in + 1) * la[1])
        else:
            out.append((c_in + 1) * la[1] if la[0] == "linear" else 0)
    return out


class ShapeChain(ProblemType):
    id = "cnn/shape_chain-v1"
    title = "CNN shape and parameter trace"
    catalog = "seed_003 A4; seed_004 C6, C7"
    reference_entry = "examprep.reference.cnn:shape_chain"
    params = (
        Param("network", "choice", "custom (give layers), cifar (a LeNet-style CIFAR-10 net) or alexnet",
              choices=("custom", "cifar", "alexnet"), default="custom"),
        Param("C", "int", "input channels (named networks: their own by default)", lo=1, hi=4096, optional=True),
        Param("H", "int", "input height (named networks: their own by default)", lo=1, hi=4096, optional=True),
        Param("W", "int", "input width (named networks: their own by default)", lo=1, hi=4096, optional=True),
        Param("layers", "json", 'custom layers, e.g. [["conv",16,3,1,1],["maxpool",2,2],["flatten"],'
                                '["linear",10]]', optional=True),
    )
    parts = (
        Part("shapes", "Output shape [C, H, W] of each layer", "matrix", integral=True),
        Part("flatten", "Size after flatten", "integer", uses=("shapes",)),
        Part("params", "Parameters of each layer", "vector", integral=True, uses=("shapes",)),
        Part("total", "Total parameters", "integer", uses=("params",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = picker(rng)

        def conv(c_outs: list[int], ks: list[int], strides: list[int]) -> list[Any]:
            k = pick(ks)
            return ["conv", pick(c_outs), k, pick(strides), pick([0, k // 2])]

        if difficulty == "easy":
            h = pick([28, 32])
            layers = [conv([6, 8, 16], [3, 5], [1]), ["maxpool", 2, 2], ["flatten"], ["linear", 10]]
            return dict(network="custom", C=pick([1, 3]), H=h, W=h, layers=layers)
        if difficulty == "medium":
            h = pick([28, 32, 64])
            layers = [conv([6, 8, 16], [3, 5], [1]), ["maxpool", 2, 2], conv([16, 32, 64], [3, 5], [1]),
                      ["maxpool", 2, 2], ["flatten"], ["linear", pick([32, 64, 84, 120, 128])], ["linear", 10]]
            return dict(network="custom", C=pick([1, 3]), H=h, W=h, layers=layers)
        kind = pick(["cifar", "alexnet", "custom", "custom"])
        if kind == "cifar":
            c, h = pick([(3, 32), (1, 28), (3, 64), (1, 32)])
            return dict(network="cifar", C=c, H=h, W=h)
        if kind == "alexnet":
            return dict(network="alexnet")
        h = pick([31, 63, 64, 65, 96, 127])
        layers = [conv([16, 32, 64], [3, 5, 7], [2]), ["maxpool", 3, 2], conv([32, 64, 128], [3, 5], [1]),
                  ["maxpool", pick([2, 3]), 2], ["flatten"], ["linear", pick([64, 128, 256])], ["linear", 10]]
        return dict(network="custom", C=3, H=h, W=h, layers=layers)

    def check(self, p: Params) -> list[str]:
        from examprep.errors import ParamError

        if p.network == "custom":
            if p.layers is None:
                raise ParamError('network=custom needs layers, e.g. --set layers=\'[["conv",16,3,1,1],'
                                 '["maxpool",2,2],["flatten"],["linear",10]]\' (or --set network=cifar)')
            if p.C is None or p.H is None or p.W is None:
                raise ParamError("network=custom needs the input shape: --set C=3 --set H=32 --set W=32")
        elif p.layers is not None:
            raise ParamError(f"layers is only for network=custom; network={p.network} has its own layers")
        inp, layers = network(p)
        if not isinstance(layers, tuple) or not layers or len(layers) > MAX_LAYERS:
            raise ParamError(f"layers: a list of 1 to {MAX_LAYERS} layers")
        seen_flatten = False
        for i, la in enumerate(layers, 1):
            if not isinstance(la, tuple) or not la or la[0] not in ARITY or len(la) != ARITY[la[0]]:
                raise ParamError(f"layers: layer {i} must be one of [\"conv\", C_out, K, S, P], [\"maxpool\", K, S], "
                                 "[\"norm\"], [\"flatten\"], [\"linear\", N_out]")
            if any(isinstance(x, bool) or not isinstance(x, int) or x < (0 if j == 4 else 1)
                   for j, x in enumerate(la[1:], 1)):
                raise ParamError(f"layers: layer {i}: sizes must be positive whole numbers (padding ≥ 0)")
            if any(x > MAX_SIZE for x in la[1:]):
                raise ParamError(f"layers: layer {i}: sizes are at most {MAX_SIZE} (like C, H and W)")
            if la[0] == "flatten":
                if seen_flatten:
                    raise ParamError("layers: exactly one flatten layer")
                seen_flatten = True
            elif (la[0] == "linear") != seen_flatten:
                raise ParamError(f"layers: layer {i} ({la[0]}): conv, maxpool and norm come before the flatten, "
                                 "linear layers after it")
        if not seen_flatten:
            raise ParamError("layers: the network needs one [\"flatten\"] layer")
        if trace(inp, layers) is None:
            raise ParamError("layers: a kernel or pooling window is larger than its input somewhere in the chain; "
                             "use smaller kernels or a larger input")
        return []

    def statement(self, p: Params) -> list[Any]:
        (c, h, w), layers = network(p)
        name = {"cifar": "the CIFAR-10 network", "alexnet": "AlexNet (one tower)",
                "custom": "a small network"}[p.network]
        listing = "; ".join(f"{i}. {describe(la)}" for i, la in enumerate(layers, 1))
        return [
            rf"An input of shape ${c} \times {h} \times {w}$ ($C \times H \times W$) goes through {name}: {listing}. "
            "Give the output shape of every layer, the size after flatten, the number of parameters of every layer "
            "and the total. Conventions: PyTorch layers (nn.Conv2d, nn.MaxPool2d, nn.Flatten, nn.Linear); square "
            "kernels; padding on every side; sizes rounded down; biases included; activations are left out (they "
            "change neither shapes nor parameters); a linear layer takes whatever size reaches it. Write each shape "
            "as a row [C, H, W] and a vector of N features as [N, 1, 1]."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        inp, layers = network(p)
        out = trace(inp, layers)
        assert out is not None  # check() rejects such chains
        shapes = np.asarray(carry(given, "shapes", out["shapes"])).tolist()
        params = carry(given, "params", layer_params(inp, layers, shapes))
        return {"shapes": shapes, "flatten": flatten_size(inp, layers, shapes), "params": params,
                "total": sum(params)}

    def derivation(self, p: Params) -> Derivation:
        (c, h, w), layers = network(p)
        ans = self.solve(p)
        d = Derivation()
        n_in, k_, s_, p_ = Sym("H_in"), Sym("K"), Sym("S"), Sym("P")
        for i, la in enumerate(layers, 1):
            kind = la[0]
            oc, oh, ow = ans["shapes"][i - 1]
            title = f"Layer {i}, {describe(la)}"
            if kind in ("conv", "maxpool"):
                k, s, pad = (la[2], la[3], la[4]) if kind == "conv" else (la[1], la[2], 0)
                formula = floor((n_in + 2 * p_ - k_) / s_) + 1 if kind == "conv" else floor((n_in - k_) / s_) + 1
                names = (f"this layer's kernel $K = {k}$, stride $S = {s}$"
                         + (f", padding $P = {pad}$" if kind == "conv" else "") + "; ")
                for axis, n, o in (("H", h, oh), ("W", w, ow)):
                    if axis == "W" and w == h:
                        break
                    given = (f"$H_{{{i - 1}}} = {h}$, $W_{{{i - 1}}} = {w}$: the "
                             f"{'input' if i == 1 else 'incoming'} size")
                    d.add(f"{title}: output {'height' if axis == 'H' else 'width'}", o, lhs=f"{axis}_{i}",
                          formula=formula.subs({"H_in": Sym(f"{axis}_{i - 1}")}),
                          subs={f"{axis}_{i - 1}": n, "K": k, "S": s, "P": pad},
                          note=names + given + ("; the width is the same" if w == h else ""))
                if kind == "conv":
                    d.add(f"{title}: parameters", ans["params"][i - 1], lhs=f"N_{i}",
                          formula=paren(k_ ** 2 * Sym("C_in") + 1) * Sym("C_out"),
                          subs={"K": k, "C_in": c, "C_out": oc},
                          note=rf"$C_{{\text{{in}}}} = {c}$ input and $C_{{\text{{out}}}} = {oc}$ output channels; "
                               rf"output shape ${oc} \times {oh} \times {ow}$")
                else:
                    d.add(f"{title}: parameters", 0, lhs=f"N_{i}", note=r"pooling has no parameters; output shape "
                                                                         rf"${oc} \times {oh} \times {ow}$ (channels "
                                                                         "unchanged)")
            elif kind == "norm":
                d.add(f"{title}: parameters", 0, lhs=f"N_{i}",
                      note=f"normalisation keeps the shape {oc}×{oh}×{ow} and has no parameters")
            elif kind == "flatten":
                d.add(title, ans["flatten"], lhs="N_flat", formula=Sym("C") * Sym("H") * Sym("W"),
                      subs={"C": c, "H": h, "W": w}, part="flatten",
                      note=rf"$C \times H \times W = {c} \times {h} \times {w}$ arrives; all channels are flattened, "
                           r"not only $H \cdot W$")
                d.add(f"{title}: parameters", 0, lhs=f"N_{i}", note="flattening has no parameters")
            else:
                d.add(f"{title}: parameters", ans["params"][i - 1], lhs=f"N_{i}",
                      formula=paren(Sym("N_in") + 1) * Sym("N_out"), subs={"N_in": c, "N_out": oc},
                      note=rf"$N_{{\text{{in}}}} = {c}$ inputs, $N_{{\text{{out}}}} = {oc}$ outputs: weights "
                           r"$N_{\text{in}} N_{\text{out}}$ plus one bias per output")
            c, h, w = oc, oh, ow
        d.add("Output shapes", ans["shapes"], lhs="shapes", part="shapes",
              note="one row [C, H, W] per layer; a vector of N features is [N, 1, 1]")
        d.add("Parameters per layer", ans["params"], lhs="params", part="params")
        d.add("Total parameters", ans["total"], lhs="N", substituted=Add([(1, Num(v)) for v in ans["params"]]),
              formula=Add([(1, Sym(f"N_{i}")) for i in range(1, len(layers) + 1)]) if len(layers) <= 10 else None,
              part="total")
        fc, fh, fw = ans["shapes"][-1]
        final = f"{fc} features" if (fh, fw) == (1, 1) and layers[-1][0] != "conv" else f"{fc}×{fh}×{fw}"
        d.answer = f"output {final}, flatten {ans['flatten']}, {ans['total']:,} parameters in total"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        inp, layers = network(p)
        kinds = [la[0] for la in layers]
        convs = [la for la in layers if la[0] == "conv"]
        cases: dict[str, tuple[dict[str, Any], str]] = {
            "no_plus_one": (dict(plus_one=False), "You forgot the +1 in ⌊(H + 2P − K)/S⌋ + 1 (32 − 5 + 1 = 28, "
                                                  "not 27)."),
            "flatten_hw": (dict(flatten_c=False), "Flatten keeps every channel: the size is C·H·W, not H·W."),
            "no_linear_bias": (dict(linear_bias=False), "Each linear layer has one bias per output: "
                                                        "(N_in + 1)·N_out."),
        }
        if convs:
            cases["no_bias"] = (dict(conv_bias=False, linear_bias=False),
                                "Every conv and linear layer has biases: one per output channel or unit.")
        if any(la[2] > 1 for la in convs):
            cases["kernel_not_squared"] = (dict(k_squared=False), "A K×K kernel has K² weights per input channel: "
                                                                  "(K·K·C_in + 1)·C_out.")
        if len(convs) > 1:
            cases["image_channels"] = (dict(image_channels=True), "A conv layer's input channels are the previous "
                                                                  "layer's output channels, not the image's.")
        if any(la[4] > 0 for la in convs):
            cases["padding_ignored"] = (dict(padding=False), "Padding adds 2P to the size before the kernel.")
        if "maxpool" in kinds:
            cases["pool_forgotten"] = (dict(skip_last_pool=True), "You left out the last pooling layer: it shrinks "
                                                                  "the map before flatten.")
        m: dict[str, Mistake] = {}
        for name, (flags, feedback) in cases.items():
            got = trace(inp, layers, **flags)
            if got is not None:
                m[name] = Mistake(got, feedback)
        return m
