"""The active collection held in memory: its chunk records by id, each record's hash and source directory,
the BM25 index over the chunks (in the collection's language), and the View a reader opened.

Why in memory: search returns chunks, dense search matches units, and mapping a unit hit to its chunk
from memory avoids fetching metadata from Chroma on every query (~6 ms each). BM25 is built from what is
stored, not from the files, so lexical and dense search always see the same knowledge.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .bm25 import BM25, tokenize
from .failures import Corrupt, Gone, must_pass, translated

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection

    from .store import Active


@dataclass(frozen=True)
class Record:
    id: str
    kind: str
    parent: str
    section: str
    title: str
    source: str
    document: str
    directory: str
    text: str
    hash: str


def record_from(record_id: str, text: object, meta: object) -> Record:
    """A stored record; `Corrupt` when its text or a required metadata field is missing."""
    if not isinstance(meta, Mapping) or not isinstance(text, str):
        raise Corrupt(f"record {record_id!r} has no text or metadata")
    try:
        return Record(
            record_id,
            str(meta["kind"]),
            str(meta["parent"]),
            str(meta["section"]),
            str(meta["title"]),
            str(meta["source"]),
            str(meta.get("document", "")),
            str(meta.get("directory", "")),
            text,
            str(meta["hash"]),
        )
    except KeyError as missing:
        raise Corrupt(f"record {record_id!r} lacks the {missing} metadata field") from None


class Index:
    """The collection in memory: chunks by id, the number of units, hashes, and the BM25 index (over tokens
    of the collection's language: `tokens`)."""

    def __init__(self, records: list[Record], tokens: Callable[[str], list[str]] = tokenize) -> None:
        self.tokens = tokens
        self.hashes = {r.id: r.hash for r in records}
        self.directories = {r.id: r.directory for r in records}
        self.chunks = [r for r in records if r.kind == "chunk"]
        self.by_id = {r.id: r for r in self.chunks}
        self.units = sum(r.kind == "unit" for r in records)
        missing = {r.parent for r in records if r.kind == "unit"} - self.by_id.keys()
        if missing:
            raise Corrupt(f"retrieval units point to missing chunks ({', '.join(sorted(missing)[:3])})")
        self.bm25 = BM25([tokens(f"{r.title} {r.title} {r.document} {r.text}") for r in self.chunks])

    def __len__(self) -> int:
        return len(self.chunks)

    def bm25_ranking(self, query: str) -> list[tuple[Record, float]]:
        scores = self.bm25.scores(self.tokens(query))
        ranked = [(r, score) for r, score in zip(self.chunks, scores, strict=True) if score > 0]
        return sorted(ranked, key=lambda pair: -pair[1])

    def dense_ranking(self, ids: list[str], distances: list[float]) -> list[tuple[Record, float]]:
        """Chunks ranked by their best-matching retrieval unit, from a Chroma query's ids and (cosine)
        distances: a unit's id names its parent chunk ('<chunk id>/<hash>'); chunk records (ids without
        '/') and units written after this index was loaded are skipped."""
        ranking: list[tuple[Record, float]] = []
        seen: set[str] = set()
        for record_id, distance in zip(ids, distances, strict=True):
            parent, slash, _ = record_id.rpartition("/")
            record = self.by_id.get(parent) if slash else None
            if record is None or record.id in seen:
                continue
            seen.add(record.id)
            ranking.append((record, 1.0 - float(distance)))
        return ranking


def load_index(collection: Collection, where: str, tokens: Callable[[str], list[str]] = tokenize) -> Index:
    """Read every record of `collection`; `Corrupt` if that fails or the records do not fit together."""
    with translated(f"reading the knowledge store at {where}", corrupt=True):
        got = collection.get(include=["documents", "metadatas"])
    documents: list[object] = list(got["documents"] or [])
    metadatas: list[object] = list(got["metadatas"] or [])
    records = [record_from(i, d, m) for i, d, m in zip(got["ids"], documents, metadatas, strict=False)]
    if len(records) != len(got["ids"]):
        raise Corrupt("some records have no text or metadata")
    records.sort(key=lambda r: r.id)
    return Index(records, tokens)


@dataclass(frozen=True)
class View:
    """What a reader opened: the active collection and its records in memory, kept until it is gone."""

    active: Active
    index: Index

    def dense_ranking(self, vector: list[float], depth: int) -> list[tuple[Record, float]]:
        """Chunks ranked by their best unit among the `depth` nearest (cosine); `Gone` if the collection
        fails (typically: a rebuild elsewhere switched to a new one and deleted this one)."""
        index = self.index
        query: list[Sequence[float]] = [vector]
        try:  # only ids and distances: fetching metadata from Chroma costs ~6 ms a query
            found = self.active.collection.query(
                query_embeddings=query,
                include=["distances"],
                n_results=min(index.units + len(index), depth + len(index)),
            )
        except BaseException as exc:  # chromadb errors; Rust panics are BaseExceptions
            if must_pass(exc):
                raise
            raise Gone(exc) from None
        return index.dense_ranking(found["ids"][0], (found["distances"] or [[]])[0])
