"""Dropout with a given mask: training output, test output, expected number kept.

Catalog: seed_002 D2; seed_004 C19 (AlexNet's classic scheme scales at test time instead).

Parameters: h (the activations), p (the drop probability, PyTorch's p), mask (1 = kept, 0 = dropped), scheme
(``inverted``, PyTorch's: survivors × 1/(1 − p) in training, identity at test; ``classic``: mask only in training,
× (1 − p) at test).

Answer parts: ``train_output``, ``test_output``, ``expected_kept`` = n(1 − p).

Reference: ``F.dropout`` in training mode gives the survivors' scale 1/(1 − p), applied to the given mask;
``F.dropout`` in eval mode is the inverted test output; the classic one divides by that scale
(examprep.reference.regularization:dropout).

Common mistakes: p read as the keep probability; the 1/(1 − p) rescale forgotten ([2, −1, 0.5, 3], p = 0.5,
mask [1, 0, 1, 1]: [2, 0, 0.5, 3]); dropout applied at test time; the classic test-time scaling forgotten.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType
from examprep.problems.norm.stats import num as factor
from examprep.problems.optim.mistakes import lost, variant_mistakes
from examprep.problems.optim.objective import num, vec
from examprep.solver.expr import Mat, Num, Sym
from examprep.solver.render import value_text
from examprep.solver.step import Derivation


class Dropout(ProblemType):
    id = "regularization/dropout-v1"
    title = "Dropout: training and test outputs"
    catalog = "seed_002 D2; seed_004 C19"
    reference_entry = "examprep.reference.regularization:dropout"
    params = (
        Param("h", "vector", "the activations h", lo=-1000, hi=1000),
        Param("p", "real", "the drop probability (PyTorch's p)", lo=0, hi=0.99),
        Param("mask", "int_vector", "the mask: 1 = kept, 0 = dropped", lo=0, hi=1),
        Param("scheme", "choice", "inverted (PyTorch: scale at training) or classic (scale at test)",
              choices=("inverted", "classic"), default="inverted"),
    )
    parts = (
        Part("train_output", "The output in training mode", "vector"),
        Part("test_output", "The output at test time", "vector"),
        Part("expected_kept", "The expected number of kept units", "real"),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n = {"easy": 4, "medium": 5, "hard": 6}[difficulty]
        h = tuple(float(v) / 2 for v in rng.choice([-6, -4, -3, -2, -1, 1, 2, 3, 4, 5, 6], size=n))
        mask = [int(v) for v in rng.integers(0, 2, size=n)]
        mask[0], mask[-1] = 1, 0
        order = rng.permutation(n)
        ps = (0.2, 0.25, 0.5) if difficulty == "easy" else (0.1, 0.2, 0.25, 0.3, 0.5)
        return dict(h=h, p=float(ps[int(rng.integers(len(ps)))]), mask=tuple(mask[i] for i in order),
                    scheme="inverted" if difficulty == "easy" or rng.integers(3) else "classic")

    def check(self, p: Params) -> list[str]:
        if len(p.mask) != len(p.h):
            raise ParamError(f"mask has {len(p.mask)} entries for {len(p.h)} activations")
        return []

    def run(self, p: Params, variant: str | None = None) -> Answers:
        keep = p.p if variant == "p_as_keep" else 1 - p.p
        h, m = list(map(float, p.h)), list(p.mask)
        masked = [mi * x for mi, x in zip(m, h, strict=True)]
        if p.scheme == "inverted":
            train = masked if variant == "rescale_forgotten" else [x / keep for x in masked]
            test = list(h)
        else:
            train = masked
            test = list(h) if variant == "classic_scale_forgotten" else [keep * x for x in h]
        if variant == "dropout_at_test":
            test = list(train)
        return {"train_output": train, "test_output": test, "expected_kept": len(h) * keep}

    def solve(self, p: Params) -> Answers:
        return self.run(p)

    def candidates(self, p: Params) -> dict[str, str]:
        out = {"p_as_keep": "You read p as the keep probability. In PyTorch p is the drop probability: a unit is "
                            "kept with probability $1 - p$.",
               "dropout_at_test": "You applied the mask at test time. Dropout acts only during training; at test "
                                  "time every unit is used."}
        if p.scheme == "inverted":
            out["rescale_forgotten"] = ("You forgot the rescaling: inverted dropout divides the kept units by "
                                        "$1 - p$ during training, so their expected value stays h.")
        else:
            out["classic_scale_forgotten"] = ("You forgot the test-time scaling of the classic scheme: the outputs "
                                              "are multiplied by $1 - p$ at test time.")
        return out

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return variant_mistakes(self, p)

    def degenerate(self, p: Params) -> str | None:
        if all(p.mask) or not any(p.mask):
            return "the mask keeps all or none"
        if any(x == 0 for x in p.h):
            return "an activation is 0"
        return lost(self.candidates(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        rule = ("inverted dropout (as PyTorch): in training the kept units are divided by $1 - p$, at test time "
                "the layer is the identity" if p.scheme == "inverted" else
                "classic dropout: in training the mask is applied without rescaling, at test time every output is "
                "multiplied by $1 - p$")
        return [f"A dropout layer with drop probability $p = {num(p.p)}$ uses {rule}. The activations are "
                f"$h = {vec(p.h)}$ and this training step's mask is ${vec(p.mask)}$ (1 = kept, 0 = dropped). Give "
                "the training output, the test-time output, and the expected number of kept units among these "
                f"{len(p.h)}."]

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        keep = 1 - p.p
        h = list(map(float, p.h))
        d.add("Keep probability", keep, lhs=Sym("q", tex="1 - p"), substituted=Num(1) - Num(p.p))
        if p.scheme == "inverted":
            d.add("Training output: mask, then divide by $1 - p$", ans["train_output"],
                  lhs=Sym("y_train", tex=r"y_{\text{train}}"),
                  substituted=Mat([[Num(m) * factor(x) / Num(keep) for m, x in zip(p.mask, h, strict=True)]]),
                  part="train_output")
            d.add("Test output: the identity", ans["test_output"], lhs=Sym("y_test", tex=r"y_{\text{test}}"),
                  part="test_output", note="Inverted dropout already rescaled in training, so E[y_train] = h.")
        else:
            d.add("Training output: mask only", ans["train_output"], lhs=Sym("y_train", tex=r"y_{\text{train}}"),
                  substituted=Mat([[Num(m) * factor(x) for m, x in zip(p.mask, h, strict=True)]]),
                  part="train_output")
            d.add("Test output: scale by $1 - p$", ans["test_output"], lhs=Sym("y_test", tex=r"y_{\text{test}}"),
                  substituted=Mat([[Num(keep) * factor(x) for x in h]]), part="test_output")
        d.add("Expected number kept", ans["expected_kept"], lhs=Sym("E_kept", tex="E[kept]"),
              formula=Sym("n") * (Num(1) - Sym("p")), substituted=Num(len(h)) * (Num(1) - Num(p.p)),
              part="expected_kept")
        d.answer = f"train {value_text(ans['train_output'])}, test {value_text(ans['test_output'])}"
        return d
