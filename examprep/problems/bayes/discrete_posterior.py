"""Bayes classification with discrete priors and likelihoods: joints, evidence, posteriors, MAP and ML decisions.

Catalog: seed_003 1.1 and C1 (the fruit exam question, lines 374–394); seed_004 E2 (p(x) = Σ p(z)p(x|z)).

Parameters:
    classes: the class names. priors: P(c), one per class. likelihoods: p(x|c) for the observed x, one per class.

Answer parts: ``joint`` (p(x|c)P(c), intermediate), ``evidence`` (p(x), intermediate), ``posterior`` (P(c|x)),
``map_class`` (largest posterior), ``ml_class`` (largest likelihood).

Conventions stated in the prompt: vectors list the classes in the given order; p(x) sums over the listed classes.
Priors that do not sum to 1 (the exam question's priors sum to 0.9) are accepted with a warning and the posteriors
are normalised over the listed classes, which is the same as rescaling the priors to sum to 1.

Reference: ``torch.distributions.Categorical(logits=ln P(c) + ln p(x|c))``, batched (examprep.reference.bayes).

Common mistakes: decimal slip in the products (the notes' 0.24·0.3 = "0.72"), posteriors not normalised (the joint
given as the posterior), deciding by likelihood only (ML) or by prior only.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.bayes.decide import (
    argmax_clear,
    argmax_first,
    check_names,
    draw_simplex,
    pick_names,
    prior_warnings,
    refuse_tie,
    tiny,
)
from examprep.solver.expr import Add, Func, Mat, Num, Sym
from examprep.solver.prose import mtext
from examprep.solver.step import Derivation


def posterior_of(priors: Any, likelihoods: Any) -> tuple[np.ndarray, float, np.ndarray]:
    """(joint, evidence, posterior) by Bayes' rule over the listed classes."""
    joint = np.asarray(priors, dtype=float) * np.asarray(likelihoods, dtype=float)
    ev = float(joint.sum())
    return joint, ev, joint / ev


