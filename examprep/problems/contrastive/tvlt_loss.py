"""TVLT's pre-training loss (vision–audio matching plus masked autoencoding) and its efficiency ratios.

Catalog: seed_003 D3 (p = 0.8, y = 1: VAM = 0.223144; with MAE = 0.5 the total 1.0·VAM + 0.3·MAE is 0.373144;
per-patch MSE [0.5, 0.5, 0.5, 0] with 2 patches masked: MAE 0.5; 2890 ms / 103 ms = 28.06×; 88M / 283M = 0.311).

Parameters:
    logit: the matching head's logit on [CLS]. y: 1 when the video and the audio match, 0 otherwise.
    pred, target: the decoder's reconstruction and the true values, one row per patch. mask: 1 for a masked
    patch, 0 for a visible one. lambda_vam, lambda_mae: the loss weights (1.0 and 0.3 in TVLT).
    latency: [text pipeline, TVLT] inference time in ms. size: [TVLT, text model] parameter counts (same unit).

Answer parts: ``p`` (σ(logit)), ``vam`` (the binary cross-entropy of p against y), ``patch_mse`` (each patch's
mean squared error), ``mae`` (the mean of patch_mse over the masked patches only), ``total``
(λ_VAM·vam + λ_MAE·mae), ``speedup`` (text pipeline / TVLT latency) and ``size_ratio`` (TVLT / text model size).
vam is computed from p, mae from patch_mse and total from vam and mae (error carried forward).

Conventions stated in the prompt: natural log; embeddings are L2-normalised before any dot product; classes,
prompts, images and tokens are numbered from 1.

Reference: ``F.binary_cross_entropy_with_logits`` for VAM, ``F.mse_loss(reduction="none")`` averaged per patch and
a masked mean for MAE, the weighted sum and the ratios as tensor divisions (examprep.reference.multimodal:
tvlt_loss).

Common mistakes: the MSE averaged over all patches, the two weights swapped, the raw logit used as the probability
(shown when the logit lies in (0, 1)), a ratio turned upside down.

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
from examprep.problems.gan.fair import grid, near_miss, visible
from examprep.solver.expr import Func, Mat, Num, Sym
from examprep.solver.step import Derivation

DP = 4
MAX_PATCHES = 64


def bce(p: float, y: int) -> float:
    """−[y ln p + (1 − y) ln(1 − p)]."""
    return float(-np.log(p)) if y == 1 else float(-np.log(1 - p))


def patch_errors(p: Params) -> np.ndarray:
    """Mean squared error of each patch (row)."""
    return ((np.asarray(p.pred, dtype=float) - np.asarray(p.target, dtype=float)) ** 2).mean(axis=1)


def masked_mean(errors: Any, mask: Any) -> float:
    e, m = np.asarray(errors, dtype=float), np.asarray(mask, dtype=bool)
    return float(e[m].mean())


class TvltLoss(ProblemType):
    id = "contrastive/tvlt_loss-v1"
    title = "TVLT loss (VAM + masked MAE) and efficiency"
    catalog = "seed_003 D3"
    reference_entry = "examprep.reference.multimodal:tvlt_loss"
    params = (
        Param("logit", "real", "matching logit on [CLS]", lo=-30, hi=30),
        Param("y", "int", "1 if video and audio match, else 0", lo=0, hi=1),
        Param("pred", "matrix", "reconstructed patches, one row per patch", lo=-1000, hi=1000),
        Param("target", "matrix", "true patches, one row per patch", lo=-1000, hi=1000),
        Param("mask", "int_vector", "1 for a masked patch, 0 for a visible one", lo=0, hi=1),
        Param("lambda_vam", "real", "weight of the VAM loss", lo=0, hi=100, default=1.0),
        Param("lambda_mae", "real", "weight of the MAE loss", lo=0, hi=100, default=0.3),
        Param("latency", "vector", "inference time in ms: [text pipeline, TVLT]", lo=1e-6, hi=1e9),
        Param("size", "vector", "parameter counts: [TVLT, text model]", lo=1e-6, hi=1e12),
    )
    parts = (
        Part("p", "Matching probability σ(logit)", "real", mode="decdig", digits=DP, final=False, share=True),
        Part("vam", "VAM loss (binary cross-entropy)", "real", mode="decdig", digits=DP, uses=("p",)),
        Part("patch_mse", "MSE of each patch", "vector", mode="decdig", digits=DP, final=False),
        Part("mae", "MAE loss (masked patches only)", "real", mode="decdig", digits=DP, uses=("patch_mse",)),
        Part("total", "Total loss", "real", mode="decdig", digits=DP, uses=("vam", "mae")),
        Part("speedup", "Speed-up of TVLT over the text pipeline", "real", mode="decdig", digits=2),
        Part("size_ratio", "TVLT size / text model size", "real", mode="decdig", digits=3),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = lambda opts: opts[int(rng.integers(len(opts)))]  # noqa: E731
        n, width, step, lstep = {"easy": (4, 2, 1.0, 0.5), "medium": (5, 2, 0.5, 0.1),
                                 "hard": (6, 3, 0.1, 0.01)}[difficulty]
        pred = [grid(rng, -2, 2, step, width) for _ in range(n)]
        target = [grid(rng, -2, 2, step, width) for _ in range(n)]
        k = int(rng.integers(1, n))
        mask = [0] * n
        for i in rng.choice(n, size=k, replace=False):
            mask[int(i)] = 1
        out = dict(logit=pick((-1, 1)) * grid(rng, lstep, 3, lstep, 1)[0], y=int(rng.integers(0, 2)),
                   pred=pred, target=target, mask=mask)
        if difficulty == "easy":
            return dict(out, latency=(2890.0, 103.0), size=(88.0, 283.0))
        out.update(latency=(float(grid(rng, 500, 4000, 10, 1)[0]), float(grid(rng, 50, 300, 1, 1)[0])),
                   size=(float(grid(rng, 50, 150, 1, 1)[0]), float(grid(rng, 200, 500, 1, 1)[0])))
        if difficulty == "hard":
            out.update(lambda_vam=pick((1.0, 0.5, 2.0)), lambda_mae=pick((0.3, 0.1, 0.5)))
        return out

    def check(self, p: Params) -> list[str]:
        n = len(p.pred)
        if not 1 <= n <= MAX_PATCHES:
            raise ParamError(f"pred: give 1 to {MAX_PATCHES} patches, one per row (got {n})")
        if np.shape(p.target) != np.shape(p.pred):
            raise ParamError(f"target has shape {np.shape(p.target)} and pred {np.shape(p.pred)}: give one true "
                             "patch per reconstructed patch, of the same length")
        if len(p.mask) != n:
            raise ParamError(f"mask has {len(p.mask)} entries for {n} patches: give one 0/1 flag per patch")
        if not any(p.mask):
            raise ParamError("mask: no patch is masked, so the MAE loss (a mean over masked patches) is undefined")
        if len(p.latency) != 2 or len(p.size) != 2:
            raise ParamError("latency and size: give two numbers each, [text pipeline, TVLT] and [TVLT, text model]")
        return []

    def degenerate(self, p: Params) -> str | None:
        if all(p.mask):
            return "every patch is masked (the masked mean is the plain mean)"
        if not 1e-3 < self.solve(p)["p"] < 1 - 1e-3:
            return "the probability is within 0.001 of 0 or 1"
        return near_miss(self.solve(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        return [
            f"TVLT is pre-trained with vision–audio matching (VAM) and masked autoencoding (MAE). The matching head "
            f"gives $\\text{{logit}} = {Num(p.logit).render('latex')}$ on [CLS], and the pair "
            f"{'matches' if p.y else 'does not match'} ($y = {p.y}$). The decoder reconstructs the patches "
            "(one row per patch) as ",
            [list(r) for r in p.pred],
            "; the true patches are ", [list(r) for r in p.target], " and the mask (1 = masked) is ", list(p.mask),
            r". With $p = \sigma(\text{logit})$, $L_{\text{VAM}} = -[y \ln p + (1 - y) \ln(1 - p)]$; each patch's "
            r"error is the mean of its squared differences, and $L_{\text{MAE}}$ is the mean of those errors over "
            r"the masked patches. The total is $L = \lambda_{\text{VAM}} L_{\text{VAM}} + \lambda_{\text{MAE}} "
            rf"L_{{\text{{MAE}}}}$ with $\lambda_{{\text{{VAM}}}} = {Num(p.lambda_vam).render('latex')}$ and "
            rf"$\lambda_{{\text{{MAE}}}} = {Num(p.lambda_mae).render('latex')}$. TVLT answers in "
            f"{Num(p.latency[1]).render('text')} ms where the text pipeline (speech recognition, then a text model) "
            f"takes {Num(p.latency[0]).render('text')} ms, and it has {Num(p.size[0]).render('text')}M parameters "
            f"against the text model's {Num(p.size[1]).render('text')}M. Give $p$, $L_{{\\text{{VAM}}}}$, the "
            rf"patch errors, $L_{{\text{{MAE}}}}$ and $L$ to {DP} decimal places, the speed-up (text pipeline time "
            "over TVLT time) to 2 and the size ratio (TVLT over the text model) to 3. " + CONVENTIONS
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        prob = carry(given, "p", float(1 / (1 + np.exp(-p.logit))))
        vam = carry(given, "vam", bce(prob, p.y))
        errs = carry(given, "patch_mse", patch_errors(p).tolist())
        mae = carry(given, "mae", masked_mean(errs, p.mask))
        return {"p": prob, "vam": vam, "patch_mse": np.asarray(errs, dtype=float).tolist(), "mae": mae,
                "total": p.lambda_vam * vam + p.lambda_mae * mae, "speedup": p.latency[0] / p.latency[1],
                "size_ratio": p.size[0] / p.size[1]}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        prob = d.add("Matching probability", ans["p"], lhs=Sym("p"), part="p",
                     substituted=1 / (1 + Func("exp", Num(-p.logit + 0.0))), note=r"$p = \sigma(\text{logit})$")
        vam_sub = -Func("ln", Num(prob)) if p.y == 1 else -Func("ln", 1 - Num(prob))
        d.add("VAM loss", ans["vam"], lhs=Sym("L_VAM", tex=r"L_{\text{VAM}}"), part="vam", substituted=vam_sub,
              note=f"binary cross-entropy with $y = {p.y}$: only the " + ("$-\\ln p$" if p.y == 1 else
                                                                         "$-\\ln(1 - p)$") + " term is left")
        w = len(p.pred[0])
        rows = []
        for a, b in zip(p.pred, p.target, strict=True):
            sq = [(Num(u) - Num(v)) ** 2 for u, v in zip(a, b, strict=True)]
            rows.append([sum(sq[1:], sq[0]) / w])
        d.add("Error of each patch", ans["patch_mse"], lhs=Sym("e_i"), part="patch_mse", substituted=Mat(rows),
              note=f"the mean of the {w} squared differences of patch $i$ (patches numbered from 1)")
        kept = [Num(e) for e, m in zip(ans["patch_mse"], p.mask, strict=True) if m]
        idx = ", ".join(str(i + 1) for i, m in enumerate(p.mask) if m)
        mae = d.add("MAE loss over the masked patches", ans["mae"], lhs=Sym("L_MAE", tex=r"L_{\text{MAE}}"),
                    part="mae", substituted=sum(kept[1:], kept[0]) / len(kept),
                    note=f"only the masked patches ({idx}) count; the visible ones are left out")
        d.add("Total loss", ans["total"], lhs=Sym("L"), part="total",
              substituted=Num(p.lambda_vam) * Num(ans["vam"]) + Num(p.lambda_mae) * Num(mae),
              note=r"$L = \lambda_{\text{VAM}} L_{\text{VAM}} + \lambda_{\text{MAE}} L_{\text{MAE}}$")
        d.add("Speed-up", ans["speedup"], lhs=Sym("speedup", tex=r"\text{speed-up}"), part="speedup",
              substituted=Num(p.latency[0]) / Num(p.latency[1]), note="text pipeline time over TVLT time")
        d.add("Size ratio", ans["size_ratio"], lhs=Sym("ratio", tex=r"\text{size ratio}"), part="size_ratio",
              substituted=Num(p.size[0]) / Num(p.size[1]), note="TVLT's parameters over the text model's")
        d.answer = f"L = {ans['total']:.{DP}f}, speed-up {ans['speedup']:.2f}, size ratio {ans['size_ratio']:.3f}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return visible(self.solve(p), self.all_mistakes(p))

    def all_mistakes(self, p: Params) -> dict[str, Mistake]:
        """Every named mistake, whether or not it shows on these parameters."""
        a = self.solve(p)
        lv, lm = p.lambda_vam, p.lambda_mae
        every = float(np.mean(a["patch_mse"]))
        out = {
            "mse_over_all_patches": Mistake({"mae": every, "total": lv * a["vam"] + lm * every},
                                            "The MAE loss averages the error over the masked patches only; you "
                                            "averaged it over every patch."),
            "lambdas_swapped": Mistake({"total": lm * a["vam"] + lv * a["mae"]},
                                       r"You swapped the weights: $\lambda_{\text{VAM}}$ multiplies the VAM loss "
                                       r"and $\lambda_{\text{MAE}}$ the MAE loss."),
            "ratio_inverted": Mistake({"speedup": p.latency[1] / p.latency[0], "size_ratio": p.size[1] / p.size[0]},
                                      "You turned a ratio upside down: the speed-up is the text pipeline's time "
                                      "over TVLT's, and the size ratio TVLT's size over the text model's."),
        }
        if 0 < p.logit < 1:
            raw = bce(p.logit, p.y)
            out["logit_as_probability"] = Mistake(
                {"p": float(p.logit), "vam": raw, "total": lv * raw + lm * a["mae"]},
                r"The logit is not a probability: apply the sigmoid first, $p = \sigma(\text{logit})$.")
        return out
