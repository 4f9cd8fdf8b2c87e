"""The Retriever: search the knowledge store (dense, BM25 or fused) and keep it usable: build it on first
use, rebuild a corrupt local one, re-open it when a rebuild elsewhere replaced the collection it read.

Dense search ranks retrieval units by cosine similarity and returns their parent chunks (see chunks.py);
BM25 runs in memory over the chunks (index.py); ranking.py fuses the two. Embeddings are always computed
by assistant/embeddings.py and passed explicitly: Chroma's default embedding function is never used.

Notices for the user (store being built, query truncated, knowledge changed since the last ingest) go to
`notify`, by default this module's logger at WARNING: the CLI and the UI decide what to show.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import KnowledgeError, RetrievalError
from ..knowledge import translation_dirs
from ..settings import RETRIEVAL_METHODS, Settings, get_settings
from ..types import LANGUAGES, PassageRef
from . import ingest as writer
from .bm25 import tokenizer
from .chunks import build_chunks, dropped_sentences
from .failures import REBUILD_HINT, Corrupt, Gone, Missing, StoreProblem, as_retrieval_error, translated
from .index import View, load_index
from .manifest import METADATA_KEY, encode, records_fingerprint, snapshot
from .model import Model, MultilingualModel
from .ranking import Ranking, clean_query, combine
from .store import Store

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection


log = logging.getLogger(__name__)

MAX_K = 100
DENSE_DEPTH = 200  # retrieval units fetched from Chroma per dense query

Notify = Callable[[str], None]


def log_notice(message: str) -> None:
    """The default `notify`: a WARNING on this module's logger."""
    log.warning("%s", message)


def _silent(message: str) -> None:
    log.debug("%s", message)


def _unique_dirs(directories: Sequence[Path]) -> list[Path]:
    seen: dict[Path, None] = {}
    for directory in directories:
        seen.setdefault(Path(directory).expanduser().resolve(), None)
    return list(seen)


