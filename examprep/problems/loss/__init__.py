"""Losses: softmax cross-entropy (smoothing, LM head), binary cross-entropy, regression losses."""

from examprep.registry import register

register("loss/softmax_ce-v1", "examprep.problems.loss.softmax_ce:SoftmaxCE",
         title="Softmax cross-entropy (label smoothing, LM head W h + b)",
         parts=("logits", "probs", "target_dist", "loss", "pred"),
         catalog="seed_004 A10; seed_002 A1, D4; seed_003 B7")
register("loss/bce-v1", "examprep.problems.loss.bce:BCE", title="Binary cross-entropy",
         parts=("terms", "loss"), catalog="seed_002 A1; seed_004 A6")
register("loss/regression-v1", "examprep.problems.loss.regression:Regression",
         title="Regression losses: MSE, MAE and Huber", parts=("residuals", "mse", "mae", "huber"),
         catalog="seed_002 A2")
register("loss/ce_gradient-v1", "examprep.problems.loss.ce_gradient:CEGradient",
         title="Gradient of softmax cross-entropy and one SGD step",
         parts=("probs", "loss", "grad_z", "grad_W", "W_new", "loss_new"), catalog="seed_000_001 B7")
register("loss/ce_vs_se-v1", "examprep.problems.loss.ce_vs_se:CEvsSE",
         title="Cross-entropy vs squared error: gradients at a sigmoid output",
         parts=("f", "grad_ce", "grad_se", "ratio"), catalog="seed_004 A7")
register("loss/logistic_regression-v1", "examprep.problems.loss.logistic_regression:LogisticRegression",
         title="Logistic regression: likelihood, −ln L, gradient and one step",
         parts=("f", "likelihood", "nll", "grad_w", "grad_b", "w_new", "b_new"), catalog="seed_004 A6")
