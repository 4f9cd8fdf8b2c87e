"""Offline, deterministic turn understanding: user text -> `Turn` {intent, changes, hypothetical, target}.

The words live in the lexicon (knowledge/lexicon/*.yaml, loaded by `assistant.lexicon`); the mechanism is
here, one concern per module, each importing only the ones above it:
    patterns      lazily compiled regular expressions (`compile_all`, behind `warm_up`)
    vocab         the lexicon's sets and fragments as lazy patterns (the lexicon loads on first use)
    text          clean_text, clause boundaries, negation scope and the question part of a message
    numbers       quantities, request rates per day, volume / labelled-data thresholds
    cues/         the field cue table built from the lexicon, and the finders (values code reads)
    fields        cue hits -> profile facts (`extract_fields`), with the per-field resolution policies
    injection     the injection detector (`is_instruction`, also used by `knowledge.sanitize`)
    replies       short replies to the assistant's question (yes / no / unsure, `YES_NO`)
    intents       the decision between the intents (`INTENTS`, `TARGETS`)
    language      non-English messages, named instead of guessed
    learned       the classifier over the query embedding (numpy inference of exported weights)
    understander  `RuleBasedUnderstander`: the steps in order, and the fusion of patterns and classifier
    reader        how the understander reads the lexicon's examples (for `modelchoice lexicon check`)

Importing the package loads and compiles nothing (a few ms); `warm_up()` does both ahead of the first turn.
"""

from .fields import extract_fields
from .injection import is_instruction
from .intents import INTENTS, TARGETS
from .learned import load_classifier, multilingual_embedder, query_embedder
from .numbers import quantities, requests_per_day
from .replies import YES_NO
from .text import clean_text
from .understander import RuleBasedUnderstander, understand, warm_up

__all__ = [
    "INTENTS",
    "TARGETS",
    "YES_NO",
    "RuleBasedUnderstander",
    "clean_text",
    "extract_fields",
    "is_instruction",
    "load_classifier",
    "multilingual_embedder",
    "quantities",
    "query_embedder",
    "requests_per_day",
    "understand",
    "warm_up",
]
