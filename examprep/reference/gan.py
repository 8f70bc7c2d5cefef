"""Torch references for the GAN family."""

from __future__ import annotations

from typing import Any

import torch

from examprep.params import Params
from examprep.reference.divergence import categorical_kl, groups, stack


def optimal_discriminator(batch: list[Params], device: torch.device) -> list[dict[str, Any]]:
    """D* pointwise, V(D*, G) straight from its definition E_p[ln D] + E_g[ln(1 − D)], and the JSD by
    torch.distributions (not through the identity V = −ln 4 + 2·JSD that ``solve`` uses)."""
    out: list[dict[str, Any]] = [{} for _ in batch]
    for _, idx in groups(batch, lambda p: len(p.p_data)).items():
        P, G = stack(batch, idx, "p_data", device), stack(batch, idx, "p_g", device)
        D = P / (P + G)
        value = (torch.xlogy(P, D) + torch.xlogy(G, 1 - D)).sum(-1)
        M = torch.stack([P, G]).mean(0)
        jsd = 0.5 * (categorical_kl(P, M) + categorical_kl(G, M))
        cols = [x.cpu().tolist() for x in (D, jsd, value)]
        for j, i in enumerate(idx):
            out[i] = dict(zip(("d_star", "jsd", "value"), (c[j] for c in cols), strict=True))
    return out
