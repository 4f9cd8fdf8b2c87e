"""The embedding model as retrieval uses it: named without loading it, loaded once (on the first open of a
process, on a background thread while the store opens), and its failures as RetrievalError.

Why its own module: the Retriever only asks for vectors; which backend, when it loads and how a load on
another thread hands its outcome back are one concern, and assistant/embeddings.py does the loading.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import RetrievalError
from ..settings import Settings
from .failures import must_pass, one_line

if TYPE_CHECKING:
    from ..embeddings import EmbeddingBackend, Loading


class Model:
    """The configured embedding backend for one Retriever. Thread-safe."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._loading: Loading | None = None  # started by load_meanwhile, collected by backend()

    def name(self) -> str:
        """The configured model's name (what the store records), without loading it."""
        from ..embeddings import model_name

        return model_name(self.settings.embedding)

    def load_meanwhile(self) -> None:
        """Start loading the local model on a background thread, for a caller about to open the store:
        ~0.2 s of load (mostly in ONNX Runtime, without the GIL) beside ~0.6 s of importing chromadb and
        reading the store takes ~0.15 s off a cold `search` on 2 cores. Only when the configured method
        embeds the query; nothing starts for an API backend or a model already loaded."""
        if self._loading is None and self.settings.retrieval in ("dense", "fusion"):
            from ..embeddings import load_in_background

            self._loading = load_in_background(self.settings.embedding, data_dir=self.settings.data_dir)

    def settle(self) -> None:
        """Wait for a background load, ignoring its outcome (before leaving on an error: the process must
        not exit while ONNX Runtime initialises on another thread); `backend()` still reports it."""
        loading = self._loading
        if loading is not None:
            loading.wait()

    def backend(self) -> EmbeddingBackend:
        """The loaded backend (loaded now if needed); a background load's failure is raised here."""
        loading, self._loading = self._loading, None
        if loading is not None:
            try:
                loading.result()  # None: no ONNX model; get_embeddings below falls back, on this thread
            except BaseException as exc:
                if must_pass(exc):
                    raise
                raise RetrievalError(f"loading the embedding model failed: {one_line(exc)}") from None
        from ..embeddings import get_embeddings

        return get_embeddings(
            self.settings.embedding,
            openai_api_key=self.settings.openai_api_key,
            openai_base_url=self.settings.openai_base_url,
            data_dir=self.settings.data_dir,
        )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.backend().embeddings.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        backend = self.backend()
        try:
            return backend.embeddings.embed_query(text)
        except BaseException as exc:  # e.g. an OpenAI API error; interrupts pass through
            if must_pass(exc):
                raise
            raise RetrievalError(f"embedding the query with {backend.name} failed: {one_line(exc)}") from None


class MultilingualModel(Model):
    """USE-m3 for the Russian index (assistant/multilingual.py), whatever `settings.embedding` says: the
    configured model serves English, and the Russian collection records this one. Loaded on first use."""

    def name(self) -> str:
        from ..multilingual import USE_MODEL_NAME

        return USE_MODEL_NAME

    def load_meanwhile(self) -> None:
        """Nothing in the background: the Russian model loads on the first Russian search (~1 s)."""

    def backend(self) -> EmbeddingBackend:
        from ..multilingual import get_multilingual

        try:
            return get_multilingual()
        except BaseException as exc:  # EmbeddingConfigError (not installed) passes through as it is
            if must_pass(exc):
                raise
            raise RetrievalError(f"loading the multilingual model failed: {one_line(exc)}") from None
