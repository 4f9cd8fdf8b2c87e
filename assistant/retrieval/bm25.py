"""Lexical ranking: a light English stemmer, stop words, tokenising and Okapi BM25.

An own implementation rather than a library: the corpus is a few dozen chunks held in memory, the whole
thing is ~80 lines, and queries and documents must go through exactly the same tokeniser. BM25 adds the
exact terms (names, acronyms) that dense embeddings blur. Pure Python, no dependencies.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

_WORD = re.compile(r"\w+")
_STOPWORDS = (
    "a about after all also an and any are as at be been being both but by can could did do does doing "
    "done during each either for from had has have having how i if in into is it its it's just me more "
    "most my no nor not of on or other our ours out over own so some such than that the their them then "
    "there these they this those through to too under until up us very was we were what when where "
    "which while who whom why will with would you your"
)
STOPWORDS = frozenset(_STOPWORDS.split())

_BRITISH_ISE = re.compile(r"(?<=\w{3})is(e|ed|es|ing|ation|ations)$")


def stem(word: str) -> str:
    """A deliberately light English stemmer, applied to queries and documents alike.

    Plurals as in Harman's S-stemmer, then -ation/-ing/-ed/-ly, a doubled final consonant, a final e, and
    British -ise spellings as -ize: 'labelled', 'labeling' and 'labels' meet at 'label'; 'annotate',
    'annotating' and 'annotations' at 'annotat'; 'APIs' at 'api'; 'specialised' and 'specialized' agree.
    """
    if len(word) <= 3 or not word.isalpha() or not word.isascii():
        return word
    word = _BRITISH_ISE.sub(r"iz\1", word)
    if word.endswith("ies") and not word.endswith(("eies", "aies")):
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("us", "ss")):
        word = word[:-1]
    stripped = False
    if word.endswith("ation") and len(word) > 7:
        word = word[:-5] + "ate"
    elif word.endswith("ing") and len(word) >= 7:
        word, stripped = word[:-3], True
    elif word.endswith("ed") and not word.endswith("eed") and len(word) >= 6:
        word, stripped = word[:-2], True
    elif word.endswith("ly") and len(word) >= 6:
        word = word[:-2]
    if stripped and word[-1] == word[-2] and word[-1] not in "aeious":
        word = word[:-1]
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    return [
        stem(word)
        for word in _WORD.findall(text.lower())
        if word not in STOPWORDS and (len(word) > 1 or word.isdigit())
    ]


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
