"""The rules engine's output: the fired rules, the counterfactuals and the decision they add up to."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .values import JSON, Option, Value


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
    fields: tuple[str, ...] = ()  # the profile fields its condition tests; none: an unconditional prior

    @property
    def is_prior(self) -> bool:
        """An unconditional rule (the article's default): it says nothing about this project."""
        return not self.fields

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
    # Rules that start firing with the change and favor `recommendation` (or exclude the current option):
    # the change argues FOR the new answer. Empty: it only takes a reason for the current answer away.
    drivers: tuple[str, ...] = ()

    @property
    def pushes(self) -> bool:
        """True when the new value itself argues for the new answer ("with X it would be Y" reads right)."""
        return bool(self.drivers)

    def to_dict(self) -> dict[str, JSON]:
        return {
            "field": self.field,
            "value": self.value,
            "recommendation": self.recommendation,
            "current": self.current,
            "drivers": list(self.drivers),
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
    # Too little is known to recommend: `recommendation` is only a lean (see `engine.is_undecided`).
    undecided: bool = False

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
            "undecided": self.undecided,
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
