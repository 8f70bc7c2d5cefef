"""Contrastive and multimodal learning: CLIP zero-shot classification and loss, NT-Xent, EMA teachers, DINO, CoOp."""

from examprep.registry import register

register("contrastive/clip_zero_shot-v1", "examprep.problems.contrastive.clip_zero_shot:ClipZeroShot",
         title="CLIP zero-shot classification", parts=("class_emb", "cosines", "probs", "label"),
         catalog="seed_000_001 J3; seed_002 E11; seed_003 D1")
register("contrastive/clip_loss-v1", "examprep.problems.contrastive.clip_loss:ClipLoss",
         title="CLIP symmetric contrastive loss", parts=("S", "loss_i2t", "loss_t2i", "loss", "negatives"),
         catalog="seed_000_001 J3; seed_002 E12; seed_003 D2")
register("contrastive/nt_xent-v1", "examprep.problems.contrastive.nt_xent:NTXent", title="SimCLR NT-Xent loss",
         parts=("cos", "losses", "loss", "negatives"), catalog="seed_000_001 J1")
register("contrastive/ema_teacher-v1", "examprep.problems.contrastive.ema_teacher:EmaTeacher",
         title="EMA (momentum) teacher update", parts=("theta", "init_weight"), catalog="seed_000_001 J2")
register("contrastive/dino_loss-v1", "examprep.problems.contrastive.dino_loss:DinoLoss",
         title="DINO self-distillation loss and centring", parts=("P_t", "P_s", "loss", "center"),
         catalog="seed_002 L1")
register("contrastive/coop_params-v1", "examprep.problems.contrastive.coop_params:CoopParams",
         title="CoOp and CoCoOp trainable parameters", parts=("coop", "meta_net", "cocoop"), catalog="seed_002 E13")
register("contrastive/filip_similarity-v1", "examprep.problems.contrastive.filip_similarity:FilipSimilarity",
         title="FILIP token-wise similarity and FLIP masking", parts=("sim", "s_i2t", "s_t2i", "visible"),
         catalog="seed_002 L2")
register("contrastive/stair_sparse-v1", "examprep.problems.contrastive.stair_sparse:StairSparse",
         title="STAIR sparse vocabulary embedding", parts=("h", "nnz"), catalog="seed_002 L3")
register("contrastive/flamingo_gate-v1", "examprep.problems.contrastive.flamingo_gate:FlamingoGate",
         title="Flamingo gated cross-attention (tanh gate)", parts=("gate", "y"),
         catalog="seed_000_001 B3; seed_002 L5")
register("contrastive/tvlt_loss-v1", "examprep.problems.contrastive.tvlt_loss:TvltLoss",
         title="TVLT loss (VAM + masked MAE) and efficiency",
         parts=("p", "vam", "patch_mse", "mae", "total", "speedup", "size_ratio"), catalog="seed_003 D3")
