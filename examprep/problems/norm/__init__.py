"""Normalisation: BatchNorm (train, running statistics, eval), the axes of BN/LN/IN/GN, residual LayerNorm,
adaptive normalisation (AdaIN, AdaGN, adaLN), and MMD for domain alignment."""

from examprep.registry import register

register("norm/batchnorm-v1", "examprep.problems.norm.batchnorm:BatchNorm",
         title="Batch normalisation: training step, running statistics, eval",
         parts=("mean", "var", "normalized", "output", "running_mean_after", "running_var_after", "eval_output"),
         catalog="seed_002 C7; seed_000_001 J4")
register("norm/residual_layernorm-v1", "examprep.problems.norm.residual_layernorm:ResidualLayerNorm",
         title="Residual connection and LayerNorm (post-LN)", parts=("residual", "mean", "var", "normalized", "output"),
         catalog="seed_000_001 B4; seed_002 H5")
register("norm/axes-v1", "examprep.problems.norm.axes:NormAxes",
         title="BatchNorm, LayerNorm, InstanceNorm, GroupNorm: axes, statistics, parameters",
         parts=("n_stats", "per_stat", "params", "normalized"), catalog="seed_002 C8")
register("norm/adaptive-v1", "examprep.problems.norm.adaptive:AdaptiveNorm",
         title="Adaptive normalisation: AdaIN, AdaGN, adaLN",
         parts=("mean", "std", "normalized", "style_mean", "style_std", "output"), catalog="seed_000_001 F5")
register("norm/mmd-v1", "examprep.problems.norm.mmd:MMD", title="Maximum mean discrepancy (linear or RBF kernel)",
         parts=("k_xx", "k_yy", "k_xy", "mmd2"), catalog="seed_000_001 J4")
