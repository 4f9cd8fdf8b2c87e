"""Chat shorthand spelled out before an English message is read: "w/" is "with", "rec pls" is
"recommendation please", "2 ds" is "2 data scientists", "dont" is "don't".

Why its own step: people who type fast write the same facts in a handful of abbreviations, and spelling
them out once lets every cue, negation and intent pattern read them, instead of each pattern listing every
spelling. The abbreviations are lexicon data (knowledge/lexicon/shorthand.yaml, sets with `means:`),
applied in the order written.
"""

from __future__ import annotations

import functools
import re

from . import vocab

__all__ = ["spell_out"]


@functools.cache
def _rules() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple(
        (re.compile(entry.source), entry.means)
        for entry in vocab.lexicon().sets.values()
        if entry.means is not None
    )


def spell_out(text: str) -> str:
    """Lower-cased English text with its chat shorthand written out."""
    for pattern, means in _rules():
        text = pattern.sub(means, text)
    return text
