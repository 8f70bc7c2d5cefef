"""embedding types: the catalog's worked examples, the wrong values graded as named mistakes, validation, and the
references against solve on mixed batches."""

from __future__ import annotations

import numpy as np
import pytest
from family_helpers import family_checks, mistake_named, right, solved

from examprep.errors import ParamError
from examprep.grader.score import grade_answers
from examprep.registry import make

IDS = ["embedding/bow_cosine-v1", "embedding/cooccurrence-v1", "embedding/analogy-v1", "embedding/interpolation-v1",
       "embedding/skipgram_pairs-v1"]


test_reference_agrees, test_self_test_every_difficulty, test_reference_on_a_mixed_batch = family_checks(
    IDS, batch=300, mixed=15)


# ---- bow_cosine: s04 B2 --------------------------------------------------------------------------------------

def test_bow_cosine_one_hot_words_are_orthogonal() -> None:
    # s04 B2: two different one-hot words have cosine 0 (the drawback of 1-of-N)
    _, _, ans = solved("embedding/bow_cosine-v1", docs=["cat", "dog"], vocab=["cat", "dog", "mat"])
    assert ans["dim"] == 3
    assert ans["vectors"].tolist() == [[1, 0, 0], [0, 1, 0]]
    assert ans["cosine"] == pytest.approx(np.eye(2))


def test_bow_cosine_counts_presence_order_and_norms() -> None:
    # counts: d1 = (2, 1, 0), d2 = (1, 0, 1) over [cat, sat, mat]; "the" is ignored; cos = 2/(√5·√2)
    docs, vocab = ["cat sat the cat", "mat cat"], ["cat", "sat", "mat"]
    pt, inst, ans = solved("embedding/bow_cosine-v1", docs=docs, vocab=vocab)
    assert ans["vectors"].tolist() == [[2, 1, 0], [1, 0, 1]]
    assert ans["cosine"][0, 1] == pytest.approx(2 / np.sqrt(10))
    assert right(pt, inst, dim="3", vectors="[[2, 1, 0], [1, 0, 1]]", cosine="[[1, 0.6325], [0.6325, 1]]")
    assert mistake_named(pt, inst, "cosine", "[[5, 2], [2, 2]]") == "dot_product_unnormalised"
    # binary: d1 = (1, 1, 0): cos = 1/(√2·√2) = 0.5; counts give 0.6325
    pt, inst, ans = solved("embedding/bow_cosine-v1", docs=docs, vocab=vocab, binary=True)
    assert ans["cosine"][0, 1] == pytest.approx(0.5)
    assert mistake_named(pt, inst, "vectors", "[[2, 1, 0], [1, 0, 1]]") == "counts_for_presence"
    # columns in order of appearance: [cat, sat, mat] is already that order, so reorder the vocabulary
    pt, inst, ans = solved("embedding/bow_cosine-v1", docs=docs, vocab=["mat", "sat", "cat"])
    assert ans["vectors"].tolist() == [[0, 1, 2], [1, 0, 1]]
    assert mistake_named(pt, inst, "vectors", "[[2, 1, 0], [1, 0, 1]]") == "appearance_order"


@pytest.mark.parametrize("sets", [dict(docs=["cat", "the"], vocab=["cat"]), dict(docs=["cat"], vocab=["cat"]),
                                  dict(docs=["cat", "dog"], vocab=["cat", "cat"])])
def test_bow_cosine_refuses_empty_documents_and_bad_vocabularies(sets: dict) -> None:
    with pytest.raises(ParamError):
        make("embedding/bow_cosine").from_params(sets)


# ---- cooccurrence: s04 B3 ------------------------------------------------------------------------------------

B3 = dict(docs=["cat sat mat", "cat dog", "dog sat", "cat sat dog"], vocab=["cat", "dog", "mat", "sat"])


