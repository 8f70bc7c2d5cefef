"""A residual block at one position: two 1×1 convolutions and the identity shortcut.

Catalog: seed_004 C11 (ResNet, lines 1510–1573), problem (a).

Parameters:
    x: the channel values at one position (C of them).
    W1, W2: the two 1×1 convolutions as C×C matrices (row = output channel).
    b1, b2: their biases (default 0).

Answer parts: ``a1`` = ReLU(W1·x + b1) (intermediate), ``F`` = W2·a1 + b2 (the residual, intermediate) and
``H`` = ReLU(F + x) (the block's output).

Conventions stated in the prompt: a 1×1 convolution acts on the channel vector at each position as a matrix
product W·x (row i of W makes output channel i); the shortcut is added before the last ReLU, as in ResNet.

Reference: ``F.conv2d`` with 1×1 kernels on a 1×1 map and ``F.relu`` (examprep.reference.cnn_layers:residual_block).

Common mistakes: the shortcut added after the last ReLU (x + ReLU(F)), the shortcut forgotten (ReLU(F)), the
weight matrices transposed.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.solver.expr import Func, Mat, Sym
from examprep.solver.step import Derivation


def _relu(v: list[float]) -> list[float]:
    return [max(0.0, x) if isinstance(x, float) else max(0, x) for x in v]


def _mv(W: Any, x: Any) -> list[float]:
    return [sum(w * v for w, v in zip(row, x, strict=True)) for row in W]


def _add(a: Any, b: Any) -> list[float]:
    return [u + v for u, v in zip(a, b, strict=True)]


def _clean(v: list[float]) -> list[float | int]:
    return [int(round(x)) if abs(x - round(x)) < 1e-12 else round(x, 12) for x in v]


def block(x: Any, W1: Any, W2: Any, b1: Any, b2: Any, given: Answers | None = None) -> Answers:
    """a₁, F and H; ``given`` holds the student's earlier values (error carried forward)."""
    a1 = carry(given, "a1", _clean(_relu(_add(_mv(W1, x), b1))))
    f = carry(given, "F", _clean(_add(_mv(W2, a1), b2)))
    return {"a1": a1, "F": f, "H": _clean(_relu(_add(f, x)))}


