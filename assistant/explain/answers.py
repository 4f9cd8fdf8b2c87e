"""The deterministic explainer's answers, one function per intent, from the decision trace and passages.

One concern: which pieces each intent's answer has and in what order. It is the product's offline default
and the fallback whenever an LLM answer fails the guard, so it has to read like an expert wrote it: it
answers the question asked first (a why-not opens with that option and what rules it out, a what-if with
"that would change it from X to Y" or "it would still be X, because...", a concept with the idea itself),
leads with the facts that decide the case, and while too little is known it asks the most decisive
questions and shows a labelled lean instead of a recommendation. Every sentence comes from the rules'
reasons, the profile, a knowledge passage or a named template (`templates.TEMPLATES`); nothing is invented
here, and no score, rule id or percentage is ever printed.
"""

from __future__ import annotations

import re

from ..types import Answer, Decision, FiredRule, Option
from ..types import AnswerContext as Context
from .pieces import (
    capital,
    changed_from,
    changes_text,
    cite,
    deciding_facts,
    deciding_rules,
    field_label,
    finish,
    follow_up,
    for_your_project,
    headline,
    join,
    main_against,
    noted,
    option,
    pattern_label,
    phrase,
    pick,
    ranked_counterfactuals,
    reason_of,
    reason_sentences,
    updated,
    why_not_reasons,
)
from .templates import render, template

_MAX_LIST_ITEMS = 6
# A list written to the article's reader ("you have an ML team...") would read as facts about this user, so
# such a list is summarised by its lead sentence instead of quoted.
_ADDRESSES_READER = re.compile(r"\b(?:you|your)\b", re.IGNORECASE)
MAX_WORDS = 150  # an answer's aim, sources line aside (60-150 words unless the user asks for detail)


def _reasons_paragraph(d: Decision, ctx: Context, count: int) -> tuple[str, list[FiredRule]]:
    """The headline and the strongest reasons, without the ones the previous answer already gave."""
    rules = deciding_rules(d, count + 1)
    fresh = [r for r in rules if reason_of(r, ctx.lang) not in ctx.previous_answer] or rules
    chosen = fresh[:count]
    return " ".join([headline(d, ctx), *reason_sentences(chosen, count, ctx.lang)]), chosen


def recommendation(ctx: Context, *, focus_changes: bool = True) -> Answer:
    """Acknowledge what is new, then recommend (or, while too little is known, show the lean and ask)."""
    d, lang = ctx.decision, ctx.lang
    parts = [noted(ctx.changes, lang) if focus_changes else ""]
    if ctx.previous and len(ctx.previous.profile) and ctx.previous.recommendation != d.recommendation:
        parts.append(changed_from(ctx.previous, lang))
    flips = ranked_counterfactuals(d)
    if d.undecided:
        lead, used_rules = _reasons_paragraph(d, ctx, 1)
        parts.append(lead)
        open_ = [cf for cf in flips if cf.current is None][:3]
        if open_:
            parts.append(pick("open", ctx, changes="; ".join(changes_text(open_, 2, d, lang))))
        parts.append(follow_up(ctx))
        return finish(parts, cite([s for r in used_rules for s in r.sources], ctx), ctx)
    against = main_against(d)
    # Only changes that argue for another answer; "it rests on..." clauses are for change_mind and the record.
    changes = changes_text([cf for cf in flips if cf.pushes or cf.current is None][:4], 2, d, lang)[:2]
    # Within the word budget: a second reason, the main argument against, then a second counterfactual go
    # first when the answer would run long.
    for count, show_against, shown_changes in ((2, True, 2), (1, True, 2), (1, True, 1), (1, False, 1)):
        lead, used_rules = _reasons_paragraph(d, ctx, count)
        body = [*parts, lead]
        if against and show_against:
            reason, favored = reason_of(against, lang), option(against.favors or "", lang)
            body.append(pick("against", ctx, reason=reason, option=favored))
        if changes:
            body.append(pick("would_change", ctx, changes="; ".join(changes[:shown_changes])))
        body.append(follow_up(ctx))
        if _words(body) <= MAX_WORDS:
            break
    used = [s for r in used_rules for s in r.sources]
    used += list(against.sources) if against and show_against else []
    return finish(body, cite(used, ctx), ctx)


