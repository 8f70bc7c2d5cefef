"""Torch references for the GAN family: the whole batch in one computation, points zero-padded to the longest
(p_data = p_g = 0 there, masked out of every sum and cut off again by ragged answer columns)."""

from __future__ import annotations

import torch

from examprep.params import Params
from examprep.reference.batching import Answers, grouped, ragged
from examprep.reference.divergence import categorical_kl
from examprep.reference.packing import inside, padded


def optimal_discriminator(batch: list[Params], device: torch.device) -> Answers:
    """D* pointwise, V(D*, G) straight from its definition E_p[ln D] + E_g[ln(1 − D)], and the JSD by
    torch.distributions (not through the identity V = −ln 4 + 2·JSD that ``solve`` uses)."""
    (P, n), (G, _) = padded([p.p_data for p in batch], device), padded([p.p_g for p in batch], device)
    D = P / (P + G)  # 0/0 at padded points only
    value = torch.where(inside(n, P.shape[1], device), torch.xlogy(P, D) + torch.xlogy(G, 1 - D), 0.0).sum(-1)
    M = torch.stack([P, G]).mean(0)
    jsd = 0.5 * (categorical_kl(P, M) + categorical_kl(G, M))
    return Answers(len(batch)).add(None, {"d_star": ragged(D, n), "jsd": jsd, "value": value})


# ---- gan/bce_losses -----------------------------------------------------------------------------------------------

def _masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean along the last axis over the true (unpadded) entries."""
    return torch.where(mask, x, 0.0).sum(-1) / mask.sum(-1)


def bce_losses(batch: list[Params], device: torch.device) -> Answers:
    """The losses as binary cross-entropies on the logits a = ln(D/(1 − D)) (``binary_cross_entropy_with_logits``,
    targets 1 for real and 0 for generated samples, not the ln formulas ``solve`` uses), and the per-sample
    gradients by ``torch.autograd.grad`` of each generated sample's own term with respect to its logit."""
    import torch.nn.functional as F

    (Dr, nr), (Df, nf) = padded([p.d_real for p in batch], device, 0.5), padded([p.d_fake for p in batch], device, 0.5)
    mr, mf = inside(nr, Dr.shape[1], device), inside(nf, Df.shape[1], device)
    with torch.enable_grad():
        ar, af = torch.logit(Dr), torch.logit(Df).requires_grad_(True)
        bce_real = F.binary_cross_entropy_with_logits(ar, torch.ones_like(ar), reduction="none")
        bce_fake0 = F.binary_cross_entropy_with_logits(af, torch.zeros_like(af), reduction="none")  # −ln(1 − D)
        bce_fake1 = F.binary_cross_entropy_with_logits(af, torch.ones_like(af), reduction="none")  # −ln D
        grad_sat, = torch.autograd.grad(torch.where(mf, -bce_fake0, 0.0).sum(), af)
        grad_ns, = torch.autograd.grad(torch.where(mf, bce_fake1, 0.0).sum(), af)
    loss_d = (_masked_mean(bce_real, mr) + _masked_mean(bce_fake0, mf)).detach()
    return Answers(len(batch)).add(None, {
        "value": -loss_d, "loss_d": loss_d, "loss_g_sat": -_masked_mean(bce_fake0, mf).detach(),
        "loss_g_ns": _masked_mean(bce_fake1, mf).detach(), "grad_sat": ragged(grad_sat, nf),
        "grad_ns": ragged(grad_ns, nf)})


# ---- gan/lsgan ----------------------------------------------------------------------------------------------------

def lsgan(batch: list[Params], device: torch.device) -> Answers:
    """``F.mse_loss`` (reduction none) of the outputs against target tensors of ones and zeros, masked batch
    means, times ½ where asked."""
    import torch.nn.functional as F

    from examprep.reference.packing import column

    (Dr, nr), (Df, nf) = padded([p.d_real for p in batch], device), padded([p.d_fake for p in batch], device)
    mr, mf = inside(nr, Dr.shape[1], device), inside(nf, Df.shape[1], device)
    k = column((0.5 if p.half else 1.0 for p in batch), len(batch), device)
    real_1 = _masked_mean(F.mse_loss(Dr, torch.ones_like(Dr), reduction="none"), mr)
    fake_0 = _masked_mean(F.mse_loss(Df, torch.zeros_like(Df), reduction="none"), mf)
    fake_1 = _masked_mean(F.mse_loss(Df, torch.ones_like(Df), reduction="none"), mf)
    return Answers(len(batch)).add(None, {"loss_d": k * (real_1 + fake_0), "loss_g": k * fake_1})


# ---- gan/wgan_critic ----------------------------------------------------------------------------------------------

