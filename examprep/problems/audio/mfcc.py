"""MFCCs from mel filterbank energies: the natural log of each energy, then the orthonormal DCT-II.

Catalog: seed_000_001 H3 (energies [10, 4, 2, 1] give ln [2.302585, 1.386294, 0.693147, 0] and MFCCs [2.191013,
1.691800, 0.111572, 0.170255]).

Parameters:
    energies: the mel filterbank energies (positive).

Answer parts: ``log_energies`` (ln of each, intermediate) and ``mfcc`` (the orthonormal DCT-II of all of them:
c_k = s_k Σ_n y_n cos(πk(2n + 1)/(2N)), s_0 = √(1/N), s_k = √(2/N) otherwise).

Conventions stated in the prompt: natural log; coefficients numbered from 0 (c_0 … c_{N−1}); all N are kept.

Reference: the DCT-II through ``torch.fft.fft`` of the mirrored sequence (Makhoul 1980) with the orthonormal
scales (examprep.reference.audio:mfcc); the tests check it against ``scipy.fft.dct(norm='ortho')``.

Common mistakes: log10 in place of ln, the unnormalised DCT (scipy's default, 2 Σ y_n cos(…)), the DCT taken
before the log (of the raw energies).

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
from examprep.solver.expr import Func, Mat, Num, Sym
from examprep.solver.ops import sqrt
from examprep.solver.step import Derivation

NICE = (1.0, 2.0, 4.0, 5.0, 8.0, 10.0, 16.0, 20.0)


def dct_matrix(n: int) -> np.ndarray:
    """cos(πk(2n + 1)/(2N)), k rows, n columns, rounding noise below 1e-12 set to 0."""
    k, j = np.arange(n)[:, None], np.arange(n)[None, :]
    c = np.cos(np.pi * k * (2 * j + 1) / (2 * n))
    c[np.abs(c) < 1e-12] = 0.0
    return c


def scales(n: int) -> np.ndarray:
    """Orthonormal scales √(1/N) for c_0 and √(2/N) for the others."""
    s = np.full(n, np.sqrt(2 / n))
    s[0] = np.sqrt(1 / n)
    return s


def mfcc(y: Any, ortho: bool = True) -> np.ndarray:
    y = np.asarray(y, dtype=float)
    raw = dct_matrix(len(y)) @ y
    return scales(len(y)) * raw if ortho else 2 * raw


class MFCC(ProblemType):
    id = "audio/mfcc-v1"
    title = "MFCCs from mel energies (log, then DCT)"
    catalog = "seed_000_001 H3"
    reference_entry = "examprep.reference.audio:mfcc"
    params = (Param("energies", "vector", "mel filterbank energies (positive)", lo=1e-12, hi=1e12),)
    parts = (
        Part("log_energies", "Natural log of each energy", "vector", mode="decdig", digits=4, final=False),
        Part("mfcc", "MFCCs c_0 … c_{N−1}", "vector", mode="decdig", digits=4, uses=("log_energies",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        if difficulty == "easy":
            e = [NICE[int(i)] for i in rng.integers(len(NICE), size=4)]
        elif difficulty == "medium":
            e = [float(v) for v in rng.integers(1, 31, size=int(rng.choice((4, 5))))]
        else:
            e = [round(float(v), 1) for v in rng.uniform(0.1, 50, size=int(rng.choice((6, 8))))]
        return dict(energies=tuple(e))

    def check(self, p: Params) -> list[str]:
        if not 2 <= len(p.energies) <= 64:
            raise ParamError(f"energies: give 2 to 64 values (got {len(p.energies)})")
        if any(e <= 0 for e in p.energies):
            raise ParamError("energies: every energy must be positive (its log is taken)")
        return []

    def degenerate(self, p: Params) -> str | None:
        if len(set(p.energies)) == 1:
            return "all energies are equal"
        return near_miss(self.solve(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        return [
            "A frame's mel filterbank energies are ", list(p.energies), r". Take the natural log $y_n = \ln E_n$ "
            r"of each, then the orthonormal DCT-II of all $N$ of them: $c_k = s_k \sum_{n=0}^{N-1} y_n "
            r"\cos(\frac{\pi k (2n + 1)}{2N})$ with $s_0 = \sqrt{\frac{1}{N}}$ and $s_k = \sqrt{\frac{2}{N}}$ for "
            r"$k \ge 1$. Give the log energies and the MFCCs $c_0, \ldots, c_{N-1}$ to 4 decimal places."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        y = np.log(np.asarray(p.energies, dtype=float))
        return {"log_energies": y.tolist(), "mfcc": mfcc(carry(given, "log_energies", y)).tolist()}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        n = len(p.energies)
        d.add("Log energies", ans["log_energies"], lhs=Sym("y_n"), part="log_energies",
              substituted=Mat([[Func("ln", Num(e)) for e in p.energies]]), note=r"$y_n = \ln E_n$")
        c, y = dct_matrix(n), ans["log_energies"]
        rows = []
        for k in range(n):
            terms = [Num(y[j]) * Num(c[k, j]) for j in range(n) if c[k, j] != 0 and y[j] != 0]
            s = sum(terms[1:], terms[0]) if terms else Num(0)
            rows.append(sqrt(Num(1 if k == 0 else 2) / n) * s)
        d.add("DCT-II (orthonormal)", ans["mfcc"], lhs=Sym("c_k"), part="mfcc", substituted=Mat([rows]),
              note=r"$c_k = s_k \sum_n y_n \cos(\frac{\pi k (2n + 1)}{2N})$; the cosines are shown as numbers")
        d.answer = "MFCC = [" + ", ".join(f"{v:.4f}" for v in ans["mfcc"]) + "]"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return visible(self.solve(p), self.all_mistakes(p))

    def all_mistakes(self, p: Params) -> dict[str, Mistake]:
        """Every named mistake, whether or not it shows on these parameters."""
        e = np.asarray(p.energies, dtype=float)
        y = np.log(e)
        return {
            "log10": Mistake({"log_energies": np.log10(e).tolist(), "mfcc": mfcc(np.log10(e)).tolist()},
                             "MFCCs use the natural log, ln, not log10."),
            "unnormalised_dct": Mistake({"mfcc": mfcc(y, ortho=False).tolist()},
                                        "Use the orthonormal DCT-II: scale c_0 by √(1/N) and the others by √(2/N) "
                                        "(not 2)."),
            "dct_before_log": Mistake({"mfcc": mfcc(e).tolist()},
                                      "Take the log of the energies first, then the DCT of the log energies."),
        }
