"""STAIR's sparse vocabulary embedding (Chen et al. 2023): h_v = max over tokens of ln(1 + ReLU(logit_tv)).

A projection head gives every token a logit for each vocabulary entry; ReLU keeps the positive evidence, ln(1 + ·)
damps large logits, and max pooling over the tokens gives one non-negative, mostly zero vector over the vocabulary
(SPLADE-style), compared by a dot product.

Catalog: seed_002 L3 (logits [[1, −0.5, 0.2, 0], [0.3, 0.8, −1, 0]]: h = [0.693147, 0.587787, 0.182322, 0],
3 non-zeros).

Parameters:
    logits: tokens × vocabulary (row t holds token t's logit for every vocabulary entry).

Answer parts: ``h`` (h_v = max_t ln(1 + ReLU(w_tv))) and ``nnz`` (its number of non-zero entries, counted from
``h``: error carried forward).

Conventions stated in the prompt: natural log; embeddings are L2-normalised before any dot product; classes,
prompts, images and tokens are numbered from 1 (the common statement of the family; nothing here is normalised).

Reference: ``torch.log1p(torch.relu(W)).amax(dim=tokens)`` and ``torch.count_nonzero``
(examprep.reference.contrastive_tokens:stair_sparse).

Common mistakes: sum pooling over the tokens instead of the maximum, ReLU skipped (ln(1 + w) of negative logits),
ln(1 + ·) skipped (the ReLU alone), a softmax over the vocabulary instead of ln(1 + ReLU).

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.contrastive.embed import CONVENTIONS
from examprep.problems.gan.fair import near_miss, visible
from examprep.solver.expr import Func, Mat, Num, Sym
from examprep.solver.step import Derivation

DP = 4
MAX_TOKENS, MAX_VOCAB = 20, 30
NEG = (-0.9, -0.8, -0.6, -0.5, -0.4, -0.3, -0.2, -0.1)
POS = {"easy": (0.2, 0.5, 1.0, 1.5, 2.0, 3.0), "medium": (0.1, 0.2, 0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 3.0),
       "hard": (0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.9, 1.2, 1.5, 2.5, 3.0, 4.0)}
SHAPES = {"easy": (2, 4), "medium": (3, 5), "hard": (3, 6)}


def sparse(w: Any, pool: str = "max", relu: bool = True, log: bool = True) -> np.ndarray:
    """h over the vocabulary; the keywords make the named mistakes (ReLU skipped gives nan where 1 + w ≤ 0)."""
    w = np.asarray(w, dtype=float)
    r = np.maximum(w, 0.0) if relu else w
    with np.errstate(invalid="ignore", divide="ignore"):
        g = np.log1p(r) if log else r
    return g.sum(axis=0) if pool == "sum" else g.max(axis=0)


def _softmax_rows(w: Any) -> np.ndarray:
    z = np.asarray(w, dtype=float)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


class StairSparse(ProblemType):
    id = "contrastive/stair_sparse-v1"
    title = "STAIR sparse vocabulary embedding"
    catalog = "seed_002 L3"
    reference_entry = "examprep.reference.contrastive_tokens:stair_sparse"
    params = (
        Param("logits", "matrix", "token-by-vocabulary logits (row t: token t's logit for every vocabulary entry)",
              lo=-100, hi=100),
    )
    parts = (
        Part("h", "Sparse embedding h over the vocabulary", "vector", mode="decdig", digits=DP),
        Part("nnz", "Number of non-zero entries of h", "integer", uses=("h",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        t, v = SHAPES[difficulty]
        pos = POS[difficulty]
        pick = lambda opts: opts[int(rng.integers(len(opts)))]  # noqa: E731
        rows = [[pick(NEG) if (u := rng.random()) < 0.45 else 0.0 if u < 0.55 else pick(pos) for _ in range(v)]
                for _ in range(t)]
        return dict(logits=tuple(tuple(float(x) for x in r) for r in rows))

    def check(self, p: Params) -> list[str]:
        rows = p.logits
        if not 1 <= len(rows) <= MAX_TOKENS:
            raise ParamError(f"logits: give between 1 and {MAX_TOKENS} token rows")
        if not 2 <= len(rows[0]) <= MAX_VOCAB or any(len(r) != len(rows[0]) for r in rows):
            raise ParamError(f"logits: every token row needs the same length (the vocabulary), between 2 and "
                             f"{MAX_VOCAB}")
        return []

    def degenerate(self, p: Params) -> str | None:
        w = np.asarray(p.logits, dtype=float)
        top = np.sort(w, axis=0)
        if np.any((top[-1] > 0) & (top[-1] == top[-2])):
            return "two tokens share the largest positive logit of a vocabulary entry"
        if not np.any(w.max(axis=0) < 0):
            return "no vocabulary entry has only negative logits (skipping the ReLU would show nothing)"
        if not np.any((w > 0).sum(axis=0) >= 2):
            return "no vocabulary entry has two positive logits (sum pooling would show nothing)"
        return near_miss(self.solve(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        t, v = len(p.logits), len(p.logits[0])
        return [
            "STAIR embeds an image or a text as a sparse, non-negative vector over a vocabulary, here of "
            f"{v} entries (numbered 1 to {v}). A projection head gives each of the {t} tokens a logit for every "
            "vocabulary entry: row $t$ of $W$ = ", [list(r) for r in p.logits], " holds token $t$'s logits "
            r"$w_{tv}$. The embedding max-pools over the tokens: $h_v = \max_t \ln(1 + \operatorname{ReLU}(w_{tv}))$ "
            r"with $\operatorname{ReLU}(x) = \max(0, x)$. Give $h$ to 4 decimal places and the number of non-zero "
            "entries of $h$. " + CONVENTIONS
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        h = carry(given, "h", sparse(p.logits))
        return {"h": h.tolist(), "nnz": int(np.count_nonzero(h))}

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        w = np.asarray(p.logits, dtype=float)
        r = d.add("ReLU of the logits", np.maximum(w, 0.0).tolist(), lhs=Sym("R"),
                  substituted=Mat([[Func("max", Num(0), Num(x)) for x in row] for row in p.logits]),
                  note=r"$R_{tv} = \operatorname{ReLU}(w_{tv}) = \max(0, w_{tv})$: negative evidence is dropped")
        g = d.add("Log-saturate", np.log1p(np.asarray(r)).tolist(), lhs=Sym("G"),
                  substituted=Mat([[Func("ln", 1 + Num(x)) for x in row] for row in r]),
                  note=r"$G_{tv} = \ln(1 + R_{tv})$ damps large logits and keeps 0 at 0")
        d.add("Max-pool over the tokens", ans["h"], lhs=Sym("h"), part="h",
              substituted=Mat([[Func("max", *[Num(x) for x in col]) for col in np.asarray(g).T]]),
              note=r"$h_v = \max_t G_{tv}$, the largest entry of column $v$")
        nz = [i + 1 for i, x in enumerate(ans["h"]) if x != 0]
        d.add("Count the non-zero entries", ans["nnz"], lhs=Sym("nnz", tex=r"\lVert h \rVert_0"), part="nnz",
              substituted=sum((Num(1) for _ in nz[1:]), Num(1)) if nz else Num(0),
              note=(f"$h_v > 0$ for the vocabulary entries {', '.join(map(str, nz))}" if nz else
                    "no logit is positive, so $h$ is all zeros") + r"; $\lVert h \rVert_0$ counts them")
        d.answer = "h = [" + ", ".join(f"{x:.4f}" for x in ans["h"]) + f"], {ans['nnz']} non-zero"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return visible(self.solve(p), self.all_mistakes(p))

    def all_mistakes(self, p: Params) -> dict[str, Mistake]:
        """Every named mistake, whether or not it shows on these parameters (ReLU skipped only where every
        ln(1 + w) is defined)."""
        summed, no_log = sparse(p.logits, pool="sum"), sparse(p.logits, log=False)
        soft = _softmax_rows(p.logits).max(axis=0)
        out = {
            "sum_pooling": Mistake({"h": summed.tolist()},
                                   "You summed over the tokens; STAIR max-pools: $h_v$ is the largest "
                                   r"$\ln(1 + \operatorname{ReLU}(w_{tv}))$ over the tokens $t$."),
            "log_skipped": Mistake({"h": no_log.tolist()},
                                   r"You left out the log: $h_v = \max_t \ln(1 + \operatorname{ReLU}(w_{tv}))$, "
                                   r"not $\max_t \operatorname{ReLU}(w_{tv})$."),
            "softmax": Mistake({"h": soft.tolist(), "nnz": int(np.count_nonzero(soft))},
                               r"You took a softmax over the vocabulary; STAIR uses "
                               r"$\ln(1 + \operatorname{ReLU}(w_{tv}))$, which is 0 wherever the logit is not "
                               "positive, so $h$ is sparse."),
        }
        no_relu = sparse(p.logits, relu=False)
        if np.all(np.isfinite(no_relu)):
            out["relu_skipped"] = Mistake({"h": no_relu.tolist(), "nnz": int(np.count_nonzero(no_relu))},
                                          r"You skipped the ReLU: a negative logit gives $\operatorname{ReLU}(w) = 0$"
                                          r" and so contributes $\ln(1 + 0) = 0$, never a negative value.")
        return out
