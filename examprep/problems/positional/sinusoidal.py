"""Sinusoidal positional encoding (Vaswani et al. 2017), and z = x + PE.

Catalog: seed_003 B1, §1.8 (the d = 6 "I love AI" example; the notes slip 464.16 to 46.16) and §2.2 (the formula
sheet's garbled rule), seed_002 H4, seed_000 B10.

Parameters:
    d_model: the (even) embedding size d.
    positions: the pos values of the tokens asked about (one row of the answer each).
    base: the pos of the first token of the sequence (0 as in Vaswani et al., or 1); the prompt names the tokens by
        their place in the sequence (1st, 2nd, …), so the base decides which pos each one has.
    layout: ``interleaved`` (PE(pos,2k) = sin, PE(pos,2k+1) = cos) or ``split`` (all sines, then all cosines).
    X: optional embeddings, one row per position; then z = X + PE is asked for too.

Answer parts: ``denominators`` (10000^(2k/d), k = 0..d/2−1), ``pe`` (one row per position) and, when X is given,
``z`` = X + PE. 4 decimal places (denominators 4 significant figures).

Conventions stated in the prompt: the formula with its layout, dimensions counted from 0, the first token's pos,
angles in radians, PE added (not concatenated) to the embedding.

Reference: a torch table built the "Annotated Transformer" way, div = exp(−ln(10000)·2k/d), sin and cos written
into the even/odd (or first/second half) columns (examprep.reference.positional:sinusoidal).

Common mistakes: the wrong position base, sin and cos swapped, exponent k/d (i/d) instead of 2k/d, degrees instead
of radians, the other layout, the formula sheet's rule (sine exponent (j−1)/d), multiplying by 10000^(2k/d).

Versions: v1 — first version.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.solver.expr import Func, Mat, Num, Pow, Sym
from examprep.solver.step import Derivation

DP = 4


def encode(positions: Any, d: int, layout: str, *, exponent: Any = None, degrees: bool = False,
           swap: bool = False, multiply: bool = False, denominators: Any = None) -> np.ndarray:
    """The PE table (one row per position); the keywords do a mistaken variant.

    ``exponent(k)`` gives the exponent of 10000 for pair k (default 2k/d) — or, as a dict ``{"sin": f, "cos": g}``,
    per function of dimension j (the formula sheet's rule). ``denominators`` are the 10000^(2k/d) to divide by
    (the student's, error carried forward), in place of computing them.
    """
    pos = np.asarray(positions, dtype=float)[:, None]
    k = np.arange(d // 2)
    if isinstance(exponent, dict):
        e_sin, e_cos = exponent["sin"](k), exponent["cos"](k)
    else:
        e_sin = e_cos = (exponent or (lambda kk: 2 * kk / d))(k)
    angle_sin = pos * 10000.0 ** e_sin if multiply else pos / 10000.0 ** e_sin
    angle_cos = pos * 10000.0 ** e_cos if multiply else pos / 10000.0 ** e_cos
    if denominators is not None:
        angle_sin = angle_cos = pos / np.asarray(denominators, dtype=float)
    if degrees:
        angle_sin, angle_cos = np.radians(angle_sin), np.radians(angle_cos)
    first, second = np.sin(angle_sin), np.cos(angle_cos)
    if swap:
        first, second = np.cos(angle_sin), np.sin(angle_cos)
    pe = np.empty((len(pos), d))
    if layout == "interleaved":
        pe[:, 0::2], pe[:, 1::2] = first, second
    else:
        pe[:, : d // 2], pe[:, d // 2:] = first, second
    return pe


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class Sinusoidal(ProblemType):
    id = "positional/sinusoidal-v1"
    title = "Sinusoidal positional encoding"
    catalog = "seed_003 B1, 1.8, 2.2; seed_002 H4"
    reference_entry = "examprep.reference.positional:sinusoidal"
    params = (
        Param("d_model", "int", "embedding size d (even)", lo=2, hi=1024),
        Param("positions", "int_vector", "the pos values of the tokens asked about", lo=0, hi=100000),
        Param("base", "choice", "pos of the first token of the sequence", choices=(0, 1), default=0),
        Param("layout", "choice", "interleaved sin/cos (Vaswani) or split [all sin | all cos]",
              choices=("interleaved", "split"), default="interleaved"),
        Param("X", "matrix", "token embeddings, one row per position (then z = X + PE is asked for)",
              lo=-1000, hi=1000, optional=True),
    )
    parts = (
        Part("denominators", "Denominators 10000^(2k/d)", "vector", mode="sigfig", digits=4, final=False),
        Part("pe", "Positional encodings (one row per position)", "matrix", mode="decdig", digits=DP,
             uses=("denominators",)),
        Part("z", "z = x + PE (one row per position)", "matrix", mode="decdig", digits=DP, uses=("pe",)),
    )

    def active_parts(self, p: Params) -> tuple[Part, ...]:
        return self.parts if p.X is not None else self.parts[:2]

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        d = {"easy": 4, "medium": int(rng.choice([4, 6])), "hard": int(rng.choice([6, 8]))}[difficulty]
        base = 0 if difficulty == "easy" else int(rng.integers(2))
        count = {"easy": 1, "medium": 2, "hard": 3}[difficulty]
        positions = sorted(int(x) + base for x in rng.choice(8 if difficulty != "hard" else 11, count, replace=False))
        layout = "split" if difficulty == "hard" and rng.integers(3) == 0 else "interleaved"
        x = None
        if difficulty == "hard" or (difficulty == "medium" and rng.integers(2)):
            x = (rng.integers(-10, 11, size=(count, d)) / 10).tolist()
        return dict(d_model=d, positions=positions, base=base, layout=layout, X=x)

    def check(self, p: Params) -> list[str]:
        if p.d_model % 2:
            raise ParamError(f"d_model={p.d_model}: the sinusoidal encoding pairs dimensions, so d_model must be even")
        if min(p.positions) < p.base:
            raise ParamError(f"positions={list(p.positions)}: with base={p.base} the first token has pos = {p.base}, "
                             f"so every position must be ≥ {p.base}")
        if p.X is not None and (len(p.X) != len(p.positions) or len(p.X[0]) != p.d_model):
            raise ParamError(f"X must have one row per position and d_model columns: "
                             f"{len(p.positions)}×{p.d_model}, not {len(p.X)}×{len(p.X[0])}")
        return ["d_model > 16 is a lot to compute by hand"] if p.d_model > 16 else []

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        den = carry(given, "denominators", 10000.0 ** (2 * np.arange(p.d_model // 2) / p.d_model))
        pe = carry(given, "pe", encode(p.positions, p.d_model, p.layout, denominators=den))
        out: Answers = {"denominators": den, "pe": pe}
        if p.X is not None:
            out["z"] = np.asarray(p.X, dtype=float) + pe
        return out

    def statement(self, p: Params) -> list[Any]:
        d = p.d_model
        if p.layout == "interleaved":
            rule = (r"$\mathrm{PE}(\mathrm{pos}, 2k) = \sin(\mathrm{pos} / 10000^{2k/d})$ and "
                    r"$\mathrm{PE}(\mathrm{pos}, 2k + 1) = \cos(\mathrm{pos} / 10000^{2k/d})$ "
                    rf"(sine and cosine interleaved, as in Vaswani et al.), $k = 0, \ldots, {d // 2 - 1}$")
        else:
            rule = (r"$\mathrm{PE}(\mathrm{pos}, k) = \sin(\mathrm{pos} / 10000^{2k/d})$ and "
                    rf"$\mathrm{{PE}}(\mathrm{{pos}}, {d // 2} + k) = \cos(\mathrm{{pos}} / 10000^{{2k/d}})$, "
                    rf"$k = 0, \ldots, {d // 2 - 1}$ (all the sines first, then all the cosines)")
        names = [ordinal(q - p.base + 1) for q in p.positions]
        which = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        out: list[Any] = [
            f"Sinusoidal positional encoding with $d = {d}$: {rule}. Dimensions are counted from 0; "
            rf"positions are counted from {p.base}, so the first token of the sequence has "
            rf"$\mathrm{{pos}} = {p.base}$. "
            "Angles are in radians. ",
            f"Find the positional encodings of the {which} token{'s' if len(p.positions) > 1 else ''} of the "
            "sequence (one row each), and the denominators $10000^{2k/d}$",
        ]
        if p.X is not None:
            out += [r". Their embeddings are the rows of $X$; the encoding is added to the embedding: find "
                    r"$z = x + \mathrm{PE}$ for each", "\n$X$ = ", Mat([[Num(float(v)) for v in r] for r in p.X])]
        else:
            out.append(".")
        out.append(f"\nGive the denominators to 4 significant figures and the encodings to {DP} decimal places.")
        return out

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        dm = p.d_model
        half = dm // 2
        d = Derivation()
        exps = [Fraction(2 * k, dm) for k in range(half)]
        d.add("Denominators, one per pair k", a["denominators"], lhs=Pow(Num(10000), 2 * Sym("k") / Sym("d")),
              substituted=Mat([[Pow(Num(10000), Num(e)) for e in exps]]), part="denominators")
        for row, q in zip(a["pe"], p.positions, strict=True):
            sins = [Func("sin", Num(q) / Num(float(den))) for den in a["denominators"]]
            coss = [Func("cos", Num(q) / Num(float(den))) for den in a["denominators"]]
            cells = [c for pair in zip(sins, coss, strict=True) for c in pair] if p.layout == "interleaved" \
                else sins + coss
            d.add(f"Token {q - p.base + 1} (pos = {q})", row, lhs=f"PE_{q}", substituted=Mat([cells]),
                  note="angles in radians")
        d.add("Positional encodings (one row per position)", a["pe"], lhs="PE", part="pe")
        if p.X is not None:
            d.add("Add the encoding to the embedding", a["z"], lhs="Z", formula=Sym("X") + Sym("PE"),
                  substituted=Mat([[Num(float(v)) for v in r] for r in p.X]) + Mat(
                      [[Num(float(v)) for v in r] for r in a["pe"]]), part="z")
        last = a["z"] if p.X is not None else a["pe"]
        d.answer = ("z = " if p.X is not None else "PE = ") + "[" + ", ".join(
            "[" + ", ".join(f"{v:.4f}" for v in r) + "]" for r in last) + "]"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        d, lay = p.d_model, p.layout
        x = np.asarray(p.X, dtype=float) if p.X is not None else None

        def answers(pe: np.ndarray, **extra: Any) -> dict[str, Any]:
            out = {"pe": pe, **extra}
            if x is not None:
                out["z"] = x + pe
            return out

        shifted = [q + 1 - 2 * p.base for q in p.positions]
        m = {
            "wrong_base": Mistake(answers(encode(shifted, d, lay)),
                                  f"You counted positions from {1 - p.base}; here the first token has "
                                  f"pos = {p.base}."),
            "sin_cos_swapped": Mistake(answers(encode(p.positions, d, lay, swap=True)),
                                       "You swapped sine and cosine: the sine takes the even dimensions "
                                       "(or the first half), the cosine the odd ones."),
            "exponent_k_over_d": Mistake(answers(encode(p.positions, d, lay, exponent=lambda k: k / d),
                                                 denominators=10000.0 ** (np.arange(d // 2) / d)),
                                         "The exponent is 2k/d (twice the pair index over d), not k/d."),
            "degrees": Mistake(answers(encode(p.positions, d, lay, degrees=True)),
                               "Your calculator was in degrees: the angles pos/10000^(2k/d) are in radians."),
            "other_layout": Mistake(answers(encode(p.positions, d, "split" if lay == "interleaved" else "interleaved")),
                                    "You used the other layout: " + (
                                        "here sine and cosine alternate (sin, cos, sin, cos, …)."
                                        if lay == "interleaved" else "here all sines come first, then all cosines.")),
            "multiplied": Mistake(answers(encode(p.positions, d, lay, multiply=True)),
                                  "You multiplied pos by 10000^(2k/d); the angle is pos divided by it."),
        }
        if lay == "interleaved":
            sheet = encode(p.positions, d, lay, exponent={"sin": lambda k: (2 * k - 1) / d,
                                                          "cos": lambda k: 2 * k / d})
            m["sheet_formula"] = Mistake(answers(sheet),
                                         "You used the formula sheet's rule (exponent (j−1)/d for the sine of "
                                         "dimension j): the sine of dimension 2k uses 2k/d, like its cosine.")
        return m

    def degenerate(self, p: Params) -> str | None:
        return None if max(p.positions) > 0 else "only position 0 (PE = [0, 1, 0, 1, …] whatever the formula)"

