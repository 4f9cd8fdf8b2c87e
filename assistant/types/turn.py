"""What one message means: the understanders' output and what they know about the conversation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .values import JSON, Intent, Option, Value


@dataclass(frozen=True)
class Turn:
    """What one message means: its intent and the profile changes it states (or supposes)."""

    intent: Intent
    changes: Mapping[str, Value] = field(default_factory=dict)  # profile field -> new value
    hypothetical: bool = False  # a what-if: the changes apply to a copy
    target: Option | None = None  # why_not: the option asked about
    text: str = ""  # the (cleaned) user text
    suggested: Mapping[str, Value] = field(default_factory=dict)  # facts it probably states: ask to confirm
    language: str | None = None  # a language not supported (its code): the turn is not understood
    lang: str = "en"  # the supported language the message is written in (see `types.LANGUAGES`)

    def __post_init__(self) -> None:
        # Parts that still pass plain strings ("describe", "custom") get the enums, so `is` comparisons hold.
        object.__setattr__(self, "intent", Intent(self.intent))
        if self.target is not None:
            object.__setattr__(self, "target", Option.parse(self.target))

    def to_dict(self) -> dict[str, JSON]:
        data: dict[str, JSON] = {
            "intent": self.intent,
            "changes": dict(self.changes),
            "hypothetical": self.hypothetical,
            "target": self.target,
        }
        if self.suggested:
            data["suggested"] = dict(self.suggested)
        if self.language:
            data["language"] = self.language
        return data


@dataclass(frozen=True)
class TurnContext:
    """What the conversation knows that helps read a short reply."""

    asked_field: str | None = None  # the field the assistant just asked about
    pending_what_if: bool = False  # a what-if result is waiting for adopt/discard
    suggested: Value | None = (
        None  # the value the assistant asked to confirm for asked_field ("is that right?")
    )
    deadline: float | None = None  # monotonic instant by which any LLM work on this turn must be over


NO_CONTEXT = TurnContext()  # a first message: no question asked, nothing pending
