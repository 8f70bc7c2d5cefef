"""DINO's self-distillation loss: a centred, sharpened teacher softmax against the student's softmax, and the
update of the centre.

Catalog: seed_002 L1 (g_t = [2, 1, 0], c = [0.5, 0.3, 0.1], g_s = [1.5, 1.2, 0.3], τ_t = 0.5, τ_s = 1: loss 0.802040,
0.768180 without centring; the centre [0.5]³ with batch mean [1.8, 0.9, 0.3] and m = 0.9 becomes [0.63, 0.54, 0.48]).

Parameters:
    g_t, g_s: teacher and student logits, one row per image. c: the centre. tau_t, tau_s: the teacher's and the
    student's temperatures. m: the centre's momentum.

Answer parts: ``P_t`` (softmax((g_t − c)/τ_t) per row), ``P_s`` (softmax(g_s/τ_s) per row), ``loss`` (the mean over
the rows of −Σ_k P_t ln P_s) and ``center`` (m·c + (1 − m)·the row mean of g_t).

Conventions stated in the prompt: natural log; embeddings are L2-normalised before any dot product; classes,
prompts, images and tokens are numbered from 1.

Reference: ``torch.softmax`` of the centred teacher, ``F.log_softmax`` of the student, the row sums and means, and
``torch.lerp`` for the centre (examprep.reference.contrastive:dino_loss).

Common mistakes: no centring, the temperatures multiplied, the cross-entropy's arguments swapped (−Σ P_s ln P_t),
the centre's momentum swapped.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.contrastive.embed import CONVENTIONS, changed_parts
from examprep.problems.gan.fair import grid, near_miss
from examprep.solver.expr import Func, Mat, Num, Sym
from examprep.solver.step import Derivation


def softmax_rows(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def dino(p: Params, centred: bool = True, times_tau: bool = False, swapped: bool = False,
         given: Answers | None = None) -> dict[str, Any]:
    """P_t, P_s and the loss; the keywords make the named mistakes; ``given``: the student's P_t and P_s."""
    gt, gs, c = (np.asarray(x, dtype=float) for x in (p.g_t, p.g_s, p.c))
    zt = gt - c if centred else gt
    pt = carry(given, "P_t", softmax_rows(zt * p.tau_t if times_tau else zt / p.tau_t))
    ps = carry(given, "P_s", softmax_rows(gs * p.tau_s if times_tau else gs / p.tau_s))
    a, b = (ps, pt) if swapped else (pt, ps)
    with np.errstate(divide="ignore", invalid="ignore"):  # a rounded P_s can be 0
        terms = np.where(a == 0, 0.0, a * np.log(b))  # 0 ln 0 = 0: a zero target drops out
    return {"P_t": pt, "P_s": ps, "loss": float(np.mean(-terms.sum(axis=1)))}


def new_center(p: Params, m: float | None = None) -> np.ndarray:
    m = p.m if m is None else m
    return m * np.asarray(p.c, dtype=float) + (1 - m) * np.asarray(p.g_t, dtype=float).mean(axis=0)


