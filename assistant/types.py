"""The shared vocabulary of a turn: the values that cross every seam, and the Protocols of the parts.

Dependency-free on purpose (standard library only, no project imports): every other module may import
it, so the seams between understanding, the engine, retrieval, the writers and the guard are visible
here and nowhere is a project type passed behind `Any`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Protocol, TypeAlias, runtime_checkable

Value: TypeAlias = str | bool
"""A profile value: an enum value's name (e.g. "tabular") or a flag (True/False)."""

JSON: TypeAlias = "dict[str, JSON] | list[JSON] | str | int | float | bool | None"


class Option(StrEnum):
    """The three answers the product can give. A StrEnum, so JSON and YAML keep plain strings."""

    CUSTOM = "custom"
    FOUNDATION = "foundation"
    HYBRID = "hybrid"

    @property
    def label(self) -> str:
        """The noun phrase prose uses: "a custom model"."""
        return _OPTION_LABELS[self]

    @property
    def short(self) -> str:
        """Without the article: "custom model"."""
        return _OPTION_SHORT[self]

    @property
    def title(self) -> str:  # type: ignore[override]  # str.title() is not meaningful for an Option
        """For headings and buttons: "Custom model"."""
        return _OPTION_TITLES[self]

    @classmethod
    def parse(cls, value: object) -> Option | None:
        """The option named by `value` ("custom", an Option), or None for anything else."""
        try:
            return cls(str(value))
        except ValueError:
            return None


_OPTION_LABELS = {
    Option.CUSTOM: "a custom model",
    Option.FOUNDATION: "a foundation model",
    Option.HYBRID: "a hybrid of both",
}
_OPTION_SHORT = {
    Option.CUSTOM: "custom model",
    Option.FOUNDATION: "foundation model",
    Option.HYBRID: "hybrid",
}
_OPTION_TITLES = {
    Option.CUSTOM: "Custom model",
    Option.FOUNDATION: "Foundation model",
    Option.HYBRID: "Hybrid",
}
# Tie-break order: the article's default (custom) first.
OPTION_ORDER: tuple[Option, ...] = (Option.CUSTOM, Option.FOUNDATION, Option.HYBRID)


class Intent(StrEnum):
    """What a user's turn asks for; each intent has its own answer shape."""

    DESCRIBE = "describe"
    RECOMMEND = "recommend"
    WHY = "why"
    WHY_NOT = "why_not"
    WHAT_IF = "what_if"
    ADOPT = "adopt"
    DISCARD = "discard"
    CHANGE_MIND = "change_mind"
    CONCEPT = "concept"
    RESET = "reset"
    UNDO = "undo"
    OUT_OF_SCOPE = "out_of_scope"
    INJECTION = "injection"
    HELP = "help"
    FORM = "form"  # a form edit in the web app: facts set without words


# Intents whose answers are about the decision and use retrieved passages (and that an LLM may rephrase).
RETRIEVING_INTENTS = frozenset(
    {
        Intent.DESCRIBE,
        Intent.RECOMMEND,
        Intent.WHY,
        Intent.WHY_NOT,
        Intent.WHAT_IF,
        Intent.ADOPT,
        Intent.CHANGE_MIND,
        Intent.CONCEPT,
    }
)


class FactSource(StrEnum):
    """Where a profile fact came from (the provenance the panel and the decision record show)."""

    FORM = "form"
    CHAT = "chat"
    FILE = "file"
    ASSUMED = "assumed"


class Confidence(StrEnum):
    """Confidence bands, so the explainer and the UI describe the same number with the same words."""

    HIGH = "high"
    MODERATE = "moderate"
    LOW = "low"

    @classmethod
    def of(cls, confidence: float) -> Confidence:
        if confidence >= 0.5:
            return cls.HIGH
        if confidence >= 0.25:
            return cls.MODERATE
        return cls.LOW


# ----------------------------------------------------------------------------------- the decision
@dataclass(frozen=True, slots=True)
class FiredRule:
    id: str
    favors: Option | None
    weight: float
    reason: str
    sources: tuple[str, ...]
    excludes: Option | None = None
    pattern: str | None = None
    note: str = ""

    def to_dict(self) -> dict[str, JSON]:
        data: dict[str, JSON] = {
            "id": self.id,
            "favors": self.favors,
            "weight": self.weight,
            "reason": self.reason,
            "sources": list(self.sources),
        }
        if self.excludes:
            data["excludes"] = self.excludes
        if self.pattern:
            data["pattern"] = self.pattern
        if self.note:
            data["note"] = self.note
        return data


@dataclass(frozen=True, slots=True)
class Counterfactual:
    """Setting `field` to `value` would make the recommendation `recommendation`."""

    field: str
    value: Value
    recommendation: Option
    current: Value | None = None  # None: the field is unknown today

    def to_dict(self) -> dict[str, JSON]:
        return {
            "field": self.field,
            "value": self.value,
            "recommendation": self.recommendation,
            "current": self.current,
        }


