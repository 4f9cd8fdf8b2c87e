"""modelchoice: foundation model, custom model, or hybrid? The rules decide; the LLM explains.

The public API. Everything a caller needs is importable from here; the submodules are implementation:

    >>> from assistant import Conversation, Session, decide
    >>> decide({"data_type": "tabular", "privacy": "strict"}).recommendation
    <Option.CUSTOM: 'custom'>
"""

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
