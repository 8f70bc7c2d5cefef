"""The base of the optimiser-step types (momentum, AdaGrad, RMSprop, Adam): parameters, sampling, the chain of
parts and the mistakes as variants of one run.

A subclass declares its extra hyperparameters and parts and writes ``run(p, variant, given)``: the whole trajectory
as answers (a row per step in every matrix part), with ``variant`` naming a mistake to make on the way (None: none)
and ``given`` the student's parts (error carried forward, step by step): row t of each part is the value computed at
step t from the student's rows of the earlier steps (and their earlier parts of step t); their own row t then
replaces it for the rest of the run (see :func:`row`). So ``grads`` uses ``iterates`` (g_t at the student's w_{t−1})
and the parts form a cycle that the grader follows row by row. ``mistakes`` runs each variant and keeps the parts it
changes.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from examprep.params import Param, Params
from examprep.problem import Answers, Mistake, ProblemType
from examprep.problems.optim import objective as ob
from examprep.problems.optim.mistakes import distinct, lost


class StepOptimizer(ProblemType):
    """Shared behaviour; subclasses set ``hyper``, ``parts``, ``variants`` and write ``run`` and ``derivation``."""

    hyper: ClassVar[tuple[Param, ...]] = ()
    optional: ClassVar[frozenset[str]] = frozenset()  # mistakes that may be indistinguishable (ε's place)

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        cls.params = ob.OBJECTIVE_PARAMS + cls.hyper

    # ---- to write ---------------------------------------------------------------------------------------------
    def run(self, p: Params, variant: str | None = None, given: Answers | None = None) -> Answers:
        raise NotImplementedError

    def variants(self, p: Params) -> dict[str, str]:
        """Mistake name -> feedback, for the mistakes that apply to ``p``."""
        return {}

    def sample_hyper(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        return {}

    # ---- provided ---------------------------------------------------------------------------------------------
    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        hyper = self.sample_hyper(rng, difficulty)
        grads_ok = not self.needs_objective(Params({**{q.name: q.default for q in self.params}, **hyper}))
        return {**ob.sample_objective(rng, difficulty, grads_ok=grads_ok), **hyper}

    def needs_objective(self, p: Params) -> bool:
        """True when the gradient must be evaluated at points the run computes (given gradients cannot serve)."""
        return False

    def check(self, p: Params) -> list[str]:
        ob.check_objective(p, grads_allowed=not self.needs_objective(p), why=self.objective_why(p))
        return []

    def objective_why(self, p: Params) -> str:
        return ""

    def steps(self, p: Params) -> int:
        return ob.n_steps(p)

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return self.run(p, given=given)

    def degenerate(self, p: Params) -> str | None:
        ans = self.solve(p)
        if any(not np.all(np.isfinite(np.asarray(v, dtype=float))) for v in ans.values()):
            return "a value is not finite"
        if np.any(np.asarray(ans["grads"], dtype=float) == 0):
            return "a gradient entry is 0"
        if np.abs(np.asarray(ans["iterates"], dtype=float)).max() > 100:
            return "the iterates are not hand-sized"
        return lost(self.variants(p), self.mistakes(p), self.optional)

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)
        out: dict[str, Mistake] = {}
        for name, fb in self.variants(p).items():
            with np.errstate(all="ignore"):
                ans = self.run(p, name)
            ans = {k: v for k, v in ans.items() if np.all(np.isfinite(np.asarray(v, dtype=float)))}
            kept = distinct(self, truth, ans)
            if kept:
                out[name] = Mistake(kept, fb)
        return out


def row(given: Answers | None, name: str, t: int, value: Any) -> Any:
    """Row ``t`` (from 1) of the student's matrix part ``name`` in place of ``value`` (that step's exact row) when
    the student gave it: error carried forward, step by step."""
    if not given or name not in given:
        return value
    return np.asarray(given[name], dtype=float).reshape(-1, np.size(value))[t - 1]


def rows(vs: list[list[float]]) -> list[list[float]]:
    return [[float(x) for x in v] for v in vs]
