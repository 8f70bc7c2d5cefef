"""Likelihood of a sequence under an autoregressive model: NLL, mean NLL, perplexity, bits per dimension, and
CoCa's weighted loss.

Catalog: seed_002 G1 (caption NLL and perplexity), seed_002 L4 (CoCa λ_Con·L_Con + λ_Cap·L_Cap), seed_004 E1
(PixelCNN binary pixels, bits/dim), seed_004 B14 and seed_000_001 B7 (perplexity).

Parameters:
    probs: p(x_t | x_<t) of each reference token; with ``x`` (binary pixels, PixelCNN) they are P(x_t = 1 | x_<t).
    x: optional binary values. l_con: optional CoCa contrastive loss; lambda_cap (2) and lambda_con (1) weigh it.

Answer parts: ``likelihood`` = Π p_t, ``nll`` = −Σ ln p_t (nats), ``mean_nll`` = nll/n, ``perplexity`` =
exp(mean_nll), ``bits_per_dim`` = nll/(n ln 2) and, with l_con, ``total_loss`` = λ_con·l_con + λ_cap·mean_nll.

Reference: ``F.nll_loss`` on the log-probabilities (tokens) or ``torch.distributions.Bernoulli(probs).log_prob``
(pixels) (examprep.reference.llm:sequence_nll).

Common mistakes: log base 2, perplexity as exp of the sum or as 2^mean, P(x = 1) used where x = 0, bits per
dimension without the ln 2.

Versions: v1 — first version.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.gan.fair import grid, near_miss
from examprep.solver.expr import Func, Num, Sym
from examprep.solver.step import Derivation

DP = 6
L_, LBAR, N_ = Sym("L"), Sym("Lbar", "L̄", latex=r"\bar{L}", typst="macron(L)"), Sym("n")


def _part(name: str, label: str, final: bool = True, uses: tuple[str, ...] = ()) -> Part:
    return Part(name, label, "real", mode="sigfig", digits=4, final=final, uses=uses)


def chosen(p: Params, ignore_x: bool = False) -> np.ndarray:
    """The probability of each observed value: p_t, or P(x_t = 1) and 1 − P(x_t = 1) by the pixel."""
    pr = np.asarray(p.probs, dtype=float)
    if p.x is None or ignore_x:
        return pr
    return np.where(np.asarray(p.x) == 1, pr, 1 - pr)


def nll_parts(p: Params, q: np.ndarray, log=np.log, given: Answers | None = None) -> dict[str, Any]:
    """Every part (``log``: the named mistake of another base; ``given``: the student's NLL and mean NLL,
    carried forward)."""
    n = len(q)
    nll = carry(given, "nll", float(-log(q).sum()))
    mean = carry(given, "mean_nll", nll / n)
    bits = mean / math.log(2) if given and "mean_nll" in given else nll / (n * math.log(2))
    out = {"likelihood": float(np.prod(q)), "nll": nll, "mean_nll": mean, "perplexity": math.exp(mean),
           "bits_per_dim": bits}
    if p.l_con is not None:
        out["total_loss"] = p.lambda_con * p.l_con + p.lambda_cap * mean
    return out


class SequenceNLL(ProblemType):
    id = "llm/sequence_nll-v1"
    title = "Sequence likelihood, NLL, perplexity and bits per dimension"
    catalog = "seed_002 G1, L4; seed_004 E1, B14; seed_000_001 B7"
    reference_entry = "examprep.reference.llm:sequence_nll"
    params = (
        Param("probs", "vector", "p(x_t | x_<t) per token (with x: P(x_t = 1 | x_<t))", lo=0, hi=1),
        Param("x", "int_vector", "binary values (PixelCNN), optional", lo=0, hi=1, optional=True),
        Param("l_con", "real", "CoCa contrastive loss, optional", lo=0, hi=100, optional=True),
        Param("lambda_cap", "real", "weight of the captioning loss", lo=0, hi=100, default=2.0),
        Param("lambda_con", "real", "weight of the contrastive loss", lo=0, hi=100, default=1.0),
    )
    parts = (
        _part("likelihood", "Likelihood of the sequence", final=False),
        _part("nll", "Negative log-likelihood (nats)"),
        _part("mean_nll", "Mean NLL per token (nats)", uses=("nll",)),
        _part("perplexity", "Perplexity", uses=("mean_nll",)),
        _part("bits_per_dim", "Bits per dimension", uses=("mean_nll",)),
        _part("total_loss", "CoCa total loss", uses=("mean_nll",)),
    )

    def active_parts(self, p: Params) -> tuple[Part, ...]:
        return self.parts if p.l_con is not None else self.parts[:-1]

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n = int(rng.integers(3, 5 if difficulty == "easy" else 7))
        probs = grid(rng, 0.1, 0.95, 0.05, n)
        out: dict[str, Any] = {"probs": probs}
        if difficulty != "easy" and rng.random() < 0.4:
            out["x"] = tuple(int(v) for v in rng.integers(0, 2, size=n))
        elif difficulty == "hard" and rng.random() < 0.5:
            out["l_con"] = grid(rng, 0.2, 3.0, 0.1, 1)[0]
        return out

    def check(self, p: Params) -> list[str]:
        q = chosen(p)
        if p.x is not None and len(p.x) != len(p.probs):
            raise ParamError(f"x has {len(p.x)} values and probs {len(p.probs)}: give one probability per value")
        if (q <= 0).any():
            raise ParamError("a probability of an observed value is 0: its log-likelihood is −∞; use values in (0, 1]")
        return []

    def degenerate(self, p: Params) -> str | None:
        return near_miss(self.solve(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        n = len(p.probs)
        if p.x is not None:
            s: list[Any] = [f"An autoregressive model (PixelCNN) generates a binary image of $n = {n}$ pixels, "
                            "$p(x) = \\prod_i p(x_i \\mid x_1, \\ldots, x_{i-1})$. The observed pixels are x = ",
                            list(p.x), ", and the model's conditionals $P(x_i = 1 \\mid x_{<i})$ are ", list(p.probs),
                            ". "]
        else:
            s = [f"A language model gives the $n = {n}$ tokens of a reference sequence the conditional "
                 "probabilities $p(x_t \\mid x_{<t})$ = ", list(p.probs), ". "]
        s.append("Give the likelihood of the sequence, the negative log-likelihood $L = -\\sum_t \\ln p(x_t \\mid "
                 "x_{<t})$ in nats (natural log), the mean $\\bar{L} = L/n$, the perplexity $\\exp(\\bar{L})$ and "
                 "the bits per dimension $L/(n \\ln 2)$, to 4 significant figures.")
        if p.l_con is not None:
            s.append(f" CoCa adds a contrastive loss $L_{{\\text{{con}}}} = {p.l_con:g}$: give the total "
                     f"$\\lambda_{{\\text{{con}}}} L_{{\\text{{con}}}} + \\lambda_{{\\text{{cap}}}} \\bar{{L}}$ with "
                     f"$\\lambda_{{\\text{{con}}}} = {p.lambda_con:g}$ and $\\lambda_{{\\text{{cap}}}} = "
                     f"{p.lambda_cap:g}$ (the captioning loss is the mean NLL).")
        return s

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return nll_parts(p, chosen(p), given=given)

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        q = chosen(p)
        d = Derivation()
        if p.x is not None:
            d.add("Probability of each observed pixel", q, lhs="p_i",
                  note="P(x_i = 1) where x_i = 1, and 1 − P(x_i = 1) where x_i = 0")
        prod = Num(float(q[0]))
        for v in q[1:]:
            prod = prod * Num(float(v))
        d.add("Likelihood", a["likelihood"], lhs="p(x)", substituted=prod, part="likelihood")
        terms = Func("ln", Num(float(q[0])))
        for v in q[1:]:
            terms = terms + Func("ln", Num(float(v)))
        d.add("Negative log-likelihood", a["nll"], lhs=L_, substituted=-terms, part="nll",
              note="−ln of each: " + ", ".join(f"{-math.log(v):.6f}" for v in q))
        d.add("Mean NLL", a["mean_nll"], lhs=LBAR, formula=L_ / N_, subs={"L": a["nll"], "n": len(q)},
              part="mean_nll")
        d.add("Perplexity", a["perplexity"], lhs="PPL", formula=Func("exp", LBAR), subs={"Lbar": a["mean_nll"]},
              part="perplexity", note="exp of the mean, not of the sum")
        d.add("Bits per dimension", a["bits_per_dim"], lhs="bpd", formula=L_ / (N_ * Func("ln", Num(2))),
              subs={"L": a["nll"], "n": len(q)}, part="bits_per_dim", note="nats to bits: divide by ln 2")
        if p.l_con is not None:
            lc, lcap, lcon = Sym("L_con"), Sym("lambda_cap", "λ_cap", latex=r"\lambda_{\text{cap}}",
                                                typst='lambda_"cap"'), \
                Sym("lambda_con", "λ_con", latex=r"\lambda_{\text{con}}", typst='lambda_"con"')
            d.add("CoCa total loss", a["total_loss"], lhs="L_CoCa", formula=lcon * lc + lcap * LBAR,
                  subs={"lambda_con": p.lambda_con, "L_con": p.l_con, "lambda_cap": p.lambda_cap,
                        "Lbar": a["mean_nll"]}, part="total_loss")
        d.answer = f"perplexity {a['perplexity']:.4f}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)
        q = chosen(p)
        log2 = nll_parts(p, q, log=np.log2)
        m = {
            "log2": Mistake({"nll": log2["nll"], "mean_nll": log2["mean_nll"]},
                            "Use the natural log (nats): ln, not log₂."),
            "exp_of_sum": Mistake({"perplexity": math.exp(truth["nll"])},
                                  "Perplexity is the exponential of the mean NLL (divide by n first), not of the sum."),
            "two_to_mean": Mistake({"perplexity": 2 ** truth["mean_nll"]},
                                   "The mean NLL is in nats, so the perplexity is e^L̄, not 2^L̄."),
            "bits_without_ln2": Mistake({"bits_per_dim": truth["mean_nll"]},
                                        "Bits per dimension converts nats to bits: divide by n·ln 2."),
        }
        if p.x is not None and 0 in p.x:
            wrong = nll_parts(p, chosen(p, ignore_x=True))
            m["p_one_where_zero"] = Mistake({k: v for k, v in wrong.items() if k != "total_loss"},
                                            "Where a pixel is 0 its probability is 1 − P(x = 1), not P(x = 1).")
        return m
