"""Russian text made ready for the gloss (`russian.gloss_text`), before it is split into words.

Why its own module: these are rewrites of the raw text, not of words: numbers written the Russian way
("10 000", "1,5 млн", "50к"), abbreviations whose dot is not a sentence end ("тыс."), a bare "не" or
"можно" that is a whole reply, and the gloss's asides set off by commas ("денег, понятное дело, почти нет"),
which say nothing about the project but would split the fact around them in two.
"""

from __future__ import annotations

import functools
import re

__all__ = ["prepare"]

# "10 000" is one number; "1,5 млн" a decimal; "тыс." an abbreviation, not a sentence end; "50к" is "50k"
_THOUSANDS = re.compile(r"(?<=\d) (?=\d{3}\b)")
_DECIMAL = re.compile(r"(?<=\d),(?=\d{1,2}\b)")
_ABBREVIATION = re.compile(
    r"\b(тыс|млн|млрд|руб|мин|сек|мес|ч|шт|др|пр|т\.е|т\.к|т\.д|т\.п)\.(?=\s*[а-яёa-z0-9,;)]|$)"
)
_ONE_C = re.compile(r"\b1с\b")  # the accounting system "1С", typed in Cyrillic
_K_SUFFIX = re.compile(r"(?<=\d)к\b")
_BARE_NE = re.compile(r"^не(?:-не)?(?=\s*(?:[,.!]|$))")  # a reply "не" / "не, нельзя" is spoken "нет"
# a reply "можно" / "да, можно" / "конечно можно, ..." to a yes-no question is a "да"
_BARE_YES = re.compile(r"^(?:(?:да|конечно|ну)\s*,?\s*)*можно(?=\s*(?:[,.!—-]|$))")
_HYPHEN = re.compile(r"(?<=[а-яё])-(?=\w)|(?<=\w)-(?=[а-яё])")


def _drop_aside(match: re.Match[str]) -> str:
    return " " if match.group(0).lstrip().startswith(",") else ""


@functools.cache
def _aside(asides: tuple[str, ...]) -> re.Pattern[str]:
    """The gloss's asides (knowledge/lexicon/ru/gloss.yaml), set off by commas or opening the text."""
    words = "|".join(re.escape(a).replace(r"\ ", r"\s+") for a in sorted(asides, key=len, reverse=True))
    return re.compile(rf"(?:,\s*|^\s*)(?:{words or '(?!)'})\s*,\s*")


def prepare(low: str, asides: tuple[str, ...] = ()) -> str:
    """Lower-cased Russian text with its numbers, abbreviations, bare replies and asides normalised."""
    text = _ONE_C.sub("1c", low.replace("ё", "е")).replace("«", '"').replace("»", '"')
    text = _THOUSANDS.sub("", text)
    text = _DECIMAL.sub(".", text)
    text = _ABBREVIATION.sub(lambda m: m.group(1).replace(".", ""), text)
    text = _aside(asides).sub(_drop_aside, text)
    text = _BARE_YES.sub("да", _BARE_NE.sub("нет", _K_SUFFIX.sub("k", text)))
    return _HYPHEN.sub(" ", text)
