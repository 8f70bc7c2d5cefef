"""Parameter count of a transformer: one encoder layer stack, BERT, or a GPT-style decoder, with a fine-tuning head
and prefix tuning.

Catalog: seed_000_001 B2 (GPT-3 check, fine-tune head, prefix), seed_003 B6, seed_004 B7–B8 (MHA 4d² + 4d,
encoder layer, BERT-base 109,482,240 and the "110 million" of the slides).

Parameters:
    arch: ``encoder_layer`` (a stack of L post-LN encoder layers, nothing else), ``bert`` (token, position and
    segment embeddings, an embedding LayerNorm, L layers, a pooler d×d with bias) or ``decoder`` (token and position
    embeddings, L layers, a final LayerNorm, and the unembedding W_U (|V|×d, no bias) unless ``tied``).
    vocab, d_model, d_ff, layers, max_pos (learned positions, 0 for none), segments (token types, 0 for none),
    bias (every projection has a bias), layernorm (LayerNorms present), tied (W_U = W_Eᵀ; decoder only),
    classes (optional: a Linear d → c head with bias), prefix_len (optional: P prefix keys and values per layer).

Answer parts: ``attention`` = 4d² + 4d·bias, ``ffn`` = 2·d·d_ff + (d_ff + d)·bias, ``norms`` = 4d (two
LayerNorms, γ and β), ``layer``, ``embeddings`` (bert and decoder), ``total``, ``head_params`` = d·c + c,
``prefix_params`` = 2·P·L·d, ``prefix_percent`` = 100·prefix_params / total.

Reference: numel of ``nn.MultiheadAttention``, ``nn.Linear``, ``nn.Embedding`` and ``nn.LayerNorm`` built on the
meta device, once per configuration (examprep.reference.transformer:param_count).

Common mistakes: W_O forgotten (3d²), the layer count L forgotten, W_E counted twice when W_U is tied, d_ff taken
as d (a "768 hidden units" reading of BERT-base's FFN), the papers' rounded totals (110 and 340 million).

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.gan.fair import near_miss
from examprep.seeding import picker
from examprep.solver.expr import Sym
from examprep.solver.step import Derivation

D, DFF, L, V, NP, NS = Sym("d"), Sym("d_ff"), Sym("L"), Sym("V", "|V|", latex="|V|", typst="|V|"), Sym("N_p"), \
    Sym("N_s")
C, P = Sym("c"), Sym("P")
A_, F_, N_, LAY, EMB, TOT = (Sym(n) for n in ("N_attn", "N_ffn", "N_norm", "N_layer", "N_emb", "N"))
ARCHS = ("encoder_layer", "bert", "decoder")
# the papers' rounded totals, as (vocab, d, d_ff, L, max_pos, segments) -> the printed figure
ROUNDED = {(30522, 768, 3072, 12, 512, 2): 110_000_000, (30522, 1024, 4096, 24, 512, 2): 340_000_000}


def count(arch: str, V: int, d: int, dff: int, L: int, max_pos: int, seg: int, bias: bool, ln: bool,
          tied: bool, classes: int | None, prefix: int | None, w_o: bool = True, times_l: bool = True,
          tied_twice: bool = False, given: Answers | None = None) -> dict[str, Any]:
    """Every part; the keyword flags switch on the named mistakes; ``given``: the student's earlier counts."""

    def take(name: str, value: int) -> int:
        return int(round(carry(given, name, value)))

    b = int(bias)
    attention = take("attention", (4 if w_o else 3) * d * d + (4 if w_o else 3) * d * b)
    ffn = take("ffn", 2 * d * dff + (dff + d) * b)
    norms = take("norms", 4 * d if ln else 0)
    layer = take("layer", attention + ffn + norms)
    out: dict[str, Any] = {"attention": attention, "ffn": ffn, "norms": norms, "layer": layer}
    stack = (L if times_l else 1) * layer
    if arch == "encoder_layer":
        total = stack
    else:
        emb = take("embeddings", V * d + max_pos * d + seg * d + (2 * d if arch == "bert" and ln else 0))
        out["embeddings"] = emb
        if arch == "bert":
            total = emb + stack + d * d + d * b
        else:
            total = emb + stack + (2 * d if ln else 0) + (V * d if (not tied or tied_twice) else 0)
    out["total"] = total = take("total", total)
    if classes is not None:
        out["head_params"] = d * classes + classes
    if prefix is not None:
        out["prefix_params"] = take("prefix_params", 2 * prefix * L * d)
        out["prefix_percent"] = 100 * out["prefix_params"] / total
    return out


