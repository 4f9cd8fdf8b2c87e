"""Web-app benchmark: launch to ready, and per-turn latency through the HTTP API (deterministic path).

Run: .venv/bin/python benchmarks/ui_bench.py [--sessions 1 20] [--turns 8]

- Launch to ready: `modelchoice ui` started as a fresh process until the page answers (the knowledge store is
  opened, the embedding model loaded and one search run before the server starts). Also the same in-process:
  `ui.app.launch()` returning (imports excluded).
- Per turn: against a `modelchoice ui` server process (as deployed), each simulated user is a
  gradio_client.Client (its own browser session) in its own thread of this process, running a scripted
  conversation (describe, why, what if, adopt, a form edit, ...); a turn's time runs from the request to
  the refreshed side panel, as the page does it: the answering event (queue, understanding, rules, search,
  answer) and then the chained /panel event (card, reasons, form, sources, record), each an HTTP/SSE round
  trip. All users start together (a barrier), so the 20-session figure is 20 turns in flight at once. The
  clients share the machine's cores with the server, as they would not in production.

Two loads: back to back (each user sends its next turn the moment an answer arrives: 20 turns in flight at
once, the worst case) and with users reading for ~2 s between turns (20 people actively using the app).
Server CPU per turn is printed too: it does not depend on what else the machine is running.

The store lives in a temporary MODELCHOICE_DATA_DIR, built once before timing; nothing is sent anywhere.
"""

from __future__ import annotations

import argparse
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from assistant.llm import free_port  # noqa: E402

# A conversation per user: (endpoint, argument or None). Chat turns and button/form events alike.
SCRIPTS = [
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
            "no ML "
            "engineers, an external API is fine, low volume.",
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


# Endpoints that answer in the chat; the page then refreshes the panel with the chained /panel event.
TURNS = ("/chat", "/adopt", "/keep_original", "/what_if_")


def wait_ready(url: str, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "gradio_api/info", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"{url} not ready after {timeout:.0f}s")


def start_server(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str, float]:
    port = free_port()
    exe = str(Path(sys.executable).parent / "modelchoice")
    start = time.perf_counter()
    proc = subprocess.Popen(
        [exe, "ui", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_ready(url)
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


class GradioUser:
    """A session through gradio_client, as the issue asks. Note: gradio_client polls its message queue every
    50 ms (gradio_client/utils.py), so each call carries up to ~50-150 ms of client-side waiting."""

    def __init__(self, url: str) -> None:
        from gradio_client import Client

        self.client = Client(
            url, verbose=False, download_files=False
        )  # a browser fetches the record on click

    def call(self, endpoint: str, argument: str | None) -> None:
        if argument is None:
            self.client.predict(api_name=endpoint)
        else:
            self.client.predict(argument, api_name=endpoint)

    def close(self) -> None:
        self.client.close()


class HttpUser:
    """A session through Gradio's documented REST route (POST /gradio_api/call/<name> with a session hash,
    then
    read the event stream), like the browser's own client: no polling, so this is the server's latency."""

    def __init__(self, url: str) -> None:
        import httpx

        self.base = url.rstrip("/") + "/gradio_api/call"
        self.http = httpx.Client(timeout=120)
        self.session = uuid.uuid4().hex[:11]

    def call(self, endpoint: str, argument: str | None) -> None:
        data = [] if argument is None else [argument]
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
                    return
        raise RuntimeError(f"{endpoint}: the stream ended without a result")

    def close(self) -> None:
        self.http.close()


def run_users(
    url: str, users: int, turns: int, kind: type[GradioUser] | type[HttpUser], think: float = 0.0
) -> tuple[list[float], float]:
    """Each user runs its script; `think`: mean seconds a user reads before the next turn (0: none at all)."""
    sessions = [kind(url) for _ in range(users)]
    barrier = threading.Barrier(users)
    latencies: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def user(index: int) -> None:
        session = sessions[index]
        script = SCRIPTS[index % len(SCRIPTS)][:turns]
        own: list[float] = []
        pause = random.Random(index)
        try:
            barrier.wait()
            if think:  # people arrive at different moments, not all in the same millisecond
                time.sleep(pause.uniform(0, think))
            for endpoint, argument in script:
                if think and own:
                    time.sleep(pause.uniform(0.5, 1.5) * think)
                start = time.perf_counter()
                session.call(endpoint, argument)
                if endpoint.startswith(TURNS):  # the page's chained panel refresh is part of the turn
                    session.call("/panel", None)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 20])
    parser.add_argument("--turns", type=int, default=8, help="turns per user (each script has 8)")
    parser.add_argument("--rounds", type=int, default=3, help="conversations per user")
    parser.add_argument(
        "--clients", nargs="+", choices=["gradio_client", "http"], default=["gradio_client", "http"]
    )
    parser.add_argument(
        "--think",
        type=float,
        nargs="+",
        default=[0.0, 2.0],
        help="mean seconds between a user's turns (0: back to back, the worst case)",
    )
    parser.add_argument("--cold-starts", type=int, default=3, help="server starts to time (at least 1)")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="modelchoice-ui-bench-")
    os.environ["MODELCHOICE_DATA_DIR"] = data_dir
    env = {**os.environ, "MODELCHOICE_DATA_DIR": data_dir}

    from assistant.ui.app import launch, warm

    from assistant.conversation import Conversation
    from assistant.settings import get_settings

    conversation = Conversation(get_settings())
    build_start = time.perf_counter()
    warm(conversation)  # builds the store on first use (not part of any figure below)
    print(f"knowledge store built and opened in {time.perf_counter() - build_start:.1f}s (one-off)")

    colds = []
    for _ in range(args.cold_starts - 1):
        proc, _, seconds = start_server(env)
        stop(proc)
        colds.append(seconds)
    proc, url, seconds = start_server(env)
    colds.append(seconds)
    print(
        f"launch to ready, `modelchoice ui` as a new process: median {statistics.median(colds):.2f}s "
        f"(runs: {', '.join(f'{c:.2f}' for c in colds)})"
    )

    start = time.perf_counter()
    demo, local = launch(conversation, port=free_port(), prevent_thread_lock=True, quiet=True)
    wait_ready(local)
    print(f"launch to ready, in-process with the store already open: {time.perf_counter() - start:.2f}s")
    demo.close()

    try:
        clients = {"gradio_client": GradioUser, "http": HttpUser}
        for name in args.clients:
            run_users(url, 2, 3, clients[name])  # warm-up: first-request costs are not per-turn latency
            for think in args.think:
                for users in args.sessions:
                    samples: list[float] = []
                    walls = []
                    cpu_start = cpu_seconds(proc.pid)
                    for _ in range(args.rounds):
                        latencies, wall = run_users(url, users, args.turns, clients[name], think)
                        samples += latencies
                        walls.append(wall)
                    ms = [s * 1000 for s in samples]
                    cpu = (cpu_seconds(proc.pid) - cpu_start) / len(ms) * 1000
                    print(
                        f"{name:>13}, think {think:g}s, {users:>2} concurrent sessions: {len(ms)} turns, "
                        "per turn "
                        f"median {statistics.median(ms):.0f} ms, p95 {percentile(ms, 95):.0f} ms, "
                        f"max {max(ms):.0f} ms; {len(ms) / sum(walls):.1f} turns/s; "
                        f"server CPU {cpu:.0f} ms/turn",
                        flush=True,
                    )
    finally:
        stop(proc)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
