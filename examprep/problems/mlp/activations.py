"""Activation values and derivatives: sigmoid, tanh, ReLU, leaky ReLU / PReLU, ELU, swish, GELU (exact and tanh).

Catalog: seed_002 A3 (values and derivatives; the notes' "tan(wz)" typo for tanh, the garbled generalised ReLU
max(0, z) + α min(0, z)), seed_004 B13 (GELU and its tanh approximation).

Parameters:
    z: 3–5 input values.
    act: sigmoid, tanh, relu, leaky_relu (max(0, z) + α min(0, z): leaky ReLU, or PReLU with weight α), elu,
        swish (z σ(βz)), gelu (exact, z Φ(z)) or gelu_tanh.
    alpha: leaky_relu's slope (default 0.01) or ELU's α (default 1).
    beta: swish's β (default 1, the SiLU).

Answer parts: ``value`` (act(z) per entry) and ``derivative`` (act′(z) per entry).

Conventions stated in the prompt: the formula of the activation; at a kink the derivative is the left-hand one,
as autograd gives it (ReLU′(0) = 0, leaky ReLU′(0) = α, ELU′(0) = α).

Reference: ``torch.sigmoid``, ``torch.tanh``, ``F.relu``, ``F.prelu`` (weight α), ``F.elu``, ``F.silu``,
``F.gelu``; derivatives by autograd (examprep.reference.mlp:activations).

Common mistakes: σ′ = σ; tanh′ = 1 − tanh; the derivative evaluated at the output; tan for tanh; α's sign.

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
from examprep.solver.expr import Mat, Sym
from examprep.solver.step import Derivation

DP = 4
DEFAULT_ALPHA = {"leaky_relu": 0.01, "elu": 1.0}
BY_DIFFICULTY = {"easy": ("sigmoid", "tanh", "relu"),
                 "medium": ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "swish"),
                 "hard": af.NAMES}


class Activations(ProblemType):
    id = "mlp/activations-v1"
    title = "Activation functions: values and derivatives"
    catalog = "seed_002 A3; seed_004 B13"
    reference_entry = "examprep.reference.mlp:activations"
    params = (
        Param("z", "vector", "input values", lo=-20, hi=20),
        Param("act", "choice", "activation", choices=af.NAMES),
        Param("alpha", "real", "leaky_relu slope (default 0.01) or ELU α (default 1)", lo=-10, hi=10, optional=True),
        Param("beta", "real", "swish β (default 1: SiLU)", lo=-10, hi=10, default=1.0),
    )
    parts = (
        Part("value", "act(z), one per input", "vector", mode="decdig", digits=DP),
        Part("derivative", "act′(z), one per input", "vector", mode="decdig", digits=DP, uses=("value",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        acts = BY_DIFFICULTY[difficulty]
        act = acts[int(rng.integers(len(acts)))]
        k = int(rng.integers(3, 6))
        step = {"easy": 1, "medium": 10, "hard": 100}[difficulty]
        cells = rng.choice(np.arange(-3 * step, 3 * step + 1), size=k, replace=False)
        z = sorted(int(c) if step == 1 else round(int(c) / step, 2) for c in cells)
        alpha = None
        if act == "leaky_relu":
            alpha = (0.01, 0.1, 0.25)[int(rng.integers(3))]
        elif act == "elu" and difficulty == "hard":
            alpha = (0.5, 1.0)[int(rng.integers(2))]
        beta = (1.0, 1.5, 2.0)[int(rng.integers(3))] if act == "swish" and difficulty == "hard" else 1.0
        return dict(z=z, act=act, alpha=alpha, beta=beta)

    def check(self, p: Params) -> list[str]:
        if p.alpha is not None and p.act not in DEFAULT_ALPHA:
            raise ParamError(f"alpha goes with leaky_relu or elu, not {p.act}; leave it out")
        if p.beta != 1.0 and p.act != "swish":
            raise ParamError(f"beta goes with swish, not {p.act}; leave it out")
        return []

    def alpha(self, p: Params) -> float:
        return float(p.alpha) if p.alpha is not None else DEFAULT_ALPHA.get(p.act, 0.0)

    def degenerate(self, p: Params) -> str | None:
        return near_miss(self, self.solve(p), self.mistakes(p))

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        """The values and derivatives; with the student's values given, the derivatives that are written in terms
        of the value (σ′ = σ(1 − σ), tanh′ = 1 − tanh², ELU′ = ELU + α for z ≤ 0) follow from them."""
        a = self.alpha(p)
        value = carry(given, "value", af.value(p.act, p.z, a, p.beta))
        deriv = af.derivative(p.act, p.z, a, p.beta)
        if given and "value" in given:
            z = np.asarray(p.z, dtype=float)
            deriv = {"sigmoid": lambda: value * (1 - value), "tanh": lambda: 1 - value ** 2,
                     "elu": lambda: np.where(z > 0, 1.0, value + a)}.get(p.act, lambda: deriv)()
        return {"value": value, "derivative": deriv}

    def statement(self, p: Params) -> list[Any]:
        name = {"leaky_relu": "leaky ReLU (PReLU with weight $\\alpha$)", "gelu": "GELU (exact)",
                "gelu_tanh": "GELU (tanh approximation)"}.get(p.act, p.act)
        extra = ""
        if p.act in DEFAULT_ALPHA:
            extra = f" with $\\alpha$ = {self.alpha(p):g}"
        elif p.act == "swish":
            extra = f" with $\\beta$ = {p.beta:g}" + (" (the SiLU)" if p.beta == 1 else "")
        return [f"The activation is {name}, {af.FORMULAS[p.act]}{extra}. For z = ", Mat([[af.n(v) for v in p.z]]),
                " give the value and the derivative with respect to z at each entry, to "
                f"{DP} decimal places. Use the natural exponential; at a kink (z = 0 for ReLU, leaky ReLU and ELU) "
                "take the left-hand derivative, as autograd does: ReLU gives 0, leaky ReLU $\\alpha$, ELU "
                "$\\alpha$."]

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        a = self.alpha(p)
        d = Derivation()
        d.add(f"Values {af.FORMULAS[p.act]}", ans["value"], lhs=Sym("f_z", "f(z)", "f(z)", "f(z)"),
              substituted=Mat([[af.substituted(p.act, float(v), a, p.beta) for v in p.z]]), part="value")
        kink = p.act in ("relu", "leaky_relu", "elu") and any(v == 0 for v in p.z)
        d.add(f"Derivatives: {af.DERIVATIVES[p.act]}", ans["derivative"], lhs=Sym("df", "f′(z)", "f'(z)", "f'(z)"),
              substituted=Mat([[af.derivative_substituted(p.act, float(v), a, p.beta) for v in p.z]]),
              part="derivative", note="at z = 0 the left-hand derivative is taken" if kink else None)
        d.answer = f"f(z) = {np.round(ans['value'], DP).tolist()}, f′(z) = {np.round(ans['derivative'], DP).tolist()}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)
        a = self.alpha(p)
        z = np.asarray(p.z, dtype=float)
        m: dict[str, Mistake] = {}
        if p.act == "sigmoid":
            add(m, "sigmoid_derivative_as_sigma", {"derivative": truth["value"]}, truth,
                "You gave $\\sigma(z)$ as the derivative; $\\sigma'(z) = \\sigma(z)(1 - \\sigma(z))$.")
        if p.act == "tanh":
            add(m, "tanh_derivative_not_squared", {"derivative": 1 - truth["value"]}, truth,
                "$\\tanh'(z) = 1 - \\tanh^2(z)$: square the tanh.")
            add(m, "tan_for_tanh", {"value": np.tan(z), "derivative": 1 / np.cos(z) ** 2}, truth,
                "You used tan (the circular tangent); the activation is tanh, the hyperbolic tangent "
                "$\\frac{e^z - e^{-z}}{e^z + e^{-z}}$.")
        add(m, "derivative_at_output", {"derivative": af.derivative(p.act, truth["value"], a, p.beta)}, truth,
            "You evaluated the derivative at the output f(z); evaluate it at the input z (for the sigmoid, "
            "$\\sigma'(z) = \\sigma(z)(1 - \\sigma(z))$ uses $\\sigma(z)$ but is not $\\sigma'(\\sigma(z))$).")
        if p.act in ("leaky_relu", "elu"):
            add(m, "alpha_sign", {"value": af.value(p.act, z, -a, p.beta),
                                  "derivative": af.derivative(p.act, z, -a, p.beta)}, truth,
                f"Check the sign of $\\alpha$: the negative side is $\\alpha$ times "
                f"{'z' if p.act == 'leaky_relu' else '$(e^z - 1)$'} with $\\alpha$ = {a:g}.")
        return m

