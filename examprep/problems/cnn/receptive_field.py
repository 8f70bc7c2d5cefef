"""Receptive field and jump (effective stride) after each layer of a stack of convolution / pooling layers.

Catalog: seed_004 C9 (VGG: three 3×3 = one 7×7), seed_000_001 C5 (receptive_field_stack: the notes' RF_i = RF_{i−1}
+ (K − 1), PatchGAN 70, conv3 → pool2 → conv3 = 8), seed_002 E5 (dilation: 1 + Σ(k − 1)d, TCN).

Parameters:
    layers: a matrix with one row [kernel, stride, dilation] per layer, the first row being the layer applied to
    the input. A pooling layer is a row like [2, 2, 1] (its window and stride).

Answer parts: ``rf`` (the receptive field after each layer, in input pixels) and ``jump`` (the distance in input
pixels between neighbouring outputs of each layer); integer vectors with one entry per layer, partial credit per entry.

Conventions stated in the prompt: one spatial axis (square kernels give the same value along the other axis);
rf_0 = 1 and jump_0 = 1 for the input itself; padding does not change the receptive field; a dilated kernel's
taps are D apart.

Formulas: jump_l = jump_{l−1}·S_l;  rf_l = rf_{l−1} + D_l(K_l − 1)·jump_{l−1}.

Reference: empirical. A stack of 1-D convolutions with all-ones (dilated) kernels in float64 is run on every
instance at once (per-instance kernels as channel groups, per-instance strides by gathering every S-th output);
a one-hot gradient is back-propagated from output 0 and from output 1 of each layer; the receptive field is the
extent of the non-zero input gradient, the jump the shift between the two
(examprep.reference.cnn:receptive_field).

Common mistakes: the notes' formula that ignores the strides before a layer (no jump), adding the kernel size
instead of K − 1, adding (or multiplying) the kernel sizes, forgetting the initial 1, ignoring dilation, a jump
that is not cumulative.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.seeding import picker
from examprep.solver.expr import Sym, paren, to_expr
from examprep.solver.step import Derivation

MAX_DILATION = 1024  # WaveNet stacks dilations 1, 2, ..., 512

MAX_LAYERS = 12


def trace(layers: Any, *, jump_cumulative: bool = True, use_jump: bool = True, use_dilation: bool = True,
          added: str = "span") -> tuple[list[int], list[int]]:
    """(rf after each layer, jump after each layer); the keyword flags do the catalog's mistakes."""
    rf, jump, rfs, jumps = 1, 1, [], []
    for k, s, d in layers:
        d = d if use_dilation else 1
        step = {"span": d * (k - 1), "size": d * (k - 1) + 1}[added]
        rf += step * (jump if use_jump else 1)
        jump = jump * s if jump_cumulative else s
        rfs.append(rf)
        jumps.append(jump)
    return rfs, jumps


def fields(layers: Any, jumps: Any) -> list[Any]:
    """The receptive field after each layer from the jumps after each layer: r_l = r_{l-1} + D_l(K_l − 1)·j_{l-1},
    with r_0 = j_0 = 1 (error carried forward: the student's own jumps)."""
    rf, rfs = 1, []
    for (k, _, d), j in zip(layers, [1, *list(jumps)[:-1]], strict=True):
        rf += d * (k - 1) * j
        rfs.append(rf)
    return rfs


