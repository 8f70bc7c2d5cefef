"""Torch references for the transformer family, written from torch modules and ops, batched over instances.

Parameter counts are the ``numel`` of ``nn.MultiheadAttention``, ``nn.Linear``, ``nn.Embedding`` and
``nn.LayerNorm`` built on the meta device (no memory), once per configuration.
"""

from __future__ import annotations

import functools

import numpy as np
import torch

from examprep.params import Params
from examprep.reference.batching import Answers, grouped


def _numel(*mods: torch.nn.Module) -> int:
    return sum(p.numel() for m in mods for p in m.parameters())


@functools.lru_cache(maxsize=4096)
def _counts(arch: str, V: int, d: int, dff: int, L: int, max_pos: int, seg: int, bias: bool, ln: bool,
            tied: bool) -> tuple[int, int, int, int, int | None, int]:
    """(attention, ffn, norms, layer, embeddings, total) from modules on the meta device."""
    nn, meta = torch.nn, "meta"
    attn = _numel(nn.MultiheadAttention(d, 1, bias=bias, device=meta))
    ffn = _numel(nn.Linear(d, dff, bias=bias, device=meta), nn.Linear(dff, d, bias=bias, device=meta))
    norms = _numel(nn.LayerNorm(d, device=meta), nn.LayerNorm(d, device=meta)) if ln else 0
    layer = attn + ffn + norms
    if arch == "encoder_layer":
        return attn, ffn, norms, layer, None, L * layer
    mods: list[nn.Module] = [nn.Embedding(V, d, device=meta)]
    if max_pos:
        mods.append(nn.Embedding(max_pos, d, device=meta))
    if seg:
        mods.append(nn.Embedding(seg, d, device=meta))
    if arch == "bert" and ln:
        mods.append(nn.LayerNorm(d, device=meta))
    emb = _numel(*mods)
    extra: list[nn.Module] = []
    if arch == "bert":
        extra.append(nn.Linear(d, d, bias=bias, device=meta))
    else:
        if ln:
            extra.append(nn.LayerNorm(d, device=meta))
        if not tied:
            extra.append(nn.Linear(d, V, bias=False, device=meta))
    return attn, ffn, norms, layer, emb, emb + L * layer + _numel(*extra)


def param_count(batch: list[Params], device: torch.device) -> Answers:
    """Counts by column, instances grouped by which optional parts they ask for."""
    nn, meta = torch.nn, "meta"

    def run(ps: list[Params]) -> dict:
        rows = [_counts(p.arch, p.vocab, p.d_model, p.d_ff, p.layers, p.max_pos, p.segments, p.bias, p.layernorm,
                        p.tied) for p in ps]
        cols = np.array([[r[i] if r[i] is not None else 0 for i in range(6)] for r in rows], dtype=np.int64)
        out = {k: cols[:, i] for i, k in enumerate(("attention", "ffn", "norms", "layer", "embeddings", "total"))}
        if ps[0].arch == "encoder_layer":
            del out["embeddings"]
        if ps[0].classes is not None:
            out["head_params"] = np.array([_numel(nn.Linear(p.d_model, p.classes, device=meta)) for p in ps])
        if ps[0].prefix_len is not None:
            # prefix keys and values: a (L, 2, P, d) tensor
            pre = np.array([torch.empty(p.layers, 2, p.prefix_len, p.d_model, device=meta).numel() for p in ps])
            out["prefix_params"] = pre
            out["prefix_percent"] = 100 * pre.astype(np.float64) / cols[:, 5]
        return out

    return grouped(batch, lambda p: (p.arch == "encoder_layer", p.classes is None, p.prefix_len is None), run)


