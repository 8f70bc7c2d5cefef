"""Regularisation: L1/L2 penalties, dropout, early stopping, ensembles."""

from examprep.registry import register

register("regularization/penalty-v1", "examprep.problems.regularization.penalty:Penalty",
         title="L2 and L1 penalties: penalised loss, gradient step, optimum",
         parts=("omega", "penalized", "step", "optimum"), catalog="seed_002 D1")
register("regularization/dropout-v1", "examprep.problems.regularization.dropout:Dropout",
         title="Dropout: training and test outputs", parts=("train_output", "test_output", "expected_kept"),
         catalog="seed_002 D2; seed_004 C19")
register("regularization/early_stopping-v1", "examprep.problems.regularization.early_stopping:EarlyStopping",
         title="Early stopping: stopping epoch and restored epoch", parts=("stop_epoch", "best_epoch", "best_loss"),
         catalog="seed_002 D3")
register("regularization/ensemble-v1", "examprep.problems.regularization.ensemble:Ensemble",
         title="Ensembles: averaged error, bootstrap coverage, majority vote",
         parts=("ensemble_mse", "p_missed", "majority"), catalog="seed_002 D5")
