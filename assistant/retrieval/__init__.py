"""Knowledge retrieval on Chroma: ingest the Markdown guidance, then search it (dense, BM25 or fused).

One concern per module:
- chunks.py    what goes into the store: section chunks and their retrieval units
- bm25.py      lexical ranking (stemmer, stop words, Okapi BM25)
- index.py     the active collection held in memory (chunk records, BM25 index)
- ranking.py   query cleaning and rank fusion with the rules' boost
- manifest.py  the knowledge files an ingest recorded, and the cheap check that they did not change
- model.py     the embedding model as retrieval uses it (loaded meanwhile on a process's first open)
- failures.py  the one mapping from Chroma/SQLite/HTTP failures to RetrievalError
- store.py     the Chroma client, collections, the pointer to the active one, locks
- ingest.py    writing: incremental sync in place, or rebuild beside and switch
- search.py    the Retriever (what callers use) and `get_retriever`

Importing this package is cheap: chromadb, the embedding model and langchain load inside functions only.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # before any Hugging Face import, whoever imports first
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from ..errors import RetrievalError
from ..types import PassageRef
from .bm25 import BM25, STOPWORDS, stem, tokenize
from .chunks import (
    CHUNK_OVERLAP,
    CHUNKING_VERSION,
    MAX_CHUNK_CHARS,
    Chunk,
    DroppedSentence,
    build_chunks,
    dropped_sentences,
    retrieval_units,
)
from .ingest import IngestReport
from .ranking import (
    BOOST_PLACES,
    BOOST_WINDOW,
    FUSION_WEIGHTS,
    MAX_QUERY_CHARS,
    RRF_K,
    clean_query,
)
from .search import DENSE_DEPTH, MAX_K, Retriever, get_retriever
from .store import SCHEMA, STORE_SUBDIR

Passage = PassageRef  # what a search returns: the core type every consumer reads

__all__ = [
    "BM25",
    "BOOST_PLACES",
    "BOOST_WINDOW",
    "CHUNKING_VERSION",
    "CHUNK_OVERLAP",
    "DENSE_DEPTH",
    "FUSION_WEIGHTS",
    "MAX_CHUNK_CHARS",
    "MAX_K",
    "MAX_QUERY_CHARS",
    "RRF_K",
    "SCHEMA",
    "STOPWORDS",
    "STORE_SUBDIR",
    "Chunk",
    "DroppedSentence",
    "IngestReport",
    "Passage",
    "RetrievalError",
    "Retriever",
    "build_chunks",
    "clean_query",
    "dropped_sentences",
    "get_retriever",
    "retrieval_units",
    "stem",
    "tokenize",
]