def _words(parts: list[str]) -> int:
    return sum(len(p.split()) for p in parts)


def _why_items(d: Decision, rules: list[FiredRule], lang: str = "en") -> list[str]:
    """One bullet per reason, led by the user's fact it rests on."""
    items = []
    for rule in rules:
        facts = deciding_facts(d, [rule], lang=lang)
        reason = reason_sentences([rule], 1, lang)[0]
        fact = capital(join(facts, lang=lang))
        items.append(render("why.item", lang, fact=fact, reason=reason) if facts else f"- {reason}")
    return items


def why(ctx: Context) -> Answer:
    d, lang = ctx.decision, ctx.lang
    label = option(d.recommendation, lang)
    supporting = d.supporting()
    if not supporting or (all(r.is_prior for r in supporting) and not len(d.profile)):
        text = render("why.no_profile", lang, option=label)
        return finish([text, follow_up(ctx)], cite(supporting[0].sources if supporting else (), ctx), ctx)
    rules = deciding_rules(d, 4)
    if rules:
        lead = render("why.undecided" if d.undecided else "why.lead", lang, option=label)
        parts = [f"{lead}\n" + "\n".join(_why_items(d, rules, lang))]
    else:
        parts = [render("why.nothing_decisive", lang, option=label)]
    tip = changes_text(ranked_counterfactuals(d)[:2], 2, d, lang)[:1]
    if tip:
        parts.append(render("why.tip", lang, changes=tip[0]))
    parts.append(follow_up(ctx))
    return finish(parts, cite([s for r in rules for s in r.sources], ctx), ctx)


def why_not(ctx: Context) -> Answer:
    """Opens with the option asked about and the one or two reasons that rule it out for this project."""
    d, target, lang = ctx.decision, Option.parse(ctx.target), ctx.lang
    if target is None:
        return why(ctx)
    flips = [c for c in ranked_counterfactuals(d) if c.recommendation == target]
    become = (
        render(
            "why_not.would_lead" if d.undecided else "why_not.would_become",
            lang,
            facts=join([phrase(c.field, c.value, lang) for c in flips[:3]], "or", lang),
        )
        if flips
        else template("why_not.no_single_change", lang)
    )
    if d.undecided:
        if target == d.recommendation:
            parts = [render("why_not.is_lean", lang, target=option(target, lang))]
        else:
            parts = [render("why_not.open", lang, target=option(target, lang)), become]
        parts.append(follow_up(ctx))
        return finish(parts, cite([s for r in deciding_rules(d, 2) for s in r.sources], ctx), ctx)
    if target == d.recommendation:
        rules = deciding_rules(d, 3)
        lead = render("why_not.yes", lang, option=option(target, lang))
        parts = [f"{lead}\n" + "\n".join(_why_items(d, rules, lang))]
        caveat = main_against(d)
        if caveat:
            reason, favored = reason_of(caveat, lang), option(caveat.favors or "", lang)
            parts.append(pick("against", ctx, reason=reason, option=favored))
        return finish(parts, cite([s for r in rules for s in r.sources], ctx), ctx)
    against, pro = why_not_reasons(d, target)
    cited = [s for r in against for s in r.sources]
    label = option(target, lang)
    if against:
        reasons = " ".join(reason_sentences(against, 2, lang))
        parts = [render("why_not.head", lang, target=label, reasons=reasons)]
    else:
        parts = [render("why_not.nothing_for", lang, target=label)]
    if pro:
        parts.append(render("why_not.for", lang, reasons=" ".join(reason_sentences(pro, 1, lang))))
        cited += pro[0].sources
    # what the reader gets instead
    parts.append(render("why_not.instead", lang, option=option(d.recommendation, lang)))
    parts.append(become)
    return finish(parts, cite(cited, ctx), ctx)


def _because(reason: str) -> str:
    return reason[:1].lower() + reason[1:]


