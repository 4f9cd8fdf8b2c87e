"""Facts only from evidence: does the user's own text support a fact an LLM read into it?

One concern: the deterministic check behind every LLM-proposed profile fact. Small models invent facts
from nothing ("why?" -> a whole profile) and any model can be talked into dropping a constraint, so a
value the offline understander did not find is kept only if the text

  mentions the field   a cue word for the field (`FIELD_CUES`) occurs in the text, and
  plainly states it    in the same clause as that cue: a word for the value itself (`VALUE_CUES`), or, for
                       a yes/no field, the cue with the right polarity ("no ML team" states ml_team=false).

The cue vocabulary duplicates part of the offline understander's (assistant/understand/cues); it stays here
until vocabulary moves into data files (a separate issue).
"""

from __future__ import annotations

import re

from ..types import Value
from ..understand.text import negated

__all__ = ["FIELD_CUES", "VALUE_CUES", "clauses_with_cue", "mentions", "states"]


def _cues(table: dict[str, str]) -> dict[str, re.Pattern[str]]:
    return {name: re.compile(rf"\b(?:{pattern})", re.I) for name, pattern in table.items()}


# A cue word for each field: a field the LLM fills in must have one in the user's text.
FIELD_CUES: dict[str, re.Pattern[str]] = _cues(
    {
        "data_type": r"tabular|table|spreadsheet|csv|structured|text|document|e-?mail|chat|image|photo"
        r"|picture|video|footage|camera|audio|speech|voice|sound|multi-?modal|modal",
        "task": r"task|classif|predict|detect|generat|creative|open|summar|answer|extract|segment|forecast"
        r"|score",
        "stage": r"prototype|mvp|demo|poc|proof|production|launch|live|hackathon|pilot|long-term|years"
        r"|experiment",
        "ml_team": r"\bml\b|machine learning|data scien|engineer|team|developer|staff|people|expert",
        "labeled_data": r"label|annotat|tagged|ground truth|training data|examples",
        "privacy": r"privacy|private|sensitive|confidential|gdpr|hipaa|pii|personal|medical|patient|health"
        r"|financ|bank|leave|on-?prem|compliance|secret|regulat",
        "external_api_ok": r"api|openai|third|external|vendor|cloud|hosted|provider",
        "latency": r"latency|real-?time|fast|speed|millisecond|\bms\b|fps|instant|interactive|batch|wait"
        r"|second",
        "edge": r"edge|device|phone|mobile|embedded|camera|offline|server|cloud",
        "volume": r"request|volume|traffic|per day|a day|daily|users|scale|million|thousand|quer|calls",
        "budget": r"budget|cost|money|cheap|expensive|afford|spend|\$|fund",
        "control": r"control|lock-?in|retrain|debug|explain|own the|ownership|vendor",
    }
)

# Words that state a value of an enum field (checked in the clause of a field cue).
VALUE_CUES: dict[tuple[str, Value], re.Pattern[str]] = {
    (name, value): re.compile(rf"\b(?:{pattern})", re.I)
    for (name, value), pattern in {
        ("data_type", "tabular"): r"tabular|tables?\b|spreadsheets?|csv|structured data|rows and columns",
        ("data_type", "text"): r"text|documents?|e-?mails?|chats?\b|messages|tickets|reviews",
        ("data_type", "image"): r"images?|photos?|pictures?|scans?\b|x-?rays?",
        ("data_type", "video"): r"videos?|footage|camera streams?",
        ("data_type", "audio"): r"audio|speech|voice|sound|call recordings?",
        ("data_type", "multimodal"): r"multi-?modal|mixed media",
        ("task", "narrow"): r"narrow|well[- ]defined|specific|classif\w*|predict\w*|detect\w*|scor\w*|"
        r"extract\w*|segment\w*|forecast\w*",
        ("task", "open_ended"): r"open[- ]ended|creative|generat\w*|summar\w*|write|draft|brainstorm",
        ("stage", "prototype"): r"prototype|mvp|demo|poc|proof[- ]of[- ]concept|hackathon|pilot|experiment",
        ("stage", "production"): r"production|launch\w*|live|long[- ]term|for years|long[- ]lived",
        ("labeled_data", "none"): r"unlabell?ed|no (?:labell?ed |annotated )?(?:data|labels|examples)",
        ("labeled_data", "some"): r"some|a few|few|limited|small|a couple|hundreds?",
        ("labeled_data", "plenty"): r"plenty|lots|a lot|many|large|millions?|thousands|abundant|huge",
        ("privacy", "none"): r"no (?:special )?privacy|not (?:sensitive|confidential|private)|public data"
        r"|nothing sensitive|open data",
        ("privacy", "sensitive"): r"sensitive|personal|pii|medical|patient|health|financ|confidential",
        ("privacy", "strict"): r"strict|on-?prem\w*|(?:must|may|can) ?not leave|never leave|can't leave"
        r"|stays? (?:on|in|within)|regulat\w*|hipaa|gdpr|secret",
        ("latency", "relaxed"): r"relaxed|batch|overnight|no rush|not (?:urgent|critical)|can wait",
        ("latency", "interactive"): r"interactive|a second|seconds|user is waiting|users? wait",
        ("latency", "realtime"): r"real[- ]?time|milliseconds?|\d+ ?ms\b|fps|instant\w*",
        ("volume", "low"): r"low|few|small|dozens|hundreds|rarely",
        ("volume", "medium"): r"medium|moderate|thousands",
        ("volume", "high"): r"high|huge|heavy|massive|millions?|billions?|at scale",
        ("budget", "low"): r"tight|low|small|limited|cheap|shoestring|no budget|little money",
        ("budget", "medium"): r"moderate|medium|reasonable|average",
        ("budget", "high"): r"generous|large|big|high|plenty|deep pockets|unlimited",
    }.items()
}

# For yes/no fields: the cues that state "yes" when not negated and "no" when negated.
_POLAR_CUES: dict[str, re.Pattern[str]] = _cues(
    {
        "ml_team": r"\bml\b|machine learning|data scien\w*|ai engineers?",
        "external_api_ok": r"apis?\b|openai|third[- ]party|external (?:models?|services?|providers?)"
        r"|hosted models?",
        "edge": r"on[- ]device|edge|phones?|mobile|embedded",
        "control": r"full control|control over|own the model|ownership|retrain",
    }
)
_CLAUSE_SPLIT = re.compile(
    r"[.;!?\n]+|,\s*(?:but|and|while|whereas|although|though|so)?\b|\b(?:but|however|although|though|whereas)\b"
)


def mentions(name: str, text: str) -> bool:
    """A cue word for the field `name` occurs somewhere in `text`."""
    return bool(FIELD_CUES[name].search(text))


def clauses_with_cue(name: str, text: str) -> list[str]:
    """The clauses of `text` (lower-cased) that hold a cue word for the field `name`."""
    return [c.strip() for c in _CLAUSE_SPLIT.split(text.lower()) if c and FIELD_CUES[name].search(c)]


def states(name: str, value: Value, text: str) -> bool:
    """Does `text` plainly state `name` = `value`, in a clause that mentions the field?"""
    for clause in clauses_with_cue(name, text):
        if isinstance(value, bool):
            polar = _POLAR_CUES.get(name)
            for match in polar.finditer(clause) if polar else ():
                if negated(clause, match.start()) != value:
                    return True
            continue
        cue = VALUE_CUES.get((name, value))
        for match in cue.finditer(clause) if cue else ():
            negative_value = value == "none"  # "no labels", "no privacy concerns" carry their own "no"
            if negative_value or not negated(clause, match.start()):
                return True
    return False
