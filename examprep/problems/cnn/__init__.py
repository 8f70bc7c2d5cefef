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
register("cnn/resnet_params-v1", "examprep.problems.cnn.resnet_params:ResNetParams",
         title="ResNet block parameters (basic or bottleneck)",
         parts=("conv_params", "bn_params", "shortcut_params", "total"), catalog="seed_004 C11, C12")
register("cnn/densenet_block-v1", "examprep.problems.cnn.densenet_block:DenseNetBlock",
         title="DenseNet dense block: channels, connections, weights",
         parts=("inputs", "out_channels", "connections", "conv_weights"), catalog="seed_004 C13")
register("cnn/inception_module-v1", "examprep.problems.cnn.inception_module:InceptionModule",
         title="Inception module: depth, MACs and parameters", parts=("depth", "macs", "params"),
         catalog="seed_004 C10")
register("cnn/fc_lc_conv_params-v1", "examprep.problems.cnn.fc_lc_conv_params:FcLcConvParams",
         title="Fully connected vs locally connected vs convolutional parameters",
         parts=("fc", "lc", "conv", "conv3d", "ratio"), catalog="seed_004 C1")
register("cnn/conv_param_count-v2", "examprep.problems.cnn.conv_param_count_v2:ConvParamCountV2",
         title="Conv2d parameters, MACs and the dense layer it replaces",
         parts=("weights", "biases", "total", "macs", "dense_params"), catalog="seed_002 E4; seed_004 C5, C1")
