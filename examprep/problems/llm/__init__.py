"""Language-model training and alignment: sequence likelihoods, DPO, GRPO, BERT masking and QA spans, budgets."""

from examprep.registry import register

register("llm/sequence_nll-v1", "examprep.problems.llm.sequence_nll:SequenceNLL",
         title="Sequence likelihood, NLL, perplexity and bits per dimension",
         parts=("likelihood", "nll", "mean_nll", "perplexity", "bits_per_dim", "total_loss"),
         catalog="seed_002 G1, L4; seed_004 E1, B14; seed_000_001 B7")
register("llm/dpo_loss-v1", "examprep.problems.llm.dpo_loss:DPOLoss", title="DPO loss, implicit rewards and gradients",
         parts=("reward_w", "reward_l", "margin", "loss", "grad_w", "grad_l"), catalog="seed_000_001 B8")
register("llm/grpo_objective-v1", "examprep.problems.llm.grpo_objective:GRPOObjective",
         title="GRPO clipped objective", parts=("advantages", "clipped", "terms", "kl", "objective"),
         catalog="seed_000_001 B9")
register("llm/bert_masking-v1", "examprep.problems.llm.bert_masking:BertMasking",
         title="BERT masking and NSP: expected counts",
         parts=("selected", "masked", "random", "unchanged", "not_next"), catalog="seed_004 B9")
register("llm/bert_qa_span-v1", "examprep.problems.llm.bert_qa_span:BertQASpan",
         title="BERT question answering: start, end and best span",
         parts=("start_probs", "end_probs", "span", "span_prob"), catalog="seed_004 B10")
register("llm/training_budget-v1", "examprep.problems.llm.training_budget:TrainingBudget",
         title="Training budget: tokens per batch, steps, learning-rate schedule",
         parts=("tokens_per_batch", "steps", "lr"), catalog="seed_004 B11")
register("llm/glue_average-v1", "examprep.problems.llm.glue_average:GlueAverage",
         title="GLUE average and a missing score", parts=("average", "missing_score"), catalog="seed_004 B12")
