"""Sessions under pressure, through the real CLI: concurrent turns on one file, outputs aimed at the
session, a directory that cannot be written, a full stdout. Nothing may be lost or destroyed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from support.paths import EXE

TURNS = 20
Result = subprocess.CompletedProcess[str]


def _env(home: Path) -> dict[str, str]:
    env = {**os.environ, "HOME": str(home), "MODELCHOICE_DATA_DIR": str(home / ".data")}
    env["MODELCHOICE_CHROMA_URL"] = "http://127.0.0.1:9"  # no store: the turns answer from the rules only
    for name in ("MODELCHOICE_RULES", "MODELCHOICE_KNOWLEDGE", "MODELCHOICE_LLM"):
        env.pop(name, None)
    return env


def ask(home: Path, text: str, session: Path, prefix: tuple[str, ...] = (), stdout: object = None) -> Result:
    return subprocess.run(
        [*prefix, EXE, "ask", text, "--session", str(session)],
        stdout=stdout or subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(home),
        timeout=120,
        check=False,
    )


def history(session: Path) -> list[dict]:
    return json.loads(session.read_text(encoding="utf-8"))["history"]


def test_concurrent_turns_on_one_session_are_all_kept(tmp_path: Path) -> None:
    session = tmp_path / "s.json"
    procs = [
        subprocess.Popen(
            [EXE, "ask", f"turn {n}: we classify support tickets", "--session", str(session)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(tmp_path),
        )
        for n in range(1, TURNS + 1)
    ]
    results = [(proc, *proc.communicate(timeout=300)) for proc in procs]
    for proc, out, err in results:
        assert proc.returncode == 0, err
        assert "Traceback" not in err
        assert out.strip()
    turns = history(session)
    assert len(turns) == TURNS
    assert sorted(int(t["user"].split()[1].rstrip(":")) for t in turns) == list(range(1, TURNS + 1))
    assert [t["turn"] for t in turns] == list(range(1, TURNS + 1))  # each turn saw the one before
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_record_refuses_to_overwrite_its_session(tmp_path: Path) -> None:
    session = tmp_path / "s.json"
    assert (
        ask(tmp_path, "We are a bank scoring credit applications from tabular data.", session).returncode == 0
    )
    before = session.read_bytes()
    result = subprocess.run(
        [EXE, "record", "--session", str(session), "--out", str(session)],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "refusing to write the decision record over a file it was read from" in result.stderr
    assert "Traceback" not in result.stderr
    assert session.read_bytes() == before
    link = tmp_path / "link.json"
    link.symlink_to(session)
    via_link = subprocess.run(
        [EXE, "record", "--session", str(session), "--out", str(link)],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=60,
        check=False,
    )
    assert via_link.returncode == 2 and session.read_bytes() == before


def _unprivileged() -> tuple[str, ...]:
    """A prefix that makes permissions apply: root ignores a read-only directory, root without its
    capabilities does not."""
    if os.geteuid() != 0:
        return ()
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: cannot make a directory unwritable")
    return ("setpriv", "--bounding-set=-all", "--inh-caps=-all", "--")


def test_unwritable_session_directory_prints_the_answer_then_fails_clearly(tmp_path: Path) -> None:
    prefix = _unprivileged()
    folder = tmp_path / "locked"
    folder.mkdir()
    session = folder / "s.json"
    assert ask(tmp_path, "We classify support tickets.", session).returncode == 0
    before = session.read_bytes()
    folder.chmod(0o555)
    try:
        result = ask(tmp_path, "We have plenty of labelled data.", session, prefix)
    finally:
        folder.chmod(0o755)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "recommendation" in result.stdout.lower()  # the answer came first
    assert "cannot write the session: permission denied" in result.stderr
    assert "Hint: make" in result.stderr and "writable" in result.stderr
    assert session.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["s.json", "s.json.lock"]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_a_full_stdout_still_saves_the_turn(tmp_path: Path) -> None:
    session = tmp_path / "s.json"
    with open("/dev/full", "w") as full:
        result = ask(tmp_path, "We classify support tickets.", session, stdout=full)
    assert result.returncode == 2
    assert "no space left on the device; the turn is saved in" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(history(session)) == 1


def test_chat_saves_every_turn(tmp_path: Path) -> None:
    session = tmp_path / "s.json"
    result = subprocess.run(
        [EXE, "chat", "--session", str(session)],
        input="We classify support tickets.\nwhy?\nquit\n",
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert [t["user"] for t in history(session)] == ["We classify support tickets.", "why?"]


def test_record_out_in_a_read_only_directory_is_a_message(tmp_path: Path) -> None:
    prefix = _unprivileged()
    session = tmp_path / "s.json"
    assert ask(tmp_path, "We classify support tickets.", session).returncode == 0
    folder = tmp_path / "readonly"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = subprocess.run(
            [*prefix, EXE, "record", "--session", str(session), "--out", str(folder / "r.md")],
            capture_output=True,
            text=True,
            env=_env(tmp_path),
            timeout=60,
            check=False,
        )
    finally:
        folder.chmod(0o755)
    assert result.returncode == 2
    assert "r.md: cannot write the decision record: permission denied" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(folder.iterdir()) == []
