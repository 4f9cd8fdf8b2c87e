"""The guard's checks: judging an LLM-written answer, sentence by sentence, against the turn's evidence.

The rules decide and the LLM only explains, so an LLM answer is acceptable only if it

  recommendation  never recommends or endorses an option other than the computed one, and never denies the
                  computed one (for what-if answers the old recommendation may be named as the current one);
  profile         states no fact about the user's project that contradicts (or is absent from) the profile;
  citations       cites only passages it was given, written as ``[section-id]``;
  support         has every sentence supported by the decision trace or the passages (lexical coverage of
                  the sentence's content words >= SUPPORT_THRESHOLD[answer's language], calibrated on
                  labelled sentences in that language);
  repetition      does not run away (repeated sentences or phrases, stuttering, an endless sentence).

Pure Python and regular expressions: no model, no network, well under 5 ms per answer
(benchmarks/guard_bench.py). Timings recorded here (`ms`, the writer's `overhead_ms`) are the CPU time of
the checking thread, so a busy machine does not inflate them. `Guard.check` judges a whole text;
`StreamCheck` judges a stream sentence by sentence as it grows, so a violation can be caught (and the
partial text replaced) mid-stream.

One concern: the verdict. Reading a sentence is done elsewhere (`text`, `stance`, `facts`, `repetition`);
what the answer may rest on is `evidence.Evidence`; this module decides which readings are violations.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from ..errors import SettingsError
from ..explain import PHRASES
from ..types import Finding, Option
from .evidence import Evidence, support_score
from .facts import fact_claims
from .reading import Reading, reading
from .repetition import MAX_SENTENCE_CHARS, Repetition
from .stance import CURRENT, PAST, stances
from .text import CITATION_RE, SENTENCE_END, alternation, content_words, normalize, sentences, words

CHECKS: tuple[str, ...] = ("recommendation", "profile", "citations", "support", "repetition")

# Minimum share of a sentence's content words that must occur in the trace or the passages, by the
# answer's language (`Evidence.lang`): each is chosen by evals/calibrate_guard.py on that language's labelled
# sentences, as the most unsupported sentences caught while passing >= 95% of supported ones. Sentences with
# fewer than MIN_CONTENT_WORDS content words are not scored (connectives such as "Here is why:").
#   en  0.85 on evals/guard_calibration.yaml (165 sentences, 81 written by the local SmolLM2 model): accuracy
#       0.945, unsupported caught 0.933, supported passed 0.967 (AUC 0.987); leave-one-scenario-out: 0.939 /
#       0.923 / 0.967.
#   ru  0.75 on evals/guard_calibration-ru.yaml (206 Russian sentences written by hand in 14 scenarios,
#       passages at the "openai" budget of 700 characters): accuracy 0.883, unsupported caught 0.781,
#       supported passed 0.973 (AUC 0.932); leave-one-scenario-out: 0.874 / 0.792 / 0.945. Lower than English
#       because the Russian reading matches fewer paraphrased word forms: 0.85 would flag 17% of the
#       supported sentences.
SUPPORT_THRESHOLD: Final[Mapping[str, float]] = MappingProxyType({"en": 0.85, "ru": 0.75})
MIN_CONTENT_WORDS = 3
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass
class Verdict:
    """The findings for one answer (none: it passed), the checks that ran and their CPU time in ms."""

    findings: list[Finding]
    checks: tuple[str, ...] = CHECKS
    ms: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.findings

    def failed(self) -> list[str]:
        return sorted({f.check for f in self.findings})


# How the recommendation check weighs a stance: conditionals ("if you had ..., X would be") may endorse an
# option the trace says the change would lead to; questions endorse nothing; a what-if's hypothetical
# clause is judged against the new recommendation; concept answers only count advice addressed to the user.
_CONDITIONAL = re.compile(
    r"(?:^|\b)"
    + alternation(
        "if", "unless", "once", "suppose", "assuming", "were you", "had you", "should you", "in case"
    )
    + r"\b"
)
_MODAL = re.compile(r"\b(?:would|could|might|will)\b")
_QUESTION = re.compile(r"\?\s*(?:\[[^\]]*\]\s*)*$")
_HYPOTHETICAL = re.compile(r"\b(?:would|if|then|in that case|with (?:that|this|these|the) changes?|under)\b")
_ADDRESSED = re.compile(r"\b(?:i|i'm|i've|we|you|your|yours|my|our|us|this project|the project)\b")
_HYBRID_PARTS = re.compile(
    r"\b"
    + alternation(
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


# The English reading: the regular expressions above and the readers of `stance`, `facts` and `text`.
ENGLISH = Reading(
    normalize=normalize,
    words=words,
    content_words=content_words,
    stances=stances,
    claims=fact_claims,
    conditional=_CONDITIONAL,
    modal=_MODAL,
    addressed=_ADDRESSED,
    hypothetical=_HYPOTHETICAL,
    present=re.compile(r"\b(?:currently|today|now|current)\b"),
    past=PAST,
    current=CURRENT,
    hybrid_parts=_HYBRID_PARTS,
)


def reading_for(lang: str) -> Reading:
    """The guard's reading of answers in `lang`: `ENGLISH`, or `reading.reading(lang)`."""
    return ENGLISH if lang == "en" else reading(lang)


