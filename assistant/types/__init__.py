"""The shared vocabulary of a turn: the values that cross every seam, and the Protocols of the parts.

Dependency-free on purpose (standard library only; the submodules import only each other): every other
module may import it, so the seams between understanding, the engine, retrieval, the writers and the
guard are visible here and nowhere is a project type passed behind `Any`.
"""

from .answer import Answer, AnswerContext, Citation, PassageRef, Reply, WhatIf
from .decision import Counterfactual, Decision, FiredRule
from .guard import Finding, GuardAction, GuardAttempt, GuardRecord
from .protocols import Retriever, Understander, Writer
from .turn import NO_CONTEXT, Turn, TurnContext
from .values import (
    JSON,
    LANGUAGES,
    OPTION_ORDER,
    RETRIEVING_INTENTS,
    Confidence,
    FactSource,
    Intent,
    Option,
    Value,
)

__all__ = [
    "JSON",
    "LANGUAGES",
    "NO_CONTEXT",
    "OPTION_ORDER",
    "RETRIEVING_INTENTS",
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
]
