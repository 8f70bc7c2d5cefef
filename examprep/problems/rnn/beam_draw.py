"""Drawing decoder tables on which greedy decoding, beam search, the exhaustive optimum and each usual beam-search
mistake give answers of their own (``rnn/beam_search``).

On a table drawn at random, beam search with T = 3 almost always finds the optimum, and then keeping the K best
extensions per hypothesis (a superset of the right beam) changes nothing; nor does dropping finished hypotheses
unless the right output ends with </s>. So the tables are planted with a garden path, letters in random roles
X, Y, R (and S):

- first token: X most probable, then Y; </s> 0.05;
- after Y: R very probable (0.7 to 0.85), so (Y, R) leads after two steps;
- after X: its K - 1 best tokens (X, or S), then Y: (X, Y) is cut after two steps but is one of X's K best;
- after R: </s> the most probable (0.25 to 0.4), so beam search ends with Y R </s>;
- p(</s> | R) between the bounds that make Y R </s> beat every other hypothesis in the beam and lose to X Y R.

Beam search then outputs Y R </s>; X Y R, which it cut, is more probable (found by the K-per-parent search);
dropping finished hypotheses gives a three-letter output. Every other entry is drawn at random on the grid
(twentieths, or hundredths at ``hard``), at least one unit each; the problem rejects what still ties.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from examprep.problems.rnn.decoder import END

LETTERS = ("A", "B", "C", "D")
TRIES = 500


def _spread(rng: np.random.Generator, total: int, k: int) -> list[int] | None:
    """``total`` grid units over ``k`` entries, each at least one (None when that is impossible)."""
    if k == 0:
        return [] if total == 0 else None
    if total < k:
        return None
    return [1 + int(e) for e in rng.multinomial(total - k, rng.dirichlet(np.full(k, 2.0)))]


def _row(rng: np.random.Generator, n: int, fixed: dict[int, int], grid: int) -> list[int] | None:
    """A row of ``n`` grid units summing to ``grid``: ``fixed`` entries as given, the others spread at random."""
    free = [j for j in range(n) if j not in fixed]
    rest = _spread(rng, grid - sum(fixed.values()), len(free))
    if rest is None or any(v < 1 for v in fixed.values()):
        return None
    row = [0] * n
    for j, v in [*fixed.items(), *zip(free, rest, strict=True)]:
        row[j] = v
    return row


def _attempt(rng: np.random.Generator, m: int, k: int, grid: int) -> dict[str, Any] | None:
    def units(lo: float, hi: float) -> int:
        a, b = math.ceil(lo * grid - 1e-9), math.floor(hi * grid + 1e-9)
        return int(rng.integers(a, b + 1)) if a <= b else 0

    x, y, r, *s = (int(i) for i in rng.permutation(m))
    end, n = m, m + 1
    fx = units(0.4, 0.55)
    first = _row(rng, n, {end: units(0.05, 0.05), x: fx, y: units(0.25, fx / grid - 0.1)}, grid)
    after_y = _row(rng, n, {r: units(0.7, 0.85), end: units(0.05, 0.05)}, grid)
    tops = [int(t) for t in rng.permutation([x, *s])[:k - 1]]
    fixed = {end: units(0.05, 0.1)}
    hi = 0.45
    for t in tops:
        fixed[t] = units(0.2, hi)
        hi = fixed[t] / grid - 0.05
    fixed[y] = units(0.15, hi)
    after_x = _row(rng, n, fixed, grid)
    rows = {x: after_x, y: after_y}
    for t in s:
        rows[t] = _row(rng, n, {end: units(0.05, 0.3)}, grid)
    if first is None or any(v is None for v in rows.values()):
        return None
    # p(</s> | R): Y R </s> must beat every continuation of the kept (X, t) and lose to X Y R
    f = {j: first[j] / grid for j in range(n)}
    lead = f[y] * after_y[r] / grid
    worst = max(f[x] * after_x[t] / grid * max(rows[t]) / grid for t in tops)
    lo, hi = max(worst / lead * 1.03, 0.25), min(f[x] * after_x[y] / grid / f[y] / 1.03, 0.4)
    e = units(lo, hi)
    after_r = _row(rng, n, {end: e}, grid) if e else None
    if after_r is None or max(after_r[:m]) >= e:
        return None
    rows[r] = after_r
    p_next = [tuple(v / grid for v in rows[j]) for j in range(m)] + [(0.0,) * m + (1.0,)]
    return dict(vocab=(*LETTERS[:m], END), p_first=tuple(v / grid for v in first), p_next=tuple(p_next),
                max_len=3, beam_width=k)


def planted(rng: np.random.Generator, letters: int, width: int, grid: int) -> dict[str, Any]:
    """A table with ``letters`` letters and </s>, T = 3 and K = ``width``, on a grid of 1/``grid``."""
    for _ in range(TRIES):
        out = _attempt(rng, letters, width, grid)
        if out is not None:
            return out
    raise RuntimeError(f"no garden-path table with {letters} letters, K = {width} in {TRIES} tries")
