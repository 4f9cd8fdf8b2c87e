"""Loading the embedding model on a background thread while the store opens (a cold query's two big costs):
it starts only where it can help, its outcome reaches the thread that needs the model (a failure as the
error it would have been there, once), a failed ONNX load falls back on the caller's thread without being
tried twice, and the loading thread imports nothing. Also: the embedding backends' interface is our own
(no LangChain on the query path). Fakes stand in for the model: no chromadb, no ONNX session here."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from assistant import embeddings
from assistant.embeddings import EmbeddingBackend, Loading, load_in_background
from assistant.errors import EmbeddingConfigError, RetrievalError
from assistant.retrieval.model import Model
from assistant.settings import Settings


class FakeEmbeddings:
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [[1.0, 0.0] for _ in texts]

    def embed_query(self, text: str) -> list[float]:
        return [1.0, 0.0]


@pytest.fixture(autouse=True)
def fresh_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no model loaded in this process."""
    monkeypatch.setattr(embeddings, "_cache", {})
    monkeypatch.setattr(embeddings, "_local_dirs", set())
    monkeypatch.setattr(embeddings, "_onnx_failed", {})


class FakeLoader:
    """Stands in for onnx_embed.load: records the thread it ran on, then succeeds or fails."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.threads: list[str] = []
        self.error = error

    def __call__(self, model_dir: Path, cache_root: Path) -> FakeEmbeddings:
        self.threads.append(threading.current_thread().name)
        if self.error is not None:
            raise self.error
        return FakeEmbeddings()


@pytest.fixture
def loader(monkeypatch: pytest.MonkeyPatch) -> FakeLoader:
    from assistant import onnx_embed

    fake = FakeLoader()
    monkeypatch.setattr(onnx_embed, "load", fake)
    monkeypatch.setattr(embeddings, "_local_model_dir", lambda: Path("/model"))
    return fake


def test_the_model_loads_once_on_the_background_thread(tmp_path: Path, loader: FakeLoader) -> None:
    loading = load_in_background("local", data_dir=tmp_path)
    assert isinstance(loading, Loading)
    backend = loading.result()
    assert isinstance(backend, EmbeddingBackend) and isinstance(backend.embeddings, FakeEmbeddings)
    assert embeddings.get_embeddings("local", data_dir=tmp_path) is backend  # no second load
    assert loader.threads == ["modelchoice-load-model"]
    assert load_in_background("local", data_dir=tmp_path) is None  # loaded: nothing to overlap


def test_nothing_starts_for_an_api_backend_or_a_method_without_embeddings(
    tmp_path: Path, loader: FakeLoader
) -> None:
    assert load_in_background("openai:text-embedding-3-small", data_dir=tmp_path) is None
    model = Model(Settings(data_dir=tmp_path, retrieval="bm25"))
    model.load_meanwhile()
    assert model._loading is None and loader.threads == []


def test_a_failed_onnx_load_falls_back_on_the_callers_thread_without_trying_again(
    tmp_path: Path, loader: FakeLoader, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant import onnx_cache

    loader.error = onnx_cache.CorruptExport("model.onnx no longer reproduces its probe")
    fallback: list[str] = []

    def sentence_transformers(model_dir: Path) -> FakeEmbeddings:
        fallback.append(threading.current_thread().name)
        return FakeEmbeddings()

    monkeypatch.setattr(embeddings, "SentenceTransformerEmbeddings", sentence_transformers)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: object())
    model = Model(Settings(data_dir=tmp_path))
    model.load_meanwhile()
    backend = model.backend()  # the background load gave up; this thread falls back
    assert isinstance(backend.embeddings, FakeEmbeddings)
    assert loader.threads == ["modelchoice-load-model"]  # ONNX tried once
    assert fallback == [threading.current_thread().name]  # torch would be imported here, not there


def test_without_a_fallback_the_caller_gets_the_reason(
    tmp_path: Path, loader: FakeLoader, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant import onnx_cache

    loader.error = onnx_cache.ExportUnavailable("no module named torch", missing_dependency=True)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    model = Model(Settings(data_dir=tmp_path))
    model.load_meanwhile()
    with pytest.raises(EmbeddingConfigError, match=r"no module named torch.*install torch"):
        model.backend()
    assert loader.threads == ["modelchoice-load-model"]


def test_an_unexpected_failure_on_the_loading_thread_is_raised_once_as_a_retrieval_error(
    tmp_path: Path, loader: FakeLoader
) -> None:
    loader.error = MemoryError("cannot allocate the session")
    model = Model(Settings(data_dir=tmp_path))
    model.load_meanwhile()
    model.settle()  # waits, raises nothing
    with pytest.raises(RetrievalError, match=r"loading the embedding model failed.*cannot allocate"):
        model.backend()
    loader.error = None
    assert isinstance(model.backend().embeddings, FakeEmbeddings)  # the next call loads on this thread
    assert loader.threads == ["modelchoice-load-model", threading.current_thread().name]


def test_the_loading_thread_imports_nothing(tmp_path: Path) -> None:
    """Two threads importing numpy at once can leave it half-initialised: everything the real load needs
    is imported before the thread starts. A real process, with an import hook that notes other threads."""
    code = f"""
import json, sys, threading
from pathlib import Path
seen = []
class Hook:
    def find_spec(self, name, path=None, target=None):
        if threading.current_thread() is not threading.main_thread():
            seen.append(name)
sys.meta_path.insert(0, Hook())
from assistant import embeddings, onnx_cache
onnx_cache.ensure_export = lambda *a, **k: (_ for _ in ()).throw(onnx_cache.ExportUnavailable("no export"))
loading = embeddings.load_in_background("local", data_dir=Path({str(tmp_path)!r}))
result = loading.result() if loading else "not started"
print(json.dumps([seen, result]))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == [[], None]


def test_the_embedding_backends_need_no_langchain() -> None:
    code = (
        "import sys, json; import assistant.embeddings, assistant.onnx_embed\n"
        "from assistant.embeddings import SentenceTransformerEmbeddings, TextEmbeddings\n"
        "from assistant.onnx_embed import OnnxEmbeddings\n"
        "ok = [issubclass(c, TextEmbeddings) for c in (OnnxEmbeddings, SentenceTransformerEmbeddings)]\n"
        "print(json.dumps([ok, sorted({m.split('.')[0] for m in sys.modules if m.startswith('langchain')})]))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == [[True, True], []]
