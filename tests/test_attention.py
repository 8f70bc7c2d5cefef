"""The attention family: catalog worked examples (with the catalog's corrected values), the notes' wrong working
marked wrong with the named mistake, the torch references against solve, parameter validation, rendering."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from examprep.errors import ParamError, PartError
from examprep.grader.score import grade_answers, grade_part
from examprep.registry import make
from examprep.seeding import DIFFICULTIES
from examprep.solver.render import OUTPUT_FORMATS, derivation, statement
from examprep.verify import verify_type

IDS = ["attention/scaled_dot_product-v1", "attention/bahdanau-v1", "attention/luong-v1",
       "attention/multihead_dims-v1", "attention/softmax_temperature-v1"]
I2 = [[1, 0], [0, 1]]
SDPA_ID, BAH_ID = IDS[0], IDS[1]
ROOT = Path(__file__).resolve().parent.parent


def close(a, b, tol: float = 5e-7) -> bool:
    return bool(np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), atol=tol, rtol=0))


def inst(pid: str, **params):
    pt = make(pid)
    return pt, pt.from_params(params).params


def grade(pt, p, **answers):
    """{part: PartResult} for the given answers, with the instance's mistakes."""
    r = grade_answers(pt, pt.solve(p), answers, pt.mistakes(p))
    return {x.name: x for x in r.parts}


# ---- self-test and reference ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("pid", IDS)
def test_reference_agrees_on_thousands(pid: str) -> None:
    import torch

    res = verify_type(make(pid), 2000, torch.device("cpu"), self_test=False)
    assert res.disagreements == 0, res.examples
    assert res.max_error < 1e-9


@pytest.mark.parametrize("pid", IDS)
def test_reference_keeps_order_of_a_mixed_batch(pid: str) -> None:
    """Instances of different shapes are grouped inside the reference; answers must come back in input order."""
    import torch

    from examprep.verify import compare, load_reference

    pt = make(pid)
    insts = [pt.generate(s, d) for s in range(40) for d in DIFFICULTIES][::-1]
    refs = load_reference(pt)([i.params for i in insts], torch.device("cpu"))
    for i, r in zip(insts, refs, strict=True):
        truth = pt.solve(i.params)
        assert set(r) == set(truth)
        assert all(compare(truth[k], v)[0] for k, v in r.items()), i.code


@pytest.mark.parametrize("pid", IDS)
def test_renders_in_every_format_with_matrices(pid: str) -> None:
    pt = make(pid)
    for d in DIFFICULTIES:
        p = pt.generate(3, d).params
        dv = pt.derivation(p)
        for fmt in OUTPUT_FORMATS:
            assert derivation(dv, fmt).strip() and statement(pt.statement(p), fmt).strip()
        if pid != "attention/multihead_dims-v1":
            assert r"\begin{bmatrix}" in derivation(dv, "latex")
            assert 'mat(delim: "["' in derivation(dv, "typst")
        if pid in (SDPA_ID, BAH_ID):  # a result matrix is drawn as a block in the terminal
            assert "⎡" in derivation(dv, "text")


@pytest.mark.parametrize("pid", IDS)
def test_typst_compiles(pid: str, tmp_path: Path) -> None:
    import typst

    pt = make(pid)
    p = pt.generate(5, "hard").params
    src = tmp_path / "doc.typ"
    src.write_text(statement(pt.statement(p), "typst") + "\n\n" + derivation(pt.derivation(p), "typst") + "\n")
    pdf = typst.compile(str(src))
    assert pdf[:4] == b"%PDF"


# ---- scaled dot-product: seed_003 §1.10, §1.11 (the notes' K is wrong), B3, seed_002 H1-H2 ------------------------
SDPA = "attention/scaled_dot_product-v1"
W_K = [[1, 1], [1, 1]]
W_V = [[0.5, 0], [0, 0.5]]


