"""Writing the knowledge into the store: what changed since the last ingest, and the two ways to apply it.

- sync (the usual `ingest`): in place, in the active collection. Only new and changed records are
  embedded; a record whose embedded text is unchanged but whose metadata changed (a renamed file, a
  moved directory) is relabelled without re-embedding; records of sections that are gone are deleted.
  The writes take `read.lock` exclusively, so a reader never loads a half-synced collection.
- rebuild (`ingest --rebuild`, a store built for the first time, an empty store): everything is embedded
  into a new collection, which then becomes the active one in one atomic pointer switch; the old one is
  deleted afterwards. Readers keep searching the old collection until the switch.

Both record, in the collection's metadata, the knowledge files the records were made from (manifest.py),
so a reader can tell cheaply whether the files changed since (`stale_notice`).

Embedding is passed in as a function, so this module knows nothing of models.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import RetrievalError
from ..types import JSON
from . import manifest
from .chunks import Chunk, DroppedSentence, build_chunks
from .failures import must_pass, one_line, translated
from .index import Index
from .store import Active, Store

log = logging.getLogger(__name__)

Embed = Callable[[list[str]], list[list[float]]]


@dataclass(frozen=True)
class IngestReport:
    added: int
    updated: int
    removed: int
    unchanged: int
    chunks: int  # section chunks in the store afterwards (what search returns)
    units: int  # their retrieval units (what dense search matches)
    sections: int
    embedding_model: str
    store: str
    seconds: float
    embedded: int = 0  # records whose text was (re-)embedded; metadata-only changes are not
    rebuilt: bool = False
    sections_changed: tuple[str, ...] = ()  # sections with an added, updated or removed record
    warnings: tuple[DroppedSentence, ...] = ()  # sentences the sanitiser left out of the knowledge
    collection: str = ""  # the active collection afterwards
    lang: str = "en"  # the language of the sections this report is about
    translations: tuple[IngestReport, ...] = ()  # the same for each translation (the Russian sections)

    def to_dict(self) -> dict[str, JSON]:
        data: dict[str, JSON] = asdict(self)
        data["sections_changed"] = list(self.sections_changed)
        data["warnings"] = [
            {"file": w.file, "section": w.section, "sentence": w.sentence} for w in self.warnings
        ]
        data["translations"] = [t.to_dict() for t in self.translations]
        return data

    def summary(self) -> str:
        return (
            f"{self.sections} sections -> {self.chunks} chunks + {self.units} retrieval units in "
            f"{self.store}: {self.added} added, {self.updated} updated, {self.removed} removed, "
            f"{self.unchanged} unchanged ({self.embedded} embedded with {self.embedding_model} in "
            f"{self.seconds:.1f} s)"
            + (
                f"; changed: {', '.join(self.sections_changed[:8])}"
                if self.sections_changed and len(self.sections_changed) < self.sections
                else ""
            )
            + (
                f"; {len(self.warnings)} sentence(s) left out as instructions to the assistant (see warnings)"
                if self.warnings
                else ""
            )
            + "".join(f"\n{t.lang}: {t.summary()}" for t in self.translations)
        )


@dataclass(frozen=True)
class Changes:
    """What an ingest did to the records."""

    added: int
    updated: int
    removed: int
    unchanged: int
    embedded: int
    sections_changed: tuple[str, ...] = field(default=())


def _embed(embed: Embed, chunks: Sequence[Chunk], model: str) -> list[list[float]]:
    if not chunks:
        return []
    try:
        return embed([c.embed_text for c in chunks])
    except BaseException as exc:  # e.g. an OpenAI API error; interrupts pass through
        if must_pass(exc):
            raise
        raise RetrievalError(f"embedding with {model} failed: {one_line(exc)}") from None


def _write(
    store: Store,
    collection: Active,
    todo: Sequence[Chunk],
    vectors: Sequence[Sequence[float]],
    relabel: Sequence[Chunk] = (),
    removed: Sequence[str] = (),
) -> None:
    batch = store.max_batch() if todo or relabel else 1
    with translated(f"writing to the knowledge store at {store.location}", server=store.url):
        for start in range(0, len(todo), batch):
            part = todo[start : start + batch]
            embeddings: list[Sequence[float]] = list(vectors[start : start + batch])
            collection.collection.upsert(
                ids=[c.id for c in part],
                embeddings=embeddings,
                documents=[c.text for c in part],
                metadatas=[c.metadata() for c in part],
            )
        for start in range(0, len(relabel), batch):
            part = relabel[start : start + batch]
            collection.collection.update(ids=[c.id for c in part], metadatas=[c.metadata() for c in part])
        if removed:
            collection.collection.delete(ids=list(removed))


def _record_files(store: Store, active: Active, files: str) -> None:
    """Put the manifest `files` into the collection's metadata (the caller holds `read.lock` exclusively).
    A failure only costs readers the full check (logged)."""
    metadata = dict(active.collection.metadata or {})
    if metadata.get(manifest.METADATA_KEY) == files:
        return
    if any(key.startswith("hnsw:") for key in metadata):  # Chroma refuses to modify such (legacy) metadata
        log.debug("%s: legacy collection metadata; no knowledge manifest recorded", active.name)
        return
    metadata[manifest.METADATA_KEY] = files
    try:
        with translated(f"recording the knowledge files in {store.location}", server=store.url):
            active.collection.modify(metadata=metadata)
    except RetrievalError as exc:
        log.warning("%s (readers will re-check every knowledge file)", exc)


def sync(
    store: Store, active: Active, chunks: Sequence[Chunk], embed: Embed, model: str, files: str
) -> Changes:
    """Bring the active collection in line with `chunks`, in place (see the module docstring); `files`: the
    manifest of the knowledge files the chunks were made from (manifest.encode)."""
    with translated(f"reading the knowledge store at {store.location}", server=store.url):
        got = active.collection.get(include=["metadatas"])
    metas = {i: dict(m or {}) for i, m in zip(got["ids"], got["metadatas"] or [], strict=False)}
    stored = {i: metas.get(i, {}).get("hash") for i in got["ids"]}
    stored_sections = {i: str(m.get("section", "")) for i, m in metas.items()}
    wanted = {c.id for c in chunks}
    added = [c for c in chunks if c.id not in stored]
    updated = [c for c in chunks if c.id in stored and stored[c.id] != c.hash]
    removed = sorted(stored.keys() - wanted)
    # Same embedded text, other metadata (a renamed file, a moved directory): no need to re-embed.
    relabel = [c for c in updated if metas[c.id].get("text_hash") == c.text_hash]
    todo = added + [c for c in updated if c not in relabel]
    vectors = _embed(embed, todo, model)  # before the lock: readers do not wait for the model
    recorded = (active.collection.metadata or {}).get(manifest.METADATA_KEY)
    if todo or relabel or removed or recorded != files:
        with store.reading(exclusive=True):
            _write(store, active, todo, vectors, relabel, removed)
            _record_files(store, active, files)
    touched = {c.section for c in added + updated}
    touched |= {stored_sections.get(i) or i.split("#")[0] for i in removed}
    return Changes(
        added=len(added),
        updated=len(updated),
        removed=len(removed),
        unchanged=len(chunks) - len(added) - len(updated),
        embedded=len(todo),
        sections_changed=tuple(sorted(touched)),
    )


def stale_notice(index: Index, knowledge_dirs: Sequence[Path], recorded: object = None) -> str | None:
    """What to tell a reader whose store no longer matches the knowledge files (None if it does).
    Records ingested from other directories are left out of the comparison. `recorded`: the manifest in the
    collection's metadata; while the files match it, they are not chunked again (manifest.py)."""
    current = {str(d) for d in knowledge_dirs}
    stored = {i: h for i, h in index.hashes.items() if index.directories.get(i) in current}
    if manifest.unchanged(recorded, knowledge_dirs, stored.items()):
        return None
    wanted = {c.id: c.hash for c in build_chunks(knowledge_dirs)}
    if stored == wanted:
        return None
    changed = sum(1 for i in wanted if i in stored and stored[i] != wanted[i])
    new, gone = len(wanted.keys() - stored.keys()), len(stored.keys() - wanted.keys())
    return (
        f"the knowledge files changed since the last ingest ({new} new, {changed} changed, {gone} gone "
        "records); run `modelchoice ingest` to update the store"
    )


def rebuild(
    store: Store, old: Active | None, chunks: Sequence[Chunk], embed: Embed, model: str, files: str
) -> tuple[Active, Changes]:
    """Embed everything into a new collection, switch the pointer to it, then delete `old`; `files` as for
    `sync`."""
    vectors = _embed(embed, chunks, model)  # first: a failing model leaves no empty collection behind
    new = store.create(model, {manifest.METADATA_KEY: files})
    try:
        _write(store, new, chunks, vectors)
        store.switch(new.name)
    except BaseException:
        store.drop(new.name)  # never active: nobody reads it
        raise
    if old is not None and old.name != new.name:
        store.drop(old.name)
    store.drop_leftovers(keep=new.name)
    log.debug("the knowledge store at %s now reads collection %s", store.location, new.name)
    return new, Changes(
        added=len(chunks),
        updated=0,
        removed=0,
        unchanged=0,
        embedded=len(chunks),
        sections_changed=tuple(sorted({c.section for c in chunks})),
    )
