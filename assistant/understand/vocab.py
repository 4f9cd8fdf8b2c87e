"""The lexicon's named sets and fragments as lazily compiled patterns, built once per process.

Why its own module: every understanding module reads its words from knowledge/lexicon/ through here, so
the lexicon is loaded on the first turn (not at import: importing the package compiles and loads nothing)
and each set becomes one `LazyRe`, compiled on first use like the rest.
"""

from __future__ import annotations

import functools
import re

from ..lexicon import Lexicon, PatternSet, default_lexicon
from .patterns import LazyRe

__all__ = ["build_all", "fragment", "lexicon", "negators", "pattern", "sets_meaning"]


def lexicon() -> Lexicon:
    """The shipped lexicon (loaded and validated on first use)."""
    return default_lexicon()


@functools.cache
def pattern(name: str) -> LazyRe:
    """The set `name` as one pattern (multi-line sets match "^" at every line start)."""
    entry = lexicon().set(name)
    return LazyRe(entry.source, re.M if entry.multiline else 0)


@functools.cache
def fragment(name: str) -> str:
    """The fragment `name` as a pattern source (for code that builds a pattern around it)."""
    return lexicon().fragment(name)


@functools.cache
def negators() -> LazyRe:
    """The words that negate a cue in its clause."""
    return LazyRe("|".join(f"(?:{p.source})" for p in lexicon().negators))


@functools.cache
def sets_meaning(intent: str) -> tuple[PatternSet, ...]:
    """Every set whose examples mean `intent` (e.g. all the injection sets)."""
    return tuple(s for s in lexicon().sets.values() if s.intent == intent)


def build_all() -> None:
    """Create every set's pattern now (`warm_up` then compiles them)."""
    for name in lexicon().sets:
        pattern(name)
    negators()
