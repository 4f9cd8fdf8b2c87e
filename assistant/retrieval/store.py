"""Where the knowledge lives: the Chroma client (embedded PersistentClient or a `chroma run` server), the
collections, the pointer to the active one, and the file locks that order writers and readers.

Why a pointer: a rebuild writes a NEW collection `<collection>-<UTC time>-<random>` beside the active one
and then switches a pointer, so readers never see a half-built store. The pointer is itself a Chroma
collection, `<collection>.active`, whose metadata names the active collection: one metadata update is
atomic in SQLite and over HTTP alike, so it works for a `chroma run` server shared by several hosts too.
Readers resolve the pointer once and keep the collection they opened; the old one is deleted after the
switch (a reader that loses it mid-search resolves again, see search.py). A store without a pointer but
with a collection named `<collection>` (made before pointers existed) is read as that collection.

Locks (fcntl.flock in the data directory, also in server mode, where the directory holds nothing else):
- `ingest.lock`, exclusive: one writer at a time (ingests, rebuilds, automatic builds).
- `read.lock`: readers hold it shared while they load a collection into memory; writers take it
  exclusive only for short in-place changes (an incremental sync's writes, creating or wiping a local
  store), never for a whole rebuild, so a rebuild does not make readers wait.
Order: `ingest.lock` before `read.lock`, never the other way round.

The chromadb client is used directly, not langchain-chroma: ingest needs ids, per-record hashes,
collection metadata and deletes, which are plain client calls. chromadb is imported inside functions only.
"""

from __future__ import annotations

import calendar
import contextlib
import logging
import re
import secrets
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..errors import RetrievalError
from ..settings import Settings
from .failures import Corrupt, Failure, Missing, as_retrieval_error, classify, must_pass, one_line, translated

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

log = logging.getLogger(__name__)

STORE_SUBDIR = "chroma"
WRITE_LOCK = "ingest.lock"
READ_LOCK = "read.lock"
SCHEMA = "modelchoice-knowledge/2"  # recorded in every collection's metadata
POINTER_SCHEMA = "modelchoice-pointer/1"
POINTER_SUFFIX = ".active"
ORPHAN_AGE = 3600.0  # seconds: a server's unfinished generation older than this is left over, not in progress
_STAMP = "%Y%m%dT%H%M%S"
_GENERATION_SUFFIX_CHARS = 23  # "-YYYYMMDDTHHMMSS-xxxxxx"
_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9._-]{1,486}[a-zA-Z0-9]")  # room for the generation suffix

Notify = Callable[[str], None]


@dataclass(frozen=True)
class Active:
    """A collection a reader or writer opened, with the name it was opened under."""

    name: str
    collection: Collection


def sqlite_problem(path: Path) -> str | None:
    """Check Chroma's SQLite file before Chroma opens it: on a malformed file Chroma's Rust core panics
    (and prints a backtrace to stderr) instead of raising. None when fine, missing or merely busy."""
    if not path.is_file():
        return None
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
        try:
            result = connection.execute("PRAGMA quick_check").fetchone()
        finally:
            connection.close()
    except sqlite3.OperationalError as exc:
        return None if "locked" in str(exc) or "busy" in str(exc) else f"{path.name}: {exc}"
    except sqlite3.DatabaseError as exc:
        return f"{path.name}: {exc}"
    if result and result[0] == "ok":
        return None
    detail = str(result[0]).splitlines()[-1] if result else "no answer"
    return f"{path.name}: {one_line(Exception(detail), 120)}"


def parse_url(url: str) -> tuple[str, int, bool]:
    """(host, port, https) of a Chroma server URL; RetrievalError for anything else."""
    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RetrievalError(f"chroma_url={url!r} (MODELCHOICE_CHROMA_URL): use e.g. http://127.0.0.1:8001")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 8000)
    except ValueError:
        raise RetrievalError(f"chroma_url={url!r}: the port is not a number") from None
    return parts.hostname, port, parts.scheme == "https"


