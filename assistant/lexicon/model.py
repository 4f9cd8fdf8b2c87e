"""The lexicon's shape: entries (patterns with the examples they must and must not match), fields, sets.

Why its own module: the loader builds these, the understander reads them and the linter checks them; none
of the three should know how the others work, only this shape. Dependency-free apart from the core types
(no YAML, no regex compilation here).

Besides the understander's vocabulary (fields, sets, languages) the lexicon holds the words four other
readers use, so all of the field vocabulary lives in one place: how an answer claims a fact (`ClaimEntry`,
read by the guard), the cues that an LLM's reading is plainly stated in the user's text (`EvidenceCue`,
read by assistant/llm/evidence), one plain sentence per fact (a `Statement` of the `statements` section,
written by the eval generator) and one subjunctive clause per fact (a `Statement` of `what_ifs`, the
what-if buttons' questions).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Final, Literal, TypeAlias, TypedDict

from ..errors import KnowledgeError
from ..types import Value

__all__ = [
    "FINDERS",
    "FIXED",
    "IGNORE",
    "AnswerEntry",
    "ClaimEntry",
    "CueEntry",
    "Entry",
    "EntryParts",
    "EvidenceCue",
    "EvidenceKind",
    "FieldLexicon",
    "Language",
    "Lexicon",
    "LexiconError",
    "Negation",
    "Pattern",
    "PatternSet",
    "Problem",
    "Statement",
    "what_if_question",
]

# Values read by code from the text around a match (the mechanism); a cue names one with `finder:`.
FINDERS: Final = (
    "device_context",
    "label_amount",
    "budget_level",
    "money_level",
    "api_policy",
    "latency_ms",
    "realtime_context",
    "history_labels",
)


class Negation(Enum):
    FIXED = "fixed"  # negation is not checked: the pattern carries its own polarity
    IGNORE = "ignore"  # a negated mention changes nothing


FIXED: Final = Negation.FIXED
IGNORE: Final = Negation.IGNORE
Negated: TypeAlias = Value | Literal[Negation.FIXED, Negation.IGNORE]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the lexicon, where it is: `file:line: entry 'id': part: message`."""

    file: str
    line: int
    entry: str | None
    part: str | None
    message: str
    severity: str = "error"  # error | warning

    def __str__(self) -> str:
        parts = [f"{self.file}:{self.line}" if self.line else self.file]
        if self.entry:
            parts.append(f"entry {self.entry!r}")
        if self.part:
            parts.append(self.part)
        return f"{self.severity}: {': '.join(parts)}: {self.message}"


class LexiconError(KnowledgeError):
    """A lexicon that cannot be used; lists every problem found (file, line, entry, part)."""

    def __init__(self, problems: str | list[Problem]) -> None:
        self.problems: list[Problem] = (
            [Problem("lexicon", 0, None, None, problems)] if isinstance(problems, str) else list(problems)
        )
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True, slots=True)
class Pattern:
    """One alternative of an entry: as written, with {FRAGMENTS} expanded, and the line it is on."""

    raw: str
    source: str
    line: int


@dataclass(frozen=True, kw_only=True)
class Entry:
    """Patterns (alternatives of one regular expression) and the texts they must and must not match."""

    id: str
    file: str
    line: int
    patterns: tuple[Pattern, ...]
    examples: tuple[str, ...]
    counterexamples: tuple[str, ...]
    multiline: bool = False

    @property
    def source(self) -> str:
        """The whole expression: every alternative in a non-capturing group."""
        return "|".join(f"(?:{p.source})" for p in self.patterns)


class EntryParts(TypedDict):
    """What every entry has, as the loader reads it (the keyword arguments of `Entry`)."""

    id: str
    file: str
    line: int
    patterns: tuple[Pattern, ...]
    examples: tuple[str, ...]
    counterexamples: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class CueEntry(Entry):
    """A phrase that states a value of a profile field (or whose value a `finder` reads from the text)."""

    field: str
    value: Value | None = None
    finder: str | None = None
    negated: Negated = FIXED  # the value when a negator precedes it in its clause


@dataclass(frozen=True, kw_only=True)
class AnswerEntry(Entry):
    """A short reply that answers the question about `field` with `value` (read only as such an answer)."""

    field: str
    value: Value


