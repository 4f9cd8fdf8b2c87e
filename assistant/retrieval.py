"""Knowledge retrieval on Chroma: ingest the Markdown guidance, then search it (dense, BM25 or fused).

Choices, in short:
- The chromadb client is used directly, not langchain-chroma: ingest needs ids, per-record content hashes,
  collection metadata (the embedding model's name), `where` filters and deletes, which are plain client
  calls; the langchain wrapper would add a layer without removing any code. Embeddings are always computed
  by us (assistant/embeddings.py) and passed explicitly: Chroma's default embedding function is never used.
- Chunks are built from `knowledge.Section` objects (the same parser the rules loader uses), so a chunk
  keeps its stable section id without re-parsing headings; only a long section is split further, by
  langchain-text-splitters' RecursiveCharacterTextSplitter. A chunk is what search returns.
- Small-to-big dense retrieval: each chunk is also stored as a few small "retrieval units": its
  paragraphs, each list item or table row prefixed with the sentence that introduces the list, that
  sentence with the whole list, and the heading alone. all-MiniLM-L6-v2 mean-pools over the text, so a
  whole section blurs into "about foundation models"; one paragraph or list item keeps its meaning. Dense
  search ranks units and returns their parent chunk (max over its units). Measured on evals/retrieval.yaml
  (see evals/retrieval_eval.py): dense recall@3 0.78 (one vector per section, title included) -> 0.88,
  MRR 0.73 -> 0.80. Prefixing every unit with the heading measured worse (headings pull all units of a
  file together); the heading as a unit of its own is what makes "downsides of foundation models" find
  "Weaknesses of foundation models".
- BM25 is a small own implementation (a few dozen chunks), in memory, over the chunks' title (twice),
  document title and text, built from what is stored in the collection so it matches dense search.
- Fusion is weighted reciprocal-rank fusion: dense 1.0, BM25 0.5 (dense is the stronger retriever here;
  BM25 adds exact terms such as names). Search returns at most one passage per section.

Heavy imports (chromadb, torch, sentence-transformers, langchain) happen inside functions only.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # before any Hugging Face import, whoever imports first
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import contextlib
import hashlib
import json
import math
import re
import shutil
import sys
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .knowledge import load_sections
from .settings import RETRIEVAL_METHODS, Settings, get_settings
from .types import PassageRef

MAX_QUERY_CHARS = 2000  # longer queries are truncated (with a notice) before embedding and BM25
MAX_K = 100
MAX_CHUNK_CHARS = 1200  # all-MiniLM-L6-v2 reads 256 word pieces (~1,000-1,200 characters of English)
CHUNK_OVERLAP = 150
CHUNKING_VERSION = "3"  # part of every chunk hash: changing how chunks are built re-embeds them
RRF_K = 60  # reciprocal-rank fusion constant (Cormack et al.); rank r contributes weight / (RRF_K + r)
FUSION_WEIGHTS = {"dense": 1.0, "bm25": 0.5}  # chosen on the eval set; see evals/retrieval_eval.py
DENSE_DEPTH = 200  # retrieval units fetched from Chroma per dense query
BOOST_PLACES = 2  # a section cited by a fired rule moves up at most this many places...
BOOST_WINDOW = 10  # ...and only if the query itself already ranks it in the top BOOST_WINDOW
STORE_SUBDIR = "chroma"
LOCK_FILE = "ingest.lock"
SCHEMA = "modelchoice-knowledge/2"
_COLLECTION_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9._-]{1,510}[a-zA-Z0-9]")


class RetrievalError(ValueError):
    """A retrieval problem the user can fix (bad query, model mismatch, unreachable server); one line."""


def notify_stderr(message: str) -> None:
    print(f"modelchoice: {message}", file=sys.stderr, flush=True)


Passage = PassageRef  # what a search returns: the core type every consumer reads


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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

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
        )


# --------------------------------------------------------------------------------------------- chunks


@dataclass(frozen=True)
class Chunk:
    """One record in the collection: a section chunk (kind 'chunk') or one of its retrieval units ('unit')."""

    id: str
    section: str
    title: str
    source: str
    document: str
    attribution: str
    directory: str
    text: str
    kind: str = "chunk"
    parent: str = ""  # the chunk id a unit belongs to (a chunk's own id for chunks)

    @property
    def embed_text(self) -> str:
        return f"{self.title}\n\n{self.text}" if self.kind == "chunk" else self.text

    @property
    def text_hash(self) -> str:
        """Changes when the embedded text does: only then is the record re-embedded."""
        return hashlib.sha256(json.dumps([CHUNKING_VERSION, self.embed_text]).encode("utf-8")).hexdigest()

    @property
    def hash(self) -> str:
        """Changes when anything stored does (text or metadata)."""
        payload = json.dumps(
            [
                self.text_hash,
                self.kind,
                self.text,
                self.section,
                self.title,
                self.source,
                self.document,
                self.attribution,
                self.directory,
                self.parent,
            ]
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def metadata(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "parent": self.parent or self.id,
            "section": self.section,
            "title": self.title,
            "source": self.source,
            "document": self.document,
            "attribution": self.attribution,
            "directory": self.directory,
            "hash": self.hash,
            "text_hash": self.text_hash,
        }


def _split(text: str) -> list[str]:
    if len(text) <= MAX_CHUNK_CHARS:
        return [text]
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=MAX_CHUNK_CHARS, chunk_overlap=CHUNK_OVERLAP)
    return [part for part in splitter.split_text(text) if part.strip()] or [text]


_ITEM = re.compile(r"^\s*(?:[-*+]\s+|\d+[.)]\s+|\|)")


def _is_list(block: str) -> bool:
    return all(_ITEM.match(line) for line in block.splitlines() if line.strip())


def _item_text(line: str) -> str:
    text = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", line).strip()
    if text.startswith("|"):  # a table row: cells joined; the |---| separator row has no words
        text = " | ".join(cell.strip() for cell in text.strip("|").split("|"))
    return text if re.search(r"\w", text) else ""


def retrieval_units(title: str, text: str) -> list[str]:
    """The small texts that stand for a chunk in dense search (see the module docstring)."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
    units: list[str] = []
    for number, block in enumerate(blocks):
        if _is_list(block):
            lead = blocks[number - 1] if number and not _is_list(blocks[number - 1]) else title
            units.append(f"{lead}\n{block}")
            units.extend(f"{lead} {item}" for item in map(_item_text, block.splitlines()) if item)
        units.append(block)
    units.append(title)  # the heading on its own: "downsides of X" finds "Weaknesses of X"
    return list(dict.fromkeys(units))


