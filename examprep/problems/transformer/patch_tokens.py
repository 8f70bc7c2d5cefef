"""Patch tokens of a vision (or audio spectrogram) transformer: grid, patches, tokens, patch-embedding and
position-embedding parameters, and MAE masking.

Catalog: seed_000_001 C6 (ViT 16×16 patches, CLS), seed_003 A6 (patch count, MAE masking), seed_003 D4 (T×128
spectrogram, 16×16 or 2×128 patches), seed_002 H6, seed_004 C14.

Parameters:
    H, W, C: input height, width, channels (a spectrogram is T×128 with C = 1). P_h, P_w: patch height and width
    (dividing H and W). D: embedding width. cls: a [CLS] token is prepended. mask_ratio: MAE's masking ratio r
    (0: no masking).

Answer parts: ``grid`` = [H/P_h, W/P_w], ``n_patches`` N, ``n_tokens`` = N + cls, ``patch_dim`` = P_h·P_w·C,
``proj_params`` = patch_dim·D + D, ``pos_params`` = n_tokens·D; with r > 0 ``n_visible`` = ⌊N(1 − r)⌋ (MAE's
``int(L * (1 - mask_ratio))``) and ``n_masked`` = N − n_visible.

Reference: ``nn.Conv2d(C, D, (P_h, P_w), stride=(P_h, P_w))`` applied to a meta-device input: output shape and
parameter numel; MAE's random masking on meta tensors for the kept count (examprep.reference.transformer).

Common mistakes: the CLS token forgotten, P for P² in the patch vector, C dropped, H·W/P patches, masked = ⌊rN⌋.

Versions: v1 — first version.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.gan.fair import near_miss
from examprep.seeding import picker
from examprep.solver.expr import Sym, floor
from examprep.solver.step import Derivation

H, W, C, PH, PW, D, N, R = Sym("H"), Sym("W"), Sym("C"), Sym("P_h"), Sym("P_w"), Sym("D"), Sym("N"), Sym("r")
T_, PD = Sym("N_tok", "N_tok", latex=r"N_{\mathrm{tok}}", typst='N_"tok"'), Sym("d_p")


def tokens(p: Params, cls: bool | None = None, channels: bool = True, square_p: bool = False,
           pixels: bool = False, floor_masked: bool = False, given: Answers | None = None) -> dict[str, Any]:
    """Every part; the keyword flags switch on the named mistakes; ``given``: the student's earlier answers."""

    def take(name: str, value: int) -> int:
        return int(round(carry(given, name, value)))

    grid = [p.H // p.P_h, p.W // p.P_w]
    gh, gw = (int(round(g)) for g in carry(given, "grid", grid))
    n = take("n_patches", p.H * p.W // p.P_h if pixels else gh * gw)
    ntok = take("n_tokens", n + int(p.cls if cls is None else cls))
    pdim = take("patch_dim", (p.P_h if square_p else p.P_h * p.P_w) * (p.C if channels else 1))
    out: dict[str, Any] = {"grid": grid, "n_patches": n, "n_tokens": ntok, "patch_dim": pdim,
                           "proj_params": pdim * p.D + p.D, "pos_params": ntok * p.D}
    if p.mask_ratio:
        r = Fraction(str(p.mask_ratio))
        if floor_masked:
            masked = math.floor(r * n)
            out.update(n_visible=n - masked, n_masked=masked)
        else:
            vis = take("n_visible", math.floor(n * (1 - r)))
            out.update(n_visible=vis, n_masked=n - vis)
    return out


class PatchTokens(ProblemType):
    id = "transformer/patch_tokens-v1"
    title = "Patch tokens and patch-embedding parameters"
    catalog = "seed_000_001 C6; seed_003 A6, D4"
    reference_entry = "examprep.reference.transformer:patch_tokens"
    params = (
        Param("H", "int", "input height (spectrogram: T frames)", lo=1, hi=10000, default=224),
        Param("W", "int", "input width (spectrogram: 128 mel bins)", lo=1, hi=10000, default=224),
        Param("C", "int", "input channels", lo=1, hi=64, default=3),
        Param("P_h", "int", "patch height", lo=1, hi=1024, default=16),
        Param("P_w", "int", "patch width", lo=1, hi=1024, default=16),
        Param("D", "int", "embedding width", lo=1, hi=16384, default=768),
        Param("cls", "bool", "a [CLS] token is prepended", default=True),
        Param("mask_ratio", "real", "MAE masking ratio r (0: none)", lo=0, hi=0.99, default=0.0),
    )
    parts = (
        Part("grid", "Patch grid [H/P_h, W/P_w]", "vector", integral=True, final=False),
        Part("n_patches", "Number of patches", "integer", uses=("grid",)),
        Part("n_tokens", "Number of tokens", "integer", uses=("n_patches",)),
        Part("patch_dim", "Length of a flattened patch", "integer"),
        Part("proj_params", "Parameters of the patch projection", "integer", uses=("patch_dim",)),
        Part("pos_params", "Parameters of the position embeddings", "integer", uses=("n_tokens",)),
        Part("n_visible", "Visible (kept) patches", "integer", uses=("n_patches",)),
        Part("n_masked", "Masked patches", "integer", uses=("n_patches", "n_visible")),
    )

    def active_parts(self, p: Params) -> tuple[Part, ...]:
        if p.mask_ratio:
            return self.parts
        return tuple(pt for pt in self.parts if pt.name not in ("n_visible", "n_masked"))

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = picker(rng)
        if difficulty == "easy":
            side, pp = pick([(32, 4), (32, 8), (64, 8), (64, 16), (224, 16)])
            return dict(H=side, W=side, C=pick([1, 3]), P_h=pp, P_w=pp, D=pick([64, 128, 768]), cls=True,
                        mask_ratio=0.0)
        if rng.random() < 0.3:  # a T×128 log-mel spectrogram, 16×16 or 2×128 patches
            ph, pw = pick([(16, 16), (2, 128)])
            return dict(H=pick([256, 512, 1024]), W=128, C=1, P_h=ph, P_w=pw, D=768, cls=bool(rng.integers(2)),
                        mask_ratio=pick([0.0, 0.5, 0.75]) if difficulty == "hard" else 0.0)
        side, pp = pick([(224, 16), (224, 32), (224, 14), (336, 14), (256, 16), (384, 16), (384, 32)])
        return dict(H=side, W=side, C=3, P_h=pp, P_w=pp, D=pick([384, 512, 768, 1024]), cls=bool(rng.integers(2)),
                    mask_ratio=pick([0.5, 0.75]) if difficulty == "hard" or rng.random() < 0.3 else 0.0)

    def check(self, p: Params) -> list[str]:
        from examprep.errors import ParamError

        if p.P_h > p.H or p.H % p.P_h:
            raise ParamError(f"P_h={p.P_h} must divide H={p.H}; use a patch height that tiles the input")
        if p.P_w > p.W or p.W % p.P_w:
            raise ParamError(f"P_w={p.P_w} must divide W={p.W}; use a patch width that tiles the input")
        return []

    def degenerate(self, p: Params) -> str | None:
        return near_miss(self.solve(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        spec = p.C == 1 and p.W == 128
        what = (f"A log-mel spectrogram of $H = T = {p.H}$ frames × $W = {p.W}$ mel bins (one channel, $C = 1$)" if spec
                else f"An image of $H \\times W = {p.H} \\times {p.W}$ pixels with $C = {p.C}$ channels")
        s = [what + f" is cut into non-overlapping $P_h \\times P_w = {p.P_h} \\times {p.P_w}$ patches. Each patch is "
             f"flattened (all its values, every channel) and linearly projected (with a bias) to $D = {p.D}$. "]
        s.append("A learned [CLS] token is prepended. " if p.cls else "There is no [CLS] token. ")
        s.append("Every token gets a learned position embedding of size $D$. Give the patch grid "
                 "$[H/P_h, W/P_w]$, the number of patches $N$, the number of tokens, the length of a flattened "
                 "patch, and the parameters of the patch projection and of the position embeddings.")
        if p.mask_ratio:
            s.append(f" MAE then masks a ratio $r = {p.mask_ratio:g}$ of the $N$ patches: as in MAE's code, "
                     "$\\lfloor N(1 - r) \\rfloor$ patches stay visible and the rest are masked. How many are visible "
                     "and how many masked?")
        return s

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return tokens(p, given=given)

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        d = Derivation()
        subs = {"H": p.H, "W": p.W, "C": p.C, "P_h": p.P_h, "P_w": p.P_w, "D": p.D}
        gh = d.add("Patch rows", a["grid"][0], lhs="G_h", formula=H / PH, subs=subs)
        gw = d.add("Patch columns", a["grid"][1], lhs="G_w", formula=W / PW, subs=subs)
        d.add("Patch grid", a["grid"], lhs="grid", part="grid")
        d.add("Patches", a["n_patches"], lhs=N, formula=Sym("G_h") * Sym("G_w"), subs={"G_h": gh, "G_w": gw},
              part="n_patches", note="patches, not pixels: divide each side by the patch size")
        d.add("Tokens", a["n_tokens"], lhs=T_, formula=N + 1 if p.cls else N, subs={"N": a["n_patches"]},
              part="n_tokens", note="the patches plus the [CLS] token" if p.cls else "no [CLS] token")
        d.add("Flattened patch", a["patch_dim"], lhs=PD, formula=PH * PW * C, subs=subs, part="patch_dim",
              note="every value of every channel in the patch")
        d.add("Patch projection", a["proj_params"], lhs="N_proj", formula=PD * D + D,
              subs={"d_p": a["patch_dim"], "D": p.D}, part="proj_params", note="a d_p×D weight and D biases")
        d.add("Position embeddings", a["pos_params"], lhs="N_pos", formula=T_ * D,
              subs={"N_tok": a["n_tokens"], "D": p.D}, part="pos_params", note="one vector of size D per token")
        if p.mask_ratio:
            ms = {"N": a["n_patches"], "r": p.mask_ratio}
            d.add("Visible patches", a["n_visible"], lhs="N_vis", formula=floor(N * (1 - R)), subs=ms,
                  part="n_visible", note="MAE keeps int(N·(1 − r)) patches")
            d.add("Masked patches", a["n_masked"], lhs="N_mask", formula=N - Sym("N_vis"),
                  subs={"N": a["n_patches"], "N_vis": a["n_visible"]}, part="n_masked")
        d.answer = f"{a['n_patches']} patches, {a['n_tokens']} tokens"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = tokens(p)

        def changed(m: dict[str, Any]) -> dict[str, Any]:
            return {k: v for k, v in m.items() if v != truth[k]}

        m: dict[str, Mistake] = {}
        if p.cls:
            m["cls_forgotten"] = Mistake(changed(tokens(p, cls=False)),
                                         "The [CLS] token is a token too: add 1 to the patches (and give it a "
                                         "position embedding).")
        if p.P_h == p.P_w and p.P_h > 1:
            m["p_for_p_squared"] = Mistake(changed(tokens(p, square_p=True)),
                                           f"A {p.P_h}×{p.P_w} patch holds P² = {p.P_h * p.P_w} positions per "
                                           "channel, not P.")
            m["pixels_over_p"] = Mistake(changed({k: v for k, v in tokens(p, pixels=True).items()
                                                  if k in ("n_patches", "n_tokens")}),
                                         "The patches form a (H/P)×(W/P) grid: divide both sides by P, not the "
                                         "pixel count H·W by P once.")
        if p.C > 1:
            m["channels_dropped"] = Mistake(changed(tokens(p, channels=False)),
                                            f"A flattened patch has P_h·P_w values in each of the C = {p.C} "
                                            "channels: multiply by C.")
        if p.mask_ratio:
            m["masked_floor"] = Mistake(changed(tokens(p, floor_masked=True)),
                                        "MAE rounds the kept patches down (⌊N(1 − r)⌋ visible), so the masked "
                                        "count is N minus that, not ⌊rN⌋.")
        return {k: v for k, v in m.items() if v.answers}
