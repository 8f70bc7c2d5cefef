"""Metrics of generative models and their outputs: FID, BLEU, Inception Score, segmentation IoU, MOS, top-k."""

from examprep.registry import register

register("metrics/fid-v1", "examprep.problems.metrics.fid:FID", title="Fréchet Inception Distance",
         parts=("cov_r", "cov_g", "mean_term", "sqrt_product", "trace_term", "fid"),
         catalog="seed_000_001 G2; seed_002 I6")
register("metrics/bleu-v1", "examprep.problems.metrics.bleu:BLEU", title="Sentence BLEU",
         parts=("c", "r", "precisions", "bp", "bleu"), catalog="seed_002 G3")
register("metrics/inception_score-v1", "examprep.problems.metrics.inception_score:InceptionScore",
         title="Inception Score", parts=("p_y", "kl", "inception_score"), catalog="seed_000_001 G1; seed_002 I5")
register("metrics/segmentation-v1", "examprep.problems.metrics.segmentation:Segmentation",
         title="Segmentation IoU, mIoU and pixel accuracy", parts=("iou", "miou", "pixel_acc"),
         catalog="seed_000_001 G3")
register("metrics/topk_error-v1", "examprep.problems.metrics.topk_error:TopKError",
         title="Top-k error and the ensemble's relative gain",
         parts=("hits", "error", "error_2", "error_ens", "rel_gain"), catalog="seed_004 C18")
register("metrics/mos-v1", "examprep.problems.metrics.mos:MOS", title="Mean opinion score and its 95 % interval",
         parts=("mos", "s", "half_width"), catalog="seed_000_001 G3")
