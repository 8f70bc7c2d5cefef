"""Harris family (seed_003 A5, §2.4): catalog values, the notes' per-pixel det, OpenCV, the torch reference."""

from __future__ import annotations

import math

import numpy as np
import pytest

from examprep.errors import ParamError
from examprep.grader.score import grade_answers
from examprep.problems.vision import harris as h
from examprep.registry import make
from examprep.seeding import DIFFICULTIES

IDS = ["vision/harris_from_sums-v1", "vision/harris_patch-v1", "vision/harris_map-v1", "vision/shi_tomasi-v1"]
SUMS = make("vision/harris_from_sums-v1")
PATCH = make("vision/harris_patch-v1")
MAP = make("vision/harris_map-v1")
ST = make("vision/shi_tomasi-v1")
# A 5×5 patch whose bottom-right 3×3 is bright: a corner at (2, 2).
CORNER = [[0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 9, 9, 9], [0, 0, 9, 9, 9], [0, 0, 9, 9, 9]]


def sums(a: float, b: float, c: float, k: float = 0.04, tau: float = 10.0) -> dict:
    return SUMS.solve(SUMS.from_params(dict(A=a, B=b, C=c, k=k, tau=tau)).params)


# ---- catalog A5 samples (verified there with numpy, cv2 and kornia) ----------------------------------------------
@pytest.mark.parametrize("k, r", [(0.04, 67.0), (0.05, 60.75), (0.06, 54.5)])
def test_catalog_sample_a(k: float, r: float) -> None:
    s = sums(12, 8, 13, k)
    assert s["det"] == 92 and s["trace"] == 25
    assert s["R"] == pytest.approx(r, abs=1e-12)
    assert s["eigenvalues"] == pytest.approx([4.484390, 20.515610], abs=1e-6)
    assert s["label"] == "corner"


def test_catalog_edge_corner_flat() -> None:
    assert sums(20, 0, 0)["R"] == pytest.approx(-16) and sums(20, 0, 0)["label"] == "edge"
    assert sums(20, 0, 18)["R"] == pytest.approx(302.24) and sums(20, 0, 18)["label"] == "corner"
    flat = sums(0.2, 0.1, 0.3, tau=1)
    assert flat["R"] == pytest.approx(0.04) and flat["label"] == "flat"


def test_eigenvalues_reproduce_r() -> None:
    s = sums(12, 8, 13, 0.05)
    l1, l2 = s["eigenvalues"]
    assert l1 * l2 - 0.05 * (l1 + l2) ** 2 == pytest.approx(s["R"])


# ---- a patch by hand: central differences are numpy.gradient's interior -----------------------------------------
def corner_instance(**kw: object):
    base = dict(I=CORNER, gradient="central", window="box", size=3, k=0.04, tau=10, row=2, col=2)
    return PATCH.from_params({**base, **kw})


def test_patch_corner_by_hand() -> None:
    s = PATCH.solve(corner_instance().params)
    img = np.array(CORNER, dtype=float)
    gx, gy = np.gradient(img, axis=1)[1:4, 1:4], np.gradient(img, axis=0)[1:4, 1:4]
    assert s["Ix"] == gx.tolist() and s["Iy"] == gy.tolist()
    assert (s["A"], s["B"], s["C"]) == (81.0, 20.25, 81.0)  # 4·4.5², one pixel with both gradients, 4·4.5²
    assert s["det"] == pytest.approx(81 * 81 - 20.25**2) == 6150.9375
    assert s["trace"] == 162
    assert s["R"] == pytest.approx(6150.9375 - 0.04 * 162**2) == 5101.1775
    assert s["label"] == "corner"


