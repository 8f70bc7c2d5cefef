"""Softmax cross-entropy: probabilities, (smoothed) target, loss and prediction, from logits or an LM head W h + b.

Catalog: seed_004 A10 (softmax CE, `nn.CrossEntropyLoss`), seed_002 A1 (softmax CE) and D4 (label smoothing),
seed_003 B7 (LM head logits W h + b, CE of the target token).

Parameters:
    z: the logits: a vector (one example) or one row per example (a batch). Give z, or W and h.
    W: the output layer's weight, |V| × d (out × in, as `nn.Linear` stores it); h: the hidden vector (d entries);
        b: the optional bias (|V| entries). The logits are W h + b.
    target: the true class (numbered from 0, as PyTorch's target index), or a list with one per example.
    smoothing: label smoothing ε in [0, 1) (default 0): target distribution (1 − ε)·onehot + ε/K.

Answer parts: ``logits`` (only when W is given), ``probs`` (softmax, a row per example for a batch),
``target_dist`` (only when ε > 0), ``loss`` (−Σ_k q_k ln p_k, averaged over the batch), ``pred`` (argmax, one per
example; the first of tied classes).

Conventions stated in the prompt: ln is the natural log, classes numbered from 0, z = W h + b with W of shape
(out × in), the smoothing formula with ε/K, the batch mean.

Reference: ``F.linear``, ``torch.softmax``, ``F.cross_entropy(..., label_smoothing=ε)``, ``F.one_hot``
(examprep.reference.loss:softmax_ce).

Common mistakes: log base 2; z/Σz for the softmax; the minus sign lost; the CE of the predicted class instead of the
target; softmax applied twice; classes counted from 1; ε/(K−1) smoothing.

Versions: v1 — first version.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.loss.softmax import ce_terms_expr, cross_entropy, num, smoothed, softmax, softmax_steps
from examprep.problems.mlp.near_miss import add, near_miss
from examprep.problems.mlp.numbers import grid, labels, number, rows
from examprep.solver.expr import Add, Mat, Sym
from examprep.solver.step import Derivation

DP = 4


def exact_logits(p: Params) -> list[list[Fraction]]:
    """The logits as exact fractions of the decimals shown (ties are decided on these)."""
    if p.W is None:
        z, _ = rows("z", p.z)
        return [[Fraction(repr(float(x))) for x in r] for r in z]
    b = p.b if p.b is not None else (0,) * len(p.W)
    return [[sum((Fraction(repr(float(w))) * Fraction(repr(float(x))) for w, x in zip(r, p.h, strict=True)),
                 Fraction(repr(float(bk)))) for r, bk in zip(p.W, b, strict=True)]]


def argmax_first(row: list[Fraction]) -> int:
    best = max(row)
    return row.index(best)


class SoftmaxCE(ProblemType):
    id = "loss/softmax_ce-v1"
    title = "Softmax cross-entropy (with label smoothing and an LM head)"
    catalog = "seed_004 A10; seed_002 A1, D4; seed_003 B7"
    reference_entry = "examprep.reference.loss:softmax_ce"
    params = (
        Param("z", "json", "logits: a vector, or one row per example", optional=True),
        Param("W", "matrix", "output weight |V|×d (out × in, as nn.Linear)", lo=-1000, hi=1000, optional=True),
        Param("h", "vector", "hidden vector (d entries)", lo=-1000, hi=1000, optional=True),
        Param("b", "vector", "output bias (|V| entries)", lo=-1000, hi=1000, optional=True),
        Param("target", "json", "true class numbered from 0, or a list with one per example"),
        Param("smoothing", "real", "label smoothing ε", lo=0, hi=0.99, default=0.0),
    )
    parts = (
        Part("logits", "Logits W h + b", "vector", final=False),
        Part("probs", "Probabilities softmax(z) (a row per example)", "vector", mode="decdig", digits=DP,
             final=False, uses=("logits",)),
        Part("target_dist", "Smoothed target distribution (a row per example)", "vector", mode="decdig",
             digits=DP, final=False),
        Part("loss", "Cross-entropy loss (batch mean)", "real", mode="decdig", digits=DP,
             uses=("probs", "target_dist")),
        Part("pred", "Predicted class of each example (numbered from 0)", "vector", integral=True, uses=("logits",)),
    )

    # ---- parameters -------------------------------------------------------------------------------------------
    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        form = "z" if difficulty == "easy" else ("z", "W")[int(rng.integers(2))]
        eps = {"easy": 0.0, "medium": (0.0, 0.0, 0.1)[int(rng.integers(3))],
               "hard": (0.0, 0.1, 0.2)[int(rng.integers(3))]}[difficulty]
        k = 3 if difficulty == "easy" else int(rng.integers(3, 5))
        if form == "W":
            d = 2 if difficulty != "hard" else int(rng.integers(2, 4))
            W = grid(rng, -2, 2, difficulty, (k, d))  # noqa: N806
            h = grid(rng, -1.5, 1.5, difficulty, d, nonzero=True)
            b = grid(rng, -1, 1, difficulty, k) if difficulty == "hard" else None
            return dict(W=W, h=h, b=b, target=int(rng.integers(k)), smoothing=eps)
        n = 2 if difficulty == "hard" else 1
        z = grid(rng, -2, 3, difficulty, (n, k))
        target: Any = [int(t) for t in rng.integers(k, size=n)]
        return dict(z=z if n > 1 else z[0], target=target if n > 1 else target[0], smoothing=eps)

    def check(self, p: Params) -> list[str]:
        if (p.z is None) == (p.W is None):
            raise ParamError("give the logits z, or W and h (logits W h + b), not both")
        if p.W is not None:
            if p.h is None:
                raise ParamError("W is given but h is not: give the hidden vector h (the logits are W h + b)")
            if len(p.h) != len(p.W[0]):
                raise ParamError(f"W is {len(p.W)}×{len(p.W[0])} (out × in) but h has {len(p.h)} entries; "
                                 f"h needs {len(p.W[0])}")
            if p.b is not None and len(p.b) != len(p.W):
                raise ParamError(f"b has {len(p.b)} entries but W has {len(p.W)} rows (one per class)")
            k, n = len(p.W), 1
        else:
            if p.h is not None or p.b is not None:
                raise ParamError("h and b go with W; with logits z given, leave them out")
            z, _ = rows("z", p.z)
            n, k = z.shape
        if k < 2:
            raise ParamError("give at least 2 classes")
        labels("target", p.target, n, k)
        number("smoothing", p.smoothing)
        return []

    def active_parts(self, p: Params) -> tuple[Part, ...]:
        skip = ({"logits"} if p.W is None else set()) | ({"target_dist"} if p.smoothing == 0 else set())
        return tuple(pt for pt in self.parts if pt.name not in skip)

    # ---- answers ----------------------------------------------------------------------------------------------
    def _logits(self, p: Params) -> tuple[np.ndarray, bool]:
        if p.W is None:
            return rows("z", p.z)
        W, h = np.asarray(p.W, dtype=float), np.asarray(p.h, dtype=float)  # noqa: N806
        b = np.asarray(p.b, dtype=float) if p.b is not None else np.zeros(len(W))
        return (W @ h + b)[None, :], False

    def _targets(self, p: Params, n: int, k: int) -> list[int]:
        return labels("target", p.target, n, k)

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        z, batched = self._logits(p)
        n, k = z.shape
        t = self._targets(p, n, k)
        exact = exact_logits(p)
        if p.W is not None and given and "logits" in given:  # the student's logits (error carried forward)
            z = carry(given, "logits", z[0])[None, :]
            exact = [[Fraction(repr(float(x))) for x in z[0]]]

        def one(v: np.ndarray) -> np.ndarray:  # a row per example, or the one row
            return v if batched else v[0]

        probs = np.reshape(carry(given, "probs", one(softmax(z))), z.shape)
        q = np.reshape(carry(given, "target_dist", one(smoothed(t, k, p.smoothing))), z.shape)
        out: Answers = {}
        if p.W is not None:
            out["logits"] = z[0]
        out["probs"] = one(probs)
        if p.smoothing > 0:
            out["target_dist"] = one(q)
        out["loss"] = float(cross_entropy(probs, q).mean())
        out["pred"] = np.array([argmax_first(r) for r in exact])
        return out

    def degenerate(self, p: Params) -> str | None:
        z, _ = self._logits(p)
        if softmax(z).min() < 5e-4:
            return "a probability rounds to 0"
        if any(r.count(max(r)) > 1 for r in exact_logits(p)):
            return "two classes tie for the largest logit"
        return near_miss(self, self.solve(p), self.mistakes(p))

    # ---- text -------------------------------------------------------------------------------------------------
    def statement(self, p: Params) -> list[Any]:
        z, batched = self._logits(p)
        n, k = z.shape
        out: list[Any] = []
        if p.W is not None:
            bias = " + b" if p.b is not None else ""
            out += [f"A language-model head maps the hidden vector h to the logits of {k} tokens: "
                    f"$z = W h{bias}$ (a dense layer; W has shape $|V| \\times d = {k} \\times {len(p.h)}$, "
                    "out $\\times$ in, as in PyTorch's nn.Linear).\nW = ", Mat([[num(x) for x in r] for r in p.W]),
                    ", h = ", Mat([[num(x) for x in p.h]])]
            if p.b is not None:
                out += [", b = ", Mat([[num(x) for x in p.b]])]
            out += [f". The target token is class {p.target}. "]
        elif batched:
            out += [f"A classifier gives the logits below for a batch of {n} examples (one row each, {k} classes):"
                    "\nz = ", Mat([[num(x) for x in r] for r in z]),
                    f"\nThe target classes are {list(self._targets(p, n, k))}. "]
        else:
            out += ["A classifier gives the logits z = ", Mat([[num(x) for x in z[0]]]),
                    f" for {k} classes. The target class is {p.target}. "]
        out.append("Classes are numbered from 0, as PyTorch's target index. The probabilities are "
                   "$p_k = \\frac{e^{z_k}}{\\sum_j e^{z_j}}$ and the loss is the cross-entropy "
                   "$-\\sum_k q_k \\ln p_k$ with ln the natural log")
        if p.smoothing > 0:
            out.append(f", with label smoothing $\\epsilon$ = {p.smoothing:g}: the target distribution is "
                       f"$q = (1 - \\epsilon) \\cdot \\text{{onehot}} + \\frac{{\\epsilon}}{{K}}$ with K = {k} classes")
        else:
            out.append(" (q is one-hot on the target, so the loss is $-\\ln p_y$)")
        out.append(". " + ("The batch loss is the mean over the examples. " if batched else ""))
        what = "the logits, " if p.W is not None else ""
        what += "the probabilities, " + ("the target distribution, " if p.smoothing > 0 else "")
        tie = any(r.count(max(r)) > 1 for r in exact_logits(p))
        out.append(f"Give {what}the loss and the predicted class{'es' if batched else ''} (the largest "
                   f"probability{'; the first of tied classes' if tie else ''}), probabilities and loss to {DP} "
                   "decimal places.")
        return out

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        z, batched = self._logits(p)
        n, k = z.shape
        t = self._targets(p, n, k)
        d = Derivation()
        if p.W is not None:
            b = p.b if p.b is not None else (0,) * k
            exprs = []
            for r, bk in zip(p.W, b, strict=True):
                terms = [num(w) * num(x) for w, x in zip(r, p.h, strict=True)]
                if p.b is not None:
                    terms.append(num(bk))
                exprs.append(Add([(1, e) for e in terms]))
            d.add("Logits $z_k = \\sum_j W_{kj} h_j + b_k$ (row k of W times h)", a["logits"], lhs="z",
                  substituted=Mat([exprs]), part="logits")
        probs = softmax_steps(d, z, batched)
        q = smoothed(t, k, p.smoothing)
        if p.smoothing > 0:
            eps = Sym("epsilon")
            cells = [[(1 - num(p.smoothing)) * 1 + num(p.smoothing) / k if j == tt else num(p.smoothing) / k
                      for j in range(k)] for tt in t]
            d.add("Smoothed target $q = (1 - \\epsilon) \\cdot \\text{onehot} + \\frac{\\epsilon}{K}$",
                  q if batched else q[0], lhs="q", formula=(1 - eps) * Sym("y") + eps / Sym("K"),
                  substituted=Mat(cells), part="target_dist")
        losses = cross_entropy(probs, q)
        for i in range(n):
            title = f"Loss of example {i + 1}" if batched else "Cross-entropy loss"
            formula = None if p.smoothing > 0 else -Sym("ln p_y", "ln p_y", r"\ln p_y", "ln p_y")
            d.add(title + (f" (target {t[i]})"), float(losses[i]), lhs=Sym(f"L_{i + 1}") if batched else "L",
                  substituted=ce_terms_expr(probs[i], q[i]), formula=formula,
                  part=None if batched else "loss")
        if batched:
            d.add("Batch mean", a["loss"], lhs="L",
                  substituted=Add([(1, num(x)) for x in losses]) / n, part="loss")
        d.add("Predicted class: the largest probability", a["pred"], lhs=Sym("pred", "ŷ", r"\hat{y}", "hat(y)"),
              part="pred", note="classes are numbered from 0")
        d.answer = f"loss = {a['loss']:.4f}, predicted class {', '.join(str(x) for x in a['pred'])}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)
        z, batched = self._logits(p)
        n, k = z.shape
        t = self._targets(p, n, k)
        eps = p.smoothing
        probs = softmax(z)
        q = smoothed(t, k, eps)
        shape = (lambda a: a) if batched else (lambda a: a[0])
        m: dict[str, Mistake] = {}
        add(m, "log2", {"loss": float(cross_entropy(probs, q, np.log2).mean())}, truth,
            "You used log base 2; cross-entropy here is in nats: use the natural log ln.")
        sums = z.sum(axis=1, keepdims=True)
        if np.all(sums != 0):
            ratio = z / sums
            ans: Answers = {"probs": shape(ratio)}
            if np.all(ratio[q > 0] > 0):
                ans["loss"] = float(cross_entropy(ratio, q).mean())
            add(m, "logits_normalised", ans, truth,
                "You divided the logits by their sum. Softmax exponentiates first: "
                "$p_k = \\frac{e^{z_k}}{\\sum_j e^{z_j}}$.")
        add(m, "minus_lost", {"loss": -truth["loss"]}, truth,
            "You lost the minus sign: the cross-entropy is $-\\ln p_y$, which is positive.")
        pred = [int(x) for x in truth["pred"]]
        add(m, "predicted_class", {"loss": float(cross_entropy(probs, smoothed(pred, k, eps)).mean())}, truth,
            "You took the loss of the predicted (most likely) class; the loss uses the probability of the target "
            "class.")
        p2 = softmax(probs)
        add(m, "softmax_twice", {"probs": shape(p2), "loss": float(cross_entropy(p2, q).mean())}, truth,
            "You applied softmax twice (to the probabilities); the cross-entropy takes the logits' softmax once.")
        from1: Answers = {"pred": truth["pred"] + 1}
        if min(t) >= 1:
            from1["loss"] = float(cross_entropy(probs, smoothed([x - 1 for x in t], k, eps)).mean())
        add(m, "classes_from_1", from1, truth,
            "Classes are numbered from 0 (PyTorch's target index): class 0 is the first logit.")
        if eps > 0:
            q2 = smoothed(t, k, eps, spread=k - 1)
            add(m, "smoothing_k_minus_1", {"target_dist": shape(q2), "loss": float(cross_entropy(probs, q2).mean())},
                truth, "You spread $\\epsilon$ as $\\frac{\\epsilon}{K-1}$ over the wrong classes only. Label "
                "smoothing here (as in PyTorch) adds $\\frac{\\epsilon}{K}$ to every class, the target included.")
        return m

