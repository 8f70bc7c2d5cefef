"""BERT's masked-language-model corruption and next-sentence pairs: expected counts in a batch.

Catalog: seed_004 B9 (15 %; 80 % [MASK], 10 % random, 10 % unchanged; NSP 50 %), seed_000_001 section B.

Parameters:
    tokens: tokens per sequence. special: special tokens per sequence ([CLS], [SEP]; never chosen). sequences:
    sequences (sentence pairs) in the batch. p_select: the selection probability (0.15). split: the shares of the
    chosen tokens replaced by [MASK], by a random token, and left unchanged ([0.8, 0.1, 0.1]).

Answer parts (expected counts): ``selected`` = p·(tokens − special)·sequences, ``masked``, ``random`` and
``unchanged`` = the split's shares of ``selected``, ``not_next`` = half the sequences (NSP draws the second
sentence at random half the time).

Reference: the expectation of ``torch.bernoulli`` selection masks (per-position probabilities, 0 at the special
tokens) summed, then the split as a probability vector (examprep.reference.llm:bert_masking).

Common mistakes: 10 % or 80 % of all tokens (instead of the selected 15 %), the special tokens counted.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.gan.fair import near_miss
from examprep.seeding import picker
from examprep.solver.expr import Sym, paren
from examprep.solver.step import Derivation

P_, T_, S_, B_ = Sym("p"), Sym("T"), Sym("s"), Sym("B")
N_SEL = Sym("N_sel")


def counts(p: Params, specials: bool = False, given: Answers | None = None) -> dict[str, float]:
    """Every expected count (``specials``: the named mistake; ``given``: the student's selected count, carried)."""
    sel = carry(given, "selected", p.p_select * (p.tokens - (0 if specials else p.special)) * p.sequences)
    m, r, u = (share * sel for share in p.split)
    return {"selected": sel, "masked": m, "random": r, "unchanged": u, "not_next": p.sequences / 2}


class BertMasking(ProblemType):
    id = "llm/bert_masking-v1"
    title = "BERT masking and NSP: expected counts"
    catalog = "seed_004 B9"
    reference_entry = "examprep.reference.llm:bert_masking"
    params = (
        Param("tokens", "int", "tokens per sequence", lo=1, hi=100000, default=512),
        Param("special", "int", "special tokens per sequence (never chosen)", lo=0, hi=100, default=0),
        Param("sequences", "int", "sequences (sentence pairs) in the batch", lo=1, hi=10**6, default=1),
        Param("p_select", "real", "selection probability", lo=0, hi=1, default=0.15),
        Param("split", "vector", "[MASK], random, unchanged shares", lo=0, hi=1, default=(0.8, 0.1, 0.1)),
    )
    parts = (
        Part("selected", "Expected selected tokens", "real", mode="sigfig", digits=4),
        Part("masked", "Expected [MASK] replacements", "real", mode="sigfig", digits=4, uses=("selected",)),
        Part("random", "Expected random replacements", "real", mode="sigfig", digits=4, uses=("selected",)),
        Part("unchanged", "Expected unchanged selected tokens", "real", mode="sigfig", digits=4, uses=("selected",)),
        Part("not_next", "Expected NotNext pairs", "real", mode="sigfig", digits=4),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = picker(rng)
        return dict(tokens=pick([128, 256, 512] if difficulty != "easy" else [100, 200, 1000]),
                    special=0 if difficulty == "easy" else pick([0, 2, 3]),
                    sequences=pick([1, 2, 4]) if difficulty == "easy" else pick([8, 16, 32, 256]),
                    p_select=0.15 if difficulty != "hard" else pick([0.15, 0.2, 0.3]),
                    split=(0.8, 0.1, 0.1) if difficulty != "hard" else pick([(0.8, 0.1, 0.1), (0.6, 0.2, 0.2)]))

    def check(self, p: Params) -> list[str]:
        if len(p.split) != 3 or abs(sum(p.split) - 1) > 1e-9:
            raise ParamError(f"split {list(p.split)}: give three shares ([MASK], random, unchanged) summing to 1")
        if p.special >= p.tokens:
            raise ParamError(f"special={p.special} must be fewer than tokens={p.tokens}")
        return []

    def degenerate(self, p: Params) -> str | None:
        return near_miss(self.solve(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        a, b, c = (f"{100 * v:g}%" for v in p.split)
        sp = (f", of which $s = {p.special}$ are special tokens ([CLS], [SEP]) that are never chosen"
              if p.special else " (no special tokens)")
        return [f"A BERT pre-training batch holds $B = {p.sequences}$ sequences (sentence pairs) of "
                f"$T = {p.tokens}$ tokens each{sp}. Masked language modelling chooses each other token with "
                f"probability $p = {p.p_select:g}$; of the chosen tokens, {a} become [MASK], {b} a random "
                f"token and {c} stay unchanged. For next-sentence prediction the second sentence is the real "
                "next one half of the time. Give the expected numbers of chosen tokens, of [MASK] replacements, of "
                "random replacements, of unchanged chosen tokens, and of NotNext pairs in the batch."]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return counts(p, given=given)

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        d = Derivation()
        sub = {"p": p.p_select, "T": p.tokens, "s": p.special, "B": p.sequences}
        d.add("Chosen tokens", a["selected"], lhs=N_SEL, formula=P_ * paren(T_ - S_) * B_ if p.special
              else P_ * T_ * B_, subs=sub, part="selected",
              note="only the non-special tokens can be chosen" if p.special else None)
        for part, share, what in (("masked", p.split[0], "[MASK]"), ("random", p.split[1], "random token"),
                                  ("unchanged", p.split[2], "unchanged")):
            q = Sym(f"q_{part}")
            d.add(f"Chosen, then {what}", a[part], lhs=f"N_{part}", formula=q * N_SEL,
                  subs={q.name: share, "N_sel": a["selected"]}, part=part,
                  note=f"q_{part} = {share:g}, the share of the chosen tokens that become {what}")
        d.add("NotNext pairs", a["not_next"], lhs="N_NotNext", formula=B_ / 2, subs=sub, part="not_next")
        d.answer = f"{a['selected']:g} chosen, {a['masked']:g} [MASK]"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        total = p.tokens * p.sequences
        m = {
            "share_of_all_tokens": Mistake({"masked": p.split[0] * total, "random": p.split[1] * total,
                                            "unchanged": p.split[2] * total},
                                           f"The shares apply to the chosen tokens (a fraction {p.p_select:g} of "
                                           "them), not to every token."),
        }
        if p.special:
            wrong = {k: v for k, v in counts(p, specials=True).items() if k != "not_next"}
            m["specials_counted"] = Mistake(wrong, "[CLS] and [SEP] are never chosen: take p of the other tokens "
                                                   "only.")
        return m
