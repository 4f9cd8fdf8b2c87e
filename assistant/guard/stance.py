"""Recommendation stance: which option a sentence endorses or rejects, clause by clause.

One concern: reading stances. An option is mentioned by one of its names ("a foundation model", "GPT-4",
"knowledge distillation"); a cue before it ("I recommend", "you should use", "avoid") or after it ("is the
best choice", "would not be ideal", "makes the most sense") says whether the clause endorses or rejects it.
A mention after "rather than", "not", "instead of" is contrasted, never endorsed. Whether a stance is
allowed is the recommendation check's business (`checks.Guard`); `PAST` and `CURRENT` are here because
the evidence picks one of them to say how an answer may attribute the previous recommendation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .text import alternation as _alt
from .text import clauses, normalize

_OPTION_TERMS: dict[str, str] = {
    "foundation": _alt(
        r"foundation(?:[- ]models?)?",
        r"\bfms?\b",
        r"(?:pre-?trained|off[- ]the[- ]shelf|general[- ]purpose)"
        r" (?:large |ai |language )*models?",
        r"large language models?",
        r"\bllms?\b",
        "chatgpt",
        r"gpt(?:-?\d\w*)?",
        r"openai(?:'s)? (?:api|models?)",
    ),
    "custom": _alt(
        r"custom(?:[- ](?:built|trained|made))?(?: ml| machine[- ]learning)? models?",
        r"\bcustom\b",
        r"task[- ]specific models?",
        "bespoke models?",
        "(?:your|its|their) own models?",
        "models? of your own",
        "(?:train|build)(?:ing)? (?:a model of )?your own",
    ),
    "hybrid": _alt(
        r"hybrids?(?: approach(?:es)?| models?| solutions?| setups?)?",
        "combin(?:e|es|ing|ation of) (?:both|the two)",
        "(?:mix|blend) of both",
        "(?:knowledge )?distillation",
        "distill?(?:ed|ing)?(?= (?:a|into|it|the|from))",
        "bootstrapping",
        "(?:labell?ing|annotation) tool",
    ),
}
_MENTION = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in _OPTION_TERMS.items()))
_ARTICLES = r"\s+(?:(?:a|an|the|using|building|your)\s+)*$"
# A mention right after one of these is contrasted or attributed elsewhere, never endorsed.
_CONTRAST_BEFORE = re.compile(
    _alt(
        "rather than",
        "instead of",
        "over",
        "than",
        "not",
        "from",
        r"versus",
        r"vs\.?",
        "unlike",
        "away from",
        "no longer",
        "compared (?:to|with)",
        "against",
        "except",
        "switch(?:ing)? from",
        "move(?:s|d)? (?:away )?from",
    )
    + _ARTICLES
)
_NEGATIVE_BEFORE = re.compile(
    _alt(
        "avoid",
        "avoiding",
        "rule out",
        "ruled out",
        "skip",
        "steer clear of",
        "against using",
        "not using",
        "not use",
        "do not use",
        "never use",
        "move away from",
        "(?:do|does|will|would) not need",
        "no need for",
    )
    + _ARTICLES
)
_NOUNS = _alt(
    "choice",
    "option",
    "fit",
    "bet",
    "approach",
    "pick",
    "path",
    "solution",
    "candidate",
    "match",
    "way(?: to go)?",
    "route",
    "starting point",
    "call",
    "answer",
    "decision",
    "one",
    "direction",
    "strategy",
    "plan",
    "move",
)
_ADJ = _alt(
    "best",
    "better",
    "ideal",
    "right",
    "recommended",
    "preferred",
    "preferable",
    "optimal",
    "suitable",
    "appropriate",
    "good",
    "great",
    "strong",
    "smart",
    "smarter",
    "sensible",
    "wise",
    "wiser",
    "natural",
    "obvious",
    "safe",
    "safer",
    "safest",
    "clear",
    "solid",
    "perfect",
    "top",
    "winning",
    "correct",
    "logical",
    "viable",
    "reasonable",
)
_BAD_ADJ = _alt(
    "bad",
    "poor",
    "wrong",
    "worse",
    "worst",
    "unsuitable",
    "inappropriate",
    "weak",
    "risky",
    "mistake",
    "overkill",
    "unwise",
    "suboptimal",
)
_TAIL = _alt(
    rf"\s+{_NOUNS}\b",
    r"\s+(?:for|to)\s+(?:you|your|this|the project|the task|the job|here|now|us|our)\b",
    r"\s+here\b",
    r"\s+in your\b",
    r"\s*(?=[.!,;:)]|$)",
)
_ADVERBS = _alt(
    "still",
    "also",
    "then",
    "really",
    "probably",
    "definitely",
    "certainly",
    "clearly",
    "likely",
    "always",
    "simply",
    "just",
    "truly",
    "indeed",
    "therefore",
    "thus",
)
# "X is the best choice", "X would not be ideal", "X is a poor fit", "X is what I recommend".
_SUFFIX_CUE = re.compile(
    r"\b(?:is|are|'s|(?:would|will|could|might|should)(?:\s+" + _ADVERBS + r")*\s+be|remains?|stays?|seems?|"
    r"looks?|becomes?|sounds?)\s+(?P<neg>(?:not|never|no longer|hardly)\s+)?(?:" + _ADVERBS + r"\s+)*"
    r"(?:(?:the|a|an|your|my|our)\s+)?(?:(?:most|more|much|far|very|by far the|the)\s+)*"
    rf"(?:(?P<adj>{_ADJ}){_TAIL}|(?P<bad>{_BAD_ADJ})\b|(?P<std>"
    + _alt(
        "recommended",
        "the way to go",
        "the answer",
        "the winner",
        "my (?:recommendation|pick|choice|advice)",
        "what i (?:would )?recommend",
        "the recommendation",
        "ruled out",
        "not an option",
        "out of the question",
    )
    + r")\b)"
    r"|\b(?P<neg2>(?:does|do|would|will|can) not\s+)?(?:makes?|make) (?:the most |more |most )?sense"
    r"|\b(?:fits|suits|works|serves you)\s+(?:you\s+|your \w+\s+)?(?:best|better)\b"
    r"|\b(?:is|are) (?P<neg3>not\s+)?(?:better|best|well) suited\b"
)
_VERBS = _alt(
    "use",
    "go with",
    "go for",
    "choose",
    "pick",
    "opt for",
    "adopt",
    "start with",
    "build",
    "train",
    "develop",
    "deploy",
    "consider",
    "stick with",
    "rely on",
    "prefer",
    "invest in",
    "lean towards?",
)
# "I recommend X", "you should use X", "my recommendation is X", "go with X".
_PREFIX_CUE = re.compile(
    r"\b(?:(?P<neg>(?:not|never)\s+)?"
    + _alt(
        "recommend(?:s|ed|ing)?",
        "suggest(?:s|ed|ing)?",
        "advis(?:e|es|ed|ing)",
        "propos(?:e|es|ed|ing)",
        "endorse",
    )
    + r"\b"
    r"|(?:should|must|need to|ought to|had better|i would|we would)\s+(?P<neg2>(?:not|never)\s+)?"
    r"(?:(?:really|definitely|probably|clearly|still|also)\s+)?" + _VERBS + r"\b"
    r"|(?:\bi (?:would |will |do |also )?|\bwe (?:would |will )?)"
    + _alt(
        "go with",
        "go for",
        "opt for",
        "choose",
        "pick",
        "prefer",
        "lean towards?",
        "stick with",
        "suggest going with",
    )
    + r"\b"
    r"|\bi(?:'m| am) (?:leaning|going) (?:towards?|with|for)\b"
    r"|(?:my|our|the) (?:recommendation|advice|suggestion|pick|choice|verdict)\b"
    r"(?:\s+(?:is|would be|remains|stays|here is))?"
    rf"|{_ADJ} {_NOUNS} (?:for you |for your project |here )?(?:is|would be|remains|stays)\b"
    r"|^\s*(?:so |therefore |then |thus |overall |in short |in summary )?"
    r"(?:use|go with|choose|pick|build|start with|adopt)\b)"
)

# Words that put a stance in the past: "it was a custom model" (a changed answer names the old one so).
PAST = re.compile(
    r"\b"
    + _alt(
        "was",
        "were",
        "previously",
        "before",
        "earlier",
        "used to",
        "had been",
        "initially",
        "originally",
        "at first",
    )
    + r"\b"
)
# Words that put a stance in the saved state: "currently a custom model" (a what-if names the old one so).
CURRENT = re.compile(
    r"\b"
    + _alt(
        "currently",
        "today",
        "right now",
        "at the moment",
        "as things stand",
        "as it stands",
        "at present",
        "for now",
        "now",
        "current",
        "original",
        "saved",
        "existing",
        "as is",
        "without (?:the|this|that|these) changes?",
        "was",
    )
    + r"\b"
)


@dataclass(frozen=True)
class Stance:
    """One clause's stance: it endorses (positive) or rejects `option` ("foundation", "custom", "hybrid")."""

    option: str
    positive: bool
    clause: str


