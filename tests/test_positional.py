"""Sinusoidal positional encoding: the d = 6 "I love AI" example (seed_003 §1.8) with the catalog's values, the
notes' slips marked wrong, the mistake signatures, the torch reference, validation and rendering."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from examprep.checker import self_test
from examprep.errors import ParamError, PartError
from examprep.grader.score import grade_answers
from examprep.registry import make
from examprep.seeding import DIFFICULTIES
from examprep.solver.render import OUTPUT_FORMATS, derivation, statement
from examprep.verify import verify_type

PID = "positional/sinusoidal-v1"
EMB = [[0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [0.5, 0.4, 0.3, 0.2, 0.1, 0.0], [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]]
PE = [[0, 1, 0, 1, 0, 1],
      [0.841471, 0.540302, 0.046399, 0.998923, 0.002154, 0.999998],
      [0.909297, -0.416147, 0.092699, 0.995694, 0.004309, 0.999991]]


def close(a, b, tol: float = 5e-7) -> bool:
    return bool(np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), atol=tol, rtol=0))


def inst(**params):
    pt = make(PID)
    return pt, pt.from_params(params).params


def grade(pt, p, **answers):
    r = grade_answers(pt, pt.solve(p), answers, pt.mistakes(p))
    return {x.name: x for x in r.parts}


def test_self_test() -> None:
    pt = make(PID)
    assert self_test(pt, [pt.generate(s, d) for s in range(30) for d in DIFFICULTIES]) == []


def test_reference_agrees_on_thousands() -> None:
    import torch

    res = verify_type(make(PID), 2000, torch.device("cpu"), self_test=False)
    assert res.disagreements == 0, res.examples
    assert res.max_error < 1e-9


def test_i_love_ai_d6() -> None:
    pt, p = inst(d_model=6, positions=[0, 1, 2], base=0, X=EMB)
    a = pt.solve(p)
    assert close(a["denominators"], [1, 21.544347, 464.158883])
    assert close(a["pe"], PE)
    assert close(a["z"], [[0.1, 1.2, 0.3, 1.4, 0.5, 1.6],
                          [1.341471, 0.940302, 0.346399, 1.198923, 0.102154, 0.999998],
                          [1.809297, 0.383853, 0.792699, 1.595694, 0.504309, 1.399991]])


def test_i_love_ai_notes_slips_are_wrong() -> None:
    pt, p = inst(d_model=6, positions=[0, 1, 2], base=0, X=EMB)
    notes_pe = [[0, 1, 0, 1, 0, 1], [0.8415, 0.5403, 0.0464, 0.9989, 0.0215, 0.999997],
                [0.9983, -0.4161, 0.0927, 0.6957, 0.00431, 0.999997]]
    r = grade(pt, p, denominators="[1, 21.54, 46.16]", pe=json.dumps(notes_pe))
    assert r["denominators"].score < 1
    assert r["pe"].verdict == "partial" and r["pe"].score < 1
    # the notes' z rows are right to the 4 decimal places asked for: their last entry 1.3999997 (true 1.399991)
    # differs by 9e-6; with PE_2's typos (0.9983 for 0.9093) copied in, z is wrong
    notes_z = [[0.1, 1.2, 0.3, 1.4, 0.5, 1.6], [1.3415, 0.9403, 0.3464, 1.1989, 0.10215, 0.999997],
               [1.8093, 0.3839, 0.7927, 1.5957, 0.50431, 1.3999997]]
    assert grade(pt, p, z=json.dumps(notes_z))["z"].score == 1
    notes_z[2][0], notes_z[2][3] = 0.9 + 0.9983, 0.6 + 0.6957
    assert grade(pt, p, z=json.dumps(notes_z))["z"].verdict == "partial"


def test_formula_sheet_rule_is_a_named_mistake() -> None:
    pt, p = inst(d_model=6, positions=[1, 2])
    sheet = pt.mistakes(p)["sheet_formula"].answers["pe"]
    assert close(sheet, [[-0.997495, 0.540302, 0.213781, 0.998923, 0.010000, 0.999998],
                         [0.141128, -0.416147, 0.417677, 0.995694, 0.019999, 0.999991]])
    r = grade(pt, p, pe=json.dumps(np.round(sheet, 6).tolist()))["pe"]
    assert r.score == 0 and r.mistake == "sheet_formula"


@pytest.mark.parametrize("mistake", ["sin_cos_swapped", "exponent_k_over_d", "degrees", "other_layout",
                                     "wrong_base", "multiplied"])
def test_mistakes_are_recognised(mistake: str) -> None:
    pt, p = inst(d_model=6, positions=[1, 2], base=0)
    wrong = pt.mistakes(p)[mistake].answers["pe"]
    r = grade(pt, p, pe=json.dumps(np.round(wrong, 6).tolist()))["pe"]
    assert r.score < 1 and r.mistake == mistake


def test_degrees_signature() -> None:
    pt, p = inst(d_model=4, positions=[1])
    assert close(pt.mistakes(p)["degrees"].answers["pe"][0][0], 0.017452)


@pytest.mark.parametrize("d,pos,row", [
    (4, 3, [0.141120, -0.989992, 0.029996, 0.999550]),
    (8, 5, [-0.958924, 0.283662, 0.479426, 0.877583, 0.049979, 0.998750, 0.005000, 0.999988]),
    (4, 1, [0.841471, 0.540302, 0.010000, 0.999950]),
])
def test_more_catalog_samples(d: int, pos: int, row: list[float]) -> None:
    pt, p = inst(d_model=d, positions=[pos])
    assert close(pt.solve(p)["pe"][0], row)


def test_d512_first_components() -> None:
    from examprep.problem import ParamWarning

    with pytest.warns(ParamWarning, match="by hand"):
        pt, p = inst(d_model=512, positions=[10])
    assert close(pt.solve(p)["pe"][0][:4], [-0.544021, -0.839072, -0.220023, -0.975495])


def test_base_one_and_split_layout() -> None:
    pt, p = inst(d_model=4, positions=[1, 2], base=1)
    a = pt.solve(p)
    assert close(a["pe"][0], [0.841471, 0.540302, 0.010000, 0.999950])
    assert "1st and 2nd token" in statement(pt.statement(p), "text")
    r = grade(pt, p, pe="[[0, 1, 0, 1], [0.841471, 0.540302, 0.01, 0.99995]]")["pe"]
    assert r.mistake == "wrong_base"
    pt, p = inst(d_model=4, positions=[2], layout="split")
    assert close(pt.solve(p)["pe"][0], [0.909297, 0.019999, -0.416147, 0.999800])


def test_z_only_when_embeddings_given() -> None:
    pt, p = inst(d_model=4, positions=[1])
    assert set(pt.solve(p)) == {"denominators", "pe"}
    assert [x.name for x in pt.active_parts(p)] == ["denominators", "pe"]
    with pytest.raises(PartError):
        grade_answers(pt, pt.solve(p), {"z": "[[1, 2, 3, 4]]"})


def test_params_are_checked() -> None:
    pt = make(PID)
    with pytest.raises(ParamError, match="even"):
        pt.from_params(dict(d_model=5, positions=[1]))
    with pytest.raises(ParamError, match="≥ 1"):
        pt.from_params(dict(d_model=4, positions=[0, 1], base=1))
    with pytest.raises(ParamError, match="X must"):
        pt.from_params(dict(d_model=4, positions=[0, 1], X=[[1, 2, 3, 4]]))
    sets = pt.parse_sets(["d_model=6", "positions=[0,1,2]", "base=0", "layout=interleaved"])
    assert sets == {"d_model": 6, "positions": (0, 1, 2), "base": 0, "layout": "interleaved"}


def test_renders_everywhere_and_typst_compiles(tmp_path: Path) -> None:
    import typst

    pt, p = inst(d_model=6, positions=[0, 1, 2], base=0, X=EMB)
    dv = pt.derivation(p)
    for fmt in OUTPUT_FORMATS:
        assert derivation(dv, fmt).strip() and statement(pt.statement(p), fmt).strip()
    assert r"\begin{bmatrix}" in derivation(dv, "latex")
    assert 'mat(delim: "["' in derivation(dv, "typst")
    assert "⎡" in derivation(dv, "text")
    src = tmp_path / "doc.typ"
    src.write_text(statement(pt.statement(p), "typst") + "\n\n" + derivation(dv, "typst") + "\n")
    assert typst.compile(str(src))[:4] == b"%PDF"


def test_reference_mixed_batch() -> None:
    """d_model from 2 to 16, 1 to 5 positions, both layouts, with and without X, in one batch: each instance's
    answers equal solve's and the reference's on that instance alone (padding changes nothing)."""
    import torch

    from examprep.verify import compare, load_reference

    rng = np.random.default_rng(9)
    pt = make(PID)
    params = []
    for _ in range(300):
        d, count = 2 * int(rng.integers(1, 9)), int(rng.integers(1, 6))
        x = (rng.integers(-10, 11, size=(count, d)) / 10).tolist() if rng.integers(2) else None
        params.append(pt.from_params(dict(d_model=d, positions=sorted(rng.choice(40, count, replace=False).tolist()),
                                          layout=str(rng.choice(["interleaved", "split"])), X=x)).params)
    ref = load_reference(pt)
    got = ref(params, torch.device("cpu"))
    for i, p in enumerate(params):
        truth, alone = pt.solve(p), ref([p], torch.device("cpu"))[0]
        assert set(got[i]) == set(truth) == set(alone), p
        for k, v in got[i].items():
            assert compare(truth[k], v)[0], (k, p)
            assert compare(alone[k], v, rtol=1e-12, atol=1e-13)[0], (k, p)


def test_wrong_denominators_carried_forward_earn_the_ecf_credit() -> None:
    """d = 4, pos = 2: denominators [1, 100], PE [sin 2, cos 2, sin 0.02, cos 0.02]. The exponent k/d gives [1, 10];
    the PE that follows from them, [sin 2, cos 2, sin 0.2, cos 0.2], earns the ECF credit."""
    pt, p = inst(d_model=4, positions=[2])
    assert close(pt.solve(p)["denominators"], [1, 100])
    r = grade_answers(pt, pt.solve(p), {"denominators": "[1, 10]", "pe": "[[0.9093, -0.4161, 0.1987, 0.9801]]"},
                      pt.mistakes(p), params=p)
    den, pe = r.parts
    assert den.mistake == "exponent_k_over_d"
    assert (pe.verdict, pe.score) == ("carried", 0.5)
    assert pe.feedback.startswith("follows from your denominators = [1, 10]")
