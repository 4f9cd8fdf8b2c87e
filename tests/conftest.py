"""Shared fixtures for the whole suite.

Layout: `tests/unit/<area>/` mirror the package and run without torch, Chroma or Gradio (`pytest -m "not
slow"` stays under a minute); `tests/integration/` runs real servers, the real embedding model and Chroma,
the local LLM and the browser, and every test there is marked `slow` here; `tests/support/` holds the
shared fakes (real loopback servers that misbehave on purpose) and helpers, imported as `support.*`.
"""

import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import pytest

INTEGRATION = Path(__file__).parent / "integration"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if INTEGRATION in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def app_settings(tmp_path_factory):
    """Default settings (no LLM) with a private data directory for the knowledge store."""
    from assistant.settings import Settings

    return Settings(data_dir=tmp_path_factory.mktemp("modelchoice-data"))


@pytest.fixture(scope="session")
def memory_conversation(app_settings):
    """The offline conversation over the in-memory retriever: whole turns without Chroma or torch."""
    from assistant import Conversation, MemoryRetriever

    return Conversation(app_settings, retriever=MemoryRetriever(app_settings.knowledge_dirs))


@pytest.fixture(scope="session")
def conversation(app_settings):
    """The offline conversation engine over a real, freshly ingested Chroma store and the real embedder
    (integration tests only)."""
    from assistant.conversation import Conversation
    from assistant.retrieval import get_retriever

    return Conversation(app_settings, retriever=get_retriever(app_settings))
