"""Sentence BLEU with clipped n-gram precisions, the brevity penalty and the geometric mean (no smoothing).

Catalog: seed_002 G3 (the notes' definition at 777 has no clipping, no geometric mean and no brevity penalty).

Parameters:
    candidate: the candidate sentence (tokens split on spaces).
    references: one or more reference sentences.
    max_n: the largest n-gram order N (1–4, default 2); the weights are 1/N.

Answer parts: ``c`` (candidate length), ``r`` (the reference length closest to c, the shorter on a tie),
``precisions`` (p_1..p_N, clipped), ``bp`` (1 if c > r, else e^(1 − r/c)) and ``bleu`` = bp·(Π p_n)^(1/N), 0 if a
p_n is 0.

Conventions stated in the prompt: the tokenisation, clipping at the largest count in one reference, r's tie rule,
BP, the geometric mean, no smoothing.

Reference: n-grams as integer codes and counts by equality matrices in torch (each candidate position contributes
min(count_cand, max count_ref)/count_cand), BP by ``torch.where`` and the geometric mean as exp(mean ln p)
(examprep.reference.metrics:bleu). nltk's ``sentence_bleu`` computes the same formula (not installed here).

Common mistakes: unclipped counts (the notes' definition: 1.0 for seven "the"), the arithmetic mean of the p_n
(0.716667 for 0.707107), r/c inverted in BP, BP applied when c > r.

Versions: v1 — first version.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.gan.fair import near_miss, visible
from examprep.problems.metrics.ngrams import FILLERS, SENTENCES, clipped, closest_length
from examprep.solver.expr import Expr, Func, Num, Sym
from examprep.solver.step import Derivation


def tokens(s: str) -> list[str]:
    return s.split()


def precisions(cand: list[str], refs: list[list[str]], max_n: int, clip: bool = True) -> list[Fraction]:
    """p_1..p_N as fractions: Σ clipped counts / Σ counts (or Σ counts in the references' vocabulary unclipped)."""
    out = []
    for n in range(1, max_n + 1):
        rows = clipped(cand, refs, n)
        hit = sum(m if clip else (k if m > 0 else 0) for _, k, m in rows)
        out.append(Fraction(hit, sum(k for _, k, _ in rows)))
    return out


def whole(v: int | float, name: str) -> int:
    """A length as an int; a student's carried length that is not a positive whole number follows nowhere."""
    if v != int(v) or v < 1:
        raise ValueError(f"{name} = {v:g} is not a positive whole number")
    return int(v)


def brevity(c: int, r: int) -> float:
    return 1.0 if c > r else math.exp(1 - r / c)


def combine(ps: list[Fraction], bp: float, mean: str = "geometric") -> float:
    """bp·(Π p_n)^(1/N), 0 if a p_n is 0 (or bp times the arithmetic mean, the mistake)."""
    if mean == "arithmetic":
        return bp * float(sum(ps)) / len(ps)
    if any(p == 0 for p in ps):
        return 0.0
    return bp * math.exp(math.fsum(math.log(p) for p in ps) / len(ps))


class BLEU(ProblemType):
    id = "metrics/bleu-v1"
    title = "Sentence BLEU"
    catalog = "seed_002 G3"
    reference_entry = "examprep.reference.metrics:bleu"
    params = (
        Param("candidate", "str", "the candidate sentence; tokens are split on spaces"),
        Param("references", "str_list", "one or more reference sentences"),
        Param("max_n", "int", "the largest n-gram order N", lo=1, hi=4, default=2),
    )
    parts = (
        Part("c", "The candidate length c", "integer", final=False),
        Part("r", "The effective reference length r", "integer", final=False, uses=("c",)),
        Part("precisions", "The clipped precisions p_1, …, p_N", "vector", final=False),
        Part("bp", "The brevity penalty BP", "real", final=False, uses=("c", "r")),
        Part("bleu", "BLEU", "real", uses=("precisions", "bp")),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pair = SENTENCES[int(rng.integers(len(SENTENCES)))]
        refs = list(pair) if difficulty == "hard" else [pair[0]]
        cand = tokens(pair[0])
        # a repeated word (so clipping matters), one substitution, and maybe a dropped or added word
        i = int(rng.integers(len(cand)))
        cand[i] = cand[int(rng.integers(len(cand)))] if rng.integers(2) else "the"
        j = int(rng.integers(len(cand)))
        cand[j] = FILLERS[int(rng.integers(len(FILLERS)))]
        change = int(rng.integers(3))
        if change == 1:
            del cand[int(rng.integers(len(cand)))]
        elif change == 2:
            cand.insert(int(rng.integers(len(cand) + 1)), FILLERS[int(rng.integers(len(FILLERS)))])
        max_n = {"easy": 1 + int(rng.integers(2)), "medium": 2, "hard": 2 + int(rng.integers(2))}[difficulty]
        return dict(candidate=" ".join(cand), references=refs, max_n=max_n)

    def check(self, p: Params) -> list[str]:
        if not isinstance(p.candidate, str) or not tokens(p.candidate):
            raise ParamError("candidate: give a sentence of at least one word")
        if not p.references or any(not isinstance(r, str) or not tokens(r) for r in p.references):
            raise ParamError("references: give one or more non-empty sentences, e.g. --set references=[the cat sat]")
        if len(tokens(p.candidate)) < p.max_n:
            raise ParamError(f"the candidate has {len(tokens(p.candidate))} tokens, fewer than max_n = {p.max_n}: "
                             f"it has no {p.max_n}-grams")
        return []

    def degenerate(self, p: Params) -> str | None:
        ans = self.solve(p)
        if ans["bleu"] == 0:
            return "a precision is 0 (BLEU = 0)"
        return near_miss(ans, self.all_mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        refs = "; ".join(f"“{r}”" for r in p.references)
        one = len(p.references) == 1
        return [
            f"Candidate translation: “{p.candidate}”. Reference{'' if one else 's'}: {refs}. Tokens are the words "
            f"split on spaces. Compute sentence BLEU with $N = {p.max_n}$: the clipped precision $p_n$ "
            r"$(n = 1, \ldots, N)$ is the number of candidate $n$-grams found in the references, each $n$-gram's "
            "count clipped at its largest count in any one reference, divided by the number of candidate "
            r"$n$-grams; $c$ is the candidate length and $r$ the reference length closest to $c$ (the shorter one "
            r"on a tie); $\text{BP} = 1$ if $c > r$, else $e^{1 - r/c}$; and "
            r"$\text{BLEU} = \text{BP} \cdot (p_1 \cdots p_N)^{1/N}$, which is 0 if some $p_n$ is 0 (no smoothing). "
            r"Give $c$, $r$, the precisions, BP and BLEU."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        cand, refs = tokens(p.candidate), [tokens(r) for r in p.references]
        c = whole(carry(given, "c", len(cand)), "c")
        r = whole(carry(given, "r", closest_length(c, [len(x) for x in refs])), "r")
        ps = precisions(cand, refs, p.max_n)
        if given and "precisions" in given:  # error carried forward: BLEU from the student's precisions
            ps = [float(x) for x in carry(given, "precisions", np.zeros(p.max_n))]
        bp = carry(given, "bp", brevity(c, r))
        return {"c": c, "r": r, "precisions": [float(x) for x in ps], "bp": bp, "bleu": combine(ps, bp)}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        cand, refs = tokens(p.candidate), [tokens(r) for r in p.references]
        d = Derivation()
        ps = precisions(cand, refs, p.max_n)
        for n in range(1, p.max_n + 1):
            rows = clipped(cand, refs, n)
            listing = "; ".join(f"“{' '.join(g)}” {k}" + (f", clipped to {m}" if m != k else "") for g, k, m in rows)
            d.add(f"Clipped precision $p_{n}$", float(ps[n - 1]), lhs=Sym(f"p_{n}"),
                  substituted=_sum([Num(m) for _, _, m in rows]) / Num(sum(k for _, k, _ in rows)),
                  note=f"each candidate {n}-gram with its count (clipped where one reference has it fewer times): "
                       f"{listing}")
        d.add("The precisions", ans["precisions"], lhs=Sym("p"), part="precisions")
        lengths = sorted({len(x) for x in refs})
        d.add("Candidate length", ans["c"], lhs=Sym("c"), part="c")
        d.add("Effective reference length", ans["r"], lhs=Sym("r"), part="r",
              note=f"reference length{'s' if len(lengths) > 1 else ''} {', '.join(map(str, lengths))}: the closest "
                   f"to $c = {ans['c']}$ (the shorter on a tie)")
        if ans["c"] > ans["r"]:
            d.add("Brevity penalty", 1.0, lhs=Sym("BP"), part="bp", note="$c > r$, so $BP = 1$")
        else:
            d.add("Brevity penalty", ans["bp"], lhs=Sym("BP"), formula=Func("exp", 1 - Sym("r") / Sym("c")),
                  subs={"r": ans["r"], "c": ans["c"]}, part="bp", note=r"$c \le r$, so $BP = e^{1 - r/c}$")
        if ans["bleu"] == 0:
            d.add("BLEU", 0.0, lhs=Sym("BLEU"), part="bleu", note="a precision is 0, so the geometric mean is 0")
        else:
            prod = _prod([Num(x) for x in ps])
            d.add("BLEU", ans["bleu"], lhs=Sym("BLEU"),
                  substituted=Num(ans["bp"]) * (prod ** Num(Fraction(1, p.max_n)) if p.max_n > 1 else prod),
                  part="bleu", note="the brevity penalty times the geometric mean of the precisions")
        d.answer = f"BLEU = {ans['bleu']:.6g}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return visible(self.solve(p), self.all_mistakes(p))

    def all_mistakes(self, p: Params) -> dict[str, Mistake]:
        """Every named mistake that applies to these parameters (some may change nothing on them)."""
        ans = self.solve(p)
        cand, refs = tokens(p.candidate), [tokens(r) for r in p.references]
        c, r, bp = ans["c"], ans["r"], ans["bp"]
        ps = precisions(cand, refs, p.max_n)
        un = precisions(cand, refs, p.max_n, clip=False)
        out = {"unclipped": Mistake({"precisions": [float(x) for x in un], "bleu": combine(un, bp)},
                                    "You counted every candidate n-gram that occurs in a reference, however often "
                                    "it occurs there; clip each count at its largest count in one reference.")}
        if p.max_n > 1:
            out["arithmetic_mean"] = Mistake({"bleu": combine(ps, bp, "arithmetic")},
                                             "BLEU takes the geometric mean of the precisions, "
                                             r"$(p_1 \cdots p_N)^{1/N}$, not their average.")
        if c < r:
            wrong = math.exp(1 - c / r)
            out["bp_inverted"] = Mistake({"bp": wrong, "bleu": combine(ps, wrong)},
                                         r"The brevity penalty is $e^{1 - r/c}$ (reference over candidate length).")
        if c > r:
            wrong = math.exp(1 - r / c)
            out["bp_when_longer"] = Mistake({"bp": wrong, "bleu": combine(ps, wrong)},
                                            r"The candidate is longer than $r$, so there is no penalty: $BP = 1$.")
        return out


def _sum(terms: list[Expr]) -> Expr:
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total


def _prod(terms: list[Expr]) -> Expr:
    total = terms[0]
    for t in terms[1:]:
        total = total * t
    return total
