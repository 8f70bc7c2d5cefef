"""The discrete Fourier transform of a short signal: real and imaginary parts, magnitudes, phases and bin
frequencies.

Catalog: seed_000_001 H2 (x = [1, 2, 0, −1] gives X = [2, 1 − 3i, 0, 1 + 3i], |X₁| = 3.162278, phase −71.565°).

Parameters:
    x: 4 or 8 samples. fs: the sampling rate (Hz).

Answer parts: ``re`` and ``im`` (of X_k = Σ_n x_n e^{−2πikn/N}, k = 0 … N − 1), ``magnitude``, ``phase`` (degrees
in (−180, 180], 0 where X_k = 0) and ``freqs`` (k·fs/N for k = 0 … N/2).

Conventions stated in the prompt: samples and bins are numbered from 0 (n, k = 0 … N − 1); no 1/N in the forward
transform; phases in degrees.

Reference: ``torch.fft.fft`` and ``torch.angle``; the bin frequencies from ``torch.fft.rfftfreq``
(examprep.reference.audio:dft).

Common mistakes: the + sign in the exponent (the conjugate), the bin spacing fs/(N/2), phases in radians, a 1/N
factor.

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
from examprep.problems.gan.fair import near_miss, visible
from examprep.solver.expr import Mat, Num, Sym
from examprep.solver.ops import sqrt
from examprep.solver.step import Derivation

TINY = 1e-9


def clean(a: np.ndarray) -> np.ndarray:
    """Rounding noise below 1e-9 set to 0 (the sums of integer samples with cos/sin of multiples of π/4)."""
    a = np.array(a, dtype=float)
    a[np.abs(a) < TINY] = 0.0
    return a


def basis(n: int, sign: float = -1.0) -> tuple[np.ndarray, np.ndarray]:
    """cos(2πkn/N) and sign·sin(2πkn/N) (k rows, n columns), cleaned."""
    k = np.arange(n)
    ang = 2 * np.pi * np.outer(k, k) / n
    return clean(np.cos(ang)), clean(sign * np.sin(ang))


def polar(re: np.ndarray, im: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Magnitudes and phases (degrees in (−180, 180], 0 where the magnitude is 0) of re + i·im."""
    mag = np.hypot(re, im)
    phase = np.where(mag > TINY, np.degrees(np.arctan2(im, re)), 0.0)
    return mag, np.where(phase <= -180 + 1e-9, 180.0, phase)


def dft(x: Any, sign: float = -1.0) -> dict[str, np.ndarray]:
    """re, im, magnitude and phase (degrees, 0 at X_k = 0) of X_k = Σ x_n e^{sign·2πikn/N}."""
    x = np.asarray(x, dtype=float)
    c, s = basis(len(x), sign)
    re, im = clean(c @ x), clean(s @ x)
    mag, phase = polar(re, im)
    return {"re": re, "im": im, "magnitude": mag, "phase": phase}