class ParamCount(ProblemType):
    id = "transformer/param_count-v1"
    title = "Transformer parameter count"
    catalog = "seed_000_001 B2; seed_003 B6; seed_004 B7-B8"
    reference_entry = "examprep.reference.transformer:param_count"
    params = (
        Param("arch", "choice", "encoder_layer, bert or decoder", choices=ARCHS, default="encoder_layer"),
        Param("vocab", "int", "vocabulary size |V|", lo=1, hi=10**6, default=30522),
        Param("d_model", "int", "model width d", lo=1, hi=65536, default=768),
        Param("d_ff", "int", "feed-forward inner width", lo=1, hi=262144, default=3072),
        Param("layers", "int", "number of layers L", lo=1, hi=200, default=12),
        Param("max_pos", "int", "learned positions (0: none)", lo=0, hi=10**5, default=512),
        Param("segments", "int", "segment (token type) embeddings (0: none)", lo=0, hi=16, default=2),
        Param("bias", "bool", "projections have biases", default=True),
        Param("layernorm", "bool", "LayerNorms present", default=True),
        Param("tied", "bool", "W_U tied to W_E (decoder)", default=False),
        Param("classes", "int", "classes of a fine-tuning head", lo=1, hi=100000, optional=True),
        Param("prefix_len", "int", "prefix length P of prefix tuning", lo=1, hi=1000, optional=True),
    )
    parts = (
        Part("attention", "Attention parameters per layer", "integer", final=False),
        Part("ffn", "Feed-forward parameters per layer", "integer", final=False),
        Part("norms", "LayerNorm parameters per layer", "integer", final=False),
        Part("layer", "Parameters per layer", "integer", uses=("attention", "ffn", "norms")),
        Part("embeddings", "Embedding parameters", "integer", final=False),
        Part("total", "Total parameters", "integer", uses=("layer", "embeddings")),
        Part("head_params", "Parameters of the classification head", "integer"),
        Part("prefix_params", "Prefix-tuning parameters", "integer"),
        Part("prefix_percent", "Prefix parameters as a percentage of the total", "real",
             uses=("prefix_params", "total")),
    )

    def active_parts(self, p: Params) -> tuple[Part, ...]:
        skip = set()
        if p.arch == "encoder_layer":
            skip.add("embeddings")
        if p.classes is None:
            skip.add("head_params")
        if p.prefix_len is None:
            skip |= {"prefix_params", "prefix_percent"}
        return tuple(pt for pt in self.parts if pt.name not in skip)

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = picker(rng)
        if difficulty == "easy":
            d = pick([4, 8, 16, 32, 64])
            return dict(arch="encoder_layer", vocab=1000, d_model=d, d_ff=4 * d, layers=pick([1, 2, 6]),
                        max_pos=0, segments=0, bias=bool(rng.integers(2)), layernorm=bool(rng.integers(2)))
        if difficulty == "medium":
            arch = pick(["bert", "decoder"])
            d = pick([64, 128, 256])
            return dict(arch=arch, vocab=pick([1000, 5000, 8000]), d_model=d, d_ff=4 * d, layers=pick([2, 4, 6]),
                        max_pos=pick([0, 128, 512]) if arch == "decoder" else pick([128, 512]),
                        segments=2 if arch == "bert" else 0, bias=bool(rng.integers(2)),
                        layernorm=bool(rng.integers(2)), tied=arch == "decoder" and bool(rng.integers(2)),
                        classes=pick([2, 3, 10]) if arch == "bert" else None)
        arch = pick(["bert", "decoder", "decoder"])
        d = pick([256, 512, 768, 1024])
        return dict(arch=arch, vocab=pick([30522, 32000, 50257]), d_model=d, d_ff=4 * d, layers=pick([6, 12, 24]),
                    max_pos=pick([512, 1024]), segments=2 if arch == "bert" else 0, bias=bool(rng.integers(2)),
                    layernorm=True, tied=arch == "decoder" and bool(rng.integers(2)),
                    classes=pick([2, 5, 10]) if rng.random() < 0.5 else None,
                    prefix_len=pick([5, 10, 20]) if rng.random() < 0.6 else None)

    def check(self, p: Params) -> list[str]:
        from examprep.errors import ParamError

        if p.tied and p.arch != "decoder":
            raise ParamError("tied: only a decoder has an unembedding W_U to tie; use tied=false with "
                             f"arch={p.arch}")
        return []

    def degenerate(self, p: Params) -> str | None:
        return near_miss(self.solve(p), self.mistakes(p))

    def _args(self, p: Params) -> tuple:
        return (p.arch, p.vocab, p.d_model, p.d_ff, p.layers, p.max_pos, p.segments, p.bias, p.layernorm, p.tied,
                p.classes, p.prefix_len)

    def statement(self, p: Params) -> list[Any]:
        d, b = p.d_model, p.bias
        what = {"encoder_layer": f"a stack of $L = {p.layers}$ transformer encoder layers (nothing else)",
                "bert": f"a BERT encoder with $L = {p.layers}$ layers",
                "decoder": f"a decoder-only (GPT-style) language model with $L = {p.layers}$ layers"}[p.arch]
        s = [f"Count the parameters of {what}: model width $d = {d}$, feed-forward inner width "
             f"$d_{{\\mathrm{{ff}}}} = {p.d_ff}$. Each layer has multi-head self-attention with $W_Q, W_K, W_V, W_O$ "
             "(each $d \\times d$ over all heads), a feed-forward network $d \\to d_{\\mathrm{ff}} \\to d$"]
        s.append(", and two LayerNorms (a scale and a shift of size $d$ each)." if p.layernorm
                 else ", and no LayerNorm.")
        s.append(" Every projection and feed-forward layer has a bias." if b
                 else " No projection or feed-forward layer has a bias.")
        if p.arch != "encoder_layer":
            tables = [f"a token embedding $W_E$ for $|V| = {p.vocab}$ tokens"]
            if p.max_pos:
                tables.append(f"$N_p = {p.max_pos}$ learned position embeddings")
            if p.segments:
                tables.append(f"$N_s = {p.segments}$ segment (token type) embeddings")
            s.append(" The model has " + ", ".join(tables[:-1]) + (" and " if len(tables) > 1 else "") + tables[-1]
                     + " (each a vector of size $d$)" + ("" if p.max_pos else "; it has no learned positions") + ".")
        if p.arch == "bert":
            s.append(" The embeddings' sum goes through a LayerNorm, and a pooler (a $d \\times d$ linear layer"
                     + (" with bias" if b else " without bias") + ") reads the first token."
                     if p.layernorm else " There is no embedding LayerNorm; a pooler (a $d \\times d$ linear layer"
                     + (" with bias" if b else " without bias") + ") reads the first token.")
        if p.arch == "decoder":
            s.append((" A final LayerNorm follows the last layer." if p.layernorm else "")
                     + (" The unembedding $W_U$ is tied to $W_E$ (shared, counted once)." if p.tied
                        else " The unembedding $W_U$ ($|V| \\times d$, no bias) is a separate matrix."))
        s.append(" Give the attention, feed-forward and LayerNorm parameters of one layer, the parameters per layer"
                 + (", the embedding parameters" if p.arch != "encoder_layer" else "") + " and the total.")
        if p.classes is not None:
            s.append(f" A classification head (a linear layer $d \\to c$ with bias, $c = {p.classes}$) is added for "
                     "fine-tuning: how many parameters does it have (not part of the total)?")
        if p.prefix_len is not None:
            s.append(f" Prefix tuning trains $P = {p.prefix_len}$ prefix keys and values (vectors of size $d$) in "
                     "every layer and freezes the model: how many parameters does it train, and what percentage of "
                     "the total is that?")
        return s

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return count(*self._args(p), given=given)

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        d = Derivation()
        b = p.bias
        subs = {"d": p.d_model, "d_ff": p.d_ff, "L": p.layers, "V": p.vocab, "N_p": p.max_pos, "N_s": p.segments,
                "c": p.classes, "P": p.prefix_len}
        subs = {k: v for k, v in subs.items() if v is not None}
        d.add("Attention", a["attention"], lhs=A_, formula=4 * D ** 2 + 4 * D if b else 4 * D ** 2, subs=subs,
              part="attention", note="W_Q, W_K, W_V and W_O are d×d" + (" plus a bias of size d each" if b else ""))
        d.add("Feed-forward", a["ffn"], lhs=F_, formula=2 * D * DFF + DFF + D if b else 2 * D * DFF, subs=subs,
              part="ffn", note="W_1 is d×d_ff and W_2 is d_ff×d" + (", biases d_ff and d" if b else ""))
        if p.layernorm:
            d.add("LayerNorms", a["norms"], lhs=N_, formula=2 * (2 * D), subs=subs, part="norms",
                  note="two LayerNorms, each a scale γ and a shift β of size d")
        else:
            d.add("LayerNorms", 0, lhs=N_, part="norms", note="no LayerNorm")
        lsubs = {"N_attn": a["attention"], "N_ffn": a["ffn"], "N_norm": a["norms"]}
        d.add("One layer", a["layer"], lhs=LAY, formula=A_ + F_ + N_, subs=lsubs, part="layer")
        tsubs = {**subs, "N_layer": a["layer"]}
        if p.arch == "encoder_layer":
            d.add("Total", a["total"], lhs=TOT, formula=L * LAY, subs=tsubs, part="total")
        else:
            emb = V * D
            if p.max_pos:
                emb = emb + NP * D
            if p.segments:
                emb = emb + NS * D
            if p.arch == "bert" and p.layernorm:
                emb = emb + 2 * D
            d.add("Embeddings", a["embeddings"], lhs=EMB, formula=emb, subs=subs, part="embeddings",
                  note="token" + (", position" if p.max_pos else "") + (", segment" if p.segments else "")
                  + (" embeddings and the embedding LayerNorm" if p.arch == "bert" and p.layernorm else " embeddings"))
            tsubs["N_emb"] = a["embeddings"]
            if p.arch == "bert":
                f = EMB + L * LAY + D ** 2 + D if b else EMB + L * LAY + D ** 2
                note = "the pooler is a d×d linear layer" + (" with bias" if b else "")
            else:
                f = EMB + L * LAY
                parts = []
                if p.layernorm:
                    f = f + 2 * D
                    parts.append("the final LayerNorm (2d)")
                if not p.tied:
                    f = f + V * D
                    parts.append("the unembedding W_U (|V|·d)")
                note = ("plus " + " and ".join(parts)) if parts else None
                if p.tied:
                    note = (note + "; " if note else "") + "W_U is tied to W_E, so it is counted once"
            d.add("Total", a["total"], lhs=TOT, formula=f, subs=tsubs, part="total", note=note)
        if p.classes is not None:
            d.add("Classification head", a["head_params"], lhs="N_head", formula=D * C + C, subs=subs,
                  part="head_params", note="a d×c weight and c biases")
        if p.prefix_len is not None:
            d.add("Prefix parameters", a["prefix_params"], lhs="N_prefix", formula=2 * P * L * D, subs=subs,
                  part="prefix_params", note="P keys and P values of size d in each of the L layers")
            pp = Sym("N_prefix")
            d.add("Percentage of the total", a["prefix_percent"], lhs=Sym("pct", "%", latex=r"\%", typst="%"),
                  formula=100 * pp / TOT, subs={"N_prefix": a["prefix_params"], "N": a["total"]},
                  part="prefix_percent")
        d.answer = f"{a['total']:,} parameters"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        args = self._args(p)
        truth = count(*args)

        def changed(m: dict[str, Any]) -> dict[str, Any]:
            return {k: v for k, v in m.items() if v != truth[k]}

        m: dict[str, Mistake] = {}
        m["w_o_forgotten"] = Mistake(changed(count(*args, w_o=False)),
                                     "Attention has four d×d projections: W_Q, W_K, W_V and the output projection "
                                     "W_O that mixes the concatenated heads.")
        if p.layers > 1:
            m["layers_forgotten"] = Mistake(changed(count(*args, times_l=False)),
                                            f"Every one of the L = {p.layers} layers has its own weights: multiply "
                                            "the per-layer count by L.")
        if p.arch == "decoder" and p.tied:
            m["tied_counted_twice"] = Mistake(changed(count(*args, tied_twice=True)),
                                              "W_U is tied to W_E: it is the same matrix, so count it once.")
        if p.d_ff != p.d_model:
            wrong = list(args)
            wrong[3] = p.d_model
            m["d_ff_as_d"] = Mistake(changed(count(*wrong)),
                                     f"The feed-forward inner width is d_ff = {p.d_ff}, not the model width "
                                     f"d = {p.d_model} (the hidden size).")
        key = (p.vocab, p.d_model, p.d_ff, p.layers, p.max_pos, p.segments)
        if p.arch == "bert" and p.bias and p.layernorm and key in ROUNDED:
            m["paper_rounded"] = Mistake({"total": ROUNDED[key]},
                                         f"{ROUNDED[key] // 10**6} million is the paper's rounded figure; the exact "
                                         "count adds up every matrix, bias and LayerNorm.")
        return {k: v for k, v in m.items() if v.answers}
