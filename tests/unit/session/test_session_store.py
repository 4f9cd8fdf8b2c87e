"""Saved sessions: versioned, migrated, validated, locked and saved atomically, so no turn is lost."""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import multiprocessing
import os
from pathlib import Path

import pytest

from assistant import files
from assistant.errors import ModelchoiceError, SessionError, SessionSaveError
from assistant.record import decision_record
from assistant.session import FORMAT_VERSION, Session, lock_path
from assistant.session import SessionError as OldName


@pytest.fixture(autouse=True)
def _fresh_inputs():
    files.forget_inputs()
    yield
    files.forget_inputs()


def write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def entry(turn: int, **extra: object) -> dict:
    return {"turn": turn, "user": "hi", "intent": "describe", "answer": "Noted.", "changes": {}, **extra}


def test_the_error_class_is_shared_and_still_importable_from_session() -> None:
    assert OldName is SessionError and issubclass(SessionError, ModelchoiceError)
    assert issubclass(SessionError, ValueError)  # older `except ValueError` callers still work


def test_round_trip_carries_the_format_version(tmp_path: Path) -> None:
    session = Session()
    session.apply({"privacy": "strict"}, "chat")
    session.record(entry(1))
    path = tmp_path / "s.json"
    session.save(path)
    assert json.loads(path.read_text())["version"] == FORMAT_VERSION
    loaded = Session.load(path)
    assert loaded.profile == session.profile and loaded.history == session.history


def test_missing_or_empty_file_starts_a_new_session(tmp_path: Path) -> None:
    assert Session.load(tmp_path / "new.json").facts == {}
    (tmp_path / "empty.json").write_text("")
    assert Session.load(tmp_path / "empty.json").history == []


def test_profile_without_facts_is_kept_as_facts_from_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "s.json", {"version": 1, "profile": {"privacy": "strict", "task": "narrow"}})
    session = Session.load(path)
    assert session.profile.to_dict() == {"task": "narrow", "privacy": "strict"}
    assert {f.source for f in session.facts.values()} == {"file"}
    session.save(path)  # saving no longer erases the profile
    again = json.loads(path.read_text())
    assert again["facts"]["privacy"] == {"value": "strict", "source": "file", "turn": 0}


def test_a_file_without_version_is_migrated(tmp_path: Path) -> None:
    path = write(tmp_path / "s.json", {"profile": {"privacy": "strict"}, "history": [entry(1)]})
    session = Session.load(path)
    assert session.facts["privacy"].source == "file" and len(session.history) == 1


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"version": 7, "facts": {}}, "written by a newer modelchoice (session format 7"),
        ({"version": "1.0.0", "name": "x"}, "unknown session format '1.0.0'"),
        ({"version": True}, "unknown session format True"),
        ({"name": "package", "dependencies": {}}, "not a modelchoice session (no version, facts or history)"),
        ([1, 2], "not a modelchoice session (expected a JSON object)"),
        ({"version": 1, "profile": {"privacy": "secret"}}, "profile: privacy: 'secret' is not allowed"),
        ({"version": 1, "facts": {"privacy": {"value": "x", "source": "chat"}}}, "not a valid modelchoice"),
        ({"version": 1, "facts": ["privacy"]}, "'facts' must be a mapping"),
    ],
)
def test_foreign_newer_or_broken_files_are_refused(tmp_path: Path, data: object, needle: str) -> None:
    path = write(tmp_path / "s.json", data)
    with pytest.raises(SessionError) as info:
        Session.load(path)
    assert needle in str(info.value)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    ("history", "needle"),
    [
        ("not a list", "'history' must be a list of turns"),
        ([entry(1), "text"], "history entry 2 is malformed: expected an object"),
        ([entry(1), entry(0)], "history entry 2 is malformed: 'turn' must be a whole number"),
        ([entry(True)], "history entry 1 is malformed: 'turn'"),
        ([{"turn": 1}], "history entry 1 is malformed: 'answer' is missing"),
        ([entry(1, user=3)], "'user' must be text or null"),
        ([entry(1, intent=None)], "'intent' must be text"),
        ([entry(1, changes=[])], "'changes' must be a mapping"),
        ([entry(1, citations=[1])], "'citations' must be a list of section ids"),
    ],
)
def test_malformed_history_names_the_entry(tmp_path: Path, history: object, needle: str) -> None:
    path = write(tmp_path / "s.json", {"version": 1, "history": history})
    with pytest.raises(SessionError) as info:
        Session.load(path)
    assert needle in str(info.value)
    assert "another --session file" in str(info.value)


def test_the_histories_the_conversation_writes_are_valid(tmp_path: Path) -> None:
    form = {"turn": 1, "user": None, "source": "form", "intent": "form", "changes": {"privacy": "strict"}}
    chat = entry(
        2, hypothetical=False, recommendation="custom", what_if=None, citations=["fm-cons"], guard={}
    )
    path = write(tmp_path / "s.json", {"version": 1, "history": [{**form, "answer": "ok"}, chat]})
    assert len(Session.load(path).history) == 2


def test_editing_saves_on_success_and_not_on_failure(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    with Session.editing(path) as session:
        session.record(entry(1))
    assert len(Session.load(path).history) == 1
    with pytest.raises(RuntimeError), Session.editing(path) as session:
        session.record(entry(2))
        raise RuntimeError("the turn failed")
    assert len(Session.load(path).history) == 1
    assert lock_path(path).exists()


def test_the_lock_wait_is_bounded(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    holder = os.open(lock_path(path), os.O_RDWR | os.O_CREAT)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        with (
            pytest.raises(SessionError, match="in use by another modelchoice process"),
            Session.editing(path, timeout=0.2),
        ):
            pass
    finally:
        os.close(holder)
    assert not path.exists()


def _add_turns(path: str, count: int) -> None:
    for _ in range(count):
        with Session.editing(Path(path)) as session:
            session.record(entry(session.turn_number))


def test_processes_take_turns(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_add_turns, args=(str(path), 10)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    assert [t["turn"] for t in Session.load(path).history] == list(range(1, 41))


def test_a_failed_save_leaves_the_file_and_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.json"
    Session().save(path)
    before = path.read_bytes()

    def denied(*args: object, **kwargs: object) -> object:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(files.tempfile, "mkstemp", denied)
    session = Session()
    session.apply({"privacy": "strict"}, "chat")
    with pytest.raises(SessionSaveError) as info:
        session.save(path)
    message = str(info.value)
    assert "cannot write the session: permission denied" in message
    assert "the file was left as it was" in message and "Hint: make" in message
    assert path.read_bytes() == before


def test_a_session_too_big_to_read_back_is_not_saved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("assistant.session.SESSION_LIMIT", 2000)
    session = Session()
    for turn in range(1, 40):
        session.record(entry(turn, answer="x" * 100))
    with pytest.raises(SessionSaveError, match="grown past 2,000 bytes"):
        session.save(tmp_path / "s.json")
    assert not (tmp_path / "s.json").exists()


def test_record_of_an_empty_session_gives_no_verdict() -> None:
    text = decision_record(Session(), {}, today=dt.date(2026, 1, 2))
    assert (
        "Decision: **none yet**: nothing is known about the project, so there is no recommendation." in text
    )
    assert "confidence" not in text and "a custom model" not in text
    for heading in ("## Project profile", "## Reasons", "## Counter-arguments", "## What would change it"):
        assert heading in text


def test_record_with_facts_still_decides() -> None:
    session = Session()
    session.apply({"data_type": "tabular", "privacy": "strict"}, "chat")
    assert "- Decision: **a custom model** (confidence" in decision_record(session, {})
