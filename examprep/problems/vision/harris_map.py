"""Harris response map of a small image, and its corners (local maxima above τ).

Catalog: seed_003 A5 and §2 item 4 (notes lines 1705–1734; the notes' per-pixel det is always 0).

Parameters:
    I: the image, integers (5×5 to 9×9). gradient, window, size, sigma, k, tau: as in vision/harris_patch.

Answer parts: ``R`` (the response at every pixel where it is defined without padding, as a matrix),
``corners`` (the [row, col] of every corner, sorted by row then column), ``n_corners``.

Conventions stated in the prompt: as harris_patch, plus the region of R (rows r0–r1, columns c0–c1) and the corner
rule: R > τ and R strictly greater than each of its (up to 8) neighbours inside that region.

Reference: gradients by conv2d with explicit kernels and window sums as per-instance weighted sums, on the whole
zero-padded batch; local maxima by unfold
(examprep.reference.vision:harris_map). With gradient=sobel, a 3×3 box, R = 12⁴ · cv2.cornerHarris(I, 3, 3, k).

Common mistakes: per-pixel det (R = −k·tr², no corners), trace not squared, k added, every pixel above τ reported
(no local-maximum test), corners written as (x, y) = (col, row). (Swapping x and y or flipping a gradient's sign does
not change R.)

Versions: v1 — first version.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.vision import harris as h
from examprep.problems.vision import patches
from examprep.problems.vision.harris_patch import SETTINGS, draw_settings
from examprep.solver.expr import Mat, Num
from examprep.solver.step import Derivation

RULE = (r"a pixel is a corner if $R > \tau$ and $R$ is strictly greater than at each of its (up to 8) neighbours "
        "inside the region where $R$ is defined")


@lru_cache(maxsize=None)
def window_index(rows: int, cols: int, s: int) -> np.ndarray:
    """[i, j, u·s + v] = the flat index of pixel (i + u, j + v) of a rows×cols array: its s×s windows, each laid out
    contiguously in row-major order (``np.take(g, window_index(*g.shape, s))``). Cached: read-only."""
    u, v = np.divmod(np.arange(s * s), s)
    i, j = np.arange(rows - s + 1)[:, None, None], np.arange(cols - s + 1)[None, :, None]
    idx = (i + u) * cols + (j + v)
    idx.flags.writeable = False
    return idx


@lru_cache(maxsize=None)
def neighbour_index(rows: int, cols: int) -> np.ndarray:
    """[i, j, n] = the flat index of the n-th of the 8 neighbours of pixel (i, j) of a rows×cols array, in that array
    framed by one pixel on every side. Cached: read-only."""
    idx = window_index(rows + 2, cols + 2, 3)[..., [0, 1, 2, 3, 5, 6, 7, 8]]  # the 3×3 window without its centre
    idx.flags.writeable = False
    return idx


def sum_maps(ix: np.ndarray, iy: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Window sums A, B, C at every pixel whose window fits inside the gradient maps.

    Entry [i, j] is h.sums of the window at [i, j]: the window's products w·f·g, in row-major order and contiguous,
    added by the same numpy reduction, so each entry is the same float as summing that window on its own."""
    idx = window_index(ix.shape[0], ix.shape[1], w.shape[0])
    wx, wy, wf = ix.take(idx), iy.take(idx), w.ravel()
    return (wf * wx * wx).sum(axis=-1), (wf * wx * wy).sum(axis=-1), (wf * wy * wy).sum(axis=-1)


def local_maxima(r: np.ndarray, tau: float, offset: int, nms: bool = True) -> list[list[int]]:
    """[row, col] (image coordinates) of every pixel above τ that beats its neighbours (when nms), row by row.

    R is compared after snapping to 12 significant figures (:func:`~examprep.problems.vision.harris.snap`), with τ
    as for the labels and with the neighbours too: two responses that are equal in exact arithmetic (a symmetric
    image) are then equal, so neither is a strict maximum, whatever the float noise of their sums.
    """
    r = np.array([h.snap(x) for x in r.ravel().tolist()]).reshape(r.shape)
    keep = r > tau
    if nms and keep.any():
        framed = np.full((r.shape[0] + 2, r.shape[1] + 2), -np.inf)  # a neighbour outside the region never blocks
        framed[1:-1, 1:-1] = r
        keep &= (r[..., None] > framed.take(neighbour_index(*r.shape))).all(axis=-1)
    rows, cols = np.nonzero(keep)  # row by row
    return [[i + offset, j + offset] for i, j in zip(rows.tolist(), cols.tolist(), strict=True)]


