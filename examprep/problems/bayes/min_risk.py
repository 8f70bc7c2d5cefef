"""Minimum-risk Bayes decision: expected loss (conditional risk) of every action, and the action that minimises it.

Catalog: seed_003 C1 (Bayes decision from posteriors; the loss-weighted version of the MAP rule).

Parameters:
    posteriors: P(c|x), one per class. loss: matrix λ with one row per action and one column per class;
    λ[a][c] is the loss of taking action a when the true class is c. classes, actions: optional names. Without
    action names, K rows mean "decide class c" (named after the classes) and K+1 rows add a last action "reject".

Answer parts: ``risk`` (R(a|x) = Σ_c λ[a][c] P(c|x), one per action), ``action`` (the minimum-risk action).

Conventions stated in the prompt: rows are actions, columns are true classes; vectors list actions in row order.

Reference: a batched torch product of the loss matrices with the posterior vectors (examprep.reference.bayes).

Common mistakes: the loss matrix read transposed, the MAP class taken (ignoring the losses), the largest risk taken.

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
    as_distribution,
    check_names,
    dot_terms,
    draw_simplex,
    pick_names,
    refuse_tie,
    sum_warning,
)
from examprep.solver.expr import Mat, Sym
from examprep.solver.prose import mtext
from examprep.solver.step import Derivation


def action_names(p: Params) -> tuple[str, ...]:
    """The action names: given, or the class names (plus "reject" for one extra row)."""
    k, rows = len(p.posteriors), len(p.loss)
    if p.actions is not None:
        return check_names(p.actions, rows, "actions")
    names = check_names(p.classes, k)
    if rows == k:
        return names
    if rows == k + 1:
        if "reject" in (n.lower() for n in names):
            raise ParamError("a class is named 'reject'; give the action names with --set actions=[...]")
        return (*names, "reject")
    raise ParamError(f"loss has {rows} rows for {k} classes: give the action names with --set actions=[...]")


class MinRisk(ProblemType):
    id = "bayes/min_risk-v1"
    title = "Minimum-risk Bayes decision with a loss matrix"
    catalog = "seed_003 C1"
    reference_entry = "examprep.reference.bayes:min_risk"
    params = (
        Param("classes", "str_list", "class names, in order", optional=True),
        Param("actions", "str_list", "action names, one per row of the loss matrix", optional=True),
        Param("posteriors", "vector", "posterior P(c|x) of each class", lo=0, hi=1),
        Param("loss", "matrix", "loss λ[action][true class]", lo=-1000, hi=1000),
    )
    parts = (
        Part("risk", "Conditional risks R(a|x)", "vector"),
        Part("action", "Minimum-risk action", "label", uses=("risk",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        k = 2 if difficulty == "easy" else 3
        post = draw_simplex(rng, k, 10 if difficulty == "easy" else 20)
        loss = [[0 if a == c else int(rng.integers(1, 11)) for c in range(k)] for a in range(k)]
        if difficulty == "hard":
            loss.append([float(rng.choice([0.5, 1.0, 1.5, 2.0, 2.5, 3.0]))] * k)
        return dict(classes=pick_names(rng, k), posteriors=post, loss=loss)

    def check(self, p: Params) -> list[str]:
        k = len(p.posteriors)
        if k < 2:
            raise ParamError("posteriors: give at least two classes")
        if len(p.loss[0]) != k:
            raise ParamError(f"loss has {len(p.loss[0])} columns but there are {k} classes (one column per class)")
        check_names(p.classes, k)
        self.action_names(p)
        if any(q < 0 for q in p.posteriors) or sum(p.posteriors) <= 0:
            raise ParamError(f"posteriors must be ≥ 0 with a positive sum, got {list(p.posteriors)}")
        refuse_tie(-self._risk(p), self.action_names(p), "minimum-risk action", "the posteriors or the loss")
        return sum_warning(p.posteriors, "posteriors")

    @staticmethod
    def _risk(p: Params) -> np.ndarray:
        return np.asarray(p.loss, dtype=float) @ np.asarray(as_distribution(p.posteriors), dtype=float)

    def action_names(self, p: Params) -> tuple[str, ...]:
        return action_names(p)

    def statement(self, p: Params) -> list[Any]:
        names = check_names(p.classes, len(p.posteriors))
        acts = self.action_names(p)
        post = ", ".join(rf"$P({mtext(c)} \mid x) = {q:g}$"
                         for c, q in zip(names, as_distribution(p.posteriors), strict=True))
        return [
            f"The posteriors for an observation $x$ are {post}. Taking action $a$ when the true class is $c$ costs "
            rf"$\lambda(a \mid c)$, given below with one row per action ({', '.join(acts)}) and one column per true "
            f"class ({', '.join(names)}):", Mat(p.loss),
            r"Compute the conditional risk $R(a \mid x) = \sum_c \lambda(a \mid c) P(c \mid x)$ of every action "
            "and the action with the minimum risk. Conventions: rows are actions, columns are true classes; the "
            "risk vector lists the actions in row order."
            + (" The action named after a class means deciding that class." if p.actions is None else ""),
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        risk = carry(given, "risk", self._risk(p))
        return {"risk": risk.tolist(), "action": self.action_names(p)[argmax_first(-risk)]}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        acts = self.action_names(p)
        d = Derivation()
        for a, row, r in zip(acts, p.loss, ans["risk"], strict=True):
            d.add(f"Risk of {a}", r, lhs=f"R_{a}", substituted=dot_terms(row, as_distribution(p.posteriors)))
        d.add("Risks", ans["risk"], lhs="R", part="risk", note=f"in the order {', '.join(acts)}")
        d.add("Decision", ans["action"], lhs=Sym("a_star", text="a*", latex="a^*", typst="a^*"), part="action",
              note="the action with the smallest risk")
        d.answer = f"take action {ans['action']} (risk {min(ans['risk']):.6g})"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        acts = self.action_names(p)
        ans = self.solve(p)
        loss = np.asarray(p.loss, dtype=float)
        post = np.asarray(as_distribution(p.posteriors), dtype=float)
        m: dict[str, Mistake] = {}
        if loss.shape[0] == loss.shape[1] and not np.allclose(loss, loss.T):
            r = loss.T @ post
            wrong: dict[str, Any] = {"risk": r.tolist()}
            if acts[argmax_first(-r)] != ans["action"]:
                wrong["action"] = acts[argmax_first(-r)]
            m["loss_transposed"] = Mistake(wrong, "You read the loss matrix transposed: rows are actions, columns "
                                                  "are true classes, so R(a|x) = Σ_c λ(a|c) P(c|x).")
        if p.actions is None:
            map_act = acts[argmax_first(post)]
            if map_act != ans["action"]:
                m["map_decision"] = Mistake({"action": map_act}, "You took the MAP class; with unequal losses the "
                                                                 "decision minimises the expected loss instead.")
        worst = acts[argmax_first(ans["risk"])]
        if worst != ans["action"]:
            m["max_risk"] = Mistake({"action": worst}, "That action has the largest risk; take the smallest.")
        return m

    def degenerate(self, p: Params) -> str | None:
        risk = np.asarray(self.solve(p)["risk"])
        best = argmax_clear(-risk, rel=0.0)
        srt = np.sort(risk)
        if best is None or srt[1] - srt[0] < 0.05:
            return "near-tie between the two smallest risks"
        if argmax_clear(as_distribution(p.posteriors)) is None:
            return "near-tie between the two largest posteriors"
        top = argmax_first(as_distribution(p.posteriors))
        if p.actions is None and self.action_names(p)[top] == self.solve(p)["action"]:
            return "the minimum-risk action is the MAP class: the losses do not change the decision"
        return None