def test_self_attention_example_1() -> None:
    pt, p = inst(SDPA, X=I2, W_q=I2, W_k=W_K, W_v=W_V, residual=True)
    a = pt.solve(p)
    assert close(a["Q"], I2) and close(a["K"], W_K) and close(a["V"], W_V)
    assert close(a["scores"], [[0.707107, 0.707107], [0.707107, 0.707107]])
    assert close(a["weights"], [[0.5, 0.5], [0.5, 0.5]])
    assert close(a["output"], [[0.25, 0.25], [0.25, 0.25]])
    assert close(a["residual_output"], [[1.25, 0.25], [0.25, 1.25]])


def test_self_attention_example_2_correct_values() -> None:
    pt, p = inst(SDPA, X=[[1, 2], [3, 4]], W_q=I2, W_k=W_K, W_v=W_V, residual=True)
    a = pt.solve(p)
    assert close(a["Q"], [[1, 2], [3, 4]])
    assert close(a["K"], [[3, 3], [7, 7]])
    assert close(a["V"], [[0.5, 1], [1.5, 2]])
    assert close(a["scores"], [[6.363961, 14.849242], [14.849242, 34.648232]])
    assert close(a["weights"], [[0.000206443, 0.999793557], [2.52e-9, 0.9999999975]], tol=1e-9)
    assert close(a["output"], [[1.499794, 1.999794], [1.5, 2.0]])
    assert close(a["residual_output"], [[2.499794, 3.999794], [4.5, 6.0]])
    assert "2.4998" in pt.derivation(p).answer


def test_self_attention_example_2_notes_working_is_marked() -> None:
    pt, p = inst(SDPA, X=[[1, 2], [3, 4]], W_q=I2, W_k=W_K, W_v=W_V, residual=True)
    r = grade(pt, p, K="[[1,1],[1,1]]", V="[[0.5,0],[0,0.5]]", scores="[[1.636, 14.887],[14.887, 34.649]]",
              residual_output="[[2, 3.5], [4, 5.5]]", output="[[1.4998, 1.9998], [1.5, 2]]")
    assert r["K"].score == 0 and r["K"].mistake == "k_ignores_x" and "X W_k" in r["K"].feedback
    assert r["V"].score == 0 and r["V"].mistake == "v_ignores_x"
    assert r["scores"].verdict in ("wrong", "partial") and r["scores"].score < 1 and r["scores"].mistake is None
    # a student who really used the written K gets [[2, 3.5], [4, 5.5]] (catalog §1.11)
    assert r["residual_output"].mistake == "k_ignores_x"
    assert r["output"].score == 1
    # the notes' final answer [[2.5, 4], [4.5, 6]] is the truth rounded too coarsely (2.499794); it also equals the
    # unscaled result to 4 dp (the weights saturate to 0 and 1 either way), so it cannot earn the marks
    rounded = grade(pt, p, residual_output="[[2.5, 4], [4.5, 6]]")["residual_output"]
    assert rounded.score == 0
    coarse = grade(pt, p, output="[[1.5, 2], [1.5, 2]]")["output"]
    assert coarse.score < 1
    # a student who used V = 0.5 I with the right weights (catalog §1.11)
    assert close(pt.mistakes(p)["v_ignores_x"].answers["residual_output"], [[1.000103, 2.499897], [3, 4.5]])


def test_self_attention_example_2_cli_check_names_the_mistake() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    args = ["check", SDPA, "--set", "X=[[1,2],[3,4]]", "--set", "W_q=[[1,0],[0,1]]", "--set", "W_k=[[1,1],[1,1]]",
            "--set", "W_v=[[0.5,0],[0,0.5]]", "--set", "residual=true", "--answer", "K=[[1,1],[1,1]]",
            "--answer", "Q=[[1,2],[3,4]]", "--json"]
    r = subprocess.run([sys.executable, "-m", "examprep.cli", *args], capture_output=True, text=True, env=env,
                       timeout=120)
    assert r.returncode == 1, r.stderr
    parts = {x["name"]: x for x in json.loads(r.stdout)["parts"]}
    assert parts["Q"]["verdict"] == "right"
    assert parts["K"]["verdict"] == "wrong" and parts["K"]["mistake"] == "k_ignores_x"


