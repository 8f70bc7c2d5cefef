"""Bag-of-words document vectors over a fixed vocabulary, and the cosine between every pair of documents.

Catalog: seed_004 B2 (bag of words, 1-of-N encoding: two different one-hot words have cosine 0).

Parameters:
    docs: documents, words separated by spaces. vocab: the vocabulary in column order (other words are ignored).
    binary: presence (1 if the word occurs) instead of counts.

Answer parts: ``dim`` (|V|), ``vectors`` (one row per document) and ``cosine`` (document × document).

Conventions stated in the prompt: columns in vocabulary order; words outside the vocabulary ignored; count or
presence; cos(a, b) = a·b / (‖a‖ ‖b‖).

Reference: sklearn ``CountVectorizer(vocabulary=vocab, binary=...)`` on whitespace tokens and ``cosine_similarity``
(examprep.reference.embedding:bow_cosine).

Common mistakes: counts where presence is asked; the columns in order of first appearance; the dot product without
the norms.

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
from examprep.solver.expr import Mat, Num, Sym, sqrt
from examprep.solver.step import Derivation

DP = 4
WORDS = ("cat", "dog", "sat", "mat", "ran", "the", "big", "red", "sun", "sky")


class BowCosine(ProblemType):
    id = "embedding/bow_cosine-v1"
    title = "Bag-of-words vectors and document cosines"
    catalog = "seed_004 B2"
    reference_entry = "examprep.reference.embedding:bow_cosine"
    params = (
        Param("docs", "str_list", "documents, words separated by spaces"),
        Param("vocab", "str_list", "vocabulary in column order (other words are ignored)"),
        Param("binary", "bool", "presence (1/0) instead of counts", default=False),
    )
    parts = (
        Part("dim", "Dimension of a document vector", "integer", final=False),
        Part("vectors", "Document vectors, one row per document", "matrix", final=False),
        Part("cosine", "Cosine similarity of every pair of documents", "matrix", mode="decdig", digits=DP,
             uses=("vectors",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n_vocab = {"easy": 3, "medium": 4, "hard": 5}[difficulty]
        vocab = [str(w) for w in rng.choice(WORDS, size=n_vocab + 1, replace=False)]
        extra, vocab = vocab[-1], vocab[:-1]
        if difficulty == "easy" and rng.random() < 0.4:  # one-word documents: the one-hot case
            docs = [str(w) for w in rng.choice(vocab, size=2, replace=False)]
        else:
            n_docs = 2 if difficulty == "easy" else 3
            docs = []
            for _ in range(n_docs):
                length = int(rng.integers(2, 7))
                pool = vocab + ([extra] if difficulty != "easy" else [])
                docs.append(" ".join(str(w) for w in rng.choice(pool, size=length)))
        return dict(docs=docs, vocab=vocab, binary=bool(rng.random() < 0.5))

    def check(self, p: Params) -> list[str]:
        if len(set(p.vocab)) != len(p.vocab) or any(not w.strip() or " " in w.strip() for w in p.vocab):
            raise ParamError("vocab: give distinct single words")
        if len(p.docs) < 2:
            raise ParamError("docs: give at least 2 documents")
        for i, doc in enumerate(p.docs, 1):
            if not set(doc.split()) & set(p.vocab):
                raise ParamError(f"docs: document {i} ({doc!r}) has no vocabulary word, so its cosine is undefined")
        return []

    # ---- answers ----------------------------------------------------------------------------------------------
    def vectors(self, p: Params, binary: bool | None = None, order: list[str] | None = None) -> np.ndarray:
        cols = order or list(p.vocab)
        v = np.array([[doc.split().count(w) for w in cols] for doc in p.docs], dtype=float)
        return np.minimum(v, 1.0) if (p.binary if binary is None else binary) else v

    def chain(self, p: Params, v: np.ndarray, normalise: bool = True) -> Answers:
        dots = v @ v.T
        norms = np.sqrt(np.diag(dots))
        return {"dim": len(p.vocab), "vectors": v,
                "cosine": dots / np.outer(norms, norms) if normalise else dots}

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        v = carry(given, "vectors", self.vectors(p))
        if given and "vectors" in given and not np.all(np.any(v, axis=1)):
            raise ZeroDivisionError("a zero document vector has no cosine")
        return self.chain(p, v)

    def degenerate(self, p: Params) -> str | None:
        return near_miss(self, self.solve(p), self.mistakes(p))

    # ---- text -------------------------------------------------------------------------------------------------
    def statement(self, p: Params) -> list[Any]:
        what = ("1 if the word occurs in the document and 0 if not (binary bag of words)" if p.binary
                else "the number of times the word occurs in the document")
        docs = "; ".join(f"document {i}: \u201c{d}\u201d" for i, d in enumerate(p.docs, 1))
        return [f"Documents: {docs}. The vocabulary, in column order, is [{', '.join(p.vocab)}]; words outside it "
                f"are ignored. Each document is a bag-of-words vector whose entry for a word is {what}. Give the "
                "dimension of the vectors, the vectors (one row per document) and the matrix of cosine similarities "
                "$\\cos(a, b) = \\frac{a \\cdot b}{\\lVert a \\rVert \\lVert b \\rVert}$ between the documents, to "
                f"{DP} decimal places."]

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        v = a["vectors"]
        d = Derivation()
        d.add("Dimension: one entry per vocabulary word", a["dim"], lhs=Sym("V", tex="|V|"), part="dim")
        d.add("Document vectors, columns in vocabulary order" + (" (presence)" if p.binary else " (counts)"), v,
              lhs="X", substituted=None, part="vectors")
        norms = np.sqrt((v * v).sum(1))
        d.add("Norms $\\lVert x_i \\rVert = \\sqrt{\\sum_k x_{ik}^2}$", norms, lhs=Sym("nx", tex="\\lVert x \\rVert"),
              substituted=Mat([[sqrt(Num(int(s))) for s in (v * v).sum(1)]]))
        dots = v @ v.T
        d.add("Cosines $\\cos(x_i, x_j) = \\frac{x_i \\cdot x_j}{\\lVert x_i \\rVert \\lVert x_j \\rVert}$",
              a["cosine"], lhs="C", part="cosine",
              substituted=Mat([[Num(int(dots[i, j])) / (sqrt(Num(int(dots[i, i]))) * sqrt(Num(int(dots[j, j]))))
                                for j in range(len(v))] for i in range(len(v))]))
        d.answer = "cosine = " + str(np.round(a["cosine"], DP).tolist())
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)
        m: dict[str, Mistake] = {}
        if p.binary:
            add(m, "counts_for_presence", self.chain(p, self.vectors(p, binary=False)), truth,
                "This is a binary bag of words: an entry is 1 if the word occurs, however many times.")
        seen = [w for doc in p.docs for w in doc.split() if w in p.vocab]
        order = list(dict.fromkeys(seen)) + [w for w in p.vocab if w not in seen]
        add(m, "appearance_order", self.chain(p, self.vectors(p, order=order)), truth,
            "The columns follow the vocabulary's order, not the order in which the words first appear.")
        add(m, "dot_product_unnormalised", self.chain(p, self.vectors(p), normalise=False), truth,
            "The cosine divides the dot product by both norms: $\\frac{a \\cdot b}{\\lVert a \\rVert \\lVert b "
            "\\rVert}$.")
        return m
