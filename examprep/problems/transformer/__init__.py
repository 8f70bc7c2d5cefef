"""Transformers: parameter counts, patch tokens, rotary positions, attention costs, multi-head attention."""

from examprep.registry import register

register("transformer/param_count-v1", "examprep.problems.transformer.param_count:ParamCount",
         title="Transformer parameter count",
         parts=("attention", "ffn", "norms", "layer", "embeddings", "total", "head_params", "prefix_params",
                "prefix_percent"), catalog="seed_000_001 B2; seed_003 B6; seed_004 B7-B8")
