"""Runs the bad-input corpus (cases.yaml, files/) through the real CLI, one subprocess per case.

Each case must end with a one-line message and the expected exit code, never a traceback; cost little
beyond interpreter start (CPU time and peak memory are read from the child's own rusage); and leave
every input file as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.paths import EXE

HERE = Path(__file__).parent
CASES: list[dict[str, Any]] = yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))["cases"]
HAS_DEV_FULL = Path("/dev/full").exists() and stat.S_ISCHR(os.stat("/dev/full").st_mode)
MAX_EXTRA_CPU = 1.0  # seconds of our code beyond starting the interpreter and importing the CLI
MAX_EXTRA_MEMORY = 100  # MB beyond the same
MAX_WALL = 5.0  # a generous bound on a shared machine


# A tiny launcher between pytest and the CLI: a child's peak-memory figure starts from the memory of the
# process it was forked from, so forking from this small one (not from pytest) keeps the figure honest.
LAUNCHER = """
import os, sys
report = int(sys.argv[1])
pid = os.fork()
if pid == 0:
    os.close(report)
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
os.write(report, f"{usage.ru_utime + usage.ru_stime} {usage.ru_maxrss}".encode())
sys.exit(os.waitstatus_to_exitcode(status))
"""


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str
    wall: float
    cpu: float
    memory_mb: float


def run(args: list[str], cwd: Path, *, stdin: str | None = None, stdout_full: bool = False) -> Result:
    """The CLI in a subprocess, with its own CPU time and peak memory."""
    env = {
        **os.environ,
        "HOME": str(cwd),
        "MODELCHOICE_DATA_DIR": str(cwd / ".data"),
        "MODELCHOICE_CHROMA_URL": "http://127.0.0.1:9",  # no store: `ask` answers from the rules only
    }
    for name in ("MODELCHOICE_RULES", "MODELCHOICE_KNOWLEDGE", "MODELCHOICE_LLM"):
        env.pop(name, None)
    read_end, write_end = os.pipe()
    streams: dict[str, Any] = {"stdout": subprocess.PIPE}
    if stdin == "empty":
        streams["stdin"] = subprocess.DEVNULL
    elif stdin == "closed":
        streams["preexec_fn"] = lambda: os.close(0)
    else:
        streams["input"] = b""
    with contextlib.ExitStack() as stack:
        if stdout_full:
            streams["stdout"] = stack.enter_context(open("/dev/full", "wb"))
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-S", "-c", LAUNCHER, str(write_end), EXE, *args],
            cwd=cwd,
            env=env,
            stderr=subprocess.PIPE,
            pass_fds=(write_end,),
            timeout=60,
            check=False,
            **streams,
        )
        wall = time.perf_counter() - start
    os.close(write_end)
    with os.fdopen(read_end) as report:
        cpu, peak_kb = report.read().split()
    return Result(
        proc.returncode,
        (proc.stdout or b"").decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
        wall,
        float(cpu),
        int(peak_kb) / 1024,
    )


def snapshot(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".data" not in path.parts
    }


def generate(
    work: Path,
    file: str,
    bytes: int = 0,  # the key in cases.yaml
    head: str = "",
    line: str = "# padding\n",
    tail: str = "",
    text: str | None = None,
    encoding: str = "utf-8",
) -> None:
    """A file made at run time: `text`, or head + `line` repeated + tail, about `bytes` long."""
    if text is None:
        body = bytes - len(head) - len(tail)
        text = head + line * (body // len(line)) + tail
    target = work / file
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(text.encode(encoding))


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Result:
    """What starting the CLI costs with nothing to do, so each case is judged on its own work."""
    cwd = tmp_path_factory.mktemp("baseline")
    runs = [run(["fields"], cwd) for _ in range(2)]
    return min(runs, key=lambda r: r.cpu)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input(case: dict[str, Any], tmp_path: Path, baseline: Result) -> None:
    if (case.get("stdout_full") or "/dev/full" in case["args"]) and not HAS_DEV_FULL:
        pytest.skip("no /dev/full here")
    work = tmp_path / "work"
    shutil.copytree(HERE / "files", work)
    if "generate" in case:
        generate(work, **case["generate"])
    before = snapshot(work)

    result = run(case["args"], work, stdin=case.get("stdin"), stdout_full=case.get("stdout_full", False))

    shown = f"exit {result.code}\nstdout: {result.stdout[-2000:]}\nstderr: {result.stderr[-2000:]}"
    assert "Traceback" not in result.stderr, shown
    assert result.code == case["exit"], shown
    if "stderr" in case:
        assert case["stderr"] in result.stderr, shown
        assert result.stderr.count("\n") <= 3 and len(result.stderr) < 1000, shown  # a message, not a dump
    if "stdout" in case:
        assert case["stdout"] in result.stdout, shown
    for needle in case.get("stdout_not", []):
        assert needle not in result.stdout, shown
    assert result.wall < MAX_WALL, f"took {result.wall:.2f} s"
    assert result.cpu - baseline.cpu < MAX_EXTRA_CPU, (
        f"{result.cpu:.2f} s CPU (start-up {baseline.cpu:.2f} s)"
    )
    assert result.memory_mb - baseline.memory_mb < MAX_EXTRA_MEMORY, (
        f"{result.memory_mb:.0f} MB peak (start-up {baseline.memory_mb:.0f} MB)"
    )
    after = snapshot(work)
    assert {name: after.get(name) for name in before} == before, "an input file changed"
    assert not [name for name in after if name not in before and not name.endswith(".lock")]


def test_every_corpus_file_is_used() -> None:
    """A file added to files/ without a case would silently test nothing."""
    used = {arg.split("/")[0] for case in CASES for arg in case["args"]}
    unused = {p.name for p in (HERE / "files").iterdir()} - used
    assert not unused, f"corpus files without a case: {sorted(unused)}"
