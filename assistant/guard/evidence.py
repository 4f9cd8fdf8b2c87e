"""The evidence of one turn: everything an LLM-written answer may draw on, and how well a sentence is covered.

One concern: what an answer may rest on. Built once per turn from the decision trace (the rules' reasons,
the profile, the counterfactuals), the passages the LLM was shown and the explainer's own wording, then
reused for every check of that turn. Support is lexical: the share of a sentence's content words
(`text.content_words`) found in the evidence's vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

from .. import explain
from ..explain import PHRASES, QUESTIONS, TEMPLATES, literal_text
from ..profile import FIELDS
from ..rules import PATTERN_LABELS
from ..types import AnswerContext, Decision, Option, Value, WhatIf
from .reading import reading
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
# The same for answers in Russian: the words of explaining a rules-based decision. SUPPORT_THRESHOLD["ru"] was
# calibrated with them: re-run evals/calibrate_guard.py --yaml evals/guard_calibration-ru.yaml after a change.
FRAME_WORDS_RU = (
    "правила правило решают решение решает объяснение объясняю факт факты фактов профиль известно "
    "неизвестно рассказали рассказать сказали данные учитывая исходя поэтому потому причина причины "
    "довод доводы несколько факторов условие условия подход подходы модель модели вариант варианты"
)


class Passage(Protocol):
    """A passage as the LLM saw it: its section id ("id" or "id#chunk"), title and (trimmed) text."""

    @property
    def section(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def text(self) -> str: ...


@lru_cache(maxsize=2)
def frame_vocabulary(lang: str = "en") -> frozenset[str]:
    """The explainer's wording as content words: FRAME_WORDS, every template's own text (its fields left
    out), the fact phrases and the follow-up questions. An LLM may echo the deterministic answer's
    connectives without inventing anything; a template edit in `explain` needs no change here."""
    if lang == "ru":
        ru = explain.russian()
        texts = [FRAME_WORDS_RU, *(literal_text(name, "ru") for name in TEMPLATES)]
        texts += [*ru.phrases.values(), *ru.questions.values(), *ru.labels.values()]
        return frozenset(w for text in texts for w in reading("ru").content_words(text))
    texts = [FRAME_WORDS, *(literal_text(name) for name in TEMPLATES), *PHRASES.values(), *QUESTIONS.values()]
    return frozenset(w for text in texts for w in content_words(text))


def support_score(
    sentence: str, vocabulary: frozenset[str], read: Callable[[str], list[str]] = content_words
) -> tuple[float, int]:
    """(share of the sentence's content words found in the vocabulary, number of content words); `read`
    gives a text's content words (the answer's language's)."""
    found = read(CITATION_RE.sub(" ", sentence))
    if not found:
        return 1.0, 0
    return sum(w in vocabulary for w in found) / len(found), len(found)


def _texts_of(decision: Decision, lang: str = "en") -> list[str]:
    if lang != "en":
        return _texts_in(decision, lang)
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


def _texts_in(decision: Decision, lang: str) -> list[str]:
    """`_texts_of` for an answer in `lang`: the rules' reasons, the facts and questions in its wording."""
    texts = []
    for rule in decision.fired_rules:
        texts += [explain.reason_of(rule, lang), rule.note and explain.note_of(rule, lang)]
    for cf in decision.counterfactuals:
        texts.append(explain.counterfactual_clause(cf, decision, lang))
    for name, value in decision.profile.items():
        texts += [explain.phrase(name, value, lang), explain.field_label(name, lang)]
    texts += [explain.question(m, lang) for m in decision.missing]
    texts += [explain.pattern_label(p, lang) for p in decision.hybrid_patterns]
    texts.append(" ".join(f"{score:g}" for score in decision.scores.values()) + f" {decision.confidence:.0%}")
    return texts


def _option_names(lang: str) -> list[str]:
    """Every way an answer in `lang` names an option: its label (in every case), short name and title."""
    if lang == "en":
        return [*(o.label for o in Option), *(o.short for o in Option)]
    ru = explain.russian()
    return [*(w for o in Option for w in ru.cases[o].values()), *ru.short.values(), *ru.titles.values()]


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
    lang: str = "en"  # the answer's language: which `Reading` the checks use

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
        lang: str = "en",
    ) -> Evidence:
        """decision: the saved profile's decision; what_if: the turn's hypothetical; previous: the decision
        before this turn's changes (when they changed the answer); passages: what the LLM was shown; lang:
        the answer's language (its wording is the evidence, and its reading checks the answer)."""
        patterns = [explain.pattern_label(p, lang) for p in PATTERN_LABELS]
        texts = [*_option_names(lang), *patterns, *extra]
        texts += _texts_of(decision, lang)
        past, current = (PAST, CURRENT) if lang == "en" else (reading(lang).past, reading(lang).current)
        focus, before_option, markers = decision, None, None
        alternatives: dict[str, Value] = {}
        if what_if is not None:
            focus = what_if.after
            texts += _texts_of(what_if.after, lang)
            before_option, markers = what_if.before.recommendation, current
            alternatives = dict(what_if.changes)
        elif previous is not None and previous.recommendation != decision.recommendation:
            before_option, markers = previous.recommendation, past
            texts += _texts_of(previous, lang)
        ids: set[str] = set()
        labels = [*_option_names(lang)[:3], *patterns, *(titles or {}).values()]
        if lang != "en":
            labels = [*_option_names(lang), *patterns, *(titles or {}).values()]
        for passage in passages:
            ids.add(passage.section.split("#")[0])
            texts += [passage.title, passage.text]
            labels.append(passage.title)
        vocabulary: set[str] = set(frame_vocabulary(lang))
        read = content_words if lang == "en" else reading(lang).content_words
        split = words if lang == "en" else reading(lang).words
        for text in texts:
            if text:
                vocabulary.update(read(text))
        conditional = {cf.recommendation for cf in focus.counterfactuals} | {focus.recommendation}
        if before_option:
            conditional.add(before_option)
        names = {gram for label in labels for gram in ngrams(split(label), NGRAM)}
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
            lang=lang,
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
            lang=ctx.lang,
        )
