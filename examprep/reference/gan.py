"""Torch references for the GAN family: the whole batch in one computation, points zero-padded to the longest
(p_data = p_g = 0 there, masked out of every sum and cut off again by ragged answer columns)."""

from __future__ import annotations

import torch

from examprep.params import Params
from examprep.reference.batching import Answers, ragged
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
