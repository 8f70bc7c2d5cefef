"""Diffusion models (DDPM/DDIM): noise schedules, the forward process, the posterior, reverse steps, the loss.

The Bayes-optimal denoiser is ``bayes/optimal_denoiser`` (not duplicated here).
"""

from examprep.registry import register

register("diffusion/noise_schedule-v1", "examprep.problems.diffusion.noise_schedule:NoiseSchedule",
         title="Noise schedule: α_t and ᾱ_t", parts=("beta", "alpha", "alpha_bar_table", "alpha_bar"),
         catalog="seed_004 F1, F11; seed_003 C11; seed_002 K2")
register("diffusion/forward_step-v1", "examprep.problems.diffusion.forward_step:ForwardStep",
         title="Diffusion forward step q(x_t | x_{t−1})", parts=("mean", "var", "x_t"),
         catalog="seed_003 C10, §1.4; seed_002 K1; seed_004 F2")
register("diffusion/forward_closed_form-v1", "examprep.problems.diffusion.forward_closed_form:ForwardClosedForm",
         title="Diffusion forward process in closed form q(x_t | x_0)", parts=("alpha_bar", "mean", "std", "x_t"),
         catalog="seed_003 C11; seed_002 K2; seed_004 F2")
register("diffusion/two_step-v1", "examprep.problems.diffusion.two_step:TwoStep",
         title="Two forward diffusion steps and their single-step equivalent", parts=("x_1", "x_2", "mean", "var"),
         catalog="seed_004 F3; seed_002 K2")
register("diffusion/posterior-v1", "examprep.problems.diffusion.posterior:Posterior",
         title="Diffusion posterior q(x_{t−1} | x_t, x_0)",
         parts=("alpha_bar_prev", "alpha_bar", "coef_x0", "coef_xt", "eps", "mu_tilde", "beta_tilde"),
         catalog="seed_004 F4, F5; seed_003 C12, §2.11–12")
register("diffusion/reverse_step-v1", "examprep.problems.diffusion.reverse_step:ReverseStep",
         title="DDPM sampling step (Algorithm 2)", parts=("alpha_bar", "coef", "x0_hat", "mean", "sigma", "x_prev"),
         catalog="seed_004 F9; seed_003 C12, §1.5; seed_002 K3")
register("diffusion/ddim_step-v1", "examprep.problems.diffusion.ddim_step:DDIMStep",
         title="DDIM sampling step", parts=("x0_hat", "sigma", "dir_coef", "x_prev"),
         catalog="extension of seed_004 F9 (DDIM paper, eq. 12)")
register("diffusion/loss-v1", "examprep.problems.diffusion.loss:Loss",
         title="DDPM loss: L_simple and the weight λ_t",
         parts=("residual", "l_simple", "alpha_bar", "lambda_t", "l_weighted"),
         catalog="seed_004 F7, F8; seed_003 C13; seed_002 K5")
register("diffusion/guidance-v1", "examprep.problems.diffusion.guidance:Guidance",
         title="Classifier-free and classifier guidance", parts=("p", "grad", "eps_guided"),
         catalog="seed_000_001 I5; seed_002 K6")
register("diffusion/flow_matching-v1", "examprep.problems.diffusion.flow_matching:FlowMatching",
         title="Flow matching: path, velocity, loss and an Euler step", parts=("x_t", "u", "loss", "x_next"),
         catalog="seed_000_001 I4")
register("diffusion/prior_kl-v1", "examprep.problems.diffusion.prior_kl:PriorKL",
         title="Diffusion prior term L_T = KL(q(x_T | x_0) ‖ N(0, I))", parts=("alpha_bar_T", "mean", "var", "kl"),
         catalog="seed_004 F10")
register("diffusion/ve_denoiser-v1", "examprep.problems.diffusion.ve_denoiser:VEDenoiser",
         title="Variance-exploding denoiser: x_σ, loss and x̂_0", parts=("sigmas", "x_sigma", "loss", "x0_hat"),
         catalog="seed_000_001 I4")
