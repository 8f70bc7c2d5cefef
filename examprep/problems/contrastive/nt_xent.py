"""SimCLR's NT-Xent loss (normalised temperature-scaled cross-entropy) over 2N augmented views.

Catalog: seed_000_001 J1 (per-anchor losses [0.233257, 0.627123, 0.627123, 0.233257], mean 0.430190 at τ = 0.5).

Parameters:
    Z: 2N×d embeddings; rows 2k − 1 and 2k are the two views of image k (numbered from 1). tau: the temperature τ.

Answer parts: ``cos`` (the 2N×2N cosine matrix, intermediate), ``losses`` (ℓ_i per anchor i), ``loss`` (their mean
over the 2N anchors) and ``negatives`` (2N − 2 per anchor).

ℓ_i = −ln[exp(s_{i,p(i)}/τ) / Σ_{k≠i} exp(s_ik/τ)] with p(i) the other view of the same image (Chen et al. 2020).

Conventions stated in the prompt: natural log; embeddings are L2-normalised before any dot product; classes,
prompts, images and tokens are numbered from 1.

Reference: ``F.normalize``, S = Z Zᵀ/τ with the diagonal masked to −inf, ``F.cross_entropy`` against the partner
rows (examprep.reference.contrastive:nt_xent).

Common mistakes: the self-similarity kept in the denominator, τ forgotten, no normalisation, the wrong positive
(rows i and i + N paired, as in code that stacks the two views), the positive counted as a negative (2N − 1).

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


def partners(n2: int, stacked: bool = False) -> np.ndarray:
    """The positive of each anchor (0-based): 2k ↔ 2k + 1, or i ↔ i + N when ``stacked`` (the wrong positive)."""
    i = np.arange(n2)
    return (i + n2 // 2) % n2 if stacked else i ^ 1


def nt_xent(p: Params, normalised: bool = True, keep_self: bool = False, tau: float | None = None,
            stacked: bool = False, given: Answers | None = None) -> dict[str, Any]:
    """cos, per-anchor losses and their mean; the keywords make the named mistakes; ``given``: the student's
    earlier parts, used downstream."""
    z = np.asarray(p.Z, dtype=float)
    s = carry(given, "cos", cosines(z, z) if normalised else z @ z.T)
    lg = s / (p.tau if tau is None else tau)
    if not keep_self:
        np.fill_diagonal(lg, -np.inf)
    top = lg.max(axis=1, keepdims=True)
    lse = top[:, 0] + np.log(np.exp(lg - top).sum(axis=1))
    pos = partners(len(z), stacked)
    losses = carry(given, "losses", lse - lg[np.arange(len(z)), pos])
    return {"cos": s, "losses": losses, "loss": float(losses.mean())}


def _norm(row: Any) -> Any:
    return sqrt(sum((Num(x) ** 2 for x in row[1:]), Num(row[0]) ** 2))


class NTXent(ProblemType):
    id = "contrastive/nt_xent-v1"
    title = "SimCLR NT-Xent loss"
    catalog = "seed_000_001 J1"
    reference_entry = "examprep.reference.contrastive:nt_xent"
    params = (
        Param("Z", "matrix", "2N embeddings, one per row; rows 2k − 1 and 2k are the views of image k",
              lo=-100, hi=100),
        Param("tau", "real", "temperature τ", lo=1e-2, hi=100),
    )
    parts = (
        Part("cos", "Cosine similarity matrix", "matrix", mode="decdig", digits=4, final=False),
        Part("losses", "Loss of each anchor", "vector", mode="decdig", digits=4, uses=("cos",)),
        Part("loss", "NT-Xent loss (mean over the 2N anchors)", "real", mode="decdig", digits=4, uses=("losses",)),
        Part("negatives", "Negatives per anchor", "integer"),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        if difficulty == "easy":
            return dict(Z=draw_unit(rng, 2, 4), tau=float(rng.choice((0.5, 1.0))))
        if difficulty == "medium":
            z = draw_unit(rng, 2, 4)
            for i in rng.choice(4, size=2, replace=False):  # two rows scaled: the normalisation matters
                z[int(i)] = tuple(float(x * int(rng.integers(2, 4))) for x in z[int(i)])
            return dict(Z=z, tau=float(rng.choice((0.1, 0.5, 1.0))))
        return dict(Z=draw_int(rng, 3, 6), tau=float(rng.choice((0.2, 0.5, 1.0))))

    def check(self, p: Params) -> list[str]:
        check_vectors("Z", p.Z)
        if len(p.Z) < 4 or len(p.Z) % 2:
            raise ParamError(f"Z: give an even number of rows, at least 4 (two views per image); got {len(p.Z)}")
        return []

    def degenerate(self, p: Params) -> str | None:
        ans = self.solve(p)
        if min(ans["losses"]) < 1e-3:
            return "a loss rounds to 0"
        return near_miss(ans, self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        n2 = len(p.Z)
        return [
            f"SimCLR embeds {n2 // 2} images, two augmented views each, as the rows of $Z$ = ", [list(r) for r in p.Z],
            r"; rows $2k - 1$ and $2k$ are the two views of image $k$. With cosines $s_{ij} = \cos(z_i, z_j)$ and "
            rf"$\tau = {p.tau:g}$, the loss of anchor $i$ with positive $p(i)$ (the other view of its image) is "
            r"$l_i = -\ln \frac{\exp(\frac{s_{i p(i)}}{\tau})}{\sum_{k \ne i} \exp(\frac{s_{ik}}{\tau})}$ and "
            rf"the NT-Xent loss is the mean over all {n2} anchors. Give the cosine matrix and the per-anchor losses "
            "and their mean to 4 decimal places, and the number of negatives of each anchor. " + CONVENTIONS
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        r = nt_xent(p, given=given)
        return {"cos": r["cos"].tolist(), "losses": r["losses"].tolist(), "loss": r["loss"],
                "negatives": len(p.Z) - 2}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        zh = d.add("Normalise the embeddings", normalise(p.Z).tolist(), lhs=Sym("Z_hat", tex=r"\hat{Z}"),
                   substituted=Mat([[Num(x) / _norm(row) for x in row] for row in p.Z]),
                   note="each row divided by its length")
        dot = lambda a, b: sum((Num(x) * Num(y) for x, y in zip(a[1:], b[1:], strict=True)),  # noqa: E731
                               Num(a[0]) * Num(b[0]))
        d.add("Cosine similarities", ans["cos"], lhs=Sym("s"), part="cos",
              substituted=Mat([[dot(a, b) for b in zh] for a in zh]), note=r"$s = \hat{Z} \hat{Z}^{\top}$")
        s, n2, tau = np.asarray(ans["cos"]), len(p.Z), p.tau
        pos = partners(n2)
        rows = []
        for i in range(n2):
            others = [Func("exp", Num(s[i, k]) / Num(tau)) for k in range(n2) if k != i]
            rows.append(Func("ln", sum(others[1:], others[0])) - Num(s[i, pos[i]]) / Num(tau))
        d.add("Per-anchor losses", ans["losses"], lhs=Sym("l_i"), part="losses",
              substituted=Mat([rows]),
              note=r"$l_i = \ln \sum_{k \ne i} \exp(\frac{s_{ik}}{\tau}) - \frac{s_{i p(i)}}{\tau}$; the "
                   "positives are " + ", ".join(f"{i + 1}→{pos[i] + 1}" for i in range(n2)))
        terms = [Num(x) for x in ans["losses"]]
        d.add("Mean over the anchors", ans["loss"], lhs=Sym("L"), part="loss",
              substituted=sum(terms[1:], terms[0]) / n2)
        d.add("Negatives per anchor", ans["negatives"], lhs=Sym("n_neg", tex=r"n_{\text{neg}}"), part="negatives",
              substituted=Num(n2) - 2, note="every other row except the anchor itself and its positive: $2N - 2$")
        d.answer = f"L = {ans['loss']:.4f}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return visible(self.solve(p), self.all_mistakes(p))

    def all_mistakes(self, p: Params) -> dict[str, Mistake]:
        """Every named mistake, whether or not it shows on these parameters."""

        def out(r: dict[str, Any], parts: tuple[str, ...] = ("losses", "loss")) -> Answers:
            return {k: (r[k].tolist() if hasattr(r[k], "tolist") else r[k]) for k in parts}

        n2 = len(p.Z)
        return {
            "self_similarity_kept": Mistake(out(nt_xent(p, keep_self=True)),
                                            "The denominator sums over k ≠ i: leave the anchor's similarity with "
                                            "itself (always 1) out."),
            "tau_forgotten": Mistake(out(nt_xent(p, tau=1.0)), "Divide every cosine by τ before the softmax."),
            "not_normalised": Mistake(out(nt_xent(p, normalised=False), ("cos", "losses", "loss")),
                                      "L2-normalise the embeddings first: the similarities are cosines, not raw "
                                      "dot products."),
            "wrong_positive": Mistake(out(nt_xent(p, stacked=True)),
                                      "The positive of row 2k − 1 is row 2k (the other view of image k), not the "
                                      "row N further down."),
            "positive_counted_as_negative": Mistake({"negatives": n2 - 1},
                                                    "The other view of the same image is the positive, not a "
                                                    "negative: 2N − 2 negatives remain."),
        }
