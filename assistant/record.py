"""A decision record in Markdown: what a team files next to its design docs after a session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from .engine import decide
from .explain import join, option, phrase
from .knowledge import Section
from .profile import FIELDS, format_value
from .rules import PATTERN_LABELS
from .session import Session
from .types import Decision

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


def decision_record(
    session: Session,
    sections: Mapping[str, Section],
    *,
    today: dt.date | None = None,
    title: str = "Model choice",
) -> str:
    date = (today or dt.date.today()).isoformat()
    if not session.facts:
        return _nothing_known(title, date)
    decision: Decision = decide(session.profile)
    lines = [
        f"# Decision record: {title}",
        "",
        f"- Date: {date}",
        f"- Decision: **{option(decision.recommendation)}** (confidence {decision.confidence:.0%})",
    ]
    if decision.hybrid_patterns:
        lines.append(f"- Hybrid patterns: {join([PATTERN_LABELS[p] for p in decision.hybrid_patterns])}")
    lines.append("- Scores: " + ", ".join(f"{o} {s:g}" for o, s in decision.scores.items()))
    lines += ["", "## Project profile", "", "| Fact | Value | Source |", "|---|---|---|"]
    for name, fact in session.facts.items():
        lines.append(
            f"| {FIELDS[name].label} | {format_value(fact.value)} | "
            f"{_SOURCE_NAMES.get(fact.source, fact.source)} (turn {fact.turn}) |"
        )
    unknown = [FIELDS[n].label for n in FIELDS if n not in session.facts]
    if unknown:
        lines += ["", f"Unknown: {', '.join(unknown)}."]
    lines += ["", "## Reasons", ""]
    lines += [
        f"- {r.reason}" + (f" _{r.note}_" if r.note else "") + f" ({', '.join(r.sources)})"
        for r in decision.supporting()
    ] or ["- No specific reasons: the article's default applies."]
    lines += ["", "## Counter-arguments", ""]
    lines += [
        f"- Favours {option(r.favors or '')}: {r.reason} ({', '.join(r.sources)})" for r in decision.against()
    ] or ["- None from the facts given."]
    lines += ["", "## What would change it", ""]
    lines += [
        f"- With {phrase(c.field, c.value)}: {option(c.recommendation)}" for c in decision.counterfactuals
    ] or ["- No single change to the profile would change the decision."]
    if decision.missing:
        lines += [
            "",
            "Still unknown and able to change it: "
            + ", ".join(FIELDS[m].label.lower() for m in decision.missing)
            + ".",
        ]
    lines += ["", "## Sources", ""]
    for sid in decision.sources:
        section = sections.get(sid)
        if section:
            lines.append(f"- {section.document}: {section.title} ({sid}, knowledge/{section.source})")
    lines += ["", _FOOTER, ""]
    return "\n".join(lines)


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
