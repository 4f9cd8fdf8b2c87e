"""Rank fusion, one passage per section and the rules' boost, on hand-made rankings (no store)."""

from __future__ import annotations

from assistant.retrieval import BOOST_PLACES, BOOST_WINDOW, FUSION_WEIGHTS, RRF_K
from assistant.retrieval.index import Record
from assistant.retrieval.ranking import combine


def record(section: str, part: int = 0) -> Record:
    chunk = f"{section}#{part}"
    return Record(chunk, "chunk", chunk, section, section.title(), "x.md", "Doc", "/k", f"text {chunk}", "h")


def test_fusion_weighs_dense_over_bm25_and_scores_are_fused():
    a, b = record("a"), record("b")
    passages = combine(
        {"dense": [(a, 0.9), (b, 0.8)], "bm25": [(b, 7.0), (a, 1.0)]}, "fusion", 2, frozenset()
    )
    assert [p.section for p in passages] == ["a", "b"]  # dense counts double: its first place wins
    expected = round(FUSION_WEIGHTS["dense"] / (RRF_K + 1) + FUSION_WEIGHTS["bm25"] / (RRF_K + 2), 6)
    assert passages[0].score == expected
    assert passages[0].id == "a#0" and passages[0].text == "text a#0"


def test_single_methods_keep_their_own_scores():
    a, b = record("a"), record("b")
    bm25 = combine({"bm25": [(b, 7.0), (a, 1.0)]}, "bm25", 2, frozenset())
    assert [(p.section, p.score) for p in bm25] == [("b", 7.0), ("a", 1.0)]


def test_one_passage_per_section_its_best_chunk():
    ranking = [(record("a", 1), 0.9), (record("a", 0), 0.8), (record("b"), 0.7)]
    passages = combine({"dense": ranking}, "dense", 5, frozenset())
    assert [p.id for p in passages] == ["a#1", "b#0"]


def test_boost_moves_a_cited_section_up_at_most_boost_places_inside_the_window():
    ranking = [(record(f"s{i}"), 1.0 - i / 100) for i in range(BOOST_WINDOW + 3)]
    plain = [p.section for p in combine({"dense": ranking}, "dense", 20, frozenset())]
    target = plain[5]
    boosted = [p.section for p in combine({"dense": ranking}, "dense", 20, frozenset({target}))]
    assert boosted.index(target) == 5 - BOOST_PLACES and boosted[0] == plain[0]
    far = plain[BOOST_WINDOW + 1]  # outside the window: stays where it is
    assert [p.section for p in combine({"dense": ranking}, "dense", 20, frozenset({far}))] == plain
    assert len(combine({"dense": ranking}, "dense", 3, frozenset())) == 3
