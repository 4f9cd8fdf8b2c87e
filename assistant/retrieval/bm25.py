"""Lexical ranking: Okapi BM25 over tokens from assistant/words.py (English, or Russian with stemming).

An own implementation rather than a library: the corpus is a few dozen chunks held in memory, the whole
thing is ~30 lines, and queries and documents must go through exactly the same tokeniser. BM25 adds the
exact terms (names, acronyms) that dense embeddings blur. Pure Python, no dependencies.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from ..words import STOPWORDS, stem, tokenize, tokenize_ru, tokenizer

__all__ = ["BM25", "STOPWORDS", "stem", "tokenize", "tokenize_ru", "tokenizer"]


class BM25:
    """Okapi BM25 over pre-tokenised documents (idf with +1 inside the log, so it is never negative)."""

    def __init__(self, documents: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.tf = [Counter(doc) for doc in documents]
        self.lengths = [len(doc) for doc in documents]
        self.avg_length = (sum(self.lengths) / len(self.lengths)) if self.lengths else 0.0
        df = Counter(term for doc in self.tf for term in doc)
        n = len(documents)
        self.idf = {term: math.log(1 + (n - count + 0.5) / (count + 0.5)) for term, count in df.items()}

    def scores(self, query_tokens: Sequence[str]) -> list[float]:
        terms = [t for t in dict.fromkeys(query_tokens) if t in self.idf]
        result = []
        for tf, length in zip(self.tf, self.lengths, strict=True):
            norm = self.k1 * (1 - self.b + self.b * length / (self.avg_length or 1.0))
            result.append(sum(self.idf[t] * tf[t] * (self.k1 + 1) / (tf[t] + norm) for t in terms if t in tf))
        return result
