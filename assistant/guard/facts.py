"""Profile facts: what a sentence claims about the user's project (data, team, privacy, budget, ...).

One concern: reading fact claims. Each profile value has a few ways of being said ("tabular",
"spreadsheets", "rows and columns"); a claim counts only in a clause addressed to the user ("you", "your",
"we") that is not conditional ("if you had ..."), and "not"/"without"/"lack" before it negates it. The
profile check (`checks.Guard`) compares the claims with the profile.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ..types import Value
from .text import alternation as _alt
from .text import clauses, normalize

_YOU = re.compile(r"\b(?:you|your|you're|you've|you'll|yours|we|our|us|we're|we've)\b")
_ML = r"(?:ml|machine[- ]learning|data[- ]science)"
_ML_WHO = r"(?:team|engineers|expertise|skills|people|staff)"
_LABELS = r"(?:labell?ed|labels|annotated)"
_OUTSIDE = r"(?:third[- ]party|external)"
_FACT_TERMS: list[tuple[str, Value, str]] = [
    ("data_type", "tabular", r"tabular|structured data|spreadsheets?|rows and columns"),
    ("data_type", "text", r"text data|textual data|free text|text documents"),
    ("data_type", "image", r"image data|images|photos|pictures"),
    ("data_type", "video", r"video data|videos|video footage|footage"),
    ("data_type", "audio", r"audio data|audio|speech|voice recordings"),
    ("data_type", "multimodal", r"multi-?modal|mixed media"),
    (
        "task",
        "narrow",
        r"narrow(?:,| and)? (?:well-defined )?task|well[- ]defined(?:,)? (?:specific )?task"
        r"|specific task",
    ),
    ("task", "open_ended", r"open[- ]ended|creative task|exploratory task"),
    ("stage", "prototype", r"prototype|\bmvp\b|proof[- ]of[- ]concept|quick test|early[- ]stage"),
    ("stage", "production", r"(?:long[- ]lived )?production system|in production|long[- ]lived"),
    (
        "ml_team",
        False,
        rf"no (?:in-house |dedicated )?{_ML} {_ML_WHO}|no data scientists"
        rf"|without (?:an? |any )?(?:in-house )?{_ML} {_ML_WHO}"
        rf"|lack(?:s|ing)? (?:an? |the )?{_ML} {_ML_WHO}",
    ),
    ("ml_team", True, rf"{_ML} (?:team|engineers|expertise|skills)|data scientists"),
    (
        "labeled_data",
        "none",
        r"no (?:labell?ed |annotated )?(?:data|examples|labels)(?= |$|[.,])"
        r"|without (?:any )?labels|unlabell?ed|lack(?:s|ing)? labels|no labell?ed",
    ),
    (
        "labeled_data",
        "plenty",
        rf"plenty of {_LABELS}"
        r"|(?:lots|large amounts?|a lot|millions|abundant|many|large volumes?)"
        rf" of {_LABELS}",
    ),
    ("labeled_data", "some", rf"(?:some|a few|limited|few|a small (?:number|amount) of|only some) {_LABELS}"),
    (
        "privacy",
        "strict",
        r"must (?:not|never) leave|strict privacy|can not leave|on-prem(?:ise)?s?"
        r"|(?:stay|kept|remain)s? (?:on|within|inside) your (?:own )?infrastructure",
    ),
    ("privacy", "sensitive", r"sensitive (?:data|information)|personal data|\bpii\b"),
    ("privacy", "none", r"no (?:special )?privacy (?:constraints|concerns|requirements)"),
    (
        "external_api_ok",
        False,
        rf"no {_OUTSIDE} (?:model )?apis"
        r"|(?:can not|not allowed to|must not|do not want to) "
        rf"(?:use|depend on|rely on|send data to) (?:a |an )?{_OUTSIDE}",
    ),
    (
        "external_api_ok",
        True,
        rf"{_OUTSIDE} (?:model )?apis? (?:are|is) (?:allowed|fine|acceptable|ok)"
        r"|(?:allowed|fine|okay|ok|comfortable|happy) (?:to use|using|with|relying on) "
        rf"(?:a |an )?(?:{_OUTSIDE}|openai)",
    ),
    ("latency", "realtime", r"real[- ]?time|tens of milliseconds"),
    ("latency", "interactive", r"interactive latency"),
    ("latency", "relaxed", r"relaxed latency|batch (?:processing )?is fine"),
    ("edge", True, r"on[- ]device|on the device|at the edge|edge deployment|on (?:a |the |their )?phones?"),
    ("edge", False, r"server[- ]side deployment|on your servers"),
    ("volume", "high", r"high (?:request )?volume|millions of requests|a million requests"),
    ("volume", "medium", r"medium (?:request )?volume|moderate (?:request )?volume"),
    ("volume", "low", r"low (?:request )?volume|few requests"),
    (
        "budget",
        "low",
        r"(?:tight|low|limited|small) (?:infrastructure )?budget"
        r"|budget is (?:tight|low|limited|small)",
    ),
    ("budget", "medium", r"(?:moderate|medium) (?:infrastructure )?budget|budget is (?:moderate|medium)"),
    (
        "budget",
        "high",
        r"(?:generous|large|big|high) (?:infrastructure )?budget"
        r"|budget is (?:generous|large|big|high)",
    ),
    ("control", True, r"full control"),
]
# One alternation, in table order: at a position the first listed fact wins ("no ML team" before "ML team").
_FACTS = re.compile("|".join(rf"(?P<f{i}>\b(?:{pattern}))" for i, (_, _, pattern) in enumerate(_FACT_TERMS)))
_FACT_CONDITIONAL = re.compile(
    r"\b"
    + _alt(
        "if",
        "unless",
        "whether",
        "suppose",
        "imagine",
        "would",
        "could",
        "might",
        "should you",
        "were you",
        "once",
        "when",
        "in case",
        "assuming",
    )
    + r"\b"
)


class FactClaim(NamedTuple):
    """A fact a sentence states about the user's project; asserted=False is a negated enum fact."""

    field: str
    value: Value
    asserted: bool
    clause: str


def fact_claims(sentence: str) -> list[FactClaim]:
    """(field, value, asserted, clause) for facts the sentence states about the user's project.

    Only clauses addressed to the user ("you", "your", "we") and not conditional count; asserted=False is
    a negated enum fact ("your data is not tabular")."""
    out: list[FactClaim] = []
    low = normalize(sentence)
    if not _YOU.search(low):
        return out
    for clause in clauses(low):
        if _FACT_CONDITIONAL.search(clause):
            continue
        hits: list[tuple[int, int, str, Value]] = []
        for match in _FACTS.finditer(clause):
            name, value, _ = _FACT_TERMS[int((match.lastgroup or "f0")[1:])]
            hits.append((match.start(), match.end(), name, value))
        masked = clause
        for start, end, _, _ in hits:  # "your" inside a fact ("stay on your infrastructure") is no address
            masked = masked[:start] + " " * (end - start) + masked[end:]
        for start, end, name, value in hits:
            # Addressed to the user: "you"/"your"/"we" within a few words of the fact.
            if not _YOU.search(masked[max(0, start - 50) : start] + " " + masked[end : end + 30]):
                continue
            negated = bool(
                re.search(
                    r"\b(?:not|never|no longer|lack\w*|without)\s+(?:\w+\s+){0,3}$",
                    clause[max(0, start - 40) : start],
                )
            )
            if isinstance(value, bool):
                out.append(FactClaim(name, value != negated if negated else value, True, clause))
            else:
                out.append(FactClaim(name, value, not negated, clause))
    return out
