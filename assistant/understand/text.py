"""Text normalisation and clause scope: where a clause starts and ends, and whether a cue is negated in it.

Why its own module: every cue and reply reading depends on the same two decisions, what counts as the
same clause ("no labels, but two data scientists": the "no" stops at "but") and what counts as a negator
("why not use X" is a suggestion, not a negation). Keeping them in one place keeps them consistent.
"""

from __future__ import annotations

import re

from .patterns import LazyRe

__all__ = ["after", "before", "clause_end", "clause_start", "clean_text", "negated"]

_TRANSLATE = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": " - ",
        "\u00a0": " ",
        "\u200b": "",
        "\ufeff": "",
    }
)
_SPACES = re.compile(r"[ \t\r\f\v]+")


def clean_text(text: str) -> str:
    """Normalise quotes, dashes and spaces (newlines are kept: they matter for injection checks)."""
    text = (text or "").translate(_TRANSLATE)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.splitlines()).strip()


# A clause ends at punctuation or at a conjunction; negation never reaches across it.
_BOUNDARY = LazyRe(
    r"[;:!?()\[\]\n\"]|(?<!\d)[.,]|[.,](?!\d)|\s-+\s|\b(?:but|however|although|though|"
    r"whereas|while|and|so|because|since|yet|plus|also|then)\b"
)
_NEGATOR = LazyRe(
    r"\b(?:no|not|never|without|nobody|none|nothing|neither|nor|zero|lacks?|lacking|no-one|"
    r"noone|cannot|dont|doesnt|didnt|cant|wont|isnt|arent|wasnt|werent|havent|hasnt|hadnt|"
    r"couldnt|shouldnt|wouldnt|mustnt|aint)\b|n't\b|\bno one\b"
)
_SUGGESTION = LazyRe(r"\bwhy (?:not|(?:don't|dont|wouldn't|shouldn't|can't|couldn't|won't) (?:we|you|i))\b")


def clause_start(text: str, pos: int, reach: int = 120) -> int:
    """Where the clause holding `pos` starts (looking back at most `reach` characters)."""
    start = max(0, pos - reach)
    last = start
    for m in _BOUNDARY.finditer(text, start, pos):
        last = m.end()
    return last


def clause_end(text: str, pos: int, reach: int = 120) -> int:
    """Where the clause holding `pos` ends (looking ahead at most `reach` characters)."""
    m = _BOUNDARY.search(text, pos, min(len(text), pos + reach))
    return m.start() if m else min(len(text), pos + reach)


def before(text: str, pos: int, words: int = 6) -> str:
    """The last few words before `pos`, within its clause."""
    return " ".join(text[clause_start(text, pos) : pos].split()[-words:])


def after(text: str, pos: int, words: int = 6) -> str:
    """The first few words from `pos`, within its clause."""
    return " ".join(text[pos : clause_end(text, pos)].split()[:words])


def negated(text: str, pos: int, words: int = 6) -> bool:
    """A negator in the few words before `pos`, in its clause. "why not use X" is a suggestion, not one."""
    return bool(_NEGATOR.search(_SUGGESTION.sub(" ", before(text, pos, words))))
