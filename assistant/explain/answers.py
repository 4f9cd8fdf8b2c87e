"""The deterministic explainer's answers, one function per intent, from the decision trace and passages.

One concern: which pieces each intent's answer has and in what order. It is the product's offline default
and the fallback whenever an LLM answer fails the guard, so it has to read like an expert wrote it: the
recommendation, the reasons in plain sentences, the main argument against, what would change it, and the
sections it rests on. Every sentence comes from the rules' reasons, the profile, a knowledge passage or a
named template (`templates.TEMPLATES`); nothing is invented here.
"""

from __future__ import annotations

import re

from ..profile import FIELDS
from ..rules import PATTERN_LABELS
from ..types import Answer, Option
from ..types import AnswerContext as Context
from .pieces import (
    changed_from,
    changes_text,
    cite,
    currently,
    finish,
    follow_up,
    for_your_project,
    headline,
    join,
    noted,
    option,
    phrase,
    ranked_counterfactuals,
    reason_sentences,
    updated,
)
from .templates import TEMPLATES, render


def recommendation(ctx: Context, *, focus_changes: bool = True) -> Answer:
    """The full answer: recommendation, reasons, the main argument against, what would change it."""
    d = ctx.decision
    parts = [noted(ctx.changes) if focus_changes else ""]
    if ctx.previous and len(ctx.previous.profile) and ctx.previous.recommendation != d.recommendation:
        parts.append(changed_from(ctx.previous))
    reasons = reason_sentences(d.supporting(), 3)
    parts.append(headline(d) + (" " + " ".join(reasons) if reasons else ""))
    against = d.against()
    if against:
        top = against[0]
        parts.append(render("against", reason=top.reason, option=option(top.favors or "")))
    changes = changes_text(ranked_counterfactuals(d))
    if changes:
        parts.append(render("would_change", changes="; ".join(changes)))
    parts.append(follow_up(ctx))
    used = [s for r in d.supporting()[:3] for s in r.sources] + (
        [s for s in against[0].sources] if against else []
    )
    return finish(parts, cite(used, ctx), ctx)


def why(ctx: Context) -> Answer:
    d = ctx.decision
    supporting = d.supporting()
    if supporting == [] or ([r.id for r in supporting] == ["custom-is-default"] and len(d.profile) == 0):
        text = render("why.no_profile", option=option(d.recommendation))
        return finish([text, follow_up(ctx)], cite(supporting[0].sources if supporting else (), ctx), ctx)
    lead = render("why.lead", option=option(d.recommendation))
    bullets = "\n".join(f"- {r}" for r in reason_sentences(supporting, 5))
    margin = sorted(d.scores.values(), reverse=True)
    tail = render(
        "why.margin", score=d.scores[d.recommendation], runner_up=margin[1], confidence=d.confidence
    )
    return finish(
        [f"{lead}\n{bullets}", tail, follow_up(ctx)],
        cite([s for r in supporting[:5] for s in r.sources], ctx),
        ctx,
    )


def why_not(ctx: Context) -> Answer:
    d, target = ctx.decision, ctx.target or ""
    if Option.parse(target) is None:
        return why(ctx)
    if target == d.recommendation:
        answer = why(ctx)
        lead = render("why_not.is_recommended", option=option(target).capitalize())
        return Answer(f"{lead}\n\n{answer.text}", answer.citations)
    parts = [
        render(
            "why_not.head",
            target=option(target),
            target_score=d.scores[target],
            score=d.scores[d.recommendation],
            option=option(d.recommendation),
        )
    ]
    cited: list[str] = []
    excluded_by = [r for r in d.fired_rules if r.excludes == target]
    if excluded_by:
        parts.append(render("why_not.ruled_out", reason=excluded_by[0].reason))
        cited += excluded_by[0].sources
    pro = [r for r in d.fired_rules if r.favors == target]
    if pro:
        parts.append(render("why_not.for", reasons=" ".join(reason_sentences(pro, 2))))
        cited += [s for r in pro[:2] for s in r.sources]
    else:
        parts.append(render("why_not.nothing_for", target=option(target)))
    held = [r for r in d.supporting() if not r.excludes]
    if held:
        parts.append(render("why_not.held_back", reasons=" ".join(reason_sentences(held, 2))))
        cited += [s for r in held[:2] for s in r.sources]
    flips = [c for c in ranked_counterfactuals(d) if c.recommendation == target]
    if flips:
        facts = join([phrase(c.field, c.value) for c in flips[:3]], "or")
        parts.append(render("why_not.would_become", facts=facts))
    else:
        parts.append(TEMPLATES["why_not.no_single_change"])
    return finish(parts, cite(cited, ctx), ctx)


