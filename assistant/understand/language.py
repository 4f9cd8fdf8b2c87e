"""Which language a message is in, when it is not English: the assistant says so instead of guessing.

Why its own module: a Russian or German message would otherwise extract nothing and get the English
default answer (or worse, a fact from a loanword). Alphabets tell most languages (most of the letters in
Cyrillic, Greek, Arabic...); for languages written in Latin letters, their common words are counted against
the English ones. The words, the alphabets and the one-line replies are in knowledge/lexicon/languages.yaml.
"""

from __future__ import annotations

import functools
import re

from ..lexicon import Language
from . import vocab

__all__ = ["detect_language"]

_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_MIN_LETTERS = 4
_SCRIPT_SHARE = 0.5  # at least half of the letters in the alphabet
_CYRILLIC_SHARE = 0.3  # mixed Russian and English text is common ("хотим fine-tune")
_MIN_WORD_HITS = 3  # Latin-script languages: at least this many of their common words...
_WORD_MARGIN = 2.0  # ...and this many times as many as English ones


@functools.cache
def _compiled() -> tuple[tuple[Language, re.Pattern[str]], ...]:
    return tuple((lang, re.compile(lang.source)) for lang in vocab.lexicon().languages.values())


def detect_language(low: str) -> Language | None:
    """The language of lower-cased text when it is not English (None for English or too little text)."""
    letters = _LETTER.findall(low)
    languages = _compiled()
    counts = {lang.code: sum(1 for ch in letters if p.match(ch)) for lang, p in languages if lang.script}
    by_code = {lang.code: lang for lang, _ in languages}
    # Cyrillic, even a short "да" or a mixed "у нас data science команда": Ukrainian when its own letters
    # appear, else Russian (which the understander reads)
    if letters and counts.get("ru", 0) >= _CYRILLIC_SHARE * len(letters):
        return by_code["uk"] if counts.get("uk", 0) else by_code["ru"]
    if len(letters) < _MIN_LETTERS:
        return None
    enough = _SCRIPT_SHARE * len(letters)
    if counts.get("ja", 0) and counts.get("ja", 0) + counts.get("zh", 0) >= enough:  # kana among the kanji
        return by_code["ja"]
    scripts = [(n, code) for code, n in counts.items() if code not in {"ru", "uk", "ja", "other"}]
    n, code = max(scripts, default=(0, ""))
    if n >= enough:
        return by_code[code]
    if counts.get("other", 0) >= enough:
        return by_code["other"]
    return _by_words(low, languages)


def _by_words(low: str, languages: tuple[tuple[Language, re.Pattern[str]], ...]) -> Language | None:
    words = _WORD.findall(low)
    english = next((p for lang, p in languages if lang.code == "en"), None)
    if english is None or len(words) < _MIN_WORD_HITS:
        return None
    en_words = {w for w in words if english.fullmatch(w)}
    en_hits = sum(1 for w in words if w in en_words)
    best: tuple[int, Language] | None = None
    for lang, p in languages:
        if lang.script or lang.code == "en":
            continue
        hits = sum(1 for w in words if w not in en_words and p.fullmatch(w))
        if hits >= _MIN_WORD_HITS and hits >= _WORD_MARGIN * en_hits and (best is None or hits > best[0]):
            best = (hits, lang)
    return best[1] if best else None