class DiscretePosterior(ProblemType):
    id = "bayes/discrete_posterior-v1"
    title = "Bayes posterior and MAP class (discrete)"
    catalog = "seed_003 1.1, C1; seed_004 E2"
    reference_entry = "examprep.reference.bayes:discrete_posterior"
    params = (
        Param("classes", "str_list", "class names, in order", optional=True),
        Param("priors", "vector", "prior P(c) of each class", lo=0, hi=1),
        Param("likelihoods", "vector", "likelihood p(x|c) of the observation under each class", lo=0),
    )
    parts = (
        Part("joint", "Joints p(x|c)P(c)", "vector", final=False),
        Part("evidence", "Evidence p(x)", "real", final=False, share=True, uses=("joint",)),
        Part("posterior", "Posteriors P(c|x)", "vector", share=True, uses=("joint", "evidence")),
        Part("map_class", "MAP class", "label", uses=("posterior",)),
        Part("ml_class", "ML class", "label"),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        k = {"easy": 2, "medium": 3, "hard": 4}[difficulty]
        units = 10 if difficulty == "easy" else 20
        priors = draw_simplex(rng, k, units)
        lik = [round(float(x) / 100, 2) for x in rng.integers(5, 96, size=k)]
        return dict(classes=pick_names(rng, k), priors=priors, likelihoods=lik)

    def check(self, p: Params) -> list[str]:
        k = len(p.priors)
        if len(p.likelihoods) != k:
            raise ParamError(f"likelihoods has {len(p.likelihoods)} entries but priors has {k}; give one per class")
        if k < 2:
            raise ParamError("priors: give at least two classes")
        check_names(p.classes, k)
        warn = prior_warnings(p.priors)
        if float(np.dot(p.priors, p.likelihoods)) <= 0:
            raise ParamError("every p(x|c)P(c) is 0, so p(x) = 0 and the posterior is undefined; "
                             "give a class with positive prior and likelihood")
        names = self.names(p)
        refuse_tie(np.multiply(p.priors, p.likelihoods), names, "MAP class", "the priors or likelihoods")
        refuse_tie(p.likelihoods, names, "ML class", "the likelihoods")
        return warn

    def names(self, p: Params) -> tuple[str, ...]:
        return check_names(p.classes, len(p.priors))

    def statement(self, p: Params) -> list[Any]:
        names = self.names(p)
        pri = ", ".join(f"$P({mtext(c)}) = {q:g}$" for c, q in zip(names, p.priors, strict=True))
        lik = ", ".join(rf"$p(x \mid {mtext(c)}) = {v:g}$" for c, v in zip(names, p.likelihoods, strict=True))
        out = [
            f"An observation $x$ is to be classified into one of the classes {', '.join(names)}. "
            f"The priors are {pri}. The likelihoods of $x$ are {lik}. "
            r"Compute the joints $p(x \mid c) P(c)$, the evidence $p(x)$, the posteriors $P(c \mid x)$, the MAP "
            "class (largest posterior) and the ML class (largest likelihood). "
            f"Conventions: vectors list the classes in the order {', '.join(names)}; $p(x)$ is the sum over the "
            "listed classes."
        ]
        s = float(sum(p.priors))
        if abs(s - 1) > 1e-9:
            out.append(f" Note: the priors sum to {s:g}, not 1; normalise the posteriors over the listed classes.")
        return out

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        names = self.names(p)
        joint = carry(given, "joint", np.asarray(p.priors, dtype=float) * np.asarray(p.likelihoods, dtype=float))
        ev = carry(given, "evidence", float(joint.sum()))
        post = carry(given, "posterior", joint / ev)
        return {"joint": joint.tolist(), "evidence": ev, "posterior": post.tolist(),
                "map_class": names[argmax_first(post)], "ml_class": names[argmax_first(p.likelihoods)]}

    def derivation(self, p: Params) -> Derivation:
        names = self.names(p)
        ans = self.solve(p)
        joint = ans["joint"]
        d = Derivation()
        d.add("Joints", joint, lhs=Sym("joint", text="p(x|c)P(c)", latex=r"p(x \mid c)\,P(c)",
                                         typst="p(x|c) P(c)"),
              substituted=Mat([[Num(v) * Num(q) for v, q in zip(p.likelihoods, p.priors, strict=True)]]), part="joint",
              note=f"one entry per class, in the order {', '.join(names)}")
        d.add("Evidence", ans["evidence"], lhs=Sym("p_x", text="p(x)", latex="p(x)", typst="p(x)"),
              formula=Sym("sum", text="Σ_c p(x|c)P(c)", latex=r"\sum_c p(x \mid c)\,P(c)",
                          typst="sum_c p(x|c) P(c)"),
              substituted=Add([(1, Num(j)) for j in joint]), part="evidence")
        d.add("Posteriors", ans["posterior"], lhs=Sym("post", text="P(c|x)", latex=r"P(c \mid x)",
                                                     typst="P(c|x)"),
              formula=Sym("bayes", tex=r"\frac{p(x \mid c) P(c)}{p(x)}"),
              substituted=Mat([[Num(j) / Num(ans["evidence"]) for j in joint]]), part="posterior")
        d.add("MAP class", ans["map_class"], lhs="c_MAP", formula=Func("argmax", Sym("P(c|x)")),
              part="map_class", note="the class with the largest posterior (equivalently, the largest joint)")
        d.add("ML class", ans["ml_class"], lhs="c_ML", formula=Func("argmax", Sym("p(x|c)")), part="ml_class",
              note="the class with the largest likelihood; it ignores the priors")
        d.answer = f"classify x as {ans['map_class']} (posteriors {_fmt(ans['posterior'])})"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        names = self.names(p)
        ans = self.solve(p)
        joint = np.asarray(ans["joint"])
        m: dict[str, Mistake] = {
            "decimal_slip": Mistake({"joint": (10 * joint).tolist(), "evidence": 10 * ans["evidence"]},
                                    r"A decimal slip in the products (like $0.24 \cdot 0.3 = 0.72$): "
                                    r"$0.24 \cdot 0.3 = 0.072$."),
        }
        if abs(ans["evidence"] - 1) > 1e-3:
            m["not_normalised"] = Mistake({"posterior": joint.tolist()},
                                          "Those are the joints p(x|c)P(c): divide each by p(x) = Σ p(x|c)P(c).")
        ml = ans["ml_class"]
        if ml != ans["map_class"]:
            m["ml_decision"] = Mistake({"map_class": ml},
                                       "You picked the largest likelihood (the ML decision); MAP weighs each "
                                       "likelihood by its prior.")
        top_prior = argmax_clear(p.priors, rel=0.0)
        if top_prior is not None and names[top_prior] not in (ans["map_class"], ml):
            m["prior_only"] = Mistake({"map_class": names[top_prior]},
                                      "You picked the largest prior; the posterior also depends on the likelihood.")
        return m

    def degenerate(self, p: Params) -> str | None:
        ans = self.solve(p)
        if argmax_clear(ans["posterior"]) is None:
            return "near-tie between the two largest posteriors"
        if argmax_clear(p.likelihoods) is None:
            return "near-tie between the two largest likelihoods"
        if ans["map_class"] == ans["ml_class"]:
            return "MAP = ML: the priors do not change the decision"
        if len(p.priors) >= 3 and argmax_first(p.priors) == argmax_first(ans["posterior"]):
            return "MAP = largest prior: the likelihoods do not change the decision"
        if min(ans["posterior"]) < 0.01 or tiny(ans["joint"], 0.001):
            return "a posterior rounds to 0"
        return None


def _fmt(v: list[float]) -> str:
    return "[" + ", ".join(f"{x:.6g}" for x in v) + "]"