@dataclass(frozen=True)
class Decision:
    """The rules engine's whole answer for one profile; the single source of truth every part trusts."""

    recommendation: Option
    hybrid_patterns: tuple[str, ...]
    scores: dict[str, float]
    confidence: float
    fired_rules: tuple[FiredRule, ...]
    excluded: tuple[Option, ...]
    counterfactuals: tuple[Counterfactual, ...] = ()
    missing: tuple[str, ...] = ()
    profile: Mapping[str, Value] = field(default_factory=lambda: MappingProxyType({}))

    def to_dict(self) -> dict[str, JSON]:
        """The public `recommend --json` contract."""
        return {
            "recommendation": self.recommendation,
            "hybrid_patterns": list(self.hybrid_patterns),
            "scores": dict(self.scores),
            "confidence": self.confidence,
            "fired_rules": [r.to_dict() for r in self.fired_rules],
            "excluded": list(self.excluded),
            "counterfactuals": [c.to_dict() for c in self.counterfactuals],
            "missing": list(self.missing),
        }

    @property
    def sources(self) -> list[str]:
        """Section ids of the rules that back the recommendation, strongest first, without repeats."""
        seen: dict[str, None] = {}
        for rule in self.supporting():
            seen.update(dict.fromkeys(rule.sources))
        return list(seen)

    def supporting(self) -> list[FiredRule]:
        """Rules that pushed toward the recommendation (or excluded a rival), strongest first."""
        rules = [r for r in self.fired_rules if r.favors == self.recommendation or r.excludes]
        return sorted(rules, key=lambda r: (r.excludes is None, -r.weight))

    def against(self) -> list[FiredRule]:
        """Rules that pushed toward another option, strongest first."""
        rules = [r for r in self.fired_rules if r.favors and r.favors != self.recommendation]
        return sorted(rules, key=lambda r: -r.weight)


# ------------------------------------------------------------------------------- understanding
@dataclass(frozen=True)
class Turn:
    """What one message means: its intent and the profile changes it states (or supposes)."""

    intent: Intent
    changes: Mapping[str, Value] = field(default_factory=dict)  # profile field -> new value
    hypothetical: bool = False  # a what-if: the changes apply to a copy
    target: Option | None = None  # why_not: the option asked about
    text: str = ""  # the (cleaned) user text

    def __post_init__(self) -> None:
        # Parts that still pass plain strings ("describe", "custom") get the enums, so `is` comparisons hold.
        object.__setattr__(self, "intent", Intent(self.intent))
        if self.target is not None:
            object.__setattr__(self, "target", Option.parse(self.target))

    def to_dict(self) -> dict[str, JSON]:
        return {
            "intent": self.intent,
            "changes": dict(self.changes),
            "hypothetical": self.hypothetical,
            "target": self.target,
        }


@dataclass(frozen=True)
class TurnContext:
    """What the conversation knows that helps read a short reply."""

    asked_field: str | None = None  # the field the assistant just asked about
    pending_what_if: bool = False  # a what-if result is waiting for adopt/discard


NO_CONTEXT = TurnContext()  # a first message: no question asked, nothing pending


# ------------------------------------------------------------------------------- passages, answers
@dataclass(frozen=True)
class PassageRef:
    """A passage as answers and the UI see it: already cleaned of instruction-like text where it was made."""

    id: str
    section: str
    title: str
    source: str
    text: str
    score: float = 0.0

    def to_dict(self) -> dict[str, JSON]:
        return {
            "id": self.id,
            "section": self.section,
            "title": self.title,
            "source": self.source,
            "score": self.score,
            "text": self.text,
        }


@dataclass(frozen=True)
class Citation:
    id: str
    title: str

    def to_dict(self) -> dict[str, JSON]:
        return {"id": self.id, "title": self.title}


@dataclass(frozen=True)
class Answer:
    text: str
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True)
class WhatIf:
    """A hypothetical: the saved decision, and the decision with `changes` applied to a copy."""

    changes: Mapping[str, Value]
    before: Decision
    after: Decision

    @property
    def started(self) -> list[FiredRule]:
        old = {r.id for r in self.before.fired_rules}
        return [r for r in self.after.fired_rules if r.id not in old]

    @property
    def stopped(self) -> list[FiredRule]:
        new = {r.id for r in self.after.fired_rules}
        return [r for r in self.before.fired_rules if r.id not in new]

    def to_dict(self) -> dict[str, JSON]:
        return {
            "changes": dict(self.changes),
            "before": self.before.recommendation,
            "recommendation": self.after.recommendation,
            "hybrid_patterns": list(self.after.hybrid_patterns),
            "started": [r.id for r in self.started],
            "stopped": [r.id for r in self.stopped],
        }


@dataclass
class AnswerContext:
    """Everything an answer may draw on. `titles` maps section ids to titles for citations."""

    decision: Decision
    titles: Mapping[str, str]
    passages: Sequence[PassageRef] = ()
    changes: dict[str, Value | None] = field(default_factory=dict)
    what_if: WhatIf | None = None
    previous: Decision | None = None
    question_field: str | None = None
    target: Option | None = None
    notice: str = ""


