"""Hand-sized test images for the Harris family: a corner, an edge or a flat patch, intensities 0–9."""

from __future__ import annotations

import numpy as np

PATTERNS = ("corner", "edge", "flat")


def pick(rng: np.random.Generator, xs: tuple | list) -> object:
    return xs[int(rng.integers(len(xs)))]


def noise(rng: np.random.Generator, shape: tuple[int, int], difficulty: str) -> np.ndarray:
    """Small integer noise: none when easy, 0–1 when medium, 0–2 when hard."""
    top = {"easy": 0, "medium": 1, "hard": 2}[difficulty]
    return rng.integers(0, top + 1, size=shape) if top else np.zeros(shape, dtype=int)


def patch(rng: np.random.Generator, shape: tuple[int, int], anchor: tuple[int, int], pattern: str,
          difficulty: str) -> np.ndarray:
    """A patch showing ``pattern`` at ``anchor`` (row, col), plus noise; integers 0–9."""
    rows, cols = np.indices(shape)
    ar, ac = anchor
    lo, hi = int(rng.integers(0, 3)), int(rng.integers(5, 10))
    sr, sc = (1 if rng.integers(2) else -1), (1 if rng.integers(2) else -1)
    if pattern == "corner":
        mask = (sr * (rows - ar) >= 0) & (sc * (cols - ac) >= 0)
    elif pattern == "edge":
        kind = pick(rng, ("vertical", "horizontal", "diagonal"))
        if kind == "vertical":
            mask = sc * (cols - ac) >= 0
        elif kind == "horizontal":
            mask = sr * (rows - ar) >= 0
        else:
            mask = sr * (rows - ar) + sc * (cols - ac) >= 0
    else:
        mask = np.zeros(shape, dtype=bool)
        difficulty = "medium" if difficulty == "easy" else difficulty  # a flat patch still needs some texture
    img = np.where(mask, hi, lo) + noise(rng, shape, difficulty)
    return np.clip(img, 0, 9).astype(int)


def rectangle_image(rng: np.random.Generator, shape: tuple[int, int], difficulty: str) -> np.ndarray:
    """A bright rectangle (or L-shape when hard) on a dark background, with noise: several corners and edges."""
    h, w = shape
    lo, hi = int(rng.integers(0, 3)), int(rng.integers(6, 10))
    r0, c0 = int(rng.integers(1, h // 2)), int(rng.integers(1, w // 2))
    r1, c1 = int(rng.integers(r0 + 2, h + 1)), int(rng.integers(c0 + 2, w + 1))
    img = np.full(shape, lo)
    img[r0:r1, c0:c1] = hi
    if difficulty == "hard" and rng.integers(2):
        img[r0 : (r0 + r1) // 2, c0 : (c0 + c1) // 2] = lo  # cut a notch: an L-shape
    return np.clip(img + noise(rng, shape, difficulty), 0, 9).astype(int)