def response_maps(img: Any, gradient: str, window: str, size: int, sigma: float | None, k: float) -> dict[str, Any]:
    """Gradient maps, window sums, det, trace and R over the image (R's [0, 0] is at image row/col glo + size//2)."""
    ix, iy, lo = h.grad_maps(img, gradient)
    a, b, c = sum_maps(ix, iy, h.window_weights(window, size, sigma))
    det, tr = a * c - b * b, a + c
    return dict(Ix=ix, Iy=iy, glo=lo, A=a, B=b, C=c, det=det, trace=tr, R=det - k * tr * tr)


class HarrisMap(ProblemType):
    id = "vision/harris_map-v1"
    title = "Harris response map and corners"
    catalog = "seed_003 A5, §2.4"
    reference_entry = "examprep.reference.vision:harris_map"
    params = (Param("I", "matrix", "the image (integers), rows × columns", lo=0, hi=255), *SETTINGS)
    parts = (
        Part("R", "R at every pixel of the region", "matrix", mode="rel", rtol=1e-3, atol=0.01),
        Part("corners", "corners [[row, col], ...] sorted", "matrix", integral=True, partial=False, uses=("R",)),
        Part("n_corners", "number of corners", "integer", uses=("corners",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        side = {"easy": 6, "medium": 7, "hard": 8}[difficulty]
        s = draw_settings(rng, difficulty, 0)
        img = patches.rectangle_image(rng, (side, side), difficulty)
        top = float(response_maps(img, s["gradient"], s["window"], s["size"], s["sigma"], s["k"])["R"].max())
        s["tau"] = h.nice_threshold(max(top, 1.0) * float(patches.pick(rng, (0.2, 0.5))), False)
        return dict(I=img.tolist(), **s)

    def check(self, p: Params) -> list[str]:
        from examprep.errors import ParamError

        img = h.check_image(p, 5, 9)
        warns = h.check_settings(p)
        r0, r1, c0, c1 = h.region(img.shape, p.gradient, p.size)
        if r0 > r1 or c0 > c1:
            raise ParamError(f"I is {img.shape[0]}×{img.shape[1]}: too small for gradient={p.gradient} and a "
                             f"{p.size}×{p.size} window without padding; use a larger image or size=3")
        return warns

    def degenerate(self, p: Params) -> str | None:
        m = self._maps(p)
        r = m["R"]
        if any(h.near_threshold(x, p.tau) for x in r.ravel()):
            return "some R is too close to τ"
        if not self.solve(p)["n_corners"]:
            return "no corners"
        for i, j in zip(*np.nonzero(r > p.tau), strict=True):
            nb = r[max(i - 1, 0) : i + 2, max(j - 1, 0) : j + 2]
            if np.sum(np.abs(nb - r[i, j]) <= 1e-3 * abs(r[i, j]) + 0.01) > 1:
                return "a tie between neighbouring responses"
        return None

    def _maps(self, p: Params) -> dict[str, Any]:
        return response_maps(p.I, p.gradient, p.window, p.size, p.sigma, p.k)

    def statement(self, p: Params) -> list[Any]:
        r0, r1, c0, c1 = h.region(np.shape(p.I), p.gradient, p.size)
        return [
            "The image $I$ is", [list(r) for r in p.I],
            r"Compute the Harris response $R = \det M - k \cdot (\operatorname{trace} M)^2$ "
            f"($k = {p.k:g}$) at every pixel where it is defined without padding (rows {r0}–{r1}, columns "
            f"{c0}–{c1}; give $R$ as a matrix in image layout), then the corners with $\\tau = {p.tau:g}$: {RULE}. "
            "List corners as [row, col], sorted by row then column, and give their number.",
            *h.conventions(p.gradient, p.window, p.size, p.sigma),
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        m = self._maps(p)
        r = carry(given, "R", m["R"])
        corners = carry(given, "corners", local_maxima(r, p.tau, m["glo"] + h.half(p.size)))
        return {"R": r.tolist(), "corners": corners, "n_corners": len(corners)}

    def derivation(self, p: Params) -> Derivation:
        m = self._maps(p)
        ans = self.solve(p)
        g0 = m["glo"]
        gr = f"rows {g0}–{g0 + m['Ix'].shape[0] - 1}, columns {g0}–{g0 + m['Ix'].shape[1] - 1}"
        r0, r1, c0, c1 = h.region(np.shape(p.I), p.gradient, p.size)
        d = Derivation()
        d.add(f"$I_x$ where it is defined ({gr})", m["Ix"].tolist(), lhs="I_x", note=h.GRADIENT_TEXT[p.gradient])
        d.add(f"$I_y$ where it is defined ({gr})", m["Iy"].tolist(), lhs="I_y")
        wn = "window sums" if p.window == "box" else "weighted window sums"
        for name, what in (("A", "I_x^2"), ("B", r"I_x \cdot I_y"), ("C", "I_y^2")):
            d.add(rf"${name} = \sum w \cdot {what}$: {wn} at rows {r0}–{r1}, columns {c0}–{c1}", m[name].tolist(),
                  lhs=name)
        a, b, c = m["A"], m["B"], m["C"]
        n_r, n_c = a.shape
        cells = [(i, j) for i in range(n_r) for j in range(n_c)]

        def grid(f: Any) -> Mat:
            return Mat([[f(i, j) for j in range(n_c)] for i in range(n_r)])

        d.add("det M = AC − B² at each pixel", m["det"].tolist(), lhs=r"\det M",
              substituted=grid(lambda i, j: Num(a[i, j]) * Num(c[i, j]) - Num(b[i, j]) ** 2))
        d.add("trace M = A + C", m["trace"].tolist(), lhs=r"\operatorname{trace} M",
              substituted=grid(lambda i, j: Num(a[i, j]) + Num(c[i, j])))
        d.add(r"$R = \det M - k \cdot (\operatorname{trace} M)^2$", ans["R"], lhs="R", part="R",
              substituted=grid(lambda i, j: Num(m["det"][i, j]) - Num(p.k) * Num(m["trace"][i, j]) ** 2))
        above = [[i + r0, j + c0] for i, j in cells if m["R"][i, j] > p.tau]
        d.add("Corners", ans["corners"], lhs="corners", part="corners",
              note=f"pixels with R > τ: {above}; of these, the local maxima ({RULE}).")
        d.add("Number of corners", ans["n_corners"], part="n_corners")
        d.answer = f"{ans['n_corners']} corner(s) at {ans['corners']}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        m = self._maps(p)
        t = self.solve(p)
        off = m["glo"] + h.half(p.size)
        det, tr, k = m["det"], m["trace"], p.k

        def with_r(r: np.ndarray) -> dict[str, Any]:
            cs = local_maxima(r, p.tau, off)
            return {"R": r.tolist(), "corners": cs, "n_corners": len(cs)}

        out: dict[str, Mistake] = {}
        if np.any(np.abs(det) > 1e-9):
            out["per_pixel_det"] = Mistake(with_r(-k * tr * tr), "det M is det of the window sums, (ΣI_x²)(ΣI_y²) "
                                           "− (ΣI_xI_y)²; per pixel I_x²I_y² − (I_xI_y)² is 0, so R ≤ 0 everywhere.")
        out["trace_not_squared"] = Mistake(with_r(det - k * tr), "The trace is squared: R = det M − k·(trace M)².")
        out["k_added"] = Mistake(with_r(det + k * tr * tr), "The k term is subtracted: R = det M − k·(trace M)².")
        every = local_maxima(m["R"], p.tau, off, nms=False)
        if every != t["corners"]:
            out["no_local_max"] = Mistake({"corners": every, "n_corners": len(every)},
                                          "A corner must also be a local maximum of R (beat its 8 neighbours).")
        swapped = sorted([c, r] for r, c in t["corners"])
        if swapped != t["corners"]:
            out["corners_xy"] = Mistake({"corners": swapped},
                                        "Give corners as [row, col]; you wrote [x, y] = [col, row].")
        return out
