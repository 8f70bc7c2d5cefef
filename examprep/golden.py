"""Golden instances: (id, seed, difficulty) -> params and answers pinned in JSON under tests/golden/.

``python -m examprep.golden ID [ID ...]`` writes ``tests/golden/<topic>/<name>-vN.json`` for a few seeds per
difficulty. Regenerate only when a version is added; a changed stream for an existing version is a bug (bump it).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from examprep.registry import make

SEEDS = (0, 1, 2, 7, 42)
DIFFICULTIES = ("easy", "medium", "hard")


def jsonable(v: Any) -> Any:
    """Answers as JSON: arrays to lists, numpy scalars to Python, Fractions to floats."""
    if isinstance(v, dict):
        return {k: jsonable(x) for k, x in v.items()}
    if hasattr(v, "tolist"):
        return jsonable(v.tolist())
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, (bool, int, str)) or v is None:
        return v
    return float(v)


def golden_records(problem_id: str) -> list[dict[str, Any]]:
    pt = make(problem_id)
    out = []
    for d in DIFFICULTIES:
        for s in SEEDS:
            inst = pt.generate(s, d)
            out.append({"seed": s, "difficulty": d, "code": inst.code, "params": inst.params.to_json(),
                        "answers": jsonable(pt.solve(inst.params))})
    return out


def golden_path(root: Path, problem_id: str) -> Path:
    topic, rest = problem_id.split("/", 1)
    return root / topic / f"{rest}.json"


def main(argv: list[str]) -> int:
    root = Path(__file__).resolve().parent.parent / "tests" / "golden"
    for pid in argv:
        pt = make(pid)
        path = golden_path(root, pt.id)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(golden_records(pt.id), indent=1) + "\n")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))


def assert_close(a: Any, b: Any) -> bool:
    """Golden comparison: exact for ints and strings, 1e-9 relative for floats."""
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return bool(np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=1e-9, atol=1e-12))
