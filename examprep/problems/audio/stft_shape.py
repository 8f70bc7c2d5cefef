"""The shape of a short-time Fourier transform: samples per window and hop, frames, frequency bins and spacing.

Catalog: seed_000_001 H2 (1 s at 16 kHz, 25 ms windows, 10 ms hop, n_fft = 512: 98 frames without padding, 101
centred, 257 bins, Δf = 31.25 Hz; 97 frames is the count of windows n_fft long).

Parameters:
    fs: the sampling rate (Hz). duration: the signal's length (s). win_ms, hop_ms: window and hop (ms). n_fft: the
    FFT size (even, at least the window). center: n_fft/2 zeros padded on each side (torch/librosa center=True).

Answer parts: ``samples`` (L = fs·duration), ``win`` and ``hop`` (in samples), ``frames`` (uncentred: windows of
win samples inside the signal, 1 + ⌊(L − win)/hop⌋, each zero-padded to n_fft; centred: 1 + ⌊L/hop⌋), ``bins``
(n_fft/2 + 1) and ``df`` (fs/n_fft).

Reference: the output shape of ``torch.stft(center=True)`` (centred) or of ``unfold`` windows of win samples put
through ``torch.fft.rfft(n=n_fft)`` (uncentred; the tests check it against ``scipy.signal.stft(boundary=None,
padded=False)``), on a zero signal of L samples (examprep.reference.audio:stft_shape).

Common mistakes: frames counted with windows n_fft long (what ``torch.stft(center=False)`` does), the + 1
forgotten, n_fft bins, the spacing fs/win.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.solver.expr import Num, Sym
from examprep.solver.ops import floor
from examprep.solver.step import Derivation

MAX_SAMPLES = 10_000_000


def whole(x: float, what: str) -> int:
    """``x`` as an integer, or a ParamError naming ``what``."""
    if abs(x - round(x)) > 1e-9:
        raise ParamError(f"{what} is {x:g} samples: choose values that give a whole number")
    return int(round(x))


def sizes(p: Params) -> tuple[int, int, int]:
    """(L, win, hop) in samples."""
    return (whole(p.fs * p.duration, "fs·duration"), whole(p.fs * p.win_ms / 1000, "the window"),
            whole(p.fs * p.hop_ms / 1000, "the hop"))


class StftShape(ProblemType):
    id = "audio/stft_shape-v1"
    title = "STFT frames, bins and frequency spacing"
    catalog = "seed_000_001 H2"
    reference_entry = "examprep.reference.audio:stft_shape"
    params = (
        Param("fs", "int", "sampling rate in Hz", lo=1, hi=1_000_000),
        Param("duration", "real", "signal length in seconds", lo=1e-3, hi=60),
        Param("win_ms", "real", "window length in ms", lo=0.01, hi=10_000),
        Param("hop_ms", "real", "hop length in ms", lo=0.01, hi=10_000),
        Param("n_fft", "int", "FFT size (even, at least the window)", lo=2, hi=1_000_000),
        Param("center", "bool", "pad n_fft/2 zeros on each side", default=False),
    )
    parts = (
        Part("samples", "Samples in the signal", "integer", final=False),
        Part("win", "Window length in samples", "integer", final=False),
        Part("hop", "Hop length in samples", "integer", final=False),
        Part("frames", "Number of frames", "integer", uses=("samples", "win", "hop")),
        Part("bins", "Frequency bins per frame", "integer"),
        Part("df", "Bin spacing (Hz)", "real", mode="decdig", digits=4),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = lambda opts: opts[int(rng.integers(len(opts)))]  # noqa: E731
        if difficulty == "easy":
            return dict(fs=16000, duration=1.0, win_ms=25.0, hop_ms=10.0, n_fft=pick((400, 512)),
                        center=bool(rng.random() < 0.5))
        fs = pick((8000, 16000)) if difficulty == "medium" else pick((8000, 16000, 32000, 48000))
        win_ms = pick((20.0, 25.0, 32.0))
        hop_ms = pick((10.0, 5.0, 12.5)) if difficulty == "hard" else 10.0
        duration = pick((0.5, 1.0, 2.0)) if difficulty == "medium" else pick((0.75, 1.5, 2.0, 3.0))
        win = fs * win_ms / 1000
        n_fft = int(2 ** np.ceil(np.log2(win))) * pick((1, 2))
        return dict(fs=fs, duration=duration, win_ms=win_ms, hop_ms=hop_ms, n_fft=n_fft,
                    center=bool(rng.random() < 0.5))

    def check(self, p: Params) -> list[str]:
        length, win, hop = sizes(p)
        if length > MAX_SAMPLES:
            raise ParamError(f"the signal has {length} samples; at most {MAX_SAMPLES}")
        if win < 1 or hop < 1:
            raise ParamError("window and hop need at least one sample each")
        if p.n_fft % 2 or p.n_fft < win:
            raise ParamError(f"n_fft = {p.n_fft}: give an even FFT size of at least the window ({win} samples)")
        if not p.center and win > length:
            raise ParamError(f"the window ({win} samples) is longer than the signal ({length})")
        return []

    def statement(self, p: Params) -> list[Any]:
        pad = (r"centred: $\frac{n_{\text{fft}}}{2}$ zeros are padded on each side of the signal first"
               if p.center else "not centred: every frame lies inside the signal (no padding)")
        return [
            f"A signal of {p.duration:g} s sampled at $f_s = {p.fs}$ Hz is cut into windows of {p.win_ms:g} ms "
            f"with a hop of {p.hop_ms:g} ms; each window is zero-padded to $n_{{\\text{{fft}}}} = {p.n_fft}$ and "
            f"transformed (the STFT is {pad}). Give the number of samples, the window and hop in samples, the "
            "number of frames, the number of one-sided frequency bins per frame, and the bin spacing in Hz."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        length, win, hop = sizes(p)
        n, w, h = (int(round(carry(given, k, v))) for k, v in (("samples", length), ("win", win), ("hop", hop)))
        frames = 1 + n // h if p.center else 1 + (n - w) // h  # from the student's counts when given
        return {"samples": length, "win": win, "hop": hop, "frames": frames, "bins": p.n_fft // 2 + 1,
                "df": p.fs / p.n_fft}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        FS = Num(p.fs)
        L, W, H = Sym("L"), Sym("win", tex=r"\text{win}"), Sym("hop", tex=r"\text{hop}")
        d.add("Samples", ans["samples"], lhs=L, substituted=FS * Num(p.duration), part="samples",
              note=r"$L = f_s \cdot T$")
        d.add("Window", ans["win"], lhs=W, substituted=FS * Num(p.win_ms) / 1000, part="win")
        d.add("Hop", ans["hop"], lhs=H, substituted=FS * Num(p.hop_ms) / 1000, part="hop")
        length, win, hop = Num(ans["samples"]), Num(ans["win"]), Num(ans["hop"])
        if p.center:
            d.add("Frames (centred)", ans["frames"], lhs=Sym("n_frames", tex=r"n_{\text{frames}}"), part="frames",
                  substituted=1 + floor(length / hop),
                  note=r"$1 + \lfloor \frac{L}{\text{hop}} \rfloor$: the padding puts a frame centre at every hop")
        else:
            d.add("Frames (no padding)", ans["frames"], lhs=Sym("n_frames", tex=r"n_{\text{frames}}"),
                  part="frames", substituted=1 + floor((length - win) / hop),
                  note=r"$1 + \lfloor \frac{L - \text{win}}{\text{hop}} \rfloor$: windows of win samples that fit "
                       "in the signal (each is zero-padded to $n_{\\text{fft}}$ afterwards)")
        d.add("Bins", ans["bins"], lhs=Sym("n_bins", tex=r"n_{\text{bins}}"), part="bins",
              substituted=Num(p.n_fft) / 2 + 1,
              note=r"$\frac{n_{\text{fft}}}{2} + 1$ one-sided bins, 0 to $\frac{f_s}{2}$")
        d.add("Bin spacing", ans["df"], lhs=Sym("df", tex=r"\Delta f"), part="df", substituted=FS / Num(p.n_fft),
              note=r"$\Delta f = \frac{f_s}{n_{\text{fft}}}$")
        d.answer = f"{ans['frames']} frames × {ans['bins']} bins, Δf = {ans['df']:g} Hz"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        t = self.solve(p)
        length, win, hop = sizes(p)
        m: dict[str, Mistake] = {}
        if not p.center and p.n_fft != win and p.n_fft <= length:
            m["frames_by_n_fft"] = Mistake({"frames": 1 + (length - p.n_fft) // hop},
                                           "The frames are windows of win samples, zero-padded to n_fft after "
                                           "cutting: count 1 + ⌊(L − win)/hop⌋, not with n_fft.")
        plus = (length // hop) if p.center else (length - win) // hop
        if plus != m.get("frames_by_n_fft", Mistake({"frames": None}, "")).answers["frames"]:
            m["plus_one_forgotten"] = Mistake({"frames": plus}, "Count the first frame too: 1 + ⌊…/hop⌋.")
        m["n_fft_bins"] = Mistake({"bins": p.n_fft},
                                  "A real signal's spectrum is symmetric: keep n_fft/2 + 1 bins (0 to fs/2).")
        if win != p.n_fft:
            m["spacing_by_window"] = Mistake({"df": p.fs / win},
                                             "The bins are fs/n_fft apart: the zero-padded frame has n_fft samples.")
        if t["frames"] in [mm.answers.get("frames") for mm in m.values()]:
            m = {k: v for k, v in m.items() if v.answers.get("frames") != t["frames"]}
        return m
