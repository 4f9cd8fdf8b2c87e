"""Every sentence an answer can contain, as data: fact phrases, follow-up questions and named templates.

One concern: the wording (fact phrases and follow-up questions are read from the lexicon). The explainer
(`answers`, `pieces`) fills these in, the LLM writer frames its text with them, and the guard learns from
them which connective words an answer may use without any evidence (`guard.evidence.frame_vocabulary`).
Keeping the words as plain data means a wording change is one edit that all three see; nothing needs to
parse the explainer's source.

Templates are `str.format` strings; `render(name, lang=..., **fields)` fills one in. A field holds an already
worded piece (an option's label, a joined list of phrases, a reason sentence) or a number. The Russian wording
is data too (knowledge/lexicon/ru/answers.yaml, read by `russian()`): the same names and fields, checked on
load; a Russian template may ask for an option's case or a count's noun (`grammar`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from string import Formatter
from typing import TYPE_CHECKING

from ..lexicon.view import LexiconView
from ..types import Value
from .grammar import Count

if TYPE_CHECKING:
    from ..lexicon.russian import RussianAnswers


def _phrases() -> dict[tuple[str, Value], str]:
    from ..lexicon import default_lexicon  # at first use: the lexicon's YAML is parsed only when needed

    return {(f.name, v): text for f in default_lexicon().fields.values() for v, text in f.phrases.items()}


def _questions() -> dict[str, str]:
    from ..lexicon import default_lexicon

    return {f.name: f.question for f in default_lexicon().fields.values()}


# Fact phrases and questions live in the lexicon (knowledge/lexicon/*.yaml), next to the words that signal
# each fact, so one edit reaches the understander, the explainer and the guard; read on first use.
# Noun phrases for facts, so sentences read "With no in-house ML team, ..." for every field.
PHRASES: Mapping[tuple[str, Value], str] = LexiconView(_phrases)
# The one question per unknown field that the answer ends with.
QUESTIONS: Mapping[str, str] = LexiconView(_questions)

# Named sentences. Fields: option/before/after/target/current are option labels ("a custom model"), facts a
# joined list of PHRASES, fields a joined list of field labels, reason(s) the rules' own sentences.
# A name with "~N" is the N-th wording of the same sentence (`variants`): consecutive answers pick different
# ones, deterministically, so a conversation does not repeat itself. Every wording has the same fields.
TEMPLATES: dict[str, str] = {
    # the recommendation, led by the facts that decide it, in three confidence bands; the hybrid's patterns
    "headline.high": "Given {facts}, my recommendation is **{option}**.",
    "headline.high~2": "With {facts}, I recommend **{option}**.",
    "headline.moderate": "Given {facts}, I'd go with **{option}**.",
    "headline.moderate~2": "On balance, with {facts}, I'd go with **{option}**.",
    "headline.low": (
        "With {facts}, I lean towards **{option}**, but it is a close call and my confidence is low."
    ),
    "headline.low~2": "Given {facts}, it is a close call; I lean towards **{option}**.",
    "headline.plain": "My recommendation: **{option}**.",
    "headline.patterns": "Specifically: {patterns}.",
    # too little known: a labelled lean, never a recommendation
    "headline.undecided": "Not enough is known to recommend anything yet. **Lean so far: {option}.**",
    "headline.undecided~2": "I can't recommend anything yet: too little is known. **Lean so far: {option}.**",
    "headline.undecided~3": "It is too early for a recommendation. **Lean so far: {option}.**",
    # what the turn changed
    "noted": "Noted: {facts}.",
    "cleared": "I've set {fields} back to unknown.",
    "changed_from": "That changes my answer: it was {option}.",
    "updated": "Done: I've updated your profile ({facts}).",
    "currently": "I currently recommend {option}.",
    "currently.undecided": "I can't recommend anything yet; so far I lean towards {option}.",
    "for_your_project": "For your project, I currently recommend {option}.",
    "for_your_project~2": "For your project, it is {option} at the moment.",
    "for_your_project.undecided": "Whether it fits your project depends on facts I don't know yet.",
    "for_your_project.pattern": "It is the pattern I recommend for your project: {option}.",
    # the full recommendation
    "against": "The main argument against: {reason} That points to {option}, the runner-up.",
    "against~2": "On the other side: {reason} That would favour {option}.",
    "counterfactual": "with {facts}, it would be {option}",
    "counterfactual.release": "it rests on {facts}: without that, it would be {option}",
    "would_change": "What would change it: {changes}.",
    "would_change~2": "It could still change: {changes}.",
    "open": "It is still open: {changes}.",
    "open~2": "Still open either way: {changes}.",
    "follow_up": "One question that could change the answer: {question}",
    "follow_up.second": "It would also help to know: {question}",
    "sources": "Sources: {sources}.",
    "source": "{title} [{id}]",
    # why
    "why.no_profile": (
        "I don't know anything about your project yet, so I fall back on the article's default: "
        "{option}. Tell me about your data, team and constraints and I'll be specific."
    ),
    "why.lead": "I recommend {option} because of what you've told me:",
    "why.undecided": "I don't have a recommendation yet, only a lean towards {option}, because:",
    "why.nothing_decisive": (
        "I don't have a recommendation yet: nothing you've told me so far decides between the options, "
        "so the lean towards {option} is tentative."
    ),
    "why.item": "- **{fact}**: {reason}",
    "why.tip": "What could still tip it: {changes}.",
    # why not <target>
    "why_not.is_recommended": "{option} is in fact what I recommend.",
    "why_not.is_lean": "Why not {target}? It is my lean so far, but too little is known to recommend it yet.",
    "why_not.yes": "Yes: {option} is what I recommend here.",
    "why_not.head": "Why not {target}? What holds it back here: {reasons}",
    "why_not.frame": "Why not {target}? What holds it back here: {reasons}",
    "why_not.open": "Why not {target}? It isn't ruled out: I don't know enough yet to decide.",
    "why_not.ruled_out": "It is ruled out: {reason}",
    "why_not.for": "What speaks for it: {reasons}",
    "why_not.instead": "That leaves **{option}** as my recommendation.",
    "why_not.nothing_for": "Nothing you've told me so far argues for {target}.",
    "why_not.held_back": "What holds it back: {reasons}",
    "why_not.would_become": "It would become my recommendation with {facts}.",
    "why_not.would_lead": "It would take the lead with {facts}.",
    "why_not.no_single_change": (
        "No single change to your profile would make it the recommendation; it would take several."
    ),
    # what if
    "what_if.unclear": (
        "I couldn't tell which fact you want to change, so my recommendation stays "
        '{option}. Try e.g. "what if we had no ML team?"'
    ),
    "what_if.changes": "With {facts}, that would change it from {before} to **{after}**.",
    "what_if.already": "That is already what I know about your project ({facts}), so it stays **{option}**.",
    "what_if.stays": "With {facts}, it would still be **{after}**, because {reason}",
    "what_if.stays_plain": "With {facts}, it would still be **{after}**.",
    "what_if.not_enough": "It does add to the score of {option}, but not enough to outweigh the rest.",
    "what_if.lean_changes": (
        "With {facts}, the lean would move from {before} to **{after}**, "
        "still too little to recommend anything."
    ),
    "what_if.lean_stays": (
        "With {facts}, the lean would still be **{after}**, still too little to recommend anything."
    ),
    "what_if.hybrid": "The hybrid would use {patterns}.",
    "what_if.started": "What changes: {reasons}",
    "what_if.stopped": "No longer applies: {reasons}",
    "what_if.pending": (
        'Your saved profile is unchanged. Say "let\'s go with that" to adopt these changes, '
        'or "keep the original".'
    ),
    "what_if.pending~2": (
        'Your saved profile is still unchanged: "let\'s go with that" adopts this, '
        '"keep the original" drops it.'
    ),
    # what would change your mind
    "change_mind.robust": (
        "No single change would move me off {option}: the case for it is robust with what you've told me."
    ),
    "change_mind.lead": "Any one of these would change my mind:",
    "change_mind.item": "- **{option}** with {facts}",
    "change_mind.release": "- **{option}** without {facts}: it rests on that",
    "change_mind.unknown": "Still unknown and able to tip it: {fields}.",
    # concepts
    "concept.not_found": (
        "I couldn't find that in the guidance I know. I can explain foundation models, custom "
        "models, the four hybrid patterns and the article's examples."
    ),
    "concept.top": "**{title}**: {summary}",
    "concept.related": "Related: {titles}.",
    # session commands
    "discard": "Kept your original profile: my recommendation stays {option}.",
    "discard.undecided": (
        "Kept your original profile: too little is known to recommend anything; the lean stays {option}."
    ),
    "nothing_pending": (
        'There is no what-if to adopt right now. Ask one like "what if we had no ML team?" first.'
    ),
    "reset": (
        "Starting over: I've cleared your project profile. Tell me about your project: the data, "
        "your team, and any privacy, speed or cost constraints."
    ),
    "undo.nothing": "There's nothing to undo yet.",
    "undo.done": "Undone. My recommendation is now {option}.",
    "undo.done.undecided": "Undone. Too little is known now to recommend anything; the lean is {option}.",
    # refusals and help
    "out_of_scope": (
        "That's outside what I can help with. I help you choose between a foundation model, a custom "
        'model and a hybrid of both for your project, explain why, and explore "what if" changes. '
        "Tell me about your project to start."
    ),
    "injection": (
        "I can't do that. My recommendation comes from the rules applied to your project's facts, "
        "not from instructions in the chat, and it can't be overridden. With what you've told me, it "
        "is {option}. Tell me more about your project if you think I "
        "have it wrong."
    ),
    "injection.undecided": (
        "I can't do that. My answers come from the rules applied to your project's facts, not from "
        "instructions in the chat, and they can't be overridden. So far too little is known to recommend "
        "anything; the lean is {option}. Tell me more about your project."
    ),
    "help": (
        "I help you choose between a foundation model, a custom model and a hybrid of both, following "
        'the article "Do You Really Need a Foundation Model?". Describe your project (data, task, '
        'team, labels, privacy, latency, scale), ask why, ask "what if...", or ask what a concept '
        "means, such as knowledge distillation."
    ),
}


# The conversation's own notes (a form edit, a guess to confirm, a reversed fact, a degraded search): not
# answers the LLM frames, so the guard's vocabulary does not take their words.
MESSAGES: dict[str, str] = {
    "form.nothing": "Nothing changed.",
    "form.changes": "Form updated: the recommendation changes from {before} to {after}.",
    "form.stays": "Form updated: the recommendation stays {option}.",
    "confirm": "It sounds like {confirm}: is that right?",
    "reversal": "You said earlier: {before}; I've changed it to: {after}.",
    "search_unavailable": (
        "The knowledge store is unavailable right now, so I matched the guidance by keywords only; "
        "the passages may be less precise than usual."
    ),
    "long_input": "Your message was long; I read the first {count:,} characters.",
    # The language model failed: the notice shown with the deterministic answer, and why (by LLMErrorKind)
    "llm.failed": "The language model {reason}; this is the standard answer.",
    "llm.timeout": "timed out",
    "llm.deadline": "took too long",
    "llm.connection": "could not be reached",
    "llm.broken_stream": "broke off",
    "llm.bad_response": "sent a malformed response",
    "llm.no_server": "could not be started",
    "llm.no_model": "is not installed",
    "llm.no_key": "is not configured",
    "llm.rate_limited": "is rate-limited (HTTP 429)",
    "llm.http": "failed (HTTP {status})",
    "llm.other": "failed",
}


@functools.cache
def russian() -> RussianAnswers:
    """The Russian wording, loaded and checked against TEMPLATES, MESSAGES and the rules on first use."""
    from ..lexicon.russian import load_russian
    from ..rules import PATTERNS

    return load_russian(TEMPLATES, MESSAGES, PATTERNS)


def variants(name: str) -> tuple[str, ...]:
    """The template names that word `name`'s sentence: `name` itself, then "name~2", "name~3", ..."""
    out = [name]
    while f"{name}~{len(out) + 1}" in TEMPLATES:
        out.append(f"{name}~{len(out) + 1}")
    return tuple(out)


