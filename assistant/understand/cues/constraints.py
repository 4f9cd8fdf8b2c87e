"""Cues for what the project must respect: `privacy`, `external_api_ok` and `control` (ownership, lock-in).

Why its own module: these fields are the constraints that can exclude an option outright, and they share
vocabulary: "can't leave our servers" is strict privacy and, by convention, no external API; whether a
mention of an API allows or forbids it is read from its clause (`_api`: "we'd prefer to avoid APIs" is a
preference, not a constraint). The cue phrases are vocabulary; keep each field's cues together.
"""

from __future__ import annotations

import re

from ...types import Value
from ..patterns import LazyRe
from ..text import clause_end, clause_start, negated
from .cue import Cue, cue

__all__ = ["CONTROL", "EXTERNAL_API_OK", "PRIVACY"]

_API = (
    r"(?:(?:external|third[- ]party|3rd[- ]party|hosted|cloud|commercial|public|vendor|model|llm|ai|"
    r"openai|anthropic|gpt|inference|saas|outside)\s+)*(?:apis?|api calls|endpoints?)|openai|anthropic|"
    r"claude|chat-?gpt|gpt-?\d\S*|gemini|hosted (?:models?|llms?|ai)|(?:third[- ]party|external|cloud|"
    r"commercial|outside) (?:models?|llms?|ai|ai services?|ai providers?|model providers?|ai vendors?)"
)
_API_NO = LazyRe(
    r"\b(?:can't|cannot|can not|cant|not allowed|aren't allowed|isn't allowed|is not allowed|are not allowed|"
    r"mustn't|must not|may not|never|forbidden|banned|prohibited|not an option|not acceptable|unacceptable|"
    r"off the table|out of the question|won't sign off|not permitted|no-go|not ok|not okay|not fine|avoid|"
    r"no way|disallowed|not possible|won't allow|wont allow|doesn't allow|don't allow|dont allow|"
    r"doesnt allow|isn't an option|won't approve|will not allow|refuses?)\b"
)
_API_YES = LazyRe(
    r"\b(?:ok|okay|fine|acceptable|allowed|no problem|happy to|can use|could use|we use|we're using|"
    r"already use|permitted|approved|good with|comfortable|go ahead|no issue|not a problem|totally fine|"
    r"open to|willing to|pay for|paying for|subscription|contract with|agreement with|covers? (?:that|it|"
    r"this)|works (?:fine|well)|already using|using it|we have access)\b"
)


_SOFT = LazyRe(
    r"\b(?:prefer(?:ably)?|rather|ideally|if possible|not a hard (?:rule|requirement)|"
    r"nice to have)\b"
)


def _api(text: str, m: re.Match[str]) -> Value | None:
    start, end = clause_start(text, m.start()), clause_end(text, m.end())
    clause = text[start:end]
    if _SOFT.search(clause):
        return None  # "we'd prefer to avoid APIs": a preference, not a constraint
    if negated(text, m.start(), 4) or _API_NO.search(clause):
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

