"""Shared pieces of the Harris family: gradient operators, windows, the structure matrix, R, labels, conventions.

Everything here is plain numpy / Python index arithmetic (the torch reference in examprep.reference.vision does the
same with conv2d). Conventions (stated in every prompt): pixels are I[row, col], 0-based; x runs along the columns
(to the right), y along the rows (downwards); no padding: a value is computed only where everything it needs lies
inside the image.

Gradient operators (each a list of (coefficient, d_row, d_col) taps, divided by a denominator):
    central  I_x = (I[r, c+1] − I[r, c−1]) / 2,   I_y = (I[r+1, c] − I[r−1, c]) / 2
    sobel    unnormalised 3×3 Sobel, I_x = [[−1,0,1],[−2,0,2],[−1,0,1]] as a correlation centred on (r, c), I_y its
             transpose
    forward  I_x = I[r, c+1] − I[r, c],   I_y = I[r+1, c] − I[r, c]

Windows (centred on the pixel, half-width h = (size − 1)/2):
    box       weight 1 on every pixel of the size×size square (an unnormalised sum)
    gaussian  w(u, v) = exp(−(u² + v²)/(2σ²)) rounded to 4 decimals (centre weight 1, not normalised); the rounded
              weights are the window
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np

from examprep.solver.expr import Expr, Num, paren

GRADIENTS = ("central", "sobel", "forward")
WINDOWS = ("box", "gaussian")
LABELS = ("corner", "edge", "flat")

# (coefficient, d_row, d_col) taps and the denominator of I_x; I_y swaps d_row and d_col.
_TAPS_X: dict[str, tuple[list[tuple[int, int, int]], int]] = {
    "central": ([(1, 0, 1), (-1, 0, -1)], 2),
    "sobel": ([(1, -1, 1), (2, 0, 1), (1, 1, 1), (-1, -1, -1), (-2, 0, -1), (-1, 1, -1)], 1),
    "forward": ([(1, 0, 1), (-1, 0, 0)], 1),
}
SOBEL_X = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
GRADIENT_TEXT = {
    "central": r"central differences, $I_x(r, c) = (I(r, c + 1) - I(r, c - 1))/2$ and "
               r"$I_y(r, c) = (I(r + 1, c) - I(r - 1, c))/2$",
    "sobel": r"the unnormalised $3 \times 3$ Sobel operator, $I_x$ with the kernel "
             r"$[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]$ and $I_y$ with its transpose "
             r"$[[-1, -2, -1], [0, 0, 0], [1, 2, 1]]$, applied as a correlation centred on the pixel (no flip, no "
             "division by 8)",
    "forward": r"forward differences, $I_x(r, c) = I(r, c + 1) - I(r, c)$ and $I_y(r, c) = I(r + 1, c) - I(r, c)$",
}


_TAPS = {(op, axis): (tx if axis == "x" else [(w, dc, dr) for w, dr, dc in tx], den)
         for op, (tx, den) in _TAPS_X.items() for axis in ("x", "y")}


def taps(op: str, axis: str) -> tuple[list[tuple[int, int, int]], int]:
    """The taps of I_x (axis 'x') or I_y (axis 'y') for an operator (shared lists: do not modify)."""
    return _TAPS[op, axis]


def grad_margins(op: str) -> tuple[int, int]:
    """(before, after): how many pixels the operator needs on each side (same for rows and columns)."""
    return (0, 1) if op == "forward" else (1, 1)


def half(size: int) -> int:
    return (size - 1) // 2


def region(shape: tuple[int, int], op: str, size: int) -> tuple[int, int, int, int]:
    """(r0, r1, c0, c1), inclusive: the pixels where R is defined without padding (may be empty: r0 > r1)."""
    lo, hi = grad_margins(op)
    h = half(size)
    return lo + h, shape[0] - 1 - hi - h, lo + h, shape[1] - 1 - hi - h


def gradient_expr(img: np.ndarray, op: str, axis: str, r: int, c: int) -> Expr:
    """The substituted gradient formula at (r, c), e.g. (7 − 2)/2 or 2·9 + 9 + 0 − ..."""
    tp, den = taps(op, axis)
    terms = []
    for w, dr, dc in sorted(tp, key=lambda t: -t[0]):
        v = Num(int(img[r + dr, c + dc]))
        terms.append((1 if w > 0 else -1, v if abs(w) == 1 else Num(abs(w)) * v))
    from examprep.solver.expr import Add

    e: Expr = Add(terms)
    return paren(e) / den if den != 1 else e


@lru_cache(maxsize=256)
def window_weights(window: str, size: int, sigma: float | None) -> np.ndarray:
    """The size×size window; the Gaussian's weights are rounded to 4 decimals (those are the weights used).
    Cached: the array is read-only."""
    if window == "box":
        w = np.ones((size, size))
    else:
        h = half(size)
        u = np.arange(-h, h + 1, dtype=float)
        d2 = u[:, None] ** 2 + u[None, :] ** 2
        w = np.array([[round(math.exp(-x / (2 * float(sigma) ** 2)), 4) for x in row] for row in d2])
    w.flags.writeable = False
    return w


def window_grads(img: np.ndarray, op: str, size: int, r: int, c: int) -> tuple[np.ndarray, np.ndarray]:
    """I_x and I_y at every pixel of the size×size window centred on (r, c) (which must fit, gradients included)."""
    h = half(size)
    lo, hi = grad_margins(op)
    ix, iy, _ = grad_maps(integer_image(img)[r - h - lo : r + h + hi + 1, c - h - lo : c + h + hi + 1], op)
    return ix, iy


def grad_maps(img: Any, op: str) -> tuple[np.ndarray, np.ndarray, int]:
    """I_x and I_y wherever both are defined (no padding), and the row/column offset of their [0, 0] entry.

    The image holds integers (check_image), so each gradient is an exact integer sum of the taps, divided by the
    denominator once: the same float whichever order the taps are added in."""
    pix = integer_image(img)
    lo, hi = grad_margins(op)
    n = (pix.shape[0] - lo - hi) * (pix.shape[1] - lo - hi)
    g = (tap_matrix(pix.shape, op) @ pix.ravel()) / taps(op, "x")[1]
    return g[:n].reshape(-1, pix.shape[1] - lo - hi), g[n:].reshape(-1, pix.shape[1] - lo - hi), lo


def integer_image(img: Any) -> np.ndarray:
    """The image as an int64 array; ValueError if some value is not an integer."""
    pix = np.asarray(img)
    if pix.dtype != np.int64:
        ints = pix.astype(np.int64)
        if (ints != pix).any():
            raise ValueError("the gradients need an image of integers")
        pix = ints
    return pix


@lru_cache(maxsize=None)
def tap_matrix(shape: tuple[int, int], op: str) -> np.ndarray:
    """The integer matrix T with T @ I.ravel() = denominator × [I_x, I_y] for an image of this shape (each map
    row-major over the pixels where both gradients are defined): row (axis, r, c) holds every tap's coefficient at
    the tap's pixel. Cached: read-only."""
    rows, cols = shape
    lo, hi = grad_margins(op)
    n_r, n_c = rows - lo - hi, cols - lo - hi
    t = np.zeros((2, n_r, n_c, rows, cols), dtype=np.int64)
    for a, axis in enumerate(("x", "y")):
        for w, dr, dc in taps(op, axis)[0]:
            for r in range(lo, lo + n_r):
                for c in range(lo, lo + n_c):
                    t[a, r - lo, c - lo, r + dr, c + dc] += w
    t = t.reshape(2 * n_r * n_c, rows * cols)
    t.flags.writeable = False
    return t


