"""The deterministic explainer: writes each answer from the decision trace and the retrieved passages.

It is the product's offline default and the fallback whenever an LLM answer fails the guard, so it has to
read like an expert wrote it: the recommendation, the reasons in plain sentences, the main argument
against, what would change it, and the sections it rests on. Every sentence comes from the rules'
reasons, the profile or a knowledge passage; nothing is invented here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from .profile import FIELDS, Value
from .rules import PATTERN_LABELS
from .types import (
    Answer,
    Citation,
    Confidence,
    Counterfactual,
    Decision,
    FiredRule,
    Option,
)
from .types import AnswerContext as Context

# Noun phrases for facts, so sentences read "With no in-house ML team, ..." for every field.
PHRASES: dict[tuple[str, Value], str] = {
    ("data_type", "tabular"): "tabular data",
    ("data_type", "text"): "text data",
    ("data_type", "image"): "image data",
    ("data_type", "video"): "video data",
    ("data_type", "audio"): "audio data",
    ("data_type", "multimodal"): "multimodal data",
    ("task", "narrow"): "a narrow, well-defined task",
    ("task", "open_ended"): "an open-ended task",
    ("stage", "prototype"): "a prototype or MVP",
    ("stage", "production"): "a long-lived production system",
    ("ml_team", True): "an in-house ML team",
    ("ml_team", False): "no in-house ML team",
    ("labeled_data", "none"): "no labelled data",
    ("labeled_data", "some"): "some labelled data",
    ("labeled_data", "plenty"): "plenty of labelled data",
    ("privacy", "none"): "no special privacy constraints",
    ("privacy", "sensitive"): "sensitive data",
    ("privacy", "strict"): "data that must stay on your own infrastructure",
    ("external_api_ok", True): "third-party model APIs allowed",
    ("external_api_ok", False): "no third-party model APIs",
    ("latency", "relaxed"): "relaxed latency (batch is fine)",
    ("latency", "interactive"): "interactive latency",
    ("latency", "realtime"): "real-time latency",
    ("edge", True): "on-device deployment",
    ("edge", False): "server-side deployment",
    ("volume", "low"): "low request volume",
    ("volume", "medium"): "medium request volume",
    ("volume", "high"): "high request volume",
    ("budget", "low"): "a tight infrastructure budget",
    ("budget", "medium"): "a moderate infrastructure budget",
    ("budget", "high"): "a generous infrastructure budget",
    ("control", True): "a need for full control",
    ("control", False): "no need for full control",
}

QUESTIONS: dict[str, str] = {
    "data_type": "What kind of data will the model work on: tables, text, images, video, audio, or a mix?",
    "task": "Is the task well defined (classify, predict, detect) or open-ended and creative?",
    "stage": "Is this a quick prototype or MVP, or a system you will run in production for a long time?",
    "ml_team": "Do you have ML engineers or data scientists in-house?",
    "labeled_data": "Do you have labelled training data: none, some, or plenty?",
    "privacy": "Can the data leave your infrastructure, or is it sensitive or strictly confidential?",
    "external_api_ok": "Is it acceptable to depend on a third-party model API, such as OpenAI's?",
    "latency": "How fast must it answer: batch is fine, a person is waiting, or real time (tens of ms)?",
    "edge": "Does it have to run on a device, such as a phone or a camera, rather than on servers?",
    "volume": "Roughly how many requests a day do you expect?",
    "budget": "Is the infrastructure budget tight, moderate or generous?",
    "control": "Do you need full control to retrain, debug and explain the model, without vendor lock-in?",
}


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
        head = f"My recommendation: **{label}**."
    elif band is Confidence.MODERATE:
        head = f"On balance, I'd go with **{label}**."
    else:
        head = f"For now I lean towards **{label}**, but it is a close call."
    if decision.hybrid_patterns:
        head += f" Specifically: {join([PATTERN_LABELS[p] for p in decision.hybrid_patterns])}."
    return head


def _reasons(rules: Iterable[FiredRule], limit: int) -> list[str]:
    out = []
    for rule in list(rules)[:limit]:
        out.append(rule.reason + (f" ({rule.note})" if rule.note else ""))
    return out


def _changes_text(counterfactuals: Iterable[Counterfactual], per_option: int = 3) -> list[str]:
    """'with X or Y, it would be Z', one clause per alternative option."""
    by_option: dict[str, list[str]] = {}
    for cf in counterfactuals:
        by_option.setdefault(cf.recommendation, []).append(phrase(cf.field, cf.value))
    return [
        f"with {join(items[:per_option], 'or')}, it would be {option(o)}" for o, items in by_option.items()
    ]


def _ranked_counterfactuals(decision: Decision) -> list[Counterfactual]:
    """Known facts changing first (users ask 'what if we...'), then unknown fields being filled in."""
    return sorted(decision.counterfactuals, key=lambda c: (c.current is None, list(FIELDS).index(c.field)))


def _cite(ids: Iterable[str], ctx: Context, limit: int = 5) -> tuple[Citation, ...]:
    seen: dict[str, Citation] = {}
    for section in ids:
        if section in ctx.titles and section not in seen:
            seen[section] = Citation(section, ctx.titles[section])
    return tuple(seen.values())[:limit]


def sources_line(citations: Sequence[Citation]) -> str:
    if not citations:
        return ""
    return "Sources: " + "; ".join(f"{c.title} [{c.id}]" for c in citations) + "."


def _finish(parts: Sequence[str], citations: tuple[Citation, ...], ctx: Context) -> Answer:
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
        parts.append(f"Noted: {join(facts)}.")
    if cleared:
        parts.append(f"I've set {join(cleared)} back to unknown.")
    return " ".join(parts)


def follow_up(ctx: Context) -> str:
    if ctx.question_field:
        return f"One question that could change the answer: {QUESTIONS[ctx.question_field]}"
    return ""


def recommendation(ctx: Context, *, focus_changes: bool = True) -> Answer:
    """The full answer: recommendation, reasons, the main argument against, what would change it."""
    d = ctx.decision
    parts = [noted(ctx.changes) if focus_changes else ""]
    if ctx.previous and len(ctx.previous.profile) and ctx.previous.recommendation != d.recommendation:
        parts.append(f"That changes my answer: it was {option(ctx.previous.recommendation)}.")
    reasons = _reasons(d.supporting(), 3)
    parts.append(headline(d) + (" " + " ".join(reasons) if reasons else ""))
    against = d.against()
    if against:
        top = against[0]
        parts.append(f"The main argument against: {top.reason} That points to {option(top.favors or '')}.")
    changes = _changes_text(_ranked_counterfactuals(d))
    if changes:
        parts.append(f"What would change it: {'; '.join(changes)}.")
    parts.append(follow_up(ctx))
    used = [s for r in d.supporting()[:3] for s in r.sources] + (
        [s for s in against[0].sources] if against else []
    )
    return _finish(parts, _cite(used, ctx), ctx)


def why(ctx: Context) -> Answer:
    d = ctx.decision
    supporting = d.supporting()
    if supporting == [] or ([r.id for r in supporting] == ["custom-is-default"] and len(d.profile) == 0):
        text = (
            "I don't know anything about your project yet, so I fall back on the article's default: "
            f"{option(d.recommendation)}. Tell me about your data, team and constraints and I'll be specific."
        )
        return _finish([text, follow_up(ctx)], _cite(supporting[0].sources if supporting else (), ctx), ctx)
    lead = f"I recommend {option(d.recommendation)} because of what you've told me:"
    bullets = "\n".join(f"- {r}" for r in _reasons(supporting, 5))
    margin = sorted(d.scores.values(), reverse=True)
    tail = (
        f"It scores {d.scores[d.recommendation]:g} against {margin[1]:g} for the runner-up, "
        f"so my confidence is {d.confidence:.0%}."
    )
    return _finish(
        [f"{lead}\n{bullets}", tail, follow_up(ctx)],
        _cite([s for r in supporting[:5] for s in r.sources], ctx),
        ctx,
    )


def why_not(ctx: Context) -> Answer:
    d, target = ctx.decision, ctx.target or ""
    if Option.parse(target) is None:
        return why(ctx)
    if target == d.recommendation:
        answer = why(ctx)
        return Answer(
            f"{option(target).capitalize()} is in fact what I recommend.\n\n{answer.text}", answer.citations
        )
    parts = [
        f"Why not {option(target)}? It scores {d.scores[target]:g} against {d.scores[d.recommendation]:g} "
        f"for {option(d.recommendation)}."
    ]
    cited: list[str] = []
    excluded_by = [r for r in d.fired_rules if r.excludes == target]
    if excluded_by:
        parts.append(f"It is ruled out: {excluded_by[0].reason}")
        cited += excluded_by[0].sources
    pro = [r for r in d.fired_rules if r.favors == target]
    if pro:
        parts.append(f"What speaks for it: {' '.join(_reasons(pro, 2))}")
        cited += [s for r in pro[:2] for s in r.sources]
    else:
        parts.append(f"Nothing you've told me so far argues for {option(target)}.")
    held = [r for r in d.supporting() if not r.excludes]
    if held:
        parts.append(f"What holds it back: {' '.join(_reasons(held, 2))}")
        cited += [s for r in held[:2] for s in r.sources]
    flips = [c for c in _ranked_counterfactuals(d) if c.recommendation == target]
    if flips:
        parts.append(
            "It would become my recommendation with "
            f"{join([phrase(c.field, c.value) for c in flips[:3]], 'or')}."
        )
    else:
        parts.append(
            "No single change to your profile would make it the recommendation; it would take several."
        )
    return _finish(parts, _cite(cited, ctx), ctx)


def what_if(ctx: Context) -> Answer:
    assert ctx.what_if is not None
    w = ctx.what_if
    facts = join([phrase(n, v) for n, v in w.changes.items()])
    before, after = w.before.recommendation, w.after.recommendation
    if not w.changes:
        return _finish(
            [
                "I couldn't tell which fact you want to change, so my recommendation stays "
                f'{option(before)}. Try e.g. "what if we had no ML team?"'
            ],
            (),
            ctx,
        )
    if before != after:
        parts = [
            f"With {facts}, my recommendation would change from {option(before)} to **{option(after)}**."
        ]
    else:
        parts = [f"With {facts}, my recommendation would stay **{option(after)}**."]
    if w.after.hybrid_patterns and (after != before or w.after.hybrid_patterns != w.before.hybrid_patterns):
        parts.append(f"The hybrid would use {join([PATTERN_LABELS[p] for p in w.after.hybrid_patterns])}.")
    started = [r for r in w.started if r.favors == after or r.excludes]
    stopped = [r for r in w.stopped if r.favors == before or r.excludes]
    if started:
        parts.append("What changes: " + " ".join(_reasons(started, 2)))
    if stopped and before != after:
        parts.append("No longer applies: " + " ".join(_reasons(stopped, 2)))
    parts.append(
        'Your saved profile is unchanged. Say "let\'s go with that" to adopt these changes, '
        'or "keep the original".'
    )
    cited = [s for r in (started[:2] + stopped[:2]) for s in r.sources] or w.after.sources[:3]
    return _finish(parts, _cite(cited, ctx), ctx)


def change_mind(ctx: Context) -> Answer:
    d = ctx.decision
    flips = _ranked_counterfactuals(d)
    if not flips:
        return _finish(
            [
                f"No single change would move me off {option(d.recommendation)}: the case for it is robust "
                "with what you've told me."
            ],
            _cite(d.sources[:2], ctx),
            ctx,
        )
    by_option: dict[str, list[str]] = {}
    for cf in flips:
        by_option.setdefault(cf.recommendation, []).append(phrase(cf.field, cf.value))
    lines = [f"- **{option(o).capitalize()}** with {join(items[:4], 'or')}" for o, items in by_option.items()]
    parts = [
        f"I currently recommend {option(d.recommendation)}. Any one of these would change my mind:\n"
        + "\n".join(lines)
    ]
    unknown = [FIELDS[m].label.lower() for m in d.missing]
    if unknown:
        parts.append(f"Still unknown and able to tip it: {join(unknown)}.")
    return _finish(parts, _cite(d.sources[:3], ctx), ctx)


def _first_sentences(text: str, count: int) -> str:
    plain = re.sub(r"\s+", " ", re.sub(r"^\s*[-*|].*$", "", text, flags=re.M)).strip()
    sentences = re.split(r"(?<=[.!?])\s+", plain)
    return " ".join(sentences[:count])


def concept(ctx: Context) -> Answer:
    if not ctx.passages:
        return _finish(
            [
                "I couldn't find that in the guidance I know. I can explain foundation models, custom "
                "models, the four hybrid patterns and the article's examples."
            ],
            (),
            ctx,
        )
    top = ctx.passages[0]
    parts = [f"**{top.title}**: {_first_sentences(top.text, 4)}"]
    related = [p for p in ctx.passages[1:3] if p.section != top.section]
    if related:
        parts.append("Related: " + "; ".join(f"{p.title}" for p in related) + ".")
    parts.append(
        f"For your project, I currently recommend {option(ctx.decision.recommendation)}."
        if len(ctx.decision.profile)
        else ""
    )
    return _finish(parts, _cite([top.section, *(p.section for p in related)], ctx), ctx)


def adopt(ctx: Context) -> Answer:
    facts = join([phrase(n, v) for n, v in ctx.changes.items() if v is not None])
    head = f"Done: I've updated your profile ({facts})."
    answer = recommendation(Context(**{**ctx.__dict__, "changes": {}}), focus_changes=False)
    return Answer(f"{head}\n\n{answer.text}", answer.citations)


def discard(ctx: Context) -> Answer:
    return _finish(
        [f"Kept your original profile: my recommendation stays {option(ctx.decision.recommendation)}."],
        (),
        ctx,
    )


def nothing_pending(ctx: Context) -> Answer:
    return _finish(
        ['There is no what-if to adopt right now. Ask one like "what if we had no ML team?" first.'], (), ctx
    )


def reset(ctx: Context) -> Answer:
    return _finish(
        [
            "Starting over: I've cleared your project profile. Tell me about your project: the data, "
            "your team, and any privacy, speed or cost constraints."
        ],
        (),
        ctx,
    )


def undo(ctx: Context, undone: bool) -> Answer:
    if not undone:
        return _finish(["There's nothing to undo yet."], (), ctx)
    return _finish([f"Undone. My recommendation is now {option(ctx.decision.recommendation)}."], (), ctx)


def out_of_scope(ctx: Context) -> Answer:
    return _finish(
        [
            "That's outside what I can help with. I help you choose between a foundation model, a custom "
            'model and a hybrid of both for your project, explain why, and explore "what if" changes. '
            "Tell me about your project to start."
        ],
        (),
        ctx,
    )


def injection(ctx: Context) -> Answer:
    return _finish(
        [
            "I can't do that. My recommendation comes from the rules applied to your project's facts, "
            "not from instructions in the chat, and it can't be overridden. With what you've told me, it "
            f"is {option(ctx.decision.recommendation)}. Tell me more about your project if you think I "
            "have it wrong."
        ],
        (),
        ctx,
    )


def help_text(ctx: Context) -> Answer:
    return _finish(
        [
            "I help you choose between a foundation model, a custom model and a hybrid of both, following "
            'the article "Do You Really Need a Foundation Model?". Describe your project (data, task, '
            'team, labels, privacy, latency, scale), ask why, ask "what if...", or ask what a concept '
            "means, such as knowledge distillation.",
            follow_up(ctx),
        ],
        (),
        ctx,
    )
