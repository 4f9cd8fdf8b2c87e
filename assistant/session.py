"""One conversation's state: the profile with where each value came from, the turn history, a pending
what-if, and an undo stack. Plain data that serialises to JSON so a conversation can be saved and resumed.

The decision is never stored as state: it is recomputed from the profile, so it cannot go stale.
Saving is atomic and `Session.editing` serialises a load-change-save across processes, so concurrent
`ask --session S` calls never lose a turn.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .errors import OutputError, ProfileError, SessionError, SessionSaveError
from .files import SESSION_LIMIT, load_json, read_text, reason, write_text
from .profile import FIELDS, Profile, parse_value
from .types import LANGUAGES, Value

__all__ = ["FORMAT_VERSION", "SOURCES", "Fact", "PendingWhatIf", "Session", "SessionError"]

log = logging.getLogger(__name__)

SOURCES = ("form", "chat", "file", "assumed")
FORMAT_VERSION = 1  # bump when the layout changes, and teach `_migrate` the step from the previous one
LOCK_TIMEOUT = 30.0  # seconds a turn waits for another process using the same session file
_MOVE_AWAY = "move it away or pass another --session file"


@dataclass(frozen=True)
class Fact:
    value: Value
    source: str  # form | chat | file | assumed
    turn: int  # the turn that set it (0: before the conversation)


@dataclass(frozen=True)
class PendingWhatIf:
    changes: dict[str, Value]
    before: str  # recommendation before
    after: str  # recommendation under the hypothetical changes


@dataclass
class Session:
    facts: dict[str, Fact] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)
    pending: PendingWhatIf | None = None
    asked_field: str | None = None
    undo_stack: list[dict[str, Fact]] = field(default_factory=list)
    lang: str | None = None  # the language answers are written in (None: the language of each message)

    @property
    def profile(self) -> Profile:
        return Profile({name: fact.value for name, fact in self.facts.items()})

    @property
    def recent_lang(self) -> str:
        """The language of the latest answer (a button press has no words of its own to go by)."""
        return next((str(h["lang"]) for h in reversed(self.history) if h.get("lang") in LANGUAGES), "en")

    @property
    def turn_number(self) -> int:
        return len(self.history) + 1

    def provenance(self) -> dict[str, str]:
        return {name: fact.source for name, fact in self.facts.items()}

    def apply(self, changes: Mapping[str, Value | None], source: str) -> dict[str, Value | None]:
        """Set (or with None, clear) fields; returns what actually changed. One undo step per call."""
        if source not in SOURCES:
            raise ValueError(f"unknown source {source!r}")
        actual: dict[str, Value | None] = {}
        for name, raw in changes.items():
            value = parse_value(name, raw)
            current = self.facts.get(name)
            if (current.value if current else None) != value or (
                current is not None and current.source != source
            ):
                actual[name] = value
        if not actual:
            return {}
        self.undo_stack.append(dict(self.facts))
        for name, value in actual.items():
            if value is None:
                self.facts.pop(name, None)
            else:
                self.facts[name] = Fact(value, source, self.turn_number)
        self.facts = {n: self.facts[n] for n in FIELDS if n in self.facts}
        return actual

    def undo(self) -> bool:
        if not self.undo_stack:
            return False
        self.facts = self.undo_stack.pop()
        self.pending = None
        return True

    def reset(self) -> None:
        self.undo_stack.append(dict(self.facts))
        self.facts = {}
        self.pending = None
        self.asked_field = None

    def record(self, entry: dict[str, Any]) -> None:
        self.history.append({"turn": self.turn_number, **entry})

    # --- persistence ---------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "profile": self.profile.to_dict(),
            "facts": {name: asdict(fact) for name, fact in self.facts.items()},
            "pending": asdict(self.pending) if self.pending else None,
            "asked_field": self.asked_field,
            "lang": self.lang,
            "history": self.history,
            "undo_stack": [{n: asdict(f) for n, f in snapshot.items()} for snapshot in self.undo_stack[-20:]],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], origin: str = "session") -> Session:
        """A session from its saved form; older layouts are migrated, newer or foreign ones refused."""
        data = _migrate(data, origin)
        try:
            pending = data.get("pending")
            return cls(
                facts=_facts(data.get("facts") or {}, origin),
                history=_history(data.get("history"), origin),
                pending=PendingWhatIf(dict(Profile(pending["changes"])), pending["before"], pending["after"])
                if pending
                else None,
                asked_field=data.get("asked_field") if data.get("asked_field") in FIELDS else None,
                undo_stack=[_facts(s, origin) for s in data.get("undo_stack") or []],
                lang=data.get("lang") if data.get("lang") in LANGUAGES else None,
            )
        except SessionError:
            raise
        except (KeyError, TypeError, AttributeError, ValueError, ProfileError) as exc:
            raise SessionError(f"{origin}: not a valid modelchoice session ({exc}); {_MOVE_AWAY}") from None

    def save(self, path: Path) -> None:
        """Atomic write: a crash, a full disk or a read-only directory never leaves a half-written
        session behind; the file on disk is either the old one or the new one."""
        path = Path(path)
        text = json.dumps(self.to_dict(), indent=2)
        kept = "the file was left as it was, without the latest turn"
        if len(text.encode("utf-8")) > SESSION_LIMIT:
            raise SessionSaveError(
                f"{path}: the session has grown past {SESSION_LIMIT:,} bytes; {kept}. Hint: write it up "
                "with `modelchoice record` and start a new --session file"
            )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_text(path, text, what="the session", allow=path)
        except (OSError, OutputError) as exc:
            detail = str(exc) if isinstance(exc, OutputError) else f"{path}: cannot save the session: {exc}"
            raise SessionSaveError(
                f"{detail}; {kept}. Hint: make {path.parent} writable, or pass --session with a file "
                "in a writable directory"
            ) from None

    @classmethod
    def load(cls, path: Path) -> Session:
        """A missing or empty file starts a new session; an unreadable one is an error (never silently
        overwritten)."""
        path = Path(path)
        if str(path) in ("", "."):
            raise SessionError("--session needs a file name")
        if not path.exists() and not path.is_symlink():
            return cls()
        text = read_text(path, what="the session", limit=SESSION_LIMIT, error=SessionError)
        if not text.strip():
            return cls()
        try:
            data = load_json(text, f"{path}: cannot read the session", SessionError)
        except SessionError as exc:
            raise SessionError(f"{exc}; {_MOVE_AWAY}") from None
        if not isinstance(data, dict):
            raise SessionError(f"{path}: not a modelchoice session (expected a JSON object); {_MOVE_AWAY}")
        return cls.from_dict(data, str(path))

    @classmethod
    @contextmanager
    def editing(cls, path: Path, *, timeout: float = LOCK_TIMEOUT) -> Iterator[Session]:
        """Load, let the caller change, and save the session while holding its lock, so concurrent
        processes take turns instead of overwriting each other. Nothing is saved if the block fails."""
        path = Path(path)
        if str(path) in ("", "."):
            raise SessionError("--session needs a file name")
        if path.is_dir():
            raise SessionError(f"{path}: --session is a directory; give a file name")
        with _locked(path, timeout):
            session = cls.load(path)
            yield session
            session.save(path)


# --- locking ---------------------------------------------------------------------------------------
def lock_path(path: Path) -> Path:
    """The sidecar file whose flock guards `path` (the session itself is replaced on every save, so
    it cannot carry the lock); next to the real file, so a symlink and its target share one lock."""
    real = Path(os.path.realpath(path))
    return real.with_name(real.name + ".lock")


def _open_lock(path: Path) -> int | None:
    """The lock file; in a directory we cannot write, the lock file or the session opened read-only
    (flock works on those too); None when there is nothing to lock (then nothing can be saved either)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(lock_path(path), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except OSError as exc:
        if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT):
            raise
    for candidate in (lock_path(path), path):
        try:
            return os.open(candidate, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            continue
    return None


@contextmanager
def _locked(path: Path, timeout: float) -> Iterator[None]:
    """An exclusive, cross-process lock on the session for a load-change-save; waits up to `timeout`
    seconds for the process holding it, then gives up with a message (and changes nothing)."""
    try:
        fd = _open_lock(path)
    except OSError as exc:
        raise SessionError(f"{path}: cannot lock the session: {reason(exc)}") from None
    if fd is None:
        yield
        return
    try:
        deadline = time.monotonic() + timeout
        pause = 0.01
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise SessionError(
                        f"{path}: the session is in use by another modelchoice process (waited "
                        f"{timeout:g} s); nothing was changed: try again when it has finished"
                    ) from None
                time.sleep(pause)
                pause = min(pause * 2, 0.1)
        yield
    finally:
        os.close(fd)  # closing releases the lock


# --- reading saved sessions ----------------------------------------------------------------------
def _migrate(data: Mapping[str, Any], origin: str) -> dict[str, Any]:
    """The current layout from any layout this version understands (each step logs what it did)."""
    out = dict(data)
    version = out.get("version")
    if version is None:
        if not {"facts", "profile", "history"} & set(out):
            raise SessionError(
                f"{origin}: not a modelchoice session (no version, facts or history); {_MOVE_AWAY}"
            )
        log.info("%s: session without a format version; reading it as format %d", origin, FORMAT_VERSION)
        out["version"] = version = FORMAT_VERSION
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise SessionError(
            f"{origin}: unknown session format {version!r}; this is not a modelchoice session, {_MOVE_AWAY}"
        )
    if version > FORMAT_VERSION:
        raise SessionError(
            f"{origin}: written by a newer modelchoice (session format {version}; this version reads "
            f"format {FORMAT_VERSION}): upgrade modelchoice, or pass another --session file"
        )
    profile = out.get("profile")
    if not out.get("facts") and profile:
        if not isinstance(profile, Mapping):
            raise SessionError(f"{origin}: 'profile' must be a mapping of field: value; {_MOVE_AWAY}")
        try:
            values = Profile(profile)
        except ProfileError as exc:
            raise SessionError(f"{origin}: profile: {exc}; {_MOVE_AWAY}") from None
        out["facts"] = {name: {"value": value, "source": "file", "turn": 0} for name, value in values.items()}
        log.info(
            "%s: a profile without facts; keeping its %d fields as facts from the file", origin, len(values)
        )
    return out


def _facts(raw: Any, origin: str) -> dict[str, Fact]:
    if not isinstance(raw, Mapping):
        raise SessionError(f"{origin}: 'facts' must be a mapping of field: fact; {_MOVE_AWAY}")
    out = {}
    for name, fact in raw.items():
        value = parse_value(name, fact["value"])
        if value is None or fact["source"] not in SOURCES:
            raise SessionError(
                f"{origin}: not a valid modelchoice session (bad fact for {name!r}); {_MOVE_AWAY}"
            )
        out[name] = Fact(value, fact["source"], int(fact.get("turn", 0)))
    return out


def _history(raw: Any, origin: str) -> list[dict[str, Any]]:
    """The recorded turns, each checked: a malformed entry is named, never dropped or kept silently."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise SessionError(
            f"{origin}: 'history' must be a list of turns, got {type(raw).__name__}; {_MOVE_AWAY}"
        )
    for number, entry in enumerate(raw, 1):
        problem = _entry_problem(entry)
        if problem:
            raise SessionError(
                f"{origin}: history entry {number} is malformed: {problem}; fix or remove that entry, "
                "or pass another --session file"
            )
    return list(raw)


_TEXT_OR_NULL = ("user", "source", "recommendation")
_TEXT = ("intent", "answer")


def _entry_problem(entry: Any) -> str | None:
    if not isinstance(entry, dict):
        return f"expected an object, got {type(entry).__name__}"
    turn = entry.get("turn")
    if isinstance(turn, bool) or not isinstance(turn, int) or turn < 1:
        return "'turn' must be a whole number from 1"
    if not isinstance(entry.get("answer"), str):
        return "'answer' is missing or not text"
    for key in _TEXT:
        if key in entry and not isinstance(entry[key], str):
            return f"{key!r} must be text"
    for key in _TEXT_OR_NULL:
        if entry.get(key) is not None and not isinstance(entry[key], str):
            return f"{key!r} must be text or null"
    if not isinstance(entry.get("changes", {}), dict):
        return "'changes' must be a mapping of field: value"
    citations = entry.get("citations", [])
    if not isinstance(citations, list) or not all(isinstance(c, str) for c in citations):
        return "'citations' must be a list of section ids"
    return None
