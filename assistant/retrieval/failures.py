"""How store failures become errors: the one mapping from whatever Chroma, SQLite or HTTP raised to a
`RetrievalError` whose message says what to do.

Why one place: Chroma raises its own exceptions, httpx and sqlite errors, OSErrors, and (from its Rust
core) `pyo3_runtime.PanicException`, which derives from BaseException. Every store call goes through
`translated`, so interrupts and our own errors always pass through unchanged and every other failure gets
the same one-line detail and a fix that fits its kind. Classification is by name and message, so this
module imports nothing from Chroma and can be tested without it.

Two internal signals are not user errors: `Missing` (no collection yet, or an empty one) and `Corrupt`
(the store exists but cannot be read). The Retriever catches them to build or rebuild the store.
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Iterator
from enum import StrEnum

from ..errors import ModelchoiceError, RetrievalError

REBUILD_HINT = "rebuild it with `modelchoice ingest --rebuild`"
SERVER_HINT = (
    "start one with `chroma run --path DIR --host 127.0.0.1 --port N` or unset MODELCHOICE_CHROMA_URL"
)


class StoreProblem(Exception):
    """A store state the Retriever handles itself (never shown to the user as is)."""


class Missing(StoreProblem):
    """No collection yet, or an empty one."""


class Corrupt(StoreProblem):
    """The store exists but cannot be read."""


class Failure(StrEnum):
    """What kind of failure an exception is: each kind has its own fix."""

    UNREACHABLE = "unreachable"  # no Chroma server answers at the URL
    GONE = "gone"  # the collection was deleted meanwhile (a rebuild switched to a new one)
    BUSY = "busy"  # another process holds the database
    DISK = "disk"  # the file system refused (full, read-only, no permission)
    OTHER = "other"


_PASS_THROUGH = (KeyboardInterrupt, SystemExit, GeneratorExit, ModelchoiceError, StoreProblem)
_UNREACHABLE_NAMES = frozenset(
    {"ConnectError", "ConnectTimeout", "ConnectionError", "ConnectionRefusedError"}
)
_GONE_WORDS = ("does not exist", "missing metadata segment", "not found")
_DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO})


def one_line(exc: BaseException, limit: int = 300) -> str:
    """The exception as one line of at most `limit` characters (its class name when it has no text)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def classify(exc: BaseException) -> Failure:
    names = {cls.__name__ for cls in type(exc).__mro__}
    text = str(exc).lower()
    if names & _UNREACHABLE_NAMES or "could not connect to a chroma server" in text:
        return Failure.UNREACHABLE
    if "NotFoundError" in names or any(word in text for word in _GONE_WORDS):
        return Failure.GONE
    if "database is locked" in text or "database is busy" in text:
        return Failure.BUSY
    if isinstance(exc, OSError) and exc.errno in _DISK_ERRNOS:
        return Failure.DISK
    return Failure.OTHER


def must_pass(exc: BaseException) -> bool:
    """Interrupts, exits and errors that already say what to do are re-raised, never translated."""
    return isinstance(exc, _PASS_THROUGH)


def as_retrieval_error(
    exc: BaseException, doing: str, fix: str = REBUILD_HINT, *, server: str | None = None
) -> RetrievalError:
    """`<doing> failed (<detail>); <fix>`, the fix chosen by the kind of failure (`fix` for OTHER);
    `cannot reach the Chroma server at <server> (<detail>); <how to start one>` when it does not answer."""
    kind = classify(exc)
    detail = one_line(exc, 200)
    if kind is Failure.UNREACHABLE:
        at = f" at {server}" if server else ""
        return RetrievalError(f"cannot reach the Chroma server{at} ({one_line(exc, 120)}); {SERVER_HINT}")
    if kind is Failure.GONE:
        fix = "the collection was replaced while in use (a rebuild finished); try again"
    elif kind is Failure.BUSY:
        fix = "another process is writing to the store; try again in a moment"
    elif kind is Failure.DISK:
        fix = "check free space and permissions, or choose another --data-dir (MODELCHOICE_DATA_DIR)"
    return RetrievalError(f"{doing} failed ({detail}); {fix}")


@contextlib.contextmanager
def translated(
    doing: str, fix: str = REBUILD_HINT, *, corrupt: bool = False, server: str | None = None
) -> Iterator[None]:
    """Run store calls: anything they raise (except what `must_pass`) becomes a RetrievalError, or
    `Corrupt` when `corrupt` is set (reads whose failure means the store needs rebuilding). `server`: the
    Chroma server's URL, named when it does not answer."""
    try:
        yield
    except BaseException as exc:  # chromadb, sqlite, httpx errors; Rust panics are BaseExceptions
        if must_pass(exc):
            raise
        if corrupt and classify(exc) in (Failure.OTHER, Failure.GONE):
            raise Corrupt(one_line(exc)) from None
        raise as_retrieval_error(exc, doing, fix, server=server) from None


class Gone(Exception):
    """The opened collection failed mid-search (typically: a rebuild switched and deleted it)."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(one_line(cause))
        self.cause = cause
