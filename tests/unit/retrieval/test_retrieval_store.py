"""The pointer to the active collection, on a fake Chroma client: which collection readers open, how a
rebuild's switch and clean-up behave, and what a pointer to a vanished collection means."""

from __future__ import annotations

import time

import pytest

from assistant.retrieval.failures import Missing
from assistant.retrieval.store import POINTER_SUFFIX, Store
from assistant.settings import Settings


class NotFoundError(Exception):  # chromadb's name; the store classifies by name
    pass


class FakeCollection:
    def __init__(self, name: str, metadata: dict[str, object] | None = None) -> None:
        self.name = name
        self.metadata = dict(metadata or {})

    def modify(self, metadata: dict[str, object]) -> None:
        self.metadata = dict(metadata)


class FakeClient:
    def __init__(self) -> None:
        self.collections: dict[str, FakeCollection] = {}
        self.deleted: list[str] = []

    def get_collection(self, name: str, embedding_function: object = None) -> FakeCollection:
        if name not in self.collections:
            raise NotFoundError(f"Collection [{name}] does not exist")
        return self.collections[name]

    def create_collection(self, name: str, **options: object) -> FakeCollection:
        assert name not in self.collections
        metadata = options.get("metadata")
        self.collections[name] = FakeCollection(name, metadata if isinstance(metadata, dict) else None)
        return self.collections[name]

    def get_or_create_collection(self, name: str, **options: object) -> FakeCollection:
        return self.collections.get(name) or self.create_collection(name, **options)

    def delete_collection(self, name: str) -> None:
        self.get_collection(name)
        del self.collections[name]
        self.deleted.append(name)

    def list_collections(self) -> list[FakeCollection]:
        return list(self.collections.values())


def store_on(tmp_path, *, url: str | None = None) -> tuple[Store, FakeClient]:
    store = Store(Settings(data_dir=tmp_path, collection="kb", chroma_url=url))
    client = FakeClient()
    store._client = client  # type: ignore[assignment]
    return store, client


def test_an_empty_store_has_no_active_collection(tmp_path):
    store, _ = store_on(tmp_path)
    assert store.active_name() is None and store.active() is None


def test_a_store_from_before_pointers_reads_its_one_collection(tmp_path):
    store, client = store_on(tmp_path)
    client.create_collection("kb")
    active = store.active()
    assert active is not None and active.name == "kb"


def test_a_rebuild_creates_a_generation_beside_the_active_one_and_switches_atomically(tmp_path):
    store, client = store_on(tmp_path)
    client.create_collection("kb")
    new = store.create("model-x")
    assert new.name.startswith("kb-") and len(new.name) == len("kb") + 23
    assert new.collection.metadata["embedding_model"] == "model-x"
    assert store.active_name() == "kb"  # not active until the switch
    store.switch(new.name)
    assert store.active_name() == new.name
    assert client.collections[f"kb{POINTER_SUFFIX}"].metadata["active"] == new.name
    store.drop("kb")
    store.drop("kb")  # already gone: nothing to do, no error
    assert client.deleted == ["kb"]


def test_a_pointer_to_a_vanished_collection_is_missing_not_corrupt(tmp_path):
    store, _ = store_on(tmp_path)
    store.switch("kb-20260101T000000-abcdef")
    with pytest.raises(Missing, match="missing collection"):
        store.active()


def test_leftovers_of_interrupted_rebuilds_are_deleted_locally(tmp_path):
    store, client = store_on(tmp_path)
    active = store.create("m")
    store.switch(active.name)
    leftover = store.create("m")
    client.create_collection("kb-adv")  # another store's collection: not ours
    client.create_collection("other-20260101T000000-abcdef")
    store.drop_leftovers(keep=active.name)
    assert client.deleted == [leftover.name]
    assert {"kb-adv", "other-20260101T000000-abcdef", active.name} <= set(client.collections)


def test_on_a_server_only_old_leftovers_are_deleted(tmp_path):
    store, client = store_on(tmp_path, url="http://127.0.0.1:9")
    active = store.create("m")
    store.switch(active.name)
    in_progress = store.create("m")  # perhaps another host's rebuild, still running
    old = f"kb-{time.strftime('%Y%m%dT%H%M%S', time.gmtime(time.time() - 7200))}-abcdef"
    client.create_collection(old)
    store.drop_leftovers(keep=active.name)
    assert client.deleted == [old] and in_progress.name in client.collections


def test_collection_names_leave_room_for_the_generation_suffix(tmp_path):
    from assistant.errors import RetrievalError

    with pytest.raises(RetrievalError, match="collection="):
        Store(Settings(data_dir=tmp_path, collection="x" * 500)).connect()
