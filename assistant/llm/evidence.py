"""Facts only from evidence: does the user's own text support a fact an LLM read into it?

One concern: the deterministic check behind every LLM-proposed profile fact. Small models invent facts
from nothing ("why?" -> a whole profile) and any model can be talked into dropping a constraint, so a
value the offline understander did not find is kept only if the text

  mentions the field   a cue word for the field (`FIELD_CUES`) occurs in the text, and
  plainly states it    in the same clause as that cue: a word for the value itself (`VALUE_CUES`), or, for
                       a yes/no field, the cue with the right polarity ("no ML team" states ml_team=false).

The cue words are data, under `evidence:` in knowledge/lexicon/claims.yaml with the rest of the field
vocabulary (checked by `modelchoice lexicon check`); the mechanism (clause scope, negation, which values
carry their own "no") is here. The tables are built from the lexicon on first use, not at import.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

from ..lexicon import EvidenceCue, Lexicon, LexiconView, default_lexicon
from ..types import Value
from ..understand.text import negated

__all__ = [
    "FIELD_CUES",
    "VALUE_CUES",
    "EvidenceReader",
    "clauses_with_cue",
    "default_reader",
    "mentions",
    "states",
]

_CLAUSE_SPLIT = re.compile(
    r"[.;!?\n]+|,\s*(?:but|and|while|whereas|although|though|so)?\b|\b(?:but|however|although|though|whereas)\b"
)


def _compile(cue: EvidenceCue) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{cue.source})", re.I)


class EvidenceReader:
    """The evidence check with the `evidence` cues of one lexicon (the shipped one: `default_reader`);
    the cues are compiled on first use."""

    def __init__(self, lexicon: Lexicon) -> None:
        self._lexicon = lexicon

    @functools.cached_property
    def field_cues(self) -> dict[str, re.Pattern[str]]:
        """A cue word for each field: a field the LLM fills in must have one in the user's text."""
        return {c.field: _compile(c) for c in self._lexicon.evidence_cues("mentions")}

    @functools.cached_property
    def value_cues(self) -> dict[tuple[str, Value], re.Pattern[str]]:
        """Words that state a value of an enum field (checked in the clause of a field cue)."""
        return {
            (c.field, c.value): _compile(c)
            for c in self._lexicon.evidence_cues("states")
            if c.value is not None
        }

    @functools.cached_property
    def polar_cues(self) -> dict[str, re.Pattern[str]]:
        """For yes/no fields: the cues that state "yes" when not negated and "no" when negated."""
        return {c.field: _compile(c) for c in self._lexicon.evidence_cues("polar")}

    def mentions(self, name: str, text: str) -> bool:
        """A cue word for the field `name` occurs somewhere in `text`."""
        return bool(self.field_cues[name].search(text))

    def clauses_with_cue(self, name: str, text: str) -> list[str]:
        """The clauses of `text` (lower-cased) that hold a cue word for the field `name`."""
        cue = self.field_cues[name]
        return [c.strip() for c in _CLAUSE_SPLIT.split(text.lower()) if c and cue.search(c)]

    def states(self, name: str, value: Value, text: str) -> bool:
        """Does `text` plainly state `name` = `value`, in a clause that mentions the field?"""
        for clause in self.clauses_with_cue(name, text):
            if isinstance(value, bool):
                polar = self.polar_cues.get(name)
                for match in polar.finditer(clause) if polar else ():
                    if negated(clause, match.start()) != value:
                        return True
                continue
            cue = self.value_cues.get((name, value))
            for match in cue.finditer(clause) if cue else ():
                negative_value = value == "none"  # "no labels", "no privacy concerns" carry their own "no"
                if negative_value or not negated(clause, match.start()):
                    return True
        return False


@functools.cache
def default_reader() -> EvidenceReader:
    """The evidence check of the shipped lexicon, built on first use (the import parses nothing)."""
    return EvidenceReader(default_lexicon())


# The shipped lexicon's cues, by the names other modules import (views: built on first lookup).
FIELD_CUES: Mapping[str, re.Pattern[str]] = LexiconView(lambda: default_reader().field_cues)
VALUE_CUES: Mapping[tuple[str, Value], re.Pattern[str]] = LexiconView(lambda: default_reader().value_cues)


def mentions(name: str, text: str) -> bool:
    """A cue word for the field `name` occurs somewhere in `text`."""
    return default_reader().mentions(name, text)


def clauses_with_cue(name: str, text: str) -> list[str]:
    """The clauses of `text` (lower-cased) that hold a cue word for the field `name`."""
    return default_reader().clauses_with_cue(name, text)


def states(name: str, value: Value, text: str) -> bool:
    """Does `text` plainly state `name` = `value`, in a clause that mentions the field?"""
    return default_reader().states(name, value, text)
