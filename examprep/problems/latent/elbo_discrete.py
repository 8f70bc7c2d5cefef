"""The evidence lower bound of a model with a discrete latent z: ln p(x) = ELBO(q) + KL(q ‖ p(z|x)).

Catalog: seed_000_001 E4; seed_002 J3; seed_004 E3 (whose statement 5 labels the reconstruction term alone as the
ELBO: the ELBO is the reconstruction term minus KL(q‖p(z))). bayes/discrete_posterior stops at the posterior.

Parameters:
    prior: p(z) over the K latent states (positive, sums to 1).
    likelihood: p(x|z) of the observed x for each state (in (0, 1]; not a distribution over z).
    q: the approximate posterior q(z) (positive, sums to 1).

Answer parts: ``evidence`` p(x) = Σ_z p(z)p(x|z), ``log_evidence`` ln p(x), ``posterior`` p(z|x), ``recon`` =
E_q ln p(x|z), ``kl_prior`` = KL(q‖p(z)), ``elbo`` = recon − kl_prior, ``gap`` = KL(q‖p(z|x)) = ln p(x) − ELBO.

Conventions stated in the prompt: natural log; KL(q‖p) = Σ_z q(z) ln(q(z)/p(z)); states in the given order.

Reference: ``torch.distributions.kl_divergence(Categorical, Categorical)`` for both KLs, ``logsumexp`` for the
evidence and ``softmax`` for the posterior (examprep.reference.latent:elbo_discrete).

Common mistakes: the reconstruction term alone as the ELBO, the KL added instead of subtracted, KL(p(z)‖q) for
KL(q‖p(z)), KL(p(z|x)‖q) for the gap, the gap taken as KL(q‖p(z)) (the prior instead of the posterior).

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
from examprep.problems.bayes.decide import draw_simplex
from examprep.problems.gan.fair import near_miss
from examprep.problems.latent.points import distinct
from examprep.solver.expr import Func, Mat, Num, Sym
from examprep.solver.step import Derivation


def kl(a: Any, b: Any) -> float:
    """KL(a‖b) = Σ a ln(a/b) in nats."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float((x * np.log(x / y)).sum())


def elbo_parts(prior: Any, lik: Any, q: Any, given: Answers | None = None) -> Answers:
    """Every part, each derived part from the earlier ones (from the student's values where ``given``)."""
    pz, lx, qz = (np.asarray(v, dtype=float) for v in (prior, lik, q))
    joint = pz * lx
    evidence = carry(given, "evidence", float(joint.sum()))
    log_ev = math.log(evidence)
    post = carry(given, "posterior", joint / evidence)
    if np.any(post <= 0):
        raise ValueError("a posterior probability is not positive: the gap is undefined")
    recon = carry(given, "recon", float((qz * np.log(lx)).sum()))
    kl_prior = carry(given, "kl_prior", kl(qz, pz))
    elbo = recon - kl_prior
    return {"evidence": evidence, "log_evidence": log_ev, "posterior": post.tolist(), "recon": recon,
            "kl_prior": kl_prior, "elbo": elbo, "gap": kl(qz, post)}


def _sum(terms: list[Any]) -> Any:
    out = terms[0]
    for t in terms[1:]:
        out = out + t
    return out


def _sym(name: str, text: str, latex: str, typst: str) -> Sym:
    """A symbol from its LaTeX markup (text and Typst follow from it)."""
    return Sym(name, tex=latex.replace(r"\mathbb{E}", r"\mathrm{E}"))


PX = _sym("px", "p(x)", "p(x)", "p(x)")
JOINT = _sym("joint", "p(z)p(x|z)", r"p(z) p(x \mid z)", "p(z) p(x|z)")
POST = _sym("post", "p(z|x) = p(z)p(x|z)/p(x)", r"p(z \mid x) = \frac{p(z) p(x \mid z)}{p(x)}",
            "p(z|x) = (p(z) p(x|z))/(p(x))")
RECON = _sym("recon", "E_q ln p(x|z) = Σ_z q(z) ln p(x|z)",
             r"\mathbb{E}_q \ln p(x \mid z) = \sum_z q(z) \ln p(x \mid z)",
             "EE_q ln p(x|z) = sum_z q(z) ln p(x|z)")
KLP = _sym("klp", "KL(q‖p(z)) = Σ_z q(z) ln(q(z)/p(z))",
           r"\mathrm{KL}(q \lVert p(z)) = \sum_z q(z) \ln \frac{q(z)}{p(z)}",
           "\"KL\"(q || p(z)) = sum_z q(z) ln (q(z))/(p(z))")
