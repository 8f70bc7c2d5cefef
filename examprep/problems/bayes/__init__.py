"""Bayes classification: discrete posteriors, Gaussian class-conditionals, naive Bayes, minimum risk, and the
Bayes-optimal denoiser of the diffusion lecture."""

from examprep.registry import register

register("bayes/discrete_posterior-v1", "examprep.problems.bayes.discrete_posterior:DiscretePosterior",
         title="Bayes posterior and MAP class (discrete)",
         parts=("joint", "evidence", "posterior", "map_class", "ml_class"), catalog="seed_003 1.1, C1; seed_004 E2")
register("bayes/gaussian_1d-v1", "examprep.problems.bayes.gaussian_1d:Gaussian1D",
         title="Bayes classification, 1-D Gaussian classes", parts=("likelihood", "posterior", "class"),
         catalog="seed_003 C1; seed_004 E2; seed_000 E3")
register("bayes/gaussian_1d_threshold-v1", "examprep.problems.bayes.gaussian_1d:Gaussian1DThreshold",
         title="Bayes decision threshold, two 1-D Gaussians with equal σ",
         parts=("likelihood", "posterior", "class", "threshold"), catalog="seed_003 C1; seed_004 E2; seed_000 E3")
register("bayes/gaussian_2d-v1", "examprep.problems.bayes.gaussian_2d:Gaussian2D",
         title="Bayes classification, 2-D Gaussian classes (linear / quadratic discriminants)",
         parts=("discriminant", "posterior", "class"), catalog="seed_003 C1; seed_004 E2; seed_000 E3")
register("bayes/min_risk-v1", "examprep.problems.bayes.min_risk:MinRisk",
         title="Minimum-risk Bayes decision with a loss matrix", parts=("risk", "action"), catalog="seed_003 C1")
register("bayes/optimal_denoiser-v1", "examprep.problems.bayes.optimal_denoiser:OptimalDenoiser",
         title="Ideal denoiser for a finite data set (posterior mean and ε*)",
         parts=("sq_dists", "weights", "denoised", "eps_star"), catalog="seed_000_001 I3")
register("bayes/naive_bayes-v1", "examprep.problems.bayes.naive_bayes:NaiveBayes",
         title="Naive Bayes with Laplace smoothing (categorical features)",
         parts=("priors", "conditionals", "posterior", "class"), catalog="seed_003 C1; seed_004 E2")
