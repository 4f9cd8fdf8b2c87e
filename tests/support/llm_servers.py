"""A real HTTP server on loopback that speaks just enough of /v1/chat/completions (JSON and SSE) to stand
in for an OpenAI-compatible LLM, and misbehaves on purpose when told to. Shared by the LLM tests.

Behaviours are queued per request kind ("write": plain chat, streamed; "understand": requests with tools):
  Text("...")            a normal answer (streamed in small chunks when the client asks for a stream)
  Tool({...})            a tool call with these arguments (structured output)
  Status(429)            an HTTP error
  Sleep(5)               no response for 5 s (then a normal one)
  Broken("partial")      a few chunks, then the connection is cut mid-body
  Endless("word ")       chunks forever, until the client hangs up
  Stall("partial", 5)    a few chunks, then silence for 5 s
  Garbage()              an SSE event that is not JSON
  Drip("text", 0.05)     the answer one byte at a time, a pause before each (head=True: the status line and
                         headers too, so no response object exists until they are complete)
  Hang(60)               the request is read, then nothing at all (headers=True: the headers, then nothing)
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from assistant.memory import MemoryRetriever


@dataclass
class Text:
    text: str
    finish: str = "stop"


@dataclass
class Tool:
    args: dict[str, Any]


@dataclass
class Status:
    code: int
    retry_after: str | None = None


@dataclass
class Sleep:
    seconds: float


@dataclass
class Broken:
    partial: str


@dataclass
class Endless:
    piece: str = "and so on "
    empty: bool = False  # send empty deltas (keep-alives) instead of text


@dataclass
class Stall:
    partial: str
    seconds: float


@dataclass
class Garbage:
    pass


@dataclass
class Drip:
    text: str = "A foundation model fits your prototype. " * 20
    interval: float = 0.05
    head: bool = False


@dataclass
class Hang:
    seconds: float = 60.0
    headers: bool = False


@dataclass
class Script:
    write: deque[Any] = field(default_factory=deque)
    understand: deque[Any] = field(default_factory=deque)
    default_write: Any = field(default_factory=lambda: Text("I have nothing to add."))
    default_understand: Any = field(default_factory=lambda: Tool({}))
    requests: list[dict[str, Any]] = field(default_factory=list)
    disconnects: int = 0  # streams the client closed before the end
    stop: threading.Event = field(default_factory=threading.Event)  # set on shutdown: hanging handlers end

    def next(self, kind: str) -> Any:
        queue = self.write if kind == "write" else self.understand
        if queue:
            return queue.popleft()
        return self.default_write if kind == "write" else self.default_understand


def _chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
    data = {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "fake",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(data)}\n\n".encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._json(200, {"object": "list", "data": [{"id": "fake", "object": "model"}]})

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        script = self.server.script
        script.requests.append(body)
        kind = "understand" if body.get("tools") else "write"
        behaviour = script.next(kind)
        if isinstance(behaviour, Hang | Drip):
            self._misbehave(behaviour)
            return
        if isinstance(behaviour, Sleep):
            time.sleep(behaviour.seconds)
            behaviour = Text("Late answer.")
        if isinstance(behaviour, Status):
            headers = {"retry-after": behaviour.retry_after} if behaviour.retry_after else {}
            self._json(
                behaviour.code,
                {"error": {"message": f"fake error {behaviour.code}", "type": "fake"}},
                headers,
            )
            return
        if isinstance(behaviour, Tool):
            function = {"name": body["tools"][0]["function"]["name"], "arguments": json.dumps(behaviour.args)}
            message = {
                "role": "assistant",
                "content": None,
                "tool_calls": [{"id": "call_1", "type": "function", "function": function}],
            }
            self._json(
                200,
                {
                    "id": "chatcmpl-fake",
                    "object": "chat.completion",
                    "created": 0,
                    "model": "fake",
                    "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls"}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                },
            )
            return
        if not body.get("stream"):
            text = behaviour.text if isinstance(behaviour, Text) else "?"
            self._json(
                200,
                {
                    "id": "chatcmpl-fake",
                    "object": "chat.completion",
                    "created": 0,
                    "model": "fake",
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": text},
                            "finish_reason": "stop",
                        }
                    ],
                },
            )
            return
        self._stream(behaviour)

    def _json(self, code: int, data: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        raw = json.dumps(data).encode()
        self.send_response(code)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(raw)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(raw)

    def _send(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _misbehave(self, behaviour: Hang | Drip) -> None:
        """Hang or drip on the raw connection, until done, the client hangs up, or the server stops."""
        stop = self.server.script.stop
        self.close_connection = True
        try:
            if isinstance(behaviour, Hang):
                if behaviour.headers:
                    self.wfile.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n")
                    self.wfile.write(b"transfer-encoding: chunked\r\n\r\n")
                    self.wfile.flush()
                stop.wait(behaviour.seconds)
                return
            pieces = re.findall(r"\S+\s*", behaviour.text)
            body = b"".join(
                [
                    _chunk({"role": "assistant", "content": ""}),
                    *(_chunk({"content": piece}) for piece in pieces),
                    _chunk({}, "stop"),
                    b"data: [DONE]\n\n",
                ]
            )
            head = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
            head += f"content-length: {len(body)}\r\n\r\n".encode()
            if not behaviour.head:
                self.wfile.write(head)
                head = b""
            for byte in head + body:
                if stop.wait(behaviour.interval):
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.server.script.disconnects += 1

    def _stream(self, behaviour: Any) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        try:
            self._send(_chunk({"role": "assistant", "content": ""}))
            if isinstance(behaviour, Garbage):
                self._send(b"data: {this is not json\n\n")
            elif isinstance(behaviour, Text):
                for piece in re.findall(r"\S+\s*|\s+", behaviour.text):
                    self._send(_chunk({"content": piece}))
                self._send(_chunk({}, behaviour.finish))
            elif isinstance(behaviour, Broken | Stall):
                for piece in re.findall(r"\S+\s*", behaviour.partial):
                    self._send(_chunk({"content": piece}))
                if isinstance(behaviour, Stall):
                    time.sleep(behaviour.seconds)
                else:
                    self.connection.shutdown(socket.SHUT_RDWR)  # cut mid-body: no final chunk, no [DONE]
                    self.close_connection = True
                    return
            elif isinstance(behaviour, Endless):
                started = time.monotonic()
                while time.monotonic() - started < 60:
                    self._send(_chunk({"content": "" if behaviour.empty else behaviour.piece}))
                    time.sleep(0.002)
            self._send(b"data: [DONE]\n\n")
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.server.script.disconnects += 1
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    script: Script

    def handle_error(self, request: Any, client_address: Any) -> None:  # a client hanging up is expected
        pass


class FakeLLM:
    """`with FakeLLM() as fake:` a server on a free loopback port; `fake.base_url`, `fake.script`."""

    def __init__(self) -> None:
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.script = Script()
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def script(self) -> Script:
        return self.server.script

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> FakeLLM:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.script.stop.set()
        self.server.shutdown()
        self.server.server_close()


def refused_url() -> str:
    """A loopback URL where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def SectionRetriever(knowledge_dirs: Any) -> MemoryRetriever:
    return MemoryRetriever(knowledge_dirs)


def collect(stream: Any) -> tuple[list[str], Any]:
    """The partial texts a Conversation.stream yielded, and its final Reply."""
    events: list[str] = []
    final = None
    for event in stream:
        if isinstance(event, str):
            events.append(event)
        else:
            final = event
    assert final is not None
    return events, final
