"""GANs: the optimal discriminator and the value of the game at it."""

from examprep.registry import register

register("gan/optimal_discriminator-v1", "examprep.problems.gan.optimal_discriminator:OptimalDiscriminator",
         title="Optimal GAN discriminator and the JSD", parts=("d_star", "jsd", "value"),
         catalog="seed_003 C3; seed_004 D3")
