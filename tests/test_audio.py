"""Audio types: the catalog's worked examples, the wrong values graded as named mistakes, validation, and the
batched references against solve on mixed batches."""

from __future__ import annotations

import pytest
from family_helpers import family_checks, mistake_named, right, solved

from examprep.errors import ParamError
from examprep.grader.score import grade_answers
from examprep.registry import make

IDS = ["audio/nyquist-v1", "audio/dft-v1", "audio/stft_shape-v1", "audio/mel_scale-v1",
       "audio/mfcc-v1", "audio/wavenet_rf-v1"]


test_reference_agrees, test_self_test_every_difficulty, test_reference_on_a_mixed_batch = family_checks(
    IDS, n=1200, batch=300)


# ---- nyquist: 5 kHz sampled at 8 kHz is heard at 3 kHz ----------------------------------------------------------

NY = "audio/nyquist-v1"


def test_nyquist_catalog_example_and_mistakes() -> None:
    pt, inst, ans = solved(NY, fs=8000, f=5000)
    assert ans == {"nyquist": 4000, "alias": 3000, "recoverable": "no", "min_fs": 10000}
    assert right(pt, inst, nyquist="4000", alias="3000", recoverable="no", min_fs="10000")
    assert mistake_named(pt, inst, "alias", "5000") == "no_folding"
    assert mistake_named(pt, inst, "nyquist", "8000") == "fs_as_limit"
    assert mistake_named(pt, inst, "recoverable", "yes") == "fs_as_limit"  # 5000 < 8000


@pytest.mark.parametrize("fs, f, alias", [(8000, 7000, 1000), (8000, 9000, 1000), (8000, 12000, 4000),
                                          (16000, 3000, 3000), (44100, 50000, 5900), (22050, 30000, 7950)])
def test_nyquist_folding(fs: int, f: int, alias: int) -> None:
    import numpy as np

    assert solved(NY, fs=fs, f=f)[2]["alias"] == alias
    # the samples of the tone and of the alias are the same
    n = np.arange(64)
    assert np.allclose(np.cos(2 * np.pi * f * n / fs), np.cos(2 * np.pi * alias * n / fs))


def test_nyquist_exactly_at_half_is_not_recoverable() -> None:
    pt, inst, ans = solved(NY, fs=8000, f=4000)
    assert ans["recoverable"] == "no" and ans["alias"] == 4000
    assert mistake_named(pt, inst, "recoverable", "yes") == "le_at_nyquist"
    assert solved(NY, fs=8000, f=3999)[2]["recoverable"] == "yes"


# ---- dft: x = [1, 2, 0, −1] -> X = [2, 1 − 3i, 0, 1 + 3i] --------------------------------------------------------

DFT = "audio/dft-v1"


def test_dft_catalog_example_and_mistakes() -> None:
    pt, inst, ans = solved(DFT, x=(1, 2, 0, -1), fs=8000)
    assert ans["re"] == [2, 1, 0, 1] and ans["im"] == [0, -3, 0, 3]
    assert ans["magnitude"] == pytest.approx([2, 3.162278, 0, 3.162278], abs=5e-7)
    assert ans["phase"] == pytest.approx([0, -71.565051, 0, 71.565051], abs=5e-6)
    assert ans["freqs"] == [0, 2000, 4000]
    assert right(pt, inst, magnitude="[2, 3.1623, 0, 3.1623]", phase="[0, -71.57, 0, 71.57]", freqs="[0, 2000, 4000]")
    assert mistake_named(pt, inst, "im", "[0, 3, 0, -3]") == "conjugate"
    assert mistake_named(pt, inst, "freqs", "[0, 4000, 8000]") == "spacing_half_n"
    assert mistake_named(pt, inst, "phase", "[0, -1.249046, 0, 1.249046]") == "radians"
    assert mistake_named(pt, inst, "magnitude", "[0.5, 0.790569, 0, 0.790569]") == "one_over_n"


def test_dft_wrong_real_part_carried_into_magnitude_and_phase_earns_the_ecf_credit() -> None:
    import math

    pt, inst, truth = solved(DFT, x=(1, 2, 0, -1), fs=8000)
    # Re X_1 written as 2 (it is 1): |X_1| = √(2² + 3²) and its phase atan2(−3, 2) follow from it
    mag, phase = math.hypot(2, -3), math.degrees(math.atan2(-3, 2))
    assert (round(mag, 4), round(phase, 2)) == (3.6056, -56.31)
    given = {"re": "[2, 2, 0, 1]", "im": "[0, -3, 0, 3]", "magnitude": "[2, 3.6056, 0, 3.1623]",
             "phase": "[0, -56.31, 0, 71.57]", "freqs": "[0, 2000, 4000]"}
    r = {p.name: p for p in grade_answers(pt, truth, given, pt.mistakes(inst.params), params=inst.params).parts}
    assert r["re"].verdict == "partial" and r["im"].verdict == "right"  # three of four entries right
    for part in ("magnitude", "phase"):
        assert (r[part].verdict, r[part].score) == ("carried", 0.5), part
        assert r[part].feedback.startswith("follows from your re = [2, 2, 0, 1], im = [0, -3, 0, 3]")
    # a phase that follows from nothing the student wrote stays wrong
    r2 = grade_answers(pt, truth, {**given, "phase": "[0, -60, 0, 71.57]"}, params=inst.params)
    assert {p.name: p.verdict for p in r2.parts}["phase"] == "partial"  # only the three exact entries count


