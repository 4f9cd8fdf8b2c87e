"""The offline `Understander`: one message (and what the conversation knows) in, one `Turn` out.

Why its own module: it only sequences the parts, so the order of the steps is visible in one place:
  1. a message in another language is named, not guessed (`language`); English chat shorthand is spelled
     out ("w/", "rec pls", "2 ds": `shorthand`);
  2. field cues (`fields.scan`), read twice: everything the text mentions, and what it states outside its
     questions (`text.question_spans`: "couldn't we just call GPT-4o?" states nothing);
  3. injection (`injection`): refused; a short message of the user's own keeps the facts it states
     plainly outside the injected sentences (a long paste keeps none: it may be a poisoned document);
  4. context: a short reply answers `context.asked_field` (a yes confirms `context.suggested`); with
     `context.pending_what_if`, yes/no-like replies adopt or discard the what-if; an answer about another
     field only refers to the data and the task, it does not state them again;
  5. the intent, by priority (`intents.decide_intent`);
  6. the learned layer (`learned`), when the conversation gives an embedder for the message's language
     (English: the retrieval model; Russian: the multilingual one): it may overrule a fallback
     intent (never a pattern; adopt or discard only while a what-if waits; never reset or injection;
     never describe for a message that only asks), fills a field no pattern caught when its calibrated
     probability clears the high threshold, and between the low and the high threshold suggests the fact
     for the assistant to confirm (`Turn.suggested`) instead of guessing.

Facts are kept for describe (what the text states, and a recommend request that states facts outside its
question is a description that keeps the facts its question names too), what_if (what it supposes) and
injection (see 3); questions (recommend, why, why_not, change_mind, concept, help) and the control intents
keep none. Every kept value is schema-valid (see `profile.FIELDS`).

No LLM, no network: the patterns run on every turn (import in a few ms, well under 1 ms per utterance;
they compile on first use or in `warm_up()`); the learned layer adds a matrix product to the embedding
retrieval computes anyway.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..profile import FIELDS, parse_value
from ..types import NO_CONTEXT, Intent, Turn, TurnContext, Value
from . import vocab
from .fields import Hit, build_scanners, resolve, scan
from .injection import injection_spans, is_injection
from .intents import Decision, decide_intent, is_english, pending_choice
from .language import detect_language
from .learned import ARTIFACT, ARTIFACT_RU, Classifier, Embedder, Scores, load_classifier
from .patterns import compile_all
from .replies import read_answer, reply_polarity
from .shorthand import spell_out
from .text import clean_text, question_spans, sentence_spans

__all__ = ["FACT_INTENTS", "RuleBasedUnderstander", "understand", "warm_up"]

_SHORT_MESSAGE = 600  # characters; longer, or several paragraphs: a paste, whose facts an injection voids
_SHORT_LINES = 3
# What a pasted document looks like even when short: paragraphs, or the user saying so.
_PASTED = re.compile(r"\n[ \t]*\n|\bpasted\b|\bcopied (?:in|from|below|here)\b", re.I)
# The intents the learned layer may choose when no pattern decided. Never reset or injection: one wipes the
# profile, the other protects it, and both need the user's words. Undo takes back one statement (the user
# can say it again); adopt and discard only answer a what-if that is waiting for them.
_LEARNED_INTENTS = frozenset(
    {Intent.DESCRIBE, Intent.RECOMMEND, Intent.WHY, Intent.CHANGE_MIND, Intent.CONCEPT, Intent.HELP}
    | {Intent.OUT_OF_SCOPE, Intent.UNDO}
)
_PENDING_INTENTS = frozenset({Intent.ADOPT, Intent.DISCARD})
# The intents whose turn keeps facts, and the only ones the learned layer fills fields in (its trainer judges
# the field thresholds on these turns alone).
FACT_INTENTS = frozenset({Intent.DESCRIBE, Intent.WHAT_IF})
# The intents whose turn may answer the question the assistant asked: a why-not after "nobody on the team
# builds ML models: is that right?" is a new question, and its "not" is no answer ("why not just use GPT-4?").
_ANSWERING = FACT_INTENTS | {Intent.RECOMMEND}
# What a short answer about another field only refers to: the data and the task were described before ("the
# notes have owners' names in them" answers the privacy question; "we have about 2,000 tagged support
# tickets" answers the labels question), so the answer does not state them again.
_REFERRED = frozenset({"data_type", "task"})
_WORD = re.compile(r"[^\W\d_]+")
_ASIDE_WORDS = 4  # fewer words than this outside a message's questions: a preamble, not a statement
_MIXED = re.compile(r"\b(?=\w*\d)(?=\w*[a-z])\w+\b")  # words mixing letters and digits ("y0ur")


class RuleBasedUnderstander:
    """The offline implementation of `Understander`: the lexicon's patterns, and optionally a small
    classifier over the query embedding (`embed`; None: patterns alone). Russian messages have their own
    classifier over a multilingual embedding (`embed_ru`), trained on Russian and English data."""

    def __init__(
        self,
        embed: Embedder | None = None,
        classifier: Classifier | None = None,
        *,
        embed_ru: Embedder | None = None,
        classifier_ru: Classifier | None = None,
    ) -> None:
        self.embed = embed
        self.embed_ru = embed_ru
        self._classifiers: dict[str, Classifier | None] = {"en": classifier, "ru": classifier_ru}

    @property
    def classifier(self) -> Classifier | None:
        return self._classifier("en")

    def _embedder(self, lang: str) -> Embedder | None:
        return self.embed_ru if lang == "ru" else self.embed

    def _classifier(self, lang: str) -> Classifier | None:
        if self._embedder(lang) is None:
            return None
        if self._classifiers[lang] is None:
            self._classifiers[lang] = load_classifier(ARTIFACT_RU if lang == "ru" else ARTIFACT)
        return self._classifiers[lang]

    def understand(self, text: str, context: TurnContext = NO_CONTEXT) -> Turn:
        clean = clean_text(text)
        low = clean.lower()
        language = detect_language(low)
        lang = "en"
        if language is not None and language.code == "ru":  # read through the gloss (see `russian`)
            from .russian import gloss_text  # its analyser loads with the first Russian message

            lang, low = "ru", "\n".join(gloss_text(line) for line in low.split("\n"))
        elif language is not None:
            return Turn(Intent.OUT_OF_SCOPE, {}, text=clean, language=language.code)
        else:
            low = spell_out(low)
        flat = low.replace("\n", " . ")
        hits = scan(flat)
        questions = question_spans(flat, english=lang == "en")
        mentioned = resolve(flat, hits)
        stated = resolve(flat, hits, questions)
        if is_injection(low):
            facts = self._beside_injection(clean, flat, hits, questions)
            return Turn(Intent.INJECTION, facts, text=clean, lang=lang)
        polarity = reply_polarity(flat, bool(mentioned))
        pending = pending_choice(flat, polarity) if context.pending_what_if else None

        answer: dict[str, Value] = {}
        asked = context.asked_field if context.asked_field in FIELDS else None
        answered = False
        readable = len(_MIXED.findall(flat)) < 2  # not leetspeak: "1gn0r3 y0ur rul3s 4nd ... 4 ..."
        if asked and pending is None and asked not in mentioned and readable:
            read = read_answer(asked, flat, polarity, context.suggested)
            if read is not None:
                answered, answer = True, read
        elif asked and asked in mentioned:
            answered = True

        decision = decide_intent(
            flat, stated, mentioned, pending, answered, _what_if_last(flat, hits, questions)
        )
        # A reply to our question that we cannot read ("basically zero", "cheap as chips please") is not
        # off-topic: it is taken as an answer with nothing in it, and the session asks again.
        replying = asked is not None and not questions
        if replying and not decision.strong and decision.intent is Intent.OUT_OF_SCOPE:
            decision = Decision(Intent.DESCRIBE, None, False)
        # English text for the English classifier ("hola que tal" is not), any Russian for the Russian one.
        needed = (not decision.strong or decision.intent in FACT_INTENTS) and (
            lang == "ru" or is_english(flat)
        )
        classifier = self._classifier(lang) if needed else None
        scores = self._scores(clean, lang, classifier)
        if scores is not None and not decision.strong:
            allowed = _LEARNED_INTENTS | _PENDING_INTENTS if context.pending_what_if else _LEARNED_INTENTS
            if _asks_only(flat, questions):
                allowed -= {Intent.DESCRIBE}  # a question states nothing, in whatever words
            if replying:
                allowed -= {Intent.OUT_OF_SCOPE}
            decision = _learned_intent(decision, scores, classifier, allowed)
        intent = decision.intent
        if intent not in _ANSWERING:
            answer = {}
        if intent is Intent.RECOMMEND and stated:
            # "we've got 5k tickets our agents sorted. enough to train something?": a message that states
            # facts outside its question describes the project, whatever it then asks, and keeps the facts
            # its question names too (the answer is the same recommendation; the labelling README: only
            # describe, what-if and injection carry facts)
            intent, kept = Intent.DESCRIBE, dict(mentioned)
        else:
            kept = self._kept(intent, stated, mentioned)
        changes = kept | {k: v for k, v in answer.items() if k not in stated}
        # A one-sentence answer refers to the data and the task; a whole description states them again.
        short = len(sentence_spans(flat)) == 1
        referred = (
            _REFERRED - {asked}
            if answered and short and asked is not None and intent is Intent.DESCRIBE
            else frozenset()
        )
        for name in referred:
            changes.pop(name, None)
        suggested: dict[str, Value] = {}
        if scores is not None and intent in FACT_INTENTS:
            may_ask = intent is Intent.DESCRIBE and not answered
            suggested = _learned_fields(changes, scores.fields, may_ask, classifier, referred)
        return Turn(
            intent,
            _valid(changes),
            intent is Intent.WHAT_IF,
            decision.target,
            clean,
            _valid(suggested),
            lang=lang,
        )

    # --- the steps -----------------------------------------------------------------------------
    @staticmethod
    def _beside_injection(
        clean: str, flat: str, hits: dict[str, list[Hit]], questions: list[tuple[int, int]]
    ) -> dict[str, Value]:
        """The facts stated plainly next to an injection in a short message of the user's own."""
        if len(clean) > _SHORT_MESSAGE or clean.count("\n") >= _SHORT_LINES or _PASTED.search(clean):
            return {}  # a pasted document: none of its facts are trusted once it carries instructions
        return _valid(resolve(flat, hits, [*questions, *injection_spans(flat)]))

    @staticmethod
    def _kept(
        intent: Intent, stated: Mapping[str, Value], mentioned: Mapping[str, Value]
    ) -> dict[str, Value]:
        if intent is Intent.WHAT_IF:
            kept = dict(mentioned)  # the facts of the hypothetical are in its question
            if "labeled_data" in kept:
                # "what if the safety team labelled a few hundred clips?": the labels are what changes; the
                # clips are the data already described (42 of 43 such what-ifs in the train splits say so).
                kept.pop("data_type", None)
            return kept
        if intent is Intent.DESCRIBE:
            return dict(stated)
        return {}  # a question ("what would you recommend for a team with no ML people?") states nothing

    def _scores(self, clean: str, lang: str, classifier: Classifier | None) -> Scores | None:
        embed = self._embedder(lang)
        if classifier is None or embed is None:
            return None
        vector = embed(clean)
        return None if vector is None else classifier.scores(vector, clean)


