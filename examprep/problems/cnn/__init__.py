"""Convolutional networks: output sizes, parameter counts, receptive fields, shape chains, forward passes."""

from examprep.registry import register

register("cnn/conv_output_size-v1", "examprep.problems.cnn.conv_output_size:ConvOutputSize",
         title="Conv2d output shape", parts=("h_out", "w_out", "c_out"), catalog="seed_003 A1; seed_004 C4")
