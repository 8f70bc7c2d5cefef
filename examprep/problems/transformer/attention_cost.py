"""Cost of attention: a self-attention against a recurrent layer, full against factorised video attention, global
against windowed (Swin) attention, and early against late multimodal fusion.

Catalog: seed_000_001 B1 (O(n²d) against O(nd²), fusion, video), seed_002 H7 and seed_004 C15 (Swin).

Parameters:
    kind: ``layer`` (``n`` tokens of width ``d``), ``video`` (``frames`` T, ``tokens`` S per frame), ``swin``
    (an ``H``×``W`` token grid, ``C`` channels, ``M``×``M`` windows) or ``fusion`` (``tokens`` n per modality,
    ``modalities`` k).

Answer parts: layer: ``attention_ops`` = n²·d, ``recurrent_ops`` = n·d²; video: ``full_pairs`` = (TS)²,
``factorised_pairs`` = T·S² + S·T²; swin: ``windows`` = (H/M)(W/M), ``msa`` = 4HWC² + 2(HW)²C, ``wmsa`` =
4HWC² + 2M²HWC; fusion: ``early_pairs`` = n² (features concatenated per token), ``late_pairs`` = (kn)² (the
modalities' tokens concatenated into one sequence); each with ``ratio`` = attention/recurrent, full/factorised,
msa/wmsa or late/early.

Reference: the Transformer (Table 1) and Swin papers' counts in int64 torch arithmetic, pairs counted per block
(examprep.reference.transformer:attention_cost).

Common mistakes: n²·d and n·d² swapped, the temporal term dropped, W-MSA with the global (HW)² term, late fusion as
k separate sequences (k·n²).

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

KINDS = ("layer", "video", "swin", "fusion")
PARTS = {"layer": ("attention_ops", "recurrent_ops"), "video": ("full_pairs", "factorised_pairs"),
         "swin": ("windows", "msa", "wmsa"), "fusion": ("early_pairs", "late_pairs")}
RATIO = {"layer": ("attention_ops", "recurrent_ops"), "video": ("full_pairs", "factorised_pairs"),
         "swin": ("msa", "wmsa"), "fusion": ("late_pairs", "early_pairs")}
OMSA = Sym("O_msa", "Ω(MSA)", latex=r"\Omega(\text{MSA})", typst='Omega("MSA")')
OWMSA = Sym("O_wmsa", "Ω(W-MSA)", latex=r"\Omega(\text{W-MSA})", typst='Omega("W-MSA")')
n_, d_, T, S, H, W, C, M, k_ = (Sym(x) for x in ("n", "d", "T", "S", "H", "W", "C", "M", "k"))


def costs(p: Params, swapped: bool = False, no_temporal: bool = False, global_w: bool = False,
          separate: bool = False) -> dict[str, Any]:
    """Every part of the instance's kind; the keyword flags do the named mistakes."""
    if p.kind == "layer":
        att, rec = p.n * p.n * p.d, p.n * p.d * p.d
        if swapped:
            att, rec = rec, att
        return {"attention_ops": att, "recurrent_ops": rec, "ratio": att / rec}
    if p.kind == "video":
        full = (p.frames * p.tokens) ** 2
        fact = p.frames * p.tokens ** 2 + (0 if no_temporal else p.tokens * p.frames ** 2)
        return {"full_pairs": full, "factorised_pairs": fact, "ratio": full / fact}
    if p.kind == "swin":
        hw = p.H * p.W
        msa = 4 * hw * p.C ** 2 + 2 * hw ** 2 * p.C
        wmsa = msa if global_w else 4 * hw * p.C ** 2 + 2 * p.M ** 2 * hw * p.C
        return {"windows": (p.H // p.M) * (p.W // p.M), "msa": msa, "wmsa": wmsa, "ratio": msa / wmsa}
    early = p.tokens ** 2
    late = p.modalities * p.tokens ** 2 if separate else (p.modalities * p.tokens) ** 2
    return {"early_pairs": early, "late_pairs": late, "ratio": late / early}


class AttentionCost(ProblemType):
    id = "transformer/attention_cost-v1"
    title = "Cost of attention: layers, video, Swin windows, fusion"
    catalog = "seed_000_001 B1; seed_002 H7; seed_004 C15"
    reference_entry = "examprep.reference.transformer:attention_cost"
    params = (
        Param("kind", "choice", "layer, video, swin or fusion", choices=KINDS, default="layer"),
        Param("n", "int", "layer: sequence length n", lo=1, hi=10**6, default=512),
        Param("d", "int", "layer: representation width d", lo=1, hi=10**5, default=768),
        Param("frames", "int", "video: frames T", lo=1, hi=10**4, default=16),
        Param("tokens", "int", "video: tokens S per frame; fusion: tokens n per modality", lo=1, hi=10**6,
              default=1024),
        Param("H", "int", "swin: token-grid height", lo=1, hi=10**4, default=56),
        Param("W", "int", "swin: token-grid width", lo=1, hi=10**4, default=56),
        Param("C", "int", "swin: channels", lo=1, hi=10**4, default=96),
        Param("M", "int", "swin: window side M", lo=1, hi=1000, default=7),
        Param("modalities", "int", "fusion: number of modalities k", lo=1, hi=16, default=2),
    )
    parts = (
        Part("attention_ops", "Self-attention operations n²·d", "integer"),
        Part("recurrent_ops", "Recurrent-layer operations n·d²", "integer"),
        Part("full_pairs", "Token pairs of full space-time attention", "integer"),
        Part("factorised_pairs", "Token pairs of factorised attention", "integer"),
        Part("windows", "Number of windows", "integer"),
        Part("msa", "Cost of global MSA", "integer"),
        Part("wmsa", "Cost of window MSA", "integer"),
        Part("early_pairs", "Attention pairs with early fusion", "integer"),
        Part("late_pairs", "Attention pairs with late fusion", "integer"),
        Part("ratio", "Ratio", "real", mode="sigfig", digits=4,
             uses=("attention_ops", "recurrent_ops", "full_pairs", "factorised_pairs", "msa", "wmsa", "early_pairs",
                   "late_pairs")),
    )

    def active_parts(self, p: Params) -> tuple[Part, ...]:
        keep = (*PARTS[p.kind], "ratio")
        return tuple(pt for pt in self.parts if pt.name in keep)

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = picker(rng)
        kind = "layer" if difficulty == "easy" and rng.random() < 0.5 else pick(list(KINDS))
        if kind == "layer":
            return dict(kind=kind, n=pick([128, 512, 1024, 4096] if difficulty != "easy" else [8, 16, 64, 128]),
                        d=pick([256, 512, 768, 1024] if difficulty != "easy" else [16, 32, 64, 256]))
        if kind == "video":
            side = pick([4, 8, 16, 32] if difficulty != "easy" else [2, 4, 8])
            return dict(kind=kind, frames=pick([4, 8, 16]), tokens=side * side)
        if kind == "swin":
            if difficulty == "easy":
                m = pick([2, 4])
                side = m * pick([2, 4])
                return dict(kind=kind, H=side, W=side, C=pick([4, 8]), M=m)
            side = pick([56, 28, 14])
            return dict(kind=kind, H=side, W=side, C=pick([96, 128]) * (56 // side), M=7)
        return dict(kind=kind, tokens=pick([49, 196, 256, 576] if difficulty != "easy" else [4, 9, 16, 49]),
                    modalities=pick([2, 3]))

    def check(self, p: Params) -> list[str]:
        from examprep.errors import ParamError

        if p.kind == "swin" and (p.H % p.M or p.W % p.M):
            raise ParamError(f"M={p.M} must divide H={p.H} and W={p.W}: the windows tile the token grid")
        return []

    def degenerate(self, p: Params) -> str | None:
        if p.kind == "layer" and p.n == p.d:
            return "n = d: both costs are equal"
        return near_miss(self.solve(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        if p.kind == "layer":
            return [f"A sequence of $n = {p.n}$ tokens of width $d = {p.d}$ goes through one layer. Count the "
                    "operations as in the Transformer paper's complexity table: a self-attention layer costs "
                    "$n^2 \\cdot d$ and a recurrent layer $n \\cdot d^2$. Give both counts and the ratio attention / "
                    "recurrent (4 significant figures)."]
        if p.kind == "video":
            return [f"A video transformer sees $T = {p.frames}$ frames of $S = {p.tokens}$ tokens each. Full "
                    "space-time attention lets every token attend to every token. Factorised attention first "
                    "attends within each frame (spatial), then across frames at each token position (temporal). "
                    "Count the (query, key) pairs of each, and give the ratio full / factorised (4 significant "
                    "figures)."]
        if p.kind == "swin":
            return [f"A Swin stage has an $H \\times W = {p.H} \\times {p.W}$ grid of tokens with $C = {p.C}$ "
                    f"channels and $M \\times M = {p.M} \\times {p.M}$ windows. With the Swin paper's counts "
                    "$\\Omega(\\text{MSA}) = 4HWC^2 + 2(HW)^2 C$ (global attention) and $\\Omega(\\text{W-MSA}) = "
                    "4HWC^2 + 2M^2 HWC$ (attention inside each window), give the number of windows, both costs and "
                    "the ratio MSA / W-MSA (4 significant figures)."]
        return [f"Each of $k = {p.modalities}$ modalities is encoded as $n = {p.tokens}$ tokens. Early fusion "
                "concatenates the modalities' features token by token (one sequence of $n$ tokens, wider "
                "vectors); late fusion concatenates the token sequences (one sequence of $kn$ tokens). Count the "
                "(query, key) pairs of self-attention in each design, and give the ratio late / early (4 "
                "significant figures)."]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        a = costs(p)
        if given:  # the ratio of the student's own counts
            num, den = (int(round(carry(given, k, a[k]))) for k in RATIO[p.kind])
            a["ratio"] = num / den
        return a

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        d = Derivation()
        sub = {"n": p.n, "d": p.d, "T": p.frames, "S": p.tokens, "H": p.H, "W": p.W, "C": p.C, "M": p.M,
               "k": p.modalities}
        if p.kind == "fusion":
            sub["n"] = p.tokens
        r = Sym("rho", "ρ", latex=r"\rho", typst="rho")
        if p.kind == "layer":
            d.add("Self-attention", a["attention_ops"], lhs="N_attn", formula=n_ ** 2 * d_, subs=sub,
                  part="attention_ops", note="every pair of tokens, a dot product of width d")
            d.add("Recurrent layer", a["recurrent_ops"], lhs="N_rec", formula=n_ * d_ ** 2, subs=sub,
                  part="recurrent_ops", note="n steps, each a d×d matrix times a vector")
            num, den = Sym("N_attn"), Sym("N_rec")
            note = "attention is cheaper when n < d" if p.n < p.d else "attention costs more when n > d"
        elif p.kind == "video":
            d.add("Full attention", a["full_pairs"], lhs="N_full", formula=(T * S) ** 2, subs=sub,
                  part="full_pairs", note="T·S tokens, every pair")
            d.add("Factorised attention", a["factorised_pairs"], lhs="N_fact", formula=T * S ** 2 + S * T ** 2,
                  subs=sub, part="factorised_pairs", note="spatial: T frames of S² pairs; temporal: S positions of "
                  "T² pairs")
            num, den, note = Sym("N_full"), Sym("N_fact"), None
        elif p.kind == "swin":
            d.add("Windows", a["windows"], lhs="N_win", formula=(H / M) * (W / M), subs=sub, part="windows")
            d.add("Global MSA", a["msa"], lhs=OMSA,
                  formula=4 * H * W * C ** 2 + 2 * (H * W) ** 2 * C, subs=sub, part="msa")
            d.add("Window MSA", a["wmsa"], lhs=OWMSA,
                  formula=4 * H * W * C ** 2 + 2 * M ** 2 * H * W * C, subs=sub, part="wmsa",
                  note="each token attends to the M² tokens of its window")
            num, den, note = OMSA, OWMSA, None
        else:
            d.add("Early fusion", a["early_pairs"], lhs="N_early", formula=n_ ** 2, subs=sub, part="early_pairs",
                  note="n tokens, each carrying every modality's features")
            d.add("Late fusion", a["late_pairs"], lhs="N_late", formula=(k_ * n_) ** 2, subs=sub,
                  part="late_pairs", note="one sequence of k·n tokens")
            num, den, note = Sym("N_late"), Sym("N_early"), f"k² = {p.modalities ** 2}"
        first, second = RATIO[p.kind]
        d.add("Ratio", a["ratio"], lhs=r, formula=num / den, subs={num.name: a[first], den.name: a[second]},
              part="ratio", note=note)
        d.answer = f"ratio {a['ratio']:.4g}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = costs(p)

        def changed(m: dict[str, Any]) -> dict[str, Any]:
            return {k: v for k, v in m.items() if v != truth[k]}

        m: dict[str, Mistake] = {}
        if p.kind == "layer":
            m["swapped"] = Mistake(changed(costs(p, swapped=True)),
                                   "Self-attention compares every pair of tokens (n² pairs, width d): n²·d; the "
                                   "recurrent layer multiplies a d×d matrix at each of n steps: n·d².")
        elif p.kind == "video":
            m["temporal_dropped"] = Mistake(changed(costs(p, no_temporal=True)),
                                            "Factorised attention has a temporal step too: S positions, each "
                                            "attending across T frames, add S·T² pairs.")
        elif p.kind == "swin":
            m["wmsa_global"] = Mistake(changed(costs(p, global_w=True)),
                                       "Inside a window each token sees only M² tokens: the pair term of W-MSA is "
                                       "2M²·HWC, not 2(HW)²·C.")
        elif p.modalities > 1:
            m["late_separate"] = Mistake(changed(costs(p, separate=True)),
                                         "Late fusion attends over one sequence of k·n tokens: (kn)² pairs, "
                                         "including the pairs across modalities.")
        return {k: v for k, v in m.items() if v.answers}
