"""Skip-gram and CBOW training examples of one sentence, and the parameters of word2vec.

Catalog: seed_004 B5 (n = 5, c = 2: 14 pairs; n = 10, c = 3: 48; n = 6, c = 1: 10).

Parameters: ``n`` (sentence length), ``window`` c, ``vocab_size`` |V|, ``dim`` N (embedding size).

Answer parts: ``pairs`` (skip-gram (centre, context) pairs: Σ_i min(i - 1, c) + min(n - i, c)), ``cbow_examples``
(one per position: n) and ``params`` (2·|V|·N: the input and the output matrix).

Reference: enumeration of the (centre, context) positions; ``nn.Embedding`` numels on the meta device
(examprep.reference.embedding:skipgram_pairs).

Common mistakes: 2cn (the sentence edges ignored); unordered pairs (half); one matrix (|V|·N).

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType
from examprep.problems.mlp.near_miss import add, near_miss
from examprep.solver.expr import Num
from examprep.solver.step import Derivation


class SkipgramPairs(ProblemType):
    id = "embedding/skipgram_pairs-v1"
    title = "Skip-gram pairs, CBOW examples and word2vec parameters"
    catalog = "seed_004 B5"
    reference_entry = "examprep.reference.embedding:skipgram_pairs"
    params = (
        Param("n", "int", "sentence length (words)", lo=1, hi=10000),
        Param("window", "int", "context window c (words on each side)", lo=1, hi=100),
        Param("vocab_size", "int", "vocabulary size |V|", lo=1, hi=10_000_000),
        Param("dim", "int", "embedding size N", lo=1, hi=10000),
    )
    parts = (
        Part("pairs", "Skip-gram (centre, context) pairs", "integer"),
        Part("cbow_examples", "CBOW training examples", "integer"),
        Part("params", "word2vec parameters", "integer"),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = lambda xs: xs[int(rng.integers(len(xs)))]  # noqa: E731
        n = int(rng.integers(4, 9)) if difficulty == "easy" else int(rng.integers(5, 16))
        return dict(n=n, window=pick((1, 2) if difficulty == "easy" else (2, 3, 4)),
                    vocab_size=pick((1000, 5000, 10000, 50000)), dim=pick((50, 100, 300)))

    def count(self, p: Params, edges: bool = True, unordered: bool = False, matrices: int = 2) -> Answers:
        """The parts, or a mistaken version (every keyword is one mistake)."""
        c, n = p.window, p.n
        pairs = sum(min(i - 1, c) + min(n - i, c) for i in range(1, n + 1)) if edges else 2 * c * n
        return {"pairs": pairs // 2 if unordered else pairs, "cbow_examples": n,
                "params": matrices * p.vocab_size * p.dim}

    def solve(self, p: Params) -> Answers:
        return self.count(p)

    def degenerate(self, p: Params) -> str | None:
        if p.n <= p.window:
            return "the window covers the whole sentence"
        return near_miss(self, self.solve(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        return [f"word2vec is trained on a sentence of n = {p.n} words with a context window of c = {p.window} words "
                f"on each side (fewer at the sentence's ends), a vocabulary of |V| = {p.vocab_size:,} words and "
                f"embeddings of size N = {p.dim}. Skip-gram makes one (centre, context) training pair for each "
                "context word of each centre word (ordered: (a, b) and (b, a) are two pairs); CBOW makes one example "
                "per centre word. The model has an input embedding matrix and a separate output matrix, without "
                "biases. How many skip-gram pairs, CBOW examples and parameters are there?"]

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        c, n = p.window, p.n
        d = Derivation()
        per = [min(i - 1, c) + min(n - i, c) for i in range(1, n + 1)]
        sub = Num(per[0])
        for v in per[1:]:
            sub = sub + Num(v)
        d.add(f"Context words of each position i = 1..{n}: $\\min(i - 1, c) + \\min(n - i, c)$", a["pairs"],
              lhs="P", substituted=sub, part="pairs",
              note=f"the {min(c, n)} first and last positions have fewer than 2c = {2 * c} neighbours")
        d.add("CBOW: one example per centre word", a["cbow_examples"], lhs="E", part="cbow_examples")
        d.add("Parameters: two |V| $\\times$ N matrices", a["params"], lhs="W",
              substituted=Num(2) * Num(p.vocab_size) * Num(p.dim), part="params")
        d.answer = f"{a['pairs']} pairs, {a['cbow_examples']} CBOW examples, {a['params']} parameters"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)
        m: dict[str, Mistake] = {}
        add(m, "edges_ignored", self.count(p, edges=False), truth,
            "Words near the ends of the sentence have fewer than 2c neighbours: 2cn counts context words that do "
            "not exist.")
        add(m, "unordered_pairs", self.count(p, unordered=True), truth,
            "Each centre word makes its own pairs: (a, b) with a as the centre and (b, a) with b as the centre are "
            "two training pairs.")
        add(m, "one_matrix", self.count(p, matrices=1), truth,
            "word2vec has two matrices: the input embeddings and the output (context) matrix, each |V| $\\times$ N.")
        return m
