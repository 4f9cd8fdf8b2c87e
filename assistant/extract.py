"""Offline, deterministic turn understanding: user text -> `Turn` {intent, changes, hypothetical, target}.

No LLM, no network, only `re`: this runs on every chat turn (import in a few ms, well under 1 ms per
utterance). An LLM-based `Understander` can sit behind the same Protocol and fall back to this one
field by field, so `Turn.changes` is always a plain dict of schema-valid values (see profile.FIELDS).

How a text is read
  1. Injection check on the raw text (also inside long pastes). An injection turn carries NO changes,
     so a pasted attack cannot smuggle profile facts in along with its instructions.
  2. Field cues: one table of regular expressions (`_CUES`: field, pattern, value or value function, value
     when negated). A cue preceded by a negator in its clause ("we don't have an ML team", "nothing is
     annotated") or followed by one ("labels? none", "on-device isn't needed") takes its negated value;
     "why not use X" is a suggestion, not a negation. Within a field the leftmost match wins, so specific
     cues start earlier or are listed first ("past the MVP" beats "MVP"); across mentions the last one
     wins, except data_type (first mention = the main data; two types joined by "and" = multimodal),
     privacy / latency (the strictest requirement wins) and ml_team (any ML people at all: true).
     Numbers are request rates for `volume` only when a time unit follows ("2M/day", "50 requests per
     second"); a bare count is not a volume. Labelled examples: 10,000 or more is "plenty".
  3. Conventions: privacy strict implies external_api_ok false unless the text says otherwise.
  4. Context: a short reply ("yes", "nope", "plenty", "strict", "about 5k") answers `context.asked_field`;
     with `context.pending_what_if`, yes/no-like replies adopt or discard the what-if.
  5. Intent by priority: injection > reset > undo > adopt/discard > what_if > why_not > why > change_mind >
     recommend > describe (changes found) > concept > help > out_of_scope. Text with no recognisable
     content is out_of_scope, but a statement about the project with no readable fact ("our ML guy left")
     is describe with no changes, so the session can ask its next question.

`changes` is kept for describe, recommend, why, why_not, change_mind and what_if (the facts a question
states are still facts). It is empty for injection (security, see above), concept (a general question,
"what are the downsides of real-time edge models?", states no facts about the project) and the control
intents reset / undo / adopt / discard / help / out_of_scope, which the session does not apply changes for.

Speed: patterns compile lazily (`warm_up()` at server start), the cues of a field are scanned as one
pattern, and a degenerate paste cannot make one field cost more than `_MAX_HITS_PER_FIELD` matches.
Typical turns take 0.05-0.4 ms; a 20,000-character paste takes tens of milliseconds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from .profile import FIELDS, parse_value
from .types import NO_CONTEXT, Intent, Option, Turn, Value
from .types import TurnContext as Context

INTENTS: tuple[Intent, ...] = tuple(i for i in Intent if i is not Intent.FORM)  # what a message can mean
TARGETS: tuple[Option, ...] = tuple(Option)
_KEEP_CHANGES = frozenset({"describe", "recommend", "why", "why_not", "change_mind", "what_if"})

# Request volume per day: low < 10,000 <= medium < 1,000,000 <= high.
VOLUME_MEDIUM = 10_000
VOLUME_HIGH = 1_000_000
# Labelled examples: this many or more is "plenty"; fewer (but some) is "some".
LABELS_PLENTY = 10_000

# How a bare "yes" / "no" answers a question about a field: (value for yes, value for no). The assistant's
# question for these fields should be phrased accordingly ("Is any of the data sensitive or personal?",
# "Do you have labelled data?"). Other fields need an open question; a bare yes/no leaves them unset.
YES_NO: dict[str, tuple[Value, Value]] = {
    "ml_team": (True, False),
    "external_api_ok": (True, False),
    "edge": (True, False),
    "control": (True, False),
    "labeled_data": ("some", "none"),
    "privacy": ("sensitive", "none"),
}


# ------------------------------------------------------------------------------------------- helpers


def _top_level_parts(source: str) -> list[str]:
    """Split a pattern at its top-level "|" (outside groups and character classes)."""
    parts, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(source[start:i])
            start = i + 1
        i += 1
    parts.append(source[start:])
    return parts


_PATTERNS: list[_LazyRe] = []  # every lazily compiled pattern, for warm_up()
_GROUP_OPENERS = re.compile(r"^(?:\(\?:|\(\?P<\w+>)+")


class _LazyRe:
    """A regular expression compiled on first use: compiling all patterns costs tens of milliseconds,
    which would otherwise be paid at import. `warm_up()` compiles them all ahead of time.

    Speed: the C engine skips quickly to positions where an alternative can start, but only when all
    alternatives start alike; one alternative anchored with "^" or starting with a plain character among
    "\\b..." ones spoils that for all of them (10x slower). So alternatives are compiled in groups by how
    they start, and `search` / `finditer` combine the groups."""

    __slots__ = ("_compiled", "_flags", "_source")

    def __init__(self, source: str, flags: int = 0) -> None:
        self._source, self._flags = source, flags
        self._compiled: tuple[re.Pattern[str], ...] | None = None
        _PATTERNS.append(self)

    @property
    def compiled(self) -> tuple[re.Pattern[str], ...]:
        if self._compiled is None:
            groups: dict[str, list[str]] = {}
            for part in _top_level_parts(self._source):
                head = _GROUP_OPENERS.sub("", part)
                kind = "^" if head.startswith("^") else "b" if head.startswith("\\b") else "other"
                groups.setdefault(kind, []).append(part)
            self._compiled = tuple(re.compile("|".join(g), self._flags) for g in groups.values())
        return self._compiled

    def search(self, text: str, *span: int) -> re.Match[str] | None:
        found = None
        for rx in self.compiled:
            m = rx.search(text, *span)
            if m and (found is None or m.start() < found.start()):
                found = m
        return found

    def match(self, text: str, *span: int) -> re.Match[str] | None:
        for rx in self.compiled:
            m = rx.match(text, *span)
            if m:
                return m
        return None

    def sub(self, replacement: str, text: str) -> str:
        for rx in self.compiled:
            text = rx.sub(replacement, text)
        return text

    def finditer(self, text: str, *span: int) -> Iterator[re.Match[str]]:
        compiled = self.compiled
        if len(compiled) == 1:
            return compiled[0].finditer(text, *span)
        return iter(sorted((m for rx in compiled for m in rx.finditer(text, *span)), key=lambda m: m.start()))


def warm_up() -> None:
    """Compile every pattern now (e.g. at server start) so the first user turn is as fast as the rest."""
    _scanners()
    for pattern in _PATTERNS:
        _ = pattern.compiled


def _rx(*parts: str, flags: int = 0) -> _LazyRe:
    return _LazyRe("|".join(f"(?:{p})" for p in parts), flags)


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
_BOUNDARY = _LazyRe(
    r"[;:!?()\[\]\n\"]|(?<!\d)[.,]|[.,](?!\d)|\s-+\s|\b(?:but|however|although|though|"
    r"whereas|while|and|so|because|since|yet|plus|also|then)\b"
)
_NEGATOR = _LazyRe(
    r"\b(?:no|not|never|without|nobody|none|nothing|neither|nor|zero|lacks?|lacking|no-one|"
    r"noone|cannot|dont|doesnt|didnt|cant|wont|isnt|arent|wasnt|werent|havent|hasnt|hadnt|"
    r"couldnt|shouldnt|wouldnt|mustnt|aint)\b|n't\b|\bno one\b"
)


def _clause_start(text: str, pos: int, reach: int = 120) -> int:
    start = max(0, pos - reach)
    last = start
    for m in _BOUNDARY.finditer(text, start, pos):
        last = m.end()
    return last


def _clause_end(text: str, pos: int, reach: int = 120) -> int:
    m = _BOUNDARY.search(text, pos, min(len(text), pos + reach))
    return m.start() if m else min(len(text), pos + reach)


def _before(text: str, pos: int, words: int = 6) -> str:
    """The last few words before `pos`, within its clause."""
    return " ".join(text[_clause_start(text, pos) : pos].split()[-words:])


def _after(text: str, pos: int, words: int = 6) -> str:
    return " ".join(text[pos : _clause_end(text, pos)].split()[:words])


_SUGGESTION = _LazyRe(r"\bwhy (?:not|(?:don't|dont|wouldn't|shouldn't|can't|couldn't|won't) (?:we|you|i))\b")


def _negated(text: str, pos: int, words: int = 6) -> bool:
    """A negator in the few words before `pos`, in its clause. "why not use X" is a suggestion, not one."""
    return bool(_NEGATOR.search(_SUGGESTION.sub(" ", _before(text, pos, words))))


# ------------------------------------------------------------------------------------------- numbers

_WORD_NUMBERS = {
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
_SCALES = {
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
_PLURALS = {
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
_QTY = _LazyRe(
    r"(?<![\w.$€£])(?:(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:\s*(?P<dscale>k|mm|mn|m|bn|b|"
    r"thousand|million|mil|billion|hundred))?\b"
    rf"|(?P<words>{_WORDS_ALT})\s+(?P<wscale>hundred|thousand|million|billion)s?\b"
    r"|(?P<plural>(?:tens|hundreds) of (?:thousands|millions)|hundreds|thousands|millions|billions|a handful|"
    r"a few|a couple|several|a dozen|dozens|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)\b)"
)
_MONEY_AFTER = _LazyRe(r"\s*(?:\$|€|£|usd|eur|gbp|dollars?|euros?|pounds?|bucks)\b")


def _qty_value(m: re.Match[str]) -> float:
    if m.group("digits"):
        return float(m.group("digits").replace(",", "")) * _SCALES[m.group("dscale") or ""]
    if m.group("words"):
        return _WORD_NUMBERS[m.group("words")] * _SCALES[m.group("wscale")]
    return _PLURALS[m.group("plural")]


def quantities(text: str) -> list[tuple[float, int, int]]:
    """Numbers in lower-cased text, words included: (value, start, end). Money amounts are skipped."""
    found = []
    for m in _QTY.finditer(text):
        if _MONEY_AFTER.match(text, m.end()):  # "$500 a month" (a "$" before is excluded by _QTY)
            continue
        found.append((_qty_value(m), m.start(), m.end()))
    return found


_PER_DAY = {
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
_RATE_TAIL = _LazyRe(
    r"(?:\s*of)?(?P<noun>(?:\s+[a-z][\w'-]*){0,4}?)\s*(?:(?:/|\bper\b|\ba\b|\ban\b|\beach\b|"
    r"\bevery\b)\s*(?P<unit>second|sec|s|minute|min|hour|hr|h|day|d|week|wk|month|mo|year|yr)s?\b|"
    r"\b(?P<adv>daily|nightly|hourly|weekly|monthly|yearly|annually|rps|qps|tps)\b)"
)
_NOT_REQUESTS = _LazyRe(
    r"\b(?:fps|frames?|ms|milliseconds?|seconds?|minutes?|hours?|days?|weeks?|months?|years?|times|people|"
    r"persons?|engineers?|scientists?|devs?|developers?|hires?|staff|employees|dollars?|euros?|gb|tb|mb|"
    r"percent|label\w*|annotat\w*|hand-label\w*|examples?|samples?|steps|epochs?)\b"
)
_EACH = _LazyRe(
    r"\b(?:users?|customers?|employees|people|agents|clients|members|stores?|devices?|"
    r"accounts?)\b[^.;]{0,25}\beach\b"
)


def requests_per_day(text: str) -> float | None:
    """The last request rate stated in the text, per day ("50 requests per second" -> 4,320,000)."""
    rate = None
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


def _volume_level(per_day: float) -> str:
    return "high" if per_day >= VOLUME_HIGH else "medium" if per_day >= VOLUME_MEDIUM else "low"


# ------------------------------------------------------------------------------------------- field cues

_SAME = object()  # negation is not checked for this cue (the pattern already carries its polarity)
Finder = Callable[[str, re.Match[str]], Value | None]


@dataclass(frozen=True, slots=True)
class _Cue:
    field: str
    regex: _LazyRe
    value: Value | Finder | None
    negated: Any = _SAME  # value when a negator precedes the cue in its clause; None = no change


def _c(name: str, pattern: str, value: Value | Finder | None, negated: Any = _SAME) -> _Cue:
    return _Cue(name, _LazyRe(pattern), value, negated)


_ML = r"(?:ml|machine[- ]learning|data[- ]science|ai|deep[- ]learning|mlops|nlp|computer[- ]vision)"
_ML_ROLE = (
    r"(?:teams?|engineers?|engineering|people|folks|experts?|expertise|specialists?|staff|talent|"
    r"skills?|experience|knowledge|background|devs?|developers?|researchers?|practitioners?|persons?|"
    r"guys|capacity|know-how|department|group|resources?|hires?)"
)
_LABEL = (
    r"(?:hand[- ]?)?(?:labels?|label(?:l?ed|l?ing)|labl?ed|labeld|annotat(?:ed|ions?|ing)|"
    r"ground[- ]truth|tagged (?:data|examples|images|samples)|training (?:data|examples|samples|set))"
)
_PLENTY_WORDS = _LazyRe(
    r"\b(?:plenty|lots|loads|tons|a lot|a ton|large|huge|massive|big|extensive|vast|"
    r"abundant|many|years of|a wealth|enormous|millions|thousands)\b"
)
_SOME_WORDS = _LazyRe(
    r"\b(?:some|a few|few|a small|small|limited|a handful|handful|a bit|a little|"
    r"partial(?:ly)?|not many|not much|a couple|scarce|only a|modest)\b"
)


def _labels(text: str, m: re.Match[str]) -> Value | None:
    """How much labelled data a positive label cue speaks of: a count, a quantity word, else "some"."""
    clause = text[_clause_start(text, m.start()) : m.start()]
    if clause.endswith(("to ", "for ", "help ")):  # "use GPT to label data": an action, not labels we have
        return None
    near = [q for q in quantities(clause) if len(clause[q[2] :].split()) <= 2]
    if not near:  # "label 2k rows", "we've annotated roughly 40,000 documents", "labels for 250k records"
        near = [q for q in quantities(text[m.end() : _clause_end(text, m.end())]) if q[1] < 20]
    if near:
        return "plenty" if near[-1][0] >= LABELS_PLENTY else "some"
    before = " ".join(clause.split()[-4:])
    if _PLENTY_WORDS.search(before) and not _SOME_WORDS.search(before):
        return "plenty"
    return "some"


_KEY_VALUE = _LazyRe(r"\s*[:=]\s*")
_BUDGET_ADJ = _LazyRe(
    r"\b(?P<neg>not|isn't|isnt|never|nothing|no)?\s*(?:\w+\s+)?(?:(?P<medium>moderate|medium|reasonable|"
    r"decent|average|mid|middle|mid-sized|medium-sized|fair|normal|five[- ]figure|standard|sensible|ok|okay)|"
    r"(?P<low>tight|small|tiny|limited|low|minimal|shoestring|constrained|modest|little|lean|restricted|"
    r"meagre|meager|scarce|smallish|a little|not much|(?:three|four)[- ]figure)|(?P<high>big|large|huge|high|"
    r"generous|ample|massive|deep|substantial|significant|healthy|unlimited|plenty|enormous|sizable|sizeable|"
    r"hefty|serious|a lot|lots|loads|tons|(?:six|seven|eight)[- ]figure))\b"
)


def _budget(text: str, m: re.Match[str]) -> Value | None:
    end = m.end()
    colon = _KEY_VALUE.match(text, end)  # "budget: small"
    window = f"{_before(text, m.start(), 4)} | {_after(text, colon.end() if colon else end, 6)}"
    levels: dict[str, list[bool]] = {"low": [], "medium": [], "high": []}
    for a in _BUDGET_ADJ.finditer(window):
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


_API = (
    r"(?:(?:external|third[- ]party|3rd[- ]party|hosted|cloud|commercial|public|vendor|model|llm|ai|"
    r"openai|anthropic|gpt|inference|saas|outside)\s+)*(?:apis?|api calls|endpoints?)|openai|anthropic|"
    r"claude|chat-?gpt|gpt-?\d\S*|gemini|hosted (?:models?|llms?|ai)|(?:third[- ]party|external|cloud|"
    r"commercial|outside) (?:models?|llms?|ai|ai services?|ai providers?|model providers?|ai vendors?)"
)
_API_NO = _LazyRe(
    r"\b(?:can't|cannot|can not|cant|not allowed|aren't allowed|isn't allowed|is not allowed|are not allowed|"
    r"mustn't|must not|may not|never|forbidden|banned|prohibited|not an option|not acceptable|unacceptable|"
    r"off the table|out of the question|won't sign off|not permitted|no-go|not ok|not okay|not fine|avoid|"
    r"no way|disallowed|not possible|won't allow|wont allow|doesn't allow|don't allow|dont allow|"
    r"doesnt allow|isn't an option|won't approve|will not allow|refuses?)\b"
)
_API_YES = _LazyRe(
    r"\b(?:ok|okay|fine|acceptable|allowed|no problem|happy to|can use|could use|we use|we're using|"
    r"already use|permitted|approved|good with|comfortable|go ahead|no issue|not a problem|totally fine|"
    r"open to|willing to|pay for|paying for|subscription|contract with|agreement with|covers? (?:that|it|"
    r"this)|works (?:fine|well)|already using|using it|we have access)\b"
)


_SOFT = _LazyRe(
    r"\b(?:prefer(?:ably)?|rather|ideally|if possible|not a hard (?:rule|requirement)|"
    r"nice to have)\b"
)


def _api(text: str, m: re.Match[str]) -> Value | None:
    start, end = _clause_start(text, m.start()), _clause_end(text, m.end())
    clause = text[start:end]
    if _SOFT.search(clause):
        return None  # "we'd prefer to avoid APIs": a preference, not a constraint
    if _negated(text, m.start(), 4) or _API_NO.search(clause):
        return False
    if _API_YES.search(clause):
        return True
    return None


_STRICT_PLACE = (
    r"(?:(?:our|the|my|their|its|your)\s+)?(?:own\s+)?(?:\w+\s+)?(?:servers?|infrastructure|"
    r"infra|premises|building|network|data ?cent(?:er|re)s?|environment|walls|firewall|vpc|"
    r"systems?|company|organi[sz]ation|country|machines?|hardware|control|site|perimeter|"
    r"hospital|bank|cloud account|own cloud|private cloud|region|eu)"
)
_CAN_NOT = (
    r"(?:can't|cannot|can not|cant|couldn't|couldnt|could not|must not|mustn't|mustnt|may not|"
    r"shouldn't|should not|never|not allowed to|isn't allowed to|is not allowed to|"
    r"are not allowed to|aren't allowed to|won't|can never|must never|is never allowed to|"
    r"isn't supposed to)"
)

_CUES: tuple[_Cue, ...] = (
    # ---- ml_team
    _c(
        "ml_team",
        rf"\b{_ML}[- ]{_ML_ROLE}\b|\bdata (?:people|folks|persons|nerds|team)\b|"
        rf"\bdata scientists?\b|\bml engineers?\b|\bmles?\b|"
        r"\bresearch scientists?\b|\b(?:does|do|doing|knows?|understands?)\s+(?:ml|"
        r"machine learning|data science|ai)\b(?!\s+(?:models?|apis?|systems?|projects?|pipelines?|"
        r"tools?))",
        True,
        False,
    ),
    _c(
        "ml_team",
        r"\b(?:never|not once)\s+(?:\w+\s+)?(?:trained|built|fine-tuned|deployed)\s+(?:a |an |"
        r"any )?(?:ml |machine learning |ai )?models?\b",
        False,
    ),
    _c(
        "ml_team",
        r"\b(?:only|just|all)\s+(?:\w+\s+){0,3}?(?:web|backend|back-end|frontend|front-end|"
        r"software|full-?stack|app|mobile|ios|android)\s+(?:(?:and|&|or)\s+(?:\w+\s+)?)?(?:devs|"
        r"developers|engineers|people|folks|programmers)\b",
        False,
    ),
    # ---- labeled_data
    _c("labeled_data", rf"\b{_LABEL}\b", _labels, "none"),
    _c(
        "labeled_data",
        r"\bun-?(?:label(?:l?ed)?|labl?ed|annotated)\b|\b(?:need|have|has|"
        r"would have) to (?:label|annotate) (?:everything|it all|all of it|all the data|"
        r"the whole)\b|\b(?:label\w*|annotat\w*) (?:\w+ )?from scratch\b",
        "none",
    ),
    _c("labeled_data", rf"\bnot (?:many|much|a lot of|a ton of|that many)\s+(?:\w+\s+)?{_LABEL}", "some"),
    # ---- stage
    _c(
        "stage",
        r"\b(?:past|beyond|no longer|not just|not|moved (?:on )?(?:from|past|beyond)|graduated from|"
        r"out of|done with|grown out of|way past)\s+(?:the |a |an |our |its |"
        r"that )?(?:\w+\s+)?(?:proto\w*|mvps?|pocs?|pilot|demo|proof[- ]of[- ]concept)(?:\s+stage|"
        r"\s+phase)?\b|\b(?:proto\w*|mvps?|pocs?|pilot|demo)\s+(?:is|was|"
        r"has been)\s+(?:already\s+)?(?:done|finished|complete|completed|over|behind us|shipped|"
        r"live)\b",
        "production",
    ),
    _c(
        "stage",
        r"\bproto(?!col)\w*|\bprotyp\w*|\bmvps?\b|\bpocs?\b|proof[- ]of[- ]concept|\bpilot\b|"
        r"\bdemos?\b|hackathon|\bhack ?days?\b|\bgame jam\b|\bquick (?:test|experiment|hack|trial)\b|"
        r"throw-?away|quick and dirty|\b(?:show|pitch|present|"
        r"demo)\w*\s+(?:\w+\s+){0,2}?(?:to\s+)?(?:our\s+)?investors|\binvestor (?:demo|pitch|"
        r"meeting)|\b(?:see|test|check|find out|validate) (?:if|whether) (?:\w+\s+){1,3}?(?:works|"
        r"is viable|has legs|flies|want|wants|like|likes|would use|will use|need|needs|is worth)\b|"
        r"\ban experiment\b|\bexperimental\b|\bjust experimenting\b|\btrial run\b|\b(?:side|weekend|"
        r"pet|hobby|toy) project\b",
        "prototype",
        None,
    ),
    _c(
        "stage",
        r"\bproduction\b|\bprod\b|\bgo(?:ing|es)? live\b|\bwent live\b|\blive (?:to|for|"
        r"with) (?:all |our |real |paying )?(?:customers|users|clients)|\blong[- ]lived\b|"
        r"\blong[- ]term (?:product|system|project|solution|service|deployment|use|platform)\b|"
        r"\b(?:maintain|run|support|operate|reliable|around|stable|"
        r"work)\w* (?:\w+ )?for (?:(?:the next|many|several|\w+) )?years\b|\bmission[- ]critical\b|"
        r"\bbusiness[- ]critical\b|\brock[- ]solid\b|\bproduction[- ]grade\b|"
        r"\bbattle[- ]tested\b",
        "production",
        None,
    ),
    # ---- privacy
    _c(
        "privacy",
        rf"\b{_CAN_NOT}\s+(?:ever\s+)?(?:leave|exit|go (?:outside|beyond|off|out of)|"
        rf"be sent (?:out|outside|off|out of|to)|be (?:uploaded|shared|transferred)|"
        rf"cross)\s+(?:of\s+)?{_STRICT_PLACE}\b",
        "strict",
    ),
    _c(
        "privacy",
        r"\b(?:stay|stays|remain|remains|be kept|kept|reside|resides|be stored|stored|be processed|"
        r"processed|be hosted|live)\s+(?:\w+\s+){0,2}?(?:on[- ]?prem\w*|in[- ]house|on[- ]site|"
        r"(?:on|in|inside|within|behind) (?:our|the) (?:own\s+)?(?:\w+\s+)?(?:servers|"
        r"infrastructure|hardware|premises|machines|network|firewall|walls|vpc|data ?cent(?:er|"
        r"re)s?|systems))",
        "strict",
        None,
    ),
    _c(
        "privacy",
        r"\b(?:strict|stringent|very tight|rigorous) "
        r"(?:privacy|confidentiality|data[- ]protection)\b|"
        r"\b(?:privacy|confidentiality|data[- ]protection) (?:requirements|rules|constraints|needs|"
        r"policies) (?:are|is) (?:very )?(?:strict|stringent|rigorous)\b",
        "strict",
    ),
    _c(
        "privacy",
        r"\bon[- ]?prem\w* only\b|\bonly on[- ]?prem\w*|\bair[- ]?gapped\b|\b(?:strictly|highly|"
        r"extremely|very) confidential\b|\btop[- ]secret\b|\bclassified (?:data|information|"
        r"documents)\b|\b(?:nothing|no data|none of (?:it|the data|our data))\s+(?:\w+\s+)?(?:can|"
        r"may|could|should|must|will|is allowed to|gets to)\s+(?:ever\s+)?(?:leave|go|be sent|"
        r"be processed|be stored|be hosted|be uploaded|exit)\b|\bdata sovereignty\b",
        "strict",
    ),
    _c(
        "privacy",
        r"\bsensitive\b(?<!-sensitive)(?<!latency sensitive)(?<!cost sensitive)(?<!price "
        r"sensitive)(?<!time sensitive)|\bpersonal (?:data|information|info|details)\b|\bpii\b|"
        r"\bgdpr\b|\bhipaa\b|\bconfidential\b|\bprivate (?:data|information|customer data|"
        r"records)\b|\b(?:patient|medical|health) (?:data|records|information)\b|"
        r"\bpersonally identifiable\b|\bregulated\b(?! (?:industry|industries|sector|market))|"
        r"\bprivate\b(?! (?:cloud|network|endpoint|company|companies|beta|repo|repository|sector|"
        r"equity|key|link|instance|deployment|llm|model))",
        "sensitive",
        "none",
    ),
    _c(
        "privacy",
        r"\b(?:forbids?|prohibits?|prevents?|bars?|disallows?|bans?)\s+(?:any\s+|the\s+|our\s+|"
        r"all\s+)?(?:data|information|records|documents|files)\s+(?:from\s+)?(?:leaving|"
        r"going (?:outside|out)|being (?:sent|uploaded|shared|processed) (?:outside|"
        r"externally|to))",
        "strict",
    ),
    _c(
        "privacy",
        r"\bno (?:real )?(?:privacy|data[- ]protection|confidentiality|compliance|"
        r"security) (?:concerns?|issues?|constraints?|requirements?|restrictions?|problems?|"
        r"worries)\b|\bprivacy (?:isn't|is not|doesn't|does not|is no|won't be) (?:an? |"
        r"really )?(?:issue|concern|problem|matter|a thing)\b|"
        r"\bpublic(?:ly)? (?:available )?(?:\w+ )?(?:data|dataset|content|info|information|"
        r"documents|text|web|domain)\b|\ball public\b|\bopen data\b|\bnon-?sensitive\b|\b(?:data|"
        r"it|everything|dataset|content|information|all of it) (?:is|was|were|are|would be|"
        r"be) (?:all |entirely |completely |fully |100% )?public\b",
        "none",
    ),
    _c(
        "privacy",
        rf"\b(?:data|it|records|documents|files|information|anything|nothing|none of it|images|"
        rf"recordings|texts?)\s+(?:\w+\s+)?{_CAN_NOT}\s+(?:ever\s+)?(?:go|be sent|be uploaded|be "
        r"shared|be transferred|be processed|be stored|be hosted|end up)\s+(?:(?:to|with|in|on|"
        r"outside|by|at)\s+(?:any\s+|a\s+|the\s+|an\s+)?(?:public\s+)?(?:cloud|third[- ]part|"
        r"external|outside|"
        rf"vendor|provider|foreign)|outside (?:of )?{_STRICT_PLACE})",
        "strict",
    ),
    # ---- external_api_ok
    _c("external_api_ok", rf"\b(?:{_API})\b", _api),
    _c(
        "external_api_ok",
        rf"\b{_CAN_NOT}\s+(?:use|call|send|share|upload|transfer|pass|rely on)\s+"
        r"(?:\w+\s+){0,3}?(?:to|with|on)\s+(?:any\s+)?(?:third[- ]part(?:y|ies)|external|"
        r"outside|vendors?|the cloud|cloud (?:providers?|services))",
        False,
    ),
    _c(
        "external_api_ok",
        r"\bself-?host(?:ed|ing)? only\b|\bmust be self-?hosted\b|\b(?:no|"
        r"without) (?:external|third[- ]party|outside|cloud) (?:services|providers|vendors|"
        r"calls)\b",
        False,
    ),
    # ---- latency
    _c("latency", r"\breal[- ]?time\b", "realtime", None),
    _c("latency", r"\bnear[- ]real[- ]?time\b", "interactive", None),
    _c(
        "latency",
        r"\b\d+(?:\s*(?:-|to)\s*\d+)?\+?\s*(?:fps|frames? (?:per|a|/) ?s(?:ec(?:ond)?)?)\b|"
        r"\b(?:tens of|a few|few) milliseconds\b|\bin milliseconds\b|"
        r"\blow[- ]single[- ]digit milliseconds\b",
        "realtime",
    ),
    _c(
        "latency",
        r"\b(?P<ms>\d+(?:\.\d+)?)\s*(?:ms|millisec(?:ond)?s?)\b",
        lambda t, m: "realtime" if float(m.group("ms")) <= 100 else "interactive",
    ),
    _c(
        "latency",
        r"\bwaits? for (?:the |a |an |their |its )?(?:answer|result|response|reply|summary|output|"
        r"prediction|suggestion)s?\b|\binteractiv\w*|\b(?:users?|customers?|people|someone|agents?|"
        r"they|the user)\s+(?:are\s+|is\s+|will be\s+)?(?:wait|waiting|waits)\b|\bsub-?second\b|"
        r"\b(?:in|within|under|below|than|about|around|max(?:imum)?|most|take|takes)\s+(?:a|one|"
        r"two|three|a few|a couple(?: of)?|few|\d+(?:\.\d+)?)(?:\s*(?:-|to|or)\s*(?:\d+|two|"
        r"three))?\s*(?:s|secs?|seconds?)\b|\b(?:a|one) second or two\b|\b(?:snappy|responsive)\b|"
        r"\bwhile (?:the |a )?(?:users?|customers?|they|people|agents?|callers?) (?:is |"
        r"are )?(?:typing|waiting|on the (?:phone|call|line)|chatting)\b|\bas (?:they|the user|"
        r"users|you) types?\b|\bautocomplete\b|\blive chat\b",
        "interactive",
        None,
    ),
    _c(
        "latency",
        r"\bbatch(?:es|ed)?\b(?!\s+of\b)|\bovernight\b|\bnightly\b|\boffline (?:batch|processing|"
        r"jobs?|scoring|analysis)\b|\b(?:latency|speed|response time|"
        r"timing)\s+(?:really\s+)?(?:doesn't|does not|doesnt|didn't|did not|didnt|wouldn't|"
        r"would not|isn't|is not|isnt|wasn't|weren't|won't|is no|"
        r"were not)\s+(?:really\s+)?(?:matter|important|critical|a concern|an issue|a problem|"
        r"a priority|a big deal)|\bonce an? (?:day|week|month|night|hour)\b|\bevery (?:night|"
        r"evening|weekend|morning|week|month|quarter|monday|tuesday|wednesday|thursday|friday|"
        r"saturday|sunday)\b|\b(?:runs?|process(?:es)?|updates?|refresh(?:es)?|recomputes?|"
        r"scores?)\s+(?:[a-z]+\s+){0,3}?(?:nightly|weekly|monthly|daily)\b|\b(?:don't|do not|"
        r"dont) (?:really )?care (?:much )?about (?:latency|speed|response time)|\bno (?:latency|"
        r"speed|real-?time|timing) (?:requirements?|constraints?|pressure)\b|\bno rush\b|"
        r"\bnot (?:urgent|time[- ]critical|time[- ]sensitive)\b|\b(?:nobody|no one|noone|no-one|"
        r"none of us)\s+(?:is\s+|will be\s+)?wait\w*|\b(?:in|within|take|takes|taking|after|wait|"
        r"come back in)\s+(?:a few|several|a couple(?: of)?|\d+|an?|some)\s+(?:minutes|hours|"
        r"days)\b(?! of)|\bnext[- ]day\b|\bby (?:tomorrow|the next morning|morning)\b|"
        r"\basynchronous(?:ly)?\b|\basync\b|\b(?:daily|weekly) (?:jobs?|runs?|reports?)\b|"
        r"\bslow is fine\b",
        "relaxed",
        None,
    ),
    # ---- edge
    _c(
        "edge",
        r"\bon[- ]device\b|\bon (?:the |a |our |their |users' |customers' |each |every |"
        r"mobile )?(?:phones?|devices?|smartphones?|mobiles?|iphones?|androids?|the edge|"
        r"edge (?:devices?|boxes|box|hardware|nodes?)|cameras?|drones?|robots?|cars?|vehicles?|"
        r"laptops?|tablets?|sensors?|microcontrollers?|embedded (?:devices?|hardware)|wearables?|"
        r"smartwatch(?:es)?|watches|headsets?|glasses)\b|\bat the edge\b|\bedge (?:devices?|boxes|box|"
        r"deployment|hardware|computing|inference|nodes?|ai)\b|\braspberry ?pi\b|\bjetson\b|"
        r"\bembedded\b|\bmicrocontrollers?\b|\b(?:run|runs|running|work|works|working|function|"
        r"operate)\s+(?:\w+\s+)?(?:fully\s+|completely\s+|entirely\s+)?offline\b|\b(?:fully|"
        r"completely|entirely) offline\b|\boffline[- ]first\b",
        True,
        False,
    ),
    _c(
        "edge",
        r"\b(?:run|runs|running|deployed|deploy|work|works|embedded|installed|live|"
        r"lives)\s+(?:\w+\s+)?(?:inside|in|on|into)\s+(?:the |a |an |our |each |every |"
        r"their )?(?:\w+'s\s+|\w+\s+)?(?:car|cars|vehicles?|robots?|drones?|machines?|units?|"
        r"appliances?|kiosks?|terminals?|boards?|chips?|handsets?|watch|watches|headsets?|glasses|"
        r"routers?|doorbells?|tractors?|printers?)\b",
        True,
        False,
    ),
    _c(
        "edge",
        r"\b(?:no|without(?: an?)?|little|patchy|spotty) (?:network|internet|connectivity|signal|"
        r"reception)(?: (?:connection|access))?\b",
        True,
    ),
    _c(
        "edge",
        r"\b(?:run|runs|running|ran|hosted|host|deployed|deploy|live|lives|sit|sits|goes|go|going|"
        r"served|serve)\s+(?:\w+\s+){0,2}?(?:in|on|through|from|via)\s+(?:the|our|a|"
        r"their)\s+(?:own\s+)?(?:\w+\s+)?(?:cloud|servers?|backend|back-end|data ?cent(?:er|re)s?|"
        r"cluster|vms?)\b|\b(?:run|runs|running|hosted|host|deployed|deploy|live|lives|served|"
        r"serve)\s+(?:\w+\s+){0,2}?(?:in|on|via)\s+(?:aws|azure|gcp|google cloud|kubernetes|k8s|ec2|"
        r"lambda|heroku)\b|\bcloud[- ](?:based|hosted|only)\b|\bserver[- ]side\b",
        False,
        None,
    ),
    # ---- volume (rates are handled by requests_per_day)
    _c(
        "volume",
        r"\b(?:low|light|modest|small|little|tiny|minimal) (?:traffic|volume|usage|load)\b|"
        r"\bnot (?:many|much|a lot of) (?:requests|traffic|queries|calls|usage)\b|\b(?:traffic|"
        r"volume|usage|load) (?:is|will be|stays|remains|should be) (?:\w+ )?(?:low|light|small|"
        r"modest|minimal|tiny)\b",
        "low",
        None,
    ),
    _c(
        "volume",
        r"\b(?:moderate|medium|average|mid) (?:traffic|volume|load|usage)\b|\b(?:traffic|volume|"
        r"usage|load) (?:is|will be|stays|remains|should be) (?:\w+ )?(?:moderate|"
        r"medium|average)\b",
        "medium",
        None,
    ),
    _c(
        "volume",
        r"\b(?:high|heavy|huge|massive|large|big|enormous) (?:traffic|volume|load|usage|"
        r"request volume)\b|\b(?:traffic|volume|usage|load) (?:is|will be|stays|remains|"
        r"should be) (?:\w+ )?(?:high|heavy|huge|massive|enormous)\b",
        "high",
        None,
    ),
    # ---- budget
    _c(
        "budget",
        r"\b(?:money|budget|cost|costs|price|spend)\s+(?:is not|isn't|isnt|is no|aren't|are not|"
        r"is never|won't be|will not be)\s+(?:really\s+)?(?:an?\s+)?(?:issue|problem|object|concern|"
        r"constraint|limit)\b|\bno budget (?:constraints?|limits?|issues?|concerns?|problems?)\b|"
        r"\bdeep pockets\b|\bwell[- ]funded\b",
        "high",
    ),
    _c(
        "budget",
        r"\b(?:no|zero|hardly any|barely any|very little) (?:budget|money|funding|funds|"
        r"cash)\b(?! (?:constraints?|limits?|issues?|concerns?|problems?))|\bshoestring\b|"
        r"\bbootstrapped\b|\bcash[- ]strapped\b|\b(?:can't|cannot|can barely|can hardly|"
        r"could barely|barely|hardly) afford\b|\bstrapped for cash\b",
        "low",
    ),
    _c("budget", r"\bbud?ge?t\w*|\bmoney\b|\bfunding\b|\bfunds\b|\bcash\b|\bspend\b", _budget),
    # ---- control
    _c(
        "control",
        r"\bfull (?:control|ownership)\b|\bown(?:ing)? (?:the|our) (?:model|weights|stack)\b|"
        r"\bownership of (?:the|our) (?:model|weights)\b|\bexplainab\w+|\binterpretab\w+|"
        r"\bauditab\w+|\b(?:be able to|must|need to|needs to|have to|has to|want to|should|"
        r"must be able to)\s+(?:\w+\s+){0,2}?(?:retrain|re-train|debug|explain|audit|"
        r"inspect)\b(?! why)",
        True,
        False,
    ),
    _c(
        "control",
        r"\b(?:explain|justify|audit|trace) (?:every|each|all|individual|its|the model's|our|"
        r"any) (?:single )?(?:decisions?|predictions?|outputs?|results?|scores?)\b|"
        r"\bretrain (?:it )?(?:ourselves|whenever|any ?time|on demand|regularly)\b",
        True,
        False,
    ),
    _c(
        "control",
        r"\b(?:no|avoid|avoiding|without|not|never|don't want|can't have|cannot have|can't accept|"
        r"zero|must not have|won't accept)\s+(?:any\s+)?(?:vendor\s+|platform\s+)?lock[- ]?in\b|"
        r"\bnot (?:be )?(?:locked|tied) (?:in|into|to)\b|\b(?:worried|concerned|afraid|wary|"
        r"scared) (?:about|of) (?:\w+\s+)?lock[- ]?in\b|\bvendor[- ]independen\w+|"
        r"\bindependen\w+ (?:from|of) (?:any |a |the |our |one )?(?:\w+ )?(?:vendors?|providers?|"
        r"suppliers?)\b",
        True,
    ),
    _c(
        "control",
        r"\b(?:vendor\s+)?lock[- ]?in\s+(?:really\s+)?(?:doesn't|does not|doesnt|won't|isn't|"
        r"is not|isnt)\s+(?:really\s+)?(?:bother|matter|worry|concern|a (?:problem|concern|issue|"
        r"big deal)|an issue)\w*|\b(?:vendor\s+)?lock[- ]?in is (?:fine|ok|okay|acceptable)\b|"
        r"\b(?:fine|ok|okay|happy|comfortable) (?:with )?(?:depending|relying) on (?:a |an |the |"
        r"one )?(?:vendor|provider|third[- ]party)|\bblack[- ]?box(?:es)? (?:\w+\s+){0,3}?(?:is |"
        r"are |would be |'s )?(?:\w+\s+)?(?:fine|ok|okay|acceptable)\b|\bno need to (?:retrain|"
        r"debug|tinker|tweak|customi[sz]e|explain|own|control|inspect)\b|\b(?:fine|ok|okay|happy|"
        r"content) with whatever (?:the |a )?(?:vendor|provider)\b|\b(?:don't|do not|"
        r"dont) (?:really )?(?:care|mind) about (?:\w+\s+)?(?:lock[- ]?in|control|"
        r"explainability)\b|\b(?:fine|ok|okay|happy) with (?:a )?(?:vendor'?s? )?black[- ]?box",
        False,
    ),
    # ---- data_type (policy: first mention; two types joined by "and" make it multimodal)
    _c(
        "data_type",
        r"\btabular\b|\bspreadsheets?\b|\bcsvs?\b|\bexcel\b|\bstructured data\b|\b(?:database|"
        r"sql) tables?\b|\brows and columns\b|\brows\b|\b(?:customer|sales|financial|"
        r"transaction(?:al)?|billing|crm|claims?|insurance|account|employee|purchase|"
        r"order) (?:records|tables?|history|histories)\b|\btransactions?\b|\btime[- ]series\b|"
        r"\bsensor (?:data|readings)\b|\bnumeric(?:al)? data\b|\btables\b|\b(?:sensor|machine|"
        r"iot) (?:logs|measurements|metrics)\b|\btelemetry\b|\bmeasurements\b",
        "tabular",
        None,
    ),
    _c(
        "data_type",
        r"\btexts?\b|\btextual\b|\be-?mails?\b|"
        r"\bticket(?<!flight ticket)(?<!plane ticket)(?<!train ticket)(?<!concert "
        r"ticket)(?<!movie ticket)(?<!event ticket)(?<!lottery ticket)s?\b|\bwriting assistant\b|"
        r"\bmemos\b|\bpdfs?\b|\b(?:research|scientific|academic|legal|news) (?:papers|"
        r"articles)\b|\bmanuals\b|\bbooks\b|\bweb ?pages\b|\b(?:text|chat|sms|slack|whatsapp|"
        r"customer) messages\b|\bsms\b|\breviews\b|\btranscripts?\b|\bchat ?logs?\b|"
        r"\bchat ?bots?\b|\bchatbots?\b|\barticles\b|\b(?:help|product|internal|technical|"
        r"support) docs\b|\bdocumentation\b|\bnatural language\b|\bsentences\b|\btweets\b|"
        r"\bsocial media posts\b|\b(?:legal|employment|sales|rental|insurance|"
        r"supplier) contracts\b|\bknowledge base\b|\bfaqs?\b|\bwritten (?:feedback|answers|"
        r"reports)\b",
        "text",
        None,
    ),
    _c(
        "data_type",
        r"\bimages?\b|\bimagery\b|\bphotos?\b|\bphotographs?\b|\bpictures\b|\bpicture of\b|"
        r"\bpics\b|\bscans?\b|\bscanned\b|\bx-?rays?\b|\bmri\b|\bscreenshots?\b|\bjpe?gs?\b|"
        r"\bpngs?\b|\bvisual inspection\b|\bcomputer vision\b",
        "image",
        None,
    ),
    _c(
        "data_type",
        r"\bvideos?\b|\bfootage\b|\bcctv\b|\bcamera (?:feeds?|streams?)\b|\bvideo streams?\b|"
        r"\blive-?streams?\b|\bclips\b|\bdashcam\b",
        "video",
        None,
    ),
    _c(
        "data_type",
        r"\baudio\b|\bspeech\b|\bvoice\b|\b(?:phone|support|customer|sales|recorded|"
        r"service) calls\b|\bcall[- ]cent(?:er|re)s?\b|\b(?:call|audio|voice) recordings?\b|"
        r"\bpodcasts?\b|\bmusic\b|\bvoicemails?\b|\bspoken\b|\bdictation\b",
        "audio",
        None,
    ),
    _c("data_type", r"\bmulti-?modal\b|\bmultiple modalities\b|\bmixed media\b", "multimodal", None),
    # ---- task
    _c(
        "task",
        r"\bclassif(?:y|ies|ied|ying|ication|ier|iers)\b|\bcategori[sz](?:e|es|ed|ing|ation)\b|"
        r"\bdetect(?:s|ed|ing|ion|or)?\b|\bpredict(?:s|ed|ing|ive)?\b|\b(?:churn|demand|price|sales|"
        r"risk|fraud|failure|revenue|click|conversion|credit|default|value|outcome|delay|"
        r"traffic) prediction\b|\brecogni[sz](?:e|es|ing)\b|\binto (?:\d+ |\w+ )?(?:categories|"
        r"classes|departments|buckets|groups|queues|types|topics|labels|bins|tiers)\b|\bforecast(?:s|"
        r"ed|ing)?\b|\b(?:to|we|and|will|must|should|can|then) score\b|\bscoring\b|\bregression\b|"
        r"\bwell[- ]defined\b|\b(?:specific|single|narrow|clear(?:ly defined)?|one) (?:task|problem|"
        r"use case|goal|job)\b|\bsentiment\b|\bsegmentation\b|\bto segment\b|\bflag(?:s|"
        r"ging)? (?:\w+\s+)?(?:fraud\w*|spam|suspicious|anomal\w+|defects?)\b|\banomal(?:y|"
        r"ies) detection\b|\bextract(?:s|ing|ion)? (?:of )?(?:the )?(?:fields|entities|amounts|"
        r"totals?|dates|names|values|key fields)\b|\btriage\b|\broute (?:each |incoming )?(?:tickets|"
        r"emails|requests)\b|\btag(?:s|ging)? (?:each|every|all|incoming|the|our)\b|\b(?:right|"
        r"correct) (?:\w+ )?(?:category|class|label)\b|\bassign(?:s|ing)? (?:\w+ )?(?:a |"
        r"the )?(?:categor\w+|labels?|class(?:es)?)\b",
        "narrow",
        None,
    ),
    _c(
        "task",
        r"\bopen[- ]?ended\b|\bcreative\b|\bcreativity\b|\bbrainstorm\w*|\bexplor\w+ (?:what(?:'s|"
        r" is)? possible|ideas|possibilities|the data|our data|options for)|\bexploratory\b|"
        r"\bwhat(?:'s| is) possible\b|\bgeneral[- ]purpose\b|\bfree[- ]?form\b|\b(?:answer|handle|"
        r"respond to)\w* (?:any|all kinds of|all sorts of|arbitrary|general|open|a wide range of|"
        r"whatever|random) (?:\w+\s+)?(?:questions?|requests?|queries)\b|\b(?:that|to|which|will|can|"
        r"could|should|and)\s+(?:write|generate|draft|compose)s?\s+(?:\w+\s+){0,2}?(?:captions?|copy|"
        r"content|stories|articles|posts|emails?|descriptions?|summaries|marketing|ideas|answers|"
        r"responses|replies|code)\b|\b(?:writes|generates|drafts|composes|writing|generating|"
        r"drafting)\s+(?:\w+\s+){0,2}?(?:captions?|copy|content|stories|articles|posts|emails?|"
        r"descriptions?|summaries|marketing|ideas|answers|responses|replies)\b|\b(?:content|copy|"
        r"text) generation\b|\bwriting assistant\b|\b(?:write|draft|generate|compose)s? (?:almost |"
        r"just )?(?:anything|whatever)\b|\b(?:write|generate|draft|compose)\s+(?!me\b|"
        r"us\b)(?:\w+\s+){0,2}?(?:captions?|copy|content|stories|articles|posts|descriptions?|"
        r"summaries|marketing|slogans|headlines|ads|blog\w*)\b|\b(?:talk|chat|"
        r"converse) about anything\b|\bgeneral (?:chat |purpose |knowledge )?(?:assistant|chatbot|"
        r"bot)\b|\b(?:no|not a|without a?|nothing) ?(?:specific|particular|clear|fixed|defined|"
        r"single) (?:target|goal|task|use case|objective|problem)\b",
        "open_ended",
        None,
    ),
)

# A negative answer right after the cue: "labels? we have none", "ML team: nobody."
_POST_NEGATION = _LazyRe(
    r"\s*[?:,-]+\s*(?:we have |we've got |there (?:are|is) |we got )?(?:none|zero|"
    r"nothing|nobody|nope|nada|no)\s*(?:[.,;!?]|$)|\s+(?:is|are|would be|"
    r"will be)?\s*(?:not|isn't|aren't|isnt|arent|won't be|"
    r"wont be)\s+(?:really\s+)?(?:needed|required|necessary|a requirement|a must|"
    r"an option|available|allowed)\b"
)
_DATA_JOIN = _LazyRe(r"^\W*(?:\w+\W+)?(?:and|&|plus|as well as|with|together with|\+|/)\W+(?:\w+\W+)?$")
_STRICTNESS = {
    "privacy": ("none", "sensitive", "strict"),
    "latency": ("relaxed", "interactive", "realtime"),
    # "a few data scientists but nobody with deep learning experience": they do have an ML team
    "ml_team": (False, True),
}


def _resolve(name: str, hits: list[tuple[int, int, Value | None]]) -> Value | None:
    kept: list[tuple[int, int, Value | None]] = []
    for hit in sorted(hits, key=lambda h: (h[0] - h[1], h[0])):  # longest first
        if all(hit[1] <= k[0] or hit[0] >= k[1] for k in kept):
            kept.append(hit)
    valued = sorted((h for h in kept if h[2] is not None), key=lambda h: h[0])
    if not valued:
        return None
    if name in _STRICTNESS:
        return max((h[2] for h in valued), key=_STRICTNESS[name].index)  # type: ignore[arg-type]
    return valued[-1][2]


_SCANNERS: list[tuple[_LazyRe, tuple[_Cue, ...]]] | None = None
_MAX_HITS_PER_FIELD = 40
_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


def _scanners() -> list[tuple[_LazyRe, tuple[_Cue, ...]]]:
    """One pattern per field (its cues' alternatives), so a text is scanned once per field, not once per
    cue; a hit is then matched against the field's cues at that position to find its value. Within a field
    the leftmost match wins, then the first cue listed: list specific cues ("budget isn't an issue")
    before general ones ("budget")."""
    global _SCANNERS
    if _SCANNERS is None:
        by_field: dict[str, list[_Cue]] = {}
        for cue in _CUES:
            by_field.setdefault(cue.field, []).append(cue)
        built = []
        for cues in by_field.values():
            source = "|".join(f"(?:{part})" for c in cues for part in _top_level_parts(c.regex._source))
            built.append((_LazyRe(_NAMED_GROUP.sub("(?:", source)), tuple(cues)))  # names must be unique
        _SCANNERS = built  # one assignment: safe if two threads get here first at the same time
    return _SCANNERS


def extract_fields(text: str) -> dict[str, Value]:
    """Profile facts stated in lower-cased, cleaned text (no intent logic, no context)."""
    hits: dict[str, list[tuple[int, int, Value | None]]] = {}
    for scanner, cues in _scanners():
        for n, hit in enumerate(scanner.finditer(text)):
            if n == _MAX_HITS_PER_FIELD:
                break  # no real text mentions a field this often; bounds the time on degenerate pastes
            found = next(((c, cm) for c in cues if (cm := c.regex.match(text, hit.start()))), None)
            if found is None:
                continue
            cue, m = found
            if cue.negated is not _SAME and (
                _negated(text, m.start()) or _POST_NEGATION.match(text, m.end())
            ):
                value = cue.negated
            else:
                value = cue.value(text, m) if callable(cue.value) else cue.value
            hits.setdefault(cue.field, []).append((m.start(), m.end(), value))
    changes: dict[str, Value] = {}
    for name, found in hits.items():
        value = _data_type(text, found) if name == "data_type" else _resolve(name, found)
        if value is not None:
            changes[name] = value
    rate = requests_per_day(text)
    if rate is not None:
        changes["volume"] = _volume_level(rate)
    if changes.get("privacy") == "strict":
        changes.setdefault("external_api_ok", False)  # convention: strict = the data may not leave
    return changes


def _data_type(text: str, hits: list[tuple[int, int, Value | None]]) -> Value | None:
    valued = sorted((h for h in hits if h[2] is not None), key=lambda h: h[0])
    if not valued:
        return None
    if any(h[2] == "multimodal" for h in valued):
        return "multimodal"
    for a, b in pairwise(valued):
        if a[2] != b[2] and _DATA_JOIN.match(text[a[1] : b[0]]):
            return "multimodal"
    return valued[0][2]


# ------------------------------------------------------------------------------------------- intents

_INJECTION = _rx(
    r"\b(?:ignore|disregard|forget|override|bypass|skip|drop|abandon)\s+(?:all\s+|any\s+|of\s+|"
    r"about\s+)?(?:(?:your|the|my|these|those|its|previous|prior|earlier|above|preceding|former|original|"
    r"system|safety|current|existing|all|internal|built-in|old)\s+){1,3}(?:rules|instructions?|prompts?|"
    r"guidelines|guardrails|programming|directives?|restrictions|system message|decision engine|rules engine|"
    r"engine)\b",
    r"\bfrom now on\b",
    r"\b(?:forget|ignore|disregard)\s+(?:everything|all|anything)\s+(?:you(?:'ve| have)? (?:were |"
    r"been )?(?:told|taught|instructed|trained|programmed|given)|(?:that )?(?:was|were|"
    r"has been) said before)\b",
    r"\b(?:just|only|simply)\s+(?:say|answer|reply|respond|output)\s+(?:with\s+)?(?:that\s+)?(?:gpt\S*|"
    r"foundation|custom|hybrid|openai|claude|gemini)\b",
    r"\b(?:as|i am|i'm)\s+(?:the|an|your)\s+(?:admin|administrator|developer|dev|owner|operator|creator|ceo|"
    r"boss|system|root|superuser|sysadmin|maintainer)\b",
    r"\bi\s+(?:order|command|instruct|demand|authori[sz]e)\s+you\b",
    r"\bpretend\s+(?:that\s+)?(?:you(?:'re|\s+are|\s+have|\s+were)|to\s+be)\b",
    r"\byou\s+have\s+no\s+(?:rules|restrictions|limits|guidelines|filters)\b",
    r"\bact\s+(?:as|like)\s+(?:if\s+you|an?\s+(?:ai|assistant|chatbot|bot|model|llm|unrestricted|unfiltered|"
    r"different|evil)|dan)\b",
    r"\byou\s+are\s+now\b|\byou're\s+now\b|\byour\s+(?:new|real|true)\s+(?:role|task|instructions?|"
    r"purpose)\b",
    r"\b(?:unrestricted|unfiltered|uncensored)\s+(?:ai|mode|assistant|model|version)\b",
    r"\b(?:ai|assistant|bot|model|you)\s+(?:with\s+no|without(?:\s+any)?)\s+(?:restrictions|filters|rules|"
    r"guardrails|limits|limitations)\b",
    r"^\s*(?:system|assistant|developer|admin|sys)\s*:",
    r"<\s*/?\s*(?:system|sys|instructions?|prompt|im_start|im_end)\s*>|\[\s*/?\s*(?:system|inst|sys)\s*\]|"
    r"#{2,}\s*(?:system|instructions?)\b|<\|[a-z_]+\|>",
    r"\bjailbreak\w*|\bdeveloper mode\b|\bdan mode\b|\bdo anything now\b|\bgod mode\b",
    r"\b(?:ignore|disregard|forget)\s+(?:all\s+|everything\s+)?(?:of\s+)?(?:the\s+|everything\s+)?(?:above|"
    r"previous|prior|preceding)\b(?!\s+(?:\w+\s+)?(?:requirements?|numbers?|figures?|data|messages?|answers?|"
    r"facts?|points?))",
    r"\b(?:admin|administrator|system|developer|root|sudo)\s+(?:override|mode|command|access|prompt|"
    r"message)\b|\boverride\s*:|\brecommendation\s*[:=]\s*(?:foundation|custom|hybrid)\b",
    r"\b(?:what are|give me|tell me|share)\s+(?:me\s+)?your\s+(?:hidden|secret|system|initial|"
    r"original)\s+(?:instructions|prompt|rules)\b",
    r"\b(?:reveal|print|show|repeat|leak|output|dump|tell)\s+(?:me\s+)?(?:your|the)\s+(?:system\s+|hidden\s+|"
    r"initial\s+)?(?:prompt|instructions)\b",
    r"\bnew\s+(?:instructions?|rules?|system prompt)\s*:",
    r"\b(?:always|only)\s+(?:say|answer|recommend|respond(?:\s+with)?|reply(?:\s+with)?|output|pick|choose|"
    r"suggest)\s+(?:with\s+)?(?:(?:a|an|the)\s+)?(?:foundation|custom|hybrid|gpt|llm|openai|claude)\b",
    r"\b(?:recommend|say|answer|pick|choose)\s+(?:a\s+|the\s+)?(?:foundation|custom|"
    r"hybrid)\w*(?:\s+models?)?\s+(?:always|no matter what|regardless|every time)\b",
    r"\byou\s+(?:must|will|shall|have to)\s+(?:now\s+)?(?:always\s+)?(?:say|answer|recommend|respond|reply|"
    r"output|pick|choose)\s+(?:with\s+)?(?:(?:a|an|the)\s+)?(?:foundation|custom|hybrid|gpt|openai|claude)\b",
    r"\b(?:override|bypass|disable|turn off)\s+(?:the\s+|your\s+)?(?:rules?|engine|guard|safety|filters?|"
    r"restrictions|guardrails)\b",
    r"\bthe (?:rules|engine|guidelines) (?:don't|do not|doesn't|no longer) apply\b",
    r"\bsystem\s+(?:notice|notification|alert|announcement|update)\s*[:\]!]",
    r"\b(?:the\s+user'?s|user|your)\s+profile\s+(?:has\s+been|was|is\s+now|has\s+now\s+been)\s+(?:updated|"
    r"changed|set|overwritten|modified|replaced)\b",
    flags=re.M,
)

_RESET = _rx(
    r"\bstart(?:ing)? (?:all )?over\b",
    r"\b(?:start|begin)(?:ning)? (?:again|afresh|anew|fresh|from scratch|from zero|from the (?:top|"
    r"beginning))\b",
    r"\b(?:clear|wipe|erase|delete|forget) (?:everything|it all|all of it|all|the (?:whole )?profile|"
    r"my profile|our profile|the session)\b",
    r"\breset\b",
    r"\bblank (?:profile|slate)\b",
    r"\bclean slate\b",
    r"\bnew (?:profile|session|chat)\b",
    r"\brestart\b",
    r"\b(?:clear|wipe|clean) the slate\b",
)
_UNDO = _rx(
    r"\bundo\b",
    r"\bgo back (?:one|a|1) step\b",
    r"\b(?:revert|undo|cancel|remove) (?:my|the|that) (?:last|previous) (?:answer|change|message|edit|input|"
    r"reply)\b",
    r"\bstep back\b",
    r"\btake (?:that|it|the last (?:one|thing|answer)) back\b",
    r"\brevert (?:that|it|the last (?:change|thing|step|answer|edit))\b",
    r"\bscratch that\b",
    r"\b(?:remove|cancel|roll back) (?:that|the) last (?:change|answer|thing|edit)\b",
)
_ADOPT = _rx(
    r"\badopt\b",
    r"\blet'?s keep (?:that|this|it|the new one)\b",
    r"\bgo (?:with|for) (?:that|this|it)\b(?! (?:model|vendor|api))",
    r"\bmake (?:that|this|it) (?:our|the) (?:new )?(?:plan|profile|baseline|setup|reality)\b",
    r"\bapply (?:that|this|the) (?:scenario|what-?if|what if|change|changes|hypothetical)\b",
    r"\bapply (?:that|this|it)\s*(?:$|[.!,]|to (?:our|the|my) profile)",
    r"\bkeep (?:the|this|that) (?:what-?if|what if|hypothetical|new|scenario|changed|modified)\b",
    r"\b(?:use|take|accept) (?:that|this|the) (?:scenario|what-?if|hypothetical|version)\b",
    r"\bswitch to (?:that|this|it|the what-?if|the scenario)\b",
)
_DISCARD = _rx(
    r"\bdiscard\b",
    r"\bkeep (?:the|our) (?:original|old|real|current|previous|actual)\b",
    r"\bstick (?:with|to) (?:what we had|the original|our original|our real|the real|the old|the current|"
    r"our current|before|the previous|our actual)\b",
    r"\b(?:forget|drop|scrap|ditch|discard|ignore|throw away|cancel) (?:that|the|this) (?:hypothetical|"
    r"what-?if|what if|scenario)\b",
    r"\bgo back to (?:our|the) (?:real|original|actual|previous|old|current) (?:setup|profile|situation|one|"
    r"version|plan|data|answer)\b",
    r"\b(?:revert|go back|return) to (?:the )?(?:original|real)\b",
    r"\b(?:go back|revert|return) to (?:how it was|the way it was|how things were|what we had)\b",
)
_ADOPT_PENDING = _rx(
    r"\b(?:let'?s|lets) do (?:that|it|this)\b",
    r"\bdo it\b",
    r"\bgo for it\b",
    r"\bsounds good\b",
    r"\bdeal\b",
    r"\bapply\b",
    r"\bkeep it\b",
    r"\bmake it so\b",
    r"^\W*(?:ok|okay|great|perfect|fine|good)\W*$",
)
_DISCARD_PENDING = _rx(
    r"\bnever ?mind\b",
    r"\bforget (?:it|that)\b",
    r"\bno thanks?\b",
    r"\bleave it\b",
    r"\bdon't\b",
    r"\bkeep (?:it )?as (?:it was|is|before)\b",
    r"\bdrop (?:it|that)\b",
)

_WHAT_IF = _rx(
    r"\bwhat if\b",
    r"\bwhat about if\b",
    r"\bsuppos(?:e|ing)\b",
    r"\bimagine\b",
    r"^\W*and if\b",
    r"\bhypothetical(?:ly)?\b",
    r"\bwould (?:it|that|this|the (?:answer|recommendation|result|outcome)|anything|your (?:answer|"
    r"recommendation)) (?:\w+ )?(?:change|be different|flip)\b.{0,80}?\bif\b",
    r"\bwhat would (?:happen|you (?:say|recommend|suggest)) if\b",
    r"\blet'?s say\b",
    r"\bin a world where\b",
    r"\bpretend (?:that )?we\b",
    r"\bassume (?:that )?we\b",
    r"\bif we (?:had|were|didn't|did not|could|got|hired|needed|only had)\b.{0,80}?\bwould\b",
    r"^\W*say\s+(?:that\s+)?(?:we|our|the|it|they|there)\b",
    r"\bthen what\b",
    r"\bwhat happens if\b",
    r"\bhow about if\b",
)
_WHY_NOT = _rx(
    r"\bwhy\s+(?:not|wouldn't|wouldnt|shouldn't|shouldnt|couldn't|couldnt|don't|dont|didn't|didnt|can't|cant|"
    r"isn't|isnt|aren't|arent|won't|wont)\b",
    r"\bwhy (?:would|should) (?:we|i) not\b",
    r"\bhow come (?:you |it's |it is |this is |that's |you're )?(?:didn't|didnt|don't|dont|did not|do not|"
    r"not|no|won't|wouldn't|isn't)\b",
    r"\bwhat about (?:a |an |the |using |going |just )?(?=custom|foundation|hybrid|llm|gpt|an? (?:api|llm))",
    r"\b(?:isn't|wouldn't|won't|doesn't) (?:a |an |the )?(?:custom|foundation|"
    r"hybrid)\b[^.?!]{0,60}?\b(?:be )?(?:better|work|make more sense|fit)\b",
)
_TARGETS = {
    "custom": _LazyRe(
        r"\bcustom\b|\b(?:our|my|an?|its) own\b|\bbuild(?:ing)? (?:it |one |"
        r"a model )?(?:ourselves|in[- ]house)\b|\btrain(?:ing)? (?:\w+\s+){0,2}?(?:ourselves|"
        r"from scratch|in[- ]house)\b|\bfrom scratch\b|\bbespoke\b|\bin[- ]house model\b|"
        r"\btask[- ]specific\b"
    ),
    "foundation": _LazyRe(
        r"\bfoundation\b|\bllms?\b|\bgpt\S*|\bchat-?gpt\b|\bclaude\b|\bgemini\b|\bopenai\b|"
        r"\bapis?\b|\boff[- ]the[- ]shelf\b|\bpre-?trained\b|\blarge language models?\b|"
        r"\bgen(?:erative)? ?ai\b"
    ),
    "hybrid": _LazyRe(r"\bhybrid\b|\bcombin\w+|\bboth\b|\bmix\w*"),
}
_WHY = _rx(
    r"^\W*(?:(?:ok|okay|so|but|and|hmm+|hm+|wait|really|ah|oh|interesting|sure|right|um+|"
    r"uh+)\W+)*why\b(?!\s+(?:is|are|do|does|would|can|should)\s+(?:a |an |the )?(?:foundation|custom|hybrid|"
    r"llms?|models?|fine-?tuning|distillation|rag|embeddings?|labell?ing|transformers?)\b)",
    r"\bwhy (?:do|did|would|does|is|are|should|was|were) (?:you|it|that|this|the recommendation)\b",
    r"\bexplain (?:why|the reason|your reason|the rationale|how you (?:decided|got|chose|came))",
    r"\breason(?:s|ing)? (?:for|behind)\b",
    r"\b(?:main|key|top) reasons?\b",
    r"\brationale\b",
    r"\bjustify (?:that|this|it|your)\b|\b(?:can|could|would) you justify\b",
    r"\bhow did you (?:decide|arrive|come to|get to|reach|pick|choose)\b",
    r"\bwhat(?:'s| is| are|s) (?:the|your) reasons?\b",
    r"\bon what basis\b",
    r"\bwhat makes you (?:say|think|recommend|suggest)\b",
    r"\bwhat makes (?:a |an |the )?(?:custom|foundation|hybrid|it|this|that)\b",
    r"\bwhy that\b",
    r"\bhow so\b",
    r"\bhow (?:sure|confident|certain) are you\b",
    r"\bwhy\W*$",
    r"\b(?:tell|show|walk) (?:me|us) (?:through )?(?:why|the (?:reasoning|logic|reasons))\b",
    r"\bbehind (?:that|this|the|your) (?:recommendation|choice|answer|decision|verdict)\b",
)
_CHANGE_MIND = _rx(
    r"\bchange your mind\b",
    r"\b(?:recommend|suggest|pick|choose) (?:something|anything) (?:else|different)\b",
    r"\b(?:another|a different|the other) (?:option|answer|recommendation|approach|choice)\b",
    r"\b(?:flip|change|switch|reverse)\w* (?:your|the) (?:recommendation|answer|decision|verdict|mind)\b",
    r"\brecommendation (?:flip|change|switch)\w*",
    r"\b(?:which|what) (?:conditions|circumstances)\b",
    r"\bwhat would (?:have to|need to|it take)\b",
    r"\bwhat would make you\b",
    r"\bwhat (?:could|would|might) change (?:the|your) (?:answer|recommendation|decision)\b",
    r"\bwhat would (?:flip|change) (?:it|that|this)\b",
    r"\bwhat (?:are|is) (?:the )?deciding factors?\b",
    r"\bhow (?:robust|stable|solid|firm|fragile|sensitive|final) is (?:this|the|that|your)\b",
    r"\b(?:which|what) (?:facts?|fields?|answers?|things?|inputs?) (?:would|could|might) (?:flip|change|"
    r"alter)\b",
    r"\btipping point\b",
    r"\bat what point\b",
    r"\bbreak-?even\b",
)
_RECOMMEND = _rx(
    r"\brecc?om+e?nd\w*",
    r"\bsugg?est\w*",
    r"\bwhat (?:should|shall|would|do|could|can) (?:we|i) (?:use|do|pick|choose|go with|go for|build|buy|try|"
    r"start with)\b",
    r"\bwhich (?:approach|option|one|model|way|path|route|solution|of (?:these|them|the three|the options)|"
    r"is (?:best|better))\b",
    r"\bwhat(?:'s| is| would be|s) (?:your|the) (?:advice|verdict|take|pick|call|answer|best option|"
    r"best choice|best approach|best bet|opinion)\b",
    r"\bshould (?:we|i) (?:use|build|go|train|buy|pick|choose|start|fine-?tune|get)\b",
    r"\bwhat do you (?:think|advise|propose)\b",
    r"\badvi[sc]e\b",
    r"\bbest (?:option|approach|choice|fit) for us\b",
    r"\b(?:which|what) (?:would|should|do) you (?:pick|choose|go with|go for|use|do|suggest|advise)\b",
    r"\bin (?:our|my) (?:shoes|position|place)\b",
    r"\b(?:right|best|good|better|smart|wise)\s+(?:call|choice|fit|option|idea|approach|bet|move|"
    r"way to go)\b",
    r"\bthoughts\s*\?|\bany (?:thoughts|ideas|advice)\b|\bwhat do you reckon\b",
    r"\bhelp (?:us|me) (?:decide|choose|pick)\b",
    r"\bwhat(?:'s| is) the (?:verdict|decision)\b",
    r"\bbuild or buy\b",
)
_FIRST_PERSON = _LazyRe(
    r"\b(?:we|we're|we've|we'd|we'll|our|ours|us|i'm|i've|my|mine)\b|\bi (?:have|need|"
    r"want|am|run|work|plan)\b"
)
_CONCEPT_FORM = _rx(
    r"^\W*(?:(?:ok|okay|so|and|but|also|hmm+|quick question|question|hey|hi)\W+)*(?:what(?:'s| is| are| was|"
    r" were| does| do|s)|how (?:much |long |many )?(?:does|do|is|are|can|would)|explain|define|describe|"
    r"tell me (?:about|"
    r"more about|what)|can you (?:explain|describe|tell me about|define)|is there|are there|when (?:should|"
    r"would|do|does|is)|why (?:are|is|do|does|would|can|should))\b",
    r"\bdifferences? between\b",
    r"\bpros and cons\b",
    r"\bcompare\b",
    r"\b(?:downsides?|drawbacks?|upsides?|advantages?|disadvantages?|benefits?|strengths?|weaknesses?|"
    r"trade-?offs?|limitations?|risks?|costs?) (?:of|with|for)\b",
    r"\bwhat (?:does|do)\b.{0,80}?\bmean\b",
    r"\bhow (?:does|do)\b.{0,80}?\bwork\b",
    r"\bwhat(?:'s| is) (?:a|an)\b",
)
_CONCEPT_TERM = _LazyRe(
    r"\bfoundation\b|\bcustom models?\b|\bhybrid\b|\bmodels?\b|\bllms?\b|\bfine-?tun\w*|\bdistill\w*|\brag\b|"
    r"\bretrieval\b|\bembeddings?\b|\bfeature extraction\b|\btransfer learning\b|\block-?in\b|\blabell?ing\b|"
    r"\bannotation\b|\bprompt\w*|\btraining\b|\binference\b|\blatency\b|\bedge\b|\bapis?\b|"
    r"\bopen[- ]weights?\b|\bopen[- ]source\b|\bslms?\b|\bbootstrapp\w*|\bsynthetic data\b|\bzero-?shot\b|"
    r"\bfew-?shot\b|\bmachine learning\b|\bml\b|\bai\b|\bdeep learning\b|\bneural\b|\btransformers?\b|"
    r"\bhallucinat\w*|\bsam\b|\bstable diffusion\b|\bchat-?gpt\b|\bgpt\S*|\bvendor\b|\boverfit\w*|"
    r"\bdatasets?\b|\bmlops\b|\bquantiz\w*|\bon-?device\b|\bself-?host\w*|\bgdpr\b|\bprivacy\b|\btabular\b|"
    r"\bmultimodal\b|\bpre-?train\w*|\bsupervised\b|\bunsupervised\b|\bclassification\b|\bsegmentation\b|"
    r"\bdata science\b|\bcomputer vision\b|\bnlp\b|\bagents?\b|\btokens?\b|\bcontext window\b|\bgpus?\b"
)
_HELP = _rx(
    r"^\W*(?:(?:hi|hello|hey|hiya|howdy|yo|greetings|good (?:morning|afternoon|evening)|hallo)\W*)+(?:there|"
    r"all|everyone|team)?\W*$",
    r"\bwhat (?:can|do) you do\b",
    r"\bwhat are you\b",
    r"\bwho are you\b",
    r"\bhow (?:does|do) (?:this|it|you|this (?:tool|thing|assistant|app)) work\b",
    r"\bhow (?:do|can|should) (?:i|we) (?:use|start|begin)\b",
    r"\bwhat (?:kind|sort|type)s? of (?:questions|things)\b",
    r"\bwhat can (?:i|we) ask\b",
    r"\bhow can you help\b",
    r"^\W*help\W*$",
    r"\bhelp me get started\b",
    r"\bget(?:ting)? (?:started|going)\b",
    r"\bwhat (?:info|information|details|data|facts) (?:do|would|will) you need\b",
    r"\bwhat do you need (?:from|to know)\b",
    r"\bwhat is this\b",
    r"^\W*(?:menu|commands|options|usage)\W*$",
    r"\bwhat (?:should|do) (?:i|we) tell you\b",
    r"\bwhat do you need to know\b",
    r"^\W*(?:thanks|thank you|thx|ty|ok|okay|cool|great|nice|got it|alright|sure|yes|no|yep|nope|fine|"
    r"perfect|awesome)\W*$",
)
_OUT_OF_SCOPE = _LazyRe(
    r"\bweather\b|\bpoems?\b|\bpoetry\b|\bhaiku\b|\bsongs?\b|\blyrics\b|\bjokes?\b|\brecipes?\b|\bcook\w*|"
    r"\btax(?:es)?\b|\btax return\b|\bflights?\b|\bhotels?\b|\bbook me\b|\brestaurants?\b|\bmovies?\b|"
    r"\bfootball\b|\bsoccer\b|\bhoroscope\b|\bdating\b|\blottery\b|\bstock tips?\b|\bbitcoin\b|\bhomework\b|"
    r"\bessay\b|\bpizza\b|\bfood\b|\bvacation\b|\bholiday\b|\bgifts?\b|\bgame\b|\buseless\b|\bstupid\b|"
    r"\bidiot\w*|\bdumb\b|\bmoron\b|\bjunk\b|\btrash\b|\bgarbage\b|\bsucks?\b|\bshut up\b|\bhate you\b|"
    r"\bworthless\b|\bpathetic\b|\bf+u+c+k\w*|\bshit\w*|\bcrap\b"
)

_ON_TOPIC = _LazyRe(
    r"\b(?:data|dataset|datasets|documents?|records|files|archive|models?|ml|ai|llms?|team|engineers?|users?|"
    r"customers?|clients?|app|application|product|system|platform|service|project|pipeline|budget|apis?|"
    r"traffic|requests|labels?|latency|deploy\w*|infra\w*|servers?|cloud|gpus?|training|inference|prototype|"
    r"production|vendors?|privacy|use case|accuracy|classifier|chatbot|assistant|cameras?|sensors?|devices?|"
    r"phones?|video|images?|text|audio|costs?|code|content|recommendation|reports?|stack|auditors?|"
    r"regulators?)\b"
)

# ------------------------------------------------------------------------------------------- context replies

_YES = _LazyRe(
    r"^\W*(?:yes|yeah|yea|yep|yup|ya|sure|correct|right|absolutely|definitely|indeed|of course|"
    r"certainly|affirmative|y|we do|we have|we can|it does|it is|it will|it must|it has to|"
    r"that's right|true)\b"
)
_NO = _LazyRe(
    r"^\W*(?:no|nope|nah|not really|not at all|negative|n|we don't|we do not|we dont|we can't|"
    r"we cannot|it doesn't|it does not|it isn't|it is not|it won't|nobody|none|not yet|false|never|"
    r"no way|nothing)\b"
)
_UNSURE = _LazyRe(
    r"\b(?:not sure|unsure|don't know|dont know|do not know|no idea|dunno|unknown|no clue|"
    r"can't say|hard to say|skip|pass|not decided|undecided|tbd)\b"
)
_REPLY_REST = _LazyRe(
    r"^\W*(?:$|[,.!;:-]|(?:we|i|it|not|thanks|thank|let's|lets|keep|stick|don't|do|go|that|"
    r"please|just|none|never|way|actually|at all|really|thanks)\b)"
)
_ANSWERS: dict[str, tuple[tuple[Value, _LazyRe], ...]] = {
    name: tuple((value, _LazyRe(pattern)) for value, pattern in spec)
    for name, spec in {
        "task": (
            ("narrow", r"\bnarrow\b|\bspecific\b|\bwell[- ]defined\b|\bone (?:thing|task)\b|\bsingle\b"),
            (
                "open_ended",
                r"\bopen[- ]?ended\b|\bbroad\b|\bgeneral\b|\bcreative\b|\banything\b|"
                r"\bopen\b",
            ),
        ),
        "stage": (
            ("prototype", r"\bproto\w*|\bmvp\b|\bdemo\b|\bpoc\b|\bpilot\b|\btest\b|\bexperiment\w*"),
            ("production", r"\bproduction\b|\bprod\b|\blive\b|\blong[- ]term\b|\breal product\b"),
        ),
        "labeled_data": (
            ("none", r"^\W*(?:none|nothing|zero|0)\b|\bno labels\b"),
            (
                "some",
                r"\bsome\b|\ba few\b|\ba little\b|\ba bit\b|\blimited\b|\bnot (?:many|much|"
                r"a lot)\b|\ba handful\b|\bfew\b|\bsmall\b",
            ),
            (
                "plenty",
                r"\bplenty\b|\blots\b|\ba lot\b|\btons\b|\bloads\b|\bmany\b|\bheaps\b|"
                r"\bhuge\b|\blarge\b|\bmassive\b|\bmillions\b|\bthousands\b",
            ),
        ),
        "privacy": (
            ("none", r"^\W*(?:none|nothing)\b|\bpublic\b|\bnot sensitive\b|\bno concerns?\b"),
            ("sensitive", r"\bsensitive\b|\bpersonal\b|\bpii\b|\bgdpr\b|\bconfidential\b|\bhipaa\b"),
            (
                "strict",
                r"\bstrict\w*|\bon[- ]?prem\w*|\bair[- ]?gapped\b|\bmust stay\b|"
                r"\bvery strict\b|\bcan't leave\b|\bcannot leave\b|\bin[- ]house only\b",
            ),
        ),
        "latency": (
            (
                "relaxed",
                r"\brelaxed\b|\bbatch\b|\bovernight\b|\bno rush\b|\bslow is fine\b|"
                r"\bdoesn't matter\b|\bnot important\b|\bhours\b|\bminutes\b",
            ),
            ("interactive", r"\binteractive\b|\bseconds?\b|\bfast\b|\bquick\b|\bsnappy\b"),
            ("realtime", r"\breal[- ]?time\b|\binstant\w*|\bmilliseconds\b|\bms\b|\bfps\b"),
        ),
        "volume": (
            ("low", r"\blow\b|\bsmall\b|\bfew\b|\bnot (?:much|many|a lot)\b|\blight\b|\btiny\b"),
            ("medium", r"\bmedium\b|\bmoderate\b|\baverage\b|\bmid\b"),
            ("high", r"\bhigh\b|\bhuge\b|\bmassive\b|\blots\b|\ba lot\b|\bheavy\b|\bmillions\b"),
        ),
        "budget": (
            (
                "low",
                r"\blow\b|\bsmall\b|\btight\b|\btiny\b|\blimited\b|\bnone\b|\bnothing\b|"
                r"\bminimal\b",
            ),
            (
                "medium",
                r"\bmedium\b|\bmoderate\b|\breasonable\b|\bdecent\b|\baverage\b|\bok\b|"
                r"\bokay\b",
            ),
            (
                "high",
                r"\bhigh\b|\bbig\b|\blarge\b|\bhuge\b|\bgenerous\b|\bplenty\b|\bunlimited\b|"
                r"\bample\b",
            ),
        ),
        "edge": (
            (False, r"\bcloud\b|\bservers?\b|\bbackend\b|\bdata ?cent(?:er|re)\b"),
            (True, r"\bdevices?\b|\bphones?\b|\bedge\b|\boffline\b|\bmobile\b|\blocal(?:ly)?\b"),
        ),
        "external_api_ok": (
            (
                False,
                r"\bnot (?:allowed|ok|okay|acceptable|fine)\b|\bforbidden\b|\bbanned\b|"
                r"\bnever\b",
            ),
            (True, r"\b(?:fine|ok|okay|allowed|acceptable|no problem)\b"),
        ),
        "ml_team": (
            (False, r"\b(?:none|nobody|zero|no one|not a single)\b"),
            (True, r"\b(?:a few|some|several|a couple|one|two|three|four|five|\d+)\b"),
        ),
        "data_type": (
            ("tabular", r"\btables?\b|\bstructured\b"),
            ("text", r"\bwords\b|\bwriting\b"),
            ("multimodal", r"\bboth\b|\bmixed\b|\ball of (?:them|the above)\b"),
        ),
    }.items()
}
_SHORT_REPLY_WORDS = 8


def _reply_polarity(text: str, states_facts: bool) -> str | None:
    """ "yes" / "no" when the reply is a bare yes or no (possibly with a short tail), else None.
    "no ML team" states a fact and is not a bare "no"; "nope, none at all" is."""
    for polarity, rx in (("no", _NO), ("yes", _YES)):
        m = rx.match(text)
        if m and (_REPLY_REST.match(text[m.end() :]) or (len(text.split()) <= 3 and not states_facts)):
            return polarity
    return None


def _answer(name: str, text: str, polarity: str | None) -> Value | None:
    """A short reply read as an answer to the question about `name`."""
    short = len(text.split()) <= _SHORT_REPLY_WORDS
    if short:
        for value, rx in _ANSWERS.get(name, ()):
            if rx.search(text):
                return value
        if name in {"volume", "labeled_data"}:
            qty = quantities(text)
            if qty:
                amount = qty[-1][0]
                if name == "volume":
                    return _volume_level(amount)  # a bare number answering "how many requests?" is per day
                return "plenty" if amount >= LABELS_PLENTY else "some" if amount > 0 else "none"
    if polarity and name in YES_NO:
        return YES_NO[name][0 if polarity == "yes" else 1]
    return None


_SENTENCE = re.compile(r"[^.?!]+[.?!]*")
_OPTION = re.compile(r"\b(?:foundation|custom|hybrid)\b")


def _asks_between_options(text: str) -> bool:
    """ "foundation model, custom model or hybrid?", "custom model yes or no?" (checked per sentence: one
    regex for this would backtrack badly on long pastes)."""
    for m in _SENTENCE.finditer(text):
        sentence = m.group()
        if "?" in sentence and " or " in sentence:
            options = set(_OPTION.findall(sentence))
            if len(options) >= 2 or (options and "yes or no" in sentence):
                return True
    return False


def _why_not_target(text: str, start: int) -> str | None:
    best: tuple[int, str] | None = None
    for name, rx in _TARGETS.items():
        m = rx.search(text, start)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), name)
    return best[1] if best else None


# ------------------------------------------------------------------------------------------- understander


class RuleBasedUnderstander:
    """The offline implementation of `Understander`: regular expressions, no model, no I/O."""

    def understand(self, text: str, context: Context = NO_CONTEXT) -> Turn:
        clean = clean_text(text)
        low = clean.lower()
        if _INJECTION.search(low):
            # Security choice: an injection turn carries no changes, even if it also states facts, so a
            # pasted attack cannot smuggle profile changes in. The user can restate the facts on their own.
            return Turn("injection", {}, text=clean)
        flat = low.replace("\n", " . ")
        changes = extract_fields(flat)
        polarity = _reply_polarity(flat, bool(changes))

        pending: str | None = None
        if context.pending_what_if:
            if polarity == "no" or _DISCARD.search(flat) or _DISCARD_PENDING.search(flat):
                pending = "discard"
            elif polarity == "yes" or _ADOPT.search(flat) or _ADOPT_PENDING.search(flat):
                pending = "adopt"

        answered = False
        asked = context.asked_field if context.asked_field in FIELDS else None
        if asked and pending is None and asked not in changes:
            if _UNSURE.search(flat) and len(flat.split()) <= _SHORT_REPLY_WORDS:
                answered = True  # "not sure": an answer that leaves the field unknown
            else:
                value = _answer(asked, flat, polarity)
                if value is not None:
                    changes[asked] = value
                    answered = True
                    if asked == "privacy" and value == "strict":
                        changes.setdefault("external_api_ok", False)
        elif asked and asked in changes:
            answered = True

        intent, target = self._intent(flat, changes, pending, answered)
        if intent not in _KEEP_CHANGES:
            changes = {}
        valid = {k: v for k, v in changes.items() if parse_value(k, v) == v}
        return Turn(intent, valid, intent == "what_if", target, clean)

    @staticmethod
    def _intent(
        text: str, changes: dict[str, Value], pending: str | None, answered: bool
    ) -> tuple[str, str | None]:
        if _RESET.search(text):
            return "reset", None
        if _UNDO.search(text):
            return "undo", None
        if pending:
            return pending, None
        if _DISCARD.search(text):
            return "discard", None
        if _ADOPT.search(text):
            return "adopt", None
        if _OUT_OF_SCOPE.search(text) and not changes and not _ON_TOPIC.search(text):
            return "out_of_scope", None  # "recommend me a pizza place": an explicit off-topic request
        if _WHAT_IF.search(text):
            return "what_if", None
        why_not = _WHY_NOT.search(text)
        if why_not:
            target = _why_not_target(text, why_not.start())
            if target:
                return "why_not", target
            return "why", None
        if _WHY.search(text):
            return "why", None
        if _CHANGE_MIND.search(text):
            return "change_mind", None
        if _RECOMMEND.search(text) or _asks_between_options(text):
            return "recommend", None
        concept = bool(_CONCEPT_FORM.search(text) and _CONCEPT_TERM.search(text))
        if concept and not _FIRST_PERSON.search(text):
            return "concept", None  # a general question: its field words are topics, not facts
        if changes or answered:
            return "describe", None
        if concept:
            return "concept", None
        if _OUT_OF_SCOPE.search(text):
            return "out_of_scope", None
        if _HELP.search(text):
            return "help", None
        if _ON_TOPIC.search(text):
            # About the project but no fact we can read ("our ML guy left last year"): describe with no
            # changes, so the session asks its next question instead of calling it off-topic.
            return "describe", None
        return "out_of_scope", None


def understand(text: str, context: Context = NO_CONTEXT) -> Turn:
    """Module-level shortcut for the offline understander."""
    return _DEFAULT.understand(text, context)


_DEFAULT = RuleBasedUnderstander()


def is_instruction(sentence: str) -> bool:
    """Does this sentence read like an instruction to the assistant (the injection detector's verdict)?"""
    return bool(_INJECTION.search(clean_text(sentence).lower()))
