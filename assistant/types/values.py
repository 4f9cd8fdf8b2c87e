"""The values every part speaks in: profile values, the three options, intents, provenance, confidence."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeAlias

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
# The languages the assistant understands and answers in (a message in another language is named, not read).
LANGUAGES: tuple[str, ...] = ("en", "ru")

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
