"""Forward pass of one small convolution layer by hand: cross-correlation, bias, optional ReLU and max pooling.

Catalog: seed_004 C2 (conv2d_forward, h = max(0, Σ h ∗ w)) and C3 (pooling), seed_002 E2 (conv2d_feature_map:
the notes' formula is a true convolution, so the prompt must say which) and E3 (pooling_output).

Parameters:
    X: the input (one channel, integer matrix). kernel: the integer kernel. bias: an integer added to every output.
    S: stride. P: zero padding on every side. relu: apply ReLU. pool: max-pooling window (window = stride = pool),
    0 for no pooling.

Answer parts: ``pre_activation`` (the convolution output plus bias), ``post_relu`` (after ReLU; equal to the
pre-activation when relu is off), ``output`` (after pooling; equal to post_relu when pool = 0). Integer matrices,
partial credit per entry; the first two are intermediate.

Conventions stated in the prompt: cross-correlation as in PyTorch (the kernel is NOT flipped):
z[i, j] = Σ_{m,n} X_pad[(i−1)S + m, (j−1)S + n]·K[m, n] + b with 1-based indices; zero padding P on every side;
the bias b (also when it is 0); max pooling with window = stride = pool, rounding the output size down (said only
when there is pooling).

Reference: the cross-correlation as one multiply-add per kernel tap over the whole zero-padded batch, ``F.relu``,
``F.max_pool2d`` in float64 (examprep.reference.cnn:conv2d_forward).

Common mistakes: flipping the kernel (true convolution, the notes' formula), forgetting the ReLU, ignoring the
stride, forgetting the padding, padding on one side only, forgetting the bias, average instead of max pooling.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.solver.expr import Add, Func, Mat, Num, Sym, floor, paren, to_expr
from examprep.solver.step import Derivation

H, W, P, S, KH, KW = Sym("H"), Sym("W"), Sym("P"), Sym("S"), Sym("K_h"), Sym("K_w")


def correlate(x: np.ndarray, k: np.ndarray, s: int, pad: tuple[int, int, int, int]) -> np.ndarray:
    """Cross-correlation of x with k at stride s, zero padding (top, bottom, left, right)."""
    xp = np.pad(x, ((pad[0], pad[1]), (pad[2], pad[3])))
    kh, kw = k.shape
    ho, wo = (xp.shape[0] - kh) // s + 1, (xp.shape[1] - kw) // s + 1
    out = np.zeros((ho, wo), dtype=np.int64)
    for i in range(ho):
        for j in range(wo):
            out[i, j] = int((xp[i * s:i * s + kh, j * s:j * s + kw] * k).sum())
    return out


def pool_max(a: np.ndarray, q: int, reduce: Any = np.max) -> np.ndarray:
    ho, wo = a.shape[0] // q, a.shape[1] // q
    return np.array([[reduce(a[i * q:(i + 1) * q, j * q:(j + 1) * q]) for j in range(wo)] for i in range(ho)])


def forward(p: Params, *, flip: bool = False, relu: bool | None = None, s: int | None = None,
            pad: tuple[int, int, int, int] | None = None, bias: int | None = None,
            reduce: Any = np.max, given: Answers | None = None) -> dict[str, Any]:
    """The three parts, with optional changes that do the catalog's mistakes; ``given`` holds the student's earlier
    values (error carried forward: the ReLU acts on their pre-activation, the pooling on their post-ReLU map)."""
    x, k = np.array(p.X, dtype=np.int64), np.array(p.kernel, dtype=np.int64)
    if flip:
        k = k[::-1, ::-1]
    z = correlate(x, k, p.S if s is None else s, (p.P,) * 4 if pad is None else pad)
    z = carry(given, "pre_activation", z + (p.bias if bias is None else bias))
    a = carry(given, "post_relu", np.maximum(z, 0) if (p.relu if relu is None else relu) else z)
    o = pool_max(a, p.pool, reduce) if p.pool else a
    return {"pre_activation": z.tolist(), "post_relu": a.tolist(), "output": o.tolist()}


def _num(v: int) -> Any:
    """A number as the first factor of a product: negative ones in parentheses, so "+ (−1)·2" not "+ −1·2"."""
    return paren(Num(v)) if v < 0 else Num(v)


def conv_shape(p: Params) -> tuple[int, int]:
    kh, kw = len(p.kernel), len(p.kernel[0])
    return (len(p.X) + 2 * p.P - kh) // p.S + 1, (len(p.X[0]) + 2 * p.P - kw) // p.S + 1


class Conv2dForward(ProblemType):
    id = "cnn/conv2d_forward-v1"
    title = "Conv2d forward pass by hand"
    catalog = "seed_004 C2, C3; seed_002 E2, E3"
    reference_entry = "examprep.reference.cnn:conv2d_forward"
    params = (
        Param("X", "matrix", "input (one channel, integers)", lo=-99, hi=99),
        Param("kernel", "matrix", "kernel (integers)", lo=-99, hi=99),
        Param("bias", "int", "bias added to every output", lo=-99, hi=99, default=0),
        Param("S", "int", "stride", lo=1, hi=8, default=1),
        Param("P", "int", "zero padding on every side", lo=0, hi=4, default=0),
        Param("relu", "bool", "apply ReLU", default=True),
        Param("pool", "int", "max-pooling window = stride (0: no pooling)", lo=0, hi=8, default=0),
    )
    parts = (
        Part("pre_activation", "Convolution output plus bias", "matrix", integral=True, final=False),
        Part("post_relu", "After ReLU", "matrix", integral=True, final=False, uses=("pre_activation",)),
        Part("output", "Output", "matrix", integral=True, uses=("post_relu",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        def ints(lo: int, hi: int, shape: tuple[int, int]) -> list[list[int]]:
            return rng.integers(lo, hi + 1, size=shape).tolist()

        if difficulty == "easy":
            k = int(rng.choice([2, 3]))
            return dict(X=ints(0, 3, (4, 4)), kernel=ints(-1, 2, (k, k)), bias=0, S=1, P=0, relu=True, pool=0)
        if difficulty == "medium":
            n, s = int(rng.choice([4, 5])), int(rng.choice([1, 2]))
            return dict(X=ints(0, 3, (n, n)), kernel=ints(-1, 2, (3, 3)), bias=int(rng.integers(-2, 3)), S=s,
                        P=int(rng.integers(2)), relu=True, pool=0)
        n, k = [(5, 2), (6, 3)][int(rng.integers(2))]
        return dict(X=ints(-1, 3, (n, n)), kernel=ints(-1, 2, (k, k)), bias=int(rng.integers(-2, 3)), S=1,
                    P=int(rng.integers(2)), relu=True, pool=2)

    def check(self, p: Params) -> list[str]:
        from examprep.errors import ParamError

        for name in ("X", "kernel"):
            if any(not isinstance(v, int) for row in p[name] for v in row):
                raise ParamError(f"{name}: entries must be whole numbers (this problem is done by hand)")
        if len(p.X) > 12 or len(p.X[0]) > 12:
            raise ParamError("X: at most 12×12 (this problem is done by hand)")
        kh, kw = len(p.kernel), len(p.kernel[0])
        if len(p.X) + 2 * p.P < kh or len(p.X[0]) + 2 * p.P < kw:
            raise ParamError(f"kernel: the {kh}×{kw} kernel is larger than the padded input; use a smaller kernel "
                             "or more padding")
        ho, wo = conv_shape(p)
        if p.pool and (p.pool > ho or p.pool > wo):
            raise ParamError(f"pool={p.pool} is larger than the {ho}×{wo} convolution output; use a smaller pool "
                             "or 0")
        return []

    def degenerate(self, p: Params) -> str | None:
        k = np.array(p.kernel)
        if np.array_equal(k, k[::-1, ::-1]):
            return "kernel is 180° symmetric: flipping it would not be caught"
        z = np.array(forward(p)["pre_activation"])
        if p.relu and not ((z < 0).any() and (z > 0).any()):
            return "ReLU changes nothing or everything"
        if not np.array(forward(p)["output"]).any():
            return "output is all zeros"
        return None

    def statement(self, p: Params) -> list[Any]:
        steps = [f"stride {p.S}", f"zero padding {p.P} on every side" if p.P else "no padding",
                 f"bias $b = {p.bias}$"]  # stated even when 0: the parts ask for "convolution plus bias"
        after = ["then ReLU" if p.relu else "no activation"]
        if p.pool:
            after.append(rf"then ${p.pool} \times {p.pool}$ max pooling with stride {p.pool}")
        pooling = " Max pooling rounds the output size down." if p.pool else ""
        return [
            "A one-channel input $X$ and a kernel $K$:\n", "$X$ = ", to_expr(p.X), "\n$K$ = ", to_expr(p.kernel),
            f"\nCompute the convolution layer's output ({', '.join(steps)}; {', '.join(after)}). "
            "Give the pre-activation $z$ (convolution plus bias), the activation after ReLU and the final output. "
            "Conventions: cross-correlation as in PyTorch nn.Conv2d, the kernel is not flipped: "
            r"$z[i, j] = \sum_m \sum_n X_{\text{pad}}[(i - 1) S + m, (j - 1) S + n] \cdot K[m, n] + b$, indices "
            "from 1." + pooling
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        return forward(p, given=given)

    def derivation(self, p: Params) -> Derivation:
        ans = self.solve(p)
        d = Derivation()
        kh, kw = len(p.kernel), len(p.kernel[0])
        ho, wo = conv_shape(p)
        for title, n_sym, n, k_sym, k, v in (("Output height", H, len(p.X), KH, kh, ho),
                                             ("Output width", W, len(p.X[0]), KW, kw, wo)):
            d.add(title, v, lhs=Sym("H_out" if n_sym is H else "W_out"), formula=floor((n_sym + 2 * P - k_sym) / S) + 1,
                  subs={n_sym: n, "P": p.P, k_sym: k, "S": p.S},
                  note=(rf"$H \times W = {len(p.X)} \times {len(p.X[0])}$: the input's size, "
                        rf"$K_h \times K_w = {kh} \times {kw}$: the kernel's; stride $S = {p.S}$, padding $P = {p.P}$"
                        if n_sym is H else None))
        xp = np.pad(np.array(p.X), p.P)
        if p.P:
            d.add("Zero-padded input", xp.tolist(), lhs="X_pad", note=f"{p.P} row(s)/column(s) of zeros on every side")
        k = p.kernel
        for i in range(ho):
            for j in range(wo):
                terms = [(1, _num(int(xp[i * p.S + m, j * p.S + n])) * Num(int(k[m][n])))
                         for m in range(kh) for n in range(kw)]
                if p.bias:
                    terms.append((1 if p.bias > 0 else -1, Num(abs(p.bias))))
                lhs = Sym(f"z_{i + 1}{j + 1}", tex=f"z[{i + 1}, {j + 1}]")
                d.add(f"Window at ({i + 1}, {j + 1})", ans["pre_activation"][i][j], lhs=lhs, substituted=Add(terms),
                      note=f"rows {i * p.S + 1}–{i * p.S + kh}, columns {j * p.S + 1}–{j * p.S + kw} of "
                           f"{'X_pad' if p.P else 'X'} times K, element by element" if i == j == 0 else None)
        d.add("Pre-activation", ans["pre_activation"], lhs="z", part="pre_activation")
        if p.relu:
            d.add("ReLU", ans["post_relu"], lhs="a", formula=Func("max", 0, Sym("z")),
                  substituted=Mat([[Func("max", 0, v) for v in row] for row in ans["pre_activation"]]),
                  part="post_relu", note="negative entries become 0")
        else:
            d.add("No activation", ans["post_relu"], lhs="a", formula=Sym("z"), part="post_relu")
        if p.pool:
            q, a = p.pool, np.array(ans["post_relu"])
            cells = [[Func("max", *[int(v) for v in a[i * q:(i + 1) * q, j * q:(j + 1) * q].ravel()])
                      for j in range(wo // q)] for i in range(ho // q)]
            d.add(f"{q}×{q} max pooling, stride {q}", ans["output"], lhs="y", substituted=Mat(cells), part="output",
                  note="the maximum of each window" + (" (the last row/column that does not fill a window is "
                                                       "dropped)" if ho % q or wo % q else ""))
        else:
            d.add("Output (no pooling)", ans["output"], lhs="y", formula=Sym("a"), part="output")
        d.answer = f"output = {ans['output']}"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        m: dict[str, Mistake] = {}
        k = np.array(p.kernel)
        if not np.array_equal(k, k[::-1, ::-1]):
            m["flipped_kernel"] = Mistake(forward(p, flip=True),
                                          "CNN layers compute a cross-correlation: the kernel is not flipped "
                                          "(flipping it is the textbook convolution).")
        if p.relu and (np.array(forward(p)["pre_activation"]) < 0).any():
            m["no_relu"] = Mistake({k_: v for k_, v in forward(p, relu=False).items() if k_ != "pre_activation"},
                                   "You forgot the ReLU: negative pre-activations become 0.")
        if p.S > 1:
            m["stride_ignored"] = Mistake(self._safe(p, s=1), "The window moves S pixels at a time.")
        if p.P > 0:
            m["no_padding"] = Mistake(self._safe(p, pad=(0, 0, 0, 0)),
                                      "You forgot the zero padding around the input.")
            m["padding_one_side"] = Mistake(self._safe(p, pad=(p.P, 0, p.P, 0)),
                                            "Padding is added on every side (top, bottom, left and right).")
        if p.bias:
            m["no_bias"] = Mistake(forward(p, bias=0), "You forgot to add the bias to every output.")
        if p.pool:
            avg = forward(p, reduce=np.mean)
            m["average_pool"] = Mistake({"output": avg["output"]}, "Max pooling takes the largest value of each "
                                                                   "window, not the mean.")
        return {k_: v for k_, v in m.items() if v.answers}

    @staticmethod
    def _safe(p: Params, **kw: Any) -> dict[str, Any]:
        """A mistake's answers, or none when the mistaken procedure cannot even be carried out."""
        try:
            out = forward(p, **kw)
        except ValueError:
            return {}
        if not np.array(out["pre_activation"]).size or not np.array(out["output"]).size:
            return {}
        return out