ELBO = _sym("elbo", "ELBO = E_q ln p(x|z) − KL(q‖p(z))",
            r"\mathrm{ELBO} = \mathbb{E}_q \ln p(x \mid z) - \mathrm{KL}(q \lVert p(z))",
            "\"ELBO\" = EE_q ln p(x|z) - \"KL\"(q || p(z))")
GAP = _sym("gap", "KL(q‖p(z|x)) = Σ_z q(z) ln(q(z)/p(z|x))",
           r"\mathrm{KL}(q \lVert p(z \mid x)) = \sum_z q(z) \ln \frac{q(z)}{p(z \mid x)}",
           "\"KL\"(q || p(z|x)) = sum_z q(z) ln (q(z))/(p(z|x))")


class ELBODiscrete(ProblemType):
    id = "latent/elbo_discrete-v1"
    title = "ELBO and its gap for a discrete latent variable"
    catalog = "seed_000_001 E4; seed_002 J3; seed_004 E3"
    reference_entry = "examprep.reference.latent:elbo_discrete"
    params = (
        Param("prior", "vector", "the prior p(z) over the latent states", lo=0, hi=1),
        Param("likelihood", "vector", "p(x|z) of the observed x for each latent state", lo=0, hi=1),
        Param("q", "vector", "the approximate posterior q(z)", lo=0, hi=1),
    )
    parts = (
        Part("evidence", "Evidence p(x)", "real", mode="sigfig", digits=4),
        Part("log_evidence", "Log-evidence ln p(x)", "real", mode="sigfig", digits=4, uses=("evidence",)),
        Part("posterior", "Posterior p(z|x)", "vector", mode="sigfig", digits=4, uses=("evidence",)),
        Part("recon", "Reconstruction term E_q ln p(x|z)", "real", mode="sigfig", digits=4),
        Part("kl_prior", "KL(q‖p(z))", "real", mode="sigfig", digits=4),
        Part("elbo", "ELBO", "real", mode="sigfig", digits=4, uses=("recon", "kl_prior")),
        Part("gap", "Gap KL(q‖p(z|x)) = ln p(x) − ELBO", "real", mode="sigfig", digits=4, uses=("posterior",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        k = {"easy": 2, "medium": int(rng.choice([2, 3])), "hard": 3}[difficulty]
        units = 10 if difficulty != "hard" else 20
        lik = [round(float(v) / 10, 1) for v in rng.choice(np.arange(1, 10), size=k, replace=False)]
        return dict(prior=draw_simplex(rng, k, 10), likelihood=lik, q=draw_simplex(rng, k, units))

    def check(self, p: Params) -> list[str]:
        k = len(p.prior)
        if not 2 <= k <= 6:
            raise ParamError(f"prior: give 2 to 6 latent states, got {k}")
        for name in ("likelihood", "q"):
            if len(p[name]) != k:
                raise ParamError(f"{name} has {len(p[name])} entries but prior has {k}; give one per latent state")
        for name in ("prior", "q"):
            if min(p[name]) <= 0 or abs(sum(p[name]) - 1) > 1e-9:
                raise ParamError(f"{name}: probabilities must be positive and sum to 1, got {list(p[name])}")
        if min(p.likelihood) <= 0:
            raise ParamError(f"likelihood: every p(x|z) must be positive, got {list(p.likelihood)}")
        return []

    def degenerate(self, p: Params) -> str | None:
        ans = self.solve(p)
        if ans["gap"] < 1e-3 or ans["kl_prior"] < 1e-3:
            return "q is (nearly) the posterior or the prior"
        return near_miss(ans, self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        return [
            f"A latent variable $z$ takes {len(p.prior)} values (in the order given) with prior $p(z)$ = ",
            list(p.prior), ". For the observed $x$ the likelihoods are $p(x \\mid z)$ = ", list(p.likelihood),
            ", and an approximate posterior is $q(z)$ = ", list(p.q), ". Using natural logs and "
            "$\\mathrm{KL}(q \\lVert p) = \\sum_z q(z) \\ln \\frac{q(z)}{p(z)}$, compute the evidence $p(x)$, "
            "$\\ln p(x)$, the posterior $p(z \\mid x)$, the reconstruction term $\\mathrm{E}_q \\ln p(x \\mid z)$, "
            "$\\mathrm{KL}(q \\lVert p(z))$, the ELBO $= \\mathrm{E}_q \\ln p(x \\mid z) - "
            "\\mathrm{KL}(q \\lVert p(z))$, and the gap $\\mathrm{KL}(q \\lVert p(z \\mid x))$, "
            "each to 4 significant figures."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return elbo_parts(p.prior, p.likelihood, p.q, given)

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        pz, lx, qz = ([float(v) for v in p[k]] for k in ("prior", "likelihood", "q"))
        joint = [a * b for a, b in zip(pz, lx, strict=True)]
        post = ans["posterior"]
        d = Derivation()
        d.add("Joint of x with each state", joint, lhs=JOINT,
              substituted=Mat([[Num(a) * Num(b) for a, b in zip(pz, lx, strict=True)]]))
        d.add("Evidence", ans["evidence"], lhs=PX, substituted=_sum([Num(v) for v in joint]), part="evidence",
              note="the sum of the joints over the states")
        d.add("Log-evidence", ans["log_evidence"], lhs=Sym("lnpx", tex=r"\ln p(x)"),
              substituted=Func("ln", Num(ans["evidence"])), part="log_evidence")
        d.add("Posterior (Bayes)", post, lhs=POST,
              substituted=Mat([[Num(v) / Num(ans["evidence"]) for v in joint]]), part="posterior")
        d.add("Reconstruction term", ans["recon"], lhs=RECON,
              substituted=_sum([Num(a) * Func("ln", Num(b)) for a, b in zip(qz, lx, strict=True)]), part="recon")
        d.add("KL to the prior", ans["kl_prior"], lhs=KLP,
              substituted=_sum([Num(a) * Func("ln", Num(a) / Num(b)) for a, b in zip(qz, pz, strict=True)]),
              part="kl_prior")
        d.add("ELBO", ans["elbo"], lhs=ELBO, substituted=Num(ans["recon"]) - Num(ans["kl_prior"]), part="elbo",
              note="the ELBO never exceeds $\\ln p(x)$")
        d.add("Gap", ans["gap"], lhs=GAP,
              substituted=_sum([Num(a) * Func("ln", Num(a) / Num(b)) for a, b in zip(qz, post, strict=True)]),
              part="gap", note=f"check: $\\ln p(x) - \\mathrm{{ELBO}}$ = {ans['log_evidence'] - ans['elbo']:.6f}; "
                               "the gap is 0 exactly when $q$ is the posterior")
        d.answer = f"ELBO = {ans['elbo']:.4f} ≤ ln p(x) = {ans['log_evidence']:.4f}, gap {ans['gap']:.4f}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        ans = self.solve(p)
        pz, qz = np.asarray(p.prior, dtype=float), np.asarray(p.q, dtype=float)
        post = np.asarray(ans["posterior"])
        rev = kl(pz, qz)
        m = {
            "recon_as_elbo": Mistake(
                {"elbo": ans["recon"], "gap": ans["log_evidence"] - ans["recon"]},
                "That is the reconstruction term alone: the ELBO is $\\mathrm{E}_q \\ln p(x \\mid z) - "
                "\\mathrm{KL}(q \\lVert p(z))$."),
            "kl_added": Mistake(
                {"elbo": ans["recon"] + ans["kl_prior"], "gap": ans["log_evidence"] - ans["recon"] - ans["kl_prior"]},
                "The KL term is subtracted: ELBO = reconstruction $-$ $\\mathrm{KL}(q \\lVert p(z))$."),
            "kl_prior_reversed": Mistake(
                {"kl_prior": rev, "elbo": ans["recon"] - rev},
                "You computed $\\mathrm{KL}(p(z) \\lVert q)$: the ELBO's KL is $\\mathrm{KL}(q \\lVert p(z)) = "
                "\\sum_z q(z) \\ln \\frac{q(z)}{p(z)}$, weighted by $q$."),
            "gap_reversed": Mistake(
                {"gap": kl(post, qz)},
                "You computed $\\mathrm{KL}(p(z \\mid x) \\lVert q)$: the gap is "
                "$\\mathrm{KL}(q \\lVert p(z \\mid x))$, equal to $\\ln p(x) - \\mathrm{ELBO}$."),
            "gap_to_prior": Mistake(
                {"gap": ans["kl_prior"]},
                "The gap is the KL from $q$ to the posterior $p(z \\mid x)$, not to the prior $p(z)$."),
        }
        return distinct(ans, m)
