"""Latent diffusion sizes: the autoencoder's latent shape for a downsampling factor f, and the compression.

Catalog: seed_002 K7; seed_004 F12 (512×512×3 with f = 8 and 4 latent channels: 786,432 values become 64×64×4 =
16,384, a 48× reduction).

Parameters:
    H, W: the image height and width (multiples of f). C: the image channels. f: the downsampling factor per side
    (a power of 2). c_latent: the latent channels.

Answer parts: ``latent_shape`` = [c_latent, H/f, W/f], ``image_values`` = C·H·W, ``latent_values`` =
c_latent·(H/f)·(W/f), ``compression`` = image_values / latent_values.

Conventions stated in the prompt: f divides each side (not the area); values count every channel.

Reference: a stand-in encoder with log₂f stride-2 ``nn.Conv2d`` downsamplings and a final convolution to c_latent
channels, run on the meta device (the shape an ``AutoencoderKL`` with that many down blocks produces)
(examprep.reference.diffusion_extra:latent_sizes).

Common mistakes: the channels ignored (192 for 48 in the example), f² per side (dividing each side by f²).

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.gan.fair import near_miss
from examprep.problems.latent.points import distinct
from examprep.seeding import picker
from examprep.solver.expr import Mat, Num, Sym
from examprep.solver.step import Derivation

SHAPE = Sym("shape", "(c, H/f, W/f)", latex=r"(c, H/f, W/f)", typst="(c, H/f, W/f)")
IMG = Sym("n_img", "C·H·W", latex=r"C \cdot H \cdot W", typst="C dot H dot W")
LAT = Sym("n_lat", "c·(H/f)·(W/f)", latex=r"c \cdot (H/f) \cdot (W/f)", typst="c dot (H/f) dot (W/f)")
RATIO = Sym("ratio", "compression = C·H·W / (c·(H/f)·(W/f))", latex=r"\text{compression} = \frac{C H W}{c (H/f)(W/f)}",
            typst='"compression" = (C H W)/(c (H/f)(W/f))')


def sizes(H: int, W: int, C: int, f: int, c: int, *, per_side: int | None = None,  # noqa: N803
          channels: bool = True, given: Answers | None = None) -> Answers:
    """Every part; ``given`` the student's latent shape and value counts (error carried forward)."""
    s = per_side or f
    h, w = H // s, W // s
    if given and "latent_shape" in given:
        c, h, w = (int(round(v)) for v in carry(given, "latent_shape", np.asarray([c, h, w])))
    img = _carry_int(given, "image_values", C * H * W if channels else H * W)
    lat = _carry_int(given, "latent_values", c * h * w if channels else h * w)
    return {"latent_shape": [c, h, w], "image_values": img, "latent_values": lat, "compression": img / lat}


def _carry_int(given: Answers | None, name: str, value: int) -> int:
    return int(round(carry(given, name, value))) if given and name in given else value


class LatentSizes(ProblemType):
    id = "diffusion/latent_sizes-v1"
    title = "Latent diffusion: latent shape and compression"
    catalog = "seed_002 K7; seed_004 F12"
    reference_entry = "examprep.reference.diffusion_extra:latent_sizes"
    params = (
        Param("H", "int", "image height (a multiple of f)", lo=1, hi=16384),
        Param("W", "int", "image width (a multiple of f)", lo=1, hi=16384),
        Param("C", "int", "image channels", lo=1, hi=64, default=3),
        Param("f", "int", "downsampling factor per side (a power of 2)", lo=1, hi=1024),
        Param("c_latent", "int", "latent channels", lo=1, hi=1024, default=4),
    )
    parts = (
        Part("latent_shape", "Latent shape [c, H/f, W/f]", "vector", integral=True),
        Part("image_values", "Values in the image", "integer"),
        Part("latent_values", "Values in the latent", "integer", uses=("latent_shape",)),
        Part("compression", "Compression factor", "real", mode="sigfig", digits=4,
             uses=("image_values", "latent_values")),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = picker(rng)
        side = pick([256, 512]) if difficulty == "easy" else pick([256, 512, 768, 1024])
        other = side if difficulty != "hard" else pick([256, 512, 768, 1024])
        f = pick([8]) if difficulty == "easy" else pick([4, 8] if difficulty == "medium" else [4, 8, 16])
        c = 4 if difficulty == "easy" else pick([4, 8, 16] if difficulty == "hard" else [3, 4])
        return dict(H=side, W=other, C=3 if difficulty != "hard" else pick([1, 3]), f=f, c_latent=c)

    def check(self, p: Params) -> list[str]:
        if p.f & (p.f - 1):
            raise ParamError(f"f={p.f} is not a power of 2 (each down block halves the side)")
        if p.H % p.f or p.W % p.f:
            raise ParamError(f"H={p.H} and W={p.W} must be multiples of f={p.f}")
        return []

    def degenerate(self, p: Params) -> str | None:
        return near_miss(self.solve(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        return [
            f"A latent diffusion model's autoencoder maps an image of height $H = {p.H}$, width $W = {p.W}$ and "
            f"$C = {p.C}$ channels to a latent with $c = {p.c_latent}$ channels, downsampling each side by "
            f"$f = {p.f}$. Give the latent shape $[c, H/f, W/f]$, the number of values in the image ($C H W$) and in "
            "the latent (every channel counted), and the compression factor (image values / latent values), the "
            "factor to 4 significant figures."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return sizes(p.H, p.W, p.C, p.f, p.c_latent, given=given)

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        h, w = ans["latent_shape"][1:]
        d = Derivation()
        d.add("Latent shape", ans["latent_shape"], lhs=SHAPE, part="latent_shape",
              substituted=Mat([[Num(p.c_latent), Num(p.H) / Num(p.f), Num(p.W) / Num(p.f)]]),
              note=f"$f = {p.f}$ is $2^{{{p.f.bit_length() - 1}}}$: {p.f.bit_length() - 1} halvings of each side")
        d.add("Image values", ans["image_values"], lhs=IMG, part="image_values",
              substituted=Num(p.C) * Num(p.H) * Num(p.W))
        d.add("Latent values", ans["latent_values"], lhs=LAT, part="latent_values",
              substituted=Num(p.c_latent) * Num(h) * Num(w))
        d.add("Compression", ans["compression"], lhs=RATIO, part="compression",
              substituted=Num(ans["image_values"]) / Num(ans["latent_values"]),
              note="equivalently $f^2 C / c$")
        d.answer = f"latent {ans['latent_shape']}, {ans['compression']:g}× fewer values"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        ans = self.solve(p)
        m = {
            "channels_ignored": Mistake(
                {"compression": p.C * p.H * p.W / (ans["latent_shape"][1] * ans["latent_shape"][2])},
                "You left out the latent channels: the latent holds $c \\cdot (H/f) \\cdot (W/f)$ values, "
                "every channel counted."),
        }
        if p.H % (p.f * p.f) == 0 and p.W % (p.f * p.f) == 0:
            m["f_squared_per_side"] = Mistake(
                {k: v for k, v in sizes(p.H, p.W, p.C, p.f, p.c_latent, per_side=p.f * p.f).items()
                 if k != "image_values"},
                "$f$ divides each side: the latent is $(H/f) \\times (W/f)$, so the area shrinks by $f^2$, "
                "not each side.")
        return distinct(ans, m)
