"""What the guard did with an LLM's drafts: findings per attempt and the action taken."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from .values import JSON


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