class DFT(ProblemType):
    id = "audio/dft-v1"
    title = "Discrete Fourier transform of a short signal"
    catalog = "seed_000_001 H2"
    reference_entry = "examprep.reference.audio:dft"
    params = (
        Param("x", "vector", "the samples x_0 … x_{N−1} (N = 4 or 8)", lo=-1000, hi=1000),
        Param("fs", "real", "sampling rate in Hz", lo=1e-3, hi=1e7),
    )
    parts = (
        Part("re", "Real parts of X_k", "vector", mode="decdig", digits=4, final=False),
        Part("im", "Imaginary parts of X_k", "vector", mode="decdig", digits=4, final=False),
        Part("magnitude", "Magnitudes |X_k|", "vector", mode="decdig", digits=4, uses=("re", "im")),
        Part("phase", "Phases in degrees", "vector", mode="decdig", digits=2, uses=("re", "im")),
        Part("freqs", "Bin frequencies k·fs/N for k = 0 … N/2 (Hz)", "vector", mode="decdig", digits=2),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n, lo, hi = {"easy": (4, 0, 3), "medium": (4, -3, 3), "hard": (8, -2, 2)}[difficulty]
        fs = float(rng.choice((8.0, 16.0, 1000.0, 8000.0, 16000.0)))
        return dict(x=tuple(float(v) for v in rng.integers(lo, hi + 1, size=n)), fs=fs)

    def check(self, p: Params) -> list[str]:
        if len(p.x) not in (4, 8):
            raise ParamError(f"x: give 4 or 8 samples (got {len(p.x)})")
        return []

    def degenerate(self, p: Params) -> str | None:
        if not any(p.x):
            return "the signal is 0"
        return near_miss(self.solve(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        n = len(p.x)
        return [
            f"A signal of $N = {n}$ samples, $x$ = ", list(p.x), rf", is sampled at $f_s = {p.fs:g}$ Hz. Compute "
            r"its DFT $X_k = \sum_{n=0}^{N-1} x_n e^{-2 \pi i k n / N}$ for $k = 0, \ldots, N - 1$ (no $\frac{1}{N}$): "
            r"the real and imaginary parts and the magnitudes $|X_k|$ to 4 decimal places, the phases in degrees in "
            r"$(-180, 180]$ to 2 decimal places (0 where $X_k = 0$), and the frequency of bins $k = 0, \ldots, "
            r"\frac{N}{2}$ in Hz. Samples and bins are numbered from 0."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        r = dft(p.x)
        if given:  # the magnitudes and phases of the student's real and imaginary parts
            r["magnitude"], r["phase"] = polar(carry(given, "re", r["re"]), carry(given, "im", r["im"]))
        n = len(p.x)
        return {k: r[k].tolist() for k in ("re", "im", "magnitude", "phase")} | {
            "freqs": [k * p.fs / n for k in range(n // 2 + 1)]}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        n = len(p.x)
        c, s = basis(n)

        def row(coef: np.ndarray) -> Any:
            terms = [Num(x) * Num(w) for x, w in zip(p.x, coef, strict=True) if w != 0 and x != 0]
            return sum(terms[1:], terms[0]) if terms else Num(0)

        d.add("Real parts", ans["re"], lhs=Sym("Re_X", tex=r"\text{Re} X_k"), part="re",
              substituted=Mat([[row(c[k]) for k in range(n)]]),
              note=r"$\text{Re} X_k = \sum_n x_n \cos(\frac{2 \pi k n}{N})$ (zero terms left out)")
        d.add("Imaginary parts", ans["im"], lhs=Sym("Im_X", tex=r"\text{Im} X_k"), part="im",
              substituted=Mat([[row(s[k]) for k in range(n)]]),
              note=r"$\text{Im} X_k = -\sum_n x_n \sin(\frac{2 \pi k n}{N})$: the minus sign of $e^{-i \theta}$")
        d.add("Magnitudes", ans["magnitude"], lhs=Sym("abs_X", tex="|X_k|"), part="magnitude",
              substituted=Mat([[sqrt(Num(a) ** 2 + Num(b) ** 2) for a, b in zip(ans["re"], ans["im"], strict=True)]]))
        d.add("Phases", ans["phase"], lhs=Sym("phi_k", tex=r"\phi_k"), part="phase",
              note=r"the angle of $(\text{Re} X_k, \text{Im} X_k)$ in degrees, in $(-180, 180]$; 0 where $X_k = 0$")
        d.add("Bin frequencies", ans["freqs"], lhs=Sym("f_k"), part="freqs",
              substituted=Mat([[Num(k) * Num(p.fs) / n for k in range(n // 2 + 1)]]),
              note=r"$f_k = \frac{k f_s}{N}$; bins above $\frac{N}{2}$ mirror the ones below")
        d.answer = "X = [" + ", ".join(f"{a:.4g}{b:+.4g}i" for a, b in zip(ans["re"], ans["im"], strict=True)) + "]"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return visible(self.solve(p), self.all_mistakes(p))

    def all_mistakes(self, p: Params) -> dict[str, Mistake]:
        """Every named mistake, whether or not it shows on these parameters."""
        t = self.solve(p)
        conj = dft(p.x, sign=1.0)
        n = len(p.x)
        return {
            "conjugate": Mistake({"im": conj["im"].tolist(), "phase": conj["phase"].tolist()},
                                 "The exponent is −2πikn/N: with a + sign you get the complex conjugate "
                                 "(imaginary parts and phases flipped)."),
            "spacing_half_n": Mistake({"freqs": [k * p.fs / (n / 2) for k in range(n // 2 + 1)]},
                                      "The bins are fs/N apart (N bins span fs), not fs/(N/2)."),
            "radians": Mistake({"phase": [math.radians(v) for v in t["phase"]]},
                               "Give the phases in degrees, not radians."),
            "one_over_n": Mistake({k: [v / n for v in t[k]] for k in ("re", "im", "magnitude")},
                                  "The forward DFT has no 1/N (that belongs to the inverse)."),
        }
