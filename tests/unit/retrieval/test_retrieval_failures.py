"""The one mapping from store failures to RetrievalError: each kind gets its fix, interrupts pass, and
only real read failures (never a busy or unreachable store) count as corruption to rebuild from."""

from __future__ import annotations

import errno

import pytest

from assistant.errors import KnowledgeError, RetrievalError
from assistant.retrieval.failures import (
    Corrupt,
    Failure,
    Missing,
    as_retrieval_error,
    classify,
    one_line,
    translated,
)


class NotFoundError(Exception):  # named like chromadb's: classification goes by name, not by import
    pass


class PanicException(BaseException):  # what Chroma's Rust core raises
    pass


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (NotFoundError("Collection [x] does not exist"), Failure.GONE),
        (RuntimeError("Missing field: [Missing metadata segment]"), Failure.GONE),
        (ConnectionError("refused"), Failure.UNREACHABLE),
        (
            ValueError("Could not connect to a Chroma server. Are you sure it is running?"),
            Failure.UNREACHABLE,
        ),
        (RuntimeError("error returned from database: database is locked"), Failure.BUSY),
        (OSError(errno.ENOSPC, "No space left on device"), Failure.DISK),
        (PanicException("index out of bounds"), Failure.OTHER),
    ],
)
def test_failures_are_classified(exc, kind):
    assert classify(exc) is kind


def test_each_kind_gets_its_fix():
    unreachable = as_retrieval_error(ConnectionError("refused"), "searching", server="http://127.0.0.1:9")
    assert str(unreachable).startswith("cannot reach the Chroma server at http://127.0.0.1:9 (refused)")
    assert "chroma run" in str(unreachable) and "MODELCHOICE_CHROMA_URL" in str(unreachable)
    busy = as_retrieval_error(RuntimeError("database is locked"), "reading the store")
    assert str(busy) == (
        "reading the store failed (database is locked); another process is writing to the store; "
        "try again in a moment"
    )
    other = as_retrieval_error(PanicException("boom\n  at line 3"), "searching /s")
    assert (
        str(other) == "searching /s failed (boom at line 3); rebuild it with `modelchoice ingest --rebuild`"
    )
    assert "\n" not in str(other)


def test_translated_turns_any_failure_into_one_retrieval_error():
    expected = r"^writing to /s failed \(index out of bounds\); rebuild"
    with pytest.raises(RetrievalError, match=expected), translated("writing to /s"):
        raise PanicException("index out of bounds")


@pytest.mark.parametrize(
    "exc", [KeyboardInterrupt(), SystemExit(3), KnowledgeError("bad file"), Missing("x")]
)
def test_interrupts_and_our_own_errors_pass_through(exc):
    with pytest.raises(type(exc)), translated("reading", corrupt=True):
        raise exc


def test_only_real_read_failures_count_as_corruption():
    with pytest.raises(Corrupt, match="malformed"), translated("reading", corrupt=True):
        raise RuntimeError("database disk image is malformed")
    for harmless in (RuntimeError("database is locked"), ConnectionError("refused")):
        # A busy or unreachable store is never wiped and rebuilt.
        with pytest.raises(RetrievalError), translated("reading", corrupt=True):
            raise harmless


def test_one_line():
    assert one_line(ValueError("a\n b\tc")) == "a b c"
    assert one_line(ValueError()) == "ValueError"
    assert one_line(ValueError("x" * 500), limit=20) == "x" * 17 + "..."
