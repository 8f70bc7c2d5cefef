"""Parameter counts of recurrent layers (RNN, LSTM, GRU): one gate block, the first layer, the output layer and
the total, with one bias per gate or PyTorch's two.

Catalog: seed_002 F2 (D = 10, H = 20: RNN 620, LSTM 2480, GRU 1860 with one bias; 640, 2560, 1920 with two),
seed_004 B1 (RNN(10, 20) = 640; LSTM(10, 20) = 2,560).

Parameters:
    cell: rnn | lstm | gru. input_size D, hidden_size H, layers, bidirectional.
    bias: ``single`` (one bias vector per gate) or ``double`` (PyTorch's b_ih and b_hh).
    seq_len T: stated, unused (the weights are shared over time). output_size K: optional dense output layer.

Answer parts: ``gate_block`` (H·D + H^2 + H, or + 2H), ``first_layer`` (all its gates and directions),
``output_params`` (directions·H·K + K, only with output_size) and ``total`` (every layer, and the output layer).

Conventions stated in the prompt: the bias form; layer l > 1 reads the previous layer's output (both directions
concatenated); the output layer reads the last layer's output at one step.

Reference: ``numel`` of ``nn.RNN``/``nn.LSTM``/``nn.GRU`` on the meta device (bias_hh left out for ``single``) and of
``nn.Linear`` (examprep.reference.rnn:param_count).

Common mistakes: multiplied by T; the gate count forgotten; the other bias form; layer 2's input taken as D.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.mlp.near_miss import add, near_miss
from examprep.solver.expr import Num, Sym
from examprep.solver.step import Derivation

GATES = {"rnn": 1, "gru": 3, "lstm": 4}
MODULE = {"rnn": "nn.RNN", "gru": "nn.GRU", "lstm": "nn.LSTM"}


def times(*factors: Any) -> Any:
    """The product of ``factors`` with the numbers 1 left out (the last factor is an expression)."""
    nums = [Num(f) for f in factors[:-1] if f != 1]
    last = factors[-1]
    if not nums:
        return last
    prod = nums[0]
    for f in nums[1:]:
        prod = prod * f
    from examprep.solver.expr import Add, paren

    return prod * (paren(last) if isinstance(last, Add) else last)


class ParamCount(ProblemType):
    id = "rnn/param_count-v1"
    title = "Parameters of RNN, LSTM and GRU layers"
    catalog = "seed_002 F2; seed_004 B1"
    reference_entry = "examprep.reference.rnn:param_count"
    params = (
        Param("cell", "choice", "recurrent cell", choices=("rnn", "lstm", "gru"), default="lstm"),
        Param("input_size", "int", "input size D", lo=1, hi=10000),
        Param("hidden_size", "int", "hidden size H", lo=1, hi=10000),
        Param("layers", "int", "stacked layers", lo=1, hi=8, default=1),
        Param("bidirectional", "bool", "two directions per layer", default=False),
        Param("bias", "choice", "single: one bias per gate; double: PyTorch's b_ih and b_hh",
              choices=("single", "double"), default="single"),
        Param("seq_len", "int", "sequence length T (stated, unused)", lo=1, hi=100000, default=50),
        Param("output_size", "int", "outputs K of a dense output layer (absent: none)", lo=1, hi=10000,
              optional=True),
    )
    parts = (
        Part("gate_block", "Parameters of one gate block of the first layer", "integer", final=False),
        Part("first_layer", "Parameters of the first layer (all gates and directions)", "integer", final=False,
             uses=("gate_block",)),
        Part("output_params", "Parameters of the output layer", "integer", final=False),
        Part("total", "Total parameters", "integer", uses=("first_layer", "output_params")),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = lambda xs: xs[int(rng.integers(len(xs)))]  # noqa: E731
        hard = difficulty == "hard"
        return dict(cell=pick(("rnn", "lstm", "gru")), input_size=pick((3, 5, 8, 10, 16, 20, 32, 50, 100)),
                    hidden_size=pick((4, 8, 10, 16, 20, 32, 64, 128)),
                    layers=1 if difficulty == "easy" else pick((1, 2)) if not hard else pick((1, 2, 3)),
                    bidirectional=difficulty != "easy" and rng.random() < 0.4,
                    bias=pick(("single", "double")), seq_len=pick((10, 20, 30, 50, 100)),
                    output_size=pick((2, 5, 10)) if difficulty != "easy" or rng.random() < 0.5 else None)

    def active_parts(self, p: Params) -> tuple[Part, ...]:
        return tuple(pt for pt in self.parts if pt.name != "output_params" or p.output_size is not None)

    # ---- answers ----------------------------------------------------------------------------------------------
    def count(self, p: Params, times_t: bool = False, gates: int | None = None, bias: str | None = None,
              deep_input_d: bool = False, given: Answers | None = None) -> Answers:
        """The parts, or a mistaken version of them (every keyword is one mistake); ``given``: the student's earlier
        counts, used downstream."""
        g = GATES[p.cell] if gates is None else gates
        nb = 1 if (bias or p.bias) == "single" else 2
        dirs = 2 if p.bidirectional else 1
        H, D = p.hidden_size, p.input_size  # noqa: N806
        t = p.seq_len if times_t else 1

        def block(d_in: int) -> int:
            return H * d_in + H * H + nb * H

        def take(name: str, value: int) -> int:
            return int(round(carry(given, name, value)))

        gate_block = take("gate_block", block(D) * t)
        first = take("first_layer", g * dirs * gate_block)
        later = g * dirs * block(D if deep_input_d else dirs * H) * (p.layers - 1)
        out: Answers = {"gate_block": gate_block, "first_layer": first}
        total = first + later * t
        if p.output_size is not None:
            out["output_params"] = take("output_params", dirs * H * p.output_size + p.output_size)
            total += out["output_params"]
        out["total"] = total
        return out

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return self.count(p, given=given)

    def degenerate(self, p: Params) -> str | None:
        return near_miss(self, self.solve(p), self.mistakes(p))

    # ---- text -------------------------------------------------------------------------------------------------
    def statement(self, p: Params) -> list[Any]:
        name = {"rnn": "vanilla RNN", "lstm": "LSTM", "gru": "GRU"}[p.cell]
        stack = f"{p.layers} stacked {name} layers" if p.layers > 1 else f"one {name} layer"
        bias = ("one bias vector, as in $h_t = \\tanh(W_x x_t + W_h h_{t-1} + b)$"
                if p.bias == "single" else "two bias vectors, as PyTorch stores them ($b_{ih}$ and $b_{hh}$)")
        bidir = ", each bidirectional (two directions with their own weights)" if p.bidirectional else ""
        out = [f"A recurrent network has {stack} (input size D = {p.input_size}, hidden size H = "
               f"{p.hidden_size}){bidir}"
               f" and reads sequences of length T = {p.seq_len}. Each gate block has an input weight, a recurrent "
               f"weight and {bias}."]
        if p.layers > 1:
            out.append(" Layer l > 1 reads the output of layer l - 1" + (
                " (both directions concatenated)." if p.bidirectional else "."))
        if p.output_size is not None:
            out.append(f" A dense output layer (weights and biases) maps the last layer's output at one step"
                       f"{' (both directions concatenated)' if p.bidirectional else ''} to K = {p.output_size} "
                       "outputs.")
        out.append(" How many parameters has one gate block of the first layer, the whole first layer"
                   + (", the output layer" if p.output_size is not None else "") + " and the whole network?")
        return out

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        g, dirs = GATES[p.cell], 2 if p.bidirectional else 1
        H, D, nb = p.hidden_size, p.input_size, 1 if p.bias == "single" else 2  # noqa: N806
        sH, sD = Sym("H"), Sym("D")  # noqa: N806
        d = Derivation()
        d.add(f"One gate block: input weight H $\\times$ D, recurrent weight H $\\times$ H, {nb} bias vector"
              f"{'s' if nb > 1 else ''} of H", a["gate_block"], lhs="n_g",
              formula=sH * sD + sH * sH + times(nb, sH),
              subs={"H": H, "D": D}, part="gate_block")
        d.add(f"First layer: {g} gate block{'s' if g > 1 else ''} ({p.cell}) $\\times$ {dirs} direction"
              f"{'s' if dirs > 1 else ''}", a["first_layer"], lhs="n_1", formula=times(g, dirs, Sym("n_g")),
              subs={"n_g": a["gate_block"]}, part="first_layer")
        total_rec = a["first_layer"]
        if p.layers > 1:
            d_in = dirs * H
            blk = H * d_in + H * H + nb * H
            which = "Layer 2 reads" if p.layers == 2 else f"Layers 2..{p.layers} read"
            later = d.add(f"{which} {d_in} inputs ({g} gate block{'s' if g > 1 else ''}, "
                          f"{dirs} direction{'s' if dirs > 1 else ''} each)",
                          g * dirs * blk * (p.layers - 1), lhs="n_2",
                          formula=times(p.layers - 1, g, dirs, sH * Num(d_in) + sH * sH + times(nb, sH)),
                          subs={"H": H})
            total_rec += later
        if p.output_size is not None:
            d.add("Output layer: weights (directions·H) $\\times$ K plus K biases", a["output_params"], lhs="n_y",
                  formula=times(dirs, sH * Sym("K")) + Sym("K"), subs={"H": H, "K": p.output_size},
                  part="output_params")
        terms = [Sym("n_1")] + ([Sym("n_2")] if p.layers > 1 else []) + ([Sym("n_y")] if p.output_size else [])
        vals = {"n_1": a["first_layer"], "n_2": total_rec - a["first_layer"], "n_y": a.get("output_params", 0)}
        formula = terms[0]
        for t in terms[1:]:
            formula = formula + t
        d.add(f"Total (T = {p.seq_len} does not matter: the weights are shared over time)", a["total"],
              lhs="N", formula=formula, subs=vals, part="total")
        d.answer = f"{a['total']} parameters"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)
        m: dict[str, Mistake] = {}
        add(m, "times_seq_len", self.count(p, times_t=True), truth,
            f"The weights are shared over time: the count does not grow with T = {p.seq_len}.")
        if GATES[p.cell] > 1:
            add(m, "gate_count_forgotten", self.count(p, gates=1), truth,
                f"An {p.cell.upper()} layer has {GATES[p.cell]} gate blocks, each with its own weights and biases.")
        other = "double" if p.bias == "single" else "single"
        add(m, "other_bias_form", self.count(p, bias=other), truth,
            "You counted " + ("two bias vectors per gate block (PyTorch's $b_{ih}$ and $b_{hh}$); here each block "
                              "has one." if other == "double" else
                              "one bias vector per gate block; here each has two ($b_{ih}$ and $b_{hh}$)."))
        if p.layers > 1:
            add(m, "deep_input_as_d", self.count(p, deep_input_d=True), truth,
                "Layer 2 reads the previous layer's output, of size " + ("2H (both directions)" if p.bidirectional
                                                                         else "H") + ", not the input size D.")
        return m