def _learned_intent(
    decision: Decision, scores: Scores, classifier: Classifier | None, allowed: frozenset[Intent]
) -> Decision:
    assert classifier is not None
    learned = Intent(scores.intent)
    if learned in allowed and scores.intent_p >= classifier.intent_threshold:
        return Decision(learned, None, False)
    return decision


def _learned_fields(
    changes: dict[str, Value],
    fields: Mapping[str, tuple[Value, float]],
    may_ask: bool,
    classifier: Classifier | None,
    skip: frozenset[str] = frozenset(),
) -> dict[str, Value]:
    """Fill fields no pattern caught (high probability); return those worth asking about. `skip`: fields
    the text only refers to."""
    assert classifier is not None
    suggested: list[tuple[float, str, Value]] = []
    for name, (value, p) in fields.items():
        if name in changes or name in skip:
            continue
        if p >= classifier.high(name):
            changes[name] = value
            if name == "privacy" and value == "strict":
                changes.setdefault("external_api_ok", False)
        elif p >= classifier.low(name) and may_ask:
            suggested.append((p, name, value))
    return {name: value for _, name, value in sorted(suggested, key=lambda s: -s[0])}


def _asks_only(flat: str, questions: list[tuple[int, int]]) -> bool:
    """Is the text its questions and at most a few words around them ("quick q: does RAG work on-prem?")?"""
    if not questions:
        return False
    rest, end = [], 0
    for start, stop in sorted(questions):
        rest.append(flat[end:start])
        end = stop
    rest.append(flat[end:])
    return len(_WORD.findall(" ".join(rest))) < _ASIDE_WORDS


