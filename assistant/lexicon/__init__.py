"""The understanding vocabulary as data: knowledge/lexicon/*.yaml, validated on load and linted on demand.

    model   the shape (entries with examples and counterexamples, fields, sets, languages, problems;
            the guard's answer claims, the LLM evidence cues, the eval generator's statements, the
            what-if buttons' clauses)
    loader  YAML -> Lexicon, with every problem named by file, line, entry and part (`claims` reads the
            sections for readers other than the understander)
    lint    the checks `modelchoice lexicon check` runs (examples match, counterexamples don't, duplicates,
            patterns that don't compile, statements and what-if questions read as the fact they state)
    view    a table computed from the lexicon on first use, for consumers that import a table by name

`phrase(field, value)` and `question(field)` are how answers word a fact and ask for a field.
"""

from ..types import Value
from .lint import ClaimReading, EvidenceReading, Reader, check
from .loader import LEXICON_DIR, default_lexicon, load_lexicon, read_lexicon
from .model import (
    FINDERS,
    AnswerEntry,
    ClaimEntry,
    CueEntry,
    Entry,
    EvidenceCue,
    FieldLexicon,
    Language,
    Lexicon,
    LexiconError,
    PatternSet,
    Problem,
    Statement,
    what_if_question,
)
from .view import LexiconView

__all__ = [
    "FINDERS",
    "LEXICON_DIR",
    "AnswerEntry",
    "ClaimEntry",
    "ClaimReading",
    "CueEntry",
    "Entry",
    "EvidenceCue",
    "EvidenceReading",
    "FieldLexicon",
    "Language",
    "Lexicon",
    "LexiconError",
    "LexiconView",
    "PatternSet",
    "Problem",
    "Reader",
    "Statement",
    "check",
    "confirm",
    "default_lexicon",
    "load_lexicon",
    "phrase",
    "question",
    "read_lexicon",
    "what_if_question",
]


def phrase(field: str, value: Value) -> str:
    """How answers phrase a fact: phrase("ml_team", False) -> "no in-house ML team"."""
    return default_lexicon().phrase(field, value)


def question(field: str) -> str:
    """The question that asks for a field."""
    return default_lexicon().question(field)


def confirm(field: str, value: Value) -> str:
    """A guessed fact as the assistant checks it: "the data can't leave your servers"."""
    return default_lexicon().fields[field].confirm[value]
