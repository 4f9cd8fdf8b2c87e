"""The guard: deterministic checks on every LLM-written answer before the user may keep it.

The rules decide and the LLM only explains, so an LLM answer is acceptable only if it

  recommendation  never recommends or endorses an option other than the computed one, and never denies the
                  computed one (for what-if answers the old recommendation may be named as the current one);
  profile         states no fact about the user's project that contradicts (or is absent from) the profile;
  citations       cites only passages it was given, written as ``[section-id]``;
  support         has every sentence supported by the decision trace or the passages (lexical coverage of
                  the sentence's content words >= SUPPORT_THRESHOLD, calibrated on labelled sentences);
  repetition      does not run away (repeated sentences or phrases, stuttering, an endless sentence).

Pure Python and regular expressions: no model, no network, well under 5 ms per answer
(benchmarks/guard_bench.py). Timings recorded here (`ms`, the writer's `overhead_ms`) are the CPU time of
the checking thread, so a busy machine does not inflate them. `Guard.check` judges a whole text;
`StreamCheck` judges a stream sentence by sentence as it grows, so a violation can be caught (and the
partial text replaced) mid-stream.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .engine import Decision
from .explain import PHRASES, QUESTIONS
from .profile import FIELDS, Value
from .rules import PATTERN_LABELS
from .types import Finding, Option

CHECKS: tuple[str, ...] = ("recommendation", "profile", "citations", "support", "repetition")

# Minimum share of a sentence's content words that must occur in the trace or the passages. Calibrated
# with evals/calibrate_guard.py on evals/guard_calibration.yaml (165 labelled sentences, 81 written by the
# local SmolLM2 model): the most unsupported sentences caught while passing >= 95% of supported ones.
# At 0.85: accuracy 0.945, unsupported caught 0.933, supported passed 0.967 (AUC 0.987); leave-one-
# scenario-out: 0.939 / 0.923 / 0.967. Sentences with fewer than MIN_CONTENT_WORDS content words are not
# scored (connectives such as "Here is why:").
SUPPORT_THRESHOLD = 0.85
MIN_CONTENT_WORDS = 3
MAX_SENTENCE_CHARS = 1000  # one "sentence" longer than this is a runaway
CITATION_RE = re.compile(r"\[([^\[\]\n]{1,80})\](\([^)\s]*\))?")
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass
class Verdict:
    findings: list[Finding]
    checks: tuple[str, ...] = CHECKS
    ms: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.findings

    def failed(self) -> list[str]:
        return sorted({f.check for f in self.findings})


# --------------------------------------------------------------------------------------------- text helpers


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """Lower case, straight quotes, contractions expanded (isn't -> is not), markdown emphasis removed."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = text.replace("\u2014", " - ").replace("\u2013", "-").replace("**", "").replace("__", "")
    text = text.lower()
    text = re.sub(r"\bwon't\b", "will not", text)
    text = re.sub(r"\bcan't\b|\bcannot\b", "can not", text)
    text = re.sub(r"n't\b", " not", text)
    text = re.sub(r"'d\b", " would", text)
    return text


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')*_]*\s+(?=[\"'(*_\[#>-]*[A-Z0-9])|\n+")
_CITE_AFTER_STOP = re.compile(r"([.!?])[ \t]*((?:\[[^\[\]\n]{1,80}\][ \t]*)+)(?=\s|$)")
_LIST_MARK = re.compile(r"^\s*(?:[-*+>]|\d+[.)]|#+)\s*")


def sentences(text: str) -> list[str]:
    """Split into sentences; list items and lines are sentences; a trailing citation joins its sentence."""
    out: list[str] = []
    text = _CITE_AFTER_STOP.sub(r" \2\1", text)  # "One. [id] Two." -> "One [id]. Two."
    for piece in _SENTENCE_END.split(text):
        piece = _LIST_MARK.sub("", piece).strip()
        if not piece:
            continue
        if out and not re.search(r"[A-Za-z]", CITATION_RE.sub("", piece)):
            out[-1] = f"{out[-1]} {piece}"  # "[when-custom]." after the period belongs to the sentence
        else:
            out.append(piece)
    return out


_CLAUSE_SPLIT = re.compile(r";|\s-\s|,?\s*\b(?:but|whereas|while|although|though|however|yet)\b")


def clauses(normalized_sentence: str) -> list[str]:
    return [c for c in _CLAUSE_SPLIT.split(normalized_sentence) if c and c.strip()]


# Words that carry no claim of their own: function words and the discourse every answer uses.
_STOP = frozenset(
    re.findall(
        r"\S+",
        """
a an the and or but if then than that this these those there here it its it's is are was were be been being
am to of in on for with without by as at from into onto about over under after before between through during
per via so such too very also just only even still yet however therefore thus hence because since while
whereas although though when where which who whom whose what why how all any both each few more most other
some same own no nor not can could may might must shall should will would do does did done doing have has had
having i me my mine we us our ours you your yours he she they them their theirs his her hers one ones
get gets got make makes made making use uses used using well really quite rather much many lot lots
recommend recommended recommendation recommendations suggest suggests choice choose option options
answer answers reason reasons case cases project projects approach approaches way ways thing things
good better best great important key main likely probably generally typically usually often
help helps helpful need needs needed want wants like e g eg ie etc s t
""",
    )
)


def _stem(word: str) -> str:
    return _stem_cached(word)


@lru_cache(maxsize=20000)
def _stem_cached(word: str) -> str:
    """A light suffix stripper: enough to match labelled/labeled/labels, models/modelling, costs/costly."""
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("ly", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "es" and not word.endswith(("ses", "xes", "zes", "ches", "shes")):
                continue
            if suffix == "s" and word.endswith("ss"):
                continue
            word = word[: len(word) - len(suffix)] + keep
            break
    if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "aeiousl":
        word = word[:-1]
    if word.endswith("ll") and len(word) > 4:
        word = word[:-1]
    return word


_WORD = re.compile(r"[a-z0-9]+")


def content_words(text: str) -> list[str]:
    return [_stem(w) for w in _WORD.findall(normalize(text)) if w not in _STOP and len(w) > 1]


def support_score(sentence: str, vocabulary: frozenset[str]) -> tuple[float, int]:
    """(share of the sentence's content words found in the vocabulary, number of content words)."""
    words = content_words(CITATION_RE.sub(" ", sentence))
    if not words:
        return 1.0, 0
    return sum(w in vocabulary for w in words) / len(words), len(words)


# ---------------------------------------------------------------------------------- recommendation stance


def _alt(*parts: str) -> str:
    """A non-capturing alternation of regex parts."""
    return "(?:" + "|".join(parts) + ")"


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
_CONDITIONAL = re.compile(
    r"(?:^|\b)"
    + _alt("if", "unless", "once", "suppose", "assuming", "were you", "had you", "should you", "in case")
    + r"\b"
)
_MODAL = re.compile(r"\b(?:would|could|might|will)\b")
_QUESTION = re.compile(r"\?\s*(?:\[[^\]]*\]\s*)*$")
_PAST = re.compile(
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
_CURRENT = re.compile(
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
_HYPOTHETICAL = re.compile(r"\b(?:would|if|then|in that case|with (?:that|this|these|the) changes?|under)\b")
_ADDRESSED = re.compile(r"\b(?:i|i'm|i've|we|you|your|yours|my|our|us|this project|the project)\b")
_HYBRID_PARTS = re.compile(
    r"\b"
    + _alt(
        "hybrid",
        "both",
        r"combin\w*",
        "then",
        "later",
        "first",
        r"label\w*",
        r"annotat\w*",
        r"distil\w*",
        r"embedding\w*",
        "features?",
        r"bootstrap\w*",
        "smaller",
        "student",
        "teacher",
        r"train\w* (?:a|your|on)",
        "move to",
        "replace",
    )
    + r"\b"
)


@dataclass(frozen=True)
class Stance:
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
            before = [m for m in mentions if m[1] <= cue.start() and not m[3]]
            if before:
                found.append(Stance(before[-1][2], not (negated or bad) or (negated and bad), clause))
    return found


# --------------------------------------------------------------------------------------------- profile facts

_YOU = re.compile(r"\b(?:you|your|you're|you've|you'll|yours|we|our|us|we're|we've)\b")
_NEGATION = re.compile(r"\b(?:not|never|no longer|lack\w*|without)\b")
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


def fact_claims(sentence: str) -> list[tuple[str, Value, bool, str]]:
    """(field, value, asserted, clause) for facts the sentence states about the user's project.

    Only clauses addressed to the user ("you", "your", "we") and not conditional count; asserted=False is
    a negated enum fact ("your data is not tabular")."""
    out: list[tuple[str, Value, bool, str]] = []
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
                out.append((name, value != negated if negated else value, True, clause))
            else:
                out.append((name, value, not negated, clause))
    return out


# ------------------------------------------------------------------------------------------------ evidence

# The explainer's own wording: every string literal in assistant/explain.py (its templates), so an LLM may
# echo the deterministic answer's connectives without inventing anything; template edits need no change here.
FRAME_WORDS = (
    "rules decide decision explain explanation fact facts profile known unknown told tell trace "
    "passage rule based following several factors"
)


@lru_cache(maxsize=1)
def frame_vocabulary() -> frozenset[str]:
    import ast
    import inspect

    from . import explain

    texts = [FRAME_WORDS]
    for node in ast.walk(ast.parse(inspect.getsource(explain))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            texts.append(node.value)
    return frozenset(w for text in texts for w in content_words(text))


def _texts_of(decision: Decision) -> list[str]:
    texts = []
    for rule in decision.fired_rules:
        texts += [rule.reason, rule.note]
    for cf in decision.counterfactuals:
        texts.append(f"with {PHRASES[(cf.field, cf.value)]} it would be {cf.recommendation.label}")
    for name, value in decision.profile.items():
        texts += [PHRASES[(name, value)], FIELDS[name].label, FIELDS[name].help]
    texts += [QUESTIONS[m] for m in decision.missing]
    texts += [PATTERN_LABELS[p] for p in decision.hybrid_patterns]
    texts.append(" ".join(f"{score:g}" for score in decision.scores.values()) + f" {decision.confidence:.0%}")
    return texts


@dataclass
class Evidence:
    """What an answer may rest on; built once per turn, then reused for every check of that turn."""

    recommendation: str  # the computed option (for a what-if: the one under the hypothetical changes)
    profile: Mapping[str, Value]  # facts the user has stated
    passage_ids: frozenset[str]
    vocabulary: frozenset[str]
    intent: str = "recommend"
    previous: str | None = None  # an option the answer may attribute to the past/current state
    previous_markers: re.Pattern[str] | None = None
    conditional_options: frozenset[str] = frozenset()  # options a conditional ("if ... would") may endorse
    alternatives: Mapping[str, Value] = field(default_factory=dict)  # hypothetical values (what-if)
    names: frozenset[tuple[str, ...]] = frozenset()  # n-grams of titles and labels: these may repeat

    @classmethod
    def build(
        cls,
        decision: Decision,
        passages: Sequence[Any] = (),
        *,
        intent: str = "recommend",
        what_if: Any = None,
        previous: Decision | None = None,
        titles: Mapping[str, str] | None = None,
        extra: Iterable[str] = (),
    ) -> Evidence:
        """decision: the saved profile's decision; what_if: explain.WhatIf; previous: the decision before this
        turn's changes (when they changed the answer); passages: objects with .section, .title, .text."""
        texts = [*(o.label for o in Option), *PATTERN_LABELS.values(), *(o.short for o in Option), *extra]
        texts += _texts_of(decision)
        focus, before_option, markers = decision, None, None
        alternatives: dict[str, Value] = {}
        if what_if is not None:
            focus = what_if.after
            texts += _texts_of(what_if.after)
            before_option, markers = what_if.before.recommendation, _CURRENT
            alternatives = dict(what_if.changes)
        elif previous is not None and previous.recommendation != decision.recommendation:
            before_option, markers = previous.recommendation, _PAST
            texts += _texts_of(previous)
        ids: set[str] = set()
        labels = [*(o.label for o in Option), *PATTERN_LABELS.values(), *(titles or {}).values()]
        for passage in passages:
            section = str(getattr(passage, "section", None) or getattr(passage, "id", passage)).split("#")[0]
            ids.add(section)
            texts += [getattr(passage, "title", ""), getattr(passage, "text", "")]
            labels.append(getattr(passage, "title", ""))
        vocabulary: set[str] = set(frame_vocabulary())
        for text in texts:
            if text:
                vocabulary.update(content_words(text))
        conditional = {cf.recommendation for cf in focus.counterfactuals} | {focus.recommendation}
        if before_option:
            conditional.add(before_option)
        names = {gram for label in labels for gram in _ngrams(_WORD.findall(normalize(label)))}
        return cls(
            recommendation=focus.recommendation,
            profile=dict(decision.profile),
            passage_ids=frozenset(ids),
            vocabulary=frozenset(vocabulary),
            intent=intent,
            previous=before_option,
            previous_markers=markers,
            alternatives=alternatives,
            conditional_options=frozenset(conditional),
            names=frozenset(names),
        )

    @classmethod
    def from_context(
        cls, ctx: Any, passages: Sequence[Any] | None = None, intent: str = "recommend"
    ) -> Evidence:
        """From explain.Context (the deterministic explainer's input) and the passages shown to the LLM."""
        return cls.build(
            ctx.decision,
            ctx.passages if passages is None else passages,
            intent=intent,
            what_if=ctx.what_if,
            previous=ctx.previous,
            titles=ctx.titles,
        )


# --------------------------------------------------------------------------------------------------- guard


class Guard:
    """Deterministic checks of one answer against the evidence of its turn."""

    def __init__(
        self, evidence: Evidence, *, threshold: float = SUPPORT_THRESHOLD, checks: Sequence[str] = CHECKS
    ) -> None:
        unknown = set(checks) - set(CHECKS)
        if unknown:
            raise ValueError(f"unknown guard checks: {sorted(unknown)}")
        self.evidence = evidence
        self.threshold = threshold
        self.checks = tuple(checks)

    # -- one sentence --------------------------------------------------------------------------------
    def check_sentence(self, sentence: str) -> list[Finding]:
        findings: list[Finding] = []
        if "recommendation" in self.checks:
            findings += self._stance(sentence)
        if "profile" in self.checks:
            findings += self._facts(sentence)
        if "citations" in self.checks:
            findings += self._citations(sentence)
        if "support" in self.checks:
            findings += self._support(sentence)
        if "repetition" in self.checks and len(sentence) > MAX_SENTENCE_CHARS:
            findings.append(
                Finding("repetition", f"a sentence runs past {MAX_SENTENCE_CHARS} characters", sentence)
            )
        return findings

    def _stance(self, sentence: str) -> list[Finding]:
        if _QUESTION.search(sentence.strip()):
            return []
        ev = self.evidence
        label = {o: o.short for o in Option}
        out: list[Finding] = []
        low = normalize(sentence)
        conditional = bool(_CONDITIONAL.search(low) and _MODAL.search(low))
        for stance in stances(sentence):
            if ev.intent == "concept" and not _ADDRESSED.search(stance.clause):
                continue  # explaining a concept states general truths; only advice to the user counts
            expected = ev.recommendation
            clause = stance.clause
            attributed_past = bool(ev.previous and ev.previous_markers and ev.previous_markers.search(clause))
            hypothetical = (
                ev.previous_markers is _CURRENT
                and _HYPOTHETICAL.search(clause)
                and not re.search(r"\b(?:currently|today|now|current)\b", clause)
            )
            if attributed_past and not hypothetical:
                expected = ev.previous or expected
            if stance.positive:
                if stance.option == expected:
                    continue
                if conditional and stance.option in ev.conditional_options:
                    continue
                if expected == "hybrid" and stance.option != "hybrid" and _HYBRID_PARTS.search(stance.clause):
                    continue  # "start with a foundation model, then train a smaller one" describes the hybrid
                out.append(
                    Finding(
                        "recommendation",
                        f"endorses {label[stance.option]}, but the rules recommend {label[expected]}",
                        sentence,
                    )
                )
            elif stance.option == expected and not conditional:
                out.append(
                    Finding(
                        "recommendation",
                        f"argues against {label[expected]}, which the rules recommend",
                        sentence,
                    )
                )
        return out

    def _facts(self, sentence: str) -> list[Finding]:
        if _QUESTION.search(sentence.strip()):
            return []
        ev = self.evidence
        out = []
        for name, value, asserted, _clause in fact_claims(sentence):
            known = ev.profile.get(name)
            allowed = {v for v in (known, ev.alternatives.get(name)) if v is not None}
            shown = PHRASES.get((name, value), f"{name}={value}")
            if asserted and allowed and value not in allowed:
                said = " or ".join(PHRASES[(name, v)] for v in allowed)
                out.append(Finding("profile", f"says {shown}, but the profile has {said}", sentence))
            elif asserted and not allowed:
                out.append(Finding("profile", f"says {shown}, which you have not told me", sentence))
            elif not asserted and value in allowed and len(allowed) == 1:
                out.append(Finding("profile", f"denies {shown}, which is in the profile", sentence))
        return out

    def _citations(self, sentence: str) -> list[Finding]:
        out = []
        for match in CITATION_RE.finditer(sentence):
            inner, link = match.group(1), match.group(2)
            if link:
                target = link.strip("()") or inner
                out.append(
                    Finding(
                        "citations", f"links to {target!r}; cite provided passages as [section-id]", sentence
                    )
                )
                continue
            if inner.strip().lower() in {"", "x", " "}:
                continue
            for part in re.split(r"[,;]\s*", inner):
                cited = part.strip().split("#")[0]
                if cited not in self.evidence.passage_ids:
                    why = "not a passage id" if not ID_RE.match(cited) else "not among the passages provided"
                    out.append(Finding("citations", f"cites [{part.strip()}], {why}", sentence))
        return out

    def _support(self, sentence: str) -> list[Finding]:
        if _QUESTION.search(sentence.strip()):
            return []
        score, count = support_score(sentence, self.evidence.vocabulary)
        if count >= MIN_CONTENT_WORDS and score < self.threshold:
            return [
                Finding(
                    "support",
                    f"not supported by the trace or the passages (coverage {score:.2f} < "
                    f"{self.threshold:.2f})",
                    sentence,
                )
            ]
        return []

    # -- a whole text ----------------------------------------------------------------------------------
    def check(self, text: str) -> Verdict:
        start = time.thread_time()
        stream = StreamCheck(self)
        findings = stream.feed(text, final=True)
        return Verdict(findings, self.checks, (time.thread_time() - start) * 1000)


NGRAM = 6


def _ngrams(words: Sequence[str], n: int = NGRAM) -> list[tuple[str, ...]]:
    return [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]


class Repetition:
    """Incremental runaway detection: repeated sentences, a phrase repeated again and again, stuttering.
    Names (passage titles, option labels) may repeat."""

    NGRAM_LIMIT = 3  # the same 6 words a third time is a loop, not style
    STUTTER = re.compile(r"\b(\w+)(?:\W+\1\b){3,}", re.I)

    def __init__(self, names: frozenset[tuple[str, ...]] = frozenset()) -> None:
        self.seen: set[str] = set()
        self.ngrams: Counter[tuple[str, ...]] = Counter()
        self.names = names

    def add(self, sentence: str) -> list[Finding]:
        out: list[Finding] = []
        key = " ".join(_WORD.findall(normalize(CITATION_RE.sub("", sentence))))
        if len(key) >= 12 and key in self.seen:
            out.append(Finding("repetition", "repeats an earlier sentence", sentence))
        self.seen.add(key)
        hits = []
        for gram in _ngrams(key.split()):
            if gram in self.names:
                continue
            self.ngrams[gram] += 1
            if self.ngrams[gram] == self.NGRAM_LIMIT and not set(gram) <= _STOP:
                hits.append(" ".join(gram))
        if hits:
            out.append(Finding("repetition", f'repeats "{hits[0]}" {self.NGRAM_LIMIT} times', sentence))
        if self.STUTTER.search(sentence):
            out.append(Finding("repetition", "stutters (the same word over and over)", sentence))
        return out

    @classmethod
    def tail(cls, text: str) -> list[Finding]:
        """Checks for an unfinished sentence that keeps growing (a loop that never reaches a full stop)."""
        if len(text) > MAX_SENTENCE_CHARS:
            return [
                Finding("repetition", f"a sentence runs past {MAX_SENTENCE_CHARS} characters", text[:200])
            ]
        probe = cls()
        words = _WORD.findall(normalize(text))
        if len(words) >= 24 and len(set(words)) / len(words) < 0.35:
            return [Finding("repetition", "loops over the same few words", text[:200])]
        return [f for f in probe.add(text) if "earlier sentence" not in f.message]


class StreamCheck:
    """Checks a growing text sentence by sentence: `feed(text_so_far)` returns findings for sentences that
    completed since the last call (and for a runaway unfinished one); `feed(text, final=True)` checks the
    rest.
    Each call only looks at the text after the last complete sentence, so a whole stream costs O(length)."""

    def __init__(self, guard: Guard) -> None:
        self.guard = guard
        self.offset = 0  # characters already checked (complete sentences)
        self.repetition = Repetition(guard.evidence.names)
        self.ms = 0.0
        self.findings: list[Finding] = []

    def feed(self, text: str, final: bool = False) -> list[Finding]:
        start = time.thread_time()
        tail = text[self.offset :]
        if final:
            complete, rest = tail, ""
        else:
            # A sentence is complete once the next one has begun (a boundary is followed by its first letter).
            cut = 0
            for match in _SENTENCE_END.finditer(tail):
                cut = match.end()
            complete, rest = tail[:cut], tail[cut:]
        new: list[Finding] = []
        for sentence in sentences(complete):
            new += self.guard.check_sentence(sentence)
            if "repetition" in self.guard.checks:
                new += self.repetition.add(sentence)
        self.offset += len(complete)
        if len(rest) > 200 and "repetition" in self.guard.checks:
            new += Repetition.tail(rest)
        self.findings += new
        self.ms += (time.thread_time() - start) * 1000
        return new


def check(text: str, evidence: Evidence, **kwargs: Any) -> Verdict:
    """One-call form: `check(answer, Evidence.from_context(ctx, passages, intent))`."""
    return Guard(evidence, **kwargs).check(text)


def findings_for_prompt(findings: Iterable[Finding], limit: int = 5) -> str:
    """The guard's findings as lines the LLM can act on in a regeneration."""
    lines = []
    for finding in list(findings)[:limit]:
        lines.append(f"- {finding}")
    return "\n".join(lines)