@functools.lru_cache(maxsize=4096)
def _patches(H: int, W: int, C: int, ph: int, pw: int, D: int, cls: bool, r: float) -> tuple:
    """Shapes and numels of ``nn.Conv2d(C, D, (P_h, P_w), stride=(P_h, P_w))`` on a meta input, the position table,
    and MAE's random masking (``len_keep = int(L * (1 - mask_ratio))``, then shuffle and keep) on meta tensors."""
    nn, meta = torch.nn, "meta"
    conv = nn.Conv2d(C, D, (ph, pw), stride=(ph, pw), device=meta)
    out = conv(torch.empty(1, C, H, W, device=meta))
    seq = out.flatten(2).transpose(1, 2)  # (1, N, D): one row per patch
    n = seq.shape[1]
    ntok = n + int(cls)
    pos = nn.Parameter(torch.empty(1, ntok, D, device=meta))
    vis = None
    if r:
        len_keep = int(n * (1 - r))
        ids_shuffle = torch.argsort(torch.rand(1, n, device=meta), dim=1)
        kept = torch.gather(seq, 1, ids_shuffle[:, :len_keep, None].expand(-1, -1, D))
        vis = kept.shape[1]
    return (out.shape[2], out.shape[3]), n, ntok, conv.weight[0].numel(), _numel(conv), pos.numel(), vis


def patch_tokens(batch: list[Params], device: torch.device) -> Answers:
    """Conv2d patch embedding shapes and counts by column; masked instances answer the masking parts too."""

    def run(ps: list[Params]) -> dict:
        rows = [_patches(p.H, p.W, p.C, p.P_h, p.P_w, p.D, p.cls, p.mask_ratio) for p in ps]
        out = {"grid": np.array([r[0] for r in rows], dtype=np.int64)}
        for i, k in enumerate(("n_patches", "n_tokens", "patch_dim", "proj_params", "pos_params"), start=1):
            out[k] = np.array([r[i] for r in rows], dtype=np.int64)
        if ps[0].mask_ratio:
            vis = np.array([r[6] for r in rows], dtype=np.int64)
            out["n_visible"], out["n_masked"] = vis, out["n_patches"] - vis
        return out

    return grouped(batch, lambda p: bool(p.mask_ratio), run)


