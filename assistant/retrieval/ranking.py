"""From a query to ranked passages, minus the store: cleaning the query, then fusing the dense and BM25
rankings into at most one passage per section, with the rules' boost.

Fusion is weighted reciprocal-rank fusion: dense 1.0, BM25 0.5 (dense is the stronger retriever here;
BM25 adds exact terms such as names), chosen on evals/retrieval.yaml (see evals/retrieval_eval.py). Kept
apart from the Retriever so these decisions are testable without Chroma or the embedding model.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from ..errors import QueryError
from ..types import PassageRef
from .index import Record

MAX_QUERY_CHARS = 2000  # longer queries are truncated (with a notice) before embedding and BM25
RRF_K = 60  # reciprocal-rank fusion constant (Cormack et al.); rank r contributes weight / (RRF_K + r)
FUSION_WEIGHTS = {"dense": 1.0, "bm25": 0.5}  # chosen on the eval set; see evals/retrieval_eval.py
BOOST_PLACES = 2  # a section cited by a fired rule moves up at most this many places...
BOOST_WINDOW = 10  # ...and only if the query itself already ranks it in the top BOOST_WINDOW

Ranking = list[tuple[Record, float]]  # chunks, best first, with the retriever's own score


def clean_query(query: object) -> tuple[str, str | None]:
    """(usable query, notice or None): control characters removed, whitespace collapsed, long ones cut."""
    if not isinstance(query, str):
        raise QueryError(f"the query must be text, not {type(query).__name__}")
    kept = []
    for char in query:
        category = unicodedata.category(char)
        if category == "Cc":
            kept.append(" ")  # newlines, tabs, escapes, NUL: word boundaries at most
        elif category not in ("Cs", "Cf", "Co", "Cn"):  # lone surrogates, invisible format chars, unassigned
            kept.append(char)
    text = " ".join("".join(kept).split())
    if not text:
        raise QueryError(
            'empty query: ask a question or give a few keywords, e.g. "what is knowledge distillation"'
        )
    if len(text) <= MAX_QUERY_CHARS:
        return text, None
    cut = text[:MAX_QUERY_CHARS]
    if " " in cut[MAX_QUERY_CHARS // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut, (f"the query has {len(text):,} characters; only the first {len(cut):,} are used for search")


def combine(rankings: Mapping[str, Ranking], method: str, k: int, boost: frozenset[str]) -> list[PassageRef]:
    """The k best passages, one per section: fused by weighted RRF for "fusion", else the one ranking
    (scores: the fused score for "fusion", the retriever's own otherwise); then the boost."""
    fused: dict[str, float] = {}
    native: dict[str, float] = {}
    records: dict[str, Record] = {}
    for name, ranking in rankings.items():
        weight = FUSION_WEIGHTS[name] if method == "fusion" else 1.0
        for rank, (record, score) in enumerate(ranking, start=1):
            records[record.id] = record
            fused[record.id] = fused.get(record.id, 0.0) + weight / (RRF_K + rank)
            native.setdefault(record.id, score)
    order = sorted(fused, key=lambda chunk_id: -fused[chunk_id])  # stable: ties keep dense order
    best: list[str] = []  # one passage per section: its best chunk
    seen: set[str] = set()
    for chunk_id in order:
        if records[chunk_id].section not in seen:
            seen.add(records[chunk_id].section)
            best.append(chunk_id)
    if boost:

        def position(item: tuple[int, str]) -> float:
            place, chunk_id = item
            lift = BOOST_PLACES + 0.5 if records[chunk_id].section in boost and place < BOOST_WINDOW else 0
            return place - lift

        best = [chunk_id for _, chunk_id in sorted(enumerate(best), key=position)]
    scores = fused if method == "fusion" else native
    return [
        PassageRef(
            id=r.id,
            section=r.section,
            title=r.title,
            source=r.source,
            score=round(scores[r.id], 6),
            text=r.text,
        )
        for r in (records[chunk_id] for chunk_id in best[:k])
    ]
