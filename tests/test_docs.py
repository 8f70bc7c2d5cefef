"""docs/architecture.md stays true to the code: every path it names exists, every module attribute it names
resolves, and nothing in it (or in the LICENSE) points outside the repository."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"
ALIASES = {"batching": "reference.batching", "packing": "reference.packing"}


def _code_spans() -> list[str]:
    return re.findall(r"`([^`\n]+)`", DOC.read_text())


def test_every_path_named_exists() -> None:
    paths = {s.rstrip("/") for s in _code_spans() if re.match(r"(examprep|tests|docs|benchmarks)/", s)}
    assert len(paths) > 20
    missing = sorted(p for p in paths if "<" not in p and not (ROOT / p).exists())
    assert missing == []
    # templated paths: the folder before the placeholder exists
    for p in (p for p in paths if "<" in p):
        assert (ROOT / p.split("<")[0]).is_dir(), p


def _resolve(dotted: str) -> object:
    head, *rest = dotted.split(".")
    parts = ALIASES.get(head, head).split(".") + rest
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module("examprep." + ".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ModuleNotFoundError(dotted)


def test_every_module_attribute_named_resolves() -> None:
    names = {m.group(1) for s in _code_spans()
             if (m := re.match(r"((?:seeding|instances|registry|verify|batching|packing|reference|checker)"
                               r"(?:\.\w+)+)", s)) and not s.endswith(".py")}
    assert {"seeding.encode", "verify.run.plan", "instances.from_code"} <= names
    for name in sorted(names):
        assert _resolve(name) is not None, name


def test_problem_type_methods_named_exist() -> None:
    from examprep.problem import ProblemType

    for method in ("generate", "sample", "check", "statement", "solve", "derivation", "mistakes", "degenerate",
                   "active_parts", "_mistake_collision"):
        assert callable(getattr(ProblemType, method)), method


@pytest.mark.parametrize("path", ["docs/architecture.md", "LICENSE"])
def test_nothing_points_outside_the_repository(path: str) -> None:
    text = (ROOT / path).read_text()
    for outside in ("DESIGN.md", "STYLE.md", "shared folder", "../", "/work/", "seeds/", "catalog/"):
        assert outside not in text, (path, outside)


def test_readme_links_stay_inside_the_repository() -> None:
    for link in re.findall(r"\]\(([^)#]+)", (ROOT / "README.md").read_text()):
        if not re.match(r"[a-z]+://", link):
            assert (ROOT / link).exists(), link
