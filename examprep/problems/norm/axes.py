"""Which axes BatchNorm, LayerNorm, InstanceNorm and GroupNorm average over: statistics, sizes, parameters.

Catalog: seed_002 C8.

Parameters: shape (N, C, H, W); kind (``batch``, ``layer``, ``instance``, ``group``); groups (GroupNorm's G);
optional x, a row per (sample, channel) pair (sample-major: n = 1's channels first) holding the H·W values row by
row, to normalise numerically; eps (1e-5).

Answer parts: ``n_stats`` (mean/variance pairs: C, N, N·C, N·G), ``per_stat`` (values each averages: N·H·W, C·H·W,
H·W, (C/G)·H·W), ``params`` (learnable parameters of PyTorch's module with its defaults: BatchNorm2d(C) 2C,
LayerNorm((C, H, W)) 2·C·H·W, InstanceNorm2d(C) none (affine=False), GroupNorm(G, C) 2C), ``normalized`` (x
normalised with the biased variance, no affine; only when x is given).

Reference: the modules' ``numel`` for the parameters; ``F.batch_norm``, ``F.layer_norm``, ``F.instance_norm``,
``F.group_norm`` for the values, and the statistics read off their dependence (moving one input moves the outputs
of its own statistic only) (examprep.reference.norm:axes).

Common mistakes: the BN and LN axes swapped; InstanceNorm counted as C statistics; GroupNorm counted as G
statistics (the samples forgotten); LayerNorm's parameters as 2C.

Versions: v1 — first version.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType
from examprep.problems.norm import stats as st
from examprep.problems.optim.mistakes import distinct, lost
from examprep.problems.optim.objective import num
from examprep.solver.expr import Num, Sym, paren
from examprep.solver.step import Derivation

MODULES = {"batch": "BatchNorm2d(C)", "layer": "LayerNorm((C, H, W))", "instance": "InstanceNorm2d(C)",
           "group": "GroupNorm(G, C)"}
AXES = {"batch": "(N, H, W)", "layer": "(C, H, W)", "instance": "(H, W)", "group": "(C/G, H, W)"}


def groups_of(kind: str, shape: tuple[int, ...], G: int) -> tuple[int, int]:
    """(number of statistics, values per statistic)."""
    N, C, H, W = shape
    return {"batch": (C, N * H * W), "layer": (N, C * H * W), "instance": (N * C, H * W),
            "group": (N * G, C // G * H * W)}[kind]


def param_count(kind: str, shape: tuple[int, ...]) -> int:
    _, C, H, W = shape
    return {"batch": 2 * C, "layer": 2 * C * H * W, "instance": 0, "group": 2 * C}[kind]


def members(kind: str, shape: tuple[int, ...], G: int) -> list[list[tuple[int, int]]]:
    """Each statistic's (row, column) cells of x's layout (row = n·C + c, column = h·W + w)."""
    N, C, H, W = shape
    cells = lambda ns, cs: [(n * C + c, k) for n in ns for c in cs for k in range(H * W)]  # noqa: E731
    if kind == "batch":
        return [cells(range(N), [c]) for c in range(C)]
    if kind == "layer":
        return [cells([n], range(C)) for n in range(N)]
    if kind == "instance":
        return [cells([n], [c]) for n in range(N) for c in range(C)]
    k = C // G
    return [cells([n], range(g * k, (g + 1) * k)) for n in range(N) for g in range(G)]


class NormAxes(ProblemType):
    id = "norm/axes-v1"
    title = "BatchNorm, LayerNorm, InstanceNorm, GroupNorm: axes, statistics, parameters"
    catalog = "seed_002 C8"
    reference_entry = "examprep.reference.norm:axes"
    params = (
        Param("shape", "int_vector", "the feature map's shape (N, C, H, W)", lo=1, hi=4096),
        Param("kind", "choice", "batch, layer, instance or group normalisation",
              choices=("batch", "layer", "instance", "group")),
        Param("groups", "int", "GroupNorm's number of groups G (divides C)", lo=1, hi=4096, optional=True),
        Param("x", "matrix", "values to normalise: a row per (sample, channel), the H·W values row by row",
              lo=-1000, hi=1000, optional=True),
        Param("eps", "real", "ε added to the variance", lo=0, hi=1, default=1e-5),
    )
    parts = (
        Part("n_stats", "Number of mean/variance pairs", "integer"),
        Part("per_stat", "Values averaged by each", "integer"),
        Part("params", "Learnable parameters of the PyTorch module (default settings)", "integer"),
        Part("normalized", "x normalised (no affine), in x's layout", "matrix"),
    )

    def active_parts(self, p: Params) -> tuple[Part, ...]:
        return self.parts if p.x is not None else self.parts[:3]

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        kind = ("batch", "layer", "instance", "group")[int(rng.integers(4))]
        if difficulty != "easy" and rng.integers(2):
            shape = ((2, 2, 1, 2), (2, 3, 1, 2), (2, 2, 2, 2))[int(rng.integers(3))]
            x = tuple(tuple(float(v) for v in rng.integers(-2, 7, size=shape[2] * shape[3]))
                      for _ in range(shape[0] * shape[1]))
            G = 1 if shape[1] == 3 else 2
        else:
            C = int((4, 6, 16, 32)[int(rng.integers(4))])
            shape = (int((2, 4, 8, 16)[int(rng.integers(4))]), C, *(2 * [int((2, 4, 7)[int(rng.integers(3))])]))
            ok = [g for g in (2, 4, 8) if C % g == 0 and g < C]
            x, G = None, int(ok[int(rng.integers(len(ok)))])
        return dict(shape=shape, kind=kind, groups=G if kind == "group" else None, x=x)

    def check(self, p: Params) -> list[str]:
        if len(p.shape) != 4:
            raise ParamError(f"shape has {len(p.shape)} entries; give (N, C, H, W)")
        N, C, H, W = p.shape
        if p.kind == "group":
            if p.groups is None or C % p.groups:
                raise ParamError(f"GroupNorm needs groups dividing C = {C} (e.g. --set groups=1)")
        elif p.groups is not None:
            raise ParamError("groups applies to kind=group only")
        if p.x is not None:
            if len(p.x) != N * C or len(p.x[0]) != H * W:
                raise ParamError(f"x needs N·C = {N * C} rows of H·W = {H * W} values for shape {tuple(p.shape)}")
            if p.eps == 0 and any(st.var(v) == 0 for v in self.stat_values(p)):
                raise ParamError("a statistic's values are all equal and eps = 0: the normalisation divides by 0")
        return []

    def stat_values(self, p: Params) -> list[list[float]]:
        return [[float(p.x[r][k]) for r, k in cells] for cells in members(p.kind, tuple(p.shape), p.groups or 1)]

    def run(self, p: Params, kind: str | None = None) -> Answers:
        kind = kind or p.kind
        shape = tuple(p.shape)
        n, per = groups_of(kind, shape, p.groups or 1)
        ans: Answers = {"n_stats": n, "per_stat": per, "params": param_count(kind, shape)}
        if p.x is not None:
            out = [[0.0] * len(p.x[0]) for _ in p.x]
            for cells in members(kind, shape, p.groups or 1):
                v = [float(p.x[r][k]) for r, k in cells]
                m, sd = st.mean(v), math.sqrt(st.var(v) + p.eps)
                for r, k in cells:
                    out[r][k] = (float(p.x[r][k]) - m) / sd
            ans["normalized"] = out
        return ans

    def solve(self, p: Params) -> Answers:
        return self.run(p)

    def candidates(self, p: Params) -> dict[str, Mistake]:
        out = {}
        if p.kind in ("batch", "layer"):
            other = "layer" if p.kind == "batch" else "batch"
            out["bn_ln_swapped"] = Mistake(
                {k: v for k, v in self.run(p, other).items() if k != "params"},
                "You used the other norm's axes: BatchNorm averages over (N, H, W), one statistic per channel; "
                "LayerNorm over (C, H, W), one per sample.")
        if p.kind == "instance":
            out["in_as_c_stats"] = Mistake({"n_stats": p.shape[1]},
                                           "You counted one statistic per channel. InstanceNorm has one per sample "
                                           "and channel: $N C$.")
        if p.kind == "group":
            out["gn_samples_forgotten"] = Mistake({"n_stats": p.groups},
                                                  "You counted one statistic per group only. GroupNorm computes "
                                                  "them per sample as well: $N G$.")
        if p.kind == "layer":
            out["ln_params_as_2c"] = Mistake({"params": 2 * p.shape[1]},
                                             "You counted 2C parameters. LayerNorm((C, H, W)) has an elementwise "
                                             r"affine: a $\gamma$ and a $\beta$ for each of the $C H W$ positions.")
        return out

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        truth = self.solve(p)
        out = {}
        for name, m in self.candidates(p).items():
            kept = distinct(self, truth, m.answers)
            if kept:
                out[name] = Mistake(kept, m.feedback)
        return out

    def degenerate(self, p: Params) -> str | None:
        if p.x is not None and any(st.var(v) == 0 for v in self.stat_values(p)):
            return "a constant statistic"
        return lost(self.candidates(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        N, C, H, W = p.shape
        mod = MODULES[p.kind].replace("G, C", f"{p.groups}, {C}").replace("(C, H, W)", f"({C}, {H}, {W})")
        mod = mod.replace("(C)", f"({C})")
        seg: list[Any] = [f"A feature map of shape $(N, C, H, W) = ({N}, {C}, {H}, {W})$ goes through PyTorch's "
                          f"{mod} in training mode, with the module's default settings. How many mean/variance "
                          "pairs are computed, over how many values each, and how many learnable parameters does "
                          "the module have?"]
        if p.x is not None:
            seg += [f" The values are (a row per (sample, channel) pair, sample 1's channels first; the {H * W} "
                    "values of a row are the positions row by row) $x$ = ", [list(r) for r in p.x],
                    f". Give x normalised by each statistic's mean and biased variance, "
                    f"$(x - \\mu)/\\sqrt{{\\sigma^2 + \\epsilon}}$ with $\\epsilon = {num(p.eps)}$ and no affine, in "
                    "the same layout."]
        return seg

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        N, C, H, W = p.shape
        G = p.groups or 1
        kept = {"batch": Sym("C"), "layer": Sym("N"), "instance": Sym("N") * Sym("C"), "group": Sym("N") * Sym("G")}
        red = {"batch": Sym("N") * Sym("H") * Sym("W"), "layer": Sym("C") * Sym("H") * Sym("W"),
               "instance": Sym("H") * Sym("W"), "group": paren(Sym("C") / Sym("G")) * Sym("H") * Sym("W")}
        vals = {"N": N, "C": C, "H": H, "W": W, "G": G}
        d.add("Statistics: one per kept index", ans["n_stats"], lhs=Sym("n_stats", tex=r"n_{\text{stats}}"),
              formula=kept[p.kind], subs=vals, part="n_stats",
              note=f"{p.kind} normalisation averages over {AXES[p.kind]} and keeps the other axes.")
        d.add("Values per statistic: the averaged axes", ans["per_stat"], lhs=Sym("n_per", tex=r"n_{\text{per}}"),
              formula=red[p.kind], subs=vals, part="per_stat")
        pf = {"batch": Num(2) * Sym("C"), "layer": Num(2) * Sym("C") * Sym("H") * Sym("W"), "instance": Num(0),
              "group": Num(2) * Sym("C")}[p.kind]
        d.add("Learnable parameters", ans["params"], lhs=Sym("P"), formula=pf, subs=vals, part="params",
              note={"batch": r"A $\gamma$ and a $\beta$ per channel.",
                    "layer": r"elementwise_affine: a $\gamma$ and a $\beta$ per position.",
                    "instance": "InstanceNorm2d has affine=False by default: no parameters.",
                    "group": r"A $\gamma$ and a $\beta$ per channel."}[p.kind])
        if p.x is not None:
            for j, cells in enumerate(members(p.kind, tuple(p.shape), G), start=1):
                v = [float(p.x[r][k]) for r, k in cells]
                m = st.mean_step(d, f"Statistic {j}: mean", v, Sym(f"mu_{j}"))
                s2 = st.var_step(d, f"Statistic {j}: biased variance", v, m, Sym(f"s2_{j}", tex=f"\\sigma^2_{{{j}}}"))
                sd = st.std_step(d, f"Statistic {j}: standard deviation", s2, p.eps,
                                 Sym(f"sd_{j}", tex=f"\\sqrt{{\\sigma^2_{{{j}}} + \\epsilon}}"))
                d.add(f"Statistic {j}: its values normalised", [(x - m) / sd for x in v],
                      lhs=Sym(f"xh_{j}", tex=f"\\hat{{x}}_{{{j}}}"),
                      substituted=st.normalized_expr(v, m, sd))
            d.add("Normalised x (same layout)", ans["normalized"], lhs=Sym("xhat", tex="\\hat{x}"),
                  part="normalized")
        d.answer = f"{ans['n_stats']} statistics of {ans['per_stat']} values; {ans['params']} parameters"
        return d