def rope(batch: list[Params], device: torch.device) -> Answers:
    """Each pair as a complex number (first entry real, second imaginary) times ``torch.polar(1, p·θ_i)``, with
    θ_i = exp(−(2i/d)·ln base); instances of one length and pairing batched together."""
    from examprep.reference.packing import real

    def run(ps: list[Params]) -> dict:
        d = len(ps[0].q)
        half = ps[0].pairing == "half"
        q = real(np.array([p.q for p in ps]), device)
        k = real(np.array([p.k for p in ps]), device)
        base = real(np.array([p.base for p in ps]), device)[:, None]
        i = torch.arange(d // 2, device=device, dtype=q.dtype)[None, :]
        theta = torch.exp(-(2 * i / d) * torch.log(base))
        pos_m = real(np.array([p.m for p in ps], dtype=np.float64), device)[:, None]
        pos_n = real(np.array([p.n for p in ps], dtype=np.float64), device)[:, None]

        def turn(x: torch.Tensor, pos: torch.Tensor) -> torch.Tensor:
            pairs = torch.stack([x[:, : d // 2], x[:, d // 2:]], -1) if half else x.view(len(ps), d // 2, 2)
            z = torch.view_as_complex(pairs.contiguous()) * torch.polar(torch.ones_like(theta), pos * theta)
            r = torch.view_as_real(z)
            return torch.cat([r[..., 0], r[..., 1]], 1) if half else r.reshape(len(ps), d)

        qr, kr = turn(q, pos_m), turn(k, pos_n)
        return {"angles": pos_m * theta, "q_rot": qr, "k_rot": kr, "dot": (qr * kr).sum(1)}

    return grouped(batch, lambda p: (len(p.q), p.pairing), run)


def attention_cost(batch: list[Params], device: torch.device) -> Answers:
    """int64 torch arithmetic from the papers: Vaswani et al.'s per-layer complexities, pairs counted block by
    block for video (a frame's S² pairs times T, a position's T² pairs times S), Swin's Ω formulas, and fusion as the
    square of the sequence length; instances of one kind batched together."""

    def col(ps: list[Params], name: str) -> torch.Tensor:
        return torch.tensor([getattr(p, name) for p in ps], dtype=torch.int64, device=device)

    def run(ps: list[Params]) -> dict:
        kind = ps[0].kind
        if kind == "layer":
            n, d = col(ps, "n"), col(ps, "d")
            out = {"attention_ops": n.square() * d, "recurrent_ops": n * d.square()}
            num, den = out["attention_ops"], out["recurrent_ops"]
        elif kind == "video":
            t, s = col(ps, "frames"), col(ps, "tokens")
            seq = t * s
            out = {"full_pairs": seq * seq, "factorised_pairs": t * (s * s) + s * (t * t)}
            num, den = out["full_pairs"], out["factorised_pairs"]
        elif kind == "swin":
            h, w, c, m = col(ps, "H"), col(ps, "W"), col(ps, "C"), col(ps, "M")
            hw = h * w
            out = {"windows": torch.div(h, m, rounding_mode="floor") * torch.div(w, m, rounding_mode="floor"),
                   "msa": 4 * hw * c * c + 2 * hw * hw * c, "wmsa": 4 * hw * c * c + 2 * m * m * hw * c}
            num, den = out["msa"], out["wmsa"]
        else:
            n, k = col(ps, "tokens"), col(ps, "modalities")
            out = {"early_pairs": n * n, "late_pairs": (k * n) * (k * n)}
            num, den = out["late_pairs"], out["early_pairs"]
        out["ratio"] = num.to(torch.float64) / den.to(torch.float64)
        return out

    return grouped(batch, lambda p: p.kind, run)


def multihead_forward(batch: list[Params], device: torch.device) -> Answers:
    """Instances of one shape and layout together: tokens and weights turned to the row convention (columns: X^T and
    each W^T), heads as a (B, M, n, d_h) split of the projections, one ``F.scaled_dot_product_attention`` call on
    [V | I] with a float mask (gate·b(i − j), −∞ above the diagonal where causal) for the heads and the weights;
    scores as the scaled products plus the bias; parts transposed back for the columns layout."""
    import torch.nn.functional as F

    from examprep.reference.packing import real

    def run(ps: list[Params]) -> dict:
        cols = ps[0].layout == "columns"

        def get(name: str) -> torch.Tensor:
            t = real(np.array([p[name] for p in ps], dtype=np.float64), device)
            return t.transpose(1, 2) if cols else t

        x, wq, wk, wv, wo = (get(k) for k in ("X", "W_q", "W_k", "W_v", "W_O"))
        B, n, d = x.shape  # noqa: N806
        m = ps[0].heads
        dh = d // m

        def split(t: torch.Tensor) -> torch.Tensor:
            return t.view(B, n, m, dh).transpose(1, 2)  # (B, M, n, d_h): head h = columns h·d_h …

        q, k, v = split(x @ wq), split(x @ wk), split(x @ wv)
        i = torch.arange(n, device=device)
        rel = (i[:, None] - i[None, :]) + n - 1  # index of b(i − j)
        bias = torch.zeros(B, n, n, dtype=x.dtype, device=device)
        has = [p.rel_bias is not None for p in ps]
        if any(has):
            b = real(np.array([p.rel_bias if p.rel_bias is not None else [0.0] * (2 * n - 1) for p in ps]), device)
            gate = real(np.array([p.gate for p in ps]), device)[:, None, None]
            bias = gate * b[:, rel]
        causal = torch.tensor([p.causal for p in ps], device=device)[:, None, None]
        future = (i[None, :] > i[:, None])[None]
        mask = bias.masked_fill(causal & future, float("-inf"))[:, None]
        eye = torch.eye(n, dtype=x.dtype, device=device).expand(B, m, n, n)
        both = F.scaled_dot_product_attention(q, k, torch.cat([v, eye], -1), attn_mask=mask, scale=1 / dh ** 0.5)
        heads = both[..., :dh].transpose(1, 2).reshape(B, n, d)
        out = {"scores": (q @ k.transpose(2, 3) / dh ** 0.5 + bias[:, None]).reshape(B, m * n, n),
               "weights": both[..., dh:].reshape(B, m * n, n), "heads": heads, "output": heads @ wo}
        return {key: val.transpose(1, 2) for key, val in out.items()} if cols else out

    return grouped(batch, lambda p: (np.shape(p.X), p.heads, p.layout), run)


def scaled_dot_product_v2(batch: list[Params], device: torch.device) -> list[dict]:
    """v1's batched ``F.scaled_dot_product_attention`` reference on the row form of every instance (Xᵀ and each Wᵀ
    for the columns layout); a columns instance's parts are transposed back."""
    from examprep.reference.attention import scaled_dot_product

    def rows(p: Params) -> Params:
        if p.layout == "rows":
            return p
        return Params({**p, **{k: tuple(zip(*p[k], strict=True)) for k in ("X", "W_q", "W_k", "W_v")}})

    got = scaled_dot_product([rows(p) for p in batch], device)
    return [r if p.layout == "rows" else {k: np.asarray(v).T for k, v in r.items()}
            for p, r in zip(batch, got, strict=True)]


def mrope_ids(batch: list[Params], device: torch.device) -> list[dict]:
    """Qwen2-VL's ``get_rope_index`` for one visual block: t, h, w index grids expanded over (frames, rows,
    columns), flattened and stacked, plus the text length; the next text id is their maximum + 1."""
    out = []
    for p in batch:
        f, h, w = p.frames, p.grid_h, p.grid_w
        t_index = torch.arange(f).view(-1, 1).expand(-1, h * w).flatten()
        h_index = torch.arange(h).view(1, -1, 1).expand(f, -1, w).flatten()
        w_index = torch.arange(w).view(1, 1, -1).expand(f, h, -1).flatten()
        ids = torch.stack([t_index, h_index, w_index]) + p.text_before
        out.append({"vision_ids": ids.T.numpy(), "next_id": int(ids.max()) + 1})
    return out


def euler_ode(batch: list[Params], device: torch.device) -> Answers:
    """resnet: a torch loop over the layers (``torch.relu`` / ``tanh`` / ``sigmoid``), instances of one shape and
    depth together; attention: ``F.scaled_dot_product_attention(scale=β)`` on the projected tokens, with V = [W_V x | I]
    for the velocities and the weights."""
    import torch.nn.functional as F

    from examprep.reference.packing import real

    acts = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}

    def run(ps: list[Params]) -> dict:
        if ps[0].kind == "resnet":
            u, v = real(np.array([p.U for p in ps]), device), real(np.array([p.V for p in ps]), device)
            b, x = real(np.array([p.b for p in ps]), device), real(np.array([p.x0 for p in ps]), device)
            f, n_layers = acts[ps[0].activation], ps[0].L
            rows = []
            for _ in range(n_layers):
                x = x + (u.transpose(1, 2) @ f(v @ x[..., None] + b[..., None]))[..., 0] / n_layers
                rows.append(x)
            return {"trajectory": torch.stack(rows, 1), "x_final": x}
        x = real(np.array([p.X for p in ps]), device)
        wq, wk, wv = (real(np.array([p[k] for p in ps]), device) for k in ("W_Q", "W_K", "W_V"))
        q, k, val = x @ wq.transpose(1, 2), x @ wk.transpose(1, 2), x @ wv.transpose(1, 2)
        n, d = x.shape[1], x.shape[2]
        beta = real(np.array([p.beta for p in ps]), device)[:, None, None]
        eye = torch.eye(n, dtype=x.dtype, device=device).expand(len(ps), n, n)
        both = F.scaled_dot_product_attention(q * beta, k, torch.cat([val, eye], -1), scale=1.0)
        vel = both[..., :d]
        dt = real(np.array([p.dt for p in ps]), device)[:, None, None]
        return {"weights": both[..., d:], "velocity": vel, "x_next": x + dt * vel}

    def key(p: Params) -> tuple:
        if p.kind == "resnet":
            return ("resnet", np.shape(p.U), p.L, p.activation)
        return ("attention", np.shape(p.X))

    return grouped(batch, key, run)
