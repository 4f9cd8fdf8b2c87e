"""Text utilities for checking answers: normalising, sentences and clauses, stemmed content words.

One concern: turning prose into the units the checks compare, with no knowledge of the decision. Pure
Python and regular expressions, no project imports, so other lexical code (BM25 ranking, for instance) can
share `tokenize`, `stem` and `STOPWORDS` and match words exactly as the guard does.

Tokenising, step by step (`tokenize`):
  1. `normalize`: lower case; curly quotes straightened; em/en dashes to " - " / "-"; markdown emphasis
     (`**`, `__`) removed; contractions expanded ("won't" -> "will not", "can't"/"cannot" -> "can not",
     "n't" -> " not", "'d" -> " would").
  2. `words`: maximal runs of ASCII letters and digits ([a-z0-9]+); everything else separates words
     (so "data_type" is two words, "it's" is "it" and "s", "café" is "caf").
  3. words in the stop list (default `STOPWORDS`) and one-character words are dropped;
  4. `stem`: a light suffix stripper (see its docstring) maps each remaining word to its stem.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

# A citation as answers write it: "[section-id]" (group 1), optionally with a markdown link target (group 2).
CITATION_RE = re.compile(r"\[([^\[\]\n]{1,80})\](\([^)\s]*\))?")

WORD_RE = re.compile(r"[a-z0-9]+")


def alternation(*parts: str) -> str:
    """A non-capturing regex alternation of `parts`: alternation("a", "b+") == "(?:a|b+)"."""
    return "(?:" + "|".join(parts) + ")"


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """Lower case, straight quotes, contractions expanded (isn't -> is not), markdown emphasis removed."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = text.replace("\u2014", " - ").replace("\u2013", "-").replace("**", "").replace("__", "")
    text = text.lower()
    text = re.sub(r"\bwon't\b", "will not", text)
    text = re.sub(r"\bcan't\b|\bcannot\b", "can not", text)
    text = re.sub(r"n't\b", " not", text)
    text = re.sub(r"'d\b", " would", text)
    return text


SENTENCE_END = re.compile(r"(?<=[.!?])[\"')*_»]*\s+(?=[\"'(*_\[#>«-]*[A-Z0-9А-ЯЁ])|\n+")
_CITE_AFTER_STOP = re.compile(r"([.!?])[ \t]*((?:\[[^\[\]\n]{1,80}\][ \t]*)+)(?=\s|$)")
_LIST_MARK = re.compile(r"^\s*(?:[-*+>]|\d+[.)]|#+)\s*")


def sentences(text: str) -> list[str]:
    """Split into sentences; list items and lines are sentences; a trailing citation joins its sentence."""
    out: list[str] = []
    text = _CITE_AFTER_STOP.sub(r" \2\1", text)  # "One. [id] Two." -> "One [id]. Two."
    for piece in SENTENCE_END.split(text):
        piece = _LIST_MARK.sub("", piece).strip()
        if not piece:
            continue
        if out and not re.search(r"[A-Za-zА-Яа-яЁё]", CITATION_RE.sub("", piece)):
            out[-1] = f"{out[-1]} {piece}"  # "[when-custom]." after the period belongs to the sentence
        else:
            out.append(piece)
    return out


_CLAUSE_SPLIT = re.compile(r";|\s-\s|,?\s*\b(?:but|whereas|while|although|though|however|yet)\b")


def clauses(normalized_sentence: str) -> list[str]:
    """A normalized sentence cut at semicolons, " - " and contrasting conjunctions (but, whereas, ...)."""
    return [c for c in _CLAUSE_SPLIT.split(normalized_sentence) if c and c.strip()]


# Words that carry no claim of their own: function words and the discourse every answer uses.
STOPWORDS = frozenset(
    re.findall(
        r"\S+",
        """
a an the and or but if then than that this these those there here it its it's is are was were be been being
am to of in on for with without by as at from into onto about over under after before between through during
per via so such too very also just only even still yet however therefore thus hence because since while
whereas although though when where which who whom whose what why how all any both each few more most other
some same own no nor not can could may might must shall should will would do does did done doing have has had
having i me my mine we us our ours you your yours he she they them their theirs his her hers one ones
get gets got make makes made making use uses used using well really quite rather much many lot lots
recommend recommended recommendation recommendations suggest suggests choice choose option options
answer answers reason reasons case cases project projects approach approaches way ways thing things
good better best great important key main likely probably generally typically usually often
help helps helpful need needs needed want wants like e g eg ie etc s t
""",
    )
)


@lru_cache(maxsize=20000)
def stem(word: str) -> str:
    """A light suffix stripper for lower-case words: labelled/labeled/labels -> label, costs/costly -> cost.

    Strips the first suffix that leaves at least 3 letters, in this order: -ies (to -y), -ing, -ed, -es
    (only after s, x, z, ch, sh; otherwise -es is skipped and a lone -s may still go), -ly, -s (not -ss).
    Then, in words longer than 4 letters, a doubled final consonant other than s or l is undoubled
    (planned -> plann -> plan) and a final -ll becomes -l (modelling -> modell -> model).
    """
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("ly", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "es" and not word.endswith(("ses", "xes", "zes", "ches", "shes")):
                continue
            if suffix == "s" and word.endswith("ss"):
                continue
            word = word[: len(word) - len(suffix)] + keep
            break
    if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "aeiousl":
        word = word[:-1]
    if word.endswith("ll") and len(word) > 4:
        word = word[:-1]
    return word


def words(text: str) -> list[str]:
    """The words of normalize(text): runs of [a-z0-9], unstemmed, stop words kept."""
    return WORD_RE.findall(normalize(text))


def tokenize(text: str, stopwords: Iterable[str] | frozenset[str] = STOPWORDS) -> list[str]:
    """Stems of the words of `text` that are not stop words and longer than one character, in order
    (duplicates kept). See the module docstring for the steps; pass `stopwords` to use another list."""
    stop = stopwords if isinstance(stopwords, frozenset) else frozenset(stopwords)
    return [stem(w) for w in words(text) if w not in stop and len(w) > 1]


def content_words(text: str) -> list[str]:
    """The words that carry a claim: tokenize(text) with the guard's STOPWORDS."""
    return tokenize(text)


def ngrams(items: Sequence[str], n: int) -> list[tuple[str, ...]]:
    """Every run of `n` consecutive items, in order."""
    return [tuple(items[i : i + n]) for i in range(len(items) - n + 1)]
