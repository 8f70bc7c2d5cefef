"""Detection types: the catalog's worked examples, the wrong values graded as named mistakes, validation,
sampling, and the batched references against solve on mixed batches."""

from __future__ import annotations

import numpy as np
import pytest
from family_helpers import family_checks, mistake_named, right, solved

from examprep.errors import ParamError
from examprep.grader.score import grade_answers
from examprep.registry import make

IDS = ["detection/box_iou-v1", "detection/nms-v1", "detection/yolo_encoding-v1", "detection/roi_pool-v1",
       "detection/cutmix-v1"]


test_reference_agrees, test_self_test_every_difficulty, test_reference_on_a_mixed_batch = family_checks(
    IDS, n=1200, batch=300)


# ---- box_iou: (0,0,4,4) vs (2,2,6,6) = 4/28; the +1 pixel rule gives 9/41 --------------------------------------

def test_box_iou_catalog_example_and_pixel_rule() -> None:
    pt, inst, ans = solved("detection/box_iou-v1", A=(0, 0, 4, 4), B=(2, 2, 6, 6))
    assert (ans["inter"], ans["union"]) == (4, 28)
    assert ans["iou"] == pytest.approx(4 / 28)
    assert right(pt, inst, inter="4", union="28", iou="0.1429")
    assert mistake_named(pt, inst, "iou", 9 / 41) == "plus_one_pixel"
    assert mistake_named(pt, inst, "iou", "0.2195") == "plus_one_pixel"
    assert mistake_named(pt, inst, "union", 32) == "union_without_minus_inter"


def test_box_iou_wrong_intersection_carried_forward_earns_the_ecf_credit() -> None:
    """Exact: intersection 4, union 16 + 16 − 4 = 28, IoU 4/28 = 0.1429. An intersection of 5 followed through
    (union 27, IoU 5/27 = 0.1852) earns the ECF credit on the union and the IoU."""
    pt, inst, truth = solved("detection/box_iou-v1", A=[0, 0, 4, 4], B=[2, 2, 6, 6])
    assert (truth["inter"], truth["union"]) == (4, 28)
    given = {"inter": "5", "union": "27", "iou": "0.1852"}
    r = {p.name: p for p in grade_answers(pt, truth, given, params=inst.params).parts}
    assert r["inter"].verdict == "wrong"
    assert [(r[k].verdict, r[k].score) for k in ("union", "iou")] == [("carried", 0.5)] * 2
    assert r["iou"].feedback.startswith("follows from your inter = 5, union = 27")
    # an IoU that follows from a union the student did not write stays wrong
    r2 = grade_answers(pt, truth, {**given, "iou": "0.1786"}, params=inst.params).parts[2]  # 5/28
    assert r2.verdict == "wrong"


def test_box_iou_apart_boxes_and_unclipped_overlap() -> None:
    pt, inst, ans = solved("detection/box_iou-v1", A=(0, 0, 4, 4), B=(6, 1, 9, 3))
    assert ans == {"inter": 0, "union": 22, "iou": 0}
    # overlap width −2, height 2: not clipped gives −4 and a negative IoU
    assert mistake_named(pt, inst, "inter", -4) == "overlap_not_clipped"


def test_box_iou_decimal_corners() -> None:
    pt, inst, ans = solved("detection/box_iou-v1", A=(0.5, 0, 3.5, 2), B=(1, 1, 4.5, 3.5))
    inter, union = 2.5 * 1, 6 + 3.5 * 2.5 - 2.5
    assert ans["iou"] == pytest.approx(inter / union)


@pytest.mark.parametrize("box", ["[0,0,0,4]", "[3,0,1,4]", "[0,0,4]"])
def test_box_iou_refuses_empty_boxes(box: str) -> None:
    pt = make("detection/box_iou")
    with pytest.raises(ParamError):
        pt.instance(sets=[f"A={box}", "B=[1,1,2,2]"])


