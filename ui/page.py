"""What the page shows for one conversation: the chat and the side panel, as values for Gradio's outputs.

Pure functions of a `Visit` (no Gradio import), shared by every event, so one event per turn can answer
and refresh the panel together. The app registers its events with Gradio's pre- and postprocessing off,
so the values here are already in the form the browser receives (e.g. chat messages as Gradio's Chatbot
sends them). That is cheaper by a thread hop and a validation per output and per event.

Cost note (Gradio 6.31): an update for an output (a dict with "__type__": "update") makes Gradio build a
new component and its config, about 0.5 ms each; a plain value does not. So the panel sends plain values,
and an update only where a property other than the value changes (a field's provenance, a button or the
what-if buttons appearing or going). `Visit.shown` records those properties as the page has them; it travels
with the conversation, so every process knows what the page shows.

Language: the page speaks `wording.session_language` (the session's choice, else its latest answer's
language, else English). The words outside the panel (buttons, headings, placeholders: `CHROME_KEYS`) are
sent as updates only when that language (or the language setting) differs from what the page shows.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Final

from assistant import FIELDS, Counterfactual, Decision, PassageRef, WhatIf, decide, wording
from assistant.knowledge import Section
from assistant.types import JSON, LANGUAGES

from . import render, whatif
from .state import Visit

CHOICES: Final = whatif.MAX_OFFERED  # what-if buttons on the page
FIELD_NAMES: Final = tuple(FIELDS)
# Outputs of the side panel, in this order (the app builds the components in the same order).
PANEL_KEYS: Final = (
    "card",
    "comparison",
    "change_intro",
    *(f"cf{i}" for i in range(CHOICES)),
    "why",
    *FIELD_NAMES,
    "sources",
)
# Outputs outside the panel whose words depend on the language, in this order; the text box and the chat
# (outputs of their own) also take new words, see `chrome`.
CHROME_KEYS: Final = (
    "header",
    "send",
    "new",
    "export",
    "language",
    "adopt",
    "keep",
    "panel_change",
    "panel_why",
    "panel_profile",
    "profile_intro",
    "fields_help",
    "panel_sources",
    "footer",
)
EXAMPLES: Final = ("bank", "chatbot", "video", "segmentation")  # the article's cases (ui.yaml: example.*)
LANGUAGE_SETTINGS: Final = ("auto", *LANGUAGES)
# The page as first served: English, automatic language, no what-if buttons, no field known.
SERVED: Final[dict[str, JSON]] = {
    "chrome": ["en", "auto"],
    **{f"cf{i}": False for i in range(CHOICES)},
    **{name: ["en", render.form_info(name, None)] for name in FIELD_NAMES},
}
Message = dict[str, JSON]


def update(**props: JSON) -> dict[str, JSON]:
    """A component update as Gradio reads it (what `gr.update(...)` returns)."""
    return {"__type__": "update", **props}


def message(role: str, text: str) -> Message:
    """One chat message in the form Gradio's Chatbot sends it to the browser (its postprocess output)."""
    return {
        "role": role,
        "metadata": None,
        "content": [{"text": inspect.cleandoc(text), "type": "text"}],
        "options": None,
    }


def chat(visit: Visit, sections: Mapping[str, Section]) -> list[Message]:
    """The chat, rebuilt from the session's history: each turn's line and answer; a form edit's note."""
    out: list[Message] = []
    for entry in visit.session.history:
        answer = str(entry.get("answer", ""))
        if entry.get("intent") == "form":
            if entry.get("changes"):
                out.append(message("assistant", f"_{answer}_"))
            continue
        user = entry.get("user")
        if user:
            out.append(message("user", str(user)))
        out.append(message("assistant", render.chat_text(answer, sections)))
    return out


def offers(visit: Visit, decision: Decision) -> list[Counterfactual]:
    """What the what-if buttons stand for (the same for a visit wherever it is computed)."""
    return whatif.offered(decision, whatif.stated(visit.session), CHOICES)


