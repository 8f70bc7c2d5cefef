"""Golden instances: a changed random stream or formula for an existing version is caught here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from examprep.golden import assert_close, jsonable
from examprep.registry import make

ROOT = Path(__file__).parent / "golden"
FILES = sorted(ROOT.glob("*/*.json"))


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
def test_golden(path: Path) -> None:
    pt = make(f"{path.parent.name}/{path.stem}")
    assert pt.id == f"{path.parent.name}/{path.stem}"
    for rec in json.loads(path.read_text()):
        inst = pt.generate(rec["seed"], rec["difficulty"])
        assert inst.code == rec["code"]
        assert inst.params.to_json() == rec["params"], f"seed {rec['seed']} {rec['difficulty']}: params changed"
        got = jsonable(pt.solve(inst.params))
        assert set(got) == set(rec["answers"])
        for k, v in rec["answers"].items():
            assert assert_close(got[k], v), f"seed {rec['seed']} {rec['difficulty']} part {k}: {got[k]} != {v}"


def test_every_registered_type_has_golden_file() -> None:
    from examprep.registry import all_specs

    have = {f"{p.parent.name}/{p.stem}" for p in FILES}
    missing = [s.id for s in all_specs() if s.id not in have]
    assert not missing, f"no golden file for {missing}: run python -m examprep.golden {' '.join(missing)}"
