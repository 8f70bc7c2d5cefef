"""GANs: losses, critics, distances, shapes, the optimal discriminator and the value of the game at it."""

from examprep.registry import register

register("gan/optimal_discriminator-v1", "examprep.problems.gan.optimal_discriminator:OptimalDiscriminator",
         title="Optimal GAN discriminator and the JSD", parts=("d_star", "jsd", "value"),
         catalog="seed_003 C3; seed_004 D3")
register("gan/bce_losses-v1", "examprep.problems.gan.bce_losses:BCELosses",
         title="GAN minibatch losses (BCE) and logit gradients",
         parts=("value", "loss_d", "loss_g_sat", "loss_g_ns", "grad_sat", "grad_ns"),
         catalog="seed_000_001 F1; seed_002 I1; seed_003 C2; seed_004 D1, D2")
register("gan/lsgan-v1", "examprep.problems.gan.lsgan:LSGAN", title="Least-squares GAN losses",
         parts=("loss_d", "loss_g"), catalog="seed_002 I3")
register("gan/wgan_critic-v1", "examprep.problems.gan.wgan_critic:WGANCritic",
         title="WGAN critic: distance estimate, losses and weight clipping",
         parts=("w_hat", "loss_c", "loss_g", "clipped"), catalog="seed_000_001 F3; seed_002 I4")
register("gan/mode_collapse-v1", "examprep.problems.gan.mode_collapse:ModeCollapse",
         title="Mode collapse: modes covered, entropy and KL to uniform",
         parts=("p_hat", "modes", "entropy", "kl_uniform"), catalog="seed_004 D5")
register("gan/wasserstein_1d-v1", "examprep.problems.gan.wasserstein_1d:Wasserstein1D",
         title="Earth mover's distance in 1-D and the JSD", parts=("w1", "jsd"),
         catalog="seed_000_001 F3; seed_002 I4; seed_004 D4")
register("gan/change_of_variables-v1", "examprep.problems.gan.change_of_variables:ChangeOfVariables",
         title="Density of a linear generator by the change of variables", parts=("z", "p_z", "abs_det", "p_x"),
         catalog="seed_003 X1")
register("gan/optimal_discriminator-v2", "examprep.problems.gan.optimal_discriminator_v2:OptimalDiscriminatorV2",
         title="Optimal GAN discriminator (discrete or Gaussian)", parts=("d_star", "jsd", "value", "boundary"),
         catalog="seed_003 C3; seed_004 D3")
register("gan/batch_features-v1", "examprep.problems.gan.batch_features:BatchFeatures",
         title="Feature matching and minibatch discrimination", parts=("mean_real", "mean_fake", "fm_loss", "o"),
         catalog="seed_002 I9; seed_003 X2")
register("gan/cycle_consistency-v1", "examprep.problems.gan.cycle_consistency:CycleConsistency",
         title="CycleGAN cycle-consistency loss", parts=("x_cycle", "y_cycle", "l_cyc", "total"),
         catalog="seed_000_001 F4")
register("gan/mask_blend-v1", "examprep.problems.gan.mask_blend:MaskBlend",
         title="Mask compositing (video GAN, inpainting)", parts=("known", "blend"), catalog="seed_000_001 F6")
register("gan/dcgan-v1", "examprep.problems.gan.dcgan:DCGAN",
         title="DCGAN generator shapes and parameter counts (conditional or not)",
         parts=("g_input", "proj_params", "shapes", "conv_params", "total", "d_input", "d_first_params"),
         catalog="seed_002 I8; seed_003 C4")
