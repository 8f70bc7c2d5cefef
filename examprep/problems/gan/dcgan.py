"""DCGAN generator shapes and parameter counts, with an optional one-hot class label (conditional GAN).

Catalog: seed_002 I8 (DCGAN 4×4×1024 → 64×64×3; ConvTranspose2d(1024, 512, 4) has 8,388,608 weights; the projection
of z (100) to 4·4·1024 takes 1,654,784 parameters with bias; a cGAN input of 110); seed_003 C4 (MNIST cGAN: D input
794, G input 110, a 256-unit first layer with 203,520 parameters). cnn/transposed_conv_output_size has the shapes
only.

Parameters:
    z_dim: the latent size. n_classes: 0 (unconditional) or the number of classes, whose one-hot label is appended
    to z and to the discriminator's flattened input. base: the projection's spatial size. channels: C_0 (the
    projection's channels) then each ConvTranspose2d's output channels. K, S, P: every transposed convolution's
    kernel, stride and padding (output_padding 0). bias: every layer has a bias. d_hidden: optional, the width of
    the discriminator's first Linear layer.

Answer parts: ``g_input`` = z_dim + n_classes; ``proj_params`` (the Linear to C_0·base²); ``shapes`` ([C, H, W]
after the projection and after each layer, H_out = (H − 1)·S − 2P + K); ``conv_params`` (C_in·C_out·K² + C_out
per layer); ``total``; ``d_input`` = C·H·W + n_classes; ``d_first_params`` = d_input·d_hidden (+ d_hidden) when
d_hidden is given.

Conventions stated in the prompt: the layout of the one-hot label, the transposed-convolution size formula's
inputs, output_padding 0, the biases.

Reference: ``nn.Linear`` and ``nn.ConvTranspose2d`` built on the meta device: parameters by ``numel``, shapes by a
forward pass of a meta tensor (examprep.reference.gan:dcgan).

Common mistakes: the convolution size formula ((H + 2P − K)/S + 1) for a transposed convolution, the label
counted as one input instead of a one-hot vector, K² dropped from the weight count.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.gan.fair import near_miss, visible
from examprep.solver.expr import Mat, Num, Sym, paren
from examprep.solver.step import Derivation


def tconv(h: int, K: int, S: int, P: int) -> int:
    return (h - 1) * S - 2 * P + K


def conv(h: int, K: int, S: int, P: int) -> int:
    return (h + 2 * P - K) // S + 1


def network(p: Params, label: int | None = None, size: Any = tconv, k2: bool = True,
            given: Answers | None = None) -> dict[str, Any]:
    """Every part as a chain; ``label`` = the label's input width (n_classes, or 1 for the mistake), ``size`` the
    output-size rule, ``k2`` whether the weights count K²; ``given`` the student's earlier values (error carried
    forward)."""
    c = p.n_classes if label is None else label
    b = 1 if p.bias else 0
    g_input = _carry_int(given, "g_input", p.z_dim + c)
    c0, h = p.channels[0], p.base
    proj = g_input * c0 * h * h + b * c0 * h * h
    shapes = [[c0, h, h]]
    params = []
    for cin, cout in zip(p.channels[:-1], p.channels[1:], strict=True):
        h = size(h, p.K, p.S, p.P)
        shapes.append([cout, h, h])
        params.append(cin * cout * (p.K * p.K if k2 else 1) + b * cout)
    proj = _carry_int(given, "proj_params", proj)
    if given and "shapes" in given:
        shapes = [[int(round(v)) for v in row] for row in carry(given, "shapes", np.asarray(shapes)).tolist()]
    if given and "conv_params" in given:
        params = [int(round(v)) for v in carry(given, "conv_params", np.asarray(params)).tolist()]
    ch, hh, ww = shapes[-1]
    out = {"g_input": g_input, "proj_params": proj, "shapes": shapes, "conv_params": params,
           "total": proj + sum(params), "d_input": _carry_int(given, "d_input", ch * hh * ww + c)}
    if p.d_hidden is not None:
        out["d_first_params"] = out["d_input"] * p.d_hidden + b * p.d_hidden
    return out


def _carry_int(given: Answers | None, name: str, value: int) -> int:
    """The student's integer for ``name`` where given (error carried forward), else ``value``."""
    return int(round(carry(given, name, value))) if given and name in given else value