PRIVACY: tuple[Cue, ...] = (
    cue(
        "privacy",
        rf"\b{_CAN_NOT}\s+(?:ever\s+)?(?:leave|exit|go (?:outside|beyond|off|out of)|"
        rf"be sent (?:out|outside|off|out of|to)|be (?:uploaded|shared|transferred)|"
        rf"cross)\s+(?:of\s+)?{_STRICT_PLACE}\b",
        "strict",
    ),
    cue(
        "privacy",
        r"\b(?:stay|stays|remain|remains|be kept|kept|reside|resides|be stored|stored|be processed|"
        r"processed|be hosted|live)\s+(?:\w+\s+){0,2}?(?:on[- ]?prem\w*|in[- ]house|on[- ]site|"
        r"(?:on|in|inside|within|behind) (?:our|the) (?:own\s+)?(?:\w+\s+)?(?:servers|"
        r"infrastructure|hardware|premises|machines|network|firewall|walls|vpc|data ?cent(?:er|"
        r"re)s?|systems))",
        "strict",
        None,
    ),
    cue(
        "privacy",
        r"\b(?:strict|stringent|very tight|rigorous) "
        r"(?:privacy|confidentiality|data[- ]protection)\b|"
        r"\b(?:privacy|confidentiality|data[- ]protection) (?:requirements|rules|constraints|needs|"
        r"policies) (?:are|is) (?:very )?(?:strict|stringent|rigorous)\b",
        "strict",
    ),
    cue(
        "privacy",
        r"\bon[- ]?prem\w* only\b|\bonly on[- ]?prem\w*|\bair[- ]?gapped\b|\b(?:strictly|highly|"
        r"extremely|very) confidential\b|\btop[- ]secret\b|\bclassified (?:data|information|"
        r"documents)\b|\b(?:nothing|no data|none of (?:it|the data|our data))\s+(?:\w+\s+)?(?:can|"
        r"may|could|should|must|will|is allowed to|gets to)\s+(?:ever\s+)?(?:leave|go|be sent|"
        r"be processed|be stored|be hosted|be uploaded|exit)\b|\bdata sovereignty\b",
        "strict",
    ),
    cue(
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
    cue(
        "privacy",
        r"\b(?:forbids?|prohibits?|prevents?|bars?|disallows?|bans?)\s+(?:any\s+|the\s+|our\s+|"
        r"all\s+)?(?:data|information|records|documents|files)\s+(?:from\s+)?(?:leaving|"
        r"going (?:outside|out)|being (?:sent|uploaded|shared|processed) (?:outside|"
        r"externally|to))",
        "strict",
    ),
    cue(
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
    cue(
        "privacy",
        rf"\b(?:data|it|records|documents|files|information|anything|nothing|none of it|images|"
        rf"recordings|texts?)\s+(?:\w+\s+)?{_CAN_NOT}\s+(?:ever\s+)?(?:go|be sent|be uploaded|be "
        r"shared|be transferred|be processed|be stored|be hosted|end up)\s+(?:(?:to|with|in|on|"
        r"outside|by|at)\s+(?:any\s+|a\s+|the\s+|an\s+)?(?:public\s+)?(?:cloud|third[- ]part|"
        r"external|outside|"
        rf"vendor|provider|foreign)|outside (?:of )?{_STRICT_PLACE})",
        "strict",
    ),
)

EXTERNAL_API_OK: tuple[Cue, ...] = (
    cue("external_api_ok", rf"\b(?:{_API})\b", _api),
    cue(
        "external_api_ok",
        rf"\b{_CAN_NOT}\s+(?:use|call|send|share|upload|transfer|pass|rely on)\s+"
        r"(?:\w+\s+){0,3}?(?:to|with|on)\s+(?:any\s+)?(?:third[- ]part(?:y|ies)|external|"
        r"outside|vendors?|the cloud|cloud (?:providers?|services))",
        False,
    ),
    cue(
        "external_api_ok",
        r"\bself-?host(?:ed|ing)? only\b|\bmust be self-?hosted\b|\b(?:no|"
        r"without) (?:external|third[- ]party|outside|cloud) (?:services|providers|vendors|"
        r"calls)\b",
        False,
    ),
)

CONTROL: tuple[Cue, ...] = (
    cue(
        "control",
        r"\bfull (?:control|ownership)\b|\bown(?:ing)? (?:the|our) (?:model|weights|stack)\b|"
        r"\bownership of (?:the|our) (?:model|weights)\b|\bexplainab\w+|\binterpretab\w+|"
        r"\bauditab\w+|\b(?:be able to|must|need to|needs to|have to|has to|want to|should|"
        r"must be able to)\s+(?:\w+\s+){0,2}?(?:retrain|re-train|debug|explain|audit|"
        r"inspect)\b(?! why)",
        True,
        False,
    ),
    cue(
        "control",
        r"\b(?:explain|justify|audit|trace) (?:every|each|all|individual|its|the model's|our|"
        r"any) (?:single )?(?:decisions?|predictions?|outputs?|results?|scores?)\b|"
        r"\bretrain (?:it )?(?:ourselves|whenever|any ?time|on demand|regularly)\b",
        True,
        False,
    ),
    cue(
        "control",
        r"\b(?:no|avoid|avoiding|without|not|never|don't want|can't have|cannot have|can't accept|"
        r"zero|must not have|won't accept)\s+(?:any\s+)?(?:vendor\s+|platform\s+)?lock[- ]?in\b|"
        r"\bnot (?:be )?(?:locked|tied) (?:in|into|to)\b|\b(?:worried|concerned|afraid|wary|"
        r"scared) (?:about|of) (?:\w+\s+)?lock[- ]?in\b|\bvendor[- ]independen\w+|"
        r"\bindependen\w+ (?:from|of) (?:any |a |the |our |one )?(?:\w+ )?(?:vendors?|providers?|"
        r"suppliers?)\b",
        True,
    ),
    cue(
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
)
