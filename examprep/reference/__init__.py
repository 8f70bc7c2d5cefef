"""Independent torch reference implementations, one module per topic. Imported lazily (torch is heavy).

Each reference takes a list of parameter sets of one problem type and a torch device and returns one answers
dict per instance, computed a different way from ``solve`` (torch modules, torch.distributions, conv2d filters).
"""
