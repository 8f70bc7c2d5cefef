"""Fair-grading guards shared by the GAN and metrics types: a generated instance on which a named mistake lands
within a relative 2e-3 of the right answer is unfit (the grader accepts answers that close), and a drawn
vector of probabilities on a decimal grid."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from examprep.problem import Mistake

RTOL = 2e-3


def close_to_truth(value: Any, truth: Any, rtol: float = RTOL) -> bool:
    """Every entry of ``value`` within a relative ``rtol`` (absolute below 1e-9) of ``truth``; shapes must agree."""
    if isinstance(value, str) or isinstance(truth, str):
        return str(value) == str(truth)
    a, b = np.asarray(value, dtype=float), np.asarray(truth, dtype=float)
    if a.shape != b.shape:
        return False
    return bool(np.all(np.abs(a - b) <= np.maximum(rtol * np.abs(b), 1e-9)))


def near_miss(truth: Mapping[str, Any], mistakes: Mapping[str, Mistake], rtol: float = RTOL) -> str | None:
    """Why the instance is unfit: the first mistake with a part within ``rtol`` of the right value, or None."""
    for name, m in mistakes.items():
        for part, v in m.answers.items():
            if part in truth and close_to_truth(v, truth[part], rtol):
                return f"mistake {name} gives {part} within {rtol:g} of the right value"
    return None


def grid(rng: np.random.Generator, lo: float, hi: float, step: float, n: int) -> tuple[float, ...]:
    """``n`` values drawn from lo, lo + step, …, hi (rounded to the step's decimals)."""
    k = int(round((hi - lo) / step))
    dec = max(0, -int(np.floor(np.log10(step) + 1e-9)))
    return tuple(round(lo + step * int(i), dec) for i in rng.integers(0, k + 1, size=n))


def visible(truth: Mapping[str, Any], mistakes: dict[str, Mistake], rtol: float = RTOL) -> dict[str, Mistake]:
    """The mistakes that show on these parameters: those with some part away from the right value (a mistake
    that changes nothing here, such as an unsquared norm of 1, is no mistake on this instance)."""
    return {k: m for k, m in mistakes.items()
            if not all(part in truth and close_to_truth(v, truth[part], rtol) for part, v in m.answers.items())}
