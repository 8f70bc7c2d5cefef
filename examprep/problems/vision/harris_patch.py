"""Harris corner response at one pixel of a small intensity patch.

Catalog: seed_003 A5 variant (c) and §2 item 4 (notes lines 1705–1734; the notes' per-pixel det is always 0).

Parameters:
    I: the patch, integers (5×5 to 7×7). gradient: central, sobel (unnormalised) or forward. window: box or
    gaussian; size: the window's side (3 or 5); sigma: the Gaussian's σ (gaussian only). k: Harris constant.
    tau: threshold τ. row, col: the pixel, 0-based.

Answer parts: ``Ix``, ``Iy`` (the gradients at the window's pixels, intermediate), ``A``, ``B``, ``C`` (window
sums), ``det``, ``trace``, ``R``, ``label``.

Conventions stated in the prompt: 0-based (row, col); x along columns, y along rows; the gradient operator; the window
(weights shown for a Gaussian); no padding; R = det M − k(trace M)²; corner if R > τ, edge if R < −τ, else flat.

Reference: gradients by torch conv2d with explicit kernels, window sums as per-instance weighted sums, batched
(examprep.reference.vision:harris_patch); with gradient=sobel and a 3×3 box it matches cv2.cornerHarris × 12⁴.

Common mistakes: per-pixel det (always 0), trace not squared, k added, tr(M²), x and y swapped, the sign of a
gradient flipped, a negative R called flat.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.vision import harris as h
from examprep.problems.vision import patches
from examprep.problems.vision.harris_from_sums import add_response_steps, label_rule, response_mistakes
from examprep.solver.expr import Add, Expr, Mat, Num, Sym, paren
from examprep.solver.step import Derivation

SETTINGS = (
    Param("gradient", "choice", "gradient operator", choices=h.GRADIENTS, default="central"),
    Param("window", "choice", "window: box (unweighted) or gaussian", choices=h.WINDOWS, default="box"),
    Param("size", "int", "window side (odd)", lo=3, hi=5, default=3),
    Param("sigma", "real", "σ of the Gaussian window (gaussian only)", lo=0.3, hi=5, optional=True),
    Param("k", "real", "Harris constant k", lo=0.001, hi=0.25, default=0.04),
    Param("tau", "real", "threshold τ of the corner/edge/flat rule", lo=0, hi=1e12),
)
GRAD_PART = dict(kind="matrix", mode="rel", rtol=0.0, atol=1e-3, final=False)


def draw_settings(rng: np.random.Generator, difficulty: str, side: int) -> dict[str, Any]:
    """gradient, window, size, sigma and k for a patch with ``side`` pixels, by difficulty."""
    ops = ("central", "forward") if difficulty == "easy" else h.GRADIENTS
    s: dict[str, Any] = dict(gradient=patches.pick(rng, ops), window="box", size=3, sigma=None,
                             k=patches.pick(rng, (0.04, 0.05, 0.06)))
    if difficulty == "hard":
        s["window"] = patches.pick(rng, h.WINDOWS)
        s["size"] = 5 if side >= 7 and rng.integers(2) else 3
        if s["window"] == "gaussian":
            s["sigma"] = patches.pick(rng, (0.5, 1.0, 1.5) if s["size"] == 3 else (1.0, 1.5, 2.0))
    return s


def window_sums(img: Any, gradient: str, window: str, size: int, sigma: float | None, row: int,
                col: int) -> tuple[np.ndarray, np.ndarray, float, float, float]:
    """(I_x, I_y over the window, A, B, C) at pixel (row, col) of the image."""
    ix, iy = h.window_grads(img, gradient, size, row, col)
    return ix, iy, *h.sums(ix, iy, h.window_weights(window, size, sigma))


def check_patch(p: Params, hi: int) -> list[str]:
    """The checks of a patch I (5×5 to hi×hi), its window settings and the pixel (row, col); returns warnings."""
    img = h.check_image(p, 5, hi)
    warns = h.check_window(p)
    r0, r1, c0, c1 = h.region(img.shape, p.gradient, p.size)
    if r0 > r1 or c0 > c1:
        raise ParamError(f"I is {img.shape[0]}×{img.shape[1]}: too small for gradient={p.gradient} and a "
                         f"{p.size}×{p.size} window without padding; use a larger patch or size=3")
    for name, v, lo, top in (("row", p.row, r0, r1), ("col", p.col, c0, c1)):
        if not lo <= v <= top:
            raise ParamError(f"{name}={v}: with gradient={p.gradient} and a {p.size}×{p.size} window the "
                             f"response is defined (no padding) for {name} from {lo} to {top} in this patch")
    return warns


def weighted_sum_expr(w: np.ndarray, f: np.ndarray, g: np.ndarray) -> Expr:
    """Σ w·f·g written out term by term (zero terms left out; squares when f is g)."""
    terms = []
    for wi, fi, gi in zip(w.ravel(), f.ravel(), g.ravel(), strict=True):
        if fi == 0 or gi == 0:
            continue
        first = paren(Num(float(fi))) if fi < 0 and wi == 1 else Num(float(fi))
        e = Num(float(fi)) ** 2 if f is g else first * Num(float(gi))
        terms.append((1, e if wi == 1 else Num(float(wi)) * e))
    return Add(terms) if terms else Num(0)


def sums_steps(d: Derivation, img: np.ndarray, p: Params, r: int, c: int, parts: bool = True) -> tuple:
    """The gradient and window-sum steps at (r, c); returns (Ix, Iy, A, B, C)."""
    n = p.size // 2
    ix, iy = h.window_grads(img, p.gradient, p.size, r, c)
    w = h.window_weights(p.window, p.size, p.sigma)
    a, b, cc = h.sums(ix, iy, w)
    where = f"rows {r - n}–{r + n}, columns {c - n}–{c + n}"
    for name, g, axis in (("Ix", ix, "x"), ("Iy", iy, "y")):
        sub = Mat([[h.gradient_expr(img, p.gradient, axis, r + i, c + j) for j in range(-n, n + 1)]
                   for i in range(-n, n + 1)])
        d.add(f"${name[0]}_{name[1]}$ over the window ({where})", g.tolist(), lhs=Sym(f"I_{axis}"), substituted=sub,
              part=name if parts else None)
    wsym = "" if p.window == "box" else r"w \cdot "
    for name, f, gg, val in (("A", ix, ix, a), ("B", ix, iy, b), ("C", iy, iy, cc)):
        what = {"A": "I_x^2", "B": r"I_x \cdot I_y", "C": "I_y^2"}[name]
        d.add(rf"${name} = \sum {wsym}{what}$", val, lhs=name, substituted=weighted_sum_expr(w, f, gg),
              part=name if parts else None)
    return ix, iy, a, b, cc


class HarrisPatch(ProblemType):
    id = "vision/harris_patch-v1"
    title = "Harris response at a pixel of a patch"
    catalog = "seed_003 A5 (c), §2.4"
    reference_entry = "examprep.reference.vision:harris_patch"
    params = (
        Param("I", "matrix", "the intensity patch (integers), rows × columns", lo=0, hi=255),
        *SETTINGS,
        Param("row", "int", "pixel row (0-based)", lo=0, hi=6),
        Param("col", "int", "pixel column (0-based)", lo=0, hi=6),
    )
    parts = (
        Part("Ix", "I_x at the window's pixels", **GRAD_PART),
        Part("Iy", "I_y at the window's pixels", **GRAD_PART),
        Part("A", "A = Σ w·I_x²", "real", digits=4, uses=("Ix",)),
        Part("B", "B = Σ w·I_x·I_y", "real", digits=4, uses=("Ix", "Iy")),
        Part("C", "C = Σ w·I_y²", "real", digits=4, uses=("Iy",)),
        Part("det", "det M", "real", digits=4, uses=("A", "B", "C")),
        Part("trace", "trace M", "real", digits=4, uses=("A", "C")),
        Part("R", "Harris response R", "real", digits=4, uses=("det", "trace")),
        Part("label", "corner, edge or flat", "label", choices=h.LABELS, uses=("R",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        side = {"easy": 5, "medium": int(rng.integers(5, 7)), "hard": 7}[difficulty]
        s = draw_settings(rng, difficulty, side)
        r0, r1, c0, c1 = h.region((side, side), s["gradient"], s["size"])
        row, col = int(rng.integers(r0, r1 + 1)), int(rng.integers(c0, c1 + 1))
        pattern = str(patches.pick(rng, patches.PATTERNS))
        anchor = (row + int(rng.integers(2)), col + int(rng.integers(2)))
        img = patches.patch(rng, (side, side), anchor, pattern, difficulty)
        *_, a, b, c = window_sums(img, s["gradient"], s["window"], s["size"], s["sigma"], row, col)
        r = h.response(a, b, c, s["k"])[2]
        s["tau"] = h.nice_threshold(2 * abs(r), True) if pattern == "flat" else h.nice_threshold(abs(r) / 2, False)
        return dict(I=img.tolist(), row=row, col=col, **s)

    def check(self, p: Params) -> list[str]:
        return check_patch(p, 7) + h.check_k(p.k)

    def degenerate(self, p: Params) -> str | None:
        ans = self.solve(p)
        if not np.any(ans["Ix"]) and not np.any(ans["Iy"]):
            return "every gradient in the window is 0"
        if h.near_threshold(ans["R"], p.tau):
            return "R is too close to ±τ to classify by hand"
        return None

    def statement(self, p: Params) -> list[Any]:
        n = p.size // 2
        return [
            "The intensity patch $I$ is", [list(r) for r in p.I],
            f"Compute the Harris response at pixel (row {p.row}, col {p.col}): $I_x$ and $I_y$ at every pixel of the "
            f"window (rows {p.row - n}–{p.row + n}, columns {p.col - n}–{p.col + n}, as ${p.size} \\times {p.size}$ "
            r"matrices in image layout), the window sums $A = \sum w \cdot I_x^2$, $B = \sum w \cdot I_x I_y$, "
            r"$C = \sum w \cdot I_y^2$, $\det M$, $\operatorname{trace} M$, "
            rf"$R = \det M - k \cdot (\operatorname{{trace}} M)^2$ with $k = {p.k:g}$, and the label "
            f"({label_rule(p.tau)}).",
            *h.conventions(p.gradient, p.window, p.size, p.sigma),
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        ix, iy = h.window_grads(p.I, p.gradient, p.size, p.row, p.col)
        ix, iy = carry(given, "Ix", ix), carry(given, "Iy", iy)
        a, b, c = h.sums(ix, iy, h.window_weights(p.window, p.size, p.sigma))
        a, b, c = carry(given, "A", a), carry(given, "B", b), carry(given, "C", c)
        return {"Ix": ix.tolist(), "Iy": iy.tolist(), "A": a, "B": b, "C": c,
                **h.carried_response(given, a, b, c, p.k, p.tau)}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        sums_steps(d, np.asarray(p.I), p, p.row, p.col)
        add_response_steps(d, ans["A"], ans["B"], ans["C"], p.k, ans)
        d.add("Label", ans["label"], part="label", note=label_rule(p.tau))
        d.answer = f"R = {ans['R']:.6g}: {ans['label']}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        t = self.solve(p)
        a, b, c, det, tr = t["A"], t["B"], t["C"], t["det"], t["trace"]
        m = response_mistakes(a, b, c, p.k, p.tau)
        if abs(det) > 1e-9:
            r = -p.k * tr * tr
            m["per_pixel_det"] = Mistake(
                {"det": 0.0, "R": r, "label": h.label(r, p.tau)},
                "det M is det of the window sums, (ΣI_x²)(ΣI_y²) − (ΣI_xI_y)²; per pixel I_x²I_y² − (I_xI_y)² is 0.")
        ix, iy = np.asarray(t["Ix"]), np.asarray(t["Iy"])
        if not np.array_equal(ix, iy):
            m["xy_swapped"] = Mistake({"Ix": t["Iy"], "Iy": t["Ix"], "A": c, "C": a},
                                      "x runs along the columns and y along the rows: you swapped I_x and I_y.")
        for name, g in (("Ix", ix), ("Iy", iy)):
            if np.any(g):
                m[f"sign_{name}"] = Mistake({name: (-g).tolist(), "B": -b},
                                            f"Sign error in {name}: the difference is (later pixel) − (earlier pixel).")
        return m
