"""Short replies to the assistant's question: yes / no / not sure, and one- or two-word answers.

Why its own module: a reply like "nope", "plenty", "strict" or "about 5k" states nothing on its own; it
means something only as the answer to the field the assistant just asked about (`TurnContext.asked_field`),
and a bare yes / no only for the fields whose question is phrased for one (`YES_NO`). A full sentence is
read as usual, and the asked field does not swallow the other facts it states.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

from ..types import Value
from .numbers import LABELS_PLENTY, quantities, volume_level
from .patterns import LazyRe

__all__ = ["YES_NO", "Polarity", "read_answer", "reply_polarity"]

Polarity: TypeAlias = Literal["yes", "no"]

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

_YES = LazyRe(
    r"^\W*(?:yes|yeah|yea|yep|yup|ya|sure|correct|right|absolutely|definitely|indeed|of course|"
    r"certainly|affirmative|y|we do|we have|we can|it does|it is|it will|it must|it has to|"
    r"that's right|true)\b"
)
_NO = LazyRe(
    r"^\W*(?:no|nope|nah|not really|not at all|negative|n|we don't|we do not|we dont|we can't|"
    r"we cannot|it doesn't|it does not|it isn't|it is not|it won't|nobody|none|not yet|false|never|"
    r"no way|nothing)\b"
)
_UNSURE = LazyRe(
    r"\b(?:not sure|unsure|don't know|dont know|do not know|no idea|dunno|unknown|no clue|"
    r"can't say|hard to say|skip|pass|not decided|undecided|tbd)\b"
)
_REPLY_REST = LazyRe(
    r"^\W*(?:$|[,.!;:-]|(?:we|i|it|not|thanks|thank|let's|lets|keep|stick|don't|do|go|that|"
    r"please|just|none|never|way|actually|at all|really|thanks)\b)"
)

# What a short reply means for the asked field: (value, pattern), the first match wins.
_ANSWER_PHRASES: dict[str, tuple[tuple[Value, str], ...]] = {
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
}
_ANSWERS: dict[str, tuple[tuple[Value, LazyRe], ...]] = {
    name: tuple((value, LazyRe(pattern)) for value, pattern in spec) for name, spec in _ANSWER_PHRASES.items()
}
_SHORT_REPLY_WORDS = 8


def reply_polarity(text: str, states_facts: bool) -> Polarity | None:
    """ "yes" / "no" when the reply is a bare yes or no (possibly with a short tail), else None.
    "no ML team" states a fact and is not a bare "no"; "nope, none at all" is."""
    candidates: tuple[tuple[Polarity, LazyRe], ...] = (("no", _NO), ("yes", _YES))
    for polarity, pattern in candidates:
        m = pattern.match(text)
        if m and (_REPLY_REST.match(text[m.end() :]) or (len(text.split()) <= 3 and not states_facts)):
            return polarity
    return None


def read_answer(asked: str, text: str, polarity: Polarity | None) -> dict[str, Value] | None:
    """The reply read as the answer to the question about `asked`: the facts it sets ({} for "not sure",
    an answer that leaves the field unknown), or None when it does not answer the question."""
    if _UNSURE.search(text) and len(text.split()) <= _SHORT_REPLY_WORDS:
        return {}
    value = _answer(asked, text, polarity)
    if value is None:
        return None
    if asked == "privacy" and value == "strict":
        return {asked: value, "external_api_ok": False}  # convention: strict = the data may not leave
    return {asked: value}


def _answer(name: str, text: str, polarity: Polarity | None) -> Value | None:
    """A short reply read as an answer to the question about `name`."""
    short = len(text.split()) <= _SHORT_REPLY_WORDS
    if short:
        for value, pattern in _ANSWERS.get(name, ()):
            if pattern.search(text):
                return value
        if name in {"volume", "labeled_data"}:
            qty = quantities(text)
            if qty:
                amount = qty[-1][0]
                if name == "volume":
                    return volume_level(amount)  # a bare number answering "how many requests?" is per day
                return "plenty" if amount >= LABELS_PLENTY else "some" if amount > 0 else "none"
    if polarity and name in YES_NO:
        return YES_NO[name][0 if polarity == "yes" else 1]
    return None
