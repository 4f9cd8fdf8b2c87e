"""Shared fixtures. Heavy fixtures (embedding model, Chroma, LLM server) live next to their tests."""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import pytest


@pytest.fixture(scope="session")
def app_settings(tmp_path_factory):
    """Default settings (no LLM) with a private data directory for the knowledge store."""
    from assistant.settings import Settings

    return Settings(data_dir=tmp_path_factory.mktemp("modelchoice-data"))


@pytest.fixture(scope="session")
def conversation(app_settings):
    """The offline conversation engine over a real, freshly ingested Chroma store and the real embedder."""
    from assistant.conversation import Conversation
    from assistant.retrieval import get_retriever

    return Conversation(app_settings, retriever=get_retriever(app_settings))
