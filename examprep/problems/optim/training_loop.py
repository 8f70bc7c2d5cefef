"""Counting a PyTorch training loop: iterations, printed losses, test batches, and the input normalisation.

Catalog: seed_004 C16 (the CIFAR-10 tutorial pipeline).

Parameters: n_train, n_test, batch_size (DataLoaders with drop_last=False), epochs, print_every (the loop prints
when i % print_every = print_every − 1, i counting the mini-batches from 0 in each epoch), pixel (an 8-bit value),
mean and std (``Normalize(mean, std)`` after ``ToTensor``, which divides by 255).

Answer parts: ``iters_per_epoch`` = ⌈n_train/batch_size⌉, ``total_iters``, ``prints`` (over all epochs),
``test_batches`` = ⌈n_test/batch_size⌉, ``normalized`` = (pixel/255 − mean)/std.

Reference: ``len(DataLoader(...))``, the print condition evaluated on ``torch.arange`` of the iterations, and
``F.batch_norm`` in eval mode with running mean ``mean`` and running variance std² on the uint8 pixel divided by
255 (examprep.reference.optim:training_loop).

Common mistakes: the floor (the last partial batch dropped); one epoch's prints given for all epochs; the /255
forgotten.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.optim.mistakes import lost, variant_mistakes
from examprep.problems.optim.objective import num
from examprep.solver.expr import Num, Sym, ceil, floor, paren
from examprep.solver.step import Derivation


class TrainingLoop(ProblemType):
    id = "optim/training_loop-v1"
    title = "Training-loop counts and input normalisation"
    catalog = "seed_004 C16"
    reference_entry = "examprep.reference.optim:training_loop"
    params = (
        Param("n_train", "int", "training examples", lo=1, hi=10**8),
        Param("n_test", "int", "test examples", lo=1, hi=10**8),
        Param("batch_size", "int", "the DataLoaders' batch size", lo=1, hi=10**6),
        Param("epochs", "int", "epochs", lo=1, hi=1000),
        Param("print_every", "int", "print when i % print_every = print_every − 1", lo=1, hi=10**8),
        Param("pixel", "int", "an 8-bit pixel value", lo=0, hi=255),
        Param("mean", "real", "Normalize's mean", lo=-10, hi=10, default=0.5),
        Param("std", "real", "Normalize's std", lo=1e-6, hi=10, default=0.5),
    )
    parts = (
        Part("iters_per_epoch", "Iterations (mini-batches) per epoch", "integer"),
        Part("total_iters", "Iterations over all epochs", "integer", uses=("iters_per_epoch",)),
        Part("prints", "Printed losses over all epochs", "integer", uses=("iters_per_epoch",)),
        Part("test_batches", "Test batches", "integer"),
        Part("normalized", "The pixel after ToTensor and Normalize", "real"),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n_train = int((50000, 60000, 10000, 25000)[int(rng.integers(4))])
        bs = int((4, 32, 64, 100, 128)[int(rng.integers(5))])
        mean, std = ((0.5, 0.5), (0.485, 0.229), (0.1307, 0.3081))[int(rng.integers(3 if difficulty == "hard" else 1))]
        return dict(n_train=n_train, n_test=int((10000, 5000)[int(rng.integers(2))]), batch_size=bs,
                    epochs=int(rng.integers(2, 6)), print_every=int((100, 200, 500, 2000)[int(rng.integers(4))]),
                    pixel=int(rng.integers(0, 256)), mean=mean, std=std)

    def run(self, p: Params, variant: str | None = None, given: Answers | None = None) -> Answers:
        """The answers, or those of a named mistake (``variant``); ``given``: the student's iterations per epoch."""
        it = carry(given, "iters_per_epoch", p.n_train // p.batch_size if variant == "floor"
                   else -(-p.n_train // p.batch_size))
        per_epoch = it // p.print_every
        x = p.pixel if variant == "no_255" else p.pixel / 255
        return {"iters_per_epoch": it, "total_iters": it * p.epochs,
                "prints": per_epoch if variant == "one_epoch_prints" else per_epoch * p.epochs,
                "test_batches": p.n_test // p.batch_size if variant == "floor" else -(-p.n_test // p.batch_size),
                "normalized": (x - p.mean) / p.std}

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return self.run(p, given=given)

    def candidates(self, p: Params) -> dict[str, str]:
        out = {"one_epoch_prints": f"You counted one epoch's prints; the loop runs {p.epochs} epochs and i restarts "
                                   "from 0 in each.",
               "no_255": "You forgot that ToTensor divides the 8-bit pixel by 255 before Normalize."}
        if p.n_train % p.batch_size or p.n_test % p.batch_size:
            out["floor"] = ("You rounded down: with drop_last=False the last, smaller batch still counts, so there "
                            "are $\\lceil n/B \\rceil$ batches.")
        return out

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return variant_mistakes(self, p)

    def degenerate(self, p: Params) -> str | None:
        if self.solve(p)["prints"] == 0:
            return "nothing is printed"
        if p.pixel == 0:
            return "pixel 0"
        return lost(self.candidates(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        return [f"A training loop iterates over a DataLoader of $n = {p.n_train}$ training examples with batch size "
                f"$B = {p.batch_size}$ (drop_last=False) for {p.epochs} epochs; inside an epoch the mini-batches are "
                f"counted $i = 0, 1, \\ldots$ and the running loss is printed when $i$ leaves the remainder "
                f"{p.print_every - 1} on division by {p.print_every} (i % {p.print_every} == {p.print_every - 1}). "
                f"The test DataLoader has {p.n_test} examples and the same batch size. Inputs "
                f"go through ToTensor (8-bit values divided by 255) and Normalize with mean $\\mu = {num(p.mean)}$ "
                f"and std $\\sigma = {num(p.std)}$. Give the iterations per epoch, the iterations in total, the number "
                f"of printed losses over all epochs, the number of test batches, and the normalised value $x'$ of a "
                f"pixel $x = {p.pixel}$."]

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        d.add("Iterations per epoch", ans["iters_per_epoch"], lhs="iters", formula=ceil(Sym("n") / Sym("B")),
              substituted=ceil(Num(p.n_train) / Num(p.batch_size)), part="iters_per_epoch")
        d.add("Iterations in total", ans["total_iters"], lhs="total", substituted=Num(ans["iters_per_epoch"])
              * Num(p.epochs), part="total_iters")
        d.add("Prints per epoch", ans["prints"] // p.epochs, lhs="prints_epoch",
              substituted=floor(Num(ans["iters_per_epoch"]) / Num(p.print_every)),
              note=f"i = {p.print_every - 1}, {2 * p.print_every - 1}, … up to the last iteration "
                   f"{ans['iters_per_epoch'] - 1}.")
        d.add("Prints over all epochs", ans["prints"], lhs="prints",
              substituted=Num(ans["prints"] // p.epochs) * Num(p.epochs), part="prints")
        d.add("Test batches", ans["test_batches"], lhs="test", substituted=ceil(Num(p.n_test) / Num(p.batch_size)),
              part="test_batches")
        d.add("Normalised pixel", ans["normalized"], lhs=Sym("xn", tex="x'"),
              formula=paren(Sym("x") / Num(255) - Sym("mu")) / Sym("sigma"),
              substituted=paren(Num(p.pixel) / Num(255) - Num(p.mean)) / Num(p.std), part="normalized")
        d.answer = (f"{ans['iters_per_epoch']} per epoch, {ans['total_iters']} in total, {ans['prints']} prints, "
                    f"{ans['test_batches']} test batches, {ans['normalized']:.6g}")
        return d
