"""Latent-variable models: K-means, Gaussian mixtures with EM, the ELBO, VAEs, PCA and vector quantisation."""

from examprep.registry import register

register("latent/kmeans_step-v1", "examprep.problems.latent.kmeans_step:KMeansStep",
         title="One K-means (Lloyd) step",
         parts=("sq_dists", "labels", "centroids", "inertia_before", "inertia_after"), catalog="seed_000_001 E2")
register("latent/gmm_em_step-v1", "examprep.problems.latent.gmm_em_step:GMMEMStep",
         title="One EM step for a 1-D Gaussian mixture",
         parts=("resp", "n_k", "pi_new", "mu_new", "var_new", "loglik_before", "loglik_after"),
         catalog="seed_000_001 E3")
register("latent/elbo_discrete-v1", "examprep.problems.latent.elbo_discrete:ELBODiscrete",
         title="ELBO and its gap for a discrete latent variable",
         parts=("evidence", "log_evidence", "posterior", "recon", "kl_prior", "elbo", "gap"),
         catalog="seed_000_001 E4; seed_002 J3; seed_004 E3")
register("latent/vae_loss-v1", "examprep.problems.latent.vae_loss:VAELoss",
         title="VAE loss: reconstruction, KL, β-loss and ELBO", parts=("recon", "kl", "loss", "elbo"),
         catalog="seed_003 C9; seed_002 J2; seed_000_001 E5; seed_004 E6")
register("latent/vq_vae-v1", "examprep.problems.latent.vq_vae:VQVAE", title="VQ-VAE quantisation and its losses",
         parts=("sq_dists", "codes", "z_q", "codebook_loss", "commitment_loss", "vq_loss", "bits"),
         catalog="seed_000_001 E7; seed_002 J4")