def test_notes_per_pixel_det_is_zero_and_graded_as_mistake() -> None:
    inst = corner_instance()
    s = PATCH.solve(inst.params)
    ix, iy = np.array(s["Ix"]), np.array(s["Iy"])
    per_pixel = ix**2 * iy**2 - (ix * iy) ** 2  # the notes' formula, line 1721
    assert not per_pixel.any()
    wrong_r = per_pixel.sum() - 0.04 * s["trace"] ** 2
    r = grade_answers(PATCH, s, {"det": 0, "R": wrong_r, "label": "edge"}, PATCH.mistakes(inst.params))
    assert [p.mistake for p in r.parts] == ["per_pixel_det", "per_pixel_det", "per_pixel_det"]
    assert r.score == 0


def _mistake_of(pt, inst, answers: dict) -> set[str | None]:
    truth = pt.solve(inst.params)
    r = grade_answers(pt, truth, answers, pt.mistakes(inst.params))
    assert r.score < 1
    return {p.mistake for p in r.parts if p.score < 1}


def test_patch_mistakes_done_by_hand() -> None:
    inst = corner_instance()
    s = PATCH.solve(inst.params)
    det, tr = s["det"], s["trace"]
    assert _mistake_of(PATCH, inst, {"R": det - 0.04 * tr}) == {"trace_not_squared"}
    assert _mistake_of(PATCH, inst, {"R": det + 0.04 * tr**2}) == {"k_added"}
    # x and y swapped: gradients along rows called I_x; with rows/columns exchanged the window is transposed
    img = np.array(CORNER, dtype=float)
    wrong_ix = np.gradient(img, axis=0)[1:4, 1:4].tolist()
    assert _mistake_of(PATCH, inst, {"Ix": wrong_ix}) == {"xy_swapped"}
    # sign of a gradient: I(x−1) − I(x+1)
    flipped = (-(img[1:4, 2:5] - img[1:4, 0:3]) / 2).tolist()
    assert _mistake_of(PATCH, inst, {"Ix": flipped, "B": -s["B"]}) == {"sign_Ix"}


def test_edge_sums_mistakes() -> None:
    inst = SUMS.from_params(dict(A=80, B=2, C=3, k=0.05, tau=20))
    s = SUMS.solve(inst.params)
    assert s["label"] == "edge"
    assert _mistake_of(SUMS, inst, {"label": "flat"}) == {"negative_as_flat"}
    assert _mistake_of(SUMS, inst, {"R": s["det"] - 0.05 * (80**2 + 2 * 2**2 + 3**2)}) == {"trace_of_square"}


def test_shi_tomasi_values_and_mistakes() -> None:
    inst = ST.from_params(dict(A=12, B=8, C=13, tau=10))
    s = ST.solve(inst.params)
    assert s["lambda_min"] == pytest.approx(12.5 - math.sqrt(0.25 + 64)) == pytest.approx(4.484390, abs=1e-6)
    assert s["label"] == "edge"  # λ_min ≈ 4.48 ≤ 10 < λ_max ≈ 20.5
    assert _mistake_of(ST, inst, {"lambda_min": 12}) == {"b_ignored"}
    assert _mistake_of(ST, inst, {"lambda_min": s["lambda_max"]}) == {"lambda_max"}
    patch = ST.from_params(dict(I=CORNER, gradient="central", window="box", size=3, row=2, col=2, tau=10))
    m = np.array([[81, 20.25], [20.25, 81]])
    assert ST.solve(patch.params)["lambda_min"] == pytest.approx(np.linalg.eigvalsh(m)[0]) == 60.75


