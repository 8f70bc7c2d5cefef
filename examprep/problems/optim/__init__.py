"""Optimisers: gradient descent, momentum and Nesterov, AdaGrad, RMSprop, Adam, mini-batches."""

from examprep.registry import register

register("optim/gd-v1", "examprep.problems.optim.gd:GradientDescent",
         title="Gradient descent steps, stable learning rate and minimiser",
         parts=("grads", "iterates", "losses", "lr_max", "w_star"), catalog="seed_002 B1; seed_000_001 A1; seed_004 A3")
register("optim/momentum-v1", "examprep.problems.optim.momentum:Momentum",
         title="SGD with momentum, Nesterov and weight decay", parts=("grads", "buf", "v", "lookahead", "iterates"),
         catalog="seed_002 C2, C3; seed_004 C17")
register("optim/adam-v1", "examprep.problems.optim.adam:Adam", title="Adam steps with bias correction",
         parts=("grads", "m", "v", "m_hat", "v_hat", "iterates"), catalog="seed_002 C6; seed_004 C17")
register("optim/rmsprop-v1", "examprep.problems.optim.rmsprop:RMSprop", title="RMSprop steps",
         parts=("grads", "r", "iterates"), catalog="seed_002 C5")
register("optim/adagrad-v1", "examprep.problems.optim.adagrad:Adagrad", title="AdaGrad steps",
         parts=("grads", "r", "iterates"), catalog="seed_002 C4")
register("optim/minibatch-v1", "examprep.problems.optim.minibatch:Minibatch",
         title="Batch, mini-batch and SGD gradients; iterations per epoch",
         parts=("per_sample", "full", "minibatch", "sgd", "iters"), catalog="seed_002 C1")
register("optim/training_loop-v1", "examprep.problems.optim.training_loop:TrainingLoop",
         title="Training-loop counts and input normalisation",
         parts=("iters_per_epoch", "total_iters", "prints", "test_batches", "normalized"), catalog="seed_004 C16")
register("optim/confusion_matrix-v1", "examprep.problems.optim.confusion_matrix:ConfusionMatrix",
         title="Accuracy, precision and recall from a confusion matrix", parts=("accuracy", "precision", "recall"),
         catalog="seed_004 C16")
