"""Request size limit and the login throttle, as ASGI middleware and Gradio's auth callable (no server)."""

import asyncio
import json

import pytest
from assistant.ui.limits import BodyLimit, LoginThrottle, client_of


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def scope(path="/gradio_api/queue/join", method="POST", client="203.0.113.7", headers=()):
    return {
        "type": "http",
        "path": path,
        "method": method,
        "client": (client, 5555),
        "headers": [(k.encode(), v.encode()) for k, v in headers],
    }


async def call(app, scope_, body=b"", chunks=None):
    sent = []
    messages = [{"type": "http.request", "body": c, "more_body": True} for c in (chunks or [])]
    messages.append({"type": "http.request", "body": body, "more_body": False})

    async def receive():
        return messages.pop(0)

    async def send(message):
        sent.append(message)

    await app(scope_, receive, send)
    return sent


async def echo_app(scope_, receive, send):
    """Reads the whole body, answers 200 with its length."""
    size = 0
    while True:
        message = await receive()
        size += len(message.get("body", b""))
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(size).encode()})


def status(sent):
    return next(m["status"] for m in sent if m["type"] == "http.response.start")


def detail(sent):
    return json.loads(next(m["body"] for m in sent if m["type"] == "http.response.body"))["detail"]


def test_a_body_over_the_limit_is_refused_before_it_is_read():
    app = BodyLimit(echo_app, max_bytes=100)
    sent = asyncio.run(call(app, scope(headers=[("content-length", "101")]), b"x" * 101))
    assert status(sent) == 413 and "larger than this app accepts" in detail(sent)
    assert status(asyncio.run(call(app, scope(headers=[("content-length", "100")]), b"x" * 100))) == 200
    assert status(asyncio.run(call(app, scope(headers=[("content-length", "lots")]), b""))) == 413


def test_a_chunked_body_is_cut_off_at_the_limit():
    app = BodyLimit(echo_app, max_bytes=100)
    sent = asyncio.run(call(app, scope(), b"x" * 10, chunks=[b"x" * 60, b"x" * 60]))
    assert status(sent) == 413
    assert status(asyncio.run(call(app, scope(), b"x" * 10, chunks=[b"x" * 60]))) == 200


def test_five_failed_logins_in_a_minute_refuse_the_client_for_a_minute():
    clock = Clock()
    throttle = LoginThrottle("alice", "s3cret", clock=clock)
    app = throttle.middleware(login_app(throttle))
    attacker = scope("/login", client="198.51.100.1")
    for _ in range(5):
        assert status(asyncio.run(call(app, attacker, b"username=alice&password=guess"))) == 400
    refused = asyncio.run(call(app, attacker, b"username=alice&password=s3cret"))
    assert status(refused) == 429 and "try again in 60 s" in detail(refused)
    assert dict(refused[0]["headers"])[b"retry-after"] == b"60"
    other = scope("/login", client="198.51.100.2")  # another client is not affected
    assert status(asyncio.run(call(app, other, b"username=alice&password=s3cret"))) == 200
    clock.now += 61
    assert status(asyncio.run(call(app, attacker, b"username=alice&password=s3cret"))) == 200


def test_slow_failures_do_not_add_up():
    clock = Clock()
    throttle = LoginThrottle("alice", "s3cret", clock=clock)
    for _ in range(10):
        throttle.failed("x")
        clock.now += 20  # 5 failures span 80 s > the 60 s window
    assert throttle.retry_after("x") == 0


def test_the_throttle_checks_credentials_exactly():
    throttle = LoginThrottle("alice", "s3cret")
    assert throttle("alice", "s3cret")
    assert not throttle("alice", "s3cret ")
    assert not throttle("Alice", "s3cret")
    assert not throttle("alice", "")


def test_the_client_table_is_bounded():
    throttle = LoginThrottle("a", "b", max_clients=3)
    for i in range(10):
        for _ in range(5):
            throttle.failed(f"10.0.0.{i}")
    assert len(throttle._failures) <= 3 and len(throttle._blocked) <= 3


def test_only_a_local_proxy_may_name_the_client():
    forwarded = [("x-real-ip", "192.0.2.9")]
    assert client_of(scope(client="127.0.0.1", headers=forwarded)) == "192.0.2.9"
    assert client_of(scope(client="203.0.113.7", headers=forwarded)) == "203.0.113.7"  # spoofed: ignored
    assert client_of(scope(client="127.0.0.1")) == "127.0.0.1"


@pytest.mark.parametrize("path", ["/", "/gradio_api/queue/join", "/login/extra"])
def test_other_routes_pass_through_the_throttle(path):
    throttle = LoginThrottle("a", "b")
    for _ in range(5):
        throttle.failed("203.0.113.7")
    sent = asyncio.run(call(throttle.middleware(echo_app), scope(path)))
    assert status(sent) == 200


def login_app(throttle):
    """Gradio's /login in miniature: the form's credentials through the auth callable."""

    async def app(scope_, receive, send):
        body = (await receive())["body"].decode()
        form = dict(pair.split("=", 1) for pair in body.split("&"))
        ok = throttle(form["username"], form["password"])
        await send({"type": "http.response.start", "status": 200 if ok else 400, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    return app