# ---- nms: boxes [(0,0,4,4), (1,1,5,5), (2,2,6,6), (10,10,14,14)], scores 0.9..0.6 ------------------------------

BOXES = ((0, 0, 4, 4), (1, 1, 5, 5), (2, 2, 6, 6), (10, 10, 14, 14))


def test_nms_catalog_example() -> None:
    pt, inst, ans = solved("detection/nms-v1", boxes=BOXES, scores=(0.9, 0.8, 0.7, 0.6), threshold=0.3)
    assert ans["keep"] == [1, 3, 4]
    assert ans["order"] == [1, 2, 3, 4]
    assert ans["iou"][0][1] == pytest.approx(9 / 23)
    assert ans["iou"][0][2] == pytest.approx(4 / 28)
    _, _, ans5 = solved("detection/nms-v1", boxes=BOXES, scores=(0.9, 0.8, 0.7, 0.6), threshold=0.5)
    assert ans5["keep"] == [1, 2, 3, 4]  # every pairwise IoU is at most 0.391304
    assert right(pt, inst, keep="[1, 3, 4]")
    assert mistake_named(pt, inst, "keep", "[1, 2]") == "dropped_below_threshold"


def test_nms_repeats_rounds_and_follows_scores() -> None:
    # by score: 2, 3, 4, 1; IoU(2, 3) = 9/23 stays under 0.5, box 4 suppresses box 1 (16/20); in the given order
    # box 1 comes first and suppresses box 4 instead
    boxes = ((0, 0, 4, 4), (10, 10, 14, 14), (11, 11, 15, 15), (0, 0, 4, 5))
    pt, inst, ans = solved("detection/nms-v1", boxes=boxes, scores=(0.6, 0.9, 0.8, 0.7), threshold=0.5)
    assert ans["order"] == [2, 3, 4, 1]
    assert ans["keep"] == [2, 3, 4]
    assert mistake_named(pt, inst, "keep", "[1, 2, 3]") == "index_order"


def test_nms_sampled_instances_suppress_and_avoid_the_threshold() -> None:
    pt = make("detection/nms")
    for s in range(40):
        p = pt.generate(s, "hard").params
        ans = pt.solve(p)
        assert len(ans["keep"]) < len(p.boxes)
        n = len(p.boxes)
        assert all(abs(ans["iou"][i][j] - p.threshold) >= 0.02 for i in range(n) for j in range(i + 1, n))


def test_nms_refuses_tied_scores() -> None:
    with pytest.raises(ParamError, match="same score"):
        make("detection/nms").from_params(dict(boxes=BOXES, scores=(0.9, 0.9, 0.7, 0.6), threshold=0.3))


# ---- yolo: S = 7, B = 2, C = 20, 448 image, centre (200, 300) --------------------------------------------------

def test_yolo_catalog_example_and_mistakes() -> None:
    pt, inst, ans = solved("detection/yolo_encoding-v1", S=7, B=2, C=20, img=448, box=(200, 300, 112, 64))
    assert ans["outputs"] == 1470
    assert ans["cell"] == [3, 4]
    assert ans["offset"] == [0.125, 0.6875]
    assert ans["size"] == [0.25, 1 / 7]
    assert mistake_named(pt, inst, "outputs", 1225) == "five_plus_c"
    assert mistake_named(pt, inst, "cell", "[4, 3]") == "row_column_swapped"
    assert mistake_named(pt, inst, "offset", [200 / 448, 300 / 448]) == "offset_over_image"


def test_yolo_refuses_a_side_that_is_not_a_multiple() -> None:
    with pytest.raises(ParamError, match="multiple"):
        make("detection/yolo_encoding").from_params(dict(S=7, B=2, C=20, img=400, box=(10, 10, 5, 5)))


# ---- roi_pool: 4×5 map of 1..20, RoI rows 0–3, columns 0–2, 2×2 output -> [[7, 8], [17, 18]] --------------------

FMAP = tuple(tuple(range(5 * r + 1, 5 * r + 6)) for r in range(4))


