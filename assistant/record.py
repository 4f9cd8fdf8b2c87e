"""A decision record in Markdown: what a team files next to its design docs after a session.

One concern: writing the session's decision as a document a manager could sign. It is prose: the decision
and the facts that decide it in sentences, each fact with the user's own words as its evidence (found in
the session history: the turn that set it, narrowed to the sentence that states it), reasons and
counter-arguments with links to the knowledge sections they rest on, and what would change the decision in
the same direction-aware clauses the chat uses. The profile as raw data closes it, as an appendix.

In English or Russian (`lang`; by default the session's language): the record's own words are data
(knowledge/wording/record.yaml); fact phrases, option names and clauses come from the explainer, in
Russian once it takes `lang=` (until then a plain "field: value" stands in, see `_explained`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from . import wording
from .engine import decide
from .explain import (
    PHRASES,
    QUESTIONS,
    capital,
    counterfactual_clause,
    deciding_facts,
    option,
    phrase,
    ranked_counterfactuals,
)
from .explain.pieces import note_of, reason_of
from .explain.pieces import question as explain_question
from .knowledge import Section
from .profile import FIELDS
from .session import Fact, Session
from .types import Confidence, Counterfactual, Decision, FiredRule, Value
from .wording import Words

_QUOTE_LIMIT = 220  # characters of the user's words quoted as a fact's evidence
_SHORT_REPLY = 6  # words: a reply this short answers the question asked before it
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def decision_record(
    session: Session,
    sections: Mapping[str, Section],
    *,
    today: dt.date | None = None,
    title: str | None = None,
    link_base: str = "knowledge/",
    lang: str | None = None,
) -> str:
    """The record of `session`, in `lang` (default: the session's language, `wording.session_language`).
    Sections are linked as `{link_base}{file}#{section id}`."""
    w = wording.load("record")(lang or wording.session_language(session))
    heading = w("title", title=title or w("default_title"))
    date = format_date(today or dt.date.today(), w)
    if not session.facts:
        return _nothing_known(heading, date, w)
    decision: Decision = decide(session.profile)
    label = _option(decision.recommendation, w.lang)
    lines = [heading, "", w("date", date=date)]
    if decision.undecided:
        lines.append(w("decision_not_yet", option=label))
    else:
        band = Confidence.of(decision.confidence)
        lines.append(w("decision", option=label, band=w(f"band.{band}")))
    if decision.hybrid_patterns:
        patterns = [wording.pattern_label(p, w.lang) for p in decision.hybrid_patterns]
        lines.append(w("approach", patterns=w.join(patterns)))
    lines.append(w.count("known", len(session.facts), total=len(FIELDS)))
    lines += ["", _summary(decision, w), ""]

    lines += [w("h.profile"), ""]
    for name, fact in session.facts.items():
        lines.append(
            w(
                "fact",
                fact=capital(phrase(name, fact.value, w.lang)),
                evidence=_evidence(session, name, fact, w),
            )
        )
    unknown = [_in_sentence(wording.field_label(n, w.lang)) for n in FIELDS if n not in session.facts]
    if unknown:
        lines += ["", w("not_known_yet", fields=w.join(unknown))]

    def link(rule: FiredRule) -> str:
        return _links(rule.sources, sections, link_base)

    lines += ["", w("h.reasons"), ""]
    specific = [r for r in decision.supporting() if not r.is_prior]
    lines += [f"- {_reason(r, w.lang)} {link(r)}".rstrip() for r in specific or decision.supporting()] or [
        w("no_reasons")
    ]
    lines += ["", w("h.against"), ""]
    lines += [
        f"{w('against', option=_option(r.favors or '', w.lang), reason=_reason(r, w.lang))} {link(r)}"
        for r in decision.against()
        if not r.is_prior
    ] or [w("no_against")]
    lines += ["", w("h.change"), ""]
    lines += [_change(c, decision, w) for c in ranked_counterfactuals(decision)[:8]] or [w("no_change")]
    if decision.missing:
        missing = [_in_sentence(wording.field_label(m, w.lang)) for m in decision.missing]
        lines += ["", w("still_unknown", fields=w.join(missing))]
    lines += ["", w("h.sources"), ""]
    for sid in decision.sources:
        section = sections.get(sid)
        if section:
            href = f"{link_base}{section.source}#{sid}"
            lines.append(w("source", title=section.title, href=href, document=section.document))
    lines += ["", w("h.appendix"), "", w("table_head"), "|---|---|---|"]
    for name, fact in session.facts.items():
        lines.append(
            w(
                "table_row",
                field=wording.field_label(name, w.lang),
                value=wording.value_name(name, fact.value, w.lang),
                source=w(f"source.{fact.source}") if f"source.{fact.source}" in w.table else fact.source,
                turn=fact.turn,
            )
        )
    lines += ["", w("footer"), ""]
    return "\n".join(lines)


def _in_sentence(label: str) -> str:
    """A field's label inside a sentence: lower case, but an acronym stays ("ML team", «ML-команда»)."""
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


def format_date(date: dt.date, w: Words) -> str:
    """2026-01-02 / «2 января 2026 г.»."""
    month = w("months").split()[date.month - 1]
    return w("date_format", year=date.year, month=month, day=str(date.day))


# --- the explainer's words, in the record's language -------------------------------------------------------
def _option(name: str, lang: str) -> str:
    return str(option(name, lang)) if name else ""


def _change(cf: Counterfactual, decision: Decision, w: Words) -> str:
    return w("change", clause=capital(counterfactual_clause(cf, decision, w.lang)))


def _reason(rule: FiredRule, lang: str) -> str:
    note = note_of(rule, lang)
    return reason_of(rule, lang) + (f" _{note}_" if note else "")


def _summary(decision: Decision, w: Words) -> str:
    label = _option(decision.recommendation, w.lang)
    facts = deciding_facts(decision, lang=w.lang)
    if decision.undecided:
        return w("summary.undecided", option=label)
    if not facts:
        return w("summary.plain", option=label)
    return w("summary.given", facts=w.join(facts), option=label)


def _links(ids: tuple[str, ...], sections: Mapping[str, Section], base: str) -> str:
    known = [sections[s] for s in ids if s in sections]
    if not known:
        return ""
    return "(" + "; ".join(f"[{s.title}]({base}{s.source}#{s.id})" for s in known[:2]) + ")"


def _evidence(session: Session, name: str, fact: Fact, w: Words) -> str:
    """Where a fact comes from, in the user's own words when they said it in the chat."""
    if fact.source in ("form", "file", "assumed"):
        return w(f"evidence.{fact.source}", turn=fact.turn)
    entry = _entry(session.history, fact.turn)
    if entry is None:
        return w("evidence.chat", turn=fact.turn)
    if entry.get("intent") == "adopt":
        origin = _what_if_origin(session.history, fact.turn, name)
        if origin is not None:
            quote = _quote(str(origin.get("user") or ""), name, fact.value)
            return w("evidence.adopted_from", turn=origin.get("turn"), quote=quote)
        return w("evidence.adopted", turn=fact.turn)
    text = str(entry.get("user") or "")
    if not text:
        return w("evidence.chat", turn=fact.turn)
    if len(text.split()) < _SHORT_REPLY and name in QUESTIONS:
        question = explain_question(name, w.lang)
        return w("evidence.answered", turn=fact.turn, text=text.strip(), question=question)
    return w("evidence.said", turn=fact.turn, quote=_quote(text, name, fact.value))


def _entry(history: list[dict[str, Any]], turn: int) -> dict[str, Any] | None:
    found: dict[str, Any] | None = next((e for e in reversed(history) if e.get("turn") == turn), None)
    return found


def _what_if_origin(history: list[dict[str, Any]], turn: int, name: str) -> dict[str, Any] | None:
    """The latest what-if before `turn` whose changes set `name`: the words an adopted fact came from."""
    for entry in reversed(history):
        if int(entry.get("turn") or 0) >= turn:
            continue
        what_if: dict[str, Any] = entry.get("what_if") or {}
        changes: dict[str, Any] = what_if.get("changes") or {}
        if name in changes:
            return dict(entry)
    return None


def _quote(text: str, name: str, value: Value) -> str:
    """The sentence of `text` that states the fact (the one the offline understander reads it from), else
    the start of the text; shortened to _QUOTE_LIMIT characters."""
    from .understand import understand

    chosen = text.strip()
    sentences = [s for s in _SENTENCE.split(chosen) if s.strip()]
    if len(sentences) > 1:
        for sentence in sentences:
            if understand(sentence).changes.get(name) == value:
                chosen = sentence.strip()
                break
        else:
            words = PHRASES[(name, value)].lower().split()
            chosen = max(sentences, key=lambda s: sum(w in s.lower() for w in words)).strip()
    if len(chosen) > _QUOTE_LIMIT:
        chosen = chosen[: _QUOTE_LIMIT - 1].rsplit(" ", 1)[0] + "…"
    return chosen


def _nothing_known(heading: str, date: str, w: Words) -> str:
    """A record of an empty session says so: the rules' default is not a decision about this project."""
    unknown = ", ".join(wording.field_label(n, w.lang) for n in FIELDS)
    sections = [
        (w("h.profile"), [w("nothing_known"), "", w("unknown", fields=unknown)]),
        (w("h.reasons"), [w("no_reasons_empty")]),
        (w("h.against"), [w("none")]),
        (w("h.change"), [w("any_fact")]),
        (w("h.sources"), [w("none")]),
    ]
    lines = [heading, "", w("date", date=date), w("decision_none")]
    for title, body in sections:
        lines += ["", title, "", *body]
    return "\n".join([*lines, "", w("footer"), ""])
