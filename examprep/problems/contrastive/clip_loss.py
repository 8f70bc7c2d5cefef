"""CLIP's symmetric contrastive (InfoNCE) loss over a batch of N image–text pairs.

Catalog: seed_000_001 J3 (loss 0.508657 at τ = 0.2); seed_002 E12 (0.833772 at τ = 1); seed_003 D2 (0.533501 at
τ = 0.07).

Parameters:
    images, texts: N×d embeddings; row i of each is a matching pair. tau: the temperature τ (logits S/τ).

Answer parts: ``S`` (S_ij = cos(image i, text j)), ``loss_i2t`` (mean cross-entropy of the rows of S/τ against the
diagonal), ``loss_t2i`` (the same over the columns), ``loss`` (their mean) and ``negatives`` (N² − N negative
pairs in the batch).

Conventions stated in the prompt: natural log; embeddings are L2-normalised before any dot product; classes,
prompts, images and tokens are numbered from 1.

Reference: ``F.normalize``, a batched product for S, and ``F.cross_entropy`` on L = S/τ and on Lᵀ against
arange(N) (examprep.reference.contrastive:clip_loss).

Common mistakes: one direction only, the ½ dropped, τ multiplied, no normalisation, N − 1 negatives, and the
literal "N − N" (0) for the N² − N negatives.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.contrastive.embed import CONVENTIONS, check_vectors, cosines, draw_int, draw_unit, normalise
from examprep.problems.gan.fair import near_miss, visible
from examprep.solver.expr import Func, Mat, Num, Sym
from examprep.solver.ops import sqrt
from examprep.solver.step import Derivation


def row_ce(logits: np.ndarray) -> float:
    """Mean cross-entropy of the rows of ``logits`` against the diagonal (log-sum-exp shifted by the row max)."""
    top = logits.max(axis=1, keepdims=True)
    lse = top[:, 0] + np.log(np.exp(logits - top).sum(axis=1))
    return float(np.mean(lse - np.diag(logits)))


def clip_losses(p: Params, normalised: bool = True, times_tau: bool = False,
                given: Answers | None = None) -> dict[str, Any]:
    """S, both directional losses and their mean; the keywords make the named mistakes; ``given``: the student's
    earlier parts, used downstream."""
    a, b = np.asarray(p.images, dtype=float), np.asarray(p.texts, dtype=float)
    s = carry(given, "S", cosines(a, b) if normalised else a @ b.T)
    lg = s * p.tau if times_tau else s / p.tau
    i2t, t2i = carry(given, "loss_i2t", row_ce(lg)), carry(given, "loss_t2i", row_ce(lg.T))
    return {"S": s, "loss_i2t": i2t, "loss_t2i": t2i, "loss": (i2t + t2i) / 2}


def _norm(row: Any) -> Any:
    return sqrt(sum((Num(x) ** 2 for x in row[1:]), Num(row[0]) ** 2))


def _ce_expr(lg: np.ndarray) -> Any:
    """(1/N) Σ_i [ln Σ_j exp(L_ij) − L_ii], with the numbers of ``lg``."""
    n = len(lg)
    terms = [Func("ln", sum((Func("exp", Num(x)) for x in row[1:]), Func("exp", Num(row[0])))) - Num(row[i])
             for i, row in enumerate(lg)]
    return sum(terms[1:], terms[0]) / n


class ClipLoss(ProblemType):
    id = "contrastive/clip_loss-v1"
    title = "CLIP symmetric contrastive loss"
    catalog = "seed_000_001 J3; seed_002 E12; seed_003 D2"
    reference_entry = "examprep.reference.contrastive:clip_loss"
    params = (
        Param("images", "matrix", "image embeddings, one per row (row i pairs with text i)", lo=-100, hi=100),
        Param("texts", "matrix", "text embeddings, one per row", lo=-100, hi=100),
        Param("tau", "real", "temperature τ (logits S/τ)", lo=1e-2, hi=100),
    )
    parts = (
        Part("S", "Cosine similarity matrix S_ij = cos(image i, text j)", "matrix", mode="decdig", digits=4,
             final=False),
        Part("loss_i2t", "Image-to-text loss (rows)", "real", mode="decdig", digits=4, uses=("S",)),
        Part("loss_t2i", "Text-to-image loss (columns)", "real", mode="decdig", digits=4, uses=("S",)),
        Part("loss", "Symmetric loss", "real", mode="decdig", digits=4, uses=("loss_i2t", "loss_t2i")),
        Part("negatives", "Number of negative pairs in the batch", "integer"),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        if difficulty == "easy":
            rows = draw_unit(rng, 2, 4)
            return dict(images=rows[:2], texts=rows[2:], tau=float(rng.choice((1.0, 0.5))))
        if difficulty == "medium":
            rows = draw_unit(rng, 3, 6)
            return dict(images=rows[:3], texts=rows[3:], tau=float(rng.choice((1.0, 0.5, 0.2, 0.1))))
        rows = draw_int(rng, 3, 6)
        return dict(images=rows[:3], texts=rows[3:], tau=float(rng.choice((0.5, 0.2, 0.1, 0.07))))

    def check(self, p: Params) -> list[str]:
        d = check_vectors("images", p.images)
        check_vectors("texts", p.texts, d)
        if len(p.images) != len(p.texts):
            raise ParamError(f"images has {len(p.images)} rows and texts {len(p.texts)}: give one text per image")
        if len(p.images) < 2:
            raise ParamError("images: a contrastive batch needs at least 2 pairs")
        return []

    def degenerate(self, p: Params) -> str | None:
        ans = self.solve(p)
        if ans["loss"] < 1e-3:
            return "the loss rounds to 0"
        return near_miss(ans, self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        n = len(p.images)
        return [
            f"A CLIP batch holds {n} image–text pairs. The image embeddings are the rows of $I$ = ",
            [list(r) for r in p.images], " and the text embeddings the rows of $T$ = ", [list(r) for r in p.texts],
            "; image $i$ and text $i$ are a pair. With $S_{ij} = \\cos(\\text{image } i, \\text{text } j)$ and "
            rf"logits $L = \frac{{S}}{{\tau}}$, $\tau = {p.tau:g}$, the image-to-text loss is the mean "
            r"cross-entropy of the rows of $L$ against the diagonal, "
            r"$L_{i2t} = \frac{1}{N} \sum_i -\ln \frac{\exp(L_{ii})}{\sum_j \exp(L_{ij})}$, the text-to-image loss "
            r"$L_{t2i}$ the same over the columns, and the CLIP loss is $\frac{1}{2}(L_{i2t} + L_{t2i})$. "
            "Give $S$ to 4 decimal places, the three losses to 4 decimal places, and the number of negative pairs "
            "in the batch. " + CONVENTIONS
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        r = clip_losses(p, given=given)
        n = len(p.images)
        return {"S": r["S"].tolist(), "loss_i2t": r["loss_i2t"], "loss_t2i": r["loss_t2i"], "loss": r["loss"],
                "negatives": n * n - n}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        ih = d.add("Normalise the image embeddings", normalise(p.images).tolist(), lhs=Sym("I_hat", tex=r"\hat{I}"),
                   substituted=Mat([[Num(x) / _norm(row) for x in row] for row in p.images]),
                   note="each row divided by its length")
        th = d.add("Normalise the text embeddings", normalise(p.texts).tolist(), lhs=Sym("T_hat", tex=r"\hat{T}"),
                   substituted=Mat([[Num(x) / _norm(row) for x in row] for row in p.texts]))
        dot = lambda a, b: sum((Num(x) * Num(y) for x, y in zip(a[1:], b[1:], strict=True)),  # noqa: E731
                               Num(a[0]) * Num(b[0]))
        d.add("Cosine similarities", ans["S"], lhs=Sym("S"), part="S",
              substituted=Mat([[dot(a, b) for b in th] for a in ih]),
              note=r"$S = \hat{I} \hat{T}^{\top}$: row $i$ is image $i$, column $j$ is text $j$")
        lg = np.asarray(ans["S"]) / p.tau
        d.add("Logits", lg.tolist(), lhs=Sym("L"), substituted=Mat([[Num(x) / Num(p.tau) for x in r]
                                                                      for r in ans["S"]]),
              note=r"$L = \frac{S}{\tau}$")
        d.add("Image-to-text loss (rows)", ans["loss_i2t"], lhs=Sym("L_i2t", tex="L_{i2t}"), part="loss_i2t",
              substituted=_ce_expr(lg),
              note=r"$L_{i2t} = \frac{1}{N} \sum_i (\ln \sum_j \exp(L_{ij}) - L_{ii})$: row $i$ must pick text $i$")
        d.add("Text-to-image loss (columns)", ans["loss_t2i"], lhs=Sym("L_t2i", tex="L_{t2i}"), part="loss_t2i",
              substituted=_ce_expr(lg.T),
              note=r"$L_{t2i} = \frac{1}{N} \sum_j (\ln \sum_i \exp(L_{ij}) - L_{jj})$: column $j$ must pick "
                   r"image $j$")
        d.add("Symmetric loss", ans["loss"], lhs=Sym("L_CLIP", tex=r"L_{\text{CLIP}}"), part="loss",
              substituted=(Num(ans["loss_i2t"]) + Num(ans["loss_t2i"])) / 2,
              note=r"$L_{\text{CLIP}} = \frac{1}{2}(L_{i2t} + L_{t2i})$")
        n = len(p.images)
        d.add("Negative pairs", ans["negatives"], lhs=Sym("n_neg", tex=r"n_{\text{neg}}"), part="negatives",
              substituted=Num(n) ** 2 - Num(n),
              note=r"$N^2 - N$: every off-diagonal entry of the $N \times N$ matrix is a negative pair")
        d.answer = f"L = {ans['loss']:.6f}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return visible(self.solve(p), self.all_mistakes(p))

    def all_mistakes(self, p: Params) -> dict[str, Mistake]:
        """Every named mistake, whether or not it shows on these parameters."""
        t = self.solve(p)
        n = len(p.images)
        raw, mult = clip_losses(p, normalised=False), clip_losses(p, times_tau=True)
        return {
            "image_to_text_only": Mistake({"loss": t["loss_i2t"]},
                                          "The CLIP loss is symmetric: average the image-to-text loss (rows) "
                                          "and the text-to-image loss (columns)."),
            "text_to_image_only": Mistake({"loss": t["loss_t2i"]},
                                          "The CLIP loss is symmetric: average the image-to-text loss (rows) "
                                          "and the text-to-image loss (columns)."),
            "half_dropped": Mistake({"loss": t["loss_i2t"] + t["loss_t2i"]},
                                    "The two directional losses are averaged: multiply their sum by 1/2."),
            "tau_multiplied": Mistake({k: mult[k] for k in ("loss_i2t", "loss_t2i", "loss")},
                                      "The logits are S/τ (τ divides, the logit scale 1/τ multiplies)."),
            "not_normalised": Mistake({k: (raw[k].tolist() if k == "S" else raw[k])
                                       for k in ("S", "loss_i2t", "loss_t2i", "loss")},
                                      "L2-normalise every embedding first: S holds cosines, not raw dot "
                                      "products."),
            "negatives_n_minus_1": Mistake({"negatives": n - 1},
                                           "N − 1 is the count for one image; the batch has N² − N negative "
                                           "pairs (every off-diagonal entry)."),
            "negatives_n_minus_n": Mistake({"negatives": 0},
                                           "N − N is 0: the batch has N² − N negative pairs (the N × N matrix "
                                           "minus its N positives)."),
        }
