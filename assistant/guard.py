"""The guard: deterministic checks on every LLM-written answer before the user may keep it.

The rules decide and the LLM only explains, so an LLM answer is acceptable only if it

  recommendation  never recommends or endorses an option other than the computed one, and never denies the
                  computed one (for what-if answers the old recommendation may be named as the current one);
  profile         states no fact about the user's project that contradicts (or is absent from) the profile;
  citations       cites only passages it was given, written as ``[section-id]``;
  support         has every sentence supported by the decision trace or the passages (lexical coverage of
                  the sentence's content words; threshold calibrated in evals/guard_calibration.yaml);
  repetition      does not run away (repeated sentences or phrases, stuttering, an endless sentence).

Pure Python and regular expressions: no model, no network, well under 5 ms per answer
(benchmarks/guard_bench.py). `Guard.check` judges a whole text; `StreamCheck` judges a stream sentence by
sentence as it grows, so a violation can be caught (and the partial text replaced) mid-stream.
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
from .explain import _PHRASES, QUESTIONS, SHORT
from .profile import FIELDS, Value
from .rules import OPTION_LABELS, PATTERN_LABELS

CHECKS: tuple[str, ...] = ("recommendation", "profile", "citations", "support", "repetition")

# Minimum share of a sentence's content words that must occur in the trace or the passages.
# Calibrated on evals/guard_calibration.yaml with evals/calibrate_guard.py (see the numbers there and in
# the module docstring of that script); sentences with fewer than MIN_CONTENT_WORDS content words are
# not scored (connectives such as "Here is why:").
SUPPORT_THRESHOLD = 0.6
MIN_CONTENT_WORDS = 3
MAX_SENTENCE_CHARS = 1000  # one "sentence" longer than this is a runaway
CITATION_RE = re.compile(r"\[([^\[\]\n]{1,80})\](\([^)\s]*\))?")
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class Finding:
    check: str
    message: str
    sentence: str = ""

    def to_dict(self) -> dict[str, str]:
        data = {"check": self.check, "message": self.message}
        if self.sentence:
            data["sentence"] = self.sentence[:300]
        return data

    def __str__(self) -> str:
        return f"{self.check}: {self.message}" + (f' (in: "{self.sentence[:160]}")' if self.sentence else "")


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
_STOP = frozenset("""
a an the and or but if then than that this these those there here it its it's is are was were be been being am
to of in on for with without by as at from into onto about over under after before between through during per
via so such too very also just only even still yet however therefore thus hence because since while whereas
although though when where which who whom whose what why how all any both each few more most other some same
own no nor not can could may might must shall should will would do does did done doing have has had having
i me my mine we us our ours you your yours he she they them their theirs his her hers one ones
get gets got make makes made making use uses used using well really quite rather much many lot lots
recommend recommended recommendation recommendations suggest suggests choice choose option options
answer answers reason reasons case cases project projects approach approaches way ways thing things
good better best great important key main likely probably generally typically usually often
help helps helpful need needs needed want wants like e g eg ie etc s t
""".split())


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

_OPTION_TERMS: dict[str, str] = {
    "foundation": r"foundation(?:[- ]models?)?|\bfms?\b|(?:pre-?trained|off[- ]the[- ]shelf|general[- ]purpose)"
                  r" (?:large |ai |language )*models?|large language models?|\bllms?\b|chatgpt|gpt(?:-?\d\w*)?"
                  r"|openai(?:'s)? (?:api|models?)",
    "custom": r"custom(?:[- ](?:built|trained|made))?(?: ml| machine[- ]learning)? models?|\bcustom\b"
              r"|task[- ]specific models?|bespoke models?|(?:your|its|their) own models?|models? of your own"
              r"|(?:train|build)(?:ing)? (?:a model of )?your own",
    "hybrid": r"hybrids?(?: approach(?:es)?| models?| solutions?| setups?)?|combin(?:e|es|ing|ation of) (?:both|the two)"
              r"|(?:mix|blend) of both|(?:knowledge )?distillation|distill?(?:ed|ing)?(?= (?:a|into|it|the|from))"
              r"|bootstrapping|(?:labell?ing|annotation) tool",
}
_MENTION = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in _OPTION_TERMS.items()))
# A mention right after one of these is contrasted or attributed elsewhere, never endorsed.
_CONTRAST_BEFORE = re.compile(
    r"(?:rather than|instead of|over|than|not|from|versus|vs\.?|unlike|away from|no longer|compared (?:to|with)"
    r"|against|except|switch(?:ing)? from|move(?:s|d)? (?:away )?from)\s+(?:(?:a|an|the|using|building|your)\s+)*$")
_NEGATIVE_BEFORE = re.compile(r"(?:avoid|avoiding|rule out|ruled out|skip|steer clear of|against using|not using"
                              r"|not use|do not use|never use|move away from|(?:do|does|will|would) not need|no need for)\s+(?:(?:a|an|the|using|your)\s+)*$")
_NOUNS = (r"choice|option|fit|bet|approach|pick|path|solution|candidate|match|way(?: to go)?|route|"
          r"starting point|call|answer|decision|one|direction|strategy|plan|move")
_ADJ = (r"best|better|ideal|right|recommended|preferred|preferable|optimal|suitable|appropriate|good|great|strong|"
        r"smart|smarter|sensible|wise|wiser|natural|obvious|safe|safer|safest|clear|solid|perfect|top|winning|"
        r"correct|logical|viable|reasonable")
_BAD_ADJ = r"bad|poor|wrong|worse|worst|unsuitable|inappropriate|weak|risky|mistake|overkill|unwise|suboptimal"
_TAIL = rf"(?:\s+(?:{_NOUNS})\b|\s+(?:for|to)\s+(?:you|your|this|the project|the task|the job|here|now|us|our)\b" \
        rf"|\s+here\b|\s+in your\b|\s*(?=[.!,;:)]|$))"
# "X is the best choice", "X would not be ideal", "X is a poor fit", "X is what I recommend".
_SUFFIX_CUE = re.compile(
    r"\b(?:is|are|'s|(?:would|will|could|might|should)(?:\s+(?:still|also|then|really|probably|definitely|"
    r"certainly|clearly|likely))*\s+be|remains?|stays?|seems?|looks?|becomes?|sounds?)\s+"
    r"(?P<neg>(?:not|never|no longer|hardly)\s+)?(?:(?:still|also|really|clearly|probably|definitely|certainly|"
    r"likely|always|simply|just|truly|indeed|therefore|thus)\s+)*"
    r"(?:(?:the|a|an|your|my|our)\s+)?(?:(?:most|more|much|far|very|by far the|the)\s+)*"
    rf"(?:(?P<adj>(?:{_ADJ})){_TAIL}|(?P<bad>{_BAD_ADJ})\b|(?P<std>recommended|the way to go|the answer|the winner"
    r"|my (?:recommendation|pick|choice|advice)|what i (?:would )?recommend|the recommendation|ruled out"
    r"|not an option|out of the question)\b)"
    r"|\b(?P<neg2>(?:does|do|would|will|can) not\s+)?(?:makes?|make) (?:the most |more |most )?sense"
    r"|\b(?:fits|suits|works|serves you)\s+(?:you\s+|your \w+\s+)?(?:best|better)\b"
    r"|\b(?:is|are) (?P<neg3>not\s+)?(?:better|best|well) suited\b"
)
# "I recommend X", "you should use X", "my recommendation is X", "go with X".
_PREFIX_CUE = re.compile(
    r"\b(?:(?P<neg>(?:not|never)\s+)?(?:recommend(?:s|ed|ing)?|suggest(?:s|ed|ing)?|advis(?:e|es|ed|ing)|propos"
    r"(?:e|es|ed|ing)|endorse)\b"
    r"|(?:should|must|need to|ought to|had better|i would|we would)\s+(?P<neg2>(?:not|never)\s+)?(?:(?:really|"
    r"definitely|probably|clearly|still|also)\s+)?(?:use|go with|go for|choose|pick|opt for|adopt|start with|"
    r"build|train|develop|deploy|consider|stick with|rely on|prefer|invest in|lean towards?)\b"
    r"|(?:\bi (?:would |will |do |also )?|\bwe (?:would |will )?)(?:go with|go for|opt for|choose|pick|prefer|"
    r"lean towards?|stick with|suggest going with)\b"
    r"|\bi(?:'m| am) (?:leaning|going) (?:towards?|with|for)\b"
    r"|(?:my|our|the) (?:recommendation|advice|suggestion|pick|choice|verdict)\b(?:\s+(?:is|would be|remains|"
    r"stays|here is))?"
    rf"|(?:{_ADJ}) (?:{_NOUNS}) (?:for you |for your project |here )?(?:is|would be|remains|stays)\b"
    r"|^\s*(?:so |therefore |then |thus |overall |in short |in summary )?(?:use|go with|choose|pick|build|"
    r"start with|adopt)\b)"
)
_CONDITIONAL = re.compile(r"(?:^|\b)(?:if|unless|once|suppose|assuming|were you|had you|should you|in case)\b")
_MODAL = re.compile(r"\b(?:would|could|might|will)\b")
_QUESTION = re.compile(r"\?\s*(?:\[[^\]]*\]\s*)*$")
_PAST = re.compile(r"\b(?:was|were|previously|before|earlier|used to|had been|initially|originally|at first)\b")
_CURRENT = re.compile(r"\b(?:currently|today|right now|at the moment|as things stand|as it stands|at present|"
                      r"for now|now|current|original|saved|existing|as is|without (?:the|this|that|these) "
                      r"changes?|was)\b")
_HYPOTHETICAL = re.compile(r"\b(?:would|if|then|in that case|with (?:that|this|these|the) changes?|under)\b")
_HYBRID_PARTS = re.compile(r"\b(?:hybrid|both|combin\w*|then|later|first|label\w*|annotat\w*|distil\w*|embedding\w*|"
                           r"features?|bootstrap\w*|smaller|student|teacher|train\w* (?:a|your|on)|move to|replace)\b")


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
        before = clause[max(0, match.start() - 40): match.start()]
        negative = bool(_NEGATIVE_BEFORE.search(before))
        contrasted = bool(_CONTRAST_BEFORE.search(before)) or negative
        out.append((match.start(), match.end(), option, contrasted))
    return out


def stances(sentence: str) -> list[Stance]:
    """Which options the sentence endorses (+) or rejects (-), clause by clause."""
    found: list[Stance] = []
    for clause in clauses(normalize(sentence)):
        mentions = _mentions(clause)
        if not mentions:
            continue
        for start, _, option, _ in mentions:  # "avoid X", "rule out X"
            before = clause[max(0, start - 40): start]
            if _NEGATIVE_BEFORE.search(before):
                found.append(Stance(option, False, clause))
        for cue in _PREFIX_CUE.finditer(clause):
            negated = bool(cue.group("neg") or cue.group("neg2")) or bool(
                re.search(r"\b(?:not|never|no longer)\s+(?:\w+\s+){0,2}$", clause[max(0, cue.start() - 30):cue.start()]))
            after = [m for m in mentions if m[0] >= cue.end() and not m[3]]
            if after:
                found.append(Stance(after[0][2], not negated, clause))
        for cue in _SUFFIX_CUE.finditer(clause):
            groups = cue.groupdict()
            negated = bool(groups.get("neg") or groups.get("neg2") or groups.get("neg3"))
            bad = bool(groups.get("bad")) or (groups.get("std") or "") in {"ruled out", "not an option",
                                                                            "out of the question"}
            before = [m for m in mentions if m[1] <= cue.start() and not m[3]]
            if before:
                found.append(Stance(before[-1][2], not (negated or bad) or (negated and bad), clause))
    return found


# --------------------------------------------------------------------------------------------- profile facts

_YOU = re.compile(r"\b(?:you|your|you're|you've|you'll|yours|we|our|us|we're|we've)\b")
_NEGATION = re.compile(r"\b(?:not|never|no longer|lack\w*|without)\b")
_FACT_TERMS: list[tuple[str, Value, str]] = [
    ("data_type", "tabular", r"tabular|structured data|spreadsheets?|rows and columns"),
    ("data_type", "text", r"text data|textual data|free text|text documents"),
    ("data_type", "image", r"image data|images|photos|pictures"),
    ("data_type", "video", r"video data|videos|video footage|footage"),
    ("data_type", "audio", r"audio data|audio|speech|voice recordings"),
    ("data_type", "multimodal", r"multi-?modal|mixed media"),
    ("task", "narrow", r"narrow(?:,| and)? (?:well-defined )?task|well[- ]defined(?:,)? (?:specific )?task|specific task"),
    ("task", "open_ended", r"open[- ]ended|creative task|exploratory task"),
    ("stage", "prototype", r"prototype|\bmvp\b|proof[- ]of[- ]concept|quick test|early[- ]stage"),
    ("stage", "production", r"(?:long[- ]lived )?production system|in production|long[- ]lived"),
    ("ml_team", False, r"no (?:in-house |dedicated )?(?:ml|machine[- ]learning|data[- ]science) (?:team|engineers|"
                       r"expertise|skills|people|staff)|no data scientists|without (?:an? |any )?(?:in-house )?"
                       r"(?:ml|machine[- ]learning|data[- ]science) (?:team|engineers|expertise|skills)"
                       r"|lack(?:s|ing)? (?:an? |the )?(?:ml|machine[- ]learning) (?:team|engineers|expertise|skills)"),
    ("ml_team", True, r"(?:ml|machine[- ]learning|data[- ]science) (?:team|engineers|expertise|skills)|data scientists"),
    ("labeled_data", "none", r"no (?:labell?ed |annotated )?(?:data|examples|labels)(?= |$|[.,])|without (?:any )?labels"
                             r"|unlabell?ed|lack(?:s|ing)? labels|no labell?ed"),
    ("labeled_data", "plenty", r"plenty of (?:labell?ed|labels|annotated)|(?:lots|large amounts?|a lot|millions|"
                               r"abundant|many|large volumes?) of (?:labell?ed|labels|annotated)"),
    ("labeled_data", "some", r"(?:some|a few|limited|few|a small (?:number|amount) of|only some) "
                             r"(?:labell?ed|labels|annotated)"),
    ("privacy", "strict", r"must (?:not|never) leave|(?:stay|kept|remain)s? (?:on|within|inside) your (?:own )?"
                          r"infrastructure|strict privacy|can not leave|on-prem(?:ise)?s?"),
    ("privacy", "sensitive", r"sensitive (?:data|information)|personal data|\bpii\b"),
    ("privacy", "none", r"no (?:special )?privacy (?:constraints|concerns|requirements)"),
    ("external_api_ok", False, r"no (?:third[- ]party|external) (?:model )?apis|(?:can not|not allowed to|must not|"
                               r"do not want to|can not) (?:use|depend on|rely on|send data to) (?:a |an )?"
                               r"(?:third[- ]party|external)"),
    ("external_api_ok", True, r"(?:third[- ]party|external) (?:model )?apis? (?:are|is) (?:allowed|fine|acceptable|ok)"
                              r"|(?:allowed|fine|okay|ok|comfortable|happy) (?:to use|using|with|relying on) "
                              r"(?:a |an )?(?:third[- ]party|external|openai)"),
    ("latency", "realtime", r"real[- ]?time|tens of milliseconds"),
    ("latency", "interactive", r"interactive latency"),
    ("latency", "relaxed", r"relaxed latency|batch (?:processing )?is fine"),
    ("edge", True, r"on[- ]device|on the device|at the edge|edge deployment|on (?:a |the |their )?phones?"),
    ("edge", False, r"server[- ]side deployment|on your servers"),
    ("volume", "high", r"high (?:request )?volume|millions of requests|a million requests"),
    ("volume", "medium", r"medium (?:request )?volume|moderate (?:request )?volume"),
    ("volume", "low", r"low (?:request )?volume|few requests"),
    ("budget", "low", r"(?:tight|low|limited|small) (?:infrastructure )?budget|budget is (?:tight|low|limited|small)"),
    ("budget", "medium", r"(?:moderate|medium) (?:infrastructure )?budget|budget is (?:moderate|medium)"),
    ("budget", "high", r"(?:generous|large|big|high) (?:infrastructure )?budget|budget is (?:generous|large|big|high)"),
    ("control", True, r"full control"),
]
_FACTS = [(name, value, re.compile(rf"\b(?:{pattern})")) for name, value, pattern in _FACT_TERMS]
_FACT_CONDITIONAL = re.compile(r"\b(?:if|unless|whether|suppose|imagine|would|could|might|should you|were you|"
                               r"once|when|in case|assuming)\b")


def fact_claims(sentence: str) -> list[tuple[str, Value, bool, str]]:
    """(field, value, asserted, clause) for facts the sentence states about the user's project.

    Only clauses addressed to the user ("you", "your", "we") and not conditional count; asserted=False is
    a negated enum fact ("your data is not tabular")."""
    out: list[tuple[str, Value, bool, str]] = []
    for clause in clauses(normalize(sentence)):
        if _FACT_CONDITIONAL.search(clause):
            continue
        taken: list[tuple[int, int]] = []
        found: list[tuple[str, Value, bool]] = []
        for name, value, pattern in _FACTS:
            for match in pattern.finditer(clause):
                if any(s < match.end() and match.start() < e for s, e in taken):
                    continue
                taken.append((match.start(), match.end()))
                before = clause[max(0, match.start() - 40): match.start()]
                negated = bool(re.search(r"\b(?:not|never|no longer|lack\w*|without)\s+(?:\w+\s+){0,3}$", before))
                if isinstance(value, bool):
                    found.append((name, value != negated if negated else value, True))
                else:
                    found.append((name, value, not negated))
        if not found:
            continue
        rest = clause
        for start, end in sorted(taken, reverse=True):  # "your" inside a fact phrase is not an address
            rest = rest[:start] + " " + rest[end:]
        if _YOU.search(rest):
            out += [(name, value, asserted, clause) for name, value, asserted in found]
    return out


# ------------------------------------------------------------------------------------------------ evidence

# The explainer's own connective wording (explain.py): an LLM may echo it without inventing anything.
FRAME_TEXT = """because of what you've told me. It scores against for the runner-up, so my confidence is.
What would change it. The main argument against. That points to. One question that could change the answer.
What speaks for it. What holds it back. It would become my recommendation. No single change to your profile
would make it the recommendation; it would take several. Nothing you've told me so far argues for. It is ruled
out. Is in fact what I recommend. My recommendation would change from to, would stay. The hybrid would use.
What changes. No longer applies. Your saved profile is unchanged. Say let's go with that to adopt these
changes, or keep the original. Any one of these would change my mind. Still unknown and able to tip it. The
case for it is robust. Related. For your project, I currently recommend. Done: I've updated your profile.
That changes my answer: it was. Noted. I've set back to unknown. On balance, I'd go with. For now I lean
towards, but it is a close call. Specifically. Sources. Why not. Rules decide, explain, fact, facts, profile,
known, unknown, told, tell, trace, passage, rule, score, scores, confidence, recommendation, explanation."""

def _texts_of(decision: Decision) -> list[str]:
    texts = []
    for rule in decision.fired_rules:
        texts += [rule.reason, rule.note]
    for cf in decision.counterfactuals:
        texts.append(f"with {_PHRASES[(cf.field, cf.value)]} it would be {OPTION_LABELS[cf.recommendation]}")
    for name, value in decision.profile.items():
        texts += [_PHRASES[(name, value)], FIELDS[name].label, FIELDS[name].help]
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

    @classmethod
    def build(cls, decision: Decision, passages: Sequence[Any] = (), *, intent: str = "recommend",
              what_if: Any = None, previous: Decision | None = None, titles: Mapping[str, str] | None = None,
              extra: Iterable[str] = ()) -> Evidence:
        """decision: the saved profile's decision; what_if: explain.WhatIf; previous: the decision before this
        turn's changes (when they changed the answer); passages: objects with .section, .title, .text."""
        texts = [FRAME_TEXT, *OPTION_LABELS.values(), *PATTERN_LABELS.values(), *SHORT.values(), *extra]
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
        for passage in passages:
            section = str(getattr(passage, "section", None) or getattr(passage, "id", passage)).split("#")[0]
            ids.add(section)
            texts += [getattr(passage, "title", ""), getattr(passage, "text", "")]
        vocabulary: set[str] = set()
        for text in texts:
            if text:
                vocabulary.update(content_words(text))
        conditional = {cf.recommendation for cf in focus.counterfactuals} | {focus.recommendation}
        if before_option:
            conditional.add(before_option)
        return cls(recommendation=focus.recommendation, profile=dict(decision.profile), passage_ids=frozenset(ids),
                   vocabulary=frozenset(vocabulary), intent=intent, previous=before_option,
                   previous_markers=markers, conditional_options=frozenset(conditional), alternatives=alternatives)

    @classmethod
    def from_context(cls, ctx: Any, passages: Sequence[Any] | None = None, intent: str = "recommend") -> Evidence:
        """From explain.Context (the deterministic explainer's input) and the passages shown to the LLM."""
        return cls.build(ctx.decision, ctx.passages if passages is None else passages, intent=intent,
                         what_if=ctx.what_if, previous=ctx.previous, titles=ctx.titles)


