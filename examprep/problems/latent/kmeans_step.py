"""One K-means (Lloyd) step: assign every point to its nearest centroid, move each centroid to its cluster's mean.

Catalog: seed_000_001 E2 (K-means, the assignment as a latent variable; HuBERT's pseudo-labels).

Parameters:
    X: the data, one point per row (1 or 2 columns).
    C0: the initial centroids, one per row (K = 2 or 3 rows, as many columns as X).

Answer parts: ``sq_dists`` (the n×K table of squared Euclidean distances to C0, intermediate), ``labels`` (the
0-based index of each point's nearest C0 row), ``centroids`` (each cluster's mean), ``inertia_before`` (Σ_i of the
smallest squared distance to C0) and ``inertia_after`` (Σ_i of the squared distance to the new centroid of the same
cluster, the labels kept).

Conventions stated in the prompt: squared Euclidean distances; 0-based indices; rows in the given order. A point at
equal distance from two centroids (a tie) or a centroid with no point (an empty cluster) is refused.

Reference: batched torch (broadcast differences, ``argmin``, a one-hot matrix product for the means), independent of
``solve`` (examprep.reference.latent:kmeans_step); the tests check the labels against ``scipy.cluster.vq.vq``.

Common mistakes: Euclidean distances summed in the inertia (the same labels, a different inertia), the labels taken
from the new centroids (the next step's assignment).

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.gan.fair import near_miss, visible
from examprep.problems.latent.points import as_rows, carried_indices, half_grid, nearest, sq_dist_expr, sq_dist_table
from examprep.solver.expr import Mat, Num, Sym
from examprep.solver.step import Derivation

D_IK = Sym("d_ik", "d_ik = ‖x_i − c_k‖²", latex=r"d_{ik} = \lVert \mathbf{x}_i - \mathbf{c}_k \rVert^2",
           typst="d_(i k) = norm(bold(x)_i - bold(c)_k)^2")
Z_I = Sym("z_i", latex="z_i", typst="z_i")
C_NEW = Sym("c_new", "c_k' = (1/n_k) Σ_{i: z_i = k} x_i",
            latex=r"\mathbf{c}_k' = \frac{1}{n_k} \sum_{i: z_i = k} \mathbf{x}_i",
            typst="bold(c)'_k = 1/n_k sum_(i: z_i = k) bold(x)_i")
J_0 = Sym("J_0", latex="J_0", typst="J_0")
J_1 = Sym("J_1", latex="J_1", typst="J_1")


def _sum(terms: list[Any]) -> Any:
    out = terms[0]
    for t in terms[1:]:
        out = out + t
    return out


def lloyd(X: Any, C0: Any, given: Answers | None = None) -> Answers:  # noqa: N803
    """Every part of one Lloyd step (assumes no tie and no empty cluster); ``given``: the student's earlier
    values, carried forward."""
    x, c0 = as_rows(X), as_rows(C0)
    table = carry(given, "sq_dists", sq_dist_table(x, c0))
    labels = carried_indices(given, "labels", table.argmin(axis=1), len(c0))
    if len(np.unique(labels)) < len(c0):
        raise ValueError("a cluster is empty: its mean is undefined")
    cents = carry(given, "centroids", np.stack([x[labels == k].mean(axis=0) for k in range(len(c0))]))
    after = ((x - cents[labels]) ** 2).sum()
    return {"sq_dists": table.tolist(), "labels": labels.tolist(), "centroids": cents.tolist(),
            "inertia_before": float(table.min(axis=1).sum()), "inertia_after": float(after)}


class KMeansStep(ProblemType):
    id = "latent/kmeans_step-v1"
    title = "One K-means (Lloyd) step"
    catalog = "seed_000_001 E2"
    reference_entry = "examprep.reference.latent:kmeans_step"
    params = (
        Param("X", "matrix", "the data, one point per row (1 or 2 columns)", lo=-1000, hi=1000),
        Param("C0", "matrix", "the initial centroids, one per row", lo=-1000, hi=1000),
    )
    parts = (
        Part("sq_dists", "Squared distances to the initial centroids (n×K)", "matrix", mode="decdig", digits=4,
             final=False),
        Part("labels", "Nearest initial centroid of each point (0-based)", "vector", integral=True,
             uses=("sq_dists",)),
        Part("centroids", "New centroids (cluster means)", "matrix", mode="decdig", digits=4, uses=("labels",)),
        Part("inertia_before", "Inertia with the initial centroids", "real", mode="decdig", digits=4,
             uses=("sq_dists",)),
        Part("inertia_after", "Inertia with the new centroids, same labels", "real", mode="decdig", digits=4,
             uses=("labels", "centroids")),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        if difficulty == "easy":
            n, d, k, hi, step = int(rng.integers(4, 6)), 1, 2, 10.0, 1.0
        elif difficulty == "medium":
            n, d, k, hi, step = int(rng.integers(5, 7)), 2, 2, 8.0, 1.0
        else:
            n, d, k, hi, step = int(rng.integers(6, 8)), 2, int(rng.choice([2, 3])), 8.0, 0.5
        x = half_grid(rng, 0.0, hi, step, (n, d))
        if difficulty == "hard":
            c0 = half_grid(rng, 0.0, hi, step, (k, d))
        else:
            c0 = x[rng.choice(n, size=k, replace=False)]
        return dict(X=x.tolist(), C0=c0.tolist())

    def check(self, p: Params) -> list[str]:
        x, c0 = as_rows(p.X), as_rows(p.C0)
        if x.shape[1] not in (1, 2):
            raise ParamError(f"X: give points with 1 or 2 coordinates per row, got {x.shape[1]}")
        if c0.shape[1] != x.shape[1]:
            raise ParamError(f"C0 has {c0.shape[1]} columns but the points in X have {x.shape[1]}")
        if not 2 <= len(c0) <= len(x):
            raise ParamError(f"C0: give between 2 and {len(x)} centroids (one per row), got {len(c0)}")
        if len(x) > 30:
            raise ParamError(f"X: at most 30 points, got {len(x)}")
        table = sq_dist_table(x, c0)
        labels, tie = nearest(table)
        if tie:
            i = int(np.flatnonzero(np.isclose(*np.sort(table, axis=1)[:, :2].T, rtol=0, atol=1e-12))[0])
            raise ParamError(f"point {i} of X ({', '.join(f'{v:g}' for v in x[i])}) is equally far from two "
                             "centroids of C0 (a tie); move a point or a centroid")
        empty = [k for k in range(len(c0)) if not np.any(labels == k)]
        if empty:
            raise ParamError(f"centroid {empty[0]} of C0 is nearest to no point (an empty cluster); move it")
        return []

    def statement(self, p: Params) -> list[Any]:
        x = as_rows(p.X)
        return [
            f"K-means with $K = {len(p.C0)}$ clusters on the {len(x)} points (one per row, indexed from 0) ",
            [list(r) for r in p.X], " starts from the centroids (one per row, indexed from 0) ",
            [list(r) for r in p.C0], ". Do one Lloyd step. Compute the table of squared Euclidean distances "
            "$d_{ik} = \\lVert \\mathbf{x}_i - \\mathbf{c}_k \\rVert^2$ (one row per point), the label $z_i$ of each "
            "point (the index of its nearest initial centroid), the new centroids (the mean of each cluster's points), "
            "the inertia $J_0 = \\sum_i \\min_k d_{ik}$ before the update, and the inertia $J_1$ after it (the sum of "
            "squared distances of each point to the new centroid of its cluster, labels unchanged). "
            "Give the numbers to 4 decimal places."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return lloyd(p.X, p.C0, given)

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        x, c0 = as_rows(p.X), as_rows(p.C0)
        labels = ans["labels"]
        d = Derivation()
        d.add("Squared distances to the initial centroids", ans["sq_dists"], lhs=D_IK,
              substituted=Mat([[sq_dist_expr(xi, ck) for ck in c0] for xi in x]), part="sq_dists",
              note="one row per point, one column per centroid")
        d.add("Labels", labels, lhs=Z_I, part="labels",
              note="$z_i$ is the column of the smallest entry in row $i$ of the table (0-based)")
        mins = [float(ans["sq_dists"][i][z]) for i, z in enumerate(labels)]
        d.add("Inertia before the update", ans["inertia_before"], lhs=J_0, substituted=_sum([Num(v) for v in mins]),
              part="inertia_before", note="the smallest squared distance of each point, summed")
        rows = []
        for k in range(len(c0)):
            members = x[np.asarray(labels) == k]
            rows.append([_sum([Num(float(v)) for v in members[:, j]]) / len(members) for j in range(x.shape[1])])
        d.add("New centroids", ans["centroids"], lhs=C_NEW, substituted=Mat(rows), part="centroids",
              note="each coordinate is the mean of that coordinate over the cluster's points")
        cents = np.asarray(ans["centroids"])
        d.add("Inertia after the update", ans["inertia_after"], lhs=J_1,
              substituted=_sum([sq_dist_expr(xi, cents[z]) for xi, z in zip(x, labels, strict=True)]),
              part="inertia_after", note="each point against the new centroid of its own cluster")
        d.answer = f"labels {labels}; inertia {ans['inertia_before']:.4f} → {ans['inertia_after']:.4f}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        x = as_rows(p.X)
        ans = self.solve(p)
        table = np.asarray(ans["sq_dists"])
        labels = np.asarray(ans["labels"])
        cents = np.asarray(ans["centroids"])
        m: dict[str, Mistake] = {
            "euclidean_distances": Mistake({
                "sq_dists": np.sqrt(table).tolist(),
                "inertia_before": float(np.sqrt(table.min(axis=1)).sum()),
                "inertia_after": float(np.sqrt(((x - cents[labels]) ** 2).sum(-1)).sum())},
                "You summed Euclidean distances $\\lVert \\mathbf{x}_i - \\mathbf{c}_k \\rVert$: K-means uses the "
                "squared distances $\\lVert \\mathbf{x}_i - \\mathbf{c}_k \\rVert^2$ (the labels come out the same, "
                "the inertia does not)."),
        }
        new = sq_dist_table(x, cents).argmin(axis=1)
        if not np.array_equal(new, labels):
            m["labels_from_new_centroids"] = Mistake(
                {"labels": new.tolist(), "inertia_after": float(sq_dist_table(x, cents).min(axis=1).sum())},
                "Those labels come from the new centroids (the next step's assignment): each point's label is "
                "its nearest initial centroid, and the new centroids are computed from those labels.")
        return visible(ans, m)

    def degenerate(self, p: Params) -> str | None:
        return near_miss(self.solve(p), self.mistakes(p))
