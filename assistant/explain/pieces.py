"""The answer pieces shared by the deterministic explainer and the LLM writer's frame.

One concern: turning a decision (or one part of it) into a sentence with `templates`. The explainer's
answers (`answers`) are assembled from these pieces, and the LLM writer puts the same pieces around its own
text (the decision first, the follow-up question last), so the two never word a decision differently.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from ..profile import FIELDS
from ..rules import PATTERN_LABELS
from ..types import (
    Answer,
    AnswerContext,
    Citation,
    Confidence,
    Counterfactual,
    Decision,
    FiredRule,
    Option,
    Value,
)
from .templates import PHRASES, QUESTIONS, TEMPLATES, render

WHAT_IF_PENDING = TEMPLATES["what_if.pending"]


def phrase(name: str, value: Value) -> str:
    return PHRASES[(name, value)]


def join(items: Sequence[str], last: str = "and") -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def option(name: str) -> str:
    return Option(name).label


def headline(decision: Decision) -> str:
    label = option(decision.recommendation)
    band = Confidence.of(decision.confidence)
    if band is Confidence.HIGH:
        head = render("headline.high", option=label)
    elif band is Confidence.MODERATE:
        head = render("headline.moderate", option=label)
    else:
        head = render("headline.low", option=label)
    if decision.hybrid_patterns:
        patterns = join([PATTERN_LABELS[p] for p in decision.hybrid_patterns])
        head += " " + render("headline.patterns", patterns=patterns)
    return head


def reason_sentences(rules: Iterable[FiredRule], limit: int) -> list[str]:
    """The first `limit` rules' reasons, each with its note in parentheses."""
    out = []
    for rule in list(rules)[:limit]:
        out.append(rule.reason + (f" ({rule.note})" if rule.note else ""))
    return out


def changes_text(counterfactuals: Iterable[Counterfactual], per_option: int = 3) -> list[str]:
    """'with X or Y, it would be Z', one clause per alternative option."""
    by_option: dict[str, list[str]] = {}
    for cf in counterfactuals:
        by_option.setdefault(cf.recommendation, []).append(phrase(cf.field, cf.value))
    return [
        render("counterfactual", facts=join(items[:per_option], "or"), option=option(o))
        for o, items in by_option.items()
    ]


def ranked_counterfactuals(decision: Decision) -> list[Counterfactual]:
    """Known facts changing first (users ask 'what if we...'), then unknown fields being filled in."""
    return sorted(decision.counterfactuals, key=lambda c: (c.current is None, list(FIELDS).index(c.field)))


def cite(ids: Iterable[str], ctx: AnswerContext, limit: int = 5) -> tuple[Citation, ...]:
    """Citations for the known section ids among `ids`, first mention first, at most `limit`."""
    seen: dict[str, Citation] = {}
    for section in ids:
        if section in ctx.titles and section not in seen:
            seen[section] = Citation(section, ctx.titles[section])
    return tuple(seen.values())[:limit]


def sources_line(citations: Sequence[Citation]) -> str:
    if not citations:
        return ""
    return render("sources", sources="; ".join(render("source", title=c.title, id=c.id) for c in citations))


def finish(parts: Sequence[str], citations: tuple[Citation, ...], ctx: AnswerContext) -> Answer:
    """The answer's paragraphs (empty ones dropped), the turn's notice first and the sources line last."""
    body = [p for p in parts if p]
    if ctx.notice:
        body.insert(0, f"_{ctx.notice}_")
    body.append(sources_line(citations))
    return Answer("\n\n".join(p for p in body if p), citations)


def noted(changes: Mapping[str, Value | None]) -> str:
    facts = [phrase(n, v) for n, v in changes.items() if v is not None]
    cleared = [FIELDS[n].label.lower() for n, v in changes.items() if v is None]
    parts = []
    if facts:
        parts.append(render("noted", facts=join(facts)))
    if cleared:
        parts.append(render("cleared", fields=join(cleared)))
    return " ".join(parts)


def changed_from(previous: Decision) -> str:
    return render("changed_from", option=option(previous.recommendation))


def updated(changes: Mapping[str, Value | None]) -> str:
    facts = join([phrase(n, v) for n, v in changes.items() if v is not None])
    return render("updated", facts=facts)


def currently(decision: Decision) -> str:
    return render("currently", option=option(decision.recommendation))


def for_your_project(decision: Decision) -> str:
    """The decision in one sentence after a general answer; empty while nothing is known."""
    if not len(decision.profile):
        return ""
    return render("for_your_project", option=option(decision.recommendation))


def why_not_head(decision: Decision, target: str) -> str:
    """The LLM frame's first sentence for "why not <target>?": the recommendation and both scores."""
    return render(
        "why_not.frame",
        target=option(target),
        option=option(decision.recommendation),
        score=decision.scores[decision.recommendation],
        target_score=decision.scores[target],
    )


def follow_up(ctx: AnswerContext) -> str:
    if ctx.question_field:
        return render("follow_up", question=QUESTIONS[ctx.question_field])
    return ""
