"""Trainable parameters of prompt learning: CoOp's context vectors and CoCoOp's Meta-Net.

Catalog: seed_002 E13 (M = 16, d = 512: 8,192, or 81,920 class-specific with K = 10; the Meta-Net has 33,312).

Parameters:
    M: context vectors. d: their dimension (the text encoder's width). K: classes. class_specific: one set of
    context vectors per class (CoOp's class-specific context). r: the Meta-Net's reduction factor (default 16).

Answer parts: ``coop`` (M·d, ×K if class-specific), ``meta_net`` (Linear(d, d/r)–ReLU–Linear(d/r, d) with biases)
and ``cocoop`` (M·d shared context + the Meta-Net).

Conventions stated in the prompt: the image and text encoders are frozen (not trainable); natural log; embeddings
are L2-normalised before any dot product; classes, prompts, images and tokens are numbered from 1.

Reference: ``numel`` of ``nn.Parameter``-shaped tensors and of ``nn.Linear`` layers built on the meta device
(examprep.reference.contrastive:coop_params).

Common mistakes: the biases forgotten, CoCoOp's shared context multiplied by K. (Counting the frozen encoders needs
their size, which the problem does not give; it is not graded as a named mistake.)

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.contrastive.embed import CONVENTIONS
from examprep.solver.expr import Num, Sym
from examprep.solver.step import Derivation


def counts(p: Params, biases: bool = True, given: Answers | None = None) -> dict[str, int]:
    """coop, meta_net and cocoop parameter counts (``given``: CoCoOp from the student's Meta-Net count)."""
    h = p.d // p.r
    meta = int(round(carry(given, "meta_net", p.d * h + h * p.d + ((h + p.d) if biases else 0))))
    ctx = p.M * p.d
    return {"coop": ctx * (p.K if p.class_specific else 1), "meta_net": meta, "cocoop": ctx + meta}


class CoopParams(ProblemType):
    id = "contrastive/coop_params-v1"
    title = "CoOp and CoCoOp trainable parameters"
    catalog = "seed_002 E13"
    reference_entry = "examprep.reference.contrastive:coop_params"
    params = (
        Param("M", "int", "number of context vectors", lo=1, hi=1000),
        Param("d", "int", "dimension of the context vectors", lo=1, hi=100_000),
        Param("K", "int", "number of classes", lo=1, hi=100_000),
        Param("class_specific", "bool", "one set of context vectors per class", default=False),
        Param("r", "int", "Meta-Net reduction factor", lo=1, hi=1024, default=16),
    )
    parts = (
        Part("coop", "CoOp trainable parameters", "integer"),
        Part("meta_net", "Meta-Net parameters", "integer"),
        Part("cocoop", "CoCoOp trainable parameters", "integer", uses=("meta_net",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = lambda opts: opts[int(rng.integers(len(opts)))]  # noqa: E731
        if difficulty == "easy":
            return dict(M=pick((4, 8, 16)), d=512, K=pick((10, 100)), class_specific=False, r=16)
        if difficulty == "medium":
            return dict(M=pick((4, 8, 16)), d=pick((512, 768)), K=pick((10, 37, 100)),
                        class_specific=bool(rng.random() < 0.5), r=16)
        return dict(M=pick((2, 4, 8, 16)), d=pick((512, 768, 1024)), K=pick((10, 47, 101, 397)),
                    class_specific=True, r=pick((8, 16, 32)))

    def check(self, p: Params) -> list[str]:
        if p.d % p.r:
            raise ParamError(f"d = {p.d} is not a multiple of r = {p.r}: the Meta-Net's hidden width d/r must be "
                             "whole")
        return []

    def statement(self, p: Params) -> list[Any]:
        ctx = ("class-specific context (a separate set of context vectors for each class)" if p.class_specific
               else "one set of context vectors shared by all classes")
        return [
            f"CoOp learns $M = {p.M}$ context vectors of dimension $d = {p.d}$ in front of each class name, with "
            f"{ctx}, for $K = {p.K}$ classes; the CLIP image and text encoders are frozen. CoCoOp keeps one shared "
            "set of context vectors and adds a Meta-Net, Linear($d$, $\\frac{d}{r}$)–ReLU–Linear($\\frac{d}{r}$, "
            f"$d$) with biases, $r = {p.r}$, that turns the image feature into a token added to every context "
            "vector. Count the trainable parameters of CoOp, of the Meta-Net and of CoCoOp. " + CONVENTIONS
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return dict(counts(p, given=given))

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        M, D, K = Num(p.M), Num(p.d), Num(p.K)
        d.add("CoOp context", ans["coop"], lhs=Sym("n_CoOp", tex=r"n_{\text{CoOp}}"), part="coop",
              substituted=M * D * K if p.class_specific else M * D,
              note=r"$M \cdot d \cdot K$: one set per class" if p.class_specific else r"$M \cdot d$, shared")
        h = d.add("Meta-Net hidden width", p.d // p.r, lhs=Sym("h"), substituted=D / Num(p.r),
                  note=r"$h = \frac{d}{r}$")
        H = Num(h)
        d.add("Meta-Net", ans["meta_net"], lhs=Sym("n_meta", tex=r"n_{\text{meta}}"), part="meta_net",
              substituted=D * H + H + H * D + D,
              note=r"first layer $d h + h$, second layer $h d + d$ (weights and biases)")
        d.add("CoCoOp", ans["cocoop"], lhs=Sym("n_CoCoOp", tex=r"n_{\text{CoCoOp}}"), part="cocoop",
              substituted=M * D + Num(ans["meta_net"]),
              note=r"$M \cdot d$ shared context plus the Meta-Net; the encoders are frozen")
        d.answer = f"CoOp {ans['coop']:,}; Meta-Net {ans['meta_net']:,}; CoCoOp {ans['cocoop']:,}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        nb = counts(p, biases=False)
        m = {"biases_forgotten": Mistake({"meta_net": nb["meta_net"], "cocoop": nb["cocoop"]},
                                         "Each Linear layer also has a bias per output: d/r for the first, d for "
                                         "the second.")}
        if p.K > 1:
            m["cocoop_context_per_class"] = Mistake({"cocoop": counts(p)["cocoop"] + p.M * p.d * (p.K - 1)},
                                                    "CoCoOp's context vectors are shared by all classes: count "
                                                    "M·d once.")
        return m
