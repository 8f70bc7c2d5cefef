"""Latent-variable models: K-means, Gaussian mixtures with EM, the ELBO, VAEs, PCA and vector quantisation."""

from examprep.registry import register

register("latent/kmeans_step-v1", "examprep.problems.latent.kmeans_step:KMeansStep",
         title="One K-means (Lloyd) step",
         parts=("sq_dists", "labels", "centroids", "inertia_before", "inertia_after"), catalog="seed_000_001 E2")
