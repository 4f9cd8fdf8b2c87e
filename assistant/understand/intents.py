"""What a message asks for: the decision between the intents, by priority, and the option a why-not names.

Why its own module: the intents compete (a what-if often contains "why", a description often ends with
"what should we use?"), so they are decided in one place, by priority: injection (see `injection`) > a
question about the controls ("how do I undo?" is help) > reset > undo > adopt/discard > an off-topic
request > what_if > why_not > why > change_mind > an answer to our question > recommend (help when it asks
first) > concept (a general question) > describe (facts stated) > help > concept > off-topic words > the
fallback. Their words are the lexicon's sets (intents.yaml).

Each decision says whether a pattern made it (`strong`) or it is only the fallback for text no pattern
recognised: a question about the field is concept (other questions are off-topic), English with no
readable fact is describe (the assistant asks its next question instead of calling it off-topic), and
text with no English at all is out_of_scope. The learned layer may overrule a fallback, never a pattern.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import NamedTuple

from ..types import Intent, Option, Value
from . import vocab
from .patterns import LazyRe
from .replies import Polarity

__all__ = ["INTENTS", "TARGETS", "Decision", "decide_intent", "is_english", "pending_choice"]

INTENTS: tuple[Intent, ...] = tuple(i for i in Intent if i is not Intent.FORM)  # what a message can mean
TARGETS: tuple[Option, ...] = tuple(Option)  # what a why_not can ask about

_SENTENCE = re.compile(r"[^.?!]+[.?!]*")
_OPTION = re.compile(r"\b(?:foundation|custom|hybrid)\b")
_INSTEAD = LazyRe(r"\b(?:instead of|rather than|than|over|versus|vs\.?)\b")
_JOINED = LazyRe(r"\b(?:and|plus|with|combined|together|alongside|for the rest|on top)\b")
# A question about "you", "us", "that answer": part of this conversation, not an off-topic request
_DEIXIS = LazyRe(r"\b(?:you|your|we|us|our|it|that|this|these|those|there|them|answer|option|choice|pick)\b")
# "how exactly would the hybrid work?" asks how; "what would have to be true for the hybrid to win?" asks what
_WH_BEFORE = LazyRe(r"\b(?:how|what|when|where|which|who|why)\b")
_ENGLISH = LazyRe(
    r"\b(?:the|and|is|are|we|our|it|to|of|in|for|with|that|this|have|has|an?|on|be|not|no|what|how|can|"
    r"should|would|want|need|do|you|they|from|will|just|about|there|which|some|my|i|me|us|was|were|been|"
    r"its|it's|we're|they're|don't|doesn't|can't|won't)\b"
)
_MIN_ENGLISH_WORDS = 3


class Decision(NamedTuple):
    intent: Intent
    target: Option | None = None
    strong: bool = True  # a pattern decided; False: the fallback for text no pattern recognised


@functools.cache
def _p(name: str) -> LazyRe:
    return vocab.pattern(name)


def pending_choice(text: str, polarity: Polarity | None) -> Intent | None:
    """With a what-if waiting: ADOPT or DISCARD when the reply says which (yes/no-like replies count)."""
    if polarity == "no" or _p("discard").search(text) or _p("discard_pending").search(text):
        return Intent.DISCARD
    if polarity == "yes" or _p("adopt").search(text) or _p("adopt_pending").search(text):
        return Intent.ADOPT
    return None


def decide_intent(
    text: str,
    stated: Mapping[str, Value],
    mentioned: Mapping[str, Value],
    pending: Intent | None,
    answered: bool,
    hypothetical: bool = True,
) -> Decision:
    """The intent of cleaned, lower-cased, one-line text (and the option a why_not asks about).
    `stated`: the facts the text states outside its questions; `mentioned`: every fact it names; `pending`:
    adopt/discard of a waiting what-if; `answered`: the text answered the assistant's question;
    `hypothetical=False`: a what-if in it is an aside (facts are stated after it), not its point."""
    early = _control(text, mentioned, pending)
    if early is not None:
        return early
    if hypothetical and _p("what_if").search(text):
        return Decision(Intent.WHAT_IF)
    asked = _asks_about_options(text)
    if asked is not None:
        return asked
    if _p("why").search(text):
        if _world_question(text, mentioned):
            return Decision(Intent.OUT_OF_SCOPE)  # "why is the sky blue?": general knowledge
        return Decision(Intent.WHY)
    if _p("change_mind").search(text):
        return Decision(Intent.CHANGE_MIND)
    if answered:
        return Decision(Intent.DESCRIBE)  # "yes", "plenty", "on the phone": the answer to our question
    help_, recommend = _p("help").search(text), _p("recommend").search(text)
    if recommend and help_ and help_.start() < recommend.start():
        return Decision(Intent.HELP)  # "what do you need to know before you can advise?"
    if recommend or _asks_between_options(text):
        return Decision(Intent.RECOMMEND)
    concept = bool(_p("concept_form").search(text) and _p("concept_term").search(text))
    if concept and not _p("first_person").search(text):
        return Decision(Intent.CONCEPT)  # a general question: its field words are topics, not facts
    if stated:
        return Decision(Intent.DESCRIBE)
    if help_:
        return Decision(Intent.HELP)
    if concept:
        return Decision(Intent.CONCEPT)
    # Off-topic words: a weak guess, never for the user's own statement ("... if we bribe them with pizza")
    if (
        _p("out_of_scope").search(text)
        and not _p("on_topic").search(text)
        and (_p("request_form").search(text) or not _p("first_person").search(text))
    ):
        return Decision(Intent.OUT_OF_SCOPE, None, False)
    return _fallback(text)


def _control(text: str, mentioned: Mapping[str, Value], pending: Intent | None) -> Decision | None:
    """Reset, undo, adopt / discard and explicit off-topic requests: these win over everything else. A
    question about how to use them ("how do I undo?") is help, and does not trigger them."""
    if not mentioned and _p("help_usage").search(text):
        return Decision(Intent.HELP)
    if _p("reset").search(text):
        return Decision(Intent.RESET)
    if _p("undo").search(text):
        return Decision(Intent.UNDO)
    if pending:
        return Decision(pending)
    if _p("discard").search(text):
        return Decision(Intent.DISCARD)
    if _p("adopt").search(text):
        return Decision(Intent.ADOPT)
    if _p("out_of_scope_task").search(text):
        return Decision(Intent.OUT_OF_SCOPE)  # "write me a python script": a task for something else
    if _p("abuse").search(text) and not mentioned:
        return Decision(Intent.OUT_OF_SCOPE)
    if (
        _p("out_of_scope").search(text)
        and _p("request_form").search(text)
        and not mentioned
        and not _p("on_topic").search(text)
    ):
        return Decision(Intent.OUT_OF_SCOPE)  # "recommend me a pizza place": an explicit off-topic request
    return None


def _asks_about_options(text: str) -> Decision | None:
    """A why-not ("why not a custom model?") or a suggestion put as a question that names an option
    ("couldn't we just call GPT-4o?"). A why-not that names no option asks why; prompting an existing model
    ("why train anything if ChatGPT exists?") is the foundation option."""
    if _p("why_not_prompting").search(text):
        return Decision(Intent.WHY_NOT, Option.FOUNDATION)
    why_not = _p("why_not").search(text)
    if why_not:  # the option after "why not", else one named before ("everyone uses OpenAI, why not?")
        target = _why_not_target(text, why_not.start()) or _why_not_target(text[: why_not.start()], 0)
        return Decision(Intent.WHY_NOT, target) if target else Decision(Intent.WHY)
    suggestion = _p("why_not_suggestion").search(text)
    if suggestion and not _WH_BEFORE.search(
        text, _sentence_start(text, suggestion.start()), suggestion.start()
    ):
        target = _why_not_target(text, suggestion.start())
        if target and not _asks_between_options(text):  # "should we train our own or use GPT?" asks which
            return Decision(Intent.WHY_NOT, target)
    return None


def _world_question(text: str, mentioned: Mapping[str, Value]) -> bool:
    """A why-question about the world ("why do cats purr?"): its form, and nothing in it that names the
    project, the field or this conversation, so a why about our answer is never refused."""
    return (
        bool(_p("world_question").search(text))
        and not mentioned
        and not _DEIXIS.search(text)
        and not _OPTION.search(text)
        and not any(_p(name).search(text) for name in _TOPICAL_SETS)
    )


# the words that tie a why-question to the project, the field or our answer
_TOPICAL_SETS = (
    "on_topic",
    "concept_term",
    "answer_terms",
    "first_person",
    "target_custom",
    "target_foundation",
)


def _sentence_start(text: str, pos: int) -> int:
    return max(text.rfind(".", 0, pos), text.rfind("?", 0, pos), text.rfind("!", 0, pos)) + 1


def is_english(text: str) -> bool:
    """Enough English to read anything into (the learned layer guesses nothing from leetspeak or noise)."""
    return len(text.split()) >= _MIN_ENGLISH_WORDS and bool(_ENGLISH.search(text))


def _fallback(text: str) -> Decision:
    english = is_english(text)
    if _p("question_form").search(text) and (english or text.rstrip().endswith("?")):
        if _p("concept_term").search(text) or _p("on_topic").search(text) or _DEIXIS.search(text):
            return Decision(
                Intent.CONCEPT, None, False
            )  # a question about the field: answer from the guidance
        return Decision(Intent.OUT_OF_SCOPE, None, False)  # "what's 17 times 23?"
    if english or _p("on_topic").search(text):
        # About the project but no fact we can read ("our ML guy left last year"): describe with no
        # changes, so the session asks its next question instead of calling it off-topic.
        return Decision(Intent.DESCRIBE, None, False)
    return Decision(Intent.OUT_OF_SCOPE, None, False)


def _asks_between_options(text: str) -> bool:
    """ "foundation model, custom model or hybrid?", "custom model yes or no?", "do we train something or use
    something off the shelf?": different options on the two sides of "or" (checked per sentence: one regex
    for this would backtrack badly on long pastes). Two options on one side only compare them ("is a custom
    model the same as fine-tuning a foundation model, or different?")."""
    for m in _SENTENCE.finditer(text):
        sentence = m.group()
        if "?" in sentence and " or " in sentence:
            left, _, right = sentence.rpartition(" or ")
            found = set(_OPTION.findall(left)), set(_OPTION.findall(right))
            if (all(found) and len(found[0] | found[1]) >= 2) or (any(found) and "yes or no" in sentence):
                return True
            left, _, right = sentence.partition(" or ")
            targets = _why_not_target(left, 0), _why_not_target(right, 0)
            if None not in targets and targets[0] != targets[1]:
                return True
    return False


def _why_not_target(text: str, start: int) -> Option | None:
    """The option named first after the why-not ("why not just call an LLM?" -> foundation); a custom
    model and a foundation model named together ("an LLM for the hard cases and a classifier for the
    rest") ask about the hybrid. What comes after "instead of" is what the user turns away from."""
    instead = _INSTEAD.search(text, start)
    end = instead.start() if instead else len(text)
    if _p("target_hybrid_recipe").search(text, start, end):
        return Option.HYBRID  # "have the LLM label data, then train a small model": the recipe names it
    found: dict[Option, int] = {}
    for option in TARGETS:
        m = _p(f"target_{option.value}").search(text, start, end)
        if m:
            found[option] = m.start()
    if not found:
        return None
    if Option.CUSTOM in found and Option.FOUNDATION in found:
        a, b = sorted((found[Option.CUSTOM], found[Option.FOUNDATION]))
        if _JOINED.search(text, a, b + 1):
            return Option.HYBRID
    return min(found, key=lambda o: found[o])