def test_roi_pool_catalog_example_with_overlapping_bins() -> None:
    pt, inst, ans = solved("detection/roi_pool-v1", fmap=FMAP, roi=(0, 0, 2, 3), out=(2, 2))
    assert ans["output"] == [[7, 8], [17, 18]]
    assert ans["col_bins"] == [[0, 1], [1, 2]]
    assert ans["row_bins"] == [[0, 1], [2, 3]]
    # both ends rounded down: columns {0}, {1, 2}
    assert mistake_named(pt, inst, "output", "[[6, 8], [16, 18]]") == "non_overlapping_split"
    assert mistake_named(pt, inst, "output", "[[4, 5], [14, 15]]") == "average_pooling"
    assert mistake_named(pt, inst, "output", "[[6, 7], [11, 12]]") == "exclusive_corners"


def test_roi_pool_agrees_with_adaptive_max_pool() -> None:
    import torch
    import torch.nn.functional as F

    pt = make("detection/roi_pool")
    for s in range(30):
        p = pt.generate(s, "hard").params
        x1, y1, x2, y2 = p.roi
        crop = torch.tensor(p.fmap, dtype=torch.float64)[y1:y2 + 1, x1:x2 + 1]
        want = F.adaptive_max_pool2d(crop[None, None], tuple(p.out))[0, 0].tolist()
        assert pt.solve(p)["output"] == want


# ---- cutmix: 8×8 images, 4×4 box: λ = 0.75; label [0.75, 0, 0.25] for classes 1 and 3 ---------------------------

def test_cutmix_catalog_example() -> None:
    a = tuple(tuple(range(8 * r, 8 * r + 8)) for r in range(8))
    b = tuple(tuple(100 + v for v in row) for row in a)
    pt, inst, ans = solved("detection/cutmix-v1", A=a, B=b, cx=4, cy=4, bw=4, bh=4, y_a=1, y_b=3, n_classes=3)
    assert ans["box"] == [2, 2, 6, 6]
    assert ans["lam"] == 0.75
    assert ans["label"] == [0.75, 0, 0.25]
    mixed = np.array(ans["mixed"])
    assert (mixed[2:6, 2:6] == np.array(b)[2:6, 2:6]).all() and mixed[0, 0] == 0
    cut = np.array(ans["cutout"])
    assert (cut[2:6, 2:6] == 31.5).all()
    assert np.array(ans["cutout"]).mean() == pytest.approx(np.array(a).mean())  # the mean fill keeps the mean
    assert mistake_named(pt, inst, "lam", 0.25) == "lambda_is_area_ratio"
    assert mistake_named(pt, inst, "label", "[0.25, 0, 0.75]") in ("labels_swapped", "lambda_is_area_ratio")


def test_cutmix_clips_the_box() -> None:
    a = tuple(tuple(0 for _ in range(6)) for _ in range(6))
    b = tuple(tuple(1 for _ in range(6)) for _ in range(6))
    pt, inst, ans = solved("detection/cutmix-v1", A=a, B=b, cx=0, cy=5, bw=4, bh=4, y_a=2, y_b=1, n_classes=2)
    assert ans["box"] == [0, 3, 2, 6]
    assert ans["lam"] == pytest.approx(1 - 6 / 36)
    assert mistake_named(pt, inst, "lam", 1 - 16 / 36) == "box_not_clipped"


def test_cutmix_refuses_odd_sides_and_unknown_classes() -> None:
    pt = make("detection/cutmix")
    a = ((1, 2), (3, 4))
    with pytest.raises(ParamError, match="even"):
        pt.from_params(dict(A=a, B=a, cx=1, cy=1, bw=3, bh=2, y_a=1, y_b=2, n_classes=2))
    with pytest.raises(ParamError, match="not a class"):
        pt.from_params(dict(A=a, B=a, cx=1, cy=1, bw=2, bh=2, y_a=3, y_b=2, n_classes=2))
