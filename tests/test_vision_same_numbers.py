"""The vectorised Harris family gives exactly the numbers of the per-pixel code it replaced.

The old code (commit 405f715: per-pixel gradient sums, window-by-window sums, neighbour lists, samplers that built
Params to call solve) is kept here, verbatim apart from names, as the reference. For 3,000 seeds per difficulty and
type the new sampler must return the same parameters (compared by repr, so every float bit, signed zeros and types
too) and leave the random generator in the same state, and solve must return the same answers, bit for bit.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from examprep.errors import ParamError
from examprep.params import Params
from examprep.problems.vision import harris as h
from examprep.problems.vision.harris_map import local_maxima, sum_maps
from examprep.problems.vision.shi_tomasi import st_label
from examprep.registry import make
from examprep.seeding import DIFFICULTIES, rng_for

SEEDS = range(3000)


# ---- the old code -------------------------------------------------------------------------------------------------
def old_taps(op: str, axis: str) -> tuple[list[tuple[int, int, int]], int]:
    tx, den = {
        "central": ([(1, 0, 1), (-1, 0, -1)], 2),
        "sobel": ([(1, -1, 1), (2, 0, 1), (1, 1, 1), (-1, -1, -1), (-2, 0, -1), (-1, 1, -1)], 1),
        "forward": ([(1, 0, 1), (-1, 0, 0)], 1),
    }[op]
    return (tx if axis == "x" else [(w, dc, dr) for w, dr, dc in tx]), den


def old_gradient_at(img: np.ndarray, op: str, axis: str, r: int, c: int) -> float:
    tp, den = old_taps(op, axis)
    return sum(w * float(img[r + dr, c + dc]) for w, dr, dc in tp) / den


def old_window_weights(window: str, size: int, sigma: float | None) -> np.ndarray:
    if window == "box":
        return np.ones((size, size))
    hw = (size - 1) // 2
    u = np.arange(-hw, hw + 1, dtype=float)
    d2 = u[:, None] ** 2 + u[None, :] ** 2
    return np.array([[round(math.exp(-x / (2 * float(sigma) ** 2)), 4) for x in row] for row in d2])


def old_window_grads(img: np.ndarray, op: str, size: int, r: int, c: int) -> tuple[np.ndarray, np.ndarray]:
    hw = (size - 1) // 2
    ix = np.array([[old_gradient_at(img, op, "x", r + i, c + j) for j in range(-hw, hw + 1)]
                   for i in range(-hw, hw + 1)])
    iy = np.array([[old_gradient_at(img, op, "y", r + i, c + j) for j in range(-hw, hw + 1)]
                   for i in range(-hw, hw + 1)])
    return ix, iy


def old_grad_maps(img: np.ndarray, op: str) -> tuple[np.ndarray, np.ndarray, int]:
    lo, hi = (0, 1) if op == "forward" else (1, 1)
    rows, cols = range(lo, img.shape[0] - hi), range(lo, img.shape[1] - hi)
    ix = np.array([[old_gradient_at(img, op, "x", r, c) for c in cols] for r in rows])
    iy = np.array([[old_gradient_at(img, op, "y", r, c) for c in cols] for r in rows])
    return ix, iy, lo


def old_sums(ix: np.ndarray, iy: np.ndarray, w: np.ndarray) -> tuple[float, float, float]:
    return float((w * ix * ix).sum()), float((w * ix * iy).sum()), float((w * iy * iy).sum())


def old_sum_maps(ix: np.ndarray, iy: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    s = w.shape[0]
    n_r, n_c = ix.shape[0] - s + 1, ix.shape[1] - s + 1
    out = [np.zeros((n_r, n_c)) for _ in range(3)]
    for i in range(n_r):
        for j in range(n_c):
            a, b, c = old_sums(ix[i : i + s, j : j + s], iy[i : i + s, j : j + s], w)
            out[0][i, j], out[1][i, j], out[2][i, j] = a, b, c
    return out[0], out[1], out[2]


def old_local_maxima(r: np.ndarray, tau: float, offset: int, nms: bool = True) -> list[list[int]]:
    out = []
    for i in range(r.shape[0]):
        for j in range(r.shape[1]):
            nb = [r[u, v] for u in range(max(i - 1, 0), min(i + 2, r.shape[0]))
                  for v in range(max(j - 1, 0), min(j + 2, r.shape[1])) if (u, v) != (i, j)]
            if r[i, j] > tau and (not nms or all(r[i, j] > x for x in nb)):
                out.append([i + offset, j + offset])
    return out


def old_nice_threshold(x: float, up: bool) -> float:
    grid = [m * 10.0 ** e for e in range(0, 9) for m in (1, 2, 5)]
    if up:
        return next((g for g in grid if g >= x), grid[-1])
    below = [g for g in grid if g <= x]
    return below[-1] if below else 1.0


def old_pick(rng: np.random.Generator, xs: tuple | list) -> object:
    return xs[int(rng.integers(len(xs)))]


def old_noise(rng: np.random.Generator, shape: tuple[int, int], difficulty: str) -> np.ndarray:
    top = {"easy": 0, "medium": 1, "hard": 2}[difficulty]
    return rng.integers(0, top + 1, size=shape) if top else np.zeros(shape, dtype=int)


def old_patch(rng: np.random.Generator, shape: tuple[int, int], anchor: tuple[int, int], pattern: str,
              difficulty: str) -> np.ndarray:
    rows, cols = np.mgrid[0 : shape[0], 0 : shape[1]]
    ar, ac = anchor
    lo, hi = int(rng.integers(0, 3)), int(rng.integers(5, 10))
    sr, sc = (1 if rng.integers(2) else -1), (1 if rng.integers(2) else -1)
    if pattern == "corner":
        mask = (sr * (rows - ar) >= 0) & (sc * (cols - ac) >= 0)
    elif pattern == "edge":
        kind = old_pick(rng, ("vertical", "horizontal", "diagonal"))
        if kind == "vertical":
            mask = sc * (cols - ac) >= 0
        elif kind == "horizontal":
            mask = sr * (rows - ar) >= 0
        else:
            mask = sr * (rows - ar) + sc * (cols - ac) >= 0
    else:
        mask = np.zeros(shape, dtype=bool)
        difficulty = "medium" if difficulty == "easy" else difficulty
    img = np.where(mask, hi, lo) + old_noise(rng, shape, difficulty)
    return np.clip(img, 0, 9).astype(int)


def old_rectangle_image(rng: np.random.Generator, shape: tuple[int, int], difficulty: str) -> np.ndarray:
    hh, ww = shape
    lo, hi = int(rng.integers(0, 3)), int(rng.integers(6, 10))
    r0, c0 = int(rng.integers(1, hh // 2)), int(rng.integers(1, ww // 2))
    r1, c1 = int(rng.integers(r0 + 2, hh + 1)), int(rng.integers(c0 + 2, ww + 1))
    img = np.full(shape, lo)
    img[r0:r1, c0:c1] = hi
    if difficulty == "hard" and rng.integers(2):
        img[r0 : (r0 + r1) // 2, c0 : (c0 + c1) // 2] = lo
    return np.clip(img + old_noise(rng, shape, difficulty), 0, 9).astype(int)


def old_draw_settings(rng: np.random.Generator, difficulty: str, side: int) -> dict[str, Any]:
    ops = ("central", "forward") if difficulty == "easy" else ("central", "sobel", "forward")
    s: dict[str, Any] = dict(gradient=old_pick(rng, ops), window="box", size=3, sigma=None,
                             k=old_pick(rng, (0.04, 0.05, 0.06)))
    if difficulty == "hard":
        s["window"] = old_pick(rng, ("box", "gaussian"))
        s["size"] = 5 if side >= 7 and rng.integers(2) else 3
        if s["window"] == "gaussian":
            s["sigma"] = old_pick(rng, (0.5, 1.0, 1.5) if s["size"] == 3 else (1.0, 1.5, 2.0))
    return s


def old_region(shape: tuple[int, int], op: str, size: int) -> tuple[int, int, int, int]:
    lo, hi = (0, 1) if op == "forward" else (1, 1)
    hw = (size - 1) // 2
    return lo + hw, shape[0] - 1 - hi - hw, lo + hw, shape[1] - 1 - hi - hw


# harris_map
def old_maps(img: np.ndarray, p: Params) -> dict[str, Any]:
    ix, iy, lo = old_grad_maps(np.asarray(img, dtype=float), p.gradient)
    a, b, c = old_sum_maps(ix, iy, old_window_weights(p.window, p.size, p.sigma))
    det, tr = a * c - b * b, a + c
    return dict(Ix=ix, Iy=iy, glo=lo, A=a, B=b, C=c, det=det, trace=tr, R=det - p.k * tr * tr)


def old_map_sample(rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
    side = {"easy": 6, "medium": 7, "hard": 8}[difficulty]
    s = old_draw_settings(rng, difficulty, 0)
    img = old_rectangle_image(rng, (side, side), difficulty)
    top = float(np.max(old_maps(img, Params(dict(I=img.tolist(), tau=0.0, **s)))["R"]))
    s["tau"] = old_nice_threshold(max(top, 1.0) * float(old_pick(rng, (0.2, 0.5))), False)
    return dict(I=img.tolist(), **s)


def old_map_solve(p: Params) -> dict[str, Any]:
    m = old_maps(np.asarray(p.I, dtype=float), p)
    corners = old_local_maxima(m["R"], p.tau, m["glo"] + (p.size - 1) // 2)
    return {"R": m["R"].tolist(), "corners": corners, "n_corners": len(corners)}


# harris_patch
def old_patch_solve(p: Params) -> dict[str, Any]:
    img = np.asarray(p.I, dtype=float)
    ix, iy = old_window_grads(img, p.gradient, p.size, p.row, p.col)
    a, b, c = old_sums(ix, iy, old_window_weights(p.window, p.size, p.sigma))
    det, tr, r = h.response(a, b, c, p.k)
    return {"Ix": ix.tolist(), "Iy": iy.tolist(), "A": a, "B": b, "C": c, "det": det, "trace": tr, "R": r,
            "label": h.label(r, p.tau)}


def old_patch_sample(rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
    side = {"easy": 5, "medium": int(rng.integers(5, 7)), "hard": 7}[difficulty]
    s = old_draw_settings(rng, difficulty, side)
    r0, r1, c0, c1 = old_region((side, side), s["gradient"], s["size"])
    row, col = int(rng.integers(r0, r1 + 1)), int(rng.integers(c0, c1 + 1))
    pattern = str(old_pick(rng, ("corner", "edge", "flat")))
    anchor = (row + int(rng.integers(2)), col + int(rng.integers(2)))
    img = old_patch(rng, (side, side), anchor, pattern, difficulty)
    p = Params(dict(I=img.tolist(), row=row, col=col, tau=1.0, **s))
    r = old_patch_solve(p)["R"]
    s["tau"] = old_nice_threshold(2 * abs(r), True) if pattern == "flat" else old_nice_threshold(abs(r) / 2, False)
    return dict(I=img.tolist(), row=row, col=col, **s)


# shi_tomasi
def old_st_sums(p: Params) -> tuple[float, float, float]:
    if p.I is None:
        return p.A, p.B, p.C
    ix, iy = old_window_grads(np.asarray(p.I, dtype=float), p.gradient, p.size, p.row, p.col)
    return old_sums(ix, iy, old_window_weights(p.window, p.size, p.sigma))


def old_st_solve(p: Params) -> dict[str, Any]:
    lo, hi = h.eigen(*old_st_sums(p))
    return {"lambda_min": lo, "lambda_max": hi, "label": st_label(lo, hi, p.tau)}


def old_st_sample(rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
    target = str(old_pick(rng, ("corner", "edge", "flat")))
    if difficulty == "easy" or (difficulty == "medium" and rng.integers(2)):
        if target == "corner":
            a, c = (int(x) for x in rng.integers(10, 101, size=2))
        elif target == "edge":
            a, c = int(rng.integers(20, 101)), int(rng.integers(0, 6))
            a, c = (a, c) if rng.integers(2) else (c, a)
        else:
            a, c = (int(x) for x in rng.integers(0, 11, size=2))
        bmax = math.isqrt(a * c) // 2
        out: dict[str, Any] = dict(A=a, B=int(rng.integers(-bmax, bmax + 1)), C=c)
    else:
        s = old_draw_settings(rng, difficulty, 5 if difficulty == "medium" else 7)
        s.pop("k")
        side = 5 if difficulty == "medium" else 7
        r0, r1, c0, c1 = old_region((side, side), s["gradient"], s["size"])
        row, col = int(rng.integers(r0, r1 + 1)), int(rng.integers(c0, c1 + 1))
        anchor = (row + int(rng.integers(2)), col + int(rng.integers(2)))
        img = old_patch(rng, (side, side), anchor, target, difficulty)
        out = dict(I=img.tolist(), row=row, col=col, **s)
    defaults = {q.name: q.default for q in make("vision/shi_tomasi-v1").params}
    lo, hi = h.eigen(*old_st_sums(Params({**defaults, **out})))
    tau = {"corner": lo / 2, "edge": (lo + hi) / 2, "flat": 2 * hi}[target]
    out["tau"] = old_nice_threshold(tau, target == "flat")
    return out


# harris_from_sums (solve did not change)
def old_sums_sample(rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
    target = h.LABELS[int(rng.integers(3))]
    scale = 10.0 if difficulty == "hard" else 1.0
    for _ in range(100):
        if target == "corner":
            a, c = rng.integers(10, 101, size=2)
        elif target == "edge":
            a, c = int(rng.integers(20, 101)), int(rng.integers(0, 6))
            a, c = (a, c) if rng.integers(2) else (c, a)
        else:
            a, c = rng.integers(0, 11, size=2)
        if difficulty == "hard":
            a, c = int(a) * 10 + int(rng.integers(10)), int(c) * 10 + int(rng.integers(10))
        bmax = int(np.floor(np.sqrt(a * c))) // (1 if target == "edge" else 2)
        b = 0 if difficulty == "easy" and rng.integers(2) else int(rng.integers(-bmax, bmax + 1))
        if b * b <= a * c:
            break
    a, b, c = a / scale, b / scale, c / scale
    k = [0.04, 0.05, 0.06][int(rng.integers(3))]
    _, _, r = h.response(a, b, c, k)
    tau = old_nice_threshold(2 * abs(r), up=True) if target == "flat" else old_nice_threshold(abs(r) / 2, up=False)
    num = (lambda x: int(x)) if difficulty != "hard" else (lambda x: float(x))
    return dict(A=num(a), B=num(b), C=num(c), k=k, tau=float(tau))


OLD = {"vision/harris_map-v1": (old_map_sample, old_map_solve),
       "vision/harris_patch-v1": (old_patch_sample, old_patch_solve),
       "vision/shi_tomasi-v1": (old_st_sample, old_st_solve),
       "vision/harris_from_sums-v1": (old_sums_sample, lambda p: make("vision/harris_from_sums-v1").solve(p))}


# ---- the comparisons ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("difficulty", DIFFICULTIES)
@pytest.mark.parametrize("pid", list(OLD))
def test_sample_and_solve_unchanged(pid: str, difficulty: str) -> None:
    pt = make(pid)
    old_sample, old_solve = OLD[pid]
    solved = 0
    for seed in SEEDS:
        rng_new, rng_old = rng_for(pt.id, seed, difficulty), rng_for(pt.id, seed, difficulty)
        new, old = pt.sample(rng_new, difficulty), old_sample(rng_old, difficulty)
        assert repr(new) == repr(old), f"seed {seed}: parameters changed"
        assert rng_new.bit_generator.state == rng_old.bit_generator.state, f"seed {seed}: random stream changed"
        p = pt._complete(new)
        try:
            pt.validate(p)
        except ParamError:
            continue
        assert repr(pt.solve(p)) == repr(old_solve(p)), f"seed {seed}: answers changed"
        solved += 1
    assert solved > 0.9 * len(SEEDS)


def test_gradients_unchanged_on_random_images() -> None:
    rng = np.random.default_rng(1)
    for _ in range(2000):
        op = str(rng.choice(h.GRADIENTS))
        img = rng.integers(0, 256 if rng.integers(2) else 10, size=tuple(rng.integers(5, 10, size=2)))
        (oix, oiy, olo) = old_grad_maps(img.astype(float), op)
        for src in (img, img.astype(float), img.tolist()):
            ix, iy, lo = h.grad_maps(src, op)
            assert repr([ix.tolist(), iy.tolist(), lo]) == repr([oix.tolist(), oiy.tolist(), olo])
        size = 3 if min(img.shape) < 7 else 5
        r0, r1, c0, c1 = h.region(img.shape, op, size)
        r, c = int(rng.integers(r0, r1 + 1)), int(rng.integers(c0, c1 + 1))
        new_w, old_w = h.window_grads(img, op, size, r, c), old_window_grads(img.astype(float), op, size, r, c)
        assert repr([g.tolist() for g in new_w]) == repr([g.tolist() for g in old_w])


def test_window_sums_unchanged_on_random_float_maps() -> None:
    """Float gradients and Gaussian weights, where the order of the additions shows in the last bits."""
    rng = np.random.default_rng(2)
    for _ in range(2000):
        size = int(rng.choice([3, 5]))
        shape = tuple(int(x) for x in rng.integers(size, size + 6, size=2))
        ix = rng.normal(size=shape) * 10.0 ** rng.integers(-3, 4, size=shape)
        iy = rng.normal(size=shape) * 10.0 ** rng.integers(-3, 4, size=shape)
        w = h.window_weights("gaussian", size, float(rng.choice([0.5, 1.0, 1.5, 2.0])))
        for new, old in zip(sum_maps(ix, iy, w), old_sum_maps(ix, iy, w), strict=True):
            assert new.tobytes() == old.tobytes()


def test_window_weights_unchanged() -> None:
    for size in (3, 5):
        assert h.window_weights("box", size, None).tobytes() == old_window_weights("box", size, None).tobytes()
        for sigma in (0.3, 0.5, 1.0, 1.5, 2.0, 3.7, 5.0):
            new, old = h.window_weights("gaussian", size, sigma), old_window_weights("gaussian", size, sigma)
            assert new.tobytes() == old.tobytes()


def test_local_maxima_unchanged_with_ties() -> None:
    rng = np.random.default_rng(3)
    for _ in range(5000):
        shape = tuple(int(x) for x in rng.integers(1, 8, size=2))
        r = rng.integers(-3, 4, size=shape).astype(float) * float(rng.choice([1.0, 0.1, 1e6]))  # many ties
        tau = float(rng.choice([-1.0, 0.0, 0.5, 2.0]))
        for nms in (True, False):
            assert local_maxima(r, tau, 2, nms) == old_local_maxima(r, tau, 2, nms)


def test_isqrt_is_floor_of_sqrt() -> None:
    """harris_from_sums draws B up to ⌊√(AC)⌋ (or half of it), AC ≤ 1009²: math.isqrt now, numpy before."""
    n = np.arange(1009 * 1009 + 1)
    assert np.array_equal(np.floor(np.sqrt(n)).astype(np.int64), [math.isqrt(int(x)) for x in n])


def test_nice_threshold_unchanged() -> None:
    for x in [0.0, 0.3, 1.0, 1.5, 2.0, 4.99, 5.0, 7.0, 10.0, 999.0, 1e8, 5e8, 6e8, 1e12]:
        for up in (True, False):
            assert repr(h.nice_threshold(x, up)) == repr(old_nice_threshold(x, up))
