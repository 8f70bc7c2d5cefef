"""Multi-head attention sizes: head dimension, projection parameters, shapes per head, the attention map.

Catalog: seed_003 B6, seed_004 B7, seed_002 H3 (d = 512, h = 8: d_k = 64 and 1,050,624 parameters).

Parameters:
    d_model: the model width d. heads: the number of heads h (d divisible by h). seq_len: the sequence length n.
    bias: whether the four projections have biases (PyTorch's default).

Answer parts (integers): ``d_head`` = d/h; ``head_proj_params`` (one head's query projection, d×d_head plus
d_head biases); ``proj_params`` (W_Q for all heads, d² + d); ``total`` (W_Q, W_K, W_V and W_O: 4d² + 4d with
biases, 4d² without); ``head_shape`` ([n, d_head], the shape of Q, K and V per head); ``score_shape``
([h, n, n]); ``score_entries`` (h·n²).

Conventions stated in the prompt: row convention (a token is a row, Q = X W_Q), the standard layout of
``nn.MultiheadAttention`` (one d×d projection per Q, K, V split into h heads, then W_O d×d), and whether the
projections have biases: PyTorch's default (``nn.MultiheadAttention(640, 10)`` has 4·(640² + 640) = 1,640,960
parameters) or ``bias=False``.

Reference: ``nn.MultiheadAttention`` built on the meta device: parameters counted, head_dim read, the per-head
attention map's shape read from a forward pass (examprep.reference.attention:multihead_dims).

Common mistakes: h full-size projections per head, W_O forgotten, biases forgotten, d_head = d (no split), the
score matrix of one head only.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.solver.expr import Mat, Num, Sym
from examprep.solver.step import Derivation


class MultiheadDims(ProblemType):
    id = "attention/multihead_dims-v1"
    title = "Multi-head attention sizes and parameter counts"
    catalog = "seed_003 B6; seed_004 B7; seed_002 H3"
    reference_entry = "examprep.reference.attention:multihead_dims"
    params = (
        Param("d_model", "int", "model width d", lo=1, hi=65536),
        Param("heads", "int", "number of heads h (d_model divisible by h)", lo=1, hi=1024),
        Param("seq_len", "int", "sequence length n", lo=1, hi=100000),
        Param("bias", "bool", "the projections have biases", default=True),
    )
    parts = (
        Part("d_head", "Head dimension d_head = d/h", "integer"),
        Part("head_proj_params", "Parameters of one head's query projection", "integer", final=False,
             uses=("d_head",)),
        Part("proj_params", "Parameters of W_Q (all heads)", "integer", final=False),
        Part("total", "Parameters of the multi-head attention layer", "integer", uses=("proj_params",)),
        Part("head_shape", "Shape of Q (and K, V) per head [n, d_head]", "vector", integral=True, uses=("d_head",)),
        Part("score_shape", "Shape of the attention scores [h, n, n]", "vector", integral=True),
        Part("score_entries", "Number of attention scores h·n²", "integer", final=False, uses=("score_shape",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pairs = {"easy": [(64, 2), (128, 4), (256, 4), (512, 8)],
                 "medium": [(256, 8), (512, 8), (512, 16), (768, 12), (128, 8)],
                 "hard": [(768, 12), (1024, 16), (384, 6), (640, 10), (1280, 20)]}[difficulty]
        d, h = pairs[int(rng.integers(len(pairs)))]
        n = int(rng.choice([4, 8, 10, 16, 32, 50, 64, 128, 197, 512]))
        return dict(d_model=d, heads=h, seq_len=n, bias=bool(difficulty == "easy" or rng.integers(3) > 0))

    def check(self, p: Params) -> list[str]:
        if p.d_model % p.heads:
            raise ParamError(f"d_model={p.d_model} is not divisible by heads={p.heads}: each head gets d/h "
                             "dimensions, so choose h dividing d")
        return []

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        d, h, n, b = p.d_model, p.heads, p.seq_len, int(p.bias)
        dh = carry(given, "d_head", d // h)
        proj = carry(given, "proj_params", d * d + b * d)
        shape = carry(given, "score_shape", [h, n, n])
        return {"d_head": dh, "head_proj_params": d * dh + b * dh, "proj_params": proj, "total": 4 * proj,
                "head_shape": [n, dh], "score_shape": shape, "score_entries": shape[0] * shape[1] * shape[2]}

    def statement(self, p: Params) -> list[Any]:
        bias = ("have biases, as in PyTorch's default nn.MultiheadAttention(d_model, h)" if p.bias else
                "have no biases, as in PyTorch's nn.MultiheadAttention(d_model, h, bias=False)")
        dm = r"d_{\text{model}}"
        return [f"A multi-head attention layer has ${dm} = {p.d_model}$ and $h = {p.heads}$ heads; its projections "
                f"$W_Q$, $W_K$, $W_V$ (each ${dm} \\times {dm}$, split evenly into the heads) and the output "
                f"projection $W_O$ (${dm} \\times {dm}$) {bias}. It reads "
                f"a sequence of $n = {p.seq_len}$ tokens (tokens are rows: $Q = X W_Q$). Find the head dimension, the "
                "parameters of one head's query projection and of $W_Q$ for all heads, the layer's total parameter "
                "count, the shape of $Q$ (and $K$, $V$) in one head, the shape of the attention scores of all heads "
                "together, and their number."]

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        d, h, n, b = p.d_model, p.heads, p.seq_len, int(p.bias)
        D, Hs, N, dh = Sym("d"), Sym("h"), Sym("n"), Sym("d_head")
        dv = Derivation()
        dv.add("Head dimension", a["d_head"], lhs=dh, formula=D / Hs, subs={"d": d, "h": h}, part="d_head")
        if b:
            dv.add("One head's query projection (weights + biases)", a["head_proj_params"], lhs="P_head",
                   formula=D * dh + dh, subs={"d": d, "d_head": a["d_head"]}, part="head_proj_params")
            dv.add("$W_Q$ for all heads", a["proj_params"], lhs="P_Q", formula=D * D + D, subs={"d": d},
                   part="proj_params")
            dv.add("Total: $W_Q$, $W_K$, $W_V$ and $W_O$", a["total"], lhs="P", formula=4 * (D ** 2 + D), subs={"d": d},
                   part="total")
        else:
            dv.add("One head's query projection", a["head_proj_params"], lhs="P_head", formula=D * dh,
                   subs={"d": d, "d_head": a["d_head"]}, part="head_proj_params")
            dv.add("$W_Q$ for all heads", a["proj_params"], lhs="P_Q", formula=D * D, subs={"d": d},
                   part="proj_params")
            dv.add("Total: $W_Q$, $W_K$, $W_V$ and $W_O$", a["total"], lhs="P", formula=4 * D ** 2, subs={"d": d},
                   part="total")
        dv.add("Q, K, V per head", a["head_shape"], lhs="shape", formula=Mat([[N, dh]]),
               substituted=Mat([[Num(n), Num(a["d_head"])]]), part="head_shape")
        dv.add("Attention scores, all heads", a["score_shape"], lhs="shape", formula=Mat([[Hs, N, N]]),
               substituted=Mat([[Num(h), Num(n), Num(n)]]), part="score_shape",
               note="one n×n matrix per head")
        dv.add("Number of scores", a["score_entries"], lhs="count", formula=Hs * N ** 2, subs={"h": h, "n": n},
               part="score_entries")
        dv.answer = f"d_head = {a['d_head']}, {a['total']:,} parameters, scores {h}×{n}×{n}"
        return dv

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        d, h, n, b = p.d_model, p.heads, p.seq_len, int(p.bias)
        full = d * d + b * d
        m: dict[str, Mistake] = {}
        if h > 1:
            m["full_size_heads"] = Mistake({"head_proj_params": full, "total": 3 * h * full + full},
                                           "Each head projects to d/h dimensions, not d: together the heads' "
                                           "projections make one d×d matrix per Q, K, V.")
            m["no_split"] = Mistake({"d_head": d, "head_shape": [n, d]},
                                    f"The heads split the model width: d_head = d/h = {d}/{h}.")
            m["one_head_scores"] = Mistake({"score_entries": n * n},
                                           f"Every head has its own n×n score matrix: h·n² = {h}·{n}².")
        m["no_out_proj"] = Mistake({"total": 3 * full}, "You forgot the output projection W_O (another d×d"
                                   + (" + d)." if b else ")."))
        if b:
            m["no_bias"] = Mistake({"head_proj_params": d * (d // h), "proj_params": d * d, "total": 4 * d * d},
                                   "You forgot the biases: each projection has d more parameters (4d in all).")
        return m
