"""Torch references for the detection family, written from the papers' definitions and batched over instances.

Nothing here reuses the problem modules' arithmetic: box overlaps come from each box's extent and the span of the
pair (overlap = w_A + w_B − span, clamped at 0), NMS runs the greedy loop on a whole padded batch at once, RoI
pooling is ``adaptive_max_pool2d`` on the crop, and CutMix builds its box mask from index grids.
"""

from __future__ import annotations

import functools

import numpy as np
import torch

from examprep.params import Params
from examprep.reference.batching import Answers
from examprep.reference.packing import real


def _boxes(rows: list, device: torch.device) -> torch.Tensor:
    return real(np.asarray(rows, dtype=np.float64).reshape(len(rows), -1, 4), device)


def pair_overlap(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Intersection areas of boxes a (..., 4) and b (..., 4) from the extents and the span along each axis."""
    ext_a, ext_b = a[..., 2:] - a[..., :2], b[..., 2:] - b[..., :2]
    span = torch.maximum(a[..., 2:], b[..., 2:]) - torch.minimum(a[..., :2], b[..., :2])
    return (ext_a + ext_b - span).clamp(min=0).prod(-1)


def box_iou(batch: list[Params], device: torch.device) -> Answers:
    """IoU of the pair of every instance: one (B, 4) tensor per box."""
    a, b = _boxes([p.A for p in batch], device)[:, 0], _boxes([p.B for p in batch], device)[:, 0]
    inter = pair_overlap(a, b)
    union = (a[:, 2:] - a[:, :2]).prod(-1) + (b[:, 2:] - b[:, :2]).prod(-1) - inter
    return Answers(len(batch)).add(None, {"inter": inter, "union": union, "iou": inter / union})


def pairwise_iou(boxes: torch.Tensor) -> torch.Tensor:
    """(B, n, n) IoUs of (B, n, 4) boxes."""
    a, b = boxes[:, :, None, :], boxes[:, None, :, :]
    inter = pair_overlap(a, b)
    areas = (boxes[..., 2:] - boxes[..., :2]).prod(-1)
    return inter / (areas[:, :, None] + areas[:, None, :] - inter)


def nms(batch: list[Params], device: torch.device) -> Answers:
    """Greedy NMS on a padded batch: padded boxes are unit boxes far away with score −∞, never kept. Step k takes
    each instance's k-th best box; it is kept if no kept box suppressed it, and then suppresses its duplicates."""
    from examprep.reference.batching import pad_matrices, pad_rows, ragged

    n_batch = len(batch)
    mats, nr, _ = pad_matrices([p.boxes for p in batch])
    width = mats.shape[1]
    far = np.arange(width, dtype=np.float64)[None, :, None] * 10 + 1e6
    unit = np.concatenate([far[..., :1], far[..., :1], far[..., :1] + 1, far[..., :1] + 1], axis=-1)
    pad = np.arange(width)[None, :] >= nr[:, None]
    boxes = real(np.where(pad[..., None], unit, mats), device)
    scores = real(np.where(pad, -np.inf, pad_rows([p.scores for p in batch])[0]), device)
    thr = real(np.array([p.threshold for p in batch]), device)
    ious = pairwise_iou(boxes)
    order = torch.argsort(scores, dim=1, descending=True)
    rows = torch.arange(n_batch, device=device)
    suppressed = torch.zeros(n_batch, width, dtype=torch.bool, device=device)
    kept = torch.zeros(n_batch, width, dtype=torch.bool, device=device)
    for k in range(width):
        cur = order[:, k]
        take = ~suppressed[rows, cur] & torch.isfinite(scores[rows, cur])
        kept[rows, cur] = take
        suppressed |= take[:, None] & (ious[rows, cur] > thr[:, None])
    # the kept boxes in score order: position in `order` of each kept box, as box numbers from 1
    kept_in_order = kept.gather(1, order)
    n_keep = kept_in_order.sum(1)
    rank = torch.where(kept_in_order, torch.arange(width, device=device)[None, :], width)
    keep = order.gather(1, torch.sort(rank, dim=1).indices) + 1
    return Answers(n_batch).add(None, {
        "order": ragged(order + 1, nr), "iou": ragged(ious, nr, nr),
        "keep": ragged(keep, n_keep.cpu().numpy()),
    })


@functools.lru_cache(maxsize=4096)
def _yolo_outputs(s: int, b: int, c: int) -> int:
    return torch.empty(s, s, 5 * b + c, device="meta").numel()


def yolo_encoding(batch: list[Params], device: torch.device) -> Answers:
    """Cell indices by floor division of the centre by the cell side; offsets as the remainders over the side."""
    box = _boxes([p.box for p in batch], device)[:, 0]
    side = real([p.img / p.S for p in batch], device)[:, None]
    img = real([float(p.img) for p in batch], device)[:, None]
    centre = box[:, :2]
    cell = torch.div(centre, side, rounding_mode="floor")
    offset = torch.remainder(centre, side) / side
    return Answers(len(batch)).add(None, {
        "outputs": torch.tensor([_yolo_outputs(p.S, p.B, p.C) for p in batch]), "cell": cell.to(torch.int64),
        "offset": offset, "size": box[:, 2:] / img,
    })


def roi_pool(batch: list[Params], device: torch.device) -> Answers:
    """``adaptive_max_pool2d`` of each crop (crops of one size and output size pooled together); the bins are
    read back from ``adaptive_max_pool2d``'s arg-max of an index ramp (the window ends it actually used)."""
    import torch.nn.functional as F

    from examprep.reference.batching import grouped

    def run(ps: list[Params]) -> dict:
        (x1, y1, x2, y2), (r, c) = ps[0].roi, ps[0].out
        crops = real(np.stack([np.asarray(p.fmap, dtype=np.float64)[p.roi[1]:p.roi[3] + 1, p.roi[0]:p.roi[2] + 1]
                               for p in ps]), device)
        h, w = y2 - y1 + 1, x2 - x1 + 1
        out = F.adaptive_max_pool2d(crops[:, None], (r, c))[:, 0]
        ramp_r = torch.arange(h, dtype=crops.dtype, device=device).view(1, 1, h, 1)
        ramp_c = torch.arange(w, dtype=crops.dtype, device=device).view(1, 1, 1, w)
        first_r = -F.adaptive_max_pool2d(-ramp_r, (r, 1))[0, 0, :, 0]  # min row index of each bin
        last_r = F.adaptive_max_pool2d(ramp_r, (r, 1))[0, 0, :, 0]
        first_c = -F.adaptive_max_pool2d(-ramp_c, (1, c))[0, 0, 0, :]
        last_c = F.adaptive_max_pool2d(ramp_c, (1, c))[0, 0, 0, :]
        y0 = torch.tensor([p.roi[1] for p in ps], device=device, dtype=crops.dtype)[:, None, None]
        x0 = torch.tensor([p.roi[0] for p in ps], device=device, dtype=crops.dtype)[:, None, None]
        return {"row_bins": (torch.stack([first_r, last_r], -1)[None] + y0).to(torch.int64),
                "col_bins": (torch.stack([first_c, last_c], -1)[None] + x0).to(torch.int64), "output": out}

    return grouped(batch, lambda p: (p.roi[2] - p.roi[0], p.roi[3] - p.roi[1], tuple(p.out)), run)


def cutmix(batch: list[Params], device: torch.device) -> Answers:
    """The box as a mask from row and column index grids against the clipped corners; λ as 1 − the mask's mean;
    the label from one-hot rows; images of one size batched together."""
    import torch.nn.functional as F

    from examprep.reference.batching import grouped

    def run(ps: list[Params]) -> dict:
        a = real(np.asarray([p.A for p in ps], dtype=np.float64), device)
        b = real(np.asarray([p.B for p in ps], dtype=np.float64), device)
        n, h, w = a.shape
        col = lambda k: real(np.asarray([getattr(p, k) for p in ps], dtype=np.float64), device)[:, None, None]  # noqa: E731
        x1 = (col("cx") - col("bw") / 2).clamp(0, w)
        x2 = (col("cx") + col("bw") / 2).clamp(0, w)
        y1 = (col("cy") - col("bh") / 2).clamp(0, h)
        y2 = (col("cy") + col("bh") / 2).clamp(0, h)
        rr = torch.arange(h, device=device, dtype=a.dtype)[None, :, None]
        cc = torch.arange(w, device=device, dtype=a.dtype)[None, None, :]
        mask = (rr >= y1) & (rr < y2) & (cc >= x1) & (cc < x2)
        lam = 1 - mask.to(a.dtype).mean((1, 2))
        k = max(p.n_classes for p in ps)
        ya = F.one_hot(torch.tensor([p.y_a - 1 for p in ps], device=device), k).to(a.dtype)
        yb = F.one_hot(torch.tensor([p.y_b - 1 for p in ps], device=device), k).to(a.dtype)
        label = lam[:, None] * ya + (1 - lam[:, None]) * yb
        mean = a.mean((1, 2), keepdim=True)
        box = torch.cat([x1, y1, x2, y2], dim=2)[:, 0].to(torch.int64)
        from examprep.reference.batching import ragged

        return {"box": box, "lam": lam, "label": ragged(label, [p.n_classes for p in ps]),
                "mixed": torch.where(mask, b, a), "cutout": torch.where(mask, mean.expand_as(a), a)}

    return grouped(batch, lambda p: (len(p.A), len(p.A[0])), run)
