"""Convolutional networks: output sizes, parameter counts, receptive fields, shape chains, forward passes."""

from examprep.registry import register

register("cnn/conv_output_size-v1", "examprep.problems.cnn.conv_output_size:ConvOutputSize",
         title="Conv2d output shape", parts=("h_out", "w_out", "c_out"), catalog="seed_003 A1; seed_004 C4")
register("cnn/pool_output_size-v1", "examprep.problems.cnn.pool_output_size:PoolOutputSize",
         title="MaxPool2d output shape", parts=("h_out", "w_out", "c_out"), catalog="seed_003 A2; seed_004 C3")
register("cnn/transposed_conv_output_size-v1",
         "examprep.problems.cnn.transposed_conv_output_size:TransposedConvOutputSize",
         title="ConvTranspose2d output size", parts=("h_out", "w_out"), catalog="seed_003 A1; seed_004 C4")
register("cnn/conv_param_count-v1", "examprep.problems.cnn.conv_param_count:ConvParamCount",
         title="Conv2d parameter count", parts=("weights", "biases", "total"), catalog="seed_003 A3; seed_004 C5")
register("cnn/receptive_field-v1", "examprep.problems.cnn.receptive_field:ReceptiveField",
         title="Receptive field of a layer stack", parts=("rf", "jump"),
         catalog="seed_004 C9; seed_000_001 C5; seed_002 E5")
register("cnn/conv2d_forward-v1", "examprep.problems.cnn.conv2d_forward:Conv2dForward",
         title="Conv2d forward pass by hand", parts=("pre_activation", "post_relu", "output"),
         catalog="seed_004 C2, C3; seed_002 E2, E3")
register("cnn/shape_chain-v1", "examprep.problems.cnn.shape_chain:ShapeChain",
         title="CNN shape and parameter trace", parts=("shapes", "flatten", "params", "total"),
         catalog="seed_003 A4; seed_004 C6, C7")
register("cnn/pooling_values-v1", "examprep.problems.cnn.pooling_values:PoolingValues",
         title="Max, average and L2 pooling by hand", parts=("max", "avg", "l2", "feature_l2"),
         catalog="seed_004 C3; seed_002 E3")
register("cnn/unpooling-v1", "examprep.problems.cnn.unpooling:Unpooling",
         title="Max pooling with indices and upsampling (nearest, bed of nails, max unpooling)",
         parts=("pooled", "indices", "nearest", "bed_of_nails", "max_unpool"), catalog="seed_000_001 C4")
register("cnn/residual_block-v1", "examprep.problems.cnn.residual_block:ResidualBlock",
         title="Residual block with 1×1 convolutions", parts=("a1", "F", "H"), catalog="seed_004 C11")
