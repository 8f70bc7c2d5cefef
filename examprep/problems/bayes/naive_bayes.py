"""Naive Bayes with categorical features and Laplace (add-α) smoothing, from a small table of training examples.

Catalog: seed_003 C1 (Bayes decision; priors estimated as class proportions, lines 246–248); seed_004 E2.

Parameters:
    features: the feature names. examples: the training table, one row per example: the feature values in the
    order of ``features``, then the class label. alpha: the Laplace smoothing constant α (1 = add-one).
    query: the feature values of the example to classify.

Answer parts: ``priors`` (P(c) = N_c/N, intermediate), ``conditionals`` (K×F matrix, P(x_j = query_j | c) =
(N_{c,j} + α)/(N_c + α V_j), intermediate), ``posterior``, ``class``.

Conventions stated in the prompt: classes and feature values are ordered by first appearance in the table; V_j is
the number of distinct values of feature j in the table; the priors are not smoothed; features are conditionally
independent given the class.

Reference: the counts as one batched einsum over one-hot tensors; the posterior from
``Categorical(logits = ln P(c) + Σ_j ln P(x_j | c))`` (examprep.reference.bayes).

Common mistakes: no smoothing (α = 0), α·V_j left out of the denominator, the class priors left out, posteriors not
normalised.

Versions: v1 — first version.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.bayes.decide import argmax_clear, argmax_first, check_names, refuse_tie
from examprep.seeding import picker
from examprep.solver.expr import Mat, Mul, Num, Sym, Text
from examprep.solver.prose import mtext
from examprep.solver.step import Derivation

DOMAINS = {"Outlook": ("sunny", "overcast", "rain"), "Temp": ("hot", "mild", "cool"),
           "Humidity": ("high", "normal"), "Wind": ("weak", "strong")}
SETUPS = {"easy": (("Outlook", "Wind"), ("yes", "no"), 6),
          "medium": (("Outlook", "Humidity", "Wind"), ("yes", "no"), 8),
          "hard": (("Outlook", "Temp", "Wind"), ("walk", "bike", "bus"), 10)}

MAX_EXAMPLES = 1000  # rows of the training table


def first_seen(values: Any) -> tuple[str, ...]:
    """Distinct values in order of first appearance."""
    return tuple(dict.fromkeys(values))


def table(p: Params) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """(class names, per-feature value lists), both in order of first appearance."""
    rows = p.examples
    classes = first_seen([r[-1] for r in rows])
    domains = [first_seen([r[j] for r in rows]) for j in range(len(p.features))]
    return classes, domains


def naive_bayes(p: Params, alpha: float | None = None, with_v: bool = True, priors: bool = True) -> dict[str, Any]:
    """Priors, conditionals, joints and posteriors, with the counts and class names behind them (the keyword
    arguments make the common mistakes)."""
    a = p.alpha if alpha is None else alpha
    classes, domains = table(p)
    rows, query = p.examples, p.query
    n = len(rows)
    labels = [r[-1] for r in rows]
    hits = Counter((r[-1], j) for r in rows for j, q in enumerate(query) if r[j] == q)  # N_{c,j} by (c, j)
    counts = np.array([labels.count(c) for c in classes], dtype=float)
    match = np.array([[hits[c, j] for j in range(len(query))] for c in classes], dtype=float)
    v = np.array([len(dm) for dm in domains], dtype=float)
    cond = (match + a) / (counts[:, None] + (a * v[None, :] if with_v else a))
    prior = counts / n
    joint = (prior if priors else np.ones_like(prior)) * cond.prod(axis=1)
    s = joint.sum()
    post = joint / s if s > 0 else np.full_like(joint, np.nan)
    return {"priors": prior, "conditionals": cond, "joint": joint, "posterior": post, "counts": counts,
            "match": match, "v": v, "classes": classes}


class NaiveBayes(ProblemType):
    id = "bayes/naive_bayes-v1"
    title = "Naive Bayes with Laplace smoothing (categorical features)"
    catalog = "seed_003 C1; seed_004 E2"
    reference_entry = "examprep.reference.bayes:naive_bayes"
    params = (
        Param("features", "str_list", "feature names, in column order"),
        Param("examples", "json", "training table: rows [value_1, ..., value_F, class]"),
        Param("alpha", "real", "Laplace smoothing constant α", lo=0, hi=100, default=1.0),
        Param("query", "str_list", "feature values of the example to classify"),
    )
    parts = (
        Part("priors", "Class priors P(c)", "vector", final=False, share=True),
        Part("conditionals", "Conditionals P(x_j | c), one row per class", "matrix", final=False, share=True),
        Part("posterior", "Posteriors P(c | query)", "vector", share=True, uses=("priors", "conditionals")),
        Part("class", "Predicted class", "label", uses=("posterior",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        feats, classes, n = SETUPS[difficulty]
        pick = picker(rng)  # the same draws as rng.choice(options): one rng.integers(len(options)) each
        rows = [[pick(DOMAINS[f]) for f in feats] + [pick(classes)] for _ in range(n)]
        query = [pick(DOMAINS[f]) for f in feats]
        alpha = 1.0 if difficulty != "hard" else pick((0.5, 1.0, 2.0))
        return dict(features=list(feats), examples=rows, alpha=alpha, query=query)

    def check(self, p: Params) -> list[str]:
        f = len(p.features)
        check_names(p.features, f, "features")
        rows = p.examples
        if not isinstance(rows, tuple) or len(rows) < 2:
            raise ParamError("examples: give a list of at least two rows [value_1, ..., value_F, class]")
        if len(rows) > MAX_EXAMPLES:
            raise ParamError(f"examples: at most {MAX_EXAMPLES} rows")
        for i, r in enumerate(rows):
            if not isinstance(r, tuple) or len(r) != f + 1 or not all(isinstance(v, str) for v in r):
                raise ParamError(f"examples row {i + 1}: expected {f} feature values and a class label, all text")
            if any(len(v) > 40 for v in r):
                raise ParamError(f"examples row {i + 1}: values and labels are at most 40 characters")
        classes, domains = table(p)
        if len(classes) < 2:
            raise ParamError("examples: the table must contain at least two classes")
        check_names(classes, len(classes), "class labels in examples")
        if len(p.query) != f:
            raise ParamError(f"query has {len(p.query)} values but there are {f} features")
        for name, q, dom in zip(p.features, p.query, domains, strict=True):
            if q not in dom:
                raise ParamError(f"query: {name}={q!r} does not occur in the table; values of {name}: "
                                 f"{', '.join(dom)}")
        if naive_bayes(p)["joint"].sum() <= 0:
            raise ParamError("every class has a zero count for some query value, so the posterior is 0/0; "
                             "use alpha > 0 (Laplace smoothing)")
        refuse_tie(naive_bayes(p)["joint"], classes, "predicted class", "the query or the table")
        return []

    def statement(self, p: Params) -> list[Any]:
        classes, domains = table(p)
        head = [Text(f) for f in p.features] + [Text("class")]
        vals = "; ".join(rf"${mtext(f)} \in \{{{', '.join(mtext(v) for v in d)}\}}$ ($V = {len(d)}$)"
                         for f, d in zip(p.features, domains, strict=True))
        q = ", ".join(f"{f} = {v}" for f, v in zip(p.features, p.query, strict=True))
        return [
            "A naive Bayes classifier is trained on this table:", Mat([head] + [[Text(v) for v in r]
                                                                           for r in p.examples]),
            f"Classify the example {q}. Use priors $P(c) = N_c / N$ and Laplace-smoothed conditionals "
            r"$P(x_j = v \mid c) = \frac{N_{c,j,v} + \alpha}{N_c + \alpha V_j}$ "
            rf"with $\alpha = {p.alpha:g}$, where $V_j$ is the number of values "
            f"of feature $j$ ({vals}). Give the priors, the conditionals of the query's values (one row per class, "
            "one column per feature), the posteriors and the predicted class. "
            f"Conventions: classes in the order {', '.join(classes)}; features in the order "
            f"{', '.join(p.features)}."
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        r = naive_bayes(p)
        prior, cond, post = carry(given, "priors", r["priors"]), carry(given, "conditionals", r["conditionals"]), \
            r["posterior"]
        if given and ("priors" in given or "conditionals" in given):  # error carried forward
            joint = prior * cond.prod(axis=1)
            post = joint / joint.sum()
        post = carry(given, "posterior", post)
        return {"priors": prior.tolist(), "conditionals": cond.tolist(), "posterior": post.tolist(),
                "class": r["classes"][argmax_first(post)]}

    def derivation(self, p: Params) -> Derivation:
        r = naive_bayes(p)
        ans = self.solve(p)
        classes, _ = table(p)
        n = len(p.examples)
        d = Derivation()
        d.add("Class priors", ans["priors"], lhs="P(c)",
              substituted=Mat([[Num(int(c)) / Num(n) for c in r["counts"]]]), part="priors",
              note=f"N_c / N for {', '.join(classes)}")
        a = p.alpha
        rows = [[(Num(int(m)) + Num(a)) / (Num(int(c)) + Num(a) * Num(int(v)))
                 for m, v in zip(mr, r["v"], strict=True)] for mr, c in zip(r["match"], r["counts"], strict=True)]
        d.add("Conditionals", ans["conditionals"],
              lhs=Sym("cond", text="P(x_j|c)", latex=r"P(x_j \mid c)", typst="P(x_j|c)"),
              substituted=Mat(rows), part="conditionals",
              note="(N_{c,j} + α)/(N_c + α V_j): rows are classes, columns the query's feature values")
        d.add("Joints", r["joint"].tolist(),
              lhs=Sym("joint", text="P(c)Π_j P(x_j|c)", latex=r"P(c)\prod_j P(x_j \mid c)",
                      typst="P(c) product_j P(x_j|c)"),
              substituted=Mat([[Mul([Num(pr)] + [Num(x) for x in cr]) for pr, cr in
                                zip(ans["priors"], ans["conditionals"], strict=True)]]))
        s = float(r["joint"].sum())
        d.add("Posteriors", ans["posterior"], lhs=Sym("post", text="P(c|x)", latex=r"P(c \mid x)", typst="P(c|x)"),
              substituted=Mat([[Num(j) / Num(s) for j in r["joint"]]]), part="posterior")
        d.add("Predicted class", ans["class"], lhs=Sym("c_hat", text="ĉ", latex=r"\hat c", typst="hat(c)"),
              part="class",
              note="the largest posterior")
        d.answer = f"the example is classified as {ans['class']}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        classes, _ = table(p)
        truth = self.solve(p)

        def answers(r: dict[str, Any], parts: tuple[str, ...]) -> Answers:
            out: Answers = {k: r[k].tolist() for k in parts}
            if "posterior" in parts:
                c = classes[argmax_first(r["posterior"])]
                if c != truth["class"]:
                    out["class"] = c
            return out

        m: dict[str, Mistake] = {}
        if p.alpha > 0:
            r0 = naive_bayes(p, alpha=0.0)
            if r0["joint"].sum() > 0:
                m["no_smoothing"] = Mistake(answers(r0, ("conditionals", "posterior")),
                                            "You did not smooth: add α to every count and α·V_j to the denominator.")
            m["no_v_in_denominator"] = Mistake(answers(naive_bayes(p, with_v=False), ("conditionals", "posterior")),
                                               "The denominator is N_c + α·V_j (α for each of the V_j values), "
                                               "not N_c + α.")
        if len(set(truth["priors"])) > 1:
            m["priors_ignored"] = Mistake(answers(naive_bayes(p, priors=False), ("posterior",)),
                                          "You left out the class priors P(c) = N_c/N.")
        joint = naive_bayes(p)["joint"]
        m["not_normalised"] = Mistake({"posterior": joint.tolist()},
                                      "Those are the joints P(c)Π P(x_j|c): divide by their sum.")
        return m

    def degenerate(self, p: Params) -> str | None:
        classes, domains = table(p)
        if any(len(dm) != len(DOMAINS.get(f, dm)) for f, dm in zip(p.features, domains, strict=True)):
            return "a feature value never occurs in the table"
        for feats, names, _ in SETUPS.values():
            if tuple(p.features) == feats and len(classes) != len(names):
                return "a class is missing from the table"
        counts = naive_bayes(p)["counts"]
        if min(counts) < 2:
            return "a class occurs fewer than twice"
        post = self.solve(p)["posterior"]
        if argmax_clear(post) is None:
            return "near-tie between the two largest posteriors"
        if min(post) < 0.01:
            return "a posterior rounds to 0"
        return None