def _mentions(clause: str) -> list[tuple[int, int, str, bool]]:
    """(start, end, option, contrasted) for each option mentioned in a normalized clause."""
    out = []
    for match in _MENTION.finditer(clause):
        option = match.lastgroup or ""
        before = clause[max(0, match.start() - 40) : match.start()]
        negative = bool(_NEGATIVE_BEFORE.search(before))
        contrasted = bool(_CONTRAST_BEFORE.search(before)) or negative
        out.append((match.start(), match.end(), option, contrasted))
    return out


def stances(sentence: str) -> list[Stance]:
    """Which options the sentence endorses (+) or rejects (-), clause by clause."""
    found: list[Stance] = []
    low = normalize(sentence)
    if not _MENTION.search(low):
        return found
    for clause in clauses(low):
        mentions = _mentions(clause)
        if not mentions:
            continue
        for start, _, option, _ in mentions:  # "avoid X", "rule out X"
            before = clause[max(0, start - 40) : start]
            if _NEGATIVE_BEFORE.search(before):
                found.append(Stance(option, False, clause))
        for cue in _PREFIX_CUE.finditer(clause):
            lead = clause[max(0, cue.start() - 30) : cue.start()]
            negated = bool(cue.group("neg") or cue.group("neg2")) or bool(
                re.search(r"\b(?:not|never|no longer)\s+(?:\w+\s+){0,2}$", lead)
            )
            after = [m for m in mentions if m[0] >= cue.end() and not m[3]]
            if after:
                found.append(Stance(after[0][2], not negated, clause))
        for cue in _SUFFIX_CUE.finditer(clause):
            groups = cue.groupdict()
            negated = bool(groups.get("neg") or groups.get("neg2") or groups.get("neg3"))
            bad = bool(groups.get("bad")) or (groups.get("std") or "") in {
                "ruled out",
                "not an option",
                "out of the question",
            }
            preceding = [m for m in mentions if m[1] <= cue.start() and not m[3]]
            if preceding:
                found.append(Stance(preceding[-1][2], not (negated or bad) or (negated and bad), clause))
    return found