def build_chunks(directories: Sequence[Path]) -> list[Chunk]:
    """Every record to store: the sections of each knowledge directory (long ones split by size, ids
    '<section id>#<n>'), each followed by its retrieval units (ids '<chunk id>/<content hash>')."""
    load_sections(directories)  # validates: missing directories, malformed files, duplicate ids across dirs
    records: list[Chunk] = []
    for directory in directories:
        for section in load_sections([directory]):
            base = (
                section.id,
                section.title,
                section.source,
                section.document,
                section.attribution,
                str(directory),
            )
            for index, part in enumerate(_split(section.text or section.title)):
                chunk = Chunk(f"{section.id}#{index}", *base, part)
                records.append(chunk)
                for unit in retrieval_units(section.title, part):
                    digest = hashlib.sha1(unit.encode("utf-8")).hexdigest()[:12]
                    records.append(Chunk(f"{chunk.id}/{digest}", *base, unit, kind="unit", parent=chunk.id))
    return records


# ---------------------------------------------------------------------------------------------- query


def clean_query(query: object) -> tuple[str, str | None]:
    """(usable query, notice or None): control characters removed, whitespace collapsed, long ones cut."""
    if not isinstance(query, str):
        raise RetrievalError(f"the query must be text, not {type(query).__name__}")
    kept = []
    for char in query:
        category = unicodedata.category(char)
        if category == "Cc":
            kept.append(" ")  # newlines, tabs, escapes, NUL: word boundaries at most
        elif category not in ("Cs", "Cf", "Co", "Cn"):  # lone surrogates, invisible format chars, unassigned
            kept.append(char)
    text = " ".join("".join(kept).split())
    if not text:
        raise RetrievalError(
            'empty query: ask a question or give a few keywords, e.g. "what is knowledge distillation"'
        )
    if len(text) <= MAX_QUERY_CHARS:
        return text, None
    cut = text[:MAX_QUERY_CHARS]
    if " " in cut[MAX_QUERY_CHARS // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut, (f"the query has {len(text):,} characters; only the first {len(cut):,} are used for search")


def _one_line(exc: BaseException, limit: int = 300) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ----------------------------------------------------------------------------------------------- BM25

_WORD = re.compile(r"\w+")
_STOPWORDS = (
    "a about after all also an and any are as at be been being both but by can could did do does doing "
    "done during each either for from had has have having how i if in into is it its it's just me more "
    "most my no nor not of on or other our ours out over own so some such than that the their them then "
    "there these they this those through to too under until up us very was we were what when where "
    "which while who whom why will with would you your"
)
STOPWORDS = frozenset(_STOPWORDS.split())


_BRITISH_ISE = re.compile(r"(?<=\w{3})is(e|ed|es|ing|ation|ations)$")


def stem(word: str) -> str:
    """A deliberately light English stemmer, applied to queries and documents alike.

    Plurals as in Harman's S-stemmer, then -ation/-ing/-ed/-ly, a doubled final consonant, a final e, and
    British -ise spellings as -ize: 'labelled', 'labeling' and 'labels' meet at 'label'; 'annotate',
    'annotating' and 'annotations' at 'annotat'; 'APIs' at 'api'; 'specialised' and 'specialized' agree.
    """
    if len(word) <= 3 or not word.isalpha() or not word.isascii():
        return word
    word = _BRITISH_ISE.sub(r"iz\1", word)
    if word.endswith("ies") and not word.endswith(("eies", "aies")):
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("us", "ss")):
        word = word[:-1]
    stripped = False
    if word.endswith("ation") and len(word) > 7:
        word = word[:-5] + "ate"
    elif word.endswith("ing") and len(word) >= 7:
        word, stripped = word[:-3], True
    elif word.endswith("ed") and not word.endswith("eed") and len(word) >= 6:
        word, stripped = word[:-2], True
    elif word.endswith("ly") and len(word) >= 6:
        word = word[:-2]
    if stripped and word[-1] == word[-2] and word[-1] not in "aeious":
        word = word[:-1]
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    return [
        stem(word)
        for word in _WORD.findall(text.lower())
        if word not in STOPWORDS and (len(word) > 1 or word.isdigit())
    ]


