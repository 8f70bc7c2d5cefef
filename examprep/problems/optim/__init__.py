"""Optimisers: gradient descent, momentum and Nesterov, AdaGrad, RMSprop, Adam, mini-batches."""

from examprep.registry import register

register("optim/gd-v1", "examprep.problems.optim.gd:GradientDescent",
         title="Gradient descent steps, stable learning rate and minimiser",
         parts=("grads", "iterates", "losses", "lr_max", "w_star"), catalog="seed_002 B1; seed_000_001 A1; seed_004 A3")