class ReceptiveField(ProblemType):
    id = "cnn/receptive_field-v1"
    title = "Receptive field of a layer stack"
    catalog = "seed_004 C9; seed_000_001 C5; seed_002 E5"
    reference_entry = "examprep.reference.cnn:receptive_field"
    params = (
        Param("layers", "matrix", "one row [kernel, stride, dilation] per layer, first layer first", lo=1,
              hi=MAX_DILATION),
    )
    parts = (
        Part("rf", "Receptive field after each layer", "vector", integral=True, uses=("jump",)),
        Part("jump", "Jump (effective stride) after each layer", "vector", integral=True),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = picker(rng)
        rows = []
        if difficulty == "easy":
            for _ in range(pick([2, 3, 4])):
                rows.append([pick([3, 3, 5]), pick([1, 1, 2]), 1])
        elif difficulty == "medium":
            for _ in range(pick([3, 4])):
                rows.append(pick([[3, 1, 1], [3, 2, 1], [5, 1, 1], [2, 2, 1], [3, 1, 1], [7, 2, 1]]))
        else:
            for _ in range(pick([3, 4, 5])):
                rows.append([pick([2, 3, 5]), pick([1, 1, 2]), pick([1, 2, 4])])
            if all(r[1] == 1 for r in rows[:-1]):
                rows[int(rng.integers(len(rows) - 1))][1] = 2  # a stride before the last layer, so jumps matter
        return dict(layers=rows)

    def check(self, p: Params) -> list[str]:
        from examprep.errors import ParamError

        if len(p.layers[0]) != 3:
            raise ParamError("layers: each row must be [kernel, stride, dilation], e.g. --set "
                             "layers='[[3,1,1],[3,1,1],[3,1,1]]'")
        if len(p.layers) > MAX_LAYERS:
            raise ParamError(f"layers: at most {MAX_LAYERS} layers")
        if any(not isinstance(x, int) for row in p.layers for x in row):
            raise ParamError("layers: kernel, stride and dilation must be whole numbers")
        if any(k > 64 or s > 64 for k, s, _ in p.layers):
            raise ParamError("layers: kernel and stride must be from 1 to 64 (dilation up to "
                             f"{MAX_DILATION}, as in WaveNet's 1, 2, …, 512)")
        return []

    def statement(self, p: Params) -> list[Any]:
        desc = "; ".join(f"layer {i}: $K_{{{i}}} = {k}$, $S_{{{i}}} = {s}$, $D_{{{i}}} = {d}$"
                         for i, (k, s, d) in enumerate(p.layers, 1))
        return [
            f"A stack of {len(p.layers)} convolution/pooling layers is applied to an image (layer $l$ has kernel size "
            f"$K_l$, stride $S_l$ and dilation $D_l$: {desc}). "
            r"Give the receptive field $\mathrm{rf}_l$ (in input pixels, along one axis) of one output of each "
            "layer $l$, and the jump $j_l$ (the distance in input pixels between neighbouring outputs of layer $l$). "
            r"Conventions: layer 1 is applied to the input; $\mathrm{rf}_0 = 1$ and $j_0 = 1$; padding does not "
            "change the receptive field; a kernel with dilation $D$ has its taps $D$ pixels apart; answer as vectors "
            r"$[\mathrm{rf}_1, \ldots, \mathrm{rf}_L]$ and $[j_1, \ldots, j_L]$."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        jump = carry(given, "jump", trace(p.layers)[1])
        return {"rf": fields(p.layers, jump), "jump": jump}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        rf_prev, j_prev = 1, 1
        for i, (k, s, dil) in enumerate(p.layers, 1):
            r_prev, jp = Sym(f"r_{i - 1}"), Sym(f"j_{i - 1}")
            kk, ss, dd = Sym(f"K_{i}"), Sym(f"S_{i}"), Sym(f"D_{i}")
            subs = {r_prev: rf_prev, jp: j_prev, kk: k, ss: s, dd: dil}
            d.add(f"Receptive field after layer {i}", ans["rf"][i - 1], lhs=f"r_{i}",
                  formula=r_prev + dd * paren(kk - 1) * jp, subs=subs,
                  note="r_0 = 1, j_0 = 1 (one input pixel)" if i == 1 else None)
            d.add(f"Jump after layer {i}", ans["jump"][i - 1], lhs=f"j_{i}", formula=jp * ss, subs=subs)
            rf_prev, j_prev = ans["rf"][i - 1], ans["jump"][i - 1]
        d.add("Receptive fields", ans["rf"], lhs="rf", formula=to_expr([Sym(f"r_{i}") for i in
                                                                        range(1, len(p.layers) + 1)]),
              subs={f"r_{i}": v for i, v in enumerate(ans["rf"], 1)}, part="rf")
        d.add("Jumps", ans["jump"], lhs="j", formula=to_expr([Sym(f"j_{i}") for i in range(1, len(p.layers) + 1)]),
              subs={f"j_{i}": v for i, v in enumerate(ans["jump"], 1)}, part="jump")
        d.answer = f"rf = {ans['rf']}, jump = {ans['jump']}; one output of the last layer sees {ans['rf'][-1]} pixels"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        layers = p.layers
        m: dict[str, Mistake] = {}
        if any(s > 1 for _, s, _ in layers[:-1]):
            m["no_jump"] = Mistake({"rf": trace(layers, use_jump=False)[0]},
                                   r"After a strided layer each step of the next kernel moves $j = \prod S$ input "
                                   r"pixels: $\mathrm{rf}_l = \mathrm{rf}_{l-1} + D(K - 1) \cdot j_{l-1}$, not "
                                   r"$\mathrm{rf}_{l-1} + D(K - 1)$.")
            rf, jump = trace(layers, jump_cumulative=False)
            m["jump_not_cumulative"] = Mistake({"rf": rf, "jump": jump},
                                               r"The jump is cumulative: $j_l = j_{l-1} \cdot S_l$ (the product of "
                                               "all strides so far), not $S_l$ alone.")
        m["kernel_size_added"] = Mistake({"rf": trace(layers, added="size")[0]},
                                         r"Each layer adds $D(K - 1) \cdot j_{l-1}$, not the kernel size: a 3×3 "
                                         "layer grows the field by 2, not 3.")
        if len(layers) > 1:
            m["sum_of_kernels"] = Mistake({"rf": list(np.cumsum([k for k, _, _ in layers]).tolist())},
                                          "The kernel sizes do not add: neighbouring windows overlap, so each layer "
                                          r"adds $D(K - 1) \cdot j_{l-1}$ (three 3×3 layers see 7 pixels, not 9).")
            m["product_of_kernels"] = Mistake({"rf": list(np.cumprod([k for k, _, _ in layers]).tolist())},
                                              r"The kernel sizes do not multiply: each layer adds "
                                              r"$D(K - 1) \cdot j_{l-1}$.")
        m["no_initial_one"] = Mistake({"rf": [r - 1 for r in trace(layers)[0]]},
                                      r"Start from $\mathrm{rf}_0 = 1$ (one input pixel), then add "
                                      r"$D(K - 1) \cdot j_{l-1}$ per layer.")
        if any(d > 1 for _, _, d in layers):
            m["dilation_ignored"] = Mistake({"rf": trace(layers, use_dilation=False)[0]},
                                            "A dilated kernel spans $D(K - 1) + 1$ pixels: its taps are $D$ apart.")
        return m
