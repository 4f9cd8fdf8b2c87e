"""Answer-level checks for the evals, built on the guard's deterministic stance reading.

"Agreement" means the final answer states the rules' recommendation and endorses no other option. The
guard's `recommendation` check finds endorsements of other options (and denials of the computed one);
on top of that the answer must actually name the computed option.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.engine import MIN_KNOWN_FACTS
from assistant.explain import is_sources_line
from assistant.guard import Evidence, Guard
from assistant.types import Decision, Option, Reply

_NAMES = {
    "custom": r"custom(?:[- ]built)? models?|(?:model|one) of your own|own model|"
    r"собственн\w* (?:\(кастомн\w*\) )?модел\w*|кастомн\w* модел\w*|сво\w+ модел\w*",
    "foundation": r"foundation models?|фундаментальн\w* модел\w*",
    "hybrid": r"hybrid|(?:a )?combination of both|both approaches|гибрид\w*|сочетани\w* обоих|оба подхода",
}


def names_option(text: str, option: str) -> bool:
    return re.search(rf"\b(?:{_NAMES[option]})\b", text, re.IGNORECASE) is not None


def answer_agrees(reply: Reply, *, what_if: bool = False) -> tuple[bool, str]:
    """(ok, reason): the answer names the rules' recommendation and the guard finds no contrary stance."""
    focus = reply.what_if.after if (what_if and reply.what_if) else reply.decision
    if not names_option(reply.answer, focus.recommendation):
        return False, f"does not name the rules' recommendation ({Option(focus.recommendation).label})"
    evidence = Evidence.build(
        reply.decision,
        reply.passages,
        intent=reply.turn.intent,
        what_if=reply.what_if if what_if else None,
        lang=reply.lang,
    )
    verdict = Guard(evidence, checks=("recommendation",)).check(reply.answer)
    if verdict.findings:
        return False, "; ".join(str(f) for f in verdict.findings[:3])
    return True, ""


def endorses_other(reply: Reply) -> tuple[bool, str]:
    """For refusals (injection, off-topic): no endorsement of an option the rules did not compute."""
    evidence = Evidence.build(reply.decision, reply.passages, intent=reply.turn.intent, lang=reply.lang)
    verdict = Guard(evidence, checks=("recommendation",)).check(reply.answer)
    bad = [f for f in verdict.findings if "endorses" in f.message]
    return bool(bad), "; ".join(
        str(f) for f in bad[:3]
    ) or f"stays with {Option(reply.decision.recommendation).short}"


