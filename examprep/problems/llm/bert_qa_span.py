"""BERT question answering: start and end distributions over the passage tokens and the best answer span.

Catalog: seed_004 B10 (start vector S, end vector E, P_i = e^(S·T_i)/Σ_j e^(S·T_j)).

Parameters:
    S, E: the start and end vectors. T: the final hidden vectors of the passage tokens, one per row.
    max_len: optional longest span (j − i + 1 ≤ max_len).

Answer parts: ``start_probs`` = softmax_i(S·T_i), ``end_probs`` = softmax_j(E·T_j), ``span`` = [i, j] (1-based,
i ≤ j) maximising P_start(i)·P_end(j), and ``span_prob`` = that product.

Reference: ``torch.softmax`` of both score vectors and the brute-force arg-max of their outer product over every
allowed (i, j) (examprep.reference.llm:bert_qa_span).

Common mistakes: the start and end arg-maxes taken independently (which can put the end before the start), S used
for the end too.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.attention.steps import mat, softmax
from examprep.problems.gan.fair import grid, near_miss
from examprep.seeding import picker
from examprep.solver.step import Derivation

DP = 4


def best_span(ps: np.ndarray, pe: np.ndarray, max_len: int | None) -> tuple[list[int], float, float]:
    """The best allowed span (1-based), its probability, and the runner-up's probability; among exact ties the
    first span in reading order (smallest i, then smallest j)."""
    n = len(ps)
    prod = np.outer(ps, pe)
    i, j = np.arange(n)[:, None], np.arange(n)[None, :]
    ok = (j >= i) & ((j - i + 1 <= max_len) if max_len else True)
    vals = np.where(ok, prod, -1.0).ravel()
    top = vals.max()
    first = int(np.flatnonzero(vals >= top * (1 - 1e-12))[0])  # exact ties: the first span in reading order
    bi, bj = divmod(first, n)
    rest = np.delete(vals, first)
    return [bi + 1, bj + 1], float(vals[first]), float(rest.max()) if len(rest) else -1.0


class BertQASpan(ProblemType):
    id = "llm/bert_qa_span-v1"
    title = "BERT question answering: start, end and best span"
    catalog = "seed_004 B10"
    reference_entry = "examprep.reference.llm:bert_qa_span"
    params = (
        Param("S", "vector", "start vector", lo=-100, hi=100),
        Param("E", "vector", "end vector", lo=-100, hi=100),
        Param("T", "matrix", "passage token vectors, one per row", lo=-100, hi=100),
        Param("max_len", "int", "longest allowed span, optional", lo=1, hi=10000, optional=True),
    )
    parts = (
        Part("start_probs", "Start probabilities", "vector", mode="decdig", digits=DP),
        Part("end_probs", "End probabilities", "vector", mode="decdig", digits=DP),
        Part("span", "Best span [i, j] (1-based)", "vector", integral=True, uses=("start_probs", "end_probs")),
        Part("span_prob", "Probability of the best span", "real", mode="decdig", digits=DP,
             uses=("start_probs", "end_probs", "span")),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = picker(rng)
        n = 4 if difficulty == "easy" else pick([4, 5, 6])
        vec = [(1.0, 0.0), (0.0, 1.0), (1.0, -1.0), (-1.0, 1.0), (1.0, 1.0)]
        s, e = pick(vec), pick(vec)
        t = [list(grid(rng, -1, 2, 0.5, 2)) for _ in range(n)]
        out: dict[str, Any] = dict(S=s, E=e, T=t)
        if difficulty == "hard" and rng.random() < 0.4:
            out["max_len"] = pick([2, 3])
        return out

    def check(self, p: Params) -> list[str]:
        d = len(p.T[0])
        if len(p.S) != d or len(p.E) != d:
            raise ParamError(f"S and E must have the tokens' width {d} (they have {len(p.S)} and {len(p.E)})")
        return []

    def degenerate(self, p: Params) -> str | None:
        a = self.solve(p)
        _, best, second = best_span(a["start_probs"], a["end_probs"], p.max_len)
        if best - second < 2e-3 * best:
            return "two spans are (nearly) tied"
        return near_miss(a, self.mistakes(p))

    def _probs(self, p: Params, end_vec: Any = None) -> tuple[np.ndarray, np.ndarray]:
        t = np.asarray(p.T, dtype=float)
        return softmax(t @ np.asarray(p.S, float)), softmax(t @ np.asarray(p.E if end_vec is None else end_vec,
                                                                            float))

    def statement(self, p: Params) -> list[Any]:
        lim = (f" and no longer than {p.max_len} tokens ($j - i + 1 \\le {p.max_len}$)" if p.max_len else "")
        return [f"BERT answers a question by picking a span of the {len(p.T)} passage tokens, whose final hidden "
                "vectors are the rows $T_1, T_2, \\ldots$ of T. The start probabilities are $P_{\\text{start}}(i) = "
                "\\frac{e^{S \\cdot T_i}}{\\sum_k e^{S \\cdot T_k}}$ and the end probabilities use E the same way. "
                "The best span $[i, j]$ (tokens counted from 1) maximises $P_{\\text{start}}(i) \\cdot "
                f"P_{{\\text{{end}}}}(j)$ over spans with $i \\le j${lim}. Give both distributions, the span and its "
                f"probability to {DP} decimal places.", "\nS = ", list(p.S), ", E = ", list(p.E), "\nT = ",
                mat(p.T)]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        ps, pe = self._probs(p)
        ps, pe = carry(given, "start_probs", ps), carry(given, "end_probs", pe)
        if given and not (np.all(ps >= 0) and np.all(pe >= 0)):
            raise ValueError("a probability is negative: no span follows")
        span, prob, _ = best_span(ps, pe, p.max_len)
        if given and "span" in given:  # error carried forward: the probability of the student's own span
            i, j = carry(given, "span", span)
            if not (i == int(i) and j == int(j) and 1 <= i <= j <= len(ps)) or (p.max_len and j - i + 1 > p.max_len):
                raise ValueError(f"span {[i, j]} is not an allowed span")
            span, prob = [int(i), int(j)], float(ps[int(i) - 1] * pe[int(j) - 1])
        return {"start_probs": ps, "end_probs": pe, "span": span, "span_prob": prob}

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        t = np.asarray(p.T, dtype=float)
        d = Derivation()
        d.add("Start scores", t @ np.asarray(p.S, float), lhs="s_i", formula=None,
              substituted=mat(p.T) @ mat([[v] for v in p.S]), note="S·T_i for each token")
        d.add("Start probabilities", a["start_probs"], lhs="P_start", part="start_probs",
              note="softmax of the start scores")
        d.add("End scores", t @ np.asarray(p.E, float), lhs="e_j",
              substituted=mat(p.T) @ mat([[v] for v in p.E]), note="E·T_j for each token")
        d.add("End probabilities", a["end_probs"], lhs="P_end", part="end_probs", note="softmax of the end scores")
        prod = np.outer(a["start_probs"], a["end_probs"])
        n = len(prod)
        i, j = np.arange(n)[:, None], np.arange(n)[None, :]
        ok = (j >= i) & ((j - i + 1 <= p.max_len) if p.max_len else True)
        d.add("Span probabilities P_start(i)·P_end(j)", np.where(ok, prod, 0.0), lhs="P_span",
              note="row i, column j; spans with j < i" + (" or longer than the limit" if p.max_len else "")
              + " are not allowed (0)")
        d.add("Best span", a["span"], lhs="[i, j]", part="span")
        d.add("Its probability", a["span_prob"], lhs="P", part="span_prob")
        d.answer = f"span {a['span']}, probability {a['span_prob']:.4f}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        a = self.solve(p)
        ps, pe = a["start_probs"], a["end_probs"]
        m: dict[str, Mistake] = {}
        ind = [int(np.argmax(ps)) + 1, int(np.argmax(pe)) + 1]
        if ind != a["span"]:
            m["independent_argmax"] = Mistake({"span": ind, "span_prob": float(ps.max() * pe.max())},
                                              "The start and end must form a valid span (i ≤ j"
                                              + (", within the length limit" if p.max_len else "")
                                              + "): maximise P_start(i)·P_end(j) over those pairs only.")
        if tuple(p.S) != tuple(p.E):
            ws, we = self._probs(p, end_vec=p.S)
            span, prob, _ = best_span(ws, we, p.max_len)
            wrong = {"end_probs": we}
            if span != a["span"]:
                wrong["span"] = span
            if abs(prob - a["span_prob"]) > 1e-12:
                wrong["span_prob"] = prob
            m["s_for_end"] = Mistake(wrong, "The end probabilities use the end vector E, not S.")
        return m
