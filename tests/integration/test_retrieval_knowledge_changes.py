"""A knowledge file edited between two `modelchoice search` processes is noticed by the second one, although
readers no longer chunk every file to find out (they compare the files with the manifest the ingest
recorded in the store, see assistant/retrieval/manifest.py). Real CLI processes, real store and model."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]
EXE = str(Path(sys.executable).parent / "modelchoice")
NOTICE = "changed since the last ingest"
PAGE = "## Our own rule {#own-rule}\nWe always prototype with an API first.\n"
QUERY = "we always prototype with an API first"


def write_old(path: Path, text: str) -> None:
    """Write with an mtime an hour ago: outside the window in which readers hash files whatever their stat."""
    path.write_text(text, encoding="utf-8")
    old = time.time_ns() - 3600 * 1_000_000_000
    os.utime(path, ns=(old, old))


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A data dir with an extra knowledge dir holding one page, ingested by `modelchoice ingest`."""
    data, extra = tmp_path / "data", tmp_path / "extra"
    extra.mkdir()
    write_old(extra / "own.md", PAGE)
    exported = get_settings().data_dir / "onnx"
    if any(exported.glob("*/meta.json")):  # reuse the ONNX export (hard links) instead of exporting again
        shutil.copytree(exported, data / "onnx", copy_function=os.link, dirs_exist_ok=True)
    base = {k: v for k, v in os.environ.items() if not k.startswith("MODELCHOICE_")}
    environment = {
        **base,
        "MODELCHOICE_DATA_DIR": str(data),
        "MODELCHOICE_KNOWLEDGE": str(extra),
        "MODELCHOICE_LLM": "none",
        "HF_HUB_OFFLINE": "1",
    }
    run(environment, "ingest")
    return environment


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([EXE, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def search(env: dict[str, str]) -> tuple[str, str]:
    """(top section, stderr) of a new `modelchoice search` process."""
    result = run(env, "search", QUERY, "--k", "1", "--json")
    return json.loads(result.stdout)[0]["section"], result.stderr


def test_an_edit_between_two_search_processes_is_noticed(env: dict[str, str]) -> None:
    page = Path(env["MODELCHOICE_KNOWLEDGE"]) / "own.md"
    section, stderr = search(env)
    assert section == "own-rule" and NOTICE not in stderr

    os.utime(page)  # touched, same content: nothing changed
    assert NOTICE not in search(env)[1]

    page.write_text(PAGE.replace("an API", "AN API"), encoding="utf-8")  # same size, new mtime
    assert NOTICE in search(env)[1]

    run(env, "ingest")
    assert NOTICE not in search(env)[1]

    write_old(page, PAGE + "We keep a log of every prototype.\n")  # another size, an old mtime
    section, stderr = search(env)
    assert section == "own-rule" and NOTICE in stderr and "modelchoice ingest" in stderr
