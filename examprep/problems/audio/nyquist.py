"""Sampling and aliasing: the Nyquist frequency, the frequency a tone is heard at after sampling, and the rate needed.

Catalog: seed_000_001 H1 (a 5 kHz tone sampled at 8 kHz is heard at 3 kHz; telephone speech at 8 kHz).

Parameters:
    fs: the sampling rate (Hz). f: the tone's frequency (Hz).

Answer parts: ``nyquist`` (fs/2), ``alias`` (f folded into [0, fs/2]: r = f mod fs, then fs − r if r > fs/2),
``recoverable`` (yes only when f < fs/2 strictly) and ``min_fs`` (2f, the rate a sampler must exceed).

Conventions stated in the prompt: frequencies in Hz; a tone exactly at fs/2 is not recoverable (its samples depend
on the phase).

Reference: the peak bin of ``torch.fft.rfft`` of cos(2πfn/fs) over fs/g samples (g = gcd(fs, f), so the bins are g
Hz apart and the tone falls on one) (examprep.reference.audio:nyquist).

Common mistakes: fs taken as the limit, no folding (f mod fs), ≤ at fs/2.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.solver.expr import Num, Sym
from examprep.solver.ops import floor
from examprep.solver.step import Derivation


def fold(f: int, fs: int) -> int:
    """The frequency f is heard at after sampling at fs: f mod fs, reflected into [0, fs/2]."""
    r = f % fs
    return r if 2 * r <= fs else fs - r


class Nyquist(ProblemType):
    id = "audio/nyquist-v1"
    title = "Sampling rate, Nyquist frequency and aliasing"
    catalog = "seed_000_001 H1"
    reference_entry = "examprep.reference.audio:nyquist"
    params = (
        Param("fs", "int", "sampling rate in Hz", lo=2, hi=1_000_000),
        Param("f", "int", "tone frequency in Hz", lo=0, hi=10_000_000),
    )
    parts = (
        Part("nyquist", "Nyquist frequency (Hz)", "real", mode="decdig", digits=1),
        Part("alias", "Frequency heard after sampling (Hz)", "integer"),
        Part("recoverable", "Can the tone be recovered from the samples?", "choice", choices=("yes", "no"),
             uses=("nyquist",)),
        Part("min_fs", "Sampling rate the sampler must exceed (Hz)", "integer"),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = lambda opts: opts[int(rng.integers(len(opts)))]  # noqa: E731
        fs, step, top = {"easy": (pick((8000, 16000)), 1000, 1.0), "medium": (pick((8000, 16000, 22050)), 500, 2.0),
                         "hard": (pick((22050, 44100, 48000)), 50, 3.0)}[difficulty]
        if rng.random() < 0.15:
            return dict(fs=fs, f=fs // 2) if fs % 2 == 0 else dict(fs=fs, f=int(step * rng.integers(1, 10)))
        f = int(step * rng.integers(1, int(top * fs / step)))
        return dict(fs=fs, f=f)

    def degenerate(self, p: Params) -> str | None:
        if p.f == 0 or p.f % p.fs == 0:
            return "the tone is a multiple of fs (it aliases to 0 Hz)"
        return None

    def statement(self, p: Params) -> list[Any]:
        return [
            f"A tone of $f = {p.f}$ Hz is sampled at $f_s = {p.fs}$ Hz. Give the Nyquist frequency, the frequency "
            r"(in $[0, \frac{f_s}{2}]$) at which the sampled tone is heard, whether the tone can be recovered from "
            "the samples (yes or no; a tone exactly at the Nyquist frequency cannot), and the sampling rate a "
            "sampler would have to exceed to capture it."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        nyquist = carry(given, "nyquist", p.fs / 2)  # recoverable: strictly below the (student's) Nyquist frequency
        return {"nyquist": p.fs / 2, "alias": fold(p.f, p.fs), "recoverable": "yes" if p.f < nyquist else "no",
                "min_fs": 2 * p.f}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        F, FS = Num(p.f), Num(p.fs)
        d.add("Nyquist frequency", ans["nyquist"], lhs=Sym("f_N", tex=r"f_{\text{N}}"), part="nyquist",
              substituted=FS / 2, note=r"$f_{\text{N}} = \frac{f_s}{2}$")
        r = d.add("Remainder modulo the sampling rate", p.f % p.fs, lhs=Sym("r"),
                  substituted=F - FS * floor(F / FS),
                  note="sampling cannot tell $f$ from $f - k f_s$: only the remainder counts")
        if 2 * r <= p.fs:
            d.add("Heard frequency", ans["alias"], lhs=Sym("f_a", tex="f_a"), part="alias", substituted=Num(r),
                  note=r"$r \le \frac{f_s}{2}$, so it is heard at $r$")
        else:
            d.add("Heard frequency", ans["alias"], lhs=Sym("f_a", tex="f_a"), part="alias",
                  substituted=FS - Num(r), note=r"$r > \frac{f_s}{2}$: it folds back to $f_s - r$")
        d.add("Recoverable?", ans["recoverable"], lhs=Sym("ok", tex=r"\text{recoverable}"), part="recoverable",
              note=(f"{p.f} < {p.fs / 2:g}: below the Nyquist frequency" if ans["recoverable"] == "yes"
                    else f"{p.f} ≥ {p.fs / 2:g}: only tones strictly below the Nyquist frequency are recoverable"))
        d.add("Rate to exceed", ans["min_fs"], lhs=Sym("f_min", tex=r"f_{s,\min}"), part="min_fs",
              substituted=2 * F, note="the sampling rate must be more than twice the frequency: $f_s > 2f$")
        d.answer = f"heard at {ans['alias']} Hz; recoverable: {ans['recoverable']}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        t = self.solve(p)
        m: dict[str, Mistake] = {}
        if 2 * p.f == p.fs:  # first: the more specific reading of "yes" at exactly fs/2
            m["le_at_nyquist"] = Mistake({"recoverable": "yes"},
                                         "At exactly fs/2 the samples depend on the phase (they can all be 0): "
                                         "the tone must be strictly below fs/2.")
        wrong = {"nyquist": float(p.fs)}
        if (p.f < p.fs) != (t["recoverable"] == "yes"):
            wrong["recoverable"] = "yes" if p.f < p.fs else "no"
        m["fs_as_limit"] = Mistake(wrong, "The limit is half the sampling rate, fs/2, not fs.")
        if p.f % p.fs != t["alias"]:
            m["no_folding"] = Mistake({"alias": p.f % p.fs},
                                      "Above fs/2 the spectrum folds back: a remainder r > fs/2 is heard at fs − r.")
        return m
