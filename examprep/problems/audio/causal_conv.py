"""A dilated causal convolution and WaveNet's gated activation: y and g from (k − 1)d zeros on the left, then
z = tanh(y)·σ(g).

Catalog: seed_000_001 H4 (x = [1, 2, 3, 4, 5] with taps 0.5 on x_{t−d} and 1 on x_t: d = 1 gives [1, 2.5, 4, 5.5, 7],
d = 2 gives [1, 2, 3.5, 5, 6.5]; tanh(0.5)·σ(1) = 0.337835); seed_002 E6 (x = [1, …, 6], d = 2: [1, 2, 3.5, 5, 6.5,
8]).

Parameters:
    x: the input sequence x_1 … x_T. w: the filter taps w_1 … w_k, oldest first (w_k multiplies x_t, w_{k−1}
    multiplies x_{t−d}, …). w_gate: the gate's taps, in the same order. d: the dilation.

Answer parts: ``y`` (y_t = Σ_j w_j x_{t−(k−j)d}, zeros before x_1, so the length is kept), ``g`` (the same with
w_gate) and ``z`` (tanh(y_t)·σ(g_t), computed from y and g: error carried forward).

Reference: ``F.conv1d(F.pad(x, ((k − 1)d, 0)), w, dilation=d)`` for y and g (one group per instance), then
``torch.tanh(y) * torch.sigmoid(g)`` (examprep.reference.audio_conv:causal_conv).

Common mistakes: centred padding (⌊(k − 1)d/2⌋ zeros on the left and the rest on the right, as
``padding="same"``: the output sees the future), the taps reversed (w_1 on x_t), the dilation ignored (d = 1), tanh
and σ swapped.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.gan.fair import close_to_truth, grid, near_miss, visible
from examprep.solver.expr import Add, Func, Mat, Num, Sym
from examprep.solver.step import Derivation

DP = 4
MAX_LEN = 64
MAX_TAPS = 8
TAPS = (-1.0, -0.5, 0.5, 1.0, 2.0)


def conv(x: Any, w: Any, d: int, left: int | None = None) -> np.ndarray:
    """Zero-pad ``left`` samples before x (default (k − 1)d, causal) and the rest of (k − 1)d after it, then
    out_t = Σ_j w_j x'_{t + j·d} (taps oldest first, as ``F.conv1d``)."""
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    total = (len(w) - 1) * d
    left = total if left is None else left
    xp = np.concatenate([np.zeros(left), x, np.zeros(total - left)])
    return np.array([sum(w[j] * xp[t + j * d] for j in range(len(w))) for t in range(len(x))])


def sigmoid(a: Any) -> np.ndarray:
    return 1 / (1 + np.exp(-np.asarray(a, dtype=float)))


def gate(y: Any, g: Any) -> np.ndarray:
    return np.tanh(np.asarray(y, dtype=float)) * sigmoid(g)


