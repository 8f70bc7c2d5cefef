"""Next-token probabilities: softmax with a temperature, the most likely token, and top-k sampling.

Catalog: seed_000 B6 (p_i = exp(z_i/α)/Σ_j exp(z_j/α); "generate at random from the top k"), seed_003 B7.

Parameters:
    z: the logits, one per vocabulary token (tokens numbered from 1).
    temperature: T > 0; the logits are divided by T.
    k: how many of the most likely tokens top-k sampling keeps.

Answer parts: ``scaled`` (z/T), ``probs`` (softmax(z/T)), ``argmax`` (the most likely token, numbered from 1) and
``topk`` (the top-k sampling distribution over the whole vocabulary: the k largest probabilities renormalised,
0 elsewhere). Probabilities to 4 decimal places.

Conventions stated in the prompt: division by T, tokens numbered from 1, top-k keeps the k largest and renormalises
(for top-k, temperature and truncation commute).

Reference: ``torch.softmax(z / T)``, ``torch.argmax`` and ``torch.topk`` with the other logits set to −∞
(examprep.reference.attention:softmax_temperature).

Common mistakes: multiplying by T, ignoring T, exponentials not normalised, top-k not renormalised, the bottom k,
the argmax counted from 0.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params, ordinal
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.attention.steps import mat, softmax, softmax_steps
from examprep.solver.expr import Mat, Num, Sym
from examprep.solver.step import Derivation

DP = 4


def top_k(probs: np.ndarray, k: int, largest: bool = True, renormalise: bool = True) -> np.ndarray:
    order = np.argsort(-probs if largest else probs, kind="stable")[:k]
    out = np.zeros_like(probs)
    out[order] = probs[order]
    return out / out.sum() if renormalise else out


class SoftmaxTemperature(ProblemType):
    id = "attention/softmax_temperature-v1"
    title = "Softmax with temperature and top-k sampling"
    catalog = "seed_000 B6; seed_003 B7"
    reference_entry = "examprep.reference.attention:softmax_temperature"
    params = (
        Param("z", "vector", "logits, one per token (tokens numbered from 1)", lo=-100, hi=100),
        Param("temperature", "real", "temperature T (the logits are divided by T)", lo=0.01, hi=100, default=1.0),
        Param("k", "int", "top-k sampling keeps the k most likely tokens", lo=1, hi=1000),
    )
    parts = (
        Part("scaled", "Scaled logits z/T", "vector", mode="decdig", digits=DP, final=False),
        Part("probs", "Probabilities softmax(z/T)", "vector", mode="decdig", digits=DP, uses=("scaled",), share=True),
        Part("argmax", "Most likely token (numbered from 1)", "integer"),
        Part("topk", "Top-k sampling distribution (0 outside the top k)", "vector", mode="decdig", digits=DP,
             uses=("probs",), share=True),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n = 4 if difficulty != "hard" else 5
        grid = list(range(-2, 4)) if difficulty != "hard" else [x / 2 for x in range(-4, 7)]
        z = [grid[int(i)] for i in rng.choice(len(grid), n, replace=False)]
        temps = {"easy": [1.0, 2.0], "medium": [0.5, 1.0, 2.0], "hard": [0.5, 2.0, 0.25, 1.5]}[difficulty]
        return dict(z=z, temperature=float(rng.choice(temps)), k=int(rng.integers(2, n)))

    def check(self, p: Params) -> list[str]:
        n = len(p.z)
        if p.k > n:
            raise ParamError(f"k={p.k}: top-k keeps at most all {n} tokens; use k ≤ {n}")
        srt = sorted(p.z, reverse=True)
        if n > 1 and srt[0] == srt[1]:
            raise ParamError(f"z={list(p.z)}: two tokens share the largest logit, so the most likely token is not "
                             "unique; make the largest logit unique")
        if p.k < n and srt[p.k - 1] == srt[p.k]:
            raise ParamError(f"k={p.k}: the {ordinal(p.k)} and {ordinal(p.k + 1)} largest logits are equal, so the "
                             f"top {p.k} is "
                             "not unique; choose another k")
        return []

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        z = np.asarray(p.z, dtype=float)
        scaled = carry(given, "scaled", z / p.temperature)
        probs = carry(given, "probs", softmax(scaled))
        return {"scaled": scaled, "probs": probs, "argmax": int(np.argmax(z)) + 1, "topk": top_k(probs, p.k)}

    def statement(self, p: Params) -> list[Any]:
        n = len(p.z)
        return [f"A language model gives the logits $z$ below for a vocabulary of {n} tokens, numbered 1 to {n}. "
                f"With temperature $T = {Num(p.temperature).render('latex')}$ the probabilities are "
                r"$p_i = \exp(z_i/T) / \sum_j \exp(z_j/T)$. Find the scaled logits $z/T$, the probabilities, the most "
                f"likely token, and the top-$k$ sampling distribution for $k = {p.k}$ (keep the {p.k} most likely "
                "tokens, set the others to 0 and renormalise; give it over all tokens). "
                f"Give probabilities to {DP} decimal places.", "\n$z$ = ", mat(p.z)]

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        d = Derivation()
        d.add("Divide the logits by the temperature", a["scaled"], lhs=Sym("z") / Sym("T"),
              substituted=Mat([[Num(float(x)) / Num(float(p.temperature)) for x in p.z]]), part="scaled")
        probs = softmax_steps(d, a["scaled"][None, :], None, part="probs", sym="p", what="the tokens",
                              score=("z/T", "z_j/T"), vector=True)
        d.add("Most likely token", a["argmax"], lhs="argmax", part="argmax",
              note=f"token {a['argmax']} has the largest logit (tokens numbered from 1); dividing by T > 0 keeps "
                   "the order")
        keep = a["topk"] > 0
        kept = probs[keep]
        d.add(f"Probability mass of the top {p.k}", float(kept.sum()), lhs="m",
              substituted=Mat([[sum((Num(float(x)) for x in kept[1:]), Num(float(kept[0])))]]))
        d.add(f"Top-{p.k} distribution: renormalise the kept probabilities", a["topk"], lhs=Sym("p_top"),
              substituted=Mat([[Num(float(x)) / Num(float(kept.sum())) if ok else Num(0)
                                for x, ok in zip(probs, keep, strict=True)]]),
              part="topk", note="the tokens outside the top k get probability 0")
        d.answer = (f"p = [{', '.join(f'{x:.4f}' for x in a['probs'])}], most likely token {a['argmax']}, top-{p.k} "
                    f"= [{', '.join(f'{x:.4f}' for x in a['topk'])}]")
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        z, T, k = np.asarray(p.z, dtype=float), p.temperature, p.k
        right = self.solve(p)
        n = len(z)
        m: dict[str, Mistake] = {}
        if T != 1:
            pm = softmax(z * T)
            m["multiplied_by_t"] = Mistake({"scaled": z * T, "probs": pm, "topk": top_k(pm, k)},
                                           f"You multiplied the logits by T; they are divided by T = {T:g}.")
            p1 = softmax(z)
            m["temperature_ignored"] = Mistake({"scaled": z, "probs": p1, "topk": top_k(p1, k)},
                                               f"You ignored the temperature: divide the logits by T = {T:g} "
                                               "before the softmax.")
        m["not_normalised"] = Mistake({"probs": np.exp(z / T)},
                                      "You exponentiated without normalising: divide by Σ_j exp(z_j/T).")
        if k < n:
            m["topk_not_renormalised"] = Mistake({"topk": top_k(right["probs"], k, renormalise=False)},
                                                 "You kept the top-k probabilities but did not renormalise "
                                                 "them to sum to 1.")
            m["bottom_k"] = Mistake({"topk": top_k(right["probs"], k, largest=False)},
                                    f"You kept the {k} least likely tokens; top-k keeps the {k} most likely.")
        m["argmax_zero_based"] = Mistake({"argmax": right["argmax"] - 1},
                                         "Tokens are numbered from 1, not from 0.")
        return m

    def degenerate(self, p: Params) -> str | None:
        probs = self.solve(p)["probs"]
        return "a probability rounds to 0" if probs.min() < 5e-4 else None
