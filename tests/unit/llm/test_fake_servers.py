"""The misbehaving loopback LLM server itself (tests/support/llm_servers.py), so a broken fake fails here
rather than as a confusing fault test."""

from __future__ import annotations

import time

import httpx
from support.llm_servers import Drip, FakeLLM, Hang, Status, Text


def test_fake_server_speaks_sse() -> None:
    with FakeLLM() as fake:
        fake.script.write.append(Text("Hello there."))
        with httpx.stream("POST", f"{fake.base_url}/chat/completions", json={"stream": True}) as response:
            lines = [line for line in response.iter_lines() if line.startswith("data:")]
        assert lines[-1] == "data: [DONE]"
        assert "Hello" in "".join(lines)
        fake.script.write.append(Status(429))
        assert httpx.post(f"{fake.base_url}/chat/completions", json={}).status_code == 429


def test_fake_server_drips_and_hangs() -> None:
    with FakeLLM() as fake:
        fake.script.write.extend([Drip("Hi.", interval=0.001, head=True), Hang(30)])
        with httpx.stream("POST", f"{fake.base_url}/chat/completions", json={"stream": True}) as response:
            assert response.status_code == 200
            received = [piece for piece in response.iter_raw()]
        assert len(received) > 10 and b"data: [DONE]" in b"".join(received)  # in many tiny pieces
        started = time.monotonic()
        try:
            httpx.post(f"{fake.base_url}/chat/completions", json={}, timeout=0.5)
            raise AssertionError("a hanging server answered")
        except httpx.ReadTimeout:
            pass
        assert time.monotonic() - started < 2
    # Leaving the block released the hanging handler (no thread left waiting 30 s).
