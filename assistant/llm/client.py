"""The chat client: which endpoint, the LangChain chat model, and every call to it bounded and classified.

One concern: talking to an OpenAI-compatible endpoint reliably. Every failure becomes an `LLMError` with a
kind (timeout, deadline, connection, http + status, broken stream, bad response, ...); retries happen here
only (the OpenAI client's own are off), before the first token, with a capped backoff, and all of them
within the turn's `Deadline`. A stream is also bounded per request (`llm_timeout`: stall and wall clock)
and in length (`llm_max_chars`). Prompts, the guard and understanding live elsewhere.

  openai  OPENAI_BASE_URL (unset: api.openai.com) with OPENAI_API_KEY and MODELCHOICE_OPENAI_MODEL; any
          OpenAI-compatible server works (Ollama, vLLM, LM Studio, llama.cpp's server);
  local   the llama-cpp-python server of `server.local_server`.

LangChain and the OpenAI client are imported only when a model is first built.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import LLMError, LLMErrorKind
from ..settings import Settings
from .deadline import Deadline, http_client, within
from .server import local_server

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage

T = TypeVar("T")

MAX_BACKOFF = 2.0  # seconds; retries never wait longer than this, whatever Retry-After says
DEADLINE_SLACK = 0.05  # a timeout this close to the deadline is the deadline's doing
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Endpoint:
    provider: str  # local | openai
    base_url: str | None
    model: str
    api_key: str
    legacy_max_tokens: bool  # send max_tokens in the body (llama.cpp, vLLM, Ollama...) instead of
    # max_completion_tokens (what ChatOpenAI sends for `max_tokens`, and what only OpenAI itself honours)


def endpoint(settings: Settings) -> Endpoint:
    if settings.llm == "local":
        server = local_server(settings)
        return Endpoint("local", server.base_url, server.alias, "sk-local-no-key", True)
    if settings.llm == "openai":
        base = settings.openai_base_url
        official = base is None or "api.openai.com" in base
        key = settings.openai_api_key or ("sk-no-key" if not official else "")
        if not key:
            raise LLMError(
                LLMErrorKind.NO_KEY, "set OPENAI_API_KEY (or OPENAI_BASE_URL for a compatible server)"
            )
        return Endpoint("openai", base, settings.openai_model, key, not official)
    raise LLMError(LLMErrorKind.NO_LLM, f"llm={settings.llm!r} has no chat model")


def chat_model(
    settings: Settings, ep: Endpoint | None = None, *, max_tokens: int | None = None
) -> BaseChatModel:
    """A LangChain ChatOpenAI for the configured provider, with the settings' bounds.

    Retries are done by `stream_text`/`invoke_bounded` (bounded backoff, visible in the record), so the
    client's own retries are off; its HTTP client obeys the turn's deadline at the socket (`deadline`)."""
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    ep = ep or endpoint(settings)
    tokens = max_tokens or settings.llm_max_tokens
    options: dict[str, Any] = {}  # ChatOpenAI's own keyword arguments: left out, its defaults apply
    if not re.match(r"(?:o\d|gpt-5)", ep.model):  # reasoning models reject a temperature
        options["temperature"] = 0.0  # reproducible explanations (and test runs)
    if ep.base_url:
        options["base_url"] = ep.base_url
    if ep.legacy_max_tokens:
        options["extra_body"] = {"max_tokens": tokens}
    else:
        options["max_tokens"] = tokens
    return ChatOpenAI(
        model=ep.model,
        api_key=SecretStr(ep.api_key),
        timeout=settings.llm_timeout,
        max_retries=0,
        http_client=http_client(settings.llm_timeout),
        **options,
    )


def classify(exc: BaseException) -> LLMError:
    """Any exception from a call as an `LLMError` whose kind says what went wrong."""
    if isinstance(exc, LLMError):
        return exc
    name = type(exc).__name__
    status = getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None), "status_code", None)
    text = " ".join(str(exc).split())[:200]
    if "Timeout" in name:
        return LLMError(LLMErrorKind.TIMEOUT, text)
    if isinstance(status, int):
        return LLMError(LLMErrorKind.HTTP, text, status)
    if "Connect" in name or isinstance(exc, ConnectionError):
        return LLMError(LLMErrorKind.CONNECTION, text)
    if name in {"RemoteProtocolError", "ReadError", "IncompleteRead", "ChunkedEncodingError"}:
        return LLMError(LLMErrorKind.BROKEN_STREAM, text)
    if isinstance(exc, json.JSONDecodeError | ValueError | KeyError | TypeError):
        return LLMError(LLMErrorKind.BAD_RESPONSE, f"{name}: {text}")
    return LLMError(LLMErrorKind.ERROR, f"{name}: {text}")


def _detail(error: LLMError) -> str:
    return str(error).removeprefix(error.label).removeprefix(": ")


def retryable(error: LLMError) -> bool:
    if error.kind is LLMErrorKind.HTTP:
        return error.status in RETRYABLE_STATUS
    return error.kind in {LLMErrorKind.TIMEOUT, LLMErrorKind.CONNECTION}


def backoff(attempt: int, exc: BaseException) -> float:
    wait = 0.25 * (1 << attempt)
    headers = getattr(getattr(exc, "response", None), "headers", None)
    with contextlib.suppress(Exception):
        wait = max(wait, float(headers.get("retry-after")))  # type: ignore[union-attr]
    return min(wait, MAX_BACKOFF)


def past_deadline(deadline: Deadline) -> LLMError:
    return LLMError(LLMErrorKind.DEADLINE, f"no complete answer within the {deadline.seconds:g} s deadline")


def text_of(content: object) -> str:
    """The text of a message's content (a string, or a list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) if isinstance(p, dict) else str(p) for p in content)
    return ""


