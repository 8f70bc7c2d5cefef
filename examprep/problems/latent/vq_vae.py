"""Vector quantisation in a VQ-VAE: nearest codebook rows, the quantised vectors, the codebook and commitment losses.

Catalog: seed_000_001 E7; seed_002 J4 (codebook [[0,0],[1,1],[2,0],[0,2]], z_e = [[0.9,0.8],[1.6,0.3]]: codes [1, 2],
Σ‖z_e − z_q‖² = 0.30, element mean 0.075, commitment 0.25·0.30 = 0.075).

Parameters:
    codebook: the K code vectors e_k, one per row.
    z_e: the encoder outputs, one per row.
    beta: the commitment weight β (default 0.25).
    reduction: ``sum`` or ``mean`` over all elements, as ``F.mse_loss``.

Answer parts: ``sq_dists`` (rows of z_e × codebook rows, squared Euclidean), ``codes`` (0-based nearest rows),
``z_q`` (the chosen code vectors), ``codebook_loss`` = ‖sg[z_e] − z_q‖², ``commitment_loss`` = β‖z_e − sg[z_q]‖²,
``vq_loss`` (their sum) and ``bits`` = log₂K per code.

Conventions stated in the prompt: squared distances; sg[·] stops the gradient but not the value (both terms have the
same forward value up to β); the reduction; 0-based indices. A tie between two code vectors is refused.

Reference: ``torch.cdist`` + ``argmin``, ``F.embedding`` for the lookup, ``F.mse_loss`` with ``detach`` for sg[·]
(examprep.reference.latent:vq_vae).

Common mistakes: Euclidean distances (as ``scipy.cluster.vq.vq`` returns), β on the codebook term, the sum and the
mean confused.

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
from examprep.problems.gan.fair import near_miss
from examprep.problems.latent.points import (
    as_rows,
    carried_indices,
    distinct,
    half_grid,
    nearest,
    sq_dist_expr,
    sq_dist_table,
)
from examprep.solver.expr import Func, Mat, Num, Sym, paren
from examprep.solver.step import Derivation

D_SYM = Sym("d_nk", "d_nk = ‖z_e,n − e_k‖²", latex=r"d_{nk} = \lVert \mathbf{z}_{e,n} - \mathbf{e}_k \rVert^2",
            typst="d_(n k) = norm(bold(z)_(e,n) - bold(e)_k)^2")
K_SYM = Sym("k_n", "k_n = argmin_k d_nk", latex=r"k_n = \arg\min_k d_{nk}", typst="k_n = arg min_k d_(n k)")
ZQ = Sym("z_q", "z_q,n = e_{k_n}", latex=r"\mathbf{z}_{q,n} = \mathbf{e}_{k_n}", typst="bold(z)_(q,n) = bold(e)_(k_n)")
CB = Sym("L_cb", "L_codebook = ‖sg[z_e] − z_q‖²",
         latex=r"L_{\mathrm{codebook}} = \lVert sg[\mathbf{z}_e] - \mathbf{z}_q \rVert^2",
         typst='L_"codebook" = norm(s g[bold(z)_e] - bold(z)_q)^2')
CM = Sym("L_cm", "L_commit = β‖z_e − sg[z_q]‖²",
         latex=r"L_{\mathrm{commit}} = \beta \lVert \mathbf{z}_e - sg[\mathbf{z}_q] \rVert^2",
         typst='L_"commit" = beta norm(bold(z)_e - s g[bold(z)_q])^2')
VQ = Sym("L_vq", "L_VQ = L_codebook + L_commit",
         latex=r"L_{\mathrm{VQ}} = L_{\mathrm{codebook}} + L_{\mathrm{commit}}",
         typst='L_"VQ" = L_"codebook" + L_"commit"')
BITS = Sym("bits", "log₂ K", latex=r"\log_2 K", typst="log_2 K")


def vq(codebook: Any, z_e: Any, beta: float, reduction: str, *, beta_on_codebook: bool = False,
       other_reduction: bool = False, given: Answers | None = None) -> Answers:
    """Every part (flags: the named mistakes; ``given``: the student's earlier values, carried forward)."""
    cb, z = as_rows(codebook), as_rows(z_e)
    table = carry(given, "sq_dists", sq_dist_table(z, cb))
    codes = carried_indices(given, "codes", table.argmin(axis=1), len(cb))
    z_q = carry(given, "z_q", cb[codes])
    sq = (z - z_q) ** 2
    red = {"sum": "mean", "mean": "sum"}[reduction] if other_reduction else reduction
    err = float(sq.sum() if red == "sum" else sq.mean())
    codebook_loss, commit = (beta * err, err) if beta_on_codebook else (err, beta * err)
    if not beta_on_codebook:
        codebook_loss = carry(given, "codebook_loss", codebook_loss)
        commit = carry(given, "commitment_loss", beta * codebook_loss)
    return {"sq_dists": table.tolist(), "codes": codes.tolist(), "z_q": z_q.tolist(), "codebook_loss": codebook_loss,
            "commitment_loss": commit, "vq_loss": codebook_loss + commit, "bits": math.log2(len(cb))}


class VQVAE(ProblemType):
    id = "latent/vq_vae-v1"
    title = "VQ-VAE quantisation and its losses"
    catalog = "seed_000_001 E7; seed_002 J4"
    reference_entry = "examprep.reference.latent:vq_vae"
    params = (
        Param("codebook", "matrix", "the code vectors e_k, one per row", lo=-1000, hi=1000),
        Param("z_e", "matrix", "the encoder outputs, one per row", lo=-1000, hi=1000),
        Param("beta", "real", "the commitment weight β", lo=0, hi=10, default=0.25),
        Param("reduction", "choice", "sum or mean over all elements (as F.mse_loss)", choices=("sum", "mean"),
              default="sum"),
    )
    parts = (
        Part("sq_dists", "Squared distances to the code vectors", "matrix", mode="decdig", digits=4, final=False),
        Part("codes", "Chosen code indices (0-based)", "vector", integral=True, uses=("sq_dists",)),
        Part("z_q", "Quantised vectors z_q", "matrix", mode="decdig", digits=4, uses=("codes",)),
        Part("codebook_loss", "Codebook loss ‖sg[z_e] − z_q‖²", "real", mode="sigfig", digits=4, uses=("z_q",)),
        Part("commitment_loss", "Commitment loss β‖z_e − sg[z_q]‖²", "real", mode="sigfig", digits=4,
             uses=("codebook_loss",)),
        Part("vq_loss", "VQ loss (codebook + commitment)", "real", mode="sigfig", digits=4,
             uses=("codebook_loss", "commitment_loss")),
        Part("bits", "Bits per code, log₂ K", "real", mode="sigfig", digits=4),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        k = {"easy": 3, "medium": 4, "hard": int(rng.integers(4, 6))}[difficulty]
        n = {"easy": 2, "medium": int(rng.integers(2, 4)), "hard": int(rng.integers(3, 5))}[difficulty]
        while True:
            cb = half_grid(rng, -2, 2, 1.0, (k, 2))
            if len({tuple(r) for r in cb}) == k:
                break
        z = np.round(half_grid(rng, -2, 2, 0.1, (n, 2)), 1)
        beta = 0.25 if difficulty != "hard" else float(rng.choice([0.25, 0.5]))
        return dict(codebook=cb.tolist(), z_e=z.tolist(), beta=beta, reduction=str(rng.choice(["sum", "mean"])))

    def check(self, p: Params) -> list[str]:
        cb, z = as_rows(p.codebook), as_rows(p.z_e)
        if cb.shape[1] != z.shape[1]:
            raise ParamError(f"the code vectors have {cb.shape[1]} entries but z_e's rows have {z.shape[1]}")
        if not 2 <= len(cb) <= 64 or len(z) > 32:
            raise ParamError("give 2 to 64 code vectors and at most 32 encoder outputs")
        _, tie = nearest(sq_dist_table(z, cb))
        if tie:
            raise ParamError("an encoder output is equally far from two code vectors (a tie); move it")
        return []

    def degenerate(self, p: Params) -> str | None:
        ans = self.solve(p)
        if ans["codebook_loss"] < 1e-3:
            return "the encoder outputs are code vectors (zero loss)"
        return near_miss(ans, self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        red = "summed over all elements" if p.reduction == "sum" else "averaged over all elements"
        return [
            f"A VQ-VAE has a codebook of $K = {len(p.codebook)}$ vectors (one per row, indexed from 0) ",
            [list(r) for r in p.codebook], " and the encoder outputs (one per row) $\\mathbf{z}_e$ = ",
            [list(r) for r in p.z_e], ". Quantise each output to its nearest code vector by the squared Euclidean "
            "distance. Compute the table of squared distances, the code indices, $\\mathbf{z}_q$, the codebook loss "
            "$\\lVert sg[\\mathbf{z}_e] - \\mathbf{z}_q \\rVert^2$ and the commitment loss "
            f"$\\beta \\lVert \\mathbf{{z}}_e - sg[\\mathbf{{z}}_q] \\rVert^2$ with $\\beta = {p.beta:g}$, both {red} "
            "($sg[\\cdot]$ stops the gradient and leaves the value unchanged), their sum, and the bits per code "
            "$\\log_2 K$. Give the distances and vectors to 4 decimal places and the losses to 4 significant figures."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return vq(p.codebook, p.z_e, p.beta, p.reduction, given=given)

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        cb, z = as_rows(p.codebook), as_rows(p.z_e)
        d = Derivation()
        d.add("Squared distances", ans["sq_dists"], lhs=D_SYM, part="sq_dists",
              substituted=Mat([[sq_dist_expr(zi, ek) for ek in cb] for zi in z]),
              note="one row per encoder output, one column per code vector")
        d.add("Code indices", ans["codes"], lhs=K_SYM, part="codes", note="the column of each row's smallest entry")
        d.add("Quantised vectors", ans["z_q"], lhs=ZQ, part="z_q")
        zq = np.asarray(ans["z_q"])
        terms = [paren(Num(float(a)) - Num(float(b))) ** 2 for a, b in zip(z.ravel(), zq.ravel(), strict=True)]
        total = terms[0]
        for t in terms[1:]:
            total = total + t
        cb_expr = total if p.reduction == "sum" else paren(total) / len(terms)
        d.add("Codebook loss", ans["codebook_loss"], lhs=CB, substituted=cb_expr, part="codebook_loss",
              note="sum of the squared differences over all elements" if p.reduction == "sum" else
                   f"mean of the squared differences over all {len(terms)} elements")
        d.add("Commitment loss", ans["commitment_loss"], lhs=CM, part="commitment_loss",
              substituted=Num(float(p.beta)) * Num(ans["codebook_loss"]),
              note="the same squared error, weighted by $\\beta$: $sg[\\cdot]$ changes only the gradients")
        d.add("VQ loss", ans["vq_loss"], lhs=VQ, part="vq_loss",
              substituted=Num(ans["codebook_loss"]) + Num(ans["commitment_loss"]))
        d.add("Bits per code", ans["bits"], lhs=BITS, substituted=Func("log_2", Num(len(cb))), part="bits")
        d.answer = f"codes {ans['codes']}, VQ loss {ans['vq_loss']:.4g}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        ans = self.solve(p)
        m = {
            "euclidean_distances": Mistake(
                {"sq_dists": np.sqrt(np.asarray(ans["sq_dists"])).tolist()},
                "Those are Euclidean distances (what scipy.cluster.vq.vq returns): square them, "
                "$d_{nk} = \\lVert \\mathbf{z}_{e,n} - \\mathbf{e}_k \\rVert^2$."),
            "beta_on_codebook": Mistake(
                {k: v for k, v in vq(p.codebook, p.z_e, p.beta, p.reduction, beta_on_codebook=True).items()
                 if k in ("codebook_loss", "commitment_loss")},
                "$\\beta$ weighs the commitment term $\\lVert \\mathbf{z}_e - sg[\\mathbf{z}_q] \\rVert^2$, not the "
                "codebook term."),
            "reduction_confused": Mistake(
                {k: v for k, v in vq(p.codebook, p.z_e, p.beta, p.reduction, other_reduction=True).items()
                 if k.endswith("loss")},
                f"The losses are {'summed' if p.reduction == 'sum' else 'averaged'} over all elements here"
                + (" (not divided by their number)." if p.reduction == "sum" else " (divided by their number).")),
        }
        return distinct(ans, m)
