"""Luong attention, global (v1) or local-p: an aligned position p_t, a window of 2D + 1 positions at most around it,
the scores and their softmax over the window, and a Gaussian centred on p_t that scales the weights.

Catalog: seed_002 G6 (S = 10, W_p = [[0.5, -0.2], [0.1, 0.3]], v_p = [1, 0.5], h_t = [1, 2]: p_t = 5.991325;
D = 2: window {4, 5, 6, 7}, align = softmax([0.2, 1.0, 0.5, -0.3]) = [0.192978, 0.429481, 0.260493, 0.117047],
Gaussian [0.137699, 0.611792, 0.999962, 0.601269], weights [0.026573, 0.262753, 0.260484, 0.070377], sum 0.620186;
the notes leave the Gaussian out), seed_002 G5, seed_003 B5.

Parameters: v1's ``s`` (h_t), ``H`` (encoder states as rows, positions j = 1..S), ``score`` (dot | general | concat),
``W_a``, ``v``; and ``mode``: ``global`` (v1) or ``local_p`` with ``W_p`` (d_p×d_s), ``v_p`` (length d_p) and the
half-width ``D`` (a positive integer).

Answer parts (local_p): ``p_t`` = S·σ(v_pᵀ tanh(W_p h_t)); ``window``, the integers j in [1, S] with
|j - p_t| <= D; ``scores`` (the score of each window position); ``align`` = their softmax over the window;
``gauss`` = exp(-(j - p_t)^2/(2σ^2)) with σ = D/2; ``weights`` = align·gauss, not renormalised; ``context`` =
Σ_j weights_j h̄_j over the window. Global instances ask v1's ``scores``, ``weights`` and ``context``. Each part
from the one before (error carried forward): window from p_t, scores from the window, align from the scores, gauss
from p_t and the window, weights from align and gauss (global: from the scores), context from the weights.

Conventions stated in the prompt: every formula above, the window rule, σ = D/2, no renormalisation.

Reference: torch over the whole padded batch: p_t from ``torch.sigmoid``, the window as a mask of the positions
1..S, the scores of every position (v1's reference) masked outside it, ``torch.softmax``, the Gaussian from the
mask (examprep.reference.attention_local:luong_v2).

Common mistakes (local_p): the Gaussian left out (the weights are align, as in the notes), the ×S forgotten,
p_t rounded to a whole position before the Gaussian, the weights renormalised to sum to 1, σ = D instead of D/2,
no softmax, and v1's score mistakes carried through the window. Global: v1's.

Generated instances: local_p two times in three; p_t at least 0.1 from a whole number (the window's edges and the
rounded-p_t mistake stay clear), at least two window positions with scores 0.05 apart; no named mistake within the
grading tolerance.

Versions: v2 — adds ``mode`` (local_p) and its parts; v1 stays registered (its codes regenerate unchanged).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, carry
from examprep.problems.attention.luong import DP, Luong, luong_scores, score_steps, score_weights
from examprep.problems.attention.steps import arr, col, mat, softmax, softmax_steps
from examprep.problems.mlp.near_miss import add
from examprep.solver.expr import Func, Mat, Num, Sym
from examprep.solver.step import Derivation

MODES = ("global", "local_p")
LOCAL = ("p_t", "window", "scores", "align", "gauss", "weights", "context")


def _vec(name: str, label: str, uses: tuple[str, ...], final: bool = True, **kw: Any) -> Part:
    return Part(name, label, "vector", mode="decdig", digits=DP, final=final, uses=uses, **kw)


def window_of(p_t: float, S: int, D: int) -> np.ndarray:  # noqa: N803
    """The positions j = 1..S with |j - p_t| <= D."""
    j = np.arange(1, S + 1)
    return j[np.abs(j - p_t) <= D + 1e-12]


GLOBAL_FEEDBACK = {
    "no_softmax": "You used the scores as weights: the weights are their softmax (they sum to 1).",
    "context_from_scores": r"You weighted the encoder states by the scores; use the softmax weights $\alpha_j$.",
    "scaled": r"Luong's dot score is not scaled: no division by $\sqrt{d}$ (that is the Transformer's scaled dot "
              "product).",
    "w_transposed": r"You used $W_a^\top$: the score is $h_t^\top W_a \bar{h}_j$.",
    "w_left_out": r"You left out $W_a$: the general score is $h_t^\top W_a \bar{h}_j$.",
    "no_tanh": r"You left out the tanh: $e_j = v^\top \tanh(W_a [h_t; \bar{h}_j])$.",
    "concat_swapped": r"You stacked $[\bar{h}_j; h_t]$; the decoder state $h_t$ comes first.",
}


def _square_asymmetric(m: Any) -> bool:
    a = arr(m)
    return a.shape[0] == a.shape[1] and not np.array_equal(a, a.T)


class LuongV2(Luong):
    id = "attention/luong-v2"
    title = "Luong attention, global or local-p"
    catalog = "seed_002 G5-G6; seed_003 B5"
    reference_entry = "examprep.reference.attention_local:luong_v2"
    params = (
        *Luong.params,
        Param("mode", "choice", "global (every position) or local_p (a window around a predicted position)",
              choices=MODES, default="global"),
        Param("W_p", "matrix", "local_p: position weights W_p (d_p×d_s)", lo=-100, hi=100, optional=True),
        Param("v_p", "vector", "local_p: position vector v_p (length d_p)", lo=-100, hi=100, optional=True),
        Param("D", "int", "local_p: half-width of the window", lo=1, hi=50, optional=True),
    )
    parts = (
        Part("p_t", "Aligned position p_t", "real", mode="decdig", digits=DP),
        Part("window", "Window positions j", "vector", integral=True, final=False, partial=False, uses=("p_t",)),
        _vec("scores", "Scores (window positions)", ("window",)),
        _vec("align", "align: softmax of the scores over the window", ("scores",), final=False, share=True),
        _vec("gauss", "Gaussian factors", ("p_t", "window"), final=False),
        _vec("weights", "Attention weights", ("scores", "align", "gauss"), share=True),
        _vec("context", "Context c_t", ("weights", "window")),
    )

    def active_parts(self, p: Params) -> tuple[Part, ...]:
        names = LOCAL if p.mode == "local_p" else ("scores", "weights", "context")
        return tuple(pt for pt in self.parts if pt.name in names)

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        base = super().sample(rng, difficulty)
        if rng.random() < 1 / 3:
            return {**base, "mode": "global"}
        S = {"easy": 5, "medium": int(rng.integers(5, 7)), "hard": int(rng.integers(6, 9))}[difficulty]  # noqa: N806
        vals = np.array([-1, 0, 1, 2])
        step = [-1, -0.5, 0, 0.5, 1] if difficulty != "hard" else np.round(np.arange(-10, 11) / 10, 1).tolist()
        H = vals[rng.integers(4, size=(S, 2))].tolist()  # noqa: N806
        W_p = np.asarray(step)[rng.integers(len(step), size=(2, 2))].tolist()  # noqa: N806
        v_p = [float(x) for x in rng.choice([-1, -0.5, 0.5, 1], size=2)]
        D = 1 if difficulty == "easy" else int(rng.integers(1, 3))  # noqa: N806
        return {**base, "H": H, "mode": "local_p", "W_p": W_p, "v_p": v_p, "D": D}

    def check(self, p: Params) -> list[str]:
        warn = super().check(p)
        if p.mode == "global":
            if p.W_p is not None or p.v_p is not None or p.D is not None:
                warn.append("global attention uses neither W_p, v_p nor D; they are ignored")
            return warn
        if p.W_p is None or p.v_p is None or p.D is None:
            raise ParamError("local_p attention needs W_p, v_p and D: give --set W_p=[[...]] --set v_p=[...] --set D=2")
        if len(p.W_p[0]) != len(p.s) or len(p.W_p) != len(p.v_p):
            raise ParamError(f"W_p must be d_p×d_s = {len(p.v_p)}×{len(p.s)} (d_p = length of v_p, d_s = length of s)")
        return warn

    # ---- answers --------------------------------------------------------------------------------------------------
    def position(self, p: Params, times_s: bool = True) -> float:
        """p_t = S·σ(v_pᵀ tanh(W_p h_t)) (without the S for the mistake)."""
        x = float(arr(p.v_p) @ np.tanh(arr(p.W_p) @ arr(p.s)))
        return (len(p.H) if times_s else 1) / (1 + math.exp(-x))

    def local(self, p: Params, given: Answers | None = None, *, times_s: bool = True, round_p: bool = False,
              gaussian: bool = True, renorm: bool = False, sigma: float = 0.5, soft: bool = True,
              variant: dict[str, Any] | None = None) -> Answers:
        """The local-p parts, from the student's values where given, or a mistaken version (each keyword one
        mistake; ``variant`` the keywords of a mistaken score for :func:`luong_scores`)."""
        H = arr(p.H)  # noqa: N806
        p_t = carry(given, "p_t", self.position(p, times_s))
        window = carry(given, "window", window_of(p_t, len(H), p.D))
        if given and "window" in given:
            if not np.all(window == np.round(window)) or window.min() < 1 or window.max() > len(H):
                raise ValueError("the window must hold positions 1 to S")
            window = np.round(window).astype(int)
        Hw = H[window - 1]  # noqa: N806
        e = carry(given, "scores", self._scores(p, Hw, variant))
        align = carry(given, "align", softmax(e) if soft else e)
        centre = float(round(p_t)) if round_p else p_t
        gauss = carry(given, "gauss", np.exp(-((window - centre) ** 2) / (2 * (sigma * p.D) ** 2)))
        w = carry(given, "weights", align * gauss if gaussian else align)
        if renorm:
            w = w / w.sum()
        return {"p_t": p_t, "window": window, "scores": e, "align": align, "gauss": gauss, "weights": w,
                "context": w @ Hw}

    def _scores(self, p: Params, Hw: np.ndarray, variant: dict[str, Any] | None = None) -> np.ndarray:  # noqa: N803
        s = arr(p.s)
        Wa, v = self._weights(p)  # noqa: N806
        kind = dict(variant or {})
        if kind.pop("scaled", False):
            return luong_scores(p.score, s, Hw, Wa, v) / math.sqrt(len(s))
        if kind.pop("transposed", False):
            return luong_scores(p.score, s, Hw, Wa.T, v)
        if kind.pop("left_out", False):
            return Hw @ s
        return luong_scores(p.score, s, Hw, Wa, v, **kind)

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return self.local(p, given) if p.mode == "local_p" else super().solve(p, given)

    def degenerate(self, p: Params) -> str | None:
        if p.mode == "global":
            return super().degenerate(p)
        a = self.solve(p)
        if abs(a["p_t"] - round(a["p_t"])) < 0.1:
            return "p_t is (nearly) a whole position"
        if len(a["window"]) < 2 or np.ptp(a["scores"]) < 0.05:
            return "fewer than two window positions, or their scores (nearly) equal"
        return None

    # ---- text -----------------------------------------------------------------------------------------------------
    def statement(self, p: Params) -> list[Any]:
        if p.mode == "global":
            return super().statement(p)
        rule = {"dot": r"$e_j = h_t^\top \bar{h}_j$ (dot)", "general": r"$e_j = h_t^\top W_a \bar{h}_j$ (general)",
                "concat": r"$e_j = v^\top \tanh(W_a [h_t; \bar{h}_j])$ (concat; $[h_t; \bar{h}_j]$ stacks $h_t$ "
                          r"above $\bar{h}_j$)"}[p.score]
        out: list[Any] = [
            r"Luong local-p attention. The current decoder state is $h_t = s$ and the encoder states "
            rf"$\bar{{h}}_1, \ldots, \bar{{h}}_S$ ($S = {len(p.H)}$) are the rows of $H$, at positions "
            r"$j = 1, \ldots, S$. The aligned position is $p_t = \frac{S}{1 + \exp(-v_p^\top \tanh(W_p h_t))}$ "
            r"($S$ times the sigmoid). The window holds the positions $j$ with $|j - p_t| \le D$, "
            rf"$D = {p.D}$. Over the window the scores are {rule}, with column vectors; "
            r"$\operatorname{align}_j = \operatorname{softmax}(e)_j$ over the window positions; the weights are "
            r"$\alpha_j = \operatorname{align}_j \exp(-(j - p_t)^2 / (2\sigma^2))$ with $\sigma = D/2$, not "
            r"renormalised; the context is $c_t = \sum_j \alpha_j \bar{h}_j$ over the window. Find $p_t$, the "
            r"window, the scores, align, the Gaussian factors $\exp(-(j - p_t)^2 / (2\sigma^2))$, the weights "
            f"and the context, to {DP} decimal places.", "\n$s$ = ", mat(p.s), "\n$H$ = ", mat(p.H),
            "\n$W_p$ = ", mat(p.W_p), "\n$v_p$ = ", mat(p.v_p)]
        return out + score_weights(p)

    def derivation(self, p: Params) -> Derivation:
        if p.mode == "global":
            return super().derivation(p)
        a = self.solve(p)
        s, Wp, vp = arr(p.s), arr(p.W_p), arr(p.v_p)  # noqa: N806
        d = Derivation()
        u = Wp @ s
        d.add("$W_p h_t$", u, lhs=Sym("W_p") @ Sym("h_t"), substituted=mat(Wp) @ col(s))
        t = np.tanh(u)
        d.add("Elementwise tanh", t, lhs=r"\tanh(W_p h_t)", substituted=Mat([[Func("tanh", Num(float(x)))]
                                                                           for x in u]))
        x = float(vp @ t)
        d.add(r"$x = v_p^\top \tanh(W_p h_t)$, the sigmoid's argument", x, lhs="x", substituted=mat(vp) @ col(t))
        S = len(p.H)  # noqa: N806
        d.add(r"Aligned position $p_t = \frac{S}{1 + \exp(-x)}$", a["p_t"], lhs="p_t",
              substituted=Num(S) / (Num(1) + Func("exp", Num(-x))), part="p_t")
        lo, hi = max(1, math.ceil(a["p_t"] - p.D)), min(S, math.floor(a["p_t"] + p.D))
        d.add(rf"Window: the positions $j$ with $|j - p_t| \le D$, from $\lceil p_t - D \rceil$ to "
              rf"$\lfloor p_t + D \rfloor$ within 1 to $S$: $j = {lo}$ to ${hi}$", a["window"], lhs="j",
              part="window")
        Hw = arr(p.H)[a["window"] - 1]  # noqa: N806
        d.add(r"$H_w$: the rows of $H$ at the window positions", Hw, lhs="H_w", substituted=mat(Hw))
        score_steps(d, p, Hw, a["scores"], rows="H_w")
        softmax_steps(d, a["scores"][None, :], None, part="align", sym=r"\operatorname{align}",
                      what="the window positions", vector=True)
        sigma = p.D / 2
        d.add(rf"Gaussian factors $\exp(-(j - p_t)^2 / (2\sigma^2))$, $\sigma = D/2 = {sigma:g}$", a["gauss"],
              lhs="g", part="gauss",
              substituted=Mat([[Func("exp", Num(-float((j - a["p_t"]) ** 2) / (2 * sigma**2))) for j in a["window"]]]))
        d.add(r"Weights $\alpha_j = \operatorname{align}_j g_j$ (not renormalised)", a["weights"], lhs=r"\alpha",
              substituted=Mat([[Num(float(x)) * Num(float(y)) for x, y in zip(a["align"], a["gauss"], strict=True)]]),
              part="weights", note=f"they sum to {float(np.sum(a['weights'])):.6f}, not 1")
        d.add(r"Context $c_t = \sum_j \alpha_j \bar{h}_j$", a["context"], lhs="c_t", formula=Sym("α") @ Sym("H_w"),
              substituted=mat(a["weights"]) @ mat(Hw), part="context")
        d.answer = "c_t = [" + ", ".join(f"{x:.4f}" for x in a["context"]) + "]"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        if p.mode == "global":  # v1's, worded in math markup
            return {k: Mistake(m.answers, GLOBAL_FEEDBACK.get(k, m.feedback)) for k, m in super().mistakes(p).items()}
        truth = self.solve(p)
        m: dict[str, Mistake] = {}
        for name, kw, fb in (
                ("no_gaussian", {"gaussian": False},
                 r"You left out the Gaussian: local-p attention multiplies each $\operatorname{align}_j$ by "
                 r"$\exp(-(j - p_t)^2 / (2\sigma^2))$, $\sigma = D/2$."),
                ("times_s_forgotten", {"times_s": False},
                 r"The sigmoid gives a number between 0 and 1; $p_t$ is $S$ times it, a position between 0 and "
                 "$S$."),
                ("p_t_rounded", {"round_p": True},
                 r"You rounded $p_t$ to a whole position before the Gaussian; keep $p_t$ as it is, so the Gaussian "
                 "is centred between positions."),
                ("renormalised", {"renorm": True},
                 r"The weights $\alpha_j = \operatorname{align}_j \exp(-(j - p_t)^2 / (2\sigma^2))$ are not "
                 "renormalised: they sum to less than 1."),
                ("sigma_d", {"sigma": 1.0},
                 r"The Gaussian's width is $\sigma = D/2$, not $D$."),
                ("no_softmax", {"soft": False},
                 r"You used the scores as align: $\operatorname{align}$ is their softmax over the window.")):
            add(m, name, self.local(p, **kw), truth, fb)
        for name, variant, ok in (
                ("scaled", {"scaled": True}, p.score == "dot"),
                ("w_transposed", {"transposed": True}, p.score == "general" and _square_asymmetric(p.W_a)),
                ("w_left_out", {"left_out": True}, p.score == "general" and len(p.s) == len(p.H[0])),
                ("no_tanh", {"tanh": False}, p.score == "concat"),
                ("concat_swapped", {"swap": True}, p.score == "concat" and len(p.s) == len(p.H[0]))):
            if ok:
                add(m, name, self.local(p, variant=variant), truth, GLOBAL_FEEDBACK[name])
        return m