def test_nonsymmetric_sample_b3() -> None:
    pt, p = inst(SDPA, X=[[1, 0, 1], [0, 2, 1]], W_q=[[1, 0], [0, 1], [1, 1]], W_k=[[0, 1], [1, 0], [1, 0]],
                 W_v=np.eye(3).tolist(), residual=True)
    a = pt.solve(p)
    assert close(a["Q"], [[2, 1], [1, 3]]) and close(a["K"], [[1, 1], [3, 0]])
    assert close(a["scores"], [[2.121320, 4.242641], [2.828427, 2.121320]])
    assert close(a["weights"], [[0.107042, 0.892958], [0.669762, 0.330238]])
    assert close(a["residual_output"], [[1.107042, 1.785916, 2], [0.669762, 2.660477, 2]])


H1_Q, H1_K, H1_V = [[1, 0], [0, 2], [1, 1]], [[1, 1], [0, 1], [2, 0]], [[1, 0], [0, 1], [1, 1]]


def test_h1_sample_and_its_mistakes() -> None:
    pt, p = inst(SDPA, X=np.eye(3).tolist(), W_q=H1_Q, W_k=H1_K, W_v=H1_V)
    a = pt.solve(p)
    assert "residual_output" not in a
    assert close(a["scores"], [[0.707107, 0, 1.414214], [1.414214, 1.414214, 0], [1.414214, 0.707107, 1.414214]])
    assert close(a["weights"], [[0.283995, 0.140029, 0.575975], [0.445808, 0.445808, 0.108383],
                                [0.401112, 0.197776, 0.401112]])
    assert close(a["output"], [[0.859971, 0.716005], [0.554192, 0.554192], [0.802224, 0.598888]])
    m = pt.mistakes(p)
    assert close(m["no_scaling"].answers["output"][0], [0.909969, 0.755272])
    assert close(m["divided_by_dk"].answers["output"][0], [0.813676, 0.692804])
    assert close(m["softmax_wrong_axis"].answers["output"][0], [0.643584, 0.585838])
    r = grade(pt, p, output=json.dumps(np.round(m["no_scaling"].answers["output"], 6).tolist()))["output"]
    assert r.mistake == "no_scaling" and "√d_k" in r.feedback
    with pytest.raises(PartError):
        grade_answers(pt, a, {"residual_output": "[[1,2],[3,4],[5,6]]"})


def test_h2_causal_sample_and_mask_hiding_self() -> None:
    pt, p = inst(SDPA, X=np.eye(3).tolist(), W_q=H1_Q, W_k=H1_K, W_v=H1_V, causal=True)
    a = pt.solve(p)
    assert close(a["weights"], [[1, 0, 0], [0.5, 0.5, 0], [0.401112, 0.197776, 0.401112]])
    assert close(a["output"], [[1, 0], [0.5, 0.5], [0.802224, 0.598888]])
    hides = pt.mistakes(p)["mask_hides_self"].answers["weights"]
    r = grade(pt, p, weights=json.dumps(np.round(hides, 6).tolist()))["weights"]
    assert r.mistake == "mask_hides_self" and "itself" in r.feedback
    assert grade(pt, p, weights="[[1,0,0],[0.5,0.5,0],[0.4011,0.1978,0.4011]]")["weights"].score == 1


def test_causal_example_2() -> None:
    pt, p = inst(SDPA, X=[[1, 2], [3, 4]], W_q=I2, W_k=W_K, W_v=W_V, causal=True)
    assert close(pt.solve(p)["output"], [[0.5, 1], [1.5, 2]])


