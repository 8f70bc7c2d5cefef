"""Minibatch GAN losses with the binary cross-entropy, and their gradients at the fake logits.

Catalog: seed_000_001 F1; seed_002 I1; seed_003 C2 (and §2.17); seed_004 D1, D2.

Parameters:
    d_real: the discriminator's probabilities D(x_i) on the real samples, each in (0, 1).
    d_fake: its probabilities D(G(z_j)) on the generated samples, each in (0, 1).

Answer parts: ``value`` V = mean ln D(x) + mean ln(1 − D(G(z))); ``loss_d`` = −V; ``loss_g_sat`` = mean
ln(1 − D(G(z))) (the saturating generator objective, minimised); ``loss_g_ns`` = −mean ln D(G(z)) (the
non-saturating generator loss); ``grad_sat`` and ``grad_ns``: per generated sample, the derivative of its own term
(ln(1 − D) and −ln D) by its logit a, with D = σ(a): −D and −(1 − D).

Conventions stated in the prompt: natural log, each batch term a mean, D = σ(a), which term each gradient is of.

Reference: ``F.binary_cross_entropy_with_logits`` on the logits ln(D/(1 − D)) and ``torch.autograd.grad``
(examprep.reference.gan:bce_losses).

Common mistakes: sums instead of means (L_D = 0.790540 on F1's sample), log base 10, V given for −V, the BCE
averaged over all m + n outputs (−V/2 for equal batches, seed_003 C2), the derivatives taken by D instead of a.

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
from examprep.problems.gan.fair import grid, near_miss
from examprep.solver.expr import Expr, Func, Mat, Num, Sym, paren
from examprep.solver.step import Derivation


def mean_log(xs: Any, one_minus: bool = False, base: float = math.e) -> float:
    """mean ln x (or mean ln(1 − x)) in the given base."""
    return math.fsum(math.log(1 - x if one_minus else x) for x in xs) / len(xs) / math.log(base)


def losses(d_real: Any, d_fake: Any, base: float = math.e, reduce: str = "mean") -> dict[str, float]:
    """The four losses as a chain: A = mean ln D(x), B = mean ln(1 − D(G(z))), C = mean ln D(G(z)); V = A + B,
    L_D = −V, L_sat = B, L_ns = −C. ``reduce='sum'`` multiplies each mean by its batch size (the sum mistake)."""
    k_r, k_f = (len(d_real), len(d_fake)) if reduce == "sum" else (1, 1)
    a = k_r * mean_log(d_real, base=base)
    b = k_f * mean_log(d_fake, one_minus=True, base=base)
    c = k_f * mean_log(d_fake, base=base)
    value = a + b
    return {"value": value, "loss_d": -value, "loss_g_sat": b, "loss_g_ns": -c}


def negated(v: float) -> Expr:
    """−v with the number in, in parentheses when it is negative (−(−0.39527), not −−0.39527)."""
    return -paren(Num(v)) if v < 0 else -Num(v)


def mean_expr(xs: Any, one_minus: bool = False) -> Expr:
    """(ln x_1 + … + ln x_m)/m with the numbers in."""
    terms = [Func("ln", Num(1) - Num(x) if one_minus else Num(x)) for x in xs]
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total / len(xs) if len(xs) > 1 else total


class BCELosses(ProblemType):
    id = "gan/bce_losses-v1"
    title = "GAN minibatch losses (BCE) and logit gradients"
    catalog = "seed_000_001 F1; seed_002 I1; seed_003 C2; seed_004 D1, D2"
    reference_entry = "examprep.reference.gan:bce_losses"
    params = (
        Param("d_real", "vector", "D(x_i) on the real samples, probabilities in (0, 1)", lo=0, hi=1),
        Param("d_fake", "vector", "D(G(z_j)) on the generated samples, probabilities in (0, 1)", lo=0, hi=1),
    )
    parts = (
        Part("value", "The minibatch value V", "real"),
        Part("loss_d", "The discriminator loss −V", "real", uses=("value",)),
        Part("loss_g_sat", "The saturating generator objective mean ln(1 − D(G(z)))", "real"),
        Part("loss_g_ns", "The non-saturating generator loss −mean ln D(G(z))", "real"),
        Part("grad_sat", "d ln(1 − D(G(z_j)))/da_j per generated sample", "vector"),
        Part("grad_ns", "d(−ln D(G(z_j)))/da_j per generated sample", "vector"),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        if difficulty == "easy":
            m = n = 2
            step = 0.1
        elif difficulty == "medium":
            m = n = int(rng.integers(2, 4))
            step = 0.05
        else:
            m, n = int(rng.integers(2, 5)), int(rng.integers(2, 5))
            step = 0.01
        lo_fake, hi_real = (0.1, 0.9) if difficulty == "easy" else (0.05, 0.95)
        return dict(d_real=grid(rng, 0.6, hi_real, step, m), d_fake=grid(rng, lo_fake, 0.4, step, n))

    def check(self, p: Params) -> list[str]:
        for name in ("d_real", "d_fake"):
            if any(not 0 < x < 1 for x in getattr(p, name)):
                raise ParamError(f"{name}: every probability must lie strictly between 0 and 1 (ln 0 is −∞)")
        return []

    def degenerate(self, p: Params) -> str | None:
        return near_miss(self.solve(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        m, n = len(p.d_real), len(p.d_fake)
        return [
            f"A GAN discriminator outputs $D = \\sigma(a)$, the sigmoid of a logit $a$. On $m = {m}$ real samples "
            r"it gives $D(x_i) = $ ", list(p.d_real), f" and on $n = {n}$ generated samples $D(G(z_j)) = $ ",
            list(p.d_fake), r". Use the natural log; every batch term is a mean (not a sum). "
            r"(a) Give the minibatch value $V = \frac{1}{m} \sum_i \ln D(x_i) + \frac{1}{n} \sum_j "
            r"\ln(1 - D(G(z_j)))$. (b) Give the discriminator loss $L_D = -V$. (c) Give the saturating "
            r"generator objective $L_G^{\text{sat}} = \frac{1}{n} \sum_j \ln(1 - D(G(z_j)))$, which $G$ "
            r"minimises. (d) Give the non-saturating generator loss $L_G^{\text{ns}} = -\frac{1}{n} \sum_j "
            r"\ln D(G(z_j))$. (e) For each generated sample, give the derivative of its own term "
            r"$\ln(1 - D(G(z_j)))$ with respect to its logit $a_j$. (f) For each generated sample, give the "
            r"derivative of $-\ln D(G(z_j))$ with respect to $a_j$."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        ans: dict[str, Any] = losses(p.d_real, p.d_fake)
        if given and "value" in given:  # error carried forward: L_D = −V from the student's V
            ans["value"] = carry(given, "value", ans["value"])
            ans["loss_d"] = -ans["value"]
        ans["grad_sat"] = [-d for d in p.d_fake]
        ans["grad_ns"] = [-(1 - d) for d in p.d_fake]
        return ans

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        A, B, C = Sym("A"), Sym("B"), Sym("C")
        d = Derivation()
        a = d.add("Mean log-probability on the real samples", mean_log(p.d_real), lhs=A,
                  substituted=mean_expr(p.d_real), note="$A = \\frac{1}{m} \\sum_i \\ln D(x_i)$")
        b = d.add("Mean of $\\ln(1 - D)$ on the generated samples", mean_log(p.d_fake, one_minus=True), lhs=B,
                  substituted=mean_expr(p.d_fake, one_minus=True),
                  note="$B = \\frac{1}{n} \\sum_j \\ln(1 - D(G(z_j)))$")
        d.add("Minibatch value", ans["value"], lhs="V", formula=A + B, subs={A: a, B: b}, part="value")
        d.add("Discriminator loss", ans["loss_d"], lhs=Sym("L_D"), formula=-Sym("V"), substituted=negated(ans["value"]),
              part="loss_d", note="the discriminator maximises $V$, so the loss it minimises is $-V$")
        d.add("Saturating generator objective", ans["loss_g_sat"], lhs=Sym("L_sat", tex=r"L_G^{\mathrm{sat}}"),
              formula=B, subs={B: b}, part="loss_g_sat")
        c = d.add("Mean log-probability on the generated samples", mean_log(p.d_fake), lhs=C,
                  substituted=mean_expr(p.d_fake), note="$C = \\frac{1}{n} \\sum_j \\ln D(G(z_j))$")
        d.add("Non-saturating generator loss", ans["loss_g_ns"], lhs=Sym("L_ns", tex=r"L_G^{\mathrm{ns}}"),
              formula=-C, substituted=negated(c), part="loss_g_ns")
        d.add("Saturating gradient per generated sample", ans["grad_sat"], lhs=Sym("g_sat", tex=r"g^{sat}"),
              substituted=Mat([[-Num(x) for x in p.d_fake]]), part="grad_sat",
              note=r"$g^{sat}_j = \frac{d}{da_j} \ln(1 - \sigma(a_j)) = -\sigma(a_j) = -D(G(z_j))$: small when "
                   r"$D(G(z_j))$ is small")
        d.add("Non-saturating gradient per generated sample", ans["grad_ns"], lhs=Sym("g_ns", tex=r"g^{ns}"),
              substituted=Mat([[-(Num(1) - Num(x)) for x in p.d_fake]]), part="grad_ns",
              note=r"$g^{ns}_j = \frac{d}{da_j} (-\ln \sigma(a_j)) = -(1 - D(G(z_j)))$: large when "
                   r"$D(G(z_j))$ is small")
        d.answer = (f"V = {ans['value']:.6g}; L_D = {ans['loss_d']:.6g}; L_G^sat = {ans['loss_g_sat']:.6g}; "
                    f"L_G^ns = {ans['loss_g_ns']:.6g}")
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        ans = self.solve(p)
        m, n = len(p.d_real), len(p.d_fake)
        pooled = -(m * mean_log(p.d_real) + n * mean_log(p.d_fake, one_minus=True)) / (m + n)
        return {
            "sums": Mistake(losses(p.d_real, p.d_fake, reduce="sum"),
                            "You summed over each batch; every batch term is a mean (divide by its batch size)."),
            "log10": Mistake(losses(p.d_real, p.d_fake, base=10), "You used log base 10; use the natural log ln."),
            "v_for_minus_v": Mistake({"loss_d": ans["value"]},
                                     "Sign: the discriminator maximises $V$, so the loss it minimises is $-V$ "
                                     "(positive)."),
            "ns_sign_flipped": Mistake({"loss_g_ns": -ans["loss_g_ns"]},
                                       "Sign: the non-saturating loss is $-\\frac{1}{n} \\sum_j \\ln D(G(z_j))$, "
                                       "which is positive."),
            "bce_all_outputs": Mistake({"loss_d": pooled},
                                       "You averaged the cross-entropy over all real and generated outputs together; "
                                       "$L_D = -V$ is the sum of the two batch means."),
            "derivative_by_d": Mistake({"grad_sat": [-1 / (1 - x) for x in p.d_fake],
                                        "grad_ns": [-1 / x for x in p.d_fake]},
                                       "You differentiated by $D$; the derivative asked for is by the logit $a$, "
                                       "with $\\frac{dD}{da} = D(1 - D)$."),
        }
