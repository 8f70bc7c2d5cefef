"""Word co-occurrence counts: by document (N_ij = documents holding both words) or in a window of c positions.

Catalog: seed_004 B3 (docs "cat sat mat", "cat dog", "dog sat", "cat sat dog" over [cat, dog, mat, sat] give
N = [[3,2,1,2],[2,3,0,2],[1,0,1,1],[2,2,1,3]]).

Parameters:
    docs: documents, words separated by spaces. vocab: the vocabulary in row and column order.
    window: 0 counts documents (the diagonal is each word's document frequency; words outside the vocabulary are
    ignored); c >= 1 counts ordered pairs of positions p != q at distance |p - q| <= c within a document (every
    word must then be in the vocabulary).

Answer parts: ``N`` (|V|×|V|, symmetric).

Reference: ``CountVectorizer(binary=True)`` as BᵀB for window 0; a loop over position pairs for c >= 1
(examprep.reference.embedding:cooccurrence).

Common mistakes: token counts multiplied instead of documents counted (window 0); only the right context counted
(window c >= 1, an asymmetric N).

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType
from examprep.problems.embedding.bow_cosine import WORDS
from examprep.problems.mlp.near_miss import add, near_miss
from examprep.solver.step import Derivation


class Cooccurrence(ProblemType):
    id = "embedding/cooccurrence-v1"
    title = "Word co-occurrence matrix"
    catalog = "seed_004 B3"
    reference_entry = "examprep.reference.embedding:cooccurrence"
    params = (
        Param("docs", "str_list", "documents, words separated by spaces"),
        Param("vocab", "str_list", "vocabulary in row and column order"),
        Param("window", "int", "0: documents holding both words; c >= 1: positions at distance <= c", lo=0, hi=20,
              default=0),
    )
    parts = (Part("N", "Co-occurrence matrix N", "matrix"),)

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n_vocab = {"easy": 3, "medium": 4, "hard": 4}[difficulty]
        vocab = [str(w) for w in rng.choice(WORDS, size=n_vocab, replace=False)]
        window = 0 if difficulty == "easy" else int(rng.integers(0, 3))
        docs = [" ".join(str(w) for w in rng.choice(vocab, size=int(rng.integers(2, 5 if window else 4)),
                                                     replace=window > 0 or difficulty != "easy"))
                for _ in range(int(rng.integers(3, 5)))]
        return dict(docs=docs, vocab=vocab, window=window)

    def check(self, p: Params) -> list[str]:
        if len(set(p.vocab)) != len(p.vocab) or any(not w.strip() or " " in w.strip() for w in p.vocab):
            raise ParamError("vocab: give distinct single words")
        if p.window > 0:
            outside = sorted({w for d in p.docs for w in d.split()} - set(p.vocab))
            if outside:
                raise ParamError(f"docs: with a window every word must be in the vocabulary ({', '.join(outside)} "
                                 "is not)")
        return []

    def count(self, p: Params, tokens: bool = False, right_only: bool = False) -> np.ndarray:
        idx = {w: k for k, w in enumerate(p.vocab)}
        n = np.zeros((len(p.vocab), len(p.vocab)))
        for doc in p.docs:
            words = doc.split()
            if p.window == 0:
                c = np.array([words.count(w) for w in p.vocab], dtype=float)
                b = c if tokens else np.minimum(c, 1)
                n += np.outer(b, b)
                continue
            for i, wi in enumerate(words):
                for j, wj in enumerate(words):
                    if i != j and abs(i - j) <= p.window and (j > i or not right_only):
                        n[idx[wi], idx[wj]] += 1
        return n

    def solve(self, p: Params) -> Answers:
        return {"N": self.count(p)}

    def degenerate(self, p: Params) -> str | None:
        return near_miss(self, self.solve(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        docs = "; ".join(f"document {i}: \u201c{d}\u201d" for i, d in enumerate(p.docs, 1))
        if p.window == 0:
            rule = ("$N_{ij}$ is the number of documents that contain both $w_i$ and $w_j$ (so $N_{ii}$ is the "
                    "number of documents containing $w_i$); words outside the vocabulary are ignored")
        else:
            rule = (f"$N_{{ij}}$ counts the ordered pairs of positions $p \\ne q$ in the same document with word $w_i$ "
                    f"at p, word $w_j$ at q and $|p - q| \\le {p.window}$ (both sides of each word)")
        return [f"Documents: {docs}. Vocabulary, in row and column order: [{', '.join(p.vocab)}]. Build the "
                f"co-occurrence matrix N, where {rule}."]

    def derivation(self, p: Params) -> Derivation:
        d = Derivation()
        if p.window == 0:
            b = np.array([[1 if w in doc.split() else 0 for w in p.vocab] for doc in p.docs])
            d.add("Presence matrix B: row = document, column = word (1 if the word occurs)", b, lhs="B")
            d.add("$N = B^\\top B$: entry (i, j) counts the documents holding both words", self.count(p), lhs="N",
                  part="N")
        else:
            for k, doc in enumerate(p.docs, 1):
                words = doc.split()
                pairs = [f"{wi}–{wj}" for i, wi in enumerate(words) for j, wj in enumerate(words)
                         if i != j and abs(i - j) <= p.window]
                d.add(f"Document {k}: ordered pairs within distance {p.window}: {', '.join(pairs) or 'none'}",
                      len(pairs), lhs=f"n_{k}")
            d.add("N: each pair adds 1 to its entry", self.count(p), lhs="N", part="N")
        d.answer = "N = " + str(self.count(p).astype(int).tolist())
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)
        m: dict[str, Mistake] = {}
        if p.window == 0:
            add(m, "tokens_for_documents", {"N": self.count(p, tokens=True)}, truth,
                "N counts documents: a document holding the words several times still counts once.")
        else:
            add(m, "right_context_only", {"N": self.count(p, right_only=True)}, truth,
                "The window reaches both ways: count the words before each word too (N is symmetric).")
        return m