class Retriever:
    """Search the knowledge base; reads one Chroma store (local PersistentClient or a server).

    One Retriever per language `lang`: English reads `<collection>` with the configured embedding model
    and English BM25; Russian reads the sections of the knowledge dirs' `ru/` folders (same section ids) from
    `<collection>-ru`, embedded with USE-m3, with Russian-stemmed BM25. An English Retriever hands a Russian
    search to its Russian one (`lane`), made and loaded on the first Russian search only.

    Thread-safe for searches. `notify` hears the notices (None: silence them).
    """

    def __init__(
        self, settings: Settings | None = None, *, notify: Notify | None = log_notice, lang: str = "en"
    ) -> None:
        if lang not in LANGUAGES:
            raise RetrievalError(f"lang={lang!r}: use one of {', '.join(LANGUAGES)}")
        self.settings = settings or get_settings()
        self.lang = lang
        self.notify: Notify = notify or _silent
        base = self.settings.collection
        self.store = Store(self.settings, base if lang == "en" else f"{base}-{lang}")
        self._mutex = threading.RLock()
        self._view: View | None = None
        self.model = Model(self.settings) if lang == "en" else MultilingualModel(self.settings)
        self._tokens = tokenizer(lang)
        self._lanes: dict[str, Retriever] = {}

    # ------------------------------------------------------------------ where things are
    @property
    def store_dir(self) -> Path:
        return self.store.store_dir

    @property
    def location(self) -> str:
        return self.store.location

    @property
    def knowledge_dirs(self) -> list[Path]:
        return _unique_dirs(translation_dirs(self.settings.knowledge_dirs, self.lang))

    def lane(self, lang: str) -> Retriever:
        """The Retriever for sections in `lang`: this one for its own language, else one over the translation
        folders (made on first use); this one when the knowledge dirs hold no sections in `lang`."""
        if lang == self.lang:
            return self
        if lang not in LANGUAGES:
            raise RetrievalError(f"lang={lang!r}: use one of {', '.join(LANGUAGES)}")
        with self._mutex:
            lane = self._lanes.get(lang)
            if lane is None:
                if not translation_dirs(self.settings.knowledge_dirs, lang):
                    return self
                lane = self._lanes[lang] = Retriever(self.settings, notify=self.notify, lang=lang)
            return lane

    @property
    def collection(self) -> Collection | None:
        """The collection searches read now (None before the first search)."""
        view = self._view
        return view.active.collection if view else None

    def embedding_model(self) -> str:
        """The configured model's name, without loading it."""
        return self.model.name()

    def warm_up(self) -> Retriever:
        """Load the embedding model now (a few seconds once per process) rather than on the first search."""
        self.model.backend()
        return self

    def refresh(self) -> None:
        """Forget the opened collection and its index; the next search resolves and loads them again.
        Only needed to see another process's in-place ingest (a rebuild is noticed by itself)."""
        with self._mutex:
            self._view = None
            for lane in self._lanes.values():
                lane.refresh()

    def close(self) -> None:
        """Release the Chroma client (a later call reconnects)."""
        with self._mutex:
            self._view = None
            self.store.close()
            for lane in self._lanes.values():
                lane.close()

    # ------------------------------------------------------------------ opening the store
    def _check_model(self, collection: Collection) -> None:
        built = (collection.metadata or {}).get("embedding_model")
        wanted = self.embedding_model()
        if built != wanted:
            built_text = repr(built) if built else "an unknown embedding model (not built by modelchoice)"
            raise RetrievalError(
                f"the knowledge store at {self.location} was built with {built_text}, but the configured "
                f"embedding model is {wanted!r}; rebuild it with `modelchoice ingest --rebuild`"
            )

    def _open(self, allow_empty: bool = False) -> View:
        """Resolve the pointer and load the active collection (Missing / Corrupt when it cannot be)."""
        if not self.store.exists():
            raise Missing(f"no knowledge store at {self.location} yet")
        with self.store.reading():
            if not self.store.exists():  # wiped meanwhile; connecting now would create it under our lock
                raise Missing(f"no knowledge store at {self.location} yet")
            active = self.store.active()
            if active is None:
                raise Missing(f"no knowledge store at {self.location} yet")
            self._check_model(active.collection)
            index = load_index(active.collection, self.location, self._tokens)
        if (not index or not index.units) and not allow_empty:
            raise Missing(f"the knowledge store at {self.location} is empty")
        return View(active, index)

    def ensure(self) -> Retriever:
        """Make sure the store exists and is readable: a missing, empty or corrupted one is (re)built."""
        with self._mutex:
            if self._view is not None:
                return self._require_sections()
            self.model.load_meanwhile()  # on another thread, while this one opens the store
            try:  # no lock needed to read: a rebuild elsewhere only switches the pointer when done
                self._view = self._open()
            except StoreProblem:
                pass
            except BaseException:
                self.model.settle()
                raise
            else:
                self._check_stale(self._view)
                return self
            with self.store.writing(self.notify):
                try:  # another process may have built it while we waited for the lock
                    self._view = self._open()
                    return self
                except Missing as problem:
                    self.notify(f"{problem}: building it from the knowledge files (one-off, a few seconds)")
                    self._ingest_locked(rebuild=False)
                except Corrupt as problem:
                    self._recover(problem)
            return self._require_sections()

    def _require_sections(self) -> Retriever:
        if not self._view or not self._view.index:
            raise RetrievalError(
                "the knowledge directories hold no sections to search: "
                f"{', '.join(map(str, self.knowledge_dirs))}"
            )
        return self

    def _recover(self, problem: Corrupt) -> writer.IngestReport:
        if self.store.remote:
            raise RetrievalError(
                f"cannot read the knowledge store at {self.location} ({problem}); {REBUILD_HINT}"
            )
        self.notify(f"the knowledge store at {self.location} is unreadable ({problem}); rebuilding it")
        with self._mutex:
            self._view = None
            for lane in self._lanes.values():  # the other languages' collections go with the files
                lane.close()
            self.store.wipe()
            try:
                return self._ingest_locked(rebuild=True)
            except Corrupt as again:
                raise RetrievalError(
                    f"cannot rebuild the knowledge store at {self.location} ({again}); "
                    "check the data directory (--data-dir, MODELCHOICE_DATA_DIR)"
                ) from None

    def _check_stale(self, view: View) -> None:
        recorded = (view.active.collection.metadata or {}).get(METADATA_KEY)
        try:
            notice = writer.stale_notice(view.index, self.knowledge_dirs, recorded)
        except KnowledgeError as exc:
            notice = f"cannot check the knowledge files for changes: {exc}"
        if notice:
            self.notify(notice)

    # ------------------------------------------------------------------ ingest
    def ingest(self, rebuild: bool = False) -> writer.IngestReport:
        """Sync the store with the knowledge files: embed new and changed chunks, delete removed ones.
        With `rebuild`, embed everything into a new collection and switch to it when it is complete.
        An English Retriever then does the same for each translation (report.translations)."""
        with self._mutex, self.store.writing(self.notify):
            try:
                report = self._ingest_locked(rebuild)
            except Corrupt as problem:
                report = self._recover(problem)
        # After the write lock is released: each language's ingest takes it itself (a flock taken twice in
        # one process through two handles would wait forever).
        lanes = [self.lane(lang) for lang in LANGUAGES if lang != self.lang] if self.lang == "en" else []
        translations = tuple(lane.ingest(rebuild) for lane in lanes if lane is not self)
        return replace(report, translations=translations) if translations else report

    def _ingest_locked(self, rebuild: bool) -> writer.IngestReport:
        started = time.perf_counter()
        files = snapshot(self.knowledge_dirs)  # before the files are read: an edit meanwhile is not recorded
        chunks = build_chunks(self.knowledge_dirs)  # KnowledgeError (a user error) before touching the store
        manifest = encode(files, records_fingerprint((c.id, c.hash) for c in chunks))
        dropped = tuple(dropped_sentences(self.knowledge_dirs))
        for sentence in dropped:
            log.warning("%s", sentence)
        model = self.embedding_model()
        self.store.connect()
        try:
            current = self.store.active()
        except Missing as problem:  # the pointer names a deleted collection: build a new one
            log.warning("%s; building a new one", problem)
            current = None
        in_place = current is not None and not rebuild
        if current is not None and in_place:
            self._check_model(current.collection)
            with translated(f"reading {self.location}", corrupt=True, server=self.store.url):
                in_place = current.collection.count() > 0  # an empty store is built anew
        if current is None or not in_place:
            _, changes = writer.rebuild(
                self.store, current, chunks, self.model.embed_documents, model, manifest
            )
        else:
            changes = writer.sync(self.store, current, chunks, self.model.embed_documents, model, manifest)
        self._view = view = self._open(allow_empty=True)
        return writer.IngestReport(
            added=changes.added,
            updated=changes.updated,
            removed=changes.removed,
            unchanged=changes.unchanged,
            embedded=changes.embedded,
            chunks=len(view.index),
            units=view.index.units,
            sections=len({c.section for c in chunks}),
            embedding_model=model,
            store=self.location,
            seconds=time.perf_counter() - started,
            rebuilt=rebuild,
            sections_changed=changes.sections_changed,
            warnings=dropped,
            collection=view.active.name,
            lang=self.lang,
        )

    # ------------------------------------------------------------------ search
    def search(
        self,
        query: str,
        k: int = 4,
        boost_sections: Sequence[str] = (),
        lang: str = "en",
        *,
        method: str | None = None,
    ) -> list[PassageRef]:
        """The k best passages (one per section) for `query`, from the sections in `lang` (the English ones
        when there are none in that language); passages carry that language's titles and text.

        boost_sections: section ids cited by the decision's fired rules; each moves up at most
        BOOST_PLACES places, and only if the query already ranks it in the top BOOST_WINDOW sections.
        """
        lane = self.lane(lang)
        if lane is not self:
            return lane.search(query, k, boost_sections, lane.lang, method=method)
        method = method or self.settings.retrieval
        if method not in RETRIEVAL_METHODS:
            raise RetrievalError(f"method={method!r}: use one of {', '.join(RETRIEVAL_METHODS)}")
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
            raise RetrievalError(f"k={k!r}: ask for between 1 and {MAX_K} passages")
        boost = frozenset((boost_sections,) if isinstance(boost_sections, str) else boost_sections)
        text, notice = clean_query(query)
        if notice:
            self.notify(notice)
        self.ensure()
        view = self._view
        assert view is not None
        vector = self.model.embed_query(text) if method in ("dense", "fusion") else None
        try:
            return self._search_view(view, text, vector, method, k, boost)
        except Gone as gone:  # e.g. a rebuild elsewhere switched to a new collection and deleted ours
            view = self._reopen(view, gone)
        try:
            return self._search_view(view, text, vector, method, k, boost)
        except Gone as gone:
            raise as_retrieval_error(
                gone.cause, f"searching the knowledge store at {self.location}", server=self.store.url
            ) from None

    def _search_view(
        self, view: View, text: str, vector: list[float] | None, method: str, k: int, boost: frozenset[str]
    ) -> list[PassageRef]:
        rankings: dict[str, Ranking] = {}
        if vector is not None:
            rankings["dense"] = view.dense_ranking(vector, DENSE_DEPTH)
        if method in ("bm25", "fusion"):
            rankings["bm25"] = view.index.bm25_ranking(text)
        return combine(rankings, method, k, boost)

    def _reopen(self, failed: View, gone: Gone) -> View:
        """Resolve the pointer again after `failed` broke mid-search; RetrievalError if that fails."""
        with self._mutex:
            if self._view is not failed and self._view is not None:
                return self._view  # another thread re-opened it already
            log.info("re-opening the knowledge store at %s after: %s", self.location, gone)
            self._view = None
            try:
                self._view = self._open()
            except StoreProblem as problem:
                raise RetrievalError(
                    f"search is unavailable: the knowledge store at {self.location} cannot be read "
                    f"({problem}); try again in a moment, or {REBUILD_HINT}"
                ) from None
            return self._view


# ------------------------------------------------------------------------------------------ entry point

_retrievers: dict[Settings, Retriever] = {}
_retrievers_lock = threading.Lock()


def get_retriever(settings: Settings | None = None) -> Retriever:
    """The process-wide Retriever for these settings; the store is checked (and built if needed) once."""
    settings = settings or get_settings()
    with _retrievers_lock:
        retriever = _retrievers.get(settings)
        if retriever is None:
            retriever = _retrievers[settings] = Retriever(settings)
    return retriever.ensure()
