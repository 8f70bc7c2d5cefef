"""Output shape of a 2-D max-pooling layer, with PyTorch's ceil_mode rule.

Catalog: seed_003 A2 (formula sheet, lines 1665–1667), seed_004 C3/C4, seed_002 E3.

Parameters:
    H, W: input height and width. C: channels. K: square pooling window.
    S: stride; when absent it defaults to K, as in ``nn.MaxPool2d(K)`` (the prompt then says "stride not given").
    P: implicit padding on every side (at most K/2, PyTorch's rule). ceil_mode: round up instead of down.

Answer parts: ``h_out``, ``w_out``, ``c_out`` (integers).

Conventions stated in the prompt: PyTorch ``nn.MaxPool2d`` semantics; padding P on each side; floor (or ceil with
ceil_mode, where a last window that would start in the right padding is dropped); pooling keeps the channels;
shape written C×H×W.

Formula: O = ⌊(H + 2P − K)/S⌋ + 1. With ceil_mode: O = ⌈(H + 2P − K)/S⌉ + 1, then O − 1 when the last window would
start at or beyond H + P (that is, (O − 1)·S ≥ H + P).

Reference: ``nn.MaxPool2d`` on the meta device, applied to a meta tensor; the shape is read off
(examprep.reference.cnn:pool_output_size).

Common mistakes: assuming stride 1 when it is not given (PyTorch's default is S = K), ceil instead of floor,
floor when ceil_mode is on, ceil without PyTorch's last-window rule, padding ignored, the +1 forgotten.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType
from examprep.seeding import picker
from examprep.solver.expr import Num, Sym, ceil, floor
from examprep.solver.step import Derivation

H, W, P, S, K = Sym("H"), Sym("W"), Sym("P"), Sym("S"), Sym("K")


def stride(p: Params) -> int:
    """The stride in use: S, or K when S is not given (nn.MaxPool2d's default)."""
    return p.S if p.S is not None else p.K


def pool_size(n: int, k: int, s: int, p: int, ceil_mode: bool, last_window_rule: bool = True) -> int:
    """PyTorch's pooling output size (``pooling_output_shape``) for one spatial dimension."""
    o = (-(-(n + 2 * p - k) // s) if ceil_mode else (n + 2 * p - k) // s) + 1
    if ceil_mode and last_window_rule and (o - 1) * s >= n + p:
        o -= 1
    return o


class PoolOutputSize(ProblemType):
    id = "cnn/pool_output_size-v1"
    title = "MaxPool2d output shape"
    catalog = "seed_003 A2; seed_004 C3"
    reference_entry = "examprep.reference.cnn:pool_output_size"
    params = (
        Param("H", "int", "input height", lo=1, hi=4096),
        Param("W", "int", "input width", lo=1, hi=4096),
        Param("C", "int", "channels", lo=1, hi=4096),
        Param("K", "int", "square pooling window size", lo=1, hi=64),
        Param("S", "int", "stride (default: K, as nn.MaxPool2d)", lo=1, hi=64, optional=True),
        Param("P", "int", "padding on each side (at most K/2)", lo=0, hi=32, default=0),
        Param("ceil_mode", "bool", "round up (PyTorch ceil_mode)", default=False),
    )
    parts = (
        Part("h_out", "Output height", "integer"),
        Part("w_out", "Output width", "integer"),
        Part("c_out", "Output channels", "integer"),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = picker(rng)
        sizes = [6, 7, 13, 16, 27, 32, 55, 112]
        if difficulty == "easy":
            h, k = pick(sizes), pick([2, 3])
            return dict(H=h, W=h, C=pick([3, 6, 16, 64]), K=k, S=pick([None, 2]), P=0, ceil_mode=False)
        if difficulty == "medium":
            h, k = pick(sizes), pick([2, 3])
            return dict(H=h, W=h, C=pick([16, 32, 64, 96, 256]), K=k, S=pick([1, 2, 3, None]), P=pick([0, 1]),
                        ceil_mode=bool(rng.integers(2)))
        k = pick([2, 3, 4, 5])
        return dict(H=pick(sizes), W=pick(sizes), C=pick([32, 64, 96, 128, 256]), K=k, S=pick([2, 3]),
                    P=pick([0, 1, 2]), ceil_mode=True)

    def check(self, p: Params) -> list[str]:
        from examprep.errors import ParamError

        if 2 * p.P > p.K:
            raise ParamError(f"P={p.P} is too large: PyTorch allows padding of at most half the window (K/2 = "
                             f"{p.K / 2:g}); use a smaller P or a larger K")
        for name, n in (("H", p.H), ("W", p.W)):
            if n + 2 * p.P < p.K:
                raise ParamError(f"the window K={p.K} is larger than the padded input {name} + 2P = {n + 2 * p.P}; "
                                 "use a smaller K or a larger input")
        return []

    def statement(self, p: Params) -> list[Any]:
        s = (f"stride $S = {p.S}$" if p.S is not None else
             "stride not given (nn.MaxPool2d(K) then uses stride $S = K$)")
        mode = ("ceil_mode=True (round up; PyTorch drops a last window that would start in the right padding)"
                if p.ceil_mode else "ceil_mode=False (round down, floor)")
        pad = f"padding $P = {p.P}$ on every side" if p.P else "no padding ($P = 0$)"
        return [
            rf"A max-pooling layer with a $K \times K = {p.K} \times {p.K}$ window, {s}, {pad}, {mode}, is applied to "
            rf"a $C \times H \times W = {p.C} \times {p.H} \times {p.W}$ input. What is the output shape "
            r"($C \times H \times W$)? "
            "Conventions: PyTorch nn.MaxPool2d."
        ]

    def solve(self, p: Params) -> Answers:
        s = stride(p)
        return {"h_out": pool_size(p.H, p.K, s, p.P, p.ceil_mode), "w_out": pool_size(p.W, p.K, s, p.P, p.ceil_mode),
                "c_out": p.C}

    def derivation(self, p: Params) -> Derivation:
        s = stride(p)
        ans = self.solve(p)
        d = Derivation()
        if p.S is None:
            d.add("Stride", s, lhs=S, formula=K, subs={"K": p.K}, note="nn.MaxPool2d(K) defaults to stride = K")
        rnd = ceil if p.ceil_mode else floor
        for part, title, n_sym, n in (("h_out", "Output height", H, p.H), ("w_out", "Output width", W, p.W)):
            lhs = Sym("H_out" if part == "h_out" else "W_out")
            formula = rnd((n_sym + 2 * P - K) / S) + 1
            subs = {n_sym: n, "P": p.P, "K": p.K, "S": s}
            raw = pool_size(n, p.K, s, p.P, p.ceil_mode, last_window_rule=False)
            chain = [rnd(Num(n + 2 * p.P - p.K) / Num(s)) + 1] if s != 1 else []
            if raw != ans[part]:
                d.add(f"{title} before the last-window rule", raw, lhs=lhs, formula=formula, subs=subs, chain=chain)
                d.add(f"{title} (last window dropped)", ans[part], lhs=lhs, formula=Sym("O") - 1,
                      subs={"O": raw}, part=part,
                      note=f"the last window would start at (O − 1)·S = {(raw - 1) * s} ≥ {n_sym} + P = "
                           f"{n + p.P}, inside the right padding, so PyTorch drops it")
            else:
                d.add(title, ans[part], lhs=lhs, formula=formula, subs=subs, part=part, chain=chain)
        d.add("Channels", p.C, lhs="C_out", part="c_out", note="pooling acts on each channel separately")
        d.answer = f"{ans['c_out']} × {ans['h_out']} × {ans['w_out']}"
        return d

    def degenerate(self, p: Params) -> str | None:
        s = stride(p)
        if p.ceil_mode and all(pool_size(n, p.K, s, p.P, True) == pool_size(n, p.K, s, p.P, False)
                               for n in (p.H, p.W)):
            return "ceil_mode makes no difference"
        return None

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        s = stride(p)

        def both(f: Any) -> dict[str, int]:
            return {"h_out": f(p.H), "w_out": f(p.W)}

        m: dict[str, Mistake] = {}
        if p.S is None and p.K > 1:
            m["stride_one"] = Mistake(both(lambda n: pool_size(n, p.K, 1, p.P, p.ceil_mode)),
                                      "The stride was not given: nn.MaxPool2d(K) uses stride = K, not 1.")
        # Rounding mistakes are offered where the rounding matters (the division is not exact in H or W);
        # elsewhere they give the right answer by luck and are not a different procedure worth naming.
        floor_ = both(lambda n: pool_size(n, p.K, s, p.P, False))
        ceil_ = both(lambda n: pool_size(n, p.K, s, p.P, True))
        no_rule = both(lambda n: pool_size(n, p.K, s, p.P, True, last_window_rule=False))
        if not p.ceil_mode and no_rule != floor_:
            m["ceil"] = Mistake(no_rule, "You rounded up: without ceil_mode a window that does not fit is dropped "
                                         "(floor).")
        if p.ceil_mode and ceil_ != floor_:
            m["floor_with_ceil_mode"] = Mistake(floor_, "ceil_mode=True rounds up: a partial last window is kept.")
        if p.ceil_mode and no_rule != ceil_:
            m["ceil_without_rule"] = Mistake(
                no_rule, "With ceil_mode, PyTorch drops a last window that would start in the right padding "
                         r"($(O - 1) S \ge H + P$).")
        if p.P > 0:
            m["padding_ignored"] = Mistake(both(lambda n: pool_size(n, p.K, s, 0, p.ceil_mode)),
                                           "You ignored the padding: it adds 2P to the input size.")
        m["no_plus_one"] = Mistake(both(lambda n: pool_size(n, p.K, s, p.P, p.ceil_mode) - 1),
                                   "You forgot the +1 (the first window position counts too).")
        return m

