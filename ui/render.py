"""HTML for the side panel: the recommendation card, the reasons, the what-if comparison and the sources.

Pure functions from the library's objects to small, escaped HTML strings (no Gradio import), so they are
cheap, testable and identical for every session. Nothing here decides anything: every sentence comes from
the decision trace, the rules' reasons or the knowledge sections.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from assistant import FIELDS, Confidence, Decision, FiredRule, Option, Value, WhatIf
from assistant.rules import PATTERN_LABELS
from assistant.types import OPTION_ORDER

from .whatif import question

# Short, capitalised option names for headings and bars.
# Where a form value came from, as the form shows it.
SOURCE_NOTES = {
    "form": "set here",
    "chat": "from the chat",
    "file": "from a profile file",
    "assumed": "assumed",
}
MAX_AGAINST = 4  # the strongest arguments against; the decision record lists them all


def esc(text: Any) -> str:
    """Escape for HTML, and braces too: gr.HTML treats its value as a template."""
    return html.escape(str(text), quote=True).replace("{", "&#123;").replace("}", "&#125;")


@lru_cache(maxsize=256)
def markdown(text: str) -> str:
    """Knowledge text to HTML; raw HTML in the source is escaped, never rendered."""
    from markdown_it import MarkdownIt

    rendered: str = MarkdownIt("commonmark", {"html": False}).enable("table").render(text)
    return rendered.replace("{", "&#123;").replace("}", "&#125;")


_CONFIDENCE_WORDS = {
    Confidence.HIGH: "clear",
    Confidence.MODERATE: "on balance",
    Confidence.LOW: "close call",
}


def confidence_words(confidence: float) -> str:
    return _CONFIDENCE_WORDS[Confidence.of(confidence)]


# --- the card ----------------------------------------------------------------------------------------------
def card(decision: Decision, known: int, turns: int = 0) -> str:
    """`data-turns` (turns and form edits so far) lets tests and scripts wait for exactly this update."""
    rec = decision.recommendation
    top = max([*decision.scores.values(), 1.0])
    rows = []
    for name in OPTION_ORDER:
        score = decision.scores.get(name, 0.0)
        width = max(0.0, score) / top * 100
        ruled_out = name in decision.excluded and name != rec
        note = "ruled out" if ruled_out else f"{score:g}"
        classes = "mc-bar-row" + (" is-best" if name == rec else "") + (" is-out" if ruled_out else "")
        rows.append(
            f'<div class="{classes}" data-option="{name}">'
            f'<span class="mc-bar-label">{esc(Option(name).title)}</span>'
            f'<span class="mc-bar-track"><span class="mc-bar-fill" style="width:{width:.0f}%"></span></span>'
            f'<span class="mc-bar-value">{esc(note)}</span></div>'
        )
    patterns = ""
    if decision.hybrid_patterns:
        items = "".join(f"<li>{esc(PATTERN_LABELS[p].capitalize())}</li>" for p in decision.hybrid_patterns)
        patterns = f'<ul class="mc-patterns">{items}</ul>'
    if known == 0:
        hint = (
            "Nothing is known about your project yet, so this is the article's default. "
            "Describe your project in the chat or fill in the profile below."
        )
    elif decision.missing:
        labels = [FIELDS[m].label for m in decision.missing]
        hint = f"Still unknown and able to change it: {join(labels)}."
    else:
        hint = "No unknown field could change this answer."
    percent = round(decision.confidence * 100)
    return (
        f'<div class="mc-card" data-recommendation="{rec}" data-confidence="{decision.confidence:.3f}" '
        f'data-turns="{turns}">'
        f'<div class="mc-kicker">Recommendation</div>'
        f'<div class="mc-option">{esc(Option(rec).title)}</div>{patterns}'
        f'<div class="mc-confidence"><span class="mc-meter"><span style="width:{percent}%"></span></span>'
        f"<span>Confidence {percent}% &middot; {confidence_words(decision.confidence)}</span></div>"
        f'<div class="mc-bars" aria-label="Scores">{"".join(rows)}</div>'
        f'<p class="mc-hint">{esc(hint)}</p></div>'
    )


# --- why ---------------------------------------------------------------------------------------------------
def _sources(ids: Iterable[str], sections: Mapping[str, Any]) -> str:
    out = []
    for sid in dict.fromkeys(ids):
        section = sections.get(sid)
        if section is None:
            continue
        out.append(
            f'<details class="mc-src" data-section="{esc(sid)}"><summary>{esc(section.title)}</summary>'
            f'<div class="mc-src-body">{markdown(section.text)}'
            f'<p class="mc-src-doc">{esc(section.document)}</p></div></details>'
        )
    return "".join(out)


def _rule_item(rule: FiredRule, sections: Mapping[str, Any], lead: str = "") -> str:
    note = f' <span class="mc-note">{esc(rule.note)}</span>' if rule.note else ""
    return (
        f'<li class="mc-rule"><div>{lead}{esc(rule.reason)}{note}</div>'
        f'<div class="mc-srcs">{_sources(rule.sources, sections)}</div></li>'
    )


def why(decision: Decision, sections: Mapping[str, Any]) -> str:
    supporting = decision.supporting()
    against = decision.against()[:MAX_AGAINST]
    parts = [f'<div class="mc-why"><h3>Why {esc(Option(decision.recommendation).title.lower())}</h3>']
    if supporting:
        parts.append(
            '<ul class="mc-rules mc-for">' + "".join(_rule_item(r, sections) for r in supporting) + "</ul>"
        )
    else:
        parts.append('<p class="mc-empty">No rule applies yet.</p>')
    if against:
        parts.append(
            "<h3>Arguments against</h3><ul class='mc-rules mc-against'>"
            + "".join(
                _rule_item(
                    r, sections, f'<span class="mc-tag">{esc(r.favors.title if r.favors else "")}</span> '
                )
                for r in against
            )
            + "</ul>"
        )
    parts.append("</div>")
    return "".join(parts)


# --- what would change it ----------------------------------------------------------------------------------
def change_intro(decision: Decision, shown: int) -> str:
    if not shown and decision.counterfactuals:
        return (
            '<p class="mc-empty">Only changing something you told me would change the recommendation. '
            "To revisit it, edit that field in the profile below.</p>"
        )
    if not shown:
        return '<p class="mc-empty">No single change to the profile would change the recommendation.</p>'
    return (
        '<p class="mc-muted">Each of these alone would change the recommendation. '
        "Click one to try it as a what-if; your profile stays as it is until you adopt it.</p>"
    )


# --- the what-if comparison --------------------------------------------------------------------------------
def what_if(what: WhatIf) -> str:
    before, after = what.before.recommendation, what.after.recommendation
    changed = before != after
    verdict = "changes the recommendation" if changed else "keeps the recommendation"

    def rules(items: Sequence[FiredRule]) -> str:
        return "".join(f"<li>{esc(r.reason)}</li>" for r in items)

    started = [r for r in what.started if r.favors or r.excludes]
    stopped = [r for r in what.stopped if r.favors or r.excludes]
    parts = [
        f'<div class="mc-whatif" data-before="{before}" data-after="{after}">',
        f'<div class="mc-kicker">{esc(question(what.changes))}</div>',
        f'<p class="mc-verdict">This {verdict}.</p>',
        '<div class="mc-compare">',
        f'<div class="mc-side"><span class="mc-side-label">Now</span>'
        f"<strong>{esc(Option(before).title)}</strong>"
        f'<span class="mc-muted">{what.before.confidence:.0%}</span></div>',
        '<div class="mc-arrow" aria-hidden="true">→</div>',
        f'<div class="mc-side{" is-new" if changed else ""}">'
        '<span class="mc-side-label">With the change</span>'
        f"<strong>{esc(Option(after).title)}</strong>"
        f'<span class="mc-muted">{what.after.confidence:.0%}</span></div>',
        "</div>",
    ]
    if started:
        parts.append(f'<h4>Starts to apply</h4><ul class="mc-started">{rules(started)}</ul>')
    if stopped:
        parts.append(f'<h4>No longer applies</h4><ul class="mc-stopped">{rules(stopped)}</ul>')
    if not started and not stopped:
        parts.append('<p class="mc-muted">No rule starts or stops applying.</p>')
    parts.append("</div>")
    return "".join(parts)


# --- sources -----------------------------------------------------------------------------------------------
def passages(items: Sequence[Any], sections: Mapping[str, Any], answered: bool = True) -> str:
    if not items:
        text = (
            "The last answer did not draw on the guidance."
            if answered
            else "The guidance passages behind each answer appear here."
        )
        return f'<p class="mc-empty">{text}</p>'
    out = ['<ol class="mc-passages">']
    for p in items:
        section = sections.get(p.section)
        document = section.document if section else p.source
        out.append(
            f'<li data-section="{esc(p.section)}"><details class="mc-src"><summary>{esc(p.title)}'
            f' <span class="mc-muted">&middot; {esc(document)}</span></summary>'
            f'<div class="mc-src-body">{markdown(p.text)}</div></details></li>'
        )
    out.append("</ol>")
    return "".join(out)


# --- the form ----------------------------------------------------------------------------------------------
UNKNOWN = "unknown"


def choices(name: str) -> list[tuple[str, str]]:
    spec = FIELDS[name]
    if spec.is_bool:
        return [("unknown", UNKNOWN), ("yes", "true"), ("no", "false")]
    return [("unknown", UNKNOWN)] + [(str(v).replace("_", "-"), str(v)) for v in spec.values]


def form_value(value: Value | None) -> str:
    if value is None:
        return UNKNOWN
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def form_info(name: str, source: str | None) -> str:
    """Where the value came from, in two or three words (the field's meaning is in `field_help`)."""
    return SOURCE_NOTES.get(source or "", source) if source else "not known yet"


def field_help() -> str:
    items = "".join(f"<dt>{esc(spec.label)}</dt><dd>{esc(spec.help)}</dd>" for spec in FIELDS.values())
    return f'<details class="mc-help"><summary>What the fields mean</summary><dl>{items}</dl></details>'


def join(items: Sequence[str]) -> str:
    items = list(items)
    return "".join(items) if len(items) <= 1 else f"{', '.join(items[:-1])} and {items[-1]}"


_CITATION = re.compile(r" ?\[([A-Za-z0-9][A-Za-z0-9_.-]*)\]")


def chat_text(text: str, sections: Mapping[str, Any]) -> str:
    """An answer as the chat shows it: citations of known sections lose their bracketed ids (the titles stay,
    and the sources panel has the passages); anything else is left as written."""
    return _CITATION.sub(lambda m: "" if m.group(1) in sections else m.group(0), text)