def test_cooccurrence_catalog_b3_documents() -> None:
    pt, inst, ans = solved("embedding/cooccurrence-v1", **B3)
    assert ans["N"].tolist() == [[3, 2, 1, 2], [2, 3, 0, 2], [1, 0, 1, 1], [2, 2, 1, 3]]
    assert right(pt, inst, N="[[3, 2, 1, 2], [2, 3, 0, 2], [1, 0, 1, 1], [2, 2, 1, 3]]")


def test_cooccurrence_tokens_for_documents() -> None:
    # "cat cat dog": documents give N(cat, dog) = 1, N(cat, cat) = 1; token products give 2 and 4
    pt, inst, ans = solved("embedding/cooccurrence-v1", docs=["cat cat dog", "dog"], vocab=["cat", "dog"])
    assert ans["N"].tolist() == [[1, 1], [1, 2]]
    assert mistake_named(pt, inst, "N", "[[4, 2], [2, 2]]") == "tokens_for_documents"


def test_cooccurrence_window_counts_both_sides() -> None:
    # "a b c" with c = 1: pairs a-b, b-a, b-c, c-b; the right context alone gives a-b, b-c only
    pt, inst, ans = solved("embedding/cooccurrence-v1", docs=["cat sat mat"], vocab=["cat", "sat", "mat"], window=1)
    assert ans["N"].tolist() == [[0, 1, 0], [1, 0, 1], [0, 1, 0]]
    assert mistake_named(pt, inst, "N", "[[0, 1, 0], [0, 0, 1], [0, 0, 0]]") == "right_context_only"
    _, _, wide = solved("embedding/cooccurrence-v1", docs=["cat sat mat"], vocab=["cat", "sat", "mat"], window=2)
    assert wide["N"].tolist() == [[0, 1, 1], [1, 0, 1], [1, 1, 0]]
    with pytest.raises(ParamError):
        make("embedding/cooccurrence").from_params(dict(docs=["cat the"], vocab=["cat"], window=1))


# ---- analogy: s04 B4 -----------------------------------------------------------------------------------------

B4 = dict(words=["Rome", "Italy", "Berlin", "Germany", "Paris", "France"],
          vectors=[[1, 3], [1, 1], [3, 3.2], [3, 1.1], [5, 3], [5, 1]], a="Rome", b="Berlin", c="Italy")


def test_analogy_catalog_b4_germany() -> None:
    pt, inst, ans = solved("embedding/analogy-v1", **B4)
    assert ans["query"] == pytest.approx([3, 1.2])
    assert ans["scores"][3:] == pytest.approx([0.99958, 0.98724, 0.98328], abs=1e-5)
    assert ans["answer"] == "Germany"
    assert right(pt, inst, query="[3, 1.2]", answer="Germany")
    # v_a - v_b + v_c = (-1, 0.8): Paris has the largest cosine
    assert mistake_named(pt, inst, "answer", "Paris") == "signs_reversed"
    assert mistake_named(pt, inst, "query", "[-1, 0.8]") == "signs_reversed"
    # distances instead of cosines: Germany is at 0.1
    dist = np.linalg.norm(np.array(B4["vectors"], float) - [3, 1.2], axis=1)
    assert mistake_named(pt, inst, "scores", dist) == "other_metric"


def test_analogy_query_words_kept_and_euclidean() -> None:
    # man : king :: woman : ?, query = (1, 2) - (1, 0) + (0, 1) = (0, 3); woman (0, 1) has cosine 1 but is excluded
    words, vectors = ["man", "king", "woman", "queen", "boy"], [[1, 0], [1, 2], [0, 1], [0.2, 2.5], [2, 1]]
    pt, inst, ans = solved("embedding/analogy-v1", words=words, vectors=vectors, a="man", b="king", c="woman")
    assert ans["answer"] == "queen"
    assert mistake_named(pt, inst, "answer", "woman") == "query_words_kept"
    _, _, euc = solved("embedding/analogy-v1", words=words, vectors=vectors, a="man", b="king", c="woman",
                       metric="euclidean")
    assert euc["scores"][3] == pytest.approx(np.hypot(0.2, 0.5))
    assert euc["answer"] == "queen"
    with pytest.raises(ParamError):
        make("embedding/analogy").from_params({**B4, "c": "Berlin"})