# --- answer measures (issue 13): judge-free checks of how an answer reads ------------------------------
# A raw score ("scores 6 against 1", "8.5 vs 5.5"), or a confidence as a number ("Confidence 0%").
_RAW_SCORE = re.compile(
    r"\bscor(?:e|es|ed|ing)\b[^.\n]{0,30}?\d|\b\d+(?:\.\d+)?\s+(?:against|vs\.?|versus)\s+\d|"
    r"\bconfidence\b[^.\n]{0,12}?\d+\s*%",
    re.IGNORECASE,
)
# Phrases that state a recommendation (as opposed to a labelled lean).
_RECOMMENDS = re.compile(
    r"\bmy recommendation\b(?! comes)|\bI recommend\b|\bI'd go with\b|\bwould change it from\b|"
    r"\bit would still be\b|\bis what I recommend\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
# The conversation turns whose first sentence must address the question asked.
FOCUSED_INTENTS = ("why_not", "what_if", "concept")


def _body(text: str) -> str:
    """The answer without its notice (an italic first paragraph) and its sources line."""
    parts = [p for p in text.split("\n\n") if p.strip()]
    if parts and parts[0].startswith("_") and parts[0].rstrip().endswith("_"):
        parts = parts[1:]
    return "\n\n".join(p for p in parts if not is_sources_line(p))  # "Sources:" or "Источники:"


def sentences(text: str) -> list[str]:
    """The answer's sentences (list items and paragraphs split too), notice and sources line left out."""
    return [s.strip() for s in _SENTENCE_END.split(_body(text)) if s.strip()]


def first_sentence(text: str) -> str:
    found = sentences(text)
    return found[0] if found else ""


def leaks_internals(text: str, rule_ids: set[str]) -> list[str]:
    """What an answer shows that belongs in the panel or --json, not in prose: raw scores, numeric
    confidence, rule ids."""
    found = [m.group(0) for m in _RAW_SCORE.finditer(text)]
    found += [r for r in sorted(rule_ids) if re.search(rf"(?<![\w-]){re.escape(r)}(?![\w-])", text)]
    return found


def addresses_intent(reply: Reply) -> tuple[bool, str]:
    """Whether the first sentence answers the question asked: a why-not names the option asked about; a
    what-if says "change" (naming the new answer) or "still"/"stay" (naming the kept one) correctly; a
    concept answer names the concept (the first cited section's title)."""
    intent, head = reply.turn.intent, first_sentence(reply.answer)
    if intent == "why_not" and reply.turn.target:
        ok = names_option(head, reply.turn.target)
        return ok, "" if ok else f"first sentence does not name {reply.turn.target}: {head!r}"
    if intent == "what_if" and reply.what_if is not None and reply.what_if.changes:
        before, after = reply.what_if.before.recommendation, reply.what_if.after.recommendation
        says_change = re.search(r"\b(?:change|move)s?\b", head, re.IGNORECASE) is not None
        says_stay = re.search(r"\b(?:still|stays?)\b", head, re.IGNORECASE) is not None
        ok = names_option(head, after) and (says_change if before != after else says_stay and not says_change)
        expected = "change" if before != after else "stay"
        return ok, "" if ok else f"first sentence should say it would {expected} ({after}): {head!r}"
    if intent == "concept" and reply.citations:
        title = reply.citations[0].title
        ok = title.lower() in head.lower()
        return ok, "" if ok else f"first sentence does not name the concept {title!r}: {head!r}"
    return True, ""


def repeated_sentences(previous: str, answer: str, min_words: int = 4) -> tuple[int, int]:
    """(sentences of `answer` said verbatim in `previous`, sentences of `answer`), counting sentences of at
    least `min_words` words."""
    said = {s for s in sentences(previous) if len(s.split()) >= min_words}
    mine = [s for s in sentences(answer) if len(s.split()) >= min_words]
    return sum(s in said for s in mine), len(mine)


def focus(reply: Reply) -> Decision:
    """The decision an answer is about: the hypothetical one for a what-if."""
    return reply.what_if.after if reply.what_if is not None else reply.decision


def misuses_prior(reply: Reply) -> bool:
    """The unconditional prior's sentence in an answer whose decision had other rules fire."""
    decision = focus(reply)
    priors = [r.reason for r in decision.fired_rules if r.is_prior]
    others = [r for r in decision.fired_rules if not r.is_prior]
    return bool(others) and any(p in reply.answer for p in priors)


def recommends_too_early(reply: Reply) -> bool:
    """A recommendation stated (not a labelled lean) while the rules say too little is known."""
    decision = focus(reply)
    if not decision.undecided and len(decision.profile) >= MIN_KNOWN_FACTS:
        return False
    return _RECOMMENDS.search(_body(reply.answer)) is not None


@dataclass
class AnswerMeasures:
    """Counts over every answer a conversational suite produced; `metrics()` gives the gated figures."""

    answers: int = 0
    leaking: list[str] = field(default_factory=list)
    off_intent: list[str] = field(default_factory=list)
    repeated: int = 0
    sentences: int = 0
    prior_misused: list[str] = field(default_factory=list)
    too_early: list[str] = field(default_factory=list)
    words: list[int] = field(default_factory=list)

    def add(self, reply: Reply, previous_answer: str, rule_ids: set[str], *, conversation: bool) -> None:
        self.answers += 1
        text = reply.answer
        label = f"{reply.turn.intent}: {first_sentence(text)[:80]}"
        if leaks_internals(text, rule_ids):
            self.leaking.append(label)
        if conversation:
            ok, _ = addresses_intent(reply)
            if not ok:
                self.off_intent.append(label)
        if previous_answer:
            same, total = repeated_sentences(previous_answer, text)
            self.repeated += same
            self.sentences += total
        if misuses_prior(reply):
            self.prior_misused.append(label)
        if recommends_too_early(reply):
            self.too_early.append(label)
        self.words.append(sum(len(s.split()) for s in sentences(text)))

    def metrics(self) -> dict[str, float]:
        if not self.answers:
            return {}
        ordered = sorted(self.words)
        return {
            "answers_leaking_internals": float(len(self.leaking)),
            "answers_off_intent": float(len(self.off_intent)),
            "repeated_sentence_rate": round(self.repeated / self.sentences, 4) if self.sentences else 0.0,
            "default_prior_misused": float(len(self.prior_misused)),
            "recommendations_too_early": float(len(self.too_early)),
            "answer_words_median": float(ordered[len(ordered) // 2]),
        }
