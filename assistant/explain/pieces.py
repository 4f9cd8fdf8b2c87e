"""The answer pieces shared by the deterministic explainer and the LLM writer's frame.

One concern: turning a decision (or one part of it) into a sentence with `templates`. The explainer's
answers (`answers`) are assembled from these pieces, and the LLM writer puts the same pieces around its own
text (the decision first, the follow-up question last), so the two never word a decision differently.

Three habits keep the pieces reading like an expert rather than a form: the deciding facts lead (the
profile values the strongest supporting rules test); the unconditional prior is mentioned only when nothing
else fired; and a sentence with several wordings (`templates.variants`) takes the one the previous answer
did not use, chosen from the turn number, so the same input always gives the same answer.
"""

from __future__ import annotations

import zlib
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
from .grammar import Inflected
from .templates import PHRASES, QUESTIONS, TEMPLATES, render, russian, template, variants

WHAT_IF_PENDING = TEMPLATES["what_if.pending"]
# Fields that describe the project itself: changing them is not a circumstance the user may face but a
# different project, so such what-ifs come after the constraints (privacy, scale, speed, team, labels...).
_NATURE = ("data_type", "task")


def phrase(name: str, value: Value, lang: str = "en") -> str:
    """A fact as a noun phrase: "no in-house ML team" / "нет своей ML-команды"."""
    return russian().phrases[(name, value)] if lang == "ru" else PHRASES[(name, value)]


def question(name: str, lang: str = "en") -> str:
    """The question that asks for a field."""
    return russian().questions[name] if lang == "ru" else QUESTIONS[name]


def confirmation(name: str, value: Value, lang: str = "en") -> str:
    """A guessed fact as the assistant checks it: "the data can't leave your servers"."""
    if lang == "ru":
        return russian().confirm[(name, value)]
    from ..lexicon import confirm

    return confirm(name, value)


def field_label(name: str, lang: str = "en") -> str:
    """A field's name in running text: "ml team" / "ML-команда"."""
    return russian().labels[name] if lang == "ru" else FIELDS[name].label.lower()


def join(items: Sequence[str], last: str = "and", lang: str = "en") -> str:
    """ "a, b and c"; `last` is "and" or "or" (said in `lang`)."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    word = russian().words[last] if lang == "ru" else last
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def option(name: str, lang: str = "en") -> str:
    """An option's label: "a custom model"; in Russian an `Inflected` that gives the case a template asks."""
    if lang == "ru":
        return Inflected(russian().cases[Option(name)])
    return Option(name).label


def pattern_label(pattern: str, lang: str = "en") -> str:
    return russian().patterns[pattern] if lang == "ru" else PATTERN_LABELS[pattern]


def reason_of(rule: FiredRule, lang: str = "en") -> str:
    """A rule's reason in `lang` (a rule the Russian data does not know, e.g. from a user's own rules file,
    keeps its own words)."""
    said = russian().rules.get(rule.id) if lang == "ru" else None
    return said.reason if said else rule.reason


def note_of(rule: FiredRule, lang: str = "en") -> str:
    said = russian().rules.get(rule.id) if lang == "ru" else None
    return said.note if said and rule.note else rule.note


def capital(text: str) -> str:
    if isinstance(text, Inflected):
        return text.capital()
    return text[:1].upper() + text[1:]


# --- choosing a wording ---------------------------------------------------------------------------
def pick(name: str, ctx: AnswerContext | None = None, lang: str | None = None, **fields: object) -> str:
    """TEMPLATES[name] or one of its other wordings, filled in. Without a previous answer: the first
    wording. After one: start from the turn number (so a conversation varies its wording) and skip any
    wording whose sentence the previous answer already contains."""
    names = variants(name)
    lang = lang or (ctx.lang if ctx is not None else "en")
    if ctx is None or len(names) == 1 or not ctx.previous_answer:
        return render(name, lang, **fields)
    start = (ctx.turn + zlib.crc32(name.encode())) % len(names)
    ordered = names[start:] + names[:start]
    texts = [render(n, lang, **fields) for n in ordered]
    return next((t for t in texts if t not in ctx.previous_answer), texts[0])


# --- facts and reasons -----------------------------------------------------------------------------
def deciding_rules(decision: Decision, limit: int = 3) -> list[FiredRule]:
    """The rules that decide this case, strongest first: exclusions, then conditional supporting rules.
    The unconditional prior only when no other rule fired at all (then it is all there is to say)."""
    supporting = decision.supporting()
    specific = [r for r in supporting if not r.is_prior]
    if specific or any(not r.is_prior for r in decision.fired_rules):
        return specific[:limit]
    return supporting[:limit]