# ---- interpolation -------------------------------------------------------------------------------------------

def test_interpolation_orthogonal_unit_vectors() -> None:
    # Ω = π/2, sin Ω = 1: slerp(0.25) = (sin(3π/8), sin(π/8)); lerp = (0.75, 0.25)
    pt, inst, ans = solved("embedding/interpolation-v1", z0=[1, 0], z1=[0, 1], t=0.25)
    assert ans["omega"] == pytest.approx(np.pi / 2)
    assert ans["lerp"] == pytest.approx([0.75, 0.25])
    assert ans["slerp"] == pytest.approx([np.sin(3 * np.pi / 8), np.sin(np.pi / 8)])
    assert right(pt, inst, lerp="[0.75, 0.25]", omega="1.5708", slerp="[0.9239, 0.3827]")
    assert mistake_named(pt, inst, "slerp", "[0.3827, 0.9239]") == "t_swapped"
    assert mistake_named(pt, inst, "omega", "90") == "degrees"


def test_interpolation_slerp_from_a_wrong_angle_earns_the_ecf_credit() -> None:
    # Ω is π/2 here; with the student's Ω = 1: slerp = (sin 0.75, sin 0.25)/sin 1 = (0.810056, 0.294014)
    pt, inst, ans = solved("embedding/interpolation-v1", z0=[1, 0], z1=[0, 1], t=0.25)
    given = {"lerp": "[0.75, 0.25]", "omega": "1", "slerp": "[0.8101, 0.2940]"}
    r = {p.name: p for p in grade_answers(pt, ans, given, params=inst.params).parts}
    assert (r["lerp"].verdict, r["omega"].verdict) == ("right", "wrong")
    assert (r["slerp"].verdict, r["slerp"].score) == ("carried", 0.5)
    assert r["slerp"].feedback.startswith("follows from your omega = 1 (omega not right")
    # the right angle rounded to 4 decimals carries full credit; a slerp from no angle the student wrote stays wrong
    r = {p.name: p for p in grade_answers(pt, ans, {**given, "omega": "1.5708", "slerp": "[0.9239, 0.3827]"},
                                          params=inst.params).parts}
    assert all(x.verdict == "right" for x in r.values())
    r = {p.name: p for p in grade_answers(pt, ans, {**given, "slerp": "[0.8, 0.3]"}, params=inst.params).parts}
    assert r["slerp"].verdict == "wrong"


def test_interpolation_divides_by_sin_omega() -> None:
    # Ω = π/4: slerp = (sin(3π/16) (1, 0) + sin(π/16) (1, 1)) / sin(π/4)
    pt, inst, ans = solved("embedding/interpolation-v1", z0=[1, 0], z1=[1, 1], t=0.25)
    top = np.sin(3 * np.pi / 16) * np.array([1, 0]) + np.sin(np.pi / 16) * np.array([1, 1])
    assert ans["slerp"] == pytest.approx(top / np.sin(np.pi / 4))
    assert mistake_named(pt, inst, "slerp", top) == "sin_omega_not_divided"
    with pytest.raises(ParamError):
        make("embedding/interpolation").from_params(dict(z0=[1, 1], z1=[2, 2], t=0.5))


# ---- skipgram_pairs: s04 B5 ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("n", "c", "pairs"), [(5, 2, 14), (10, 3, 48), (6, 1, 10)])
def test_skipgram_pairs_catalog_b5(n: int, c: int, pairs: int) -> None:
    pt, inst, ans = solved("embedding/skipgram_pairs-v1", n=n, window=c, vocab_size=1000, dim=100)
    assert ans == {"pairs": pairs, "cbow_examples": n, "params": 200_000}
    assert pairs == c * (2 * n - c - 1)  # the closed form when n > c
    assert mistake_named(pt, inst, "pairs", 2 * c * n) == "edges_ignored"
    assert mistake_named(pt, inst, "pairs", pairs // 2) == "unordered_pairs"
    assert mistake_named(pt, inst, "params", 100_000) == "one_matrix"
