"""Numbers in text: quantities (digits and words), request rates per day, and the levels they map to.

Why its own module: "2M/day", "a couple hundred", "50 requests per second" and "$500 a month" need one
careful reading, shared by the field cues (volume, labelled data) and by short replies ("about 5k"). A
number is a request rate only when a time unit follows; a bare count is not a volume, and money is skipped.
"""

from __future__ import annotations

import re

from .patterns import LazyRe

# A span of years of records: "six years of readings", "since 2009", "for the last decade" (labels: plenty)
YEARS_SPAN = LazyRe(
    r"\b(?:\d+\+?|a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|many|several)"
    r"\s*(?:years?|yrs|decades?)\b|\bdecades\b|\ba decade\b|\b(?:since|back to|from) (?:19|20)\d\d\b|"
    r"\bfor (?:many |several )?years\b|\b(?:the )?(?:last|past) (?:decade|few years|\w+ years)\b|"
    r"\b(?:a|the last|the past) couple (?:of )?years\b|\byears (?:and years )?of (?:them|it|those|these)\b|"
    r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|many|several) "
    r"(?:winters|summers|seasons|harvests)\b|\b\d+\s*y\b"
)

__all__ = [
    "LABELS_PLENTY",
    "VOLUME_HIGH",
    "VOLUME_MEDIUM",
    "YEARS_SPAN",
    "quantities",
    "request_rates",
    "request_spans",
    "requests_per_day",
    "volume_level",
]

# Request volume per day: low < 10,000 <= medium < 1,000,000 <= high.
VOLUME_MEDIUM = 10_000
VOLUME_HIGH = 1_000_000
# Labelled examples: this many or more is "plenty"; fewer (but some) is "some". Tens of thousands of labels
# (even 150k) are "some": enough to fine-tune, not the millions that make a model from scratch easy.
LABELS_PLENTY = 200_000

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
    # money talk: "a few grand a month", "low thousands a month"
    "a few grand": 3e3,
    "a few k": 3e3,  # "budget is a few k a month"
    "a couple of k": 2e3,
    "a couple k": 2e3,
    "several k": 5e3,
    "a couple of grand": 2e3,
    "a couple grand": 2e3,
    "several grand": 5e3,
    "low thousands": 2e3,
    "low hundreds": 200,
    "high hundreds": 800,
    "a dozen": 12,
    "dozens": 36,
    **{w: v for w, v in _WORD_NUMBERS.items() if " " not in w and w not in {"a", "an", "few", "couple"}},
}
_WORDS_ALT = "|".join(sorted((re.escape(w) for w in _WORD_NUMBERS), key=len, reverse=True))
_QTY = LazyRe(
    r"(?<![\w.$€£])(?<![a-z]-)(?:(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:\s*(?P<dscale>k|mm|mn|m|bn|b|"
    r"thousand|million|mil|billion|hundred))?\b"
    rf"|(?P<words>{_WORDS_ALT})\s+(?P<wscale>hundred|thousand|million|billion)s?\b"
    r"|(?P<plural>(?:tens|hundreds) of (?:thousands|millions)|a few grand|a couple (?:of )?grand|"
    r"several grand|a few k|a couple (?:of )?k|several k|"
    r"low thousands|low hundreds|high hundreds|hundreds|thousands|millions|billions|a handful|"
    r"a few|a couple|several|a dozen|dozens|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)\b)"
)
_MONEY_QTY = LazyRe(_QTY.source.replace(r"(?<![\w.$€£])(?<![a-z]-)", r"(?<![\w.])"))
_MONEY_AFTER = LazyRe(r"\s*(?:\$|€|£|usd|eur|gbp|dollars?|euros?|pounds?|bucks|grand|quid)\b")
_GRAND_AFTER = LazyRe(r"\s*grand\b")  # "a couple hundred grand": thousands


def _qty_value(m: re.Match[str]) -> float:
    if m.group("digits"):
        return float(m.group("digits").replace(",", "")) * _SCALES[m.group("dscale") or ""]
    if m.group("words"):
        return _WORD_NUMBERS[m.group("words")] * _SCALES[m.group("wscale")]
    return _PLURALS[m.group("plural")]


