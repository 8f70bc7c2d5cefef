"""Bayes classification: discrete posteriors, Gaussian class-conditionals, naive Bayes, minimum risk, and the
Bayes-optimal denoiser of the diffusion lecture."""

from examprep.registry import register

register("bayes/discrete_posterior-v1", "examprep.problems.bayes.discrete_posterior:DiscretePosterior",
         title="Bayes posterior and MAP class (discrete)",
         parts=("joint", "evidence", "posterior", "map_class", "ml_class"), catalog="seed_003 1.1, C1; seed_004 E2")