def what_if(ctx: Context) -> Answer:
    """Opens with "that would change it from X to Y" or "it would still be X, because..."."""
    assert ctx.what_if is not None
    w, lang = ctx.what_if, ctx.lang
    before, after = w.before.recommendation, w.after.recommendation
    was, now = option(before, lang), option(after, lang)
    if not w.changes:
        return finish([render("what_if.unclear", lang, option=was)], (), ctx)
    new = w.new
    if not new:
        facts = join([phrase(n, v, lang) for n, v in w.changes.items()], lang=lang)
        return finish([render("what_if.already", lang, facts=facts, option=was)], (), ctx)
    facts = join([phrase(n, v, lang) for n, v in new.items()], lang=lang)
    started = [r for r in w.started if r.favors == after or r.excludes]
    stopped = [r for r in w.stopped if r.favors == before or r.excludes]
    rivals = [r for r in w.started if r.favors and r.favors != after and not r.is_prior]
    if w.after.undecided:
        name = "what_if.lean_changes" if before != after else "what_if.lean_stays"
        parts = [render(name, lang, facts=facts, before=was, after=now)]
    elif before != after:
        parts = [render("what_if.changes", lang, facts=facts, before=was, after=now)]
        if started:
            parts.append(
                render("what_if.started", lang, reasons=" ".join(reason_sentences(started, 2, lang)))
            )
        elif stopped:
            parts.append(
                render("what_if.stopped", lang, reasons=" ".join(reason_sentences(stopped, 1, lang)))
            )
    else:
        keep = deciding_rules(w.after, 1)
        if keep:
            reason = _because(reason_of(keep[0], lang))
            head = render("what_if.stays", lang, facts=facts, after=now, reason=reason)
        else:
            head = render("what_if.stays_plain", lang, facts=facts, after=now)
        parts = [head]
        if rivals and rivals[0].favors:
            parts.append(render("what_if.not_enough", lang, option=option(rivals[0].favors, lang)))
        started = keep
    if w.after.hybrid_patterns and (after != before or w.after.hybrid_patterns != w.before.hybrid_patterns):
        patterns = join([pattern_label(p, lang) for p in w.after.hybrid_patterns], lang=lang)
        parts.append(render("what_if.hybrid", lang, patterns=patterns))
    parts.append(pick("what_if.pending", ctx))
    cited = [s for r in (started[:2] + stopped[:2]) for s in r.sources] or w.after.sources[:3]
    return finish(parts, cite(cited, ctx), ctx)


def change_mind(ctx: Context) -> Answer:
    d, lang = ctx.decision, ctx.lang
    flips = ranked_counterfactuals(d)
    if not flips:
        text = render("change_mind.robust", lang, option=option(d.recommendation, lang))
        return finish([text], cite(d.sources[:2], ctx), ctx)
    pushing: dict[str, list[str]] = {}
    release: dict[str, list[str]] = {}
    for cf in flips:
        if cf.pushes or cf.current is None:
            pushing.setdefault(cf.recommendation, []).append(phrase(cf.field, cf.value, lang))
        elif cf.current is not None:
            release.setdefault(cf.recommendation, []).append(phrase(cf.field, cf.current, lang))
    lines = [
        render("change_mind.item", lang, option=_bullet(o, lang), facts=join(items[:4], "or", lang))
        for o, items in pushing.items()
    ]
    lines += [
        render("change_mind.release", lang, option=_bullet(o, lang), facts=join(items[:2], "or", lang))
        for o, items in release.items()
        if o not in pushing
    ]
    head = render(
        "currently.undecided" if d.undecided else "currently", lang, option=option(d.recommendation, lang)
    )
    parts = [f"{head} {template('change_mind.lead', lang)}\n" + "\n".join(lines)]
    unknown = [field_label(m, lang) for m in d.missing]
    if unknown:
        parts.append(render("change_mind.unknown", lang, fields=join(unknown, lang=lang)))
    return finish(parts, cite(d.sources[:3], ctx), ctx)


def _bullet(name: str, lang: str) -> str:
    """An option leading a bullet: "A foundation model" (English keeps `str.capitalize`, as it always has)."""
    return capital(option(name, lang)) if lang == "ru" else option(name).capitalize()


def _paragraphs(text: str) -> tuple[str, list[str]]:
    """The passage's first prose paragraph and its first list (Markdown bullets or table rows skipped)."""
    prose: list[str] = []
    items: list[str] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        bullets = [re.sub(r"^[-*]\s+", "", line) for line in lines if re.match(r"^[-*]\s+", line)]
        plain = [line for line in lines if not re.match(r"^[-*|]", line)]
        if plain and not prose:
            prose = plain
        if bullets and not items:
            items = bullets
            break
    return " ".join(prose), items


