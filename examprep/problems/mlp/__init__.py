"""Neurons and MLPs: perceptrons, forward passes, activations, parameter counts, backpropagation."""

from examprep.registry import register

register("mlp/forward-v1", "examprep.problems.mlp.forward:Forward", title="Forward pass of a two-layer network",
         parts=("z1", "h", "z2", "output", "class"), catalog="seed_002 A4, A6; seed_004 A4; seed_000_001 A2, B5")
register("mlp/perceptron-v1", "examprep.problems.mlp.perceptron:Perceptron",
         title="Perceptron decisions and the augmented weight vector", parts=("scores", "labels", "w_aug"),
         catalog="seed_004 A1")
register("mlp/activations-v1", "examprep.problems.mlp.activations:Activations",
         title="Activation functions: values and derivatives", parts=("value", "derivative"),
         catalog="seed_002 A3; seed_004 B13")
register("mlp/param_count-v1", "examprep.problems.mlp.param_count:ParamCount",
         title="Parameters of a fully connected network (and the width a target error needs)",
         parts=("weights", "biases", "total", "layers", "width_needed"),
         catalog="seed_002 A5; seed_004 A5; seed_000_001 A2")
register("mlp/backprop-v1", "examprep.problems.mlp.backprop:Backprop",
         title="Backpropagation through a 2-2-1 sigmoid network",
         parts=("a1", "f", "loss", "delta2", "dW2", "db2", "dL_da1", "delta1", "dW1", "db1"),
         catalog="seed_004 A9; seed_002 B2")
register("mlp/finite_difference-v1", "examprep.problems.mlp.finite_difference:FiniteDifference",
         title="Finite-difference gradients and their cost",
         parts=("forward", "central", "exact", "passes_forward", "passes_central"), catalog="seed_002 B3")
register("mlp/sigmoid_chain-v1", "examprep.problems.mlp.sigmoid_chain:SigmoidChain",
         title="Vanishing gradients along a chain of sigmoid or tanh units", parts=("z", "derivs", "grad", "bound"),
         catalog="seed_002 B4")
register("mlp/pla_trace-v1", "examprep.problems.mlp.pla_trace:PLATrace", title="Perceptron learning algorithm trace",
         parts=("updates", "w_final", "n_updates"), catalog="seed_004 A2")
