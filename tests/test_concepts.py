"""The concept bank: every item follows the format's rules, and every conceptual topic line is covered."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from collections import Counter

import pytest

from examprep import concepts
from examprep.concepts.model import TOPICS, ConceptItem

ITEMS = concepts.all_items()


def test_topic_lines_are_the_catalogs_232() -> None:
    lines = concepts.topic_lines()
    per_file = Counter(k.split("#")[0] for k in lines)
    assert per_file == {"seed_000_001": 61, "seed_002": 34, "seed_003": 98, "seed_004": 39}
    assert all(lines[f"{f}#{n}"] for f, k in per_file.items() for n in range(1, k + 1))


@pytest.mark.parametrize("item", ITEMS, ids=[it.id for it in ITEMS])
def test_item_is_valid(item: ConceptItem) -> None:
    assert item.problems() == []
    assert all(c in concepts.topic_lines() for c in item.covers), item.covers


def test_the_id_scan_finds_exactly_the_parsed_ids() -> None:
    assert concepts.item_ids() == tuple(it.id for it in ITEMS)


def test_ids_and_stems_are_unique() -> None:
    ids = Counter(it.id for it in ITEMS)
    stems = Counter(re.sub(r"\s+", " ", it.stem.strip().lower()) for it in ITEMS)
    assert [i for i, n in ids.items() if n > 1] == []
    assert [s for s, n in stems.items() if n > 1] == []


def test_every_topic_file_parses_and_names_a_topic() -> None:
    for path in concepts.topic_files():
        with path.open("rb") as f:
            data = tomllib.load(f)
        assert set(data) <= {"item"}, path.name
        assert path.stem in TOPICS, f"{path.name}: no examprep topic {path.stem!r}"


def test_rules_catch_bad_items() -> None:
    good = {"id": "concept/cnn/x-v1", "kind": "choice", "difficulty": "easy", "covers": ["seed_004#20"],
            "source": "s", "stem": "Q?", "explanation": "E.",
            "options": [{"text": t, "correct": t == "a", "feedback": "f"} for t in "abcd"]}
    assert ConceptItem.from_dict(good, "cnn").problems() == []
    two_right = {**good, "options": [{**o, "correct": True} for o in good["options"]]}
    assert any("exactly one" in p for p in ConceptItem.from_dict(two_right, "cnn").problems())
    three = {**good, "options": good["options"][:3]}
    assert any("3 options" in p for p in ConceptItem.from_dict(three, "cnn").problems())
    above = {**good, "stem": "Which? None of the above."}
    assert any("none of the above" in p.lower() for p in ConceptItem.from_dict(above, "cnn").problems())
    notes = {**good, "explanation": "As the slides say."}
    assert any("slides" in p for p in ConceptItem.from_dict(notes, "cnn").problems())
    assert ConceptItem.from_dict({**good, "covers": []}, "cnn").problems()
    mathcal = {**good, "stem": "Is $\\mathcal{N}(0, 1)$ a prior?"}
    assert any("mathcal" in p for p in ConceptItem.from_dict(mathcal, "cnn").problems())
    assert ConceptItem.from_dict({**good, "stem": "Is $\\sigma'(z) \\le \\frac{1}{4}$?"}, "cnn").problems() == []
    assert ConceptItem.from_dict({**good, "id": "concept/cnn/x"}, "cnn").problems()


def test_every_topic_line_is_covered() -> None:
    covered = {c for it in ITEMS for c in it.covers}
    missing = sorted(set(concepts.topic_lines()) - covered)
    assert missing == []
    assert len(ITEMS) >= 230
    from examprep.registry import list_specs

    assert sorted({s.topic for s in list_specs()} - {it.topic for it in ITEMS}) == []  # every topic has items


def test_importing_the_cli_reads_no_concept_file() -> None:
    code = ("import examprep.cli, examprep.concepts as c, sys; "
            "print(c.file_items.cache_info().currsize, 'tomllib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["0", "False"]


def test_check_a_concept_code_through_the_cli_after_error_carried_forward_landed() -> None:
    """The grader's error-carried-forward step asks every problem whether it carries forward; a concept item
    does not (it crashed with AttributeError before)."""
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "examprep.cli", "check", "concept/rnn/gru-gates-short", "--answer",
                        "choice=Update Gate."], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "✓ choice = Update Gate.: right" in r.stdout
