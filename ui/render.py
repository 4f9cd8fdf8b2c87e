"""HTML for the side panel: the recommendation card, the reasons, the what-if comparison and the sources.

Pure functions from the library's objects to small, escaped HTML strings (no Gradio import), so they are
cheap, testable and identical for every session. Nothing here decides anything: every sentence comes from
the decision trace, the rules' reasons or the knowledge sections. Each takes the page's language (`lang`);
the words are data (knowledge/wording/ui.yaml, `wording.load("ui")`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from assistant import FIELDS, Confidence, Decision, FiredRule, Value, WhatIf, wording
from assistant.explain.pieces import note_of, reason_of
from assistant.types import OPTION_ORDER
from assistant.wording import Words, field_label, option_title

from .whatif import question

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


def words(lang: str = "en") -> Words:
    """The page's words in `lang` (English for a language without a table)."""
    return wording.load("ui")(lang)


def confidence_words(confidence: float, lang: str = "en") -> str:
    return words(lang)(f"confidence.{Confidence.of(confidence)}")


# --- the card ----------------------------------------------------------------------------------------------
def card(decision: Decision, known: int, turns: int = 0, lang: str = "en") -> str:
    """`data-turns` (turns and form edits so far) lets tests and scripts wait for exactly this update."""
    w = words(lang)
    rec = decision.recommendation
    top = max([*decision.scores.values(), 1.0])
    rows = []
    for name in OPTION_ORDER:
        score = decision.scores.get(name, 0.0)
        width = max(0.0, score) / top * 100
        ruled_out = name in decision.excluded and name != rec
        note = w("card.ruled_out") if ruled_out else f"{score:g}"
        classes = "mc-bar-row" + (" is-best" if name == rec else "") + (" is-out" if ruled_out else "")
        rows.append(
            f'<div class="{classes}" data-option="{name}">'
            f'<span class="mc-bar-label">{esc(option_title(name, lang))}</span>'
            f'<span class="mc-bar-track"><span class="mc-bar-fill" style="width:{width:.0f}%"></span></span>'
            f'<span class="mc-bar-value">{esc(note)}</span></div>'
        )
    patterns = ""
    if decision.hybrid_patterns:
        labels = (wording.pattern_label(p, lang) for p in decision.hybrid_patterns)
        items = "".join(f"<li>{esc(label[:1].upper() + label[1:])}</li>" for label in labels)
        patterns = f'<ul class="mc-patterns">{items}</ul>'
    if known == 0:
        hint = w("hint.nothing")
    elif decision.missing:
        hint = w("hint.missing", fields=w.join([field_label(m, lang) for m in decision.missing]))
    else:
        hint = w("hint.settled")
    percent = round(decision.confidence * 100)
    confidence = w("card.confidence", percent=percent, words=confidence_words(decision.confidence, lang))
    return (
        f'<div class="mc-card" data-recommendation="{rec}" data-confidence="{decision.confidence:.3f}" '
        f'data-turns="{turns}">'
        f'<div class="mc-kicker">{esc(w("card.kicker"))}</div>'
        f'<div class="mc-option">{esc(option_title(rec, lang))}</div>{patterns}'
        f'<div class="mc-confidence"><span class="mc-meter"><span style="width:{percent}%"></span></span>'
        f"<span>{esc(confidence)}</span></div>"
        f'<div class="mc-bars" aria-label="{esc(w("card.scores"))}">{"".join(rows)}</div>'
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


def _rule_item(rule: FiredRule, sections: Mapping[str, Any], lead: str = "", lang: str = "en") -> str:
    said = note_of(rule, lang)
    note = f' <span class="mc-note">{esc(said)}</span>' if said else ""
    return (
        f'<li class="mc-rule"><div>{lead}{esc(reason_of(rule, lang))}{note}</div>'
        f'<div class="mc-srcs">{_sources(rule.sources, sections)}</div></li>'
    )


def why(decision: Decision, sections: Mapping[str, Any], lang: str = "en") -> str:
    """The reasons for and against, in `lang`; `sections` should be the sections in `lang` too."""
    w = words(lang)
    supporting = decision.supporting()
    against = decision.against()[:MAX_AGAINST]
    heading = w("why.heading", option=option_title(decision.recommendation, lang).lower())
    parts = [f'<div class="mc-why"><h3>{esc(heading)}</h3>']
    if supporting:
        parts.append(
            '<ul class="mc-rules mc-for">'
            + "".join(_rule_item(r, sections, lang=lang) for r in supporting)
            + "</ul>"
        )
    else:
        parts.append(f'<p class="mc-empty">{esc(w("why.none"))}</p>')
    if against:
        parts.append(
            f"<h3>{esc(w('why.against'))}</h3><ul class='mc-rules mc-against'>"
            + "".join(
                _rule_item(
                    r,
                    sections,
                    f'<span class="mc-tag">{esc(option_title(r.favors, lang) if r.favors else "")}</span> ',
                    lang,
                )
                for r in against
            )
            + "</ul>"
        )
    parts.append("</div>")
    return "".join(parts)


# --- what would change it ----------------------------------------------------------------------------------
def change_intro(decision: Decision, shown: int, lang: str = "en") -> str:
    w = words(lang)
    if not shown and decision.counterfactuals:
        return f'<p class="mc-empty">{esc(w("change.locked"))}</p>'
    if not shown:
        return f'<p class="mc-empty">{esc(w("change.none"))}</p>'
    return f'<p class="mc-muted">{esc(w("change.intro"))}</p>'


# --- the what-if comparison --------------------------------------------------------------------------------
def what_if(what: WhatIf, lang: str = "en") -> str:
    w = words(lang)
    before, after = what.before.recommendation, what.after.recommendation
    changed = before != after

    def rules(items: Sequence[FiredRule]) -> str:
        return "".join(f"<li>{esc(reason_of(r, lang))}</li>" for r in items)

    started = [r for r in what.started if r.favors or r.excludes]
    stopped = [r for r in what.stopped if r.favors or r.excludes]
    parts = [
        f'<div class="mc-whatif" data-before="{before}" data-after="{after}">',
        f'<div class="mc-kicker">{esc(question(what.changes, lang))}</div>',
        f'<p class="mc-verdict">{esc(w("whatif.changes" if changed else "whatif.keeps"))}</p>',
        '<div class="mc-compare">',
        f'<div class="mc-side"><span class="mc-side-label">{esc(w("whatif.now"))}</span>'
        f"<strong>{esc(option_title(before, lang))}</strong>"
        f'<span class="mc-muted">{what.before.confidence:.0%}</span></div>',
        '<div class="mc-arrow" aria-hidden="true">→</div>',
        f'<div class="mc-side{" is-new" if changed else ""}">'
        f'<span class="mc-side-label">{esc(w("whatif.with"))}</span>'
        f"<strong>{esc(option_title(after, lang))}</strong>"
        f'<span class="mc-muted">{what.after.confidence:.0%}</span></div>',
        "</div>",
    ]
    if started:
        parts.append(f'<h4>{esc(w("whatif.starts"))}</h4><ul class="mc-started">{rules(started)}</ul>')
    if stopped:
        parts.append(f'<h4>{esc(w("whatif.stops"))}</h4><ul class="mc-stopped">{rules(stopped)}</ul>')
    if not started and not stopped:
        parts.append(f'<p class="mc-muted">{esc(w("whatif.no_rule"))}</p>')
    parts.append("</div>")
    return "".join(parts)


# --- sources -----------------------------------------------------------------------------------------------
def passages(
    items: Sequence[Any], sections: Mapping[str, Any], answered: bool = True, lang: str = "en"
) -> str:
    if not items:
        text = words(lang)("sources.none" if answered else "sources.before")
        return f'<p class="mc-empty">{esc(text)}</p>'
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


def choices(name: str, lang: str = "en") -> list[tuple[str, str]]:
    """The form's (label, value) pairs: the labels in `lang`, the values the same in every language."""
    unknown = (words(lang)("form.unknown"), UNKNOWN)
    return [unknown] + [(wording.value_name(name, v, lang), form_value(v)) for v in FIELDS[name].values]


def form_value(value: Value | None) -> str:
    if value is None:
        return UNKNOWN
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def form_info(name: str, source: str | None, lang: str = "en") -> str:
    """Where the value came from, in two or three words (the field's meaning is in `field_help`)."""
    w = words(lang)
    if not source:
        return w("form.not_known")
    return w(f"form.source.{source}") if f"form.source.{source}" in w.table else source


def field_help(lang: str = "en") -> str:
    items = "".join(
        f"<dt>{esc(field_label(n, lang))}</dt><dd>{esc(wording.field_help(n, lang))}</dd>" for n in FIELDS
    )
    summary = esc(words(lang)("fields.help"))
    return f'<details class="mc-help"><summary>{summary}</summary><dl>{items}</dl></details>'


_CITATION = re.compile(r" ?\[([A-Za-z0-9][A-Za-z0-9_.-]*)\]")


def chat_text(text: str, sections: Mapping[str, Any]) -> str:
    """An answer as the chat shows it: citations of known sections lose their bracketed ids (the titles stay,
    and the sources panel has the passages); anything else is left as written."""
    return _CITATION.sub(lambda m: "" if m.group(1) in sections else m.group(0), text)
