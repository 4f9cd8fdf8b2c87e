"""The CLI's terminal side: the one place errors become `modelchoice: <message>`, answers printed as
they are written, and a stdout whose failure (a full disk) cannot cost a turn. Kept out of `cli` so
the command definitions stay short; only `cli` imports it."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

import click

from .errors import OutputError, SessionSaveError
from .files import reason

log = logging.getLogger(__name__)

STDOUT_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO)  # writing stdout fails with these
WITHDRAWN = "\n\n[the text above was withdrawn; the checked answer follows]\n\n"


def fail(ctx: click.Context, exc: Exception) -> None:
    """Print `modelchoice: <message>` on stderr and exit 2 (bad input or output), or 1 when the answer
    was given but the session could not be saved (the input was fine; the file was left as it was)."""
    if isinstance(exc, OutputError) and not isinstance(exc, SessionSaveError):
        silence_stdout()
    click.echo(f"modelchoice: {exc}", err=True)
    ctx.exit(1 if isinstance(exc, SessionSaveError) else 2)


class _Notice(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"modelchoice: {record.getMessage()}", err=True)


@contextlib.contextmanager
def notices() -> Iterator[None]:
    """While a command runs, retrieval's notices (store being built, query cut short, knowledge sentences
    left out) are shown as `modelchoice: <notice>` lines on stderr: the library logs, the CLI prints."""
    handler, logger = _Notice(logging.WARNING), logging.getLogger("assistant.retrieval")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def stdout_failure(exc: OSError) -> OutputError | None:
    """A full disk or a broken device under stdout, as a message; None for any other OS error."""
    if exc.errno not in STDOUT_FULL or exc.filename is not None:
        return None
    return OutputError(f"cannot write the output: {reason(exc)}")


def silence_stdout() -> None:
    """After stdout failed, point it at /dev/null, so the flush at exit cannot print a second, uglier
    error after the one already reported."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        log.debug("could not redirect stdout")


class GuardedOutput:
    """stdout for work that must not be lost: a failed write stops the output but lets the caller
    finish, e.g. save the session; `failure()` then says what went wrong."""

    def __init__(self, write: Callable[..., Any] = click.echo) -> None:
        self._write = write
        self.error: OSError | None = None

    def echo(self, text: str = "", nl: bool = True) -> None:
        if self.error is not None:
            return
        try:
            self._write(text, nl=nl)
        except OSError as exc:
            self.error = exc
            silence_stdout()

    def failure(self, what: str = "the output") -> OutputError | None:
        if self.error is None:
            return None
        return OutputError(f"cannot write {what} to standard output: {reason(self.error)}")


def warm_up(conversation: Any) -> None:
    """Load the slow parts (embedding model, store, LLM) before taking a session's lock, so processes
    waiting for that lock wait for a turn, not for a start-up."""
    try:
        conversation.warm_up()
    except Exception as exc:  # the turn itself meets (and reports) the same problem
        log.debug("warm-up failed: %s", exc)


def stream_reply(conversation: Any, session: Any, text: str, out: GuardedOutput | None = None) -> Any:
    """Print the answer as it is written (an LLM streams it); a withdrawn partial answer is marked, never
    silently swapped. Notices not already in the answer go to stderr, one line each."""
    echo = (out or GuardedOutput()).echo
    shown, reply = "", None
    for event in conversation.stream(session, text):
        if not isinstance(event, str):
            reply = event
            continue
        echo(event[len(shown) :] if event.startswith(shown) else f"{WITHDRAWN}{event}", nl=False)
        shown = event
    assert reply is not None
    if reply.answer != shown:
        echo(f"{WITHDRAWN}{reply.answer}" if shown else reply.answer, nl=False)
    echo()
    for notice in reply.notices:
        if notice and notice not in reply.answer:
            click.echo(notice, err=True)
    return reply


def turn(conversation: Any, session: Any, text: str, as_json: bool, out: GuardedOutput) -> None:
    """One `ask` turn's output: one JSON object, or the answer as it streams."""
    import json

    if as_json:
        out.echo(json.dumps(conversation.respond(session, text).to_dict(), indent=2))
    else:
        stream_reply(conversation, session, text, out)