def deciding_facts(
    decision: Decision, rules: Iterable[FiredRule] | None = None, limit: int = 3, lang: str = "en"
) -> list[str]:
    """The profile facts the deciding rules test, as phrases, in the order the rules rank them."""
    seen: dict[str, None] = {}
    for rule in deciding_rules(decision, 2) if rules is None else rules:
        for name in rule.fields:
            if name in decision.profile:
                seen.setdefault(phrase(name, decision.profile[name], lang), None)
    return list(seen)[:limit]


def reason_sentences(rules: Iterable[FiredRule], limit: int, lang: str = "en") -> list[str]:
    """The first `limit` rules' reasons, each with its note in parentheses."""
    out = []
    for rule in list(rules)[:limit]:
        note = note_of(rule, lang)
        out.append(reason_of(rule, lang) + (f" ({note})" if note else ""))
    return out


def main_against(decision: Decision) -> FiredRule | None:
    """The strongest specific argument for another option that is still possible; the prior is never an
    argument against, nor is a reason for an option the rules exclude."""
    return next((r for r in decision.against() if not r.is_prior and r.favors not in decision.excluded), None)


# --- what would change it --------------------------------------------------------------------------
def relevance(cf: Counterfactual) -> tuple[int, int, int]:
    """How worth saying a counterfactual is, lower first: an unknown field being filled in; then a known
    constraint the user could plausibly face (scale, privacy, speed, team, labels...) that argues for the
    new answer; then a different project (data type, task); last a change that only takes a reason away
    (it reads as reversing what the user said)."""
    if cf.current is None:
        tier = 0
    elif not cf.pushes:
        tier = 3
    else:
        tier = 2 if cf.field in _NATURE else 1
    values = FIELDS[cf.field].values
    return tier, list(FIELDS).index(cf.field), values.index(cf.value) if cf.value in values else 0


def ranked_counterfactuals(decision: Decision) -> list[Counterfactual]:
    """The decision's counterfactuals, most relevant first (see `relevance`)."""
    return sorted(decision.counterfactuals, key=relevance)


def counterfactual_clause(cf: Counterfactual, decision: Decision, lang: str = "en") -> str:
    """One counterfactual as a clause whose direction reads right: "with X, it would be Y" when X itself
    argues for Y; "it rests on <today's fact>: without that, it would be Y" when the change only removes a
    reason for today's answer (so "with low volume it would be a hybrid" is never said)."""
    label = option(cf.recommendation, lang)
    if cf.pushes or cf.current is None:
        return render("counterfactual", lang, facts=phrase(cf.field, cf.value, lang), option=label)
    return render("counterfactual.release", lang, facts=phrase(cf.field, cf.current, lang), option=label)


def changes_text(
    counterfactuals: Iterable[Counterfactual],
    per_option: int = 3,
    decision: Decision | None = None,
    lang: str = "en",
) -> list[str]:
    """'with X or Y, it would be Z', one clause per alternative option (pushing changes grouped), and a
    'rests on' clause for a change that only removes a reason for today's answer."""
    by_option: dict[str, list[str]] = {}
    release: list[str] = []
    for cf in counterfactuals:
        if cf.pushes or cf.current is None or decision is None:
            by_option.setdefault(cf.recommendation, []).append(phrase(cf.field, cf.value, lang))
        elif not release:
            release.append(counterfactual_clause(cf, decision, lang))
    out = [
        render("counterfactual", lang, facts=join(items[:per_option], "or", lang), option=option(o, lang))
        for o, items in by_option.items()
    ]
    return out + release


def decisive_fields(decision: Decision) -> list[str]:
    """Unknown fields, most decisive first: the one whose answer could move the recommendation to the most
    different options, then in the most ways; ties in the profile's field order."""
    reach: dict[str, set[Option]] = {m: set() for m in decision.missing}
    ways: dict[str, int] = dict.fromkeys(decision.missing, 0)
    for cf in decision.counterfactuals:
        if cf.field in reach:
            reach[cf.field].add(cf.recommendation)
            ways[cf.field] += 1
    order = list(FIELDS)
    return sorted(decision.missing, key=lambda m: (-len(reach[m]), -ways[m], order.index(m)))


# --- citations and the answer's frame ----------------------------------------------------------------
def cite(ids: Iterable[str], ctx: AnswerContext, limit: int = 5) -> tuple[Citation, ...]:
    """Citations for the known section ids among `ids`, first mention first, at most `limit`."""
    seen: dict[str, Citation] = {}
    for section in ids:
        if section in ctx.titles and section not in seen:
            seen[section] = Citation(section, ctx.titles[section])
    return tuple(seen.values())[:limit]


def sources_line(citations: Sequence[Citation], lang: str = "en") -> str:
    if not citations:
        return ""
    listed = "; ".join(render("source", lang, title=c.title, id=c.id) for c in citations)
    return render("sources", lang, sources=listed)