def _first_sentences(text: str, count: int) -> str:
    sentences = re.split(r"(?<=[.!?:])\s+", re.sub(r"\s+", " ", text).strip())
    return " ".join(sentences[:count])


def concept(ctx: Context) -> Answer:
    """The idea itself, structured (a list where the passage has one), then one sentence on the project."""
    if not ctx.passages:
        return finish([template("concept.not_found", ctx.lang)], (), ctx)
    top = ctx.passages[0]
    text = "\n\n".join(p.text for p in ctx.passages if p.section == top.section)
    prose, items = _paragraphs(text)
    if items and not any(_ADDRESSES_READER.search(item) for item in items):
        summary = _first_sentences(prose, 3)
        body = render("concept.top", ctx.lang, title=top.title, summary=summary)
        body += "\n" + "\n".join(f"- {item}" for item in items[:_MAX_LIST_ITEMS])
    else:
        body = render("concept.top", ctx.lang, title=top.title, summary=_first_sentences(prose, 3))
    parts = [body]
    related = [p for p in ctx.passages[1:3] if p.section != top.section]
    if related:
        parts.append(render("concept.related", ctx.lang, titles="; ".join(f"{p.title}" for p in related)))
    parts.append(_tie_to_project(ctx))
    return finish(parts, cite([top.section, *(p.section for p in related)], ctx), ctx)


def _tie_to_project(ctx: Context) -> str:
    """One sentence linking the concept to the user's project: the recommended hybrid pattern when the
    concept is that pattern, else the current recommendation (or that it is too early to say)."""
    d = ctx.decision
    top = ctx.passages[0].section if ctx.passages else ""
    for pattern in d.hybrid_patterns[:1]:
        if not d.undecided and top and any(r.pattern == pattern and top in r.sources for r in d.fired_rules):
            return render("for_your_project.pattern", ctx.lang, option=pattern_label(pattern, ctx.lang))
    return for_your_project(d, ctx)


def adopt(ctx: Context) -> Answer:
    head = updated(ctx.changes, ctx.lang)
    answer = recommendation(Context(**{**ctx.__dict__, "changes": {}}), focus_changes=False)
    return Answer(f"{head}\n\n{answer.text}", answer.citations)


def discard(ctx: Context) -> Answer:
    name = "discard.undecided" if ctx.decision.undecided else "discard"
    return finish([render(name, ctx.lang, option=option(ctx.decision.recommendation, ctx.lang))], (), ctx)


def nothing_pending(ctx: Context) -> Answer:
    return finish([template("nothing_pending", ctx.lang)], (), ctx)


def reset(ctx: Context) -> Answer:
    return finish([template("reset", ctx.lang)], (), ctx)


def undo(ctx: Context, undone: bool) -> Answer:
    if not undone:
        return finish([template("undo.nothing", ctx.lang)], (), ctx)
    name = "undo.done.undecided" if ctx.decision.undecided else "undo.done"
    return finish([render(name, ctx.lang, option=option(ctx.decision.recommendation, ctx.lang))], (), ctx)


def out_of_scope(ctx: Context) -> Answer:
    return finish([template("out_of_scope", ctx.lang)], (), ctx)


def injection(ctx: Context) -> Answer:
    name = "injection.undecided" if ctx.decision.undecided else "injection"
    return finish([render(name, ctx.lang, option=option(ctx.decision.recommendation, ctx.lang))], (), ctx)


def help_text(ctx: Context) -> Answer:
    return finish([template("help", ctx.lang), follow_up(ctx)], (), ctx)


def answer(intent: str, ctx: Context, undone: bool = False) -> Answer:
    """The deterministic answer for one turn's intent (`undone`: whether an undo found a step to undo)."""
    handlers = {
        "why": why,
        "why_not": why_not,
        "what_if": what_if,
        "change_mind": change_mind,
        "concept": concept,
        "discard": discard,
        "reset": reset,
        "out_of_scope": out_of_scope,
        "injection": injection,
        "help": help_text,
    }
    if intent == "undo":
        return undo(ctx, undone)
    if intent == "adopt":
        return adopt(ctx) if ctx.changes else nothing_pending(ctx)
    if intent in handlers:
        return handlers[intent](ctx)
    return recommendation(ctx)