# --------------------------------------------------------------------------------------------------- guard

class Guard:
    """Deterministic checks of one answer against the evidence of its turn."""

    def __init__(self, evidence: Evidence, *, threshold: float = SUPPORT_THRESHOLD,
                 checks: Sequence[str] = CHECKS) -> None:
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
            findings.append(Finding("repetition", f"a sentence runs past {MAX_SENTENCE_CHARS} characters",
                                    sentence))
        return findings

    def _stance(self, sentence: str) -> list[Finding]:
        if _QUESTION.search(sentence.strip()):
            return []
        ev = self.evidence
        label = SHORT
        out: list[Finding] = []
        low = normalize(sentence)
        conditional = bool(_CONDITIONAL.search(low) and _MODAL.search(low))
        for stance in stances(sentence):
            expected = ev.recommendation
            attributed_past = bool(ev.previous and ev.previous_markers and ev.previous_markers.search(stance.clause))
            if attributed_past and not (ev.previous_markers is _CURRENT and _HYPOTHETICAL.search(stance.clause)
                                        and not re.search(r"\b(?:currently|today|now|current)\b", stance.clause)):
                expected = ev.previous or expected
            if stance.positive:
                if stance.option == expected:
                    continue
                if conditional and stance.option in ev.conditional_options:
                    continue
                if expected == "hybrid" and stance.option != "hybrid" and _HYBRID_PARTS.search(stance.clause):
                    continue  # "start with a foundation model, then train a smaller one" describes the hybrid
                out.append(Finding("recommendation", f"endorses {label[stance.option]}, but the rules recommend "
                                                     f"{label[expected]}", sentence))
            elif stance.option == expected and not conditional:
                out.append(Finding("recommendation", f"argues against {label[expected]}, which the rules "
                                                     f"recommend", sentence))
        return out

    def _facts(self, sentence: str) -> list[Finding]:
        if _QUESTION.search(sentence.strip()):
            return []
        ev = self.evidence
        out = []
        for name, value, asserted, _clause in fact_claims(sentence):
            known = ev.profile.get(name)
            allowed = {v for v in (known, ev.alternatives.get(name)) if v is not None}
            shown = _PHRASES.get((name, value), f"{name}={value}")
            if asserted and allowed and value not in allowed:
                said = " or ".join(_PHRASES[(name, v)] for v in allowed)
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
                out.append(Finding("citations", f"links to {link.strip('()') or inner!r}; cite provided passages "
                                                f"as [section-id]", sentence))
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
            return [Finding("support", f"not supported by the trace or the passages (coverage {score:.2f} < "
                                       f"{self.threshold:.2f})", sentence)]
        return []

    # -- a whole text ----------------------------------------------------------------------------------
    def check(self, text: str) -> Verdict:
        start = time.perf_counter()
        stream = StreamCheck(self)
        findings = stream.feed(text, final=True)
        return Verdict(findings, self.checks, (time.perf_counter() - start) * 1000)


