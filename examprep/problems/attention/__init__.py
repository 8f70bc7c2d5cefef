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
register("attention/luong-v1", "examprep.problems.attention.luong:Luong",
         title="Luong attention (dot, general, concat)", parts=("scores", "weights", "context"),
         catalog="seed_002 G5-G6; seed_003 B5")
register("attention/multihead_dims-v1", "examprep.problems.attention.multihead_dims:MultiheadDims",
         title="Multi-head attention sizes and parameter counts",
         parts=("d_head", "head_proj_params", "proj_params", "total", "head_shape", "score_shape", "score_entries"),
         catalog="seed_003 B6; seed_004 B7; seed_002 H3")
register("attention/softmax_temperature-v1",
         "examprep.problems.attention.softmax_temperature:SoftmaxTemperature",
         title="Softmax with temperature and top-k sampling", parts=("scaled", "probs", "argmax", "topk"),
         catalog="seed_000 B6; seed_003 B7")
register("attention/scaled_dot_product-v2", "examprep.problems.attention.scaled_dot_product_v2:ScaledDotProductV2",
         title="Scaled dot-product self-attention (tokens as rows or columns)",
         parts=("Q", "K", "V", "scores", "weights", "output", "residual_output"),
         catalog="seed_004 B6; seed_000_001 B3; seed_003 B2-B4; seed_002 H1-H2")
register("attention/luong-v2", "examprep.problems.attention.luong_v2:LuongV2",
         title="Luong attention, global or local-p",
         parts=("p_t", "window", "scores", "align", "gauss", "weights", "context"),
         catalog="seed_002 G5-G6; seed_003 B5")
