"""Audio basics: sampling and aliasing, the DFT and STFT, mel filterbanks and MFCCs, causal convolutions."""

from examprep.registry import register

register("audio/nyquist-v1", "examprep.problems.audio.nyquist:Nyquist",
         title="Sampling rate, Nyquist frequency and aliasing", parts=("nyquist", "alias", "recoverable", "min_fs"),
         catalog="seed_000_001 H1")
register("audio/dft-v1", "examprep.problems.audio.dft:DFT", title="Discrete Fourier transform of a short signal",
         parts=("re", "im", "magnitude", "phase", "freqs"), catalog="seed_000_001 H2")
register("audio/stft_shape-v1", "examprep.problems.audio.stft_shape:StftShape",
         title="STFT frames, bins and frequency spacing", parts=("samples", "win", "hop", "frames", "bins", "df"),
         catalog="seed_000_001 H2")
register("audio/mel_scale-v1", "examprep.problems.audio.mel_scale:MelScale", title="Mel scale and mel filterbank edges",
         parts=("mel", "edges_mel", "edges_hz"), catalog="seed_000_001 H3")
register("audio/mfcc-v1", "examprep.problems.audio.mfcc:MFCC", title="MFCCs from mel energies (log, then DCT)",
         parts=("log_energies", "mfcc"), catalog="seed_000_001 H3")
register("audio/wavenet_rf-v1", "examprep.problems.audio.wavenet_rf:WavenetRF",
         title="Receptive field of dilated causal convolutions (WaveNet, TCN)", parts=("rf_stack", "rf", "rf_ms"),
         catalog="seed_000_001 H4")
register("audio/causal_conv-v1", "examprep.problems.audio.causal_conv:CausalConv",
         title="Dilated causal convolution and gated activation (WaveNet)", parts=("y", "g", "z"),
         catalog="seed_000_001 H4; seed_002 E6")
