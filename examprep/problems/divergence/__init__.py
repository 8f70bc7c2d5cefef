"""Divergences: KL (discrete, Gaussian, multivariate Gaussian, VAE), Jensen–Shannon."""

from examprep.registry import register

register("divergence/kl_discrete-v1", "examprep.problems.divergence.kl_discrete:KLDiscrete",
         title="KL divergence of two discrete distributions", parts=("terms", "kl"),
         catalog="seed_003 C8; seed_000_001 E1")
register("divergence/kl_discrete-v2", "examprep.problems.divergence.kl_discrete:KLDiscreteV2",
         title="KL divergence of two discrete distributions (possibly infinite)", parts=("terms", "kl"),
         catalog="seed_003 C8; seed_000_001 E1")
register("divergence/kl_gaussian-v1", "examprep.problems.divergence.kl_gaussian:KLGaussian",
         title="KL divergence of two univariate Gaussians", parts=("log_term", "frac_term", "kl"),
         catalog="seed_003 1.3, C6, C7; seed_002 K4")
register("divergence/kl_gaussian_mv-v1", "examprep.problems.divergence.kl_gaussian_mv:KLGaussianMV",
         title="KL divergence of two 2-D Gaussians",
         parts=("Sigma2_inv", "trace_term", "quad_term", "logdet_term", "kl"), catalog="seed_003 C7; seed_002 K4")
register("divergence/vae_kl-v1", "examprep.problems.divergence.vae_kl:VAEKL",
         title="VAE KL term and reparameterised sample", parts=("sigma", "kl_per_dim", "kl", "z"),
         catalog="seed_003 C5, C6; seed_004 E4, E5; seed_002 J2")
register("divergence/jsd-v1", "examprep.problems.divergence.jsd:JSD", title="Jensen–Shannon divergence",
         parts=("m", "kl_pm", "kl_qm", "jsd"), catalog="seed_004 D3; seed_003 C3")