def what_if(ctx: Context) -> Answer:
    assert ctx.what_if is not None
    w = ctx.what_if
    facts = join([phrase(n, v) for n, v in w.changes.items()])
    before, after = w.before.recommendation, w.after.recommendation
    if not w.changes:
        return finish([render("what_if.unclear", option=option(before))], (), ctx)
    if before != after:
        parts = [render("what_if.changes", facts=facts, before=option(before), after=option(after))]
    else:
        parts = [render("what_if.stays", facts=facts, after=option(after))]
    if w.after.hybrid_patterns and (after != before or w.after.hybrid_patterns != w.before.hybrid_patterns):
        patterns = join([PATTERN_LABELS[p] for p in w.after.hybrid_patterns])
        parts.append(render("what_if.hybrid", patterns=patterns))
    started = [r for r in w.started if r.favors == after or r.excludes]
    stopped = [r for r in w.stopped if r.favors == before or r.excludes]
    if started:
        parts.append(render("what_if.started", reasons=" ".join(reason_sentences(started, 2))))
    if stopped and before != after:
        parts.append(render("what_if.stopped", reasons=" ".join(reason_sentences(stopped, 2))))
    parts.append(TEMPLATES["what_if.pending"])
    cited = [s for r in (started[:2] + stopped[:2]) for s in r.sources] or w.after.sources[:3]
    return finish(parts, cite(cited, ctx), ctx)


def change_mind(ctx: Context) -> Answer:
    d = ctx.decision
    flips = ranked_counterfactuals(d)
    if not flips:
        text = render("change_mind.robust", option=option(d.recommendation))
        return finish([text], cite(d.sources[:2], ctx), ctx)
    by_option: dict[str, list[str]] = {}
    for cf in flips:
        by_option.setdefault(cf.recommendation, []).append(phrase(cf.field, cf.value))
    lines = [
        render("change_mind.item", option=option(o).capitalize(), facts=join(items[:4], "or"))
        for o, items in by_option.items()
    ]
    parts = [f"{currently(d)} {TEMPLATES['change_mind.lead']}\n" + "\n".join(lines)]
    unknown = [FIELDS[m].label.lower() for m in d.missing]
    if unknown:
        parts.append(render("change_mind.unknown", fields=join(unknown)))
    return finish(parts, cite(d.sources[:3], ctx), ctx)


def _first_sentences(text: str, count: int) -> str:
    plain = re.sub(r"\s+", " ", re.sub(r"^\s*[-*|].*$", "", text, flags=re.M)).strip()
    sentences = re.split(r"(?<=[.!?])\s+", plain)
    return " ".join(sentences[:count])


def concept(ctx: Context) -> Answer:
    if not ctx.passages:
        return finish([TEMPLATES["concept.not_found"]], (), ctx)
    top = ctx.passages[0]
    parts = [render("concept.top", title=top.title, summary=_first_sentences(top.text, 4))]
    related = [p for p in ctx.passages[1:3] if p.section != top.section]
    if related:
        parts.append(render("concept.related", titles="; ".join(f"{p.title}" for p in related)))
    parts.append(for_your_project(ctx.decision))
    return finish(parts, cite([top.section, *(p.section for p in related)], ctx), ctx)


def adopt(ctx: Context) -> Answer:
    head = updated(ctx.changes)
    answer = recommendation(Context(**{**ctx.__dict__, "changes": {}}), focus_changes=False)
    return Answer(f"{head}\n\n{answer.text}", answer.citations)


def discard(ctx: Context) -> Answer:
    return finish([render("discard", option=option(ctx.decision.recommendation))], (), ctx)


def nothing_pending(ctx: Context) -> Answer:
    return finish([TEMPLATES["nothing_pending"]], (), ctx)


def reset(ctx: Context) -> Answer:
    return finish([TEMPLATES["reset"]], (), ctx)


def undo(ctx: Context, undone: bool) -> Answer:
    if not undone:
        return finish([TEMPLATES["undo.nothing"]], (), ctx)
    return finish([render("undo.done", option=option(ctx.decision.recommendation))], (), ctx)


def out_of_scope(ctx: Context) -> Answer:
    return finish([TEMPLATES["out_of_scope"]], (), ctx)


def injection(ctx: Context) -> Answer:
    return finish([render("injection", option=option(ctx.decision.recommendation))], (), ctx)


def help_text(ctx: Context) -> Answer:
    return finish([TEMPLATES["help"], follow_up(ctx)], (), ctx)