def sums(ix: np.ndarray, iy: np.ndarray, w: np.ndarray) -> tuple[float, float, float]:
    """A = Σ w I_x², B = Σ w I_x I_y, C = Σ w I_y²."""
    return float((w * ix * ix).sum()), float((w * ix * iy).sum()), float((w * iy * iy).sum())


def response(a: float, b: float, c: float, k: float) -> tuple[float, float, float]:
    """(det M, trace M, R = det − k·trace²) for M = [[A, B], [B, C]]."""
    det = a * c - b * b
    tr = a + c
    return det, tr, det - k * tr * tr


def carried_response(given: dict[str, Any] | None, a: float, b: float, c: float, k: float,
                     tau: float) -> dict[str, Any]:
    """det, trace, R and the label from A, B, C, each taken from ``given`` where the student gave it (error
    carried forward: R follows from the det and trace a student reports)."""
    from examprep.problem import carry

    det, tr, _ = response(a, b, c, k)
    det, tr = carry(given, "det", det), carry(given, "trace", tr)
    r = carry(given, "R", det - k * tr * tr)
    return {"det": det, "trace": tr, "R": r, "label": label(r, tau)}


def snap(x: float) -> float:
    """x to 12 significant figures: R from decimal data is a short decimal, so this removes float noise
    (0.04·3025 = 121.00000000000001) before a comparison with τ decides a label at the boundary."""
    return float(f"{x:.12g}")


def label(r: float, tau: float) -> str:
    """corner if R > τ, edge if R < −τ, flat otherwise (R snapped, see :func:`snap`)."""
    r = snap(r)
    return "corner" if r > tau else ("edge" if r < -tau else "flat")