def _what_if_last(flat: str, hits: dict[str, list[Hit]], questions: list[tuple[int, int]]) -> bool:
    """Is a what-if in the text its point? Not when facts are stated after it ("...I thought: what if a
    bot could brainstorm topics? It's only a trial, and we're allowed to use ChatGPT.")."""
    m = vocab.pattern("what_if").search(flat)
    if m is None:
        return True
    end = next((b for a, b in sentence_spans(flat) if a <= m.start() < b), len(flat))
    return not resolve(flat, hits, [*questions, (0, end)])


def _valid(changes: Mapping[str, Value]) -> dict[str, Value]:
    return {k: v for k, v in changes.items() if k in FIELDS and parse_value(k, v) == v}


_DEFAULT = RuleBasedUnderstander()


def understand(text: str, context: TurnContext = NO_CONTEXT) -> Turn:
    """Module-level shortcut for the offline understander (patterns alone)."""
    return _DEFAULT.understand(text, context)


def warm_up() -> None:
    """Load the lexicon and compile every pattern now (e.g. at server start), so the first user turn is as
    fast as the rest."""
    vocab.build_all()
    build_scanners()
    from .cues.finders import FINDERS  # noqa: F401  (imported for its patterns)
    from .language import detect_language as detect

    detect("warm up")
    understand("warm up: we have 5k labelled photos, what do you suggest?")
    understand("прогрев: у нас 5 тыс. размеченных фото")  # the Russian analyser and gloss
    compile_all()
