"""Guided noise predictions: classifier-free guidance (two conventions) and classifier guidance.

Catalog: seed_000_001 I5 ([2.45, 2.9] in the diffusers convention, [2.75, 3.3] in the paper's with the same number;
the classifier example −0.299417, 0.399417); seed_002 K6.

Parameters:
    mode: ``cfg`` (classifier-free) or ``classifier``.
    cfg: eps_u, eps_c (the unconditional and conditional predictions), w (the guidance scale) and convention:
        ``diffusers`` ε_u + w(ε_c − ε_u) (w = 1 gives ε_c) or ``paper`` (Ho & Salimans) (1 + w)ε_c − w·ε_u.
    classifier: eps (the model's ε prediction), x_t, a logistic classifier p(y|x_t) = σ(aᵀx_t + c) (``a``, ``c``),
        alpha_bar (ᾱ_t) and the scale ``s``.

Answer parts: ``eps_guided``; for ``classifier`` also ``p`` = σ(aᵀx_t + c) and ``grad`` = ∇_x ln p = (1 − p)a,
with ε_guided = ε − s·√(1 − ᾱ_t)·grad.

Conventions stated in the prompt: the convention's formula; σ(u) = 1/(1 + e^{−u}); natural log.

Reference: ``torch.lerp`` (diffusers' ``noise_pred_uncond + guidance_scale * (noise_pred_text − noise_pred_uncond)``)
and the paper's weighted sum; the classifier gradient by autograd of ``F.logsigmoid``
(examprep.reference.diffusion_extra:guidance).

Common mistakes: the two CFG conventions mixed, the guidance term's sign, √(1 − ᾱ_t) dropped, the gradient of p
instead of ln p (p(1 − p)a).

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
from examprep.problems.diffusion import draws
from examprep.problems.gan.fair import near_miss
from examprep.problems.latent.points import distinct
from examprep.solver.expr import Func, Mat, Num, Sym, paren, sqrt
from examprep.solver.step import Derivation

CFG = {"diffusers": "\\tilde{\\epsilon} = \\epsilon_u + w(\\epsilon_c - \\epsilon_u)",
       "paper": "\\tilde{\\epsilon} = (1 + w)\\epsilon_c - w \\epsilon_u"}
CFG_SYM = {
    "diffusers": Sym("eg", tex=r"\tilde{\epsilon} = \epsilon_u + w(\epsilon_c - \epsilon_u)"),
    "paper": Sym("eg", tex=r"\tilde{\epsilon} = (1 + w)\epsilon_c - w \epsilon_u"),
}
P_SYM = Sym("p", tex=r"p = \sigma(\mathbf{a}^\top \mathbf{x}_t + c)")
G_SYM = Sym("g", tex=r"\nabla_{x} \ln p = (1 - p)\mathbf{a}")
CG_SYM = Sym("eg", tex=r"\tilde{\epsilon} = \epsilon - s\sqrt{1 - \bar{\alpha}_t} \nabla_{x} \ln p")
CFG_KEYS, CLS_KEYS = ("eps_u", "eps_c", "w"), ("eps", "x_t", "a", "alpha_bar")


def cfg(eps_u: Any, eps_c: Any, w: float, convention: str, sign: float = 1.0) -> list[float]:
    u, c = np.asarray(eps_u, dtype=float), np.asarray(eps_c, dtype=float)
    if convention == "diffusers":
        return (u + sign * w * (c - u)).tolist()
    return (c + sign * w * (c - u)).tolist()  # (1 + w)ε_c − wε_u


def classifier(p: Params, *, sign: float = 1.0, root: bool = True, of_p: bool = False,
               given: Answers | None = None) -> Answers:
    """Every part of classifier guidance; ``given`` the student's p and gradient (error carried forward)."""
    a, x, e = (np.asarray(p[k], dtype=float) for k in ("a", "x_t", "eps"))
    prob = carry(given, "p", 1 / (1 + math.exp(-(float(a @ x) + p.c))))
    grad = carry(given, "grad", (prob * (1 - prob) if of_p else 1 - prob) * a)
    scale = p.s * (math.sqrt(1 - p.alpha_bar) if root else 1.0)
    return {"p": prob, "grad": grad.tolist(), "eps_guided": (e - sign * scale * grad).tolist()}


