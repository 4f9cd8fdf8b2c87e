"""Numbers in text: quantities (digits and words), request rates per day, and the levels they map to.

Why its own module: "2M/day", "a couple hundred", "50 requests per second" and "$500 a month" need one
careful reading, shared by the field cues (volume, labelled data) and by short replies ("about 5k"). A
number is a request rate only when a time unit follows; a bare count is not a volume, and money is skipped.
"""

from __future__ import annotations

import re

from .patterns import LazyRe

__all__ = ["LABELS_PLENTY", "VOLUME_HIGH", "VOLUME_MEDIUM", "quantities", "requests_per_day", "volume_level"]

# Request volume per day: low < 10,000 <= medium < 1,000,000 <= high.
VOLUME_MEDIUM = 10_000
VOLUME_HIGH = 1_000_000
# Labelled examples: this many or more is "plenty"; fewer (but some) is "some".
LABELS_PLENTY = 10_000

_WORD_NUMBERS: dict[str, float] = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "a few": 3,
    "a couple": 2,
    "a couple of": 2,
    "couple": 2,
    "couple of": 2,
    "few": 3,
    "several": 5,
    "a dozen": 12,
    "dozens of": 36,
    "half a": 0.5,
    "a handful": 5,
    "a handful of": 5,
    "handful of": 5,
    "a few dozen": 36,
    "a few tens of": 30,
    "a quarter of a": 0.25,
    "three quarters of a": 0.75,
}
_SCALES: dict[str, float] = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mm": 1e6,
    "mn": 1e6,
    "mil": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
    "hundred": 1e2,
    "": 1.0,
}
_PLURALS: dict[str, float] = {
    "tens of thousands": 3e4,
    "hundreds of thousands": 3e5,
    "tens of millions": 3e7,
    "hundreds of millions": 3e8,
    "hundreds": 300,
    "thousands": 3e3,
    "millions": 2e6,
    "billions": 2e9,
    "a handful": 5,
    "a few": 3,
    "a couple": 2,
    "several": 5,
    "a dozen": 12,
    "dozens": 36,
    **{w: v for w, v in _WORD_NUMBERS.items() if " " not in w and w not in {"a", "an", "few", "couple"}},
}
_WORDS_ALT = "|".join(sorted((re.escape(w) for w in _WORD_NUMBERS), key=len, reverse=True))
_QTY = LazyRe(
    r"(?<![\w.$€£])(?:(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:\s*(?P<dscale>k|mm|mn|m|bn|b|"
    r"thousand|million|mil|billion|hundred))?\b"
    rf"|(?P<words>{_WORDS_ALT})\s+(?P<wscale>hundred|thousand|million|billion)s?\b"
    r"|(?P<plural>(?:tens|hundreds) of (?:thousands|millions)|hundreds|thousands|millions|billions|a handful|"
    r"a few|a couple|several|a dozen|dozens|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)\b)"
)
_MONEY_AFTER = LazyRe(r"\s*(?:\$|€|£|usd|eur|gbp|dollars?|euros?|pounds?|bucks)\b")


def _qty_value(m: re.Match[str]) -> float:
    if m.group("digits"):
        return float(m.group("digits").replace(",", "")) * _SCALES[m.group("dscale") or ""]
    if m.group("words"):
        return _WORD_NUMBERS[m.group("words")] * _SCALES[m.group("wscale")]
    return _PLURALS[m.group("plural")]


def quantities(text: str) -> list[tuple[float, int, int]]:
    """Numbers in lower-cased text, words included: (value, start, end). Money amounts are skipped."""
    found: list[tuple[float, int, int]] = []
    for m in _QTY.finditer(text):
        if _MONEY_AFTER.match(text, m.end()):  # "$500 a month" (a "$" before is excluded by _QTY)
            continue
        found.append((_qty_value(m), m.start(), m.end()))
    return found


_PER_DAY: dict[str, float] = {
    "second": 86400,
    "sec": 86400,
    "s": 86400,
    "minute": 1440,
    "min": 1440,
    "hour": 24,
    "hr": 24,
    "h": 24,
    "day": 1,
    "d": 1,
    "week": 1 / 7,
    "wk": 1 / 7,
    "month": 1 / 30,
    "mo": 1 / 30,
    "year": 1 / 365,
    "yr": 1 / 365,
    "daily": 1,
    "nightly": 1,
    "hourly": 24,
    "weekly": 1 / 7,
    "monthly": 1 / 30,
    "yearly": 1 / 365,
    "annually": 1 / 365,
    "rps": 86400,
    "qps": 86400,
    "tps": 86400,
}
# After a number: up to 4 words (the thing counted), then a time unit ("2M card transactions a day").
_RATE_TAIL = LazyRe(
    r"(?:\s*of)?(?P<noun>(?:\s+[a-z][\w'-]*){0,4}?)\s*(?:(?:/|\bper\b|\ba\b|\ban\b|\beach\b|"
    r"\bevery\b)\s*(?P<unit>second|sec|s|minute|min|hour|hr|h|day|d|week|wk|month|mo|year|yr)s?\b|"
    r"\b(?P<adv>daily|nightly|hourly|weekly|monthly|yearly|annually|rps|qps|tps)\b)"
)
_NOT_REQUESTS = LazyRe(
    r"\b(?:fps|frames?|ms|milliseconds?|seconds?|minutes?|hours?|days?|weeks?|months?|years?|times|people|"
    r"persons?|engineers?|scientists?|devs?|developers?|hires?|staff|employees|dollars?|euros?|gb|tb|mb|"
    r"percent|label\w*|annotat\w*|hand-label\w*|examples?|samples?|steps|epochs?)\b"
)
_EACH = LazyRe(
    r"\b(?:users?|customers?|employees|people|agents|clients|members|stores?|devices?|"
    r"accounts?)\b[^.;]{0,25}\beach\b"
)


def requests_per_day(text: str) -> float | None:
    """The last request rate stated in the text, per day ("50 requests per second" -> 4,320,000)."""
    rate: float | None = None
    qtys = quantities(text)
    for i, (value, start, end) in enumerate(qtys):
        m = _RATE_TAIL.match(text, end)
        if not m or _NOT_REQUESTS.search(m.group("noun")):
            continue
        per_day = value * _PER_DAY[m.group("unit") or m.group("adv")]
        if i and _EACH.search(text, qtys[i - 1][2], start):  # "300 users, each running 5 queries a day"
            per_day *= qtys[i - 1][0]
        rate = per_day
    return rate


def volume_level(per_day: float) -> str:
    """The volume level of a request rate per day."""
    return "high" if per_day >= VOLUME_HIGH else "medium" if per_day >= VOLUME_MEDIUM else "low"
