"""Attention: scaled dot-product self-attention, additive (Bahdanau) and Luong attention, multi-head sizes, softmax."""

from examprep.registry import register

register("attention/scaled_dot_product-v1", "examprep.problems.attention.scaled_dot_product:ScaledDotProduct",
         title="Scaled dot-product self-attention",
         parts=("Q", "K", "V", "scores", "weights", "output", "residual_output"),
         catalog="seed_003 B2-B4, 1.10-1.12; seed_002 H1-H2; seed_004 B6")
register("attention/bahdanau-v1", "examprep.problems.attention.bahdanau:Bahdanau",
         title="Additive (Bahdanau) attention",
         parts=("query_proj", "key_proj", "pre", "tanh", "scores", "weights", "context"),
         catalog="seed_003 B5, 1.9; seed_002 G5")
