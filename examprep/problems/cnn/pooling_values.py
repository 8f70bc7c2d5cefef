"""Max, average and L2 pooling of a small map, and L2 pooling over feature channels.

Catalog: seed_004 C3 (pooling operations, lines 1004–1022), seed_002 E3.

Parameters:
    X: an integer feature map (one channel). K: the square window side. S: the stride (default K).
    features: one pixel's channel values. group: channels per group for feature pooling (divides their number).

Answer parts: ``max``, ``avg`` and ``l2`` (the pooled maps: maximum, mean, and √ of the sum of squares of each
window) and ``feature_l2`` (the L2 norm of each group of consecutive channels).

Conventions stated in the prompt: no padding; windows start at 0, S, 2S, … and only whole windows count (output
side ⌊(n − K)/S⌋ + 1); the average divides by the K² values of a window; L2 pooling squares, sums and takes the
square root (it is not a mean).

Reference: ``F.max_pool2d``, ``F.avg_pool2d``, ``F.lp_pool2d(norm_type=2)`` and ``torch.linalg.vector_norm`` over
channel groups (examprep.reference.cnn_layers:pooling_values).

Common mistakes: L2 without the square root, L2 as a root mean square, the average divided by K instead of K²,
non-overlapping windows (stride K) when S < K.

Versions: v1 — first version.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType
from examprep.solver.expr import Sym, sqrt
from examprep.solver.step import Derivation


def windows(X: Any, K: int, S: int) -> list[list[list[float]]]:
    """The values of each window, row by row: out[i][j] is the flat list of window (i, j)."""
    n_r, n_c = len(X), len(X[0])
    return [[[X[r][c] for r in range(i * S, i * S + K) for c in range(j * S, j * S + K)]
             for j in range((n_c - K) // S + 1)] for i in range((n_r - K) // S + 1)]


def _sq(v: float) -> str:
    return f"{v:g}²" if v >= 0 else f"({abs(v):g})²".replace("(", "(−")


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else x


def pooled(X: Any, K: int, S: int) -> Answers:
    w = windows(X, K, S)
    return {"max": [[_num(max(v)) for v in row] for row in w],
            "avg": [[_num(sum(v) / len(v)) for v in row] for row in w],
            "l2": [[_num(math.sqrt(sum(x * x for x in v))) for v in row] for row in w]}


def feature_l2(features: Any, group: int) -> list[float]:
    return [_num(math.sqrt(sum(x * x for x in features[i:i + group]))) for i in range(0, len(features), group)]


class PoolingValues(ProblemType):
    id = "cnn/pooling_values-v1"
    title = "Max, average and L2 pooling by hand"
    catalog = "seed_004 C3; seed_002 E3"
    reference_entry = "examprep.reference.cnn_layers:pooling_values"
    params = (
        Param("X", "matrix", "the feature map (one channel)", lo=-1000, hi=1000),
        Param("K", "int", "window side", lo=1, hi=8),
        Param("S", "int", "stride (default: K)", lo=1, hi=8, optional=True),
        Param("features", "vector", "one pixel's channel values", lo=-1000, hi=1000),
        Param("group", "int", "channels per group (divides the number of channels)", lo=1, hi=64),
    )
    parts = (
        Part("max", "Max pooling", "matrix"),
        Part("avg", "Average pooling", "matrix"),
        Part("l2", "L2 pooling", "matrix", digits=4),
        Part("feature_l2", "L2 pooling over channel groups", "vector", digits=4),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        if difficulty == "easy":
            n, K, S, lo, hi, C, g = 4, 2, None, 0, 6, 4, 2
        elif difficulty == "medium":
            n, K, S, lo, hi, C, g = 4, 2, None, -3, 6, 4, 2
        else:
            n, K, S, lo, hi = 5, 3, 2, -3, 6
            C, g = (int(v) for v in [(6, 3), (6, 2), (4, 2)][int(rng.integers(3))])
        X = rng.integers(lo, hi, size=(n, n))
        f = rng.integers(-4, 5, size=C)
        return dict(X=tuple(tuple(int(v) for v in r) for r in X), K=K, S=S,
                    features=tuple(float(v) for v in f), group=g)

    def _S(self, p: Params) -> int:
        return p.K if p.S is None else p.S

    def check(self, p: Params) -> list[str]:
        if len(p.X) < p.K or len(p.X[0]) < p.K:
            raise ParamError(f"the {p.K}×{p.K} window does not fit in the {len(p.X)}×{len(p.X[0])} map")
        if len(p.features) % p.group:
            raise ParamError(f"group = {p.group} does not divide the {len(p.features)} channel values")
        return []

    def degenerate(self, p: Params) -> str | None:
        if all(v == 0 for v in p.features):
            return "all channel values are 0"
        return None

    def statement(self, p: Params) -> list[Any]:
        S = self._S(p)
        return [
            "A feature map is", [list(r) for r in p.X],
            f". Pool it with a {p.K}×{p.K} window at stride {S}, no padding (windows start at 0, {S}, {2 * S}, … "
            "and only whole windows count): (a) max pooling, (b) average pooling (the mean of the "
            f"${p.K * p.K}$ values of a window), (c) L2 pooling, $\\sqrt{{\\sum x^2}}$ over each window "
            "(4 significant figures). (d) One pixel has the channel values ", list(p.features),
            f"; L2 pooling over features takes $\\sqrt{{\\sum_{{k}} h_k^2}}$ over each group of {p.group} "
            "consecutive channels. Give the group values (4 significant figures)."
        ]

    def solve(self, p: Params) -> Answers:
        return {**pooled(p.X, p.K, self._S(p)), "feature_l2": feature_l2(p.features, p.group)}

    def derivation(self, p: Params) -> Derivation:
        S = self._S(p)
        ans = self.solve(p)
        d = Derivation()
        n_r, n_c = len(p.X), len(p.X[0])
        d.add("Output size", [len(ans["max"]), len(ans["max"][0])], lhs="[H_out, W_out]",
              note=f"⌊({n_r} − {p.K})/{S}⌋ + 1 = {len(ans['max'])} rows, ⌊({n_c} − {p.K})/{S}⌋ + 1 = "
                   f"{len(ans['max'][0])} columns")
        w = windows(p.X, p.K, S)
        first = w[0][0]
        d.add("Window (0, 0)", [list(first)], lhs="x",
              note=f"rows 0–{p.K - 1}, columns 0–{p.K - 1}; the other windows move by {S}")
        d.add("Max pooling", ans["max"], lhs=Sym("h_max", latex=r"h_{\max}", typst='h_"max"'), part="max",
              note="largest value of each window; window (0, 0): max = " + f"{max(first):g}")
        d.add("Average pooling", ans["avg"], lhs=Sym("h_avg", latex=r"h_{\mathrm{avg}}", typst='h_"avg"'),
              part="avg", note=f"sum of each window over {p.K * p.K}; window (0, 0): {sum(first):g}/{p.K * p.K}")
        sq = " + ".join(_sq(v) for v in first)
        d.add("L2 pooling, window (0, 0)", ans["l2"][0][0], lhs=Sym("h_l2", "h_L2(0,0)", latex=r"h_{L2}(0, 0)",
              typst='h_"L2"(0, 0)'), formula=sqrt(Sym("Q", "Σx²", latex=r"\sum x^2", typst="sum x^2")),
              subs={"Q": sum(v * v for v in first)}, note=f"Σx² = {sq}")
        d.add("L2 pooling", ans["l2"], lhs=Sym("h_L2", latex=r"h_{L2}", typst='h_"L2"'), part="l2")
        groups = [list(p.features[i:i + p.group]) for i in range(0, len(p.features), p.group)]
        d.add("L2 over channel groups", ans["feature_l2"], lhs=Sym("g_L2", "h_L2^feat", latex=r"h_{L2}^{\mathrm{feat}}",
              typst='h_"L2"^"feat"'), part="feature_l2",
              note="; ".join(f"√({' + '.join(_sq(v) for v in g)}) = {r:.4g}"
                             for g, r in zip(groups, ans["feature_l2"], strict=True)))
        fmt = lambda m: "[" + ", ".join("[" + ", ".join(f"{v:.4g}" for v in r) + "]" for r in m) + "]"  # noqa: E731
        d.answer = (f"max {fmt(ans['max'])}, average {fmt(ans['avg'])}, L2 {fmt(ans['l2'])}; feature groups "
                    + "[" + ", ".join(f"{v:.4g}" for v in ans["feature_l2"]) + "]")
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        S = self._S(p)
        w = windows(p.X, p.K, S)
        m = {
            "l2_without_root": Mistake(
                {"l2": [[_num(sum(x * x for x in v)) for v in row] for row in w],
                 "feature_l2": [_num(sum(x * x for x in p.features[i:i + p.group]))
                                for i in range(0, len(p.features), p.group)]},
                "L2 pooling takes the square root of the sum of squares; you left the root out."),
            "l2_as_rms": Mistake(
                {"l2": [[_num(math.sqrt(sum(x * x for x in v) / len(v))) for v in row] for row in w],
                 "feature_l2": [_num(math.sqrt(sum(x * x for x in p.features[i:i + p.group]) / p.group))
                                for i in range(0, len(p.features), p.group)]},
                r"L2 pooling is $\sqrt{\sum x^2}$, not a root mean square: do not divide by the number of values."),
        }
        if p.K > 1:
            m["avg_over_k"] = Mistake(
                {"avg": [[_num(sum(v) / p.K) for v in row] for row in w]},
                f"A {p.K}×{p.K} window holds {p.K * p.K} values: divide the sum by $K^2 = {p.K * p.K}$, not by $K$.")
        if S < p.K:
            m["non_overlapping"] = Mistake(
                pooled(p.X, p.K, p.K),
                f"With stride {S} < {p.K} the windows overlap: they start every {S} cells, not every {p.K}.")
        return m
