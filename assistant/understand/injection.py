"""The injection detector: does a text read like instructions to the assistant rather than about a project?

Why its own module: one definition of "an instruction" is shared by two seams, turn understanding (an
injection is refused; only the facts stated plainly next to it, in a short message of the user's own, are
kept) and the knowledge loader (`knowledge.sanitize` drops instruction-like sentences from passages before
an answer or an LLM sees them). The patterns are the lexicon's injection sets (knowledge/lexicon/
injection.yaml); they run on the raw text with newlines kept, so "system:" at the start of any line of a
long paste is caught.
"""

from __future__ import annotations

import functools
import re
from itertools import pairwise

from ..types import Intent
from . import vocab
from .patterns import LazyRe
from .text import clean_text, sentence_spans

__all__ = ["injection_spans", "is_injection", "is_instruction"]


@functools.cache
def _injection() -> tuple[LazyRe, ...]:
    return tuple(vocab.pattern(s.id) for s in vocab.sets_meaning(Intent.INJECTION))


def is_injection(low: str) -> bool:
    """Does cleaned, lower-cased text (newlines kept) contain instructions to the assistant?"""
    return any(p.search(low) for p in _injection())


_DASH = re.compile(r"\s-+\s")


def injection_spans(low: str) -> list[tuple[int, int]]:
    """The sentences (and dash-separated asides) of `low` that hold an instruction: their facts are the
    attacker's, not the user's."""
    spans = []
    for a, b in sentence_spans(low):
        cuts = [a, *(m.end() for m in _DASH.finditer(low, a, b)), b]
        spans += [(x, y) for x, y in pairwise(cuts) if is_injection(low[x:y])]
    return spans


def is_instruction(sentence: str) -> bool:
    """Does this sentence read like an instruction to the assistant (the injection detector's verdict)?"""
    return is_injection(clean_text(sentence).lower())