def test_dft_eight_point_sine_and_numpy() -> None:
    import numpy as np

    _, _, ans = solved(DFT, x=(0, 1, 0, -1, 0, 1, 0, -1), fs=16)
    assert ans["im"] == pytest.approx([0, 0, -4, 0, 0, 0, 4, 0])
    assert ans["freqs"] == [0, 2, 4, 6, 8]  # the sine sits at 2·fs/8 = 4 Hz
    assert ans["phase"][2] == pytest.approx(-90)
    x = (3, -1, 2, 0, 1, -2, 0, 1)
    got = solved(DFT, x=x, fs=8)[2]
    X = np.fft.fft(x)
    assert got["re"] == pytest.approx(X.real.tolist(), abs=1e-12)
    assert got["im"] == pytest.approx(X.imag.tolist(), abs=1e-12)


def test_dft_phase_of_a_negative_real_bin_is_180() -> None:
    _, _, ans = solved(DFT, x=(0, 1, 0, 1), fs=4)  # X_2 = −2
    assert ans["re"][2] == -2 and ans["phase"][2] == 180


def test_dft_refuses_other_lengths() -> None:
    with pytest.raises(ParamError, match="4 or 8"):
        make(DFT).from_params(dict(x=(1, 2, 3), fs=8))


# ---- stft_shape: 1 s at 16 kHz, 25 ms / 10 ms, n_fft 512 -> 98 frames (101 centred), 257 bins, 31.25 Hz -----------

STFT = "audio/stft_shape-v1"
H2 = dict(fs=16000, duration=1.0, win_ms=25.0, hop_ms=10.0)


def test_stft_shape_catalog_example_and_mistakes() -> None:
    pt, inst, ans = solved(STFT, n_fft=512, **H2)
    assert ans == {"samples": 16000, "win": 400, "hop": 160, "frames": 98, "bins": 257, "df": 31.25}
    assert right(pt, inst, frames="98", bins="257", df="31.25")
    assert mistake_named(pt, inst, "frames", "97") == "frames_by_n_fft"  # 1 + ⌊(16000 − 512)/160⌋
    assert mistake_named(pt, inst, "bins", "512") == "n_fft_bins"
    assert mistake_named(pt, inst, "df", "40") == "spacing_by_window"
    _, _, centred = solved(STFT, n_fft=512, center=True, **H2)
    assert centred["frames"] == 101
    _, _, n400 = solved(STFT, n_fft=400, **H2)
    assert (n400["frames"], n400["bins"]) == (98, 201)


def test_stft_shape_matches_torch_and_scipy() -> None:
    import numpy as np
    import torch
    from scipy import signal

    spec = torch.stft(torch.zeros(16000), 512, hop_length=160, win_length=400, window=torch.hann_window(400),
                      center=True, return_complex=True)
    assert tuple(spec.shape) == (257, 101)
    _, _, z = signal.stft(np.zeros(16000), nperseg=400, noverlap=240, nfft=512, boundary=None, padded=False)
    assert z.shape == (257, 98)
    # torch.stft(center=False) frames by n_fft: the 97 of the named mistake
    spec = torch.stft(torch.zeros(16000), 512, hop_length=160, win_length=400, window=torch.hann_window(400),
                      center=False, return_complex=True)
    assert spec.shape[1] == 97


def test_stft_shape_refuses_fractional_windows_and_small_ffts() -> None:
    with pytest.raises(ParamError, match="whole number"):
        make(STFT).from_params(dict(fs=22050, duration=1.0, win_ms=25.0, hop_ms=10.0, n_fft=1024))
    with pytest.raises(ParamError, match="at least the window"):
        make(STFT).from_params(dict(n_fft=256, **H2))


# ---- mel_scale: 1000 Hz -> 999.99 mel; three filters on 0–4 kHz ---------------------------------------------------

MEL = "audio/mel_scale-v1"


def test_mel_scale_catalog_example_and_mistakes() -> None:
    pt, inst, ans = solved(MEL, f=1000, f_min=0, f_max=4000, n_filters=3)
    assert ans["mel"] == pytest.approx(999.99, abs=5e-3)
    assert ans["edges_mel"] == pytest.approx([0, 536.52, 1073.03, 1609.55, 2146.06], abs=5e-3)
    assert ans["edges_hz"] == pytest.approx([0, 426.80, 1113.84, 2219.77, 4000], abs=5e-3)
    assert right(pt, inst, mel="999.99", edges_hz="[0, 426.80, 1113.84, 2219.77, 4000]")
    assert mistake_named(pt, inst, "mel", "2302.55") == "ln_with_2595"
    assert mistake_named(pt, inst, "edges_hz", "[0, 1000, 2000, 3000, 4000]") == "steps_in_hz"
    assert mistake_named(pt, inst, "edges_mel", [0, 2146.06 / 3, 2 * 2146.06 / 3, 2146.06]) == "n_plus_one_edges"


