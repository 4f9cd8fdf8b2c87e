"""The knowledge manifest: a reader trusts unchanged files by size and mtime, hashes the ones whose stat
changed, and falls back to the full check (chunking every file) for anything it cannot vouch for. Pure
Python: no Chroma, no embedding model."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from assistant.retrieval import ingest, manifest
from assistant.retrieval.chunks import build_chunks
from assistant.retrieval.index import Index, Record

HOUR_NS = 3600 * 1_000_000_000
SECTION = "## Distillation {#distil}\nA small model learns from a big one.\n"


def write_old(path: Path, text: str) -> None:
    """Write `text` with an mtime an hour ago (outside the racy window), as files usually are."""
    path.write_text(text, encoding="utf-8")
    old = time.time_ns() - HOUR_NS
    os.utime(path, ns=(old, old))


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    directory = tmp_path / "knowledge"
    (directory / "more").mkdir(parents=True)
    write_old(directory / "a.md", SECTION)
    write_old(directory / "more" / "b.md", "## Latency {#latency}\nAPI calls add latency.\n")
    return directory


def index_of(directory: Path) -> Index:
    """The index a store holds right after an ingest of `directory`."""
    records = [
        Record(
            c.id,
            c.kind,
            c.parent or c.id,
            c.section,
            c.title,
            c.source,
            c.document,
            c.directory,
            c.text,
            c.hash,
        )
        for c in build_chunks([directory])
    ]
    return Index(sorted(records, key=lambda r: r.id))


def recorded(directory: Path) -> str:
    """The manifest an ingest of `directory` writes (snapshot first, then the chunks)."""
    files = manifest.snapshot([directory])
    chunks = build_chunks([directory])
    return manifest.encode(files, manifest.records_fingerprint((c.id, c.hash) for c in chunks))


def check(directory: Path, value: str, index: Index | None = None) -> bool:
    index = index or index_of(directory)
    return manifest.unchanged(value, [directory], index.hashes.items())


def test_unchanged_files_pass_without_chunking(knowledge: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    value, index = recorded(knowledge), index_of(knowledge)
    assert check(knowledge, value, index)

    def no_chunking(directories: object) -> list[object]:
        raise AssertionError("the full check ran")

    monkeypatch.setattr(ingest, "build_chunks", no_chunking)
    assert ingest.stale_notice(index, [knowledge], value) is None


def test_a_touched_file_with_the_same_content_still_passes(knowledge: Path) -> None:
    value = recorded(knowledge)
    os.utime(knowledge / "a.md")  # mtime now: hashed, same content
    assert check(knowledge, value)


@pytest.mark.parametrize(
    "change",
    [
        "edit, other size",
        "edit, same size",
        "edit, same size, mtime restored but recent",
        "new file",
        "removed file",
        "renamed file",
    ],
)
def test_any_change_to_the_files_sends_the_reader_to_the_full_check(knowledge: Path, change: str) -> None:
    a = knowledge / "a.md"
    if change == "edit, same size, mtime restored but recent":  # a coarse clock can give two writes one mtime
        a.write_text(SECTION, encoding="utf-8")
        value, index, before = recorded(knowledge), index_of(knowledge), a.stat().st_mtime_ns
        a.write_text(SECTION.replace("small", "SMALL"), encoding="utf-8")
        os.utime(a, ns=(before, before))
    else:
        value, index = recorded(knowledge), index_of(knowledge)  # the store as ingested
        if change == "edit, other size":
            write_old(a, SECTION + "It is cheaper to run.\n")
        elif change == "edit, same size":
            write_old(a, SECTION.replace("small", "SMALL"))
        elif change == "new file":
            write_old(knowledge / "c.md", "## Cost {#cost}\nTokens cost money.\n")
        elif change == "removed file":
            (knowledge / "more" / "b.md").unlink()
        else:
            a.rename(knowledge / "z.md")
    assert not check(knowledge, value, index)


def test_the_full_check_reports_an_edit_the_manifest_did_not_vouch_for(knowledge: Path) -> None:
    value, index = recorded(knowledge), index_of(knowledge)  # the store as ingested
    write_old(knowledge / "a.md", SECTION + "It is cheaper to run.\n")
    notice = ingest.stale_notice(index, [knowledge], value)
    assert notice is not None and "changed since the last ingest" in notice and "1 changed" in notice


def test_a_store_that_does_not_hold_what_the_manifest_describes_is_checked_in_full(knowledge: Path) -> None:
    value = recorded(knowledge)
    write_old(knowledge / "a.md", SECTION + "Written, but the ingest stopped before the store was.\n")
    partial = index_of(knowledge)  # records of other content than the manifest's fingerprint
    assert not check(knowledge, value, partial)


def test_other_directories_chunking_version_or_a_damaged_value_are_not_trusted(
    knowledge: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    value, index = recorded(knowledge), index_of(knowledge)
    other = tmp_path / "other"
    other.mkdir()
    assert not manifest.unchanged(value, [knowledge, other], index.hashes.items())
    for damaged in (None, "", "not json", "[]", json.dumps({"schema": 99})):
        assert not manifest.unchanged(damaged, [knowledge], index.hashes.items())
    monkeypatch.setattr(manifest, "CHUNKING_VERSION", "another")
    assert not manifest.unchanged(value, [knowledge], index.hashes.items())


def test_a_directory_that_disappeared_is_not_trusted(knowledge: Path) -> None:
    value, index = recorded(knowledge), index_of(knowledge)
    for path in sorted(knowledge.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    knowledge.rmdir()
    assert not manifest.unchanged(value, [knowledge], index.hashes.items())


def test_an_edit_during_the_ingest_is_not_recorded_as_ingested(knowledge: Path) -> None:
    """The snapshot is taken before the files are chunked: an edit in between leaves a manifest that no
    longer matches the file, so the next reader checks in full (and finds the store up to date)."""
    files = manifest.snapshot([knowledge])
    write_old(knowledge / "a.md", SECTION + "Edited while the ingest ran.\n")
    chunks = build_chunks([knowledge])  # the ingest reads the edited file
    value = manifest.encode(files, manifest.records_fingerprint((c.id, c.hash) for c in chunks))
    index = index_of(knowledge)
    assert not manifest.unchanged(value, [knowledge], index.hashes.items())
    assert ingest.stale_notice(index, [knowledge], value) is None  # the full check: nothing to ingest