class GuardAction(StrEnum):
    ACCEPTED = "accepted"  # the first draft passed every check
    REGENERATED = "regenerated"  # the second draft passed, after the first failed
    FALLBACK = "fallback"  # no draft passed (or the LLM failed): the deterministic answer stands


@dataclass(frozen=True)
class Finding:
    """One guard check that a sentence failed."""

    check: str
    message: str
    sentence: str = ""

    def to_dict(self) -> dict[str, JSON]:
        data: dict[str, JSON] = {"check": self.check, "message": self.message}
        if self.sentence:
            data["sentence"] = self.sentence[:300]
        return data

    def __str__(self) -> str:
        return f"{self.check}: {self.message}" + (f' (in: "{self.sentence[:160]}")' if self.sentence else "")


@dataclass
class GuardAttempt:
    """One LLM draft and what the guard found in it."""

    attempt: int
    streamed: bool
    chars: int = 0
    retries: int = 0
    seconds: float = 0.0
    findings: list[Finding] = field(default_factory=list)
    stopped_early: bool = False
    error: str | None = None

    def to_dict(self) -> dict[str, JSON]:
        data: dict[str, JSON] = {
            "attempt": self.attempt,
            "streamed": self.streamed,
            "chars": self.chars,
            "retries": self.retries,
            "seconds": self.seconds,
            "findings": [f.to_dict() for f in self.findings],
            "stopped_early": self.stopped_early,
        }
        if self.error is not None:
            data["error"] = self.error
        return data


@dataclass
class GuardRecord:
    """What the guard did with an LLM's answer: every draft, what failed, and the action taken."""

    provider: str
    checks: tuple[str, ...]
    threshold: float
    model: str | None = None
    attempts: list[GuardAttempt] = field(default_factory=list)
    action: GuardAction = GuardAction.FALLBACK
    reason: str | None = None
    overhead_ms: float = 0.0
    seconds: float = 0.0

    @property
    def failures(self) -> list[Finding]:
        return [f for a in self.attempts for f in a.findings]

    def to_dict(self) -> dict[str, JSON]:
        return {
            "provider": self.provider,
            "model": self.model,
            "checks": list(self.checks),
            "threshold": self.threshold,
            "attempts": [a.to_dict() for a in self.attempts],
            "failures": [f.to_dict() for f in self.failures],
            "action": self.action,
            "reason": self.reason,
            "overhead_ms": round(self.overhead_ms, 3),
            "seconds": self.seconds,
        }


@dataclass
class Reply:
    """One turn's final result: the answer, what the turn understood, and the decision it rests on."""

    answer: str
    turn: Turn
    decision: Decision  # for the saved profile after this turn
    citations: tuple[Citation, ...] = ()
    passages: list[PassageRef] = field(default_factory=list)
    what_if: WhatIf | None = None
    provenance: dict[str, str] = field(default_factory=dict)
    notices: tuple[str, ...] = ()
    guard: GuardRecord | None = None

    @property
    def notice(self) -> str:
        """All notices as one line (the `--json` contract keeps a single string)."""
        return " ".join(self.notices)

    def to_dict(self) -> dict[str, JSON]:
        """The `ask --json` contract."""
        return {
            "answer": self.answer,
            "recommendation": self.decision.recommendation,
            "hybrid_patterns": list(self.decision.hybrid_patterns),
            "confidence": self.decision.confidence,
            "citations": [c.to_dict() for c in self.citations],
            "profile": dict(self.decision.profile),
            "provenance": dict(self.provenance),
            "turn": self.turn.to_dict(),
            "what_if": self.what_if.to_dict() if self.what_if else None,
            "passages": [p.to_dict() for p in self.passages],
            "notice": self.notice or None,
            "guard": self.guard.to_dict() if self.guard else None,
        }


# ------------------------------------------------------------------------------------- the parts
@runtime_checkable
class Understander(Protocol):
    """Reads one message: text in, `Turn` out (the offline patterns, or an LLM behind evidence checks)."""

    def understand(self, text: str, context: TurnContext = NO_CONTEXT) -> Turn: ...


@runtime_checkable
class Retriever(Protocol):
    """Finds the knowledge passages an answer can cite. `boost_sections` nudges the rules' sources up."""

    def search(self, query: str, k: int = 4, boost_sections: Sequence[str] = ()) -> list[PassageRef]: ...


@runtime_checkable
class Writer(Protocol):
    """Rewrites a deterministic reply in conversational form (an LLM, behind the guard).

    Yields the whole text so far as it streams (a later str may replace an earlier one), then the final
    Reply: the rewritten one, or the deterministic one if no draft passed the guard.
    """

    def write(self, reply: Reply, ctx: AnswerContext, question: str) -> Iterator[str | Reply]: ...
