"""Profiles, passages and a guard factory shared by the tests in tests/unit/guard/ and tests/unit/explain/.

`guard(profile, passages, what_if=..., previous=..., intent=...)` builds the guard of one turn the way the
LLM writer does; `failed(guard, text)` lists the checks a text fails.
"""

from __future__ import annotations

from typing import Any

from assistant.engine import decide
from assistant.guard import Evidence, Guard
from assistant.knowledge import section_index
from assistant.settings import Settings
from assistant.types import PassageRef, WhatIf

SECTIONS = section_index(Settings().knowledge_dirs)
TITLES = {sid: s.title for sid, s in SECTIONS.items()}

BANK = {
    "data_type": "tabular",
    "task": "narrow",
    "stage": "production",
    "ml_team": True,
    "privacy": "strict",
    "external_api_ok": False,
    "control": True,
}  # -> custom
CHATBOT = {
    "data_type": "text",
    "task": "open_ended",
    "stage": "prototype",
    "ml_team": False,
    "external_api_ok": True,
    "latency": "interactive",
    "volume": "low",
}  # -> foundation
SEGMENTATION = {
    "data_type": "image",
    "task": "narrow",
    "labeled_data": "none",
    "ml_team": True,
    "stage": "production",
}  # -> hybrid (foundation model as a labelling tool)
TEXT_TEAM = {"data_type": "text", "ml_team": True}  # -> custom; without the ML team -> foundation


def ref(section: str) -> PassageRef:
    s = SECTIONS[section]
    return PassageRef(f"{section}#0", section, s.title, s.source, s.text)


def guard(
    profile: dict[str, Any],
    passages: list[str] | None = None,
    *,
    what_if: dict[str, Any] | None = None,
    previous: dict[str, Any] | None = None,
    intent: str = "recommend",
) -> Guard:
    decision = decide(profile)
    w = WhatIf(what_if, decision, decide(decision.profile.with_changes(what_if))) if what_if else None
    focus = w.after if w else decision
    ids = passages if passages is not None else focus.sources[:4]
    prev = decide(previous) if previous is not None else None
    return Guard(Evidence.build(decision, [ref(i) for i in ids], intent=intent, what_if=w, previous=prev))


def failed(g: Guard, text: str) -> list[str]:
    return g.check(text).failed()
