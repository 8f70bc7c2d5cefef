"""The mel scale (HTK) and the edges of a triangular mel filterbank.

Catalog: seed_000_001 H3 (1000 Hz → 999.99 mel, 2302.55 with ln in place of log10; three filters on 0–4 kHz have
edges [0, 536.52, 1073.03, 1609.55, 2146.06] mel = [0, 426.80, 1113.84, 2219.77, 4000] Hz).

Parameters:
    f: a frequency to convert (Hz). f_min, f_max: the filterbank's range (Hz). n_filters: the number of triangular
    filters.

Answer parts: ``mel`` (2595·log10(1 + f/700)), ``edges_mel`` (n_filters + 2 equally spaced points from mel(f_min)
to mel(f_max): each filter spans three consecutive edges) and ``edges_hz`` (the edges back in Hz,
700·(10^{m/2595} − 1)).

Reference: ``torch.log10``, ``torch.linspace`` in mel and ``torch.pow`` back to Hz
(examprep.reference.audio:mel_scale).

Common mistakes: ln with the constant 2595, n_filters + 1 edges, equal steps in Hz.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.gan.fair import near_miss
from examprep.solver.expr import Func, Mat, Num, Sym
from examprep.solver.step import Derivation


def mel(f: Any, log: Any = np.log10) -> np.ndarray:
    """HTK mel of ``f`` (Hz); ``log`` = np.log makes the ln mistake."""
    return 2595 * log(1 + np.asarray(f, dtype=float) / 700)


def hz(m: Any) -> np.ndarray:
    """The inverse: 700·(10^{m/2595} − 1)."""
    return 700 * (10 ** (np.asarray(m, dtype=float) / 2595) - 1)


class MelScale(ProblemType):
    id = "audio/mel_scale-v1"
    title = "Mel scale and mel filterbank edges"
    catalog = "seed_000_001 H3"
    reference_entry = "examprep.reference.audio:mel_scale"
    params = (
        Param("f", "real", "frequency to convert (Hz)", lo=0, hi=100_000),
        Param("f_min", "real", "lowest filterbank frequency (Hz)", lo=0, hi=100_000, default=0.0),
        Param("f_max", "real", "highest filterbank frequency (Hz)", lo=1, hi=100_000),
        Param("n_filters", "int", "number of triangular filters", lo=1, hi=128),
    )
    parts = (
        Part("mel", "f in mel", "real", mode="decdig", digits=2),
        Part("edges_mel", "Filter edges in mel", "vector", mode="decdig", digits=2),
        Part("edges_hz", "Filter edges in Hz", "vector", mode="decdig", digits=2, uses=("edges_mel",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = lambda opts: opts[int(rng.integers(len(opts)))]  # noqa: E731
        if difficulty == "easy":
            return dict(f=pick((300.0, 700.0, 1000.0, 4000.0, 8000.0)), f_min=0.0, f_max=4000.0, n_filters=3)
        if difficulty == "medium":
            return dict(f=float(100 * rng.integers(1, 81)), f_min=0.0, f_max=pick((4000.0, 8000.0)),
                        n_filters=pick((3, 4, 5)))
        return dict(f=float(50 * rng.integers(1, 221)), f_min=pick((0.0, 100.0, 300.0)),
                    f_max=pick((4000.0, 8000.0, 11025.0)), n_filters=pick((4, 5, 6)))

    def check(self, p: Params) -> list[str]:
        if p.f_min >= p.f_max:
            raise ParamError(f"f_min = {p.f_min:g} must be below f_max = {p.f_max:g}")
        return []

    def degenerate(self, p: Params) -> str | None:
        return near_miss(self.solve(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        return [
            r"Use the HTK mel scale $m = 2595 \cdot \log_{10}(1 + \frac{f}{700})$, whose inverse is "
            r"$f = 700 (10^{m / 2595} - 1)$. (a) Convert $f = " + f"{p.f:g}" + "$ Hz to mel. (b) A bank of "
            f"{p.n_filters} triangular filters covers {p.f_min:g}–{p.f_max:g} Hz; each filter spans three "
            "consecutive edges, and the edges are equally spaced in mel. Give all the edges in mel and in Hz, "
            "to 2 decimal places."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        em = np.linspace(mel(p.f_min), mel(p.f_max), p.n_filters + 2)
        with np.errstate(over="ignore"):  # a student's huge mel edge is an infinite frequency, not a warning
            edges_hz = hz(carry(given, "edges_mel", em))  # from the student's mel edges when given
        return {"mel": float(mel(p.f)), "edges_mel": em.tolist(), "edges_hz": edges_hz.tolist()}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        d.add("Convert f to mel", ans["mel"], lhs=Sym("m"), part="mel",
              substituted=2595 * Func("log10", 1 + Num(p.f) / 700),
              note=r"$m = 2595 \cdot \log_{10}(1 + \frac{f}{700})$")
        lo = d.add("Lower end in mel", float(mel(p.f_min)), lhs=Sym("m_lo", tex=r"m_{\min}"),
                   substituted=2595 * Func("log10", 1 + Num(p.f_min) / 700))
        hi = d.add("Upper end in mel", float(mel(p.f_max)), lhs=Sym("m_hi", tex=r"m_{\max}"),
                   substituted=2595 * Func("log10", 1 + Num(p.f_max) / 700))
        k = p.n_filters + 1
        d.add("Edges in mel", ans["edges_mel"], lhs=Sym("m_j"), part="edges_mel",
              substituted=Mat([[Num(lo) + Num(j) * (Num(hi) - Num(lo)) / k for j in range(k + 1)]]),
              note=rf"$n + 2 = {k + 1}$ points: $m_j = m_{{\min}} + j \frac{{m_{{\max}} - m_{{\min}}}}{{n + 1}}$")
        d.add("Edges in Hz", ans["edges_hz"], lhs=Sym("f_j"), part="edges_hz",
              substituted=Mat([[700 * (Num(10) ** (Num(m) / 2595) - 1)
                                for m in ans["edges_mel"]]]),
              note=r"$f_j = 700 (10^{m_j / 2595} - 1)$")
        d.answer = f"{ans['mel']:.2f} mel"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        lo_ln, hi_ln = mel(p.f_min, np.log), mel(p.f_max, np.log)
        em_ln = np.linspace(lo_ln, hi_ln, p.n_filters + 2)
        em1 = np.linspace(mel(p.f_min), mel(p.f_max), p.n_filters + 1)
        eh = np.linspace(p.f_min, p.f_max, p.n_filters + 2)
        m = {"ln_with_2595": Mistake({"mel": float(mel(p.f, np.log)), "edges_mel": em_ln.tolist()},
                                     "The constant 2595 goes with log10; with ln it is 1127."),
             "n_plus_one_edges": Mistake({"edges_mel": em1.tolist(), "edges_hz": hz(em1).tolist()},
                                         "n triangular filters need n + 2 edges: each filter spans three "
                                         "consecutive edges and neighbours share two."),
             "steps_in_hz": Mistake({"edges_mel": mel(eh).tolist(), "edges_hz": eh.tolist()},
                                    "The edges are equally spaced in mel, not in Hz: space them in mel, then "
                                    "convert back.")}
        if p.f == 0:
            m["ln_with_2595"] = Mistake({"edges_mel": em_ln.tolist()}, m["ln_with_2595"].feedback)
        return m