def test_slides_b6_column_convention_converted_to_rows() -> None:
    """seed_004 B6 uses Q = W_q X with tokens as columns; in the row convention the W's are transposed."""
    wv_cols = np.array([[1, 1], [0, 1]])
    pt, p = inst(SDPA, X=[[1, 0], [0, 2], [1, 1]], W_q=I2, W_k=[[0, 1], [1, 0]], W_v=wv_cols.T.tolist())
    a = pt.solve(p)
    assert close(a["weights"][0], [0.1400, 0.5760, 0.2840], tol=5e-5)
    assert close(a["output"], [[1.8600, 1.4359], [1.5542, 0.6626], [1.8022, 1.2033]], tol=5e-5)


def test_sdpa_params_are_checked() -> None:
    pt = make(SDPA)
    with pytest.raises(ParamError, match="W_k"):
        pt.from_params(dict(X=I2, W_q=I2, W_k=[[1, 1]], W_v=I2))
    with pytest.raises(ParamError, match="d_v"):
        pt.from_params(dict(X=I2, W_q=I2, W_k=I2, W_v=[[1, 0, 1], [0, 1, 1]], residual=True))
    with pytest.raises(ParamError, match="d_k"):
        pt.from_params(dict(X=I2, W_q=I2, W_k=[[1, 0, 1], [0, 1, 1]], W_v=I2))


# ---- Bahdanau: seed_003 §1.9 and B5, seed_002 G5 -----------------------------------------------------------------
BAH = "attention/bahdanau-v1"
H19 = [[1, 0], [0, 1], [1, 1]]


def test_bahdanau_weights_as_stated() -> None:
    pt, p = inst(BAH, s=[1, 2], H=H19, W_s=I2, W_h=[[1, 1], [1, 1]], v=[1, 1])
    a = pt.solve(p)
    assert close(a["key_proj"], [[1, 1], [1, 1], [2, 2]])
    assert close(a["pre"], [[2, 3], [2, 3], [3, 4]])
    assert close(a["tanh"], [[0.964028, 0.995055], [0.964028, 0.995055], [0.995055, 0.999329]])
    assert close(a["scores"], [1.959082, 1.959082, 1.994384])
    assert close(a["weights"], [0.329388, 0.329388, 0.341224])
    assert close(a["context"], [0.670612, 0.670612])


def test_bahdanau_weights_the_student_used_and_their_slips() -> None:
    pt, p = inst(BAH, s=[1, 2], H=H19, W_s=I2, W_h=[[1, 1], [1, -1]], v=[1, 1])
    a = pt.solve(p)
    assert close(a["key_proj"], [[1, 1], [1, -1], [2, 0]])
    assert close(a["pre"], [[2, 3], [2, 1], [3, 2]])
    assert close(a["tanh"], [[0.964028, 0.995055], [0.964028, 0.761594], [0.995055, 0.964028]])
    assert close(a["scores"], [1.959082, 1.725622, 1.959082])
    assert close(a["weights"], [0.358193, 0.283613, 0.358193])
    assert close(a["context"], [0.716387, 0.641807])
    # the notes' slips: W_s s_0 + W_h h_1 = [2, 1]; W_h h_2 = [-1, 1]; tanh([2,1]) = [0.964, 0.994]; e_12 = 0.964
    r = grade(pt, p, pre="[[2,1],[2,1],[3,2]]", key_proj="[[1,1],[-1,1],[2,0]]",
              tanh="[[0.9640,0.9951],[0.9640,0.9940],[0.9951,0.9640]]", scores="[1.9591, 0.964, 1.9591]",
              weights="[0.3582, 0.2836, 0.3582]", context="[0.7164, 0.6418]")
    for part in ("pre", "key_proj", "tanh", "scores"):
        assert r[part].verdict == "partial", (part, r[part])
    assert r["weights"].score == 1 and r["context"].score == 1


