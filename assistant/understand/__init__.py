"""Offline, deterministic turn understanding: user text -> `Turn` {intent, changes, hypothetical, target}.

One concern per module, each importing only the ones above it:
    patterns      lazily compiled regular expressions (`compile_all`, behind `warm_up`)
    text          clean_text, clause boundaries and negation scope
    numbers       quantities, request rates per day, volume / labelled-data thresholds
    cues/         the field cue tables, one theme per module (which field's cues live where: cues/__init__)
    fields        cue hits -> profile facts (`extract_fields`), with the per-field resolution policies
    injection     the injection detector (`is_instruction`, also used by `knowledge.sanitize`)
    replies       short replies to the assistant's question (yes / no / unsure, `YES_NO`)
    intents       the intent patterns and the decision between them (`INTENTS`, `TARGETS`)
    understander  `RuleBasedUnderstander`: the steps in order

Importing the package compiles no pattern (a few ms); `warm_up()` compiles them all ahead of the first turn.
"""

from .fields import extract_fields
from .injection import is_instruction
from .intents import INTENTS, TARGETS
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
    "quantities",
    "requests_per_day",
    "understand",
    "warm_up",
]