class Guard:
    """Deterministic checks of one answer against the evidence of its turn. `threshold`: the support
    threshold; by default SUPPORT_THRESHOLD of the evidence's language."""

    def __init__(
        self, evidence: Evidence, *, threshold: float | None = None, checks: Sequence[str] = CHECKS
    ) -> None:
        unknown = set(checks) - set(CHECKS)
        if unknown:
            raise SettingsError(f"unknown guard checks: {sorted(unknown)}")
        self.evidence = evidence
        self.threshold = SUPPORT_THRESHOLD[evidence.lang] if threshold is None else threshold
        self.checks = tuple(checks)
        self.reading = reading_for(evidence.lang)

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
        ev, r = self.evidence, self.reading
        label: dict[str, str] = {o.value: o.short for o in Option}
        out: list[Finding] = []
        low = r.normalize(sentence)
        conditional = bool(r.conditional.search(low) and r.modal.search(low))
        for stance in r.stances(sentence):
            if ev.intent == "concept" and not r.addressed.search(stance.clause):
                continue  # explaining a concept states general truths; only advice to the user counts
            expected = ev.recommendation
            clause = stance.clause
            attributed_past = bool(ev.previous and ev.previous_markers and ev.previous_markers.search(clause))
            hypothetical = (
                ev.previous_markers is r.current
                and r.hypothetical.search(clause)
                and not r.present.search(clause)
            )
            if attributed_past and not hypothetical:
                expected = ev.previous or expected
            if stance.positive:
                if stance.option == expected:
                    continue
                if conditional and stance.option in ev.conditional_options:
                    continue
                if (
                    expected == "hybrid"
                    and stance.option != "hybrid"
                    and r.hybrid_parts.search(stance.clause)
                ):
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
        for name, value, asserted, _clause in self.reading.claims(sentence):
            known = ev.profile.get(name)
            # the profile's value first, then a what-if's (a list, so the message reads the same every run)
            allowed = list(dict.fromkeys(v for v in (known, ev.alternatives.get(name)) if v is not None))
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
        score, count = support_score(sentence, self.evidence.vocabulary, self.reading.content_words)
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


class StreamCheck:
    """Checks a growing text sentence by sentence: `feed(text_so_far)` returns findings for sentences that
    completed since the last call (and for a runaway unfinished one); `feed(text, final=True)` checks the
    rest.
    Each call only looks at the text after the last complete sentence, so a whole stream costs O(length)."""

    def __init__(self, guard: Guard) -> None:
        self.guard = guard
        self.offset = 0  # characters already checked (complete sentences)
        self.repetition = Repetition(guard.evidence.names, guard.reading.words)
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
            for match in SENTENCE_END.finditer(tail):
                cut = match.end()
            complete, rest = tail[:cut], tail[cut:]
        new: list[Finding] = []
        for sentence in sentences(complete):
            new += self.guard.check_sentence(sentence)
            if "repetition" in self.guard.checks:
                new += self.repetition.add(sentence)
        self.offset += len(complete)
        if len(rest) > 200 and "repetition" in self.guard.checks:
            new += Repetition.tail(rest, self.guard.reading.words)
        self.findings += new
        self.ms += (time.thread_time() - start) * 1000
        return new


def check(
    text: str, evidence: Evidence, *, threshold: float | None = None, checks: Sequence[str] = CHECKS
) -> Verdict:
    """One-call form: `check(answer, Evidence.from_context(ctx, passages, intent))`."""
    return Guard(evidence, threshold=threshold, checks=checks).check(text)


def findings_for_prompt(findings: Iterable[Finding], limit: int = 5) -> str:
    """The guard's findings as lines the LLM can act on in a regeneration."""
    lines = []
    for finding in list(findings)[:limit]:
        lines.append(f"- {finding}")
    return "\n".join(lines)