def wgan_critic(batch: list[Params], device: torch.device) -> Answers:
    """Masked batch means of the critic outputs and ``torch.clamp`` of the weights to [−c, c] (c per instance)."""
    from examprep.reference.packing import column

    (Cr, nr), (Cf, nf) = padded([p.c_real for p in batch], device), padded([p.c_fake for p in batch], device)
    W, nw = padded([p.weights for p in batch], device)
    c = column((p.clip for p in batch), len(batch), device)[:, None]
    w_hat = _masked_mean(Cr, inside(nr, Cr.shape[1], device)) - _masked_mean(Cf, inside(nf, Cf.shape[1], device))
    return Answers(len(batch)).add(None, {
        "w_hat": w_hat, "loss_c": -w_hat, "loss_g": -_masked_mean(Cf, inside(nf, Cf.shape[1], device)),
        "clipped": ragged(torch.clamp(W, min=-c, max=c), nw)})


# ---- gan/mode_collapse --------------------------------------------------------------------------------------------

def mode_collapse(batch: list[Params], device: torch.device) -> Answers:
    """p̂ = counts/N; the entropy by ``Categorical.entropy``, KL(p̂‖U) by ``kl_divergence`` against a uniform
    Categorical over each instance's own K classes (padded classes have probability 0 in both: they add nothing
    to the KL, and the uniform over K is built from a mask)."""
    from torch.distributions import Categorical

    C, K = padded([p.counts for p in batch], device)
    P = C / C.sum(-1, keepdim=True)
    mask = inside(K, C.shape[1], device)
    U = mask.to(P.dtype) / torch.as_tensor(K, device=device).to(P.dtype)[:, None]
    H = Categorical(probs=P, validate_args=False).entropy()
    return Answers(len(batch)).add(None, {"p_hat": ragged(P, K), "modes": (C > 0).sum(-1), "entropy": H,
                                          "kl_uniform": categorical_kl(P, U)})


# ---- gan/wasserstein_1d -------------------------------------------------------------------------------------------

