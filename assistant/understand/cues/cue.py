"""The shape of a field cue: which field a phrase speaks of, the value it states, and its value when negated.

Why its own module: the themed cue tables (resources, constraints, deployment, project) and the scanner in
`understand.fields` share this one type and nothing else, so it sits below both.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Final, Literal, TypeAlias

from ...types import Value
from ..patterns import LazyRe

__all__ = ["FIXED", "Cue", "Finder", "Negation", "cue"]

Finder: TypeAlias = Callable[[str, re.Match[str]], Value | None]
"""Reads the value from the text around a match (e.g. how much labelled data); None = no change."""


class Negation(Enum):
    FIXED = "fixed"


FIXED: Final = Negation.FIXED
"""Negation is not checked for this cue (the pattern already carries its polarity)."""


@dataclass(frozen=True, slots=True)
class Cue:
    field: str
    regex: LazyRe
    value: Value | Finder | None
    # Value when a negator precedes the cue in its clause (or a negative answer follows it); None = no change.
    negated: Value | Literal[Negation.FIXED] | None = FIXED


def cue(
    name: str,
    pattern: str,
    value: Value | Finder | None,
    negated: Value | Literal[Negation.FIXED] | None = FIXED,
) -> Cue:
    """A cue for field `name` (the pattern is compiled on first use)."""
    return Cue(name, LazyRe(pattern), value, negated)
