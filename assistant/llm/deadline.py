"""The time budget of an LLM turn, enforced at the socket: no server behaviour can make a turn overrun it.

One concern: bounding wall-clock time. A `Deadline` is the monotonic instant a turn must be over by
(`Settings.llm_deadline`). Checking it between streamed chunks is not enough: a server that drips one
byte at a time (inside the response headers or inside one SSE event) produces no chunk to check between,
and a read timeout fixed when the request starts outlives a deadline that comes sooner. So the chat models
built by `client.chat_model` use an HTTP client whose network streams read the active limit on *every*
socket operation (connect, TLS, write, read): each gets the timeout min(its own, time left), and once the
time is up the next operation raises a timeout at once. The limit is a context variable set only while the
caller pulls from the model (`within`): concurrent turns (the web UI) keep their own budgets, a generator
resumed on another thread is still bounded, and LangChain's helper threads (structured output runs the
call in an executor) inherit it with the context they copy.

httpx and httpcore are imported only when the HTTP client is built (an LLM is configured).
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

_until: ContextVar[float | None] = ContextVar("llm_until", default=None)  # LLM I/O must end by then


class Deadline:
    """A point in monotonic time that a turn (all its requests, retries and regenerations) must end by."""

    def __init__(self, seconds: float, until: float | None = None) -> None:
        """`seconds` from now, or sooner: by `until` (monotonic), the end of the whole turn's budget."""
        self.seconds = seconds
        self.at = time.monotonic() + seconds if until is None else min(time.monotonic() + seconds, until)

    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())

    def expired(self, slack: float = 0.0) -> bool:
        """True once the deadline has passed (or is less than `slack` seconds away)."""
        return time.monotonic() >= self.at - slack


@contextlib.contextmanager
def within(until: float) -> Iterator[None]:
    """While active, every socket operation of `http_client()` in this context ends by `until` (monotonic)."""
    previous = _until.get()
    token = _until.set(until if previous is None else min(until, previous))
    try:
        yield
    finally:
        _until.reset(token)


def _capped(timeout: float | None) -> float | None:
    """`timeout` shortened to the time left under the active limit; a timeout error once none is left."""
    until = _until.get()
    if until is None:
        return timeout
    left = until - time.monotonic()
    if left <= 0:
        import httpcore

        raise httpcore.ReadTimeout("the LLM turn's deadline has passed")
    return left if timeout is None else min(timeout, left)


@functools.lru_cache(maxsize=8)
def http_client(timeout: float) -> httpx.Client:
    """The HTTP client for chat models: httpx's own transport over network streams that obey `within`.

    One per timeout value, shared by the process's models (connection reuse). Proxies configured in the
    environment get httpx's default transports, which only the per-request timeouts bound."""
    import httpcore
    import httpx

    class Stream(httpcore.NetworkStream):
        def __init__(self, inner: httpcore.NetworkStream) -> None:
            self.inner = inner

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            return self.inner.read(max_bytes, _capped(timeout))

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            self.inner.write(buffer, _capped(timeout))

        def close(self) -> None:
            self.inner.close()

        def start_tls(
            self,
            ssl_context: object,
            server_hostname: str | None = None,
            timeout: float | None = None,
        ) -> httpcore.NetworkStream:
            return Stream(self.inner.start_tls(ssl_context, server_hostname, _capped(timeout)))  # type: ignore[arg-type]

        def get_extra_info(self, info: str) -> object:
            return self.inner.get_extra_info(info)

    class Backend(httpcore.NetworkBackend):
        def __init__(self, inner: httpcore.NetworkBackend) -> None:
            self.inner = inner

        def connect_tcp(
            self,
            host: str,
            port: int,
            timeout: float | None = None,
            local_address: str | None = None,
            socket_options: object = None,
        ) -> httpcore.NetworkStream:
            stream = self.inner.connect_tcp(host, port, _capped(timeout), local_address, socket_options)  # type: ignore[arg-type]
            return Stream(stream)

        def connect_unix_socket(
            self, path: str, timeout: float | None = None, socket_options: object = None
        ) -> httpcore.NetworkStream:
            return Stream(self.inner.connect_unix_socket(path, _capped(timeout), socket_options))  # type: ignore[arg-type]

        def sleep(self, seconds: float) -> None:
            self.inner.sleep(seconds)

    transport = httpx.HTTPTransport()
    pool = getattr(transport, "_pool", None)  # httpx has no public hook for the network backend
    if isinstance(pool, httpcore.ConnectionPool) and hasattr(pool, "_network_backend"):
        pool._network_backend = Backend(pool._network_backend)
    return httpx.Client(transport=transport, timeout=timeout, follow_redirects=True)
