"""A VAE's loss from its network outputs: the reconstruction term, the Gaussian KL, the β-weighted loss, the ELBO.

Catalog: seed_003 C9 (BCE sum 0.839330, mean 0.279777); seed_002 J2 (−ELBO 1.812218); seed_000_001 E5 (Gaussian
decoder, β = 0.5); seed_004 E6 (one-sample ELBO, ln p(x|z) = −1.902877). divergence/vae_kl gives the KL only.

Parameters:
    x: the input (pixels in [0, 1] for the Bernoulli decoder).
    x_hat: the decoder output (Bernoulli means in (0, 1), or the Gaussian decoder's mean).
    decoder: ``bernoulli`` (reconstruction = binary cross-entropy) or ``gaussian`` (−ln N(x; x_hat, I), with its
        ½ ln 2π per pixel).
    mu, log_var: the encoder's q(z|x) = N(mu, diag exp(log_var)).
    beta: the KL weight (default 1).

Answer parts: ``recon`` (summed over pixels), ``kl`` = KL(q(z|x)‖N(0, I)) = ½ Σ_j (μ_j² + σ_j² − 1 − ln σ_j²) (summed
over latent dimensions), ``loss`` = recon + β·kl, ``elbo`` = −(recon + kl) (β does not enter the ELBO).

Conventions stated in the prompt: natural log; sums (not means) over pixels and latent dimensions; σ² = exp(log_var).

Reference: ``F.binary_cross_entropy(reduction='none')`` or ``Normal(x_hat, 1).log_prob``, and
``kl_divergence(Normal(mu, exp(½ log_var)), Normal(0, 1))`` (examprep.reference.latent:vae_loss).

Common mistakes: the pixel mean (``F.binary_cross_entropy``'s default reduction), the KL subtracted, σ = exp(log_var)
(so σ² = exp(2·log_var)), the Gaussian constant ½ ln 2π per pixel dropped, β on the reconstruction term.

Versions: v1 — first version.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.bayes.decide import PI
from examprep.problems.gan.fair import near_miss
from examprep.problems.latent.points import distinct
from examprep.seeding import picker
from examprep.solver.expr import Func, Num, Sym, paren
from examprep.solver.step import Derivation

LOG_VARS = (0.0, -0.5, 0.5, -1.0, round(math.log(0.5), 6), round(math.log(0.25), 6))


def recon_terms(x: Any, x_hat: Any, decoder: str, const: bool = True) -> np.ndarray:
    """Per-pixel negative log-likelihoods."""
    a, b = np.asarray(x, dtype=float), np.asarray(x_hat, dtype=float)
    if decoder == "bernoulli":
        return -(a * np.log(b) + (1 - a) * np.log(1 - b))
    return 0.5 * (a - b) ** 2 + (0.5 * math.log(2 * math.pi) if const else 0.0)


def kl_terms(mu: Any, log_var: Any, sigma_exp: bool = False) -> np.ndarray:
    """Per-dimension KL(N(μ, σ²)‖N(0, 1)) with σ² = exp(log_var) (or exp(2·log_var) for the mistake)."""
    m, lv = np.asarray(mu, dtype=float), np.asarray(log_var, dtype=float)
    if sigma_exp:
        lv = 2 * lv
    return 0.5 * (m**2 + np.exp(lv) - 1 - lv)


def chain(recon: float, kl: float, beta: float, *, kl_sign: float = 1.0, beta_on_recon: bool = False) -> Answers:
    """recon, kl, loss and elbo from the two terms."""
    loss = beta * recon + kl_sign * kl if beta_on_recon else recon + kl_sign * beta * kl
    return {"recon": recon, "kl": kl, "loss": loss, "elbo": -(recon + kl_sign * kl)}


def _sum(terms: list[Any]) -> Any:
    out = terms[0]
    for t in terms[1:]:
        out = out + t
    return out


REC_B = Sym("rec", tex=r"L_{\mathrm{rec}} = -\sum_i [x_i \ln \hat{x}_i + (1 - x_i) \ln(1 - \hat{x}_i)]")
REC_G = Sym("rec", tex=r"L_{\mathrm{rec}} = \sum_i \left[\frac{1}{2}(x_i - \hat{x}_i)^2 + \frac{1}{2} \ln 2\pi\right]")
KL = Sym("kl", tex=r"\mathrm{KL} = \frac{1}{2} \sum_j (\mu_j^2 + e^{\ln \sigma_j^2} - 1 - \ln \sigma_j^2)")
LOSS = Sym("loss", tex=r"L = L_{\mathrm{rec}} + \beta \cdot \mathrm{KL}")
ELBO = Sym("elbo", tex=r"\mathrm{ELBO} = -(L_{\mathrm{rec}} + \mathrm{KL})")


class VAELoss(ProblemType):
    id = "latent/vae_loss-v1"
    title = "VAE loss: reconstruction, KL, β-loss and ELBO"
    catalog = "seed_003 C9; seed_002 J2; seed_000_001 E5; seed_004 E6"
    reference_entry = "examprep.reference.latent:vae_loss"
    params = (
        Param("x", "vector", "the input", lo=-1000, hi=1000),
        Param("x_hat", "vector", "the decoder output", lo=-1000, hi=1000),
        Param("decoder", "choice", "the decoder's likelihood", choices=("bernoulli", "gaussian"),
              default="bernoulli"),
        Param("mu", "vector", "the encoder mean μ", lo=-100, hi=100),
        Param("log_var", "vector", "the encoder log-variance ln σ²", lo=-20, hi=20),
        Param("beta", "real", "the KL weight β", lo=0, hi=100, default=1.0),
    )
    parts = (
        Part("recon", "Reconstruction term (summed over pixels)", "real", mode="decdig", digits=4),
        Part("kl", "KL(q(z|x)‖N(0, I)) (summed over latent dimensions)", "real", mode="decdig", digits=4),
        Part("loss", "Loss = recon + β·KL", "real", mode="decdig", digits=4, uses=("recon", "kl")),
        Part("elbo", "ELBO = −(recon + KL)", "real", mode="decdig", digits=4, uses=("recon", "kl")),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = picker(rng)
        decoder = "bernoulli" if difficulty == "easy" else pick(["bernoulli", "gaussian"])
        n = 3 if difficulty == "easy" else int(rng.integers(3, 5))
        k = 3 if difficulty == "hard" and rng.random() < 0.5 else 2
        if decoder == "bernoulli":
            x = [float(v) for v in rng.integers(0, 2, size=n)]
            x_hat = [round(float(v) / 10, 1) for v in rng.integers(1, 10, size=n)]
        else:
            x = [round(float(v) / 10, 1) for v in rng.integers(-10, 11, size=n)]
            x_hat = [round(float(v) / 10, 1) for v in rng.integers(-10, 11, size=n)]
        mu = [round(float(v) / 10, 1) for v in rng.integers(-15, 16, size=k)]
        log_var = [float(pick(LOG_VARS[:4] if difficulty == "easy" else LOG_VARS)) for _ in range(k)]
        beta = 1.0 if difficulty == "easy" else float(pick([1.0, 0.5] if difficulty == "medium" else [0.5, 2.0, 4.0]))
        return dict(x=x, x_hat=x_hat, decoder=decoder, mu=mu, log_var=log_var, beta=beta)

    def check(self, p: Params) -> list[str]:
        if len(p.x_hat) != len(p.x):
            raise ParamError(f"x_hat has {len(p.x_hat)} entries but x has {len(p.x)}; give one per pixel")
        if len(p.log_var) != len(p.mu):
            raise ParamError(f"log_var has {len(p.log_var)} entries but mu has {len(p.mu)}; one per latent dimension")
        if not 1 <= len(p.x) <= 64 or not 1 <= len(p.mu) <= 16:
            raise ParamError("give 1 to 64 pixels and 1 to 16 latent dimensions")
        if p.decoder == "bernoulli":
            if any(not 0 <= v <= 1 for v in p.x):
                raise ParamError(f"x: a Bernoulli decoder needs pixels in [0, 1], got {list(p.x)}")
            if any(not 0 < v < 1 for v in p.x_hat):
                raise ParamError(f"x_hat: Bernoulli means must lie strictly between 0 and 1, got {list(p.x_hat)}")
        return []

    def degenerate(self, p: Params) -> str | None:
        ans = self.solve(p)
        if ans["kl"] < 0.05:
            return "the KL is nearly 0"
        return near_miss(ans, self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        if p.decoder == "bernoulli":
            dec = ("a Bernoulli decoder, so the reconstruction term is the binary cross-entropy "
                   "$-\\sum_i [x_i \\ln \\hat{x}_i + (1 - x_i) \\ln(1 - \\hat{x}_i)]$")
        else:
            dec = ("a Gaussian decoder with unit variance, so the reconstruction term is "
                   "$-\\ln N(x; \\hat{x}, I) = \\sum_i [\\frac{1}{2}(x_i - \\hat{x}_i)^2 + \\frac{1}{2} \\ln 2\\pi]$ "
                   "(constant included)")
        return [
            "A VAE encodes the input $x$ = ", list(p.x), " as $q(z \\mid x) = N(\\mu, \\mathrm{diag}\\,\\sigma^2)$ "
            "with $\\mu$ = ", list(p.mu), " and $\\ln \\sigma^2$ = ", list(p.log_var),
            " (log-variances, so $\\sigma^2 = e^{\\ln \\sigma^2}$); the prior is $N(0, I)$. The decoder outputs "
            "$\\hat{x}$ = ", list(p.x_hat), f" for {dec}. Using natural logs and sums (not means) over pixels and "
            "latent dimensions, compute the reconstruction term, "
            "$\\mathrm{KL} = \\mathrm{KL}(q(z \\mid x) \\lVert N(0, I))$, the loss "
            f"$L_{{\\mathrm{{rec}}}} + \\beta \\cdot \\mathrm{{KL}}$ with $\\beta = {p.beta:g}$, and the ELBO "
            "$= -(L_{\\mathrm{rec}} + \\mathrm{KL})$, each to 4 decimal places."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        recon = carry(given, "recon", float(recon_terms(p.x, p.x_hat, p.decoder).sum()))
        return chain(recon, carry(given, "kl", float(kl_terms(p.mu, p.log_var).sum())), p.beta)

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        if p.decoder == "bernoulli":
            terms = [-(Func("ln", Num(float(b))) if a == 1 else Func("ln", 1 - Num(float(b)))) if a in (0, 1) else
                     -(Num(float(a)) * Func("ln", Num(float(b))) + (1 - Num(float(a))) * Func("ln", 1 - Num(float(b))))
                     for a, b in zip(p.x, p.x_hat, strict=True)]
            d.add("Reconstruction term (binary cross-entropy, summed)", ans["recon"], lhs=REC_B,
                  substituted=_sum(terms), part="recon",
                  note="a pixel with $x_i = 1$ contributes $-\\ln \\hat{x}_i$, one with $x_i = 0$ contributes "
                       "$-\\ln(1 - \\hat{x}_i)$")
        else:
            sq = _sum([paren(Num(float(a)) - Num(float(b))) ** 2 for a, b in zip(p.x, p.x_hat, strict=True)])
            d.add("Reconstruction term (Gaussian negative log-likelihood, summed)", ans["recon"], lhs=REC_G,
                  substituted=Num(1) / 2 * paren(sq) + Num(len(p.x)) / 2 * Func("ln", 2 * PI), part="recon",
                  note=f"the constant $\\frac{{1}}{{2}} \\ln 2\\pi$ = 0.918939 is counted once per pixel "
                       f"({len(p.x)} pixels)")
        kl = [Num(float(m)) ** 2 + Func("exp", Num(float(lv))) - 1 - Num(float(lv))
              for m, lv in zip(p.mu, p.log_var, strict=True)]
        d.add("KL to the prior (summed over latent dimensions)", ans["kl"], lhs=KL,
              substituted=Num(1) / 2 * paren(_sum([paren(t) for t in kl])), part="kl")
        d.add("Loss", ans["loss"], lhs=LOSS,
              substituted=Num(ans["recon"]) + Num(float(p.beta)) * Num(ans["kl"]), part="loss")
        d.add("ELBO", ans["elbo"], lhs=ELBO, substituted=-paren(Num(ans["recon"]) + Num(ans["kl"])), part="elbo",
              note="the ELBO has no β: it is minus the β = 1 loss")
        d.answer = f"loss = {ans['loss']:.4f}, ELBO = {ans['elbo']:.4f}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        ans = self.solve(p)
        per_pixel = recon_terms(p.x, p.x_hat, p.decoder)
        recon, kl = ans["recon"], ans["kl"]
        m = {
            "pixel_mean": Mistake(
                chain(float(per_pixel.mean()), kl, p.beta),
                "You averaged the reconstruction term over the pixels (the default reduction of "
                "F.binary_cross_entropy and F.mse_loss): the ELBO sums the log-likelihood over the pixels."),
            "kl_subtracted": Mistake(
                chain(recon, kl, p.beta, kl_sign=-1.0),
                "The KL is added to the loss: loss $= L_{\\mathrm{rec}} + \\beta \\cdot \\mathrm{KL}$, and the ELBO "
                "is $-(L_{\\mathrm{rec}} + \\mathrm{KL})$."),
            "sigma_as_exp_log_var": Mistake(
                chain(recon, float(kl_terms(p.mu, p.log_var, sigma_exp=True).sum()), p.beta),
                "You took $\\sigma = e^{\\ln \\sigma^2}$: the encoder outputs the log-variance, so "
                "$\\sigma^2 = e^{\\ln \\sigma^2}$ and $\\sigma = e^{\\ln \\sigma^2 / 2}$."),
            "beta_on_recon": Mistake(
                chain(recon, kl, p.beta, beta_on_recon=True),
                "$\\beta$ weighs the KL term, not the reconstruction: loss $= L_{\\mathrm{rec}} + \\beta \\cdot "
                "\\mathrm{KL}$."),
        }
        if p.decoder == "gaussian":
            m["constant_dropped"] = Mistake(
                chain(float(recon_terms(p.x, p.x_hat, p.decoder, const=False).sum()), kl, p.beta),
                "You dropped the constant: $-\\ln N(x; \\hat{x}, I)$ has $\\frac{1}{2} \\ln 2\\pi$ per pixel.")
        return distinct(ans, m)