def _w1_group(ps: list[Params], device: torch.device) -> dict[str, torch.Tensor]:
    """One shape group: W₁ from the quantile functions, the JSD by equality matrices."""
    import numpy as np

    from examprep.reference.packing import real

    def pts_w(name: str) -> tuple[torch.Tensor, torch.Tensor]:
        x = real(np.asarray([getattr(p, name) for p in ps]), device)
        w = real(np.asarray([getattr(p, name + "_weights") or [1.0] * len(getattr(p, name)) for p in ps]), device)
        return x, w / w.sum(-1, keepdim=True)

    (u, wu), (v, wv) = pts_w("u"), pts_w("v")

    def quantile(x: torch.Tensor, w: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        xs, order = torch.sort(x, dim=-1)
        cum = torch.cumsum(torch.gather(w, -1, order), -1)
        cum[:, -1] = 1.0  # the last point closes the CDF exactly
        idx = torch.searchsorted(cum.contiguous(), t.contiguous(), side="left").clamp(max=x.shape[-1] - 1)
        return torch.gather(xs, -1, idx)

    def cum_of(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        return torch.cumsum(torch.gather(w, -1, torch.argsort(x, dim=-1)), -1)

    t = torch.sort(torch.cat([torch.zeros_like(u[:, :1]), cum_of(u, wu), cum_of(v, wv)], -1).clamp(max=1.0),
                   dim=-1).values
    mid, dt = (t[:, 1:] + t[:, :-1]) / 2, t[:, 1:] - t[:, :-1]
    w1 = (dt * (quantile(u, wu, mid) - quantile(v, wv, mid)).abs()).sum(-1)
    X = torch.cat([u, v], -1)  # every point, repeated ones counted once through 1/multiplicity
    P = ((u[:, :, None] == X[:, None, :]) * wu[:, :, None]).sum(1)
    Q = ((v[:, :, None] == X[:, None, :]) * wv[:, :, None]).sum(1)
    mult = (X[:, :, None] == X[:, None, :]).sum(-1).to(P.dtype)
    M = (P + Q) / 2
    terms = 0.5 * (torch.xlogy(P, P) - torch.xlogy(P, M) + torch.xlogy(Q, Q) - torch.xlogy(Q, M))
    return {"w1": w1, "jsd": (terms / mult).sum(-1)}


def wasserstein_1d(batch: list[Params], device: torch.device) -> Answers:
    """W₁ = ∫₀¹ |F_u⁻¹(t) − F_v⁻¹(t)| dt: the quantile functions by ``torch.searchsorted`` on the cumulative
    weights, evaluated at the middle of each interval between the two CDFs' breakpoints (not the CDF integral
    ``solve`` takes); the JSD from the weights each point of u ∪ v carries, found by equality matrices.
    Instances are grouped by their numbers of points."""
    return grouped(batch, lambda p: (len(p.u), len(p.v)), lambda ps: _w1_group(ps, device))


# ---- gan/change_of_variables --------------------------------------------------------------------------------------

def change_of_variables(batch: list[Params], device: torch.device) -> Answers:
    """p_x from the distribution of x itself, ``MultivariateNormal(b, A·Aᵀ).log_prob(x)`` (no Jacobian
    bookkeeping), z by ``torch.linalg.solve``, p_z by a standard ``MultivariateNormal``, |det A| by
    ``torch.linalg.det``. Instances are grouped by dimension."""
    import numpy as np
    from torch.distributions import MultivariateNormal

    from examprep.reference.packing import real

    def run(ps: list[Params]) -> dict[str, torch.Tensor]:
        A, b, x = (real(np.asarray([getattr(p, k) for p in ps]), device) for k in ("A", "b", "x"))
        z = torch.linalg.solve(A, (x - b)[..., None])[..., 0]
        eye = torch.eye(A.shape[-1], dtype=A.dtype, device=device).expand_as(A)
        p_z = MultivariateNormal(torch.zeros_like(z), covariance_matrix=eye).log_prob(z).exp()
        p_x = MultivariateNormal(b, covariance_matrix=A @ A.transpose(-1, -2)).log_prob(x).exp()
        return {"z": z, "p_z": p_z, "abs_det": torch.linalg.det(A).abs(), "p_x": p_x}

    return grouped(batch, lambda p: len(p.A), run)


# ---- gan/optimal_discriminator-v2 ---------------------------------------------------------------------------------

def optimal_discriminator_v2(batch: list[Params], device: torch.device) -> Answers:
    """Discrete instances by the v1 reference; Gaussian ones by ``Normal.log_prob`` differences through
    ``torch.sigmoid``, the boundary as the root −r(0)/(r(1) − r(0)) of the log-ratio r (linear for a shared
    variance) evaluated by ``log_prob`` (not the midpoint formula ``solve`` uses)."""
    from torch.distributions import Normal

    from examprep.reference.packing import column

    out = Answers(len(batch))
    disc = [i for i, p in enumerate(batch) if p.family == "discrete"]
    gauss = [i for i, p in enumerate(batch) if p.family == "gaussian"]
    if disc:
        sub = optimal_discriminator([Params(p_data=batch[i].p_data, p_g=batch[i].p_g) for i in disc], device)
        out.add(disc, sub.blocks[0][1])
    if gauss:
        ps = [batch[i] for i in gauss]
        n = len(ps)
        X, nx = padded([p.x for p in ps], device)
        sd = column((p.sigma for p in ps), n, device)[:, None]
        pd = Normal(column((p.mu_data for p in ps), n, device)[:, None], sd)
        pg = Normal(column((p.mu_g for p in ps), n, device)[:, None], sd)

        def r(t: torch.Tensor) -> torch.Tensor:
            return pd.log_prob(t) - pg.log_prob(t)

        zero, one = torch.zeros_like(X[:, :1]), torch.ones_like(X[:, :1])
        r0, r1 = r(zero)[:, 0], r(one)[:, 0]
        out.add(gauss, {"d_star": ragged(torch.sigmoid(r(X)), nx), "boundary": -r0 / (r1 - r0)})
    return out


# ---- gan/batch_features -------------------------------------------------------------------------------------------

def batch_features(batch: list[Params], device: torch.device) -> Answers:
    """Batch means; o from ``torch.cdist(p=1)`` between the generated rows, exp(−·) summed with the diagonal kept
    or masked. Instances are grouped by their batch shapes."""
    import numpy as np

    from examprep.reference.packing import real

    def run(ps: list[Params]) -> dict[str, torch.Tensor]:
        R, Fk = (real(np.asarray([getattr(p, k) for p in ps]), device) for k in ("f_real", "f_fake"))
        mr, mf = R.mean(1), Fk.mean(1)
        K = torch.exp(-torch.cdist(Fk, Fk, p=1))
        keep = torch.as_tensor([p.include_self for p in ps], device=device)[:, None, None]
        eye = torch.eye(Fk.shape[1], dtype=torch.bool, device=device)[None]
        o = torch.where(eye & ~keep, 0.0, K).sum(-1)
        return {"mean_real": mr, "mean_fake": mf, "fm_loss": ((mr - mf) ** 2).sum(-1), "o": o}

    return grouped(batch, lambda p: (len(p.f_real), len(p.f_fake), len(p.f_fake[0])), run)


# ---- gan/cycle_consistency ----------------------------------------------------------------------------------------

def cycle_consistency(batch: list[Params], device: torch.device) -> Answers:
    """Round trips as batched products x·Gᵀ·Fᵀ and y·Fᵀ·Gᵀ; ``F.l1_loss`` with reduction ``mean`` (all elements)
    or ``sum`` divided by the number of samples. Instances are grouped by shapes and reduction."""
    import numpy as np
    import torch.nn.functional as Fn

    from examprep.reference.packing import column, real

    def run(ps: list[Params]) -> dict[str, torch.Tensor]:
        G, F, X, Y = (real(np.asarray([getattr(p, k) for p in ps]), device) for k in ("G", "F", "x", "y"))
        xc = X @ G.transpose(1, 2) @ F.transpose(1, 2)
        yc = Y @ F.transpose(1, 2) @ G.transpose(1, 2)
        if ps[0].reduction == "mean":
            def l1(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
                return Fn.l1_loss(a, b, reduction="none").flatten(1).mean(-1)
        else:
            def l1(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
                return Fn.l1_loss(a, b, reduction="none").flatten(1).sum(-1) / a.shape[1]
        l_cyc = l1(xc, X) + l1(yc, Y)
        return {"x_cycle": xc, "y_cycle": yc, "l_cyc": l_cyc,
                "total": column((p.lam for p in ps), len(ps), device) * l_cyc}

    return grouped(batch, lambda p: (len(p.G), len(p.x), len(p.y), p.reduction), run)


# ---- gan/mask_blend -----------------------------------------------------------------------------------------------

def mask_blend(batch: list[Params], device: torch.device) -> Answers:
    """``torch.lerp(bg, fg′, m)``, fg′ = fg or √ᾱ·x_0 + √(1 − ᾱ)·ε by ``torch.sqrt``; ragged pixel rows. Plain
    compositing and inpainting instances form two blocks (only inpainting answers ``known``)."""
    from examprep.reference.packing import column

    out = Answers(len(batch))
    for inpaint in (False, True):
        idx = [i for i, p in enumerate(batch) if (p.alpha_bar is not None) == inpaint]
        if not idx:
            continue
        ps = [batch[i] for i in idx]
        (m, n), (f, _), (b, _) = (padded([getattr(p, k) for p in ps], device) for k in ("mask", "fg", "bg"))
        cols: dict[str, object] = {}
        if inpaint:
            ab = column((p.alpha_bar for p in ps), len(ps), device)[:, None]
            f = torch.sqrt(ab) * f + torch.sqrt(1 - ab) * padded([p.eps for p in ps], device)[0]
            cols["known"] = ragged(f, n)
        cols["blend"] = ragged(torch.lerp(b, f, m), n)
        out.add(idx, cols)
    return out


# ---- gan/dcgan ----------------------------------------------------------------------------------------------------

def dcgan(batch: list[Params], device: torch.device) -> Answers:
    """``nn.Linear``/``nn.ConvTranspose2d`` built on the meta device (no memory): parameter counts by ``numel``,
    shapes by a forward pass of a meta tensor through the projection, a reshape and each layer; the
    discriminator's first ``nn.Linear`` sized from the flattened output (+ the label). Instances with the same
    architecture form one block: the network is built once and its answers repeated down the columns."""
    import numpy as np
    from torch import nn

    meta = torch.device("meta")

    def count(m: nn.Module) -> int:
        return sum(t.numel() for t in m.parameters())

    def run(ps: list[Params]) -> dict[str, object]:
        p, n = ps[0], len(ps)
        n_in = p.z_dim + p.n_classes
        c0 = p.channels[0]
        proj = nn.Linear(n_in, c0 * p.base * p.base, bias=p.bias, device=meta)
        x = proj(torch.empty(1, n_in, device=meta)).reshape(1, c0, p.base, p.base)
        shapes, params = [list(x.shape[1:])], []
        for cin, cout in zip(p.channels[:-1], p.channels[1:], strict=True):
            m = nn.ConvTranspose2d(cin, cout, p.K, p.S, p.P, output_padding=0, bias=p.bias, device=meta)
            x = m(x)
            shapes.append(list(x.shape[1:]))
            params.append(count(m))
        d_in = x.flatten(1).shape[1] + p.n_classes
        row: dict[str, object] = {"g_input": n_in, "proj_params": count(proj), "shapes": shapes,
                                  "conv_params": params, "total": count(proj) + sum(params), "d_input": d_in}
        if p.d_hidden is not None:
            row["d_first_params"] = count(nn.Linear(d_in, p.d_hidden, bias=p.bias, device=meta))
        return {k: np.repeat(np.asarray(v, dtype=np.int64)[None], n, axis=0) for k, v in row.items()}

    def key(p: Params) -> tuple[object, ...]:
        return (p.z_dim, p.n_classes, p.base, tuple(p.channels), p.K, p.S, p.P, p.bias, p.d_hidden)

    return grouped(batch, key, run)
