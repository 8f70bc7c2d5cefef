"""Top-k error of a classifier, and of the ensemble that averages two classifiers' probabilities.

Catalog: seed_004 C18 (the ILSVRC top-5 errors; the ensemble's 18.2 % → 15.4 % is a relative gain of 15.38 %).

Parameters:
    scores: one row of class probabilities per sample. labels: the true classes (0-based). k: the k of top-k.
    scores_2: optional, a second model's rows; the ensemble averages the two models' probabilities. No row of
    either model or of the ensemble may tie at the k-th place.

Answer parts: ``hits`` (per sample, 1 if the label is among the model's k highest scores, else 0), ``error`` (the
fraction of misses); with ``scores_2`` also ``error_2``, ``error_ens`` and ``rel_gain`` = (error − error_ens)/error.

Conventions stated in the prompt: 0-based classes, errors as fractions, the ensemble as the mean of the
probabilities, the relative gain against the first model's error.

Reference: ``torch.topk`` of each model's and of the averaged scores, membership by comparison with the labels
(examprep.reference.metrics:topk_error); the tests check sklearn's ``top_k_accuracy_score``.

Common mistakes: the accuracy given for the error, the top-1 error for the top-k error, the gain divided by the
ensemble's error.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.gan.fair import near_miss, visible
from examprep.solver.expr import Expr, Mat, Num, Sym, paren
from examprep.solver.step import Derivation


def top(row: Any, k: int) -> list[int]:
    """The k classes with the highest scores, highest first."""
    return sorted(range(len(row)), key=lambda j: -row[j])[:k]


def hits(S: Any, labels: Any, k: int) -> list[int]:
    return [int(y in top(row, k)) for row, y in zip(S, labels, strict=True)]


def error(S: Any, labels: Any, k: int) -> float:
    h = hits(S, labels, k)
    return 1 - sum(h) / len(h)


def ensemble(S1: Any, S2: Any) -> list[list[float]]:
    return [[(a + b) / 2 for a, b in zip(r1, r2, strict=True)] for r1, r2 in zip(S1, S2, strict=True)]


def kth_tie(row: Any, k: int) -> bool:
    s = sorted(row, reverse=True)
    return k < len(s) and abs(s[k - 1] - s[k]) < 1e-12


class TopKError(ProblemType):
    id = "metrics/topk_error-v1"
    title = "Top-k error and the ensemble's relative gain"
    catalog = "seed_004 C18"
    reference_entry = "examprep.reference.metrics:topk_error"
    params = (
        Param("scores", "matrix", "class probabilities, one row per sample", lo=0, hi=1),
        Param("labels", "int_vector", "the true class of each sample (0-based)", lo=0, hi=1000),
        Param("k", "int", "top-k", lo=1, hi=1000),
        Param("scores_2", "matrix", "a second model's probabilities (optional; the ensemble averages both)", lo=0,
              hi=1, optional=True),
    )
    parts = (
        Part("hits", "Per sample, 1 if the label is in the top k, else 0", "vector", integral=True, final=False),
        Part("error", "The top-k error", "real", uses=("hits",)),
        Part("error_2", "The second model's top-k error", "real"),
        Part("error_ens", "The ensemble's top-k error", "real"),
        Part("rel_gain", "The ensemble's relative gain (error − error_ens)/error", "real", uses=("error", "error_ens")),
    )

    def active_parts(self, p: Params) -> tuple[Part, ...]:
        return self.parts if p.scores_2 is not None else self.parts[:2]

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n, K, ks, two = {"easy": (4, 5, (1, 2), False), "medium": (5, 5, (2, 3), True),
                         "hard": (6, 8, (3, 5), True)}[difficulty]
        k = int(ks[int(rng.integers(2))])
        labels = [int(x) for x in rng.integers(0, K, n)]

        def row(y: int) -> list[float]:
            while True:  # distinct multiples of 0.01 summing to 1; the label's rank drawn near the top
                cuts = np.sort(rng.choice(np.arange(1, 100), size=K - 1, replace=False))
                vals = sorted(np.diff(np.concatenate(([0], cuts, [100]))).tolist(), reverse=True)
                if len(set(vals)) == K:
                    break
            rank = min(int(rng.geometric(0.45)) - 1 + int(rng.integers(0, k)), K - 1)
            others = [c for c in rng.permutation(K).tolist() if c != y]
            order = others[:rank] + [y] + others[rank:]
            out = [0.0] * K
            for c, v in zip(order, vals, strict=True):
                out[c] = round(v / 100, 2)
            return out

        out: dict[str, Any] = dict(scores=[row(y) for y in labels], labels=labels, k=k)
        if two:
            out["scores_2"] = [row(y) for y in labels]
        return out

    def check(self, p: Params) -> list[str]:
        n, K = len(p.scores), len(p.scores[0])
        if len(p.labels) != n:
            raise ParamError(f"labels has {len(p.labels)} entries for {n} rows of scores: give one label per row")
        if any(y >= K for y in p.labels):
            raise ParamError(f"labels must be classes 0..{K - 1}")
        if p.k >= K:
            raise ParamError(f"k = {p.k} with {K} classes: every label is in the top k; take k < {K}")
        mats = [("scores", p.scores)]
        if p.scores_2 is not None:
            if len(p.scores_2) != n or len(p.scores_2[0]) != K:
                raise ParamError(f"scores_2 must have the shape of scores ({n}×{K})")
            mats += [("scores_2", p.scores_2), ("the ensemble", ensemble(p.scores, p.scores_2))]
            if error(p.scores, p.labels, p.k) == 0:
                raise ParamError("the first model makes no top-k error, so the relative gain is undefined")
        for name, S in mats:
            for i, r in enumerate(S, start=1):
                if kth_tie(r, p.k):
                    raise ParamError(f"row {i} of {name} has a tie at place {p.k}, so its top {p.k} is ambiguous")
        return []

    def degenerate(self, p: Params) -> str | None:
        ans = self.solve(p)
        if ans["error"] in (0, 1):
            return "the error is 0 or 1"
        if p.scores_2 is not None and ans["error_ens"] >= ans["error"]:
            return "the ensemble does not improve on the first model"
        return near_miss(ans, self.all_mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        n = len(p.scores)
        seg: list[Any] = [
            f"A classifier gives these class probabilities for {n} samples (one row each, classes $0, 1, \\ldots$): ",
            [list(r) for r in p.scores], ". The true classes are ", list(p.labels), ". "]
        if p.scores_2 is not None:
            seg += ["A second classifier gives ", [list(r) for r in p.scores_2], ", and their ensemble averages "
                    "the two models' probabilities. "]
        seg.append(f"A sample is a top-{p.k} hit if its true class is among the {p.k} highest probabilities. Give "
                   f"the hits of the first model (1 or 0 per sample) and its top-{p.k} error, the fraction of "
                   "samples that miss (as a fraction, not a percentage)")
        if p.scores_2 is not None:
            seg.append(r"; then the second model's and the ensemble's top-" + str(p.k) + " errors, and the "
                       r"ensemble's relative gain $\frac{e_1 - e_{ens}}{e_1}$ over the first model's error $e_1$")
        seg.append(".")
        return seg

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        h = carry(given, "hits", hits(p.scores, p.labels, p.k))
        ans: dict[str, Any] = {"hits": [int(v) if v == int(v) else float(v) for v in h],
                               "error": carry(given, "error", 1 - sum(h) / len(h))}
        if p.scores_2 is not None:
            ans["error_2"] = error(p.scores_2, p.labels, p.k)
            ans["error_ens"] = carry(given, "error_ens", error(ensemble(p.scores, p.scores_2), p.labels, p.k))
            if ans["error"] == 0:
                raise ZeroDivisionError("a top-k error of 0 has no relative gain")
            ans["rel_gain"] = (ans["error"] - ans["error_ens"]) / ans["error"]
        return ans

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()

        def model(name: str, S: Any, part: str | None, sym: str) -> None:
            h = hits(S, p.labels, p.k)
            listing = "; ".join(f"sample {i}: top {p.k} = {top(r, p.k)}, label {y}: {'hit' if b else 'miss'}"
                                for i, (r, y, b) in enumerate(zip(S, p.labels, h, strict=True), start=1))
            d.add(f"Top-{p.k} hits of {name}", h, lhs=Sym(f"h_{sym}"), part="hits" if part == "error" else None,
                  note=listing)
            d.add(f"Top-{p.k} error of {name}", error(S, p.labels, p.k), lhs=Sym(f"e_{sym}"),
                  substituted=Num(1) - paren(_sum([Num(b) for b in h])) / len(h), part=part)

        model("the first model", p.scores, "error", "1")
        if p.scores_2 is not None:
            model("the second model", p.scores_2, "error_2", "2")
            ens = ensemble(p.scores, p.scores_2)
            d.add("Ensemble probabilities", ens, lhs=Sym("S_ens"),
                  substituted=Mat([[paren(Num(a) + Num(b)) / 2 for a, b in zip(r1, r2, strict=True)]
                                   for r1, r2 in zip(p.scores, p.scores_2, strict=True)]))
            model("the ensemble", ens, "error_ens", "ens")
            e1, e2 = Sym("e_1"), Sym("e_ens")
            d.add("Relative gain of the ensemble", ans["rel_gain"], lhs=Sym("g"), formula=paren(e1 - e2) / e1,
                  subs={e1: ans["error"], e2: ans["error_ens"]}, part="rel_gain",
                  note="the reduction of the error relative to the first model's error")
        d.answer = f"top-{p.k} error = {ans['error']:.6g}" + (
            f"; ensemble {ans['error_ens']:.6g}; relative gain {ans['rel_gain']:.6g}" if p.scores_2 is not None else "")
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return visible(self.solve(p), self.all_mistakes(p))

    def all_mistakes(self, p: Params) -> dict[str, Mistake]:
        """Every named mistake that applies to these parameters."""
        ans = self.solve(p)
        errs = [k for k in ("error", "error_2", "error_ens") if k in ans]
        out = {"accuracy": Mistake({k: 1 - ans[k] for k in errs},
                                   "You gave the top-k accuracy (the fraction of hits); the error is the fraction "
                                   "of misses.")}
        if p.k > 1:
            one = p.replace(k=1)
            wrong = {k: v for k, v in self._top1(one).items() if k in errs}
            out["top1"] = Mistake(wrong, f"You counted top-1 hits; a hit here is the label anywhere in the top {p.k}.")
        if p.scores_2 is not None and ans["error_ens"] > 0:
            out["gain_over_ensemble"] = Mistake({"rel_gain": (ans["error"] - ans["error_ens"]) / ans["error_ens"]},
                                                "The relative gain divides by the first model's error, not the "
                                                "ensemble's.")
        return out

    @staticmethod
    def _top1(p: Params) -> dict[str, float]:
        out = {"error": error(p.scores, p.labels, 1)}
        if p.scores_2 is not None:
            out["error_2"] = error(p.scores_2, p.labels, 1)
            out["error_ens"] = error(ensemble(p.scores, p.scores_2), p.labels, 1)
        return out


def _sum(terms: list[Expr]) -> Expr:
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total