class Guidance(ProblemType):
    id = "diffusion/guidance-v1"
    title = "Classifier-free and classifier guidance"
    catalog = "seed_000_001 I5; seed_002 K6"
    reference_entry = "examprep.reference.diffusion_extra:guidance"
    params = (
        Param("mode", "choice", "cfg (classifier-free) or classifier guidance", choices=("cfg", "classifier"),
              default="cfg"),
        Param("eps_u", "vector", "the unconditional prediction ε_u (cfg)", lo=-100, hi=100, optional=True),
        Param("eps_c", "vector", "the conditional prediction ε_c (cfg)", lo=-100, hi=100, optional=True),
        Param("w", "real", "the guidance scale w (cfg)", lo=0, hi=100, optional=True),
        Param("convention", "choice", "diffusers: ε_u + w(ε_c − ε_u); paper: (1 + w)ε_c − wε_u",
              choices=("diffusers", "paper"), default="diffusers"),
        Param("eps", "vector", "the model's noise prediction ε (classifier)", lo=-100, hi=100, optional=True),
        Param("x_t", "vector", "the noisy sample x_t (classifier)", lo=-100, hi=100, optional=True),
        Param("a", "vector", "the logistic classifier's weights a (classifier)", lo=-100, hi=100, optional=True),
        Param("c", "real", "the logistic classifier's bias c (classifier)", lo=-100, hi=100, default=0.0),
        Param("alpha_bar", "real", "ᾱ_t (classifier)", lo=0, hi=1, optional=True),
        Param("s", "real", "the classifier guidance scale s", lo=0, hi=100, default=1.0),
    )
    parts = (
        Part("p", "Classifier probability p = σ(aᵀx_t + c)", "real", mode="decdig", digits=4, final=False),
        Part("grad", "Gradient ∇ ln p", "vector", mode="decdig", digits=4, final=False, uses=("p",)),
        Part("eps_guided", "Guided noise prediction", "vector", mode="decdig", digits=4, uses=("grad",)),
    )

    def active_parts(self, p: Params) -> tuple[Part, ...]:
        return self.parts if p.mode == "classifier" else self.parts[2:]

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n = 2 if difficulty != "hard" else int(rng.integers(2, 4))
        step = 0.1
        if rng.random() < 0.5:
            return dict(mode="cfg", eps_u=list(draws.grid(rng, -1, 1, step, n)),
                        eps_c=list(draws.grid(rng, -1, 1, step, n)),
                        w=float(draws.pick(rng, (1.5, 2.0, 3.0, 5.0, 7.5))),
                        convention=str(draws.pick(rng, ("diffusers", "paper"))))
        return dict(mode="classifier", eps=list(draws.grid(rng, -1, 1, step, n)),
                    x_t=list(draws.grid(rng, -1, 1, step, n)),
                    a=[float(v) for v in rng.choice([-2, -1, 1, 2], size=n)],
                    c=0.0 if difficulty == "easy" else float(draws.pick(rng, (-0.5, 0.0, 0.5))),
                    alpha_bar=float(draws.pick(rng, (0.36, 0.5, 0.504, 0.64, 0.75, 0.91))),
                    s=float(draws.pick(rng, (1.0, 2.0))))

    def check(self, p: Params) -> list[str]:
        keys, other = (CFG_KEYS, CLS_KEYS) if p.mode == "cfg" else (CLS_KEYS, CFG_KEYS)
        missing = [k for k in keys if p[k] is None]
        if missing:
            raise ParamError(f"mode={p.mode} needs {', '.join(missing)}")
        extra = [k for k in other if p[k] is not None]
        if extra:
            raise ParamError(f"{', '.join(extra)} belong to the other mode; mode={p.mode} uses {', '.join(keys)}")
        vecs = [k for k in keys if k not in ("w", "alpha_bar")]
        if len({len(p[k]) for k in vecs}) != 1:
            raise ParamError(f"{', '.join(vecs)} must have the same length")
        if p.mode == "classifier" and not 0 < p.alpha_bar < 1:
            raise ParamError(f"alpha_bar must lie strictly between 0 and 1, got {p.alpha_bar:g}")
        return []

    def degenerate(self, p: Params) -> str | None:
        if p.mode == "cfg" and np.allclose(p.eps_u, p.eps_c):
            return "ε_u = ε_c: guidance changes nothing"
        return near_miss(self.solve(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        if p.mode == "cfg":
            return [
                "Classifier-free guidance combines the unconditional prediction $\\epsilon_u$ = ", list(p.eps_u),
                " and the conditional prediction $\\epsilon_c$ = ", list(p.eps_c),
                f" with guidance scale $w = {p.w:g}$ using the formula ${CFG[p.convention]}$. "
                "Compute the guided prediction $\\tilde{\\epsilon}$ to 4 decimal places."
            ]
        return [
            "Classifier guidance with a logistic classifier $p(y \\mid \\mathbf{x}_t) = \\sigma(\\mathbf{a}^\\top "
            "\\mathbf{x}_t + c)$, $\\sigma(u) = \\frac{1}{1 + e^{-u}}$, with $\\mathbf{a}$ = ", list(p.a),
            f" and $c = {p.c:g}$, at $\\mathbf{{x}}_t$ = ", list(p.x_t),
            f", where $\\bar{{\\alpha}}_t = {p.alpha_bar:g}$ and the model predicts $\\epsilon$ = ", list(p.eps),
            f". With scale $s = {p.s:g}$, compute $p$, the gradient $\\nabla_{{x}} \\ln p$ (natural log) and the "
            "guided prediction $\\tilde{\\epsilon} = \\epsilon - s \\sqrt{1 - \\bar{\\alpha}_t} \\nabla_{x} \\ln p$, "
            "each to 4 decimal places."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        if p.mode == "cfg":
            return {"eps_guided": cfg(p.eps_u, p.eps_c, p.w, p.convention)}
        return classifier(p, given=given)

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        if p.mode == "cfg":
            w = Num(float(p.w))
            rows = [Num(float(u)) + w * paren(Num(float(c)) - Num(float(u))) if p.convention == "diffusers" else
                    (1 + w) * Num(float(c)) - w * Num(float(u)) for u, c in zip(p.eps_u, p.eps_c, strict=True)]
            d.add("Guided prediction", ans["eps_guided"], lhs=CFG_SYM[p.convention], substituted=Mat([rows]),
                  part="eps_guided", note="$w = 1$ gives $\\epsilon_c$ in this convention" if p.convention ==
                  "diffusers" else "$w = 0$ gives $\\epsilon_c$ in this convention")
            d.answer = f"ε̃ = {[round(v, 4) for v in ans['eps_guided']]}"
            return d
        logit = sum((Num(float(a)) * Num(float(x)) for a, x in zip(p.a, p.x_t, strict=True)), Num(float(p.c)))
        d.add("Classifier probability", ans["p"], lhs=P_SYM, substituted=1 / (1 + Func("exp", -paren(logit))),
              part="p")
        d.add("Gradient of the log-probability", ans["grad"], lhs=G_SYM,
              substituted=Mat([[paren(1 - Num(ans["p"])) * Num(float(a)) for a in p.a]]), part="grad",
              note="$\\frac{d}{du} \\ln \\sigma(u) = 1 - \\sigma(u)$, times $\\mathbf{a}$ by the chain rule")
        k = Num(float(p.s)) * sqrt(1 - Num(float(p.alpha_bar)))
        d.add("Guided prediction", ans["eps_guided"], lhs=CG_SYM,
              substituted=Mat([[Num(float(e)) - k * Num(g) for e, g in zip(p.eps, ans["grad"], strict=True)]]),
              part="eps_guided", note="subtracting the scaled gradient moves the sample towards higher $p(y)$")
        d.answer = f"ε̃ = {[round(v, 4) for v in ans['eps_guided']]}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        ans = self.solve(p)
        if p.mode == "cfg":
            other = "paper" if p.convention == "diffusers" else "diffusers"
            m = {
                "conventions_mixed": Mistake(
                    {"eps_guided": cfg(p.eps_u, p.eps_c, p.w, other)},
                    f"You used the other convention (${CFG[other]}$); this problem uses ${CFG[p.convention]}$: "
                    "the two differ by one in the weight."),
                "guidance_sign": Mistake(
                    {"eps_guided": cfg(p.eps_u, p.eps_c, p.w, p.convention, sign=-1.0)},
                    "The guidance term pushes towards the conditional prediction: $+w(\\epsilon_c - \\epsilon_u)$."),
            }
        else:
            m = {
                "guidance_sign": Mistake(
                    {"eps_guided": classifier(p, sign=-1.0)["eps_guided"]},
                    "The scaled gradient is subtracted from $\\epsilon$ (the noise points away from the data): "
                    "$\\tilde{\\epsilon} = \\epsilon - s \\sqrt{1 - \\bar{\\alpha}_t} \\nabla_{x} \\ln p$."),
                "sqrt_one_minus_alpha_bar_dropped": Mistake(
                    {"eps_guided": classifier(p, root=False)["eps_guided"]},
                    "You dropped $\\sqrt{1 - \\bar{\\alpha}_t}$: the gradient of the log-density is scaled by it "
                    "to become a noise prediction."),
                "gradient_of_p": Mistake(
                    {k: v for k, v in classifier(p, of_p=True).items() if k != "p"},
                    "That is the gradient of $p$, $p(1 - p)\\mathbf{a}$; guidance uses the gradient of $\\ln p$, "
                    "$(1 - p)\\mathbf{a}$."),
            }
        return distinct(ans, m)
