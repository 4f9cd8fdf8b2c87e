"""Finders: the cue values that code reads from the text around a match (the lexicon names them).

Why its own module: some facts need more than a fixed value: how much labelled data a phrase speaks of
(a count near it, a span of years, a quantity word), which budget level the adjectives around "budget"
state, what a money amount per month means, whether a mention of an API allows or forbids it, and whether
"real time" means milliseconds or a person waiting. The words they look for are lexicon sets and fragments.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

from ...types import Value
from .. import vocab
from ..numbers import LABELS_PLENTY, YEARS_SPAN, quantities
from ..patterns import LazyRe
from ..text import clause_end, clause_start, negated, sentence_spans
from .cue import Finder

__all__ = ["FINDERS"]

_TOOL_TO = LazyRe(
    r"\b(?:gpt\S*|llms?|models?|ai|apis?|chat-?gpt|claude|tools?|foundation \w+|software)\b[^.;]{0,30}\bto $"
)
# A wish or obligation before a label verb makes it the task ("each one has to be sorted into..."), unless
# something after it says the labels exist already ("we want to use the 4,000 tickets already tagged")
_WISH = LazyRe(
    r"\b(?:want|wants|wanted|need|needs|'d like|would like|has to be|have to be|must be|should be|"
    r"to know|to be)\b"
)
_EXISTING = LazyRe(r"\b(?:already|been|were|was|have|has|had|previously)\b")
_RANGE_END = LazyRe(r"(?:\d\s*-|\bto|\bout of|-to-)\s*$")  # "a 1-to-10 score": a scale, not a count
_YEAR_BEFORE = LazyRe(
    r"\b(?:since|in|from|until|before|after|by|of)\s*$"
)  # "since 2017": a year, not a count
# "every one of them", "every single one": not a count
_EVERY_ONE = LazyRe(r"\b(?:every|each|no|any|which|the|this|that)(?: single| and every)?\s*$")
_ONE_OF = LazyRe(r"\s+of\b")  # "triaged into one of 14 queues": a choice among classes, not a count
_NOT_A_COUNT = LazyRe(
    r"\+?\s*(?:%|percent|ms|milli\w*|s\b|secs?|seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|"
    r"yrs|decades?|seasons|winters|summers|harvests|fps|gb|tb|mb|people|engineers?|scientists?|devs?|developers?|staff|employees|stars?|-\d|"
    r"-?to-?\s*\d|out of \d|"
    r"quants?|analysts?|annotators?|members|folks|persons?|nurses?|doctors?|agents?|reps?|clinics?|stores?|"
    # the people who label, counted: "the 311 dispatchers have routed every message"
    r"dispatchers|operators|inspectors|reviewers|moderators|radiologists|clinicians|vets|surveyors|auditors|"
    r"adjusters|underwriters|recruiters|editors|librarians|paralegals|lawyers|technicians|pharmacists|"
    r"of (?:hours|days|minutes|years|weeks)\b|"
    # how many classes, not how many items: "triaged into one of 14 queues"
    r"(?:[\w-]+ )?(?:queues|categories|classes|teams|departments|folders|buckets|bins|types|groups|"
    r"options)\b|"
    r"to \d|(?:[\w-]+ ){0,3}(?:a|per|/|each) (?:second|sec|minute|min|hour|day|week|month|year)\b)"
)


@functools.cache
def _words(name: str) -> LazyRe:
    return LazyRe(rf"\b(?:{vocab.fragment(name)})\b")


def _sentence_of(text: str, pos: int) -> tuple[int, int]:
    return next(((a, b) for a, b in sentence_spans(text) if a <= pos < b), (0, len(text)))


def label_amount(text: str, m: re.Match[str], default: Value | None) -> Value | None:
    """How much labelled data a label cue speaks of: the nearest count in its sentence, else a span of
    years ("a decade of records with the outcome": plenty), else a quantity word, else "some"."""
    lead = text[clause_start(text, m.start()) : m.start()]
    wish = _WISH.search(lead)
    if wish and not _EXISTING.search(lead, wish.end()):
        return None  # "we want incoming CVs sorted into piles": the task wished for, not labels we have
    if lead.endswith(("to ", "for ", "help ")) and _TOOL_TO.search(lead):
        return None  # "use GPT to label data": an action by a tool, not labels we have
    if lead.endswith(("how many ", "how much ")):
        return None  # "no idea how many labels we'd need": a question, not labels
    start, end = _sentence_of(text, m.start())
    counts = [
        q
        for q in quantities(text[start:end])
        if not _RANGE_END.search(text[max(0, start + q[1] - 8) : start + q[1]])
        and not _NOT_A_COUNT.match(text, start + q[2])
        and not (
            q[0] == 1
            and (
                _EVERY_ONE.search(text[max(0, start + q[1] - 18) : start + q[1]])
                or _ONE_OF.match(text, start + q[2])
            )
        )
        and not (1900 <= q[0] <= 2100 and _YEAR_BEFORE.search(text[max(0, start + q[1] - 8) : start + q[1]]))
    ]
    # the nearest of a count and a span of years says how much: "40 gyms ... logs which go back three years
    # and show who cancelled" speaks of years of outcomes, not of 40 labels
    spans = [abs(s.start() - m.start()) for s in YEARS_SPAN.finditer(text, start, end)]
    if counts:
        value, at, _ = min(counts, key=lambda q: abs(start + q[1] - m.start()))
        if not spans or abs(start + at - m.start()) <= min(spans):
            return "plenty" if value >= LABELS_PLENTY else "some" if value > 0 else "none"
    if spans:
        return "plenty"
    after = _count_after(text, end)
    if after is not None:
        return "plenty" if after >= LABELS_PLENTY else "some"
    near = " ".join((lead + m.group()).split()[-8:])
    if _words("LABELS_PLENTY_WORDS").search(near) and not _words("LABELS_SOME_WORDS").search(near):
        return "plenty"
    return "some"


# A short sentence right after that opens with a count says how many: "the engineer assigns an ATA chapter
# to each one. about 2.5 million write-ups in AMOS"
_OPENS_WITH_COUNT = LazyRe(
    r"\W*(?:(?:about|around|roughly|some|over|nearly|almost|maybe|approx\w*|~)\s*)?(?=[\d~])"
)
_SHORT_AFTER = 8  # words


def _count_after(text: str, end: int) -> float | None:
    """The count opening the next sentence when it is a short one."""
    following = next(((a, b) for a, b in sentence_spans(text) if a >= end), None)
    if following is None or len(text[following[0] : following[1]].split()) > _SHORT_AFTER:
        return None
    if not _OPENS_WITH_COUNT.match(text, following[0]):
        return None
    counts = quantities(text[following[0] : following[1]])
    if not counts or _NOT_A_COUNT.match(text, following[0] + counts[0][2]):
        return None
    return counts[0][0]


_KEY_VALUE = LazyRe(r"\s*[:=]\s*")


@functools.cache
def _budget_adjectives() -> LazyRe:
    return LazyRe(
        r"\b(?P<neg>not|isn't|isnt|never|no|don't|doesn't|do not|does not|haven't|hasn't|without|nor)?\s*"
        r"(?:(?!not\b|no\b|never\b|isn't\b|don't\b|doesn't\b)[\w']+\s+){0,2}?(?:(?P<medium>"
        + vocab.fragment("BUDGET_MEDIUM")
        + r")|(?P<low>"
        + vocab.fragment("BUDGET_LOW")
        + r")|(?P<high>"
        + vocab.fragment("BUDGET_HIGH")
        + r"))\b"
    )


def budget_level(text: str, m: re.Match[str], default: Value | None) -> Value | None:
    """The budget level the adjectives around "budget" / "money" state ("budget: small", "not huge but
    not tiny": medium)."""
    end = m.end()
    colon = _KEY_VALUE.match(text, end)  # "budget: small"
    s_start, s_end = _sentence_of(text, m.start())
    lead = " ".join(text[max(s_start, m.start() - 60) : m.start()].split()[-5:])
    tail = " ".join(text[colon.end() if colon else end : s_end].split()[:10])
    window = f"{lead} | {tail}"
    levels: dict[str, list[bool]] = {"low": [], "medium": [], "high": []}
    for a in _budget_adjectives().finditer(window):
        level = next(k for k in ("medium", "low", "high") if a.group(k))
        levels[level].append(bool(a.group("neg")))
    if any(not neg for neg in levels["medium"]):
        return "medium"
    low = any(not neg for neg in levels["low"])
    high = any(not neg for neg in levels["high"])
    if low != high:
        return "low" if low else "high"
    if not low and any(levels["low"]) and any(levels["high"]):  # "not huge but not tiny"
        return "medium"
    return None


_PER_YEAR = LazyRe(r"\b(?:year|yr|annum|annually)\b")
_PER_MONTH = LazyRe(r"\b(?:month|mo)\b")
_CURRENCY = LazyRe(r"[$€£]|\b(?:dollars?|euros?|pounds?|bucks|usd|eur|gbp|quid|grand)\b")
_MONTHLY_LOW, _MONTHLY_HIGH = 1_500, 20_000  # per month: below is a tight budget, above a generous one
_TOTAL_LOW, _TOTAL_HIGH = 10_000, 250_000  # a one-off amount


def money_level(text: str, m: re.Match[str], default: Value | None) -> Value | None:
    """The budget level of an amount of money ("a couple hundred dollars a month": low)."""
    clause = text[clause_start(text, m.start()) : clause_end(text, m.end())]
    s_start, _ = _sentence_of(text, m.start())
    lead = text[max(s_start, m.start() - 40) : m.start()]  # "budget is modest, a few thousand a month"
    context = vocab.pattern("money_context")
    if not _CURRENCY.search(m.group()) and not context.search(clause) and not context.search(lead):
        return None  # "a few thousand a month" with no money word near: maybe requests
    amounts = quantities(m.group(), money=True)
    if not amounts:
        return None
    amount = max(a[0] for a in amounts)
    if _PER_YEAR.search(m.group()):
        amount /= 12
    elif not _PER_MONTH.search(m.group()):
        return "low" if amount < _TOTAL_LOW else "medium" if amount < _TOTAL_HIGH else "high"
    return "low" if amount < _MONTHLY_LOW else "medium" if amount < _MONTHLY_HIGH else "high"


def api_policy(text: str, m: re.Match[str], default: Value | None) -> Value | None:
    """Whether a mention of an API allows it (True), forbids it (False) or says neither (None). A hedge in
    the sentence ("not a hard rule") makes it a preference: None."""
    start, end = clause_start(text, m.start()), clause_end(text, m.end())
    s_start, s_end = _sentence_of(text, m.start())
    if vocab.pattern("soft_hedge").search(text, s_start, s_end):
        return None
    clause = text[start:end]
    if negated(text, m.start(), 4) or vocab.pattern("api_refusal").search(clause):
        return False
    if vocab.pattern("api_permission").search(clause):
        return True
    return None


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def latency_ms(text: str, m: re.Match[str], default: Value | None) -> Value | None:
    """A stated number of milliseconds: up to 100 is real time, more is interactive."""
    number = _NUMBER.search(m.group())
    if number is None:
        return None
    return "realtime" if float(number.group()) <= 100 else "interactive"


def history_labels(text: str, m: re.Match[str], default: Value | None) -> Value | None:
    """Years of records with a supervised target in the message ("predict churn from ten years of billing
    records", "predict injury risk. we have six seasons of injury records"): the history holds the answers,
    so there are plenty of labels."""
    if (
        vocab.pattern("supervised_task").search(text)
        or _FORECAST.search(text)
        or _words("LABEL").search(m.group())  # "ten years of labelled acoustic data" names its labels
    ):
        return "plenty"
    return None


# A forecast's target is its own history: years of orders hold the answers wherever the forecast is named
_FORECAST = LazyRe(r"\bfore?cast(?:s|ing|ed)?\b(?! (?:team|group|people|analysts|department))")


_INPUT_USE = LazyRe(
    r"\b(?:write|writes|written|wrote|type|types|typed|enter|enters|entered|fill|fills|filled|take|takes|taken|"
    r"took|capture|captures|captured|record|records|recorded|upload|uploads|uploaded|photograph\w*|snap|snaps|"
    r"scan|scans|scanned|view|views|viewed|read|reads|use|uses|used|using|open|opens|submit\w*|log|logs|logged|"
    r"show|shows|shown|display\w*|see|sees|order|orders|book|books|browse|browses|chat|chats|pay|pays|"
    r"dictat\w*|speak|speaks|spoke|talk|talks|say|says|said|wait|waits|waiting|hold|holds|holding|"
    r"ring|rings|calls?|calling|listen\w*|answer\w*|typing|writing|texting|reading|browsing)\b"
)
_RUN = LazyRe(
    r"\b(?:run\w*|work\w*|deploy\w*|inference|process\w*|live|lives|sit|sits|install\w*|embedded|execut\w*|"
    r"on-?device|offline|locally|host\w*|be|happen\w*|detect\w*|classif\w+|compute\w*|model|itself|themselves)\b"
)


def device_context(text: str, m: re.Match[str], default: Value | None) -> Value | None:
    """A device that runs the model ("it has to run on the phone"), not one people use to give it input
    ("engineers write up defects on tablets"): the latter says nothing about where the model runs."""
    lead = text[clause_start(text, m.start()) : m.start()]
    tail = text[m.end() : clause_end(text, m.end())]
    if _INPUT_USE.search(lead) and not _RUN.search(lead) and not _RUN.search(tail):
        return None
    return default


def realtime_context(text: str, m: re.Match[str], default: Value | None) -> Value | None:
    """ "Real time" in a chat or a call means a person waiting (interactive); otherwise real time."""
    start, end = _sentence_of(text, m.start())
    return "interactive" if vocab.pattern("waiting_context").search(text, start, end) else "realtime"


FINDERS: Mapping[str, Finder] = {
    "device_context": device_context,
    "label_amount": label_amount,
    "budget_level": budget_level,
    "money_level": money_level,
    "api_policy": api_policy,
    "latency_ms": latency_ms,
    "realtime_context": realtime_context,
    "history_labels": history_labels,
}
