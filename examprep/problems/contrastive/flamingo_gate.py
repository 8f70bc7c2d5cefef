"""Flamingo's gated cross-attention: y = x + tanh(α)·XAttn(x, v), the identity at initialisation (α = 0).

Catalog: seed_000_001 B3 (x = [1, −1], XAttn = [0.5, 2]: α = 0 gives [1, −1]; α = 0.5 gives [1.231059, −0.075766]);
seed_002 L5 (α = 0.5: tanh = 0.462117; x = [1, 2], XATTN = [0.4, −0.2] give y = [1.184847, 1.907577]).

Parameters:
    alpha: the gate's learnable scalar α (initialised to 0). x: the language model's hidden vector entering the
    block. xattn: the output of the cross-attention to the visual tokens for this position.

Answer parts: ``gate`` (tanh α) and ``y`` (x + tanh(α)·xattn, computed from the gate: error carried forward).

Conventions stated in the prompt: natural log; embeddings are L2-normalised before any dot product; classes,
prompts, images and tokens are numbered from 1 (the common statement of the family; nothing here is normalised).

Reference: ``torch.tanh`` of α and ``torch.addcmul(x, gate, xattn)`` on the batch
(examprep.reference.multimodal:flamingo_gate).

Common mistakes: α itself as the gate, the sigmoid σ(α) as the gate, the cross-attention added at full weight
(a gate of 1, which at α = 0 is the belief that the block starts open).

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.contrastive.embed import CONVENTIONS, MAX_DIM
from examprep.problems.gan.fair import grid, near_miss, visible
from examprep.solver.expr import Func, Mat, Num, Sym
from examprep.solver.step import Derivation

GATE_DP = 6
Y_DP = 4


def gated(x: Any, xattn: Any, gate: float) -> np.ndarray:
    """x + gate·xattn."""
    return np.asarray(x, dtype=float) + gate * np.asarray(xattn, dtype=float)


def sigmoid(a: float) -> float:
    return float(1 / (1 + np.exp(-a)))


class FlamingoGate(ProblemType):
    id = "contrastive/flamingo_gate-v1"
    title = "Flamingo gated cross-attention (tanh gate)"
    catalog = "seed_000_001 B3; seed_002 L5"
    reference_entry = "examprep.reference.multimodal:flamingo_gate"
    params = (
        Param("alpha", "real", "the gate's learnable scalar α (0 at initialisation)", lo=-100, hi=100),
        Param("x", "vector", "hidden vector entering the block", lo=-1000, hi=1000),
        Param("xattn", "vector", "cross-attention output for the same position", lo=-1000, hi=1000),
    )
    parts = (
        Part("gate", "Gate tanh(α)", "real", mode="decdig", digits=GATE_DP, final=False),
        Part("y", "Block output y", "vector", mode="decdig", digits=Y_DP, uses=("gate",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = lambda opts: opts[int(rng.integers(len(opts)))]  # noqa: E731
        if difficulty == "easy":
            return dict(alpha=pick((0.0, 0.5, 1.0, -0.5, 0.25)), x=grid(rng, -2, 2, 1, 2),
                        xattn=grid(rng, -2, 2, 0.5, 2))
        if difficulty == "medium":
            return dict(alpha=pick((-1, 1)) * grid(rng, 0.1, 1.5, 0.1, 1)[0], x=grid(rng, -3, 3, 0.5, 3),
                        xattn=grid(rng, -2, 2, 0.1, 3))
        return dict(alpha=pick((-1, 1)) * grid(rng, 0.1, 2.5, 0.01, 1)[0], x=grid(rng, -5, 5, 0.1, 4),
                    xattn=grid(rng, -3, 3, 0.01, 4))

    def check(self, p: Params) -> list[str]:
        if not 1 <= len(p.x) <= MAX_DIM:
            raise ParamError(f"x: give 1 to {MAX_DIM} entries (got {len(p.x)})")
        if len(p.xattn) != len(p.x):
            raise ParamError(f"xattn has {len(p.xattn)} entries and x {len(p.x)}: the cross-attention output has "
                             "the size of the hidden vector")
        return []

    def degenerate(self, p: Params) -> str | None:
        if not any(p.xattn):
            return "the cross-attention output is 0 (the gate changes nothing)"
        return near_miss(self.solve(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        return [
            "In a Flamingo block the frozen language model's hidden vector $x$ = ", list(p.x),
            " receives the output of a cross-attention to the visual tokens, $\\text{xattn}$ = ", list(p.xattn),
            r", through a tanh gate: $y = x + \tanh(\alpha) \cdot \text{xattn}$, with the learnable scalar "
            r"$\alpha$ initialised to 0. Here " f"$\\alpha = {Num(p.alpha).render('latex')}$. "
            f"Give the gate $\\tanh(\\alpha)$ to {GATE_DP} decimal places and the block output $y$ to {Y_DP} "
            "decimal places. " + CONVENTIONS
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        gate = carry(given, "gate", float(np.tanh(p.alpha)))
        return {"gate": gate, "y": gated(p.x, p.xattn, gate).tolist()}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        g = d.add("Gate", ans["gate"], lhs=Sym("gate", tex=r"\tanh(\alpha)"), part="gate",
                  substituted=Func("tanh", Num(p.alpha)),
                  note=r"$\tanh(0) = 0$, so at initialisation the block passes $x$ through unchanged")
        d.add("Gated residual", ans["y"], lhs=Sym("y"), part="y",
              substituted=Mat([[Num(a) + Num(g) * Num(b) for a, b in zip(p.x, p.xattn, strict=True)]]),
              note=r"$y = x + \tanh(\alpha) \cdot \text{xattn}$, entry by entry")
        d.answer = "y = [" + ", ".join(f"{v:.{Y_DP}f}" for v in ans["y"]) + "]"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return visible(self.solve(p), self.all_mistakes(p))

    def all_mistakes(self, p: Params) -> dict[str, Mistake]:
        """Every named mistake, whether or not it shows on these parameters."""
        s = sigmoid(p.alpha)
        return {
            "alpha_as_gate": Mistake({"gate": float(p.alpha), "y": gated(p.x, p.xattn, p.alpha).tolist()},
                                     r"The gate is $\tanh(\alpha)$, not $\alpha$ itself: the tanh keeps it "
                                     "between −1 and 1."),
            "sigmoid_gate": Mistake({"gate": s, "y": gated(p.x, p.xattn, s).tolist()},
                                    r"Flamingo gates with $\tanh(\alpha)$, not the sigmoid $\sigma(\alpha)$; "
                                    r"$\sigma(0) = 0.5$ would let half the cross-attention in at initialisation."),
            "gate_one": Mistake({"gate": 1.0, "y": gated(p.x, p.xattn, 1.0).tolist()},
                                r"You added the cross-attention at full weight (a gate of 1). The gate is "
                                r"$\tanh(\alpha)$, which is 0 at initialisation, so the block starts as the identity."),
        }
