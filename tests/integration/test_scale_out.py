"""The scale-out stack with real parts, on loopback: `modelchoice ui --workers 2` (two app processes, nginx in
front, one `chroma run` server), ten conversations through the balancer, and one app process killed mid-run.

No conversation may be lost: the browser-held copy travels with every turn, so when a process dies, its
clients' next turn (or the retry of the turn it was answering) goes to the surviving process, which carries
on. Every answer's recommendation must be `decide()` of the profile the page shows. Everything is stopped
at the end; every loop is bounded.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("gradio")
gradio_client = pytest.importorskip("gradio_client")

from assistant.ui import state  # noqa: E402
from assistant.ui.cluster import port_free  # noqa: E402

from assistant import decide  # noqa: E402

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
if NGINX is None:
    pytest.skip("nginx is not installed (scripts/bootstrap --test installs it)", allow_module_level=True)

CONVERSATIONS = 10
SCRIPTS = [
    [
        "We are a bank scoring credit applications from tabular customer data. The data must stay on our own "
        "infrastructure and we can't use third-party APIs. We have a data science team.",
        "why?",
        "what if we had no in-house ML team?",
        "let's go with that",
        "what would change your mind?",
        "why not a foundation model?",
    ],
    [
        "We want a quick prototype of an internal support chatbot over our wiki; open-ended questions, no ML "
        "engineers, an external API is fine, low volume.",
        "why?",
        "what if it had to run on a phone?",
        "keep the original",
        "what is knowledge distillation?",
        "why not a custom model?",
    ],
    [
        "We classify product images in production and we have an ML team.",
        "what if we had no labelled data at all?",
        "let's go with that",
        "why?",
        "what would change your mind?",
        "undo",
    ],
]
ATTEMPTS = 6  # per turn: a turn whose process died is sent again, with the same copy


def _ports(count: int) -> int:
    """A base port with `count` free ports from it (bounded tries)."""
    for _ in range(50):
        base = 20000 + int.from_bytes(os.urandom(2), "big") % 30000
        if all(port_free("127.0.0.1", base + i) for i in range(count)):
            return base
    raise RuntimeError("no run of free ports found")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("scale-out")
    run_dir = root / "run"
    port = _ports(3)
    env = {**os.environ, "MODELCHOICE_DATA_DIR": str(root / "data"), "MODELCHOICE_LLM": "none"}
    env.pop("MODELCHOICE_CHROMA_URL", None)  # the stack starts its own Chroma server
    log = (root / "supervisor.log").open("w")
    command = [sys.executable, "-m", "assistant.cli", "ui", "--workers", "2", "--port", str(port)]
    supervisor = subprocess.Popen([*command, "--run-dir", str(run_dir)], env=env, stdout=log, stderr=log)
    info: dict[str, Any] = {}
    try:
        deadline = time.monotonic() + 600  # the first worker builds the knowledge index on the new server
        while not (run_dir / "cluster.json").exists():
            assert supervisor.poll() is None, (root / "supervisor.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the stack did not start in 10 minutes"
            time.sleep(0.2)
        info = json.loads((run_dir / "cluster.json").read_text())
        info["run_dir"] = run_dir
        assert info["url"] == f"http://127.0.0.1:{port}/"
        assert [w["port"] for w in info["workers"]] == [port + 1, port + 2]  # consecutive ports
        yield info
    finally:
        supervisor.send_signal(signal.SIGTERM)
        try:
            supervisor.wait(timeout=60)
        except subprocess.TimeoutExpired:
            supervisor.kill()
            supervisor.wait()
        log.close()
        if (run_dir / "cluster.json").exists():
            last = json.loads((run_dir / "cluster.json").read_text())
            pids = [last["nginx"]["pid"], last["chroma"]["pid"], *(w["pid"] for w in last["workers"])]
            for pid in pids:
                assert not _alive(pid), f"process {pid} outlived the stack"


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


class Page:
    """One browser tab through the balancer: its cookies (the sticky one), its copy, what the form shows."""

    def __init__(self, url: str, use_gradio_client: bool) -> None:
        self.url = url
        self.use_gradio_client = use_gradio_client
        self.kept: Any = None
        self.checked = 0
        self.resent = 0  # turns sent again because the process answering them died
        self._client: Any = None
        self._http = httpx.Client(timeout=60)
        self._session = uuid.uuid4().hex[:11]

    def turn(self, text: str) -> None:
        """One turn, sent again (same copy) if the process answering it dies; then checked."""
        error: BaseException | None = None
        for _ in range(ATTEMPTS):
            try:
                outputs = self._gradio(text) if self.use_gradio_client else self._rest(text)
                break
            except Exception as exc:  # a process died under the request: the copy is unchanged, resend
                error = exc
                self.resent += 1
                self._client = None
                time.sleep(0.5)
        else:
            raise AssertionError(f"turn {text!r} failed {ATTEMPTS} times: {error!r}")
        self._check(outputs)

    def _gradio(self, text: str) -> list[Any]:
        if self._client is None:
            self._client = gradio_client.Client(self.url, verbose=False, download_files=False)
        job = self._client.submit(text, self.kept, api_name="/chat")
        return list(job.result(timeout=60))

    def _rest(self, text: str) -> list[Any]:
        base = f"{self.url}gradio_api/call/chat"
        response = self._http.post(base, json={"data": [text, self.kept], "session_hash": self._session})
        response.raise_for_status()
        with self._http.stream("GET", f"{base}/{response.json()['event_id']}") as stream:
            stream.raise_for_status()
            event = ""
            for line in stream.iter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event in {"complete", "error"}:
                    assert event == "complete", line
                    return list(json.loads(line[5:]))
        raise ConnectionError("the answer's stream ended early")

    def _check(self, outputs: list[Any]) -> None:
        """The card's recommendation is the rules' for exactly the profile the returned copy keeps (the
        form's values are checked in test_ui_api.py: here the outputs a turn leaves unchanged are skipped,
        so positions vary)."""
        copy = outputs[-1]
        assert isinstance(copy, dict) and "session" in copy, outputs[-1]
        kept = state.load(copy).session.profile
        card = next(o for o in outputs if isinstance(o, str) and 'class="mc-card"' in o)
        recommendation = re.search(r'data-recommendation="(\w+)"', card)
        assert recommendation and recommendation.group(1) == decide(kept).recommendation
        self.kept = copy
        self.checked += 1

    def close(self) -> None:
        self._http.close()
        if self._client is not None:
            self._client.close()


def test_conversations_survive_a_dying_app_process(stack: dict[str, Any]) -> None:
    url = stack["url"]
    victim = stack["workers"][0]
    total = sum(len(SCRIPTS[i % len(SCRIPTS)]) for i in range(CONVERSATIONS))
    done = threading.Semaphore(0)
    errors: list[BaseException] = []
    pages = [Page(url, use_gradio_client=i % 2 == 0) for i in range(CONVERSATIONS)]

    def converse(index: int) -> None:
        try:
            for text in SCRIPTS[index % len(SCRIPTS)]:
                pages[index].turn(text)
                done.release()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=converse, args=(i,)) for i in range(CONVERSATIONS)]
    for thread in threads:
        thread.start()
    for _ in range(total // 3):  # a third of the turns answered, the rest in flight or to come
        assert done.acquire(timeout=120), errors
    os.kill(victim["pid"], signal.SIGKILL)
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a conversation did not finish in 5 minutes"
    assert not errors, errors

    for index, page in enumerate(pages):
        script = SCRIPTS[index % len(SCRIPTS)]
        session = state.load(page.kept).session
        assert page.checked == len(script)
        assert [entry["user"] for entry in session.history] == script  # every turn once, in order
        page.close()

    print(f"turns: {total}, sent again after the kill: {sum(p.resent for p in pages)}")

    # The supervisor started the killed process again, on its port.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        workers = json.loads((stack["run_dir"] / "cluster.json").read_text())["workers"]
        if workers[0]["pid"] != victim["pid"]:
            break
        time.sleep(0.5)
    assert workers[0]["pid"] != victim["pid"] and workers[0]["port"] == victim["port"]
    assert not _alive(victim["pid"])


def test_the_balancer_refuses_oversized_requests(stack: dict[str, Any]) -> None:
    response = httpx.post(f"{stack['url']}gradio_api/queue/join", content=b"x" * (5 * 1024 * 1024))
    assert response.status_code == 413
