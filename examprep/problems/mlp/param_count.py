"""Parameters of a fully connected network, and the hidden width a target approximation error needs.

Catalog: seed_002 A5 (784-128-64-10 → 109,386), seed_004 A5 (784-500-500-10 → 648,010), seed_000_001 A2 (Barron:
error ∝ 1/√n, so error 0.05 at n = 100 becomes 0.01 at n = 100·(0.05/0.01)² = 2500).

Parameters:
    widths: the layer widths, input first (n_0, n_1, …, n_L).
    bias: whether each layer has biases (default true).
    err, target_err: optional, for a network with one hidden layer: its error now (with n = widths[1] hidden units)
        and the error wanted.

Answer parts: ``weights`` = Σ n_{l−1}·n_l, ``biases`` = Σ n_l (l ≥ 1), ``total``, ``layers`` (weight layers: the
input layer is not one), ``width_needed`` = ⌈n·(err/target_err)²⌉ (only with err and target_err), in exact
fractions of the decimals given.

Conventions stated in the prompt: a layer is a dense layer (nn.Linear) with n_{l−1}·n_l weights and n_l biases; the
input layer has no parameters and is not counted; the error falls as 1/√n.

Reference: ``numel`` of the parameters of ``nn.Linear`` layers built on the meta device; the width by integer
arithmetic in torch (examprep.reference.mlp:param_count).

Common mistakes: biases left out; the input layer counted (as a layer, with biases); n_{l−1} biases per layer; the
error ratio not squared.

Versions: v1 — first version.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.mlp.near_miss import add, near_miss
from examprep.solver.expr import Add, Func, Num, Sym
from examprep.solver.step import Derivation


def ceil_frac(x: Fraction) -> int:
    return -((-x.numerator) // x.denominator)


class ParamCount(ProblemType):
    id = "mlp/param_count-v1"
    title = "Parameters of a fully connected network (and the width a target error needs)"
    catalog = "seed_002 A5; seed_004 A5; seed_000_001 A2"
    reference_entry = "examprep.reference.mlp:param_count"
    params = (
        Param("widths", "int_vector", "layer widths, input first", lo=1, hi=10 ** 7),
        Param("bias", "bool", "each layer has biases", default=True),
        Param("err", "real", "error now (one hidden layer, n = widths[1] units)", lo=1e-9, hi=1e9, optional=True),
        Param("target_err", "real", "error wanted", lo=1e-9, hi=1e9, optional=True),
    )
    parts = (
        Part("weights", "Number of weights", "integer", final=False),
        Part("biases", "Number of biases", "integer", final=False),
        Part("total", "Total number of parameters", "integer", uses=("weights", "biases")),
        Part("layers", "Number of layers with parameters", "integer", final=False),
        Part("width_needed", "Hidden units needed for the target error", "integer"),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        if difficulty == "easy":
            widths = [int(v) for v in rng.integers(2, 7, size=3)]
        elif difficulty == "medium":
            widths = [int(rng.choice([16, 32, 64, 100, 784])), int(rng.choice([8, 16, 32, 64, 128])),
                      int(rng.choice([2, 3, 10]))]
        else:
            k = int(rng.integers(4, 6))
            widths = [int(rng.choice([64, 100, 256, 784]))] + [int(rng.choice([32, 64, 100, 128, 256, 500]))
                                                                for _ in range(k - 2)] + [int(rng.choice([2, 10]))]
        out: dict[str, Any] = dict(widths=widths, bias=difficulty == "easy" or bool(rng.integers(4)))
        if difficulty != "hard" and len(widths) == 3 and rng.integers(2):
            out["widths"][1] = int(rng.choice([10, 50, 100, 200]))
            out["err"] = float(rng.choice([0.05, 0.1, 0.2, 0.3]))
            out["target_err"] = round(out["err"] / float(rng.choice([2, 2.5, 3, 4, 5])), 3)
        return out

    def check(self, p: Params) -> list[str]:
        if len(p.widths) < 2:
            raise ParamError("widths needs at least 2 entries: the input width and one layer's width")
        if (p.err is None) != (p.target_err is None):
            raise ParamError("give both err and target_err, or neither")
        if p.err is not None and len(p.widths) != 3:
            raise ParamError("err and target_err are for a network with one hidden layer: give 3 widths "
                             "(input, hidden, output)")
        return []

    def active_parts(self, p: Params) -> tuple[Part, ...]:
        return self.parts if p.err is not None else self.parts[:-1]

    def degenerate(self, p: Params) -> str | None:
        return near_miss(self, self.solve(p), self.mistakes(p))

    def counts(self, p: Params) -> tuple[list[int], list[int]]:
        w = [a * b for a, b in zip(p.widths[:-1], p.widths[1:], strict=True)]
        b = list(p.widths[1:]) if p.bias else [0] * len(w)
        return w, b

    def width(self, p: Params, squared: bool = True) -> int:
        ratio = Fraction(repr(float(p.err))) / Fraction(repr(float(p.target_err)))
        return ceil_frac(p.widths[1] * (ratio ** 2 if squared else ratio))

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        w, b = self.counts(p)
        weights, biases = carry(given, "weights", sum(w)), carry(given, "biases", sum(b))
        out: Answers = {"weights": weights, "biases": biases, "total": weights + biases, "layers": len(w)}
        if p.err is not None:
            out["width_needed"] = self.width(p)
        return out

    def statement(self, p: Params) -> list[Any]:
        widths = "-".join(str(v) for v in p.widths)
        bias = ("Every layer has biases" if p.bias else "The layers have no biases")
        out = [f"A fully connected network has the widths {widths} (the input first). Each layer is a dense layer "
               "(PyTorch's nn.Linear) from $n_{l-1}$ to $n_l$ units with $n_{l-1} n_l$ weights"
               + (" and $n_l$ biases" if p.bias else "") + f". {bias}; the input layer has no parameters and is not "
               "counted as a layer. Give the number of weights, of biases, the total and the number of layers."]
        if p.err is not None:
            out.append(f" With n = {p.widths[1]} hidden units its approximation error is {p.err:g}; the error falls as "
                       f"$\\frac{{1}}{{\\sqrt{{n}}}}$. How many hidden units are needed for an error of "
                       f"{p.target_err:g}? (Round up to a whole unit.)")
        return out

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        w, b = self.counts(p)
        d = Derivation()
        for i, (n0, n1) in enumerate(zip(p.widths[:-1], p.widths[1:], strict=True), start=1):
            d.add(f"Layer {i} (${n0} \\to {n1}$)", w[i - 1] + b[i - 1], lhs=Sym(f"P_{i}"),
                  substituted=Num(n0) * Num(n1) + Num(n1) if p.bias else Num(n0) * Num(n1),
                  note="weights $n_{l-1} n_l$" + (" plus biases $n_l$" if p.bias else ""))
        d.add("Weights", a["weights"], lhs="W", substituted=Add([(1, Num(v)) for v in w]), part="weights")
        d.add("Biases", a["biases"], lhs="B", substituted=Add([(1, Num(v)) for v in b]), part="biases")
        d.add("Total", a["total"], lhs="P", substituted=Num(a["weights"]) + Num(a["biases"]), part="total")
        d.add("Layers with parameters", a["layers"], lhs="L", substituted=Num(len(p.widths)) - 1, part="layers",
              note="the input layer is not counted")
        if p.err is not None:
            ratio = Num(float(p.err)) / Num(float(p.target_err))
            d.add("Width needed: the error falls as $\\frac{1}{\\sqrt{n}}$, so "
                  "$n' = n \\left(\\frac{\\text{err}}{\\text{target}}\\right)^2$, "
                  "rounded up", a["width_needed"], lhs=Sym("n'"),
                  substituted=Func("ceil", Num(p.widths[1]) * Func("paren", ratio) ** 2), part="width_needed")
        d.answer = f"{a['total']:,} parameters"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)
        w, b = self.counts(p)
        m: dict[str, Mistake] = {}
        if p.bias:
            add(m, "biases_left_out", {"biases": 0, "total": sum(w)}, truth,
                "You left out the biases: each layer also has $n_l$ biases.")
            add(m, "input_layer_counted", {"layers": len(w) + 1, "biases": sum(b) + p.widths[0],
                                           "total": truth["total"] + p.widths[0]}, truth,
                "You counted the input layer as a layer (with biases); it only holds the input and has no "
                "parameters.")
            prev = sum(p.widths[:-1])
            add(m, "biases_of_previous_layer", {"biases": prev, "total": sum(w) + prev}, truth,
                "A layer has one bias per output unit: $n_l$ biases, not $n_{l-1}$.")
        else:
            add(m, "input_layer_counted", {"layers": len(w) + 1}, truth,
                "You counted the input layer as a layer; it has no parameters.")
        if p.err is not None:
            add(m, "ratio_not_squared", {"width_needed": self.width(p, squared=False)}, truth,
                "The error falls as $\\frac{1}{\\sqrt{n}}$, so n grows with the square of the error ratio.")
        return m