class Store:
    """One knowledge store (see the module docstring). Thread-safe; one client per Store."""

    def __init__(self, settings: Settings, base: str | None = None) -> None:
        """`base`: the collection name (default settings.collection; the Russian index uses another)."""
        self.settings = settings
        self.base = base or settings.collection
        self.pointer = f"{self.base}{POINTER_SUFFIX}"
        self._client: ClientAPI | None = None
        self._mutex = threading.RLock()

    # ------------------------------------------------------------------ where things are
    @property
    def data_dir(self) -> Path:
        return Path(self.settings.data_dir).expanduser()

    @property
    def store_dir(self) -> Path:
        return self.data_dir / STORE_SUBDIR

    @property
    def remote(self) -> bool:
        return bool(self.settings.chroma_url)

    @property
    def url(self) -> str | None:
        return self.settings.chroma_url or None

    @property
    def location(self) -> str:
        if self.settings.chroma_url:
            return f"{self.settings.chroma_url} (collection {self.base})"
        own = self.base == self.settings.collection  # else another language's collection: name it
        return str(self.store_dir) if own else f"{self.store_dir} ({self.base})"

    def exists(self) -> bool:
        """False only for a local store that was never created (a server may hold anything)."""
        return self.remote or (self.store_dir / "chroma.sqlite3").exists()

    # ------------------------------------------------------------------ locks
    @contextlib.contextmanager
    def _lock(self, name: str, exclusive: bool, notify: Notify | None = None) -> Iterator[None]:
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            handle = open(self.data_dir / name, "a+")  # noqa: SIM115 (closed by the `with` below)
        except OSError as exc:
            raise RetrievalError(
                f"cannot use the data directory {self.data_dir}: {exc.strerror or exc} "
                "(choose another with --data-dir or MODELCHOICE_DATA_DIR)"
            ) from None
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: no cross-process lock
            with handle:
                yield
            return
        with handle:
            mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
            try:
                fcntl.flock(handle.fileno(), mode | fcntl.LOCK_NB)
            except BlockingIOError:
                if notify is not None:
                    notify(f"waiting for another process to finish writing {self.location}")
                fcntl.flock(handle.fileno(), mode)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def writing(self, notify: Notify | None = None) -> contextlib.AbstractContextManager[None]:
        """One writer at a time, across processes (`notify` hears it when this has to wait)."""
        return self._lock(WRITE_LOCK, exclusive=True, notify=notify)

    def reading(self, exclusive: bool = False) -> contextlib.AbstractContextManager[None]:
        """Shared while a reader loads a collection; exclusive for a writer's short in-place changes."""
        return self._lock(READ_LOCK, exclusive=exclusive)

    # ------------------------------------------------------------------ the client
    def connect(self) -> ClientAPI:
        """The client, made on first use. Creating a new local store takes `read.lock` exclusively (Chroma
        runs its migrations then), so only call this for a store that does not exist yet while holding
        `ingest.lock` and not `read.lock`."""
        with self._mutex:
            if self._client is None:
                if not _NAME.fullmatch(self.base):
                    raise RetrievalError(
                        f"collection={self.base!r}: use 3-488 characters from [a-zA-Z0-9._-], "
                        "starting and ending with a letter or digit"
                    )
                self._client = self._remote_client() if self.remote else self._local_client()
            return self._client

    def _remote_client(self) -> ClientAPI:
        try:
            import chromadb
            from chromadb.config import Settings as ChromaSettings
        except ImportError as exc:
            raise RetrievalError(
                f"search needs chromadb ({exc}): pip install 'modelchoice[retrieval]'"
            ) from None

        url = self.settings.chroma_url or ""
        host, port, ssl = parse_url(url)
        with translated(f"connecting to {url}", server=url):
            try:
                client = chromadb.HttpClient(
                    host=host, port=port, ssl=ssl, settings=ChromaSettings(anonymized_telemetry=False)
                )
                client.heartbeat()
            except Exception as exc:  # whatever stops the first call, the server does not answer us
                raise ConnectionError(one_line(exc, 120)) from None
        return client

    def _local_client(self) -> ClientAPI:
        try:
            import chromadb
            from chromadb.config import Settings as ChromaSettings
        except ImportError as exc:
            raise RetrievalError(
                f"search needs chromadb ({exc}): pip install 'modelchoice[retrieval]'"
            ) from None

        with translated(f"opening the knowledge store at {self.location}"):
            self.store_dir.mkdir(parents=True, exist_ok=True)
        new = not self.exists()
        with self.reading(exclusive=True) if new else contextlib.nullcontext():
            problem = sqlite_problem(self.store_dir / "chroma.sqlite3")
            if problem:
                raise Corrupt(problem)
            with translated(f"opening the knowledge store at {self.location}", corrupt=True):
                return chromadb.PersistentClient(
                    path=str(self.store_dir), settings=ChromaSettings(anonymized_telemetry=False)
                )

    def close(self) -> None:
        """Release the client (a later call reconnects)."""
        with self._mutex:
            client, self._client = self._client, None
        close = getattr(client, "close", None)  # chromadb >= 1.1 clients have one
        if close is not None:
            with contextlib.suppress(Exception):
                close()

    def wipe(self) -> None:
        """Delete a local store that cannot be read (readers wait on `read.lock` meanwhile)."""
        self.close()
        with self.reading(exclusive=True):
            shutil.rmtree(self.store_dir, ignore_errors=True)

    def max_batch(self) -> int:
        with translated(f"writing to the knowledge store at {self.location}", server=self.url):
            return max(1, min(500, self.connect().get_max_batch_size()))

    # ------------------------------------------------------------------ collections and the pointer
    def _get(self, name: str) -> Collection | None:
        """The collection `name`, or None if it does not exist; `Corrupt` if the store cannot say."""
        client = self.connect()
        with translated(f"reading the knowledge store at {self.location}", corrupt=True, server=self.url):
            try:
                return client.get_collection(name, embedding_function=None)
            except BaseException as exc:  # a missing collection is an answer, not a failure
                if classify(exc) is Failure.GONE:
                    return None
                raise

    def active_name(self) -> str | None:
        """The name the pointer holds; without a pointer, `<collection>` if that exists; else None."""
        pointer = self._get(self.pointer)
        if pointer is not None:
            name = (pointer.metadata or {}).get("active")
            if isinstance(name, str) and name:
                return name
        return self.base if self._get(self.base) is not None else None

    def active(self) -> Active | None:
        """The active collection, or None if the store has none yet. If the pointer names a collection
        that no longer exists, it is read once more (a rebuild may have switched meanwhile)."""
        for attempt in range(2):
            name = self.active_name()
            if name is None:
                return None
            collection = self._get(name)
            if collection is not None:
                return Active(name, collection)
            if attempt == 0:
                time.sleep(0.05)
        raise Missing(f"the knowledge store at {self.location} points to a missing collection ({name})")

    def create(self, embedding_model: str, extra: dict[str, str] | None = None) -> Active:
        """A new, empty generation `<collection>-<UTC time>-<random>`, not active yet; `extra`: more
        collection metadata (e.g. the knowledge manifest)."""
        name = f"{self.base}-{time.strftime(_STAMP, time.gmtime())}-{secrets.token_hex(3)}"
        with translated(f"creating a collection in {self.location}", corrupt=True, server=self.url):
            collection = self.connect().create_collection(
                name,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={**(extra or {}), "embedding_model": embedding_model, "schema": SCHEMA},
                embedding_function=None,
            )
        return Active(name, collection)

    def switch(self, name: str) -> None:
        """Make `name` the active collection: one atomic metadata update of the pointer collection."""
        metadata: dict[str, str | int | float | bool] = {
            "active": name,
            "schema": POINTER_SCHEMA,
            "switched": time.strftime(_STAMP, time.gmtime()),
        }
        with translated(f"switching the knowledge store at {self.location} to {name}", server=self.url):
            pointer = self.connect().get_or_create_collection(
                self.pointer,
                metadata=metadata,
                embedding_function=None,
            )
            pointer.modify(metadata=metadata)

    def drop(self, name: str) -> None:
        """Delete a collection that is no longer active; a failure only leaves it behind (logged)."""
        try:
            self.connect().delete_collection(name)
        except BaseException as exc:  # chromadb errors; Rust panics are BaseExceptions
            if must_pass(exc):
                raise
            if classify(exc) is not Failure.GONE:
                error = as_retrieval_error(exc, f"deleting the old collection {name} from {self.location}")
                log.warning("%s (it stays behind, unused)", error)

    def drop_leftovers(self, keep: str) -> None:
        """Delete generations of this store that are not active: left behind by an interrupted rebuild.
        On a server (several hosts may rebuild at once) only those older than ORPHAN_AGE."""
        pattern = re.compile(rf"{re.escape(self.base)}-(\d{{8}}T\d{{6}})-[0-9a-f]{{6}}")
        try:
            with translated(f"listing the collections in {self.location}", server=self.url):
                names = [c.name for c in self.connect().list_collections()]
        except RetrievalError as exc:  # the switch is done; left-overs wait for the next rebuild
            log.warning("%s", exc)
            return
        now = time.time()
        for name in names:
            match = pattern.fullmatch(name)
            if not match or name == keep:
                continue
            born = calendar.timegm(time.strptime(match[1], _STAMP))
            if not self.remote or now - born > ORPHAN_AGE:
                self.drop(name)
