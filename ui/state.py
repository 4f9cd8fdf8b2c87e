"""The conversation as the browser keeps it, so any app process can serve any turn.

The server holds no session: each event carries the browser's copy (a `gr.BrowserState`, kept in the tab's
localStorage) and returns the new one. That copy is the `Session` in its saved form (`Session.to_dict`,
read back with `Session.from_dict`, which validates and migrates it) plus what the page shows beyond
component values (`shown`), so a reply can send a plain value instead of a costlier component update
when nothing else changed. The chat itself is not stored: it is rebuilt from the session's history.

What a client sends back is untrusted input: anything that is not a valid session starts a new one
(logged), and the copy is kept under `MAX_STATE_CHARS` by dropping the oldest turns, so a long
conversation can neither outgrow the browser's storage nor the request size limit.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from assistant import Session, SessionError
from assistant.types import JSON

log = logging.getLogger(__name__)

STATE_VERSION = 1
MAX_STATE_CHARS = 1_000_000  # the serialised copy a client may hold; the request limit is above it
MAX_TURNS_KEPT = 200  # turns the browser keeps (the chat shows them; older ones are dropped)
STORAGE_KEY = "modelchoice-conversation"  # the same in every app process, so a reload finds it anywhere


@dataclass
class Visit:
    """One browser tab's conversation while an event is served: the session and what the page shows."""

    session: Session = field(default_factory=Session)
    shown: dict[str, JSON] = field(default_factory=dict)
    turns: int = 0  # turns and form edits so far (the card's data-turns; survives dropped history)


def load(raw: object) -> Visit:
    """The visit a client sent; a missing, foreign or broken copy starts a new conversation."""
    if raw is None or raw == {} or raw == "":
        return Visit()
    if not isinstance(raw, Mapping) or raw.get("v") != STATE_VERSION:
        log.warning("a browser sent a conversation in an unknown format; starting a new one")
        return Visit()
    try:
        session = Session.from_dict(_mapping(raw.get("session")), "the browser's conversation")
    except SessionError as exc:
        log.warning("%s; starting a new conversation", exc)
        return Visit()
    shown = raw.get("shown")
    turns = raw.get("turns")
    return Visit(
        session,
        dict(shown) if isinstance(shown, Mapping) else {},
        turns if isinstance(turns, int) and not isinstance(turns, bool) else len(session.history),
    )


def dump(visit: Visit) -> dict[str, JSON]:
    """The copy the browser keeps: JSON only, bounded in turns and characters."""
    session = visit.session
    if len(session.history) > MAX_TURNS_KEPT:
        session.history = session.history[-MAX_TURNS_KEPT:]
    data = session.to_dict()
    history = list(session.history)
    data["history"] = history
    state: dict[str, JSON] = {"v": STATE_VERSION, "session": data, "shown": visit.shown, "turns": visit.turns}
    if len(history) > 1:
        size = len(json.dumps(state, ensure_ascii=False, separators=(",", ":")))
        while size > MAX_STATE_CHARS and len(history) > 1:
            dropped = history.pop(0)
            size -= len(json.dumps(dropped, ensure_ascii=False, separators=(",", ":"))) + 1
        session.history = list(history)
    return state


def fresh() -> dict[str, JSON]:
    """A new conversation's copy (what "New conversation" and the chat's clear button store)."""
    return dump(Visit())


def _mapping(value: object) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise SessionError("the browser's conversation: not a session")
    return value
