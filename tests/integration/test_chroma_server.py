"""Client/server mode: a real `chroma run` on a free port; ingest and search through it, then stop it."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant import settings as settings_module
from assistant.errors import RetrievalError
from assistant.llm.server import free_port
from assistant.retrieval import Retriever, build_chunks, manifest
from assistant.settings import DEFAULT_KNOWLEDGE, Settings

CHROMA = Path(sys.executable).parent / "chroma"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    if not CHROMA.exists():
        pytest.fail(f"{CHROMA} is missing: install modelchoice[retrieval]")
    path = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    log = (path / "server.log").open("w")
    process = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(path / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"chroma run did not start: {(path / 'server.log').read_text()[-2000:]}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def embedding_model():
    from assistant.embeddings import get_embeddings

    return get_embeddings("local")


def test_ingest_and_search_through_a_chroma_server(chroma_server, tmp_path, embedding_model):
    settings = Settings(data_dir=tmp_path / "lock-only", chroma_url=chroma_server, collection="server-test")
    retriever = Retriever(settings, notify=None)
    first = retriever.ingest()
    total = len(build_chunks([DEFAULT_KNOWLEDGE]))
    assert first.added == total and chroma_server in first.store
    assert not (tmp_path / "lock-only" / "chroma").exists()  # nothing stored locally in server mode
    assert retriever.search("what is knowledge distillation", k=1)[0].section == "hybrid-distillation"
    assert retriever.ingest().embedded == 0

    # A second client (think: another app replica) sees the same collection.
    replica = Settings(data_dir=tmp_path / "other", chroma_url=chroma_server, collection="server-test")
    other = Retriever(replica, notify=None)
    assert other.search("Jellysmack", k=1, method="bm25")[0].section == "example-video-revenue"
    assert other.search("Jellysmack", k=1, method="dense")[0].section == "example-video-revenue"
    # The second (in-place) ingest recorded the knowledge files in the collection's metadata on the server:
    # a new reader finds them unchanged without chunking every file again, and says nothing.
    notes: list[str] = []
    third = Retriever(replica, notify=notes.append).ensure()
    assert third.collection is not None and manifest.METADATA_KEY in (third.collection.metadata or {})
    assert notes == []


def test_russian_sections_live_in_their_own_collection_on_the_server(
    chroma_server, tmp_path, embedding_model
):
    settings = Settings(data_dir=tmp_path / "lock-only", chroma_url=chroma_server, collection="server-ru")
    report = Retriever(settings, notify=None).ingest()
    (russian,) = report.translations
    assert (
        russian.added == len(build_chunks([DEFAULT_KNOWLEDGE / "ru"]))
        and "(collection server-ru-ru)" in russian.store
    )
    replica = Retriever(replace(settings, data_dir=tmp_path / "other"), notify=None)
    top = replica.search("что такое дистилляция знаний", k=1, lang="ru")[0]
    assert (top.section, top.title) == ("hybrid-distillation", "Дистилляция знаний")
    assert replica.search("what is knowledge distillation", k=1)[0].title == "Knowledge distillation"
    import chromadb

    host, port = chroma_server.rsplit(":", 1)
    names = {c.name for c in chromadb.HttpClient(host=host.split("//")[1], port=int(port)).list_collections()}
    assert {"server-ru.active", "server-ru-ru.active", russian.collection} <= names


def test_a_rebuild_through_the_server_switches_every_client_to_the_new_collection(
    chroma_server, tmp_path, embedding_model
):
    def settings(name: str) -> Settings:
        return Settings(data_dir=tmp_path / name, chroma_url=chroma_server, collection="server-rebuild")

    reader = Retriever(settings("reader"), notify=None)
    writer = Retriever(settings("writer"), notify=None)
    writer.ingest()
    assert reader.search("what is knowledge distillation", k=1)[0].section == "hybrid-distillation"
    assert reader.collection is not None
    before = reader.collection.name
    report = writer.ingest(rebuild=True)
    assert report.rebuilt and report.collection != before
    # The reader's collection was deleted after the switch: it resolves the pointer again, once.
    assert reader.search("what is knowledge distillation", k=1, method="dense")[0].section == (
        "hybrid-distillation"
    )
    assert reader.collection is not None and reader.collection.name == report.collection
    import chromadb

    host, port = chroma_server.rsplit(":", 1)
    names = {c.name for c in chromadb.HttpClient(host=host.split("//")[1], port=int(port)).list_collections()}
    assert before not in names and {report.collection, "server-rebuild.active"} <= names


def test_cli_search_with_chroma_url_builds_the_collection_on_first_use(
    chroma_server, tmp_path, embedding_model
):
    settings_module.use(None)
    try:
        from assistant.cli import main

        result = CliRunner(env={"MODELCHOICE_CHROMA_URL": chroma_server}).invoke(
            main, ["search", "decision matrix", "--json", "--k", "2", "--data-dir", str(tmp_path)]
        )
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)[0]["section"] == "decision-framework"
        assert result.stderr.count("\n") == 1 and "building it" in result.stderr
    finally:
        settings_module.use(None)


def test_unreachable_server_is_a_clear_user_error(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(RetrievalError, match=r"cannot reach the Chroma server .*chroma run"):
        Retriever(Settings(data_dir=tmp_path, chroma_url=url), notify=None).search("distillation")
    with pytest.raises(RetrievalError, match="chroma_url"):
        Retriever(Settings(data_dir=tmp_path, chroma_url="ftp://example"), notify=None).search("distillation")
