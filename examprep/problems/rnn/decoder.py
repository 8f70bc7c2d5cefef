"""A toy bigram decoder and the searches run on it: greedy decoding, beam search (right, or with one of the usual
mistakes), and the exhaustive optimum. Pure Python on the displayed probabilities; used by
:mod:`examprep.problems.rnn.beam_search`.

An output is a tuple of token indices. It ends at the end token ``</s>`` (whose probability counts) or after T
tokens; a hypothesis is scored by the sum of its tokens' ln probabilities, with no length normalisation.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

END = "</s>"
MODES = ("right", "added", "per_parent", "dropped")
Seq = tuple[int, ...]
Hyp = tuple[Seq, float]


@dataclass(frozen=True)
class Search:
    """What a beam search did: the output (None when the mistaken search keeps nothing), the smallest gap between
    the last hypothesis kept and the first one cut at any step (and between the best two at the end), and each
    step's candidates (sorted, best first) with the number kept (per parent: the hypotheses kept)."""

    output: Seq | None
    gap: float
    steps: tuple[tuple[tuple[Hyp, ...], tuple[Hyp, ...]], ...]


class Decoder:
    """The decoder of one instance: ``p_first[v]`` = p(y_1 = v), ``p_next[u][v]`` = p(y_t = v | y_{t-1} = u)."""

    def __init__(self, vocab: Any, p_first: Any, p_next: Any, max_len: int, beam_width: int) -> None:
        self.vocab = tuple(vocab)
        self.first = tuple(float(x) for x in p_first)
        self.next = tuple(tuple(float(x) for x in r) for r in p_next)
        self.end = self.vocab.index(END)
        self.T, self.K = int(max_len), int(beam_width)  # noqa: N806

    @classmethod
    def of(cls, p: Any) -> Decoder:
        return cls(p.vocab, p.p_first, p.p_next, p.max_len, p.beam_width)

    # ---- sequences ------------------------------------------------------------------------------------------------
    def dist(self, seq: Seq) -> tuple[float, ...]:
        """The next token's probabilities after ``seq``."""
        return self.first if not seq else self.next[seq[-1]]

    def done(self, seq: Seq) -> bool:
        return bool(seq) and (seq[-1] == self.end or len(seq) == self.T)

    def probs(self, seq: Seq) -> list[float]:
        """Each token's probability given the ones before it."""
        return [self.dist(seq[:i])[t] for i, t in enumerate(seq)]

    def logprob(self, seq: Seq) -> float:
        """ln p(seq); ValueError when a token has probability 0."""
        return math.fsum(math.log(x) for x in self.probs(seq))

    def words(self, seq: Seq) -> str:
        return " ".join(self.vocab[t] for t in seq)

    def tokens(self, text: Any) -> Seq:
        """A written output ("B A </s>", any case) as token indices; ValueError unless it is a complete output."""
        index = {v.lower(): i for i, v in enumerate(self.vocab)}
        try:
            seq = tuple(index[w.lower()] for w in str(text).split())
        except KeyError:
            raise ValueError(f"{text!r} uses a token outside the vocabulary") from None
        if not seq or len(seq) > self.T or self.end in seq[:-1] or not self.done(seq):
            raise ValueError(f"{text!r} is not a complete output")
        return seq

    def outputs(self) -> list[Seq]:
        """Every complete output of positive probability, in lexicographic order of the token indices."""
        out: list[Seq] = []
        stack: list[Seq] = [()]
        while stack:
            seq = stack.pop()
            if self.done(seq):
                out.append(seq)
                continue
            stack += [(*seq, t) for t in reversed(range(len(self.vocab))) if self.dist(seq)[t] > 0]
        return out

    # ---- searches -------------------------------------------------------------------------------------------------
    def greedy(self) -> tuple[Seq, float]:
        """The greedy output and the smallest gap between the chosen token's probability and the runner-up's."""
        seq: Seq = ()
        gap = math.inf
        while not self.done(seq):
            d = self.dist(seq)
            ranked = sorted(range(len(d)), key=lambda t: -d[t])
            gap = min(gap, d[ranked[0]] - d[ranked[1]]) if len(d) > 1 else gap
            seq = (*seq, ranked[0])
        return seq, gap

    def ranked(self) -> list[Hyp]:
        """Every complete output with its ln probability, best first."""
        return _sorted([(s, self.logprob(s)) for s in self.outputs()])

    def best(self) -> tuple[Seq, float]:
        """The exhaustive optimum and its lead over the runner-up."""
        r = self.ranked()
        return r[0][0], (r[0][1] - r[1][1]) if len(r) > 1 else math.inf

    def beam(self, mode: str = "right") -> Search:
        """Beam search, or a mistaken one: ``added`` scores by summed probabilities; ``per_parent`` keeps the K best
        extensions of each hypothesis instead of the K best overall; ``dropped`` throws away every hypothesis that
        ends at </s>."""
        score: Callable[[float], float] = (lambda x: x) if mode == "added" else math.log
        beam: list[Hyp] = [((), 0.0)]
        gap = math.inf
        steps = []
        while beam and not all(self.done(s) for s, _ in beam):
            groups: list[list[Hyp]] = []
            for seq, v in beam:
                if self.done(seq):
                    groups.append([(seq, v)])
                    continue
                d = self.dist(seq)
                groups.append([((*seq, t), v + score(d[t])) for t in range(len(d)) if d[t] > 0])
            if mode == "dropped":
                groups = [[h for h in g if h[0][-1] != self.end] for g in groups]
            if mode == "per_parent":
                beam = []
                for g in groups:
                    g = _sorted(g)
                    gap = min(gap, self._cut(g))
                    beam += g[:self.K]
                steps.append((tuple(_sorted(beam)), tuple(_sorted(beam))))
                continue
            cand = _sorted([h for g in groups for h in g])
            gap = min(gap, self._cut(cand))
            beam = cand[:self.K]
            steps.append((tuple(cand), tuple(beam)))
        if not beam:
            return Search(None, gap, tuple(steps))
        final = _sorted(beam)
        return Search(final[0][0], min(gap, _gap(final, 1)), tuple(steps))


    def _cut(self, ranked: list[Hyp]) -> float:
        """The gap at the cut after the K best, where it matters: a cut among finished hypotheses only (the last
        step) cannot change the output, which is the best of them."""
        return math.inf if all(self.done(s) for s, _ in ranked) else _gap(ranked, self.K)


def rank_key(score: float) -> float:
    """The score as it is ranked: rounded to 1e-9, so that sums of logs equal but for rounding (ln 0.2 + ln 0.3 and
    ln 0.3 + ln 0.2 + 0) tie, and ties go to the earlier candidate (the torch reference ranks alike)."""
    return float(round(score * 1e9)) if math.isfinite(score) else score


def _sorted(hyps: list[Hyp]) -> list[Hyp]:
    """Best score first; tied scores keep their order (the order they were made in: parents in beam order, then
    tokens in vocabulary order)."""
    return sorted(hyps, key=lambda h: -rank_key(h[1]))


def _gap(ranked: list[Hyp], k: int) -> float:
    """How far the k-th hypothesis is ahead of the (k+1)-th (infinite when nothing is cut)."""
    return ranked[k - 1][1] - ranked[k][1] if len(ranked) > k else math.inf
