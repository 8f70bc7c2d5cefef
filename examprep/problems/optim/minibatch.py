"""Full-batch, mini-batch and single-sample gradients of a one-weight model, and iterations per epoch.

Catalog: seed_002 C1.

Parameters: x, y (the data; L_i = (w·x_i − y_i)²), w (the current weight), batch (the mini-batch's sample numbers,
from 1), sample (the SGD sample's number), N, B (data-set size and batch size for the count), drop_last (false).

Answer parts: ``per_sample`` (dL_i/dw = 2x_i(w·x_i − y_i)), ``full`` (their mean over all samples), ``minibatch``
(their mean over the batch), ``sgd`` (the sample's gradient), ``iters`` (⌈N/B⌉, or ⌊N/B⌋ with drop_last).

Reference: autograd of the per-sample, full-batch, mini-batch and single-sample losses (one weight copy per sample
for the per-sample gradients), ``len(DataLoader(range N, batch_size=B, drop_last))`` for the count
(examprep.reference.optim:minibatch).

Common mistakes: sums instead of means; the mini-batch sum divided by the data-set size; the floor without
drop_last (or the ceiling with it); the factor 2 dropped.

Versions: v1 — first version.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.optim import objective as ob
from examprep.problems.optim.mistakes import distinct, lost
from examprep.solver.expr import Mat, Num, Sym, ceil, floor, paren
from examprep.solver.step import Derivation

N_VALUES = (500, 1000, 2000, 5000, 10000, 50000, 60000)


class Minibatch(ProblemType):
    id = "optim/minibatch-v1"
    title = "Batch, mini-batch and SGD gradients; iterations per epoch"
    catalog = "seed_002 C1"
    reference_entry = "examprep.reference.optim:minibatch"
    params = (
        Param("x", "vector", "the inputs x_i", lo=-100, hi=100),
        Param("y", "vector", "the targets y_i", lo=-100, hi=100),
        Param("w", "real", "the current weight of ŷ = w·x", lo=-100, hi=100),
        Param("batch", "int_vector", "the mini-batch's sample numbers (from 1)", lo=1, hi=100),
        Param("sample", "int", "the SGD sample's number (from 1)", lo=1, hi=100),
        Param("N", "int", "the data-set size for the iteration count", lo=1, hi=10**9),
        Param("B", "int", "the batch size for the iteration count", lo=1, hi=10**9),
        Param("drop_last", "bool", "whether the last, incomplete batch is dropped", default=False),
    )
    parts = (
        Part("per_sample", "The per-sample gradients dL_i/dw", "vector", final=False),
        Part("full", "The full-batch gradient (mean over all samples)", "real", uses=("per_sample",)),
        Part("minibatch", "The mini-batch gradient (mean over the batch)", "real", uses=("per_sample",)),
        Part("sgd", "The single-sample (SGD) gradient", "real", uses=("per_sample",)),
        Part("iters", "Iterations (batches) per epoch", "integer"),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n = {"easy": 4, "medium": 5, "hard": 6}[difficulty]
        x = tuple(float(v) for v in rng.integers(-2, 6, size=n))
        y = tuple(float(v) for v in rng.integers(-3, 10, size=n))
        k = 2 if difficulty == "easy" else int(rng.integers(2, 4))
        batch = tuple(int(i) + 1 for i in np.sort(rng.choice(n, size=k, replace=False)))
        B = int((32, 64, 128)[int(rng.integers(3))])
        return dict(x=x, y=y, w=float((-1, 0, 0.5, 1, 2)[int(rng.integers(5))]), batch=batch,
                    sample=int(rng.integers(1, n + 1)), N=int(N_VALUES[int(rng.integers(len(N_VALUES)))]), B=B,
                    drop_last=bool(rng.integers(2)) if difficulty != "easy" else False)

    def check(self, p: Params) -> list[str]:
        n = len(p.x)
        if len(p.y) != n:
            raise ParamError(f"x has {n} entries and y {len(p.y)}: give one target per input")
        if any(i > n for i in p.batch) or p.sample > n:
            raise ParamError(f"batch and sample number the samples from 1 to {n}")
        if len(set(p.batch)) != len(p.batch):
            raise ParamError("batch repeats a sample number")
        return []

    def degenerate(self, p: Params) -> str | None:
        a = self.solve(p)
        if a["full"] == 0 or a["minibatch"] == 0 or a["sgd"] == 0:
            return "a gradient is 0"
        if p.N % p.B == 0:
            return "B divides N (floor and ceiling agree)"
        if len(p.batch) == len(p.x):
            return "the mini-batch is the whole data set"
        return lost(self.candidates(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        pts = ", ".join(f"({ob.num(a)}, {ob.num(b)})" for a, b in zip(p.x, p.y, strict=True))
        mb = ", ".join(str(i) for i in p.batch)
        return [
            f"A model $\\hat{{y}} = w x$ has the per-sample loss $L_i = (w x_i - y_i)^2$ on the samples "
            f"$(x_i, y_i)$ = {pts} (numbered from 1), and currently $w = {ob.num(p.w)}$. Give the per-sample "
            "gradients $\\frac{dL_i}{dw}$, the full-batch gradient (their mean over all samples), the mini-batch "
            f"gradient of the batch of samples $\\{{{mb}\\}}$ (the mean over the batch), and the SGD gradient of "
            f"sample {p.sample}. Then: a PyTorch DataLoader over $N = {p.N}$ samples with batch size $B = {p.B}$ "
            f"and drop_last={'True' if p.drop_last else 'False'}; how many iterations (batches) make one epoch?"
        ]

    def per_sample(self, p: Params, two: float = 2.0) -> list[float]:
        return [two * xi * (p.w * xi - yi) for xi, yi in zip(p.x, p.y, strict=True)]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        g = carry(given, "per_sample", self.per_sample(p))
        return {"per_sample": g, "full": math.fsum(g) / len(g),
                "minibatch": math.fsum(g[i - 1] for i in p.batch) / len(p.batch), "sgd": g[p.sample - 1],
                "iters": p.N // p.B if p.drop_last else -(-p.N // p.B)}

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        d = Derivation()
        x, y, w = Sym("x_i"), Sym("y_i"), Sym("w")
        d.add("Per-sample gradients", a["per_sample"], lhs=Sym("g_i", tex=r"\frac{dL_i}{dw}"),
              formula=Num(2) * x * paren(w * x - y),
              substituted=Mat([[Num(2) * Num(xi) * paren(Num(p.w) * Num(xi) - Num(yi))
                                for xi, yi in zip(p.x, p.y, strict=True)]]), part="per_sample")
        g = a["per_sample"]
        d.add("Full-batch gradient: the mean over all samples", a["full"], lhs=Sym("g_full", tex=r"g_{\text{full}}"),
              substituted=paren(_sum([Num(v) for v in g])) / Num(len(g)), part="full")
        d.add(f"Mini-batch gradient: the mean over samples {', '.join(map(str, p.batch))}", a["minibatch"],
              lhs=Sym("g_B", tex=r"g_{\text{batch}}"),
              substituted=paren(_sum([Num(g[i - 1]) for i in p.batch])) / Num(len(p.batch)), part="minibatch")
        d.add(f"SGD gradient: sample {p.sample} alone", a["sgd"], lhs=Sym("g_sgd", tex=r"g_{\text{SGD}}"),
              substituted=Num(g[p.sample - 1]), part="sgd")
        rnd = floor if p.drop_last else ceil
        d.add("Iterations per epoch", a["iters"], lhs=Sym("n_it", tex=r"n_{\text{iter}}"),
              formula=rnd(Sym("N") / Sym("B")), substituted=rnd(Num(p.N) / Num(p.B)), part="iters",
              note="The last, incomplete batch " + ("is dropped (drop_last=True)." if p.drop_last
                                                    else "still counts (drop_last=False)."))
        d.answer = f"full {a['full']:.6g}, mini-batch {a['minibatch']:.6g}, SGD {a['sgd']:.6g}, {a['iters']} iterations"
        return d

    def candidates(self, p: Params) -> dict[str, Mistake]:
        g = self.per_sample(p)
        mb = [g[i - 1] for i in p.batch]
        other = -(-p.N // p.B) if p.drop_last else p.N // p.B
        half = self.per_sample(p, two=1.0)
        return {
            "sums": Mistake({"full": math.fsum(g), "minibatch": math.fsum(mb)},
                            "You summed the gradients. The full-batch and mini-batch gradients here are means: "
                            "divide by the number of samples they cover."),
            "minibatch_over_n": Mistake({"minibatch": math.fsum(mb) / len(g)},
                                        f"You divided the mini-batch sum by all {len(g)} samples; the mean is over "
                                        f"the {len(mb)} samples of the batch."),
            ("ceil_with_drop_last" if p.drop_last else "floor_without_drop_last"): Mistake(
                {"iters": other},
                "With drop_last=True the incomplete last batch is dropped: $\\lfloor N/B \\rfloor$." if p.drop_last
                else "You rounded down: with drop_last=False the last, incomplete batch still counts, so it is "
                     "$\\lceil N/B \\rceil$."),
            "two_dropped": Mistake({"per_sample": half, "full": math.fsum(half) / len(half),
                                    "minibatch": math.fsum(half[i - 1] for i in p.batch) / len(p.batch),
                                    "sgd": half[p.sample - 1]},
                                   "You dropped the factor 2: $\\frac{d}{dw}(w x_i - y_i)^2 = 2 x_i (w x_i - y_i)$."),
        }

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)
        out = {}
        for name, m in self.candidates(p).items():
            kept = distinct(self, truth, m.answers)
            if kept:
                out[name] = Mistake(kept, m.feedback)
        return out


def _sum(terms: list[Any]) -> Any:
    out = terms[0]
    for t in terms[1:]:
        out = out + t
    return out
