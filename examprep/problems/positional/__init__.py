"""Positional encodings: sinusoidal (Vaswani et al.)."""

from examprep.registry import register

register("positional/sinusoidal-v1", "examprep.problems.positional.sinusoidal:Sinusoidal",
         title="Sinusoidal positional encoding", parts=("denominators", "pe", "z"),
         catalog="seed_003 B1, 1.8, 2.2; seed_002 H4")
