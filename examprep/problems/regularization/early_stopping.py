"""Early stopping on validation losses: the stopping epoch and the epoch whose weights are restored.

Catalog: seed_002 D3.

Parameters: val_losses (one per epoch, epochs numbered from 1), patience, min_delta (0).
Conventions stated: an epoch improves when its loss is below best − min_delta (strictly); otherwise a counter
grows, and training stops at the end of the epoch where the counter reaches patience (or after the last epoch);
the weights of the best epoch are restored.

Answer parts: ``stop_epoch``, ``best_epoch``, ``best_loss``.

Reference: the same rule run for the whole batch at once in torch, epoch by epoch over padded loss columns
(examprep.reference.regularization:early_stopping).

Common mistakes: patience off by one (stopping one epoch late, or counting the best epoch as a waiting one); the
last epoch restored instead of the best (D3: 8); a tie counted as an improvement.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.optim.mistakes import lost, variant_mistakes
from examprep.problems.optim.objective import num
from examprep.solver.step import Derivation


class EarlyStopping(ProblemType):
    id = "regularization/early_stopping-v1"
    title = "Early stopping: stopping epoch and restored epoch"
    catalog = "seed_002 D3"
    reference_entry = "examprep.reference.regularization:early_stopping"
    optional = frozenset({"ties_as_improvement"})
    params = (
        Param("val_losses", "vector", "the validation loss of each epoch (epochs from 1)", lo=-1e6, hi=1e6),
        Param("patience", "int", "epochs without improvement before stopping", lo=1, hi=100),
        Param("min_delta", "real", "the least decrease that counts as an improvement", lo=0, hi=1e6, default=0.0),
    )
    parts = (
        Part("stop_epoch", "The epoch after which training stops", "integer"),
        Part("best_epoch", "The epoch whose weights are restored", "integer"),
        Part("best_loss", "Its validation loss", "real", uses=("best_epoch",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n = int(rng.integers(8, 13))
        loss, out = 1.0 + float(rng.integers(0, 5)) / 10, []
        for _ in range(n):
            out.append(round(loss, 2))
            loss += float(rng.integers(-15, 3)) / 100 if len(out) < n // 2 else float(rng.integers(-3, 5)) / 100
        md = 0.0 if difficulty != "hard" else float((0.0, 0.01)[int(rng.integers(2))])
        return dict(val_losses=tuple(out), patience=int(rng.integers(2, 4)), min_delta=md)

    def run(self, p: Params, variant: str | None = None, given: Answers | None = None) -> Answers:
        """The answers, or those of a named mistake (``variant``); ``given``: the student's best epoch, whose loss
        is then read off (error carried forward)."""
        best, best_e, wait, stop = float("inf"), 0, 0, len(p.val_losses)
        limit = {"patience_off_by_one": p.patience + 1, "patience_includes_best": p.patience - 1}.get(variant,
                                                                                                    p.patience)
        for e, v in enumerate(p.val_losses, start=1):
            better = v <= best - p.min_delta if variant == "ties_as_improvement" else v < best - p.min_delta
            if better:
                best, best_e, wait = v, e, 0
            else:
                wait += 1
            if wait >= max(limit, 1):
                stop = e
                break
        if variant == "last_epoch_restored":
            best_e, best = stop, p.val_losses[stop - 1]
        if given and "best_epoch" in given:
            e = carry(given, "best_epoch", best_e)
            if e != int(e) or not 1 <= e <= len(p.val_losses):
                raise ValueError(f"best_epoch={e:g}: no such epoch")
            best_e, best = int(e), p.val_losses[int(e) - 1]
        return {"stop_epoch": stop, "best_epoch": best_e, "best_loss": float(best)}

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return self.run(p, given=given)

    def candidates(self, p: Params) -> dict[str, str]:
        out = {"patience_off_by_one": f"You waited one epoch too many: training stops as soon as {p.patience} "
                                      "epochs in a row have not improved.",
               "last_epoch_restored": "You kept the last epoch's weights. Early stopping restores the weights of "
                                      "the best epoch.",
               "ties_as_improvement": "You counted an equal loss as an improvement. An epoch improves only when its "
                                      "loss is strictly below the best − min_delta."}
        if p.patience > 1:
            out["patience_includes_best"] = ("You stopped one epoch early: the best epoch itself does not count as "
                                             f"a waiting epoch; {p.patience} epochs after it must fail to improve.")
        return out

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return variant_mistakes(self, p)

    def degenerate(self, p: Params) -> str | None:
        ans = self.solve(p)
        if ans["stop_epoch"] >= len(p.val_losses) - 1:
            return "training stops too late to see the stopping rule"
        if ans["best_epoch"] < 3:
            return "the loss hardly improves"
        return lost(self.candidates(p), self.mistakes(p), self.optional)

    def statement(self, p: Params) -> list[Any]:
        delta = (" − min_delta" if p.min_delta else "")
        return ["The validation losses of epochs $1, 2, \\ldots$ are ", list(p.val_losses),
                f". Early stopping uses patience {p.patience}"
                + (f" and min_delta = ${num(p.min_delta)}$" if p.min_delta else " and min_delta = 0")
                + f": an epoch improves when its loss is strictly below the best so far{delta}; otherwise a counter "
                f"of epochs without improvement grows (an improvement resets it to 0), and training stops at the "
                f"end of the epoch where the counter reaches {p.patience}. The weights of the best epoch are "
                "restored. After which epoch does training stop, which epoch's weights are restored, and what is "
                "its validation loss?"]

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        best, wait, lines = float("inf"), 0, []
        for e, v in enumerate(p.val_losses, start=1):
            if v < best - p.min_delta:
                best, wait = v, 0
                lines.append(f"epoch {e}: {v:g} improves → best {v:g}, counter 0")
            else:
                wait += 1
                lines.append(f"epoch {e}: {v:g} does not improve on {best:g} → counter {wait}")
            if wait >= p.patience or e == ans["stop_epoch"]:
                break
        d.add("Epoch by epoch", "; ".join(lines), note="The counter reaches the patience at the last line."
              if ans["stop_epoch"] < len(p.val_losses) else "The counter never reaches the patience.")
        d.add("Training stops after epoch", ans["stop_epoch"], lhs="e_stop", part="stop_epoch")
        d.add("Best epoch (restored)", ans["best_epoch"], lhs="e_best", part="best_epoch")
        d.add("Its validation loss", ans["best_loss"], lhs="L_best", part="best_loss")
        d.answer = f"stop after epoch {ans['stop_epoch']}, restore epoch {ans['best_epoch']} ({ans['best_loss']:g})"
        return d
