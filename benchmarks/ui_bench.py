"""Web-app benchmark: time from launch to ready, and per-turn latency through the HTTP API (deterministic path).

Run: .venv/bin/python benchmarks/ui_bench.py [--sessions 1 20] [--turns 8]

- Launch to ready: `modelchoice ui` started as a fresh process until the page answers (the knowledge store is
  opened, the embedding model loaded and one search run before the server starts). Also the same in-process:
  `ui.app.launch()` returning (imports excluded).
- Per turn: against a `modelchoice ui` server process (as deployed), each simulated user is a
  gradio_client.Client (its own browser session) in its own thread of this process, running a scripted
  conversation (describe, why, what if, adopt, a form edit, ...); the time is from `predict` to its result,
  i.e. the queue, the handler (understanding, rules, search, answer), all panel outputs and the HTTP/SSE round
  trip. All users start together (a barrier), so the 20-session figure is 20 turns in flight at once. The
  clients share the machine's cores with the server, as they would not in production.

The store lives in a temporary MODELCHOICE_DATA_DIR, built once before timing; nothing is sent anywhere.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

# A conversation per user: (endpoint, argument or None). Chat turns and button/form events alike.
SCRIPTS = [
    [("/chat", "We are a bank scoring credit applications from tabular customer data. The data must stay on our "
               "own infrastructure, no third-party APIs, and we have a data science team."),
     ("/chat", "why?"), ("/chat", "what if we had no in-house ML team?"), ("/keep_original", None),
     ("/set_control", "true"), ("/chat", "what would change your mind?"), ("/chat", "what is knowledge distillation?"),
     ("/chat", "why not a foundation model?")],
    [("/chat", "We want a quick prototype of an internal support chatbot over our wiki; open-ended questions, no ML "
               "engineers, an external API is fine, low volume."),
     ("/chat", "why?"), ("/what_if_0", None), ("/adopt", None), ("/set_stage", "production"),
     ("/chat", "what if it had to run on a phone?"), ("/chat", "let's go with that"), ("/chat", "start over")],
    [("/chat", "Segmentation of product photos in production, no labelled data at all, we have an ML team."),
     ("/chat", "what would change your mind?"), ("/what_if_1", None), ("/keep_original", None),
     ("/set_privacy", "strict"), ("/chat", "why?"), ("/chat", "what is a foundation model?"), ("/chat", "undo")],
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
    proc = subprocess.Popen([exe, "ui", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
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


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def run_users(url: str, users: int, turns: int) -> tuple[list[float], float]:
    from gradio_client import Client

    clients = [Client(url, verbose=False) for _ in range(users)]
    barrier = threading.Barrier(users)
    latencies: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def user(index: int) -> None:
        client = clients[index]
        script = SCRIPTS[index % len(SCRIPTS)][:turns]
        own: list[float] = []
        try:
            barrier.wait()
            for endpoint, argument in script:
                start = time.perf_counter()
                if argument is None:
                    client.predict(api_name=endpoint)
                else:
                    client.predict(argument, api_name=endpoint)
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
    for client in clients:
        client.close()
    if errors:
        raise RuntimeError(f"{len(errors)} users failed; first: {errors[0]!r}")
    return latencies, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 20])
    parser.add_argument("--turns", type=int, default=8, help="turns per user (each script has 8)")
    parser.add_argument("--rounds", type=int, default=3, help="conversations per user")
    parser.add_argument("--cold-starts", type=int, default=3, help="server starts to time (at least 1)")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="modelchoice-ui-bench-")
    os.environ["MODELCHOICE_DATA_DIR"] = data_dir
    env = {**os.environ, "MODELCHOICE_DATA_DIR": data_dir}

    from assistant.conversation import Conversation
    from assistant.settings import get_settings
    from ui.app import launch, warm

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
    print(f"launch to ready, `modelchoice ui` as a new process: median {statistics.median(colds):.2f}s "
          f"(runs: {', '.join(f'{c:.2f}' for c in colds)})")

    start = time.perf_counter()
    demo, local = launch(conversation, port=free_port(), prevent_thread_lock=True, quiet=True)
    wait_ready(local)
    print(f"launch to ready, in-process with the store already open: {time.perf_counter() - start:.2f}s")
    demo.close()

    try:
        run_users(url, 2, 3)  # warm-up: first-request costs (imports, caches) are not per-turn latency
        for users in args.sessions:
            samples: list[float] = []
            walls = []
            for _ in range(args.rounds):
                latencies, wall = run_users(url, users, args.turns)
                samples += latencies
                walls.append(wall)
            ms = [s * 1000 for s in samples]
            print(f"{users:>3} concurrent sessions: {len(ms)} turns, per turn median {statistics.median(ms):.0f} ms, "
                  f"p95 {percentile(ms, 95):.0f} ms, max {max(ms):.0f} ms; "
                  f"throughput {len(ms) / sum(walls):.0f} turns/s")
    finally:
        stop(proc)


if __name__ == "__main__":
    main()