def quantities(text: str, money: bool = False) -> list[tuple[float, int, int]]:
    """Numbers in lower-cased text, words included: (value, start, end). Money amounts are skipped unless
    `money` (then "$500" and "500 dollars" are read too)."""
    found: list[tuple[float, int, int]] = []
    pattern = _MONEY_QTY if money else _QTY
    for m in pattern.finditer(text):
        # "$500 a month" ("$" before: excluded by _QTY), "500 dollars", "a few grand"
        if not money and (_MONEY_AFTER.match(text, m.end()) or m.group().endswith("grand")):
            continue
        value = _qty_value(m)
        if money and not m.group().endswith("grand") and _GRAND_AFTER.match(text, m.end()):
            value *= 1_000
        found.append((value, m.start(), m.end()))
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
    r"(?:-?ish\b|\s+or so\b)?"  # "a million-ish queries a week"
    r"(?:\s*of)?(?P<noun>(?:\s+(?!(?:where|which|that|when|who|if|because|and|but|per|for)\b)[a-z][\w'-]*){0,4}?)\s*"
    # "3,000 items per working day", "10, 15 in one day"
    r"(?:(?:/|\bper\b|\ba\b|\ban\b|\beach\b|\bevery\b|\bin (?:a|one|a single)\b)\s*(?:single\s+)?"
    r"(?:(?:working|business|school|trading|calendar|normal|busy|typical|peak)\s+)?(?P<unit>second|sec|s|minute|min|hour|hr|h|day|d|week|"
    r"wk|month|mo|year|yr)s?\b(?!\s+(?:marker|opinion|look|pass|reviewer|person|hand|round|line|level|one|time))|"
    r"\b(?P<adv>daily|nightly|hourly|weekly|monthly|yearly|annually|rps|qps|tps)\b(?!\s+(?:snapshots?|data|records|files|"
    r"reports?|summaries|averages?|totals?|values?|readings?|aggregates?|batch(?:es)?|extracts?|exports?|active|"
    r"users|visitors|subscribers|customers|members|revenue|income|sales|budget|costs?|fees?)\b))"
)
_NOT_REQUESTS = LazyRe(
    r"\b(?:fps|frames?|ms|milliseconds?|seconds?|minutes?|hours?|days?|weeks?|months?|years?|yrs?|people|"
    r"persons?|engineers?|scientists?|devs?|developers?|hires?|staff|employees|dollars?|euros?|gb|tb|mb|"
    r"percent|label\w*|annotat\w*|hand-label\w*|examples?|samples?|steps|epochs?|"
    r"metres?|meters?|km|kilomet\w+|miles?|kg|kilos?|tonnes?|litres?|liters?|degrees?|mph|kph|rpm)\b"
)
_TIMES = LazyRe(r"\btimes\b")
_PER_YEAR_PEOPLE = LazyRe(
    r"\b(?:guests|users|customers|visitors|patients|passengers|members|subscribers|students|employees|people|"
    r"clients|shoppers|travell?ers)\b.*\b(?:year|yr|annually|yearly)\b"
)
_USAGE = LazyRe(
    r"\b(?:use|used|uses|using|call|called|calls|query|queried|hit|hits|ask|asked|run|open|check|invoke|request)\b"
)
_MONEY_NEAR = LazyRe(
    r"[$€£]|\b(?:dollars?|euros?|pounds?|bucks|usd|eur|gbp|quid|grand|spend|spending|pay|paying|budget|afford|"
    r"cost|costs|invest|towards|funding|price|fee|fees|licen[cs]e|subscription)\b"
)
# "12 a second during business hours": the rate holds for a working day, not 24 hours
_WORKING_HOURS = LazyRe(
    r"\b(?:business|working|office|opening|shop|store|daytime|day-?time|trading|school) hours\b|"
    r"\bduring the day\b|\b9(?: ?am)? ?(?:-|to) ?5(?: ?pm)?\b|"
    r"\bwhile (?:we're|we are|the (?:shops?|stores?|offices?) (?:is|are)) open\b|"
    r"\b(?:on|in|during|over) (?:a |one |the |each |our )?(?:single )?(?:day|morning|working) shifts?\b"
)
_HOURS_PER_WORKING_DAY = 10
# A bare amount per month or year ("a few thousand a month", "3k a month") is money more often than traffic;
# a large one ("40 million a month") is traffic.
_BARE_MONTHLY_MAX = 100_000
_EACH = LazyRe(
    r"\b(?:users?|customers?|employees|people|agents|clients|members|stores?|devices?|"
    r"accounts?)\b[^.;]{0,25}\beach\b"
)


