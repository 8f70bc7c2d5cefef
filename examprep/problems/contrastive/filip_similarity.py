"""FILIP's token-wise late-interaction similarity (Yao et al. 2021) and FLIP's patch masking (Li et al. 2023).

FILIP compares an image and a caption token by token: each image patch takes its most similar text token, each text
token its most similar patch, and the maxima are averaged. FLIP is a different method that masks a fraction of the
image patches at random and encodes only the visible ones. The catalog's source calls the token-wise maximum "FLIP";
the statement names each method for what it does.

Catalog: seed_002 L2 (patches [[1, 0], [0.6, 0.8], [0, 1]] and tokens [[0.8, 0.6], [0, 1]]: similarities
[[0.8, 0], [0.96, 0.8], [0.6, 1]], s_i2t = 0.92 and s_t2i = 0.98; FLIP on 196 patches: 50% masking leaves 98, 75%
leaves 49).

Parameters:
    X: the image's patch tokens, one per row (n₁ × d). Y: the caption's text tokens, one per row (n₂ × d).
    n_patches: the patches of the image FLIP masks. mask_ratio: the fraction ρ of them FLIP masks
    (n_patches·ρ must be whole).

Answer parts: ``sim`` (S_kr = cos(x_k, y_r)), ``s_i2t`` ((1/n₁) Σ_k max_r S_kr, the mean of the row maxima),
``s_t2i`` ((1/n₂) Σ_r max_k S_kr, the mean of the column maxima) and ``visible`` (n_patches − n_patches·ρ, the
patches FLIP's image encoder sees). ``s_i2t`` and ``s_t2i`` are computed from ``sim`` (error carried forward).

Conventions stated in the prompt: natural log; embeddings are L2-normalised before any dot product; classes,
prompts, images and tokens are numbered from 1.

Reference: ``F.normalize``, a batched ``einsum`` for S, ``amax`` over each axis and ``mean``; the visible patches
counted from an MAE-style random masking (``argsort`` of uniform noise, the first round(n(1 − ρ)) kept)
(examprep.reference.contrastive_tokens:filip_similarity).

Common mistakes: the axes swapped (column maxima averaged for s_i2t), the mean of all similarities instead of the
maxima, the masked count given as the visible one, raw dot products of unnormalised tokens.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.contrastive.embed import CONVENTIONS, check_vectors, cosines, draw_int, draw_unit
from examprep.problems.gan.fair import RTOL, near_miss, visible
from examprep.solver.expr import Func, Mat, Num, Sym
from examprep.solver.ops import sqrt
from examprep.solver.step import Derivation

DP = 4
# (patches, mask ratio) with a whole number masked; 0.5 is left out of generation (masked = visible hides a mistake)
MASKS = {"easy": ((196, 0.75), (196, 0.25), (256, 0.75), (256, 0.25)),
         "medium": ((196, 0.75), (256, 0.25), (576, 0.75), (576, 0.25), (256, 0.75)),
         "hard": ((100, 0.6), (225, 0.4), (400, 0.85), (225, 0.6), (576, 0.75), (100, 0.8))}
SHAPES = {"easy": (2, 3, 2), "medium": (3, 4, 3), "hard": (3, 4, 3)}  # (d, n1, n2)


def token_scores(s: np.ndarray) -> tuple[float, float]:
    """(s_i2t, s_t2i): the mean of the row maxima and the mean of the column maxima of ``s``."""
    return float(s.max(axis=1).mean()), float(s.max(axis=0).mean())


def masked(n: int, ratio: float) -> int:
    """The number of patches FLIP masks (n·ρ, whole by ``check``)."""
    return int(round(n * ratio))


def _norm(row: Any) -> Any:
    return sqrt(sum((Num(x) ** 2 for x in row[1:]), Num(row[0]) ** 2))


def _dot(a: Any, b: Any) -> Any:
    """x·y written out, a negative later coefficient as a subtraction (4·1 − 3·0, not 4·1 + −3·0)."""
    out = Num(a[0]) * Num(b[0])
    for x, y in zip(a[1:], b[1:], strict=True):
        out = out - Num(-x) * Num(y) if x < 0 else out + Num(x) * Num(y)
    return out


def _mean(xs: Any) -> Any:
    xs = [float(x) for x in xs]
    return sum((Num(x) for x in xs[1:]), Num(xs[0])) / len(xs)


class FilipSimilarity(ProblemType):
    id = "contrastive/filip_similarity-v1"
    title = "FILIP token-wise similarity and FLIP masking"
    catalog = "seed_002 L2"
    reference_entry = "examprep.reference.contrastive_tokens:filip_similarity"
    params = (
        Param("X", "matrix", "the image's patch tokens, one per row", lo=-100, hi=100),
        Param("Y", "matrix", "the caption's text tokens, one per row", lo=-100, hi=100),
        Param("n_patches", "int", "patches of the image FLIP masks", lo=1, hi=100_000),
        Param("mask_ratio", "real", "fraction ρ of the patches FLIP masks", lo=0, hi=0.99),
    )
    parts = (
        Part("sim", "Token similarity matrix S_kr = cos(x_k, y_r)", "matrix", mode="decdig", digits=DP,
             final=False),
        Part("s_i2t", "Image-to-text similarity (mean of the row maxima)", "real", mode="decdig", digits=DP,
             uses=("sim",)),
        Part("s_t2i", "Text-to-image similarity (mean of the column maxima)", "real", mode="decdig", digits=DP,
             uses=("sim",)),
        Part("visible", "Patches FLIP's image encoder sees", "integer"),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        d, n1, n2 = SHAPES[difficulty]
        rows = draw_unit(rng, d, n1 + n2) if difficulty != "hard" else draw_int(rng, d, n1 + n2)
        masks = MASKS[difficulty]
        n, r = masks[int(rng.integers(len(masks)))]
        return dict(X=rows[:n1], Y=rows[n1:], n_patches=n, mask_ratio=r)

    def check(self, p: Params) -> list[str]:
        d = check_vectors("X", p.X)
        check_vectors("Y", p.Y, d)
        k = p.n_patches * p.mask_ratio
        if abs(k - round(k)) > 1e-9:
            raise ParamError(f"mask_ratio={p.mask_ratio:g} masks {k:g} of {p.n_patches} patches: choose a ratio "
                             "that masks a whole number of patches")
        return []

    def degenerate(self, p: Params) -> str | None:
        s = np.asarray(self.solve(p)["sim"])
        for axis, what in ((1, "a patch"), (0, "a token")):
            top = np.sort(s, axis=axis)
            first, second = (top[:, -1], top[:, -2]) if axis == 1 else (top[-1], top[-2])
            if np.any(first - second < 1e-9):
                return f"{what} has two equally similar best matches"
        i2t, t2i = token_scores(s)
        if abs(i2t - t2i) <= RTOL * max(abs(i2t), abs(t2i)):
            return "s_i2t and s_t2i are equal, so swapping the axes shows no mistake"
        return near_miss(self.solve(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        n1, n2 = len(p.X), len(p.Y)
        return [
            "FILIP compares an image and a caption token by token. The image's patch tokens are the rows of $X$ = ",
            [list(r) for r in p.X], f" (patches $k = 1, \\ldots, n_1$ with $n_1 = {n1}$) and the caption's text "
            "tokens the rows of $Y$ = ", [list(r) for r in p.Y], " (tokens $r = 1, \\ldots, n_2$ with "
            f"$n_2 = {n2}$). With the token similarity matrix $S_{{kr}} = \\cos(x_k, y_r)$, FILIP's image-to-text "
            "similarity lets each patch take its most similar token, "
            r"$s_{i2t} = \frac{1}{n_1} \sum_k \max_r S_{kr}$, and its text-to-image similarity lets each token take "
            r"its most similar patch, $s_{t2i} = \frac{1}{n_2} \sum_r \max_k S_{kr}$. Give $S$, $s_{i2t}$ and "
            "$s_{t2i}$ to 4 decimal places. A different method, FLIP, speeds up training by masking a fraction "
            f"$\\rho$ of the image patches at random and encoding only the visible ones: how many of "
            f"$n = {p.n_patches}$ patches does the image encoder see at $\\rho = {p.mask_ratio:g}$? " + CONVENTIONS
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        s = carry(given, "sim", cosines(p.X, p.Y))
        i2t, t2i = token_scores(s)
        return {"sim": s.tolist(), "s_i2t": i2t, "s_t2i": t2i,
                "visible": p.n_patches - masked(p.n_patches, p.mask_ratio)}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        x, y = np.asarray(p.X, dtype=float), np.asarray(p.Y, dtype=float)
        unit = np.allclose(np.linalg.norm(x, axis=1), 1) and np.allclose(np.linalg.norm(y, axis=1), 1)
        if unit:
            d.add("Token similarities", ans["sim"], lhs=Sym("S"), part="sim",
                  substituted=Mat([[_dot(a, b) for b in p.Y] for a in p.X]),
                  note="the tokens are unit vectors, so each cosine is a dot product; row $k$ is patch $k$, "
                       "column $r$ is token $r$")
        else:
            nx = d.add("Lengths of the patch tokens", np.linalg.norm(x, axis=1).tolist(),
                       lhs=Sym("norm_x", tex=r"\lVert x_k \rVert"), substituted=Mat([[_norm(r) for r in p.X]]))
            ny = d.add("Lengths of the text tokens", np.linalg.norm(y, axis=1).tolist(),
                       lhs=Sym("norm_y", tex=r"\lVert y_r \rVert"), substituted=Mat([[_norm(r) for r in p.Y]]))
            d.add("Token similarities", ans["sim"], lhs=Sym("S"), part="sim",
                  substituted=Mat([[_dot(a, b) / (Num(u) * Num(v)) for b, v in zip(p.Y, ny, strict=True)]
                                   for a, u in zip(p.X, nx, strict=True)]),
                  note=r"$S_{kr} = \frac{x_k \cdot y_r}{\lVert x_k \rVert \lVert y_r \rVert}$; row $k$ is "
                       "patch $k$, column $r$ is token $r$")
        s = np.asarray(ans["sim"])
        a = d.add("Best token for each patch (row maxima)", s.max(axis=1).tolist(), lhs=Sym("a", tex="a_k"),
                  substituted=Mat([[Func("max", *[Num(v) for v in row]) for row in s]]),
                  note=r"$a_k = \max_r S_{kr}$")
        b = d.add("Best patch for each token (column maxima)", s.max(axis=0).tolist(), lhs=Sym("b", tex="b_r"),
                  substituted=Mat([[Func("max", *[Num(v) for v in col]) for col in s.T]]),
                  note=r"$b_r = \max_k S_{kr}$")
        d.add("Image-to-text similarity", ans["s_i2t"], lhs=Sym("s_i2t", tex="s_{i2t}"), part="s_i2t",
              substituted=_mean(a), note=r"$s_{i2t} = \frac{1}{n_1} \sum_k a_k$, the mean over the patches")
        d.add("Text-to-image similarity", ans["s_t2i"], lhs=Sym("s_t2i", tex="s_{t2i}"), part="s_t2i",
              substituted=_mean(b), note=r"$s_{t2i} = \frac{1}{n_2} \sum_r b_r$, the mean over the tokens")
        n, r = p.n_patches, p.mask_ratio
        k = d.add("FLIP: masked patches", masked(n, r), lhs=Sym("n_mask", tex=r"n_{\text{mask}}"),
                  substituted=Num(n) * Num(r), note=r"a fraction $\rho$ of the $n$ patches is masked: $n \rho$")
        d.add("FLIP: visible patches", ans["visible"], lhs=Sym("n_vis", tex=r"n_{\text{vis}}"), part="visible",
              substituted=Num(n) - Num(k),
              note=r"$n_{\text{vis}} = n - n_{\text{mask}} = n (1 - \rho)$: only these enter the image encoder")
        d.answer = (f"s_i2t = {ans['s_i2t']:.4f}, s_t2i = {ans['s_t2i']:.4f}, {ans['visible']} visible patches")
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return visible(self.solve(p), self.all_mistakes(p))

    def all_mistakes(self, p: Params) -> dict[str, Mistake]:
        """Every named mistake, whether or not it shows on these parameters."""
        t = self.solve(p)
        s = np.asarray(t["sim"])
        mean = float(s.mean())
        raw = np.asarray(p.X, dtype=float) @ np.asarray(p.Y, dtype=float).T
        ri2t, rt2i = token_scores(raw)
        return {
            "axes_swapped": Mistake({"s_i2t": t["s_t2i"], "s_t2i": t["s_i2t"]},
                                    r"You swapped the axes: $s_{i2t}$ averages, over the patches, each patch's "
                                    r"best token (the row maxima $\max_r S_{kr}$); $s_{t2i}$ averages the column "
                                    r"maxima $\max_k S_{kr}$ over the tokens."),
            "mean_of_all": Mistake({"s_i2t": mean, "s_t2i": mean},
                                   "You averaged all the similarities: FILIP first takes each token's maximum "
                                   "similarity (its best match), then averages those maxima."),
            "masked_count": Mistake({"visible": masked(p.n_patches, p.mask_ratio)},
                                    r"You gave the masked patches $n \rho$; the encoder sees the visible ones, "
                                    r"$n (1 - \rho)$."),
            "not_normalised": Mistake({"sim": raw.tolist(), "s_i2t": ri2t, "s_t2i": rt2i},
                                      "L2-normalise every token first: S holds cosines, not raw dot products."),
        }
