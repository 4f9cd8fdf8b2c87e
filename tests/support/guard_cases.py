"""Profiles, passages and a guard factory shared by the tests in tests/unit/guard/ and tests/unit/explain/.

`guard(profile, passages, what_if=..., previous=..., intent=...)` builds the guard of one turn the way the
LLM writer does; `failed(guard, text)` lists the checks a text fails; `explainer_answers` and `profiles`
give every deterministic answer for a (generated) profile with the guard of its turn.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from assistant import explain
from assistant.engine import decide
from assistant.guard import Evidence, Guard
from assistant.knowledge import section_index
from assistant.profile import FIELDS
from assistant.settings import Settings
from assistant.types import AnswerContext, PassageRef, WhatIf

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


def explainer_answers(
    profile: dict[str, Any], field: str, value: Any, lang: str = "en"
) -> list[tuple[str, Guard]]:
    """Every deterministic answer for the profile in `lang` (and for the what-if and the change of `field`
    to `value`), each with the guard of its turn as the LLM writer builds it (`Evidence.from_context`)."""
    d = decide(profile)
    missing = d.missing[0] if d.missing else None
    ctx = AnswerContext(
        decision=d, titles=TITLES, passages=[ref(s) for s in d.sources[:4]], question_field=missing, lang=lang
    )
    out = [(i, ctx, explain.answer(i, ctx)) for i in ("recommend", "why", "change_mind", "concept")]
    for target in ("custom", "foundation", "hybrid"):
        c = AnswerContext(**{**ctx.__dict__, "target": target})
        out.append(("why_not", c, explain.why_not(c)))
    after = decide(d.profile.with_changes({field: value}))
    passages = [ref(s) for s in after.sources[:4]]
    w = AnswerContext(**{**ctx.__dict__, "what_if": WhatIf({field: value}, d, after), "passages": passages})
    out.append(("what_if", w, explain.what_if(w)))
    changed = {"decision": after, "changes": {field: value}, "previous": d, "passages": passages}
    a = AnswerContext(**{**ctx.__dict__, **changed})
    out.append(("describe", a, explain.recommendation(a)))
    result = []
    for intent, c, answer in out:
        evidence = Evidence.from_context(c, list(c.passages) + [ref(x.id) for x in answer.citations], intent)
        assert evidence.lang == lang
        result.append((answer.text, Guard(evidence)))
    return result


@st.composite
def profiles(draw: Any) -> tuple[dict[str, Any], str, Any]:
    """A random (partial) profile, and a field and value to change."""
    names = draw(st.lists(st.sampled_from(list(FIELDS)), unique=True, max_size=len(FIELDS)))
    profile = {n: draw(st.sampled_from(FIELDS[n].values)) for n in names}
    field = draw(st.sampled_from(list(FIELDS)))
    return profile, field, draw(st.sampled_from(FIELDS[field].values))
