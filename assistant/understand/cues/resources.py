"""Cues for what the team brings: ML people (`ml_team`), labelled data (`labeled_data`) and money (`budget`).

Why its own module: these three fields are the resources a custom model needs, and two of them need more
than a fixed value: how much labelled data a phrase speaks of (`_labels`: a count, "plenty", else "some"),
and which budget level the adjectives around "budget" state (`_budget`: "budget: small", "not huge but not
tiny"). The cue phrases are vocabulary; keep each field's cues together, specific ones first.
"""

from __future__ import annotations

import re

from ...types import Value
from ..numbers import LABELS_PLENTY, quantities
from ..patterns import LazyRe
from ..text import after, before, clause_end, clause_start
from .cue import Cue, cue

__all__ = ["BUDGET", "LABELED_DATA", "ML_TEAM"]

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
_PLENTY_WORDS = LazyRe(
    r"\b(?:plenty|lots|loads|tons|a lot|a ton|large|huge|massive|big|extensive|vast|"
    r"abundant|many|years of|a wealth|enormous|millions|thousands)\b"
)
_SOME_WORDS = LazyRe(
    r"\b(?:some|a few|few|a small|small|limited|a handful|handful|a bit|a little|"
    r"partial(?:ly)?|not many|not much|a couple|scarce|only a|modest)\b"
)


def _labels(text: str, m: re.Match[str]) -> Value | None:
    """How much labelled data a positive label cue speaks of: a count, a quantity word, else "some"."""
    clause = text[clause_start(text, m.start()) : m.start()]
    if clause.endswith(("to ", "for ", "help ")):  # "use GPT to label data": an action, not labels we have
        return None
    near = [q for q in quantities(clause) if len(clause[q[2] :].split()) <= 2]
    if not near:  # "label 2k rows", "we've annotated roughly 40,000 documents", "labels for 250k records"
        near = [q for q in quantities(text[m.end() : clause_end(text, m.end())]) if q[1] < 20]
    if near:
        return "plenty" if near[-1][0] >= LABELS_PLENTY else "some"
    lead = " ".join(clause.split()[-4:])
    if _PLENTY_WORDS.search(lead) and not _SOME_WORDS.search(lead):
        return "plenty"
    return "some"


_KEY_VALUE = LazyRe(r"\s*[:=]\s*")
_BUDGET_ADJ = LazyRe(
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
    window = f"{before(text, m.start(), 4)} | {after(text, colon.end() if colon else end, 6)}"
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


ML_TEAM: tuple[Cue, ...] = (
    cue(
        "ml_team",
        rf"\b{_ML}[- ]{_ML_ROLE}\b|\bdata (?:people|folks|persons|nerds|team)\b|"
        rf"\bdata scientists?\b|\bml engineers?\b|\bmles?\b|"
        r"\bresearch scientists?\b|\b(?:does|do|doing|knows?|understands?)\s+(?:ml|"
        r"machine learning|data science|ai)\b(?!\s+(?:models?|apis?|systems?|projects?|pipelines?|"
        r"tools?))",
        True,
        False,
    ),
    cue(
        "ml_team",
        r"\b(?:never|not once)\s+(?:\w+\s+)?(?:trained|built|fine-tuned|deployed)\s+(?:a |an |"
        r"any )?(?:ml |machine learning |ai )?models?\b",
        False,
    ),
    cue(
        "ml_team",
        r"\b(?:only|just|all)\s+(?:\w+\s+){0,3}?(?:web|backend|back-end|frontend|front-end|"
        r"software|full-?stack|app|mobile|ios|android)\s+(?:(?:and|&|or)\s+(?:\w+\s+)?)?(?:devs|"
        r"developers|engineers|people|folks|programmers)\b",
        False,
    ),
)

LABELED_DATA: tuple[Cue, ...] = (
    cue("labeled_data", rf"\b{_LABEL}\b", _labels, "none"),
    cue(
        "labeled_data",
        r"\bun-?(?:label(?:l?ed)?|labl?ed|annotated)\b|\b(?:need|have|has|"
        r"would have) to (?:label|annotate) (?:everything|it all|all of it|all the data|"
        r"the whole)\b|\b(?:label\w*|annotat\w*) (?:\w+ )?from scratch\b",
        "none",
    ),
    cue("labeled_data", rf"\bnot (?:many|much|a lot of|a ton of|that many)\s+(?:\w+\s+)?{_LABEL}", "some"),
)

BUDGET: tuple[Cue, ...] = (
    cue(
        "budget",
        r"\b(?:money|budget|cost|costs|price|spend)\s+(?:is not|isn't|isnt|is no|aren't|are not|"
        r"is never|won't be|will not be)\s+(?:really\s+)?(?:an?\s+)?(?:issue|problem|object|concern|"
        r"constraint|limit)\b|\bno budget (?:constraints?|limits?|issues?|concerns?|problems?)\b|"
        r"\bdeep pockets\b|\bwell[- ]funded\b",
        "high",
    ),
    cue(
        "budget",
        r"\b(?:no|zero|hardly any|barely any|very little) (?:budget|money|funding|funds|"
        r"cash)\b(?! (?:constraints?|limits?|issues?|concerns?|problems?))|\bshoestring\b|"
        r"\bbootstrapped\b|\bcash[- ]strapped\b|\b(?:can't|cannot|can barely|can hardly|"
        r"could barely|barely|hardly) afford\b|\bstrapped for cash\b",
        "low",
    ),
    cue("budget", r"\bbud?ge?t\w*|\bmoney\b|\bfunding\b|\bfunds\b|\bcash\b|\bspend\b", _budget),
)
