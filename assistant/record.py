"""A decision record in Markdown: what a team files next to its design docs after a session.

One concern: writing the session's decision as a document a manager could sign. It is prose: the decision
and the facts that decide it in sentences, each fact with the user's own words as its evidence (found in
the session history: the turn that set it, narrowed to the sentence that states it), reasons and
counter-arguments with links to the knowledge sections they rest on, and what would change the decision in
the same direction-aware clauses the chat uses. The profile as raw data closes it, as an appendix.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from .engine import decide
from .explain import (
    PHRASES,
    QUESTIONS,
    capital,
    counterfactual_clause,
    deciding_facts,
    join,
    option,
    phrase,
    ranked_counterfactuals,
)
from .knowledge import Section
from .profile import FIELDS, format_value
from .rules import PATTERN_LABELS
from .session import Fact, Session
from .types import Confidence, Decision, FiredRule, Value

_FOOTER = (
    '_Guidance paraphrased from "Do You Really Need a Foundation Model?" (Towards Data Science). '
    "Recommendation computed by modelchoice's rules engine._"
)
_SOURCE_NAMES = {
    "form": "set in the form",
    "chat": "stated in chat",
    "file": "from a profile file",
    "assumed": "assumed",
}
_QUOTE_LIMIT = 220  # characters of the user's words quoted as a fact's evidence
_SHORT_REPLY = 6  # words: a reply this short answers the question asked before it
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def decision_record(
    session: Session,
    sections: Mapping[str, Section],
    *,
    today: dt.date | None = None,
    title: str = "Model choice",
    link_base: str = "knowledge/",
) -> str:
    """The record of `session`. Sections are linked as `{link_base}{file}#{section id}`."""
    date = (today or dt.date.today()).isoformat()
    if not session.facts:
        return _nothing_known(title, date)
    decision: Decision = decide(session.profile)
    label = option(decision.recommendation)
    lines = [f"# Decision record: {title}", "", f"- Date: {date}"]
    if decision.undecided:
        lines.append(
            f"- Decision: **not yet**: too little is known to recommend anything; the lean so far is {label}."
        )
    else:
        band = Confidence.of(decision.confidence)
        lines.append(f"- Decision: **{label}** (confidence: {band})")
    if decision.hybrid_patterns:
        lines.append(f"- Approach: {join([PATTERN_LABELS[p] for p in decision.hybrid_patterns])}")
    lines += ["", _summary(decision), ""]

    lines += ["## Project profile", ""]
    for name, fact in session.facts.items():
        lines.append(f"- **{capital(phrase(name, fact.value))}.** {_evidence(session, name, fact)}")
    unknown = [FIELDS[n].label.lower() for n in FIELDS if n not in session.facts]
    if unknown:
        lines += ["", f"Not known yet: {join(unknown)}."]

    def link(rule: FiredRule) -> str:
        return _links(rule.sources, sections, link_base)

    lines += ["", "## Reasons", ""]
    specific = [r for r in decision.supporting() if not r.is_prior]
    lines += [f"- {_reason(r)} {link(r)}".rstrip() for r in specific or decision.supporting()] or [
        "- No specific reasons: the article's default applies."
    ]
    lines += ["", "## Counter-arguments", ""]
    lines += [
        f"- In favour of {option(r.favors or '')}: {_reason(r)} {link(r)}".rstrip()
        for r in decision.against()
        if not r.is_prior
    ] or ["- None from the facts given."]
    lines += ["", "## What would change it", ""]
    lines += [
        f"- {capital(counterfactual_clause(c, decision))}." for c in ranked_counterfactuals(decision)[:8]
    ] or ["- No single change to the profile would change the decision."]
    if decision.missing:
        lines += [
            "",
            "Still unknown and able to change it: "
            + join([FIELDS[m].label.lower() for m in decision.missing])
            + ".",
        ]
    lines += ["", "## Sources", ""]
    for sid in decision.sources:
        section = sections.get(sid)
        if section:
            lines.append(f"- [{section.title}]({link_base}{section.source}#{sid}), in _{section.document}_")
    lines += ["", "## Appendix: the profile as data", "", "| Fact | Value | Source |", "|---|---|---|"]
    for name, fact in session.facts.items():
        lines.append(
            f"| {FIELDS[name].label} | {format_value(fact.value)} | "
            f"{_SOURCE_NAMES.get(fact.source, fact.source)} (turn {fact.turn}) |"
        )
    lines += ["", _FOOTER, ""]
    return "\n".join(lines)


def _summary(decision: Decision) -> str:
    label = option(decision.recommendation)
    facts = deciding_facts(decision)
    if decision.undecided:
        return (
            f"Too little is known about the project to recommend an approach yet. On the facts so far the "
            f"lean is {label}; the open questions below could still change it."
        )
    if not facts:
        return f"The recommendation is **{label}**."
    return f"Given {join(facts)}, the recommendation is **{label}**."


def _reason(rule: FiredRule) -> str:
    return rule.reason + (f" _{rule.note}_" if rule.note else "")


def _links(ids: tuple[str, ...], sections: Mapping[str, Section], base: str) -> str:
    known = [sections[s] for s in ids if s in sections]
    if not known:
        return ""
    return "(" + "; ".join(f"[{s.title}]({base}{s.source}#{s.id})" for s in known[:2]) + ")"


def _evidence(session: Session, name: str, fact: Fact) -> str:
    """Where a fact comes from, in the user's own words when they said it in the chat."""
    if fact.source == "form":
        return f"Set in the form (turn {fact.turn})."
    if fact.source == "file":
        return "From a profile file."
    if fact.source == "assumed":
        return "Assumed; not confirmed by you."
    entry = _entry(session.history, fact.turn)
    if entry is None:
        return f"Stated in chat (turn {fact.turn})."
    if entry.get("intent") == "adopt":
        origin = _what_if_origin(session.history, fact.turn, name)
        if origin is not None:
            quote = _quote(str(origin.get("user") or ""), name, fact.value)
            return f"Adopted from your what-if in turn {origin.get('turn')}: “{quote}”"
        return f"Adopted from a what-if (turn {fact.turn})."
    text = str(entry.get("user") or "")
    if not text:
        return f"Stated in chat (turn {fact.turn})."
    if len(text.split()) < _SHORT_REPLY and name in QUESTIONS:
        return f"In turn {fact.turn} you answered “{text.strip()}” to: {QUESTIONS[name]}"
    return f"In turn {fact.turn} you said: “{_quote(text, name, fact.value)}”"


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


def _nothing_known(title: str, date: str) -> str:
    """A record of an empty session says so: the rules' default is not a decision about this project."""
    unknown = ", ".join(FIELDS[n].label for n in FIELDS)
    return "\n".join(
        [
            f"# Decision record: {title}",
            "",
            f"- Date: {date}",
            "- Decision: **none yet**: nothing is known about the project, so there is no recommendation.",
            "",
            "## Project profile",
            "",
            "Nothing is known yet.",
            "",
            f"Unknown: {unknown}.",
            "",
            "## Reasons",
            "",
            "- None: a recommendation needs facts about the project.",
            "",
            "## Counter-arguments",
            "",
            "- None.",
            "",
            "## What would change it",
            "",
            '- Any fact about the project: describe it, e.g. `modelchoice ask "We classify support tickets '
            'and have plenty of labelled data" --session FILE`, then write the record again.',
            "",
            "## Sources",
            "",
            "- None.",
            "",
            _FOOTER,
            "",
        ]
    )
