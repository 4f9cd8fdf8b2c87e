"""The shape of a field cue at run time: which field a phrase speaks of, its value, and its negated value.

Why its own module: the cue table (built from the lexicon in `cues/__init__`), the finders and the scanner
in `understand.fields` share this one type and nothing else, so it sits below all three.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeAlias

from ...lexicon.model import FIXED, IGNORE, Negation
from ...types import Value
from ..patterns import LazyRe

__all__ = ["FIXED", "IGNORE", "Cue", "Finder", "Negation"]

Finder: TypeAlias = Callable[[str, re.Match[str], Value | None], Value | None]
"""Reads the value from the text around a match (e.g. how much labelled data); None = no change. Gets the
cue's own value (if it has one) as the default."""


@dataclass(frozen=True, slots=True)
class Cue:
    id: str
    field: str
    regex: LazyRe
    value: Value | None
    finder: Finder | None = None
    # Value when a negator precedes the cue in its clause (or a negative answer follows it); FIXED: not
    # checked; IGNORE: a negated mention changes nothing.
    negated: Value | Literal[Negation.FIXED, Negation.IGNORE] = FIXED

    def read(self, text: str, m: re.Match[str]) -> Value | None:
        """The value this match states (before negation)."""
        return self.finder(text, m, self.value) if self.finder else self.value
