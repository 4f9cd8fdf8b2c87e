"""How the guard reads one language: the readers and word sets the checks apply to a sentence.

Why its own module: the checks (`checks.Guard`) and the evidence (`evidence.Evidence`) are the same for every
language; only the reading differs (English: `text`, `stance`, `facts` and the regular expressions in
`checks`; Russian: `russian`). A `Reading` bundles one language's readers so both pick them by the answer's
language (`AnswerContext.lang`) without knowing which language it is.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, fields

from .facts import FactClaim
from .stance import Stance

__all__ = ["Reading", "reading"]


@dataclass(frozen=True)
class Reading:
    """One language's readers: text -> normalised text, words, content words (stems), stances, claims; and
    the word sets the recommendation check weighs a stance with."""

    normalize: Callable[[str], str]
    words: Callable[[str], list[str]]
    content_words: Callable[[str], list[str]]
    stances: Callable[[str], list[Stance]]
    claims: Callable[[str], list[FactClaim]]
    conditional: re.Pattern[str]  # with `modal`: a conditional sentence ("if ... would", "если бы")
    modal: re.Pattern[str]
    addressed: re.Pattern[str]  # a concept answer's clause that gives the user advice
    hypothetical: re.Pattern[str]  # a what-if's hypothetical clause
    present: re.Pattern[str]  # "currently", "сейчас": the saved state, not the hypothetical
    past: re.Pattern[str]  # how a changed answer names the old recommendation
    current: re.Pattern[str]  # how a what-if names the saved recommendation
    hybrid_parts: re.Pattern[str]  # words that describe a hybrid's steps


@functools.cache
def reading(lang: str) -> Reading:
    """The reading of a language other than English (English: `checks.ENGLISH`); "ru" is the one there is."""
    if lang != "ru":
        raise ValueError(f"no guard reading for language {lang!r}")
    from .russian import russian_reader

    r = russian_reader()
    return Reading(**{f.name: getattr(r, f.name) for f in fields(Reading)})
