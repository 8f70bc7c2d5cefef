"""Rotary position embedding (RoPE): rotate a query at position m and a key at position n, and take their dot
product (which depends only on m − n).

Catalog: seed_000_001 B10 (RoPE, the half-split layout of transformers' ``apply_rotary_pos_emb``), seed_002 H4,
seed_003 B1.

Parameters:
    q, k: query and key (even length d). m, n: their positions. base: the frequency base (10000).
    pairing: ``interleaved`` (pair i is (x_2i, x_2i+1), the RoPE paper) or ``half`` (pair i is (x_i, x_i+d/2),
    Hugging Face's ``rotate_half``).

Answer parts: ``angles`` = m·θ_i with θ_i = base^(−2i/d), i = 0..d/2 − 1 (radians); ``q_rot`` = R_m q, ``k_rot`` =
R_n k (each pair (a, b) rotated counter-clockwise: (a cos φ − b sin φ, a sin φ + b cos φ)); ``dot`` = ⟨R_m q, R_n k⟩.

Reference: each pair as a complex number a + ib times ``torch.polar(1, mθ_i)`` (examprep.reference.transformer:rope).

Common mistakes: the other pairing, θ_i = base^(−i/d), the angles taken in degrees, a clockwise rotation.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.gan.fair import close_to_truth, near_miss
from examprep.seeding import picker
from examprep.solver.expr import Func, Mat, Num, Sym, paren
from examprep.solver.step import Derivation

DP = 4
PAIRINGS = ("interleaved", "half")


def pair_index(d: int, pairing: str) -> tuple[np.ndarray, np.ndarray]:
    """The positions of the first and second entries of each pair i = 0..d/2 − 1."""
    i = np.arange(d // 2)
    return (2 * i, 2 * i + 1) if pairing == "interleaved" else (i, i + d // 2)


def thetas(d: int, base: float, per_i: bool = False) -> np.ndarray:
    """θ_i = base^(−2i/d) (``per_i``: the mistaken base^(−i/d))."""
    i = np.arange(d // 2)
    return base ** (-(i if per_i else 2 * i) / d)


def rotate(x: Any, pos: int, pairing: str, base: float, *, per_i: bool = False, degrees: bool = False,
           sign: int = 1, angles: np.ndarray | None = None) -> np.ndarray:
    """R_pos x (or x rotated by the given ``angles``); the other keywords do the named mistakes."""
    x = np.asarray(x, dtype=float)
    a_idx, b_idx = pair_index(len(x), pairing)
    phi = sign * pos * thetas(len(x), base, per_i) if angles is None else angles
    if degrees:
        phi = np.deg2rad(phi)
    a, b = x[a_idx], x[b_idx]
    out = np.empty_like(x)
    out[a_idx] = a * np.cos(phi) - b * np.sin(phi)
    out[b_idx] = a * np.sin(phi) + b * np.cos(phi)
    return out


def rope_parts(p: Params, pairing: str | None = None, given: Answers | None = None, **kw: Any) -> dict[str, Any]:
    """Every part; ``given``: the student's earlier parts (q is rotated by their angles, the dot product taken of
    their rotated vectors); the keywords do the named mistakes."""
    pr = pairing or p.pairing
    angles = p.m * thetas(len(p.q), p.base, kw.get("per_i", False))
    if given and "angles" in given:
        qr = rotate(p.q, p.m, pr, p.base, angles=carry(given, "angles", angles))
    else:
        qr = rotate(p.q, p.m, pr, p.base, **kw)
    qr = carry(given, "q_rot", qr)
    kr = carry(given, "k_rot", rotate(p.k, p.n, pr, p.base, **kw))
    return {"angles": angles, "q_rot": qr, "k_rot": kr, "dot": float(qr @ kr)}


def num(v: float) -> Any:
    """A number, in parentheses when negative (so that a − (−1) reads right)."""
    return paren(Num(float(v))) if v < 0 else Num(float(v))


def _dot_expr(x: Any, y: Any) -> Any:
    """x₀y₀ + x₁y₁ + … with the numbers shown."""
    terms = [num(u) * num(v) for u, v in zip(x, y, strict=True)]
    out = terms[0]
    for t in terms[1:]:
        out = out + t
    return out


class Rope(ProblemType):
    id = "transformer/rope-v1"
    title = "Rotary position embedding (RoPE)"
    catalog = "seed_000_001 B10"
    reference_entry = "examprep.reference.transformer:rope"
    params = (
        Param("q", "vector", "the query (even length d)", lo=-100, hi=100),
        Param("k", "vector", "the key (same length as q)", lo=-100, hi=100),
        Param("m", "int", "position of the query", lo=0, hi=100000),
        Param("n", "int", "position of the key", lo=0, hi=100000),
        Param("base", "real", "frequency base", lo=2, hi=1e7, default=10000.0),
        Param("pairing", "choice", "interleaved (x_2i, x_2i+1) or half (x_i, x_i+d/2)", choices=PAIRINGS,
              default="interleaved"),
    )
    parts = (
        Part("angles", "Rotation angles m·θ_i of the query (radians)", "vector", mode="decdig", digits=DP,
             final=False),
        Part("q_rot", "Rotated query R_m q", "vector", mode="decdig", digits=DP, uses=("angles",)),
        Part("k_rot", "Rotated key R_n k", "vector", mode="decdig", digits=DP),
        Part("dot", "Dot product of the rotated query and key", "real", mode="decdig", digits=DP,
             uses=("q_rot", "k_rot")),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        pick = picker(rng)
        d = 4 if difficulty != "hard" else pick([4, 6])
        vals = [-1, 0, 1] if difficulty == "easy" else [-1, 0, 1, 2]
        return dict(q=tuple(float(pick(vals)) for _ in range(d)), k=tuple(float(pick(vals)) for _ in range(d)),
                    m=int(rng.integers(0, 6)), n=int(rng.integers(0, 6)),
                    pairing="interleaved" if difficulty == "easy" else pick(list(PAIRINGS)))

    def check(self, p: Params) -> list[str]:
        from examprep.errors import ParamError

        if len(p.q) % 2 or len(p.q) < 2:
            raise ParamError(f"q has {len(p.q)} entries: RoPE rotates pairs, so give an even length (2, 4, 6, …)")
        if len(p.k) != len(p.q):
            raise ParamError(f"k has {len(p.k)} entries and q has {len(p.q)}: give them the same length")
        return []

    def degenerate(self, p: Params) -> str | None:
        if max(p.m, p.n) == 0:
            return "both positions 0 (nothing rotates)"
        if not any(p.q) or not any(p.k):
            return "a zero vector"
        return near_miss(self.solve(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        d = len(p.q)
        pairs = ("$(x_{2i}, x_{2i+1})$ (neighbouring entries, as in the RoPE paper)" if p.pairing == "interleaved"
                 else "$(x_i, x_{i + d/2})$ (the first half with the second half, as Hugging Face's "
                 "rotate_half does)")
        return [
            f"Rotary position embedding with $d = {d}$ (entries counted from 0): pair $i = 0, \\ldots, {d // 2 - 1}$ "
            f"is {pairs}, and it is rotated counter-clockwise by the angle $p \\theta_i$ (in radians) at position "
            f"$p$, with $\\theta_i = b^{{-2i/d}}$ and $b = {p.base:g}$: $(a, c) \\to (a \\cos \\varphi - c \\sin "
            "\\varphi, a \\sin \\varphi + c \\cos \\varphi)$. The query $q$ = ", list(p.q), f" is at position "
            f"$m = {p.m}$ and the key $k$ = ", list(p.k), f" at position $n = {p.n}$. Give the angles "
            "$m \\theta_i$, the rotated query $R_m q$, the rotated key $R_n k$ and their dot product, all to "
            f"{DP} decimal places."]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return rope_parts(p, given=given)

    def derivation(self, p: Params) -> Derivation:
        a = self.solve(p)
        dd = len(p.q)
        d = Derivation()
        th = thetas(dd, p.base)
        i_, dsym, b = Sym("i"), Sym("d"), Sym("b")
        d.add("Frequencies", th, lhs=Sym("theta_i", tex=r"\theta_i"),
              formula=b ** (-2 * i_ / dsym),
              substituted=Mat([[Num(p.base) ** Num(-2 * i / dd) for i in range(dd // 2)]]))
        d.add("Angles of the query", a["angles"], lhs=Sym("phi_m", tex=r"m\theta_i"),
              substituted=Mat([[Num(p.m) * Num(float(t)) for t in th]]), part="angles", note="radians")
        for vec, pos, name, part in ((p.q, p.m, "q", "q_rot"), (p.k, p.n, "k", "k_rot")):
            a_idx, b_idx = pair_index(dd, p.pairing)
            cells: list[Any] = [None] * dd
            for i, (ia, ib) in enumerate(zip(a_idx, b_idx, strict=True)):
                phi = Num(float(pos * th[i]))
                xa, xb = num(vec[ia]), num(vec[ib])
                cells[ia] = xa * Func("cos", phi) - xb * Func("sin", phi)
                cells[ib] = xa * Func("sin", phi) + xb * Func("cos", phi)
            sym = "m" if name == "q" else "n"
            d.add(f"Rotate {name} (position {sym} = {pos})", a[part], lhs=Sym(f"R_{sym}{name}", tex=f"R_{sym} {name}"),
                  substituted=Mat([cells]), part=part,
                  note="pairs " + ", ".join(f"({int(x)}, {int(y)})" for x, y in zip(a_idx, b_idx, strict=True))
                  + f" rotated by {sym}·θ_i")
        d.add("Dot product", a["dot"], lhs=Sym("dot", tex=r"(R_m q) \cdot (R_n k)"),
              substituted=_dot_expr(a["q_rot"], a["k_rot"]), part="dot",
              note=f"it depends only on m − n = {p.m - p.n}")
        d.answer = f"q·k after RoPE = {a['dot']:.4f}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)

        def changed(m: dict[str, Any]) -> dict[str, Any]:
            return {k: v for k, v in m.items() if not close_to_truth(v, truth[k], 1e-12)}

        other = "half" if p.pairing == "interleaved" else "interleaved"
        m = {
            "other_pairing": Mistake(changed(rope_parts(p, other)),
                                     "You paired the wrong entries: here pair i is " + (
                                         "(x_2i, x_2i+1), neighbouring entries." if p.pairing == "interleaved"
                                         else "(x_i, x_i+d/2), the first half with the second half.")),
            "theta_i_over_d": Mistake(changed(rope_parts(p, per_i=True)),
                                      "The frequency is θ_i = base^(−2i/d) (twice the pair index over d), not "
                                      "base^(−i/d)."),
            "degrees": Mistake(changed(rope_parts(p, degrees=True)),
                               "Your calculator was in degrees: the angles p·θ_i are in radians."),
            "clockwise": Mistake(changed(rope_parts(p, sign=-1)),
                                 "The rotation is counter-clockwise: (a, c) → (a cos φ − c sin φ, a sin φ + c cos φ)."),
        }
        return {k: v for k, v in m.items() if v.answers}
