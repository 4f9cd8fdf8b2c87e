"""Readable terminal text for a decision (the CLI's non-JSON output)."""

from __future__ import annotations

import click

from .profile import FIELDS, format_value
from .rules import PATTERN_LABELS
from .types import Decision


def decision_text(decision: Decision, limit: int = 4) -> str:
    lines: list[str] = []
    head = decision.recommendation.label
    lines.append(
        click.style(f"Recommendation: {head}", bold=True) + f"  (confidence {decision.confidence:.2f})"
    )
    if decision.hybrid_patterns:
        lines.append("Patterns: " + "; ".join(PATTERN_LABELS[p] for p in decision.hybrid_patterns))
    lines.append(
        "Scores: "
        + ", ".join(f"{o} {s:g}" for o, s in decision.scores.items())
        + (f"  (ruled out: {', '.join(decision.excluded)})" if decision.excluded else "")
    )
    lines.append("")
    lines.append(click.style("Why", bold=True))
    for rule in decision.supporting()[:limit]:
        lines.append(f"  - {rule.reason} [{', '.join(rule.sources)}]")
        if rule.note:
            lines.append(f"    note: {rule.note}")
    against = decision.against()
    if against:
        lines.append(click.style("Against", bold=True))
        for rule in against[:2]:
            lines.append(f"  - ({rule.favors}) {rule.reason} [{', '.join(rule.sources)}]")
    if decision.counterfactuals:
        lines.append(click.style("What would change it", bold=True))
        for cf in decision.counterfactuals[:6]:
            lines.append(
                f"  - {FIELDS[cf.field].label.lower()} = {format_value(cf.value)}"
                f" -> {cf.recommendation.label}"
            )
    if decision.missing:
        lines.append("Unknown fields that could still change it: " + ", ".join(decision.missing))
    return "\n".join(lines)