@dataclass(frozen=True, kw_only=True)
class PatternSet(Entry):
    """Named vocabulary the code uses by id (intents, replies, injection, helper words). `intent` (and
    `target`, `pending`) say what an example means, so the linter can check the whole reading."""

    intent: str | None = None
    target: str | None = None
    pending: bool = False
    means: str | None = None  # chat shorthand: what a match is spelled out as (shorthand.yaml)


@dataclass(frozen=True, kw_only=True)
class Language(Entry):
    """A language the assistant can name (and answer in, in one line) but not yet understand."""

    code: str
    name: str
    reply: str
    script: bool = False  # True: detected by its alphabet; False: by its common words


@dataclass(frozen=True, kw_only=True)
class ClaimEntry(Entry):
    """How an answer (written by an LLM) claims that the user's project has `field` = `value`; the guard
    compares such claims with the profile. Which claims count (addressed to the user, not conditional,
    negated) is the guard's code; at one position the claim listed first wins ("no ML team" before "ML
    team"), so the order written is kept."""

    field: str
    value: Value


# mentions: the text names the field; states: it names an enum value; polar: it names a yes/no fact, whose
# polarity (negated or not) says which value
EvidenceKind: TypeAlias = Literal["mentions", "states", "polar"]


@dataclass(frozen=True, kw_only=True)
class EvidenceCue(Entry):
    """A cue word that the user's own text supports a fact an LLM read into it (assistant/llm/evidence):
    every field has a `mentions` cue; an enum value a `states` cue, a yes/no field a `polar` one."""

    field: str
    kind: EvidenceKind
    value: Value | None = None  # the stated value (`states` only)


@dataclass(frozen=True)
class Statement:
    """The user's words for one fact, in their voice. In `statements`, a plain sentence ("our data is
    tabular"): the eval generator writes its conversations with these, and the understander must read it as
    `value`. In `what_ifs`, a subjunctive clause ("our data were tabular"): a what-if button asks
    f"What if {text}?", which the understander must read as a what-if that changes `field` to `value`."""

    id: str
    file: str
    line: int
    field: str
    value: Value
    text: str
    section: str = "statements"  # statements | what_ifs


def what_if_question(clauses: str) -> str:
    """How a what-if button asks its `what_ifs` clause(s): "What if we had no in-house ML team?"."""
    return f"What if {clauses}?"


@dataclass(frozen=True)
class FieldLexicon:
    """Everything about one profile field: how to ask, how answers phrase it, what signals each value."""

    name: str
    file: str
    line: int
    question: str
    phrases: Mapping[Value, str]
    confirm: Mapping[Value, str]  # "the data can't leave your servers": for "It sounds like ...: right?"
    yes_no: tuple[Value, Value] | None  # what a bare yes / no answers to the question
    cues: tuple[CueEntry, ...]
    answers: tuple[AnswerEntry, ...]


@dataclass(frozen=True)
class Lexicon:
    fields: Mapping[str, FieldLexicon]
    sets: Mapping[str, PatternSet]
    fragments: Mapping[str, str]
    languages: Mapping[str, Language]
    files: tuple[str, ...] = ()
    negators: tuple[Pattern, ...] = field(default=())
    claims: tuple[ClaimEntry, ...] = ()
    evidence: tuple[EvidenceCue, ...] = ()
    statements: Mapping[tuple[str, Value], Statement] = field(default_factory=dict)
    what_ifs: Mapping[tuple[str, Value], Statement] = field(default_factory=dict)

    def entries(self) -> list[Entry]:
        """Every entry, kind by kind, in the order written."""
        out: list[Entry] = []
        for spec in self.fields.values():
            out += [*spec.cues, *spec.answers]
        out += [*self.sets.values(), *self.languages.values(), *self.claims, *self.evidence]
        return out

    def evidence_cues(self, kind: EvidenceKind) -> list[EvidenceCue]:
        """The evidence cues of one kind, in the order written."""
        return [cue for cue in self.evidence if cue.kind == kind]

    def set(self, name: str) -> PatternSet:
        try:
            return self.sets[name]
        except KeyError:
            raise LexiconError(f"the lexicon has no set {name!r} (the code needs it)") from None

    def fragment(self, name: str) -> str:
        try:
            return self.fragments[name]
        except KeyError:
            raise LexiconError(f"the lexicon has no fragment {name!r} (the code needs it)") from None

    def phrase(self, name: str, value: Value) -> str:
        """How answers phrase a fact: ("ml_team", False) -> "no in-house ML team"."""
        return self.fields[name].phrases[value]

    def question(self, name: str) -> str:
        """The question that asks for a field."""
        return self.fields[name].question
