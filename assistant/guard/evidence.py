"""The evidence of one turn: everything an LLM-written answer may draw on, and how well a sentence is covered.

One concern: what an answer may rest on. Built once per turn from the decision trace (the rules' reasons,
the profile, the counterfactuals), the passages the LLM was shown and the explainer's own wording, then
reused for every check of that turn. Support is lexical: the share of a sentence's content words
(`text.content_words`) found in the evidence's vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

from ..explain import PHRASES, QUESTIONS, TEMPLATES, literal_text
from ..profile import FIELDS
from ..rules import PATTERN_LABELS
from ..types import AnswerContext, Decision, Option, Value, WhatIf
from .repetition import NGRAM
from .stance import CURRENT, PAST
from .text import CITATION_RE, content_words, ngrams, words

# Words any explanation of a rules-based decision may use beyond the explainer's own templates. The second
# part is the words the vocabulary took from the explainer's docstrings and field keys while it was read
# from explain's source code: kept so that the calibrated SUPPORT_THRESHOLD still holds (re-run
# evals/calibrate_guard.py before pruning any of them).
FRAME_WORDS = (
    "rules decide decision explain explanation fact facts profile known unknown told tell trace "
    "passage rule based following several factors "
    "alternative changing clause deterministic edge empty every expert explainer external fails fallback "
    "field filled general guard invented llm offline ok plain product read realtime rests retrieved section "
    "sentence stage type user whenever write wrote"
)


class Passage(Protocol):
    """A passage as the LLM saw it: its section id ("id" or "id#chunk"), title and (trimmed) text."""

    @property
    def section(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def text(self) -> str: ...


@lru_cache(maxsize=1)
def frame_vocabulary() -> frozenset[str]:
    """The explainer's wording as content words: FRAME_WORDS, every template's own text (its fields left
    out), the fact phrases and the follow-up questions. An LLM may echo the deterministic answer's
    connectives without inventing anything; a template edit in `explain` needs no change here."""
    texts = [FRAME_WORDS, *(literal_text(name) for name in TEMPLATES), *PHRASES.values(), *QUESTIONS.values()]
    return frozenset(w for text in texts for w in content_words(text))


def support_score(sentence: str, vocabulary: frozenset[str]) -> tuple[float, int]:
    """(share of the sentence's content words found in the vocabulary, number of content words)."""
    found = content_words(CITATION_RE.sub(" ", sentence))
    if not found:
        return 1.0, 0
    return sum(w in vocabulary for w in found) / len(found), len(found)


def _texts_of(decision: Decision) -> list[str]:
    texts = []
    for rule in decision.fired_rules:
        texts += [rule.reason, rule.note]
    for cf in decision.counterfactuals:
        texts.append(f"with {PHRASES[(cf.field, cf.value)]} it would be {cf.recommendation.label}")
    for name, value in decision.profile.items():
        texts += [PHRASES[(name, value)], FIELDS[name].label, FIELDS[name].help]
    texts += [QUESTIONS[m] for m in decision.missing]
    texts += [PATTERN_LABELS[p] for p in decision.hybrid_patterns]
    texts.append(" ".join(f"{score:g}" for score in decision.scores.values()) + f" {decision.confidence:.0%}")
    return texts


@dataclass
class Evidence:
    """What an answer may rest on; built once per turn, then reused for every check of that turn."""

    recommendation: str  # the computed option (for a what-if: the one under the hypothetical changes)
    profile: Mapping[str, Value]  # facts the user has stated
    passage_ids: frozenset[str]
    vocabulary: frozenset[str]
    intent: str = "recommend"
    previous: str | None = None  # an option the answer may attribute to the past/current state
    previous_markers: re.Pattern[str] | None = (
        None  # stance.PAST (a changed answer) or stance.CURRENT (what-if)
    )
    conditional_options: frozenset[str] = frozenset()  # options a conditional ("if ... would") may endorse
    alternatives: Mapping[str, Value] = field(default_factory=dict)  # hypothetical values (what-if)
    names: frozenset[tuple[str, ...]] = frozenset()  # n-grams of titles and labels: these may repeat

    @classmethod
    def build(
        cls,
        decision: Decision,
        passages: Sequence[Passage] = (),
        *,
        intent: str = "recommend",
        what_if: WhatIf | None = None,
        previous: Decision | None = None,
        titles: Mapping[str, str] | None = None,
        extra: Iterable[str] = (),
    ) -> Evidence:
        """decision: the saved profile's decision; what_if: the turn's hypothetical; previous: the decision
        before this turn's changes (when they changed the answer); passages: what the LLM was shown."""
        texts = [*(o.label for o in Option), *PATTERN_LABELS.values(), *(o.short for o in Option), *extra]
        texts += _texts_of(decision)
        focus, before_option, markers = decision, None, None
        alternatives: dict[str, Value] = {}
        if what_if is not None:
            focus = what_if.after
            texts += _texts_of(what_if.after)
            before_option, markers = what_if.before.recommendation, CURRENT
            alternatives = dict(what_if.changes)
        elif previous is not None and previous.recommendation != decision.recommendation:
            before_option, markers = previous.recommendation, PAST
            texts += _texts_of(previous)
        ids: set[str] = set()
        labels = [*(o.label for o in Option), *PATTERN_LABELS.values(), *(titles or {}).values()]
        for passage in passages:
            ids.add(passage.section.split("#")[0])
            texts += [passage.title, passage.text]
            labels.append(passage.title)
        vocabulary: set[str] = set(frame_vocabulary())
        for text in texts:
            if text:
                vocabulary.update(content_words(text))
        conditional = {cf.recommendation for cf in focus.counterfactuals} | {focus.recommendation}
        if before_option:
            conditional.add(before_option)
        names = {gram for label in labels for gram in ngrams(words(label), NGRAM)}
        return cls(
            recommendation=focus.recommendation,
            profile=dict(decision.profile),
            passage_ids=frozenset(ids),
            vocabulary=frozenset(vocabulary),
            intent=intent,
            previous=before_option,
            previous_markers=markers,
            alternatives=alternatives,
            conditional_options=frozenset(conditional),
            names=frozenset(names),
        )

    @classmethod
    def from_context(
        cls, ctx: AnswerContext, passages: Sequence[Passage] | None = None, intent: str = "recommend"
    ) -> Evidence:
        """From the deterministic explainer's input and the passages shown to the LLM (default: all)."""
        return cls.build(
            ctx.decision,
            ctx.passages if passages is None else passages,
            intent=intent,
            what_if=ctx.what_if,
            previous=ctx.previous,
            titles=ctx.titles,
        )