class BM25:
    """Okapi BM25 over pre-tokenised documents (idf with +1 inside the log, so it is never negative)."""

    def __init__(self, documents: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.tf = [Counter(doc) for doc in documents]
        self.lengths = [len(doc) for doc in documents]
        self.avg_length = (sum(self.lengths) / len(self.lengths)) if self.lengths else 0.0
        df = Counter(term for doc in self.tf for term in doc)
        n = len(documents)
        self.idf = {term: math.log(1 + (n - count + 0.5) / (count + 0.5)) for term, count in df.items()}

    def scores(self, query_tokens: Sequence[str]) -> list[float]:
        terms = [t for t in dict.fromkeys(query_tokens) if t in self.idf]
        result = []
        for tf, length in zip(self.tf, self.lengths, strict=True):
            norm = self.k1 * (1 - self.b + self.b * length / (self.avg_length or 1.0))
            result.append(sum(self.idf[t] * tf[t] * (self.k1 + 1) / (tf[t] + norm) for t in terms if t in tf))
        return result


# ---------------------------------------------------------------------------------------------- store


@dataclass(frozen=True)
class _Record:
    id: str
    kind: str
    parent: str
    section: str
    title: str
    source: str
    document: str
    directory: str
    text: str
    hash: str


def _record(record_id: str, text: str | None, meta: Any) -> _Record:
    if not isinstance(meta, dict) or not isinstance(text, str):
        raise _Corrupt(f"record {record_id!r} has no text or metadata")
    try:
        return _Record(
            record_id,
            str(meta["kind"]),
            str(meta["parent"]),
            str(meta["section"]),
            str(meta["title"]),
            str(meta["source"]),
            str(meta.get("document", "")),
            str(meta.get("directory", "")),
            text,
            str(meta["hash"]),
        )
    except KeyError as missing:
        raise _Corrupt(f"record {record_id!r} lacks the {missing} metadata field") from None


class _Index:
    """The collection in memory: chunks by id, each unit's parent chunk, hashes, and the BM25 index."""

    def __init__(self, records: list[_Record]) -> None:
        self.hashes = {r.id: r.hash for r in records}
        self.directories = {r.id: r.directory for r in records}
        self.chunks = [r for r in records if r.kind == "chunk"]
        self.by_id = {r.id: r for r in self.chunks}
        self.units = sum(r.kind == "unit" for r in records)
        missing = {r.parent for r in records if r.kind == "unit"} - self.by_id.keys()
        if missing:
            raise _Corrupt(f"retrieval units point to missing chunks ({', '.join(sorted(missing)[:3])})")
        self.bm25 = BM25([tokenize(f"{r.title} {r.title} {r.document} {r.text}") for r in self.chunks])

    def __len__(self) -> int:
        return len(self.chunks)

    def bm25_ranking(self, query: str) -> list[tuple[_Record, float]]:
        scores = self.bm25.scores(tokenize(query))
        ranked = [(r, score) for r, score in zip(self.chunks, scores, strict=True) if score > 0]
        return sorted(ranked, key=lambda pair: -pair[1])


class _StoreProblem(Exception):
    pass


class _Missing(_StoreProblem):
    """No collection yet, or an empty one."""


class _Corrupt(_StoreProblem):
    """The store exists but cannot be read."""


def _passthrough(exc: BaseException) -> None:
    """Re-raise what must not be turned into a store problem: interrupts, exits and our own errors."""
    if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit, RetrievalError, _StoreProblem)):
        raise exc