def test_bahdanau_extra_sample_and_mistakes() -> None:
    pt, p = inst(BAH, s=[0.5, -0.5], H=[[1, -1], [0, 2], [2, 1]], W_s=[[1, 0], [1, 1]], W_h=[[0.5, 0], [0, -1]],
                 v=[1, -1])
    a = pt.solve(p)
    assert close(a["pre"], [[1, 1], [0.5, -2], [1.5, -1]])
    assert close(a["scores"], [0, 1.426145, 1.666742])
    assert close(a["weights"], [0.095625, 0.398051, 0.506324])
    assert close(a["context"], [1.108273, 1.206801])
    m = pt.mistakes(p)
    assert set(m) >= {"no_tanh", "no_softmax", "dot_score", "context_from_scores", "wrong_side"}
    for name in ("no_tanh", "dot_score", "wrong_side"):
        given = json.dumps(np.round(m[name].answers["context"], 6).tolist())
        r = grade(pt, p, context=given)["context"]
        assert r.score == 0 and r.mistake == name
    r = grade(pt, p, weights="[0, 1.426145, 1.666742]")["weights"]
    assert r.mistake == "no_softmax"
    r = grade(pt, p, context=json.dumps((np.array([0, 1.426145, 1.666742]) @ np.array(p.H)).tolist()))["context"]
    assert r.mistake == "context_from_scores"


def test_bahdanau_seed_002_g5_sample() -> None:
    pt, p = inst(BAH, s=[1, 0.5], H=[[0.1, 0.4], [0.5, -0.2], [-0.3, 0.6]], W_s=I2, W_h=[[0.5, -0.5], [1, 0]],
                 v=[1, -1])
    a = pt.solve(p)
    assert close(a["scores"], [0.154020, 0.112459, 0.303145])
    assert close(a["weights"], [0.320502, 0.307454, 0.372044])
    assert close(a["context"], [0.074164, 0.289936])


def test_bahdanau_bias_and_shapes() -> None:
    pt, p = inst(BAH, s=[1, 2], H=H19, W_s=I2, W_h=[[1, 1], [1, -1]], v=[1, 1], b=[-1, -1])
    assert close(pt.solve(p)["pre"], [[1, 2], [1, 0], [2, 1]])
    with pytest.raises(ParamError, match="W_h"):
        make(BAH).from_params(dict(s=[1, 2], H=H19, W_s=I2, W_h=[[1, 1, 1], [1, 1, 1]], v=[1, 1]))
    with pytest.raises(ParamError, match="b must"):
        make(BAH).from_params(dict(s=[1, 2], H=H19, W_s=I2, W_h=I2, v=[1, 1], b=[1]))


# ---- Luong: seed_002 G5 ------------------------------------------------------------------------------------------
LUONG = "attention/luong-v1"
G5_H = [[0.1, 0.4], [0.5, -0.2], [-0.3, 0.6]]


def test_luong_dot_sample() -> None:
    pt, p = inst(LUONG, s=[1, 0.5], H=G5_H, score="dot")
    a = pt.solve(p)
    assert close(a["scores"], [0.3, 0.4, 0.0])
    assert close(a["weights"], [0.351372, 0.388326, 0.260303])
    assert close(a["context"], [0.151209, 0.219065])
    scaled = pt.mistakes(p)["scaled"].answers["scores"]
    assert grade(pt, p, scores=json.dumps(scaled.tolist()))["scores"].mistake == "scaled"


def test_luong_general_and_concat() -> None:
    Wa = [[1, 2], [0, 1]]
    pt, p = inst(LUONG, s=[1, 0.5], H=G5_H, score="general", W_a=Wa)
    want = np.array(G5_H) @ np.array(Wa).T @ np.array([1, 0.5])  # h_tᵀ W_a h̄_j
    assert close(pt.solve(p)["scores"], want)
    # concat with W_a = [I | U_a] and v is the additive score of seed_002 G5
    pt, p = inst(LUONG, s=[1, 0.5], H=G5_H, score="concat", W_a=[[1, 0, 0.5, -0.5], [0, 1, 1, 0]], v=[1, -1])
    a = pt.solve(p)
    assert close(a["scores"], [0.154020, 0.112459, 0.303145])
    assert close(a["context"], [0.074164, 0.289936])
    assert {"no_tanh", "concat_swapped"} <= set(pt.mistakes(p))
    with pytest.raises(ParamError, match="W_a"):
        make(LUONG).from_params(dict(s=[1, 0.5], H=G5_H, score="general"))