class DinoLoss(ProblemType):
    id = "contrastive/dino_loss-v1"
    title = "DINO self-distillation loss and centring"
    catalog = "seed_002 L1"
    reference_entry = "examprep.reference.contrastive:dino_loss"
    params = (
        Param("g_t", "matrix", "teacher logits, one row per image", lo=-100, hi=100),
        Param("g_s", "matrix", "student logits, one row per image", lo=-100, hi=100),
        Param("c", "vector", "the centre", lo=-100, hi=100),
        Param("tau_t", "real", "teacher temperature τ_t", lo=1e-2, hi=100),
        Param("tau_s", "real", "student temperature τ_s", lo=1e-2, hi=100),
        Param("m", "real", "momentum of the centre", lo=0, hi=1, default=0.9),
    )
    parts = (
        Part("P_t", "Teacher probabilities", "matrix", mode="decdig", digits=4, final=False),
        Part("P_s", "Student probabilities", "matrix", mode="decdig", digits=4, final=False),
        Part("loss", "DINO loss (mean over the images)", "real", mode="decdig", digits=4, uses=("P_t", "P_s")),
        Part("center", "Updated centre", "vector", mode="decdig", digits=4),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = lambda opts: opts[int(rng.integers(len(opts)))]  # noqa: E731
        rows, k, step = {"easy": (1, 3, 1.0), "medium": (2, 3, 0.5), "hard": (3, 4, 0.1)}[difficulty]
        gt = [grid(rng, -1, 3, step, k) for _ in range(rows)]
        gs = [grid(rng, -1, 3, step, k) for _ in range(rows)]
        c = grid(rng, 0, 1, 0.1, k)
        taus = {"easy": ((0.5,), (1.0,)), "medium": ((0.5, 0.25), (1.0, 0.5)), "hard": ((0.1, 0.2), (0.5, 0.2))}
        return dict(g_t=gt, g_s=gs, c=c, tau_t=pick(taus[difficulty][0]), tau_s=pick(taus[difficulty][1]),
                    m=0.9 if difficulty != "hard" else pick((0.9, 0.99)))

    def check(self, p: Params) -> list[str]:
        k = len(p.c)
        if not 2 <= k <= 16:
            raise ParamError(f"c: give 2 to 16 entries (one per output dimension); got {k}")
        for name in ("g_t", "g_s"):
            if any(len(r) != k for r in getattr(p, name)):
                raise ParamError(f"{name}: every row needs {k} logits, one per entry of c")
        if len(p.g_t) != len(p.g_s) or not 1 <= len(p.g_t) <= 20:
            raise ParamError(f"g_t has {len(p.g_t)} rows and g_s {len(p.g_s)}: give one row per image in both "
                             "(1 to 20)")
        return []

    def degenerate(self, p: Params) -> str | None:
        if not any(p.c):
            return "the centre is 0 (centring changes nothing)"
        return near_miss(self.solve(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        return [
            "In DINO the teacher's logits (one row per image) are $g_t$ = ", [list(r) for r in p.g_t],
            " and the student's are $g_s$ = ", [list(r) for r in p.g_s], "; the centre is $c$ = ", list(p.c),
            r". The teacher's probabilities are $P_t = \operatorname{softmax}(\frac{g_t - c}{\tau_t})$ and the "
            r"student's $P_s = \operatorname{softmax}(\frac{g_s}{\tau_s})$, row by row, with "
            rf"$\tau_t = {p.tau_t:g}$ and $\tau_s = {p.tau_s:g}$. The loss is the mean over the images of "
            r"$-\sum_k P_t(k) \ln P_s(k)$, and after the step the centre becomes "
            r"$c_{\text{new}} = m c + (1 - m) \bar{g}_t$ with $\bar{g}_t$ the mean of the rows of $g_t$ and "
            f"$m = {p.m:g}$. Give $P_t$, $P_s$, the loss and the new centre to 4 decimal places. " + CONVENTIONS
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        r = dino(p, given=given)
        return {"P_t": r["P_t"].tolist(), "P_s": r["P_s"].tolist(), "loss": r["loss"],
                "center": new_center(p).tolist()}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        zt = (np.asarray(p.g_t, dtype=float) - np.asarray(p.c, dtype=float)) / p.tau_t
        d.add("Centred, sharpened teacher logits", zt.tolist(), lhs=Sym("z_t"),
              substituted=Mat([[(Num(g) - Num(c)) / Num(p.tau_t) for g, c in zip(row, p.c, strict=True)]
                               for row in p.g_t]), note=r"$z_t = \frac{g_t - c}{\tau_t}$")
        d.add("Teacher probabilities", ans["P_t"], lhs=Sym("P_t"), part="P_t",
              substituted=Mat([[Func("softmax", Mat([[Num(x) for x in row]]))] for row in zt]),
              note="the softmax of each row")
        zs = np.asarray(p.g_s, dtype=float) / p.tau_s
        d.add("Student logits", zs.tolist(), lhs=Sym("z_s"),
              substituted=Mat([[Num(g) / Num(p.tau_s) for g in row] for row in p.g_s]),
              note=r"$z_s = \frac{g_s}{\tau_s}$")
        d.add("Student probabilities", ans["P_s"], lhs=Sym("P_s"), part="P_s",
              substituted=Mat([[Func("softmax", Mat([[Num(x) for x in row]]))] for row in zs]))
        per = [-(np.asarray(a) * np.log(b)).sum() for a, b in zip(ans["P_t"], ans["P_s"], strict=True)]
        exprs = []
        for a, b in zip(ans["P_t"], ans["P_s"], strict=True):
            terms = [Num(x) * Func("ln", Num(y)) for x, y in zip(a, b, strict=True)]
            exprs.append(-sum(terms[1:], terms[0]))
        d.add("Cross-entropy of each image", per, lhs=Sym("H_i"), substituted=Mat([exprs]),
              note=r"$H_i = -\sum_k P_t(k) \ln P_s(k)$")
        terms = [Num(x) for x in per]
        d.add("Loss", ans["loss"], lhs=Sym("L"), part="loss", substituted=sum(terms[1:], terms[0]) / len(per),
              note="the mean over the images")
        mean = np.asarray(p.g_t, dtype=float).mean(axis=0)
        d.add("Row mean of the teacher logits", mean.tolist(), lhs=Sym("g_bar", tex=r"\bar{g}_t"),
              substituted=Mat([[sum((Num(r[j]) for r in p.g_t[1:]), Num(p.g_t[0][j])) / len(p.g_t)
                                for j in range(len(p.c))]]))
        m = Num(p.m)
        d.add("New centre", ans["center"], lhs=Sym("c_new", tex=r"c_{\text{new}}"), part="center",
              substituted=Mat([[m * Num(c) + (1 - m) * Num(g) for c, g in zip(p.c, mean, strict=True)]]),
              note=r"$c_{\text{new}} = m c + (1 - m) \bar{g}_t$")
        d.answer = f"L = {ans['loss']:.4f}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return changed_parts(self.solve(p), self.all_mistakes(p))

    def all_mistakes(self, p: Params) -> dict[str, Mistake]:
        """Every named mistake, whether or not it shows on these parameters."""
        raw, mult, sw = dino(p, centred=False), dino(p, times_tau=True), dino(p, swapped=True)
        return {
            "no_centering": Mistake({"P_t": raw["P_t"].tolist(), "loss": raw["loss"]},
                                    "Subtract the centre c from the teacher's logits before dividing by τ_t."),
            "tau_multiplied": Mistake({"P_t": mult["P_t"].tolist(), "P_s": mult["P_s"].tolist(),
                                       "loss": mult["loss"]},
                                      "Divide the logits by the temperatures; a small τ sharpens the softmax."),
            "arguments_swapped": Mistake({"loss": sw["loss"]},
                                         "The teacher gives the targets: the loss is −Σ P_t ln P_s, with the log "
                                         "on the student's probabilities."),
            "momentum_swapped": Mistake({"center": new_center(p, 1 - p.m).tolist()},
                                        "The centre keeps the weight m on its old value: c ← m·c + (1 − m)·mean."),
        }
