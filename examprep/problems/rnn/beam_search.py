"""Greedy decoding, beam search and the exhaustive optimum on a toy bigram decoder.

Catalog: seed_002 G2 (p(A) = 0.5, p(B) = 0.4, p(</s>) = 0.1; after A: A 0.4, B 0.3, </s> 0.3; after B: A 0.9,
B 0.05, </s> 0.05; T = 2, K = 2: greedy A A (ln 0.2 = -1.609438), beam B A (ln 0.36 = -1.021651), the exhaustive
optimum B A).

Parameters: ``vocab`` (the tokens, one of them ``</s>``), ``p_first`` (p(y_1), one per token), ``p_next`` (row v:
p(y_t | y_{t-1} = v); the ``</s>`` row is unused), ``max_len`` T, ``beam_width`` K.

Answer parts: ``greedy``, ``greedy_logprob``, ``beam``, ``beam_logprob`` and ``best`` (the exhaustive optimum);
outputs are written as their tokens separated by spaces ("B A", "A </s>"), ln probabilities to 4 decimal places.
``greedy_logprob`` is computed from ``greedy`` and ``beam_logprob`` from ``beam`` (error carried forward: the ln
probability of the student's own output earns credit).

Conventions stated in the prompt: an output ends at ``</s>`` (its probability counted) or after T tokens; greedy
takes the most probable token at each step; beam search extends every unfinished hypothesis by every token and keeps
the K best overall; finished hypotheses stay in the beam and compete for the K places; scores are summed ln
probabilities, no length normalisation.

Generated instances (examprep.problems.rnn.beam_draw): T = 3, K = 2 (hard: 2 or 3), three letters and </s> at
easy, four at medium and hard; probabilities in twentieths (hard: hundredths), none zero; p(</s>) 0.05 for the first
token and at most 0.4 after one. A garden path is planted so that beam search misses the optimum and ends with
</s>: the K-per-parent search finds a better output and dropping finished hypotheses gives a three-letter output,
so each named mistake gives another output or ln probability than the right one. No tie or near tie (0.02) between
greedy choices, at a beam cut that decides anything, at the final choice or between the two most probable outputs,
in the right search and in each mistaken one.

Reference: every output enumerated by ``itertools.product`` and scored by a gather of ``torch.log`` probabilities;
greedy by ``torch.argmax``; the beam by a stable ``torch.sort`` of the flattened (hypothesis × token) scores,
batched over instances of one shape (examprep.reference.decoding:beam_search). Ties (possible only in given tables)
go to the earlier candidate: parents in beam order, then tokens in vocabulary order; outputs in vocabulary order.

Common mistakes: probabilities added instead of multiplied (ln of the sum reported); the K best extensions kept per
hypothesis instead of the K best overall; finished hypotheses dropped from the beam.

Versions: v1 — first version.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType
from examprep.problems.mlp.near_miss import add, near_miss
from examprep.problems.rnn.beam_draw import planted
from examprep.problems.rnn.decoder import END, Decoder, Seq
from examprep.solver.expr import Add, Func, Num
from examprep.solver.step import Derivation

DP = 4
MARGIN = 0.02  # scores (ln, or probabilities) closer than this are a near tie
MISTAKES = ("probabilities_added", "top_k_per_parent", "finished_dropped")
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]{0,15}")


def _ln(x: float) -> str:
    return f"{x:.{DP}f}"


class BeamSearch(ProblemType):
    id = "rnn/beam_search-v1"
    title = "Greedy decoding and beam search"
    catalog = "seed_002 G2"
    reference_entry = "examprep.reference.decoding:beam_search"
    params = (
        Param("vocab", "str_list", "the tokens, one of them </s>"),
        Param("p_first", "vector", "p(y_1): one probability per token", lo=0, hi=1),
        Param("p_next", "matrix", "row v: p(y_t | y_(t-1) = v), one column per token; the </s> row is unused",
              lo=0, hi=1),
        Param("max_len", "int", "longest output T (tokens)", lo=1, hi=5),
        Param("beam_width", "int", "beam width K", lo=1, hi=5),
    )
    parts = (
        Part("greedy", "Greedy output (tokens separated by spaces)", "label", final=False),
        Part("greedy_logprob", "ln probability of the greedy output", "real", mode="decdig", digits=DP, final=False,
             uses=("greedy",)),
        Part("beam", "Beam-search output (tokens separated by spaces)", "label"),
        Part("beam_logprob", "ln probability of the beam-search output", "real", mode="decdig", digits=DP,
             uses=("beam",)),
        Part("best", "Most probable output of all (tokens separated by spaces)", "label"),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        letters, width, grid = {"easy": (3, 2, 20), "medium": (4, 2, 20),
                                "hard": (4, int(rng.integers(2, 4)), 100)}[difficulty]
        return planted(rng, letters, width, grid)

    def check(self, p: Params) -> list[str]:
        n = len(p.vocab)
        if p.vocab.count(END) != 1:
            raise ParamError("vocab: give the end token </s> exactly once, e.g. --set vocab=[A,B,</s>]")
        bad = [v for v in p.vocab if v != END and not _TOKEN.fullmatch(v)]
        if bad:
            raise ParamError(f"vocab: {bad[0]!r} is not a token; use a letter followed by letters or digits")
        if len({v.lower() for v in p.vocab}) != n or not 2 <= n <= 6:
            raise ParamError("vocab: give 2 to 6 tokens that differ (ignoring case), one of them </s>")
        if len(p.p_first) != n or len(p.p_next) != n or len(p.p_next[0]) != n:
            raise ParamError(f"p_first needs {n} entries and p_next {n}×{n}: one per token, in vocab order")
        rows = [("p_first", p.p_first)] + [(f"p_next row {v}", r) for v, r in zip(p.vocab, p.p_next, strict=True)
                                           if v != END]
        for name, r in rows:
            if abs(math.fsum(r) - 1) > 1e-6:
                raise ParamError(f"{name} sums to {math.fsum(r):g}; the probabilities of the next token must sum "
                                 "to 1")
        return []

    # ---- answers --------------------------------------------------------------------------------------------------
    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        dec = Decoder.of(p)
        greedy = dec.words(dec.greedy()[0])
        beam = dec.words(dec.beam().output or ())
        greedy = str((given or {}).get("greedy", greedy))  # error carried forward: the student's own outputs
        beam = str((given or {}).get("beam", beam))
        return {"greedy": greedy, "greedy_logprob": dec.logprob(dec.tokens(greedy)), "beam": beam,
                "beam_logprob": dec.logprob(dec.tokens(beam)), "best": dec.words(dec.best()[0])}

    def degenerate(self, p: Params) -> str | None:
        dec = Decoder.of(p)
        if dec.greedy()[1] < MARGIN:
            return "two tokens are (nearly) equally probable at a greedy step"
        if dec.best()[1] < MARGIN:
            return "the two most probable outputs are (nearly) equally probable"
        for mode in ("right", "added", "per_parent", "dropped"):
            s = dec.beam(mode)
            if s.output is None or s.gap < MARGIN:
                return f"a (near) tie at a cut of the {mode} beam search"
        truth = self.solve(p)
        m = self.mistakes(p)
        missing = [k for k in MISTAKES if k not in m or (k != MISTAKES[0] and "beam" not in m[k].answers)]
        if missing:
            return f"mistake {missing[0]} gives the right output here"
        return near_miss(self, truth, m)

    # ---- text -----------------------------------------------------------------------------------------------------
    def _row(self, p: Params, r: Any) -> str:
        return ", ".join(f"{v} {x:g}" for v, x in zip(p.vocab, r, strict=True))

    def statement(self, p: Params) -> list[Any]:
        after = "; ".join(f"after {v}: {self._row(p, r)}" for v, r in zip(p.vocab, p.p_next, strict=True) if v != END)
        return [f"A decoder writes tokens from the vocabulary {', '.join(p.vocab)}. The first token $y_1$ has the "
                f"probabilities {self._row(p, p.p_first)}; each later token depends only on the one before it, "
                rf"$p(y_t \mid y_{{t-1}})$: {after}. An output ends with {END} (whose probability counts) or "
                f"after $T = {p.max_len}$ tokens, and its score is the sum of the ln probabilities of its tokens "
                "(no length normalisation). Greedy decoding takes the most probable next token at each step. Beam "
                f"search with width $K = {p.beam_width}$ extends every unfinished hypothesis by every token and "
                "keeps the $K$ best hypotheses overall; a finished hypothesis stays in the beam and competes for "
                "the $K$ places; when every hypothesis in the beam is finished, the output is the best of them. "
                r"Give the greedy output $g$ and $\ln p(g)$, the beam-search output $b$ and $\ln p(b)$ (natural "
                rf"logarithms, {DP} decimal places), and the most probable output $\hat{{y}}$ of all (compare "
                f"every possible output). Write an output as its tokens separated by spaces, such as "
                f"\u201c{p.vocab[0]} {END}\u201d."]

    def _sum_ln(self, dec: Decoder, seq: Seq) -> Any:
        terms = [Func("ln", Num(x)) for x in dec.probs(seq)]
        return terms[0] if len(terms) == 1 else Add([(1, t) for t in terms])

    def derivation(self, p: Params) -> Derivation:
        dec = Decoder.of(p)
        a = self.solve(p)
        d = Derivation()
        g = dec.greedy()[0]
        for i in range(len(g)):
            prev = f"after {dec.vocab[g[i - 1]]}" if i else "first"
            d.add(f"Greedy, token {i + 1} ({prev}): the most probable of {self._row(p, dec.dist(g[:i]))}",
                  dec.vocab[g[i]], lhs=f"y_{i + 1}")
        d.add(f"Greedy output: it stops at {END} or after $T = {p.max_len}$ tokens", a["greedy"], lhs="g",
              part="greedy")
        d.add(r"$\ln p(g)$: the sum of the ln probabilities of its tokens", a["greedy_logprob"], lhs=r"\ln p(g)",
              substituted=self._sum_ln(dec, g), part="greedy_logprob")
        search = dec.beam()
        for i, (cand, kept) in enumerate(search.steps, 1):
            listing = ", ".join(f"{dec.words(s)} {_ln(v)}" for s, v in cand)
            d.add(f"Beam step {i}: the candidates and their summed ln probabilities, best first: {listing}; keep "
                  f"the best $K = {p.beam_width}$", ", ".join(dec.words(s) for s, _ in kept),
                  note=f"a hypothesis ending with {END} is finished: it stays a candidate as it is"
                  if any(dec.done(s) for s, _ in cand) else None)
        out = search.output or ()
        d.add("Beam output: every hypothesis in the beam is finished; the best of them", a["beam"], lhs="b",
              part="beam")
        d.add(r"$\ln p(b)$: the sum of the ln probabilities of its tokens", a["beam_logprob"], lhs=r"\ln p(b)",
              substituted=self._sum_ln(dec, out), part="beam_logprob")
        ranked = dec.ranked()
        top = ", ".join(f"{dec.words(s)} {_ln(v)}" for s, v in ranked[:5])
        d.add(f"Every possible output compared ({len(ranked)} of them; the most probable: {top})", a["best"],
              lhs=r"\hat{y}", part="best",
              note="beam search missed it: it was cut from the beam on the way" if a["best"] != a["beam"] else None)
        d.answer = f"beam: {a['beam']} (ln p = {_ln(a['beam_logprob'])}); greedy: {a['greedy']}; best: {a['best']}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        dec = Decoder.of(p)
        truth = self.solve(p)
        m: dict[str, Mistake] = {}
        added = dec.beam("added").output
        if added is not None:
            add(m, "probabilities_added",
                {"greedy_logprob": math.log(math.fsum(dec.probs(dec.greedy()[0]))), "beam": dec.words(added),
                 "beam_logprob": math.log(math.fsum(dec.probs(added)))}, truth,
                "A sequence's probability is the product of its tokens' probabilities, so its ln probability is "
                r"the sum of their ln probabilities: $\ln p(y) = \sum_t \ln p(y_t \mid y_{t-1})$, not the ln of "
                "the summed probabilities.")
        for name, mode, fb in (
                ("top_k_per_parent", "per_parent",
                 "Beam search keeps the $K$ best hypotheses overall at each step, not the $K$ best extensions of "
                 "each hypothesis."),
                ("finished_dropped", "dropped",
                 f"A hypothesis that ends with {END} is finished, not discarded: it stays in the beam and competes "
                 "for the $K$ places with its score.")):
            seq = dec.beam(mode).output
            if seq is not None:
                add(m, name, {"beam": dec.words(seq), "beam_logprob": dec.logprob(seq)}, truth, fb)
        return m
