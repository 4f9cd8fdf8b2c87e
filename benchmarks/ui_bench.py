"""Web-app benchmark: launch to ready, per-turn latency and server CPU through the HTTP API, idle CPU.

Run: .venv/bin/python benchmarks/ui_bench.py [--sessions 1 20] [--rounds 3] [--clients http gradio_client]

- Launch to ready: `modelchoice ui` started as a fresh process until it answers (the knowledge store is
  opened, the embedding model loaded and one search run before the server starts).
- Per turn: against a `modelchoice ui` server process (as deployed). Each simulated user is its own browser
  session in its own thread of this process, running a scripted conversation (describe, why, a what-if,
  adopt or keep, a form edit, ...), either back to back (the worst case) or reading ~2 s between turns
  (people actively using the app). A turn is one event, as the page sends it: the answer, the whole side
  panel and the new copy of the conversation come back together; the user sends that copy with its next
  turn, like the page does. All users start together (a barrier): back to back, 20 sessions are 20 turns
  in flight at once. The clients share the machine's 2 cores with the server.
- Server CPU per turn: the server process's user+system time (/proc/<pid>/stat) over the run, divided by
  the turns. It does not depend on what else the machine is running. Idle CPU: the same over 20 s without
  requests (/proc counts 10 ms ticks). A page left open adds nothing: no timers, no heartbeat stream.

Two clients: `http` posts to Gradio's REST route and reads the event stream, as the page's own client does
(no polling, so this is the server's latency); `gradio_client` is the Python client (it polls its message
queue every 50 ms, which adds client-side waiting, and each new client fetches the app's config and API
description, which costs the server about 0.1 s of CPU once per client: its per-turn CPU is higher).

The store lives in a temporary MODELCHOICE_DATA_DIR, built once before timing; nothing is sent anywhere.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

# A conversation per user: (endpoint, argument or None). Chat turns, buttons and form edits alike.
SCRIPTS: list[list[tuple[str, str | None]]] = [
    [
        (
            "/chat",
            "We are a bank scoring credit applications from tabular customer data. The data must stay on our "
            "own infrastructure, no third-party APIs, and we have a data science team.",
        ),
        ("/chat", "why?"),
        ("/chat", "what if we had no in-house ML team?"),
        ("/keep_original", None),
        ("/set_control", "true"),
        ("/chat", "what would change your mind?"),
        ("/chat", "what is knowledge distillation?"),
        ("/chat", "why not a foundation model?"),
    ],
    [
        (
            "/chat",
            "We want a quick prototype of an internal support chatbot over our wiki; open-ended questions, "
            "no ML engineers, an external API is fine, low volume.",
        ),
        ("/chat", "why?"),
        ("/what_if_0", None),
        ("/adopt", None),
        ("/set_stage", "production"),
        ("/chat", "what if it had to run on a phone?"),
        ("/chat", "let's go with that"),
        ("/chat", "start over"),
    ],
    [
        (
            "/chat",
            "Segmentation of product photos in production, no labelled data at all, we have an ML team.",
        ),
        ("/chat", "what would change your mind?"),
        ("/what_if_1", None),
        ("/keep_original", None),
        ("/set_privacy", "strict"),
        ("/chat", "why?"),
        ("/chat", "what is a foundation model?"),
        ("/chat", "undo"),
    ],
]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, timeout: float = 300.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited ({proc.returncode}) before it was ready")
        try:
            with urllib.request.urlopen(url + "gradio_api/app_id", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"{url} not ready after {timeout:.0f}s")


def start_server(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str, float]:
    port = free_port()
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "ui", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=None,  # a failure to start shows here
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_ready(url, proc=proc)
    except BaseException:
        stop(proc)
        raise
    return proc, url, time.perf_counter() - start


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


class User(Protocol):
    def call(self, endpoint: str, argument: str | None) -> None: ...
    def close(self) -> None: ...


class HttpUser:
    """One browser session through Gradio's REST route: POST /gradio_api/call/<name>, then read the event
    stream. It keeps its cookies (the balancer's sticky one) and the conversation copy, like a page."""

    def __init__(self, url: str) -> None:
        import httpx

        self.base = url.rstrip("/") + "/gradio_api/call"
        self.http = httpx.Client(timeout=120)
        self.session = uuid.uuid4().hex[:11]  # a tab's id: Gradio keeps per-tab bookkeeping under it
        self.kept: Any = None

    def call(self, endpoint: str, argument: str | None) -> None:
        data = [self.kept] if argument is None else [argument, self.kept]
        response = self.http.post(f"{self.base}{endpoint}", json={"data": data, "session_hash": self.session})
        response.raise_for_status()
        event_id = response.json()["event_id"]
        with self.http.stream("GET", f"{self.base}{endpoint}/{event_id}") as stream:
            event = ""
            for line in stream.iter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event in {"complete", "error"}:
                    if event == "error":
                        raise RuntimeError(f"{endpoint}: {line}")
                    outputs = json.loads(line[5:])
                    if isinstance(outputs[-1], dict) and "session" in outputs[-1]:
                        self.kept = outputs[-1]
                    return
        raise RuntimeError(f"{endpoint}: the stream ended without a result")

    def close(self) -> None:
        self.http.close()


class GradioUser:
    """The same through gradio_client (which polls its message queue every 50 ms)."""

    def __init__(self, url: str) -> None:
        from gradio_client import Client

        self.client = Client(url, verbose=False, download_files=False)
        self.kept: Any = None

    def call(self, endpoint: str, argument: str | None) -> None:
        args = (self.kept,) if argument is None else (argument, self.kept)
        outputs = self.client.predict(*args, api_name=endpoint)
        if isinstance(outputs, (list, tuple)) and isinstance(outputs[-1], dict) and "session" in outputs[-1]:
            self.kept = outputs[-1]

    def close(self) -> None:
        self.client.close()


CLIENTS: dict[str, type[HttpUser] | type[GradioUser]] = {"http": HttpUser, "gradio_client": GradioUser}


def run_users(
    url: str, users: int, kind: type[HttpUser] | type[GradioUser], think: float = 0.0
) -> tuple[list[float], float]:
    """Each user runs its script; `think`: mean seconds a user reads before the next turn (0: back to back,
    the worst case). Returns every turn's seconds and the wall time."""
    sessions: list[User] = [kind(url) for _ in range(users)]
    barrier = threading.Barrier(users)
    latencies: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def user(index: int) -> None:
        session = sessions[index]
        own: list[float] = []
        pause = random.Random(index)
        try:
            barrier.wait()
            if think:  # people arrive at different moments, not all in the same millisecond
                time.sleep(pause.uniform(0, think))
            for endpoint, argument in SCRIPTS[index % len(SCRIPTS)]:
                if think and own:
                    time.sleep(pause.uniform(0.5, 1.5) * think)
                start = time.perf_counter()
                session.call(endpoint, argument)
                own.append(time.perf_counter() - start)
        except BaseException as exc:
            errors.append(exc)
        with lock:
            latencies.extend(own)

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    for session in sessions:
        session.close()
    if errors:
        raise RuntimeError(f"{len(errors)} users failed; first: {errors[0]!r}")
    return latencies, wall


def measure(
    url: str,
    pids: list[int],
    users: int,
    rounds: int,
    kind: type[HttpUser] | type[GradioUser],
    think: float = 0.0,
) -> str:
    """`rounds` conversations per user; latency per turn, throughput, and the servers' CPU per turn."""
    samples: list[float] = []
    walls = []
    cpu_start = sum(cpu_seconds(pid) for pid in pids)
    client_start = time.process_time()
    for _ in range(rounds):
        latencies, wall = run_users(url, users, kind, think)
        samples += latencies
        walls.append(wall)
    ms = [s * 1000 for s in samples]
    cpu = (sum(cpu_seconds(pid) for pid in pids) - cpu_start) / len(ms) * 1000
    client = (time.process_time() - client_start) / len(ms) * 1000
    return (
        f"think {think:g}s, {users:>2} concurrent sessions: {len(ms)} turns, per turn median "
        f"{statistics.median(ms):.0f} ms, p95 {percentile(ms, 95):.0f} ms, max {max(ms):.0f} ms; "
        f"{len(ms) / sum(walls):.1f} turns/s; server CPU {cpu:.1f} ms/turn (the load generator's: "
        f"{client:.1f} ms)"
    )


def idle_cpu(pids: list[int], seconds: float = 20.0) -> float:
    """Server CPU per second of wall time with no requests."""
    start = sum(cpu_seconds(pid) for pid in pids)
    time.sleep(seconds)
    return (sum(cpu_seconds(pid) for pid in pids) - start) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 20])
    parser.add_argument("--rounds", type=int, default=3, help="conversations per user")
    parser.add_argument("--clients", nargs="+", choices=list(CLIENTS), default=["http", "gradio_client"])
    parser.add_argument(
        "--think", type=float, nargs="+", default=[0.0, 2.0], help="mean seconds between a user's turns"
    )
    parser.add_argument("--cold-starts", type=int, default=2, help="server starts to time (at least 1)")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="modelchoice-ui-bench-")
    env = {**os.environ, "MODELCHOICE_DATA_DIR": data_dir}
    try:
        for _ in range(args.cold_starts - 1):  # the first start builds the store: not a figure
            proc, _, _ = start_server(env)
            stop(proc)
        proc, url, seconds = start_server(env)
        print(f"launch to ready, `modelchoice ui` as a new process (store built): {seconds:.2f}s", flush=True)
        run_users(url, 2, HttpUser)  # warm-up: first-request costs are not per-turn latency
        print(f"idle: server CPU {idle_cpu([proc.pid]) * 1000:.2f} ms per second", flush=True)
        for name in args.clients:
            for think in args.think:
                for users in args.sessions:
                    figures = measure(url, [proc.pid], users, args.rounds, CLIENTS[name], think)
                    print(f"{name:>13}, {figures}", flush=True)
        stop(proc)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
