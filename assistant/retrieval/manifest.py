"""What the knowledge files were when the store was last written, and the cheap check that they still are.

Why: a reader must notice knowledge files edited since the last ingest. The full check chunks and sanitises
every file again, as ingest does (~0.1 s a cold process, and it grows with the knowledge base). Instead,
every ingest records in the collection's metadata (so it is written with the records it describes, and a
server store carries it too):
- per knowledge directory, every `*.md` file with its size, mtime_ns and sha256, taken *before* the files
  are read for chunking, so an edit made during the ingest is never recorded as ingested;
- CHUNKING_VERSION (a change in how chunks are made must also look like a change);
- a fingerprint of the records written (ids and hashes), so a store that does not hold what the manifest
  describes (an interrupted write, an older ingest) never passes.

A reader then only stats the files. A file whose size or mtime changed is read and hashed: the same content
(a `touch`, a checkout that rewrote it) is still unchanged. Anything else (a new, removed or edited file,
another set of directories, a record fingerprint that does not match) sends the reader to the full check,
which says exactly what changed. As with make or rsync, a file rewritten with the same size and its old
mtime restored on purpose is not noticed; a file modified within RACY_NS of the snapshot is always hashed,
because a coarse file-system clock can give two writes the same mtime.

Pure Python: no Chroma, no embedding model.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from ..knowledge import knowledge_files
from .chunks import CHUNKING_VERSION

log = logging.getLogger(__name__)

METADATA_KEY = "knowledge_files"  # in the collection's metadata: one JSON string
SCHEMA = 1
RACY_NS = 2_000_000_000  # files modified this close to the snapshot are hashed, whatever their mtime says

FileEntry = list[str | int]  # [path relative to its directory, size, mtime_ns, sha256]


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def records_fingerprint(hashes: Iterable[tuple[str, str]]) -> str:
    """One digest of (record id, record hash) pairs, whatever their order."""
    return hashlib.sha256(json.dumps(sorted(hashes)).encode("utf-8")).hexdigest()


def snapshot(directories: Sequence[Path]) -> dict[str, object]:
    """The files as they are now (call it before reading them for chunking; see the module docstring).
    Files that cannot be read are left out, so the manifest will not match and readers do the full check."""
    taken_ns = time.time_ns()
    dirs: dict[str, list[FileEntry]] = {}
    for directory in directories:
        entries: list[FileEntry] = []
        for path in knowledge_files(directory):
            try:
                stat = path.stat()
                digest = _sha256(path)
            except OSError as exc:
                log.debug("knowledge manifest: %s left out (%s)", path, exc)
                continue
            entries.append([path.relative_to(directory).as_posix(), stat.st_size, stat.st_mtime_ns, digest])
        dirs[str(directory)] = entries
    return {"schema": SCHEMA, "chunking": CHUNKING_VERSION, "taken_ns": taken_ns, "dirs": dirs}


def encode(files: Mapping[str, object], records: str) -> str:
    """The metadata value: the snapshot plus the fingerprint of the records written with it."""
    return json.dumps({**files, "records": records}, separators=(",", ":"))


def _file_unchanged(path: Path, entry: FileEntry, racy_after_ns: int) -> bool:
    _, size, mtime_ns, digest = entry
    try:
        stat = path.stat()
        if stat.st_size != size:
            return False
        if stat.st_mtime_ns == mtime_ns and isinstance(mtime_ns, int) and mtime_ns < racy_after_ns:
            return True
        return _sha256(path) == digest  # touched, or too recent to trust its mtime: compare the content
    except OSError:
        return False


def unchanged(recorded: object, directories: Sequence[Path], stored: Iterable[tuple[str, str]]) -> bool:
    """True when the files of `directories` are those the manifest `recorded` and the store holds what was
    written with it (`stored`: the store's (id, hash) pairs of records from these directories). False means
    "not known": the caller does the full check."""
    if not isinstance(recorded, str):
        return False
    try:
        manifest = json.loads(recorded)
    except ValueError:
        return False
    if not isinstance(manifest, dict) or manifest.get("schema") != SCHEMA:
        return False
    dirs, taken_ns = manifest.get("dirs"), manifest.get("taken_ns")
    if (
        manifest.get("chunking") != CHUNKING_VERSION
        or not isinstance(dirs, dict)
        or not isinstance(taken_ns, int)
    ):
        return False
    if set(dirs) != {str(d) for d in directories} or manifest.get("records") != records_fingerprint(stored):
        return False
    racy_after_ns = taken_ns - RACY_NS
    for directory in directories:
        entries = dirs[str(directory)]
        if not Path(directory).is_dir():
            return False
        files = knowledge_files(directory)
        if not isinstance(entries, list) or len(entries) != len(files):
            return False
        for path, entry in zip(files, entries, strict=True):
            if not isinstance(entry, list) or len(entry) != 4:
                return False
            if path.relative_to(directory).as_posix() != entry[0]:
                return False
            if not _file_unchanged(path, entry, racy_after_ns):
                return False
    return True
