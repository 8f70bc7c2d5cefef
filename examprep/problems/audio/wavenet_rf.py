"""Receptive field of a stack of dilated causal convolutions (WaveNet, TCN) in samples and milliseconds.

Catalog: seed_000_001 H4 (k = 2, dilations 1, 2, …, 512: 1024 samples = 64 ms at 16 kHz; three stacks: 3070, not
3 × 1024 = 3072).

Parameters:
    k: the kernel size. dilations: the dilation of each layer of one stack (each at most 1024). stacks: how many
    times the stack repeats. convs: convolutions per dilation (1 in WaveNet, 2 in a TCN residual block). fs: the
    sampling rate (Hz).

Answer parts: ``rf_stack`` (1 + convs·(k − 1)·Σd), ``rf`` (1 + stacks·convs·(k − 1)·Σd) and ``rf_ms`` (rf/fs in ms).

Reference: the receptive field read from autograd: the gradient of the last output of all-ones ``F.conv1d`` layers
(no padding) with respect to the input is non-zero exactly on the receptive field
(examprep.reference.audio:wavenet_rf).

Common mistakes: the + 1 forgotten, stacks × the one-stack field (each stack after the first adds (rf_stack − 1)),
the TCN block's second convolution forgotten.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.solver.expr import Num, Sym
from examprep.solver.step import Derivation

MAX_DILATION = 1024


def fields(p: Params, convs: int | None = None) -> tuple[int, int]:
    """(rf_stack, rf) in samples."""
    c = p.convs if convs is None else convs
    grow = c * (p.k - 1) * sum(p.dilations)
    return 1 + grow, 1 + p.stacks * grow


class WavenetRF(ProblemType):
    id = "audio/wavenet_rf-v1"
    title = "Receptive field of dilated causal convolutions (WaveNet, TCN)"
    catalog = "seed_000_001 H4"
    reference_entry = "examprep.reference.audio:wavenet_rf"
    params = (
        Param("k", "int", "kernel size", lo=2, hi=16),
        Param("dilations", "int_vector", "dilation of each layer of one stack", lo=1, hi=MAX_DILATION),
        Param("stacks", "int", "number of stacks", lo=1, hi=16, default=1),
        Param("convs", "int", "convolutions per dilation (1 WaveNet, 2 TCN block)", lo=1, hi=2, default=1),
        Param("fs", "int", "sampling rate in Hz", lo=1, hi=1_000_000),
    )
    parts = (
        Part("rf_stack", "Receptive field of one stack (samples)", "integer", final=False),
        Part("rf", "Receptive field (samples)", "integer", uses=("rf_stack",)),
        Part("rf_ms", "Receptive field (ms)", "real", mode="decdig", digits=2, uses=("rf",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = lambda opts: opts[int(rng.integers(len(opts)))]  # noqa: E731
        n = int(rng.integers(4, 11))
        dil = [2 ** i for i in range(n)]
        if difficulty == "easy":
            return dict(k=2, dilations=dil, stacks=1, convs=1, fs=16000)
        if difficulty == "medium":
            return dict(k=pick((2, 3)), dilations=dil, stacks=int(rng.integers(2, 4)), convs=1,
                        fs=pick((8000, 16000)))
        return dict(k=pick((2, 3, 5)), dilations=dil[: int(rng.integers(3, 9))], stacks=int(rng.integers(1, 4)),
                    convs=2, fs=pick((8000, 16000, 22050, 24000)))

    def check(self, p: Params) -> list[str]:
        if not 1 <= len(p.dilations) <= 16:
            raise ParamError(f"dilations: give 1 to 16 layers (got {len(p.dilations)})")
        return []

    def statement(self, p: Params) -> list[Any]:
        block = ("one causal convolution per dilation (WaveNet)" if p.convs == 1
                 else "a residual block of two causal convolutions per dilation (TCN)")
        return [
            f"A stack of causal convolutions with kernel size $k = {p.k}$ uses the dilations ", list(p.dilations),
            f", with {block}; the stack is repeated {p.stacks} time{'s' if p.stacks > 1 else ''}. The audio is "
            f"sampled at $f_s = {p.fs}$ Hz. Give the receptive field of one stack and of the whole network in "
            "samples, and the whole network's in milliseconds (2 decimal places)."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        one, rf = fields(p)
        if given:  # each stack after the first adds rf_stack − 1 samples
            rf = int(round(carry(given, "rf", 1 + p.stacks * (int(round(carry(given, "rf_stack", one))) - 1))))
        return {"rf_stack": one, "rf": rf, "rf_ms": rf / p.fs * 1000}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        dil = [Num(x) for x in p.dilations]
        s = d.add("Sum of the dilations", sum(p.dilations), lhs=Sym("S", tex=r"\sum d"),
                  substituted=sum(dil[1:], dil[0]))
        conv = Num(p.convs) * (Num(p.k) - 1) if p.convs > 1 else (Num(p.k) - 1)
        d.add("One stack", ans["rf_stack"], lhs=Sym("rf_stack", tex=r"r_{\text{stack}}"), part="rf_stack",
              substituted=1 + conv * Num(s),
              note=(r"each convolution adds $(k - 1) d$ samples" if p.convs == 1 else
                    r"each of the two convolutions per dilation adds $(k - 1) d$ samples") + "; the 1 is the "
                   "current sample")
        d.add("Whole network", ans["rf"], lhs=Sym("rf", tex="r"), part="rf",
              substituted=1 + Num(p.stacks) * conv * Num(s),
              note=r"the stacks chain: each adds $r_{\text{stack}} - 1$ samples, so $r = 1 + $ stacks $\cdot$ "
                   r"$(r_{\text{stack}} - 1)$")
        d.add("In milliseconds", ans["rf_ms"], lhs=Sym("rf_ms", tex=r"r_{\text{ms}}"), part="rf_ms",
              substituted=Num(ans["rf"]) / Num(p.fs) * 1000)
        d.answer = f"{ans['rf']} samples = {ans['rf_ms']:.2f} ms"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        one, rf = fields(p)
        ms = lambda n: n / p.fs * 1000  # noqa: E731
        m = {"plus_one_forgotten": Mistake({"rf_stack": one - 1, "rf": rf - 1, "rf_ms": ms(rf - 1)},
                                           "Add 1 for the current sample: the field is 1 + Σ (k − 1)·d.")}
        if p.stacks > 1:
            m["stacks_times_stack"] = Mistake({"rf": p.stacks * one, "rf_ms": ms(p.stacks * one)},
                                              "Stacks chain: each stack after the first adds r_stack − 1 samples, "
                                              "so the field is 1 + stacks·(r_stack − 1), not stacks·r_stack.")
        if p.convs == 2:
            o1, r1 = fields(p, convs=1)
            m["second_conv_forgotten"] = Mistake({"rf_stack": o1, "rf": r1, "rf_ms": ms(r1)},
                                                 "A TCN block has two dilated convolutions per dilation: each adds "
                                                 "(k − 1)·d.")
        return m
