"""Mode collapse from a class histogram of generated samples: modes covered, entropy, KL to the uniform.

Catalog: seed_004 D5 (the slide's digit grid: 1 missing mode, H = 1.67584 nats, KL = 0.62674).

Parameters:
    counts: how many generated samples fall in each of the K classes (0-based), at least one sample in all.

Answer parts: ``p_hat`` = counts/N, ``modes`` = the number of classes seen (count > 0), ``entropy`` = H(p̂) in
nats and ``kl_uniform`` = KL(p̂‖U) = ln K − H.

Conventions stated in the prompt: natural log, 0·ln 0 = 0, the KL direction (from p̂ to the uniform).

Reference: ``Categorical(probs).entropy()`` and ``kl_divergence(Categorical(p̂), Categorical(uniform))``
(examprep.reference.gan:mode_collapse); the tests check ``scipy.stats.entropy``.

Common mistakes: KL(U‖p̂) (the reverse direction; infinite with a missing mode), log base 2, the missing modes
counted instead of the covered ones.

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
from examprep.problems.divergence.pmf import kl
from examprep.problems.gan.fair import near_miss, visible
from examprep.solver.expr import Expr, Func, Mat, Num, Sym
from examprep.solver.step import Derivation


def entropy(p: Any) -> float:
    return -math.fsum(x * math.log(x) for x in p if x > 0)


class ModeCollapse(ProblemType):
    id = "gan/mode_collapse-v1"
    title = "Mode collapse: modes covered, entropy and KL to uniform"
    catalog = "seed_004 D5"
    reference_entry = "examprep.reference.gan:mode_collapse"
    params = (Param("counts", "int_vector", "generated samples per class (K classes)", lo=0, hi=10**9),)
    parts = (
        Part("p_hat", "The empirical class distribution p̂", "vector", final=False),
        Part("modes", "The number of classes seen", "integer"),
        Part("entropy", "H(p̂) in nats", "real", uses=("p_hat",)),
        Part("kl_uniform", "KL(p̂‖U) in nats", "real", uses=("entropy",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        K, N = {"easy": (4, 20), "medium": (int(rng.integers(5, 7)), 50), "hard": (int(rng.integers(8, 11)), 100)}[
            difficulty]
        probs = rng.dirichlet(np.full(K, 0.8))
        return dict(counts=[int(x) for x in rng.multinomial(N, probs)])

    def check(self, p: Params) -> list[str]:
        if len(p.counts) < 2:
            raise ParamError("counts needs at least 2 classes")
        if sum(p.counts) == 0:
            raise ParamError("counts are all 0: give at least one generated sample")
        return []

    def degenerate(self, p: Params) -> str | None:
        if self.solve(p)["kl_uniform"] < 1e-3:
            return "the histogram is (almost) uniform"
        return near_miss(self.solve(p), self.all_mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        K, N = len(p.counts), sum(p.counts)
        return [
            f"A GAN generated {N} samples; a classifier sorts them into {K} classes $0, \\ldots, {K - 1}$ with counts ",
            list(p.counts), r". Give the empirical distribution $\hat{p}$, the number of modes covered (classes with "
            r"at least one sample), its entropy $H(\hat{p}) = -\sum_k \hat{p}_k \ln \hat{p}_k$ in nats (a term with "
            r"$\hat{p}_k = 0$ is 0), and $\mathrm{KL}(\hat{p} \lVert U) = \sum_k \hat{p}_k \ln(K \hat{p}_k)$ to the "
            r"uniform distribution $U$ on the " + f"{K} classes."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        N, K = sum(p.counts), len(p.counts)
        p_hat = carry(given, "p_hat", [c / N for c in p.counts])
        h = carry(given, "entropy", entropy(p_hat))
        return {"p_hat": p_hat, "modes": sum(1 for c in p.counts if c > 0), "entropy": h, "kl_uniform": math.log(K) - h}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        N, K = sum(p.counts), len(p.counts)
        d = Derivation()
        d.add("Empirical distribution", ans["p_hat"], lhs=Sym("p", tex=r"\hat{p}"),
              substituted=Mat([[Num(c) / Num(N) for c in p.counts]]), part="p_hat", note=f"the counts over N = {N}")
        missing = [k for k, c in enumerate(p.counts) if c == 0]
        d.add("Modes covered", ans["modes"], lhs=Sym("M"), part="modes",
              note=(f"class{'es' if len(missing) > 1 else ''} {', '.join(map(str, missing))} never generated"
                    if missing else "every class is generated"))
        terms: list[Expr] = [Num(x) * Func("ln", Num(x)) for x in ans["p_hat"] if x > 0]
        total = terms[0]
        for t in terms[1:]:
            total = total + t
        d.add("Entropy", ans["entropy"], lhs=Sym("H"), substituted=-Func("paren", total), part="entropy",
              note=r"classes with $\hat{p}_k = 0$ add nothing")
        d.add("KL to the uniform distribution", ans["kl_uniform"], lhs=Sym("KL", tex=r"\mathrm{KL}(\hat{p} \lVert U)"),
              substituted=Func("ln", K) - Num(ans["entropy"]), part="kl_uniform",
              note=r"$\sum_k \hat{p}_k \ln(K \hat{p}_k) = \ln K - H(\hat{p})$; 0 only for the uniform histogram")
        d.answer = f"{ans['modes']} of {K} modes; H = {ans['entropy']:.6g} nats; KL = {ans['kl_uniform']:.6g}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return visible(self.solve(p), self.all_mistakes(p))

    def all_mistakes(self, p: Params) -> dict[str, Mistake]:
        """Every named mistake that applies to these parameters."""
        ans = self.solve(p)
        K = len(p.counts)
        out = {"log2": Mistake({"entropy": ans["entropy"] / math.log(2), "kl_uniform": ans["kl_uniform"] / math.log(2)},
                               "You used log base 2; the problem asks for nats (natural log)."),
               "missing_counted": Mistake({"modes": K - ans["modes"]},
                                          "The modes covered are the classes with at least one sample.")}
        if all(c > 0 for c in p.counts):
            out["kl_reversed"] = Mistake({"kl_uniform": kl([1 / K] * K, ans["p_hat"])},
                                         r"You computed $\mathrm{KL}(U \lVert \hat{p})$; the problem asks for "
                                         r"$\mathrm{KL}(\hat{p} \lVert U)$, weighted by $\hat{p}$.")
        return out