def test_gaussian_window_weights() -> None:
    from examprep.problems.vision.harris import window_weights

    w = window_weights("gaussian", 3, 1.0)
    assert w.tolist() == [[0.3679, 0.6065, 0.3679], [0.6065, 1.0, 0.6065], [0.3679, 0.6065, 0.3679]]
    for size, sigma in [(3, 0.5), (3, 1.0), (3, 1.5), (5, 1.0), (5, 1.5), (5, 2.0)]:  # the sampled grid
        raw = np.exp(-(np.arange(-(size // 2), size // 2 + 1)[:, None] ** 2
                       + np.arange(-(size // 2), size // 2 + 1)[None, :] ** 2) / (2 * sigma**2)) * 1e4
        assert np.all(np.abs(raw - np.floor(raw) - 0.5) > 1e-6), "a weight sits on a rounding boundary"


# ---- the map ------------------------------------------------------------------------------------------------------
def test_map_square_has_four_corners() -> None:
    img = np.zeros((8, 8), dtype=int)
    img[2:6, 2:6] = 9
    inst = MAP.from_params(dict(I=img.tolist(), gradient="sobel", window="box", size=3, k=0.04, tau=1000))
    s = MAP.solve(inst.params)
    r = np.array(s["R"])
    assert r.shape == (4, 4)  # rows and columns 2–5
    assert s["corners"] == [[2, 2], [2, 5], [5, 2], [5, 5]] and s["n_corners"] == 4
    assert np.allclose(r, r.T) and np.allclose(r, r[::-1, ::-1])


# ---- OpenCV: R = 12⁴ · cornerHarris with ksize=3, blockSize=3 (Sobel scaled by 1/(2²·3)) --------------------------
def test_matches_opencv_corner_harris() -> None:
    cv2 = pytest.importorskip("cv2")
    rng = np.random.default_rng(5)
    scale = (2 ** (3 - 1) * 3) ** 4  # catalog A5: each gradient is divided by 2^(ksize−1)·blockSize = 12
    for trial in range(60):
        h, w = int(rng.integers(5, 10)), int(rng.integers(5, 10))
        img = rng.integers(0, 10, size=(h, w))
        k = [0.04, 0.05, 0.06][trial % 3]
        inst = MAP.from_params(dict(I=img.tolist(), gradient="sobel", window="box", size=3, k=k, tau=1))
        ours = np.array(MAP.solve(inst.params)["R"])
        theirs = cv2.cornerHarris(img.astype(np.float32), blockSize=3, ksize=3, k=k)
        # our no-padding region is rows/cols 2..n−3, where BORDER_REFLECT_101 plays no part
        np.testing.assert_allclose(ours, scale * theirs[2:-2, 2:-2].astype(np.float64), rtol=2e-5, atol=2e-3 * scale)
        if h == w == 5 or trial % 7 == 0:
            r, c = 2, 2
            one = PATCH.from_params(dict(I=img[:7, :7].tolist() if h >= 7 and w >= 7 else img[:5, :5].tolist(),
                                         gradient="sobel", window="box", size=3, k=k, tau=1, row=r, col=c))
            sub = np.array(one.params.I, dtype=np.float32)
            want = scale * float(cv2.cornerHarris(sub, 3, 3, k)[r, c])
            assert PATCH.solve(one.params)["R"] == pytest.approx(want, rel=2e-5, abs=1e-3 * scale)


def test_opencv_border_reflect_101_by_padding() -> None:
    """At the border OpenCV reflects (BORDER_REFLECT_101 = numpy's 'reflect') twice: the image before the Sobel
    filter and the gradient products before the box sum. Doing the same with our pieces reproduces every pixel."""
    cv2 = pytest.importorskip("cv2")
    from examprep.problems.vision.harris import grad_maps
    from examprep.problems.vision.harris_map import sum_maps

    rng = np.random.default_rng(11)
    img = rng.integers(0, 10, size=(6, 7))
    ix, iy, _ = grad_maps(np.pad(img, 1, mode="reflect").astype(float), "sobel")
    a, b, c = sum_maps(np.pad(ix, 1, mode="reflect"), np.pad(iy, 1, mode="reflect"), np.ones((3, 3)))
    ours = a * c - b * b - 0.05 * (a + c) ** 2
    assert ours.shape == img.shape
    theirs = cv2.cornerHarris(img.astype(np.float32), 3, 3, 0.05, borderType=cv2.BORDER_REFLECT_101)
    np.testing.assert_allclose(ours, 12**4 * theirs.astype(np.float64), rtol=2e-5, atol=1.0)
    replicate = cv2.cornerHarris(img.astype(np.float32), 3, 3, 0.05, borderType=cv2.BORDER_REPLICATE)
    assert not np.allclose(ours, 12**4 * replicate, rtol=1e-3)  # the border rule matters at the edges


# ---- self-test, reference, mistakes vs reference -------------------------------------------------------------------
@pytest.mark.parametrize("pid", IDS)
def test_reference_agrees_with_solve(pid: str) -> None:
    pytest.importorskip("torch")
    from examprep.verify import resolve_device, verify_type

    dev, _ = resolve_device("cpu")
    res = verify_type(make(pid), 2000, dev, self_test=False)
    assert res.disagreements == 0, res.examples
    assert res.max_error < 1e-6


@pytest.mark.parametrize("pid", IDS)
def test_reference_rejects_every_mistake(pid: str) -> None:
    """The reference is independent: every mistake's answers disagree with it somewhere."""
    pytest.importorskip("torch")
    import torch

    from examprep.verify import compare, load_reference

    pt = make(pid)
    insts = [pt.generate(s, d) for s in range(20) for d in DIFFICULTIES]
    refs = load_reference(pt)([i.params for i in insts], torch.device("cpu"))
    seen = set()
    for inst, ref in zip(insts, refs, strict=True):
        for name, m in pt.mistakes(inst.params).items():
            seen.add(name)
            assert not all(compare(v, ref[k])[0] for k, v in m.answers.items()), f"{inst.code} {name}"
    assert seen


def test_each_named_mistake_is_generated() -> None:
    names = set()
    for s in range(40):
        for d in DIFFICULTIES:
            names |= set(PATCH.mistakes(PATCH.generate(s, d).params))
    assert {"per_pixel_det", "trace_not_squared", "k_added", "xy_swapped", "sign_Ix", "sign_Iy"} <= names


def test_labels_cover_all_three() -> None:
    for pt in (SUMS, PATCH, ST):
        labels = {pt.solve(pt.generate(s, d).params)["label"] for s in range(30) for d in DIFFICULTIES}
        assert labels == {"corner", "edge", "flat"}, pt.id


# ---- parameter validation -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("pt, values, match", [
    (SUMS, dict(A=4, B=5, C=4, tau=1), "B² ≤ A·C"),
    (PATCH, dict(I=CORNER, size=4, tau=1, row=2, col=2), "odd"),
    (PATCH, dict(I=CORNER, window="gaussian", tau=1, row=2, col=2), "sigma"),
    (PATCH, dict(I=CORNER, tau=1, row=1, col=2), "row=1"),
    (PATCH, dict(I=CORNER, size=5, tau=1, row=2, col=2), "too small"),
    (PATCH, dict(I=[[0.5] * 5] * 5, tau=1, row=2, col=2), "integers"),
    (PATCH, dict(I=[[0] * 4] * 4, tau=1, row=2, col=2), "from 5 to 7"),
    (ST, dict(A=1, B=0, C=1, I=CORNER, row=2, col=2, tau=1), "not both"),
    (ST, dict(I=CORNER, tau=1), "row"),
    (ST, dict(A=1, tau=1), "A, B and C"),
])
def test_bad_params(pt, values: dict, match: str) -> None:
    with pytest.raises(ParamError, match=match):
        pt.from_params(values)


def test_suspicious_params_warn() -> None:
    with pytest.warns(UserWarning, match="outside the usual range"):
        SUMS.from_params(dict(A=4, B=1, C=4, k=0.2, tau=1))
    with pytest.warns(UserWarning, match="ignored"):
        corner_instance(sigma=1.0)


def test_set_names_are_the_contract() -> None:
    inst = PATCH.instance(0, "easy", sets=["gradient=sobel", "k=0.05", "tau=7"])
    assert (inst.params.gradient, inst.params.k, inst.params.tau) == ("sobel", 0.05, 7.0)
    for pt, names in ((SUMS, "A B C k tau"), (PATCH, "I gradient window size sigma k tau row col"),
                      (MAP, "I gradient window size sigma k tau"),
                      (ST, "A B C I gradient window size sigma tau row col")):
        assert set(names.split()) == {p.name for p in pt.params}


# ---- the batched reference: mixed shapes and settings in one call --------------------------------------------------
def _random_settings(rng: np.random.Generator, rows: int, cols: int) -> dict:
    """A valid gradient / window / size / σ for an image of rows × cols (size 5 only where it fits)."""
    gradient = str(rng.choice(["central", "sobel", "forward"]))
    window = str(rng.choice(["box", "gaussian"]))
    size = 5 if min(rows, cols) >= 7 and rng.integers(2) else 3
    sigma = float(rng.choice([0.5, 0.8, 1.0, 1.5, 2.0, 3.0])) if window == "gaussian" else None
    return dict(gradient=gradient, window=window, size=size, sigma=sigma, k=float(rng.choice([0.04, 0.05, 0.06])))


def _agree_with_solve(pt, params: list) -> None:
    import torch

    from examprep.verify import compare, load_reference

    refs = load_reference(pt)(params, torch.device("cpu"))
    assert len(refs) == len(params)
    for p, ref in zip(params, refs, strict=True):
        truth = pt.solve(p)
        assert set(ref) == set(truth), p
        for part, v in truth.items():
            assert compare(v, ref[part])[0], (p.to_json(), part, v, ref[part])


def test_reference_mixed_batch_patch_and_shi_tomasi() -> None:
    """One call with patches of every size (5×5 to 7×7, non-square too), all three operators, box and Gaussian
    windows of both sizes, and pixels anywhere in the region: zero-padding to the largest image changes no answer.
    Shi–Tomasi mixes window sums and patches in the same call."""
    pytest.importorskip("torch")
    from examprep.problems.vision.harris import region

    rng = np.random.default_rng(3)
    patch, st = [], []
    for i in range(300):
        rows, cols = int(rng.integers(5, 8)), int(rng.integers(5, 8))
        s = _random_settings(rng, rows, cols)
        r0, r1, c0, c1 = region((rows, cols), s["gradient"], s["size"])
        img = rng.integers(0, 10, size=(rows, cols)).tolist()
        at = dict(row=int(rng.integers(r0, r1 + 1)), col=int(rng.integers(c0, c1 + 1)))
        patch.append(PATCH.from_params(dict(I=img, tau=float(rng.choice([1, 50, 500])), **s, **at)).params)
        s.pop("k")
        if i % 3:
            st.append(ST.from_params(dict(I=img, tau=float(rng.choice([1, 20, 200])), **s, **at)).params)
        else:
            a, c = int(rng.integers(0, 100)), int(rng.integers(0, 100))
            b = int(rng.integers(-math.isqrt(a * c), math.isqrt(a * c) + 1))
            st.append(ST.from_params(dict(A=a, B=b, C=c, tau=float(rng.choice([1, 20, 200])))).params)
    _agree_with_solve(PATCH, patch)
    _agree_with_solve(ST, st)


def test_reference_mixed_batch_map() -> None:
    """Images from 5×5 to 9×9 (non-square too), every operator and window in one call: each R map has its own
    region, and corner counts from none to many (the answers come back in one block per count)."""
    pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    params = []
    for _ in range(200):
        rows, cols = int(rng.integers(5, 10)), int(rng.integers(5, 10))
        s = _random_settings(rng, rows, cols)
        img = rng.integers(0, 10, size=(rows, cols)).tolist()
        params.append(MAP.from_params(dict(I=img, tau=float(rng.choice([0, 10, 100, 1e4, 1e9])), **s)).params)
    counts = {MAP.solve(p)["n_corners"] for p in params}
    assert 0 in counts and len(counts) > 3
    _agree_with_solve(MAP, params)


def test_reference_labels_snap_at_the_boundary() -> None:
    """R = −0.04·55² is −121.00000000000001 in floats: snapped to 12 figures it is −τ, so flat, in solve and in the
    batched reference (which decides such near-ties value by value)."""
    pytest.importorskip("torch")
    params = [SUMS.from_params(dict(A=55, B=0, C=0, k=0.04, tau=t)).params for t in (121, 120.9, 121.1)]
    assert [SUMS.solve(p)["label"] for p in params] == ["flat", "edge", "flat"]
    _agree_with_solve(SUMS, params)


@pytest.mark.parametrize(("values", "off"), [
    ({"I": [[1, 2, 2, 1, 1, 1, 1], [1, 2, 1, 2, 2, 1, 2], [1, 1, 7, 6, 7, 6, 2], [2, 2, 6, 6, 6, 7, 1],
            [1, 1, 6, 6, 6, 7, 2], [1, 1, 6, 6, 7, 6, 1], [2, 2, 1, 1, 2, 2, 1]],
      "gradient": "central", "window": "box", "size": 3, "k": 0.04, "tau": 50.0}, 2),
    ({"I": [[0, 1, 0, 0, 1, 0, 2, 0], [0, 2, 1, 0, 0, 0, 1, 0], [2, 0, 1, 9, 9, 9, 2, 1], [1, 1, 2, 9, 9, 9, 2, 2],
            [0, 9, 9, 9, 9, 9, 0, 0], [0, 9, 9, 9, 9, 9, 0, 0], [0, 9, 9, 9, 9, 9, 2, 2], [0, 0, 1, 2, 1, 0, 2, 1]],
      "gradient": "forward", "window": "gaussian", "size": 3, "sigma": 1.0, "k": 0.04, "tau": 1000.0}, 1)])
def test_harris_map_exact_ties_are_not_corners(values: dict, off: int) -> None:
    """Neighbouring responses equal in exact arithmetic but not in float64 (draws verify met at N = 100,000): a
    pixel tied with a neighbour is not a strict maximum, in solve and in the reference alike."""
    import torch

    from examprep.verify import load_reference

    pt = make("vision/harris_map")
    p = pt.from_params(values).params
    ans = pt.solve(p)
    ref = load_reference(pt)([p], torch.device("cpu"))[0]
    assert ref["corners"].tolist() == ans["corners"]
    r = np.array([[h.snap(x) for x in row] for row in np.asarray(ans["R"]).tolist()])
    rows, cols = r.shape
    tied_above = set()
    for i in range(rows):
        for j in range(cols):
            nb = [r[a, b] for a in range(max(i - 1, 0), min(i + 2, rows))
                  for b in range(max(j - 1, 0), min(j + 2, cols))
                  if (a, b) != (i, j)]
            strict = r[i, j] > p.tau and all(r[i, j] > x for x in nb)
            assert strict == ([i + off, j + off] in ans["corners"])
            if r[i, j] > p.tau and r[i, j] in nb:
                tied_above.add((i, j))
    assert tied_above  # the image does have responses above τ tied with a neighbour


def test_response_treats_lu_noise_around_an_exact_zero_determinant_as_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    """CUDA's LU left det = 2.4e-10 for a pure edge (AB = C², terms ~10⁶) at verify --n 100000 --device cuda."""
    import torch

    from examprep.reference import vision

    real_det = torch.linalg.det
    monkeypatch.setattr(torch.linalg, "det", lambda m: real_det(m) + 2.4e-10)  # the GPU's rounding noise
    m = torch.tensor([[[1e3, 1e3], [1e3, 1e3]], [[1000.0, 999.0], [999.0, 998.0]], [[1e-6, 0.0], [0.0, 1e-6]]],
                     dtype=torch.float64)
    det, _, _ = vision._response(m, torch.full((3,), 0.04, dtype=torch.float64))
    assert det[0].item() == 0.0  # noise on an exact 0 is dropped
    assert det[1].item() == pytest.approx(-1.0)  # a real determinant is kept
    assert det[2].item() == pytest.approx(1e-12 + 2.4e-10)  # small terms: the floor scales with them, kept