class CausalConv(ProblemType):
    id = "audio/causal_conv-v1"
    title = "Dilated causal convolution and gated activation (WaveNet)"
    catalog = "seed_000_001 H4; seed_002 E6"
    reference_entry = "examprep.reference.audio_conv:causal_conv"
    params = (
        Param("x", "vector", "input sequence x_1 … x_T", lo=-1000, hi=1000),
        Param("w", "vector", "filter taps, oldest first (the last multiplies x_t)", lo=-1000, hi=1000),
        Param("w_gate", "vector", "gate taps, oldest first", lo=-1000, hi=1000),
        Param("d", "int", "dilation", lo=1, hi=1024),
    )
    parts = (
        Part("y", "Filter output y", "vector", mode="decdig", digits=DP, final=False),
        Part("g", "Gate pre-activation g", "vector", mode="decdig", digits=DP, final=False),
        Part("z", "Gated output z", "vector", mode="decdig", digits=DP, uses=("y", "g")),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = lambda opts: opts[int(rng.integers(len(opts)))]  # noqa: E731
        n, k, ds, lo, hi, step = {"easy": (5, 2, (1, 2), -1, 3, 1.0), "medium": (6, pick((2, 3)), (1, 2), -2, 2, 0.5),
                                  "hard": (8, 3, (2, 3), -2, 2, 0.25)}[difficulty]
        taps = lambda: tuple(float(TAPS[int(i)]) for i in rng.choice(len(TAPS), size=k, replace=False))  # noqa: E731
        w, wg = taps(), taps()
        while any(a == b for a, b in zip(w, wg, strict=True)):  # tap by tap different, so that g_t differs from y_t
            wg = taps()
        return dict(x=grid(rng, lo, hi, step, n), w=w, w_gate=wg, d=pick(ds))

    def check(self, p: Params) -> list[str]:
        if not 2 <= len(p.x) <= MAX_LEN:
            raise ParamError(f"x: give 2 to {MAX_LEN} samples (got {len(p.x)})")
        if not 2 <= len(p.w) <= MAX_TAPS:
            raise ParamError(f"w: give 2 to {MAX_TAPS} taps (got {len(p.w)})")
        if len(p.w_gate) != len(p.w):
            raise ParamError(f"w_gate has {len(p.w_gate)} taps and w {len(p.w)}: the filter and the gate have the "
                             "same kernel size")
        return []

    def degenerate(self, p: Params) -> str | None:
        if (len(p.w) - 1) * p.d >= len(p.x):
            return "the oldest tap never reaches a sample"
        if not any(p.x):
            return "the input is all zeros"
        a = self.solve(p)
        if any(y != 0 and close_to_truth(g, y) for y, g in zip(a["y"], a["g"], strict=True)):
            return "y_t = g_t at some t (tanh and the sigmoid swapped give the same z_t there)"
        return near_miss(self.solve(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        k = len(p.w)
        taps = ", ".join(f"$w_{j}$" for j in range(1, k + 1))
        return [
            f"A causal convolution with kernel size $k = {k}$ and dilation $d = {p.d}$ reads the sequence $x$ = ",
            list(p.x), f" (samples numbered from 1). Its taps {taps} are listed oldest first, so the last one "
            "multiplies the current sample: $y_t = \\sum_{j=1}^{k} w_j x_{t-(k-j) d}$, with $(k - 1) d$ zeros "
            "padded on the left so the output keeps the input's length. The filter taps are $w$ = ", list(p.w),
            " and the gate's taps $w_g$ = ", list(p.w_gate), ", giving the gate pre-activation $g_t$ the same way. "
            r"WaveNet's gated unit outputs $z_t = \tanh(y_t) \cdot \sigma(g_t)$ with $\sigma$ the logistic sigmoid. "
            f"Give $y$ and $g$ and then $z$, each to {DP} decimal places."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        y = carry(given, "y", conv(p.x, p.w, p.d).tolist())
        g = carry(given, "g", conv(p.x, p.w_gate, p.d).tolist())
        return {"y": np.asarray(y, dtype=float).tolist(), "g": np.asarray(g, dtype=float).tolist(),
                "z": gate(y, g).tolist()}

    def _conv_step(self, d: Derivation, p: Params, taps: Any, title: str, lhs: Sym, part: str, value: Any) -> None:
        k, pad = len(taps), (len(taps) - 1) * p.d
        xp = [0.0] * pad + list(p.x)
        rows = [[Add([(1 if taps[j] >= 0 else -1, Num(abs(taps[j])) * Num(xp[t + j * p.d])) for j in range(k)])]
                for t in range(len(p.x))]
        d.add(title, value, lhs=lhs, part=part, substituted=Mat(rows),
              note=rf"the taps $w_1, \ldots, w_{k}$ meet $x_{{t-{pad}}}, \ldots, x_t$ in steps of $d = {p.d}$; "
                   "samples before $x_1$ are the padded zeros")

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        pad = (len(p.w) - 1) * p.d
        d.add("Left zero padding", pad, lhs=Sym("P", tex="(k - 1) d"), substituted=(Num(len(p.w)) - 1) * Num(p.d),
              note=f"{pad} zero{'s' if pad != 1 else ''} before $x_1$ and none after: the output at $t$ sees no "
                   "later sample")
        self._conv_step(d, p, p.w, "Filter output", Sym("y"), "y", ans["y"])
        self._conv_step(d, p, p.w_gate, "Gate pre-activation", Sym("g"), "g", ans["g"])
        sig = lambda v: 1 / (1 + Func("exp", Num(-v + 0.0)))  # noqa: E731
        d.add("Gated output", ans["z"], lhs=Sym("z"), part="z",
              substituted=Mat([[Func("tanh", Num(a)) * sig(b)] for a, b in zip(ans["y"], ans["g"], strict=True)]),
              note=r"$z_t = \tanh(y_t) \cdot \sigma(g_t)$ with $\sigma(g) = \frac{1}{1 + e^{-g}}$")
        d.answer = "z = [" + ", ".join(f"{v:.{DP}f}" for v in ans["z"]) + "]"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return visible(self.solve(p), self.all_mistakes(p))

    def all_mistakes(self, p: Params) -> dict[str, Mistake]:
        """Every named mistake, whether or not it shows on these parameters."""
        a = self.solve(p)

        def both(**kw: Any) -> dict[str, Any]:
            y, g = conv(p.x, kw.get("w", p.w), kw.get("d", p.d), kw.get("left")), \
                conv(p.x, kw.get("wg", p.w_gate), kw.get("d", p.d), kw.get("left"))
            return {"y": y.tolist(), "g": g.tolist(), "z": gate(y, g).tolist()}

        half = (len(p.w) - 1) * p.d // 2
        return {
            "centred_padding": Mistake(both(left=half),
                                       r"A causal convolution puts all $(k - 1) d$ zeros on the left; padding on "
                                       r"both sides lets $y_t$ see later samples."),
            "taps_reversed": Mistake(both(w=p.w[::-1], wg=p.w_gate[::-1]),
                                     r"The taps are listed oldest first: the last tap $w_k$ multiplies the current "
                                     r"sample $x_t$, the first the oldest."),
            "dilation_ignored": Mistake(both(d=1),
                                        f"With dilation $d = {p.d}$ the taps are $d$ samples apart: "
                                        r"$y_t = \sum_j w_j x_{t-(k-j) d}$."),
            "tanh_sigmoid_swapped": Mistake({"z": (sigmoid(a["y"]) * np.tanh(np.asarray(a["g"]))).tolist()},
                                            r"The tanh acts on the filter output and the sigmoid on the gate: "
                                            r"$z = \tanh(y) \cdot \sigma(g)$."),
        }