class DCGAN(ProblemType):
    id = "gan/dcgan-v1"
    title = "DCGAN generator shapes and parameter counts (conditional or not)"
    catalog = "seed_002 I8; seed_003 C4"
    reference_entry = "examprep.reference.gan:dcgan"
    params = (
        Param("z_dim", "int", "the latent size", lo=1, hi=10**5),
        Param("n_classes", "int", "0 (unconditional) or the number of classes (one-hot label)", lo=0, hi=10**4,
              default=0),
        Param("base", "int", "the projection's spatial size (base×base)", lo=1, hi=1024),
        Param("channels", "int_vector", "C_0 of the projection, then each transposed convolution's output channels",
              lo=1, hi=10**5),
        Param("K", "int", "kernel size of every transposed convolution", lo=1, hi=31),
        Param("S", "int", "stride", lo=1, hi=16),
        Param("P", "int", "padding (output_padding is 0)", lo=0, hi=16),
        Param("bias", "bool", "every layer has a bias", default=False),
        Param("d_hidden", "int", "width of the discriminator's first Linear layer (optional)", lo=1, hi=10**5,
              optional=True),
    )
    parts = (
        Part("g_input", "The generator's input size", "integer"),
        Part("proj_params", "Parameters of the projection", "integer", uses=("g_input",)),
        Part("shapes", "[C, H, W] after the projection and after each layer", "matrix", integral=True),
        Part("conv_params", "Parameters of each transposed convolution", "vector", integral=True),
        Part("total", "The generator's parameters in all", "integer", uses=("proj_params", "conv_params")),
        Part("d_input", "The discriminator's input size", "integer", uses=("shapes",)),
        Part("d_first_params", "Parameters of the discriminator's first Linear layer", "integer", uses=("d_input",)),
    )

    def active_parts(self, p: Params) -> tuple[Part, ...]:
        return self.parts if p.d_hidden is not None else self.parts[:-1]

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        def one(values: Any) -> int:
            return int(values[int(rng.integers(len(values)))])

        if difficulty == "easy":
            return dict(z_dim=one([8, 10, 16]), n_classes=0, base=4, channels=[one([8, 16]), one([1, 3])], K=4, S=2,
                        P=1, bias=False)
        K = one([4, 5])
        P = 1 if K == 4 else 2
        if difficulty == "medium":
            c0 = one([32, 64])
            return dict(z_dim=one([16, 32, 100]), n_classes=one([0, 10]), base=one([3, 4]), channels=[c0, c0 // 2, 3],
                        K=K, S=2, P=P, bias=bool(rng.integers(2)))
        c0 = one([64, 128, 256])
        return dict(z_dim=one([64, 100, 128]), n_classes=one([5, 10]), base=one([4, 7]),
                    channels=[c0, c0 // 2, c0 // 4, one([1, 3])], K=4, S=2, P=1, bias=bool(rng.integers(2)),
                    d_hidden=one([128, 256, 512]))

    def check(self, p: Params) -> list[str]:
        if len(p.channels) < 2:
            raise ParamError("channels needs C_0 and at least one transposed convolution's output channels")
        h = p.base
        for i in range(1, len(p.channels)):
            h = tconv(h, p.K, p.S, p.P)
            if h < 1:
                raise ParamError(f"layer {i} gives a size of {h}: (H − 1)·S − 2P + K must be positive")
        return []

    def degenerate(self, p: Params) -> str | None:
        return near_miss(self.solve(p), self.all_mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        cond = (f", with the one-hot label of its {p.n_classes} classes appended (z first, then the label)"
                if p.n_classes else "")
        bias = "Every layer has a bias" if p.bias else "No layer has a bias"
        convs = ", ".join(str(c) for c in p.channels[1:])
        seg = [
            f"A DCGAN generator takes $z$ of dimension {p.z_dim}{cond}. A Linear layer projects it to "
            rf"${p.channels[0]} \cdot {p.base} \cdot {p.base}$ values, reshaped to ${p.channels[0]} \times {p.base} "
            rf"\times {p.base}$ (channels, height, width). Then ConvTranspose2d layers with output channels {convs} "
            f"follow, each with kernel $K = {p.K}$, stride $S = {p.S}$, padding $P = {p.P}$ and output_padding 0. "
            f"{bias}. The discriminator flattens the generated image"
            + (" and appends the same one-hot label" if p.n_classes else "") + ". "
            "Give the generator's input size, the projection's parameters, the shape [C, H, W] after the projection "
            "and after each layer, each transposed convolution's parameters, the generator's total and the "
            "discriminator's input size"]
        if p.d_hidden is not None:
            seg[0] += f", then the parameters of the discriminator's first Linear layer, of {p.d_hidden} units"
        seg[0] += "."
        return seg

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return network(p, given=given)

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        d.add("Generator input", ans["g_input"], lhs=Sym("n_in"), substituted=Num(p.z_dim) + Num(p.n_classes),
              part="g_input", note="z followed by the one-hot label" if p.n_classes else "z only")
        c0, h0 = p.channels[0], p.base
        units = Num(c0) * Num(h0) * Num(h0)
        d.add("Projection parameters", ans["proj_params"], lhs=Sym("P_proj"), part="proj_params",
              substituted=Num(ans["g_input"]) * units + units if p.bias else Num(ans["g_input"]) * units,
              note=r"weights $n_{in} \cdot C_0 \cdot base^2$" + (r", plus one bias per output" if p.bias else ""))
        h = h0
        for i, (cin, cout) in enumerate(zip(p.channels[:-1], p.channels[1:], strict=True), start=1):
            hn = d.add(f"Size after layer {i}", tconv(h, p.K, p.S, p.P), lhs=Sym(f"H_{i}"),
                       substituted=paren(Num(h) - 1) * Num(p.S) - 2 * Num(p.P) + Num(p.K),
                       note=r"$H_{out} = (H - 1) S - 2P + K$")
            w = Num(cin) * Num(cout) * Num(p.K) ** 2
            d.add(f"Parameters of layer {i}", ans["conv_params"][i - 1], lhs=Sym(f"P_{i}"),
                  substituted=w + Num(cout) if p.bias else w,
                  note=r"$C_{in} \cdot C_{out} \cdot K^2$ weights" + (r" $+ C_{out}$ biases" if p.bias else ""))
            h = hn
        d.add("Shapes", ans["shapes"], lhs=Sym("shapes"), part="shapes")
        d.add("Parameters per transposed convolution", ans["conv_params"], lhs=Sym("P_conv"),
              substituted=Mat([[Num(v) for v in ans["conv_params"]]]), part="conv_params")
        total = Num(ans["proj_params"])
        for v in ans["conv_params"]:
            total = total + Num(v)
        d.add("Generator total", ans["total"], lhs=Sym("P_G"), substituted=total, part="total")
        ch, hh, ww = ans["shapes"][-1]
        flat = Num(ch) * Num(hh) * Num(ww)
        d.add("Discriminator input", ans["d_input"], lhs=Sym("n_D"), part="d_input",
              substituted=flat + Num(p.n_classes) if p.n_classes else flat,
              note="the flattened image" + (" plus the one-hot label" if p.n_classes else ""))
        if p.d_hidden is not None:
            wts = Num(ans["d_input"]) * Num(p.d_hidden)
            d.add("Discriminator's first layer", ans["d_first_params"], lhs=Sym("P_D1"), part="d_first_params",
                  substituted=wts + Num(p.d_hidden) if p.bias else wts)
        d.answer = f"total {ans['total']:,}; output {ans['shapes'][-1]}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return visible(self.solve(p), self.all_mistakes(p))

    def all_mistakes(self, p: Params) -> dict[str, Mistake]:
        """Every named mistake that applies to these parameters."""
        out = {"k2_dropped": Mistake({k: v for k, v in network(p, k2=False).items() if k in ("conv_params", "total")},
                                     r"A ConvTranspose2d weight is $C_{in} \times C_{out} \times K \times K$: count "
                                     r"$K^2$ per channel pair.")}
        h, ok = p.base, True
        for _ in p.channels[1:]:
            h = conv(h, p.K, p.S, p.P)
            ok = ok and h >= 1
        if ok:
            wrong = network(p, size=conv)
            out["conv_formula"] = Mistake({k: wrong[k] for k in ("shapes", "d_input", "d_first_params") if k in wrong},
                                          r"That is the convolution's size formula; a transposed convolution gives "
                                          r"$H_{out} = (H - 1) S - 2P + K$.")
        if p.n_classes > 1:
            wrong = network(p, label=1)
            out["label_as_one_input"] = Mistake(
                {k: wrong[k] for k in ("g_input", "proj_params", "total", "d_input", "d_first_params") if k in wrong},
                f"The label enters as a one-hot vector of {p.n_classes} entries, not as one number.")
        return out
