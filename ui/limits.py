"""Limits that keep one client from hurting the others: request size, and failed logins per client.

Two small ASGI middlewares and Gradio's login callable, with no Gradio or Starlette import (so they are
unit-tested without a server):

- `BodyLimit` refuses a request whose body is larger than the limit with 413 and a sentence that says
  the limit, before anything reads it. (The chat's own limit, 20,000 characters, is checked per message
  with a clear message in the page; this bounds everything else, including the conversation a browser
  sends back with each turn and Gradio's upload route.)
- `LoginThrottle` checks `--auth` credentials in constant time and counts failures per client: after
  `limit` failures within `window` seconds the client is refused for `block` seconds (429 with
  Retry-After), whatever it sends. A client is its IP address; behind a reverse proxy on this machine
  (a loopback peer) the proxy's X-Real-IP header names it. The table of clients is bounded.
"""

from __future__ import annotations

import contextvars
import hmac
import json
import math
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY_BYTES = 4 * 1024 * 1024
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
_client: contextvars.ContextVar[str] = contextvars.ContextVar("modelchoice_login_client", default="unknown")


class TooLarge(Exception):
    """A body without Content-Length grew past the limit while it was read."""


async def respond(send: Send, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"detail": detail}).encode("utf-8")
    extra = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode("ascii")),
                *extra,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


class BodyLimit:
    """Refuse request bodies over `max_bytes` (413), by Content-Length or while reading a chunked one."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    @property
    def message(self) -> str:
        return f"The request is larger than this app accepts ({self.max_bytes // 1024:,} KB)."

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = header(scope, b"content-length")
        if length is not None:
            if not length.isdigit() or int(length) > self.max_bytes:
                await respond(send, 413, self.message)
                return
            await self.app(scope, receive, send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise TooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except TooLarge:
            if not started:
                await respond(send, 413, self.message)


def client_of(scope: Scope) -> str:
    """The client's address; a loopback peer (our reverse proxy) may name the real one in X-Real-IP."""
    peer = (scope.get("client") or ("unknown", 0))[0]
    if peer in LOOPBACK:
        forwarded = header(scope, b"x-real-ip")
        if forwarded:
            return forwarded.strip()[:64]
    return str(peer)


class LoginThrottle:
    """Gradio's `auth` callable for one USER:PASS, refusing a client after too many failures."""

    def __init__(
        self,
        username: str,
        password: str,
        *,
        limit: int = 5,
        window: float = 60.0,
        block: float = 60.0,
        max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._user = username.encode("utf-8")
        self._password = password.encode("utf-8")
        self.limit = limit
        self.window = window
        self.block = block
        self.max_clients = max_clients
        self.clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._blocked: OrderedDict[str, float] = OrderedDict()  # client -> until

    def __call__(self, username: str, password: str) -> bool:
        client = _client.get()
        if self.retry_after(client):
            return False
        ok = hmac.compare_digest(username.encode("utf-8"), self._user) & hmac.compare_digest(
            password.encode("utf-8"), self._password
        )
        if ok:
            self._failures.pop(client, None)
        else:
            self.failed(client)
        return bool(ok)

    def failed(self, client: str) -> None:
        now = self.clock()
        times = self._failures.pop(client, None) or deque(maxlen=self.limit)
        times.append(now)
        self._failures[client] = times
        _trim(self._failures, self.max_clients)
        if len(times) >= self.limit and now - times[0] <= self.window:
            self._blocked.pop(client, None)
            self._blocked[client] = now + self.block
            _trim(self._blocked, self.max_clients)
            times.clear()

    def retry_after(self, client: str) -> float:
        """Seconds until `client` may try again (0: it may now)."""
        until = self._blocked.get(client)
        if until is None:
            return 0.0
        left = until - self.clock()
        if left <= 0:
            del self._blocked[client]
            return 0.0
        return left

    def middleware(self, app: ASGIApp) -> ASGIApp:
        """The ASGI wrapper that tells this throttle who is logging in, and refuses blocked clients."""

        async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or scope.get("method") != "POST" or not _is_login(scope):
                await app(scope, receive, send)
                return
            client = client_of(scope)
            wait = self.retry_after(client)
            if wait:
                seconds = math.ceil(wait)
                await respond(
                    send,
                    429,
                    f"Too many failed logins from your address; try again in {seconds} s.",
                    {"Retry-After": str(seconds)},
                )
                return
            token = _client.set(client)
            try:
                await app(scope, receive, send)
            finally:
                _client.reset(token)

        return guarded


def _is_login(scope: Scope) -> bool:
    path = str(scope.get("path", "")).rstrip("/")
    root = str(scope.get("root_path", "")).rstrip("/")
    return path in {"/login", f"{root}/login"}


def _trim(table: OrderedDict[str, Any], size: int) -> None:
    while len(table) > size:
        table.popitem(last=False)
