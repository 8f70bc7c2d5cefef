"""Vanishing gradients along a chain of scalar sigmoid or tanh units: ∂a_L/∂a_0 = Π_l w_l act′(z_l) and its bound.

Catalog: seed_002 B4 (five sigmoid layers, w = 1, a_0 = 0: ∂a_L/∂a_0 = 6.763392e−4, below the bound
0.25⁵ = 9.765625e−4; tanh's derivative is at most 1).

Parameters:
    a0: the input; w: one weight per layer (3–6 layers); act: sigmoid or tanh. a_l = act(w_l a_{l−1}).

Answer parts: ``z`` (z_l = w_l a_{l−1} per layer), ``derivs`` (act′(z_l)), ``grad`` (∂a_L/∂a_0 =
Π_l w_l act′(z_l)) and ``bound`` (Π_l |w_l| · (max act′)^L: 0.25^L for the sigmoid, 1 for tanh).

Conventions stated in the prompt: the chain a_l = act(w_l a_{l−1}) (no biases); the bound's formula.

Reference: autograd through the chain in torch (``torch.autograd.grad``), act′ by autograd at each z_l, the largest
derivative from autograd at 0 (examprep.reference.mlp:sigmoid_chain).

Common mistakes: the activations multiplied in place of the derivatives; the w factors dropped; σ′(0) = 0.5.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.mlp import activation_fns as af
from examprep.problems.mlp.near_miss import add, near_miss
from examprep.problems.mlp.numbers import grid
from examprep.solver.expr import Func, Mat, Mul, Num, Sym
from examprep.solver.step import Derivation

SF = 4
n = af.n
MAX_DERIV = {"sigmoid": 0.25, "tanh": 1.0}


def _part(name: str, label: str, kind: str, final: bool = True, uses: tuple[str, ...] = ()) -> Part:
    return Part(name, label, kind, mode="sigfig", digits=SF, final=final, uses=uses)


class SigmoidChain(ProblemType):
    id = "mlp/sigmoid_chain-v1"
    title = "Vanishing gradients along a chain of sigmoid or tanh units"
    catalog = "seed_002 B4"
    reference_entry = "examprep.reference.mlp:sigmoid_chain"
    params = (
        Param("a0", "real", "the input a_0", lo=-100, hi=100),
        Param("w", "vector", "one weight per layer", lo=-100, hi=100),
        Param("act", "choice", "activation", choices=("sigmoid", "tanh"), default="sigmoid"),
    )
    parts = (
        _part("z", "Pre-activations z_l = w_l a_{l−1}", "vector", final=False),
        _part("derivs", "Derivatives act′(z_l)", "vector", final=False, uses=("z",)),
        _part("grad", "∂a_L/∂a_0", "real", uses=("derivs",)),
        _part("bound", "Bound Π|w_l|·(max act′)^L", "real"),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        k = {"easy": 3, "medium": int(rng.integers(3, 5)), "hard": int(rng.integers(4, 7))}[difficulty]
        return dict(a0=grid(rng, -2, 2, difficulty), w=grid(rng, -3, 3, difficulty, k, nonzero=True),
                    act=("sigmoid", "tanh")[int(rng.integers(2))])

    def check(self, p: Params) -> list[str]:
        if not 1 <= len(p.w) <= 12:
            raise ParamError(f"w has {len(p.w)} entries: give one weight per layer, 1 to 12 layers")
        if any(v == 0 for v in p.w):
            raise ParamError("a weight of 0 cuts the chain (the gradient is 0); give nonzero weights")
        return []

    def degenerate(self, p: Params) -> str | None:
        return near_miss(self, self.solve(p), self.mistakes(p))

    def forward(self, p: Params) -> tuple[np.ndarray, np.ndarray]:
        a, zs, acts = float(p.a0), [], []
        for w in p.w:
            z = w * a
            a = float(af.value(p.act, z))
            zs.append(z)
            acts.append(a)
        return np.array(zs), np.array(acts)

    def answers(self, p: Params, half_at_zero: bool = False, given: Answers | None = None) -> Answers:
        z, _ = self.forward(p)
        z = carry(given, "z", z)
        d = af.derivative(p.act, z)
        peak = MAX_DERIV[p.act]
        if half_at_zero and p.act == "sigmoid":
            d, peak = np.where(z == 0, 0.5, d), 0.5
        d = carry(given, "derivs", d)
        w = np.asarray(p.w, dtype=float)
        return {"z": z, "derivs": d, "grad": float(np.prod(w * d)),
                "bound": float(np.prod(np.abs(w))) * peak ** len(w)}

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return self.answers(p, given=given)

    def statement(self, p: Params) -> list[Any]:
        name = ("the sigmoid $\\sigma(z) = \\frac{1}{1 + e^{-z}}$" if p.act == "sigmoid"
                else "tanh, $\\tanh(z) = \\frac{e^z - e^{-z}}{e^z + e^{-z}}$")
        return [f"A chain of {len(p.w)} scalar units computes $a_l = \\operatorname{{act}}(w_l a_{{l-1}})$ (no "
                f"biases) with act {name}, input $a_0$ = {n(p.a0)} and weights w = ", Mat([[n(v) for v in p.w]]),
                ". Give each pre-activation $z_l = w_l a_{l-1}$, each derivative $\\operatorname{act}'(z_l)$, the "
                "gradient $\\frac{\\partial a_L}{\\partial a_0} = \\prod_l w_l \\operatorname{act}'(z_l)$ and the "
                "bound $\\prod_l |w_l| \\cdot (\\max \\operatorname{act}')^L$ (the largest value the derivative "
                f"takes), to {SF} significant figures."]

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        z, acts = self.forward(p)
        d = Derivation()
        prev = float(p.a0)
        for i, (w, zl, al, dl) in enumerate(zip(p.w, z, acts, ans["derivs"], strict=True), start=1):
            d.add(f"Layer {i}: $z_{i} = w_{i} a_{{{i - 1}}}$", float(zl), lhs=Sym(f"z_{i}"), substituted=n(w) * n(prev))
            d.add(f"Layer {i}: $a_{i} = \\operatorname{{act}}(z_{i})$", float(al), lhs=Sym(f"a_{i}"),
                  substituted=af.substituted(p.act, float(zl)))
            deriv = (n(al) * Func("paren", 1 - n(al)) if p.act == "sigmoid" else 1 - n(al) ** 2)
            d.add(f"Layer {i}: $\\operatorname{{act}}'(z_{i})$ = " + ("$a(1 - a)$" if p.act == "sigmoid"
                                                                     else "$1 - a^2$"),
                  float(dl), lhs=Sym(f"d_{i}"), substituted=deriv)
            prev = float(al)
        d.add("Pre-activations", ans["z"], lhs="z", substituted=Mat([[n(v) for v in ans["z"]]]), part="z")
        d.add("Derivatives", ans["derivs"], lhs="d", substituted=Mat([[n(v) for v in ans["derivs"]]]), part="derivs")
        d.add("Chain rule: $\\frac{\\partial a_L}{\\partial a_0} = \\prod_l w_l \\operatorname{act}'(z_l)$",
              ans["grad"], lhs=Sym("grad", tex=r"\frac{\partial a_L}{\partial a_0}"), part="grad",
              substituted=Mul([n(w) * n(v) for w, v in zip(p.w, ans["derivs"], strict=True)]))
        peak = MAX_DERIV[p.act]
        d.add(f"Bound: the derivative is at most {peak:g}" + (" ($\\sigma'(0)$)" if p.act == "sigmoid" else ""),
              ans["bound"], lhs="bound", part="bound",
              substituted=Mul([n(abs(w)) for w in p.w]) * Num(peak) ** len(p.w))
        d.answer = f"∂a_L/∂a_0 = {ans['grad']:.6g} (bound {ans['bound']:.6g})"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)
        _, acts = self.forward(p)
        w = np.asarray(p.w, dtype=float)
        m: dict[str, Mistake] = {}
        add(m, "activations_multiplied", {"grad": float(np.prod(w * acts))}, truth,
            "You multiplied the activations $a_l$; the chain rule multiplies the derivatives "
            "$\\operatorname{act}'(z_l)$ (times the weights).")
        add(m, "w_dropped", {"grad": float(np.prod(truth["derivs"]))}, truth,
            "You dropped the weights: each layer contributes $w_l \\operatorname{act}'(z_l)$, since "
            "$\\frac{\\partial z_l}{\\partial a_{l-1}} = w_l$.")
        if p.act == "sigmoid":
            half = self.answers(p, half_at_zero=True)
            add(m, "sigma_prime_zero_half", half, truth,
                "$\\sigma'(0) = \\sigma(0)(1 - \\sigma(0)) = 0.5 \\cdot 0.5 = 0.25$, not 0.5.")
        return m

