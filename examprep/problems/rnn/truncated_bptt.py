"""Truncated backpropagation through time TBPTT(k1, k2): how many updates, and how many step-backward
computations over a sequence.

Catalog: seed_002 F4 (T = 1000, k1 = 50, k2 = 100: 20 updates, 1,950 backward steps; T = 100, k1 = k2 = 20: 5).

Parameters: ``T`` (sequence length), ``k1`` (forward steps between updates), ``k2`` (steps back-propagated).

Answer parts: ``updates`` = ⌊T/k1⌋ (at t = k1, 2k1, ...) and ``backward_steps`` = Σ min(k2, t) over those t.

Conventions stated in the prompt: an update happens after every k1 forward steps (none for a last incomplete block);
each update back-propagates through the last k2 steps, or all t steps if fewer have been seen.

Reference: a plain loop over t = 1..T (examprep.reference.rnn:truncated_bptt).

Common mistakes: ⌈T/k1⌉ updates; k2 taken as k1; updates·k2 (the first updates' shorter history ignored).

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.mlp.near_miss import add, near_miss
from examprep.solver.expr import Num, Sym, floor
from examprep.solver.step import Derivation


class TruncatedBPTT(ProblemType):
    id = "rnn/truncated_bptt-v1"
    title = "Truncated BPTT: updates and backward steps"
    catalog = "seed_002 F4"
    reference_entry = "examprep.reference.rnn:truncated_bptt"
    params = (
        Param("T", "int", "sequence length", lo=1, hi=1_000_000),
        Param("k1", "int", "forward steps between updates", lo=1, hi=100_000),
        Param("k2", "int", "steps back-propagated at each update", lo=1, hi=100_000),
    )
    parts = (
        Part("updates", "Number of updates", "integer"),
        Part("backward_steps", "Backward step computations in all", "integer", uses=("updates",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = lambda xs: xs[int(rng.integers(len(xs)))]  # noqa: E731
        ks = (10, 20, 50, 100) if difficulty != "easy" else (10, 20)
        k1, k2 = pick(ks), pick(ks)
        if difficulty == "hard" and k2 <= k1:
            k2 = pick([k for k in (20, 50, 100, 200) if k > k1])
        T = int(rng.integers(5, 41)) * (10 if difficulty == "easy" else 25)  # noqa: N806
        return dict(T=T, k1=k1, k2=k2)

    # ---- answers ----------------------------------------------------------------------------------------------
    def count(self, T: int, k1: int, k2: int, ceil: bool = False, flat: bool = False,  # noqa: N803
              given: Answers | None = None) -> Answers:
        """The parts, or a mistaken version (``ceil``: ⌈T/k1⌉ updates; ``flat``: every update k2 steps); ``given``:
        the student's number of updates, at t = k1, 2k1, ... (the last at T at most)."""
        updates = int(round(carry(given, "updates", -(-T // k1) if ceil else T // k1)))
        if updates > T:
            raise ValueError(f"{updates} updates: there are only T = {T} steps")
        points = [min(k * k1, T) for k in range(1, updates + 1)]
        steps = updates * k2 if flat else sum(min(k2, t) for t in points)
        return {"updates": updates, "backward_steps": steps}

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return self.count(p.T, p.k1, p.k2, given=given)

    def degenerate(self, p: Params) -> str | None:
        if p.T < p.k1:
            return "no update happens (T < k1)"
        return near_miss(self, self.solve(p), self.mistakes(p))

    # ---- text -------------------------------------------------------------------------------------------------
    def statement(self, p: Params) -> list[Any]:
        return [
            f"An RNN is trained on one sequence of T = {p.T} steps with truncated backpropagation through time "
            f"TBPTT($k_1$, $k_2$), $k_1$ = {p.k1}, $k_2$ = {p.k2}: after every $k_1$ forward steps (at "
            "$t = k_1, 2 k_1, \\ldots \\le T$; a last incomplete block gets no update) the loss is back-propagated "
            "through the last $k_2$ steps, or through all t steps seen so far if $t < k_2$. How many updates happen, "
            "and how many backward step computations (one per step back-propagated, summed over the updates)?"]

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        d = Derivation()
        n = d.add("Updates at $t = k_1, 2 k_1, \\ldots \\le T$", a["updates"], lhs="n",
                  formula=floor(Sym("T") / Sym("k_1")), subs={"T": p.T, "k_1": p.k1}, part="updates")
        short = [k * p.k1 for k in range(1, n + 1) if k * p.k1 < p.k2]
        note = (f"the updates at t = {', '.join(map(str, short))} have fewer than $k_2$ = {p.k2} steps behind them"
                if short else f"every update has at least $k_2$ = {p.k2} steps behind it")
        terms = [Num(t) for t in short] + ([Num(n - len(short)) * Num(p.k2)] if n > len(short) else [])
        sub = terms[0]
        for t in terms[1:]:
            sub = sub + t
        d.add("Backward steps $\\sum_t \\min(k_2, t)$ over the update times", a["backward_steps"], lhs="B",
              substituted=sub, part="backward_steps", note=note)
        d.answer = f"{a['updates']} updates, {a['backward_steps']} backward steps"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)
        m: dict[str, Mistake] = {}
        add(m, "ceiling", self.count(p.T, p.k1, p.k2, ceil=True), truth,
            f"Updates come only after a full block of $k_1$ = {p.k1} steps: $\\lfloor T / k_1 \\rfloor$, not "
            "$\\lceil T / k_1 \\rceil$.")
        add(m, "k2_as_k1", self.count(p.T, p.k1, p.k1), truth,
            f"Each update back-propagates $k_2$ = {p.k2} steps, not $k_1$ = {p.k1}.")
        add(m, "updates_times_k2", self.count(p.T, p.k1, p.k2, flat=True), truth,
            "Early updates cannot go back $k_2$ steps: at time t only $\\min(k_2, t)$ steps exist.")
        return m

