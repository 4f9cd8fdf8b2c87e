"""Cues for how the model will run: `latency`, `edge` (on-device or in the cloud) and `volume` (traffic).

Why its own module: these fields describe serving, not data or people. Stated request rates ("2M/day")
are read by `understand.numbers.requests_per_day`, not here; these cues cover the words ("traffic is low").
The cue phrases are vocabulary; keep each field's cues together, specific ones first.
"""

from __future__ import annotations

from .cue import Cue, cue

__all__ = ["EDGE", "LATENCY", "VOLUME"]

LATENCY: tuple[Cue, ...] = (
    cue("latency", r"\breal[- ]?time\b", "realtime", None),
    cue("latency", r"\bnear[- ]real[- ]?time\b", "interactive", None),
    cue(
        "latency",
        r"\b\d+(?:\s*(?:-|to)\s*\d+)?\+?\s*(?:fps|frames? (?:per|a|/) ?s(?:ec(?:ond)?)?)\b|"
        r"\b(?:tens of|a few|few) milliseconds\b|\bin milliseconds\b|"
        r"\blow[- ]single[- ]digit milliseconds\b",
        "realtime",
    ),
    cue(
        "latency",
        r"\b(?P<ms>\d+(?:\.\d+)?)\s*(?:ms|millisec(?:ond)?s?)\b",
        lambda t, m: "realtime" if float(m.group("ms")) <= 100 else "interactive",
    ),
    cue(
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
    cue(
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
)

EDGE: tuple[Cue, ...] = (
    cue(
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
    cue(
        "edge",
        r"\b(?:run|runs|running|deployed|deploy|work|works|embedded|installed|live|"
        r"lives)\s+(?:\w+\s+)?(?:inside|in|on|into)\s+(?:the |a |an |our |each |every |"
        r"their )?(?:\w+'s\s+|\w+\s+)?(?:car|cars|vehicles?|robots?|drones?|machines?|units?|"
        r"appliances?|kiosks?|terminals?|boards?|chips?|handsets?|watch|watches|headsets?|glasses|"
        r"routers?|doorbells?|tractors?|printers?)\b",
        True,
        False,
    ),
    cue(
        "edge",
        r"\b(?:no|without(?: an?)?|little|patchy|spotty) (?:network|internet|connectivity|signal|"
        r"reception)(?: (?:connection|access))?\b",
        True,
    ),
    cue(
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
)

VOLUME: tuple[Cue, ...] = (
    cue(
        "volume",
        r"\b(?:low|light|modest|small|little|tiny|minimal) (?:traffic|volume|usage|load)\b|"
        r"\bnot (?:many|much|a lot of) (?:requests|traffic|queries|calls|usage)\b|\b(?:traffic|"
        r"volume|usage|load) (?:is|will be|stays|remains|should be) (?:\w+ )?(?:low|light|small|"
        r"modest|minimal|tiny)\b",
        "low",
        None,
    ),
    cue(
        "volume",
        r"\b(?:moderate|medium|average|mid) (?:traffic|volume|load|usage)\b|\b(?:traffic|volume|"
        r"usage|load) (?:is|will be|stays|remains|should be) (?:\w+ )?(?:moderate|"
        r"medium|average)\b",
        "medium",
        None,
    ),
    cue(
        "volume",
        r"\b(?:high|heavy|huge|massive|large|big|enormous) (?:traffic|volume|load|usage|"
        r"request volume)\b|\b(?:traffic|volume|usage|load) (?:is|will be|stays|remains|"
        r"should be) (?:\w+ )?(?:high|heavy|huge|massive|enormous)\b",
        "high",
        None,
    ),
)
