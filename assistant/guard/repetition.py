"""Runaway detection: repeated sentences, a phrase said again and again, stuttering, an endless sentence.

One concern: the repetition check, which needs no evidence. Small local models loop; a loop is caught
incrementally, sentence by sentence while the answer streams (`Repetition.add`), and in the unfinished tail
of a stream that never reaches a full stop (`Repetition.tail`). Names (passage titles, option labels) may
repeat.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from ..types import Finding
from .text import CITATION_RE, STOPWORDS, ngrams, words

NGRAM = 6  # phrase length counted for repeats
MAX_SENTENCE_CHARS = 1000  # one "sentence" longer than this is a runaway


class Repetition:
    """Incremental runaway detection: repeated sentences, a phrase repeated again and again, stuttering.
    Names (passage titles, option labels) may repeat."""

    NGRAM_LIMIT = 3  # the same 6 words a third time is a loop, not style
    STUTTER = re.compile(r"\b(\w+)(?:\W+\1\b){3,}", re.I)

    def __init__(
        self, names: frozenset[tuple[str, ...]] = frozenset(), split: Callable[[str], list[str]] = words
    ) -> None:
        self.seen: set[str] = set()
        self.ngrams: Counter[tuple[str, ...]] = Counter()
        self.names = names
        self.split = split  # a text's words, in the answer's language

    def add(self, sentence: str) -> list[Finding]:
        """Findings for one complete sentence, given the sentences added before it."""
        out: list[Finding] = []
        key = " ".join(self.split(CITATION_RE.sub("", sentence)))
        if len(key) >= 12 and key in self.seen:
            out.append(Finding("repetition", "repeats an earlier sentence", sentence))
        self.seen.add(key)
        hits = []
        for gram in ngrams(key.split(), NGRAM):
            if gram in self.names:
                continue
            self.ngrams[gram] += 1
            if self.ngrams[gram] == self.NGRAM_LIMIT and not set(gram) <= STOPWORDS:
                hits.append(" ".join(gram))
        if hits:
            out.append(Finding("repetition", f'repeats "{hits[0]}" {self.NGRAM_LIMIT} times', sentence))
        if self.STUTTER.search(sentence):
            out.append(Finding("repetition", "stutters (the same word over and over)", sentence))
        return out

    @classmethod
    def tail(cls, text: str, split: Callable[[str], list[str]] = words) -> list[Finding]:
        """Checks for an unfinished sentence that keeps growing (a loop that never reaches a full stop)."""
        if len(text) > MAX_SENTENCE_CHARS:
            return [
                Finding("repetition", f"a sentence runs past {MAX_SENTENCE_CHARS} characters", text[:200])
            ]
        probe = cls(split=split)
        found = split(text)
        if len(found) >= 24 and len(set(found)) / len(found) < 0.35:
            return [Finding("repetition", "loops over the same few words", text[:200])]
        return [f for f in probe.add(text) if "earlier sentence" not in f.message]