def _sqlite_problem(path: Path) -> str | None:
    """Check Chroma's SQLite file before Chroma opens it: on a malformed file Chroma's Rust core panics
    (and prints a backtrace to stderr) instead of raising. None when fine, missing or merely busy."""
    import sqlite3

    if not path.is_file():
        return None
    try:
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=10)
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
    return f"{path.name}: {_one_line(Exception(detail), 120)}"


def _parse_url(url: str) -> tuple[str, int, bool]:
    from urllib.parse import urlsplit

    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RetrievalError(f"chroma_url={url!r} (MODELCHOICE_CHROMA_URL): use e.g. http://127.0.0.1:8001")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 8000)
    except ValueError:
        raise RetrievalError(f"chroma_url={url!r}: the port is not a number") from None
    return parts.hostname, port, parts.scheme == "https"


def _unique_dirs(directories: Sequence[Path]) -> list[Path]:
    seen: dict[Path, None] = {}
    for directory in directories:
        seen.setdefault(Path(directory).expanduser().resolve(), None)
    return list(seen)


class Retriever:
    """Search the knowledge base; owns one Chroma collection (local PersistentClient or a server).

    Thread-safe for searches. Notices (auto-ingest, truncated query) go to `notify`, stderr by default.
    """

    def __init__(
        self, settings: Settings | None = None, *, notify: Callable[[str], None] | None = notify_stderr
    ) -> None:
        self.settings = settings or get_settings()
        self.notify = notify or (lambda message: None)
        self._mutex = threading.RLock()
        self._client: Any = None
        self._collection: Any = None
        self._index: _Index | None = None

    # ------------------------------------------------------------------ where things are
    @property
    def store_dir(self) -> Path:
        return Path(self.settings.data_dir).expanduser() / STORE_SUBDIR

    @property
    def location(self) -> str:
        if self.settings.chroma_url:
            return f"{self.settings.chroma_url} (collection {self.settings.collection})"
        return str(self.store_dir)

    @property
    def knowledge_dirs(self) -> list[Path]:
        return _unique_dirs(self.settings.knowledge_dirs)

    def embedding_model(self) -> str:
        """The configured model's name, without loading it."""
        from .embeddings import EmbeddingConfigError, model_name

        try:
            return model_name(self.settings.embedding)
        except EmbeddingConfigError as exc:
            raise RetrievalError(str(exc)) from None

    def _backend(self) -> Any:
        from .embeddings import EmbeddingConfigError, get_embeddings

        try:
            return get_embeddings(
                self.settings.embedding,
                openai_api_key=self.settings.openai_api_key,
                openai_base_url=self.settings.openai_base_url,
            )
        except EmbeddingConfigError as exc:
            raise RetrievalError(str(exc)) from None

    def warm_up(self) -> Retriever:
        """Load the embedding model now (a few seconds once per process) rather than on the first search."""
        self._backend()
        return self

    # ------------------------------------------------------------------ locking and connecting
    @contextlib.contextmanager
    def _lock(self, exclusive: bool) -> Iterator[None]:
        """fcntl.flock on <data_dir>/ingest.lock: one writer at a time across processes, readers shared."""
        data_dir = Path(self.settings.data_dir).expanduser()
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            handle = open(data_dir / LOCK_FILE, "a+")  # noqa: SIM115 (closed by the `with` below)
        except OSError as exc:
            raise RetrievalError(
                f"cannot use the data directory {data_dir}: {exc.strerror or exc} "
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
                if exclusive:
                    self.notify(f"waiting for another process to finish writing {self.location}")
                fcntl.flock(handle.fileno(), mode)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _connect(self) -> Any:
        if self._client is not None:
            return self._client
        if not _COLLECTION_NAME.fullmatch(self.settings.collection):
            raise RetrievalError(
                f"collection={self.settings.collection!r}: use 3-512 characters from "
                "[a-zA-Z0-9._-], starting and ending with a letter or digit"
            )
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        url = self.settings.chroma_url
        if url:
            host, port, ssl = _parse_url(url)
            try:
                self._client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=chroma_settings)
                self._client.heartbeat()
            except BaseException as exc:  # chromadb errors; Rust panics are BaseExceptions
                _passthrough(exc)
                self._client = None
                raise RetrievalError(
                    f"cannot reach the Chroma server at {url} ({_one_line(exc, 120)}); start one with "
                    "`chroma run --path DIR --host 127.0.0.1 --port N` or unset MODELCHOICE_CHROMA_URL"
                ) from None
        else:
            self.store_dir.mkdir(parents=True, exist_ok=True)
            problem = _sqlite_problem(self.store_dir / "chroma.sqlite3")
            if problem:
                raise _Corrupt(problem)
            try:
                self._client = chromadb.PersistentClient(path=str(self.store_dir), settings=chroma_settings)
            except BaseException as exc:  # chromadb errors; Rust panics are BaseExceptions
                _passthrough(exc)
                raise _Corrupt(_one_line(exc)) from None
        return self._client

    def refresh(self) -> None:
        """Forget the in-memory index (BM25 and chunk table); the next search reloads it from the store.
        Only needed when another process or Retriever ingested into the same store meanwhile."""
        with self._mutex:
            self._index = None

    def close(self) -> None:
        """Release the Chroma client (a later call reconnects)."""
        with self._mutex:
            client, self._client, self._collection, self._index = self._client, None, None, None
            if client is not None and hasattr(client, "close"):
                with contextlib.suppress(Exception):
                    client.close()

    def _get_collection(self) -> Any:
        """The collection or None if it does not exist; raises _Corrupt when the store cannot be read."""
        from chromadb.errors import NotFoundError

        client = self._connect()
        try:
            return client.get_collection(self.settings.collection, embedding_function=None)
        except NotFoundError:
            return None
        except BaseException as exc:  # chromadb errors; Rust panics are BaseExceptions
            _passthrough(exc)
            if "does not exist" in str(exc):
                return None
            raise _Corrupt(_one_line(exc)) from None

    def _check_model(self, collection: Any) -> None:
        built = (collection.metadata or {}).get("embedding_model")
        wanted = self.embedding_model()
        if built != wanted:
            built_text = repr(built) if built else "an unknown embedding model (not built by modelchoice)"
            raise RetrievalError(
                f"the knowledge store at {self.location} was built with {built_text}, but the configured "
                f"embedding model is {wanted!r}; rebuild it with `modelchoice ingest --rebuild`"
            )

    def _load_index(self, allow_empty: bool = False) -> _Index:
        collection = self._get_collection()
        if collection is None:
            raise _Missing(f"no knowledge store at {self.location} yet")
        self._check_model(collection)
        try:
            got = collection.get(include=["documents", "metadatas"])
        except BaseException as exc:  # chromadb errors; Rust panics are BaseExceptions
            _passthrough(exc)
            raise _Corrupt(_one_line(exc)) from None
        records = [
            _record(i, d, m)
            for i, d, m in zip(got["ids"], got["documents"] or [], got["metadatas"] or [], strict=False)
        ]
        if len(records) != len(got["ids"]):
            raise _Corrupt("some records have no text or metadata")
        records.sort(key=lambda r: r.id)
        index = _Index(records)
        if (not index or not index.units) and not allow_empty:
            raise _Missing(f"the knowledge store at {self.location} is empty")
        self._collection = collection
        return index

    def _wipe_local(self) -> None:
        self.close()
        shutil.rmtree(self.store_dir, ignore_errors=True)

    # ------------------------------------------------------------------ ensure / ingest
    def ensure(self) -> Retriever:
        """Make sure the store exists and is readable: a missing, empty or corrupted one is (re)built."""
        with self._mutex:
            if self._index is not None:
                return self._require_sections()
            brand_new = not self.settings.chroma_url and not (self.store_dir / "chroma.sqlite3").exists()
            if not brand_new:  # readers share the lock; creating a store (Chroma's migrations) is exclusive
                try:
                    with self._lock(exclusive=False):
                        self._index = self._load_index()
                    self._check_stale()
                    return self
                except _StoreProblem:
                    pass
            with self._lock(exclusive=True):
                try:  # another process may have built it while we waited for the lock
                    self._index = self._load_index()
                    return self
                except _Missing as problem:
                    self.notify(f"{problem}: building it from the knowledge files (one-off, a few seconds)")
                    self._ingest_locked(rebuild=False)
                except _Corrupt as problem:
                    self._recover(problem)
            return self._require_sections()

    def _require_sections(self) -> Retriever:
        if not self._index:
            raise RetrievalError(
                "the knowledge directories hold no sections to search: "
                f"{', '.join(map(str, self.knowledge_dirs))}"
            )
        return self

    def _recover(self, problem: _Corrupt) -> IngestReport:
        if self.settings.chroma_url:
            raise RetrievalError(
                f"cannot read the knowledge store at {self.location} ({problem}); "
                "rebuild it with `modelchoice ingest --rebuild`"
            )
        self.notify(f"the knowledge store at {self.location} is unreadable ({problem}); rebuilding it")
        self._wipe_local()
        try:
            return self._ingest_locked(rebuild=True)
        except _Corrupt as again:
            raise RetrievalError(
                f"cannot rebuild the knowledge store at {self.location} ({again}); "
                "check the data directory (--data-dir, MODELCHOICE_DATA_DIR)"
            ) from None

    def _check_stale(self) -> None:
        from .knowledge import KnowledgeError

        try:
            wanted = {c.id: c.hash for c in build_chunks(self.knowledge_dirs)}
        except KnowledgeError as exc:
            self.notify(f"cannot check the knowledge files for changes: {exc}")
            return
        assert self._index is not None
        current = {str(d) for d in self.knowledge_dirs}  # records ingested from other dirs are left alone
        stored = {i: h for i, h in self._index.hashes.items() if self._index.directories.get(i) in current}
        if stored != wanted:
            changed = sum(1 for i in wanted if i in stored and stored[i] != wanted[i])
            new, gone = len(wanted.keys() - stored.keys()), len(stored.keys() - wanted.keys())
            self.notify(
                f"the knowledge files changed since the last ingest ({new} new, {changed} changed, "
                f"{gone} gone records); "
                "run `modelchoice ingest` to update the store"
            )

    def ingest(self, rebuild: bool = False) -> IngestReport:
        """Sync the store with the knowledge files: embed new and changed chunks, delete removed ones."""
        with self._mutex, self._lock(exclusive=True):
            try:
                return self._ingest_locked(rebuild)
            except _Corrupt as problem:
                return self._recover(problem)

    def _ingest_locked(self, rebuild: bool) -> IngestReport:
        started = time.perf_counter()
        chunks = build_chunks(self.knowledge_dirs)  # KnowledgeError (a user error) before touching the store
        model = self.embedding_model()
        client = self._connect()
        collection = self._get_collection()
        if collection is not None and rebuild:
            try:
                client.delete_collection(self.settings.collection)
            except BaseException as exc:  # chromadb errors; Rust panics are BaseExceptions
                _passthrough(exc)
                raise _Corrupt(_one_line(exc)) from None
            collection = None
        if collection is None:
            try:
                collection = client.get_or_create_collection(
                    self.settings.collection,
                    configuration={"hnsw": {"space": "cosine"}},
                    metadata={"embedding_model": model, "schema": SCHEMA},
                    embedding_function=None,
                )
            except BaseException as exc:  # chromadb errors; Rust panics are BaseExceptions
                _passthrough(exc)
                raise _Corrupt(_one_line(exc)) from None
        self._check_model(collection)
        try:
            got = collection.get(include=["metadatas"])
        except BaseException as exc:  # chromadb errors; Rust panics are BaseExceptions
            _passthrough(exc)
            raise _Corrupt(_one_line(exc)) from None
        metas = dict(zip(got["ids"], [m or {} for m in got["metadatas"] or []], strict=False))
        stored = {i: metas.get(i, {}).get("hash") for i in got["ids"]}
        stored_sections = {i: str(m.get("section", "")) for i, m in metas.items()}
        wanted = {c.id: c for c in chunks}
        added = [c for c in chunks if c.id not in stored]
        updated = [c for c in chunks if c.id in stored and stored[c.id] != c.hash]
        removed = sorted(stored.keys() - wanted.keys())
        # Same embedded text, other metadata (a renamed file, a moved directory): no need to re-embed.
        relabel = [c for c in updated if metas[c.id].get("text_hash") == c.text_hash]
        todo = added + [c for c in updated if c not in relabel]
        vectors: list[list[float]] = []
        if todo:
            backend = self._backend()
            try:
                vectors = backend.embeddings.embed_documents([c.embed_text for c in todo])
            except BaseException as exc:  # chromadb errors; Rust panics are BaseExceptions
                _passthrough(exc)
                raise RetrievalError(f"embedding with {backend.name} failed: {_one_line(exc)}") from None
        try:
            batch = max(1, min(500, client.get_max_batch_size())) if todo or relabel else 1
            for start in range(0, len(todo), batch):
                part = todo[start : start + batch]
                collection.upsert(
                    ids=[c.id for c in part],
                    embeddings=vectors[start : start + batch],
                    documents=[c.text for c in part],
                    metadatas=[c.metadata() for c in part],
                )
            for start in range(0, len(relabel), batch):
                part = relabel[start : start + batch]
                collection.update(ids=[c.id for c in part], metadatas=[c.metadata() for c in part])
            if removed:
                collection.delete(ids=removed)
        except BaseException as exc:  # chromadb errors; Rust panics are BaseExceptions
            _passthrough(exc)
            raise RetrievalError(
                f"writing to the knowledge store at {self.location} failed: {_one_line(exc)}"
            ) from None
        self._collection = collection
        self._index = self._load_index(allow_empty=True)
        touched = {c.section for c in added + updated}
        touched |= {stored_sections.get(i) or i.split("#")[0] for i in removed}
        return IngestReport(
            added=len(added),
            updated=len(updated),
            removed=len(removed),
            unchanged=len(chunks) - len(added) - len(updated),
            embedded=len(todo),
            chunks=len(self._index),
            units=self._index.units,
            sections=len({c.section for c in chunks}),
            embedding_model=model,
            store=self.location,
            seconds=time.perf_counter() - started,
            rebuilt=rebuild,
            sections_changed=tuple(sorted(touched)),
        )

    # ------------------------------------------------------------------ search
    def search(
        self, query: str, k: int = 4, *, boost_sections: Sequence[str] = (), method: str | None = None
    ) -> list[Passage]:
        """The k best passages (one per section) for `query`.

        boost_sections: section ids cited by the decision's fired rules; each moves up at most
        BOOST_PLACES places, and only if the query already ranks it in the top BOOST_WINDOW sections.
        """
        method = method or self.settings.retrieval
        if method not in RETRIEVAL_METHODS:
            raise RetrievalError(f"method={method!r}: use one of {', '.join(RETRIEVAL_METHODS)}")
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
            raise RetrievalError(f"k={k!r}: ask for between 1 and {MAX_K} passages")
        if isinstance(boost_sections, str):
            boost_sections = (boost_sections,)
        text, notice = clean_query(query)
        if notice:
            self.notify(notice)
        self.ensure()
        index = self._index
        assert index is not None
        rankings: dict[str, list[tuple[_Record, float]]] = {}
        if method in ("dense", "fusion"):
            rankings["dense"] = self._dense_ranking(text, index)
        if method in ("bm25", "fusion"):
            rankings["bm25"] = index.bm25_ranking(text)
        return _combine(rankings, method, k, frozenset(boost_sections))

    def _dense_ranking(self, text: str, index: _Index) -> list[tuple[_Record, float]]:
        """Chunks ranked by their best-matching retrieval unit (cosine similarity)."""
        backend = self._backend()
        try:
            vector = backend.embeddings.embed_query(text)
        except BaseException as exc:  # e.g. an OpenAI API error; interrupts pass through
            _passthrough(exc)
            raise RetrievalError(
                f"embedding the query with {backend.name} failed: {_one_line(exc)}"
            ) from None
        # Only ids and distances: fetching metadata from Chroma costs ~6 ms a query; a unit's id names its
        # parent chunk ('<chunk id>/<hash>'), and chunk records (ids without '/') are skipped here.
        try:
            found = self._collection.query(
                query_embeddings=[vector],
                include=["distances"],
                n_results=min(index.units + len(index), DENSE_DEPTH + len(index)),
            )
        except BaseException as exc:  # chromadb errors; Rust panics are BaseExceptions
            _passthrough(exc)
            raise RetrievalError(
                f"searching {self.location} failed ({_one_line(exc)}); try `modelchoice ingest --rebuild`"
            ) from None
        ranking: list[tuple[_Record, float]] = []
        seen: set[str] = set()
        for record_id, distance in zip(found["ids"][0], found["distances"][0], strict=True):
            parent, slash, _ = record_id.rpartition("/")
            record = index.by_id.get(parent) if slash else None
            if record is None or record.id in seen:  # a chunk record, or one written after our load
                continue
            seen.add(record.id)
            ranking.append((record, 1.0 - float(distance)))
        return ranking


