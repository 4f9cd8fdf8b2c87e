"""modelchoice: foundation model, custom model, or hybrid? The rules decide; the LLM explains.

The public API. Everything a caller needs is importable from here; the submodules are implementation:

    >>> from assistant import Conversation, Session, decide
    >>> decide({"data_type": "tabular", "privacy": "strict"}).recommendation
    <Option.CUSTOM: 'custom'>
"""

# Lazy on purpose: every command imports this package, and most need only a part of it (`recommend` needs
# no conversation, `search` no understanding). Each public name is imported on first use (PEP 562); type
# checkers read the imports below.
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .conversation import Conversation
    from .engine import decide
    from .errors import (
        EmbeddingConfigError,
        InputFileError,
        KnowledgeError,
        LLMError,
        LLMErrorKind,
        ModelchoiceError,
        OutputError,
        ProfileError,
        RetrievalError,
        RulesError,
        SessionError,
        SettingsError,
    )
    from .memory import MemoryRetriever
    from .profile import FIELDS, Profile
    from .session import Session
    from .settings import Settings
    from .types import (
        Answer,
        AnswerContext,
        Citation,
        Confidence,
        Counterfactual,
        Decision,
        FactSource,
        Finding,
        FiredRule,
        GuardAction,
        GuardAttempt,
        GuardRecord,
        Intent,
        Option,
        PassageRef,
        Reply,
        Retriever,
        Turn,
        TurnContext,
        Understander,
        Value,
        WhatIf,
        Writer,
    )

__all__ = [
    "FIELDS",
    "Answer",
    "AnswerContext",
    "Citation",
    "Confidence",
    "Conversation",
    "Counterfactual",
    "Decision",
    "EmbeddingConfigError",
    "FactSource",
    "Finding",
    "FiredRule",
    "GuardAction",
    "GuardAttempt",
    "GuardRecord",
    "InputFileError",
    "Intent",
    "KnowledgeError",
    "LLMError",
    "LLMErrorKind",
    "MemoryRetriever",
    "ModelchoiceError",
    "Option",
    "OutputError",
    "PassageRef",
    "Profile",
    "ProfileError",
    "Reply",
    "RetrievalError",
    "Retriever",
    "RulesError",
    "Session",
    "SessionError",
    "Settings",
    "SettingsError",
    "Turn",
    "TurnContext",
    "Understander",
    "Value",
    "WhatIf",
    "Writer",
    "decide",
]

# Where each public name lives (the same names as the imports above).
_LAZY: dict[str, tuple[str, ...]] = {
    "conversation": ("Conversation",),
    "engine": ("decide",),
    "errors": (
        "EmbeddingConfigError",
        "InputFileError",
        "KnowledgeError",
        "LLMError",
        "LLMErrorKind",
        "ModelchoiceError",
        "OutputError",
        "ProfileError",
        "RetrievalError",
        "RulesError",
        "SessionError",
        "SettingsError",
    ),
    "memory": ("MemoryRetriever",),
    "profile": ("FIELDS", "Profile"),
    "session": ("Session",),
    "settings": ("Settings",),
    "types": (
        "Answer",
        "AnswerContext",
        "Citation",
        "Confidence",
        "Counterfactual",
        "Decision",
        "FactSource",
        "Finding",
        "FiredRule",
        "GuardAction",
        "GuardAttempt",
        "GuardRecord",
        "Intent",
        "Option",
        "PassageRef",
        "Reply",
        "Retriever",
        "Turn",
        "TurnContext",
        "Understander",
        "Value",
        "WhatIf",
        "Writer",
    ),
}
_WHERE = {name: module for module, names in _LAZY.items() for name in names}


def __getattr__(name: str) -> object:
    """A public name (or a submodule) on first use; then it is an ordinary module attribute."""
    import importlib

    if name.startswith("__"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if name in _WHERE:
        value: object = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    else:
        try:
            value = importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