@dataclass
class StreamStats:
    retries: int = 0
    chars: int = 0
    seconds: float = 0.0
    capped: bool = False
    finish_reason: str | None = None  # "stop", "length" (hit max tokens), ...


_END = object()


def stream_text(
    model: BaseChatModel,
    messages: Sequence[BaseMessage],
    settings: Settings,
    stats: StreamStats | None = None,
    *,
    max_chars: int | None = None,
    deadline: Deadline | None = None,
) -> Generator[str, None, None]:
    """Text deltas from `model.stream(messages)`, bounded: retries (before the first token only) with a
    capped backoff; per request a stall limit and a wall-clock limit of settings.llm_timeout; over all
    requests the turn's `deadline` (default: settings.llm_deadline from now); and a character cap (then
    the stream is closed, `stats.capped` set).

    The deadline is checked between chunks and enforced at the socket while a chunk is awaited, so the
    stream ends by deadline + a few milliseconds whatever the server does (drip, hang, endless stream).
    Raises LLMError for any fault (kind DEADLINE once the deadline has passed)."""
    stats = stats or StreamStats()
    deadline = deadline or Deadline(settings.llm_deadline)
    cap = max_chars or settings.llm_max_chars
    started = time.monotonic()
    attempt = 0
    while True:
        iterator: Iterator[BaseMessage] | None = None
        got_text = False
        request_end = min(time.monotonic() + settings.llm_timeout, deadline.at)
        try:
            if deadline.expired():
                raise past_deadline(deadline)
            while True:
                with within(request_end):
                    if iterator is None:
                        iterator = iter(model.stream(list(messages)))
                    chunk = next(iterator, _END)
                if chunk is _END:
                    break
                if time.monotonic() >= request_end:
                    raise LLMError(
                        LLMErrorKind.TIMEOUT, f"no complete answer within {settings.llm_timeout:g} s"
                    )
                metadata = getattr(chunk, "response_metadata", None) or {}
                if metadata.get("finish_reason"):
                    stats.finish_reason = str(metadata["finish_reason"])
                piece = text_of(getattr(chunk, "content", ""))
                if not piece:
                    continue
                got_text = True
                if stats.chars + len(piece) > cap:
                    piece = piece[: max(0, cap - stats.chars)]
                    stats.chars += len(piece)
                    stats.capped = True
                    if piece:
                        yield piece
                    return
                stats.chars += len(piece)
                yield piece
            if stats.finish_reason is None:
                raise LLMError(LLMErrorKind.BROKEN_STREAM, "the stream ended without a finish reason")
            return
        except GeneratorExit:
            raise
        except Exception as exc:
            error = classify(exc)
            if deadline.expired(DEADLINE_SLACK) and error.kind is not LLMErrorKind.DEADLINE:
                error = past_deadline(deadline)
            elif got_text and error.kind is LLMErrorKind.CONNECTION:
                error = LLMError(LLMErrorKind.BROKEN_STREAM, _detail(error))
            if got_text or not retryable(error) or attempt >= settings.llm_max_retries:
                raise error from None
            wait = backoff(attempt, exc)
            if wait >= deadline.remaining():  # retries count against the same deadline
                raise error from None
            attempt += 1
            stats.retries += 1
            time.sleep(wait)
        finally:
            stats.seconds = time.monotonic() - started
            close = getattr(iterator, "close", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    close()  # closes the HTTP response


def invoke_bounded(call: Callable[[], T], settings: Settings, deadline: Deadline | None = None) -> T:
    """One non-streaming call with the same bounded retries as `stream_text`, all within `deadline`
    (default: settings.llm_deadline from now), enforced at the socket as for streams."""
    deadline = deadline or Deadline(settings.llm_deadline)
    attempt = 0
    while True:
        try:
            if deadline.expired():
                raise past_deadline(deadline)
            with within(deadline.at):
                return call()
        except Exception as exc:
            error = classify(exc)
            if deadline.expired(DEADLINE_SLACK) and error.kind is not LLMErrorKind.DEADLINE:
                error = past_deadline(deadline)
            if not retryable(error) or attempt >= settings.llm_max_retries:
                raise error from None
            wait = backoff(attempt, exc)
            if wait >= deadline.remaining():
                raise error from None
            attempt += 1
            time.sleep(wait)
