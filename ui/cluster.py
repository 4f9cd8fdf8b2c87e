"""`modelchoice ui --workers N`: N app processes on consecutive ports behind nginx, sharing one Chroma server.

Real parts only: each worker is a plain `modelchoice ui` on 127.0.0.1; nginx (Debian's package) is the
load balancer, configured from `deploy/nginx.conf.template` and run in the foreground as a child with all
its files in the run directory; the knowledge store is one `chroma run` server (started here unless
MODELCHOICE_CHROMA_URL names one), and an LLM, if any, is one OpenAI-compatible endpoint every worker
calls. The app processes keep no conversation (the browser does), so a worker that dies loses nothing: the
balancer moves its clients to another one, and this supervisor starts it again (at most `MAX_RESTARTS`
times a minute). It waits on its children (no polling), and stops them all when it is stopped.

The run directory holds nginx.conf, the logs and `cluster.json` (every process's pid and port).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import IO

from assistant import ModelchoiceError, Settings

from .limits import MAX_BODY_BYTES

log = logging.getLogger(__name__)

MAX_RESTARTS = 3  # per worker and minute; a worker that keeps dying is left stopped (the others serve)
FIRST_START = 600.0  # seconds for the first worker (it may build the knowledge index on a new server)
START = 180.0


class ClusterError(ModelchoiceError, RuntimeError):
    """The stack cannot start or keep running; the message says which part and what to do."""


@dataclass
class Child:
    name: str
    args: list[str]
    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    starts: list[float] = field(default_factory=list)

    def start(self) -> None:
        self.starts = [t for t in self.starts if time.monotonic() - t < 60] + [time.monotonic()]
        with self.log_path.open("ab") as out:
            self.process = subprocess.Popen(
                self.args,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,
            )

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def tail(self, chars: int = 1500) -> str:
        with contextlib.suppress(OSError):
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        return ""


class Cluster:
    """The whole stack on one machine: start, supervise, stop."""

    def __init__(
        self,
        workers: int,
        *,
        host: str = "127.0.0.1",
        port: int = 7860,
        run_dir: Path | None = None,
        llm: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        if workers < 1:
            raise ClusterError("--workers must be at least 1")
        if (llm or (env or os.environ).get("MODELCHOICE_LLM")) == "local":
            raise ClusterError(
                "--llm local starts a model server in every process; with --workers run one "
                "OpenAI-compatible server (llama.cpp's or vLLM) and use --llm openai with OPENAI_BASE_URL "
                "(docs/deploy.md)"
            )
        self.host, self.port, self.llm = host, port, llm
        self.env = dict(env if env is not None else os.environ)
        self.run_dir = Path(run_dir or tempfile.mkdtemp(prefix="modelchoice-cluster-"))
        self.worker_ports = [port + i for i in range(1, workers + 1)]
        self.workers: list[Child] = []
        self.chroma: Child | None = None
        self.nginx: Child | None = None

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        return f"http://{host}:{self.port}/"

    # --- start ---------------------------------------------------------------------------------
    def start(self) -> Cluster:
        nginx = shutil.which("nginx") or next(
            (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
        )
        if nginx is None:
            raise ClusterError(
                "nginx is not installed (Debian: apt-get install nginx); or run `modelchoice ui` per port "
                "behind your own balancer (docs/deploy.md)"
            )
        for port in [self.port, *self.worker_ports]:
            if not port_free(self.host if port == self.port else "127.0.0.1", port):
                raise ClusterError(f"port {port} is in use; --workers N needs --port P and P+1..P+N free")
        self.run_dir.mkdir(parents=True, exist_ok=True)
        env = {**self.env, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
        env.setdefault(
            "RUST_LOG", "warn"
        )  # `chroma run` logs every query at INFO: its log would grow unbounded
        try:
            if not env.get("MODELCHOICE_CHROMA_URL"):
                env["MODELCHOICE_CHROMA_URL"] = self._start_chroma(env)
            exe = [sys.executable, "-m", "assistant.cli", "ui", "--host", "127.0.0.1"]
            llm = ["--llm", self.llm] if self.llm else []
            self.workers = [
                Child(f"worker {i}", [*exe, "--port", str(p), *llm], p, env, self.run_dir / f"worker-{i}.log")
                for i, p in enumerate(self.worker_ports, 1)
            ]
            first, *rest = self.workers
            first.start()  # alone: on a new Chroma server it builds the knowledge index
            self._ready(first, "gradio_api/app_id", FIRST_START)
            for worker in rest:
                worker.start()
            for worker in rest:
                self._ready(worker, "gradio_api/app_id", START)
            self.nginx = self._start_nginx(nginx)
        except BaseException:
            self.stop()
            raise
        self._save()
        return self

    def _start_chroma(self, env: dict[str, str]) -> str:
        chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
        if chroma is None:
            raise ClusterError("the `chroma` command is missing: install modelchoice[retrieval]")
        port = free_port()
        data = Path(env["MODELCHOICE_DATA_DIR"]) if env.get("MODELCHOICE_DATA_DIR") else None
        path = (data or Settings.from_env().data_dir) / "chroma-server"
        args = [chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]
        self.chroma = Child("chroma", args, port, env, self.run_dir / "chroma.log")
        self.chroma.start()
        self._ready(self.chroma, "api/v2/heartbeat", START)
        return f"http://127.0.0.1:{port}"

    def _start_nginx(self, nginx: str) -> Child:
        conf = self.run_dir / "nginx.conf"
        conf.write_text(
            render_nginx(self.host, self.port, self.worker_ports, self.run_dir, MAX_BODY_BYTES),
            encoding="utf-8",
        )
        for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.run_dir / "tmp" / sub).mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:  # nginx's workers drop to nobody
                user = pwd.getpwnam("nobody")
                os.chown(self.run_dir / "tmp" / sub, user.pw_uid, user.pw_gid)
        check = subprocess.run(
            [nginx, "-t", "-q", "-p", str(self.run_dir), "-c", str(conf)], capture_output=True, text=True
        )
        if check.returncode:
            raise ClusterError(f"nginx rejects {conf}: {check.stderr.strip()}")
        args = [nginx, "-p", str(self.run_dir), "-c", str(conf)]
        child = Child("nginx", args, self.port, self.env, self.run_dir / "nginx.log")
        child.start()
        self._ready(child, "gradio_api/app_id", START, host=self.url)
        return child

    def _ready(self, child: Child, path: str, timeout: float, host: str | None = None) -> None:
        """Wait (start-up only, bounded) until `child` answers `path`, or fail with its log."""
        url = f"{host or f'http://127.0.0.1:{child.port}/'}{path}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert child.process is not None
            if child.process.poll() is not None:
                raise ClusterError(f"{child.name} exited while starting:\n{child.tail()}")
            with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
            time.sleep(0.1)
        raise ClusterError(f"{child.name} did not answer {url} within {timeout:.0f} s:\n{child.tail()}")

    # --- run -----------------------------------------------------------------------------------
    def supervise(self) -> None:
        """Block until stopped; restart a worker that exits. nginx or Chroma exiting ends the stack."""
        while True:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                raise ClusterError("no process left to supervise") from None
            child = self._child(pid)
            if child is None or child.process is None:
                continue
            child.process.returncode = os.waitstatus_to_exitcode(status)
            if child is self.nginx or child is self.chroma:
                raise ClusterError(f"{child.name} exited ({child.process.returncode}):\n{child.tail()}")
            if len(child.starts) >= MAX_RESTARTS and time.monotonic() - child.starts[0] < 60:
                log.error("%s keeps exiting; left stopped. Its log:\n%s", child.name, child.tail())
                if all(w.process is None or w.process.returncode is not None for w in self.workers):
                    raise ClusterError("every app process has stopped")
                continue
            log.warning("%s exited (%s); starting it again", child.name, child.process.returncode)
            child.start()
            self._save()

    def _child(self, pid: int) -> Child | None:
        return next((c for c in self.children() if c.pid == pid), None)

    def children(self) -> list[Child]:
        return [c for c in (self.nginx, *self.workers, self.chroma) if c is not None]

    def _save(self) -> None:
        state = {
            "url": self.url,
            "nginx": {"pid": self.nginx.pid if self.nginx else None, "port": self.port},
            "chroma": {"pid": self.chroma.pid, "port": self.chroma.port} if self.chroma else None,
            "workers": [{"pid": w.pid, "port": w.port} for w in self.workers],
        }
        tmp = self.run_dir / "cluster.json.tmp"
        tmp.write_text(json.dumps(state, indent=2), encoding="utf-8")
        tmp.replace(self.run_dir / "cluster.json")

    # --- stop ----------------------------------------------------------------------------------
    def stop(self, timeout: float = 20.0) -> None:
        """The balancer first (no new requests), then the workers, then the store."""
        order = (
            (signal.SIGQUIT, [self.nginx]),
            (signal.SIGTERM, self.workers),
            (signal.SIGTERM, [self.chroma]),
        )
        for signum, group in order:
            live = [c.process for c in group if c and c.process and c.process.returncode is None]
            for process in live:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signum)
            for process in live:
                try:
                    process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def render_nginx(host: str, port: int, workers: Sequence[int], prefix: Path, max_body: int) -> str:
    """nginx.conf from the template in this package (deploy/nginx.conf.template)."""
    try:
        template = (files("assistant.ui") / "deploy" / "nginx.conf.template").read_text(encoding="utf-8")
    except OSError as exc:
        raise ClusterError(f"the nginx template is missing from this installation ({exc})") from None
    listen = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    upstreams = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in workers)
    user = "user nobody nogroup;" if os.geteuid() == 0 else "# (not root: nginx runs as this user)"
    values = {
        "@WORKERS@": str(len(workers)),
        "@USER@": user,
        "@PREFIX@": str(prefix),
        "@MAX_BODY@": f"{max_body // 1024}k",
        "@UPSTREAMS@": upstreams,
        "@LISTEN@": listen,
    }
    for key, value in values.items():
        template = template.replace(key, value)
    return template


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: a child gets SIGTERM if the supervisor dies without stopping it (e.g. on SIGKILL)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def run(
    workers: int,
    *,
    host: str,
    port: int,
    run_dir: Path | None,
    llm: str | None,
    echo: IO[str],
    auth: str | None = None,
) -> None:
    """The `--workers` command: start, print where, supervise until Ctrl-C or SIGTERM, stop."""

    def stop_on(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_on)
    env = dict(os.environ)
    if auth:
        env["MODELCHOICE_UI_AUTH"] = auth
    cluster = Cluster(workers, host=host, port=port, run_dir=run_dir, llm=llm, env=env)
    cluster.start()
    try:
        print(
            f"modelchoice: {workers} app processes (ports {cluster.worker_ports[0]}-"
            f"{cluster.worker_ports[-1]}) behind nginx on {cluster.url}; "
            f"logs and config in {cluster.run_dir}",
            file=echo,
            flush=True,
        )
        cluster.supervise()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second Ctrl-C must not cut the shutdown short
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        cluster.stop()