class Repetition:
    """Incremental runaway detection: repeated sentences, a phrase repeated again and again, stuttering."""

    NGRAM = 6
    NGRAM_LIMIT = 3  # the same 6 words a third time is a loop, not style
    STUTTER = re.compile(r"\b(\w+)(?:\W+\1\b){3,}", re.I)

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.ngrams: Counter[tuple[str, ...]] = Counter()

    def add(self, sentence: str) -> list[Finding]:
        out: list[Finding] = []
        key = " ".join(_WORD.findall(normalize(CITATION_RE.sub("", sentence))))
        if len(key) >= 12 and key in self.seen:
            out.append(Finding("repetition", "repeats an earlier sentence", sentence))
        self.seen.add(key)
        words = key.split()
        hits = []
        for i in range(len(words) - self.NGRAM + 1):
            gram = tuple(words[i:i + self.NGRAM])
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
            return [Finding("repetition", f"a sentence runs past {MAX_SENTENCE_CHARS} characters", text[:200])]
        probe = cls()
        words = _WORD.findall(normalize(text))
        if len(words) >= 24 and len(set(words)) / len(words) < 0.35:
            return [Finding("repetition", "loops over the same few words", text[:200])]
        return [f for f in probe.add(text) if "earlier sentence" not in f.message]


class StreamCheck:
    """Checks a growing text sentence by sentence: `feed(text_so_far)` returns findings for sentences that
    completed since the last call (and for a runaway unfinished one); `feed(text, final=True)` checks the rest."""

    def __init__(self, guard: Guard) -> None:
        self.guard = guard
        self.done = 0  # sentences already checked
        self.repetition = Repetition()
        self.ms = 0.0
        self.findings: list[Finding] = []

    def feed(self, text: str, final: bool = False) -> list[Finding]:
        start = time.perf_counter()
        parts = sentences(text)
        complete = parts if final else parts[:-1]
        # A citation or closing mark can still join the last "complete" sentence: keep one back until
        # more text follows it.
        new: list[Finding] = []
        for sentence in complete[self.done:]:
            new += self.guard.check_sentence(sentence)
            if "repetition" in self.guard.checks:
                new += self.repetition.add(sentence)
        self.done = max(self.done, len(complete))
        if not final and parts and len(parts) > len(complete) and "repetition" in self.guard.checks:
            tail = parts[-1]
            if len(tail) > 200:
                new += Repetition.tail(tail)
        self.findings += new
        self.ms += (time.perf_counter() - start) * 1000
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