def _combine(
    rankings: dict[str, list[tuple[_Record, float]]], method: str, k: int, boost: frozenset[str]
) -> list[Passage]:
    fused: dict[str, float] = {}
    native: dict[str, float] = {}
    records: dict[str, _Record] = {}
    for name, ranking in rankings.items():
        weight = FUSION_WEIGHTS[name] if method == "fusion" else 1.0
        for rank, (record, score) in enumerate(ranking, start=1):
            records[record.id] = record
            fused[record.id] = fused.get(record.id, 0.0) + weight / (RRF_K + rank)
            native.setdefault(record.id, score)
    order = sorted(fused, key=lambda chunk_id: -fused[chunk_id])  # stable: ties keep dense order
    best: list[str] = []  # one passage per section: its best chunk
    seen: set[str] = set()
    for chunk_id in order:
        if records[chunk_id].section not in seen:
            seen.add(records[chunk_id].section)
            best.append(chunk_id)
    if boost:

        def position(item: tuple[int, str]) -> float:
            place, chunk_id = item
            lift = BOOST_PLACES + 0.5 if records[chunk_id].section in boost and place < BOOST_WINDOW else 0
            return place - lift

        best = [chunk_id for _, chunk_id in sorted(enumerate(best), key=position)]
    scores = fused if method == "fusion" else native
    return [
        Passage(
            id=r.id,
            section=r.section,
            title=r.title,
            source=r.source,
            score=round(scores[r.id], 6),
            text=r.text,
        )
        for r in (records[chunk_id] for chunk_id in best[:k])
    ]


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
