"""Transformers: parameter counts, patch tokens, rotary positions, attention costs, multi-head attention."""

from examprep.registry import register

register("transformer/param_count-v1", "examprep.problems.transformer.param_count:ParamCount",
         title="Transformer parameter count",
         parts=("attention", "ffn", "norms", "layer", "embeddings", "total", "head_params", "prefix_params",
                "prefix_percent"), catalog="seed_000_001 B2; seed_003 B6; seed_004 B7-B8")
register("transformer/patch_tokens-v1", "examprep.problems.transformer.patch_tokens:PatchTokens",
         title="Patch tokens and patch-embedding parameters",
         parts=("grid", "n_patches", "n_tokens", "patch_dim", "proj_params", "pos_params", "n_visible", "n_masked"),
         catalog="seed_000_001 C6; seed_003 A6, D4")
register("transformer/rope-v1", "examprep.problems.transformer.rope:Rope", title="Rotary position embedding (RoPE)",
         parts=("angles", "q_rot", "k_rot", "dot"), catalog="seed_000_001 B10")
register("transformer/attention_cost-v1", "examprep.problems.transformer.attention_cost:AttentionCost",
         title="Cost of attention: layers, video, Swin windows, fusion",
         parts=("attention_ops", "recurrent_ops", "full_pairs", "factorised_pairs", "windows", "msa", "wmsa",
                "early_pairs", "late_pairs", "ratio"), catalog="seed_000_001 B1; seed_002 H7; seed_004 C15")
register("transformer/multihead_forward-v1", "examprep.problems.transformer.multihead_forward:MultiheadForward",
         title="Multi-head self-attention forward pass", parts=("scores", "weights", "heads", "output"),
         catalog="seed_000_001 B3; seed_004 B6; seed_002 H3")
register("transformer/mrope_ids-v1", "examprep.problems.transformer.mrope_ids:MropeIds",
         title="M-RoPE position ids of a video after text", parts=("vision_ids", "next_id"),
         catalog="seed_000_001 B10")
register("transformer/euler_ode-v1", "examprep.problems.transformer.euler_ode:EulerODE",
         title="ResNets and attention as Euler steps of an ODE",
         parts=("trajectory", "x_final", "weights", "velocity", "x_next"), catalog="seed_000_001 A3")
