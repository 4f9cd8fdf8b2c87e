"""One conversation's state: the profile with where each value came from, the turn history, a pending
what-if, and an undo stack. Plain data that serialises to JSON so a conversation can be saved and resumed.

The decision is never stored as state: it is recomputed from the profile, so it cannot go stale.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .profile import FIELDS, Profile, ProfileError, Value, parse_value

SOURCES = ("form", "chat", "file", "assumed")
FORMAT_VERSION = 1


class SessionError(ValueError):
    """A session file that cannot be read; the message says which file and why."""


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

    @property
    def profile(self) -> Profile:
        return Profile({name: fact.value for name, fact in self.facts.items()})

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
            "history": self.history,
            "undo_stack": [{n: asdict(f) for n, f in snapshot.items()} for snapshot in self.undo_stack[-20:]],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], origin: str = "session") -> Session:
        try:
            if data.get("version") != FORMAT_VERSION:
                raise SessionError(f"{origin}: unsupported session format {data.get('version')!r}")

            def facts(raw: Mapping[str, Any]) -> dict[str, Fact]:
                out = {}
                for name, fact in raw.items():
                    value = parse_value(name, fact["value"])
                    if value is None or fact["source"] not in SOURCES:
                        raise SessionError(f"{origin}: bad fact for {name!r}")
                    out[name] = Fact(value, fact["source"], int(fact.get("turn", 0)))
                return out

            pending = data.get("pending")
            return cls(
                facts=facts(data.get("facts") or {}),
                history=list(data.get("history") or []),
                pending=PendingWhatIf(dict(Profile(pending["changes"])), pending["before"], pending["after"])
                if pending
                else None,
                asked_field=data.get("asked_field") if data.get("asked_field") in FIELDS else None,
                undo_stack=[facts(s) for s in data.get("undo_stack") or []],
            )
        except SessionError:
            raise
        except (KeyError, TypeError, AttributeError, ValueError, ProfileError) as exc:
            raise SessionError(f"{origin}: not a valid modelchoice session ({exc})") from None

    def save(self, path: Path) -> None:
        """Atomic write: a crash mid-save never leaves a half-written session behind."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(self.to_dict(), handle, indent=2)
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> Session:
        """A missing file starts a new session; an unreadable one is an error (never silently overwritten)."""
        path = Path(path)
        if not path.exists():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise SessionError(
                f"{path}: cannot read the session ({exc}); move it away or pass another --session file"
            ) from None
        if not isinstance(data, dict):
            raise SessionError(f"{path}: not a modelchoice session")
        return cls.from_dict(data, str(path))
