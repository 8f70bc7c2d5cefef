"""Neurons and MLPs: perceptrons, forward passes, activations, parameter counts, backpropagation."""
