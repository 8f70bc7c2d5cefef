"""Diffusion models (DDPM/DDIM): noise schedules, the forward process, the posterior, reverse steps, the loss.

The Bayes-optimal denoiser is ``bayes/optimal_denoiser`` (not duplicated here).
"""

from examprep.registry import register

register("diffusion/noise_schedule-v1", "examprep.problems.diffusion.noise_schedule:NoiseSchedule",
         title="Noise schedule: α_t and ᾱ_t", parts=("beta", "alpha", "alpha_bar_table", "alpha_bar"),
         catalog="seed_004 F1, F11; seed_003 C11; seed_002 K2")