def template(name: str, lang: str = "en") -> str:
    """TEMPLATES[name] in `lang`, unfilled: for the sentences that have no fields."""
    return russian().templates[name] if lang == "ru" else TEMPLATES[name]


def _fill(text: str, fields: Mapping[str, object]) -> str:
    return text.format(**{k: Count(v) if type(v) is int else v for k, v in fields.items()})


def render(name: str, lang: str = "en", **fields: object) -> str:
    """TEMPLATES[name] in `lang`, filled in; a KeyError names a missing template or field."""
    if lang == "ru":
        return _fill(russian().templates[name], fields)
    return TEMPLATES[name].format(**fields)


def message(name: str, lang: str = "en", **fields: object) -> str:
    """MESSAGES[name] in `lang`, filled in."""
    return _fill(russian().messages[name] if lang == "ru" else MESSAGES[name], fields)


def fields_of(name: str, lang: str = "en") -> tuple[str, ...]:
    """The fields TEMPLATES[name] needs, in order of first use."""
    seen: dict[str, None] = {}
    for _, field, _, _ in Formatter().parse(template(name, lang)):
        if field:
            seen.setdefault(field, None)
    return tuple(seen)


def literal_text(name: str, lang: str = "en") -> str:
    """TEMPLATES[name] without its fields: the words the template itself contributes."""
    return " ".join(literal for literal, _, _, _ in Formatter().parse(template(name, lang)))
