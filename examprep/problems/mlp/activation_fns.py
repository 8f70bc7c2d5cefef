"""Activation functions of the mlp types: values, derivatives (left-hand at a kink, as autograd gives them),
their formulas in the statement, and each value with its number substituted for the derivation.

At a kink the derivative is the left-hand one, as PyTorch's autograd gives it: ReLU′(0) = 0, leaky ReLU′(0) = α,
ELU′(0) = α.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from examprep.solver.expr import Expr, Func, Num

NAMES = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "swish", "gelu", "gelu_tanh")
GELU_C = 0.044715
SQRT_2_OVER_PI = math.sqrt(2 / math.pi)

FORMULAS = {
    "sigmoid": r"$\sigma(z) = \frac{1}{1 + e^{-z}}$",
    "tanh": r"$\tanh(z) = \frac{e^z - e^{-z}}{e^z + e^{-z}}$",
    "relu": r"$\operatorname{ReLU}(z) = \max(0, z)$",
    "leaky_relu": r"$\max(0, z) + \alpha \min(0, z)$",
    "elu": r"$\operatorname{ELU}(z) = z$ for $z > 0$, $\alpha (e^z - 1)$ for $z \le 0$",
    "swish": r"$\operatorname{swish}(z) = z \sigma(\beta z)$",
    "gelu": r"$\operatorname{GELU}(z) = z \Phi(z)$ (exact; $\Phi$ is the standard normal CDF)",
    "gelu_tanh": r"$\operatorname{GELU}(z) \approx \frac{1}{2} z (1 + \tanh(\sqrt{2/\pi} (z + 0.044715 z^3)))$",
}


_ERFC = np.vectorize(math.erfc, otypes=[float])


def phi(z: Any) -> Any:
    """The standard normal CDF Φ(z) = ½ erfc(−z/√2) (= ½(1 + erf(z/√2)), accurate in the lower tail too)."""
    return 0.5 * _ERFC(-np.asarray(z, dtype=float) / math.sqrt(2))


def pdf(z: Any) -> Any:
    a = np.asarray(z, dtype=float)
    return np.exp(-a * a / 2) / math.sqrt(2 * math.pi)


def sigmoid(z: Any) -> Any:
    a = np.asarray(z, dtype=float)
    return np.where(a >= 0, 1 / (1 + np.exp(-np.abs(a))), np.exp(-np.abs(a)) / (1 + np.exp(-np.abs(a))))


def value(name: str, z: Any, alpha: float = 0.01, beta: float = 1.0) -> np.ndarray:
    """act(z), element by element."""
    a = np.asarray(z, dtype=float)
    if name == "sigmoid":
        return sigmoid(a)
    if name == "tanh":
        return np.tanh(a)
    if name == "relu":
        return np.maximum(a, 0.0)
    if name == "leaky_relu":
        return np.where(a > 0, a, alpha * a)
    if name == "elu":
        return np.where(a > 0, a, alpha * np.expm1(a))
    if name == "swish":
        return a * sigmoid(beta * a)
    if name == "gelu":
        return a * phi(a)
    if name == "gelu_tanh":
        return 0.5 * a * (1 + np.tanh(SQRT_2_OVER_PI * (a + GELU_C * a ** 3)))
    raise ValueError(f"unknown activation {name!r}")


def derivative(name: str, z: Any, alpha: float = 0.01, beta: float = 1.0) -> np.ndarray:
    """act′(z), the left-hand derivative at a kink (ReLU′(0) = 0, leaky ReLU′(0) = α, ELU′(0) = α)."""
    a = np.asarray(z, dtype=float)
    if name == "sigmoid":
        s = sigmoid(a)
        return s * (1 - s)
    if name == "tanh":
        return 1 - np.tanh(a) ** 2
    if name == "relu":
        return np.where(a > 0, 1.0, 0.0)
    if name == "leaky_relu":
        return np.where(a > 0, 1.0, alpha)
    if name == "elu":
        return np.where(a > 0, 1.0, alpha * np.exp(a))
    if name == "swish":
        s = sigmoid(beta * a)
        return s + beta * a * s * (1 - s)
    if name == "gelu":
        return phi(a) + a * pdf(a)
    if name == "gelu_tanh":
        u = SQRT_2_OVER_PI * (a + GELU_C * a ** 3)
        t = np.tanh(u)
        return 0.5 * (1 + t) + 0.5 * a * (1 - t ** 2) * SQRT_2_OVER_PI * (1 + 3 * GELU_C * a ** 2)
    raise ValueError(f"unknown activation {name!r}")


def n(x: float) -> Num:
    f = float(x)
    return Num(int(f)) if f.is_integer() and abs(f) < 1e15 else Num(f)


def substituted(name: str, z: float, alpha: float = 0.01, beta: float = 1.0) -> Expr:
    """act(z) with the number in, written the way it is computed by hand."""
    zz = n(z)
    if name == "sigmoid":
        return 1 / (1 + Func("exp", n(-z)))
    if name == "tanh":
        return Func("tanh", zz)
    if name == "relu":
        return Func("max", 0, zz)
    if name == "leaky_relu":
        return zz if z > 0 else n(alpha) * zz
    if name == "elu":
        return zz if z > 0 else n(alpha) * Func("paren", Func("exp", zz) - 1)
    if name == "swish":
        return zz / (1 + Func("exp", -(n(beta) * zz) if beta != 1 else n(-z)))
    if name == "gelu":
        return zz * Func("Φ", zz)
    if name == "gelu_tanh":
        inner = Num(SQRT_2_OVER_PI, 7) * Func("paren", zz + Num(GELU_C) * zz ** 3)
        return Num(0.5) * zz * Func("paren", 1 + Func("tanh", inner))
    raise ValueError(f"unknown activation {name!r}")


DERIVATIVES = {
    "sigmoid": r"$\sigma'(z) = \sigma(z)(1 - \sigma(z))$",
    "tanh": r"$\tanh'(z) = 1 - \tanh^2(z)$",
    "relu": r"$\operatorname{ReLU}'(z) = 1$ for $z > 0$, else 0",
    "leaky_relu": r"1 for $z > 0$, else $\alpha$",
    "elu": r"1 for $z > 0$, else $\alpha e^z$",
    "swish": r"$\sigma(\beta z) + \beta z \sigma(\beta z)(1 - \sigma(\beta z))$",
    "gelu": r"$\Phi(z) + z \varphi(z)$ ($\varphi$ the standard normal density)",
    "gelu_tanh": r"the derivative of the tanh form",
}


def derivative_substituted(name: str, z: float, alpha: float = 0.01, beta: float = 1.0) -> Expr:
    """act′(z) with the numbers in (values of σ, tanh, Φ shown as numbers)."""
    if name == "sigmoid":
        s = n(float(sigmoid(z)))
        return s * Func("paren", 1 - s)
    if name == "tanh":
        return 1 - n(float(np.tanh(z))) ** 2
    if name == "relu":
        return Num(1 if z > 0 else 0)
    if name == "leaky_relu":
        return Num(1) if z > 0 else n(alpha)
    if name == "elu":
        return Num(1) if z > 0 else n(alpha) * Func("exp", n(z))
    if name == "swish":
        s = n(float(sigmoid(beta * z)))
        return s + n(beta) * n(z) * s * Func("paren", 1 - s)
    if name == "gelu":
        return n(float(phi(z))) + n(z) * n(float(pdf(z)))
    if name == "gelu_tanh":
        t = n(float(np.tanh(SQRT_2_OVER_PI * (z + GELU_C * z ** 3))))
        return (Num(0.5) * Func("paren", 1 + t) + Num(0.5) * n(z) * Func("paren", 1 - t ** 2)
                * Num(SQRT_2_OVER_PI, 7) * Func("paren", 1 + Num(3 * GELU_C) * n(z) ** 2))
    raise ValueError(f"unknown activation {name!r}")