def is_sources_line(paragraph: str) -> bool:
    """Whether an answer's paragraph is its sources line (in either language)."""
    return any(paragraph.startswith(template("sources", lang).split("{")[0]) for lang in ("en", "ru"))


def finish(parts: Sequence[str], citations: tuple[Citation, ...], ctx: AnswerContext) -> Answer:
    """The answer's paragraphs (empty ones dropped), the turn's notice first and the sources line last."""
    body = [p for p in parts if p]
    if ctx.notice:
        body.insert(0, f"_{ctx.notice}_")
    body.append(sources_line(citations, ctx.lang))
    return Answer("\n\n".join(p for p in body if p), citations)


# --- the LLM frame's pieces --------------------------------------------------------------------------
def headline(decision: Decision, ctx: AnswerContext | None = None, lang: str | None = None) -> str:
    """The recommendation, led by the facts that decide it; a labelled lean while too little is known.
    `lang`: the language without a context (default: the context's, else English)."""
    lang = lang or (ctx.lang if ctx is not None else "en")
    label = option(decision.recommendation, lang)
    if decision.undecided:
        return pick("headline.undecided", ctx, lang, option=label)
    facts = deciding_facts(decision, lang=lang)
    if not facts:
        head = render("headline.plain", lang, option=label)
    else:
        band = Confidence.of(decision.confidence)
        name = {Confidence.HIGH: "headline.high", Confidence.MODERATE: "headline.moderate"}.get(
            band, "headline.low"
        )
        head = pick(name, ctx, lang, option=label, facts=join(facts, lang=lang))
    if decision.hybrid_patterns:
        patterns = join([pattern_label(p, lang) for p in decision.hybrid_patterns], lang=lang)
        head += " " + render("headline.patterns", lang, patterns=patterns)
    return head


def noted(changes: Mapping[str, Value | None], lang: str = "en") -> str:
    facts = [phrase(n, v, lang) for n, v in changes.items() if v is not None]
    cleared = [field_label(n, lang) for n, v in changes.items() if v is None]
    parts = []
    if facts:
        parts.append(render("noted", lang, facts=join(facts, lang=lang)))
    if cleared:
        parts.append(render("cleared", lang, fields=join(cleared, lang=lang)))
    return " ".join(parts)


def changed_from(previous: Decision, lang: str = "en") -> str:
    return render("changed_from", lang, option=option(previous.recommendation, lang))


def updated(changes: Mapping[str, Value | None], lang: str = "en") -> str:
    facts = join([phrase(n, v, lang) for n, v in changes.items() if v is not None], lang=lang)
    return render("updated", lang, facts=facts)


def currently(decision: Decision, lang: str = "en") -> str:
    name = "currently.undecided" if decision.undecided else "currently"
    return render(name, lang, option=option(decision.recommendation, lang))


def for_your_project(decision: Decision, ctx: AnswerContext | None = None, lang: str | None = None) -> str:
    """The decision in one sentence after a general answer; empty while nothing is known."""
    lang = lang or (ctx.lang if ctx is not None else "en")
    if not len(decision.profile):
        return ""
    if decision.undecided:
        return render("for_your_project.undecided", lang)
    return pick("for_your_project", ctx, lang, option=option(decision.recommendation, lang))


def why_not_reasons(decision: Decision, target: str) -> tuple[list[FiredRule], list[FiredRule]]:
    """(what rules `target` out or holds it back for this project, what speaks for it): an exclusion of it
    first, else the strongest specific rules for the recommendation; and the specific rules that favor it."""
    excluded_by = [r for r in decision.fired_rules if r.excludes == target]
    held = [r for r in decision.supporting() if not r.excludes and not r.is_prior]
    against = (excluded_by[:1] + held)[:2] if excluded_by else held[:2]
    pro = [r for r in decision.fired_rules if r.favors == target and not r.is_prior]
    return against, pro


def why_not_head(decision: Decision, target: str, lang: str = "en") -> str:
    """The first sentence of "why not <target>?": the option asked about and what rules it out here."""
    label = option(target, lang)
    if decision.undecided:
        return render("why_not.open", lang, target=label)
    against, _ = why_not_reasons(decision, target)
    if not against:
        return render("why_not.nothing_for", lang, target=label)
    reasons = " ".join(reason_sentences(against, 2, lang))
    return render("why_not.frame", lang, target=label, reasons=reasons)


def follow_up(ctx: AnswerContext) -> str:
    """The follow-up question; while too little is known, the second most decisive question as well."""
    if not ctx.question_field:
        return ""
    text = render("follow_up", ctx.lang, question=question(ctx.question_field, ctx.lang))
    if ctx.decision.undecided:
        second = next((f for f in decisive_fields(ctx.decision) if f != ctx.question_field), None)
        if second:
            text += "\n\n" + render("follow_up.second", ctx.lang, question=question(second, ctx.lang))
    return text
