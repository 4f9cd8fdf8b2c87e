"""Words for lexical matching: stop words, stems and tokens, in English and in Russian.

Why its own small module: BM25 (retrieval/bm25.py) and the keyword fallback (memory.py) must cut text into
the same tokens, and the fallback runs exactly when the retrieval stack does not, so this imports nothing
heavy. English keeps its light stemmer; Russian uses Snowball's Russian stemmer (PyStemmer's C build when it
is installed, else snowballstemmer's pure Python; the stems are identical), chosen on
benchmarks/retrieval_ru_bench.py: Russian-stemmed BM25 recall@3 0.80 against 0.75 with the English tokeniser.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

_WORD = re.compile(r"\w+")
_CYRILLIC = re.compile(r"[а-яё]")
_STOPWORDS = (
    "a about after all also an and any are as at be been being both but by can could did do does doing "
    "done during each either for from had has have having how i if in into is it its it's just me more "
    "most my no nor not of on or other our ours out over own so some such than that the their them then "
    "there these they this those through to too under until up us very was we were what when where "
    "which while who whom why will with would you your"
)
STOPWORDS = frozenset(_STOPWORDS.split())
# Pronouns, prepositions, conjunctions, particles and auxiliaries (written with е for ё).
_RU_STOPWORDS = (
    "а без более бы был была были было быть в вам вас весь во вот все всего всех вы где да даже для до его "
    "ее если есть еще же за здесь и из или им их к как какая какие какой ко когда кто ли либо мне может "
    "мы на над надо наш не него нее нет ни них но ну о об однако он она они оно от очень по под при с со "
    "так также такой там те тем то того тоже той только том ты у уже хотя чего чей чем что чтобы чье чья "
    "эта эти это этого этой этом этот эту я"
)
RU_STOPWORDS = frozenset(_RU_STOPWORDS.split())

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
    """English tokens: lower case, stop words out, light stems."""
    return [
        stem(word)
        for word in _WORD.findall(text.lower())
        if word not in STOPWORDS and (len(word) > 1 or word.isdigit())
    ]


@functools.cache
def _russian_stemmer() -> Callable[[str], str]:
    try:  # the C build: ~0.15 µs a word against ~20 µs (a cold Russian index tokenises ~6,000 words)
        import Stemmer

        stemmer: Callable[[str], str] = Stemmer.Stemmer("russian").stemWord
        return stemmer
    except ImportError:
        pass
    try:  # the module itself: snowballstemmer's package import loads every language's stemmer
        from snowballstemmer.russian_stemmer import RussianStemmer

        pure: Callable[[str], str] = RussianStemmer().stemWord
        return pure
    except ImportError:  # not installed: the first five letters, a crude but common Russian stem
        return lambda word: word[:5]


@functools.lru_cache(maxsize=16384)
def stem_ru(word: str) -> str:
    """Snowball's Russian stem of a lower-case word (ё as е): 'модели', 'моделей' -> 'модел'."""
    return _russian_stemmer()(word)


def tokenize_ru(text: str) -> list[str]:
    """Russian tokens: lower case, ё -> е, Russian and English stop words out; Cyrillic words get Snowball's
    Russian stem and Latin ones (LLM, API, fine-tuning) the English stemmer."""
    out = []
    for word in _WORD.findall(text.lower().replace("ё", "е")):
        if word in RU_STOPWORDS or word in STOPWORDS or (len(word) <= 1 and not word.isdigit()):
            continue
        out.append(stem_ru(word) if _CYRILLIC.search(word) else stem(word))
    return out


def tokenizer(lang: str) -> Callable[[str], list[str]]:
    """The tokeniser for texts in `lang` ("en" or "ru")."""
    return tokenize_ru if lang == "ru" else tokenize