# ---- multi-head sizes: seed_003 B6, seed_004 B7, seed_002 H3 ---------------------------------------------------------
MHD = "attention/multihead_dims-v1"


@pytest.mark.parametrize("d,h,total", [(512, 8, 1_050_624), (768, 12, 2_362_368), (4, 2, 80)])
def test_multihead_counts(d: int, h: int, total: int) -> None:
    pt, p = inst(MHD, d_model=d, heads=h, seq_len=10)
    a = pt.solve(p)
    assert a["total"] == total and a["d_head"] == d // h
    assert a["head_shape"] == [10, d // h] and a["score_shape"] == [h, 10, 10] and a["score_entries"] == h * 100


def test_multihead_projection_and_mistakes() -> None:
    pt, p = inst(MHD, d_model=512, heads=8, seq_len=16, bias=False)
    a = pt.solve(p)
    assert a["head_proj_params"] == 32_768 and a["proj_params"] == 262_144 and a["total"] == 4 * 512**2
    pt, p = inst(MHD, d_model=512, heads=8, seq_len=16)
    r = grade(pt, p, total=str(3 * 512 * 512 + 3 * 512))["total"]
    assert r.mistake == "no_out_proj"
    assert grade(pt, p, total=str(4 * 512 * 512))["total"].mistake == "no_bias"
    assert grade(pt, p, d_head="512")["d_head"].mistake == "no_split"
    with pytest.raises(ParamError, match="divisible"):
        make(MHD).from_params(dict(d_model=100, heads=8, seq_len=4))


def test_multihead_wrong_head_dimension_carried_forward_earns_the_ecf_credit() -> None:
    """d = 512, h = 8, n = 16 with biases: d_head = 64, one head's W_Q 512·64 + 64 = 32,832. A d_head of 32 followed
    through (512·32 + 32 = 16,416; Q per head 16×32) earns the ECF credit; the parts that do not use it are unmoved."""
    pt, p = inst(MHD, d_model=512, heads=8, seq_len=16)
    truth = pt.solve(p)
    assert truth["head_proj_params"] == 32_832
    given = {"d_head": "32", "head_proj_params": "16416", "proj_params": "262656", "total": "1050624",
             "head_shape": "[16, 32]", "score_shape": "[8, 16, 16]", "score_entries": "2048"}
    r = {x.name: x for x in grade_answers(pt, truth, given, params=p).parts}
    assert r["d_head"].verdict == "wrong"
    assert [(r[k].verdict, r[k].score) for k in ("head_proj_params", "head_shape")] == [("carried", 0.5)] * 2
    assert all(r[k].verdict == "right" for k in ("proj_params", "total", "score_shape", "score_entries"))
    # a total that follows from a W_Q count the student got wrong (262,144: no bias) earns the ECF credit too
    r2 = {x.name: x for x in grade_answers(pt, truth, {"proj_params": "262144", "total": "1048576"},
                                           params=p).parts}
    assert (r2["total"].verdict, r2["total"].score) == ("carried", 0.5)


def test_scaled_dot_product_columns_carry_the_students_weights_forward() -> None:
    """Tokens as columns, every W = I: V = X = [[1, 2], [0, 1]]. A student's weights A (columns summing to 1) give
    Z = V A = [[1.4, 1.7], [0.4, 0.7]]; the column layout's Z follows from them (not from Aᵀ)."""
    pt, p = inst("attention/scaled_dot_product-v2", X=[[1, 2], [0, 1]], W_q=[[1, 0], [0, 1]], W_k=[[1, 0], [0, 1]],
                 W_v=[[1, 0], [0, 1]], layout="columns")
    truth = pt.solve(p)
    given = {"weights": "[[0.6, 0.3], [0.4, 0.7]]", "output": "[[1.4, 1.7], [0.4, 0.7]]"}
    r = {x.name: x for x in grade_answers(pt, truth, given, params=p).parts}
    assert r["weights"].verdict == "wrong"
    assert (r["output"].verdict, r["output"].score) == ("carried", 0.5)
    transposed = grade_answers(pt, truth, {**given, "output": "[[1.2, 1.8], [0.3, 0.7]]"}, params=p).parts[1]
    assert transposed.verdict == "wrong"  # A V in the row sense: not what follows from this A


# ---- softmax with temperature: seed_000 B6 ---------------------------------------------------------------------------
SMT = "attention/softmax_temperature-v1"


@pytest.mark.parametrize("T,probs", [(1, [0.643914, 0.236883, 0.087144, 0.032059]),
                                     (0.5, [0.864955, 0.117059, 0.015842, 0.002144]),
                                     (2, [0.455054, 0.276004, 0.167405, 0.101536])])
def test_temperature_samples(T: float, probs: list[float]) -> None:
    pt, p = inst(SMT, z=[2, 1, 0, -1], temperature=T, k=2)
    a = pt.solve(p)
    assert close(a["probs"], probs) and a["argmax"] == 1


def test_temperature_multiplied_gives_reciprocal_answer() -> None:
    pt, p = inst(SMT, z=[2, 1, 0, -1], temperature=0.5, k=2)
    r = grade(pt, p, probs="[0.4551, 0.2760, 0.1674, 0.1015]")["probs"]
    assert r.mistake == "multiplied_by_t"


def test_topk_samples() -> None:
    pt, p = inst(SMT, z=[3, 2, 1.5, 0, -1], temperature=0.5, k=2)
    assert close(pt.solve(p)["topk"], [0.880797, 0.119203, 0, 0, 0])
    pt, p = inst(SMT, z=np.log([0.4, 0.25, 0.15, 0.1, 0.06, 0.04]).tolist(), temperature=1, k=3)
    assert close(pt.solve(p)["topk"], [0.5, 0.3125, 0.1875, 0, 0, 0])
    r = grade(pt, p, topk="[0.4, 0.25, 0.15, 0, 0, 0]")["topk"]
    assert r.mistake == "topk_not_renormalised"
    pt, p = inst(SMT, z=[1, 2, 3, 0], temperature=1, k=1)
    a = pt.solve(p)
    assert a["argmax"] == 3 and close(a["probs"], [0.087144, 0.236883, 0.643914, 0.032059])
    assert grade(pt, p, argmax="2")["argmax"].mistake == "argmax_zero_based"


def test_softmax_params_are_checked() -> None:
    pt = make(SMT)
    with pytest.raises(ParamError, match="k=5"):
        pt.from_params(dict(z=[1, 2, 3], temperature=1, k=5))
    with pytest.raises(ParamError, match="largest logit"):
        pt.from_params(dict(z=[3, 3, 1], temperature=1, k=1))
    with pytest.raises(ParamError, match="not unique"):
        pt.from_params(dict(z=[3, 2, 2], temperature=1, k=2))
    with pytest.raises(ParamError, match="temperature"):
        pt.from_params(dict(z=[3, 2, 1], temperature=0, k=2))


def test_part_grading_uses_decimal_places() -> None:
    pt = make(SMT)
    part = pt.part("probs")
    assert grade_part(part, [0.864955, 0.117059, 0.015842, 0.002144], "[0.8650, 0.1171, 0.0158, 0.0021]").score == 1


# ---- padded batches: one batch of many shapes gives each instance its own answers -----------------------------------
def _mixed_batch_agrees(pid: str, values: list[dict]) -> None:
    """The reference over one batch of mixed shapes agrees with solve for every instance, and with the reference
    run on that instance alone (padding to the batch's largest shapes changes no answer)."""
    import torch

    from examprep.verify import compare, load_reference

    pt = make(pid)
    params = [pt.from_params(v).params for v in values]
    ref = load_reference(pt)
    got = ref(params, torch.device("cpu"))
    assert len(got) == len(params)
    for i, p in enumerate(params):
        truth, alone = pt.solve(p), ref([p], torch.device("cpu"))[0]
        assert set(got[i]) == set(truth) == set(alone), (i, p)
        for k, v in got[i].items():
            assert compare(truth[k], v)[0], (k, p, truth[k], v)
            assert compare(alone[k], v, rtol=1e-12, atol=1e-13)[0], (k, p, alone[k], v)


def _grid(rng: np.random.Generator, *shape: int) -> list:
    return (rng.integers(-4, 5, size=shape) / 2).tolist()


def test_scaled_dot_product_reference_mixed_batch() -> None:
    """n, d, d_k, d_v from 1 to 5 in one batch, causal and residual mixed (padded keys and future keys masked)."""
    rng = np.random.default_rng(5)
    values = []
    for _ in range(200):
        n, d, dk = (int(x) for x in rng.integers(1, 6, size=3))
        residual = bool(rng.integers(2))
        dv = d if residual else int(rng.integers(1, 6))
        values.append(dict(X=_grid(rng, n, d), W_q=_grid(rng, d, dk), W_k=_grid(rng, d, dk), W_v=_grid(rng, d, dv),
                           causal=bool(rng.integers(2)), residual=residual))
    _mixed_batch_agrees(SDPA, values)


def test_bahdanau_reference_mixed_batch() -> None:
    """d_s, d_h, d_a from 1 to 4 and 1 to 5 encoder states in one batch, with and without a bias."""
    rng = np.random.default_rng(6)
    values = []
    for _ in range(200):
        ds, dh, da = (int(x) for x in rng.integers(1, 5, size=3))
        n = int(rng.integers(1, 6))
        values.append(dict(s=_grid(rng, ds), H=_grid(rng, n, dh), W_s=_grid(rng, da, ds), W_h=_grid(rng, da, dh),
                           v=_grid(rng, da), b=_grid(rng, da) if rng.integers(2) else None))
    _mixed_batch_agrees(BAH, values)


def test_luong_reference_mixed_batch() -> None:
    """dot, general and concat in one batch; d_s ≠ d_h for general and concat (W_a split at each one's own d_s)."""
    rng = np.random.default_rng(7)
    values = []
    for i in range(300):
        kind = ("dot", "general", "concat")[i % 3]
        ds, dh, da = (int(x) for x in rng.integers(1, 5, size=3))
        dh = ds if kind == "dot" else dh
        n = int(rng.integers(1, 6))
        v = dict(s=_grid(rng, ds), H=_grid(rng, n, dh), score=kind)
        if kind == "general":
            v["W_a"] = _grid(rng, ds, dh)
        elif kind == "concat":
            v.update(W_a=_grid(rng, da, ds + dh), v=_grid(rng, da))
        values.append(v)
    _mixed_batch_agrees("attention/luong-v1", values)


def test_softmax_temperature_reference_mixed_batch() -> None:
    """2 to 9 logits, every k and several temperatures in one batch (padded logits never enter a softmax or the
    top k)."""
    rng = np.random.default_rng(8)
    values = []
    for _ in range(300):
        n = int(rng.integers(2, 10))
        z = (rng.permutation(np.arange(-8, 9))[:n] / 2).tolist()  # distinct logits
        values.append(dict(z=z, temperature=float(rng.choice([0.25, 0.5, 1.0, 3.0])), k=int(rng.integers(1, n + 1))))
    _mixed_batch_agrees("attention/softmax_temperature-v1", values)
