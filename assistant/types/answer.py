"""Passages, citations, what-ifs and the final reply of a turn."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .decision import Decision, FiredRule
from .guard import GuardRecord
from .turn import Turn
from .values import JSON, Option, Value


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
    def new(self) -> dict[str, Value]:
        """The changes that differ from the saved profile ("the emails must stay here" also names the text
        data the user already gave): what an answer about the what-if should name."""
        return {n: v for n, v in self.changes.items() if self.before.profile.get(n) != v}

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
    deadline: float | None = None  # monotonic instant by which any LLM work on this turn must be over
    turn: int = 0  # the turn's number in its conversation: picks among a sentence's wordings
    previous_answer: str = ""  # the previous answer's text: its sentences are not said again
    lang: str = "en"  # the language the answer is written in (see `types.LANGUAGES`)


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
    lang: str = "en"  # the language the answer is written in

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
