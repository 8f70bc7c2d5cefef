"""Word-vector analogies a : b :: c : ?, answered by the word nearest to v_b - v_a + v_c (cosine or Euclidean).

Catalog: seed_004 B4 (Rome : Berlin :: Italy : ?, query (3, 1.2), Germany with cosine 0.99958); the same arithmetic
is GAN latent-vector arithmetic (smiling woman - woman + man).

Parameters:
    words, vectors (one row per word); a, b, c (words); metric: cosine | euclidean; exclude: the three query words
    are no candidates (default true).

Answer parts: ``query`` (v_b - v_a + v_c), ``scores`` (cosine or distance to every word, in order) and ``answer``
(the candidate with the largest cosine or the smallest distance).

Reference: sklearn ``cosine_similarity`` and ``euclidean_distances`` (examprep.reference.embedding:analogy).

Common mistakes: signs reversed (v_a - v_b + v_c); the query words kept as candidates; the other metric.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.mlp.near_miss import add, near_miss
from examprep.solver.expr import Mat, Num, sqrt
from examprep.solver.step import Derivation

DP = 4
NAMES = ("king", "queen", "man", "woman", "uncle", "aunt", "boy", "girl")


def scores(vectors: np.ndarray, q: np.ndarray, metric: str) -> np.ndarray:
    """Cosine of q with every row, or the Euclidean distance to every row."""
    if metric == "cosine":
        return vectors @ q / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(q))
    return np.linalg.norm(vectors - q, axis=1)


class Analogy(ProblemType):
    id = "embedding/analogy-v1"
    title = "Word-vector analogy"
    catalog = "seed_004 B4"
    reference_entry = "examprep.reference.embedding:analogy"
    params = (
        Param("words", "str_list", "the words, in order"),
        Param("vectors", "matrix", "one vector per word (rows)", lo=-1000, hi=1000),
        Param("a", "str", "a in a : b :: c : ?"),
        Param("b", "str", "b in a : b :: c : ?"),
        Param("c", "str", "c in a : b :: c : ?"),
        Param("metric", "choice", "nearest by cosine or by Euclidean distance", choices=("cosine", "euclidean"),
              default="cosine"),
        Param("exclude", "bool", "the query words a, b, c are no candidates", default=True),
    )
    parts = (
        Part("query", "Query vector v_b - v_a + v_c", "vector", final=False),
        Part("scores", "Score of every word, in order", "vector", mode="decdig", digits=DP, final=False,
             uses=("query",)),
        Part("answer", "The answer word", "label", uses=("scores",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n = {"easy": 5, "medium": 6, "hard": 6}[difficulty]
        words = [str(w) for w in rng.choice(NAMES, size=n, replace=False)]
        dec = 0 if difficulty != "hard" else 1
        while True:
            vecs = np.round(rng.integers(-30 if dec else -3, 31 if dec else 4, size=(n, 2)) / (10 ** dec), dec)
            if np.all(np.abs(vecs).sum(1) > 0) and len({tuple(r) for r in vecs.tolist()}) == n:
                break
        a, b, c = (str(w) for w in rng.choice(words, size=3, replace=False))
        return dict(words=words, vectors=vecs.tolist(), a=a, b=b, c=c,
                    metric="cosine" if difficulty == "easy" else ("cosine", "euclidean")[int(rng.integers(2))],
                    exclude=difficulty == "easy" or rng.random() < 0.8)

    def check(self, p: Params) -> list[str]:
        if len(set(p.words)) != len(p.words):
            raise ParamError("words: give distinct words")
        if len(p.vectors) != len(p.words):
            raise ParamError(f"vectors has {len(p.vectors)} rows; give one per word ({len(p.words)})")
        for k in ("a", "b", "c"):
            if p[k] not in p.words:
                raise ParamError(f"{k}: {p[k]!r} is not one of the words")
        if len({p.a, p.b, p.c}) < 3:
            raise ParamError("a, b and c must be three different words")
        if p.exclude and len(p.words) < 4:
            raise ParamError("with the query words excluded, give at least 4 words")
        if p.metric == "cosine" and np.any(np.linalg.norm(np.asarray(p.vectors, float), axis=1) == 0):
            raise ParamError("vectors: a zero vector has no cosine")
        v, row = np.asarray(p.vectors, float), {w: k for k, w in enumerate(p.words)}
        if p.metric == "cosine" and not np.any(v[row[p.b]] - v[row[p.a]] + v[row[p.c]]):
            raise ParamError("the query vector is 0, so it has no cosine")
        return []

    # ---- answers ----------------------------------------------------------------------------------------------
    def chain(self, p: Params, sign: int = 1, exclude: bool | None = None, metric: str | None = None,
              given: Answers | None = None) -> Answers:
        """The parts, or a mistaken version (``sign`` -1 reverses the offset); ``given``: the student's query and
        scores, carried forward."""
        v = np.asarray(p.vectors, dtype=float)
        row = {w: k for k, w in enumerate(p.words)}
        q = carry(given, "query", sign * (v[row[p.b]] - v[row[p.a]]) + v[row[p.c]])
        met = metric or p.metric
        if met == "cosine" and not np.any(q):
            raise ZeroDivisionError("a zero query has no cosine")
        s = carry(given, "scores", scores(v, q, met))
        excl = p.exclude if exclude is None else exclude
        cand = [k for k, w in enumerate(p.words) if not (excl and w in (p.a, p.b, p.c))]
        best = max(cand, key=lambda k: s[k]) if met == "cosine" else min(cand, key=lambda k: s[k])
        return {"query": q, "scores": s, "answer": p.words[best]}

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return self.chain(p, given=given)

    def degenerate(self, p: Params) -> str | None:
        a = self.solve(p)
        if not np.any(a["query"]):
            return "the query vector is 0"
        cand = sorted(a["scores"][k] for k, w in enumerate(p.words) if not (p.exclude and w in (p.a, p.b, p.c)))
        if len(cand) > 1 and abs(cand[-1] - cand[-2] if p.metric == "cosine" else cand[1] - cand[0]) < 5e-3:
            return "two candidates are nearly tied"
        return near_miss(self, a, self.mistakes(p))

    # ---- text -------------------------------------------------------------------------------------------------
    def statement(self, p: Params) -> list[Any]:
        v = np.asarray(p.vectors, dtype=float)
        listing = ", ".join(f"{w} {tuple(_n(x) for x in v[k])}" for k, w in enumerate(p.words))
        rule = ("the largest cosine $\\frac{q \\cdot v_w}{\\lVert q \\rVert \\lVert v_w \\rVert}$"
                if p.metric == "cosine" else "the smallest Euclidean distance $\\lVert q - v_w \\rVert$")
        excl = ("the three query words are not candidates" if p.exclude
                else "every word, the query words included, is a candidate")
        return [f"Word vectors: {listing}. Solve the analogy {p.a} : {p.b} :: {p.c} : ? with the query "
                f"$q = v_{{\\text{{{p.b}}}}} - v_{{\\text{{{p.a}}}}} + v_{{\\text{{{p.c}}}}}$ and the word w with "
                f"{rule}; {excl}. Give q, the score of every word in the order listed (to {DP} decimal places) "
                "and the answer."]

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        v = np.asarray(p.vectors, dtype=float)
        row = {w: k for k, w in enumerate(p.words)}
        d = Derivation()
        vb, va, vc = (v[row[w]] for w in (p.b, p.a, p.c))
        d.add(f"Query $q = v_{{\\text{{{p.b}}}}} - v_{{\\text{{{p.a}}}}} + v_{{\\text{{{p.c}}}}}$", a["query"], lhs="q",
              substituted=Mat([[Num(_n(x)) - Num(_n(y)) + Num(_n(z)) for x, y, z in zip(vb, va, vc, strict=True)]]),
              part="query")
        q = a["query"]
        if p.metric == "cosine":
            sub = Mat([[Num(_n(float(v[k] @ q))) / (sqrt(Num(_n(float(v[k] @ v[k])))) * sqrt(Num(_n(float(q @ q)))))
                        for k in range(len(v))]])
            title = "Cosines $\\frac{q \\cdot v_w}{\\lVert q \\rVert \\lVert v_w \\rVert}$, words in order"
        else:
            sub = Mat([[sqrt(Num(_n(float((v[k] - q) @ (v[k] - q))))) for k in range(len(v))]])
            title = "Distances $\\lVert q - v_w \\rVert$, words in order"
        d.add(title, a["scores"], lhs="s", substituted=sub, part="scores")
        d.add(("Largest cosine" if p.metric == "cosine" else "Smallest distance")
              + (f" among the words other than {p.a}, {p.b}, {p.c}" if p.exclude else " among all words"),
              a["answer"], lhs="w", part="answer")
        d.answer = a["answer"]
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)
        m: dict[str, Mistake] = {}
        def safe(**kw: Any) -> Answers:
            try:
                return self.chain(p, **kw)
            except ZeroDivisionError:  # the mistaken query is 0: no cosine, no mistake to name
                return truth

        add(m, "signs_reversed", safe(sign=-1), truth,
            f"The query is $v_{{\\text{{{p.b}}}}} - v_{{\\text{{{p.a}}}}} + v_{{\\text{{{p.c}}}}}$: add the offset "
            f"from {p.a} to {p.b} to {p.c}; you subtracted it.")
        if p.exclude:
            add(m, "query_words_kept", self.chain(p, exclude=False), truth,
                "The query words a, b and c are not candidates: take the best of the other words.")
        other = "euclidean" if p.metric == "cosine" else "cosine"
        if other == "cosine" and np.any(np.abs(np.asarray(p.vectors, float)).sum(1) == 0):
            return m
        wrong = safe(metric=other)
        add(m, "other_metric", {k: wrong[k] for k in ("scores", "answer")}, truth,
            "Use " + ("the cosine (the angle), not the Euclidean distance." if p.metric == "cosine"
                      else "the Euclidean distance, not the cosine."))
        return m


def _n(x: float) -> float | int:
    f = round(float(x), 10)
    return int(f) if f.is_integer() else f