class ResidualBlock(ProblemType):
    id = "cnn/residual_block-v1"
    title = "Residual block with 1×1 convolutions"
    catalog = "seed_004 C11"
    reference_entry = "examprep.reference.cnn_layers:residual_block"
    params = (
        Param("x", "vector", "channel values at one position", lo=-1000, hi=1000),
        Param("W1", "matrix", "first 1×1 convolution (C×C)", lo=-1000, hi=1000),
        Param("W2", "matrix", "second 1×1 convolution (C×C)", lo=-1000, hi=1000),
        Param("b1", "vector", "first bias (default 0)", lo=-1000, hi=1000, optional=True),
        Param("b2", "vector", "second bias (default 0)", lo=-1000, hi=1000, optional=True),
    )
    parts = (
        Part("a1", "a₁ = ReLU(W1·x + b1)", "vector", final=False),
        Part("F", "The residual F = W2·a₁ + b2", "vector", final=False, uses=("a1",)),
        Part("H", "The output H = ReLU(F + x)", "vector", uses=("F",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        C = {"easy": 2, "medium": 2, "hard": 3}[difficulty]
        scale = 1 if difficulty == "easy" else (2 if difficulty == "medium" else 10)

        def draw(*shape: int) -> Any:
            v = rng.integers(-3 * scale, 3 * scale + 1, size=shape) / scale
            return tuple(tuple(float(u) for u in r) for r in v) if len(shape) == 2 else tuple(float(u) for u in v)

        bias = difficulty != "easy"
        return dict(x=draw(C), W1=draw(C, C), W2=draw(C, C), b1=draw(C) if bias else None,
                    b2=draw(C) if bias else None)

    def _b(self, p: Params) -> tuple[Any, Any]:
        C = len(p.x)
        return (p.b1 if p.b1 is not None else (0.0,) * C, p.b2 if p.b2 is not None else (0.0,) * C)

    def check(self, p: Params) -> list[str]:
        C = len(p.x)
        for name in ("W1", "W2"):
            m = p[name]
            if len(m) != C or any(len(r) != C for r in m):
                raise ParamError(f"{name} must be {C}×{C} (C = {C} channels in x); the shortcut needs equal sizes")
        for name in ("b1", "b2"):
            if p[name] is not None and len(p[name]) != C:
                raise ParamError(f"{name} has {len(p[name])} entries; give one per channel ({C})")
        return []

    def degenerate(self, p: Params) -> str | None:
        ans = self.solve(p)
        if all(v == 0 for v in ans["a1"]):
            return "a1 is all zeros"
        if all(v == 0 for v in ans["H"]):
            return "H is all zeros"
        if all(f + x >= 0 for f, x in zip(ans["F"], p.x, strict=True)) and all(f >= 0 for f in ans["F"]):
            return "no ReLU acts at the output"
        return None

    def statement(self, p: Params) -> list[Any]:
        b1, b2 = self._b(p)
        bias = (", with biases $b_1$ = " if p.b1 is not None or p.b2 is not None else "")
        seg: list[Any] = [
            f"A residual block acts on the {len(p.x)} channel values $x$ = ", list(p.x),
            " at one position. Its two 1×1 convolutions act as matrix products on the channel vector "
            "(row $i$ of $W$ makes output channel $i$): $W_1$ = ", [list(r) for r in p.W1],
            " and $W_2$ = ", [list(r) for r in p.W2]]
        if bias:
            seg += [bias, list(b1), " and $b_2$ = ", list(b2)]
        seg.append(". Compute $a_1 = \\operatorname{ReLU}(W_1 x + b_1)$, the residual $F = W_2 a_1 + b_2$, and "
                   "the output $H = \\operatorname{ReLU}(F + x)$: the identity shortcut is added before the last "
                   "ReLU, as in ResNet." + ("" if bias else " There are no biases."))
        return seg

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        b1, b2 = self._b(p)
        return block(p.x, p.W1, p.W2, b1, b2, given)

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        b1, b2 = self._b(p)
        d = Derivation()
        X, W1, W2, B1, B2 = Sym("x"), Sym("W_1"), Sym("W_2"), Sym("b_1"), Sym("b_2")
        col = lambda v: Mat([[u] for u in v])  # noqa: E731
        pre = _clean(_add(_mv(p.W1, p.x), b1))
        d.add("First convolution", pre, lhs=Sym("z_1"), formula=W1 @ X + B1,
              substituted=Mat([list(r) for r in p.W1]) @ col(p.x) + col(b1))
        d.add("ReLU", ans["a1"], lhs=Sym("a_1"), formula=Func("ReLU", Sym("z_1")), part="a1",
              note="negative entries become 0")
        d.add("Second convolution (the residual)", ans["F"], lhs=Sym("F"), formula=W2 @ Sym("a_1") + B2,
              substituted=Mat([list(r) for r in p.W2]) @ col(ans["a1"]) + col(b2), part="F")
        s = _clean(_add(ans["F"], p.x))
        d.add("Add the shortcut", s, lhs=Sym("F + x", latex="F + x", typst="F + x"),
              substituted=col(ans["F"]) + col(p.x))
        d.add("Output", ans["H"], lhs=Sym("H"), formula=Func("ReLU", Sym("F") + X), part="H",
              note="the ReLU comes after the shortcut is added")
        d.answer = "H = [" + ", ".join(f"{v:g}" for v in ans["H"]) + "]"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        ans = self.solve(p)
        b1, b2 = self._b(p)
        t1, t2 = [list(r) for r in zip(*p.W1, strict=True)], [list(r) for r in zip(*p.W2, strict=True)]
        m = {
            "shortcut_after_relu": Mistake(
                {"H": _clean(_add(_relu(ans["F"]), p.x))},
                r"The shortcut is added before the last ReLU: $H = \operatorname{ReLU}(F + x)$, "
                r"not $x + \operatorname{ReLU}(F)$."),
            "shortcut_forgotten": Mistake(
                {"H": _clean(_relu(ans["F"]))},
                r"A residual block adds its input back: $H = \operatorname{ReLU}(F(x) + x)$, "
                r"not $\operatorname{ReLU}(F(x))$."),
        }
        if t1 != [list(r) for r in p.W1] or t2 != [list(r) for r in p.W2]:
            m["weights_transposed"] = Mistake(
                block(p.x, t1, t2, b1, b2),
                r"Row i of W makes output channel i: compute $W x$ (each output is a row times $x$), not $W^\top x$.")
        return m