def request_rates(text: str) -> list[tuple[float, int]]:
    """Every request rate stated in the text: (per day, where it starts). "50 requests per second" ->
    4,320,000; money per month ("a few thousand a month towards inference") is a budget, not a rate."""
    return [(rate, start) for rate, start, _ in _rates(text)]


def _rates(text: str) -> list[tuple[float, int, int]]:
    rates: list[tuple[float, int, int]] = []
    qtys = quantities(text)
    for i, (value, start, end) in enumerate(qtys):
        m = _RATE_TAIL.match(text, end)
        if not m or _NOT_REQUESTS.search(m.group("noun")):
            continue
        if _TIMES.search(m.group("noun")) and not _USAGE.search(text, max(0, start - 60), start):
            continue  # "we retrain 3 times a week" is a frequency; "we'd call it 900k times a month" is usage
        if not m.group("noun").strip() and _is_money(text, start, m.end()):
            continue
        if _PER_YEAR_PEOPLE.search(m.group()):  # "3 million guests a year": a population, not traffic
            continue
        unit = m.group("unit") or m.group("adv")
        if not m.group("noun").strip() and _PER_DAY[unit] < 1 / 7 and value < _BARE_MONTHLY_MAX:
            continue  # "a few thousand a month is doable": an amount of money, most likely
        per_day = value * _PER_DAY[unit]
        if _PER_DAY[unit] > 1 and _WORKING_HOURS.search(text, max(0, start - 80), m.end() + 80):
            per_day = (
                per_day * _HOURS_PER_WORKING_DAY / 24
            )  # a per-second or per-hour rate over a working day
        if i and _EACH.search(text, qtys[i - 1][2], start):  # "300 users, each running 5 queries a day"
            per_day *= qtys[i - 1][0]
        rates.append((per_day, start, m.end()))
    return rates


_MONEY_AFTER_RATE = LazyRe(
    r"\s*(?:towards|on|for|to spend|in)\b\s+(?:\w+\s+)?(?:inference|gpus?|compute|hosting|infra\w*|cloud|"
    r"servers?|the api|api|tokens|this|it)\b"
)
_SENTENCE_START = re.compile(r"[.?!;\n]")
_ARRIVING = LazyRe(
    r"\s*(?:come|comes|coming|arrive|arrives|arriving|land|lands|get submitted|are submitted|get filed|"
    r"are filed|get sent|are sent|roll) in\b|\s*(?:arrive|arrives|arriving)\b"
)


def _is_money(text: str, start: int, end: int) -> bool:
    """Is the number at `start` an amount of money ("we can put a few thousand a month towards it")?"""
    opening = max((m.end() for m in _SENTENCE_START.finditer(text, 0, start)), default=0)
    if _ARRIVING.match(text, end):
        return False  # "~200 a day come in": items arriving, not money
    return bool(_MONEY_NEAR.search(text, opening, start) or _MONEY_AFTER_RATE.match(text, end))


def request_spans(text: str) -> list[tuple[int, int]]:
    """Where request rates are stated: from the number to its time unit ("800 emails a day")."""
    return [(start, end) for _, start, end in _rates(text)]


def requests_per_day(text: str) -> float | None:
    """The last request rate stated in the text, per day ("50 requests per second" -> 4,320,000)."""
    rates = request_rates(text)
    return rates[-1][0] if rates else None


def volume_level(per_day: float) -> str:
    """The volume level of a request rate per day."""
    return "high" if per_day >= VOLUME_HIGH else "medium" if per_day >= VOLUME_MEDIUM else "low"