def panel(visit: Visit, sections: Mapping[str, Section]) -> list[object]:
    """The side panel's outputs for this visit, in `PANEL_KEYS` order; updates `visit.shown`."""
    session = visit.session
    lang = wording.session_language(session)
    decision = decide(session.profile)
    choices = offers(visit, decision)
    pending = session.pending
    if pending:
        hypothetical = decide(session.profile.with_changes(pending.changes), counterfactuals=False)
        comparison = render.what_if(WhatIf(dict(pending.changes), decision, hypothetical), lang)
    else:
        comparison = ""
    shown = visit.shown

    def prop(key: str, props: JSON, value: JSON, **changes: JSON) -> object:
        """`value` as is when only it changed; an update when `props` (other properties) did."""
        if shown.get(key, SERVED.get(key)) == props:
            return value
        shown[key] = props
        return update(value=value, **changes)

    labels = [whatif.label(cf, lang) for cf in choices]
    labels += [""] * (CHOICES - len(labels))
    buttons = [prop(f"cf{i}", bool(text), text, visible=bool(text)) for i, text in enumerate(labels)]
    fields = []
    for name in FIELD_NAMES:
        fact = session.facts.get(name)
        info = render.form_info(name, fact.source if fact else None, lang)
        value = render.form_value(fact.value if fact else None)
        label = wording.field_label(name, lang)
        options: list[JSON] = [list(c) for c in render.choices(name, lang)]
        fields.append(prop(name, [lang, info], value, info=info, label=label, choices=options))
    return [
        render.card(decision, len(session.facts), visit.turns, lang),
        comparison,  # the box around it (with adopt / keep) shows only when it has one: see theme.CSS
        render.change_intro(decision, len(choices), lang),
        *buttons,
        render.why(decision, sections, lang),
        *fields,
        render.passages(last_sources(visit, sections), sections, answered=bool(session.history), lang=lang),
    ]


def chrome(visit: Visit) -> dict[str, dict[str, JSON]]:
    """The properties to send to the text box, the chat and every `CHROME_KEYS` output when the page's
    language or language setting differs from what it shows; empty when nothing changes. Updates `shown`."""
    lang = wording.session_language(visit.session)
    setting = visit.session.lang or "auto"
    if visit.shown.get("chrome", SERVED["chrome"]) == [lang, setting]:
        return {}
    visit.shown["chrome"] = [lang, setting]
    w = render.words(lang)
    html = render.esc
    return {
        "textbox": {"placeholder": w("input.placeholder")},
        "chatbot": {"placeholder": w("intro"), "examples": [dict(e) for e in examples(lang)]},
        "header": {"value": f'<div class="mc-brand"><h1>modelchoice</h1><p>{w("brand")}</p></div>'},
        "send": {"value": w("send")},
        "new": {"value": w("new")},
        "export": {"value": w("export")},
        "language": {"value": setting, "choices": [list(c) for c in language_choices(lang)]},
        "adopt": {"value": w("adopt")},
        "keep": {"value": w("keep")},
        "panel_change": {"label": w("panel.change")},
        "panel_why": {"label": w("panel.why")},
        "panel_profile": {"label": w("panel.profile")},
        "profile_intro": {"value": f'<p class="mc-muted">{html(w("profile.intro"))}</p>'},
        "fields_help": {"value": render.field_help(lang)},
        "panel_sources": {"label": w("panel.sources")},
        "footer": {"value": f'<p class="mc-footer mc-muted">{html(w("footer"))}</p>'},
    }


def examples(lang: str = "en") -> list[dict[str, str]]:
    """The chat's example cases (the article's), as Gradio's Chatbot takes them."""
    w = render.words(lang)
    return [{"display_text": w(f"example.{key}"), "text": w(f"example.{key}.text")} for key in EXAMPLES]


def language_choices(lang: str = "en") -> list[tuple[str, str]]:
    """The language control's (label, value) pairs: Auto, English, Русский (each language in itself)."""
    return [(render.words(lang)("language.auto"), "auto"), ("English", "en"), ("Русский", "ru")]


def last_sources(visit: Visit, sections: Mapping[str, Section]) -> list[PassageRef]:
    """The sections the last answer cited (a form edit's note cites nothing and does not count)."""
    for entry in reversed(visit.session.history):
        if entry.get("intent") == "form":
            continue
        cited = entry.get("citations") or []
        return [
            PassageRef(f"{sid}#0", sid, sections[sid].title, sections[sid].source, sections[sid].text)
            for sid in dict.fromkeys(str(c) for c in cited)
            if sid in sections
        ]
    return []