@pytest.mark.parametrize("f, m", [(700, 781.17), (4000, 2146.06), (8000, 2840.02), (300, 401.97)])
def test_mel_scale_catalog_values_and_the_ln_form(f: float, m: float) -> None:
    import math

    got = solved(MEL, f=f, f_max=8000, n_filters=3)[2]["mel"]
    assert got == pytest.approx(m, abs=5e-3)
    assert got == pytest.approx(2595 / math.log(10) * math.log1p(f / 700))


def test_mel_scale_refuses_an_empty_range() -> None:
    with pytest.raises(ParamError, match="below"):
        make(MEL).from_params(dict(f=100, f_min=4000, f_max=4000, n_filters=3))


# ---- mfcc: energies [10, 4, 2, 1] -> [2.191013, 1.691800, 0.111572, 0.170255] --------------------------------------

MFCC = "audio/mfcc-v1"


def test_mfcc_catalog_example_and_mistakes() -> None:
    import numpy as np
    from scipy.fft import dct

    pt, inst, ans = solved(MFCC, energies=(10, 4, 2, 1))
    assert ans["log_energies"] == pytest.approx([2.302585, 1.386294, 0.693147, 0], abs=5e-7)
    assert ans["mfcc"] == pytest.approx([2.191013, 1.691800, 0.111572, 0.170255], abs=5e-7)
    assert right(pt, inst, mfcc="[2.1910, 1.6918, 0.1116, 0.1703]")
    y = np.log([10, 4, 2, 1])
    assert mistake_named(pt, inst, "mfcc", dct(np.log10([10, 4, 2, 1]), norm="ortho").tolist()) == "log10"
    assert mistake_named(pt, inst, "mfcc", dct(y).tolist()) == "unnormalised_dct"
    assert mistake_named(pt, inst, "mfcc", dct(np.array([10.0, 4, 2, 1]), norm="ortho").tolist()) == "dct_before_log"


def test_mfcc_matches_scipy_orthonormal_dct() -> None:
    import numpy as np
    from scipy.fft import dct

    pt = make(MFCC)
    for s in range(10):
        p = pt.generate(s, "hard").params
        want = dct(np.log(p.energies), type=2, norm="ortho")
        assert pt.solve(p)["mfcc"] == pytest.approx(want.tolist(), abs=1e-12)


def test_mfcc_refuses_a_zero_energy() -> None:
    with pytest.raises(ParamError, match="energies"):
        make(MFCC).from_params(dict(energies=(1, 0, 2)))


# ---- wavenet_rf: k = 2, dilations 1 … 512: 1024 samples = 64 ms at 16 kHz; three stacks 3070 (not 3072) ----------

WN = "audio/wavenet_rf-v1"
DIL = tuple(2 ** i for i in range(10))


def test_wavenet_rf_catalog_example_and_mistakes() -> None:
    pt, inst, ans = solved(WN, k=2, dilations=DIL, stacks=1, fs=16000)
    assert ans == {"rf_stack": 1024, "rf": 1024, "rf_ms": 64.0}
    pt, inst, ans = solved(WN, k=2, dilations=DIL, stacks=3, fs=16000)
    assert ans["rf"] == 3070
    assert right(pt, inst, rf_stack="1024", rf="3070", rf_ms="191.88")
    assert mistake_named(pt, inst, "rf", "3072") == "stacks_times_stack"
    assert mistake_named(pt, inst, "rf", "3069") == "plus_one_forgotten"


def test_wavenet_rf_tcn_block_and_dilations_up_to_1024() -> None:
    pt, inst, ans = solved(WN, k=3, dilations=(1, 2, 4), stacks=1, convs=2, fs=8000)
    assert ans["rf_stack"] == 1 + 2 * 2 * 7 == ans["rf"]
    assert mistake_named(pt, inst, "rf", str(1 + 2 * 7)) == "second_conv_forgotten"
    big = solved(WN, k=2, dilations=DIL + (1024,), stacks=1, fs=16000)[2]
    assert big["rf"] == 2048


def test_wavenet_rf_matches_a_conv1d_stack() -> None:
    import torch
    import torch.nn.functional as F

    x = torch.zeros(1, 1, 200, requires_grad=True)
    y = x
    for d in (1, 2, 4, 8):
        y = F.conv1d(y, torch.ones(1, 1, 3), dilation=d)
    y[0, 0, -1].backward()
    assert int((x.grad != 0).sum()) == solved(WN, k=3, dilations=(1, 2, 4, 8), fs=16000)[2]["rf"]


def test_wavenet_rf_refuses_dilations_above_1024() -> None:
    with pytest.raises(ParamError, match="dilations"):
        make(WN).from_params(dict(k=2, dilations=(1, 2048), fs=16000))