def eigen(a: float, b: float, c: float) -> tuple[float, float]:
    """(λ_min, λ_max) of [[A, B], [B, C]] by the closed form."""
    m, d = (a + c) / 2, math.sqrt(((a - c) / 2) ** 2 + b * b)
    return m - d, m + d


def window_text(window: str, size: int, sigma: float | None) -> str:
    if window == "box":
        return (rf"a ${size} \times {size}$ box window centred on the pixel: the plain (unweighted, unnormalised) sum "
                "over it")
    return (rf"a ${size} \times {size}$ Gaussian window centred on the pixel with $\sigma = {sigma:g}$: weights "
            r"$w(u, v) = \exp(-(u^2 + v^2)/(2 \sigma^2))$ for offsets $u, v$, rounded to 4 decimals (centre weight 1, "
            "not normalised); the weights are")


def gradient_segments(op: str) -> list[Any]:
    """The gradient convention for a statement; the Sobel kernels as matrices (their columns set apart)."""
    if op != "sobel":
        return [GRADIENT_TEXT[op]]
    return [r"the unnormalised $3 \times 3$ Sobel operator, applied as a correlation centred on the pixel (no flip, no "
            "division by 8), with the kernel\n$K_x$ = ", SOBEL_X, "\nfor $I_x$ and its transpose\n$K_y$ = ",
            np.transpose(SOBEL_X).tolist(), "\nfor $I_y$"]


def conventions(op: str, window: str, size: int, sigma: float | None) -> list[Any]:
    """The convention sentences every Harris prompt states (the Sobel kernels and Gaussian weights as matrices)."""
    out: list[Any] = [
        r" Conventions: pixels are $I(\text{row}, \text{col})$ with 0-based indices; $x$ runs along the columns (to "
        "the right) and $y$ along the rows (downwards). Gradients: ", *gradient_segments(op),
        f". Window: {window_text(window, size, sigma)}"
    ]
    if window == "gaussian":
        out += [window_weights(window, size, sigma).tolist(), "."]
    else:
        out.append(".")
    out.append(" Border rule: no padding; a gradient or window sum is computed only where every pixel it needs "
               r"lies inside the image. $M = \sum w \cdot [[I_x^2, I_x I_y], [I_x I_y, I_y^2]] = [[A, B], [B, C]]$.")
    return out


def check_settings(p: Any) -> list[str]:
    """Shared validation of gradient / window / size / sigma / k; returns warnings."""
    return check_window(p) + check_k(p.k)


def check_window(p: Any) -> list[str]:
    """Validation of window / size / sigma; returns warnings."""
    from examprep.errors import ParamError

    warns = []
    if p.size % 2 == 0:
        raise ParamError(f"size={p.size}: the window size must be odd (3 or 5) so the window has a centre")
    if p.window == "gaussian" and p.sigma is None:
        raise ParamError("a Gaussian window needs its width: give --set sigma=1 (σ from 0.3 to 5)")
    if p.window == "box" and p.sigma is not None:
        warns.append("sigma is ignored for a box window")
    return warns


def check_k(k: float) -> list[str]:
    return [] if 0.04 <= k <= 0.06 else [f"k={k:g} is outside the usual range 0.04–0.06"]


def check_image(p: Any, lo: int, hi: int, name: str = "I") -> np.ndarray:
    """The image as an integer array, with its size checked (rows and columns each from lo to hi)."""
    from examprep.errors import ParamError

    img = np.asarray(p[name])  # int64, or float64 when some entry is a float
    if not (lo <= img.shape[0] <= hi and lo <= img.shape[1] <= hi):
        raise ParamError(f"{name} is {img.shape[0]}×{img.shape[1]}: rows and columns must each be from {lo} to {hi}")
    if img.dtype.kind == "f" and (img != np.round(img)).any():
        raise ParamError(f"{name}: the intensities must be integers (e.g. 0–9)")
    return img.astype(int)


_NICE = [m * 10.0 ** e for e in range(0, 9) for m in (1, 2, 5)]  # 1, 2, 5, 10, ..., 5e8 (increasing)


def nice_threshold(x: float, up: bool) -> float:
    """The nearest 1-2-5 number ≥ x (up) or ≤ x (down), at least 1."""
    if up:
        return next((g for g in _NICE if g >= x), _NICE[-1])
    below = [g for g in _NICE if g <= x]
    return below[-1] if below else 1.0


def near_threshold(value: float, tau: float) -> bool:
    """|value| within 2% (or 0.05) of τ: too close to call by hand."""
    return abs(abs(value) - tau) <= 0.02 * max(tau, abs(value)) + 0.05
