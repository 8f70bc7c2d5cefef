"""Concept items in use: instance codes fix the option order, grading of every kind, and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from examprep import concepts, seeding
from examprep.concepts.grading import grade, normalise
from examprep.concepts.model import ConceptItem
from examprep.concepts.problem import ConceptType
from examprep.instances import from_code


def _item(kind: str, **kw: object) -> ConceptItem:
    base = {"id": f"concept/cnn/test-{kind}-v1", "kind": kind, "difficulty": "easy", "covers": ["seed_004#20"],
            "source": "s", "stem": "Q?", "explanation": "Because."}
    return ConceptItem.from_dict({**base, **kw}, "cnn")


MULTI = _item("multi", options=[{"text": t, "correct": t in "abc", "feedback": f"fb {t}"} for t in "abcde"])


def _letters(order: tuple[int, ...], wanted: str) -> str:
    """The shown letters of the file options named in ``wanted`` (file option i has text chr(97 + i))."""
    return ",".join("ABCDE"[order.index(ord(t) - 97)] for t in wanted)


@pytest.mark.parametrize(("chosen", "score"), [("abc", 1.0), ("ab", 2 / 3), ("a", 1 / 3), ("abcd", 2 / 3),
                                               ("ad", 0.0), ("abcde", 1 / 3), ("de", 0.0), ("ade", 0.0)])
def test_multi_partial_credit_is_right_minus_wrong_over_right(chosen: str, score: float) -> None:
    order = (3, 0, 4, 1, 2)
    r = grade(MULTI, order, _letters(order, chosen))
    assert r.score == pytest.approx(score)
    assert r.verdict == ("right" if score == 1 else "partial" if score > 0 else "wrong")


def test_letters_are_read_leniently_and_bad_letters_are_invalid() -> None:
    order = (0, 1, 2, 3, 4)
    assert grade(MULTI, order, "c a b").score == 1.0
    assert grade(MULTI, order, "a,b;c").score == 1.0
    assert grade(MULTI, order, "ABC").score == 1.0
    assert grade(MULTI, order, "A,F").verdict == "invalid"
    assert grade(MULTI, order, " ").verdict == "invalid"


def test_choice_gives_the_chosen_options_feedback() -> None:
    it = _item("choice", options=[{"text": t, "correct": t == "c", "feedback": f"fb {t}"} for t in "abcd"])
    order = (2, 3, 0, 1)
    right, wrong = grade(it, order, "A"), grade(it, order, "b")
    assert (right.score, right.feedback) == (1.0, "fb c")
    assert (wrong.score, wrong.verdict, wrong.feedback) == (0.0, "wrong", "fb d")
    assert grade(it, order, "A,B").verdict == "invalid"


def test_truefalse_and_short() -> None:
    tf = _item("truefalse", answer=False)
    assert [grade(tf, (), s).score for s in ("false", "F", "no", "True")] == [1, 1, 1, 0]
    assert grade(tf, (), "maybe").verdict == "invalid"
    short = _item("short", answers=["Weight sharing", "tied weights"])
    assert normalise("  Wéight-Sharing. ") == "weight sharing"
    assert [grade(short, (), s).score for s in ("weight sharing", "WEIGHT  SHARING.", "tied weights", "pooling")] \
        == [1, 1, 1, 0]


def test_a_code_regenerates_the_same_option_order() -> None:
    pt = ConceptType(MULTI)
    orders = {pt.generate(s).params["order"] for s in range(40)}
    assert len(orders) > 20  # the seed shuffles
    assert all(sorted(o) == [0, 1, 2, 3, 4] for o in orders)
    inst = pt.generate(17)
    assert ConceptType(MULTI).generate(17).params["order"] == inst.params["order"]
    assert seeding.decode(inst.code)[1:] == (17, "easy")


def test_bank_codes_decode_to_their_items_and_never_collide_with_problem_ids() -> None:
    from examprep.registry import all_specs

    problem_hashes = {seeding.id_hash(s.id) for s in all_specs(include_retired=True)}
    concept_hashes = [seeding.id_hash(it.id) for it in concepts.all_items()]
    assert len(set(concept_hashes)) == len(concept_hashes)
    assert not problem_hashes & set(concept_hashes)
    for it in concepts.all_items()[:20]:
        pt = ConceptType(it)
        inst = pt.generate(5)
        again = from_code(inst.code)
        assert (again.problem_id, again.params["order"]) == (it.id, inst.params["order"])


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    return subprocess.run([sys.executable, "-m", "examprep.cli", *args], capture_output=True, text=True, env=env)


def test_cli_list_show_solve_check() -> None:
    items = json.loads(_cli("list", "--concepts", "--json").stdout)
    assert items and all(e["kind"] == "concept" and e["parts"] == ["choice"] for e in items)
    assert {e["kind"] for e in json.loads(_cli("list", "--json").stdout)} == {"numeric"}
    it = next(i for i in concepts.all_items() if i.kind == "choice")
    inst = ConceptType(it).generate(9)
    key = str(ConceptType(it).solve(inst.params)["choice"])
    shown = _cli("show", inst.code).stdout
    for letter, _ in ConceptType(it).options(inst.params):
        assert f"{letter}. " in shown
    assert "Answer:" not in shown
    solved = _cli("solve", inst.code).stdout
    assert f"Answer: {key}." in solved
    ok = _cli("check", inst.code, "--answer", f"choice={key.lower()}")
    assert ok.returncode == 0 and "Score: 100%" in ok.stdout
    wrong = next(c for c in "ABCD" if c != key)
    bad = _cli("check", inst.code, "--answer", f"choice={wrong}")
    assert bad.returncode == 1 and "Score: 0%" in bad.stdout
    err = _cli("check", inst.code, "--answer", "h_out=3")
    assert err.returncode == 2 and "Traceback" not in err.stderr


def test_secret_codes_regenerate_the_option_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXAMPREP_SECRET", "a-long-enough-test-secret-0123456789")
    from examprep import secret

    pt = ConceptType(MULTI)
    orders = {pt.generate(s, secret=secret.current()).params["order"] for s in range(30)}
    assert len(orders) > 15
    it = concepts.all_items()[0]
    inst = ConceptType(it).generate(8, secret=secret.current())
    assert seeding.is_secret(inst.code)
    again = from_code(inst.code)
    assert (again.problem_id, again.params["order"]) == (it.id, inst.params["order"])
